//! Coverage and gap analysis between two frameworks.
//!
//! The user declares a status for nodes of the *source* framework (what is implemented); the
//! analysis derives a status for every node of the *target* framework, with the mappings that
//! explain it. The rules, in order:
//!
//! 1. **Inheritance in the source.** A source node without a declared status takes the status
//!    of its nearest ancestor that has one (declaring "ST 4.2 Change management: implemented"
//!    covers its sub-sections). Nodes with no status anywhere above them contribute nothing.
//! 2. **What a relation lets through.** Read from the source's side, `equal-to`,
//!    `equivalent-to` and `superset-of` let the full status through; `subset-of` and
//!    `intersects-with` let through at most *partial* (an implemented part is not the whole);
//!    `no-relationship` lets nothing through.
//! 3. **Chains.** A path may pass through nodes of other frameworks (at most
//!    [`MAX_HOPS`] mappings, never through the source or target framework, never twice through
//!    one node); it lets through the weakest of its links.
//! 4. **Several paths.** A target node takes the best status any path brings. `not applicable`
//!    counts only when no path brings anything else.
//! 5. **Descent in the target.** A target node no path reaches takes the status a path brought
//!    to its parent, at most *partial*, one level down only: a mapping to a group of controls
//!    (seed 002 Appendix B maps whole control objectives) says something about each control in
//!    it, but not that each is fully met, and a mapping to a whole book says little about each
//!    of its sub-sections.
//! 6. **Roll-up.** A target node also takes the combined status of its sub-nodes when that is
//!    better: all implemented → implemented; otherwise any implemented or partial → partial;
//!    otherwise any planned → planned; otherwise not implemented. Sub-nodes nothing reaches
//!    count as gaps; if nothing reaches any sub-node (out-of-scope ones aside), the roll-up
//!    adds nothing and the node keeps what a path or its parent gave it.
//! 7. **Withdrawn nodes.** A target node withdrawn from its framework (an OSCAL control whose
//!    `status` is `withdrawn`) is no longer a requirement: it is not applicable, whatever
//!    reaches it (the paths that do are still listed).
//!
//! So raising a source status never lowers a target status, and a `no-relationship` mapping
//! changes nothing; both are property-tested.

use std::collections::HashMap;

use crate::catalogue::Catalogue;
use crate::model::Relation;

/// How far a node is implemented. The order is the order of strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    NotImplemented,
    Planned,
    Partial,
    Implemented,
    /// Out of scope: counts only where nothing else reaches.
    NotApplicable,
}

impl Status {
    pub const ALL: [Self; 5] = [
        Self::Implemented,
        Self::Partial,
        Self::Planned,
        Self::NotImplemented,
        Self::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotImplemented => "not_implemented",
            Self::Planned => "planned",
            Self::Partial => "partial",
            Self::Implemented => "implemented",
            Self::NotApplicable => "not_applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotImplemented => "Not implemented",
            Self::Planned => "Planned",
            Self::Partial => "Partial",
            Self::Implemented => "Implemented",
            Self::NotApplicable => "Not applicable",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                format!("`{raw}` is not a status; expected one of: implemented, partial, planned, not_implemented, not_applicable")
            })
    }

    /// Strength for combining: `None` for not applicable, which is outside the order.
    fn strength(self) -> Option<u8> {
        match self {
            Self::NotImplemented => Some(0),
            Self::Planned => Some(1),
            Self::Partial => Some(2),
            Self::Implemented => Some(3),
            Self::NotApplicable => None,
        }
    }
}

/// What a relation lets through, read from the side the analysis comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    AtMostPartial,
    Full,
}

impl Reach {
    pub fn of(relation: Relation) -> Option<Self> {
        match relation {
            Relation::EqualTo | Relation::EquivalentTo | Relation::SupersetOf => Some(Self::Full),
            Relation::SubsetOf | Relation::IntersectsWith => Some(Self::AtMostPartial),
            Relation::NoRelationship => None,
        }
    }

    fn apply(self, status: Status) -> Status {
        match (self, status) {
            (Self::AtMostPartial, Status::Implemented) => Status::Partial,
            (_, status) => status,
        }
    }
}

