//! Writing and reading the audit trail.

use sqlx::AssertSqlSafe;
use tandem_kernel::{Actor, Error, Result};
use tandem_storage::{Arg, Db, Engine, Handle, Tx, bind_args, run};
use time::OffsetDateTime;

use crate::entry::{Action, Broken, ChainCheck, Changes, Entry, HeadFault};

/// One change to record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub actor: &'a Actor,
    pub at: OffsetDateTime,
    pub action: Action,
    /// What kind of record changed, in the users' words: `person`, `team`, `gap assessment`.
    pub entity: &'static str,
    pub entity_id: String,
    pub changes: Changes,
}

/// A change refused because its audit entry cannot be written: the trail's head is missing or
/// unreadable. It travels as the cause of [`Error::Storage`], so the caller gets a 500 that
/// says nothing more, and the server's log names the problem.
#[derive(Debug, thiserror::Error)]
#[error("{0}; no change can be recorded until it is repaired: run `tandem audit verify`")]
pub struct Unrecordable(pub HeadFault);

impl From<Unrecordable> for Error {
    fn from(error: Unrecordable) -> Self {
        Self::Storage(Box::new(error))
    }
}

/// The [`Unrecordable`] that `error` carries, if it is one.
pub fn unrecordable(error: &Error) -> Option<&Unrecordable> {
    match error {
        Error::Storage(cause) => cause.downcast_ref::<Unrecordable>(),
        _ => None,
    }
}

const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The message of a driver error that says a stored value cannot be decoded (on SQLite a column
/// can hold a value of any kind), as opposed to a database that failed.
fn undecodable(error: &sqlx::Error) -> Option<String> {
    matches!(
        error,
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_)
    )
    .then(|| error.to_string())
}

/// The newest entry's sequence number and hash, read from the head row with `sql`. The outer
/// error is a database failure; the inner one says why the head cannot be used.
async fn read_head(
    handle: &mut impl Handle,
    sql: &'static str,
) -> Result<std::result::Result<(i64, String), HeadFault>> {
    let row: std::result::Result<Option<(i64, String)>, sqlx::Error> =
        run!(handle, |c| sqlx::query_as(sql).fetch_optional(c).await);
    match row {
        Ok(Some(head)) => Ok(Ok(head)),
        Ok(None) => Ok(Err(HeadFault::Missing)),
        Err(error) => match undecodable(&error) {
            Some(reason) => Ok(Err(HeadFault::Unreadable(reason))),
            None => Err(error.into()),
        },
    }
}

/// The newest entry's sequence number and hash as the head row holds them (`0` and
/// [`GENESIS`](crate::entry::GENESIS) before the first entry). The outer error is a database
/// failure; the inner one says why the head cannot be used.
pub async fn head(db: &Db) -> Result<std::result::Result<(i64, String), HeadFault>> {
    let mut conn = db.conn().await?;
    read_head(&mut conn, HEAD).await
}

/// The hash of entry `seq`, if the trail holds it.
pub async fn hash_of(db: &Db, seq: i64) -> Result<Option<String>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT hash FROM audit_entries WHERE seq = $1")
            .bind(seq)
            .fetch_optional(c)
            .await
    })?)
}

