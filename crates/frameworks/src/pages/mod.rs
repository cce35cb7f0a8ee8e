//! The frameworks pages: the framework list, a framework as a searchable tree, a node with
//! everything mapped to it, the matrix between two frameworks, gap assessments with their
//! coverage and explanations, and the four seed-001 scenarios.
//!
//! The parts mirror the API's: `frameworks` (the list, the tree, adding and deleting one),
//! `mappings` (a node with its mappings and the form that adds one, the matrix, importing and
//! deleting mappings), `assessments` and `scenarios`. This module assembles the routes and
//! holds what the parts share: nodes as rows, the framework choices, the rows of a target
//! framework's coverage, and reading an uploaded file.

mod assessments;
mod frameworks;
mod mappings;
mod scenarios;

use axum::http::StatusCode;
use tandem_kernel::{Need, Permission};
use tandem_web::page::encode_component;
use tandem_web::{PageError, PageResult, Routes, UploadForm};

use crate::analysis::{Coverage, Status};
use crate::catalogue::Catalogue;

/// The framework library's pages. Forms are shown only to those who may submit them.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::FrameworksRead);
    let write = Need::Permission(Permission::FrameworksWrite);
    let assessments_read = Need::Permission(Permission::AssessmentsRead);
    let assessments_write = Need::Permission(Permission::AssessmentsWrite);
    let uploads = Routes::new()
        .post("/frameworks/new", write, frameworks::framework_upload)
        .post("/mappings/import", write, mappings::mappings_upload)
        .body_limit(crate::api::MAX_IMPORT_BYTES);
    Routes::new()
        .merge(uploads)
        .get("/frameworks", read, frameworks::framework_list)
        .get("/frameworks/new", write, frameworks::framework_new)
        .get("/frameworks/matrix", read, mappings::matrix)
        .get("/frameworks/{id}", read, frameworks::framework_tree)
        .post(
            "/frameworks/{id}/delete",
            write,
            frameworks::framework_delete,
        )
        .get("/frameworks/{id}/nodes/{ref}", read, mappings::node_page)
        .post("/frameworks/{id}/nodes/{ref}", write, mappings::mapping_add)
        .get("/mappings/import", write, mappings::mappings_import_form)
        .post("/mappings/{id}/delete", write, mappings::mapping_delete)
        .get(
            "/gap-assessments",
            assessments_read,
            assessments::assessment_list,
        )
        .post(
            "/gap-assessments",
            assessments_write,
            assessments::assessment_create,
        )
        .get(
            "/gap-assessments/{id}",
            assessments_read,
            assessments::assessment_page,
        )
        .post(
            "/gap-assessments/{id}",
            assessments_write,
            assessments::assessment_save,
        )
        .post(
            "/gap-assessments/{id}/delete",
            assessments_write,
            assessments::assessment_delete,
        )
        .get("/scenarios", read, scenarios::scenario_list)
        .get("/scenarios/{number}", read, scenarios::scenario_page)
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

/// A target node with its derived status and the paths that explain it.
struct TargetRow {
    row: Row,
    status: Option<Status>,
    rolled_up: bool,
    /// The ancestor the status descends from, if it does.
    inherited_from: Option<Row>,
    explanation: Vec<String>,
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
