//! The asset inventory (CMDB): configuration items (CIs) of typed classes, with owner,
//! custodian, location, life cycle, operational state and classification; typed relations
//! between them; the impact analysis that tells which services and customers a failure
//! reaches, honouring redundancy; and a version of every CI for every change to it.
//!
//! Pure: [`ci`] (the vocabulary of a CI), [`relation`] (relation kinds and which way a failure
//! travels), [`class`] (attribute sets and the check of a CI's values), [`version`] (snapshots,
//! differences and causes), [`impact`] (the analysis over an in-memory graph), [`baseline`],
//! [`reconcile`] and [`csv_io`] (the evidence: drift, inventories, CI files). [`store`]
//! reads and writes the tables; [`api`] and [`pages`] are the HTTP edge.
//!
//! Owns the tables `ci_classes`, `ci_numbers`, `cis`, `ci_versions`, `ci_relations`,
//! `cmdb_generation`, `cmdb_instance`, `baselines`, `baseline_items`, `reconciliations` and
//! `reconciliation_items`. It reads the directory, the service catalogue and tickets through
//! their views and read modules, and writes nothing of theirs; [`read`] is what others read of it.

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The CMDB's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "cmdb",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The cmdb capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "cmdb",
    builds_on: &["audit", "directory", "service-levels"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::Operations,
        section: "cmdb",
        label: "CMDB",
        href: "/cis",
        needs: tandem_kernel::Permission::CmdbRead,
    }],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "cmdb",
        description: "The asset inventory: CI classes, CIs with classification, relations, versions and impact analysis",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::CmdbRead,
        tandem_kernel::Permission::CmdbWrite,
        tandem_kernel::Permission::CmdbClasses,
    ],
};

pub mod api;
pub mod baseline;
pub mod ci;
pub mod class;
pub mod csv_io;
pub mod impact;
pub mod pages;
pub mod read;
pub mod reconcile;
pub mod relation;
pub mod store;
pub mod version;
