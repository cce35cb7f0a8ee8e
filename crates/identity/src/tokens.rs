//! API tokens for scripts and integrations: created by a person, acting with a subset of that
//! person's roles, shown once and stored as a SHA-256, with an expiry, a last-used time, and
//! revocable. A request with `Authorization: Bearer <token>` acts as the person "via" the token.

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::error::AllValid;
use tandem_kernel::text::Name;
use tandem_kernel::{Access, Actor, ActorKind, Error, FieldError, Result, Roles, Scope, Stage};
use tandem_storage::{Db, ResultExt, SqlTime, Unique, run};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::secret;

/// Every token starts with this, so that a leaked one is recognisable (for secret scanners).
pub const PREFIX: &str = "tandem_";
/// The longest a token may live.
pub const MAX_DAYS: i64 = 365;
/// How often the last-used time (and the "token used" audit entry) is refreshed at most.
pub const USE_RECORDED_EVERY: Duration = Duration::minutes(1);

/// A token as its owner sees it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub roles: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl TokenInfo {
    /// Whether the token still works at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// What a person asks for when creating a token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    /// Role names, comma-separated; empty means all the person's roles.
    pub roles: String,
    /// Days until it expires, 1 to [`MAX_DAYS`].
    pub days: i64,
}

/// Creates a token of `person`, recorded under `write.actor` (the person on their tokens page, or
/// the system for `tandem account token`); returns it with its secret, which is not kept.
pub async fn create(write: &Write, person: Uuid, input: NewToken) -> Result<(TokenInfo, String)> {
    let held = crate::roles::of(&write.db, person).await?;
    let (name, roles, days) = (
        Name::parse("name", &input.name),
        Roles::parse_list("roles", &input.roles),
        if (1..=MAX_DAYS).contains(&input.days) {
            Ok(input.days)
        } else {
            Err(FieldError::new(
                "days",
                format!("must be between 1 and {MAX_DAYS} days"),
            ))
        },
    );
    let (name, roles, days) = (name, roles, days).all_valid()?;
    let roles = if roles.is_empty() { held } else { roles };
    if roles.is_empty() {
        return Err(Error::invalid(
            "roles",
            "you hold no role, so a token would be allowed nothing",
        ));
    }
    if roles.intersection(held) != roles {
        return Err(Error::invalid(
            "roles",
            format!("a token can only carry roles you hold ({held})"),
        ));
    }
    let secret = format!("{PREFIX}{}", secret::random_hex()?);
    let info = TokenInfo {
        id: Uuid::now_v7(),
        person_id: person,
        name: name.to_string(),
        roles: roles.to_string(),
        created_at: write.now,
        expires_at: write.now + Duration::days(days),
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO api_tokens (id, person_id, name, token_hash, roles, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(info.id)
        .bind(person)
        .bind(&info.name)
        .bind(secret::digest(&secret))
        .bind(&info.roles)
        .bind(SqlTime(write.now))
        .bind(SqlTime(info.expires_at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(&[Unique {
        target: "api_tokens.token_hash",
        field: "name",
        message: "a token with this secret exists; try again",
    }])?;
    write
        .commit(
            tx,
            Edit::created(
                "api-token",
                info.id,
                &[
                    ("person", person.to_string()),
                    ("name", info.name.clone()),
                    ("roles", info.roles.clone()),
                    ("expires_at", info.expires_at.to_string()),
                ],
            ),
        )
        .await?;
    Ok((info, secret))
}

/// The person's tokens, newest first.
pub async fn of(db: &Db, person: Uuid) -> Result<Vec<TokenInfo>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, TokenInfo>(
            "SELECT id, person_id, name, roles, created_at, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(person)
        .fetch_all(c)
        .await
    })?)
}

/// Revokes every live token of `person` (an administrator's act, for a person who leaves or
/// lost a device); returns how many.
pub async fn revoke_all_of(write: &Write, person: Uuid) -> Result<u64> {
    let mut tx = write.begin().await?;
    if !tandem_directory::read::person_exists(&mut tx, PersonId(person)).await? {
        return Err(Error::NotFound { entity: "person" });
    }
    let revoked = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::updated(
                "api-tokens",
                person,
                &[("revoked", String::new())],
                &[("revoked", revoked.to_string())],
            ),
        )
        .await?;
    Ok(revoked)
}

