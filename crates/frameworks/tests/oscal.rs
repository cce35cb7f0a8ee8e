//! OSCAL import and export against real NIST catalogs and NIST's OSCAL 1.2.3 JSON schema, and
//! round trips through Tandem's own exports.

use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use serde_json::{Value, json};
use tandem_frameworks::catalogue::{At, Catalogue, CatalogueBuilder};
use tandem_frameworks::model::{
    Framework, Mapping, Node, NodeKey, NodeKind, Origin, Rationale, Relation,
};
use tandem_frameworks::{oscal, shipped};
use time::macros::datetime;

const BASIC: &str = include_str!("fixtures/basic-catalog.json");
const NIST_LOW: &str = include_str!("fixtures/nist-800-53-rev5-low.json");
const OSCAL_SCHEMA: &str = include_str!("fixtures/oscal_complete_schema_1.2.3.json");

const AT: At<'static> = At {
    file: "test",
    line: None,
};

fn shipped_catalogue() -> Catalogue {
    shipped::load().unwrap_or_else(|e| panic!("{e}")).build()
}

/// The shipped data plus `nodes` as framework `id`, to add more to.
fn builder_with(id: &str, nodes: Vec<Node>) -> CatalogueBuilder {
    let mut builder: CatalogueBuilder = shipped::load().unwrap_or_else(|e| panic!("{e}"));
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
            AT,
        )
        .unwrap();
    for node in nodes {
        builder.node(node, AT).unwrap_or_else(|e| panic!("{e}"));
    }
    builder
}

/// The shipped catalogue plus `nodes` as framework `id`.
fn with_framework(id: &str, nodes: Vec<Node>) -> Catalogue {
    builder_with(id, nodes).build()
}

fn control(framework: &str, reference: &str) -> Node {
    Node {
        framework: framework.into(),
        reference: reference.into(),
        parent: None,
        kind: NodeKind::Control,
        title: format!("Control {reference}"),
        oscal_id: None,
        withdrawn: false,
    }
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(OSCAL_SCHEMA).unwrap())
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("the schema compiles: {e}"))
}

/// Checks a document against NIST's OSCAL 1.2.3 schema, as published.
fn assert_valid_oscal(what: &str, document: &Value) {
    static COMPLETE: OnceLock<jsonschema::Validator> = OnceLock::new();
    if COMPLETE
        .get_or_init(|| validator(schema()))
        .is_valid(document)
    {
        return;
    }
    // The schema's top level is a `oneOf` over the models, which says nothing more than "no
    // model fits": ask the document's own model what is wrong.
    let mut model = schema().clone();
    let models = model.as_object_mut().unwrap().remove("oneOf").unwrap();
    model["allOf"] = models
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["required"][0]
                .as_str()
                .is_some_and(|key| document.get(key).is_some())
        })
        .cloned()
        .collect();
    let problems: Vec<String> = validator(&model)
        .iter_errors(document)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    panic!("{what} is not valid OSCAL 1.2.3:\n{}", problems.join("\n"));
}

/// Every `id` under a catalog or one of its items.
fn ids_in(value: &Value, ids: &mut Vec<String>) {
    for key in ["groups", "controls"] {
        for item in value[key].as_array().into_iter().flatten() {
            ids.push(item["id"].as_str().unwrap().to_owned());
            ids_in(item, ids);
        }
    }
}

fn assert_distinct_ids(catalog: &Value) {
    let mut ids = Vec::new();
    ids_in(&catalog["catalog"], &mut ids);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no two items share an id: {ids:?}");
}

/// The label and id of every item in a catalog export.
fn labels_and_ids(value: &Value, out: &mut Vec<(String, String)>) {
    for key in ["groups", "controls"] {
        for item in value[key].as_array().into_iter().flatten() {
            let label = item["props"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "label")
                .unwrap()["value"]
                .as_str()
                .unwrap();
            out.push((label.to_owned(), item["id"].as_str().unwrap().to_owned()));
            labels_and_ids(item, out);
        }
    }
}

/// Every mapping between two frameworks, in either direction.
fn between(catalogue: &Catalogue, a: &str, b: &str) -> Vec<usize> {
    catalogue
        .mappings()
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            let pair = (m.source.framework.as_str(), m.target.framework.as_str());
            pair == (a, b) || pair == (b, a)
        })
        .map(|(ix, _)| ix)
        .collect()
}

