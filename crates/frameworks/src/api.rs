//! The frameworks JSON API under `/api/v1`: browse frameworks, nodes and mappings; export them
//! as CSV; keep gap assessments and read their coverage; run the four seed-001 scenarios.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Error, Need, Permission};
use tandem_storage::save_current;
use tandem_web::{ApiBody, ApiError, ApiJson, ApiQuery, ApiResult, AppState, InPath, Routes};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::analysis::{Coverage, Status};
use crate::assessment::{Assessment, AssessmentDraft, AssessmentId, check_changes};
use crate::catalogue::Catalogue;
use crate::export;
use crate::model::Origin;
use crate::{scenarios, store};

/// The frameworks routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::FrameworksRead);
    let write = Need::Permission(Permission::FrameworksWrite);
    let assessments_read = Need::Permission(Permission::AssessmentsRead);
    let assessments_write = Need::Permission(Permission::AssessmentsWrite);
    let imports = Routes::new()
        .api(write, routes!(import_oscal_catalog))
        .api(write, routes!(import_oscal_mappings))
        .api(write, routes!(import_csv_mappings))
        .body_limit(MAX_IMPORT_BYTES);
    Routes::new()
        .merge(imports)
        .api(read, routes!(list_frameworks))
        .api(write, routes!(create_framework))
        .api(read, routes!(get_framework))
        .api(write, routes!(delete_framework))
        .api(read, routes!(framework_csv))
        .api(read, routes!(framework_oscal))
        .api(read, routes!(get_node))
        .api(read, routes!(list_mappings))
        .api(write, routes!(create_mappings))
        .api(write, routes!(delete_mapping))
        .api(read, routes!(mappings_csv))
        .api(read, routes!(mappings_oscal))
        .api(assessments_read, routes!(list_assessments))
        .api(assessments_write, routes!(create_assessment))
        .api(assessments_read, routes!(get_assessment))
        .api(assessments_write, routes!(delete_assessment))
        .api(assessments_write, routes!(change_statuses))
        .api(assessments_read, routes!(get_coverage))
        .api(assessments_read, routes!(coverage_csv))
        .api(read, routes!(list_scenarios))
        .api(read, routes!(get_scenario))
}

/// The catalogue as it stands: the shipped frameworks and those users added.
pub async fn catalogue(db: &tandem_storage::Db) -> Result<std::sync::Arc<Catalogue>, Error> {
    crate::custom::catalogue(db).await
}

/// The largest catalog or mapping file an import accepts (NIST SP 800-53 is about 10 MB).
pub const MAX_IMPORT_BYTES: usize = tandem_web::MAX_UPLOAD_BYTES;

fn unknown_framework(id: &str) -> ApiError {
    ApiError::not_found(format!("there is no framework `{id}`"))
}

// ---------------------------------------------------------------- frameworks and nodes

/// A framework and how big it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkView {
    id: String,
    name: String,
    edition: String,
    publisher: String,
    licence_note: String,
    source: String,
    description: String,
    /// `shipped` with Tandem, or `custom` (added here).
    origin: &'static str,
    node_count: usize,
    mapping_count: usize,
}

fn framework_view(catalogue: &Catalogue, id: &str) -> Option<FrameworkView> {
    let f = catalogue.framework(id)?;
    let nodes = catalogue.nodes_of(id);
    let mapping_count = catalogue
        .mappings()
        .iter()
        .filter(|m| m.source.framework == id || m.target.framework == id)
        .count();
    Some(FrameworkView {
        id: f.id.clone(),
        name: f.name.clone(),
        edition: f.edition.clone(),
        publisher: f.publisher.clone(),
        licence_note: f.licence_note.clone(),
        source: f.source.clone(),
        description: f.description.clone(),
        origin: match f.origin {
            Origin::Shipped => "shipped",
            Origin::Custom => "custom",
        },
        node_count: nodes.len(),
        mapping_count,
    })
}

/// A node of a framework.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeView {
    #[serde(rename = "ref")]
    reference: String,
    parent: Option<String>,
    kind: &'static str,
    title: String,
    /// Withdrawn from the framework (an OSCAL control whose `status` is `withdrawn`): kept so
    /// that old references resolve, no longer an active requirement.
    withdrawn: bool,
}

