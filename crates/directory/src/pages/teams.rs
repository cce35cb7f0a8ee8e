//! Team pages.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Scope;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
    RequestAccess,
};

use super::{ListQuery, filter};
use crate::store::{organisations, people, teams};
use crate::{PersonId, Team, TeamDraft, TeamId, TeamLevel};
use tandem_web::page::choices;

fn levels() -> Vec<(String, String)> {
    TeamLevel::ALL
        .iter()
        .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "directory/team_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Team>,
    links: tandem_web::list::ListLinks,
    q: String,
    level: String,
    levels: Vec<(String, String)>,
}

pub(super) async fn list(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = query.options(&teams::Sort::OPTIONS)?;
    let filter = teams::Filter {
        level: filter(&query.level, |l| TeamLevel::parse("level", l))?,
        member: None,
    };
    let page = teams::list(&state.db, access.scope, &filter, &options).await?;
    let links = query.links(
        "/teams",
        &options,
        page.next.map(|c| c.encode()),
        ("level", query.level.clone()),
    );
    Ok(render(&ListPage {
        chrome: Chrome::new("teams", "Teams"),
        items: page.items,
        links,
        q: query.q,
        level: query.level,
        levels: levels(),
    }))
}

#[derive(Template)]
#[template(path = "directory/team_show.html")]
struct ShowPage {
    chrome: Chrome,
    team: Team,
    members: Vec<teams::Member>,
}

pub(super) async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TeamId>,
) -> PageResult<Response> {
    let team = teams::get(&state.db, access.scope, id).await?;
    let members = teams::members(&state.db, id).await?;
    Ok(render(&ShowPage {
        chrome: Chrome::new("teams", team.name.to_string()),
        team,
        members,
    }))
}

#[derive(Template)]
#[template(path = "directory/team_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: TeamDraft,
    errors: FormErrors,
    organisations: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    people: Vec<(String, String)>,
}

impl FormPage {
    fn is_member(&self, id: &str) -> bool {
        self.values.members.iter().any(|m| m == id)
    }
}

/// The fields of the team form; `members` repeats once per ticked person.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Fields {
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
    #[serde(default)]
    lead: String,
    #[serde(default)]
    version: i64,
}

impl Fields {
    fn draft(self) -> (TeamDraft, i64) {
        let draft = TeamDraft {
            organisation_id: self.organisation_id,
            name: self.name,
            level: self.level,
            description: self.description,
            members: self.members,
            lead: self.lead,
        };
        (draft, self.version)
    }
}

async fn form(
    state: &AppState,
    scope: Scope,
    frame: FormFrame,
    values: TeamDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&FormPage {
        chrome: Chrome::new("teams", frame.title.clone()),
        frame,
        values,
        errors,
        organisations: choices(organisations::choices(&state.db, scope).await?),
        levels: levels(),
        people: choices(people::choices(&state.db, scope).await?),
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New team", "/teams", "Create team")
}

pub(super) async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    form(
        &state,
        access.scope,
        create_frame(),
        TeamDraft::default(),
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
    let saved = async { teams::create(&write, draft.validate()?).await }.await;
    after_save(
        saved,
        |t| format!("/teams/{}", t.id),
        async |errors| form(&state, access.scope, create_frame(), draft, errors).await,
    )
    .await
}

pub(super) async fn edit(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TeamId>,
) -> PageResult<Response> {
    let team = teams::get(&state.db, access.scope, id).await?;
    let members: Vec<PersonId> = teams::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let frame = FormFrame::edit(
        format!("Edit {}", team.name),
        format!("/teams/{id}"),
        team.version,
    );
    form(
        &state,
        access.scope,
        frame,
        TeamDraft::from_record(&team, &members),
        FormErrors::default(),
    )
    .await
}

pub(super) async fn update(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TeamId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let (draft, version) = fields.draft();
    let saved = async { teams::update(&write, id, version, draft.validate()?).await }.await;
    let frame = FormFrame::edit("Edit team".into(), format!("/teams/{id}"), version);
    after_save(
        saved,
        |t| format!("/teams/{}", t.id),
        async |errors| form(&state, access.scope, frame, draft, errors).await,
    )
    .await
}

pub(super) async fn delete(InPath(id): InPath<TeamId>, write: Write) -> PageResult<Response> {
    teams::delete(&write, id).await?;
    Ok(see_other("/teams"))
}
