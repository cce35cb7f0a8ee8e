//! Frameworks and their nodes in the API: list and read them, add one of your own or import an
//! OSCAL catalog, export one as CSV or as an OSCAL catalog, and delete one you added.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::{ApiBody, ApiJson, ApiQuery, ApiResult, AppState, InPath};
use utoipa::{IntoParams, ToSchema};

use super::{body_text, catalogue, oscal_invalid, unknown_framework};
use crate::catalogue::Catalogue;
use crate::export;
use crate::model::Origin;

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

pub(super) fn node_view(catalogue: &Catalogue, ix: usize) -> NodeView {
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
pub(crate) async fn list_frameworks(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<FrameworkView>>> {
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
pub(crate) async fn get_framework(
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
pub(crate) async fn framework_csv(
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
pub(crate) async fn create_framework(
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
pub(crate) async fn delete_framework(
    InPath(id): InPath<String>,
    write: Write,
) -> ApiResult<StatusCode> {
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

/// Import an OSCAL catalog (JSON) as a new framework.
#[utoipa::path(post, path = "/frameworks/import/oscal", tag = "frameworks", params(CatalogImport), request_body(content = String, content_type = "application/json", description = "An OSCAL catalog"),
    responses((status = 201, body = FrameworkView), (status = 409, body = tandem_web::error::ErrorBody), (status = 413, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn import_oscal_catalog(
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
pub(crate) async fn framework_oscal(
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
