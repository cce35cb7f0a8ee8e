//! The CMDB's evidence under `/api/v1`: CSV export and import of CIs (with a dry run),
//! baselines and their comparison with the present, and reconciliation runs that compare an
//! inventory of what was actually found with the records.
//!
//! A file with bad rows is answered 422 in the API's error shape; each entry of `details` names
//! its place as `line <n>.<column>` (line 1 is the header, line 0 the file as a whole).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Need, Permission};
use tandem_web::{
    ApiBody, ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, Routes, created, download,
    reference,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::baseline::{Drift, summary};
use crate::ci::{CiId, parse_number};
use crate::csv_io::LineError;
use crate::reconcile::{self, outcome_counts};
use crate::store::evidence::{self, BaselineId, Finding, Inventory, Run, RunId, Scope};
use crate::store::files;

/// The largest file an import or reconciliation accepts.
pub const MAX_FILE_BYTES: usize = tandem_web::MAX_UPLOAD_BYTES;

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::CmdbRead);
    let write = Need::Permission(Permission::CmdbWrite);
    Routes::new()
        .api(read, routes!(export_cis))
        .api(write, routes!(import_cis))
        .api(write, routes!(reconcile_inventory))
        .body_limit(MAX_FILE_BYTES)
        .api(read, routes!(list_baselines))
        .api(write, routes!(take_baseline))
        .api(read, routes!(get_baseline))
        .api(read, routes!(list_runs))
        .api(read, routes!(get_run))
}

/// Problems of a file as the API's 422 answer.
pub fn file_errors(errors: Vec<LineError>) -> Error {
    Error::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError::new(format!("line {}.{}", e.line, e.field), e.message))
            .collect(),
    )
}

fn text(body: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(body).map_err(|_| Error::invalid("file", "the file is not UTF-8 text"))
}

/// Every CI as CSV, in the columns an import reads.
#[utoipa::path(get, path = "/cis/export.csv", tag = "cmdb",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub(crate) async fn export_cis(State(state): State<AppState>) -> ApiResult<Response> {
    let body = files::export(&state.db).await?;
    Ok(download("text/csv; charset=utf-8", "cis.csv", body))
}

/// How a file is imported.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check the file and say what would happen, writing nothing.
    dry_run: bool,
    /// The file's name, recorded as the cause of the versions.
    file: Option<String>,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    dry_run: bool,
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
}

/// Import CIs from CSV: every row is checked (shape, names, class rules) and nothing is written
/// unless all are clean. Rows without a number create CIs; numbered rows update theirs. Each
/// change is a version caused by the import.
#[utoipa::path(post, path = "/cis/import", tag = "cmdb", params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "CIs in the export's columns, plus an optional `reason` column"),
    responses((status = 200, body = ImportView), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn import_cis(
    write: Write,
    ApiQuery(query): ApiQuery<ImportQuery>,
    ApiBody(body): ApiBody,
) -> ApiResult<Json<ImportView>> {
    let file = query.file.as_deref().unwrap_or("an API upload");
    let report = files::import(&write, file, text(&body)?, query.dry_run).await?;
    if !report.errors.is_empty() {
        return Err(file_errors(report.errors).into());
    }
    Ok(Json(ImportView {
        dry_run: report.dry_run,
        rows: report.rows,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
    }))
}

// ---------------------------------------------------------------- baselines

/// A baseline.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineView {
    id: String,
    name: String,
    description: String,
    /// Which CIs it covers, in words.
    scope: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    taken_at: OffsetDateTime,
    taken_by: String,
    /// How many CIs it holds.
    cis: i64,
}

impl From<&evidence::Baseline> for BaselineView {
    fn from(b: &evidence::Baseline) -> Self {
        Self {
            id: b.id.to_string(),
            name: b.name.clone(),
            description: b.description.clone(),
            scope: b.scope.describe(),
            taken_at: b.taken_at,
            taken_by: b.taken_by.clone(),
            cis: b.items,
        }
    }
}

/// A new baseline: its name and which CIs it covers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBaseline {
    name: String,
    #[serde(default)]
    description: String,
    /// A class key, such as `virtual-machine`.
    #[serde(default)]
    class: String,
    /// A location CI: its id, number or name.
    #[serde(default)]
    location: String,
    /// The start of the CIs' names, such as `mgmt-`.
    #[serde(default)]
    prefix: String,
}

/// Reads the scope of a baseline as typed; shared with the baseline form.
pub async fn scope_of(
    state: &AppState,
    class: &str,
    location: &str,
    prefix: &str,
) -> Result<Scope, Error> {
    let class = match class.trim() {
        "" => None,
        key => Some(
            crate::store::classes::get(&state.db, key)
                .await
                .map_err(|_| Error::invalid("class", format!("there is no CI class '{key}'")))?
                .key,
        ),
    };
    let location = match location.trim() {
        "" => None,
        raw => Some(location_id(state, raw).await?),
    };
    let prefix = Some(prefix.trim().to_owned()).filter(|p| !p.is_empty());
    Ok(Scope {
        class,
        location,
        prefix,
    })
}

