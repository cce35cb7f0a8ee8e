//! OSCAL import and export: catalogs (any NIST catalog in, any framework out) and the OSCAL 1.2
//! mapping-collection model. Pure functions over JSON values; problems name the JSON path.
//!
//! A node's reference becomes an OSCAL `id` token (letters, digits, `.`, `-`, `_`, starting
//! with a letter or `_`) and is kept exactly in a `label` property; its kind travels in a `kind`
//! property in Tandem's namespace. On import, the `label` property wins over the id.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::catalogue::{Catalogue, MAX_TITLE};
use crate::model::{Mapping, Node, NodeKey, NodeKind, Rationale, Relation};

/// Tandem's namespace for OSCAL properties it adds.
pub const NAMESPACE: &str = "urn:tandem:frameworks";
const OSCAL_CATALOG_VERSION: &str = "1.1.3";
const OSCAL_MAPPING_VERSION: &str = "1.2.0";

/// What is wrong with an OSCAL document, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct OscalError {
    /// A JSON path such as `catalog.groups[2].controls[0].title`.
    pub path: String,
    pub message: String,
}

fn error(path: &str, message: impl Into<String>) -> OscalError {
    OscalError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The OSCAL `id` token for a reference.
pub fn oscal_id(reference: &str) -> String {
    let mut id: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id.insert(0, '_');
    }
    id
}

/// The value of property `name` in namespace `ns` (`None`: OSCAL's own, no `ns` given),
/// ignoring classed variants (NIST adds `label` props of class `sp800-53a`).
fn prop<'v>(item: &'v Value, name: &str, ns: Option<&str>) -> Option<&'v str> {
    item.get("props")?
        .as_array()?
        .iter()
        .find(|p| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("ns").and_then(Value::as_str) == ns
                && p.get("class").is_none()
        })
        .and_then(|p| p.get("value")?.as_str())
}

fn short(title: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() <= MAX_TITLE {
        title
    } else {
        let cut: String = title.chars().take(MAX_TITLE - 1).collect();
        format!("{cut}…")
    }
}

/// A catalog read from OSCAL: its title and version, and its groups and controls as nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCatalog {
    pub title: String,
    pub version: String,
    pub nodes: Vec<Node>,
}

/// Reads an OSCAL catalog (JSON) into nodes of `framework`: groups become `group` nodes (or the
/// kind their `kind` property names), controls and their enhancements `control` nodes.
pub fn read_catalog(text: &str, framework: &str) -> Result<ImportedCatalog, OscalError> {
    let document: Value = serde_json::from_str(text)
        .map_err(|e| error("(document)", format!("not valid JSON: {e}")))?;
    let catalog = document.get("catalog").ok_or_else(|| {
        error(
            "(document)",
            "is not an OSCAL catalog: there is no `catalog` object",
        )
    })?;
    let metadata = catalog
        .get("metadata")
        .ok_or_else(|| error("catalog", "has no `metadata`"))?;
    let title = metadata
        .get("title")
        .and_then(Value::as_str)
        .ok_or_else(|| error("catalog.metadata", "has no `title`"))?;
    let version = metadata
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut nodes = Vec::new();
    walk(catalog, "catalog", None, framework, &mut nodes)?;
    if nodes.is_empty() {
        return Err(error("catalog", "holds no group and no control"));
    }
    Ok(ImportedCatalog {
        title: short(title),
        version: short(version),
        nodes,
    })
}