fn node_view(catalogue: &Catalogue, ix: usize) -> NodeView {
    let n = catalogue.node(ix);
    NodeView {
        reference: n.reference.clone(),
        parent: n.parent.clone(),
        kind: n.kind.as_str(),
        title: n.title.clone(),
        withdrawn: n.withdrawn,
    }
}

/// A framework with all its nodes in document order.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkDetail {
    #[serde(flatten)]
    framework: FrameworkView,
    nodes: Vec<NodeView>,
}

/// List every framework.
#[utoipa::path(get, path = "/frameworks", tag = "frameworks", responses((status = 200, body = Vec<FrameworkView>)))]
async fn list_frameworks(State(state): State<AppState>) -> ApiResult<Json<Vec<FrameworkView>>> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    Ok(Json(
        catalogue
            .frameworks()
            .iter()
            .filter_map(|f| framework_view(catalogue, &f.id))
            .collect(),
    ))
}

/// Read a framework with its nodes.
#[utoipa::path(get, path = "/frameworks/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, body = FrameworkDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_framework(
    State(state): State<AppState>,
    InPath(id): InPath<String>,
) -> ApiResult<Json<FrameworkDetail>> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let framework = framework_view(catalogue, &id).ok_or_else(|| unknown_framework(&id))?;
    let nodes = catalogue
        .nodes_of(&id)
        .iter()
        .map(|ix| node_view(catalogue, *ix))
        .collect();
    Ok(Json(FrameworkDetail { framework, nodes }))
}

/// Export a framework's nodes as CSV (the shipped `nodes.csv` format).
#[utoipa::path(get, path = "/frameworks/{id}/nodes.csv", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn framework_csv(
    State(state): State<AppState>,
    InPath(id): InPath<String>,
) -> ApiResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    catalogue
        .framework(&id)
        .ok_or_else(|| unknown_framework(&id))?;
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        &format!("{id}-nodes.csv"),
        export::nodes_csv(catalogue, &id),
    ))
}

/// A mapping with both ends named and titled.
#[derive(Debug, Serialize, ToSchema)]
pub struct MappingView {
    /// Set for mappings users added (they can be deleted); shipped mappings have none.
    #[schema(format = Uuid)]
    id: Option<String>,
    source_framework: String,
    source_ref: String,
    source_title: String,
    target_framework: String,
    target_ref: String,
    target_title: String,
    /// OSCAL relation, read "source is <relation> target".
    relation: &'static str,
    rationale: &'static str,
    confidence: Option<f64>,
    note: String,
    provenance: String,
}

pub(crate) fn mapping_view(catalogue: &Catalogue, ix: usize) -> MappingView {
    let m = catalogue.mapping(ix);
    let title = |framework: &str, reference: &str| {
        catalogue
            .find(framework, reference)
            .map(|n| catalogue.node(n).title.clone())
            .unwrap_or_default()
    };
    MappingView {
        id: m.id.map(|id| id.to_string()),
        source_title: title(&m.source.framework, &m.source.reference),
        target_title: title(&m.target.framework, &m.target.reference),
        source_framework: m.source.framework.clone(),
        source_ref: m.source.reference.clone(),
        target_framework: m.target.framework.clone(),
        target_ref: m.target.reference.clone(),
        relation: m.relation.as_str(),
        rationale: m.rationale.as_str(),
        confidence: m.confidence,
        note: m.note.clone(),
        provenance: m.provenance.clone(),
    }
}

/// A node with its sub-nodes and every mapping that touches it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeDetail {
    framework: String,
    #[serde(flatten)]
    node: NodeView,
    children: Vec<NodeView>,
    mappings: Vec<MappingView>,
    /// Sources that say this node has no counterpart.
    unmapped: Vec<UnmappedView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnmappedView {
    provenance: String,
    note: String,
}

