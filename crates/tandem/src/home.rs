//! The start page: what is in Tandem and where to go next, with what waits for the person:
//! agreement reviews, documents to read and acknowledge, and their own documents due for review.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tandem_directory::store::{self, Summary};
use tandem_kernel::{Permission, Scope};
use tandem_web::page::render;
use tandem_web::{AppState, Chrome, PageResult, RequestAccess};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    /// The directory's counts, for those who see the whole directory.
    summary: Option<Summary>,
    /// Agreements whose review is due, for those who read service levels.
    reviews_due: Vec<tandem_service_levels::agreements::Agreement>,
    /// Published documents the person is asked to read and acknowledge.
    to_acknowledge: Vec<(
        tandem_isms::store::documents::Document,
        tandem_isms::store::versions::Version,
    )>,
    /// Documents the person owns whose review is due within a month, or overdue.
    documents_due: Vec<tandem_isms::store::documents::Document>,
    today: time::Date,
}

/// `GET /`: the counts of the directory for the provider's staff; for others (customer users,
/// people without roles yet) the navigation alone.
pub async fn show(
    State(state): State<AppState>,
    RequestAccess(access): RequestAccess,
) -> PageResult<Response> {
    let whole_directory =
        access.may(Permission::DirectoryRead) && access.scope == Scope::Everything;
    let summary = if whole_directory {
        Some(store::summary(&state.db).await?)
    } else {
        None
    };
    let reviews_due = if access.may(Permission::ServiceLevelsRead) {
        tandem_service_levels::store::agreements::reviews_due(&state.db, state.clock.now().date())
            .await?
    } else {
        Vec::new()
    };
    let today = state.clock.now().date();
    let (to_acknowledge, documents_due) = match access.actor.id {
        Some(person) if access.may(Permission::DocumentsRead) => {
            let reader = tandem_isms::api::reader(&state, &access).await?;
            (
                tandem_isms::store::acknowledgements::to_acknowledge(&state.db, &reader).await?,
                tandem_isms::store::documents::reviews_due(
                    &state.db,
                    tandem_directory::PersonId(person),
                    today + time::Duration::days(30),
                )
                .await?,
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    Ok(render(&Home {
        chrome: Chrome::new("home", "Start"),
        summary,
        reviews_due,
        to_acknowledge,
        documents_due,
        today,
    }))
}
