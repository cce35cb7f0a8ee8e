//! Mappings in the API: a node with everything mapped to it, the mappings of a framework or
//! between two, and adding, importing (OSCAL or CSV), exporting and deleting mappings.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::{ApiBody, ApiError, ApiJson, ApiQuery, ApiResult, AppState, InPath};
use utoipa::{IntoParams, ToSchema};

use super::frameworks::{NodeView, node_view};
use super::{body_text, catalogue, oscal_invalid, unknown_framework};
use crate::catalogue::Catalogue;
use crate::export;

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
pub(crate) async fn get_node(
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
pub(crate) async fn list_mappings(
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
pub(crate) async fn mappings_csv(
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
pub(crate) async fn create_mappings(
    write: Write,
    ApiJson(body): ApiJson<NewMappings>,
) -> ApiResult<Response> {
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
pub(crate) async fn delete_mapping(
    InPath(id): InPath<uuid::Uuid>,
    write: Write,
) -> ApiResult<StatusCode> {
    crate::custom::delete_mapping(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import an OSCAL 1.2 mapping collection between frameworks that exist here (resources name
/// them as `#<framework id>`).
#[utoipa::path(post, path = "/mappings/import/oscal", tag = "frameworks", request_body(content = String, content_type = "application/json", description = "An OSCAL mapping collection"),
    responses((status = 201, body = AddedMappings), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn import_oscal_mappings(
    write: Write,
    ApiBody(body): ApiBody,
) -> ApiResult<Response> {
    Ok(added(
        import_mappings(&write, body_text(&body)?, MappingFormat::Oscal).await?,
    ))
}

/// Import mappings from CSV in the shipped mapping-file format.
#[utoipa::path(post, path = "/mappings/import/csv", tag = "frameworks", request_body(content = String, content_type = "text/csv", description = "Mappings in the shipped CSV format"),
    responses((status = 201, body = AddedMappings), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn import_csv_mappings(
    write: Write,
    ApiBody(body): ApiBody,
) -> ApiResult<Response> {
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
pub(crate) async fn mappings_oscal(
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
