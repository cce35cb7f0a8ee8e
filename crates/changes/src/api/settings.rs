//! The settings of change management: reading and changing them.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_web::{ApiJson, ApiResult, AppState};
use utoipa::ToSchema;

/// The settings of change management.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsView {
    /// How many counted CAB approvals an emergency change needs.
    cab_quorum: i64,
    /// How many hours after its start an emergency change may still be approved.
    retro_approval_hours: i64,
    /// Whether high-risk changes need the CAB's consent too.
    cab_for_high_risk: bool,
    /// How many minutes before its window a scheduled change may start.
    start_tolerance_minutes: i64,
    version: i64,
}

/// Read the settings of change management.
#[utoipa::path(get, path = "/change-settings", tag = "changes",
    responses((status = 200, body = SettingsView)))]
pub(crate) async fn get_settings(State(state): State<AppState>) -> ApiResult<Json<SettingsView>> {
    let (s, version) = crate::store::settings::get(&mut state.db.conn().await?).await?;
    Ok(Json(SettingsView {
        cab_quorum: i64::from(s.cab_quorum),
        retro_approval_hours: s.retro_approval_hours,
        cab_for_high_risk: s.cab_for_high_risk,
        start_tolerance_minutes: s.start_tolerance_minutes,
        version,
    }))
}

/// Change the settings of change management.
#[utoipa::path(put, path = "/change-settings", tag = "changes", request_body = SettingsView,
    responses((status = 200, body = SettingsView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn update_settings(
    write: Write,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SettingsView>,
) -> ApiResult<Json<SettingsView>> {
    let settings = crate::store::settings::check(
        &body.cab_quorum.to_string(),
        &body.retro_approval_hours.to_string(),
        body.cab_for_high_risk,
        &body.start_tolerance_minutes.to_string(),
    )?;
    crate::store::settings::save(&write, body.version, &settings).await?;
    get_settings(State(state)).await
}
