//! Transcription tests for the catalogues shipped in `data/`.
//!
//! The numbers are the ones `data/counts/*.md` records: nodes per framework and kind, mapping
//! and unmapped lines per source table, single rows checked against the source, and the rules
//! of `data/FORMAT.md`. The seed papers are not in the repository, so each spot check says in
//! a comment which seed fact it checks, with the seed file and its line number (`grep -n`):
//!
//! - seed 000: `000_681c30d70bb623c5.txt`
//! - seed 001: `001_b13afa418158aeff.txt`
//! - seed 002: `002_81c93cf992a4fb70.txt`
//! - seed 003: `003_b18be779624881b4.txt`
//! - seed 004: `004_5f7303980d373075.txt`
//!
//! Seed table cells are quoted with their tabs shown as ` | `.

use std::collections::BTreeSet;

use tandem_frameworks::catalogue::Catalogue;
use tandem_frameworks::model::{Mapping, NodeKey, NodeKind, Relation, Unmapped};

// ---------------------------------------------------------------- helpers

fn catalogue() -> Catalogue {
    tandem_frameworks::shipped::load()
        .unwrap_or_else(|e| panic!("the shipped data does not load: {e}"))
        .build()
}

/// The index of a node, or a panic naming the missing node.
fn node(c: &Catalogue, framework: &str, reference: &str) -> usize {
    c.find(framework, reference)
        .unwrap_or_else(|| panic!("`{framework}` has no node `{reference}`"))
}

/// How many nodes of `framework` are of `kind`.
fn count_of_kind(c: &Catalogue, framework: &str, kind: NodeKind) -> usize {
    c.nodes_of(framework)
        .iter()
        .filter(|&&ix| c.node(ix).kind == kind)
        .count()
}

/// How many nodes of `kind` lie below node `ix`, at any depth.
fn descendants_of_kind(c: &Catalogue, ix: usize, kind: NodeKind) -> usize {
    c.children(ix)
        .iter()
        .map(|&child| usize::from(c.node(child).kind == kind) + descendants_of_kind(c, child, kind))
        .sum()
}

/// The references of the children of a node, in document order.
fn child_refs(c: &Catalogue, ix: usize) -> Vec<&str> {
    c.children(ix)
        .iter()
        .map(|&child| c.node(child).reference.as_str())
        .collect()
}

/// Asserts a node's parent, kind and title.
fn assert_node(
    c: &Catalogue,
    (framework, reference): (&str, &str),
    parent: Option<&str>,
    kind: NodeKind,
    title: &str,
) {
    let n = c.node(node(c, framework, reference));
    assert_eq!(
        (n.parent.as_deref(), n.kind, n.title.as_str()),
        (parent, kind, title),
        "{framework} {reference}"
    );
}

/// A relation read from the target's side of a mapping.
fn read_from_target(relation: Relation) -> Relation {
    match relation {
        Relation::SubsetOf => Relation::SupersetOf,
        Relation::SupersetOf => Relation::SubsetOf,
        other => other,
    }
}

/// Asserts that exactly one mapping goes from `source` to `target`, with `relation` and
/// `provenance`, and that both nodes index it (the target reading the relation from its side).
/// Returns the mapping, for checks of its note.
fn assert_mapping<'c>(
    c: &'c Catalogue,
    source: (&str, &str),
    target: (&str, &str),
    relation: Relation,
    provenance: &str,
) -> &'c Mapping {
    let (s, t) = (node(c, source.0, source.1), node(c, target.0, target.1));
    let source_key = NodeKey::new(source.0, source.1);
    let found: Vec<_> = c
        .edges(s)
        .iter()
        .filter(|e| e.other == t && c.mapping(e.mapping).source == source_key)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one mapping {source:?} -> {target:?} expected, found {found:?}"
    );
    let edge = found[0];
    let mapping = c.mapping(edge.mapping);
    assert_eq!(edge.relation, relation, "{source:?} -> {target:?}");
    assert_eq!(
        (mapping.relation, mapping.provenance.as_str()),
        (relation, provenance),
        "{source:?} -> {target:?}"
    );
    assert!(
        c.edges(t).iter().any(|e| e.mapping == edge.mapping
            && e.other == s
            && e.relation == read_from_target(relation)),
        "{target:?} does not index the mapping from {source:?}"
    );
    mapping
}

/// Asserts that `node` is listed exactly once as having no counterpart in the row `provenance`.
fn assert_unmapped<'c>(
    c: &'c Catalogue,
    (framework, reference): (&str, &str),
    provenance: &str,
) -> &'c Unmapped {
    node(c, framework, reference);
    let key = NodeKey::new(framework, reference);
    let found: Vec<&Unmapped> = c
        .unmapped()
        .iter()
        .filter(|u| u.node == key && u.provenance == provenance)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{key} listed once as unmapped in `{provenance}`"
    );
    found[0]
}

/// Asserts that no mapping joins the node to any node of `framework`.
fn assert_no_mapping_to(c: &Catalogue, (fw, reference): (&str, &str), framework: &str) {
    let ix = node(c, fw, reference);
    for edge in c.edges(ix) {
        assert_ne!(
            c.node(edge.other).framework,
            framework,
            "{fw} {reference} is mapped to {framework} {}",
            c.node(edge.other).reference
        );
    }
}

fn mappings_from<'c>(c: &'c Catalogue, prefix: &str) -> Vec<&'c Mapping> {
    c.mappings()
        .iter()
        .filter(|m| m.provenance.starts_with(prefix))
        .collect()
}

fn unmapped_from<'c>(c: &'c Catalogue, prefix: &str) -> Vec<&'c Unmapped> {
    c.unmapped()
        .iter()
        .filter(|u| u.provenance.starts_with(prefix))
        .collect()
}

/// The row number of a provenance `<prefix>row <n>`.
fn row_number(provenance: &str, prefix: &str) -> u32 {
    provenance
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix("row "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`{provenance}` is not `{prefix}row <n>`"))
}

/// What one seed table gave, read from the provenances that start with `prefix`
/// (e.g. `seed 001, Table 1, `).
#[derive(Debug)]
struct TableRows {
    mapping_lines: usize,
    mapped_rows: BTreeSet<u32>,
    unmapped_lines: usize,
    unmapped_rows: BTreeSet<u32>,
}

fn table_rows(c: &Catalogue, prefix: &str) -> TableRows {
    let mappings = mappings_from(c, prefix);
    let unmapped = unmapped_from(c, prefix);
    TableRows {
        mapping_lines: mappings.len(),
        mapped_rows: mappings
            .iter()
            .map(|m| row_number(&m.provenance, prefix))
            .collect(),
        unmapped_lines: unmapped.len(),
        unmapped_rows: unmapped
            .iter()
            .map(|u| row_number(&u.provenance, prefix))
            .collect(),
    }
}

fn rows_up_to(last: u32) -> BTreeSet<u32> {
    (1..=last).collect()
}

/// The mappings from nodes of `source` to nodes of `target`.
fn mappings_between<'c>(c: &'c Catalogue, source: &str, target: &str) -> Vec<&'c Mapping> {
    c.mappings()
        .iter()
        .filter(|m| m.source.framework == source && m.target.framework == target)
        .collect()
}

