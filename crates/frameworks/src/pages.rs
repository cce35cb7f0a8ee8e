//! The frameworks pages: the framework list, a framework as a searchable tree, a node with
//! everything mapped to it, the matrix between two frameworks, gap assessments with their
//! coverage and explanations, and the four seed-001 scenarios.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_kernel::Error;
use tandem_kernel::id::parse_id;
use tandem_kernel::page::ListOptions;
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, PageError, PageQuery, PageResult};

use crate::analysis::{Coverage, Status};
use crate::api::{assessment_coverage, catalogue, mappings_between};
use crate::assessment::{Assessment, AssessmentDraft, AssessmentId, check_changes};
use crate::catalogue::Catalogue;
use crate::model::Framework;
use crate::{scenarios, store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/frameworks", get(framework_list))
        .route("/frameworks/matrix", get(matrix))
        .route("/frameworks/{id}", get(framework_tree))
        .route("/frameworks/{id}/nodes/{ref}", get(node_page))
        .route(
            "/gap-assessments",
            get(assessment_list).post(assessment_create),
        )
        .route(
            "/gap-assessments/{id}",
            get(assessment_page).post(assessment_save),
        )
        .route("/gap-assessments/{id}/delete", post(assessment_delete))
        .route("/scenarios", get(scenario_list))
        .route("/scenarios/{number}", get(scenario_page))
}

/// Percent-encodes one path segment (references hold spaces and other characters).
pub fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The page address of a node.
pub fn node_href(catalogue: &Catalogue, ix: usize) -> String {
    let node = catalogue.node(ix);
    format!(
        "/frameworks/{}/nodes/{}",
        node.framework,
        segment(&node.reference)
    )
}

fn missing(what: impl Into<String>) -> PageError {
    PageError::new(StatusCode::NOT_FOUND, what)
}

fn framework_choices(catalogue: &Catalogue) -> Vec<(String, String)> {
    catalogue
        .frameworks()
        .iter()
        .map(|f| (f.id.clone(), format!("{} {}", f.name, f.edition)))
        .collect()
}

/// A node as a row of a page: where it sits in the tree and where it leads.
struct Row {
    reference: String,
    title: String,
    kind: &'static str,
    depth: usize,
    href: String,
    mappings: usize,
}

fn depth(catalogue: &Catalogue, ix: usize) -> usize {
    let node = catalogue.node(ix);
    let mut depth = 0;
    let mut parent = node.parent.clone();
    while let Some(p) = parent {
        depth += 1;
        parent = catalogue
            .find(&node.framework, &p)
            .and_then(|i| catalogue.node(i).parent.clone());
    }
    depth
}

fn row(catalogue: &Catalogue, ix: usize) -> Row {
    let node = catalogue.node(ix);
    Row {
        reference: node.reference.clone(),
        title: node.title.clone(),
        kind: node.kind.as_str(),
        depth: depth(catalogue, ix),
        href: node_href(catalogue, ix),
        mappings: catalogue.edges(ix).len(),
    }
}

// ---------------------------------------------------------------- frameworks

struct FrameworkRow {
    framework: Framework,
    nodes: usize,
    mappings: usize,
}

#[derive(Template)]
#[template(path = "frameworks/list.html")]
struct FrameworkList {
    chrome: Chrome,
    rows: Vec<FrameworkRow>,
    choices: Vec<(String, String)>,
}

async fn framework_list(State(state): State<AppState>) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let rows = catalogue
        .frameworks()
        .iter()
        .map(|f| {
            let nodes = catalogue.nodes_of(&f.id);
            FrameworkRow {
                framework: f.clone(),
                nodes: nodes.len(),
                mappings: nodes.iter().map(|ix| catalogue.edges(*ix).len()).sum(),
            }
        })
        .collect();
    Ok(render(&FrameworkList {
        chrome: Chrome::new("frameworks", "Frameworks"),
        rows,
        choices: framework_choices(catalogue),
    }))
}

#[derive(Debug, Default, Deserialize)]
struct TreeQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "frameworks/tree.html")]
struct FrameworkTree {
    chrome: Chrome,
    framework: Framework,
    q: String,
    rows: Vec<Row>,
    matches: usize,
    choices: Vec<(String, String)>,
}

