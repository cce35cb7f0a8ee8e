//! Framework pages: the list, a framework as a searchable tree, the form that adds one from an
//! uploaded OSCAL catalog or `nodes.csv` file, and deleting one you added.

use std::collections::HashSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, InPath, PageQuery, PageResult, UploadForm};

use super::{Row, framework_choices, missing, row, uploaded_text};
use crate::api::catalogue;
use crate::model::Framework;

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

pub(super) async fn framework_list(State(state): State<AppState>) -> PageResult<Response> {
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
pub(super) struct TreeQuery {
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

pub(super) async fn framework_tree(
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

pub(super) async fn framework_new() -> Response {
    new_framework_page(FrameworkFields::default(), FormErrors::default())
}

/// Creates a framework from an uploaded OSCAL catalog (JSON) or `nodes.csv` file.
pub(super) async fn framework_upload(write: Write, mut upload: UploadForm) -> PageResult<Response> {
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

pub(super) async fn framework_delete(
    InPath(id): InPath<String>,
    write: Write,
) -> PageResult<Response> {
    crate::custom::delete_framework(&write, &id).await?;
    Ok(see_other("/frameworks"))
}
