//! Change pages: the list, a change's page with its next steps, and the forms that write a
//! change, take a step, vote and record checks.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::store::people;
use tandem_kernel::id::parse_id;
use tandem_kernel::{Error, Permission, Scope};
use tandem_web::page::{after_save, bad_address, choices, render, see_other, when};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageError, PageQuery, PageResult,
    RequestAccess,
};
use time::OffsetDateTime;

use crate::change::{
    ChangeDraft, ChangeId, ChangeInput, ci_lines_text, form_instant, number_text, read_ci_lines,
};
use crate::lifecycle::{Category, CheckResult, NextStep, Risk, State as ChangeState, Step, Vote};
use crate::store::changes::{self, Change, Detail, Filter, StepRequest};
use crate::store::templates;

/// Helpers the change templates share.
trait Shown {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn maybe(&self, at: &Option<OffsetDateTime>) -> String {
        at.as_ref().map(when).unwrap_or_default()
    }

    fn number(&self, number: &i64) -> String {
        number_text(*number)
    }

    /// `T-000042`.
    fn ticket(&self, number: &i64) -> String {
        tandem_kernel::id::TICKETS.text(*number)
    }
}

/// The query string of the change list.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    before: Option<i64>,
}

const PAGE_SIZE: i64 = 50;

/// A filter word of the address, if given; a word the vocabulary lacks is a bad address.
fn word<T>(
    field: &str,
    raw: &str,
    parse: fn(&str, &str) -> Result<T, tandem_kernel::FieldError>,
) -> PageResult<Option<T>> {
    (!raw.is_empty())
        .then(|| parse(field, raw))
        .transpose()
        .map_err(|e| bad_address(Error::Invalid(vec![e])))
}

#[derive(Template)]
#[template(path = "changes/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Change>,
    q: String,
    state: String,
    category: String,
    states: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    /// The link to the next page, if there is one.
    next: Option<String>,
}

impl Shown for ListPage {}

/// `GET /changes`.
pub(super) async fn list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let filter = Filter {
        state: word("state", &query.state, ChangeState::parse)?,
        category: word("category", &query.category, Category::parse)?,
        search: Some(query.q.clone()),
        before: query.before,
    };
    let mut items = changes::list(&state.db, &filter, PAGE_SIZE + 1).await?;
    let next = (items.len() > usize::try_from(PAGE_SIZE).unwrap_or(50)).then(|| {
        items.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
        let last = items.last().map_or(0, |c| c.number);
        format!(
            "/changes?q={}&state={}&category={}&before={last}",
            tandem_web::page::encode_component(&query.q),
            query.state,
            query.category
        )
    });
    Ok(render(&ListPage {
        chrome: Chrome::new("changes", "Changes"),
        items,
        q: query.q,
        state: query.state,
        category: query.category,
        states: ChangeState::choices(),
        categories: Category::choices(),
        next,
    }))
}

#[derive(Template)]
#[template(path = "changes/show.html")]
struct ShowPage {
    chrome: Chrome,
    detail: Detail,
    steps: Vec<NextStep>,
    errors: FormErrors,
    votes: Vec<(String, String)>,
    results: Vec<(String, String)>,
    cab: Vec<(String, String)>,
    checklist: String,
}

impl Shown for ShowPage {}

impl ShowPage {
    fn change(&self) -> &Change {
        &self.detail.change
    }

    /// Whether a step's form asks for a reason, the fallback carried out, or a note.
    fn asks(&self, step: &Step, what: &str) -> bool {
        match what {
            "reason" => matches!(step, Step::Reject | Step::Cancel),
            "fallback" => *step == Step::Fail,
            "note" => matches!(step, Step::Verify | Step::Fail),
            _ => false,
        }
    }
}

