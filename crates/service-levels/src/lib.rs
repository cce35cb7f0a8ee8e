//! Service catalogue and service levels: the services a provider offers, the agreements that
//! promise levels of them (SLAs with customers, OLAs with internal teams, underpinning
//! contracts with suppliers), the business-hours calendars those levels are measured in, and
//! the SLA clock.
//!
//! Owns the table `calendars`. [`calendar`] is the working-time arithmetic (pure),
//! [`calendars`] the stored, named calendars, [`store`] their table, [`api`] and [`pages`] the
//! HTTP edge.

pub mod api;
pub mod calendar;
pub mod calendars;
pub mod pages;
pub mod store;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The service-level schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "service levels",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
