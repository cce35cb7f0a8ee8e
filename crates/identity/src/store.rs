//! Accounts and sessions.

use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Access, Actor, Clock, Error, Result, Roles, Scope, Stage};
use tandem_storage::{Db, SqlTime, Tx, run};
use tandem_web::actor::{Credentials, Lookup};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::password::{self, Password};
use crate::throttle::{self, Failures, Lock};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);

fn token_hash(token: &str) -> String {
    crate::secret::digest(token)
}

/// The person with `email` (id and the address as stored), if any.
pub async fn person_by_email(db: &Db, email: &str) -> Result<Option<(Uuid, String)>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as("SELECT id, email FROM person_refs WHERE lower(email) = lower($1)")
            .bind(email.trim())
            .fetch_optional(c)
            .await
    })?)
}

/// Sets (or replaces) the password of the person with `email`, after the password policy, and
/// ends their sessions.
pub async fn set_password(write: &Write, email: &str, raw: &str) -> Result<()> {
    change_password(write, email, raw, None).await
}

/// Changes the password of the signed-in person whose session is `token`, if `current` is
/// their password; ends their other sessions and keeps this one.
pub async fn change_own_password(
    write: &Write,
    token: &str,
    current: Password,
    new: &str,
) -> Result<()> {
    let email = write.actor.label.clone();
    let mut conn = write.db.conn().await?;
    let hash: Option<String> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE person_id = $1")
            .bind(write.actor.id)
            .fetch_optional(c)
            .await
    })?;
    drop(conn);
    let matches = password::verify(current, hash.unwrap_or_else(|| DECOY_HASH.to_owned())).await;
    if !matches {
        return Err(Error::invalid("current", "is not your current password"));
    }
    change_password(write, &email, new, Some(&token_hash(token))).await
}

async fn change_password(
    write: &Write,
    email: &str,
    raw: &str,
    keep_session: Option<&str>,
) -> Result<()> {
    let (person, email) = person_by_email(&write.db, email).await?.ok_or_else(|| {
        Error::invalid(
            "email",
            "no person in the directory has this e-mail address",
        )
    })?;
    let password = password::check_new("password", &email, raw)?;
    let hash = password::hash(password)
        .await
        .map_err(|e| Error::Storage(Box::new(e)))?;
    let mut tx = write.begin().await?;
    let existed: Option<i32> = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT 1 FROM accounts WHERE person_id = $1")
            .bind(person)
            .fetch_optional(c)
            .await
    })?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO accounts (person_id, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
        )
        .bind(person)
        .bind(&hash)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    // Sessions signed in with the old password end with it (but the one changing it).
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
            .bind(person)
            .bind(keep_session.unwrap_or(""))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let (before, after) = if existed.is_some() {
        ("set", "changed")
    } else {
        ("", "set")
    };
    write
        .commit(
            tx,
            Edit::new(
                if existed.is_some() {
                    Action::Update
                } else {
                    Action::Create
                },
                "account",
                person,
                Changes::diff(
                    &[("password", before.into())],
                    &[("password", after.into())],
                ),
            ),
        )
        .await
}

/// An argon2id hash of a password nobody has, checked when an e-mail address has no account,
/// so that unknown and known addresses take the same time to refuse.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Gm8zAnHfd3tXu3rQ2bXqfXoAw7Wd6Gm0LxQ8CM3HoAY";

/// How long a session waits for the second factor after the right password.
pub const SECOND_FACTOR_TIMEOUT: Duration = Duration::minutes(5);

/// The outcome of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The session's token, for the cookie; `code_due` if the person has a second factor, whose
    /// code must follow before the session is good for anything else.
    Started { token: String, code_due: bool },
    /// Wrong password, unknown address or no account: one answer for all three.
    Refused,
    /// Too many failures lately for this e-mail address from this network address, from this
    /// network address, or for this e-mail address from everywhere ([`throttle`]); the password
    /// was not even checked.
    Throttled,
}

