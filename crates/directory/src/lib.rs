//! The directory: who is who. Organisations (the provider running Tandem, its customers and
//! its suppliers), the people working for them, and the teams people form (first, second and
//! third level support, the Change Advisory Board, partners).
//!
//! Owns the tables `organisations`, `people`, `teams` and `team_members`. Domain rules live in
//! [`organisation`], [`person`] and [`team`] and do no I/O; [`store`] reads and writes the tables;
//! [`api`] and [`pages`] are the HTTP edges. Other capabilities refer to these records by id and
//! may read them through [`store`], but never write these tables.

pub mod api;
pub mod organisation;
pub mod pages;

pub mod person;
pub mod read;
pub mod store;
pub mod team;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

pub use organisation::{Organisation, OrganisationDraft, OrganisationId, OrganisationKind};
pub use person::{Person, PersonDraft, PersonId};
pub use team::{Team, TeamDraft, TeamId, TeamLevel};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The directory's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "directory",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The directory capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "directory",
    builds_on: &["audit"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
};
