//! Change management's JSON API under `/api/v1`: changes and their life-cycle steps, the CAB's
//! votes, the verification checklist, standard-change templates, blackout periods, the change
//! calendar (JSON and iCalendar), the change log export and the change-reconciliation report.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::access::Access;
use tandem_kernel::{Error, FieldError, Need, Permission, id::parse_id};
use tandem_web::{
    ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, RequestAccess, Routes, created,
    download, reference,
};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::change::{
    BlackoutDraft, ChangeDraft, ChangeId, CiLine, TemplateDraft, TemplateId, number_text,
};
use crate::lifecycle::{
    Category, CheckResult, NextStep, PersonRef, State as ChangeState, Step, Vote,
};
use crate::store::blackouts::{self, Blackout, BlackoutId};
use crate::store::changes::{self, Change, Detail, Filter, StepRequest};
use crate::store::reports;
use crate::store::templates::{self, Template};
use tandem_kernel::clock::parse_instant;

/// Change management's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::ChangesRead);
    let submit = Need::Permission(Permission::ChangesSubmit);
    let work = Need::Permission(Permission::ChangesWork);
    let manage = Need::Permission(Permission::ChangesManage);
    let vote = Need::Permission(Permission::ChangesVote);
    Routes::new()
        .api(read, routes!(list_changes))
        .api(submit, routes!(create_change))
        .api(read, routes!(get_change))
        .api(submit, routes!(update_change))
        .api(read, routes!(next_steps))
        .api(submit, routes!(take_step))
        .api(vote, routes!(cast_vote))
        .api(submit, routes!(set_checklist))
        .api(work, routes!(record_check))
        .api(read, routes!(export_log))
        .api(read, routes!(calendar))
        .api(read, routes!(calendar_feed))
        .api(read, routes!(unexplained_versions))
        .api(read, routes!(list_templates))
        .api(manage, routes!(create_template))
        .api(manage, routes!(update_template))
        .api(read, routes!(list_blackouts))
        .api(manage, routes!(create_blackout))
        .api(manage, routes!(delete_blackout))
        .api(read, routes!(get_settings))
        .api(manage, routes!(update_settings))
}

// ---------------------------------------------------------------- views

fn person(p: &PersonRef) -> Reference {
    reference(p.id, p.name.clone())
}

/// A change: the fields of seed 000 section 5.6 and its life cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    id: String,
    /// `C-000042`, the seed's incremental id.
    number: String,
    title: String,
    owner: Reference,
    initiator: Option<Reference>,
    /// Who raised it when no person did (a process or token).
    initiator_label: String,
    cause_text: String,
    /// `T-000042`.
    cause_ticket: Option<String>,
    description: String,
    /// The configuration change itself, in computer language.
    configuration: String,
    /// `regular`, `standard`, `emergency` or `non-operational`.
    category: String,
    template: Option<Reference>,
    risk: Option<String>,
    risk_suggested: Option<String>,
    risk_explanation: String,
    risk_override_reason: String,
    state: String,
    close_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    planned_start: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    planned_end: Option<OffsetDateTime>,
    fallback: String,
    implementer: Option<Reference>,
    approver: Option<Reference>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    approved_at: Option<OffsetDateTime>,
    approval_retroactive: bool,
    approval_missed: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    actual_start: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    actual_end: Option<OffsetDateTime>,
    /// Whether the change succeeded; empty until verified or failed.
    success: Option<bool>,
    fallback_carried_out: String,
    verifier: Option<Reference>,
    verification_note: String,
    conflicts_ack_reason: String,
    customers_to_notify: Vec<String>,
    version: i64,
}