fn walk(
    parent: &Value,
    path: &str,
    parent_ref: Option<&str>,
    framework: &str,
    nodes: &mut Vec<Node>,
) -> Result<(), OscalError> {
    for (key, default_kind) in [("groups", NodeKind::Group), ("controls", NodeKind::Control)] {
        let Some(items) = parent.get(key) else {
            continue;
        };
        let items = items
            .as_array()
            .ok_or_else(|| error(&format!("{path}.{key}"), "must be a list"))?;
        for (i, item) in items.iter().enumerate() {
            let here = format!("{path}.{key}[{i}]");
            let id = item.get("id").and_then(Value::as_str);
            let reference = prop(item, "label", None)
                .or(id)
                .ok_or_else(|| error(&here, "has neither an `id` nor a `label` property"))?
                .trim()
                .to_owned();
            let title = item
                .get("title")
                .and_then(Value::as_str)
                .ok_or_else(|| error(&here, "has no `title`"))?;
            let kind = match prop(item, "kind", Some(NAMESPACE)) {
                Some(kind) => {
                    NodeKind::parse(kind).map_err(|m| error(&format!("{here}.props"), m))?
                }
                None => default_kind,
            };
            nodes.push(Node {
                framework: framework.to_owned(),
                reference: reference.clone(),
                parent: parent_ref.map(str::to_owned),
                kind,
                title: short(title),
            });
            walk(item, &here, Some(&reference), framework, nodes)?;
        }
    }
    Ok(())
}

fn timestamp(now: OffsetDateTime) -> String {
    now.format(&Rfc3339).unwrap_or_default()
}

/// A stable UUID for an exported document, so that exporting twice gives the same ids.
fn stable_uuid(name: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{NAMESPACE}:{name}").as_bytes(),
    )
    .to_string()
}

fn item(catalogue: &Catalogue, ix: usize) -> Value {
    let node = catalogue.node(ix);
    let as_control = node.kind == NodeKind::Control;
    let children: Vec<usize> = catalogue.children(ix).to_vec();
    let mut value = json!({
        "id": oscal_id(&node.reference),
        "title": node.title,
        "props": [
            {"name": "label", "value": node.reference},
            {"name": "kind", "ns": NAMESPACE, "value": node.kind.as_str()},
        ],
    });
    if as_control {
        // A control holds only controls: whatever sits under it is exported as one.
        if !children.is_empty() {
            value["controls"] = children.iter().map(|c| item(catalogue, *c)).collect();
        }
    } else {
        let (controls, groups): (Vec<usize>, Vec<usize>) = children
            .iter()
            .partition(|c| catalogue.node(**c).kind == NodeKind::Control);
        if !groups.is_empty() {
            value["groups"] = groups.iter().map(|c| item(catalogue, *c)).collect();
        }
        if !controls.is_empty() {
            value["controls"] = controls.iter().map(|c| item(catalogue, *c)).collect();
        }
    }
    value
}

/// Writes a framework as an OSCAL catalog (JSON value).
pub fn write_catalog(catalogue: &Catalogue, framework: &str, now: OffsetDateTime) -> Option<Value> {
    let f = catalogue.framework(framework)?;
    let roots: Vec<usize> = catalogue
        .nodes_of(framework)
        .iter()
        .copied()
        .filter(|ix| catalogue.node(*ix).parent.is_none())
        .collect();
    let (controls, groups): (Vec<usize>, Vec<usize>) = roots
        .iter()
        .partition(|ix| catalogue.node(**ix).kind == NodeKind::Control);
    let mut catalog = json!({
        "uuid": stable_uuid(&format!("catalog:{framework}")),
        "metadata": {
            "title": f.name,
            "last-modified": timestamp(now),
            "version": f.edition,
            "oscal-version": OSCAL_CATALOG_VERSION,
            "remarks": format!("{} Source: {}. {}", f.description, f.source, f.licence_note).trim().to_owned(),
            "props": [{"name": "framework-id", "ns": NAMESPACE, "value": f.id}],
        },
    });
    if !groups.is_empty() {
        catalog["groups"] = groups.iter().map(|ix| item(catalogue, *ix)).collect();
    }
    if !controls.is_empty() {
        catalog["controls"] = controls.iter().map(|ix| item(catalogue, *ix)).collect();
    }
    Some(json!({ "catalog": catalog }))
}

/// The framework an OSCAL resource reference names: `#iso27001-2005`, or a file name such as
/// `catalogs/iso27001-2005.json`.
fn framework_of(href: &str) -> String {
    let last = href.rsplit(['#', '/']).next().unwrap_or(href);
    last.strip_suffix(".json").unwrap_or(last).to_owned()
}

