//! The frameworks pages: the framework list, a framework as a searchable tree, a node with
//! everything mapped to it, the matrix between two frameworks, gap assessments with their
//! coverage and explanations, and the four seed-001 scenarios.

use std::collections::HashSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::error::AllValid;
use tandem_kernel::{Error, Need, Permission};
use tandem_web::page::{after_save, encode_component, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, InPath, PageError, PageQuery, PageResult, Routes,
    UploadForm,
};

use crate::analysis::{Coverage, Status};
use crate::api::{assessment_coverage, catalogue, mappings_between};
use crate::assessment::{Assessment, AssessmentDraft, AssessmentId, check_changes};
use crate::catalogue::Catalogue;
use crate::model::Framework;
use crate::{scenarios, store};

/// The framework library's pages. Forms are shown only to those who may submit them.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::FrameworksRead);
    let write = Need::Permission(Permission::FrameworksWrite);
    let assessments_read = Need::Permission(Permission::AssessmentsRead);
    let assessments_write = Need::Permission(Permission::AssessmentsWrite);
    let uploads = Routes::new()
        .post("/frameworks/new", write, framework_upload)
        .post("/mappings/import", write, mappings_upload)
        .body_limit(crate::api::MAX_IMPORT_BYTES);
    Routes::new()
        .merge(uploads)
        .get("/frameworks", read, framework_list)
        .get("/frameworks/new", write, framework_new)
        .get("/frameworks/matrix", read, matrix)
        .get("/frameworks/{id}", read, framework_tree)
        .post("/frameworks/{id}/delete", write, framework_delete)
        .get("/frameworks/{id}/nodes/{ref}", read, node_page)
        .post("/frameworks/{id}/nodes/{ref}", write, mapping_add)
        .get("/mappings/import", write, mappings_import_form)
        .post("/mappings/{id}/delete", write, mapping_delete)
        .get("/gap-assessments", assessments_read, assessment_list)
        .post("/gap-assessments", assessments_write, assessment_create)
        .get("/gap-assessments/{id}", assessments_read, assessment_page)
        .post("/gap-assessments/{id}", assessments_write, assessment_save)
        .post(
            "/gap-assessments/{id}/delete",
            assessments_write,
            assessment_delete,
        )
        .get("/scenarios", read, scenario_list)
        .get("/scenarios/{number}", read, scenario_page)
}

/// The page address of a node.
pub fn node_href(catalogue: &Catalogue, ix: usize) -> String {
    let node = catalogue.node(ix);
    format!(
        "/frameworks/{}/nodes/{}",
        node.framework,
        encode_component(&node.reference)
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
    /// Withdrawn from its framework: shown, but not an active requirement.
    withdrawn: bool,
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
        withdrawn: node.withdrawn,
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
                mappings: catalogue
                    .mappings()
                    .iter()
                    .filter(|m| m.source.framework == f.id || m.target.framework == f.id)
                    .count(),
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
    InPath(id): InPath<String>,
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
    /// Set for a mapping users added, which can be deleted.
    id: Option<String>,
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
    /// The add-a-mapping form.
    values: MappingFields,
    errors: FormErrors,
    choices: Vec<(String, String)>,
}

impl NodePage {
    fn relation_choices(&self) -> Vec<(String, String)> {
        crate::model::Relation::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.as_str().replace('-', " ")))
            .collect()
    }

    fn rationale_choices(&self) -> Vec<(String, String)> {
        crate::model::Rationale::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
            .collect()
    }
}

async fn node_page(
    State(state): State<AppState>,
    InPath((id, reference)): InPath<(String, String)>,
) -> PageResult<Response> {
    let values = MappingFields {
        relation: "intersects-with".into(),
        rationale: "semantic".into(),
        ..MappingFields::default()
    };
    node_view(&state, &id, &reference, values, FormErrors::default()).await
}