/// The longest chain of mappings followed from a source node to a target node.
pub const MAX_HOPS: usize = 3;

/// One mapping followed, from `from` to `to` (node indexes of the catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub mapping: usize,
    pub from: usize,
    pub to: usize,
    /// The relation read in the direction travelled.
    pub relation: Relation,
}

/// A source node's status arriving at a target node along a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub source: usize,
    pub source_status: Status,
    pub status: Status,
    pub path: Vec<Hop>,
}

/// The derived status of one target node and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// `None`: nothing in the source reaches this node — a gap.
    pub status: Option<Status>,
    /// Every path that reached the node, best first.
    pub contributions: Vec<Contribution>,
    /// The status came from the node's sub-nodes rather than from a path.
    pub rolled_up: bool,
    /// The status came from this parent (rule 5), no path reaching the node itself.
    pub inherited_from: Option<usize>,
}

/// The result of an analysis: a derived status for every node of the target framework.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub source: String,
    pub target: String,
    /// Indexed like `Catalogue::nodes_of(target)`.
    pub nodes: Vec<(usize, Derived)>,
}

impl Coverage {
    pub fn get(&self, node: usize) -> Option<&Derived> {
        self.nodes
            .iter()
            .find(|(ix, _)| *ix == node)
            .map(|(_, d)| d)
    }

    /// How many target nodes have each status, and how many nothing reaches (`None`).
    pub fn counts(&self) -> Vec<(Option<Status>, usize)> {
        let mut counts: Vec<(Option<Status>, usize)> =
            Status::ALL.iter().map(|s| (Some(*s), 0)).collect();
        counts.push((None, 0));
        for (_, derived) in &self.nodes {
            if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == derived.status) {
                entry.1 += 1;
            }
        }
        counts
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("there is no framework `{0}`")]
    UnknownFramework(String),
    #[error("source and target are the same framework; choose two different ones")]
    SameFramework,
}

/// The effective status of every source node: its own, or its nearest ancestor's.
fn effective_statuses(
    catalogue: &Catalogue,
    source: &str,
    declared: &HashMap<usize, Status>,
) -> Vec<(usize, Status)> {
    let mut effective: HashMap<usize, Status> = HashMap::new();
    let mut out = Vec::new();
    // Nodes come in document order with parents first, so a parent's effective status is known
    // before its children's.
    for &ix in catalogue.nodes_of(source) {
        let own = declared.get(&ix).copied();
        let inherited = catalogue
            .node(ix)
            .parent
            .as_deref()
            .and_then(|p| catalogue.find(source, p))
            .and_then(|p| effective.get(&p).copied());
        if let Some(status) = own.or(inherited) {
            effective.insert(ix, status);
            out.push((ix, status));
        }
    }
    out
}

/// Every path from `start` to a node of `target` within [`MAX_HOPS`] mappings.
fn paths(
    catalogue: &Catalogue,
    start: usize,
    source: usize,
    target: usize,
) -> Vec<(usize, Reach, Vec<Hop>)> {
    let mut found = Vec::new();
    let mut path: Vec<Hop> = Vec::new();
    walk(
        catalogue,
        start,
        source,
        target,
        Reach::Full,
        &mut path,
        &mut found,
    );
    found
}

fn walk(
    catalogue: &Catalogue,
    at: usize,
    source: usize,
    target: usize,
    reach: Reach,
    path: &mut Vec<Hop>,
    found: &mut Vec<(usize, Reach, Vec<Hop>)>,
) {
    if path.len() == MAX_HOPS {
        return;
    }
    for edge in catalogue.edges(at) {
        let Some(link) = Reach::of(edge.relation) else {
            continue;
        };
        let next = edge.other;
        let framework = catalogue.framework_of(next);
        let visited =
            next == path.first().map_or(at, |h| h.from) || path.iter().any(|h| h.to == next);
        if visited || framework == source {
            continue;
        }
        path.push(Hop {
            mapping: edge.mapping,
            from: at,
            to: next,
            relation: edge.relation,
        });
        let reach = reach.min(link);
        if framework == target {
            found.push((next, reach, path.clone()));
        } else {
            walk(catalogue, next, source, target, reach, path, found);
        }
        path.pop();
    }
}

