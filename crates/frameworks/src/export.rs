//! CSV exports of frameworks, mappings and coverage, in the same formats as the shipped data
//! files, so that an export can be edited and read back. Cells go through the kernel's formula
//! guard ([`Sheet`]); the catalogue's reader takes the guard off again.

use crate::analysis::{Coverage, Status};
use crate::catalogue::Catalogue;
use tandem_kernel::Sheet;

/// The framework's nodes, as `nodes.csv`.
pub fn nodes_csv(catalogue: &Catalogue, framework: &str) -> String {
    let mut w = Sheet::new(["ref", "parent", "kind", "title"]);
    for &ix in catalogue.nodes_of(framework) {
        let n = catalogue.node(ix);
        w.row([
            &n.reference,
            n.parent.as_deref().unwrap_or(""),
            n.kind.as_str(),
            &n.title,
        ]);
    }
    w.into_string()
}

/// The given mappings, as a mapping file.
pub fn mappings_csv(catalogue: &Catalogue, mappings: &[usize]) -> String {
    let mut w = Sheet::new([
        "source_framework",
        "source_ref",
        "target_framework",
        "target_ref",
        "relation",
        "rationale",
        "confidence",
        "note",
        "provenance",
    ]);
    for &ix in mappings {
        let m = catalogue.mapping(ix);
        let confidence = m.confidence.map(|c| c.to_string()).unwrap_or_default();
        w.row([
            &m.source.framework,
            &m.source.reference,
            &m.target.framework,
            &m.target.reference,
            m.relation.as_str(),
            m.rationale.as_str(),
            &confidence,
            &m.note,
            &m.provenance,
        ]);
    }
    w.into_string()
}

/// One line per target node: its status (`gap` where nothing reaches it), how it was
/// reached, and the best path.
pub fn coverage_csv(catalogue: &Catalogue, coverage: &Coverage) -> String {
    let mut w = Sheet::new([
        "ref",
        "title",
        "status",
        "rolled_up",
        "inherited_from",
        "best_source",
        "paths",
        "best_path",
    ]);
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
        w.row([
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
        ]);
    }
    w.into_string()
}