async fn node_view(
    state: &AppState,
    id: &str,
    reference: &str,
    values: MappingFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let (id, reference) = (id.to_owned(), reference.to_owned());
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
                id: mapping.id.map(|id| id.to_string()),
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
        values,
        errors,
        choices: framework_choices(catalogue),
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
    Ok(render(&AssessmentList {
        chrome: Chrome::new("frameworks", "Gap assessments"),
        items: store::all(&state.db).await?,
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
    write: Write,
    FormInput(fields): FormInput<NewFields>,
) -> PageResult<Response> {
    let draft = AssessmentDraft {
        name: fields.name,
        source_framework: fields.source_framework,
        target_framework: fields.target_framework,
    };
    let saved =
        async { store::create(&write, draft.validate(&*catalogue(&state.db).await?)?).await }.await;
    after_save(
        saved,
        |a| format!("/gap-assessments/{}", a.id),
        async |errors| assessment_list_page(&state, draft, errors).await,
    )
    .await
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

async fn assessment_page(
    State(state): State<AppState>,
    InPath(id): InPath<AssessmentId>,
    PageQuery(query): PageQuery<AssessmentQuery>,
) -> PageResult<Response> {
    assessment_view(&state, id, !query.gaps.is_empty(), FormErrors::default()).await
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
    InPath(id): InPath<AssessmentId>,
    write: Write,
    FormInput(fields): FormInput<StatusFields>,
) -> PageResult<Response> {
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
        store::change_statuses(&write, id, fields.version, &changes).await
    }
    .await;
    after_save(
        saved,
        |_| format!("/gap-assessments/{id}"),
        async |errors| assessment_view(&state, id, false, errors).await,
    )
    .await
}

async fn assessment_delete(InPath(id): InPath<AssessmentId>, write: Write) -> PageResult<Response> {
    store::delete(&write, id).await?;
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
    InPath(number): InPath<u8>,
) -> PageResult<Response> {
    let scenario = scenarios::find(number)
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

// ---------------------------------------------------------------- adding frameworks and mappings

/// The text of the form's file (`file`), which must be UTF-8, with its name. A byte-order mark
/// some editors put first is dropped, so that the file is told JSON or CSV by what follows it.
fn uploaded_text(form: &mut UploadForm) -> PageResult<Option<(String, String)>> {
    let Some(file) = form.take_files("file").into_iter().next() else {
        return Ok(None);
    };
    let text = String::from_utf8(file.content).map_err(|_| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "`{}` is not a UTF-8 text file (OSCAL JSON or CSV)",
                file.name
            ),
        )
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(Some((file.name, text)))
}

/// What the new-framework form holds, to show it again.
#[derive(Debug, Default, Clone)]
struct FrameworkFields {
    id: String,
    name: String,
    edition: String,
    publisher: String,
    description: String,
}

#[derive(Template)]
#[template(path = "frameworks/new.html")]
struct NewFrameworkPage {
    chrome: Chrome,
    values: FrameworkFields,
    errors: FormErrors,
}

fn new_framework_page(values: FrameworkFields, errors: FormErrors) -> Response {
    render(&NewFrameworkPage {
        chrome: Chrome::new("frameworks", "Add a framework"),
        values,
        errors,
    })
}

async fn framework_new() -> Response {
    new_framework_page(FrameworkFields::default(), FormErrors::default())
}

/// Creates a framework from an uploaded OSCAL catalog (JSON) or `nodes.csv` file.
async fn framework_upload(write: Write, mut upload: UploadForm) -> PageResult<Response> {
    let file = uploaded_text(&mut upload)?;
    let values = FrameworkFields {
        id: upload.field("id"),
        name: upload.field("name"),
        edition: upload.field("edition"),
        publisher: upload.field("publisher"),
        description: upload.field("description"),
    };
    let saved: tandem_kernel::Result<String> = async {
        let Some((file_name, text)) = &file else {
            return Err(Error::invalid(
                "file",
                "choose an OSCAL catalog (JSON) or a nodes.csv file",
            ));
        };
        if text.trim_start().starts_with('{') {
            crate::api::import_catalog(
                &write,
                &values.id,
                &crate::api::CatalogFields {
                    name: values.name.clone(),
                    edition: values.edition.clone(),
                    publisher: values.publisher.clone(),
                    description: values.description.clone(),
                },
                text,
            )
            .await
            .map_err(|e| {
                Error::Invalid(if e.details.is_empty() {
                    vec![tandem_kernel::FieldError::new("file", e.message)]
                } else {
                    e.details
                })
            })
        } else {
            let nodes = crate::catalogue::read_node_rows(file_name, text, &values.id)
                .map_err(|e| Error::invalid("file", e.to_string()))?;
            let framework = crate::model::Framework {
                id: values.id.clone(),
                name: values.name.clone(),
                edition: values.edition.clone(),
                publisher: values.publisher.clone(),
                licence_note: String::new(),
                source: format!("uploaded file {file_name}"),
                description: values.description.clone(),
                origin: crate::model::Origin::Custom,
            };
            crate::custom::create_framework(&write, framework, nodes, "nodes.csv")
                .await
                .map(|f| f.id)
        }
    }
    .await;
    match saved {
        Ok(id) => Ok(see_other(&format!("/frameworks/{id}"))),
        Err(error) => {
            // Problems inside the file are shown at the file field, with the line they name.
            let error = match error {
                Error::Invalid(list) => Error::Invalid(
                    list.into_iter()
                        .map(|e| {
                            if ["id", "name", "edition", "file"].contains(&e.field.as_str()) {
                                e
                            } else {
                                tandem_kernel::FieldError::new(
                                    "file",
                                    format!("{}: {}", e.field, e.message),
                                )
                            }
                        })
                        .collect(),
                ),
                other => other,
            };
            let errors = FormErrors::from_error(error)?;
            let mut response = new_framework_page(values, errors);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn framework_delete(InPath(id): InPath<String>, write: Write) -> PageResult<Response> {
    crate::custom::delete_framework(&write, &id).await?;
    Ok(see_other("/frameworks"))
}

#[derive(Template)]
#[template(path = "frameworks/import_mappings.html")]
struct ImportMappingsPage {
    chrome: Chrome,
    errors: FormErrors,
    imported: Option<usize>,
}

async fn mappings_import_form() -> Response {
    render(&ImportMappingsPage {
        chrome: Chrome::new("frameworks", "Import mappings"),
        errors: FormErrors::default(),
        imported: None,
    })
}

async fn mappings_upload(write: Write, mut upload: UploadForm) -> PageResult<Response> {
    let result = match &uploaded_text(&mut upload)? {
        None => Err(Error::invalid(
            "file",
            "choose an OSCAL mapping collection (JSON) or a mappings CSV file",
        )),
        Some((_, text)) => {
            let format = if text.trim_start().starts_with('{') {
                crate::api::MappingFormat::Oscal
            } else {
                crate::api::MappingFormat::Csv
            };
            crate::api::import_mappings(&write, text, format)
                .await
                .map_err(|e| {
                    let message = e
                        .details
                        .first()
                        .map_or(e.message.clone(), |d| format!("{}: {}", d.field, d.message));
                    Error::invalid("file", message)
                })
        }
    };
    let (errors, imported, status) = match result {
        Ok(ids) => (FormErrors::default(), Some(ids.len()), StatusCode::OK),
        Err(error) => (
            FormErrors::from_error(error)?,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let mut response = render(&ImportMappingsPage {
        chrome: Chrome::new("frameworks", "Import mappings"),
        errors,
        imported,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// The add-a-mapping form of a node page.
#[derive(Debug, Default, Deserialize)]
struct MappingFields {
    #[serde(default)]
    target_framework: String,
    #[serde(default)]
    target_ref: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    provenance: String,
}

async fn mapping_add(
    State(state): State<AppState>,
    InPath((id, reference)): InPath<(String, String)>,
    write: Write,
    FormInput(fields): FormInput<MappingFields>,
) -> PageResult<Response> {
    let href = format!("/frameworks/{id}/nodes/{}", encode_component(&reference));
    let target = (fields.target_framework.clone(), fields.target_ref.clone());
    let saved: tandem_kernel::Result<Vec<uuid::Uuid>> = async {
        let (relation, rationale) = (
            crate::model::Relation::parse(&fields.relation)
                .map_err(|m| tandem_kernel::FieldError::new("relation", m)),
            crate::model::Rationale::parse(&fields.rationale)
                .map_err(|m| tandem_kernel::FieldError::new("rationale", m)),
        )
            .all_valid()?;
        let mapping = crate::model::Mapping {
            source: crate::model::NodeKey::new(&id, &reference),
            target: crate::model::NodeKey::new(target.0.trim(), target.1.trim()),
            relation,
            rationale,
            confidence: None,
            note: fields.note.trim().to_owned(),
            provenance: fields.provenance.trim().to_owned(),
            id: None,
        };
        crate::custom::add_mappings(&write, vec![mapping], "mapping").await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other(&href)),
        Err(error) => {
            // Errors found on the single row of the check name it `mapping[0].…`: show them at
            // the form's own fields.
            let error = match error {
                Error::Invalid(list) => Error::Invalid(
                    list.into_iter()
                        .map(|e| {
                            let field = e.field.rsplit('.').next().unwrap_or(&e.field).to_owned();
                            let field = if field.starts_with("mapping") {
                                "target_ref".to_owned()
                            } else {
                                field
                            };
                            tandem_kernel::FieldError::new(field, e.message)
                        })
                        .collect(),
                ),
                other => other,
            };
            let errors = FormErrors::from_error(error)?;
            let mut response = node_view(&state, &id, &reference, fields, errors).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct BackTo {
    #[serde(default)]
    back: String,
}

async fn mapping_delete(
    InPath(id): InPath<uuid::Uuid>,
    write: Write,
    FormInput(form): FormInput<BackTo>,
) -> PageResult<Response> {
    crate::custom::delete_mapping(&write, id).await?;
    let back = if form.back.starts_with("/frameworks/") {
        form.back
    } else {
        "/frameworks".to_owned()
    };
    Ok(see_other(&back))
}