impl From<&Change> for ChangeView {
    fn from(c: &Change) -> Self {
        Self {
            id: c.id.to_string(),
            number: number_text(c.number),
            title: c.title.clone(),
            owner: person(&c.owner),
            initiator: c.initiator.as_ref().map(person),
            initiator_label: c.initiator_label.clone(),
            cause_text: c.cause_text.clone(),
            cause_ticket: c
                .cause_ticket
                .as_ref()
                .map(|(_, n, _)| tandem_kernel::id::TICKETS.text(*n)),
            description: c.description.clone(),
            configuration: c.configuration.clone(),
            category: c.category.as_str().to_owned(),
            template: c
                .template
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            risk: c.risk.map(|r| r.as_str().to_owned()),
            risk_suggested: c.risk_suggested.map(|r| r.as_str().to_owned()),
            risk_explanation: c.risk_explanation.clone(),
            risk_override_reason: c.risk_override_reason.clone(),
            state: c.state.as_str().to_owned(),
            close_reason: c.close_reason.map(|r| r.as_str().to_owned()),
            planned_start: c.planned_start,
            planned_end: c.planned_end,
            fallback: c.fallback.clone(),
            implementer: c.implementer.as_ref().map(person),
            approver: c.approver.as_ref().map(person),
            approved_at: c.approved_at,
            approval_retroactive: c.approval_retroactive,
            approval_missed: c.approval_missed,
            actual_start: c.actual_start,
            actual_end: c.actual_end,
            success: c.success,
            fallback_carried_out: c.fallback_carried_out.clone(),
            verifier: c.verifier.as_ref().map(person),
            verification_note: c.verification_note.clone(),
            conflicts_ack_reason: c.conflicts_ack_reason.clone(),
            customers_to_notify: c.customers_to_notify.clone(),
            version: c.version,
        }
    }
}

/// A CI the change is carried out on, with the update it makes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeCiView {
    id: String,
    /// `CI-000012`.
    number: String,
    name: String,
    update: BTreeMap<String, String>,
    /// The CI version the update became, once implemented.
    applied_version: Option<i64>,
}

/// A CAB member's vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    voter: Reference,
    /// `approve`, `reject` or `abstain`.
    vote: String,
    comment: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// The change manager who recorded it on the voter's behalf; empty for the voter's own.
    recorded_by: String,
    /// Whether it counts towards consent: the owner's and the implementer's do not.
    counted: bool,
}

impl From<&changes::CabVote> for VoteView {
    fn from(v: &changes::CabVote) -> Self {
        Self {
            voter: person(&v.voter),
            vote: v.vote.as_str().to_owned(),
            comment: v.comment.clone(),
            at: v.at,
            recorded_by: v.recorded_by.clone(),
            counted: v.counted,
        }
    }
}

/// One check of the post-change verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    position: i64,
    text: String,
    /// `passed`, `failed`, `not-applicable`, or empty while open.
    result: Option<String>,
    note: String,
    checked_by: String,
}

impl From<&changes::Check> for CheckView {
    fn from(c: &changes::Check) -> Self {
        Self {
            position: c.position,
            text: c.text.clone(),
            result: c.result.map(|r| r.as_str().to_owned()),
            note: c.note.clone(),
            checked_by: c.checked_by.clone(),
        }
    }
}

/// A rule that stands in the way, or refused a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    /// `G1` … `G17`, `retro`, `who`, `state`, `reason`.
    rule: String,
    message: String,
}

/// A step open from the change's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextStepView {
    step: String,
    label: String,
    to: String,
    /// Empty when the step can be taken now.
    missing: Vec<RuleView>,
}

impl From<&NextStep> for NextStepView {
    fn from(s: &NextStep) -> Self {
        Self {
            step: s.step.as_str().to_owned(),
            label: s.step.label().to_owned(),
            to: s.to.as_str().to_owned(),
            missing: s
                .missing
                .iter()
                .map(|r| RuleView {
                    rule: r.rule.to_owned(),
                    message: r.message.clone(),
                })
                .collect(),
        }
    }
}

/// A step the change took.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionView {
    step: String,
    from: String,
    to: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    actor: String,
    reason: String,
}

/// A change with its CIs, votes, checks, history and what its window runs into.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDetailView {
    change: ChangeView,
    cis: Vec<ChangeCiView>,
    votes: Vec<VoteView>,
    /// Counted approvals and rejections against the quorum.
    consent: ConsentView,
    checks: Vec<CheckView>,
    transitions: Vec<TransitionView>,
    conflicts: Vec<String>,
    blackouts: Vec<String>,
}

/// The CAB's consent as the votes stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    counted_approvals: u32,
    counted_rejections: u32,
    quorum: u32,
    given: bool,
}

