//! The storage layer: one handle, [`Db`], over either an embedded SQLite file or a PostgreSQL
//! server, chosen by the database URL.
//!
//! Capabilities write each query once, in the SQL both engines understand, and run it through
//! [`run!`], which type-checks the same code against both drivers. Engine-specific SQL is the
//! exception and sits side by side in a `match` on [`Engine`]. Every write happens inside a
//! [`Tx`]; on SQLite a write transaction takes the write lock up front (`BEGIN IMMEDIATE`) so that
//! two writers queue instead of failing.
//!
//! This crate owns no tables of its own and knows nothing of HTTP or of any capability.

mod backup;
mod error;
mod instant;
mod kept;
mod list;
mod migrate;
mod rows;
mod url;

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use tandem_kernel::Result;

pub use backup::{BackupError, backup_sqlite, restore_sqlite};
pub use error::{ResultExt, Unique};
pub use instant::SqlTime;
pub use kept::Kept;
pub use list::{Arg, ListQuery, like_pattern};
pub use migrate::{MigrationError, MigrationSet};
pub use rows::{Row, save_current};
pub use url::DatabaseUrl;

/// Which SQL engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Connection-pool settings.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long SQLite waits for the write lock before giving up.
    pub busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            busy_timeout: Duration::from_secs(10),
        }
    }
}

/// The one database of a Tandem installation: a pool of connections to it, and what
/// capabilities keep beside it for the life of the application ([`Kept`]). Clones share both.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    kept: Kept,
}

/// The connections of one engine.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens the database behind `url`, creating an SQLite file (and its folder) if missing.
    ///
    /// SQLite runs in WAL mode with foreign keys enforced and `synchronous = FULL`, so that a
    /// committed transaction survives a power cut.
    pub async fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Self> {
        match url.engine() {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url.expose())?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(settings.busy_timeout);
                if let Some(dir) = options.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| tandem_kernel::Error::Storage(Box::new(e)))?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::new(Pool::Sqlite(pool)))
            }
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(url.expose())?;
                let pool = PgPoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::new(Pool::Postgres(pool)))
            }
        }
    }

    fn new(pool: Pool) -> Self {
        Self {
            pool,
            kept: Kept::default(),
        }
    }

    /// The connections, for code that needs the engine's own pool (tests, tools).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// What capabilities keep beside this database.
    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    pub fn engine(&self) -> Engine {
        match &self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// A connection for reads outside a transaction.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// Starts a write transaction. Dropping it without [`Tx::commit`] rolls it back.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Connections open and idle, for the metrics endpoint.
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = match &self.pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        PoolStats {
            open: size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Answers whether the database accepts a trivial query.
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        run!(&mut conn, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Waits for running queries and closes every connection.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Pool occupancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
}

/// A pooled connection, returned to the pool when dropped.
#[derive(Debug)]
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A write transaction.
#[derive(Debug)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }
}

/// A borrowed connection of either engine; what [`run!`] matches on.
pub enum Exec<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Anything a query can run on: a pooled connection or a transaction.
pub trait Handle {
    fn exec(&mut self) -> Exec<'_>;
}

impl Handle for Conn {
    fn exec(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(c) => Exec::Sqlite(c),
            Self::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Handle for Tx {
    fn exec(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(tx) => Exec::Sqlite(tx),
            Self::Postgres(tx) => Exec::Postgres(tx),
        }
    }
}

/// Runs the same query code on whichever engine `handle` belongs to.
///
/// The body is compiled once per engine with `c` bound to that engine's connection, so one
/// piece of SQL and one row type serve both; it must evaluate to a `Result<_, sqlx::Error>`.
///
/// ```text
/// let n: i64 = run!(&mut tx, |c| sqlx::query_scalar("SELECT count(*) FROM people").fetch_one(c).await)?;
/// ```
#[macro_export]
macro_rules! run {
    ($handle:expr, |$c:ident| $body:expr) => {
        match $crate::Handle::exec($handle) {
            $crate::Exec::Sqlite($c) => $body,
            $crate::Exec::Postgres($c) => $body,
        }
    };
}