/// The location CI `raw` names by id, number or name.
async fn location_id(state: &AppState, raw: &str) -> Result<CiId, Error> {
    if let Ok(id) = raw.parse::<CiId>() {
        return Ok(id);
    }
    crate::store::cis::choices(&state.db, Some("location"))
        .await?
        .into_iter()
        .find(|(_, label)| {
            let (number, name) = label.split_once(' ').unwrap_or((label, ""));
            name == raw || parse_number(number) == parse_number(raw)
        })
        .map(|(id, _)| id)
        .ok_or_else(|| Error::invalid("location", format!("there is no location CI '{raw}'")))
}

/// The baselines, newest first.
#[utoipa::path(get, path = "/baselines", tag = "cmdb",
    responses((status = 200, body = Vec<BaselineView>)))]
async fn list_baselines(State(state): State<AppState>) -> ApiResult<Json<Vec<BaselineView>>> {
    let all = evidence::baselines(&state.db).await?;
    Ok(Json(all.iter().map(BaselineView::from).collect()))
}

/// Take a baseline: the current version of every CI in use that the scope covers.
#[utoipa::path(post, path = "/baselines", tag = "cmdb", request_body = NewBaseline,
    responses((status = 201, body = BaselineView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn take_baseline(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewBaseline>,
) -> ApiResult<Response> {
    let name = Name::parse("name", &body.name).map_err(Error::from)?;
    let description = Note::parse("description", &body.description).map_err(Error::from)?;
    let scope = scope_of(&state, &body.class, &body.location, &body.prefix).await?;
    let id = evidence::take_baseline(&write, &name, &description, &scope).await?;
    let (baseline, _) = evidence::compare_baseline(&state.db, id).await?;
    Ok(created(
        format!("/api/v1/baselines/{id}"),
        BaselineView::from(&baseline),
    ))
}

/// One CI of a baseline comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct DriftView {
    ci: Reference,
    baseline_version: Option<i64>,
    current_version: Option<i64>,
    /// `unchanged`, `changed`, `retired`, `removed` or `added`.
    drift: &'static str,
    /// For `changed`: field to `[baseline, now]`.
    #[schema(value_type = Object)]
    changes: BTreeMap<String, (String, String)>,
}

/// A baseline compared with the present.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonView {
    baseline: BaselineView,
    unchanged: usize,
    changed: usize,
    retired: usize,
    removed: usize,
    added: usize,
    lines: Vec<DriftView>,
}

/// The word of a drift, for the API and pages.
pub fn drift_word(drift: &Drift) -> &'static str {
    match drift {
        Drift::Unchanged => "unchanged",
        Drift::Changed(_) => "changed",
        Drift::Retired => "retired",
        Drift::Removed => "removed",
        Drift::Added => "added",
    }
}

