//! Gap assessments in the API: list, create, read and delete them, set or clear the statuses
//! declared in them, and read the coverage derived from those statuses (as JSON or CSV).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_storage::save_current;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::catalogue;
use crate::analysis::{Coverage, Status};
use crate::assessment::{Assessment, AssessmentDraft, AssessmentId, check_changes};
use crate::catalogue::Catalogue;
use crate::{export, store};

/// A gap assessment and the statuses declared in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    source_framework: String,
    target_framework: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    version: i64,
    /// Present when reading one assessment.
    #[serde(skip_serializing_if = "Option::is_none")]
    statuses: Option<Vec<StatusEntry>>,
}

/// A status declared for a source node.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusEntry {
    #[serde(rename = "ref")]
    reference: String,
    /// `implemented`, `partial`, `planned`, `not_implemented`, `not_applicable`; in a change,
    /// an empty string or `none` clears the status.
    status: String,
    #[serde(default)]
    note: String,
}

fn assessment_view(a: Assessment, statuses: Option<Vec<StatusEntry>>) -> AssessmentView {
    AssessmentView {
        id: a.id.to_string(),
        name: a.name.into_inner(),
        source_framework: a.source_framework,
        target_framework: a.target_framework,
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
        statuses,
    }
}

/// A page of assessments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentList {
    items: Vec<AssessmentView>,
    /// Pass as `after` for the next page; `null` on the last page.
    next: Option<String>,
}

/// Query parameters of the assessment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    q: Option<String>,
    dir: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