impl From<&Detail> for ChangeDetailView {
    fn from(d: &Detail) -> Self {
        Self {
            change: ChangeView::from(&d.change),
            cis: d
                .cis
                .iter()
                .map(|ci| ChangeCiView {
                    id: ci.ci_id.to_string(),
                    number: tandem_cmdb::ci::number_text(ci.number),
                    name: ci.name.clone(),
                    update: ci.update.clone(),
                    applied_version: ci.applied_version,
                })
                .collect(),
            votes: d.votes.iter().map(VoteView::from).collect(),
            consent: ConsentView {
                counted_approvals: d.consent.counted_approvals,
                counted_rejections: d.consent.counted_rejections,
                quorum: d.consent.quorum,
                given: d.consent.given,
            },
            checks: d.checks.iter().map(CheckView::from).collect(),
            transitions: d
                .transitions
                .iter()
                .map(|t| TransitionView {
                    step: t.step.clone(),
                    from: t.from.clone(),
                    to: t.to.clone(),
                    at: t.at,
                    actor: t.actor.clone(),
                    reason: t.reason.clone(),
                })
                .collect(),
            conflicts: d.conflicts.clone(),
            blackouts: d.blackout_texts(),
        }
    }
}

// ---------------------------------------------------------------- changes

/// A CI of a change and the update it makes when implemented.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CiBody {
    ci_id: String,
    /// Attribute keys (or `lifecycle`) to their new values.
    #[serde(default)]
    update: BTreeMap<String, String>,
}

/// A change as written: everything but the owner may be left out of a draft.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChangeBody {
    title: String,
    owner_id: String,
    initiator_id: String,
    cause_text: String,
    /// `T-000042`.
    cause_ticket: String,
    description: String,
    configuration: String,
    /// `regular` (the default), `standard`, `emergency` or `non-operational`.
    category: String,
    /// For a standard change: the template it is made from.
    template_id: String,
    /// `low`, `medium` or `high`; empty takes the suggestion.
    risk: String,
    risk_override_reason: String,
    /// RFC 3339, e.g. `2026-12-10T22:00:00Z`.
    planned_start: String,
    planned_end: String,
    fallback: String,
    implementer_id: String,
    conflicts_ack_reason: String,
    cis: Vec<CiBody>,
    /// The version edited (for updates).
    version: Option<i64>,
}

impl ChangeBody {
    fn draft(self) -> (ChangeDraft, Option<i64>) {
        (
            ChangeDraft {
                title: self.title,
                owner_id: self.owner_id,
                initiator_id: self.initiator_id,
                cause_text: self.cause_text,
                cause_ticket: self.cause_ticket,
                description: self.description,
                configuration: self.configuration,
                category: self.category,
                template_id: self.template_id,
                risk: self.risk,
                risk_override_reason: self.risk_override_reason,
                planned_start: self.planned_start,
                planned_end: self.planned_end,
                fallback: self.fallback,
                implementer_id: self.implementer_id,
                conflicts_ack_reason: self.conflicts_ack_reason,
                cis: self
                    .cis
                    .into_iter()
                    .map(|c| CiLine {
                        ci_id: c.ci_id,
                        update: c.update,
                    })
                    .collect(),
            },
            self.version,
        )
    }
}

/// Filters of the change list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// A life-cycle state.
    state: Option<String>,
    category: Option<String>,
    /// Words of the title, or `C-000042`.
    q: Option<String>,
    /// Changes numbered below this one (the next page).
    before: Option<i64>,
    /// At most this many (1 to 500, default 50).
    limit: Option<i64>,
}

fn filter_of(query: &ChangeQuery) -> Result<Filter, Error> {
    let state = query
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| ChangeState::parse("state", s))
        .transpose()?;
    let category = query
        .category
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| Category::parse("category", s))
        .transpose()?;
    Ok(Filter {
        state,
        category,
        search: query.q.clone(),
        before: query.before,
    })
}

/// List changes, newest first.
#[utoipa::path(get, path = "/changes", tag = "changes", params(ChangeQuery),
    responses((status = 200, body = Vec<ChangeView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_changes(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ChangeQuery>,
) -> ApiResult<Json<Vec<ChangeView>>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "must be from 1 to 500").into());
    }
    let filter = filter_of(&query)?;
    let changes = changes::list(&state.db, &filter, limit).await?;
    Ok(Json(changes.iter().map(ChangeView::from).collect()))
}

