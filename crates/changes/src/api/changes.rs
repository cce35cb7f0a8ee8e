//! The change record: its views, the list, writing and reading a change, the steps open to the
//! caller, taking a step, CAB votes, the verification checklist and its checks.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::access::Access;
use tandem_kernel::{Error, FieldError, Permission, id::parse_id};
use tandem_web::{
    ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, RequestAccess, created,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{ChangeView, person};
use crate::change::{ChangeDraft, ChangeId, CiLine};
use crate::lifecycle::{Category, CheckResult, NextStep, State as ChangeState, Step, Vote};
use crate::store::changes::{self, Detail, Filter, StepRequest};

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
                    step: t.step.as_str().to_owned(),
                    from: t.from.as_str().to_owned(),
                    to: t.to.as_str().to_owned(),
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
pub(crate) async fn list_changes(
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
pub(crate) async fn create_change(
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
pub(crate) async fn get_change(
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
pub(crate) async fn update_change(
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
pub(crate) async fn next_steps(
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
pub(crate) async fn take_step(
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
pub(crate) async fn cast_vote(
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
pub(crate) async fn set_checklist(
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
pub(crate) async fn record_check(
    write: Write,
    InPath((id, position)): InPath<(ChangeId, i64)>,
    ApiJson(body): ApiJson<CheckBody>,
) -> ApiResult<Json<CheckView>> {
    let result = CheckResult::parse("result", &body.result).map_err(Error::from)?;
    let check = changes::record_check(&write, id, position, result, &body.note).await?;
    Ok(Json(CheckView::from(&check)))
}
