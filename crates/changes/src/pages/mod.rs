//! Change management's pages: the change list, a change's page with what is missing before
//! each next step, its forms (the change, steps, CAB votes, the checklist), the change calendar
//! by week or day with blackout periods and conflicts, the standard-change catalogue, blackout
//! periods, the settings, and the CI versions no change explains.

mod calendar;
mod catalogue;
mod changes;

use tandem_kernel::{Need, Permission};
use tandem_web::Routes;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::ChangesRead);
    let submit = Need::Permission(Permission::ChangesSubmit);
    let work = Need::Permission(Permission::ChangesWork);
    let manage = Need::Permission(Permission::ChangesManage);
    let vote = Need::Permission(Permission::ChangesVote);
    Routes::new()
        .get("/changes", read, changes::list)
        .post("/changes", submit, changes::create)
        .get("/changes/new", submit, changes::new)
        .get("/changes/calendar", read, calendar::show)
        .get(
            "/changes/unexplained-versions",
            read,
            catalogue::unexplained,
        )
        .get("/changes/export.csv", read, crate::api::export_log)
        .get("/changes/calendar.ics", read, crate::api::calendar_feed)
        .get("/changes/{id}", read, changes::show)
        .post("/changes/{id}", submit, changes::update)
        .get("/changes/{id}/edit", submit, changes::edit)
        .post("/changes/{id}/steps", submit, changes::step)
        .post("/changes/{id}/votes", vote, changes::vote)
        .post("/changes/{id}/checklist", submit, changes::checklist)
        .post("/changes/{id}/checks/{position}", work, changes::check)
        .get("/change-templates", read, catalogue::templates)
        .post("/change-templates", manage, catalogue::create_template)
        .get("/change-templates/new", manage, catalogue::new_template)
        .get(
            "/change-templates/{id}/edit",
            manage,
            catalogue::edit_template,
        )
        .post("/change-templates/{id}", manage, catalogue::update_template)
        .get("/blackouts", read, calendar::blackouts)
        .post("/blackouts", manage, calendar::create_blackout)
        .post("/blackouts/{id}/delete", manage, calendar::delete_blackout)
        .get("/change-settings", read, catalogue::settings)
        .post("/change-settings", manage, catalogue::save_settings)
}

/// The CIs a form may name, as (id, `CI-000012 mgmt-de-01`).
type KnownCis = Vec<(tandem_cmdb::ci::CiId, String)>;

async fn known_cis(state: &tandem_web::AppState) -> tandem_kernel::Result<KnownCis> {
    tandem_cmdb::store::cis::choices(&state.db, None).await
}

/// The CI a form line names, by its number (`CI-000012`) or its name.
fn find_ci(known: &KnownCis, name: &str) -> Option<tandem_cmdb::ci::CiId> {
    known
        .iter()
        .find(|(_, label)| {
            let (number, ci) = label.split_once(' ').unwrap_or((label, ""));
            ci == name || number.eq_ignore_ascii_case(name)
        })
        .map(|(id, _)| *id)
}