async fn framework_tree(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<TreeQuery>,
) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let framework = catalogue
        .framework(&id)
        .ok_or_else(|| missing(format!("There is no framework `{id}`.")))?
        .clone();
    let term = query.q.trim().to_lowercase();
    let nodes = catalogue.nodes_of(&id);
    let (shown, matches): (Vec<usize>, usize) = if term.is_empty() {
        (nodes.to_vec(), nodes.len())
    } else {
        // Matching nodes and their ancestors, so every match is shown in its place.
        let hits: Vec<usize> = nodes
            .iter()
            .copied()
            .filter(|ix| {
                let n = catalogue.node(*ix);
                n.reference.to_lowercase().contains(&term) || n.title.to_lowercase().contains(&term)
            })
            .collect();
        let mut keep: HashSet<usize> = HashSet::new();
        for &hit in &hits {
            let mut at = Some(hit);
            while let Some(ix) = at {
                if !keep.insert(ix) {
                    break;
                }
                at = catalogue
                    .node(ix)
                    .parent
                    .as_deref()
                    .and_then(|p| catalogue.find(&id, p));
            }
        }
        (
            nodes
                .iter()
                .copied()
                .filter(|ix| keep.contains(ix))
                .collect(),
            hits.len(),
        )
    };
    Ok(render(&FrameworkTree {
        chrome: Chrome::new(
            "frameworks",
            format!("{} {}", framework.name, framework.edition),
        ),
        framework,
        q: query.q,
        rows: shown.into_iter().map(|ix| row(catalogue, ix)).collect(),
        matches,
        choices: framework_choices(catalogue),
    }))
}

/// A mapping as seen from the node whose page shows it.
struct Link {
    relation: &'static str,
    other: Row,
    other_framework: String,
    rationale: &'static str,
    note: String,
    provenance: String,
}

#[derive(Template)]
#[template(path = "frameworks/node.html")]
struct NodePage {
    chrome: Chrome,
    framework: Framework,
    node: Row,
    ancestors: Vec<Row>,
    children: Vec<Row>,
    links: Vec<Link>,
    unmapped: Vec<(String, String)>,
}

async fn node_page(
    State(state): State<AppState>,
    Path((id, reference)): Path<(String, String)>,
) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let framework = catalogue
        .framework(&id)
        .ok_or_else(|| missing(format!("There is no framework `{id}`.")))?
        .clone();
    let ix = catalogue.find(&id, &reference).ok_or_else(|| {
        missing(format!(
            "`{reference}` is not a node of {} {}.",
            framework.name, framework.edition
        ))
    })?;
    let mut ancestors = Vec::new();
    let mut parent = catalogue.node(ix).parent.clone();
    while let Some(p) = parent {
        let Some(pix) = catalogue.find(&id, &p) else {
            break;
        };
        ancestors.push(row(catalogue, pix));
        parent = catalogue.node(pix).parent.clone();
    }
    ancestors.reverse();
    let mut links: Vec<Link> = catalogue
        .edges(ix)
        .iter()
        .map(|edge| {
            let mapping = catalogue.mapping(edge.mapping);
            Link {
                relation: edge.relation.as_str(),
                other_framework: catalogue.node(edge.other).framework.clone(),
                other: row(catalogue, edge.other),
                rationale: mapping.rationale.as_str(),
                note: mapping.note.clone(),
                provenance: mapping.provenance.clone(),
            }
        })
        .collect();
    links.sort_by(|a, b| a.other_framework.cmp(&b.other_framework));
    let unmapped = catalogue
        .unmapped()
        .iter()
        .filter(|u| u.node.framework == id && u.node.reference == reference)
        .map(|u| (u.provenance.clone(), u.note.clone()))
        .collect();
    Ok(render(&NodePage {
        chrome: Chrome::new(
            "frameworks",
            format!("{} {}", reference, catalogue.node(ix).title),
        ),
        node: row(catalogue, ix),
        children: catalogue
            .children(ix)
            .iter()
            .map(|c| row(catalogue, *c))
            .collect(),
        framework,
        ancestors,
        links,
        unmapped,
    }))
}

#[derive(Debug, Default, Deserialize)]
struct MatrixQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

#[derive(Template)]
#[template(path = "frameworks/matrix.html")]
struct MatrixPage {
    chrome: Chrome,
    a: String,
    b: String,
    choices: Vec<(String, String)>,
    columns: Vec<Row>,
    /// A row per node of `a` that has a mapping to `b`: the node and one cell per column.
    rows: Vec<(Row, Vec<String>)>,
    error: Option<String>,
}

