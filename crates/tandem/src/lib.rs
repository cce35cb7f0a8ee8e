//! The `tandem` binary's library half: configuration, assembling the capabilities into one
//! application, the demo world and the command-line operations. `main.rs` only parses the
//! command line and calls in here, so that tests drive exactly what the binary runs.

pub mod accounts;
pub mod app;
pub mod config;
pub mod demo;
pub mod home;
pub mod ops;
pub mod tls;
pub mod trail;

/// Every capability's migrations, in the order they build on each other.
pub const MIGRATIONS: &[tandem_storage::MigrationSet] = &[
    tandem_directory::MIGRATIONS,
    tandem_frameworks::MIGRATIONS,
    tandem_audit::MIGRATIONS,
    tandem_identity::MIGRATIONS,
    tandem_service_levels::MIGRATIONS,
    tandem_service_desk::MIGRATIONS,
    tandem_mail::MIGRATIONS,
    tandem_cmdb::MIGRATIONS,
    tandem_changes::MIGRATIONS,
];
