//! Identity: who people are when they use Tandem, and what they may do.
//!
//! Owns the tables `accounts`, `sessions`, `sign_in_failures` (for throttling),
//! `role_assignments`, `api_tokens`, `totp_secrets` and `recovery_codes`. [`password`] holds the
//! password policy and hashing; [`store`] accounts, sessions and sign-in; [`throttle`] when
//! failed sign-ins refuse further tries, and the mail that warns the account's owner (queued in
//! `tandem_mail`'s outbox); [`roles`] the roles people hold; [`read`] who of the provider's
//! staff may take a duty, for the capabilities above; [`tokens`] API tokens; [`mfa`] and
//! [`totp`] the second factor; [`pages`] the sign-in, account and access-administration pages.
//! A session or token becomes the request's [`tandem_kernel::Access`] through
//! [`IdentityCredentials`], which the binary hands to the web layer. What each role may do is
//! not here: it is the kernel's table [`tandem_kernel::access::GRANTS`].

pub mod mfa;
pub mod pages;
pub mod password;
pub mod read;
pub mod roles;
pub mod secret;
pub mod store;
pub mod throttle;
pub mod tokens;
pub mod totp;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

pub use store::IdentityCredentials;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The identity schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "identity",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The identity capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "identity",
    builds_on: &["audit", "directory", "mail"],
    migrations: MIGRATIONS,
    api: None,
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::Administration,
        section: "admin",
        label: "Access",
        href: "/admin/accounts",
        needs: tandem_kernel::Permission::AccessManage,
    }],
    api_tag: None,
    jobs: None,
    permissions: &[],
};
