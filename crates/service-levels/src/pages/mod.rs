//! The service levels' pages: agreements with the SLA simulator, the service catalogue, and
//! business-hours calendars. Forms are shown only to those who may submit them.

mod agreements;
mod calendars;
mod services;

use tandem_kernel::{Need, Permission};
use tandem_web::Routes;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::ServiceLevelsRead);
    let write = Need::Permission(Permission::ServiceLevelsWrite);
    Routes::new()
        .get("/agreements", read, agreements::list)
        .post("/agreements", write, agreements::create)
        .get("/agreements/new", write, agreements::new)
        .get("/agreements/{id}", read, agreements::show)
        .post("/agreements/{id}", write, agreements::update)
        .get("/agreements/{id}/edit", write, agreements::edit)
        .post("/agreements/{id}/delete", write, agreements::delete)
        .get("/services", read, services::list)
        .post("/services", write, services::create)
        .get("/services/new", write, services::new)
        .get("/services/{id}", read, services::show)
        .post("/services/{id}", write, services::update)
        .get("/services/{id}/edit", write, services::edit)
        .post("/services/{id}/delete", write, services::delete)
        .get("/calendars", read, calendars::list)
        .post("/calendars", write, calendars::create)
        .get("/calendars/new", write, calendars::new)
        .get("/calendars/{id}", read, calendars::show)
        .post("/calendars/{id}", write, calendars::update)
        .get("/calendars/{id}/edit", write, calendars::edit)
        .post("/calendars/{id}/delete", write, calendars::delete)
}