/// Write a new change (state draft).
#[utoipa::path(post, path = "/changes", tag = "changes", request_body = ChangeBody,
    responses((status = 201, body = ChangeView), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_change(
    RequestAccess(access): RequestAccess,
    write: Write,
    ApiJson(body): ApiJson<ChangeBody>,
) -> ApiResult<Response> {
    let (draft, _) = body.draft();
    let input = draft.validate()?;
    let change = changes::create(&write, access.may(Permission::ChangesManage), input).await?;
    Ok(created(
        format!("/api/v1/changes/{}", change.id),
        ChangeView::from(&change),
    ))
}

/// Read a change with its CIs, votes, checks and history.
#[utoipa::path(get, path = "/changes/{id}", tag = "changes", params(("id" = String, Path)),
    responses((status = 200, body = ChangeDetailView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_change(
    State(state): State<AppState>,
    InPath(id): InPath<ChangeId>,
) -> ApiResult<Json<ChangeDetailView>> {
    let detail = changes::get_detail(&state.db, id).await?;
    Ok(Json(ChangeDetailView::from(&detail)))
}

/// Change a change. Its owner, initiator or a change manager edits it until it starts; once it
/// is approved, its configuration, category and CIs stay as approved.
#[utoipa::path(put, path = "/changes/{id}", tag = "changes", params(("id" = String, Path)),
    request_body = ChangeBody,
    responses((status = 200, body = ChangeView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_change(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<ChangeId>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> ApiResult<Json<ChangeView>> {
    let (draft, version) = body.draft();
    let version = version
        .ok_or_else(|| Error::invalid("version", "say which version of the change you edited"))?;
    let input = draft.validate()?;
    let change = changes::update(
        &write,
        access.may(Permission::ChangesManage),
        id,
        version,
        input,
    )
    .await?;
    Ok(Json(ChangeView::from(&change)))
}

/// The steps open to the caller now, each with the rules that still stand in its way.
#[utoipa::path(get, path = "/changes/{id}/next", tag = "changes", params(("id" = String, Path)),
    responses((status = 200, body = Vec<NextStepView>), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn next_steps(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<ChangeId>,
) -> ApiResult<Json<Vec<NextStepView>>> {
    let (_, steps) = changes::next_steps(
        &state.db,
        &access.actor,
        access.may(Permission::ChangesManage),
        state.clock.now(),
        id,
    )
    .await?;
    Ok(Json(steps.iter().map(NextStepView::from).collect()))
}

/// A step in the life cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `submit`, `assess`, `approve`, `reject`, `reopen`, `schedule`, `unschedule`, `start`,
    /// `implement`, `fail`, `verify`, `close`, `cancel` or `approve-retroactively`.
    step: String,
    /// Why; required to reject or cancel.
    #[serde(default)]
    reason: String,
    /// For `fail`: what was done to fall back.
    #[serde(default)]
    fallback_carried_out: String,
    /// For `verify` and `fail` after implementation: the verifier's note.
    #[serde(default)]
    note: String,
    /// The version of the change the caller saw.
    version: Option<i64>,
}

/// Whether the access may take `step` at all: carrying out and verifying changes is work.
pub(crate) fn may_take(access: &Access, step: Step) -> Result<(), Error> {
    let work = matches!(
        step,
        Step::Start | Step::Implement | Step::Fail | Step::Verify
    );
    if work && !access.may(Permission::ChangesWork) && !access.may(Permission::ChangesManage) {
        return Err(Error::Refused(vec![FieldError::new(
            "who",
            format!(
                "'{}' needs the permission changes.work: carrying out and verifying changes is an engineer's or change manager's work",
                step.label()
            ),
        )]));
    }
    Ok(())
}

/// Take a step. A refused step answers 409 with every rule that refused it in `details`
/// (`field` is the rule: `G1` … `G17`, `retro`, `who`, `state`, `reason`).
#[utoipa::path(post, path = "/changes/{id}/steps", tag = "changes", params(("id" = String, Path)),
    request_body = StepBody,
    responses((status = 200, body = ChangeView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn take_step(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<ChangeId>,
    ApiJson(body): ApiJson<StepBody>,
) -> ApiResult<Json<ChangeView>> {
    let step = Step::parse("step", &body.step).map_err(Error::from)?;
    may_take(&access, step)?;
    let change = changes::take_step(
        &write,
        access.may(Permission::ChangesManage),
        id,
        &StepRequest {
            step,
            reason: body.reason,
            fallback_carried_out: body.fallback_carried_out,
            note: body.note,
            version: body.version,
        },
    )
    .await?;
    Ok(Json(ChangeView::from(&change)))
}

/// A CAB vote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// `approve`, `reject` or `abstain`.
    vote: String,
    /// Required to reject.
    #[serde(default)]
    comment: String,
    /// A change manager records the vote of this CAB member (cast in a meeting or by phone);
    /// empty is the caller's own vote.
    #[serde(default)]
    voter_id: String,
}

/// Vote on a change as a member of the CAB; a new vote replaces the member's earlier one.
#[utoipa::path(post, path = "/changes/{id}/votes", tag = "changes", params(("id" = String, Path)),
    request_body = VoteBody,
    responses((status = 200, body = VoteView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn cast_vote(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<ChangeId>,
    ApiJson(body): ApiJson<VoteBody>,
) -> ApiResult<Json<VoteView>> {
    let vote = Vote::parse("vote", &body.vote).map_err(Error::from)?;
    let voter = match body.voter_id.trim() {
        "" => None,
        raw => Some(parse_id::<tandem_directory::PersonId>("voter_id", raw).map_err(Error::from)?),
    };
    let recorded = changes::vote(
        &write,
        access.may(Permission::ChangesManage),
        id,
        voter,
        vote,
        &body.comment,
    )
    .await?;
    Ok(Json(VoteView::from(&recorded)))
}

/// The verification checklist, one check a line.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistBody {
    checks: Vec<String>,
}

/// Replace the verification checklist (until the change starts).
#[utoipa::path(put, path = "/changes/{id}/checks", tag = "changes", params(("id" = String, Path)),
    request_body = ChecklistBody,
    responses((status = 200, body = Vec<CheckView>), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn set_checklist(
    RequestAccess(access): RequestAccess,
    write: Write,
    InPath(id): InPath<ChangeId>,
    ApiJson(body): ApiJson<ChecklistBody>,
) -> ApiResult<Json<Vec<CheckView>>> {
    let checks = changes::set_checklist(
        &write,
        access.may(Permission::ChangesManage),
        id,
        &body.checks,
    )
    .await?;
    Ok(Json(checks.iter().map(CheckView::from).collect()))
}

/// The result of one check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// `passed`, `failed` or `not-applicable`.
    result: String,
    #[serde(default)]
    note: String,
}

/// Record the result of a verification check (while the change is in progress or implemented).
#[utoipa::path(put, path = "/changes/{id}/checks/{position}", tag = "changes",
    params(("id" = String, Path), ("position" = i64, Path)), request_body = CheckBody,
    responses((status = 200, body = CheckView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn record_check(
    write: Write,
    InPath((id, position)): InPath<(ChangeId, i64)>,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult<Json<CheckView>> {
    let result = CheckResult::parse("result", &body.result).map_err(Error::from)?;
    let check = changes::record_check(&write, id, position, result, &body.note).await?;
    Ok(Json(CheckView::from(&check)))
}

// ---------------------------------------------------------------- reports

/// The change log as CSV: the 13 columns of seed 000 section 5.6 in the seed's order, then the
/// schedule, fallback, implementer, verifier, state, template and risk suggestion.
#[utoipa::path(get, path = "/changes/export.csv", tag = "changes",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub(crate) async fn export_log(State(state): State<AppState>) -> ApiResult<Response> {
    let rows = reports::change_log(&state.db).await?;
    let csv = crate::export::write_log(&rows);
    Ok(download("text/csv; charset=utf-8", "change-log.csv", csv))
}

/// The period of a calendar view.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// RFC 3339; default: now.
    from: Option<String>,
    /// RFC 3339; default: 28 days after `from`.
    to: Option<String>,
}

/// What a period asked for without `from` or `to` covers, and how long it may be.
pub struct Span {
    /// How long before now a period without `from` starts.
    pub back: Duration,
    /// How long a period without `to` lasts.
    pub default: Duration,
    /// The longest period, and what to say of a longer one.
    pub longest: (Duration, &'static str),
}

/// The calendar and the blackout list: 28 days from now, at most a year.
pub const CALENDAR: Span = Span {
    back: Duration::ZERO,
    default: Duration::days(28),
    longest: (Duration::days(366), "a calendar shows at most a year"),
};

/// The iCalendar feed: from 30 days back to a year ahead, at most 400 days.
pub const FEED: Span = Span {
    back: Duration::days(30),
    default: Duration::days(395),
    longest: (Duration::days(400), "a feed holds at most 400 days"),
};

/// Reads a period from `from` and `to` (RFC 3339), with the defaults and the bound of `span`.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    now: OffsetDateTime,
    span: &Span,
) -> Result<(OffsetDateTime, OffsetDateTime), Error> {
    let from = parse_instant("from", from.unwrap_or(""))?.unwrap_or(now - span.back);
    let to = parse_instant("to", to.unwrap_or(""))?.unwrap_or(from + span.default);
    if to <= from {
        return Err(Error::invalid("to", "must be after from"));
    }
    let (longest, too_long) = span.longest;
    if to - from > longest {
        return Err(Error::invalid("to", too_long));
    }
    Ok((from, to))
}

/// The period of the iCalendar feed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedPeriod {
    /// RFC 3339; default: 30 days ago.
    from: Option<String>,
    /// RFC 3339; default: 395 days after `from`; at most 400 days after it.
    to: Option<String>,
}

/// A change on the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarEntryView {
    change: ChangeView,
    cis: Vec<String>,
}

/// A blackout period.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlackoutView {
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    ends_at: OffsetDateTime,
    /// The CIs it covers; empty for all.
    cis: Vec<String>,
    allow_emergency: bool,
    reason: String,
}

impl From<&Blackout> for BlackoutView {
    fn from(b: &Blackout) -> Self {
        Self {
            id: b.id.to_string(),
            name: b.name.clone(),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            cis: b.cis.clone(),
            allow_emergency: b.allow_emergency,
            reason: b.reason.clone(),
        }
    }
}

/// Two changes in overlapping windows that get in each other's way.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictView {
    /// `C-000003`.
    first: String,
    second: String,
    /// `same-ci` (scheduling refuses it until acknowledged), `related` or `redundancy`
    /// (warnings).
    kind: &'static str,
    message: String,
}

/// The forward schedule of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeCalendarView {
    changes: Vec<CalendarEntryView>,
    blackouts: Vec<BlackoutView>,
    conflicts: Vec<ConflictView>,
}

/// The change calendar: changes whose window overlaps the period, and blackout periods.
#[utoipa::path(get, path = "/changes/calendar", tag = "changes", params(Period),
    responses((status = 200, body = ChangeCalendarView), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn calendar(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Period>,
) -> ApiResult<Json<ChangeCalendarView>> {
    let (from, to) = period(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        &CALENDAR,
    )?;
    let entries = reports::calendar(&state.db, from, to, false).await?;
    let blackouts = blackouts::between(&state.db, from, to).await?;
    let conflicts = reports::conflicts(&state.db, &entries).await?;
    Ok(Json(ChangeCalendarView {
        conflicts: conflicts
            .into_iter()
            .map(|c| ConflictView {
                first: number_text(c.first),
                second: number_text(c.second),
                kind: match c.kind {
                    crate::calendar::ConflictKind::SameCi => "same-ci",
                    crate::calendar::ConflictKind::Related => "related",
                    crate::calendar::ConflictKind::Redundancy => "redundancy",
                },
                message: c.message,
            })
            .collect(),
        changes: entries
            .iter()
            .map(|e| CalendarEntryView {
                change: ChangeView::from(&e.change),
                cis: e.ci_names(),
            })
            .collect(),
        blackouts: blackouts.iter().map(BlackoutView::from).collect(),
    }))
}

/// The change calendar as an iCalendar feed (RFC 5545): changes and blackout periods from
/// `from` (default 30 days back) to `to` (default a year after `from`), at most 400 days.
#[utoipa::path(get, path = "/changes/calendar.ics", tag = "changes", params(FeedPeriod),
    responses((status = 200, content_type = "text/calendar", body = String)))]
pub(crate) async fn calendar_feed(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<FeedPeriod>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let (from, to) = period(query.from.as_deref(), query.to.as_deref(), now, &FEED)?;
    let host = state
        .site
        .public_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|u| u.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("tandem.invalid")
        .to_owned();
    let body = crate::store::reports::ical_feed(
        &state.db,
        &host,
        state.site.public_url.as_deref().unwrap_or(""),
        now,
        (from, to),
    )
    .await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/calendar; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// A CI version no change explains.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnexplainedView {
    ci: Reference,
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    actor: String,
    /// `manual`, `ticket`, `import`, `reconciliation`, or `change` for a change that did not
    /// run at that time.
    cause: String,
    reason: String,
}

/// Change reconciliation: the versions of production and maintenance CIs that no change that
/// ran explains, newest first.
#[utoipa::path(get, path = "/changes/unexplained-versions", tag = "changes",
    responses((status = 200, body = Vec<UnexplainedView>)))]
async fn unexplained_versions(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<UnexplainedView>>> {
    let rows = reports::unexplained_versions(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|u| UnexplainedView {
                ci: reference(u.ci_id, u.ci),
                version: u.version,
                at: u.at,
                actor: u.actor,
                cause: u.cause,
                reason: u.reason,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- templates and blackouts

/// A standard-change template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    id: String,
    name: String,
    description: String,
    configuration: String,
    fallback: String,
    risk: String,
    checklist: Vec<String>,
    duration_minutes: i64,
    active: bool,
    approved_by: Option<Reference>,
    version: i64,
}

impl From<&Template> for TemplateView {
    fn from(t: &Template) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            description: t.description.clone(),
            configuration: t.configuration.clone(),
            fallback: t.fallback.clone(),
            risk: t.risk.as_str().to_owned(),
            checklist: t.checklist.clone(),
            duration_minutes: t.duration_minutes,
            active: t.active,
            approved_by: t.approver.as_ref().map(person),
            version: t.version,
        }
    }
}

/// A template as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    name: String,
    description: String,
    #[serde(default)]
    configuration: String,
    fallback: String,
    /// `low`, `medium` or `high`.
    risk: String,
    #[serde(default)]
    checklist: Vec<String>,
    duration_minutes: i64,
    #[serde(default = "yes")]
    active: bool,
    /// The version edited (for updates).
    version: Option<i64>,
}

fn yes() -> bool {
    true
}

impl TemplateBody {
    fn draft(&self) -> TemplateDraft {
        TemplateDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            configuration: self.configuration.clone(),
            fallback: self.fallback.clone(),
            risk: self.risk.clone(),
            checklist: self.checklist.join("\n"),
            duration_minutes: self.duration_minutes.to_string(),
            active: self.active,
        }
    }
}