/// Read a node with everything mapped to it (the reference is URL-encoded: `SD%204.6`).
#[utoipa::path(get, path = "/frameworks/{id}/nodes/{ref}", tag = "frameworks", params(("id" = String, Path), ("ref" = String, Path)),
    responses((status = 200, body = NodeDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_node(
    State(state): State<AppState>,
    InPath((id, reference)): InPath<(String, String)>,
) -> ApiResult<Json<NodeDetail>> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let ix = catalogue
        .find(&id, &reference)
        .ok_or_else(|| ApiError::not_found(format!("`{reference}` is not a node of `{id}`")))?;
    Ok(Json(NodeDetail {
        framework: id.clone(),
        node: node_view(catalogue, ix),
        children: catalogue
            .children(ix)
            .iter()
            .map(|c| node_view(catalogue, *c))
            .collect(),
        mappings: catalogue
            .edges(ix)
            .iter()
            .map(|e| mapping_view(catalogue, e.mapping))
            .collect(),
        unmapped: catalogue
            .unmapped()
            .iter()
            .filter(|u| u.node.framework == id && u.node.reference == reference)
            .map(|u| UnmappedView {
                provenance: u.provenance.clone(),
                note: u.note.clone(),
            })
            .collect(),
    }))
}

/// Which mappings to list: between two frameworks (either direction), or touching one.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MappingQuery {
    /// A framework id; mappings with an end in it.
    a: String,
    /// Another framework id; only mappings between `a` and `b`.
    b: Option<String>,
}

pub(crate) fn mappings_between(
    catalogue: &Catalogue,
    a: &str,
    b: Option<&str>,
) -> Result<Vec<usize>, ApiError> {
    for id in [Some(a), b].into_iter().flatten() {
        if catalogue.framework(id).is_none() {
            return Err(unknown_framework(id));
        }
    }
    Ok(catalogue
        .mappings()
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            let (s, t) = (m.source.framework.as_str(), m.target.framework.as_str());
            match b {
                Some(b) => (s == a && t == b) || (s == b && t == a),
                None => s == a || t == a,
            }
        })
        .map(|(ix, _)| ix)
        .collect())
}

/// List mappings of a framework, or between two.
#[utoipa::path(get, path = "/mappings", tag = "frameworks", params(MappingQuery),
    responses((status = 200, body = Vec<MappingView>), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn list_mappings(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MappingQuery>,
) -> ApiResult<Json<Vec<MappingView>>> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let found = mappings_between(catalogue, &query.a, query.b.as_deref())?;
    Ok(Json(
        found
            .into_iter()
            .map(|ix| mapping_view(catalogue, ix))
            .collect(),
    ))
}

/// Export mappings as CSV (the shipped mapping-file format).
#[utoipa::path(get, path = "/mappings.csv", tag = "frameworks", params(MappingQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn mappings_csv(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MappingQuery>,
) -> ApiResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let found = mappings_between(catalogue, &query.a, query.b.as_deref())?;
    let name = match &query.b {
        Some(b) => format!("mappings-{}-{b}.csv", query.a),
        None => format!("mappings-{}.csv", query.a),
    };
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        &name,
        export::mappings_csv(catalogue, &found),
    ))
}