fn count_relation(mappings: &[&Mapping], relation: Relation) -> usize {
    mappings.iter().filter(|m| m.relation == relation).count()
}

/// Whether a seed provenance reads `seed <NNN>, <Table …|Appendix B table …|section …>, …,
/// <row n|paragraph n|item x>`.
fn is_seed_provenance(provenance: &str) -> bool {
    let Some((seed, rest)) = provenance
        .strip_prefix("seed ")
        .and_then(|r| r.split_once(", "))
    else {
        return false;
    };
    let seed_ok =
        seed.len() == 3 && seed.starts_with("00") && seed.bytes().all(|b| b.is_ascii_digit());
    let place_ok = ["Table ", "Appendix B table ", "section "]
        .iter()
        .any(|place| rest.starts_with(place));
    let locator_ok = match rest
        .rsplit_once(", ")
        .and_then(|(_, last)| last.split_once(' '))
    {
        Some(("row" | "paragraph", n)) => n.parse::<u32>().is_ok_and(|n| n > 0),
        Some(("item", letter)) => {
            letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase())
        }
        _ => false,
    };
    seed_ok && place_ok && locator_ok
}

// ---------------------------------------------------------------- structure (data/FORMAT.md)

#[test]
fn the_transcribed_frameworks_are_all_shipped() {
    let c = catalogue();
    for id in [
        "cobit-4-1",
        "iso20000-1-2005",
        "iso27001-2005",
        "iso27001-2013",
        "iso27001-2022",
        "iso27002-2005",
        "iso9001-2008",
        "itil-4",
        "itil-ism-cycle",
        "itil-v3",
        "pdca",
        "seed000-iso27001-steps",
        "seed000-itil-steps",
        "seed001-ism",
    ] {
        assert!(c.framework(id).is_some(), "framework `{id}` is missing");
    }
}

#[test]
fn no_framework_is_empty() {
    let c = catalogue();
    assert!(!c.frameworks().is_empty());
    for framework in c.frameworks() {
        assert!(
            !c.nodes_of(&framework.id).is_empty(),
            "framework `{}` has no nodes",
            framework.id
        );
    }
}

#[test]
fn every_node_has_a_unique_reference_and_its_parent_earlier_in_its_framework() {
    let c = catalogue();
    for framework in c.frameworks() {
        let nodes = c.nodes_of(&framework.id);
        for (position, &ix) in nodes.iter().enumerate() {
            let n = c.node(ix);
            assert_eq!(n.framework, framework.id);
            assert_eq!(
                c.find(&framework.id, &n.reference),
                Some(ix),
                "{} {} is not unique",
                framework.id,
                n.reference
            );
            let Some(parent) = &n.parent else { continue };
            let parent_ix = c.find(&framework.id, parent).unwrap_or_else(|| {
                panic!(
                    "{} {}: parent `{parent}` is missing",
                    framework.id, n.reference
                )
            });
            let parent_position = nodes
                .iter()
                .position(|&p| p == parent_ix)
                .expect("the parent is a node of the same framework");
            assert!(
                parent_position < position,
                "{} {}: parent `{parent}` comes after it",
                framework.id,
                n.reference
            );
            assert!(c.children(parent_ix).contains(&ix));
        }
    }
}

#[test]
fn every_provenance_names_a_seed_table_row_or_a_published_source() {
    let c = catalogue();
    let provenances = c
        .mappings()
        .iter()
        .map(|m| &m.provenance)
        .chain(c.unmapped().iter().map(|u| &u.provenance));
    for provenance in provenances {
        assert!(!provenance.trim().is_empty(), "a provenance is empty");
        if let Some(source) = provenance.strip_prefix("published:") {
            assert!(
                !source.trim().is_empty(),
                "`{provenance}` names no published source"
            );
        } else {
            assert!(
                is_seed_provenance(provenance),
                "`{provenance}` is neither `seed 00N, <table or section>, row <n>` \
                 nor `published: …`"
            );
        }
    }
}

#[test]
fn no_pair_of_nodes_is_mapped_twice_in_either_direction() {
    // FORMAT.md: a (source, target, relation) triple appears at most once; the counts files
    // add that no pair of nodes is given two relations.
    let c = catalogue();
    let mut pairs = BTreeSet::new();
    for m in c.mappings() {
        let pair = if m.source <= m.target {
            (m.source.clone(), m.target.clone())
        } else {
            (m.target.clone(), m.source.clone())
        };
        assert!(
            pairs.insert(pair),
            "{} and {} are mapped twice",
            m.source,
            m.target
        );
    }
}

#[test]
fn every_shipped_mapping_is_judged_semantic_without_a_confidence() {
    // Every counts file records rationale `semantic` and an empty confidence for its rows.
    let c = catalogue();
    for m in c.mappings() {
        assert_eq!(
            m.rationale.as_str(),
            "semantic",
            "{} -> {}",
            m.source,
            m.target
        );
        assert!(m.confidence.is_none(), "{} -> {}", m.source, m.target);
    }
}

// ---------------------------------------------------------------- ISO/IEC 27001 and 27002:2005

#[test]
fn iso27001_2005_has_25_clauses_and_an_annex_a_of_11_clauses_39_objectives_133_controls() {
    // Seed 000 line 289: "Annex A of the standard, which consists of 133 controls in 11
    // domains"; seed 004 line 389: "Annex A to ISO/IEC 27001:2005 lists the 133 controls".
    let c = catalogue();
    let f = "iso27001-2005";
    assert_eq!(c.nodes_of(f).len(), 208);
    assert_eq!(count_of_kind(&c, f, NodeKind::Clause), 25 + 11);
    assert_eq!(count_of_kind(&c, f, NodeKind::ControlObjective), 39);
    assert_eq!(count_of_kind(&c, f, NodeKind::Control), 133);
    let annex_clauses: Vec<&str> = c
        .nodes_of(f)
        .iter()
        .map(|&ix| c.node(ix))
        .filter(|n| n.kind == NodeKind::Clause && n.reference.starts_with("A."))
        .map(|n| n.reference.as_str())
        .collect();
    assert_eq!(
        annex_clauses,
        [
            "A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11", "A.12", "A.13", "A.14", "A.15"
        ]
    );
    for (clause, objectives, controls) in [
        ("A.5", 1, 2),
        ("A.6", 2, 11),
        ("A.7", 2, 5),
        ("A.8", 3, 9),
        ("A.9", 2, 13),
        ("A.10", 10, 32),
        ("A.11", 7, 25),
        ("A.12", 6, 16),
        ("A.13", 2, 5),
        ("A.14", 1, 5),
        ("A.15", 3, 10),
    ] {
        let ix = node(&c, f, clause);
        assert_eq!(
            (
                descendants_of_kind(&c, ix, NodeKind::ControlObjective),
                descendants_of_kind(&c, ix, NodeKind::Control)
            ),
            (objectives, controls),
            "{clause}"
        );
    }
}