/// The relations between two frameworks as a grid: rows are the mapped nodes of `a`, columns
/// the mapped nodes of `b`, a cell the relation read from the row's side.
async fn matrix(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<MatrixQuery>,
) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let mut page = MatrixPage {
        chrome: Chrome::new("frameworks", "Mapping matrix"),
        a: query.a.clone(),
        b: query.b.clone(),
        choices: framework_choices(catalogue),
        columns: Vec::new(),
        rows: Vec::new(),
        error: None,
    };
    if query.a.is_empty() || query.b.is_empty() {
        return Ok(render(&page));
    }
    let found = match mappings_between(catalogue, &query.a, Some(&query.b)) {
        Ok(found) => found,
        Err(error) => {
            page.error = Some(error.message);
            let mut response = render(&page);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let on_side = |framework: &str| -> Vec<usize> {
        let mut nodes: Vec<usize> = found
            .iter()
            .flat_map(|m| {
                let m = catalogue.mapping(*m);
                [&m.source, &m.target]
            })
            .filter(|k| k.framework == framework)
            .filter_map(|k| catalogue.find(&k.framework, &k.reference))
            .collect();
        let order = catalogue.nodes_of(framework);
        nodes.sort_by_key(|ix| order.iter().position(|o| o == ix));
        nodes.dedup();
        nodes
    };
    let (rows, columns) = (on_side(&query.a), on_side(&query.b));
    page.rows = rows
        .iter()
        .map(|&r| {
            let cells = columns
                .iter()
                .map(|&c| {
                    catalogue
                        .edges(r)
                        .iter()
                        .filter(|e| e.other == c)
                        .map(|e| e.relation.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            (row(catalogue, r), cells)
        })
        .collect();
    page.columns = columns.iter().map(|&c| row(catalogue, c)).collect();
    page.chrome = Chrome::new(
        "frameworks",
        format!("Mapping matrix {} × {}", query.a, query.b),
    );
    Ok(render(&page))
}

// ---------------------------------------------------------------- gap assessments

#[derive(Template)]
#[template(path = "frameworks/assessments.html")]
struct AssessmentList {
    chrome: Chrome,
    items: Vec<Assessment>,
    values: AssessmentDraft,
    errors: FormErrors,
    choices: Vec<(String, String)>,
}

async fn assessment_list_page(
    state: &AppState,
    values: AssessmentDraft,
    errors: FormErrors,
) -> PageResult<Response> {
    let options = ListOptions {
        page: tandem_kernel::page::PageRequest {
            limit: tandem_kernel::page::PageRequest::MAX_LIMIT,
            after: None,
        },
        ..ListOptions::default()
    };
    let items = store::list(&state.db, &options).await?.items;
    Ok(render(&AssessmentList {
        chrome: Chrome::new("frameworks", "Gap assessments"),
        items,
        values,
        errors,
        choices: framework_choices(&*catalogue(&state.db).await?),
    }))
}

async fn assessment_list(State(state): State<AppState>) -> PageResult<Response> {
    let values = AssessmentDraft {
        source_framework: "seed001-ism".into(),
        target_framework: "iso27001-2005".into(),
        ..AssessmentDraft::default()
    };
    assessment_list_page(&state, values, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
struct NewFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    source_framework: String,
    #[serde(default)]
    target_framework: String,
}

async fn assessment_create(
    State(state): State<AppState>,
    FormInput(fields): FormInput<NewFields>,
) -> PageResult<Response> {
    let draft = AssessmentDraft {
        name: fields.name,
        source_framework: fields.source_framework,
        target_framework: fields.target_framework,
    };
    let saved = async {
        store::create(
            &state.db,
            state.clock.now(),
            draft.validate(&*catalogue(&state.db).await?)?,
        )
        .await
    }
    .await;
    match saved {
        Ok(assessment) => Ok(see_other(&format!("/gap-assessments/{}", assessment.id))),
        Err(error) => {
            let mut response =
                assessment_list_page(&state, draft, FormErrors::from_error(error)?).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// A source node with the status declared for it.
struct SourceRow {
    row: Row,
    status: String,
    note: String,
}

/// A target node with its derived status and the paths that explain it.
struct TargetRow {
    row: Row,
    status: Option<Status>,
    rolled_up: bool,
    /// The ancestor the status descends from, if it does.
    inherited_from: Option<Row>,
    explanation: Vec<String>,
}

#[derive(Template)]
#[template(path = "frameworks/assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    assessment: Assessment,
    source: Framework,
    target: Framework,
    sources: Vec<SourceRow>,
    targets: Vec<TargetRow>,
    counts: Vec<(String, usize)>,
    statuses: Vec<(String, String)>,
    gaps_only: bool,
    errors: FormErrors,
}

/// Human-readable explanations of a target node's status, best first.
fn explanations(catalogue: &Catalogue, coverage: &Coverage, ix: usize) -> Vec<String> {
    coverage
        .get(ix)
        .map(|derived| {
            derived
                .contributions
                .iter()
                .map(|c| {
                    let source = catalogue.node(c.source);
                    let hops: Vec<String> = c
                        .path
                        .iter()
                        .map(|h| {
                            let to = catalogue.node(h.to);
                            format!(
                                "{} {} {} [{}]",
                                h.relation,
                                to.framework,
                                to.reference,
                                catalogue.mapping(h.mapping).provenance
                            )
                        })
                        .collect();
                    format!(
                        "{} {} ({}) → {}: {}",
                        source.reference,
                        source.title,
                        c.source_status.label(),
                        c.status.label(),
                        hops.join(" → ")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn status_choices() -> Vec<(String, String)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct AssessmentQuery {
    #[serde(default)]
    gaps: String,
}

async fn assessment_view(
    state: &AppState,
    id: AssessmentId,
    gaps_only: bool,
    errors: FormErrors,
) -> PageResult<Response> {
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let (assessment, coverage) = assessment_coverage(state, id).await?;
    let declared = store::statuses(&state.db, id).await?;
    let framework = |fid: &str| {
        catalogue.framework(fid).cloned().ok_or_else(|| {
            PageError::from(Error::conflict(format!(
                "the framework `{fid}` no longer exists"
            )))
        })
    };
    let sources = catalogue
        .nodes_of(&assessment.source_framework)
        .iter()
        .map(|&ix| {
            let reference = &catalogue.node(ix).reference;
            let own = declared.iter().find(|d| &d.reference == reference);
            SourceRow {
                row: row(catalogue, ix),
                status: own
                    .map(|d| d.status.as_str().to_owned())
                    .unwrap_or_default(),
                note: own.map(|d| d.note.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let targets = coverage
        .nodes
        .iter()
        .filter(|(_, d)| {
            !gaps_only
                || d.status
                    .is_none_or(|s| s != Status::Implemented && s != Status::NotApplicable)
        })
        .map(|(ix, d)| TargetRow {
            row: row(catalogue, *ix),
            status: d.status,
            rolled_up: d.rolled_up,
            inherited_from: d.inherited_from.map(|a| row(catalogue, a)),
            explanation: explanations(catalogue, &coverage, *ix),
        })
        .collect();
    let counts = coverage
        .counts()
        .into_iter()
        .map(|(s, n)| (s.map_or("Gap", Status::label).to_owned(), n))
        .collect();
    Ok(render(&AssessmentPage {
        chrome: Chrome::new("frameworks", assessment.name.to_string()),
        source: framework(&assessment.source_framework)?,
        target: framework(&assessment.target_framework)?,
        assessment,
        sources,
        targets,
        counts,
        statuses: status_choices(),
        gaps_only,
        errors,
    }))
}

fn assessment_id(raw: &str) -> PageResult<AssessmentId> {
    parse_id("id", raw).map_err(|_| PageError::not_found())
}

async fn assessment_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<AssessmentQuery>,
) -> PageResult<Response> {
    assessment_view(
        &state,
        assessment_id(&id)?,
        !query.gaps.is_empty(),
        FormErrors::default(),
    )
    .await
}

/// The status form: one `ref`/`status`/`note` triple per source node, in order, plus the bulk
/// action (`selected` refs set to `bulk`).
#[derive(Debug, Default, Deserialize)]
struct StatusFields {
    #[serde(default, rename = "ref")]
    references: Vec<String>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    note: Vec<String>,
    #[serde(default)]
    selected: Vec<String>,
    #[serde(default)]
    bulk: String,
    #[serde(default)]
    version: i64,
}

async fn assessment_save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormInput(fields): FormInput<StatusFields>,
) -> PageResult<Response> {
    let id = assessment_id(&id)?;
    let assessment = store::get(&state.db, id).await?;
    if fields.status.len() != fields.references.len()
        || fields.note.len() != fields.references.len()
    {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "The form is incomplete; reload the page and try again.",
        ));
    }
    let selected: HashSet<&str> = fields.selected.iter().map(String::as_str).collect();
    let raw: Vec<(String, String, String)> = fields
        .references
        .iter()
        .zip(fields.status.iter().zip(fields.note.iter()))
        .map(|(reference, (status, note))| {
            let status = if !fields.bulk.is_empty() && selected.contains(reference.as_str()) {
                fields.bulk.clone()
            } else {
                status.clone()
            };
            (reference.clone(), status, note.clone())
        })
        .collect();
    let saved = async {
        let changes = check_changes(
            &*catalogue(&state.db).await?,
            &assessment.source_framework,
            &raw,
        )?;
        store::change_statuses(&state.db, state.clock.now(), id, fields.version, &changes).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/gap-assessments/{id}"))),
        Err(error) => {
            let mut response =
                assessment_view(&state, id, false, FormErrors::from_error(error)?).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn assessment_delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    store::delete(&state.db, assessment_id(&id)?).await?;
    Ok(see_other("/gap-assessments"))
}

// ---------------------------------------------------------------- scenarios

#[derive(Template)]
#[template(path = "frameworks/scenarios.html")]
struct ScenarioList {
    chrome: Chrome,
    scenarios: &'static [scenarios::Scenario],
}

async fn scenario_list() -> Response {
    render(&ScenarioList {
        chrome: Chrome::new("frameworks", "Gap-analysis scenarios"),
        scenarios: &scenarios::SCENARIOS,
    })
}

/// Scenario 3's four lists, as rows.
struct OverlapRows {
    shared_target: Vec<Row>,
    target_only: Vec<Row>,
    shared_source: Vec<Row>,
    source_only: Vec<Row>,
}

#[derive(Template)]
#[template(path = "frameworks/scenario.html")]
struct ScenarioPage {
    chrome: Chrome,
    scenario: &'static scenarios::Scenario,
    source: Framework,
    target: Framework,
    counts: Vec<(String, usize)>,
    targets: Vec<TargetRow>,
    overlap: Option<OverlapRows>,
    alignment: Vec<(Row, Vec<Row>)>,
}

async fn scenario_page(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let scenario = number
        .parse()
        .ok()
        .and_then(scenarios::find)
        .ok_or_else(|| missing("There are four scenarios, numbered 1 to 4."))?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let conflict =
        |e: crate::analysis::AnalysisError| PageError::from(Error::conflict(e.to_string()));
    let coverage = scenarios::coverage(catalogue, scenario).map_err(conflict)?;
    let rows = |nodes: &[usize]| {
        nodes
            .iter()
            .map(|ix| row(catalogue, *ix))
            .collect::<Vec<_>>()
    };
    let overlap = if scenario.number == 3 {
        let o = scenarios::overlap(catalogue, scenario).map_err(conflict)?;
        Some(OverlapRows {
            shared_target: rows(&o.shared_target),
            target_only: rows(&o.target_only),
            shared_source: rows(&o.shared_source),
            source_only: rows(&o.source_only),
        })
    } else {
        None
    };
    let alignment = if scenario.number == 4 {
        scenarios::alignment(catalogue, scenario)
            .map_err(conflict)?
            .into_iter()
            .map(|(source, targets)| (row(catalogue, source), rows(&targets)))
            .collect()
    } else {
        Vec::new()
    };
    let framework = |fid: &str| {
        catalogue
            .framework(fid)
            .cloned()
            .ok_or_else(|| missing(format!("The framework `{fid}` is not installed.")))
    };
    Ok(render(&ScenarioPage {
        chrome: Chrome::new(
            "frameworks",
            format!("Scenario {}: {}", scenario.number, scenario.title),
        ),
        source: framework(scenario.source)?,
        target: framework(scenario.target)?,
        counts: coverage
            .counts()
            .into_iter()
            .map(|(s, n)| (s.map_or("Gap", Status::label).to_owned(), n))
            .collect(),
        targets: coverage
            .nodes
            .iter()
            .map(|(ix, d)| TargetRow {
                row: row(catalogue, *ix),
                status: d.status,
                rolled_up: d.rolled_up,
                inherited_from: d.inherited_from.map(|a| row(catalogue, a)),
                explanation: explanations(catalogue, &coverage, *ix),
            })
            .collect(),
        scenario,
        overlap,
        alignment,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_are_encoded_as_one_path_segment() {
        assert_eq!(super::segment("SD 4.6.4.3"), "SD%204.6.4.3");
        assert_eq!(super::segment("A.10.1/2"), "A.10.1%2F2");
        assert_eq!(super::segment("Ä"), "%C3%84");
    }
}