// ---------------------------------------------------------------- gap assessments

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
async fn list_assessments(
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
async fn create_assessment(
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
async fn get_assessment(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
) -> ApiResult<Json<AssessmentView>> {
    Ok(Json(assessment_with_statuses(&state, id).await?))
}

/// Delete a gap assessment.
#[utoipa::path(delete, path = "/gap-assessments/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_assessment(
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
async fn change_statuses(
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
async fn get_coverage(
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
async fn coverage_csv(
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

// ---------------------------------------------------------------- scenarios

/// One of the four gap-analysis scenarios of seed 001.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioView {
    number: u8,
    title: &'static str,
    question: &'static str,
    source_framework: &'static str,
    target_framework: &'static str,
}

fn scenario_view(s: &scenarios::Scenario) -> ScenarioView {
    ScenarioView {
        number: s.number,
        title: s.title,
        question: s.question,
        source_framework: s.source,
        target_framework: s.target,
    }
}

/// List the four scenarios.
#[utoipa::path(get, path = "/scenarios", tag = "frameworks", responses((status = 200, body = Vec<ScenarioView>)))]
async fn list_scenarios() -> Json<Vec<ScenarioView>> {
    Json(scenarios::SCENARIOS.iter().map(scenario_view).collect())
}

/// A scenario's answer: the coverage of its target with its source in place.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioResult {
    #[serde(flatten)]
    scenario: ScenarioView,
    coverage: CoverageView,
}

/// Run a scenario (1 to 4).
#[utoipa::path(get, path = "/scenarios/{number}", tag = "frameworks", params(("number" = u8, Path)),
    responses((status = 200, body = ScenarioResult), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_scenario(
    State(state): State<AppState>,
    InPath(number): InPath<u8>,
) -> ApiResult<Json<ScenarioResult>> {
    let scenario = scenarios::find(number)
        .ok_or_else(|| ApiError::not_found("there are four scenarios, numbered 1 to 4"))?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let coverage =
        scenarios::coverage(catalogue, scenario).map_err(|e| Error::conflict(e.to_string()))?;
    Ok(Json(ScenarioResult {
        scenario: scenario_view(scenario),
        coverage: coverage_view(catalogue, &coverage),
    }))
}

// ---------------------------------------------------------------- adding frameworks and mappings

/// A node of a new framework.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNode {
    #[serde(rename = "ref")]
    reference: String,
    /// The `ref` of a node listed before this one.
    parent: Option<String>,
    /// `clause`, `control_objective`, `control`, `process`, `activity`, `group`, …
    kind: String,
    title: String,
}

/// A framework to add, with its nodes in document order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFramework {
    /// Lower-case letters, digits and `-`, e.g. `alpha-policies`.
    id: String,
    name: String,
    edition: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    licence_note: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    description: String,
    nodes: Vec<NewNode>,
}

fn custom_framework(
    id: String,
    name: String,
    edition: String,
    publisher: String,
    licence_note: String,
    source: String,
    description: String,
) -> crate::model::Framework {
    crate::model::Framework {
        id,
        name,
        edition,
        publisher,
        licence_note,
        source,
        description,
        origin: Origin::Custom,
    }
}

/// Add a framework of your own (an internal policy set, say).
#[utoipa::path(post, path = "/frameworks", tag = "frameworks", request_body = NewFramework,
    responses((status = 201, body = FrameworkView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_framework(
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<NewFramework>,
) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let nodes: Vec<crate::model::Node> = body
        .nodes
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| match crate::model::NodeKind::parse(&n.kind) {
            Ok(kind) => Some(crate::model::Node {
                framework: body.id.clone(),
                reference: n.reference,
                parent: n.parent.filter(|p| !p.trim().is_empty()),
                kind,
                title: n.title,
                oscal_id: None,
                withdrawn: false,
            }),
            Err(message) => {
                errors.push(tandem_kernel::FieldError::new(
                    format!("nodes[{i}].kind"),
                    message,
                ));
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors).into());
    }
    let framework = custom_framework(
        body.id,
        body.name,
        body.edition,
        body.publisher,
        body.licence_note,
        body.source,
        body.description,
    );
    let created = crate::custom::create_framework(&write, framework, nodes, "nodes").await?;
    created_framework(&state, &created.id).await
}

async fn created_framework(state: &AppState, id: &str) -> ApiResult<Response> {
    let shared = catalogue(&state.db).await?;
    let view = framework_view(&shared, id).ok_or_else(|| unknown_framework(id))?;
    Ok(tandem_web::created(
        format!("/api/v1/frameworks/{id}"),
        view,
    ))
}

/// Delete a framework you added, with the mappings that touch it.
#[utoipa::path(delete, path = "/frameworks/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_framework(InPath(id): InPath<String>, write: Write) -> ApiResult<StatusCode> {
    crate::custom::delete_framework(&write, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where an imported catalog goes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CatalogImport {
    /// The id to give the framework, e.g. `nist-800-53-low`.
    id: String,
    /// Its name; the catalog's title if absent.
    name: Option<String>,
}

fn body_text(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::bad_request("the file is not UTF-8 text"))
}

fn oscal_invalid(error: crate::oscal::OscalError) -> ApiError {
    Error::Invalid(vec![tandem_kernel::FieldError::new(
        error.path.clone(),
        error.message.clone(),
    )])
    .into()
}

/// Import an OSCAL catalog (JSON) as a new framework.
#[utoipa::path(post, path = "/frameworks/import/oscal", tag = "frameworks", params(CatalogImport), request_body(content = String, content_type = "application/json", description = "An OSCAL catalog"),
    responses((status = 201, body = FrameworkView), (status = 409, body = tandem_web::error::ErrorBody), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn import_oscal_catalog(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CatalogImport>,
    write: Write,
    ApiBody(body): ApiBody,
) -> ApiResult<Response> {
    let given = CatalogFields {
        name: query.name.unwrap_or_default(),
        ..CatalogFields::default()
    };
    let framework = import_catalog(&write, &query.id, &given, body_text(&body)?).await?;
    created_framework(&state, &framework).await
}

/// Stores an OSCAL catalog as framework `id`; shared by the API and the upload page.
pub(crate) async fn import_catalog(
    write: &Write,
    id: &str,
    given: &CatalogFields,
    text: &str,
) -> ApiResult<String> {
    let imported = crate::oscal::read_catalog(text, id).map_err(oscal_invalid)?;
    let or = |given: &str, found: String| {
        if given.trim().is_empty() {
            found
        } else {
            given.trim().to_owned()
        }
    };
    let edition = if imported.version.is_empty() {
        "imported".to_owned()
    } else {
        imported.version.clone()
    };
    let framework = custom_framework(
        id.to_owned(),
        or(&given.name, imported.title.clone()),
        or(&given.edition, edition),
        given.publisher.trim().to_owned(),
        String::new(),
        format!("OSCAL catalog “{}”", imported.title),
        given.description.trim().to_owned(),
    );
    let created =
        crate::custom::create_framework(write, framework, imported.nodes, "catalog").await?;
    Ok(created.id)
}

/// What a person gave beside an imported catalog; empty fields take the catalog's values.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogFields {
    pub name: String,
    pub edition: String,
    pub publisher: String,
    pub description: String,
}

/// Export a framework as an OSCAL 1.2.3 catalog (JSON).
#[utoipa::path(get, path = "/frameworks/{id}/oscal.json", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/json", body = Object, description = "An OSCAL catalog"), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn framework_oscal(
    State(state): State<AppState>,
    InPath(id): InPath<String>,
) -> ApiResult<Response> {
    let shared = catalogue(&state.db).await?;
    let document = crate::oscal::write_catalog(&shared, &id, state.clock.now())
        .ok_or_else(|| unknown_framework(&id))?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                crate::oscal::catalog_file_name(&id)
            ),
        )],
        Json(document),
    )
        .into_response())
}

