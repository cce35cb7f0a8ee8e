//! Blackout periods: listing those in a period, adding and removing them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, created};
use utoipa::ToSchema;

use super::{BlackoutView, CALENDAR, Period, period};
use crate::change::BlackoutDraft;
use crate::store::blackouts::{self, BlackoutId};

/// Blackout periods overlapping a period.
#[utoipa::path(get, path = "/blackouts", tag = "changes", params(Period),
    responses((status = 200, body = Vec<BlackoutView>), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn list_blackouts(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Period>,
) -> ApiResult<Json<Vec<BlackoutView>>> {
    let (from, to) = period(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        &CALENDAR,
    )?;
    let all = blackouts::between(&state.db, from, to).await?;
    Ok(Json(all.iter().map(BlackoutView::from).collect()))
}

/// A blackout period as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlackoutBody {
    name: String,
    /// RFC 3339.
    starts_at: String,
    ends_at: String,
    /// The CIs it covers; none for every CI.
    #[serde(default)]
    ci_ids: Vec<String>,
    /// Whether emergency changes may run in it.
    #[serde(default)]
    allow_emergency: bool,
    #[serde(default)]
    reason: String,
}

/// Add a blackout period.
#[utoipa::path(post, path = "/blackouts", tag = "changes", request_body = BlackoutBody,
    responses((status = 201, body = BlackoutView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn create_blackout(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BlackoutBody>,
) -> ApiResult<Response> {
    let input = BlackoutDraft {
        name: body.name,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        ci_ids: body.ci_ids,
        allow_emergency: body.allow_emergency,
        reason: body.reason,
    }
    .validate()?;
    let id = blackouts::create(&write, &input).await?;
    let created_one = blackouts::between(&state.db, input.starts_at, input.ends_at)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(Error::NotFound {
            entity: "blackout period",
        })?;
    Ok(created(
        format!("/api/v1/blackouts/{id}"),
        BlackoutView::from(&created_one),
    ))
}

/// Remove a blackout period.
#[utoipa::path(delete, path = "/blackouts/{id}", tag = "changes", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn delete_blackout(
    write: Write,
    InPath(id): InPath<BlackoutId>,
) -> ApiResult<StatusCode> {
    blackouts::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
