//! Service catalogue and service levels: the services a provider offers, the agreements that
//! promise levels of them (SLAs with customers, OLAs with internal teams, underpinning
//! contracts with suppliers), the business-hours calendars those levels are measured in, and
//! the SLA clock.
//!
//! Owns the tables `calendars`, `services`, `service_customers` and `agreements`. Pure:
//! [`calendar`] (working-time arithmetic), [`agreement`] (terms, the SLA simulator, penalties),
//! and the record types [`calendars`], [`services`], [`agreements`]. [`store`] reads and
//! writes the tables; [`api`] and [`pages`] are the HTTP edge. Other capabilities read them
//! through [`read`] and the `*_refs` views.

pub mod agreement;
pub mod agreements;
pub mod api;
pub mod calendar;
pub mod calendars;
pub mod pages;
pub mod read;
pub mod services;
pub mod store;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The service-level schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "service-levels",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The service-levels capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "service-levels",
    builds_on: &["audit", "directory"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::ServiceLevels,
        section: "service-levels",
        label: "Service levels",
        href: "/agreements",
        needs: tandem_kernel::Permission::ServiceLevelsRead,
    }],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "service levels",
        description: "Business-hours calendars, the service catalogue, agreements and the SLA simulator",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::ServiceLevelsRead,
        tandem_kernel::Permission::ServiceLevelsWrite,
    ],
};