/// A mapping to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMapping {
    source_framework: String,
    source_ref: String,
    target_framework: String,
    target_ref: String,
    /// OSCAL relation, read "source is <relation> target".
    relation: String,
    /// `syntactic`, `semantic` or `functional`.
    rationale: String,
    confidence: Option<f64>,
    #[serde(default)]
    note: String,
    /// Where the mapping comes from (a document, a workshop, a person).
    provenance: String,
}

/// Mappings to add, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMappings {
    mappings: Vec<NewMapping>,
}

/// The ids of the mappings added.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedMappings {
    ids: Vec<String>,
}

fn added(ids: Vec<uuid::Uuid>) -> Response {
    (
        StatusCode::CREATED,
        Json(AddedMappings {
            ids: ids.into_iter().map(|i| i.to_string()).collect(),
        }),
    )
        .into_response()
}

/// Add mappings of your own between any two nodes.
#[utoipa::path(post, path = "/mappings", tag = "frameworks", request_body = NewMappings,
    responses((status = 201, body = AddedMappings), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_mappings(write: Write, ApiJson(body): ApiJson<NewMappings>) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let mappings: Vec<crate::model::Mapping> = body
        .mappings
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let relation = crate::model::Relation::parse(&m.relation)
                .map_err(|e| {
                    errors.push(tandem_kernel::FieldError::new(
                        format!("mappings[{i}].relation"),
                        e,
                    ))
                })
                .ok()?;
            let rationale = crate::model::Rationale::parse(&m.rationale)
                .map_err(|e| {
                    errors.push(tandem_kernel::FieldError::new(
                        format!("mappings[{i}].rationale"),
                        e,
                    ))
                })
                .ok()?;
            Some(crate::model::Mapping {
                source: crate::model::NodeKey::new(m.source_framework.trim(), &m.source_ref),
                target: crate::model::NodeKey::new(m.target_framework.trim(), &m.target_ref),
                relation,
                rationale,
                confidence: m.confidence,
                note: m.note.trim().to_owned(),
                provenance: m.provenance.trim().to_owned(),
                id: None,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors).into());
    }
    let ids = crate::custom::add_mappings(&write, mappings, "mappings").await?;
    Ok(added(ids))
}

