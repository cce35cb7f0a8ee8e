//! A CI's versions: the list, one version with its record, and the comparison of two.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_kernel::Error;
use tandem_kernel::id::TICKETS;
use tandem_web::{ApiQuery, ApiResult, AppState, InPath};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::ci::CiId;
use crate::store::cis;
use crate::version::{Diff, Snapshot, diff};

/// One version of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// Who made it.
    actor: String,
    /// `manual`, `ticket`, `change`, `import` or `reconciliation`.
    cause: &'static str,
    /// The ticket it was made for, such as `T-000042`.
    ticket: Option<String>,
    /// The change that made it.
    #[schema(format = Uuid)]
    change_id: Option<String>,
    reason: String,
    /// What changed from the version before: field to `[before, after]`.
    #[schema(value_type = Object)]
    changes: Diff,
}

impl From<cis::Version> for VersionView {
    fn from(v: cis::Version) -> Self {
        Self {
            version: v.version,
            at: v.at,
            actor: v.actor,
            cause: v.cause.as_str(),
            ticket: v.ticket.map(|(_, n)| TICKETS.text(n)),
            change_id: v.change_id.map(|c| c.to_string()),
            reason: v.reason,
            changes: v.diff,
        }
    }
}

/// One version with the whole record as it then was.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    #[serde(flatten)]
    version: VersionView,
    /// The record: field to value.
    #[schema(value_type = Object)]
    record: Snapshot,
}

/// Paging of a CI's versions.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// Only versions older than this one.
    before: Option<i64>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// The versions of a CI, newest first.
#[utoipa::path(get, path = "/cis/{id}/versions", tag = "cmdb", params(("id" = String, Path), VersionParams),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn list_versions(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<VersionParams>,
) -> ApiResult<Json<Vec<VersionView>>> {
    cis::get(&state.db, id).await?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 200").into());
    }
    Ok(Json(
        cis::versions(&state.db, id, params.before, limit)
            .await?
            .into_iter()
            .map(VersionView::from)
            .collect(),
    ))
}

/// One version of a CI, with the whole record as it then was.
#[utoipa::path(get, path = "/cis/{id}/versions/{version}", tag = "cmdb", params(("id" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = VersionDetail), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_version(
    State(state): State<AppState>,
    InPath((id, version)): InPath<(CiId, i64)>,
) -> ApiResult<Json<VersionDetail>> {
    let (version, record) = cis::version(&state.db, id, version).await?;
    Ok(Json(VersionDetail {
        version: version.into(),
        record,
    }))
}

/// The two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompareParams {
    from: i64,
    to: i64,
}

/// What differs between two versions of a CI.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    from: i64,
    to: i64,
    /// Field to `[value in from, value in to]`.
    #[schema(value_type = Object)]
    changes: Diff,
}

/// Compare two versions of a CI.
#[utoipa::path(get, path = "/cis/{id}/compare", tag = "cmdb", params(("id" = String, Path), CompareParams),
    responses((status = 200, body = Comparison), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn compare_versions(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<CompareParams>,
) -> ApiResult<Json<Comparison>> {
    let (_, from) = cis::version(&state.db, id, params.from).await?;
    let (_, to) = cis::version(&state.db, id, params.to).await?;
    Ok(Json(Comparison {
        from: params.from,
        to: params.to,
        changes: diff(&from, &to),
    }))
}
