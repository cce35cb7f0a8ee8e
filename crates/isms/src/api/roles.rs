//! Roles and responsibilities through the API: ISMS role assignments with their history, the
//! responsibility matrix (RACI) over the processes or a framework's controls, and management
//! decisions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, created, reference};
use utoipa::{IntoParams, ToSchema};

use crate::roles::{
    AssignmentDraft, AssignmentId, Cells, DecisionDraft, DecisionId, Gaps, Process, check_row,
};
use crate::store::roles::{self, Assignment, Decision, Rows};

/// The edition whose controls the matrix shows when none is named.
pub const DEFAULT_FRAMEWORK: &str = "iso27001-2022";

/// A person's assignment to an ISMS role.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    #[schema(format = Uuid)]
    id: String,
    /// `ciso`, `information-security-manager`, `asset-owner`, `risk-owner`,
    /// `internal-auditor` or `management-representative`.
    role: &'static str,
    person: Reference,
    /// `YYYY-MM-DD`.
    since: String,
    /// `YYYY-MM-DD` once it ended.
    until: Option<String>,
    /// What the holder does: the assignment's own description or the role's default.
    duties: String,
    /// Whether the description is the role's default.
    default_duties: bool,
}

impl AssignmentView {
    fn new(a: &Assignment) -> Self {
        Self {
            id: a.id.to_string(),
            role: a.role.as_str(),
            person: reference(a.person.0, a.person.1.clone()),
            since: a.since.to_string(),
            until: a.until.map(|d| d.to_string()),
            duties: a.duties().to_owned(),
            default_duties: a.description.is_empty(),
        }
    }
}

/// The assignments, current first, then the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentList {
    items: Vec<AssignmentView>,
}

/// Every ISMS role assignment, current and ended.
#[utoipa::path(get, path = "/isms-roles", tag = "isms",
    responses((status = 200, body = AssignmentList)))]
pub(super) async fn list_assignments(
    State(state): State<AppState>,
) -> ApiResult<Json<AssignmentList>> {
    let items = roles::assignments(&state.db).await?;
    Ok(Json(AssignmentList {
        items: items.iter().map(AssignmentView::new).collect(),
    }))
}

/// A new assignment's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssignmentBody {
    role: String,
    /// One of the provider's staff.
    #[schema(format = Uuid)]
    person_id: String,
    /// `YYYY-MM-DD`.
    since: String,
    /// Overrides the role's default description; empty keeps it.
    description: String,
}