/// The failed sign-ins within [`throttle::WINDOW`] that bear on a try for `email` from
/// `address` (a try whose network address is unknown counts with the others of unknown
/// address).
async fn recent_failures(
    db: &Db,
    now: OffsetDateTime,
    email: &str,
    address: Option<&str>,
) -> Result<Failures> {
    let mut conn = db.conn().await?;
    let since = SqlTime(now - throttle::WINDOW);
    let (here, from_address, for_email): (i64, i64, i64) = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM sign_in_failures \
                     WHERE email = $1 AND address IS NOT DISTINCT FROM $2 AND at > $3), \
                    (SELECT count(*) FROM sign_in_failures \
                     WHERE address IS NOT DISTINCT FROM $2 AND at > $3), \
                    (SELECT count(*) FROM sign_in_failures WHERE email = $1 AND at > $3)",
        )
        .bind(email)
        .bind(address)
        .bind(since)
        .fetch_one(c)
        .await
    })?;
    Ok(Failures {
        here,
        from_address,
        for_email,
    })
}

/// Ends the transaction of a failed try for `typed` (the e-mail address as typed, in lower
/// case) by `write.actor`, whose failures before were `before`: records the failure and the
/// try's entry `attempt`. When this failure makes tries for the account `owner` (person and
/// e-mail address) refused, and the owner was not warned within [`throttle::WINDOW`], queues
/// [`throttle::warning`] to them and records that in the trail too.
async fn end_failure(
    write: &Write,
    mut tx: Tx,
    attempt: Edit,
    typed: &str,
    before: Failures,
    owner: Option<(Uuid, &str)>,
) -> Result<()> {
    run!(&mut tx, |c| {
        sqlx::query("INSERT INTO sign_in_failures (email, address, at) VALUES ($1, $2, $3)")
            .bind(typed)
            .bind(&write.actor.address)
            .bind(SqlTime(write.now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if let (Some(lock), Some((person, email))) = (before.and_this_one().lock(), owner)
        && let Some(warning) = warn_owner(write, &mut tx, person, email, lock).await?
    {
        write.record(&mut tx, attempt).await?;
        return write.commit(tx, warning).await;
    }
    write.commit(tx, attempt).await
}

/// Queues the mail that tells `person` (at `email`) that tries for their account are refused,
/// unless they were told so within [`throttle::WINDOW`]; returns the entry that records it.
async fn warn_owner(
    write: &Write,
    tx: &mut Tx,
    person: Uuid,
    email: &str,
    lock: Lock,
) -> Result<Option<Edit>> {
    // Taking the turn and checking it is one statement, so two failures at once send one mail.
    let turn = run!(tx, |c| {
        sqlx::query(
            "UPDATE accounts SET warned_at = $2 \
             WHERE person_id = $1 AND (warned_at IS NULL OR warned_at <= $3)",
        )
        .bind(person)
        .bind(SqlTime(write.now))
        .bind(SqlTime(write.now - throttle::WINDOW))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if turn == 0 {
        return Ok(None);
    }
    let mail = throttle::warning(email, write.actor.address.as_deref(), write.now, lock)
        .map_err(|e| Error::Invalid(vec![e]))?;
    tandem_mail::store::enqueue(tx, &mail, "repeated failed sign-ins", write.now).await?;
    Ok(Some(sign_in_entry(
        &write.actor,
        &format!("{email} warned by mail of repeated failed sign-ins"),
    )))
}

/// Signs in: on the right password, a new session and its token (for the cookie). A wrong
/// password and an unknown address get the same answer after the same work. After too many
/// failures ([`throttle::Failures::refused`]) tries are refused without checking the password
/// until the failures age out of [`throttle::WINDOW`]; the owner of an account whose tries are
/// refused is warned by mail. Every outcome is recorded in the audit trail.
pub async fn sign_in(
    db: &Db,
    now: OffsetDateTime,
    email: &str,
    password: Password,
    address: Option<String>,
) -> Result<SignIn> {
    // Only something shaped like an e-mail address is kept (in the trail and for throttling):
    // a password typed into the wrong field must not end up stored.
    let typed = tandem_kernel::text::Email::parse("email", email).map_or_else(
        |_| "(not an e-mail address)".to_owned(),
        |e| e.to_string().to_lowercase(),
    );
    let failures = recent_failures(db, now, &typed, address.as_deref()).await?;
    if failures.refused() {
        let write = Write::new(db, &Actor::anonymous(address.clone()), now);
        let refused = sign_in_entry(
            &write.actor,
            &format!("refused for {typed}: too many failed sign-ins lately"),
        );
        write.commit(write.begin().await?, refused).await?;
        return Ok(SignIn::Throttled);
    }
    let mut conn = db.conn().await?;
    let account: Option<(Uuid, String, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT p.id, p.email, a.password_hash FROM accounts a JOIN person_refs p ON p.id = a.person_id WHERE lower(p.email) = lower($1)",
        )
        .bind(email.trim())
        .fetch_optional(c)
        .await
    })?;
    drop(conn);
    let (hash, who) = match &account {
        Some((_, _, hash)) => (
            hash.clone(),
            account.as_ref().map(|(id, email, _)| (*id, email.clone())),
        ),
        None => (DECOY_HASH.to_owned(), None),
    };
    let matches = password::verify(password, hash).await;
    let mut tx = db.begin().await?;
    match who.filter(|_| matches) {
        Some((person, email)) => {
            let token = crate::secret::random_hex()?;
            let code_due = crate::mfa::status(db, person).await?.enrolled;
            let (stage, expires) = if code_due {
                (STAGE_SECOND_FACTOR, now + SECOND_FACTOR_TIMEOUT)
            } else {
                (STAGE_COMPLETE, now + ABSOLUTE_TIMEOUT)
            };
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, expires_at, address, stage) \
                     VALUES ($1, $2, $3, $3, $4, $5, $6)",
                )
                .bind(token_hash(&token))
                .bind(person)
                .bind(SqlTime(now))
                .bind(SqlTime(expires))
                .bind(&address)
                .bind(stage)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            // Only the person's own failures from here go: a guesser's elsewhere keep counting.
            run!(&mut tx, |c| {
                sqlx::query(
                    "DELETE FROM sign_in_failures WHERE email = $1 AND address IS NOT DISTINCT FROM $2",
                )
                .bind(&typed)
                .bind(&address)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            // Sessions of this person that have ended are of no further use.
            run!(&mut tx, |c| {
                sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)")
                    .bind(person)
                    .bind(SqlTime(now))
                    .bind(SqlTime(now - IDLE_TIMEOUT))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            let write = Write::new(db, &Actor::person(person, &email, address), now);
            let outcome = if code_due {
                "password accepted; code due"
            } else {
                "signed in"
            };
            write
                .commit(tx, sign_in_entry(&write.actor, outcome))
                .await?;
            Ok(SignIn::Started { token, code_due })
        }
        None => {
            // Failures older than the window no longer count; they go.
            run!(&mut tx, |c| {
                sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1")
                    .bind(SqlTime(now - throttle::WINDOW))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            let write = Write::new(db, &Actor::anonymous(address), now);
            let refused = sign_in_entry(&write.actor, &format!("refused for {typed}"));
            let owner = account
                .as_ref()
                .map(|(person, email, _)| (*person, email.as_str()));
            end_failure(&write, tx, refused, &typed, failures, owner).await?;
            Ok(SignIn::Refused)
        }
    }
}

/// The entry of a try to sign in by `actor`, under the person it is (if known).
fn sign_in_entry(actor: &Actor, outcome: &str) -> Edit {
    Edit::created(
        "sign-in",
        actor.id.map(|i| i.to_string()).unwrap_or_default(),
        &[("outcome", outcome.to_owned())],
    )
}

/// Ends the session of `token`, recorded in the audit trail under its person (a token that
/// names no session changes nothing).
pub async fn sign_out(
    db: &Db,
    now: OffsetDateTime,
    token: &str,
    address: Option<String>,
) -> Result<()> {
    let hash = token_hash(token);
    let mut tx = db.begin().await?;
    let ended: Option<(Uuid, String)> = run!(&mut tx, |c| {
        sqlx::query_as(
            "SELECT s.person_id, p.email FROM sessions s JOIN person_refs p ON p.id = s.person_id WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(c)
        .await
    })?;
    let Some((person, email)) = ended else {
        return Ok(());
    };
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Write::new(db, &Actor::person(person, &email, address), now)
        .commit(tx, session_end(person, "signed out"))
        .await
}

/// The entry of the end of a session of `person`, and `how` it ended.
fn session_end(person: Uuid, how: &str) -> Edit {
    Edit::deleted("session", person, &[("ended", how.to_owned())])
}

/// A live session, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionInfo {
    /// The SHA-256 of the token: names the session without being usable to sign in.
    pub token_hash: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub address: Option<String>,
}

/// The person's live sessions, newest first.
pub async fn sessions_of(db: &Db, now: OffsetDateTime, person: Uuid) -> Result<Vec<SessionInfo>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, SessionInfo>(
            "SELECT token_hash, created_at, last_seen_at, address FROM sessions \
             WHERE person_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY created_at DESC",
        )
        .bind(person)
        .bind(SqlTime(now))
        .bind(SqlTime(now - IDLE_TIMEOUT))
        .fetch_all(c)
        .await
    })?)
}

/// Ends one of the signed-in person's own sessions; another person's session is not found.
pub async fn revoke_session(write: &Write, person: Uuid, session: &str) -> Result<()> {
    let mut tx = write.begin().await?;
    let ended = run!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND person_id = $2")
            .bind(session)
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if ended == 0 {
        return Err(Error::NotFound { entity: "session" });
    }
    write
        .commit(
            tx,
            session_end(person, "ended by its person from another session"),
        )
        .await
}

/// The hash a session is known by, for marking "this session" in a list.
pub fn session_name(token: &str) -> String {
    token_hash(token)
}

const STAGE_COMPLETE: &str = "complete";
const STAGE_SECOND_FACTOR: &str = "second-factor";

#[derive(sqlx::FromRow)]
struct LiveSession {
    person_id: Uuid,
    email: String,
    organisation_id: Uuid,
    last_seen_at: OffsetDateTime,
    stage: String,
    enrolled: bool,
}

/// The access of a live session: its person's roles and scope, and how far sign-in has got
/// (a role in `mfa_required` without a second factor set up leaves only the account pages
/// open). Refreshes the session's last-seen time (at most once a minute).
pub async fn session_access(
    db: &Db,
    now: OffsetDateTime,
    token: &str,
    address: Option<String>,
    mfa_required: Roles,
) -> Result<Option<Access>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let mut conn = db.conn().await?;
    let found: Option<LiveSession> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT s.person_id, p.email, p.organisation_id, s.last_seen_at, s.stage, \
                    EXISTS (SELECT 1 FROM totp_secrets t WHERE t.person_id = s.person_id AND t.confirmed_at IS NOT NULL) AS enrolled \
             FROM sessions s JOIN person_refs p ON p.id = s.person_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
        )
        .bind(&hash)
        .bind(SqlTime(now))
        .bind(SqlTime(now - IDLE_TIMEOUT))
        .fetch_optional(c)
        .await
    })?;
    drop(conn);
    let Some(session) = found else {
        return Ok(None);
    };
    if now - session.last_seen_at > Duration::minutes(1) {
        let mut tx = db.begin().await?;
        run!(&mut tx, |c| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(&hash)
                .bind(SqlTime(now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        // Not audited: the last-seen time only keeps an active session from timing out.
        tx.commit().await?;
    }
    let roles = crate::roles::of(db, session.person_id).await?;
    let stage = if session.stage == STAGE_SECOND_FACTOR {
        Stage::SecondFactorDue
    } else if roles.overlaps(mfa_required) && !session.enrolled {
        Stage::EnrolmentDue
    } else {
        Stage::Complete
    };
    Ok(Some(Access {
        actor: Actor::person(session.person_id, &session.email, address),
        scope: Scope::of(roles, session.organisation_id),
        roles,
        stage,
    }))
}

/// The outcome of typing the second factor's code.
#[derive(Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// The session is complete, under a new token (for the cookie): the token that was known
    /// before the code was typed no longer opens anything.
    Accepted {
        token: String,
    },
    Refused,
    /// Too many wrong codes lately; the code was not checked.
    Throttled,
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Accepted { .. } => "Accepted",
            Self::Refused => "Refused",
            Self::Throttled => "Throttled",
        })
    }
}