/// Checks what the schema cannot: every resource `href` points to a back-matter resource, and
/// the collection says its status.
fn assert_resources_resolve(collection: &Value) {
    let collection = &collection["mapping-collection"];
    assert!(collection["provenance"]["status"].is_string());
    let resources: HashSet<&str> = collection["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uuid"].as_str().unwrap())
        .collect();
    for mapping in collection["mappings"].as_array().unwrap() {
        for key in ["source-resource", "target-resource"] {
            let href = mapping[key]["href"].as_str().unwrap();
            let uuid = href.strip_prefix('#').unwrap_or(href);
            assert!(resources.contains(uuid), "{href} is a back-matter resource");
        }
    }
}

/// The (source, target, relation) of mappings, to compare sets.
fn triples<'m>(
    mappings: impl Iterator<Item = &'m Mapping>,
) -> BTreeSet<(NodeKey, NodeKey, Relation)> {
    mappings
        .map(|m| (m.source.clone(), m.target.clone(), m.relation))
        .collect()
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
fn every_shipped_framework_exports_a_valid_catalog_that_reads_back_the_same() {
    let catalogue = shipped_catalogue();
    assert!(catalogue.frameworks().len() >= 10);
    for framework in catalogue.frameworks() {
        let id = framework.id.as_str();
        let exported =
            oscal::write_catalog(&catalogue, id, datetime!(2026-11-23 12:00 UTC)).unwrap();
        assert_valid_oscal(&format!("the catalog of {id}"), &exported);
        assert_distinct_ids(&exported);
        let back = oscal::read_catalog(&exported.to_string(), "again").unwrap();
        let fields = |n: &Node| {
            (
                n.reference.clone(),
                n.parent.clone(),
                n.kind,
                n.title.clone(),
                n.withdrawn,
            )
        };
        let read: BTreeSet<_> = back.nodes.iter().map(fields).collect();
        let original: BTreeSet<_> = catalogue
            .nodes_of(id)
            .iter()
            .map(|ix| fields(catalogue.node(*ix)))
            .collect();
        assert_eq!(
            read, original,
            "{id}: references, parents, kinds and titles survive"
        );
        let again = with_framework("again", back.nodes);
        let ids = oscal::OscalIds::of(&catalogue, id);
        let kept = oscal::OscalIds::of(&again, "again");
        for &ix in catalogue.nodes_of(id) {
            let reference = &catalogue.node(ix).reference;
            assert_eq!(kept.id(reference), ids.id(reference), "{id} {reference}");
        }
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
fn every_shipped_mapping_pair_exports_a_valid_collection_that_reads_back_the_same() {
    let catalogue = shipped_catalogue();
    let pairs: BTreeSet<(&str, &str)> = catalogue
        .mappings()
        .iter()
        .map(|m| {
            let (s, t) = (m.source.framework.as_str(), m.target.framework.as_str());
            (s.min(t), s.max(t))
        })
        .collect();
    assert!(pairs.len() >= 8, "{pairs:?}");
    for (a, b) in pairs {
        let found = between(&catalogue, a, b);
        let exported = oscal::write_mapping_collection(
            &catalogue,
            &found,
            &format!("Mappings between {a} and {b}"),
            datetime!(2026-11-23 12:00 UTC),
        )
        .unwrap();
        assert_valid_oscal(&format!("the mappings between {a} and {b}"), &exported);
        assert_resources_resolve(&exported);
        let back = oscal::read_mapping_collection(&exported.to_string(), &catalogue)
            .unwrap_or_else(|e| panic!("{a} and {b}: {e}"));
        assert_eq!(
            triples(back.iter()),
            triples(found.iter().map(|ix| catalogue.mapping(*ix))),
            "{a} and {b}: every mapping lands on the same nodes"
        );
        for read in &back {
            let original = found
                .iter()
                .map(|ix| catalogue.mapping(*ix))
                .find(|m| {
                    (&m.source, &m.target, m.relation)
                        == (&read.source, &read.target, read.relation)
                })
                .unwrap();
            assert_eq!(read.rationale, original.rationale);
            // Notes are cut at 200 characters on import, and some provenances are longer.
            let start: String = original.provenance.chars().take(100).collect();
            assert!(
                read.note.starts_with(&start),
                "the provenance travels in the remarks"
            );
        }
    }
    assert!(
        oscal::write_mapping_collection(
            &catalogue,
            &[],
            "Nothing",
            datetime!(2026-11-23 12:00 UTC)
        )
        .is_none(),
        "a collection holds at least one mapping"
    );
}

#[test]
fn references_that_differ_only_in_characters_ids_cannot_hold_get_distinct_ids() {
    let references = ["A 1", "A_1", "A/1", "A_1-2", "A(1)", "A_1_", "4.2.1"];
    let mut builder = builder_with(
        "odd",
        references.iter().map(|r| control("odd", r)).collect(),
    );
    let targets = [
        "A.5.1.1", "A.5.1.2", "A.6.1.1", "A.6.1.2", "A.6.1.3", "A.6.1.4", "A.6.1.5",
    ];
    for (i, (reference, target)) in references.iter().zip(targets).enumerate() {
        builder
            .mapping(
                Mapping {
                    source: NodeKey::new("odd", reference),
                    target: NodeKey::new("iso27001-2005", target),
                    relation: Relation::IntersectsWith,
                    rationale: Rationale::Semantic,
                    confidence: (i == 0).then_some(0.8),
                    note: String::new(),
                    provenance: "test".into(),
                    id: None,
                },
                AT,
            )
            .unwrap();
    }
    let catalogue = builder.build();
    let at = datetime!(2026-11-23 12:00 UTC);

    let exported = oscal::write_catalog(&catalogue, "odd", at).unwrap();
    assert_valid_oscal("the odd catalog", &exported);
    assert_distinct_ids(&exported);
    let mut found = Vec::new();
    labels_and_ids(&exported["catalog"], &mut found);
    let found: BTreeSet<(String, String)> = found.into_iter().collect();
    let expected: BTreeSet<(String, String)> = [
        ("A_1", "A_1"),
        ("A 1", "A_1-3"),
        ("A/1", "A_1-4"),
        ("A_1-2", "A_1-2"),
        ("A_1_", "A_1_"),
        ("A(1)", "A_1_-2"),
        ("4.2.1", "_4.2.1"),
    ]
    .iter()
    .map(|(r, i)| ((*r).to_owned(), (*i).to_owned()))
    .collect();
    assert_eq!(
        found, expected,
        "a reference that is an id keeps it; the others that share its form get a number, skipping ids taken"
    );

    let mappings = between(&catalogue, "odd", "iso27001-2005");
    let collection = oscal::write_mapping_collection(&catalogue, &mappings, "Odd", at).unwrap();
    assert_valid_oscal("the odd mappings", &collection);
    assert_resources_resolve(&collection);
    let maps = &collection["mapping-collection"]["mappings"][0]["maps"];
    assert_eq!(maps[0]["sources"][0]["id-ref"], "A_1-3");
    assert_eq!(
        maps[0]["confidence-score"],
        json!({"percentage": 0.8}),
        "OSCAL's form of a confidence"
    );
    let back = oscal::read_mapping_collection(&collection.to_string(), &catalogue).unwrap();
    assert_eq!(
        triples(back.iter()),
        triples(mappings.iter().map(|ix| catalogue.mapping(*ix))),
        "every mapping lands on the node it came from"
    );
    assert_eq!(back[0].confidence, Some(0.8));

    // The catalog imported elsewhere keeps the exported ids, so the collection resolves there.
    let imported = oscal::read_catalog(&exported.to_string(), "odd").unwrap();
    let elsewhere = with_framework("odd", imported.nodes);
    let again = oscal::write_catalog(&elsewhere, "odd", at).unwrap();
    assert_eq!(again["catalog"]["groups"], exported["catalog"]["groups"]);
    assert_eq!(
        again["catalog"]["controls"],
        exported["catalog"]["controls"]
    );
    let read_there = oscal::read_mapping_collection(&collection.to_string(), &elsewhere).unwrap();
    assert_eq!(triples(read_there.iter()), triples(back.iter()));
}

#[test]
fn nist_ids_are_kept_so_profiles_keyed_on_them_resolve() {
    let imported = oscal::read_catalog(NIST_LOW, "nist-low").unwrap();
    let enhancement = imported
        .nodes
        .iter()
        .find(|n| n.reference == "IA-2(1)")
        .unwrap();
    assert_eq!(enhancement.oscal_id.as_deref(), Some("ia-2.1"));
    let catalogue = with_framework("nist-low", imported.nodes);
    let exported =
        oscal::write_catalog(&catalogue, "nist-low", datetime!(2026-11-23 12:00 UTC)).unwrap();
    assert_valid_oscal("the NIST LOW baseline exported again", &exported);
    let mut found = Vec::new();
    labels_and_ids(&exported["catalog"], &mut found);
    assert!(found.contains(&("IA-2(1)".to_owned(), "ia-2.1".to_owned())));
    assert!(found.contains(&("AC-1".to_owned(), "ac-1".to_owned())));

    // A collection written elsewhere, naming its catalog through a back-matter resource.
    let collection = json!({"mapping-collection": {
        "uuid": "6a1c5fb0-2bd4-4b1b-9a59-4d0f0b6a3f10",
        "metadata": {"title": "NIST to ISO", "last-modified": "2026-11-23T12:00:00Z", "version": "1", "oscal-version": "1.2.3"},
        "provenance": {"method": "human", "matching-rationale": "semantic", "status": "draft", "mapping-description": "A test."},
        "mappings": [{
            "uuid": "0d8f1bb6-8f3f-4a39-9f6e-1c2b8c5d7e21",
            "source-resource": {"type": "catalog", "href": "#3b0f8d1e-5d52-4a8e-9d0a-2f1a6c7b9e30"},
            "target-resource": {"type": "catalog", "href": "#iso27001-2005"},
            "maps": [{"uuid": "7c2e9a41-1b3d-4f5e-8a6b-9c0d1e2f3a4b", "relationship": "intersects-with",
                      "sources": [{"type": "control", "id-ref": "ia-2.1"}],
                      "targets": [{"type": "control", "id-ref": "A.11.5.2"}],
                      "confidence-score": {"category": "high"}}]
        }],
        "back-matter": {"resources": [{"uuid": "3b0f8d1e-5d52-4a8e-9d0a-2f1a6c7b9e30", "title": "SP 800-53 LOW",
            "rlinks": [{"href": "catalogs/nist-low.json"}]}]}
    }});
    assert_valid_oscal("the hand-written collection", &collection);
    let read = oscal::read_mapping_collection(&collection.to_string(), &catalogue).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].source, NodeKey::new("nist-low", "IA-2(1)"));
    assert_eq!(read[0].confidence, None, "a category has no number to keep");
}

#[test]
fn withdrawn_controls_are_exported_and_read_as_withdrawn() {
    let mut gone = control("policies", "P-2");
    gone.withdrawn = true;
    let catalogue = with_framework("policies", vec![control("policies", "P-1"), gone]);
    let exported =
        oscal::write_catalog(&catalogue, "policies", datetime!(2026-11-23 12:00 UTC)).unwrap();
    assert_valid_oscal("a catalog with a withdrawn control", &exported);
    let props = exported["catalog"]["controls"][1]["props"]
        .as_array()
        .unwrap();
    assert!(props.contains(&json!({"name": "status", "value": "withdrawn"})));
    let back = oscal::read_catalog(&exported.to_string(), "policies").unwrap();
    let withdrawn: Vec<_> = back
        .nodes
        .iter()
        .map(|n| (n.reference.as_str(), n.withdrawn))
        .collect();
    assert_eq!(withdrawn, [("P-1", false), ("P-2", true)]);
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
    let unknown_node = bad_relation
        .replace("maps-to", "equal-to")
        .replace("\"P\"", "\"P-99\"");
    let err = oscal::read_mapping_collection(&unknown_node, &catalogue).unwrap_err();
    assert_eq!(
        err.path,
        "mapping-collection.mappings[0].maps[0].sources[0].id-ref"
    );
    let unsure = bad_relation.replace(
        "\"relationship\": \"maps-to\"",
        "\"relationship\": \"equal-to\", \"confidence-score\": {\"percentage\": 1.5}",
    );
    let err = oscal::read_mapping_collection(&unsure, &catalogue).unwrap_err();
    assert_eq!(
        err.path,
        "mapping-collection.mappings[0].maps[0].confidence-score"
    );
}

#[test]
fn a_byte_order_mark_is_accepted_before_a_mapping_collection() {
    let catalogue = shipped_catalogue();
    let found = between(&catalogue, "pdca", "iso27001-2005");
    let exported = oscal::write_mapping_collection(
        &catalogue,
        &found,
        "PDCA",
        datetime!(2026-11-23 12:00 UTC),
    )
    .unwrap();
    let with_mark = format!("\u{feff}{exported}");
    let read = oscal::read_mapping_collection(&with_mark, &catalogue).unwrap();
    assert_eq!(read.len(), found.len());
}
