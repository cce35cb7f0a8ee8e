//! Two-factor authentication: a TOTP secret per person (enrolled by proving one code), and ten
//! one-time recovery codes for when the phone is lost. Every change is in the audit trail.

use tandem_audit::{Action, Changes, Edit, Write};
use tandem_kernel::text::unhex;
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, SqlTime, Tx, run};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{secret, totp};

/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// A person's second factor, as their account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enrolled: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(db: &Db, person: Uuid) -> Result<Status> {
    let mut conn = db.conn().await?;
    let (enrolled, left): (bool, i64) = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL), \
                    (SELECT count(*) FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL)",
        )
        .bind(person)
        .fetch_one(c)
        .await
    })?;
    Ok(Status {
        enrolled,
        recovery_codes_left: left,
    })
}

/// The secret of an enrolment begun but not confirmed, starting one if there is none. Refused
/// if the person already has a second factor (remove it first).
pub async fn pending_secret(db: &Db, now: OffsetDateTime, person: Uuid) -> Result<Vec<u8>> {
    let mut tx = db.begin().await?;
    let existing: Option<(String, Option<OffsetDateTime>)> = run!(&mut tx, |c| {
        sqlx::query_as("SELECT secret, confirmed_at FROM totp_secrets WHERE person_id = $1")
            .bind(person)
            .fetch_optional(c)
            .await
    })?;
    match existing {
        Some((_, Some(_))) => Err(Error::Conflict {
            message:
                "two-factor authentication is already set up; remove it before setting it up again"
                    .into(),
            field: None,
        }),
        Some((hex, None)) => {
            unhex(&hex).ok_or_else(|| Error::Storage("a stored TOTP secret is not hex".into()))
        }
        None => {
            let fresh = secret::random::<{ totp::SECRET_BYTES }>()?;
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO totp_secrets (person_id, secret, created_at) VALUES ($1, $2, $3)",
                )
                .bind(person)
                .bind(tandem_kernel::text::hex(&fresh))
                .bind(SqlTime(now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            // Not audited: a pending secret is no second factor until `confirm` records it.
            tx.commit().await?;
            Ok(fresh.to_vec())
        }
    }
}

/// Confirms the pending enrolment of the person `write.actor` is with a `code` from their app;
/// returns the new recovery codes (shown once).
pub async fn confirm(write: &Write, code: &str) -> Result<Vec<String>> {
    let person = write
        .actor
        .id
        .ok_or_else(|| Error::invalid("code", "sign in first"))?;
    let mut tx = write.begin().await?;
    let pending: Option<String> = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT secret FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NULL",
        )
        .bind(person)
        .fetch_optional(c)
        .await
    })?;
    let secret = pending
        .and_then(|hex| unhex(&hex))
        .ok_or_else(|| Error::invalid("code", "no enrolment is waiting; start again"))?;
    let step = totp::accepts(
        &secret,
        code,
        totp::step_of(write.now.unix_timestamp()),
        0,
    )
    .ok_or_else(|| {
        Error::invalid(
            "code",
            "is not the current code of this secret; check the time on your phone and type the newest code",
        )
    })?;
    run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE totp_secrets SET confirmed_at = $2, last_step = $3 WHERE person_id = $1",
        )
        .bind(person)
        .bind(SqlTime(write.now))
        .bind(step)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let codes = replace_recovery_codes(&mut tx, person).await?;
    write
        .commit(tx, event(person, Action::Create, "set up"))
        .await?;
    Ok(codes)
}

async fn replace_recovery_codes(tx: &mut Tx, person: Uuid) -> Result<Vec<String>> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM recovery_codes WHERE person_id = $1")
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw = totp::base32(&secret::random::<7>()?).to_lowercase();
        let code = format!("{}-{}", &raw[..5], &raw[5..10]);
        run!(tx, |c| {
            sqlx::query("INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)")
                .bind(person)
                .bind(secret::digest(&normalise(&code)))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        codes.push(code);
    }
    Ok(codes)
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The entry recording `what` happened to the person's second factor.
fn event(person: Uuid, action: Action, what: &str) -> Edit {
    Edit::new(
        action,
        "two-factor authentication",
        person,
        Changes::created(&[("event", what.to_owned())]),
    )
}

/// Sets up a second factor with a given secret, confirmed at once, without recovery codes: for
/// the demo world, whose administrator and CISO sign in with a published secret. Never for
/// real accounts, whose secrets only Tandem and the person's app may know.
pub async fn set_up_with_secret(write: &Write, person: Uuid, secret: &[u8]) -> Result<()> {
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO totp_secrets (person_id, secret, created_at, confirmed_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(person)
        .bind(tandem_kernel::text::hex(secret))
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            event(person, Action::Create, "set up with a given secret"),
        )
        .await
}

/// Removes the person's second factor and recovery codes (the person themselves, or an
/// administrator for someone who lost their phone).
pub async fn remove(write: &Write, person: Uuid) -> Result<()> {
    let mut tx = write.begin().await?;
    let removed = run!(&mut tx, |c| {
        sqlx::query("DELETE FROM totp_secrets WHERE person_id = $1")
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM recovery_codes WHERE person_id = $1")
            .bind(person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if removed == 0 {
        return Err(Error::NotFound {
            entity: "two-factor authentication",
        });
    }
    write
        .commit(tx, event(person, Action::Delete, "removed"))
        .await
}

/// Replaces the person's recovery codes with new ones (the old ones stop working).
pub async fn new_recovery_codes(write: &Write) -> Result<Vec<String>> {
    let person = write.actor.id.ok_or(Error::NotFound {
        entity: "two-factor authentication",
    })?;
    if !status(&write.db, person).await?.enrolled {
        return Err(Error::NotFound {
            entity: "two-factor authentication",
        });
    }
    let mut tx = write.begin().await?;
    let codes = replace_recovery_codes(&mut tx, person).await?;
    write
        .commit(tx, event(person, Action::Update, "new recovery codes"))
        .await?;
    Ok(codes)
}

/// Checks a code typed at sign-in, in the caller's transaction: the current TOTP code (each
/// works once) or an unused recovery code (then used up). Returns what was accepted.
pub(crate) async fn check_code(
    tx: &mut Tx,
    now: OffsetDateTime,
    person: Uuid,
    code: &str,
) -> Result<Option<&'static str>> {
    let stored: Option<(String, i64)> = run!(tx, |c| {
        sqlx::query_as(
            "SELECT secret, last_step FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(person)
        .fetch_optional(c)
        .await
    })?;
    let Some((hex, last_step)) = stored else {
        return Ok(None);
    };
    let secret =
        unhex(&hex).ok_or_else(|| Error::Storage("a stored TOTP secret is not hex".into()))?;
    if let Some(step) = totp::accepts(
        &secret,
        code,
        totp::step_of(now.unix_timestamp()),
        last_step,
    ) {
        run!(tx, |c| {
            sqlx::query("UPDATE totp_secrets SET last_step = $2 WHERE person_id = $1")
                .bind(person)
                .bind(step)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        return Ok(Some("authenticator code"));
    }
    let used = run!(tx, |c| {
        sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(person)
        .bind(secret::digest(&normalise(code)))
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((used == 1).then_some("recovery code"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_compared_without_dashes_or_case() {
        assert_eq!(normalise("AbCdE-fghij"), "abcdefghij");
        assert_eq!(normalise(" abcde fghij "), "abcdefghij");
    }
}
