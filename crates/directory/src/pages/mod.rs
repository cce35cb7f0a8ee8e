//! The directory's pages: lists with search, filters, sorting and keyset pages; detail pages;
//! create and edit forms that show each error next to its field.

mod organisations;
mod people;
mod teams;

use serde::Deserialize;
use tandem_kernel::page::{ListOptions, ListParams, PageRequest};
use tandem_kernel::{FieldError, Need, Permission};
use tandem_web::list::ListLinks;
use tandem_web::page::bad_address;
use tandem_web::{PageResult, Routes};

/// The directory's pages. Forms to create or change records need the write permission even
/// to be shown.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::DirectoryRead);
    let write = Need::Permission(Permission::DirectoryWrite);
    Routes::new()
        .get("/organisations", read, organisations::list)
        .post("/organisations", write, organisations::create)
        .get("/organisations/new", write, organisations::new)
        .get("/organisations/{id}", read, organisations::show)
        .post("/organisations/{id}", write, organisations::update)
        .get("/organisations/{id}/edit", write, organisations::edit)
        .post("/organisations/{id}/delete", write, organisations::delete)
        .get("/people", read, people::list)
        .post("/people", write, people::create)
        .get("/people/new", write, people::new)
        .get("/people/{id}", read, people::show)
        .post("/people/{id}", write, people::update)
        .get("/people/{id}/edit", write, people::edit)
        .post("/people/{id}/delete", write, people::delete)
        .get("/teams", read, teams::list)
        .post("/teams", write, teams::create)
        .get("/teams/new", write, teams::new)
        .get("/teams/{id}", read, teams::show)
        .post("/teams/{id}", write, teams::update)
        .get("/teams/{id}/edit", write, teams::edit)
        .post("/teams/{id}/delete", write, teams::delete)
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

/// A small, unpaged list for a detail page.
fn first<S: Default>(limit: u32) -> ListOptions<S> {
    ListOptions {
        page: PageRequest { limit, after: None },
        ..ListOptions::default()
    }
}

/// Every organisation of one of `kinds`, by name, as `(id, name)` options of a form's select
/// (the service desk's, the CMDB's and the service catalogue's customer fields).
pub async fn organisation_options(
    db: &tandem_storage::Db,
    kinds: &[crate::OrganisationKind],
) -> tandem_kernel::Result<Vec<(String, String)>> {
    Ok(
        crate::store::organisations::choices_of_kind(db, tandem_kernel::Scope::Everything, kinds)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
    )
}