#[test]
fn iso27001_2005_titles_follow_the_seeds() {
    let c = catalogue();
    let f = "iso27001-2005";
    // Seed 004 line 449: "4 Information Security Management System" (sentence case).
    assert_node(
        &c,
        (f, "4"),
        None,
        NodeKind::Clause,
        "Information security management system",
    );
    // Seed 002 line 547: "4.2 Establishing and managing the ISMS 4.2.1 Establish the ISMS …".
    assert_node(
        &c,
        (f, "4.2.1"),
        Some("4.2"),
        NodeKind::Clause,
        "Establish the ISMS",
    );
    // Seed 002 line 585: "7.1.1 Inventory of assets | ST | 4.3.4.3 …".
    assert_node(
        &c,
        (f, "A.7.1.1"),
        Some("A.7.1"),
        NodeKind::Control,
        "Inventory of assets",
    );
    // Seed 002 line 626: "10.1.2 Change management | ST | (4.2 Change Management)".
    assert_node(
        &c,
        (f, "A.10.1.2"),
        Some("A.10.1"),
        NodeKind::Control,
        "Change management",
    );
    // Seed 002 line 433, the list of areas covered by ISO/IEC 27002: "Compliance."
    assert_node(&c, (f, "A.15"), None, NodeKind::Clause, "Compliance");
}

#[test]
fn iso27002_2005_holds_only_the_14_sections_outside_the_controls() {
    // Seed 002 lines 555-567: Appendix B table 2 rows 1-13 cite 27002 sections 0.1-0.8, 1, 2,
    // 4, 4.1 and 4.2; `0` (Introduction) is their parent. The controls are in iso27001-2005.
    let c = catalogue();
    let f = "iso27002-2005";
    let refs: Vec<&str> = c
        .nodes_of(f)
        .iter()
        .map(|&ix| c.node(ix).reference.as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "1", "2", "4", "4.1",
            "4.2"
        ]
    );
    assert_eq!(count_of_kind(&c, f, NodeKind::Clause), 14);
    // Seed 002 line 555: "0.1 WHAT IS INFORMATION SECURITY? | SD | 4.6.1 Purpose/goal/objective".
    assert_node(
        &c,
        (f, "0.1"),
        Some("0"),
        NodeKind::Clause,
        "What is information security?",
    );
    // Seed 002 line 564: "2 TERMS AND DEFINITIONS |  | ITIL Glossary".
    assert_node(
        &c,
        (f, "2"),
        None,
        NodeKind::Clause,
        "Terms and definitions",
    );
    // Seed 002 line 567: "4.2 TREATING SECURITY RISKS | SO | 8.3 …".
    assert_node(
        &c,
        (f, "4.2"),
        Some("4"),
        NodeKind::Clause,
        "Treating security risks",
    );
}

// ---------------------------------------------------------------- 27001:2022 and 2013, ITIL 4

#[test]
fn iso27001_2022_has_41_clauses_and_93_controls_in_4_themes() {
    let c = catalogue();
    let f = "iso27001-2022";
    assert_eq!(c.nodes_of(f).len(), 138);
    assert_eq!(count_of_kind(&c, f, NodeKind::Clause), 41);
    assert_eq!(count_of_kind(&c, f, NodeKind::Theme), 4);
    assert_eq!(count_of_kind(&c, f, NodeKind::Control), 93);
    for (theme, controls) in [("A.5", 37), ("A.6", 8), ("A.7", 14), ("A.8", 34)] {
        let ix = node(&c, f, theme);
        let expected: Vec<String> = (1..=controls).map(|k| format!("{theme}.{k}")).collect();
        assert_eq!(
            child_refs(&c, ix),
            expected,
            "{theme} holds {theme}.1 to {theme}.{controls}"
        );
        assert_eq!(descendants_of_kind(&c, ix, NodeKind::Control), controls);
    }
    // counts file, spot check 1: `6.3,6,clause,Planning of changes` (new in 2022).
    assert_node(
        &c,
        (f, "6.3"),
        Some("6"),
        NodeKind::Clause,
        "Planning of changes",
    );
}

#[test]
fn iso27001_2013_annex_a_has_14_clauses_35_objectives_114_controls() {
    let c = catalogue();
    let f = "iso27001-2013";
    assert_eq!(c.nodes_of(f).len(), 163);
    assert_eq!(count_of_kind(&c, f, NodeKind::Clause), 14);
    assert_eq!(count_of_kind(&c, f, NodeKind::ControlObjective), 35);
    assert_eq!(count_of_kind(&c, f, NodeKind::Control), 114);
    for (clause, objectives, controls) in [
        ("A.5", 1, 2),
        ("A.6", 2, 7),
        ("A.7", 3, 6),
        ("A.8", 3, 10),
        ("A.9", 4, 14),
        ("A.10", 1, 2),
        ("A.11", 2, 15),
        ("A.12", 7, 14),
        ("A.13", 2, 7),
        ("A.14", 3, 13),
        ("A.15", 2, 5),
        ("A.16", 1, 7),
        ("A.17", 2, 4),
        ("A.18", 2, 8),
    ] {
        let ix = node(&c, f, clause);
        assert_eq!(
            (
                descendants_of_kind(&c, ix, NodeKind::ControlObjective),
                descendants_of_kind(&c, ix, NodeKind::Control)
            ),
            (objectives, controls),
            "{clause}"
        );
    }
    // counts file, spot check 3.
    assert_node(
        &c,
        (f, "A.12.6.1"),
        Some("A.12.6"),
        NodeKind::Control,
        "Management of technical vulnerabilities",
    );
}

#[test]
fn itil_4_has_34_practices_in_3_groups() {
    let c = catalogue();
    let f = "itil-4";
    assert_eq!(c.nodes_of(f).len(), 37);
    assert_eq!(count_of_kind(&c, f, NodeKind::Domain), 3);
    assert_eq!(count_of_kind(&c, f, NodeKind::Practice), 34);
    for (group, practices) in [("GMP", 14), ("SMP", 17), ("TMP", 3)] {
        let ix = node(&c, f, group);
        assert_eq!(c.children(ix).len(), practices, "{group}");
        assert_eq!(
            descendants_of_kind(&c, ix, NodeKind::Practice),
            practices,
            "{group}"
        );
    }
}

#[test]
fn iso27001_2022_to_2013_follows_table_b1() {
    // ISO/IEC 27002:2022 Table B.1: 93 rows, 82 with 2013 controls (115 pairs), 11 "new".
    let c = catalogue();
    let rows = mappings_between(&c, "iso27001-2022", "iso27001-2013");
    assert_eq!(rows.len(), 115);
    assert_eq!(count_relation(&rows, Relation::EquivalentTo), 58);
    assert_eq!(count_relation(&rows, Relation::SupersetOf), 55);
    assert_eq!(count_relation(&rows, Relation::IntersectsWith), 2);
    let sources: BTreeSet<&str> = rows.iter().map(|m| m.source.reference.as_str()).collect();
    assert_eq!(sources.len(), 82);
    let new: Vec<&Unmapped> = c
        .unmapped()
        .iter()
        .filter(|u| u.node.framework == "iso27001-2022")
        .collect();
    assert_eq!(new.len(), 11);
    let table_b1 = "published: ISO/IEC 27002:2022 Annex B, Table B.1";
    // Table B.1 row "5.17 -> 9.2.4, 9.3.1, 9.4.3".
    for old in ["A.9.2.4", "A.9.3.1", "A.9.4.3"] {
        assert_mapping(
            &c,
            ("iso27001-2022", "A.5.17"),
            ("iso27001-2013", old),
            Relation::SupersetOf,
            table_b1,
        );
    }
    // Table B.1 rows "5.36 -> 18.2.2, 18.2.3" and "8.8 -> 12.6.1, 18.2.3".
    assert_mapping(
        &c,
        ("iso27001-2022", "A.8.8"),
        ("iso27001-2013", "A.18.2.3"),
        Relation::IntersectsWith,
        table_b1,
    );
    // Table B.1 row "5.7 | new".
    assert_unmapped(&c, ("iso27001-2022", "A.5.7"), table_b1);
}