fn better(a: Status, b: Status) -> bool {
    match (a.strength(), b.strength()) {
        (Some(x), Some(y)) => x > y,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Combines the statuses of a node's sub-nodes (rule 6); `None` entries are gaps.
fn roll_up(children: &[Option<Status>]) -> Option<Status> {
    let applicable: Vec<Option<Status>> = children
        .iter()
        .copied()
        .filter(|s| *s != Some(Status::NotApplicable))
        .collect();
    if applicable.is_empty() {
        return (!children.is_empty()).then_some(Status::NotApplicable);
    }
    if applicable.iter().all(Option::is_none) {
        return None;
    }
    let has = |status: Status| applicable.contains(&Some(status));
    Some(
        if applicable.iter().all(|s| *s == Some(Status::Implemented)) {
            Status::Implemented
        } else if has(Status::Implemented) || has(Status::Partial) {
            Status::Partial
        } else if has(Status::Planned) {
            Status::Planned
        } else {
            Status::NotImplemented
        },
    )
}

/// Derives the status of every node of `target` from the statuses declared for nodes of
/// `source` (keys are catalogue node indexes).
pub fn analyse(
    catalogue: &Catalogue,
    source: &str,
    target: &str,
    declared: &HashMap<usize, Status>,
) -> Result<Coverage, AnalysisError> {
    let source_ix = catalogue
        .framework_index(source)
        .ok_or_else(|| AnalysisError::UnknownFramework(source.to_owned()))?;
    let target_ix = catalogue
        .framework_index(target)
        .ok_or_else(|| AnalysisError::UnknownFramework(target.to_owned()))?;
    if source_ix == target_ix {
        return Err(AnalysisError::SameFramework);
    }
    let mut reached: HashMap<usize, Vec<Contribution>> = HashMap::new();
    for (node, status) in effective_statuses(catalogue, source, declared) {
        for (end, reach, path) in paths(catalogue, node, source_ix, target_ix) {
            reached.entry(end).or_default().push(Contribution {
                source: node,
                source_status: status,
                status: reach.apply(status),
                path,
            });
        }
    }
    let order = catalogue.nodes_of(target);
    let mut derived: HashMap<usize, Derived> = HashMap::new();
    // Parents come before their children in document order: the paths and descent (rules 4
    // and 5) go forwards, the roll-up (rule 6) backwards.
    for &ix in order {
        let mut contributions = reached.remove(&ix).unwrap_or_default();
        contributions.sort_by(|a, b| {
            if better(a.status, b.status) {
                std::cmp::Ordering::Less
            } else if better(b.status, a.status) {
                std::cmp::Ordering::Greater
            } else {
                a.path.len().cmp(&b.path.len())
            }
        });
        let (status, inherited_from) = match contributions.first() {
            _ if catalogue.node(ix).withdrawn => (Some(Status::NotApplicable), None),
            Some(best) => (Some(best.status), None),
            None => catalogue
                .node(ix)
                .parent
                .as_deref()
                .and_then(|p| catalogue.find(target, p))
                .and_then(|parent| {
                    let from = derived.get(&parent)?;
                    // Only a status a path brought to the parent itself descends, and only one
                    // level: a mapping to a whole book says little about each sub-section.
                    let status = from.status.filter(|_| from.inherited_from.is_none())?;
                    Some((Some(Reach::AtMostPartial.apply(status)), Some(parent)))
                })
                .unwrap_or((None, None)),
        };
        derived.insert(
            ix,
            Derived {
                status,
                contributions,
                rolled_up: false,
                inherited_from,
            },
        );
    }
    for &ix in order
        .iter()
        .rev()
        .filter(|ix| !catalogue.node(**ix).withdrawn)
    {
        let children: Vec<Option<Status>> = catalogue
            .children(ix)
            .iter()
            .map(|c| derived.get(c).and_then(|d| d.status))
            .collect();
        let Some(rolled) = roll_up(&children) else {
            continue;
        };
        let entry = derived
            .get_mut(&ix)
            .expect("every target node has an entry");
        if entry.status.is_none_or(|own| better(rolled, own)) {
            entry.status = Some(rolled);
            entry.rolled_up = true;
            entry.inherited_from = None;
        }
    }
    let nodes = order
        .iter()
        .map(|ix| (*ix, derived.remove(ix).unwrap_or_default()))
        .collect();
    Ok(Coverage {
        source: source.to_owned(),
        target: target.to_owned(),
        nodes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::CatalogueBuilder;
    use crate::model::Origin;
    use proptest::prelude::*;

    const HEADER: &str = "source_framework,source_ref,target_framework,target_ref,relation,rationale,confidence,note,provenance\n";

    fn framework(b: &mut CatalogueBuilder, id: &str, nodes: &str) {
        let toml = format!(
            "id = \"{id}\"\nname = \"{id}\"\nedition = \"1\"\npublisher = \"\"\nlicence_note = \"\"\nsource = \"\"\ndescription = \"\"\n"
        );
        b.framework_file("f", &toml, Origin::Shipped).unwrap();
        b.nodes_file("n", &format!("ref,parent,kind,title\n{nodes}"), id)
            .unwrap();
    }

    /// ITIL-like `itil` (a process with two activities), ISO-like `iso` (a clause with two
    /// sub-clauses), and `mid` in between.
    fn catalogue(mappings: &str) -> Catalogue {
        let mut b = CatalogueBuilder::default();
        framework(
            &mut b,
            "itil",
            "P,,process,Process\nP.1,P,activity,One\nP.2,P,activity,Two\nQ,,process,Other\n",
        );
        framework(
            &mut b,
            "iso",
            "4,,clause,Four\n4.1,4,clause,Four one\n4.2,4,clause,Four two\n5,,clause,Five\n",
        );
        framework(&mut b, "mid", "M,,step,Middle\n");
        b.mappings_file("m", &format!("{HEADER}{mappings}"))
            .unwrap();
        b.build()
    }

    fn status_of(catalogue: &Catalogue, coverage: &Coverage, reference: &str) -> Option<Status> {
        coverage
            .get(catalogue.find(&coverage.target, reference).unwrap())
            .unwrap()
            .status
    }

    fn declare(catalogue: &Catalogue, pairs: &[(&str, Status)]) -> HashMap<usize, Status> {
        pairs
            .iter()
            .map(|(r, s)| (catalogue.find("itil", r).unwrap(), *s))
            .collect()
    }

    #[test]
    fn equivalence_lets_the_full_status_through_and_intersection_at_most_partial() {
        let c = catalogue(
            "itil,P.1,iso,4.1,equivalent-to,semantic,,,p\nitil,P.2,iso,4.2,intersects-with,semantic,,,p\n",
        );
        let declared = declare(&c, &[("P", Status::Implemented)]);
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        assert_eq!(
            status_of(&c, &coverage, "4.1"),
            Some(Status::Implemented),
            "inherited from P, passed in full"
        );
        assert_eq!(
            status_of(&c, &coverage, "4.2"),
            Some(Status::Partial),
            "intersects gives at most partial"
        );
        assert_eq!(
            status_of(&c, &coverage, "4"),
            Some(Status::Partial),
            "rolled up from 4.1 and 4.2"
        );
        assert!(coverage.get(c.find("iso", "4").unwrap()).unwrap().rolled_up);
        assert_eq!(
            status_of(&c, &coverage, "5"),
            None,
            "nothing reaches clause 5: a gap"
        );
    }

    #[test]
    fn a_withdrawn_target_node_is_not_applicable_whatever_reaches_it() {
        let mut b = CatalogueBuilder::default();
        framework(&mut b, "itil", "P,,process,Process\n");
        framework(&mut b, "iso", "4,,clause,Four\n4.1,4,clause,Four one\n");
        b.node(
            crate::model::Node {
                framework: "iso".into(),
                reference: "4.2".into(),
                parent: Some("4".into()),
                kind: crate::model::NodeKind::Control,
                title: "Withdrawn".into(),
                oscal_id: Some("iso-4.2".into()),
                withdrawn: true,
            },
            crate::catalogue::At {
                file: "n",
                line: None,
            },
        )
        .unwrap();
        b.mappings_file(
            "m",
            &format!(
                "{HEADER}itil,P,iso,4.1,equal-to,semantic,,,p\nitil,P,iso,4.2,equal-to,semantic,,,p\n"
            ),
        )
        .unwrap();
        let c = b.build();
        let declared = declare(&c, &[("P", Status::Implemented)]);
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        assert_eq!(status_of(&c, &coverage, "4.2"), Some(Status::NotApplicable));
        let withdrawn = coverage.get(c.find("iso", "4.2").unwrap()).unwrap();
        assert_eq!(withdrawn.contributions.len(), 1, "the path is still shown");
        assert_eq!(
            status_of(&c, &coverage, "4"),
            Some(Status::Implemented),
            "the withdrawn control leaves the roll-up like an out-of-scope one"
        );
    }

    #[test]
    fn subset_and_superset_depend_on_the_direction_travelled() {
        let c = catalogue("iso,4.1,itil,P.1,subset-of,semantic,,,p\n");
        let declared = declare(&c, &[("P.1", Status::Implemented)]);
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        assert_eq!(
            status_of(&c, &coverage, "4.1"),
            Some(Status::Implemented),
            "P.1 is a superset of 4.1"
        );
        let declared: HashMap<usize, Status> =
            [(c.find("iso", "4.1").unwrap(), Status::Implemented)].into();
        let back = analyse(&c, "iso", "itil", &declared).unwrap();
        assert_eq!(
            status_of(&c, &back, "P.1"),
            Some(Status::Partial),
            "4.1 is only part of P.1"
        );
    }

    #[test]
    fn chains_take_their_weakest_link_and_explain_themselves() {
        let c = catalogue(
            "itil,Q,mid,M,intersects-with,semantic,,,p1\nmid,M,iso,5,equal-to,semantic,,,p2\n",
        );
        let declared = declare(&c, &[("Q", Status::Implemented)]);
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        let five = coverage.get(c.find("iso", "5").unwrap()).unwrap();
        assert_eq!(five.status, Some(Status::Partial));
        let path: Vec<&str> = five.contributions[0]
            .path
            .iter()
            .map(|h| c.mapping(h.mapping).provenance.as_str())
            .collect();
        assert_eq!(path, ["p1", "p2"]);
    }

    #[test]
    fn the_best_path_wins_and_not_applicable_counts_only_alone() {
        let c = catalogue(
            "itil,P.1,iso,5,equal-to,semantic,,,p\nitil,P.2,iso,5,equal-to,semantic,,,p\nitil,Q,iso,4.1,equal-to,semantic,,,p\n",
        );
        let declared = declare(
            &c,
            &[
                ("P.1", Status::Planned),
                ("P.2", Status::NotApplicable),
                ("Q", Status::NotApplicable),
            ],
        );
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        assert_eq!(status_of(&c, &coverage, "5"), Some(Status::Planned));
        assert_eq!(status_of(&c, &coverage, "4.1"), Some(Status::NotApplicable));
        assert_eq!(
            status_of(&c, &coverage, "4"),
            None,
            "4.2 is a gap and 4.1 out of scope: 4 is a gap"
        );
    }

    #[test]
    fn a_mapping_to_a_group_reaches_its_members_as_at_most_partial() {
        let c = catalogue("itil,Q,iso,4,equal-to,semantic,,,p\n");
        let declared = declare(&c, &[("Q", Status::Implemented)]);
        let coverage = analyse(&c, "itil", "iso", &declared).unwrap();
        assert_eq!(status_of(&c, &coverage, "4"), Some(Status::Implemented));
        let four_one = coverage.get(c.find("iso", "4.1").unwrap()).unwrap();
        assert_eq!(four_one.status, Some(Status::Partial));
        assert_eq!(four_one.inherited_from, c.find("iso", "4"));
    }

    #[test]
    fn the_same_framework_or_an_unknown_one_is_refused() {
        let c = catalogue("");
        assert_eq!(
            analyse(&c, "itil", "itil", &HashMap::new()).unwrap_err(),
            AnalysisError::SameFramework
        );
        assert!(matches!(
            analyse(&c, "itil", "cobit", &HashMap::new()),
            Err(AnalysisError::UnknownFramework(_))
        ));
    }

    const RELATIONS: [&str; 6] = [
        "equal-to",
        "equivalent-to",
        "subset-of",
        "superset-of",
        "intersects-with",
        "no-relationship",
    ];
    const ITIL: [&str; 4] = ["P", "P.1", "P.2", "Q"];
    const ISO: [&str; 4] = ["4", "4.1", "4.2", "5"];
    const STATUSES: [Status; 4] = [
        Status::NotImplemented,
        Status::Planned,
        Status::Partial,
        Status::Implemented,
    ];

    fn mapping_lines(edges: &[(usize, usize, usize, bool)]) -> String {
        let mut seen = std::collections::HashSet::new();
        let mut out = String::new();
        for &(a, b, r, via_mid) in edges {
            let line = if via_mid {
                format!(
                    "itil,{},mid,M,{},semantic,,,p\nmid,M,iso,{},{},semantic,,,p\n",
                    ITIL[a], RELATIONS[r], ISO[b], RELATIONS[r]
                )
            } else {
                format!(
                    "itil,{},iso,{},{},semantic,,,p\n",
                    ITIL[a], ISO[b], RELATIONS[r]
                )
            };
            for l in line.lines() {
                if seen.insert(l.to_owned()) {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
        out
    }

    fn strength(status: Option<Status>) -> i8 {
        status.and_then(Status::strength).map_or(-1, |s| s as i8)
    }

    proptest! {
        #[test]
        fn raising_a_source_status_never_lowers_a_target_status(
            edges in prop::collection::vec((0..4usize, 0..4usize, 0..6usize, any::<bool>()), 0..8),
            statuses in prop::collection::vec(prop::option::of(0..4usize), 4),
            raised in 0..4usize,
        ) {
            let c = catalogue(&mapping_lines(&edges));
            let before: HashMap<usize, Status> = statuses.iter().enumerate()
                .filter_map(|(i, s)| s.map(|s| (c.find("itil", ITIL[i]).unwrap(), STATUSES[s])))
                .collect();
            let mut after = before.clone();
            let node = c.find("itil", ITIL[raised]).unwrap();
            let current = before.get(&node).map_or(-1, |s| s.strength().unwrap() as i8);
            after.insert(node, Status::Implemented.max(STATUSES[(current.max(0) as usize).min(3)]));
            let a = analyse(&c, "itil", "iso", &before).unwrap();
            let b = analyse(&c, "itil", "iso", &after).unwrap();
            for ((ix, d1), (_, d2)) in a.nodes.iter().zip(b.nodes.iter()) {
                prop_assert!(strength(d2.status) >= strength(d1.status), "{} fell from {:?} to {:?}", c.node(*ix).reference, d1.status, d2.status);
            }
        }

        #[test]
        fn a_no_relationship_mapping_changes_nothing(
            edges in prop::collection::vec((0..4usize, 0..4usize, 0..5usize, any::<bool>()), 0..8),
            extra in (0..4usize, 0..4usize),
            statuses in prop::collection::vec(prop::option::of(0..4usize), 4),
        ) {
            let base = mapping_lines(&edges);
            let with_none = format!("{base}{}", mapping_lines(&[(extra.0, extra.1, 5, false)]));
            let declared_in = |c: &Catalogue| -> HashMap<usize, Status> {
                statuses.iter().enumerate()
                    .filter_map(|(i, s)| s.map(|s| (c.find("itil", ITIL[i]).unwrap(), STATUSES[s])))
                    .collect()
            };
            let c1 = catalogue(&base);
            let c2 = catalogue(&with_none);
            let a = analyse(&c1, "itil", "iso", &declared_in(&c1)).unwrap();
            let b = analyse(&c2, "itil", "iso", &declared_in(&c2)).unwrap();
            let statuses_a: Vec<_> = a.nodes.iter().map(|(_, d)| d.status).collect();
            let statuses_b: Vec<_> = b.nodes.iter().map(|(_, d)| d.status).collect();
            prop_assert_eq!(statuses_a, statuses_b);
        }
    }
}
