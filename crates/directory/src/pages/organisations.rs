//! Organisation pages.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_kernel::Scope;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
    RequestAccess,
};

use super::{ListQuery, filter, first};
use crate::store::{organisations, people};
use crate::{Organisation, OrganisationDraft, OrganisationId, OrganisationKind, Person};

fn kinds() -> Vec<(String, String)> {
    OrganisationKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "directory/organisation_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Organisation>,
    links: tandem_web::list::ListLinks,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
}

pub(super) async fn list(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&organisations::Sort::OPTIONS)?;
    let filter = organisations::Filter {
        kind: filter(&query.kind, |k| OrganisationKind::parse("kind", k))?,
    };
    let page = organisations::list(&state.db, access.scope, &filter, &options).await?;
    let links = query.links(
        "/organisations",
        &options,
        page.next.map(|c| c.encode()),
        ("kind", query.kind.clone()),
    );
    Ok(render(&ListPage {
        chrome: Chrome::new("organisations", "Organisations"),
        items: page.items,
        links,
        q: query.q,
        kind: query.kind,
        kinds: kinds(),
    }))
}

#[derive(Template)]
#[template(path = "directory/organisation_show.html")]
struct ShowPage {
    chrome: Chrome,
    organisation: Organisation,
    people: Vec<Person>,
    more_people: bool,
    /// Why the last action on this page failed (deleting an organisation still in use).
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    scope: Scope,
    id: OrganisationId,
    error: Option<String>,
) -> PageResult<ShowPage> {
    let organisation = organisations::get(&state.db, scope, id).await?;
    let people = people::list(
        &state.db,
        scope,
        &people::Filter {
            organisation: Some(id),
        },
        &first(20),
    )
    .await?;
    Ok(ShowPage {
        chrome: Chrome::new("organisations", organisation.name.to_string()),
        more_people: people.next.is_some(),
        people: people.items,
        organisation,
        error,
    })
}

pub(super) async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<OrganisationId>,
) -> PageResult<Response> {
    Ok(render(&show_page(&state, access.scope, id, None).await?))
}

#[derive(Template)]
#[template(path = "directory/organisation_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: OrganisationDraft,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
}

/// The fields of the organisation form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    version: i64,
}

impl Fields {
    fn draft(self) -> (OrganisationDraft, i64) {
        let draft = OrganisationDraft {
            name: self.name,
            kind: self.kind,
            description: self.description,
        };
        (draft, self.version)
    }
}

async fn form(
    frame: FormFrame,
    values: OrganisationDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&FormPage {
        chrome: Chrome::new("organisations", frame.title.clone()),
        frame,
        values,
        errors,
        kinds: kinds(),
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New organisation", "/organisations", "Create organisation")
}

pub(super) async fn new() -> PageResult<Response> {
    let values = OrganisationDraft {
        kind: OrganisationKind::Customer.as_str().into(),
        ..OrganisationDraft::default()
    };
    form(create_frame(), values, FormErrors::default()).await
}

pub(super) async fn create(
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (draft, _) = fields.draft();
    let saved = async { organisations::create(&write, draft.validate()?).await }.await;
    after_save(
        saved,
        |o| format!("/organisations/{}", o.id),
        async |errors| form(create_frame(), draft, errors).await,
    )
    .await
}

pub(super) async fn edit(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<OrganisationId>,
) -> PageResult<Response> {
    let organisation = organisations::get(&state.db, access.scope, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", organisation.name),
        format!("/organisations/{}", organisation.id),
        organisation.version,
    );
    form(
        frame,
        OrganisationDraft::from_record(&organisation),
        FormErrors::default(),
    )
    .await
}

pub(super) async fn update(
    InPath(id): InPath<OrganisationId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (draft, version) = fields.draft();
    let saved = async { organisations::update(&write, id, version, draft.validate()?).await }.await;
    let frame = FormFrame::edit(
        "Edit organisation".into(),
        format!("/organisations/{id}"),
        version,
    );
    after_save(
        saved,
        |o| format!("/organisations/{}", o.id),
        async |errors| form(frame, draft, errors).await,
    )
    .await
}

pub(super) async fn delete(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<OrganisationId>,
    write: Write,
) -> PageResult<Response> {
    match organisations::delete(&write, id).await {
        Ok(()) => Ok(see_other("/organisations")),
        Err(Error::Conflict { message, .. }) => {
            let mut response = render(&show_page(&state, access.scope, id, Some(message)).await?);
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}
