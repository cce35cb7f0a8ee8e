//! The seed-001 scenario pages: the list of the four, and one scenario's coverage with its
//! overlap (scenario 3) or alignment (scenario 4).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tandem_kernel::Error;
use tandem_web::page::render;
use tandem_web::{AppState, Chrome, InPath, PageError, PageResult};

use super::{Row, TargetRow, explanations, missing, row};
use crate::analysis::Status;
use crate::api::catalogue;
use crate::model::Framework;
use crate::scenarios;

#[derive(Template)]
#[template(path = "frameworks/scenarios.html")]
struct ScenarioList {
    chrome: Chrome,
    scenarios: &'static [scenarios::Scenario],
}

pub(super) async fn scenario_list() -> Response {
    render(&ScenarioList {
        chrome: Chrome::new("frameworks", "Gap-analysis scenarios"),
        scenarios: &scenarios::SCENARIOS,
    })
}

/// Scenario 3's four lists, as rows.
struct OverlapRows {
    shared_target: Vec<Row>,
    target_only: Vec<Row>,
    shared_source: Vec<Row>,
    source_only: Vec<Row>,
}

#[derive(Template)]
#[template(path = "frameworks/scenario.html")]
struct ScenarioPage {
    chrome: Chrome,
    scenario: &'static scenarios::Scenario,
    source: Framework,
    target: Framework,
    counts: Vec<(String, usize)>,
    targets: Vec<TargetRow>,
    overlap: Option<OverlapRows>,
    alignment: Vec<(Row, Vec<Row>)>,
}

pub(super) async fn scenario_page(
    State(state): State<AppState>,
    InPath(number): InPath<u8>,
) -> PageResult<Response> {
    let scenario = scenarios::find(number)
        .ok_or_else(|| missing("There are four scenarios, numbered 1 to 4."))?;
    let shared = catalogue(&state.db).await?;
    let catalogue = shared.as_ref();
    let conflict =
        |e: crate::analysis::AnalysisError| PageError::from(Error::conflict(e.to_string()));
    let coverage = scenarios::coverage(catalogue, scenario).map_err(conflict)?;
    let rows = |nodes: &[usize]| {
        nodes
            .iter()
            .map(|ix| row(catalogue, *ix))
            .collect::<Vec<_>>()
    };
    let overlap = if scenario.number == 3 {
        let o = scenarios::overlap(catalogue, scenario).map_err(conflict)?;
        Some(OverlapRows {
            shared_target: rows(&o.shared_target),
            target_only: rows(&o.target_only),
            shared_source: rows(&o.shared_source),
            source_only: rows(&o.source_only),
        })
    } else {
        None
    };
    let alignment = if scenario.number == 4 {
        scenarios::alignment(catalogue, scenario)
            .map_err(conflict)?
            .into_iter()
            .map(|(source, targets)| (row(catalogue, source), rows(&targets)))
            .collect()
    } else {
        Vec::new()
    };
    let framework = |fid: &str| {
        catalogue
            .framework(fid)
            .cloned()
            .ok_or_else(|| missing(format!("The framework `{fid}` is not installed.")))
    };
    Ok(render(&ScenarioPage {
        chrome: Chrome::new(
            "frameworks",
            format!("Scenario {}: {}", scenario.number, scenario.title),
        ),
        source: framework(scenario.source)?,
        target: framework(scenario.target)?,
        counts: coverage
            .counts()
            .into_iter()
            .map(|(s, n)| (s.map_or("Gap", Status::label).to_owned(), n))
            .collect(),
        targets: coverage
            .nodes
            .iter()
            .map(|(ix, d)| TargetRow {
                row: row(catalogue, *ix),
                status: d.status,
                rolled_up: d.rolled_up,
                inherited_from: d.inherited_from.map(|a| row(catalogue, a)),
                explanation: explanations(catalogue, &coverage, *ix),
            })
            .collect(),
        scenario,
        overlap,
        alignment,
    }))
}
