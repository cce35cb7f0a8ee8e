//! The outbox page for administrators: the latest mail, sent, waiting or given up, with the
//! last error of each failed attempt.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tandem_kernel::{Need, Permission};
use tandem_web::page::render;
use tandem_web::{AppState, Chrome, PageResult, Routes};

use crate::store::{self, Outgoing};

/// How many of the latest mails the page lists.
const SHOWN: u32 = 200;

pub fn routes() -> Routes {
    Routes::new().get(
        "/admin/outbox",
        Need::Permission(Permission::AccessManage),
        outbox,
    )
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    mails: Vec<Outgoing>,
}

impl OutboxPage {
    fn when(&self, at: &time::OffsetDateTime) -> String {
        tandem_web::page::when(at)
    }
}

/// `GET /admin/outbox`.
async fn outbox(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&OutboxPage {
        chrome: Chrome::new("access", "Outbox"),
        mails: store::recent(&state.db, SHOWN).await?,
    }))
}