#[test]
fn iso27001_2013_to_2005_and_itil_4_to_v3_have_their_recorded_counts() {
    let c = catalogue();
    let rows = mappings_between(&c, "iso27001-2013", "iso27001-2005");
    assert_eq!(rows.len(), 106);
    assert_eq!(count_relation(&rows, Relation::EquivalentTo), 99);
    assert_eq!(count_relation(&rows, Relation::SupersetOf), 5);
    assert_eq!(count_relation(&rows, Relation::SubsetOf), 2);
    let sources: BTreeSet<&str> = rows.iter().map(|m| m.source.reference.as_str()).collect();
    let targets: BTreeSet<&str> = rows.iter().map(|m| m.target.reference.as_str()).collect();
    assert_eq!((sources.len(), targets.len()), (103, 105));
    let new_in_2013 = c
        .unmapped()
        .iter()
        .filter(|u| u.node.framework == "iso27001-2013")
        .count();
    assert_eq!(new_in_2013, 11);
    // counts file, spot check 6: 2013 A.6.1.2 Segregation of duties <- 2005 A.10.1.3.
    let m = c.mappings().iter().find(|m| {
        m.source == NodeKey::new("iso27001-2013", "A.6.1.2")
            && m.target == NodeKey::new("iso27001-2005", "A.10.1.3")
    });
    assert_eq!(m.map(|m| m.relation), Some(Relation::EquivalentTo));

    let rows = mappings_between(&c, "itil-4", "itil-v3");
    assert_eq!(rows.len(), 28);
    assert_eq!(count_relation(&rows, Relation::IntersectsWith), 28);
    let practices: BTreeSet<&str> = rows.iter().map(|m| m.source.reference.as_str()).collect();
    assert_eq!(practices.len(), 25);
    let unmapped = c
        .unmapped()
        .iter()
        .filter(|u| u.node.framework == "itil-4")
        .count();
    assert_eq!(unmapped, 9);
    // counts file, spot check 8: change enablement continues V3 change management.
    let m = c.mappings().iter().find(|m| {
        m.source == NodeKey::new("itil-4", "SMP.change-enablement")
            && m.target == NodeKey::new("itil-v3", "ST 4.2")
    });
    assert_eq!(m.map(|m| m.relation), Some(Relation::IntersectsWith));
}

// ---------------------------------------------------------------- ITIL V3 and seed 001 Table 1

#[test]
fn itil_v3_has_5_books_128_sections_and_the_glossary() {
    let c = catalogue();
    let f = "itil-v3";
    assert_eq!(c.nodes_of(f).len(), 134);
    assert_eq!(count_of_kind(&c, f, NodeKind::Book), 5);
    assert_eq!(count_of_kind(&c, f, NodeKind::BookSection), 128);
    assert_eq!(count_of_kind(&c, f, NodeKind::Document), 1);
    for (book, title) in [
        ("SS", "Service Strategy"),
        ("SD", "Service Design"),
        ("ST", "Service Transition"),
        ("SO", "Service Operation"),
        ("CSI", "Continual Service Improvement"),
    ] {
        assert_node(&c, (f, book), None, NodeKind::Book, title);
    }
    // Seed 002 line 318: "4.6 Information Security Management (main reference)".
    assert_node(
        &c,
        (f, "SD 4.6"),
        Some("SD"),
        NodeKind::BookSection,
        "Information security management",
    );
    // Seed 002 line 355: "4.5.5.4 Monitoring identify status" (typo; line 649 prints "identity").
    assert_node(
        &c,
        (f, "SO 4.5.5.4"),
        Some("SO 4.5.5"),
        NodeKind::BookSection,
        "Monitoring identity status",
    );
    // Seed 002 line 358: "4.6.5.6 Triggers, inputs, outputs and interfaces" inside the SO 4.5
    // block, read as SO 4.5.6.
    assert_node(
        &c,
        (f, "SO 4.5.6"),
        Some("SO 4.5"),
        NodeKind::BookSection,
        "Triggers, inputs, outputs and interfaces",
    );
    assert!(c.find(f, "SO 4.6.5.6").is_none());
    // Seed 002 line 372: "6.6.9 Access Management roles".
    assert_node(
        &c,
        (f, "SO 6.6.9"),
        Some("SO"),
        NodeKind::BookSection,
        "Access Management roles",
    );
    // Seed 002 line 564: "2 TERMS AND DEFINITIONS |  | ITIL Glossary".
    assert_node(
        &c,
        (f, "Glossary"),
        None,
        NodeKind::Document,
        "ITIL Glossary",
    );
}

#[test]
fn seed001_ism_has_5_stages_18_processes_50_activities() {
    let c = catalogue();
    let f = "seed001-ism";
    assert_eq!(c.nodes_of(f).len(), 73);
    assert_eq!(count_of_kind(&c, f, NodeKind::LifecycleStage), 5);
    assert_eq!(count_of_kind(&c, f, NodeKind::Process), 18);
    assert_eq!(count_of_kind(&c, f, NodeKind::Activity), 50);
    // Seed 001 line 116: "| 1.2.Financial management | - |".
    assert_node(
        &c,
        (f, "1.2"),
        Some("1"),
        NodeKind::Process,
        "Financial management",
    );
    // Seed 001 line 199: "| 3.4.1. Change Approval | |".
    assert_node(
        &c,
        (f, "3.4.1"),
        Some("3.4"),
        NodeKind::Activity,
        "Change Approval",
    );
    // Seed 001 line 258: "| 5.1. Review Effectiveness of Processes | |" — an activity
    // directly under stage 5.
    assert_node(
        &c,
        (f, "5.1"),
        Some("5"),
        NodeKind::Activity,
        "Review Effectiveness of Processes",
    );
}

#[test]
fn seed001_table1_gives_154_mapping_lines_from_50_rows_and_2_unmapped_rows() {
    // Seed 001 Table 1 (lines 110-273) has 73 rows, one per seed001-ism node.
    let c = catalogue();
    let t = table_rows(&c, "seed 001, Table 1, ");
    assert_eq!((t.mapping_lines, t.mapped_rows.len()), (154, 50));
    assert_eq!(t.unmapped_lines, 2);
    assert_eq!(t.unmapped_rows, BTreeSet::from([2, 3]));
    assert!(t.mapped_rows.is_disjoint(&t.unmapped_rows));
    assert!(t.mapped_rows.is_subset(&rows_up_to(73)));
    let lines = mappings_from(&c, "seed 001, Table 1, ");
    assert!(lines.iter().all(|m| m.source.framework == "seed001-ism"));
    assert!(lines.iter().all(|m| m.relation == Relation::IntersectsWith));
    let to_itil = lines
        .iter()
        .filter(|m| m.target.framework == "itil-v3")
        .count();
    let to_iso = lines
        .iter()
        .filter(|m| m.target.framework == "iso27001-2005")
        .count();
    assert_eq!((to_itil, to_iso), (100, 54));
}