/// Assign an ISMS role. The CISO and the management representative pass from their current
/// holder, whose assignment ends on the new one's first day.
#[utoipa::path(post, path = "/isms-roles", tag = "isms", request_body = AssignmentBody,
    responses((status = 201, body = AssignmentView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn assign(
    write: Write,
    ApiJson(body): ApiJson<AssignmentBody>,
) -> ApiResult<Response> {
    let input = AssignmentDraft {
        role: body.role,
        person_id: body.person_id,
        since: body.since,
        description: body.description,
    }
    .validate()?;
    let assignment = roles::assign(&write, &input).await?;
    Ok(created(
        format!("/api/v1/isms-roles/{}", assignment.id),
        AssignmentView::new(&assignment),
    ))
}

/// The end of an assignment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EndBody {
    /// `YYYY-MM-DD`, not before the assignment began.
    until: String,
}

/// End an assignment; it stays in the history.
#[utoipa::path(post, path = "/isms-roles/{id}/end", tag = "isms", params(("id" = String, Path)), request_body = EndBody,
    responses((status = 200, body = AssignmentView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn end_assignment(
    write: Write,
    InPath(id): InPath<AssignmentId>,
    ApiJson(body): ApiJson<EndBody>,
) -> ApiResult<Json<AssignmentView>> {
    let ended = roles::end(&write, id, &body.until).await?;
    Ok(Json(AssignmentView::new(&ended)))
}

/// A row of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowView {
    /// The process's key (`risk-assessment`) or the control's reference (`A.5.15`).
    key: String,
    title: String,
    /// The letter (`R`, `A`, `C`, `I`) of each role that has one.
    cells: BTreeMap<String, String>,
    /// No role is accountable.
    no_accountable: bool,
    /// No role is responsible.
    no_responsible: bool,
}

impl RowView {
    fn new(key: String, title: String, cells: &Cells) -> Self {
        let gaps = Gaps::of(cells);
        Self {
            key,
            title,
            cells: cells
                .iter()
                .map(|(role, letter)| (role.as_str().to_owned(), letter.as_str().to_owned()))
                .collect(),
            no_accountable: gaps.no_accountable,
            no_responsible: gaps.no_responsible,
        }
    }
}

/// The responsibility matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixView {
    /// The framework whose controls are the rows; absent for the processes.
    framework: Option<String>,
    rows: Vec<RowView>,
    /// How many rows lack an A or an R.
    gaps: usize,
}

/// Which rows of the matrix.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, default)]
pub struct MatrixQuery {
    /// A framework of the library (`iso27001-2022`): its controls are the rows. Absent: the
    /// ISMS's processes.
    framework: Option<String>,
}

/// The rows of `rows` with their keys and titles, in order: the processes, or the controls of
/// the framework (not found when the library has no such framework).
pub(crate) async fn subjects(
    state: &AppState,
    rows: &Rows,
) -> tandem_kernel::Result<Vec<(String, String)>> {
    match rows {
        Rows::Processes => Ok(Process::ALL
            .iter()
            .map(|p| (p.as_str().to_owned(), p.label().to_owned()))
            .collect()),
        Rows::Controls(framework) => {
            let catalogue = tandem_frameworks::api::catalogue(&state.db).await?;
            if catalogue.framework(framework).is_none() {
                return Err(Error::NotFound {
                    entity: "framework",
                });
            }
            Ok(catalogue
                .nodes_of(framework)
                .iter()
                .map(|ix| catalogue.node(*ix))
                .filter(|n| n.kind == tandem_frameworks::model::NodeKind::Control && !n.withdrawn)
                .map(|n| (n.reference.clone(), n.title.clone()))
                .collect())
        }
    }
}

/// The matrix of `rows`: every row with its cells and gaps.
pub(crate) async fn matrix(
    state: &AppState,
    rows: &Rows,
) -> tandem_kernel::Result<Vec<(String, String, Cells)>> {
    let mut filled = roles::matrix(&state.db, rows).await?;
    Ok(subjects(state, rows)
        .await?
        .into_iter()
        .map(|(key, title)| {
            let cells = filled.remove(&key).unwrap_or_default();
            (key, title, cells)
        })
        .collect())
}

/// The responsibility matrix over the ISMS's processes, or over the controls of a framework
/// with `?framework=`; rows without an A or an R are flagged as gaps.
#[utoipa::path(get, path = "/raci", tag = "isms", params(MatrixQuery),
    responses((status = 200, body = MatrixView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_matrix(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MatrixQuery>,
) -> ApiResult<Json<MatrixView>> {
    let rows = query
        .framework
        .clone()
        .map_or(Rows::Processes, Rows::Controls);
    let rows: Vec<RowView> = matrix(&state, &rows)
        .await?
        .into_iter()
        .map(|(key, title, cells)| RowView::new(key, title, &cells))
        .collect();
    Ok(Json(MatrixView {
        framework: query.framework,
        gaps: rows
            .iter()
            .filter(|r| r.no_accountable || r.no_responsible)
            .count(),
        rows,
    }))
}

/// A row's cells, replacing the row.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RowBody {
    /// A framework of the library: the row is one of its controls. Absent: a process.
    framework: Option<String>,
    /// The letter of each role (`{"ciso": "A", "risk-owner": "R"}`); roles left out or empty
    /// have no letter.
    cells: BTreeMap<String, String>,
}

/// Replace a row of the matrix. A row has at most one A: two are refused, naming the row.
#[utoipa::path(put, path = "/raci/{key}", tag = "isms", params(("key" = String, Path)), request_body = RowBody,
    responses((status = 200, body = RowView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn put_row(
    State(state): State<AppState>,
    write: Write,
    InPath(key): InPath<String>,
    ApiJson(body): ApiJson<RowBody>,
) -> ApiResult<Json<RowView>> {
    let rows = body.framework.map_or(Rows::Processes, Rows::Controls);
    let view = save(&state, &write, &rows, &key, &body.cells).await?;
    Ok(Json(view))
}

/// Checks and saves row `key` of `rows`: not found unless it is a process or a control of the
/// framework.
pub(crate) async fn save(
    state: &AppState,
    write: &Write,
    rows: &Rows,
    key: &str,
    typed: &BTreeMap<String, String>,
) -> tandem_kernel::Result<RowView> {
    let title = subjects(state, rows)
        .await?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, title)| title)
        .ok_or(Error::NotFound { entity: "row" })?;
    let cells = check_row(key, typed)?;
    let saved = roles::save_row(write, rows, key, &cells).await?;
    Ok(RowView::new(key.to_owned(), title, &saved))
}

/// A decision of management.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    #[schema(format = Uuid)]
    id: String,
    /// `YYYY-MM-DD`.
    decided_on: String,
    title: String,
    /// `commitment`, `resources`, `policy`, `risk-acceptance`, `objective` or `other`.
    kind: &'static str,
    text: String,
    decided_by: Reference,
    resources: String,
    document: Option<Reference>,
    supersedes: Option<Reference>,
    superseded_by: Option<Reference>,
    recorded_by: Reference,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    recorded_at: time::OffsetDateTime,
}

impl DecisionView {
    fn new(d: &Decision) -> Self {
        Self {
            id: d.id.to_string(),
            decided_on: d.decided_on.to_string(),
            title: d.title.clone(),
            kind: d.kind.as_str(),
            text: d.text.clone(),
            decided_by: reference(d.decided_by.0, d.decided_by.1.clone()),
            resources: d.resources.clone(),
            document: d
                .document
                .as_ref()
                .map(|(id, number, title)| reference(id, format!("{number} {title}"))),
            supersedes: d
                .supersedes
                .as_ref()
                .map(|(id, t)| reference(id, t.clone())),
            superseded_by: d
                .superseded_by
                .as_ref()
                .map(|(id, t)| reference(id, t.clone())),
            recorded_by: reference(d.recorded_by.0, d.recorded_by.1.clone()),
            recorded_at: d.recorded_at,
        }
    }
}

/// The decisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionList {
    items: Vec<DecisionView>,
}

