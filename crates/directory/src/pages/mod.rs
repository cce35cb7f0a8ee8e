//! The directory's pages: lists with search, filters, sorting and keyset pages; detail pages;
//! create and edit forms that show each error next to its field.

mod organisations;
mod people;
mod teams;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_kernel::id::parse_id;
use tandem_kernel::page::{ListOptions, ListParams, PageRequest};
use tandem_kernel::{Error, FieldError};
use tandem_web::list::ListLinks;
use tandem_web::{AppState, PageError, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route("/organisations/new", get(organisations::new))
        .route(
            "/organisations/{id}",
            get(organisations::show).post(organisations::update),
        )
        .route("/organisations/{id}/edit", get(organisations::edit))
        .route("/organisations/{id}/delete", post(organisations::delete))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new))
        .route("/people/{id}", get(people::show).post(people::update))
        .route("/people/{id}/edit", get(people::edit))
        .route("/people/{id}/delete", post(people::delete))
        .route("/teams", get(teams::list).post(teams::create))
        .route("/teams/new", get(teams::new))
        .route("/teams/{id}", get(teams::show).post(teams::update))
        .route("/teams/{id}/edit", get(teams::edit))
        .route("/teams/{id}/delete", post(teams::delete))
}

/// The query string of a list page.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    level: String,
}

impl ListQuery {
    /// The list options of the address; a bad one is an error page (400), as for any address.
    fn options<S: Copy>(&self, sorts: &[(&'static str, S)]) -> PageResult<ListOptions<S>> {
        ListOptions::parse(
            &ListParams {
                search: Some(&self.q),
                sort: Some(&self.sort),
                direction: Some(&self.dir),
                after: Some(&self.after),
                limit: Some(PageRequest::DEFAULT_LIMIT),
            },
            sorts,
        )
        .map_err(bad_address)
    }

    fn links<S>(
        &self,
        path: &'static str,
        options: &ListOptions<S>,
        next: Option<String>,
        filter: (&'static str, String),
    ) -> ListLinks {
        ListLinks {
            path,
            filters: vec![("q", self.q.clone()), filter],
            sort: options.sort_name.to_owned(),
            direction: options.direction,
            next,
            paged: options.page.after.is_some(),
        }
    }
}

fn bad_address(error: Error) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        format!("The address is not valid: {error}."),
    )
}

/// A filter value from the query string; empty means no filter, a bad one is an error page.
fn filter<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, FieldError>,
) -> PageResult<Option<T>> {
    if raw.is_empty() {
        return Ok(None);
    }
    parse(raw).map(Some).map_err(|e| bad_address(e.into()))
}

fn path_id<T: std::str::FromStr>(raw: &str) -> PageResult<T> {
    parse_id("id", raw).map_err(|_| PageError::not_found())
}

/// A small, unpaged list for a detail page.
fn first<S: Default>(limit: u32) -> ListOptions<S> {
    ListOptions {
        page: PageRequest { limit, after: None },
        ..ListOptions::default()
    }
}

/// `(value, label)` pairs for a select field.
fn choices<T: ToString>(items: Vec<(T, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}
