//! The four gap-analysis scenarios of seed 001, as ready-made analyses over the shipped
//! catalogue. "In place" means every node of the framework is taken as implemented.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::{AnalysisError, Coverage, Status, analyse};
use crate::catalogue::Catalogue;

/// One of the named scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    pub number: u8,
    pub title: &'static str,
    pub question: &'static str,
    pub source: &'static str,
    pub target: &'static str,
}

/// ITIL V3 as its books divide it; mappings reach ISO/IEC 27001 from the book sections
/// directly (seed 002 Appendix B) and through seed 001's activities (Table 1).
const ITIL: &str = "itil-v3";
/// ITIL V3 as seed 001 Table 1 breaks it into security-management activities and processes.
const ITIL_ACTIVITIES: &str = "seed001-ism";
const ISO: &str = "iso27001-2005";
const PDCA: &str = "pdca";

pub const SCENARIOS: [Scenario; 4] = [
    Scenario {
        number: 1,
        title: "ISO 27001 in place",
        question: "An organisation runs an ISO/IEC 27001 ISMS. Which parts of ITIL (the book sections security management draws on) does it already cover?",
        source: ISO,
        target: ITIL,
    },
    Scenario {
        number: 2,
        title: "ITIL in place",
        question: "An organisation runs ITIL. Which ISO/IEC 27001 requirements are satisfied through it, and which need attention?",
        source: ITIL,
        target: ISO,
    },
    Scenario {
        number: 3,
        title: "Both in use",
        question: "An organisation uses both. Where do they overlap, and what does each cover that the other does not?",
        source: ITIL,
        target: ISO,
    },
    Scenario {
        number: 4,
        title: "Two organisations merged",
        question: "One merged organisation runs ITIL, the other an ISO/IEC 27001 ISMS. Which ITIL activities align with which phase of the ISMS life cycle (Plan, Do, Check, Act)?",
        source: ITIL_ACTIVITIES,
        target: PDCA,
    },
];

pub fn find(number: u8) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.number == number)
}

/// Every node of `framework` declared implemented.
fn all_implemented(catalogue: &Catalogue, framework: &str) -> HashMap<usize, Status> {
    catalogue
        .nodes_of(framework)
        .iter()
        .map(|ix| (*ix, Status::Implemented))
        .collect()
}

/// The coverage of the scenario's target with its source in place.
pub fn coverage(catalogue: &Catalogue, scenario: &Scenario) -> Result<Coverage, AnalysisError> {
    analyse(
        catalogue,
        scenario.source,
        scenario.target,
        &all_implemented(catalogue, scenario.source),
    )
}

/// Scenario 3: the overlap of two frameworks both in use.
#[derive(Debug, Clone)]
pub struct Overlap {
    /// Target nodes the source reaches (both cover them).
    pub shared_target: Vec<usize>,
    /// Target nodes the source does not reach (only the target covers them).
    pub target_only: Vec<usize>,
    /// Source nodes that reach the target.
    pub shared_source: Vec<usize>,
    /// Source nodes that reach nothing in the target.
    pub source_only: Vec<usize>,
}

pub fn overlap(catalogue: &Catalogue, scenario: &Scenario) -> Result<Overlap, AnalysisError> {
    let forward = coverage(catalogue, scenario)?;
    let backward = analyse(
        catalogue,
        scenario.target,
        scenario.source,
        &all_implemented(catalogue, scenario.target),
    )?;
    let split = |coverage: &Coverage| -> (Vec<usize>, Vec<usize>) {
        coverage
            .nodes
            .iter()
            .filter(|(_, d)| !d.rolled_up || d.status.is_none())
            .map(|(ix, d)| (*ix, d.status.is_some()))
            .fold(
                (Vec::new(), Vec::new()),
                |(mut yes, mut no), (ix, reached)| {
                    if reached {
                        yes.push(ix)
                    } else {
                        no.push(ix)
                    }
                    (yes, no)
                },
            )
    };
    let (shared_target, target_only) = split(&forward);
    let (shared_source, source_only) = split(&backward);
    Ok(Overlap {
        shared_target,
        target_only,
        shared_source,
        source_only,
    })
}

/// Scenario 4: for each source node that reaches the target, the target nodes it reaches
/// (here: ITIL activity → PDCA phases), in document order of both.
pub fn alignment(
    catalogue: &Catalogue,
    scenario: &Scenario,
) -> Result<Vec<(usize, Vec<usize>)>, AnalysisError> {
    let coverage = coverage(catalogue, scenario)?;
    let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (target, derived) in &coverage.nodes {
        for contribution in &derived.contributions {
            let phases = by_source.entry(contribution.source).or_default();
            if !phases.contains(target) {
                phases.push(*target);
            }
        }
    }
    let order: HashMap<usize, usize> = catalogue
        .nodes_of(scenario.source)
        .iter()
        .enumerate()
        .map(|(position, ix)| (*ix, position))
        .collect();
    let mut rows: Vec<(usize, Vec<usize>)> = by_source.into_iter().collect();
    rows.sort_by_key(|(source, _)| order.get(source).copied().unwrap_or(usize::MAX));
    Ok(rows)
}
