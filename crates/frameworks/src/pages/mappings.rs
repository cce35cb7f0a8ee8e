//! Mapping pages: a node with everything mapped to it and the form that adds a mapping there,
//! the matrix between two frameworks, the mapping import form, and deleting a mapping.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_kernel::error::AllValid;
use tandem_web::page::{encode_component, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, InPath, PageQuery, PageResult, UploadForm,
};

use super::{Row, framework_choices, missing, row, uploaded_text};
use crate::api::{catalogue, mappings_between};
use crate::model::Framework;

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

pub(super) async fn node_page(
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
pub(super) struct MatrixQuery {
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
pub(super) async fn matrix(
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

#[derive(Template)]
#[template(path = "frameworks/import_mappings.html")]
struct ImportMappingsPage {
    chrome: Chrome,
    errors: FormErrors,
    imported: Option<usize>,
}

pub(super) async fn mappings_import_form() -> Response {
    render(&ImportMappingsPage {
        chrome: Chrome::new("frameworks", "Import mappings"),
        errors: FormErrors::default(),
        imported: None,
    })
}

pub(super) async fn mappings_upload(write: Write, mut upload: UploadForm) -> PageResult<Response> {
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
pub(super) struct MappingFields {
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

pub(super) async fn mapping_add(
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
pub(super) struct BackTo {
    #[serde(default)]
    back: String,
}

pub(super) async fn mapping_delete(
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
