//! Forward-only schema migrations. Each capability ships its own SQL files, one folder per
//! engine, embedded in the binary; they are merged into one ordered list per engine and applied
//! at start and by `tandem migrate`. A migration that has landed is never edited: add a new one.

use std::collections::BTreeMap;

use sqlx::migrate::Migrator;

use crate::{Db, Engine};

/// The migrations one capability brings, for both engines.
#[derive(Debug, Clone, Copy)]
pub struct MigrationSet {
    pub capability: &'static str,
    pub sqlite: &'static Migrator,
    pub postgres: &'static Migrator,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "migration version {version} is used by both `{first}` and `{second}`; give one of them a new version"
    )]
    DuplicateVersion {
        version: i64,
        first: &'static str,
        second: &'static str,
    },
    #[error(
        "capability `{capability}` has SQLite migrations {sqlite:?} but PostgreSQL migrations {postgres:?}; every migration must exist for both engines"
    )]
    EngineMismatch {
        capability: &'static str,
        sqlite: Vec<i64>,
        postgres: Vec<i64>,
    },
    #[error("applying migrations failed: {0}")]
    Apply(#[from] sqlx::migrate::MigrateError),
}

/// Checks that every capability has the same migration versions on both engines and that no
/// two capabilities share a version.
pub fn check(sets: &[MigrationSet]) -> Result<(), MigrationError> {
    let mut owners: BTreeMap<i64, &'static str> = BTreeMap::new();
    for set in sets {
        let sqlite: Vec<i64> = set.sqlite.iter().map(|m| m.version).collect();
        let postgres: Vec<i64> = set.postgres.iter().map(|m| m.version).collect();
        if sqlite != postgres {
            return Err(MigrationError::EngineMismatch {
                capability: set.capability,
                sqlite,
                postgres,
            });
        }
        for version in sqlite {
            if let Some(first) = owners.insert(version, set.capability) {
                return Err(MigrationError::DuplicateVersion {
                    version,
                    first,
                    second: set.capability,
                });
            }
        }
    }
    Ok(())
}

fn merged(sets: &[MigrationSet], engine: Engine) -> Migrator {
    let migrations = sets
        .iter()
        .flat_map(|set| match engine {
            Engine::Sqlite => set.sqlite.iter(),
            Engine::Postgres => set.postgres.iter(),
        })
        .cloned()
        .collect();
    Migrator::with_migrations(migrations)
}

impl Db {
    /// Applies every migration of `sets` not yet applied, in version order.
    pub async fn migrate(&self, sets: &[MigrationSet]) -> Result<(), MigrationError> {
        check(sets)?;
        let migrator = merged(sets, self.engine());
        match self.pool() {
            crate::Pool::Sqlite(pool) => migrator.run(pool).await?,
            crate::Pool::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }
}