/// Every management decision, the newest first.
#[utoipa::path(get, path = "/decisions", tag = "isms",
    responses((status = 200, body = DecisionList)))]
pub(super) async fn list_decisions(State(state): State<AppState>) -> ApiResult<Json<DecisionList>> {
    let items = roles::decisions(&state.db).await?;
    Ok(Json(DecisionList {
        items: items.iter().map(DecisionView::new).collect(),
    }))
}

/// A decision's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DecisionBody {
    /// `YYYY-MM-DD`, today or before.
    decided_on: String,
    title: String,
    /// `commitment`, `resources`, `policy`, `risk-acceptance`, `objective` or `other`.
    kind: String,
    /// What was decided.
    text: String,
    /// Who decided: one of the provider's staff.
    #[schema(format = Uuid)]
    decided_by: String,
    /// The resources committed.
    resources: String,
    #[schema(format = Uuid)]
    document_id: String,
    /// The earlier decision this one replaces.
    #[schema(format = Uuid)]
    supersedes: String,
}

/// Record a decision of management. It is not edited afterwards, only superseded.
#[utoipa::path(post, path = "/decisions", tag = "isms", request_body = DecisionBody,
    responses((status = 201, body = DecisionView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(super) async fn record_decision(
    write: Write,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult<Response> {
    let input = DecisionDraft {
        decided_on: body.decided_on,
        title: body.title,
        kind: body.kind,
        text: body.text,
        decided_by: body.decided_by,
        resources: body.resources,
        document_id: body.document_id,
        supersedes: body.supersedes,
    }
    .validate(write.now.date())?;
    let decision = roles::record(&write, &input).await?;
    Ok(created(
        format!("/api/v1/decisions/{}", decision.id),
        DecisionView::new(&decision),
    ))
}

/// Read a decision.
#[utoipa::path(get, path = "/decisions/{id}", tag = "isms", params(("id" = String, Path)),
    responses((status = 200, body = DecisionView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(super) async fn get_decision(
    State(state): State<AppState>,
    InPath(id): InPath<DecisionId>,
) -> ApiResult<Json<DecisionView>> {
    Ok(Json(DecisionView::new(
        &roles::get_decision(&state.db, id).await?,
    )))
}
