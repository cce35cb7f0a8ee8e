//! The four seed-001 gap-analysis scenarios in the API: list them, and run one to read the
//! coverage of its target framework.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tandem_kernel::Error;
use tandem_web::{ApiError, ApiResult, AppState, InPath};
use utoipa::ToSchema;

use super::assessments::{CoverageView, coverage_view};
use super::catalogue;
use crate::scenarios;

/// One of the four gap-analysis scenarios of seed 001.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioView {
    number: u8,
    title: &'static str,
    question: &'static str,
    source_framework: &'static str,
    target_framework: &'static str,
}

fn scenario_view(s: &scenarios::Scenario) -> ScenarioView {
    ScenarioView {
        number: s.number,
        title: s.title,
        question: s.question,
        source_framework: s.source,
        target_framework: s.target,
    }
}

/// List the four scenarios.
#[utoipa::path(get, path = "/scenarios", tag = "frameworks", responses((status = 200, body = Vec<ScenarioView>)))]
pub(crate) async fn list_scenarios() -> Json<Vec<ScenarioView>> {
    Json(scenarios::SCENARIOS.iter().map(scenario_view).collect())
}

/// A scenario's answer: the coverage of its target with its source in place.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioResult {
    #[serde(flatten)]
    scenario: ScenarioView,
    coverage: CoverageView,
}

/// Run a scenario (1 to 4).
#[utoipa::path(get, path = "/scenarios/{number}", tag = "frameworks", params(("number" = u8, Path)),
    responses((status = 200, body = ScenarioResult), (status = 404, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn get_scenario(
    State(state): State<AppState>,
    InPath(number): InPath<u8>,
) -> ApiResult<Json<ScenarioResult>> {
    let scenario = scenarios::find(number)
        .ok_or_else(|| ApiError::not_found("there are four scenarios, numbered 1 to 4"))?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let coverage =
        scenarios::coverage(catalogue, scenario).map_err(|e| Error::conflict(e.to_string()))?;
    Ok(Json(ScenarioResult {
        scenario: scenario_view(scenario),
        coverage: coverage_view(catalogue, &coverage),
    }))
}
