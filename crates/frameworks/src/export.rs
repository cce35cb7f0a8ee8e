//! CSV exports of frameworks, mappings and coverage, in the same formats as the shipped data
//! files, so that an export can be edited and read back.

use crate::analysis::{Coverage, Status};
use crate::catalogue::Catalogue;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> String {
    let bytes = writer
        .into_inner()
        .expect("writing to memory does not fail");
    String::from_utf8(bytes).expect("every field written is UTF-8")
}

/// The framework's nodes, as `nodes.csv`.
pub fn nodes_csv(catalogue: &Catalogue, framework: &str) -> String {
    let mut w = writer();
    w.write_record(["ref", "parent", "kind", "title"])
        .expect("in memory");
    for &ix in catalogue.nodes_of(framework) {
        let n = catalogue.node(ix);
        w.write_record([
            &n.reference,
            n.parent.as_deref().unwrap_or(""),
            n.kind.as_str(),
            &n.title,
        ])
        .expect("in memory");
    }
    finish(w)
}

/// The given mappings, as a mapping file.
pub fn mappings_csv(catalogue: &Catalogue, mappings: &[usize]) -> String {
    let mut w = writer();
    w.write_record([
        "source_framework",
        "source_ref",
        "target_framework",
        "target_ref",
        "relation",
        "rationale",
        "confidence",
        "note",
        "provenance",
    ])
    .expect("in memory");
    for &ix in mappings {
        let m = catalogue.mapping(ix);
        let confidence = m.confidence.map(|c| c.to_string()).unwrap_or_default();
        w.write_record([
            &m.source.framework,
            &m.source.reference,
            &m.target.framework,
            &m.target.reference,
            m.relation.as_str(),
            m.rationale.as_str(),
            &confidence,
            &m.note,
            &m.provenance,
        ])
        .expect("in memory");
    }
    finish(w)
}

/// One line per target node: its status (`gap` where nothing reaches it), how it was
/// reached, and the best path.
pub fn coverage_csv(catalogue: &Catalogue, coverage: &Coverage) -> String {
    let mut w = writer();
    w.write_record([
        "ref",
        "title",
        "status",
        "rolled_up",
        "inherited_from",
        "best_source",
        "paths",
        "best_path",
    ])
    .expect("in memory");
    for (ix, derived) in &coverage.nodes {
        let node = catalogue.node(*ix);
        let best = derived.contributions.first();
        let best_source = best
            .map(|c| catalogue.node(c.source).reference.clone())
            .unwrap_or_default();
        let best_path = best
            .map(|c| {
                c.path
                    .iter()
                    .map(|h| {
                        let to = catalogue.node(h.to);
                        format!(
                            "{} {} {} ({})",
                            h.relation,
                            to.framework,
                            to.reference,
                            catalogue.mapping(h.mapping).provenance
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" → ")
            })
            .unwrap_or_default();
        w.write_record([
            node.reference.as_str(),
            node.title.as_str(),
            derived.status.map_or("gap", Status::as_str),
            if derived.rolled_up { "yes" } else { "no" },
            derived
                .inherited_from
                .map_or("", |a| catalogue.node(a).reference.as_str()),
            best_source.as_str(),
            &derived.contributions.len().to_string(),
            best_path.as_str(),
        ])
        .expect("in memory");
    }
    finish(w)
}
