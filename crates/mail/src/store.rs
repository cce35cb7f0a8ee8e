//! The outbox: mail added in the transaction of the change it tells of, then marked sent or
//! failed by the sender. Delivery attempts are operational state, logged rather than audited;
//! the change that wrote the mail is in the audit trail.

use sqlx::AssertSqlSafe;
use tandem_kernel::{Result, entity_id};
use tandem_storage::{Db, Engine, SqlTime, Tx, run};
use time::{Duration, OffsetDateTime};

use crate::message::{Mail, retry_after};

entity_id!(
    /// Identifies a mail of the outbox.
    MailId
);

/// A mail of the outbox as the sender and the outbox page read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Outgoing {
    pub id: MailId,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub reason: String,
    pub created_at: OffsetDateTime,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub sent_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub last_error: String,
}

impl Outgoing {
    /// `sent`, `waiting` (for its first or next attempt) or `given up`.
    pub fn status(&self) -> &'static str {
        match (self.sent_at, self.next_attempt_at) {
            (Some(_), _) => "sent",
            (None, Some(_)) => "waiting",
            (None, None) => "given up",
        }
    }
}

const COLUMNS: &str = "id, recipient, subject, body, link, reason, created_at, next_attempt_at, sent_at, attempts, last_error";

/// Adds `mail` to the outbox in `tx`, due at once; `reason` says what it is about.
pub async fn enqueue(
    tx: &mut Tx,
    mail: &Mail,
    reason: &str,
    now: OffsetDateTime,
) -> Result<MailId> {
    let id = MailId::generate();
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO mail_outbox (id, recipient, subject, body, link, reason, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id)
        .bind(mail.to.as_str())
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(&mail.link)
        .bind(reason)
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// How long a sender's claim on the mail it is sending lasts: longer than sending a round
/// takes ([`CLAIM_SIZE`] mails at the SMTP timeout of 30 s each), so that only a sender that
/// stopped loses its claim.
pub const CLAIM_FOR: Duration = Duration::minutes(15);

/// How many mails one sender claims at a time.
pub const CLAIM_SIZE: u32 = 25;

/// Claims up to `limit` mails due for an attempt at `now`, oldest first, for the sender that
/// asks: each is claimed until `now` + [`CLAIM_FOR`], and no other sender gets it meanwhile.
/// On PostgreSQL, rows another sender is claiming at the same moment are skipped, not waited
/// for; SQLite serialises writers anyway.
pub async fn claim_due(db: &Db, now: OffsetDateTime, limit: u32) -> Result<Vec<Outgoing>> {
    let lock = match db.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE mail_outbox SET claimed_until = $2 WHERE id IN (SELECT id FROM mail_outbox \
         WHERE next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) \
         ORDER BY next_attempt_at, id LIMIT {limit}{lock}) RETURNING {COLUMNS}"
    );
    let mut tx = db.begin().await?;
    let mut claimed = run!(&mut tx, |c| {
        sqlx::query_as::<_, Outgoing>(AssertSqlSafe(sql.as_str()))
            .bind(SqlTime(now))
            .bind(SqlTime(now + CLAIM_FOR))
            .fetch_all(c)
            .await
    })?;
    // Not audited: a sender's claim on mail is operational state.
    tx.commit().await?;
    claimed.sort_by_key(|mail| (mail.next_attempt_at, mail.id));
    Ok(claimed)
}

/// The latest mail, newest first, for the outbox page.
pub async fn recent(db: &Db, limit: u32) -> Result<Vec<Outgoing>> {
    let mut conn = db.conn().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT {limit}"
    );
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, Outgoing>(AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?)
}

/// Records that `id` was handed to the SMTP server.
pub async fn sent(db: &Db, id: MailId, now: OffsetDateTime) -> Result<()> {
    let mut tx = db.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, next_attempt_at = NULL, attempts = attempts + 1, last_error = '', claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    // Not audited: delivery attempts are logged instead.
    tx.commit().await
}

/// Records a failed attempt at `id` (its `attempts` before this one) and when to try again,
/// or gives the mail up after the last attempt.
pub async fn failed(
    db: &Db,
    id: MailId,
    attempts_before: i32,
    now: OffsetDateTime,
    error: &str,
) -> Result<()> {
    let attempts = u32::try_from(attempts_before).unwrap_or_default() + 1;
    let next = retry_after(attempts).map(|wait| SqlTime(now + wait));
    let mut tx = db.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(i32::try_from(attempts).unwrap_or(i32::MAX))
        .bind(next)
        .bind(error)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    // Not audited: delivery attempts are logged instead.
    tx.commit().await
}