/// Appends an entry to the trail inside the caller's transaction, so that the entry exists
/// exactly when the change does. Returns the entry's sequence number. Without a usable head
/// the change is refused ([`Unrecordable`]); nothing rebuilds the head behind the operator's
/// back.
pub async fn record(tx: &mut Tx, record: Record<'_>) -> Result<i64> {
    // Lock the head: concurrent writers queue here and the entries form one chain. SQLite's
    // write transactions are already serial (they begin IMMEDIATE); PostgreSQL needs the row lock.
    let head_sql = match tx.engine() {
        Engine::Sqlite => HEAD,
        Engine::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let (last_seq, last_hash) = read_head(&mut *tx, head_sql).await?.map_err(Unrecordable)?;
    let mut entry = Entry {
        seq: last_seq + 1,
        at: record.at,
        actor_kind: record.actor.kind.as_str().to_owned(),
        actor_id: record.actor.id,
        actor_label: record.actor.label.clone(),
        address: record.actor.address.clone(),
        action: record.action.as_str().to_owned(),
        entity: record.entity.to_owned(),
        entity_id: record.entity_id,
        changes: record.changes.to_json(),
        prev_hash: last_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO audit_entries (seq, at, actor_kind, actor_id, actor_label, address, action, entity, entity_id, \
             changes, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(entry.seq)
        .bind(tandem_storage::SqlTime(entry.at))
        .bind(&entry.actor_kind)
        .bind(entry.actor_id)
        .bind(&entry.actor_label)
        .bind(&entry.address)
        .bind(&entry.action)
        .bind(&entry.entity)
        .bind(&entry.entity_id)
        .bind(&entry.changes)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    run!(tx, |c| {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(entry.seq)
            .bind(&entry.hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(entry.seq)
}

const COLUMNS: &str = "seq, at, actor_kind, actor_id, actor_label, address, action, entity, entity_id, changes, prev_hash, hash";

/// Checks the whole chain, oldest entry first, reading a thousand entries at a time. The outer
/// error is a database failure; the inner one names the first problem: a broken entry, an
/// entry that cannot be read, or else a head that is missing or unreadable.
pub async fn verify(db: &Db) -> Result<std::result::Result<u64, Broken>> {
    // The head first: entries appended while the check runs lie beyond it and are left for the
    // next check, so a running server does not make the trail look truncated. Every entry up
    // to the head was committed with or before it. Without a usable head nothing can be
    // appended, so every entry there is gets checked.
    let mut conn = db.conn().await?;
    let head = read_head(&mut conn, HEAD).await?;
    let last = head.as_ref().map_or(i64::MAX, |(seq, _)| *seq);
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
    );
    let mut check = ChainCheck::default();
    let mut after = 0_i64;
    let mut batch_size = 1000_i64;
    loop {
        let read: std::result::Result<Vec<Entry>, sqlx::Error> = run!(&mut conn, |c| {
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(after)
                .bind(last)
                .bind(batch_size)
                .fetch_all(c)
                .await
        });
        let batch = match read {
            Ok(batch) => batch,
            Err(error) => {
                let Some(reason) = undecodable(&error) else {
                    return Err(error.into());
                };
                // An entry of the batch cannot be read: go on one entry at a time to name it.
                if batch_size > 1 {
                    batch_size = 1;
                    continue;
                }
                let seq: i64 = run!(&mut conn, |c| {
                    sqlx::query_scalar(
                        "SELECT seq FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT 1",
                    )
                    .bind(after)
                    .fetch_one(c)
                    .await
                })?;
                return Ok(Err(Broken::Unreadable { seq, reason }));
            }
        };
        let Some(last_read) = batch.last() else { break };
        after = last_read.seq;
        for entry in &batch {
            if let Err(broken) = check.next(entry) {
                return Ok(Err(broken));
            }
        }
    }
    Ok(match head {
        Ok((head_seq, head_hash)) => check.finish(head_seq, &head_hash),
        Err(fault) => Err(Broken::Head(fault)),
    })
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `person`, `team`, …
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Part of the actor's label (an e-mail address, a token name).
    pub actor: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

fn conditions(filter: &Filter) -> (String, Vec<Arg>) {
    let mut parts = Vec::new();
    let mut args = Vec::new();
    let mut add = |sql: &str, arg: Arg| {
        args.push(arg);
        parts.push(sql.replace('?', &format!("${}", args.len())));
    };
    if let Some(entity) = &filter.entity {
        add("entity = ?", Arg::Text(entity.clone()));
    }
    if let Some(id) = &filter.entity_id {
        add("entity_id = ?", Arg::Text(id.clone()));
    }
    if let Some(actor) = &filter.actor {
        let escaped = actor
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        add(
            "lower(actor_label) LIKE ? ESCAPE '\\'",
            Arg::Text(format!("%{escaped}%")),
        );
    }
    if let Some(from) = filter.from {
        add("at >= ?", Arg::Time(from));
    }
    if let Some(until) = filter.until {
        add("at < ?", Arg::Time(until));
    }
    (parts.join(" AND "), args)
}

/// A page of entries, newest first, and where the next page starts.
pub async fn list(
    db: &Db,
    filter: &Filter,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<Entry>, Option<i64>)> {
    let (mut condition, mut args) = conditions(filter);
    if let Some(before) = before {
        args.push(Arg::Int(before));
        let part = format!("seq < ${}", args.len());
        condition = if condition.is_empty() {
            part
        } else {
            format!("{condition} AND {part}")
        };
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries{} ORDER BY seq DESC LIMIT {}",
        if condition.is_empty() {
            String::new()
        } else {
            format!(" WHERE {condition}")
        },
        limit + 1
    );
    let mut entries: Vec<Entry> = db.fetch_all(&sql, &args).await?;
    let next = if entries.len() > limit as usize {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok((entries, next))
}

/// Every entry matching `filter`, oldest first, at most `cap` of them: for the CSV export.
pub async fn all(db: &Db, filter: &Filter, cap: u32) -> Result<Vec<Entry>> {
    let (condition, args) = conditions(filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries{} ORDER BY seq LIMIT {cap}",
        if condition.is_empty() {
            String::new()
        } else {
            format!(" WHERE {condition}")
        },
    );
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        bind_args!(
            sqlx::query_as::<_, Entry>(AssertSqlSafe(sql.as_str())),
            &args
        )
        .fetch_all(c)
        .await
    })?)
}
