//! The directory's pages: lists with search, filters, sorting and keyset pages; detail pages;
//! create and edit forms that show each error next to its field.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_kernel::id::parse_id;
use tandem_kernel::page::{ListOptions, ListParams, PageRequest};
use tandem_kernel::{Error, Result};
use tandem_web::list::ListLinks;
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, PageError, PageQuery, PageResult};

use crate::store::{organisations, people, teams};
use crate::{
    Organisation, OrganisationDraft, OrganisationId, OrganisationKind, Person, PersonDraft,
    PersonId, Team, TeamDraft, TeamId, TeamLevel,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations",
            get(organisation_list).post(organisation_create),
        )
        .route("/organisations/new", get(organisation_new))
        .route(
            "/organisations/{id}",
            get(organisation_show).post(organisation_update),
        )
        .route("/organisations/{id}/edit", get(organisation_edit))
        .route("/organisations/{id}/delete", post(organisation_delete))
        .route("/people", get(person_list).post(person_create))
        .route("/people/new", get(person_new))
        .route("/people/{id}", get(person_show).post(person_update))
        .route("/people/{id}/edit", get(person_edit))
        .route("/people/{id}/delete", post(person_delete))
        .route("/teams", get(team_list).post(team_create))
        .route("/teams/new", get(team_new))
        .route("/teams/{id}", get(team_show).post(team_update))
        .route("/teams/{id}/edit", get(team_edit))
        .route("/teams/{id}/delete", post(team_delete))
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
    fn options<S: Copy>(&self, sorts: &[(&'static str, S)]) -> Result<ListOptions<S>> {
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
    }

    fn links<S>(
        &self,
        path: &'static str,
        options: &ListOptions<S>,
        next: Option<String>,
        filters: Vec<(&'static str, String)>,
    ) -> ListLinks {
        let mut all = vec![("q", self.q.clone())];
        all.extend(filters);
        ListLinks {
            path,
            filters: all,
            sort: options.sort_name.to_owned(),
            direction: options.direction,
            next,
            paged: options.page.after.is_some(),
        }
    }
}

fn path_id<T: std::str::FromStr>(raw: &str) -> PageResult<T> {
    parse_id("id", raw).map_err(|_| PageError::not_found())
}

/// Ends a form submission: on success, sends the browser to the saved record's page; on
/// invalid input, shows the form again with each error next to its field (422); anything else
/// becomes an error page.
async fn after_save<T>(
    saved: Result<T>,
    location: impl FnOnce(&T) -> String,
    show_form: impl AsyncFnOnce(FormErrors) -> PageResult<Response>,
) -> PageResult<Response> {
    match saved {
        Ok(record) => Ok(see_other(&location(&record))),
        Err(error) => {
            let mut response = show_form(FormErrors::from_error(error)?).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

fn choice_list(items: Vec<(impl ToString, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}

fn kind_choices() -> Vec<(String, String)> {
    OrganisationKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

fn level_choices() -> Vec<(String, String)> {
    TeamLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
        .collect()
}

/// A filter value from the query string that must parse; an unknown value is an error page.
fn optional<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, tandem_kernel::FieldError>,
) -> PageResult<Option<T>> {
    if raw.is_empty() {
        return Ok(None);
    }
    parse(raw)
        .map(Some)
        .map_err(|e| PageError::new(StatusCode::BAD_REQUEST, format!("The filter {e}.")))
}

// ---------------------------------------------------------------- organisations

#[derive(Template)]
#[template(path = "directory/organisation_list.html")]
struct OrganisationList {
    chrome: Chrome,
    items: Vec<Organisation>,
    links: ListLinks,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "directory/organisation_show.html")]
struct OrganisationShow {
    chrome: Chrome,
    organisation: Organisation,
    people: Vec<Person>,
    more_people: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/organisation_form.html")]
struct OrganisationForm {
    chrome: Chrome,
    action: String,
    cancel: String,
    submit: &'static str,
    values: OrganisationDraft,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct OrganisationFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

impl From<OrganisationFields> for OrganisationDraft {
    fn from(f: OrganisationFields) -> Self {
        Self {
            name: f.name,
            kind: f.kind,
            description: f.description,
        }
    }
}

async fn organisation_list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&organisations::Sort::OPTIONS)?;
    let filter = organisations::Filter {
        kind: optional(&query.kind, |k| OrganisationKind::parse("kind", k))?,
    };
    let page = organisations::list(&state.db, &filter, &options).await?;
    let links = query.links(
        "/organisations",
        &options,
        page.next.map(|c| c.encode()),
        vec![("kind", query.kind.clone())],
    );
    Ok(render(&OrganisationList {
        chrome: Chrome::new("organisations", "Organisations"),
        items: page.items,
        links,
        q: query.q,
        kind: query.kind,
        kinds: kind_choices(),
    }))
}

async fn organisation_form(
    title: String,
    action: String,
    cancel: String,
    submit: &'static str,
    values: OrganisationDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&OrganisationForm {
        chrome: Chrome::new("organisations", title),
        action,
        cancel,
        submit,
        values,
        errors,
        kinds: kind_choices(),
    }))
}

async fn organisation_new() -> PageResult<Response> {
    let values = OrganisationDraft {
        kind: "customer".into(),
        ..OrganisationDraft::default()
    };
    organisation_form(
        "New organisation".into(),
        "/organisations".into(),
        "/organisations".into(),
        "Create organisation",
        values,
        FormErrors::default(),
    )
    .await
}

async fn organisation_create(
    State(state): State<AppState>,
    FormInput(fields): FormInput<OrganisationFields>,
) -> PageResult<Response> {
    let draft = OrganisationDraft::from(fields);
    let saved =
        async { organisations::create(&state.db, state.clock.now(), draft.validate()?).await }
            .await;
    after_save(
        saved,
        |o| format!("/organisations/{}", o.id),
        async |errors| {
            organisation_form(
                "New organisation".into(),
                "/organisations".into(),
                "/organisations".into(),
                "Create organisation",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn organisation_page(
    state: &AppState,
    id: OrganisationId,
    error: Option<String>,
) -> PageResult<OrganisationShow> {
    let organisation = organisations::get(&state.db, id).await?;
    let options = ListOptions {
        page: PageRequest {
            limit: 20,
            after: None,
        },
        ..ListOptions::default()
    };
    let people = people::list(
        &state.db,
        &people::Filter {
            organisation: Some(id),
        },
        &options,
    )
    .await?;
    Ok(OrganisationShow {
        chrome: Chrome::new("organisations", organisation.name.to_string()),
        more_people: people.next.is_some(),
        people: people.items,
        organisation,
        error,
    })
}

async fn organisation_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    Ok(render(
        &organisation_page(&state, path_id(&id)?, None).await?,
    ))
}

async fn organisation_edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let organisation = organisations::get(&state.db, path_id(&id)?).await?;
    let url = format!("/organisations/{}", organisation.id);
    organisation_form(
        format!("Edit {}", organisation.name),
        url.clone(),
        url,
        "Save changes",
        OrganisationDraft::from_record(&organisation),
        FormErrors::default(),
    )
    .await
}

async fn organisation_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormInput(fields): FormInput<OrganisationFields>,
) -> PageResult<Response> {
    let id: OrganisationId = path_id(&id)?;
    let draft = OrganisationDraft::from(fields);
    let saved =
        async { organisations::update(&state.db, state.clock.now(), id, draft.validate()?).await }
            .await;
    let url = format!("/organisations/{id}");
    after_save(
        saved,
        |o| format!("/organisations/{}", o.id),
        async |errors| {
            organisation_form(
                "Edit organisation".into(),
                url.clone(),
                url,
                "Save changes",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn organisation_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let id: OrganisationId = path_id(&id)?;
    match organisations::delete(&state.db, id).await {
        Ok(()) => Ok(see_other("/organisations")),
        Err(Error::Conflict { message, .. }) => {
            let mut response = render(&organisation_page(&state, id, Some(message)).await?);
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(error) => Err(error.into()),
    }
}

// ---------------------------------------------------------------- people

#[derive(Template)]
#[template(path = "directory/person_list.html")]
struct PersonList {
    chrome: Chrome,
    items: Vec<Person>,
    links: ListLinks,
    q: String,
    organisation: String,
    organisations: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "directory/person_show.html")]
struct PersonShow {
    chrome: Chrome,
    person: Person,
    teams: Vec<Team>,
}

#[derive(Template)]
#[template(path = "directory/person_form.html")]
struct PersonForm {
    chrome: Chrome,
    action: String,
    cancel: String,
    submit: &'static str,
    values: PersonDraft,
    errors: FormErrors,
    organisations: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
struct PersonFields {
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
}

impl From<PersonFields> for PersonDraft {
    fn from(f: PersonFields) -> Self {
        Self {
            organisation_id: f.organisation_id,
            name: f.name,
            email: f.email,
            phone: f.phone,
            job_title: f.job_title,
        }
    }
}

async fn person_list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&people::Sort::OPTIONS)?;
    let filter = people::Filter {
        organisation: optional(&query.organisation, |o| parse_id("organisation", o))?,
    };
    let page = people::list(&state.db, &filter, &options).await?;
    let links = query.links(
        "/people",
        &options,
        page.next.map(|c| c.encode()),
        vec![("organisation", query.organisation.clone())],
    );
    Ok(render(&PersonList {
        chrome: Chrome::new("people", "People"),
        items: page.items,
        links,
        q: query.q,
        organisation: query.organisation,
        organisations: choice_list(organisations::choices(&state.db).await?),
    }))
}

async fn person_form(
    state: &AppState,
    title: String,
    action: String,
    cancel: String,
    submit: &'static str,
    values: PersonDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&PersonForm {
        chrome: Chrome::new("people", title),
        action,
        cancel,
        submit,
        values,
        errors,
        organisations: choice_list(organisations::choices(&state.db).await?),
    }))
}

#[derive(Debug, Default, Deserialize)]
struct NewPersonQuery {
    #[serde(default)]
    organisation: String,
}

async fn person_new(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<NewPersonQuery>,
) -> PageResult<Response> {
    let values = PersonDraft {
        organisation_id: query.organisation,
        ..PersonDraft::default()
    };
    person_form(
        &state,
        "New person".into(),
        "/people".into(),
        "/people".into(),
        "Create person",
        values,
        FormErrors::default(),
    )
    .await
}

async fn person_create(
    State(state): State<AppState>,
    FormInput(fields): FormInput<PersonFields>,
) -> PageResult<Response> {
    let draft = PersonDraft::from(fields);
    let saved =
        async { people::create(&state.db, state.clock.now(), draft.validate()?).await }.await;
    after_save(
        saved,
        |p| format!("/people/{}", p.id),
        async |errors| {
            person_form(
                &state,
                "New person".into(),
                "/people".into(),
                "/people".into(),
                "Create person",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn person_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let person = people::get(&state.db, path_id(&id)?).await?;
    let filter = teams::Filter {
        member: Some(person.id),
        ..teams::Filter::default()
    };
    let options = ListOptions {
        page: PageRequest {
            limit: PageRequest::MAX_LIMIT,
            after: None,
        },
        ..ListOptions::default()
    };
    let teams = teams::list(&state.db, &filter, &options).await?.items;
    Ok(render(&PersonShow {
        chrome: Chrome::new("people", person.name.to_string()),
        person,
        teams,
    }))
}

async fn person_edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let person = people::get(&state.db, path_id(&id)?).await?;
    let url = format!("/people/{}", person.id);
    person_form(
        &state,
        format!("Edit {}", person.name),
        url.clone(),
        url,
        "Save changes",
        PersonDraft::from_record(&person),
        FormErrors::default(),
    )
    .await
}

async fn person_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormInput(fields): FormInput<PersonFields>,
) -> PageResult<Response> {
    let id: PersonId = path_id(&id)?;
    let draft = PersonDraft::from(fields);
    let saved =
        async { people::update(&state.db, state.clock.now(), id, draft.validate()?).await }.await;
    let url = format!("/people/{id}");
    after_save(
        saved,
        |p| format!("/people/{}", p.id),
        async |errors| {
            person_form(
                &state,
                "Edit person".into(),
                url.clone(),
                url,
                "Save changes",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn person_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    people::delete(&state.db, path_id(&id)?).await?;
    Ok(see_other("/people"))
}

// ---------------------------------------------------------------- teams

#[derive(Template)]
#[template(path = "directory/team_list.html")]
struct TeamList {
    chrome: Chrome,
    items: Vec<Team>,
    links: ListLinks,
    q: String,
    level: String,
    levels: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "directory/team_show.html")]
struct TeamShow {
    chrome: Chrome,
    team: Team,
    members: Vec<teams::Member>,
}

#[derive(Template)]
#[template(path = "directory/team_form.html")]
struct TeamForm {
    chrome: Chrome,
    action: String,
    cancel: String,
    submit: &'static str,
    values: TeamDraft,
    errors: FormErrors,
    organisations: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    people: Vec<(String, String)>,
}

impl TeamForm {
    fn is_member(&self, id: &str) -> bool {
        self.values.members.iter().any(|m| m == id)
    }
}

#[derive(Debug, Default, Deserialize)]
struct TeamFields {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    members: Vec<String>,
}

impl From<TeamFields> for TeamDraft {
    fn from(f: TeamFields) -> Self {
        Self {
            organisation_id: f.organisation_id,
            name: f.name,
            level: f.level,
            description: f.description,
            members: f.members,
        }
    }
}

async fn team_list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&teams::Sort::OPTIONS)?;
    let filter = teams::Filter {
        level: optional(&query.level, |l| TeamLevel::parse("level", l))?,
        member: None,
    };
    let page = teams::list(&state.db, &filter, &options).await?;
    let links = query.links(
        "/teams",
        &options,
        page.next.map(|c| c.encode()),
        vec![("level", query.level.clone())],
    );
    Ok(render(&TeamList {
        chrome: Chrome::new("teams", "Teams"),
        items: page.items,
        links,
        q: query.q,
        level: query.level,
        levels: level_choices(),
    }))
}

async fn team_form(
    state: &AppState,
    title: String,
    action: String,
    cancel: String,
    submit: &'static str,
    values: TeamDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&TeamForm {
        chrome: Chrome::new("teams", title),
        action,
        cancel,
        submit,
        values,
        errors,
        organisations: choice_list(organisations::choices(&state.db).await?),
        levels: level_choices(),
        people: choice_list(people::choices(&state.db).await?),
    }))
}

async fn team_new(State(state): State<AppState>) -> PageResult<Response> {
    team_form(
        &state,
        "New team".into(),
        "/teams".into(),
        "/teams".into(),
        "Create team",
        TeamDraft::default(),
        FormErrors::default(),
    )
    .await
}

async fn team_create(
    State(state): State<AppState>,
    FormInput(fields): FormInput<TeamFields>,
) -> PageResult<Response> {
    let draft = TeamDraft::from(fields);
    let saved =
        async { teams::create(&state.db, state.clock.now(), draft.validate()?).await }.await;
    after_save(
        saved,
        |t| format!("/teams/{}", t.id),
        async |errors| {
            team_form(
                &state,
                "New team".into(),
                "/teams".into(),
                "/teams".into(),
                "Create team",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn team_show(State(state): State<AppState>, Path(id): Path<String>) -> PageResult<Response> {
    let id: TeamId = path_id(&id)?;
    let team = teams::get(&state.db, id).await?;
    let members = teams::members(&state.db, id).await?;
    Ok(render(&TeamShow {
        chrome: Chrome::new("teams", team.name.to_string()),
        team,
        members,
    }))
}

async fn team_edit(State(state): State<AppState>, Path(id): Path<String>) -> PageResult<Response> {
    let id: TeamId = path_id(&id)?;
    let team = teams::get(&state.db, id).await?;
    let members: Vec<PersonId> = teams::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let url = format!("/teams/{id}");
    team_form(
        &state,
        format!("Edit {}", team.name),
        url.clone(),
        url,
        "Save changes",
        TeamDraft::from_record(&team, &members),
        FormErrors::default(),
    )
    .await
}

async fn team_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormInput(fields): FormInput<TeamFields>,
) -> PageResult<Response> {
    let id: TeamId = path_id(&id)?;
    let draft = TeamDraft::from(fields);
    let saved =
        async { teams::update(&state.db, state.clock.now(), id, draft.validate()?).await }.await;
    let url = format!("/teams/{id}");
    after_save(
        saved,
        |t| format!("/teams/{}", t.id),
        async |errors| {
            team_form(
                &state,
                "Edit team".into(),
                url.clone(),
                url,
                "Save changes",
                draft,
                errors,
            )
            .await
        },
    )
    .await
}

async fn team_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    teams::delete(&state.db, path_id(&id)?).await?;
    Ok(see_other("/teams"))
}
