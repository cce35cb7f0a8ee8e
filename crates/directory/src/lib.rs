//! The directory: who is who. Organisations (the provider running Tandem, its customers and
//! its suppliers), the people working for them, and the teams people form (first, second and
//! third level support, the Change Advisory Board, partners).
//!
//! Owns the tables `organisations`, `people`, `teams` and `team_members`. Domain rules live in
//! [`organisation`], [`person`] and [`team`] and do no I/O; [`store`] reads and writes the tables;
//! [`api`] and [`pages`] are the HTTP edges. Other capabilities refer to these records by id and
//! read them through [`store`], [`read`] and the `*_refs` views, but never name these tables.

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
    navigation: &[
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Directory,
            section: "organisations",
            label: "Organisations",
            href: "/organisations",
            needs: tandem_kernel::Permission::DirectoryRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Directory,
            section: "people",
            label: "People",
            href: "/people",
            needs: tandem_kernel::Permission::DirectoryRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Directory,
            section: "teams",
            label: "Teams",
            href: "/teams",
            needs: tandem_kernel::Permission::DirectoryRead,
        },
    ],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "directory",
        description: "Organisations, people and teams",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::DirectoryRead,
        tandem_kernel::Permission::DirectoryWrite,
    ],
};
