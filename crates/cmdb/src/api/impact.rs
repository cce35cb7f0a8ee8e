//! The impact analysis: what fails, which services and customers a failure reaches, for one CI
//! or several failing together.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_kernel::{Error, FieldError, id::parse_id};
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath};
use utoipa::{IntoParams, ToSchema};

use super::CiReference;
use crate::ci::{CiId, OperationalState, number_text};
use crate::store::cis;
use crate::store::graph::{self, Affected, Report};

/// A CI the failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedView {
    ci: CiReference,
    class: String,
    /// `degraded` or `down`.
    state: &'static str,
    /// The CIs the failure travels through, from a failing one to this one.
    path: Vec<String>,
    /// For a cluster: how its members stand.
    quorum: Option<String>,
}

impl From<Affected> for AffectedView {
    fn from(a: Affected) -> Self {
        Self {
            ci: CiReference {
                id: a.node.id.to_string(),
                number: number_text(a.node.number),
                name: a.node.name,
            },
            class: a.node.class_key.to_string(),
            state: a.state.as_str(),
            path: a.path,
            quorum: a.quorum,
        }
    }
}

/// A customer the failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    state: &'static str,
    /// Its affected services and CIs.
    through: Vec<String>,
}

/// What a failure reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactView {
    cis: Vec<AffectedView>,
    services: Vec<AffectedView>,
    customers: Vec<CustomerView>,
    /// CIs whose backup is kept on an affected CI: `[CI, holder]`.
    backups_at_risk: Vec<[String; 2]>,
}

impl From<Report> for ImpactView {
    fn from(r: Report) -> Self {
        Self {
            cis: r.affected.into_iter().map(Into::into).collect(),
            services: r.services.into_iter().map(Into::into).collect(),
            customers: r
                .customers
                .into_iter()
                .map(|c| CustomerView {
                    id: c.id.to_string(),
                    name: c.name,
                    state: c.state.as_str(),
                    through: c.through,
                })
                .collect(),
            backups_at_risk: r
                .backups_at_risk
                .into_iter()
                .map(|(of, holder)| [of.reference(), holder.reference()])
                .collect(),
        }
    }
}

/// The question for one CI.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImpactParams {
    /// `down` (default) or `degraded`.
    #[serde(rename = "as")]
    state: Option<String>,
    /// Whether CIs recorded as degraded or down now count as failed too (default true).
    as_is: Option<bool>,
}

/// The state a CI is assumed to fail into: `down` (also when not given) or `degraded`.
pub fn failing_state(raw: Option<&str>) -> Result<OperationalState, Error> {
    match raw.map(str::trim).unwrap_or("down") {
        "down" => Ok(OperationalState::Down),
        "degraded" => Ok(OperationalState::Degraded),
        _ => Err(Error::invalid("as", "must be down or degraded")),
    }
}

/// What fails if this CI goes down (or is degraded), honouring redundancy.
#[utoipa::path(get, path = "/cis/{id}/impact", tag = "cmdb", params(("id" = String, Path), ImpactParams),
    responses((status = 200, body = ImpactView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn ci_impact(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    ApiQuery(params): ApiQuery<ImpactParams>,
) -> ApiResult<Json<ImpactView>> {
    cis::get(&state.db, id).await?;
    let failing = failing_state(params.state.as_deref())?;
    let graph = graph::load(&state.db).await?;
    Ok(Json(
        graph
            .analyse(&[(id, failing)], params.as_is.unwrap_or(true))?
            .into(),
    ))
}

/// A CI assumed to fail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Root {
    #[schema(format = Uuid)]
    ci: String,
    /// `down` (default) or `degraded`.
    #[serde(default)]
    state: Option<String>,
}

/// Several CIs assumed to fail at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuestion {
    roots: Vec<Root>,
    /// Whether CIs recorded as degraded or down now count as failed too (default true).
    #[serde(default)]
    as_is: Option<bool>,
}

/// What fails if these CIs fail together, honouring redundancy.
#[utoipa::path(post, path = "/impact", tag = "cmdb", request_body = ImpactQuestion,
    responses((status = 200, body = ImpactView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn impact(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ImpactQuestion>,
) -> ApiResult<Json<ImpactView>> {
    let mut roots = Vec::new();
    let mut errors = Vec::new();
    for (i, root) in body.roots.iter().enumerate() {
        match (
            parse_id::<CiId>(&format!("roots[{i}].ci"), &root.ci),
            failing_state(root.state.as_deref()),
        ) {
            (Ok(ci), Ok(s)) => roots.push((ci, s)),
            (ci, s) => {
                errors.extend(ci.err());
                if s.is_err() {
                    errors.push(FieldError::new(
                        format!("roots[{i}].state"),
                        "must be down or degraded",
                    ));
                }
            }
        }
    }
    if body.roots.is_empty() {
        errors.push(FieldError::new("roots", "name at least one CI"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors).into());
    }
    let graph = graph::load(&state.db).await?;
    Ok(Json(
        graph.analyse(&roots, body.as_is.unwrap_or(true))?.into(),
    ))
}