/// Delete a mapping you added.
#[utoipa::path(delete, path = "/mappings/{id}", tag = "frameworks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_mapping(InPath(id): InPath<uuid::Uuid>, write: Write) -> ApiResult<StatusCode> {
    crate::custom::delete_mapping(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import an OSCAL 1.2 mapping collection between frameworks that exist here (resources name
/// them as `#<framework id>`).
#[utoipa::path(post, path = "/mappings/import/oscal", tag = "frameworks", request_body(content = String, content_type = "application/json", description = "An OSCAL mapping collection"),
    responses((status = 201, body = AddedMappings), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn import_oscal_mappings(write: Write, ApiBody(body): ApiBody) -> ApiResult<Response> {
    Ok(added(
        import_mappings(&write, body_text(&body)?, MappingFormat::Oscal).await?,
    ))
}

/// Import mappings from CSV in the shipped mapping-file format.
#[utoipa::path(post, path = "/mappings/import/csv", tag = "frameworks", request_body(content = String, content_type = "text/csv", description = "Mappings in the shipped CSV format"),
    responses((status = 201, body = AddedMappings), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn import_csv_mappings(write: Write, ApiBody(body): ApiBody) -> ApiResult<Response> {
    Ok(added(
        import_mappings(&write, body_text(&body)?, MappingFormat::Csv).await?,
    ))
}

/// The formats mappings can be imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MappingFormat {
    Oscal,
    Csv,
}

/// Checks and stores imported mappings; shared by the API and the upload page.
pub(crate) async fn import_mappings(
    write: &Write,
    text: &str,
    format: MappingFormat,
) -> ApiResult<Vec<uuid::Uuid>> {
    let shared = catalogue(&write.db).await?;
    let mappings = match format {
        MappingFormat::Oscal => {
            crate::oscal::read_mapping_collection(text, &shared).map_err(oscal_invalid)?
        }
        MappingFormat::Csv => {
            crate::catalogue::read_mapping_rows("mappings.csv", text).map_err(|e| {
                ApiError::from(Error::Invalid(vec![tandem_kernel::FieldError::new(
                    "mappings.csv",
                    e.to_string(),
                )]))
            })?
        }
    };
    let rows = match format {
        MappingFormat::Oscal => "mappings",
        MappingFormat::Csv => "mappings.csv",
    };
    Ok(crate::custom::add_mappings(write, mappings, rows).await?)
}

/// Export mappings between two frameworks as an OSCAL 1.2.3 mapping collection (JSON); 404 when
/// there is no mapping to export.
#[utoipa::path(get, path = "/mappings/oscal.json", tag = "frameworks", params(MappingQuery),
    responses((status = 200, content_type = "application/json", body = Object, description = "An OSCAL mapping collection"), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn mappings_oscal(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MappingQuery>,
) -> ApiResult<Response> {
    let shared = catalogue(&state.db).await?;
    let found = mappings_between(&shared, &query.a, query.b.as_deref())?;
    let title = match &query.b {
        Some(b) => format!("Mappings between {} and {b}", query.a),
        None => format!("Mappings of {}", query.a),
    };
    let document =
        crate::oscal::write_mapping_collection(&shared, &found, &title, state.clock.now())
            .ok_or_else(|| {
                ApiError::not_found(format!("{title}: there is no mapping to export"))
            })?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"oscal-mapping-collection.json\"".to_owned(),
        )],
        Json(document),
    )
        .into_response())
}
