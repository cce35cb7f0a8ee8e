//! The service desk: tickets (incidents, service requests, problems, security incidents,
//! access requests), their thread of articles, and their SLA clocks.
//!
//! Owns the tables `tickets`, `ticket_pauses`, `ticket_articles`, `ticket_attachments`,
//! `attachment_contents`, `ticket_links`, `ticket_numbers`, `time_entries`, `ticket_escalations`
//! and `priority_matrix`. Pure:
//! [`ticket`] (kinds, the state model, the priority matrix), [`attachment`] (which files an
//! article takes), [`clocks`] (which agreement
//! applies and when each clock is due) and [`records`] (the records and the checks of what is
//! typed or sent). [`store`] reads and writes the tables; [`api`] and [`pages`] are the HTTP
//! edge. Reads take the request's scope, so customer users reach only their organisation's
//! tickets.

pub mod api;
pub mod attachment;
pub mod clocks;
pub mod escalation;
pub mod notice;
pub mod pages;
pub mod records;
pub mod report;
pub mod store;
pub mod ticket;

use sqlx::migrate::Migrator;
use tandem_storage::MigrationSet;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The service desk's schema, for both engines.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    capability: "service-desk",
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The service-desk capability, as the binary assembles it.
pub const CAPABILITY: tandem_web::Capability = tandem_web::Capability {
    name: "service-desk",
    builds_on: &["audit", "directory", "identity", "service-levels", "mail"],
    migrations: MIGRATIONS,
    api: Some(api::routes),
    pages: Some(pages::routes),
    navigation: &[
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Operations,
            section: "desk",
            label: "Desk",
            href: "/desk",
            needs: tandem_kernel::Permission::TicketsRead,
        },
        tandem_web::capability::NavEntry {
            group: tandem_web::capability::NavGroup::Operations,
            section: "reports",
            label: "Reports",
            href: "/reports",
            needs: tandem_kernel::Permission::ReportsRead,
        },
    ],
    api_tag: Some(tandem_web::capability::ApiTag {
        name: "service desk",
        description: "Tickets with their state model, priority, thread and SLA clocks",
    }),
    jobs: Some(|_| vec![escalation_job()]),
    permissions: &[
        tandem_kernel::Permission::TicketsRead,
        tandem_kernel::Permission::TicketsSubmit,
        tandem_kernel::Permission::TicketsWork,
        tandem_kernel::Permission::ReportsRead,
    ],
};

/// How often the desk's scheduler runs.
pub const ESCALATION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// The desk's background job: every [`ESCALATION_INTERVAL`], the clocks of open tickets follow
/// agreements changed since ([`store::follow_agreement_changes`]), then the due escalation
/// steps of every ticket are taken ([`store::escalate`]). It counts the steps taken.
pub fn escalation_job() -> tandem_web::Job {
    tandem_web::Job::new("escalation", ESCALATION_INTERVAL, |db, now| async move {
        let followed = store::follow_agreement_changes(&db, now).await?;
        if followed > 0 {
            tracing::info!(tickets = followed, "clocks follow a changed agreement");
        }
        store::escalate(&db, now).await
    })
}