/// List gap assessments by name.
#[utoipa::path(get, path = "/gap-assessments", tag = "frameworks", params(AssessmentQuery),
    responses((status = 200, body = AssessmentList), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn list_assessments(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AssessmentQuery>,
) -> ApiResult<Json<AssessmentList>> {
    let options = ListOptions::parse(
        &ListParams {
            search: query.q.as_deref(),
            sort: None,
            direction: query.dir.as_deref(),
            after: query.after.as_deref(),
            limit: query.limit,
        },
        &store::ByName::OPTIONS,
    )?;
    let page = store::list(&state.db, &options).await?;
    Ok(Json(AssessmentList {
        items: page
            .items
            .into_iter()
            .map(|a| assessment_view(a, None))
            .collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// The fields of a new gap assessment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// Unique, at most 200 characters.
    name: String,
    /// The framework whose implementation you declare, e.g. `seed001-ism`.
    source_framework: String,
    /// The framework whose coverage is derived, e.g. `iso27001-2005`.
    target_framework: String,
}

/// Create a gap assessment.
#[utoipa::path(post, path = "/gap-assessments", tag = "frameworks", request_body = NewAssessment,
    responses((status = 201, body = AssessmentView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn create_assessment(
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<NewAssessment>,
) -> ApiResult<Response> {
    let input = AssessmentDraft {
        name: body.name,
        source_framework: body.source_framework,
        target_framework: body.target_framework,
    }
    .validate(&*catalogue(&state.db).await?)?;
    let created = store::create(&write, input).await?;
    let location = format!("/api/v1/gap-assessments/{}", created.id);
    Ok(tandem_web::created(
        location,
        assessment_view(created, Some(Vec::new())),
    ))
}

async fn assessment_with_statuses(
    state: &AppState,
    id: AssessmentId,
) -> Result<AssessmentView, Error> {
    let assessment = store::get(&state.db, id).await?;
    let mut statuses = store::statuses(&state.db, id).await?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let order = |reference: &str| {
        catalogue
            .find(&assessment.source_framework, reference)
            .unwrap_or(usize::MAX)
    };
    statuses.sort_by_key(|d| order(&d.reference));
    let entries = statuses
        .into_iter()
        .map(|d| StatusEntry {
            reference: d.reference,
            status: d.status.as_str().to_owned(),
            note: d.note,
        })
        .collect();
    Ok(assessment_view(assessment, Some(entries)))
}

/// Read a gap assessment with its declared statuses.
#[utoipa::path(get, path = "/gap-assessments/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, body = AssessmentView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_assessment(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(assessment_with_statuses(&state, id).await?))
}

/// Delete a gap assessment.
#[utoipa::path(delete, path = "/gap-assessments/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn delete_assessment(
    InPath(id): InPath<AssessmentId>,
    write: Write,
) -> ApiResult<StatusCode> {
    store::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Status changes for many source nodes at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChanges {
    /// The assessment's `version` these changes are based on; if it was changed since, 409.
    version: Option<i64>,
    statuses: Vec<StatusEntry>,
}

/// Set or clear the statuses of source nodes, all or nothing.
#[utoipa::path(patch, path = "/gap-assessments/{id}/statuses", tag = "frameworks", params(("id" = String, Path)), request_body = StatusChanges,
    responses((status = 200, body = AssessmentView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn change_statuses(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
    write: Write,
    ApiJson(body): ApiJson<StatusChanges>,
) -> ApiResult<Json<AssessmentView>> {
    let raw: Vec<(String, String, String)> = body
        .statuses
        .into_iter()
        .map(|e| (e.reference, e.status, e.note))
        .collect();
    save_current(id.0, body.version, || async {
        let assessment = store::get(&state.db, id).await?;
        let changes = check_changes(
            &*catalogue(&state.db).await?,
            &assessment.source_framework,
            &raw,
        )?;
        let version = body.version.unwrap_or(assessment.version);
        store::change_statuses(&write, id, version, &changes).await
    })
    .await?;
    Ok(Json(assessment_with_statuses(&state, id).await?))
}

/// The derived status of one target node.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageNode {
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    parent: Option<String>,
    /// `None` (null): nothing in the source reaches this node — a gap.
    status: Option<&'static str>,
    /// The status comes from the node's sub-nodes.
    rolled_up: bool,
    /// The status descends (at most partial) from this ancestor, reached by a mapping.
    inherited_from: Option<String>,
    /// The paths that reached the node, best first.
    explanation: Vec<ExplanationView>,
}

/// One path from a source node to the target node.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationView {
    source_ref: String,
    source_title: String,
    source_status: &'static str,
    /// What this path lets through.
    status: &'static str,
    path: Vec<HopView>,
}

/// One mapping followed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HopView {
    from: String,
    to: String,
    /// The relation read in the direction travelled.
    relation: &'static str,
    provenance: String,
}

/// The coverage of a target framework.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageView {
    source_framework: String,
    target_framework: String,
    /// How many target nodes have each status; `gap` counts those nothing reaches.
    counts: std::collections::BTreeMap<String, usize>,
    nodes: Vec<CoverageNode>,
}

pub(crate) fn coverage_view(catalogue: &Catalogue, coverage: &Coverage) -> CoverageView {
    let key = |ix: usize| {
        let n = catalogue.node(ix);
        format!("{} {}", n.framework, n.reference)
    };
    let counts = coverage
        .counts()
        .into_iter()
        .map(|(s, n)| (s.map_or("gap", Status::as_str).to_owned(), n))
        .collect();
    let nodes = coverage
        .nodes
        .iter()
        .map(|(ix, derived)| {
            let node = catalogue.node(*ix);
            CoverageNode {
                reference: node.reference.clone(),
                title: node.title.clone(),
                parent: node.parent.clone(),
                status: derived.status.map(Status::as_str),
                rolled_up: derived.rolled_up,
                inherited_from: derived
                    .inherited_from
                    .map(|a| catalogue.node(a).reference.clone()),
                explanation: derived
                    .contributions
                    .iter()
                    .map(|c| ExplanationView {
                        source_ref: catalogue.node(c.source).reference.clone(),
                        source_title: catalogue.node(c.source).title.clone(),
                        source_status: c.source_status.as_str(),
                        status: c.status.as_str(),
                        path: c
                            .path
                            .iter()
                            .map(|h| HopView {
                                from: key(h.from),
                                to: key(h.to),
                                relation: h.relation.as_str(),
                                provenance: catalogue.mapping(h.mapping).provenance.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    CoverageView {
        source_framework: coverage.source.clone(),
        target_framework: coverage.target.clone(),
        counts,
        nodes,
    }
}

pub(crate) async fn assessment_coverage(
    state: &AppState,
    id: AssessmentId,
) -> Result<(Assessment, Coverage), Error> {
    let assessment = store::get(&state.db, id).await?;
    let declared = store::statuses(&state.db, id).await?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let statuses = store::by_node(catalogue, &assessment.source_framework, &declared);
    let coverage = crate::analysis::analyse(
        catalogue,
        &assessment.source_framework,
        &assessment.target_framework,
        &statuses,
    )
    .map_err(|e| Error::conflict(e.to_string()))?;
    Ok((assessment, coverage))
}

/// The coverage of the target framework derived from the declared statuses, with explanations.
#[utoipa::path(get, path = "/gap-assessments/{id}/coverage", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, body = CoverageView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_coverage(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
) -> ApiResult<Json<CoverageView>> {
    let (_, coverage) = assessment_coverage(&state, id).await?;
    Ok(Json(coverage_view(
        &*catalogue(&state.db).await?,
        &coverage,
    )))
}

/// The coverage as CSV: one line per target node, with the gaps and the best explanation.
#[utoipa::path(get, path = "/gap-assessments/{id}/coverage.csv", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn coverage_csv(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
) -> ApiResult<Response> {
    let (assessment, coverage) = assessment_coverage(&state, id).await?;
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        &format!("coverage-{}.csv", assessment.target_framework),
        export::coverage_csv(&*catalogue(&state.db).await?, &coverage),
    ))
}