/// Compare a baseline with the present: what changed since, what was retired, removed or
/// added to its scope.
#[utoipa::path(get, path = "/baselines/{id}", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 200, body = ComparisonView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_baseline(
    State(state): State<AppState>,
    InPath(id): InPath<BaselineId>,
) -> ApiResult<Json<ComparisonView>> {
    let (baseline, lines) = evidence::compare_baseline(&state.db, id).await?;
    let s = summary(&lines);
    Ok(Json(ComparisonView {
        baseline: BaselineView::from(&baseline),
        unchanged: s.unchanged,
        changed: s.changed,
        retired: s.retired,
        removed: s.removed,
        added: s.added,
        lines: lines
            .iter()
            .map(|l| DriftView {
                ci: reference(l.ci_id, l.reference.clone()),
                baseline_version: l.baseline_version,
                current_version: l.current_version,
                drift: drift_word(&l.drift),
                changes: match &l.drift {
                    Drift::Changed(diff) => diff.clone(),
                    _ => BTreeMap::new(),
                },
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- reconciliation

/// How an inventory is read and compared.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReconcileQuery {
    /// Compare and answer, keeping nothing.
    dry_run: bool,
    /// `json` (the default) or `csv`.
    format: Option<String>,
    /// For CSV: the column that identifies a CI (`hostname`, `serial`, or `name`).
    match_on: Option<String>,
    /// For CSV: where the inventory comes from (for JSON, its `source`).
    source: Option<String>,
    /// Compare only with the CIs in this location (id, number or name): CIs elsewhere are
    /// neither missing nor matched, and an item whose CI is recorded elsewhere is unknown.
    location: Option<String>,
    /// A clock offset above this many milliseconds is a finding (default 1000).
    clock_threshold_ms: Option<i64>,
}

/// A finding of a reconciliation.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// `missing`, `unknown`, `changed`, `matched` or `duplicate`.
    outcome: &'static str,
    ci: Option<Reference>,
    /// The CI, or for `unknown` and `duplicate` the key found.
    reference: String,
    /// The line of the file, for `unknown` and `duplicate`.
    line: Option<i64>,
    field: String,
    expected: String,
    found: String,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        Self {
            outcome: f.outcome.as_str(),
            ci: f.ci_id.map(|id| reference(id, f.reference.clone())),
            reference: f.reference.clone(),
            line: f.line,
            field: f.field.clone(),
            expected: f.expected.clone(),
            found: f.found.clone(),
        }
    }
}

/// A reconciliation run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    /// Empty for a dry run, which keeps nothing.
    id: Option<String>,
    source: String,
    match_on: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    run_at: OffsetDateTime,
    run_by: String,
    found: i64,
    missing: usize,
    unknown: usize,
    changed: usize,
    matched: usize,
    duplicate: usize,
    findings: Vec<FindingView>,
}

fn run_view(run: &Run, findings: &[Finding], kept: bool) -> RunView {
    RunView {
        id: kept.then(|| run.id.to_string()),
        source: run.source.clone(),
        match_on: run.match_on.clone(),
        run_at: run.run_at,
        run_by: run.run_by.clone(),
        found: run.found,
        missing: run.counts.missing,
        unknown: run.counts.unknown,
        changed: run.counts.changed,
        matched: run.counts.matched,
        duplicate: run.counts.duplicate,
        findings: findings.iter().map(FindingView::from).collect(),
    }
}

/// Reads an inventory in `format`; shared with the reconciliation form.
#[allow(clippy::too_many_arguments)]
pub async fn inventory_of(
    state: &AppState,
    format: &str,
    text: &str,
    match_on: &str,
    source: &str,
    location: &str,
    clock_threshold_ms: Option<i64>,
) -> Result<Inventory, Error> {
    let (json_match, found, json_source) = match format {
        "" | "json" => {
            let (match_on, found) = reconcile::read_json(text).map_err(file_errors)?;
            let source = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v["source"].as_str().map(str::to_owned))
                .unwrap_or_default();
            (match_on, found, source)
        }
        "csv" => {
            let found = reconcile::read_csv(text, match_on).map_err(file_errors)?;
            (match_on.to_owned(), found, String::new())
        }
        other => {
            return Err(Error::invalid(
                "format",
                format!("'{other}' is not a format; use json or csv"),
            ));
        }
    };
    let source = match (source.trim(), json_source.trim()) {
        ("", "") => "an inventory without a name".to_owned(),
        ("", from_file) => from_file.to_owned(),
        (given, _) => given.to_owned(),
    };
    let threshold = clock_threshold_ms.unwrap_or(1000);
    if threshold < 0 {
        return Err(Error::invalid(
            "clock_threshold_ms",
            "must be zero or more milliseconds",
        ));
    }
    Ok(Inventory {
        source,
        match_on: json_match,
        location: match location.trim() {
            "" => None,
            raw => Some(location_id(state, raw).await?),
        },
        clock_threshold_ms: threshold,
        found,
    })
}

/// Compare an inventory of what was actually found (JSON, or CSV with `format=csv`) with the
/// CMDB: CIs missing, items unknown, attributes that differ, clocks off by more than the
/// threshold. Unless it is a dry run, the run is kept as evidence.
#[utoipa::path(post, path = "/reconciliations", tag = "cmdb", params(ReconcileQuery),
    request_body(content = String, description = "JSON {\"source\", \"match_on\", \"items\": [{\"class\", <match_on>, \"attributes\"}]} or CSV"),
    responses((status = 200, body = RunView), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn reconcile_inventory(
    write: Write,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ReconcileQuery>,
    ApiBody(body): ApiBody,
) -> ApiResult<Json<RunView>> {
    let inventory = inventory_of(
        &state,
        query.format.as_deref().unwrap_or(""),
        text(&body)?,
        query.match_on.as_deref().unwrap_or(""),
        query.source.as_deref().unwrap_or(""),
        query.location.as_deref().unwrap_or(""),
        query.clock_threshold_ms,
    )
    .await?;
    let (id, outcomes) = evidence::reconcile(&write, &inventory, query.dry_run).await?;
    let run = Run {
        id: id.unwrap_or(RunId(uuid::Uuid::nil())),
        source: inventory.source.clone(),
        match_on: inventory.match_on.clone(),
        clock_threshold_ms: inventory.clock_threshold_ms,
        run_at: write.now,
        run_by: write.actor.label.clone(),
        found: i64::try_from(inventory.found.len()).unwrap_or(i64::MAX),
        counts: outcome_counts(&outcomes),
    };
    Ok(Json(run_view(
        &run,
        &evidence::findings(&outcomes),
        id.is_some(),
    )))
}

/// The kept reconciliation runs, newest first (without their findings).
#[utoipa::path(get, path = "/reconciliations", tag = "cmdb",
    responses((status = 200, body = Vec<RunView>)))]
async fn list_runs(State(state): State<AppState>) -> ApiResult<Json<Vec<RunView>>> {
    let all = evidence::runs(&state.db).await?;
    Ok(Json(all.iter().map(|r| run_view(r, &[], true)).collect()))
}

/// A kept reconciliation run with its findings.
#[utoipa::path(get, path = "/reconciliations/{id}", tag = "cmdb", params(("id" = String, Path)),
    responses((status = 200, body = RunView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    InPath(id): InPath<RunId>,
) -> ApiResult<Json<RunView>> {
    let (run, findings) = evidence::run(&state.db, id).await?;
    Ok(Json(run_view(&run, &findings, true)))
}