/// The catalogue of standard changes.
#[utoipa::path(get, path = "/change-templates", tag = "changes",
    responses((status = 200, body = Vec<TemplateView>)))]
async fn list_templates(State(state): State<AppState>) -> ApiResult<Json<Vec<TemplateView>>> {
    let all = templates::all(&state.db).await?;
    Ok(Json(all.iter().map(TemplateView::from).collect()))
}

async fn save_template(
    write: &Write,
    id: Option<TemplateId>,
    body: TemplateBody,
) -> Result<Template, Error> {
    let input = body.draft().validate()?;
    let approver = changes::acting_person(&mut write.db.conn().await?, &write.actor).await?;
    let target = match id {
        None => None,
        Some(id) => Some((
            id,
            body.version.ok_or_else(|| {
                Error::invalid("version", "say which version of the template you edited")
            })?,
        )),
    };
    templates::save(write, target, &input, Some(&approver)).await
}

/// Add a template to the catalogue; the change manager who writes it approves it.
#[utoipa::path(post, path = "/change-templates", tag = "changes", request_body = TemplateBody,
    responses((status = 201, body = TemplateView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_template(
    write: Write,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Response> {
    let template = save_template(&write, None, body).await?;
    Ok(created(
        format!("/api/v1/change-templates/{}", template.id),
        TemplateView::from(&template),
    ))
}

/// Change a template; the editor approves it anew.
#[utoipa::path(put, path = "/change-templates/{id}", tag = "changes", params(("id" = String, Path)),
    request_body = TemplateBody,
    responses((status = 200, body = TemplateView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_template(
    write: Write,
    InPath(id): InPath<TemplateId>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Json<TemplateView>> {
    let template = save_template(&write, Some(id), body).await?;
    Ok(Json(TemplateView::from(&template)))
}

/// Blackout periods overlapping a period.
#[utoipa::path(get, path = "/blackouts", tag = "changes", params(Period),
    responses((status = 200, body = Vec<BlackoutView>), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_blackouts(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Period>,
) -> ApiResult<Json<Vec<BlackoutView>>> {
    let (from, to) = period(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        &CALENDAR,
    )?;
    let all = blackouts::between(&state.db, from, to).await?;
    Ok(Json(all.iter().map(BlackoutView::from).collect()))
}

/// A blackout period as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlackoutBody {
    name: String,
    /// RFC 3339.
    starts_at: String,
    ends_at: String,
    /// The CIs it covers; none for every CI.
    #[serde(default)]
    ci_ids: Vec<String>,
    /// Whether emergency changes may run in it.
    #[serde(default)]
    allow_emergency: bool,
    #[serde(default)]
    reason: String,
}

/// Add a blackout period.
#[utoipa::path(post, path = "/blackouts", tag = "changes", request_body = BlackoutBody,
    responses((status = 201, body = BlackoutView), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_blackout(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BlackoutBody>,
) -> ApiResult<Response> {
    let input = BlackoutDraft {
        name: body.name,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        ci_ids: body.ci_ids,
        allow_emergency: body.allow_emergency,
        reason: body.reason,
    }
    .validate()?;
    let id = blackouts::create(&write, &input).await?;
    let created_one = blackouts::between(&state.db, input.starts_at, input.ends_at)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(Error::NotFound {
            entity: "blackout period",
        })?;
    Ok(created(
        format!("/api/v1/blackouts/{id}"),
        BlackoutView::from(&created_one),
    ))
}

/// Remove a blackout period.
#[utoipa::path(delete, path = "/blackouts/{id}", tag = "changes", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_blackout(write: Write, InPath(id): InPath<BlackoutId>) -> ApiResult<StatusCode> {
    blackouts::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- settings

/// The settings of change management.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsView {
    /// How many counted CAB approvals an emergency change needs.
    cab_quorum: i64,
    /// How many hours after its start an emergency change may still be approved.
    retro_approval_hours: i64,
    /// Whether high-risk changes need the CAB's consent too.
    cab_for_high_risk: bool,
    /// How many minutes before its window a scheduled change may start.
    start_tolerance_minutes: i64,
    version: i64,
}

/// Read the settings of change management.
#[utoipa::path(get, path = "/change-settings", tag = "changes",
    responses((status = 200, body = SettingsView)))]
async fn get_settings(State(state): State<AppState>) -> ApiResult<Json<SettingsView>> {
    let (s, version) = crate::store::settings::get(&mut state.db.conn().await?).await?;
    Ok(Json(SettingsView {
        cab_quorum: i64::from(s.cab_quorum),
        retro_approval_hours: s.retro_approval_hours,
        cab_for_high_risk: s.cab_for_high_risk,
        start_tolerance_minutes: s.start_tolerance_minutes,
        version,
    }))
}

/// Change the settings of change management.
#[utoipa::path(put, path = "/change-settings", tag = "changes", request_body = SettingsView,
    responses((status = 200, body = SettingsView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_settings(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SettingsView>,
) -> ApiResult<Json<SettingsView>> {
    let settings = crate::store::settings::check(
        &body.cab_quorum.to_string(),
        &body.retro_approval_hours.to_string(),
        body.cab_for_high_risk,
        &body.start_tolerance_minutes.to_string(),
    )?;
    crate::store::settings::save(&write, body.version, &settings).await?;
    get_settings(State(state)).await
}
