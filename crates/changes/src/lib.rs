//! Change management: the change log that seed 000 section 5.6 asks for, with every field in
//! its order, a life cycle whose rules the server enforces (the four-eye principle, the consent
//! of the Change Advisory Board for emergency changes, standard changes from a catalogue of
//! pre-approved templates), a suggested risk from the CMDB's impact analysis, and the change
//! calendar with its conflicts, blackout periods and iCalendar feed.
//!
//! Pure: [`lifecycle`] (states, moves and the guard rules that refuse them), [`risk`] (the
//! suggested risk of a change), [`change`] (the record as typed and its checks), [`step`] (what
//! an allowed step does to a change), [`calendar`] (days of a view and conflicts between
//! windows), [`export`] (the change log as CSV) and [`ical`] (the calendar feed). [`store`]
//! reads and writes the tables; [`api`] and [`pages`] are the HTTP edge.
//!
//! Owns the tables `change_numbers`, `change_settings`, `change_templates`, `changes`,
//! `change_cis`, `change_votes`, `change_checks`, `change_transitions`, `blackouts`,
//! `blackout_cis` and `maintenance_windows`. It reads the directory, tickets and the CMDB, and
//! writes CI configuration only through the CMDB's `apply_update`.

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// Change management's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "changes",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The changes capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "changes",
    builds_on: &["audit", "directory", "identity", "cmdb"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[tandem_web::capability::NavEntry {
        group: tandem_web::capability::NavGroup::Operations,
        section: "changes",
        label: "Changes",
        href: "/changes",
        needs: tandem_kernel::Permission::ChangesRead,
    }],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "changes",
        description: "Change management: the change log with its life cycle, four eyes and the CAB, standard-change templates, blackout periods and the change calendar",
    }),
    jobs: None,
    permissions: &[
        tandem_kernel::Permission::ChangesRead,
        tandem_kernel::Permission::ChangesSubmit,
        tandem_kernel::Permission::ChangesWork,
        tandem_kernel::Permission::ChangesManage,
        tandem_kernel::Permission::ChangesVote,
    ],
};

pub mod api;
pub mod calendar;
pub mod change;
pub mod export;
pub mod ical;
pub mod lifecycle;
pub mod pages;
pub mod risk;
pub mod step;
pub mod store;
