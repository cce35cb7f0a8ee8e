//! Backup and restore of an SQLite database. A backup is taken with `VACUUM INTO`, which reads
//! one consistent snapshot while the server keeps running. PostgreSQL installations use
//! `pg_dump` and `pg_restore`, which do this better than we could.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "`{0}` already exists; choose a new file name so that no earlier backup is overwritten"
    )]
    TargetExists(PathBuf),
    #[error("`{0}` does not exist")]
    SourceMissing(PathBuf),
    #[error("`{path}` is not a usable Tandem backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes a consistent copy of the SQLite database at `database` to the new file `target`.
pub async fn backup_sqlite(database: &Path, target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_owned()));
    }
    if !database.exists() {
        return Err(BackupError::SourceMissing(database.to_owned()));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(database)
        .read_only(true)
        .connect()
        .await?;
    sqlx::query("VACUUM INTO ?")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// Replaces the SQLite database at `database` with the backup `source`, after checking that the
/// backup is intact and holds a Tandem schema. The server must be stopped; the caller ensures it.
pub async fn restore_sqlite(source: &Path, database: &Path) -> Result<(), BackupError> {
    if !source.exists() {
        return Err(BackupError::SourceMissing(source.to_owned()));
    }
    verify_backup(source).await?;
    let staging = database.with_extension("restoring");
    std::fs::copy(source, &staging)?;
    std::fs::File::open(&staging)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", database.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&staging, database)?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

async fn verify_backup(source: &Path) -> Result<(), BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup {
        path: source.to_owned(),
        reason,
    };
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(source)
        .read_only(true);
    let mut conn = options
        .connect()
        .await
        .map_err(|e| not_a_backup(format!("cannot be opened as SQLite ({e})")))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_a_backup(format!("is not an SQLite database ({e})")))?;
    if integrity != "ok" {
        return Err(not_a_backup(format!(
            "the integrity check failed: {integrity}"
        )));
    }
    let migrations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut conn)
    .await?;
    if migrations == 0 {
        return Err(not_a_backup("it holds no Tandem schema".into()));
    }
    conn.close().await?;
    Ok(())
}