#[test]
fn seed001_table1_rows_map_as_printed() {
    let c = catalogue();
    let ism = "seed001-ism";
    let iso = "iso27001-2005";
    let itil = "itil-v3";
    let i = Relation::IntersectsWith;

    // Seed 001 line 116: "| 1.2.Financial management | - |" (row 3).
    assert_unmapped(&c, (ism, "1.2"), "seed 001, Table 1, row 3");

    // Seed 001 lines 123-126, row 8 (2.1.3): "Service Transition: 4.6.5.9 Risk Management",
    // "Service Design: Information Security Mgmt: 4.6.4.3 … | 4.2.2 Implement and operate the
    // ISMS", "Service Design: Availability Management: 4.4.5.2 …".
    let row8 = "seed 001, Table 1, row 8";
    for section in ["ST 4.6.5.9", "SD 4.6.4.3", "SD 4.4.5.2"] {
        assert_mapping(&c, (ism, "2.1.3"), (itil, section), i, row8);
    }
    assert_mapping(&c, (ism, "2.1.3"), (iso, "4.2.2"), i, row8);

    // Seed 001 lines 167-168, row 23 (2.5.3): "IT Service Continuity Management: 4.5.5.2
    // Stage 3 -Implementation | 4.2.1 Establish the ISMS"; read as SD 4.5.5.3.
    let m = assert_mapping(
        &c,
        (ism, "2.5.3"),
        (itil, "SD 4.5.5.3"),
        i,
        "seed 001, Table 1, row 23",
    );
    assert!(m.note.contains("4.5.5.2 Stage 3"), "{}", m.note);
    assert_mapping(
        &c,
        (ism, "2.5.3"),
        (iso, "4.2.1"),
        i,
        "seed 001, Table 1, row 23",
    );

    // Seed 001 lines 199-200, row 40 (3.4.1 Change Approval): "Information Security Mgmt:
    // 4.6.6 … Service Transition: 4.2 Change Management | 4.2.2 Implement and operate the ISMS".
    let row40 = "seed 001, Table 1, row 40";
    assert_mapping(&c, (ism, "3.4.1"), (itil, "SD 4.6.6"), i, row40);
    assert_mapping(&c, (ism, "3.4.1"), (itil, "ST 4.2"), i, row40);
    assert_mapping(&c, (ism, "3.4.1"), (iso, "4.2.2"), i, row40);

    // Seed 001 line 242, row 60 (4.4.1): "Request Fulfillment: 4.3.5.3 Other approval | 4.2.2
    // Establish and operate the ISMS"; the number 4.2.2 is kept.
    let m = assert_mapping(
        &c,
        (ism, "4.4.1"),
        (iso, "4.2.2"),
        i,
        "seed 001, Table 1, row 60",
    );
    assert!(m.note.contains("Establish and operate"), "{}", m.note);
    assert_mapping(
        &c,
        (ism, "4.4.1"),
        (itil, "SO 4.3.5.3"),
        i,
        "seed 001, Table 1, row 60",
    );

    // Seed 001 line 259, row 67 (5.1): "| All ITIL v3 processes | 4.2.3 Monitor & review the
    // ISMS |": one line per core book.
    let row67 = "seed 001, Table 1, row 67";
    for book in ["SS", "SD", "ST", "SO", "CSI"] {
        assert_mapping(&c, (ism, "5.1"), (itil, book), i, row67);
    }
    assert_mapping(&c, (ism, "5.1"), (iso, "4.2.3"), i, row67);

    // Seed 001 lines 262-264, row 69 (5.3): "… 4.2.3 …" and "4.6.6 Triggers, inputs, outputs
    // and interfaces | 4.2.4 Maintain & improve the ISMS 8 ISMS improvement".
    let row69 = "seed 001, Table 1, row 69";
    for clause in ["4.2.3", "4.2.4", "8"] {
        assert_mapping(&c, (ism, "5.3"), (iso, clause), i, row69);
    }
    assert_mapping(&c, (ism, "5.3"), (itil, "SD 4.6.5"), i, row69);
}

// ---------------------------------------------------------------- seed 002 Appendix B

#[test]
fn seed002_appendix_b_table1_gives_4_mapping_lines_from_3_rows_and_4_unmapped_rows() {
    // Seed 002 lines 546-552: 7 rows, ISO/IEC 27001:2005 clauses 4.1 to 8.
    let c = catalogue();
    let t = table_rows(&c, "seed 002, Appendix B table 1, ");
    assert_eq!(
        (t.mapping_lines, t.mapped_rows),
        (4, BTreeSet::from([1, 2, 3]))
    );
    assert_eq!(
        (t.unmapped_lines, t.unmapped_rows),
        (4, BTreeSet::from([4, 5, 6, 7]))
    );
}

#[test]
fn seed002_appendix_b_table1_rows_map_as_printed() {
    let c = catalogue();
    let iso = "iso27001-2005";
    let itil = "itil-v3";
    let i = Relation::IntersectsWith;
    // Seed 002 line 546: "4.1 [ISMS] General requirements | SD | 4.6.4.1 Security framework".
    assert_mapping(
        &c,
        (iso, "4.1"),
        (itil, "SD 4.6.4.1"),
        i,
        "seed 002, Appendix B table 1, row 1",
    );
    // Seed 002 line 547: "4.2 Establishing and managing the ISMS 4.2.1 … 4.2.4 … | SD | 4.6.4.3
    // The Information Security Management System (ISMS)": a group row, mapped from 4.2.
    let m = assert_mapping(
        &c,
        (iso, "4.2"),
        (itil, "SD 4.6.4.3"),
        i,
        "seed 002, Appendix B table 1, row 2",
    );
    assert!(
        m.note.starts_with("Seed row covers the group 4.2"),
        "{}",
        m.note
    );
    // Seed 002 line 548: "4.3 Documentation requirements … | SD | 4.6.6.2 [ISM] Outputs 4.6.8
    // [ISM] Information Management".
    for section in ["SD 4.6.6.2", "SD 4.6.8"] {
        assert_mapping(
            &c,
            (iso, "4.3"),
            (itil, section),
            i,
            "seed 002, Appendix B table 1, row 3",
        );
    }
    // Seed 002 line 550: "6 Internal ISMS audits |  | " (no ITIL section).
    assert_unmapped(&c, (iso, "6"), "seed 002, Appendix B table 1, row 5");
    // Seed 002 line 552: "8 ISMS improvement 8.1 … 8.3 Preventive action |  | ".
    assert_unmapped(&c, (iso, "8"), "seed 002, Appendix B table 1, row 7");
}