/// Resolves an OSCAL `id-ref` to a node reference of `framework`: a reference whose OSCAL id is
/// the `id-ref`, or the `id-ref` itself.
fn resolve(catalogue: &Catalogue, framework: &str, id_ref: &str) -> String {
    catalogue
        .nodes_of(framework)
        .iter()
        .map(|ix| &catalogue.node(*ix).reference)
        .find(|r| oscal_id(r) == id_ref)
        .cloned()
        .unwrap_or_else(|| id_ref.to_owned())
}

/// Reads an OSCAL mapping collection into mappings between frameworks of `catalogue`
/// (resources name frameworks by id in their `href`). Each `map` with several sources or
/// targets gives one mapping per pair.
pub fn read_mapping_collection(
    text: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Mapping>, OscalError> {
    let document: Value = serde_json::from_str(text)
        .map_err(|e| error("(document)", format!("not valid JSON: {e}")))?;
    let collection = document.get("mapping-collection").ok_or_else(|| {
        error(
            "(document)",
            "is not an OSCAL mapping collection: there is no `mapping-collection` object",
        )
    })?;
    let provenance = collection.get("provenance");
    let default_rationale = provenance
        .and_then(|p| p.get("matching-rationale"))
        .and_then(Value::as_str)
        .unwrap_or("semantic");
    let description = provenance
        .and_then(|p| p.get("mapping-description"))
        .and_then(Value::as_str)
        .map(short)
        .unwrap_or_default();
    let title = collection
        .get("metadata")
        .and_then(|m| m.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("an OSCAL mapping collection");
    let mappings = collection
        .get("mappings")
        .and_then(Value::as_array)
        .ok_or_else(|| error("mapping-collection", "has no `mappings` list"))?;
    let mut out = Vec::new();
    for (m, mapping) in mappings.iter().enumerate() {
        let here = format!("mapping-collection.mappings[{m}]");
        let resource = |key: &str| -> Result<String, OscalError> {
            let href = mapping
                .get(key)
                .and_then(|r| r.get("href"))
                .and_then(Value::as_str)
                .ok_or_else(|| error(&format!("{here}.{key}"), "has no `href`"))?;
            let framework = framework_of(href);
            if catalogue.framework(&framework).is_none() {
                return Err(error(
                    &format!("{here}.{key}.href"),
                    format!(
                        "names `{framework}`, which is not a framework here; import it first or name it `#<framework id>`"
                    ),
                ));
            }
            Ok(framework)
        };
        let (source_framework, target_framework) =
            (resource("source-resource")?, resource("target-resource")?);
        let maps = mapping
            .get("maps")
            .and_then(Value::as_array)
            .ok_or_else(|| error(&here, "has no `maps` list"))?;
        for (i, map) in maps.iter().enumerate() {
            let at = format!("{here}.maps[{i}]");
            let relation = map
                .get("relationship")
                .and_then(Value::as_str)
                .ok_or_else(|| error(&at, "has no `relationship`"))?;
            let relation =
                Relation::parse(relation).map_err(|m| error(&format!("{at}.relationship"), m))?;
            let rationale = map
                .get("matching-rationale")
                .and_then(Value::as_str)
                .unwrap_or(default_rationale);
            let rationale = Rationale::parse(rationale)
                .map_err(|m| error(&format!("{at}.matching-rationale"), m))?;
            let confidence = match map
                .get("confidence-score")
                .and_then(|c| c.get("value").or(Some(c)))
            {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            };
            let refs = |key: &str| -> Result<Vec<String>, OscalError> {
                let items = map
                    .get(key)
                    .and_then(Value::as_array)
                    .ok_or_else(|| error(&format!("{at}.{key}"), "must be a non-empty list"))?;
                items
                    .iter()
                    .enumerate()
                    .map(|(j, item)| {
                        item.get("id-ref")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .ok_or_else(|| error(&format!("{at}.{key}[{j}]"), "has no `id-ref`"))
                    })
                    .collect()
            };
            let note = map
                .get("remarks")
                .and_then(Value::as_str)
                .map(short)
                .unwrap_or_default();
            for source in refs("sources")? {
                for target in refs("targets")? {
                    out.push(Mapping {
                        source: NodeKey::new(
                            &source_framework,
                            &resolve(catalogue, &source_framework, &source),
                        ),
                        target: NodeKey::new(
                            &target_framework,
                            &resolve(catalogue, &target_framework, &target),
                        ),
                        relation,
                        rationale,
                        confidence,
                        note: note.clone(),
                        provenance: short(&format!(
                            "imported from OSCAL: {title}{}",
                            if description.is_empty() {
                                String::new()
                            } else {
                                format!(" ({description})")
                            }
                        )),
                        id: None,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Writes mappings between two frameworks as an OSCAL 1.2 mapping collection (JSON value): one
/// `mapping` per direction found, one `map` per mapping, the provenance in `remarks`.
pub fn write_mapping_collection(
    catalogue: &Catalogue,
    mappings: &[usize],
    title: &str,
    now: OffsetDateTime,
) -> Value {
    let mut groups: Vec<((String, String), Vec<Value>)> = Vec::new();
    for &ix in mappings {
        let m = catalogue.mapping(ix);
        let key = (m.source.framework.clone(), m.target.framework.clone());
        let mut map = json!({
            "uuid": stable_uuid(&format!("map:{}:{}:{}:{}:{}", m.source.framework, m.source.reference, m.target.framework, m.target.reference, m.relation)),
            "relationship": m.relation.as_str(),
            "matching-rationale": m.rationale.as_str(),
            "sources": [{"type": "control", "id-ref": oscal_id(&m.source.reference)}],
            "targets": [{"type": "control", "id-ref": oscal_id(&m.target.reference)}],
            "remarks": if m.note.is_empty() { m.provenance.clone() } else { format!("{} — {}", m.provenance, m.note) },
        });
        if let Some(confidence) = m.confidence {
            map["confidence-score"] = json!({"value": confidence});
        }
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, maps)) => maps.push(map),
            None => groups.push((key, vec![map])),
        }
    }
    let mappings: Vec<Value> = groups
        .into_iter()
        .map(|((source, target), maps)| {
            json!({
                "uuid": stable_uuid(&format!("mapping:{source}:{target}")),
                "source-resource": {"type": "catalog", "href": format!("#{source}")},
                "target-resource": {"type": "catalog", "href": format!("#{target}")},
                "maps": maps,
            })
        })
        .collect();
    json!({
        "mapping-collection": {
            "uuid": stable_uuid(&format!("collection:{title}")),
            "metadata": {
                "title": title,
                "last-modified": timestamp(now),
                "version": "1",
                "oscal-version": OSCAL_MAPPING_VERSION,
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "mapping-description": "Exported from Tandem; each map's remarks say where the mapping comes from.",
            },
            "mappings": mappings,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_oscal_ids() {
        assert_eq!(oscal_id("A.10.1.2"), "A.10.1.2");
        assert_eq!(oscal_id("4.2.1"), "_4.2.1");
        assert_eq!(oscal_id("SD 4.6"), "SD_4.6");
    }

    #[test]
    fn resource_references_name_frameworks() {
        assert_eq!(framework_of("#iso27001-2005"), "iso27001-2005");
        assert_eq!(framework_of("catalogs/itil-v3.json"), "itil-v3");
    }

    #[test]
    fn catalog_problems_name_their_path() {
        let err = read_catalog("{\"catalog\": {\"metadata\": {\"title\": \"T\"}, \"groups\": [{\"id\": \"g\", \"title\": \"G\", \"controls\": [{\"id\": \"c\"}]}]}}", "x").unwrap_err();
        assert_eq!(err.path, "catalog.groups[0].controls[0]");
        assert!(err.message.contains("title"));
        assert!(
            read_catalog("[1, 2]", "x")
                .unwrap_err()
                .message
                .contains("not an OSCAL catalog")
        );
        assert!(
            read_catalog("{", "x")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
    }

    #[test]
    fn long_titles_are_shortened_and_whitespace_collapsed() {
        assert_eq!(short("  Access \n control  "), "Access control");
        assert_eq!(short(&"x".repeat(500)).chars().count(), MAX_TITLE);
    }
}
