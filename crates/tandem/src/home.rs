//! The start page: what is in Tandem and where to go next.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tandem_directory::store::{self, Summary};
use tandem_web::page::render;
use tandem_web::{AppState, Chrome, PageResult};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    summary: Summary,
}

/// `GET /`.
pub async fn show(State(state): State<AppState>) -> PageResult<Response> {
    let summary = store::summary(&state.db).await?;
    Ok(render(&Home {
        chrome: Chrome::new("home", "Start"),
        summary,
    }))
}