#[test]
fn seed002_appendix_b_table2_gives_85_mapping_lines_from_71_rows_and_40_unmapped_rows() {
    // Seed 002 lines 555-680: 111 rows, ISO/IEC 27002:2005 sections 0.1 to 15.3; each row is
    // either mapped or unmapped, never both.
    let c = catalogue();
    let prefix = "seed 002, Appendix B table 2, ";
    let t = table_rows(&c, prefix);
    assert_eq!((t.mapping_lines, t.mapped_rows.len()), (85, 71));
    assert_eq!((t.unmapped_lines, t.unmapped_rows.len()), (40, 40));
    assert!(t.mapped_rows.is_disjoint(&t.unmapped_rows));
    let all: BTreeSet<u32> = t.mapped_rows.union(&t.unmapped_rows).copied().collect();
    assert_eq!(all, rows_up_to(111));
    // Rows 1-13 come from iso27002-2005, rows 14-111 from iso27001-2005.
    let lines = mappings_from(&c, prefix);
    let from_27002 = lines
        .iter()
        .filter(|m| m.source.framework == "iso27002-2005")
        .count();
    let from_27001 = lines
        .iter()
        .filter(|m| m.source.framework == "iso27001-2005")
        .count();
    assert_eq!((from_27002, from_27001), (11, 74));
    assert!(lines.iter().all(|m| m.target.framework == "itil-v3"));
    let unmapped_27002 = unmapped_from(&c, prefix)
        .iter()
        .filter(|u| u.node.framework == "iso27002-2005")
        .count();
    assert_eq!(unmapped_27002, 2);
}

#[test]
fn seed002_appendix_b_table2_rows_map_as_printed() {
    let c = catalogue();
    let iso = "iso27001-2005";
    let iso27002 = "iso27002-2005";
    let itil = "itil-v3";
    let i = Relation::IntersectsWith;
    let row = |n: u32| format!("seed 002, Appendix B table 2, row {n}");

    // Seed 002 line 558: "0.4 ASSESSING SECURITY RISKS | SD | 4.6.4.3 The Information
    // Security Management System (ISMS)".
    assert_mapping(&c, (iso27002, "0.4"), (itil, "SD 4.6.4.3"), i, &row(4));
    // Seed 002 line 562: "0.8 DEVELOPING YOUR OWN GUIDELINES |  | " (no ITIL section).
    assert_unmapped(&c, (iso27002, "0.8"), &row(8));
    // Seed 002 line 564: "2 TERMS AND DEFINITIONS |  | ITIL Glossary" (no book).
    assert_mapping(&c, (iso27002, "2"), (itil, "Glossary"), i, &row(10));
    // Seed 002 line 565: "4 RISK ASSESSMENT AND TREATMENT | SD | 4.5.5 ITSCM Process
    // activities, methods and techniques (ITSCM initiation and risk analysis)".
    let m = assert_mapping(&c, (iso27002, "4"), (itil, "SD 4.5.5"), i, &row(11));
    assert!(
        m.note.contains("(ITSCM initiation and risk analysis)"),
        "{}",
        m.note
    );
    // Seed 002 lines 566-567: "4.1 ASSESSING SECURITY RISKS |  | " and "4.2 TREATING
    // SECURITY RISKS | SO | 8.3 ASSESSING AND MANAGING RISK IN SERVICE OPERATION".
    assert_unmapped(&c, (iso27002, "4.1"), &row(12));
    assert_mapping(&c, (iso27002, "4.2"), (itil, "SO 8.3"), i, &row(13));

    // Seed 002 lines 585-586: "7.1.1 Inventory of assets | ST | 4.3.4.3 Configuration
    // Management System" and the continuation "Appendix A: Description of asset types".
    assert_mapping(&c, (iso, "A.7.1.1"), (itil, "ST 4.3.4.3"), i, &row(31));
    let m = assert_mapping(&c, (iso, "A.7.1.1"), (itil, "ST Appendix A"), i, &row(31));
    assert!(m.note.contains("continuation line 586"), "{}", m.note);
    // Seed 002 line 612: "9.1.6 Public access, delivery, and loading areas | SO | 5.13.3
    // Operational security control E7 Shipping and receiving".
    assert_mapping(&c, (iso, "A.9.1.6"), (itil, "SO 5.13.3"), i, &row(55));
    assert_mapping(&c, (iso, "A.9.1.6"), (itil, "SO E7"), i, &row(55));
    // Seed 002 line 626: "10.1.2 Change management | ST | (4.2 Change Management)".
    assert_mapping(&c, (iso, "A.10.1.2"), (itil, "ST 4.2"), i, &row(67));
    // Seed 002 line 645: "11.2 USER ACCESS MANAGEMENT | SO | 4.5 Access Management 6.6.9
    // Access Management roles Appendix F: Physical Access Control".
    for section in ["SO 4.5", "SO 6.6.9", "SO Appendix F"] {
        assert_mapping(&c, (iso, "A.11.2"), (itil, section), i, &row(83));
    }
    // Seed 002 line 650: "11.3 USER RESPONSIBILITIES 11.3.1 … 11.3.3 … |  | ".
    assert_unmapped(&c, (iso, "A.11.3"), &row(88));
    // Seed 002 lines 668-669: "14.1 INFORMATION SECURITY ASPECTS OF BUSINESS CONTINUITY
    // MANAGEMENT … | SD | 4.5 IT SERVICE CONTINUITY MANAGEMENT" and " | SO | 4.6.8 IT Service
    // Continuity Management".
    assert_mapping(&c, (iso, "A.14.1"), (itil, "SD 4.5"), i, &row(102));
    assert_mapping(&c, (iso, "A.14.1"), (itil, "SO 4.6.8"), i, &row(102));
}

// ---------------------------------------------------------------- seed 004 Tables 5.1 and 5.2

#[test]
fn iso9001_iso20000_and_cobit_hold_the_clauses_and_processes_of_seed004() {
    let c = catalogue();
    assert_eq!(c.nodes_of("iso9001-2008").len(), 32);
    assert_eq!(count_of_kind(&c, "iso9001-2008", NodeKind::Clause), 32);
    assert_eq!(c.nodes_of("iso20000-1-2005").len(), 11);
    assert_eq!(count_of_kind(&c, "iso20000-1-2005", NodeKind::Clause), 11);
    assert_eq!(c.nodes_of("cobit-4-1").len(), 12);
    assert_eq!(count_of_kind(&c, "cobit-4-1", NodeKind::Domain), 4);
    assert_eq!(count_of_kind(&c, "cobit-4-1", NodeKind::Process), 8);
    // Seed 004 line 449: "4 Information Security Management System | 4 Quality Management
    // System | 3 Requirements for a management system".
    assert_node(
        &c,
        ("iso9001-2008", "4"),
        None,
        NodeKind::Clause,
        "Quality Management System",
    );
    assert_node(
        &c,
        ("iso20000-1-2005", "3"),
        None,
        NodeKind::Clause,
        "Requirements for a management system",
    );
    // Table 5.2 names no AI process, so the domain AI has no children.
    assert!(c.children(node(&c, "cobit-4-1", "AI")).is_empty());
}

#[test]
fn seed004_table5_1_gives_42_mapping_lines_and_17_unmapped_lines_over_35_rows() {
    // Seed 004 lines 449-483: 35 rows (row N is line 448 + N).
    let c = catalogue();
    let prefix = "seed 004, Table 5.1, ";
    let t = table_rows(&c, prefix);
    assert_eq!((t.mapping_lines, t.mapped_rows.len()), (42, 33));
    assert_eq!((t.unmapped_lines, t.unmapped_rows.len()), (17, 16));
    let all: BTreeSet<u32> = t.mapped_rows.union(&t.unmapped_rows).copied().collect();
    assert_eq!(all, rows_up_to(35));
    let lines = mappings_from(&c, prefix);
    let to_9001 = lines
        .iter()
        .filter(|m| m.target.framework == "iso9001-2008")
        .count();
    let to_20000 = lines
        .iter()
        .filter(|m| m.target.framework == "iso20000-1-2005")
        .count();
    assert_eq!((to_9001, to_20000), (30, 12));
    assert_eq!(count_relation(&lines, Relation::IntersectsWith), 41);
    assert_eq!(count_relation(&lines, Relation::SubsetOf), 1);
}

