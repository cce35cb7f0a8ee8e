//! The ISMS's pages. [`documents`]: the register, a document with its versions, reading and
//! acknowledging, coverage, a version's editor and next steps, and the diff. [`context`]: the
//! interested parties, their requirements, and the Cloud System Analysis Pattern.

mod context;
mod documents;

use tandem_kernel::{Need, Permission};
use tandem_web::Routes;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::DocumentsRead);
    let write = Need::Permission(Permission::IsmsWrite);
    let manage = Need::Permission(Permission::IsmsManage);
    let isms = Need::Permission(Permission::IsmsRead);
    Routes::new()
        .get("/isms/context", isms, context::show)
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