/// Finishes the sign-in of the session `token` (whose code is due) with `code`: the current
/// TOTP code or a recovery code. Wrong codes count against the person like wrong passwords.
pub async fn finish_sign_in(
    db: &Db,
    now: OffsetDateTime,
    token: &str,
    code: &str,
    address: Option<String>,
) -> Result<SecondFactor> {
    let hash = token_hash(token);
    let mut conn = db.conn().await?;
    let pending: Option<(Uuid, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT s.person_id, p.email FROM sessions s JOIN person_refs p ON p.id = s.person_id \
             WHERE s.token_hash = $1 AND s.stage = $2 AND s.expires_at > $3",
        )
        .bind(&hash)
        .bind(STAGE_SECOND_FACTOR)
        .bind(SqlTime(now))
        .fetch_optional(c)
        .await
    })?;
    drop(conn);
    let Some((person, email)) = pending else {
        return Ok(SecondFactor::Refused);
    };
    let typed = email.to_lowercase();
    let failures = recent_failures(db, now, &typed, address.as_deref()).await?;
    let write = Write::new(db, &Actor::person(person, &email, address), now);
    if failures.refused() {
        let refused = sign_in_entry(
            &write.actor,
            "code refused: too many failed sign-ins lately",
        );
        write.commit(write.begin().await?, refused).await?;
        return Ok(SecondFactor::Throttled);
    }
    let mut tx = write.begin().await?;
    match crate::mfa::check_code(&mut tx, now, person, code).await? {
        Some(kind) => {
            let renewed = crate::secret::random_hex()?;
            run!(&mut tx, |c| {
                sqlx::query("UPDATE sessions SET token_hash = $5, stage = $2, expires_at = $3, last_seen_at = $4 WHERE token_hash = $1")
                    .bind(&hash)
                    .bind(STAGE_COMPLETE)
                    .bind(SqlTime(now + ABSOLUTE_TIMEOUT))
                    .bind(SqlTime(now))
                    .bind(token_hash(&renewed))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            let accepted = sign_in_entry(&write.actor, &format!("signed in with {kind}"));
            write.commit(tx, accepted).await?;
            Ok(SecondFactor::Accepted { token: renewed })
        }
        None => {
            let refused = sign_in_entry(&write.actor, "code refused");
            let owner = Some((person, email.as_str()));
            end_failure(&write, tx, refused, &typed, failures, owner).await?;
            Ok(SecondFactor::Refused)
        }
    }
}

/// Ends every session of `person` (an administrator's act, after a password or second-factor
/// reset, or on suspicion), recorded in the audit trail.
pub async fn end_sessions_of(write: &Write, person: Uuid) -> Result<u64> {
    let mut tx = write.begin().await?;
    if !tandem_directory::read::person_exists(&mut tx, PersonId(person)).await? {
        return Err(Error::NotFound { entity: "person" });
    }
    let ended = run!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::deleted("sessions", person, &[("sessions", ended.to_string())]),
        )
        .await?;
    Ok(ended)
}

/// Sessions and tokens as the web layer sees them.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdentityCredentials {
    /// Roles whose holders must have a second factor before they may use anything but their
    /// account pages.
    pub mfa_required: Roles,
}

impl Credentials for IdentityCredentials {
    fn session<'a>(
        &'a self,
        db: &'a Db,
        clock: &'a dyn Clock,
        token: &'a str,
        address: Option<String>,
    ) -> Lookup<'a> {
        Box::pin(session_access(
            db,
            clock.now(),
            token,
            address,
            self.mfa_required,
        ))
    }

    fn bearer<'a>(
        &'a self,
        db: &'a Db,
        clock: &'a dyn Clock,
        token: &'a str,
        address: Option<String>,
    ) -> Lookup<'a> {
        Box::pin(crate::tokens::access(
            db,
            clock.now(),
            token,
            address,
            self.mfa_required,
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_decoy_hash_is_a_real_argon2id_hash() {
        assert!(argon2::PasswordHash::new(super::DECOY_HASH).is_ok());
    }
}
