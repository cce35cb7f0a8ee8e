//! The audit trail: every create, update and delete of every record, with who did it, when,
//! from where and what changed, written in the same transaction as the change itself.
//!
//! The trail is append-only (the database refuses updates and deletes of entries) and
//! hash-chained: each entry's hash covers its content and the previous entry's hash, so that an
//! entry edited or removed behind Tandem's back is found by [`store::verify`]
//! (`tandem audit verify`). [`entry`] holds the pure parts (changes, hashing, chain checking);
//! [`store`] the table access; [`pages`] the administrators' view; [`guard`] finds and restores
//! missing append-only triggers; [`checkpoint`] signs statements of the head that operators
//! keep elsewhere, so that a trail cut short and rechained is still found.
//!
//! Capabilities end their writes through [`Write`] ([`Write::commit`], or
//! [`Write::commit_update`] for a versioned record), which records the [`Edit`] inside the
//! write's transaction and then commits; nothing else writes the table.

pub mod checkpoint;
pub mod entry;
pub mod guard;
pub mod pages;
pub mod store;
pub mod write;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

pub use entry::{Action, Changes};
pub use store::record;
pub use write::{Edit, Write};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The audit trail's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "audit",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The audit capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "audit",
    builds_on: &[],
    migrations: MIGRATIONS,
    api: None,
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::Compliance,
        section: "audit",
        label: "Audit",
        href: "/audit",
        needs: tandem_kernel::Permission::AuditRead,
    }],
    api_tag: None,
    jobs: None,
    permissions: &[tandem_kernel::Permission::AuditRead],
};