/// Revokes token `id` of `owner` (another person's token is not found).
pub async fn revoke(write: &Write, owner: Uuid, id: Uuid) -> Result<()> {
    let mut tx = write.begin().await?;
    let revoked = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(owner)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if revoked == 0 {
        return Err(Error::NotFound {
            entity: "API token",
        });
    }
    write
        .commit(
            tx,
            Edit::updated(
                "api-token",
                id,
                &[("revoked", "no".into())],
                &[("revoked", "yes".into())],
            ),
        )
        .await
}

#[derive(sqlx::FromRow)]
struct Live {
    id: Uuid,
    name: String,
    roles: String,
    last_used_at: Option<OffsetDateTime>,
    person_id: Uuid,
    email: String,
    organisation_id: Uuid,
    enrolled: bool,
}

/// The access a bearer token gives: the roles it carries that its person still holds, in the
/// person's scope. While the person holds a role of `mfa_required` without a second factor set
/// up, the token opens nothing (stage [`Stage::EnrolmentDue`]). Records its use (at most every
/// [`USE_RECORDED_EVERY`]).
pub async fn access(
    db: &Db,
    now: OffsetDateTime,
    secret: &str,
    address: Option<String>,
    mfa_required: Roles,
) -> Result<Option<Access>> {
    if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 64 {
        return Ok(None);
    }
    let hash = secret::digest(secret);
    let mut conn = db.conn().await?;
    let found: Option<Live> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name, t.roles, t.last_used_at, p.id AS person_id, p.email, p.organisation_id, \
                    EXISTS (SELECT 1 FROM totp_secrets s WHERE s.person_id = p.id AND s.confirmed_at IS NOT NULL) AS enrolled \
             FROM api_tokens t JOIN person_refs p ON p.id = t.person_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
        )
        .bind(&hash)
        .bind(SqlTime(now))
        .fetch_optional(c)
        .await
    })?;
    drop(conn);
    let Some(token) = found else {
        return Ok(None);
    };
    let held = crate::roles::of(db, token.person_id).await?;
    let carried = Roles::parse_list("roles", &token.roles).unwrap_or_default();
    let roles = carried.intersection(held);
    let actor = Actor {
        kind: ActorKind::Token,
        id: Some(token.person_id),
        label: format!("{} via token {}", token.email, token.name),
        address,
    };
    if token
        .last_used_at
        .is_none_or(|last| now - last >= USE_RECORDED_EVERY)
    {
        let mut tx = db.begin().await?;
        run!(&mut tx, |c| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token.id)
                .bind(SqlTime(now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        let used = Edit::updated(
            "api-token",
            token.id,
            &[(
                "last_used_at",
                token
                    .last_used_at
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            )],
            &[("last_used_at", now.to_string())],
        );
        if let Err(error) = Write::new(db, &actor, now).commit(tx, used).await {
            // The trail takes no entries until its head is repaired: the use goes unrecorded
            // (and `last_used_at` stays), so that reading goes on; every write still fails.
            match tandem_audit::store::unrecordable(&error) {
                Some(cause) => tracing::error!(
                    %cause,
                    token = %token.id,
                    "the use of an API token could not be recorded"
                ),
                None => return Err(error),
            }
        }
    }
    let stage = if held.overlaps(mfa_required) && !token.enrolled {
        Stage::EnrolmentDue
    } else {
        Stage::Complete
    };
    Ok(Some(Access {
        scope: Scope::of(held, token.organisation_id),
        actor,
        roles,
        stage,
    }))
}
