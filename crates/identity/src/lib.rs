//! Identity: local accounts for people of the directory, sign-in and sessions.
//!
//! Owns the tables `accounts`, `sessions` and `sign_in_failures` (for throttling).
//! [`password`] holds the password policy and hashing; [`store`] the accounts, sessions and
//! throttling; [`pages`] the account, sign-in and sign-out pages. The session behind a request
//! becomes the request's [`tandem_kernel::Actor`] through [`SessionActors`], which the binary
//! hands to the web layer.
//!
//! Not yet here (see issue 3): roles and permissions, tenant scoping, MFA, API tokens, CSRF
//! tokens.

pub mod pages;
pub mod password;
pub mod store;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

pub use store::SessionActors;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The identity schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "identity",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
