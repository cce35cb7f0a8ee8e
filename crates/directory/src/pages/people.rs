//! People pages.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Scope;
use tandem_kernel::id::parse_id;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
    RequestAccess,
};

use super::{ListQuery, filter};
use crate::store::{organisations, people, teams};
use crate::{Person, PersonDraft, PersonId, Team};
use tandem_web::page::choices;

#[derive(Template)]
#[template(path = "directory/person_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Person>,
    links: tandem_web::list::ListLinks,
    q: String,
    organisation: String,
    organisations: Vec<(String, String)>,
}

pub(super) async fn list(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&people::Sort::OPTIONS)?;
    let filter = people::Filter {
        organisation: filter(&query.organisation, |o| parse_id("organisation", o))?,
    };
    let page = people::list(&state.db, access.scope, &filter, &options).await?;
    let links = query.links(
        "/people",
        &options,
        page.next.map(|c| c.encode()),
        ("organisation", query.organisation.clone()),
    );
    Ok(render(&ListPage {
        chrome: Chrome::new("people", "People"),
        items: page.items,
        links,
        q: query.q,
        organisation: query.organisation,
        organisations: choices(organisations::choices(&state.db, access.scope).await?),
    }))
}

#[derive(Template)]
#[template(path = "directory/person_show.html")]
struct ShowPage {
    chrome: Chrome,
    person: Person,
    teams: Vec<Team>,
}

pub(super) async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<PersonId>,
) -> PageResult<Response> {
    let person = people::get(&state.db, access.scope, id).await?;
    let teams = teams::of_member(&state.db, access.scope, person.id).await?;
    Ok(render(&ShowPage {
        chrome: Chrome::new("people", person.name.to_string()),
        person,
        teams,
    }))
}

#[derive(Template)]
#[template(path = "directory/person_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: PersonDraft,
    errors: FormErrors,
    organisations: Vec<(String, String)>,
}

/// The fields of the person form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    version: i64,
}

impl Fields {
    fn draft(self) -> (PersonDraft, i64) {
        let draft = PersonDraft {
            organisation_id: self.organisation_id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            job_title: self.job_title,
        };
        (draft, self.version)
    }
}

async fn form(
    state: &AppState,
    scope: Scope,
    frame: FormFrame,
    values: PersonDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&FormPage {
        chrome: Chrome::new("people", frame.title.clone()),
        frame,
        values,
        errors,
        organisations: choices(organisations::choices(&state.db, scope).await?),
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New person", "/people", "Create person")
}

/// `?organisation=ID` preselects the organisation (the "Add a person" link of an organisation).
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    organisation: String,
}

pub(super) async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<NewQuery>,
) -> PageResult<Response> {
    let values = PersonDraft {
        organisation_id: query.organisation,
        ..PersonDraft::default()
    };
    form(
        &state,
        access.scope,
        create_frame(),
        values,
        FormErrors::default(),
    )
    .await
}

pub(super) async fn create(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (draft, _) = fields.draft();
    let saved = async { people::create(&write, draft.validate()?).await }.await;
    after_save(
        saved,
        |p| format!("/people/{}", p.id),
        async |errors| form(&state, access.scope, create_frame(), draft, errors).await,
    )
    .await
}

pub(super) async fn edit(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<PersonId>,
) -> PageResult<Response> {
    let person = people::get(&state.db, access.scope, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", person.name),
        format!("/people/{}", person.id),
        person.version,
    );
    form(
        &state,
        access.scope,
        frame,
        PersonDraft::from_record(&person),
        FormErrors::default(),
    )
    .await
}

pub(super) async fn update(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<PersonId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (draft, version) = fields.draft();
    let saved = async { people::update(&write, id, version, draft.validate()?).await }.await;
    let frame = FormFrame::edit("Edit person".into(), format!("/people/{id}"), version);
    after_save(
        saved,
        |p| format!("/people/{}", p.id),
        async |errors| form(&state, access.scope, frame, draft, errors).await,
    )
    .await
}

pub(super) async fn delete(InPath(id): InPath<PersonId>, write: Write) -> PageResult<Response> {
    people::delete(&write, id).await?;
    Ok(see_other("/people"))
}