#[test]
fn seed004_table5_1_rows_map_as_printed() {
    let c = catalogue();
    let iso = "iso27001-2005";
    let q = "iso9001-2008";
    let s = "iso20000-1-2005";
    let i = Relation::IntersectsWith;
    let row = |n: u32| format!("seed 004, Table 5.1, row {n}");

    // Seed 004 line 449: "4 Information Security Management System | 4 Quality Management
    // System | 3 Requirements for a management system".
    assert_mapping(&c, (iso, "4"), (q, "4"), i, &row(1));
    assert_mapping(&c, (iso, "4"), (s, "3"), i, &row(1));
    // Seed 004 line 455: " | 8.2.4 Monitoring and measurement of product | 4.4 Continual
    // improvement": the 9001 cell continues 4.2.3 above; the 20000-1 cell is realigned to 4.2.4.
    assert_mapping(&c, (iso, "4.2.3"), (q, "8.2.4"), i, &row(7));
    assert_mapping(&c, (iso, "4.2.4"), (s, "4.4"), i, &row(7));
    // Seed 004 line 456: "4.2.4 Maintain & improve the ISMS |  | 3.2 Documentation
    // requirements": no ISO 9001 clause.
    assert_unmapped(&c, (iso, "4.2.4"), &row(8));
    // Seed 004 line 460: "4.3.2 Control of documents | 4.2. Control of documents | " (read as
    // ISO 9001 4.2.3; no 20000-1 clause).
    assert_mapping(&c, (iso, "4.3.2"), (q, "4.2.3"), i, &row(12));
    assert_unmapped(&c, (iso, "4.3.2"), &row(12));
    // Seed 004 line 474: "6 Internal ISMS audits | 8.2.2 Internal audit | Included in 4.3":
    // the only subset-of; 20000-1 4.3 reads it as superset-of.
    assert_mapping(&c, (iso, "6"), (q, "8.2.2"), i, &row(26));
    assert_mapping(&c, (iso, "6"), (s, "4.3"), Relation::SubsetOf, &row(26));
    // Seed 004 lines 481-482: "8.2 Corrective action |  | " and "8.3 Preventive action | 8.5.2
    // Corrective action | ": 8.5.2 realigned to 8.2.
    assert_unmapped(&c, (iso, "8.2"), &row(33));
    assert_mapping(&c, (iso, "8.2"), (q, "8.5.2"), i, &row(34));
    assert_unmapped(&c, (iso, "8.3"), &row(34));
}

#[test]
fn seed004_table5_2_gives_11_mapping_lines_from_8_rows() {
    // Seed 004 lines 520-527: 8 rows, each with a COBIT 4.1 process.
    let c = catalogue();
    let t = table_rows(&c, "seed 004, Table 5.2, ");
    assert_eq!((t.mapping_lines, t.mapped_rows), (11, rows_up_to(8)));
    assert_eq!(t.unmapped_lines, 0);
}

#[test]
fn seed004_table5_2_rows_map_as_printed() {
    let c = catalogue();
    let iso = "iso27001-2005";
    let cobit = "cobit-4-1";
    let i = Relation::IntersectsWith;
    let row = |n: u32| format!("seed 004, Table 5.2, row {n}");

    // Seed 004 line 520: "4.2.1.a & b | Define ISMS scope and policy | PO6 | Communicate
    // management aims and direction" (sub-items are not nodes).
    let m = assert_mapping(&c, (iso, "4.2.1"), (cobit, "PO6"), i, &row(1));
    assert!(m.note.contains("4.2.1.a & b"), "{}", m.note);
    // Seed 004 line 522: "4.2.2.e and 5.2.2. | Training and awareness | DS7 | Educate and
    // train users".
    assert_mapping(&c, (iso, "4.2.2"), (cobit, "DS7"), i, &row(3));
    assert_mapping(&c, (iso, "5.2.2"), (cobit, "DS7"), i, &row(3));
    // Seed 004 line 524: "4.2.2.h & 8 | Security incidents and continuous improvement | DS10 |
    // Manage problems and incidents".
    assert_mapping(&c, (iso, "4.2.2"), (cobit, "DS10"), i, &row(5));
    assert_mapping(&c, (iso, "8"), (cobit, "DS10"), i, &row(5));
    // Seed 004 line 525: "4.2.3 | Monitor and review | ME1 | Monitor & evaluate IT performance
    // & ME2 Monitor & evaluate internal control".
    assert_mapping(&c, (iso, "4.2.3"), (cobit, "ME1"), i, &row(6));
    assert_mapping(&c, (iso, "4.2.3"), (cobit, "ME2"), i, &row(6));
    // Seed 004 line 527: "6 | Internal ISMS audits | ME2 | Monitor & evaluate internal control".
    assert_mapping(&c, (iso, "6"), (cobit, "ME2"), i, &row(8));
}

// ---------------------------------------------------------------- seed 000 steps and section 4

#[test]
fn seed000_lists_6_itil_steps_and_6_iso27001_steps() {
    let c = catalogue();
    for f in ["seed000-itil-steps", "seed000-iso27001-steps"] {
        let refs: Vec<&str> = c
            .nodes_of(f)
            .iter()
            .map(|&ix| c.node(ix).reference.as_str())
            .collect();
        assert_eq!(refs, ["1", "2", "3", "4", "5", "6"], "{f}");
        assert_eq!(count_of_kind(&c, f, NodeKind::Step), 6, "{f}");
    }
    // Seed 000 line 191: "Define initial Tasks for the Roles Our method requires …".
    assert_node(
        &c,
        ("seed000-itil-steps", "1"),
        None,
        NodeKind::Step,
        "Define initial Tasks for the Roles",
    );
    // Seed 000 line 287: "Produce a control list consisting of action items The controls …".
    assert_node(
        &c,
        ("seed000-iso27001-steps", "6"),
        None,
        NodeKind::Step,
        "Produce a control list consisting of action items",
    );
}

#[test]
fn seed000_section4_gives_8_relations_from_2_paragraphs() {
    // Seed 000 lines 296-336: 6 relations between the lists, 2 within the ISO list, none within
    // the ITIL list.
    let c = catalogue();
    let lines = mappings_from(&c, "seed 000, section 4, ");
    assert_eq!(lines.len(), 8);
    assert!(lines.iter().all(|m| m.relation == Relation::IntersectsWith));
    let paragraphs: BTreeSet<&str> = lines.iter().map(|m| m.provenance.as_str()).collect();
    assert_eq!(
        paragraphs,
        BTreeSet::from([
            "seed 000, section 4, paragraph 1",
            "seed 000, section 4, paragraph 2"
        ])
    );
    let between = lines
        .iter()
        .filter(|m| {
            m.source.framework == "seed000-itil-steps"
                && m.target.framework == "seed000-iso27001-steps"
        })
        .count();
    let within_iso = lines
        .iter()
        .filter(|m| {
            m.source.framework == "seed000-iso27001-steps"
                && m.target.framework == "seed000-iso27001-steps"
        })
        .count();
    assert_eq!((between, within_iso), (6, 2));
    assert!(unmapped_from(&c, "seed 000, ").is_empty());
}

