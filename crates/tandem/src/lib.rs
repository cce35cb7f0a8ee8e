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

/// Every capability, each after those it builds on (checked by
/// [`tandem_web::capability::check_order`] when the application is assembled, and against the
/// crates' dependencies by a test). Routes and migrations are assembled from this list.
pub const CAPABILITIES: [tandem_web::Capability; 10] = [
    tandem_audit::CAPABILITY,
    tandem_mail::CAPABILITY,
    tandem_directory::CAPABILITY,
    tandem_frameworks::CAPABILITY,
    tandem_identity::CAPABILITY,
    tandem_service_levels::CAPABILITY,
    tandem_service_desk::CAPABILITY,
    tandem_cmdb::CAPABILITY,
    tandem_changes::CAPABILITY,
    tandem_isms::CAPABILITY,
];

/// The permissions the binary's own routes need (`/metrics`), and the administration of the
/// installation that several capabilities' pages need (the identity's accounts, the mail
/// outbox), which no one capability owns.
pub const PLATFORM_PERMISSIONS: [tandem_kernel::Permission; 2] = [
    tandem_kernel::Permission::MetricsRead,
    tandem_kernel::Permission::AccessManage,
];

/// Every capability's migrations, in the order of [`CAPABILITIES`] (they are applied in version
/// order, whichever capability they belong to).
pub fn migrations() -> Vec<tandem_storage::MigrationSet> {
    CAPABILITIES.iter().map(|c| c.migrations).collect()
}
