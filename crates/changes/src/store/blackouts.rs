//! The `blackouts` and `blackout_cis` tables: periods in which productive changes must not run,
//! for every CI or the listed ones.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, FieldError, Result, entity_id};
use tandem_storage::{Db, Handle, SqlTime, run};
use time::OffsetDateTime;

use crate::change::BlackoutInput;
use tandem_kernel::clock::when;

entity_id!(
    /// A blackout period's id.
    BlackoutId
);

/// A blackout period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub id: BlackoutId,
    pub name: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    /// The CIs it covers as `CI-000012 mgmt-de-01`; empty for all.
    pub cis: Vec<String>,
    pub allow_emergency: bool,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

type Row = (
    BlackoutId,
    String,
    OffsetDateTime,
    OffsetDateTime,
    bool,
    String,
    OffsetDateTime,
);

async fn cis_of(handle: &mut impl Handle, id: BlackoutId) -> Result<Vec<String>> {
    let rows: Vec<(i64, String)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT ci.number, ci.name FROM blackout_cis b JOIN ci_refs ci ON ci.id = b.ci_id \
             WHERE b.blackout_id = $1 ORDER BY ci.name",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(n, name)| format!("{} {name}", tandem_cmdb::ci::number_text(n)))
        .collect())
}

/// The blackout periods that end after `from` and start before `to`, earliest first.
pub async fn between(db: &Db, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<Blackout>> {
    let mut conn = db.conn().await?;
    let rows: Vec<Row> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT id, name, starts_at, ends_at, allow_emergency, reason, created_at FROM blackouts \
             WHERE ends_at > $1 AND starts_at < $2 ORDER BY starts_at, name",
        )
        .bind(SqlTime(from))
        .bind(SqlTime(to))
        .fetch_all(c)
        .await
    })?;
    let mut out = Vec::new();
    for (id, name, starts_at, ends_at, allow_emergency, reason, created_at) in rows {
        out.push(Blackout {
            cis: cis_of(&mut conn, id).await?,
            id,
            name,
            starts_at,
            ends_at,
            allow_emergency,
            reason,
            created_at,
        });
    }
    Ok(out)
}

/// Adds a blackout period.
pub async fn create(write: &Write, input: &BlackoutInput) -> Result<BlackoutId> {
    let id = BlackoutId::generate();
    let mut tx = write.begin().await?;
    for (i, ci) in input.ci_ids.iter().enumerate() {
        if tandem_cmdb::read::ci(&mut tx, *ci).await?.is_none() {
            return Err(Error::Invalid(vec![FieldError::new(
                format!("ci_ids[{i}]"),
                "there is no such CI",
            )]));
        }
    }
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO blackouts (id, name, starts_at, ends_at, all_cis, allow_emergency, reason, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(SqlTime(input.starts_at))
        .bind(SqlTime(input.ends_at))
        .bind(input.ci_ids.is_empty())
        .bind(input.allow_emergency)
        .bind(input.reason.as_str())
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for ci in &input.ci_ids {
        run!(&mut tx, |c| {
            sqlx::query("INSERT INTO blackout_cis (blackout_id, ci_id) VALUES ($1, $2)")
                .bind(id)
                .bind(ci)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    let cis = cis_of(&mut tx, id).await?;
    write
        .commit(
            tx,
            Edit::created(
                "blackout period",
                id,
                &[
                    ("name", input.name.as_str().to_owned()),
                    ("from", when(input.starts_at)),
                    ("to", when(input.ends_at)),
                    (
                        "CIs",
                        if cis.is_empty() {
                            "all".into()
                        } else {
                            cis.join("; ")
                        },
                    ),
                    ("allow emergency", input.allow_emergency.to_string()),
                    ("reason", input.reason.as_str().to_owned()),
                ],
            ),
        )
        .await?;
    Ok(id)
}

/// Removes a blackout period.
pub async fn delete(write: &Write, id: BlackoutId) -> Result<()> {
    let mut tx = write.begin().await?;
    let name: Option<String> = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT name FROM blackouts WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let name = name.ok_or(Error::NotFound {
        entity: "blackout period",
    })?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM blackouts WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit(tx, Edit::deleted("blackout period", id, &[("name", name)]))
        .await
}