#[test]
fn seed000_section4_relations_quote_their_sentence() {
    let c = catalogue();
    let itil = "seed000-itil-steps";
    let iso = "seed000-iso27001-steps";
    let i = Relation::IntersectsWith;
    let p1 = "seed 000, section 4, paragraph 1";
    let p2 = "seed 000, section 4, paragraph 2";

    // Seed 000 lines 314-316: "Point 1 of ITIL, Define initial tasks for the roles is mapped
    // to point 1 of ISO 27001, named Agree on an IT security policy."
    let m = assert_mapping(&c, (itil, "1"), (iso, "1"), i, p1);
    assert!(m.note.starts_with("Point 1 of ITIL"), "{}", m.note);
    // Seed 000 lines 319-320: "Moreover, step 1 of ISO 27001, the establishment of a security
    // policy is needed to have a CISO on duty." (a relation within one standard).
    assert_mapping(&c, (iso, "1"), (iso, "2"), i, p1);
    // Seed 000 lines 321-323: "Point 3 of ITIL, the establishment of a monitoring system,
    // serves as input for action item 5 of ISO 27001, ensuring effective risk management."
    assert_mapping(&c, (itil, "3"), (iso, "5"), i, p1);
    // Seed 000 lines 332-333: "Input for this is the documentation of all necessary
    // information and changes." (ITIL step 5 and ISO step 3 into ISO step 4).
    let m = assert_mapping(&c, (itil, "5"), (iso, "4"), i, p2);
    assert_eq!(
        m.note,
        "Input for this is the documentation of all necessary information and changes."
    );
    assert_mapping(&c, (iso, "3"), (iso, "4"), i, p2);
    // Seed 000 lines 334-336: "… The boundaries to stakeholders serve as input for Annex A of
    // the ISO 27001 standard."
    assert_mapping(&c, (itil, "6"), (iso, "6"), i, p2);
}

// ---------------------------------------------------------------- PDCA (seed 001) and 27001 4.2.x

#[test]
fn pdca_has_4_phases_equivalent_to_clauses_4_2_1_to_4_2_4() {
    let c = catalogue();
    assert_eq!(c.nodes_of("pdca").len(), 4);
    assert_eq!(count_of_kind(&c, "pdca", NodeKind::Phase), 4);
    let lines = mappings_from(
        &c,
        "seed 001, section ISO/IEC 27001 Standard, paragraph 4, ",
    );
    assert_eq!(lines.len(), 4);
    // Seed 001 lines 41-43: 'a) "Plan" phase - establishing the ISMS', 'b) "Do" phase -
    // implementing and operating the ISMS', 'c) "Check" phase - monitoring and reviewing the
    // ISMS' (split by a page break), 'd) "Act" phase - maintaining and improving the ISMS'.
    for (clause, phase, title, item) in [
        ("4.2.1", "P", "Plan", "a"),
        ("4.2.2", "D", "Do", "b"),
        ("4.2.3", "C", "Check", "c"),
        ("4.2.4", "A", "Act", "d"),
    ] {
        assert_node(&c, ("pdca", phase), None, NodeKind::Phase, title);
        assert_mapping(
            &c,
            ("iso27001-2005", clause),
            ("pdca", phase),
            Relation::EquivalentTo,
            &format!("seed 001, section ISO/IEC 27001 Standard, paragraph 4, item {item}"),
        );
    }
}

// ---------------------------------------------------------------- seed 003 ISM cycle

#[test]
fn itil_ism_cycle_has_5_activities_21_sub_activities_27_documents() {
    let c = catalogue();
    let f = "itil-ism-cycle";
    assert_eq!(c.nodes_of(f).len(), 53);
    assert_eq!(count_of_kind(&c, f, NodeKind::Activity), 5);
    assert_eq!(count_of_kind(&c, f, NodeKind::SubActivity), 21);
    assert_eq!(count_of_kind(&c, f, NodeKind::Document), 27);
    // Seed 003 activity tables (lines 17-19, 41-44, 61-65, 86-90, 108-111) and concept tables,
    // plus one "Reports" document per Reporting sub-activity.
    for (activity, sub_activities, documents) in [
        ("CONTROL", 3, 4),
        ("PLAN", 4, 5),
        ("IMPLEMENT", 5, 6),
        ("EVALUATE", 5, 7),
        ("MAINTAIN", 4, 5),
    ] {
        let ix = node(&c, f, activity);
        assert_eq!(
            (
                descendants_of_kind(&c, ix, NodeKind::SubActivity),
                descendants_of_kind(&c, ix, NodeKind::Document)
            ),
            (sub_activities, documents),
            "{activity}"
        );
    }
    // Seed 003 line 17: "| Control | Implement policies | … The process ends with policy
    // statement. |" and line 25: "| Policy statements | … |".
    assert_node(
        &c,
        (f, "CONTROL.1"),
        Some("CONTROL"),
        NodeKind::SubActivity,
        "Implement policies",
    );
    assert_node(
        &c,
        (f, "CONTROL.D2"),
        Some("CONTROL.1"),
        NodeKind::Document,
        "Policy statements",
    );
    // Seed 003 line 43: "| Create operational level agreements | …" and line 51:
    // "| Operational level agreements | … |".
    assert_node(
        &c,
        (f, "PLAN.3"),
        Some("PLAN"),
        NodeKind::SubActivity,
        "Create operational level agreements",
    );
    assert_node(
        &c,
        (f, "PLAN.D4"),
        Some("PLAN.3"),
        NodeKind::Document,
        "Operational level agreements",
    );
}

#[test]
fn seed003_maps_four_cycle_activities_to_pdca_and_leaves_control_out() {
    let c = catalogue();
    let prefix = "seed 003, section Security management, paragraph 2";
    assert_eq!(mappings_from(&c, prefix).len(), 4);
    let i = Relation::IntersectsWith;
    // Seed 003 line 10: "The security plans (Plan) are then implemented (Do) and the
    // implementation is then evaluated (Check)."
    assert_mapping(&c, ("itil-ism-cycle", "PLAN"), ("pdca", "P"), i, prefix);
    assert_mapping(
        &c,
        ("itil-ism-cycle", "IMPLEMENT"),
        ("pdca", "D"),
        i,
        prefix,
    );
    assert_mapping(&c, ("itil-ism-cycle", "EVALUATE"), ("pdca", "C"), i, prefix);
    // Seed 003 line 10: "After the evaluation, the plans and the plan implementation are
    // maintained (Act)."
    let m = assert_mapping(&c, ("itil-ism-cycle", "MAINTAIN"), ("pdca", "A"), i, prefix);
    assert_eq!(
        m.note,
        "After the evaluation, the plans and the plan implementation are maintained (Act)."
    );
    // Seed 003 line 13: "The first activity in the security management process is the
    // “Control” sub-process." No phase is given for it.
    assert_no_mapping_to(&c, ("itil-ism-cycle", "CONTROL"), "pdca");
}
