//! Gap-analysis figures: `cargo bench -p tandem-frameworks --bench analysis`.
//!
//! Loads and checks the shipped catalogues, then runs a full analysis for every ordered pair of
//! shipped frameworks with every source node declared implemented (the heaviest case: every
//! node starts paths). Prints the figures; asserts nothing, since timing on a shared machine is
//! noisy.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tandem_frameworks::analysis::{Status, analyse};
use tandem_frameworks::shipped;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let mut loads = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let catalogue = shipped::load().expect("the shipped data is valid").build();
        loads.push(started.elapsed());
        std::hint::black_box(catalogue);
    }
    let catalogue = shipped::load().expect("the shipped data is valid").build();
    let ids: Vec<String> = catalogue
        .frameworks()
        .iter()
        .map(|f| f.id.clone())
        .collect();
    println!(
        "catalogue: {} frameworks, {} nodes, {} mappings; load and check: median {:.2} ms over 20 runs",
        ids.len(),
        catalogue.node_count(),
        catalogue.mappings().len(),
        median(loads).as_secs_f64() * 1e3
    );

    let mut rounds = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut pairs = 0;
    for _ in 0..5 {
        let started = Instant::now();
        pairs = 0;
        for source in &ids {
            let declared: HashMap<usize, Status> = catalogue
                .nodes_of(source)
                .iter()
                .map(|ix| (*ix, Status::Implemented))
                .collect();
            for target in ids.iter().filter(|t| *t != source) {
                let one = Instant::now();
                let coverage =
                    analyse(&catalogue, source, target, &declared).expect("both frameworks exist");
                let took = one.elapsed();
                if took > slowest.0 {
                    slowest = (took, format!("{source} → {target}"));
                }
                std::hint::black_box(coverage);
                pairs += 1;
            }
        }
        rounds.push(started.elapsed());
    }
    println!(
        "full gap analysis, all {pairs} ordered pairs of shipped frameworks: median {:.1} ms per round of all pairs (5 rounds); slowest single analysis {:.2} ms ({})",
        median(rounds).as_secs_f64() * 1e3,
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
}
