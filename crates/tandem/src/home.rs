//! The start page: what is in Tandem and where to go next.

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
    Ok(render(&Home {
        chrome: Chrome::new("home", "Start"),
        summary,
        reviews_due,
    }))
}
