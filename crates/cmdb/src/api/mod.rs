//! The CMDB's JSON API under `/api/v1`, one module per record as in [`crate::store`] and
//! [`crate::pages`]: `classes` (CI classes and their attribute sets), `cis` (CIs, their
//! operational state and the asset review), `relations` (a CI's relations), `versions` (a CI's
//! versions and comparisons), `impact` (the impact analysis) and [`evidence`] (files, baselines
//! and reconciliation). This module assembles their routes and holds what several of them share:
//! the reference to a CI and the why of a change.

mod cis;
mod classes;
pub mod evidence;
mod impact;
mod relations;
mod versions;

pub use cis::{checked, ci_filter};
pub use impact::failing_state;
pub use relations::relation_fields;

use serde::{Deserialize, Serialize};
use tandem_kernel::id::TICKETS;
use tandem_kernel::{Error, Need, Permission};
use tandem_web::{AppState, Routes};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::version::Cause;

/// The CMDB's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::CmdbRead);
    let write = Need::Permission(Permission::CmdbWrite);
    let class_write = Need::Permission(Permission::CmdbClasses);
    Routes::new()
        .api(read, routes!(classes::list_classes))
        .api(class_write, routes!(classes::create_class))
        .api(read, routes!(classes::get_class))
        .api(class_write, routes!(classes::update_class))
        .api(read, routes!(cis::list_cis))
        .api(write, routes!(cis::create_ci))
        .api(read, routes!(cis::get_ci))
        .api(write, routes!(cis::update_ci, cis::delete_ci))
        .api(write, routes!(cis::set_operational))
        .api(write, routes!(cis::review_ci))
        .api(read, routes!(cis::reviews_due))
        .api(read, routes!(relations::list_relations))
        .api(write, routes!(relations::add_relation))
        .api(write, routes!(relations::remove_relation))
        .api(read, routes!(versions::list_versions))
        .api(read, routes!(versions::get_version))
        .api(read, routes!(versions::compare_versions))
        .api(read, routes!(impact::ci_impact))
        .api(read, routes!(impact::impact))
        .merge(evidence::routes())
}

/// The location of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct CiReference {
    #[schema(format = Uuid)]
    id: String,
    /// `CI-000042`.
    number: String,
    name: String,
}

/// Why a CI changes: a ticket, or a reason of at least ten characters.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Why {
    /// The ticket the change was made for, such as `T-000042`.
    #[serde(default)]
    ticket: Option<String>,
    /// Why, in words; required without a ticket.
    #[serde(default)]
    reason: String,
}

impl Why {
    async fn cause(&self, state: &AppState) -> Result<Cause, Error> {
        cause_of(
            state,
            self.ticket.as_deref().unwrap_or_default(),
            &self.reason,
        )
        .await
    }
}

/// Reads the why of a request or form: a ticket number (looked up) and a reason.
pub async fn cause_of(state: &AppState, ticket: &str, reason: &str) -> Result<Cause, Error> {
    let ticket = match ticket.trim() {
        "" => None,
        raw => {
            let number = TICKETS.read("ticket", raw)?;
            Some(
                crate::read::ticket_by_number(&mut state.db.conn().await?, number)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid(
                            "ticket",
                            format!("there is no ticket {}", TICKETS.text(number)),
                        )
                    })?,
            )
        }
    };
    Ok(Cause::from_input(ticket, reason)?)
}

/// Both results, or every field error of either.
pub fn both<A, B>(a: Result<A, Error>, b: Result<B, Error>) -> Result<(A, B), Error> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(Error::Invalid(mut e)), Err(Error::Invalid(f))) => {
            e.extend(f);
            Err(Error::Invalid(e))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}
