//! The ISMS's pages. [`documents`]: the register, a document with its versions, reading and
//! acknowledging, coverage, a version's editor and next steps, and the diff. [`context`]: the
//! interested parties, their requirements, and the Cloud System Analysis Pattern.

mod competence;
mod context;
mod documents;
mod objectives;
mod roles;

use tandem_kernel::{Need, Permission};
use tandem_web::Routes;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::DocumentsRead);
    let write = Need::Permission(Permission::IsmsWrite);
    let manage = Need::Permission(Permission::IsmsManage);
    let isms = Need::Permission(Permission::IsmsRead);
    Routes::new()
        .get("/isms/context", isms, context::show)
        .get("/isms/roles", isms, roles::list)
        .post("/isms/roles", write, roles::assign)
        .post("/isms/roles/{id}/end", write, roles::end)
        .get("/isms/raci", isms, roles::raci)
        .post("/isms/raci/{key}", write, roles::save_row)
        .get("/isms/decisions", isms, roles::decisions)
        .post("/isms/decisions", write, roles::record)
        .get("/isms/decisions/new", write, roles::new)
        .get("/isms/decisions/{id}", isms, roles::decision)
        .get("/isms/trainings", isms, competence::trainings)
        .post("/isms/trainings", write, competence::create_training)
        .get("/isms/trainings/new", write, competence::new_training)
        .get("/isms/trainings/{id}", isms, competence::training)
        .post("/isms/trainings/{id}", write, competence::update_training)
        .get(
            "/isms/trainings/{id}/edit",
            write,
            competence::edit_training,
        )
        .post(
            "/isms/trainings/{id}/attendance",
            write,
            competence::attendance,
        )
        .get("/isms/competences", isms, competence::competences)
        .post("/isms/competences", write, competence::create_competence)
        .get("/isms/competences/new", write, competence::new_competence)
        .get("/isms/competences/shortfall", isms, competence::shortfall)
        .get("/isms/competences/{id}", isms, competence::competence)
        .post(
            "/isms/competences/{id}",
            write,
            competence::update_competence,
        )
        .get(
            "/isms/competences/{id}/edit",
            write,
            competence::edit_competence,
        )
        .post(
            "/isms/competences/{id}/holders",
            write,
            competence::add_holding,
        )
        .get(
            "/isms/competences/{id}/holders/{holding}/edit",
            write,
            competence::edit_holding,
        )
        .post(
            "/isms/competences/{id}/holders/{holding}",
            write,
            competence::update_holding,
        )
        .post(
            "/isms/competences/{id}/holders/{holding}/delete",
            write,
            competence::remove_holding,
        )
        .get("/isms/objectives", isms, objectives::list)
        .post("/isms/objectives", write, objectives::create)
        .get("/isms/objectives/new", write, objectives::new)
        .get("/isms/objectives/{id}", isms, objectives::show)
        .post("/isms/objectives/{id}", write, objectives::update)
        .get("/isms/objectives/{id}/edit", write, objectives::edit)
        .post(
            "/isms/objectives/{id}/measurements",
            write,
            objectives::add_measurement,
        )
        .post("/isms/parties", write, context::create_party)
        .get("/isms/parties/{id}", isms, context::party)
        .post(
            "/isms/parties/{id}/requirements",
            write,
            context::add_requirement,
        )
        .post(
            "/isms/parties/{id}/requirements/{requirement}",
            write,
            context::update_requirement,
        )
        .post("/isms/patterns", write, context::import)
        .get("/isms/patterns/{id}", isms, context::pattern)
        .get("/isms/patterns/{id}/diagram.svg", isms, context::diagram)
        .get("/isms/patterns/{id}/export.json", isms, context::export)
        .post("/isms/patterns/{id}/elements", write, context::add_element)
        .post(
            "/isms/patterns/{id}/elements/{element}/accept",
            write,
            context::accept,
        )
        .get("/isms/documents", read, documents::list)
        .post("/isms/documents", write, documents::create)
        .get("/isms/documents/new", write, documents::new)
        .get("/isms/documents/{id}", read, documents::show)
        .post("/isms/documents/{id}", write, documents::update)
        .get("/isms/documents/{id}/edit", write, documents::edit)
        .post("/isms/documents/{id}/checkout", write, documents::check_out)
        .post("/isms/documents/{id}/checkin", write, documents::check_in)
        .post(
            "/isms/documents/{id}/lock/break",
            manage,
            documents::break_lock,
        )
        .post(
            "/isms/documents/{id}/versions",
            write,
            documents::start_version,
        )
        .post(
            "/isms/documents/{id}/acknowledge",
            read,
            documents::acknowledge,
        )
        .post("/isms/documents/{id}/reminders", write, documents::remind)
        .get("/isms/documents/{id}/diff", read, documents::diff)
        .get(
            "/isms/documents/{id}/versions/{version}",
            read,
            documents::version,
        )
        .get(
            "/isms/documents/{id}/versions/{version}/file",
            read,
            documents::file,
        )
        .post(
            "/isms/documents/{id}/versions/{version}/file",
            write,
            documents::upload,
        )
        .get(
            "/isms/documents/{id}/versions/{version}/scope",
            write,
            documents::scope_form,
        )
        .post(
            "/isms/documents/{id}/versions/{version}/scope",
            write,
            documents::save_scope,
        )
        .post(
            "/isms/documents/{id}/versions/{version}",
            write,
            documents::save_draft,
        )
        .post(
            "/isms/documents/{id}/versions/{version}/steps",
            read,
            documents::step,
        )
}
