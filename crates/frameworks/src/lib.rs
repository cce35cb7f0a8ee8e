//! Frameworks and mappings: standards, books and models as data, typed mappings between their
//! nodes with provenance, and coverage and gap analysis in both directions.
//!
//! Owns the shipped catalogues in `data/` (compiled into the binary) and the tables of gap
//! assessments. [`model`] is the vocabulary, [`catalogue`] loads, checks and indexes data,
//! [`analysis`] computes coverage, [`assessment`] checks what users declare; these do no I/O.
//! [`shipped`] reads the embedded files, [`store`] the tables. Other capabilities may read the
//! catalogue and run analyses, never write these tables.

pub mod analysis;
pub mod api;
pub mod assessment;
pub mod catalogue;
pub mod custom;
pub mod export;
pub mod model;
pub mod oscal;
pub mod pages;
pub mod scenarios;
pub mod shipped;
pub mod store;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The schema of gap assessments, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "frameworks",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The frameworks capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "frameworks",
    builds_on: &["audit"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::Compliance,
        section: "frameworks",
        label: "Frameworks",
        href: "/frameworks",
        needs: tandem_kernel::Permission::FrameworksRead,
    }],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "frameworks",
        description: "Standards and models as data, typed mappings with provenance, gap assessments and the seed-001 scenarios",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::FrameworksRead,
        tandem_kernel::Permission::FrameworksWrite,
        tandem_kernel::Permission::AssessmentsRead,
        tandem_kernel::Permission::AssessmentsWrite,
    ],
};
