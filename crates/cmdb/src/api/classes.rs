//! CI classes and their attribute sets.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_web::{ApiJson, ApiResult, AppState, created};
use utoipa::ToSchema;

use crate::class::{AttributeDef, CiClass, ClassDraft};
use crate::store::classes;

/// A CI class with its attribute set.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassView {
    /// The class's key, such as `virtual-machine`.
    key: String,
    name: String,
    description: String,
    /// Whether it came with Tandem.
    builtin: bool,
    /// Whether its CIs group redundant members.
    is_cluster: bool,
    attributes: Vec<AttributeView>,
    version: i64,
}

/// One attribute of a class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeView {
    key: String,
    #[serde(default)]
    label: String,
    /// `text`, `integer`, `boolean`, `date` (YYYY-MM-DD), `choice` or `ip`.
    kind: String,
    #[serde(default)]
    required: bool,
    /// The values of a `choice`.
    #[serde(default)]
    values: Vec<String>,
    /// Whether the attribute identifies a CI (a serial number, a host name).
    #[serde(default)]
    identity: bool,
}

impl From<AttributeDef> for AttributeView {
    fn from(a: AttributeDef) -> Self {
        Self {
            key: a.key,
            label: a.label,
            kind: a.kind,
            required: a.required,
            values: a.values,
            identity: a.identity,
        }
    }
}

impl From<AttributeView> for AttributeDef {
    fn from(a: AttributeView) -> Self {
        Self {
            key: a.key,
            label: a.label,
            kind: a.kind,
            required: a.required,
            values: a.values,
            identity: a.identity,
        }
    }
}

impl From<CiClass> for ClassView {
    fn from(c: CiClass) -> Self {
        Self {
            key: c.key.to_string(),
            name: c.name,
            description: c.description,
            builtin: c.builtin,
            is_cluster: c.is_cluster,
            attributes: c.attributes.into_iter().map(AttributeView::from).collect(),
            version: c.version,
        }
    }
}

/// A new class.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClass {
    /// Lower-case letters, digits and hyphens: `rack`, `storage-array`.
    key: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_cluster: bool,
    #[serde(default)]
    attributes: Vec<AttributeView>,
}

/// The class's new name, description and attribute set (the key and cluster flag stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassChanges {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    attributes: Vec<AttributeView>,
    version: i64,
}

/// List the CI classes.
#[utoipa::path(get, path = "/ci-classes", tag = "cmdb",
    responses((status = 200, body = Vec<ClassView>)))]
pub(crate) async fn list_classes(State(state): State<AppState>) -> ApiResult<Json<Vec<ClassView>>> {
    Ok(Json(
        classes::all(&state.db)
            .await?
            .into_iter()
            .map(ClassView::from)
            .collect(),
    ))
}

/// Add a CI class with its attribute set.
#[utoipa::path(post, path = "/ci-classes", tag = "cmdb", request_body = NewClass,
    responses((status = 201, body = ClassView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn create_class(
    write: Write,
    ApiJson(body): ApiJson<NewClass>,
) -> ApiResult<Response> {
    let draft = ClassDraft {
        key: body.key,
        name: body.name,
        description: body.description,
        is_cluster: body.is_cluster,
        attributes: body.attributes.into_iter().map(Into::into).collect(),
    }
    .validate()?;
    let class = classes::create(&write, draft).await?;
    Ok(created(
        format!("/api/v1/ci-classes/{}", class.key),
        ClassView::from(class),
    ))
}

/// Read one CI class.
#[utoipa::path(get, path = "/ci-classes/{key}", tag = "cmdb", params(("key" = String, Path)),
    responses((status = 200, body = ClassView), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_class(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Json<ClassView>> {
    Ok(Json(classes::get(&state.db, &key).await?.into()))
}

/// Replace a class's name, description and attribute set.
#[utoipa::path(put, path = "/ci-classes/{key}", tag = "cmdb", params(("key" = String, Path)), request_body = ClassChanges,
    responses((status = 200, body = ClassView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn update_class(
    write: Write,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<ClassChanges>,
) -> ApiResult<Json<ClassView>> {
    let current = classes::get(&state.db, &key).await?;
    let draft = ClassDraft {
        key: current.key.to_string(),
        name: body.name,
        description: body.description,
        is_cluster: current.is_cluster,
        attributes: body.attributes.into_iter().map(Into::into).collect(),
    }
    .validate()?;
    let class = classes::update(&write, &key, body.version, draft).await?;
    Ok(Json(class.into()))
}
