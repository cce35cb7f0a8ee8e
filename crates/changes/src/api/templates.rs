//! The catalogue of standard-change templates: listing, adding and changing them.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::{ApiJson, ApiResult, AppState, InPath, Reference, created};
use utoipa::ToSchema;

use super::person;
use crate::change::{TemplateDraft, TemplateId};
use crate::store::changes;
use crate::store::templates::{self, Template};

/// A standard-change template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    id: String,
    name: String,
    description: String,
    configuration: String,
    fallback: String,
    risk: String,
    checklist: Vec<String>,
    duration_minutes: i64,
    active: bool,
    approved_by: Option<Reference>,
    version: i64,
}

impl From<&Template> for TemplateView {
    fn from(t: &Template) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            description: t.description.clone(),
            configuration: t.configuration.clone(),
            fallback: t.fallback.clone(),
            risk: t.risk.as_str().to_owned(),
            checklist: t.checklist.clone(),
            duration_minutes: t.duration_minutes,
            active: t.active,
            approved_by: t.approver.as_ref().map(person),
            version: t.version,
        }
    }
}

/// A template as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    name: String,
    description: String,
    #[serde(default)]
    configuration: String,
    fallback: String,
    /// `low`, `medium` or `high`.
    risk: String,
    #[serde(default)]
    checklist: Vec<String>,
    duration_minutes: i64,
    #[serde(default = "yes")]
    active: bool,
    /// The version edited (for updates).
    version: Option<i64>,
}

fn yes() -> bool {
    true
}

impl TemplateBody {
    fn draft(&self) -> TemplateDraft {
        TemplateDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            configuration: self.configuration.clone(),
            fallback: self.fallback.clone(),
            risk: self.risk.clone(),
            checklist: self.checklist.join("\n"),
            duration_minutes: self.duration_minutes.to_string(),
            active: self.active,
        }
    }
}

/// The catalogue of standard changes.
#[utoipa::path(get, path = "/change-templates", tag = "changes",
    responses((status = 200, body = Vec<TemplateView>)))]
pub(crate) async fn list_templates(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<TemplateView>>> {
    let all = templates::all(&state.db).await?;
    Ok(Json(all.iter().map(TemplateView::from).collect()))
}

async fn save_template(
    write: &Write,
    id: Option<TemplateId>,
    body: TemplateBody,
) -> Result<Template, Error> {
    let input = body.draft().validate()?;
    let approver = changes::acting_person(&mut write.db.conn().await?, &write.actor).await?;
    let target = match id {
        None => None,
        Some(id) => Some((
            id,
            body.version.ok_or_else(|| {
                Error::invalid("version", "say which version of the template you edited")
            })?,
        )),
    };
    templates::save(write, target, &input, Some(&approver)).await
}

/// Add a template to the catalogue; the change manager who writes it approves it.
#[utoipa::path(post, path = "/change-templates", tag = "changes", request_body = TemplateBody,
    responses((status = 201, body = TemplateView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn create_template(
    write: Write,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Response> {
    let template = save_template(&write, None, body).await?;
    Ok(created(
        format!("/api/v1/change-templates/{}", template.id),
        TemplateView::from(&template),
    ))
}

/// Change a template; the editor approves it anew.
#[utoipa::path(put, path = "/change-templates/{id}", tag = "changes", params(("id" = String, Path)),
    request_body = TemplateBody,
    responses((status = 200, body = TemplateView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn update_template(
    write: Write,
    InPath(id): InPath<TemplateId>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Json<TemplateView>> {
    let template = save_template(&write, Some(id), body).await?;
    Ok(Json(TemplateView::from(&template)))
}
