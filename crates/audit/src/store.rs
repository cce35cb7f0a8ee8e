//! Writing and reading the audit trail.

use sqlx::AssertSqlSafe;
use tandem_kernel::{Actor, Result};
use tandem_storage::{Arg, Db, Engine, Tx, bind_args, run};
use time::OffsetDateTime;

use crate::entry::{Action, Broken, ChainCheck, Changes, Entry};

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

/// Appends an entry to the trail inside the caller's transaction, so that the entry exists
/// exactly when the change does. Returns the entry's sequence number.
pub async fn record(tx: &mut Tx, record: Record<'_>) -> Result<i64> {
    // Lock the head: concurrent writers queue here and the entries form one chain. SQLite's
    // write transactions are already serial (they begin IMMEDIATE); PostgreSQL needs the row lock.
    let head_sql = match tx.engine() {
        Engine::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
        Engine::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let (last_seq, last_hash): (i64, String) =
        run!(tx, |c| sqlx::query_as(head_sql).fetch_one(c).await)?;
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
/// error is a database failure; the inner one names the first broken entry.
pub async fn verify(db: &Db) -> Result<std::result::Result<u64, Broken>> {
    // The head first: entries appended while the check runs lie beyond it and are left for the
    // next check, so a running server does not make the trail look truncated. Every entry up
    // to the head was committed with or before it.
    let mut conn = db.conn().await?;
    let (head_seq, head_hash): (i64, String) = run!(&mut conn, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(c)
            .await
    })?;
    drop(conn);
    let mut check = ChainCheck::default();
    let mut after = 0_i64;
    loop {
        let batch: Vec<Entry> = db
            .fetch_all(
                &format!(
                    "SELECT {COLUMNS} FROM audit_entries WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
                ),
                &[Arg::Int(after), Arg::Int(head_seq)],
            )
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for entry in &batch {
            if let Err(broken) = check.next(entry) {
                return Ok(Err(broken));
            }
        }
    }
    Ok(check.finish(head_seq, &head_hash))
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
