//! The ISMS's JSON API under `/api/v1`. [`documents`]: the document register, versions and
//! their life-cycle steps, check-out and check-in, the diff, acknowledgements, coverage,
//! reminders and the shipped templates. [`context`]: interested parties and their requirements,
//! and instances of the Cloud System Analysis Pattern with their proposals.

pub mod competence;
pub mod context;
pub mod documents;
pub mod objectives;
pub mod roles;

use tandem_directory::PersonId;
use tandem_kernel::{Access, Need, Permission, Result, Scope};
use tandem_web::{AppState, Routes};
use utoipa_axum::routes;

use crate::document::Reader;
use crate::store::documents as document_store;
use crate::store::versions::Powers;

/// The ISMS's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::DocumentsRead);
    let isms = Need::Permission(Permission::IsmsRead);
    let write = Need::Permission(Permission::IsmsWrite);
    let manage = Need::Permission(Permission::IsmsManage);
    Routes::new()
        .api(read, routes!(documents::list_documents))
        .api(write, routes!(documents::create_document))
        .api(read, routes!(documents::to_acknowledge))
        .api(isms, routes!(documents::list_templates))
        .api(read, routes!(documents::get_document))
        .api(write, routes!(documents::update_document))
        .api(write, routes!(documents::check_out))
        .api(write, routes!(documents::check_in))
        .api(manage, routes!(documents::break_lock))
        .api(write, routes!(documents::start_version))
        .api(read, routes!(documents::get_version))
        .api(write, routes!(documents::save_version))
        .api(read, routes!(documents::take_step))
        .api(write, routes!(documents::put_file))
        .api(read, routes!(documents::get_file))
        .api(read, routes!(documents::diff))
        .api(read, routes!(documents::acknowledge))
        .api(isms, routes!(documents::coverage))
        .api(write, routes!(documents::remind))
        .api(isms, routes!(context::list_parties))
        .api(write, routes!(context::create_party))
        .api(isms, routes!(context::get_party))
        .api(write, routes!(context::update_party))
        .api(write, routes!(context::add_requirement))
        .api(write, routes!(context::update_requirement))
        .api(isms, routes!(context::list_patterns))
        .api(write, routes!(context::import_pattern))
        .api(isms, routes!(context::get_pattern))
        .api(isms, routes!(context::export_pattern))
        .api(write, routes!(context::add_element))
        .api(write, routes!(context::accept))
        .api(isms, routes!(objectives::list_objectives))
        .api(write, routes!(objectives::create_objective))
        .api(isms, routes!(objectives::get_objective))
        .api(write, routes!(objectives::update_objective))
        .api(write, routes!(objectives::add_measurement))
        .api(isms, routes!(competence::list_trainings))
        .api(write, routes!(competence::create_training))
        .api(isms, routes!(competence::get_training))
        .api(write, routes!(competence::update_training))
        .api(write, routes!(competence::record_attendance))
        .api(isms, routes!(competence::list_competences))
        .api(write, routes!(competence::create_competence))
        .api(isms, routes!(competence::shortfall))
        .api(isms, routes!(competence::get_competence))
        .api(write, routes!(competence::update_competence))
        .api(write, routes!(competence::add_holding))
        .api(write, routes!(competence::update_holding))
        .api(write, routes!(competence::remove_holding))
        .api(isms, routes!(roles::list_assignments))
        .api(write, routes!(roles::assign))
        .api(write, routes!(roles::end_assignment))
        .api(isms, routes!(roles::get_matrix))
        .api(write, routes!(roles::put_row))
        .api(isms, routes!(roles::list_decisions))
        .api(write, routes!(roles::record_decision))
        .api(isms, routes!(roles::get_decision))
}

/// Who reads, for what they may see: the person, their roles and teams, their organisation if
/// they are a customer's, and whether they read the whole ISMS.
pub async fn reader(state: &AppState, access: &Access) -> Result<Reader> {
    let person = access.actor.id.map(PersonId);
    let teams = match person {
        Some(person) => document_store::teams_of(&state.db, person).await?,
        None => Vec::new(),
    };
    Ok(Reader {
        person,
        roles: access.roles,
        teams,
        customer_of: match access.scope {
            Scope::Everything => None,
            Scope::Organisation(own) => Some(tandem_directory::OrganisationId(own)),
        },
        isms: access.may(Permission::IsmsRead),
    })
}

/// What the caller may do in a version's life cycle.
pub fn powers(access: &Access) -> Powers {
    Powers {
        may_write: access.may(Permission::IsmsWrite),
        may_approve: access.may(Permission::IsmsApprove),
    }
}
