//! The CMDB's pages: the CI list with filters, a CI's page (its record, relations drawn as a
//! graph, impact, history), forms that ask for the why of every change, a version and a
//! comparison of two versions, the impact page, the classes with their attribute sets, and the
//! evidence: CSV import with its dry run, baselines and reconciliation runs.

mod cis;
mod classes;
mod evidence;
mod graph;

use tandem_kernel::{Need, Permission};
use tandem_web::Routes;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::CmdbRead);
    let write = Need::Permission(Permission::CmdbWrite);
    let class_write = Need::Permission(Permission::CmdbClasses);
    Routes::new()
        .get("/cis", read, cis::list)
        .get("/cis/export.csv", read, crate::api::evidence::export_cis)
        .get("/cis/import", write, evidence::import_form)
        .post("/cis/import", write, evidence::import)
        .post("/reconciliations", write, evidence::reconcile)
        .body_limit(crate::api::evidence::MAX_FILE_BYTES)
        .post("/cis", write, cis::create)
        .get("/cis/new", write, cis::new)
        .get("/cis/{id}", read, cis::show)
        .post("/cis/{id}", write, cis::update)
        .get("/cis/{id}/edit", write, cis::edit)
        .post("/cis/{id}/delete", write, cis::delete)
        .post("/cis/{id}/operational", write, cis::set_operational)
        .post("/cis/{id}/review", write, cis::review)
        .get("/cis/reviews", read, cis::reviews)
        .post("/cis/{id}/relations", write, cis::add_relation)
        .post(
            "/cis/{id}/relations/{relation}/remove",
            write,
            cis::remove_relation,
        )
        .get("/cis/{id}/versions/{version}", read, cis::version)
        .get("/cis/{id}/compare", read, cis::compare)
        .get("/cis/{id}/impact", read, cis::impact)
        .get("/ci-classes", read, classes::list)
        .post("/ci-classes", class_write, classes::create)
        .get("/ci-classes/new", class_write, classes::new)
        .get("/ci-classes/{key}", read, classes::show)
        .post("/ci-classes/{key}", class_write, classes::update)
        .get("/ci-classes/{key}/edit", class_write, classes::edit)
        .get("/baselines", read, evidence::baselines)
        .post("/baselines", write, evidence::take_baseline)
        .get("/baselines/{id}", read, evidence::baseline)
        .get("/reconciliations", read, evidence::runs)
        .get("/reconciliations/{id}", read, evidence::run)
}
