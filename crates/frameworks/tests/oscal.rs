//! OSCAL import and export against real NIST catalogs, and round trips through Tandem's own
//! exports.

use tandem_frameworks::catalogue::{At, Catalogue, CatalogueBuilder};
use tandem_frameworks::model::{Framework, NodeKind, Origin};
use tandem_frameworks::{oscal, shipped};
use time::macros::datetime;

const BASIC: &str = include_str!("fixtures/basic-catalog.json");
const NIST_LOW: &str = include_str!("fixtures/nist-800-53-rev5-low.json");

fn shipped_catalogue() -> Catalogue {
    shipped::load().unwrap_or_else(|e| panic!("{e}")).build()
}

/// The shipped catalogue plus `nodes` as framework `id`.
fn with_framework(id: &str, nodes: Vec<tandem_frameworks::model::Node>) -> Catalogue {
    let mut builder: CatalogueBuilder = shipped::load().unwrap_or_else(|e| panic!("{e}"));
    let at = At {
        file: "test",
        line: None,
    };
    builder
        .framework(
            Framework {
                id: id.into(),
                name: id.into(),
                edition: "1".into(),
                publisher: String::new(),
                licence_note: String::new(),
                source: String::new(),
                description: String::new(),
                origin: Origin::Custom,
            },
            at,
        )
        .unwrap();
    for node in nodes {
        builder.node(node, at).unwrap_or_else(|e| panic!("{e}"));
    }
    builder.build()
}

#[test]
fn nists_basic_catalog_imports_with_groups_and_controls() {
    let imported = oscal::read_catalog(BASIC, "basic").unwrap();
    assert!(imported.title.starts_with("Sample Security Catalog"));
    assert_eq!(imported.version, "1.1");
    let first = &imported.nodes[0];
    assert_eq!(
        (first.kind, first.parent.as_deref()),
        (NodeKind::Group, None)
    );
    let control = imported
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Control)
        .unwrap();
    assert!(control.parent.is_some(), "controls sit in their group");
    with_framework("basic", imported.nodes);
}

#[test]
fn the_sp_800_53_low_baseline_imports_every_control_by_its_label() {
    let imported = oscal::read_catalog(NIST_LOW, "nist-low").unwrap();
    let groups = imported
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Group)
        .count();
    let controls = imported
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Control)
        .count();
    assert_eq!(groups + controls, imported.nodes.len());
    assert!(groups >= 15, "the control families: {groups}");
    assert!(controls > 140, "{controls}");
    assert!(
        imported
            .nodes
            .iter()
            .any(|n| n.reference == "AC-1" && n.title == "Policy and Procedures"),
        "labels, not ids"
    );
    let catalogue = with_framework("nist-low", imported.nodes);
    assert_eq!(catalogue.nodes_of("nist-low").len(), groups + controls);
}

#[test]
fn a_shipped_framework_survives_an_oscal_round_trip() {
    let catalogue = shipped_catalogue();
    for id in ["iso27001-2005", "itil-v3", "seed001-ism"] {
        let exported =
            oscal::write_catalog(&catalogue, id, datetime!(2026-11-23 12:00 UTC)).unwrap();
        let text = serde_json::to_string(&exported).unwrap();
        let back = oscal::read_catalog(&text, id).unwrap();
        let original: Vec<_> = catalogue
            .nodes_of(id)
            .iter()
            .map(|ix| catalogue.node(*ix).clone())
            .collect();
        let mut sorted_back = back.nodes.clone();
        let mut sorted_original = original.clone();
        sorted_back.sort_by(|a, b| a.reference.cmp(&b.reference));
        sorted_original.sort_by(|a, b| a.reference.cmp(&b.reference));
        assert_eq!(
            sorted_back, sorted_original,
            "{id}: references, parents, kinds and titles survive"
        );
    }
}

#[test]
fn exports_are_stable_and_use_oscal_ids() {
    let catalogue = shipped_catalogue();
    let at = datetime!(2026-11-23 12:00 UTC);
    let a = oscal::write_catalog(&catalogue, "itil-v3", at).unwrap();
    let b = oscal::write_catalog(&catalogue, "itil-v3", at).unwrap();
    assert_eq!(a, b);
    let text = a.to_string();
    assert!(
        text.contains("\"id\":\"SD_4.6\""),
        "spaces become underscores in ids"
    );
    assert!(
        text.contains("\"value\":\"SD 4.6\""),
        "the reference stays in the label"
    );
    assert!(oscal::write_catalog(&catalogue, "nope", at).is_none());
}

#[test]
fn mappings_survive_an_oscal_mapping_collection_round_trip() {
    let catalogue = shipped_catalogue();
    let between: Vec<usize> = catalogue
        .mappings()
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.source.framework == "seed001-ism" && m.target.framework == "iso27001-2005"
        })
        .map(|(ix, _)| ix)
        .collect();
    let exported = oscal::write_mapping_collection(
        &catalogue,
        &between,
        "Table 1",
        datetime!(2026-11-23 12:00 UTC),
    );
    let back = oscal::read_mapping_collection(&exported.to_string(), &catalogue).unwrap();
    assert_eq!(back.len(), between.len());
    for (read, ix) in back.iter().zip(&between) {
        let original = catalogue.mapping(*ix);
        assert_eq!(
            (&read.source, &read.target, read.relation, read.rationale),
            (
                &original.source,
                &original.target,
                original.relation,
                original.rationale
            )
        );
        assert!(
            read.note.contains(&original.provenance),
            "the provenance travels in the remarks"
        );
    }
}

#[test]
fn bad_mapping_collections_name_the_problem() {
    let catalogue = shipped_catalogue();
    let unknown = r##"{"mapping-collection": {"mappings": [{"source-resource": {"href": "#nist-csf"}, "target-resource": {"href": "#pdca"}, "maps": []}]}}"##;
    let err = oscal::read_mapping_collection(unknown, &catalogue).unwrap_err();
    assert_eq!(
        err.path,
        "mapping-collection.mappings[0].source-resource.href"
    );
    let bad_relation = r##"{"mapping-collection": {"mappings": [{"source-resource": {"href": "#pdca"}, "target-resource": {"href": "#iso27001-2005"}, "maps": [{"relationship": "maps-to", "sources": [{"id-ref": "P"}], "targets": [{"id-ref": "_4.2.1"}]}]}]}}"##;
    let err = oscal::read_mapping_collection(bad_relation, &catalogue).unwrap_err();
    assert_eq!(
        err.path,
        "mapping-collection.mappings[0].maps[0].relationship"
    );
}