async fn show_page(
    state: &AppState,
    access: &tandem_kernel::access::Access,
    id: ChangeId,
    errors: FormErrors,
) -> PageResult<Response> {
    let (detail, steps) = changes::next_steps(
        &state.db,
        &access.actor,
        access.may(Permission::ChangesManage),
        state.clock.now(),
        id,
    )
    .await?;
    let checklist = detail
        .checks
        .iter()
        .map(|c| c.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let cab = if access.may(Permission::ChangesManage) {
        choices(tandem_identity::read::staff_with(&state.db, Permission::ChangesVote).await?)
    } else {
        Vec::new()
    };
    let status = if errors.summary.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut response = render(&ShowPage {
        chrome: Chrome::new("changes", detail.change.reference()),
        detail,
        steps,
        errors,
        votes: Vote::choices(),
        results: CheckResult::choices(),
        cab,
        checklist,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /changes/{id}`.
pub(super) async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<ChangeId>,
) -> PageResult<Response> {
    show_page(&state, &access, id, FormErrors::default()).await
}

/// The change form's fields as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Fields {
    title: String,
    owner_id: String,
    initiator_id: String,
    cause_text: String,
    cause_ticket: String,
    description: String,
    configuration: String,
    category: String,
    template_id: String,
    risk: String,
    risk_override_reason: String,
    planned_start: String,
    planned_end: String,
    fallback: String,
    implementer_id: String,
    conflicts_ack_reason: String,
    /// One CI a line, with its planned update.
    cis: String,
    version: i64,
}

impl Fields {
    fn of(change: &Change, detail: &Detail) -> Self {
        let id = |p: &Option<crate::lifecycle::PersonRef>| {
            p.as_ref().map(|p| p.id.to_string()).unwrap_or_default()
        };
        Self {
            title: change.title.clone(),
            owner_id: change.owner.id.to_string(),
            initiator_id: id(&change.initiator),
            cause_text: change.cause_text.clone(),
            cause_ticket: change
                .cause_ticket
                .as_ref()
                .map(|(_, n, _)| tandem_kernel::id::TICKETS.text(*n))
                .unwrap_or_default(),
            description: change.description.clone(),
            configuration: change.configuration.clone(),
            category: change.category.as_str().to_owned(),
            template_id: change
                .template
                .as_ref()
                .map(|(t, _)| t.to_string())
                .unwrap_or_default(),
            risk: change
                .risk
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            risk_override_reason: change.risk_override_reason.clone(),
            planned_start: form_instant(change.planned_start),
            planned_end: form_instant(change.planned_end),
            fallback: change.fallback.clone(),
            implementer_id: id(&change.implementer),
            conflicts_ack_reason: change.conflicts_ack_reason.clone(),
            cis: ci_lines_text(detail.cis.iter().map(|c| (c.name.as_str(), &c.update))),
            version: change.version,
        }
    }

    /// The change these fields make, the CIs looked up by number or name; every field's
    /// problem is reported at once.
    async fn input(&self, state: &AppState) -> Result<ChangeInput, Error> {
        let known = super::known_cis(state).await?;
        let cis = read_ci_lines(&self.cis, |name| super::find_ci(&known, name));
        let checked = ChangeDraft {
            title: self.title.clone(),
            owner_id: self.owner_id.clone(),
            initiator_id: self.initiator_id.clone(),
            cause_text: self.cause_text.clone(),
            cause_ticket: self.cause_ticket.clone(),
            description: self.description.clone(),
            configuration: self.configuration.clone(),
            category: self.category.clone(),
            template_id: self.template_id.clone(),
            risk: self.risk.clone(),
            risk_override_reason: self.risk_override_reason.clone(),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            fallback: self.fallback.clone(),
            implementer_id: self.implementer_id.clone(),
            conflicts_ack_reason: self.conflicts_ack_reason.clone(),
            cis: cis.as_ref().cloned().unwrap_or_default(),
        }
        .validate();
        match (cis, checked) {
            (Ok(_), checked) => checked,
            (Err(lines), Ok(_)) => Err(lines),
            (Err(lines), Err(fields)) => Err(Error::Invalid(
                [lines.field_errors(), fields.field_errors()].concat(),
            )),
        }
    }
}

#[derive(Template)]
#[template(path = "changes/form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: Fields,
    /// Everyone, for the initiator.
    people: Vec<(String, String)>,
    /// The provider's staff who may own changes.
    owners: Vec<(String, String)>,
    /// The provider's staff who may carry changes out.
    implementers: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    risks: Vec<(String, String)>,
    cis: Vec<String>,
    errors: FormErrors,
}

async fn form(
    state: &AppState,
    frame: FormFrame,
    values: Fields,
    errors: FormErrors,
) -> PageResult<Response> {
    Ok(render(&FormPage {
        chrome: Chrome::new("changes", frame.title.clone()),
        frame,
        values,
        people: choices(people::choices(&state.db, Scope::Everything).await?),
        owners: choices(
            tandem_identity::read::staff_with(&state.db, Permission::ChangesSubmit).await?,
        ),
        implementers: choices(
            tandem_identity::read::staff_with(&state.db, Permission::ChangesWork).await?,
        ),
        categories: Category::choices(),
        templates: templates::all(&state.db)
            .await?
            .into_iter()
            .filter(|t| t.active)
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        risks: Risk::choices(),
        cis: super::known_cis(state)
            .await?
            .into_iter()
            .map(|(_, label)| label)
            .collect(),
        errors,
    }))
}

/// Which template a new standard change starts from.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    template: String,
}

/// `GET /changes/new`: the owner is the person writing it; from a template, a standard change.
pub(super) async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<NewQuery>,
) -> PageResult<Response> {
    let mut values = Fields {
        owner_id: access.actor.id.map(|id| id.to_string()).unwrap_or_default(),
        category: Category::Regular.as_str().to_owned(),
        ..Fields::default()
    };
    if !query.template.is_empty() {
        let id = parse_id("template", &query.template).map_err(|_| PageError::not_found())?;
        let template = templates::get(&state.db, id).await?;
        values.category = Category::Standard.as_str().to_owned();
        values.template_id = template.id.to_string();
        values.title = template.name;
    }
    let frame = FormFrame::create("New change", "/changes", "Create change");
    form(&state, frame, values, FormErrors::default()).await
}

/// `POST /changes`.
pub(super) async fn create(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let saved = async {
        let input = fields.input(&state).await?;
        changes::create(&write, access.may(Permission::ChangesManage), input).await
    }
    .await;
    let frame = FormFrame::create("New change", "/changes", "Create change");
    after_save(
        saved,
        |c| format!("/changes/{}", c.id),
        async |errors| form(&state, frame, fields, errors).await,
    )
    .await
}

/// `GET /changes/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    InPath(id): InPath<ChangeId>,
) -> PageResult<Response> {
    let detail = changes::get_detail(&state.db, id).await?;
    let change = &detail.change;
    let frame = FormFrame::edit(
        format!("Edit {}", change.reference()),
        format!("/changes/{}", change.id),
        change.version,
    );
    form(
        &state,
        frame,
        Fields::of(change, &detail),
        FormErrors::default(),
    )
    .await
}

/// `POST /changes/{id}`.
pub(super) async fn update(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ChangeId>,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let saved = async {
        let input = fields.input(&state).await?;
        changes::update(
            &write,
            access.may(Permission::ChangesManage),
            id,
            fields.version,
            input,
        )
        .await
    }
    .await;
    let change = changes::get(&state.db, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", change.reference()),
        format!("/changes/{id}"),
        fields.version,
    );
    after_save(
        saved,
        |c| format!("/changes/{}", c.id),
        async |errors| form(&state, frame, fields, errors).await,
    )
    .await
}

/// A step's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StepFields {
    step: String,
    reason: String,
    fallback_carried_out: String,
    note: String,
    version: Option<i64>,
}

/// Runs `saved`; on success back to the change page, else the change page with the errors.
async fn back_to_change<T>(
    state: &AppState,
    access: &tandem_kernel::access::Access,
    id: ChangeId,
    saved: Result<T, Error>,
) -> PageResult<Response> {
    match saved {
        Ok(_) => Ok(see_other(&format!("/changes/{id}"))),
        Err(error) => show_page(state, access, id, FormErrors::from_error(error)?).await,
    }
}

/// `POST /changes/{id}/steps`.
pub(super) async fn step(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ChangeId>,
    FormInput(fields): FormInput<StepFields>,
) -> PageResult<Response> {
    let saved = async {
        let step = Step::parse("step", &fields.step)?;
        crate::api::may_take(&access, step)?;
        changes::take_step(
            &write,
            access.may(Permission::ChangesManage),
            id,
            &StepRequest {
                step,
                reason: fields.reason.clone(),
                fallback_carried_out: fields.fallback_carried_out.clone(),
                note: fields.note.clone(),
                version: fields.version,
            },
        )
        .await
    }
    .await;
    back_to_change(&state, &access, id, saved).await
}

/// A vote's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct VoteFields {
    vote: String,
    comment: String,
    voter_id: String,
}

/// `POST /changes/{id}/votes`.
pub(super) async fn vote(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ChangeId>,
    FormInput(fields): FormInput<VoteFields>,
) -> PageResult<Response> {
    let saved = async {
        let vote = Vote::parse("vote", &fields.vote)?;
        let voter = match fields.voter_id.trim() {
            "" => None,
            raw => Some(parse_id("voter_id", raw)?),
        };
        changes::vote(
            &write,
            access.may(Permission::ChangesManage),
            id,
            voter,
            vote,
            &fields.comment,
        )
        .await
    }
    .await;
    back_to_change(&state, &access, id, saved).await
}

/// `POST /changes/{id}/checklist`: one check a line.
pub(super) async fn checklist(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<ChangeId>,
    FormInput(fields): FormInput<BTreeMap<String, String>>,
) -> PageResult<Response> {
    let texts: Vec<String> = fields
        .get("checks")
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    let saved =
        changes::set_checklist(&write, access.may(Permission::ChangesManage), id, &texts).await;
    back_to_change(&state, &access, id, saved).await
}

/// A check result's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CheckFields {
    result: String,
    note: String,
}

/// `POST /changes/{id}/checks/{position}`.
pub(super) async fn check(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath((id, position)): InPath<(ChangeId, i64)>,
    FormInput(fields): FormInput<CheckFields>,
) -> PageResult<Response> {
    let saved = async {
        let result = CheckResult::parse("result", &fields.result)?;
        changes::record_check(&write, id, position, result, &fields.note).await
    }
    .await;
    back_to_change(&state, &access, id, saved).await
}
