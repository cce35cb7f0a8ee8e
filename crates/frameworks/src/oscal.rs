//! OSCAL import and export: catalogs (any NIST catalog in, any framework out) and the OSCAL 1.2
//! mapping-collection model. Pure functions over JSON values; problems name the JSON path.
//!
//! Every node has an OSCAL `id` token (letters, digits, `.`, `-`, `_`, starting with a letter or
//! `_`), no two alike in a framework (see [`OscalIds`]); its reference is kept exactly in a
//! `label` property and its kind in a `kind` property in Tandem's namespace. On import, the
//! `label` property wins over the id, and the id is kept for the next export.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::catalogue::{Catalogue, MAX_TITLE};
use crate::model::{Mapping, Node, NodeKey, NodeKind, Rationale, Relation, check_reference};

/// Tandem's namespace for OSCAL properties it adds.
pub const NAMESPACE: &str = "urn:tandem:frameworks";
/// The OSCAL version exports conform to (checked against NIST's JSON schema in the tests).
const OSCAL_VERSION: &str = "1.2.3";

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

/// Parses a JSON document, skipping a leading byte-order mark (some editors write one).
fn parse(text: &str) -> Result<Value, OscalError> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map_err(|e| error("(document)", format!("not valid JSON: {e}")))
}

/// A reference made an OSCAL token: every character other than an ASCII letter, a digit, `.`,
/// `-` and `_` becomes `_`, and `_` goes in front of one that does not start with a letter.
fn token(reference: &str) -> String {
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

/// Whether `id` is an OSCAL token: a letter or `_`, then letters, digits, `.`, `-` and `_`.
fn is_token(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || ".-_".contains(c))
}

/// The OSCAL ids of a framework's nodes: one per node, no two alike.
#[derive(Debug, Default)]
pub struct OscalIds {
    by_reference: HashMap<String, String>,
    by_id: HashMap<String, String>,
}

impl OscalIds {
    /// A node imported from an OSCAL catalog keeps the id it had there (`ac-2.1`). Any other node
    /// takes its reference made a token (`SD 4.6` gives `SD_4.6`, `4.2.1` gives `_4.2.1`). When
    /// references differ only in characters an id cannot hold (`A 1` and `A_1`), the reference
    /// that is already a token, or else the first in order, keeps that id; the others get `-2`,
    /// `-3`, … after it (`A_1-2`), skipping ids already taken. The ids depend only on the
    /// framework's nodes, so an export and the import of that export agree on them.
    pub fn of(catalogue: &Catalogue, framework: &str) -> Self {
        let mut ids = Self::default();
        let mut plain: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for &ix in catalogue.nodes_of(framework) {
            let node = catalogue.node(ix);
            match &node.oscal_id {
                Some(id) if !ids.by_id.contains_key(id) => ids.insert(&node.reference, id.clone()),
                _ => plain
                    .entry(token(&node.reference))
                    .or_default()
                    .push(&node.reference),
            }
        }
        let mut waiting = Vec::new();
        for (id, mut references) in plain {
            references.sort_by_key(|r| (*r != id, *r));
            let mut references = references.into_iter();
            if !ids.by_id.contains_key(&id)
                && let Some(first) = references.next()
            {
                ids.insert(first, id.clone());
            }
            waiting.extend(references.map(|r| (r, id.clone())));
        }
        for (reference, base) in waiting {
            let mut n = 2;
            while ids.by_id.contains_key(&format!("{base}-{n}")) {
                n += 1;
            }
            ids.insert(reference, format!("{base}-{n}"));
        }
        ids
    }

    fn insert(&mut self, reference: &str, id: String) {
        self.by_id.insert(id.clone(), reference.to_owned());
        self.by_reference.insert(reference.to_owned(), id);
    }

    /// The id of the node with this reference (its token when the framework has no such node).
    pub fn id(&self, reference: &str) -> String {
        self.by_reference
            .get(reference)
            .cloned()
            .unwrap_or_else(|| token(reference))
    }

    /// The reference of the node with this id.
    pub fn reference(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }
}

/// The name of the file a framework's catalog export downloads as; mapping collections link to it.
pub fn catalog_file_name(framework: &str) -> String {
    format!("{framework}-oscal-catalog.json")
}

/// The position and value of property `name` in namespace `ns` (`None`: OSCAL's own, no `ns`
/// given), ignoring classed variants (NIST adds `label` props of class `sp800-53a`).
fn prop<'v>(item: &'v Value, name: &str, ns: Option<&str>) -> Option<(usize, &'v str)> {
    item.get("props")?
        .as_array()?
        .iter()
        .enumerate()
        .find(|(_, p)| {
            p.get("name").and_then(Value::as_str) == Some(name)
                && p.get("ns").and_then(Value::as_str) == ns
                && p.get("class").is_none()
        })
        .and_then(|(i, p)| Some((i, p.get("value")?.as_str()?)))
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
/// kind their `kind` property names), controls and their enhancements `control` nodes. Each node
/// keeps the item's `id`; a control whose `status` property is `withdrawn` is withdrawn. Two
/// items with the same id or the same reference are refused, naming both places.
pub fn read_catalog(text: &str, framework: &str) -> Result<ImportedCatalog, OscalError> {
    let document = parse(text)?;
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
    let mut walker = Walker {
        framework,
        nodes: Vec::new(),
        ids: HashMap::new(),
        references: HashMap::new(),
    };
    walker.walk(catalog, "catalog", None)?;
    if walker.nodes.is_empty() {
        return Err(error("catalog", "holds no group and no control"));
    }
    Ok(ImportedCatalog {
        title: short(title),
        version: short(version),
        nodes: walker.nodes,
    })
}

/// Reads a catalog's groups and controls, remembering where each id and reference was seen.
struct Walker<'a> {
    framework: &'a str,
    nodes: Vec<Node>,
    /// Each id and reference with the JSON path of the item that has it.
    ids: HashMap<String, String>,
    references: HashMap<String, String>,
}

impl Walker<'_> {
    fn walk(
        &mut self,
        parent: &Value,
        path: &str,
        parent_ref: Option<&str>,
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
                let reference = self.node(item, &here, parent_ref, default_kind)?;
                self.walk(item, &here, Some(&reference))?;
            }
        }
        Ok(())
    }

    /// Reads one group or control at `here` into a node, and gives its reference.
    fn node(
        &mut self,
        item: &Value,
        here: &str,
        parent_ref: Option<&str>,
        default_kind: NodeKind,
    ) -> Result<String, OscalError> {
        let id = match item.get("id") {
            None => None,
            Some(Value::String(id)) if is_token(id) => Some(id.clone()),
            Some(other) => {
                return Err(error(
                    &format!("{here}.id"),
                    format!(
                        "{other} is not an OSCAL id: a letter or `_`, then letters, digits, `.`, `-` or `_`"
                    ),
                ));
            }
        };
        let (reference, reference_at) = match (prop(item, "label", None), &id) {
            (Some((p, label)), _) => (label.trim().to_owned(), format!("{here}.props[{p}].value")),
            (None, Some(id)) => (id.clone(), format!("{here}.id")),
            (None, None) => return Err(error(here, "has neither an `id` nor a `label` property")),
        };
        check_reference(&reference).map_err(|m| error(&reference_at, m))?;
        let title = item
            .get("title")
            .and_then(Value::as_str)
            .ok_or_else(|| error(here, "has no `title`"))?;
        let title = short(title);
        if title.is_empty() {
            return Err(error(&format!("{here}.title"), "is empty"));
        }
        let kind = match prop(item, "kind", Some(NAMESPACE)) {
            Some((p, kind)) => {
                NodeKind::parse(kind).map_err(|m| error(&format!("{here}.props[{p}].value"), m))?
            }
            None => default_kind,
        };
        if let Some(id) = &id
            && let Some(first) = self.ids.insert(id.clone(), format!("{here}.id"))
        {
            return Err(error(
                &format!("{here}.id"),
                format!("the id `{id}` is already used at {first}; OSCAL ids are unique"),
            ));
        }
        if let Some(first) = self
            .references
            .insert(reference.clone(), reference_at.clone())
        {
            return Err(error(
                &reference_at,
                format!("the reference `{reference}` is already used at {first}"),
            ));
        }
        self.nodes.push(Node {
            framework: self.framework.to_owned(),
            reference: reference.clone(),
            parent: parent_ref.map(str::to_owned),
            kind,
            title,
            oscal_id: id,
            withdrawn: prop(item, "status", None).is_some_and(|(_, s)| s.trim() == "withdrawn"),
        });
        Ok(reference)
    }
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

fn item(catalogue: &Catalogue, ids: &OscalIds, ix: usize) -> Value {
    let node = catalogue.node(ix);
    let as_control = node.kind == NodeKind::Control;
    let children: Vec<usize> = catalogue.children(ix).to_vec();
    let mut props = vec![
        json!({"name": "label", "value": node.reference}),
        json!({"name": "kind", "ns": NAMESPACE, "value": node.kind.as_str()}),
    ];
    if node.withdrawn {
        props.push(json!({"name": "status", "value": "withdrawn"}));
    }
    let mut value = json!({
        "id": ids.id(&node.reference),
        "title": short(&node.title),
        "props": props,
    });
    let items = |of: &[usize]| -> Value { of.iter().map(|c| item(catalogue, ids, *c)).collect() };
    if as_control {
        // A control holds only controls: whatever sits under it is exported as one.
        if !children.is_empty() {
            value["controls"] = items(&children);
        }
    } else {
        let (controls, groups): (Vec<usize>, Vec<usize>) = children
            .iter()
            .partition(|c| catalogue.node(**c).kind == NodeKind::Control);
        if !groups.is_empty() {
            value["groups"] = items(&groups);
        }
        if !controls.is_empty() {
            value["controls"] = items(&controls);
        }
    }
    value
}

/// Writes a framework as an OSCAL catalog (JSON value).
pub fn write_catalog(catalogue: &Catalogue, framework: &str, now: OffsetDateTime) -> Option<Value> {
    let f = catalogue.framework(framework)?;
    let ids = OscalIds::of(catalogue, framework);
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
            "title": short(&f.name),
            "last-modified": timestamp(now),
            "version": f.edition.trim(),
            "oscal-version": OSCAL_VERSION,
            "remarks": format!("{} Source: {}. {}", f.description, f.source, f.licence_note).trim().to_owned(),
            "props": [{"name": "framework-id", "ns": NAMESPACE, "value": f.id}],
        },
    });
    if !groups.is_empty() {
        catalog["groups"] = groups.iter().map(|ix| item(catalogue, &ids, *ix)).collect();
    }
    if !controls.is_empty() {
        catalog["controls"] = controls
            .iter()
            .map(|ix| item(catalogue, &ids, *ix))
            .collect();
    }
    Some(json!({ "catalog": catalog }))
}

/// The framework a file reference names: `catalogs/iso27001-2005.json`, or the name of Tandem's
/// catalog export, `iso27001-2005-oscal-catalog.json`; also the id in `#iso27001-2005`.
fn framework_of(href: &str) -> String {
    let last = href.rsplit(['#', '/']).next().unwrap_or(href);
    let name = last.strip_suffix(".json").unwrap_or(last);
    name.strip_suffix("-oscal-catalog")
        .unwrap_or(name)
        .to_owned()
}

/// The framework a mapping's `source-resource` or `target-resource` names. Its `href` points to a
/// back-matter resource (`#<uuid>`) whose `framework-id` property in Tandem's namespace, or else
/// whose first link to a catalog file, names the framework; without such a resource, the `href`
/// names it itself (`#iso27001-2005`, `catalogs/iso27001-2005.json`).
fn framework_named(href: &str, resources: &[Value]) -> String {
    let resource = href.strip_prefix('#').and_then(|uuid| {
        resources
            .iter()
            .find(|r| r.get("uuid").and_then(Value::as_str) == Some(uuid))
    });
    let Some(resource) = resource else {
        return framework_of(href);
    };
    match prop(resource, "framework-id", Some(NAMESPACE)) {
        Some((_, framework)) => framework.to_owned(),
        None => resource
            .get("rlinks")
            .and_then(Value::as_array)
            .and_then(|links| links.iter().find_map(|l| l.get("href")?.as_str()))
            .map_or_else(|| framework_of(href), framework_of),
    }
}

/// A map's confidence: OSCAL's `percentage` from 0 to 1 (Tandem's exports before OSCAL 1.2.3
/// wrote `value`); OSCAL's other form, a `category` such as `high`, has no number to keep.
fn confidence(map: &Value, at: &str) -> Result<Option<f64>, OscalError> {
    let Some(score) = map.get("confidence-score") else {
        return Ok(None);
    };
    if score.get("category").is_some() {
        return Ok(None);
    }
    let number = match score.get("percentage").or_else(|| score.get("value")) {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match number {
        Some(c) if (0.0..=1.0).contains(&c) => Ok(Some(c)),
        _ => Err(error(
            &format!("{at}.confidence-score"),
            "must hold a `percentage` from 0 to 1, or a `category`",
        )),
    }
}

/// The nodes a map's `sources` or `targets` (`key`) name, in `framework` with `ids`.
fn id_refs(
    catalogue: &Catalogue,
    map: &Value,
    at: &str,
    key: &str,
    framework: &str,
    ids: &OscalIds,
) -> Result<Vec<NodeKey>, OscalError> {
    let items = map
        .get(key)
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .ok_or_else(|| error(&format!("{at}.{key}"), "must be a non-empty list"))?;
    items
        .iter()
        .enumerate()
        .map(|(j, item)| {
            let id_ref = item
                .get("id-ref")
                .and_then(Value::as_str)
                .ok_or_else(|| error(&format!("{at}.{key}[{j}]"), "has no `id-ref`"))?;
            ids.reference(id_ref)
                .or_else(|| catalogue.find(framework, id_ref).map(|_| id_ref))
                .map(|reference| NodeKey::new(framework, reference))
                .ok_or_else(|| {
                    error(
                        &format!("{at}.{key}[{j}].id-ref"),
                        format!("`{id_ref}` is not the id of a node of `{framework}`"),
                    )
                })
        })
        .collect()
}

/// Reads an OSCAL mapping collection into mappings between frameworks of `catalogue` (see
/// [`framework_named`] for how resources name frameworks). Each `id-ref` is a node's OSCAL id
/// (see [`OscalIds`]) or its reference. Each `map` with several sources or targets gives one
/// mapping per pair.
pub fn read_mapping_collection(
    text: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Mapping>, OscalError> {
    let document = parse(text)?;
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
    let resources: &[Value] = collection
        .get("back-matter")
        .and_then(|b| b.get("resources"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // OSCAL allows one `mapping` object in place of a list.
    let mappings: Vec<(String, &Value)> = match collection.get("mappings") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(m, mapping)| (format!("mapping-collection.mappings[{m}]"), mapping))
            .collect(),
        Some(one @ Value::Object(_)) => vec![("mapping-collection.mappings".to_owned(), one)],
        _ => return Err(error("mapping-collection", "has no `mappings` list")),
    };
    let provenance = short(&format!(
        "imported from OSCAL: {title}{}",
        if description.is_empty() {
            String::new()
        } else {
            format!(" ({description})")
        }
    ));
    let mut out = Vec::new();
    for (here, mapping) in mappings {
        let resource = |key: &str| -> Result<(String, OscalIds), OscalError> {
            let href = mapping
                .get(key)
                .and_then(|r| r.get("href"))
                .and_then(Value::as_str)
                .ok_or_else(|| error(&format!("{here}.{key}"), "has no `href`"))?;
            let framework = framework_named(href, resources);
            if catalogue.framework(&framework).is_none() {
                return Err(error(
                    &format!("{here}.{key}.href"),
                    format!(
                        "names `{framework}`, which is not a framework here; import it first, or point to a back-matter resource with a `framework-id` property (namespace {NAMESPACE}), or write `#<framework id>`"
                    ),
                ));
            }
            let ids = OscalIds::of(catalogue, &framework);
            Ok((framework, ids))
        };
        let (source_framework, source_ids) = resource("source-resource")?;
        let (target_framework, target_ids) = resource("target-resource")?;
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
            let confidence = confidence(map, &at)?;
            let note = map
                .get("remarks")
                .and_then(Value::as_str)
                .map(short)
                .unwrap_or_default();
            let sources = id_refs(
                catalogue,
                map,
                &at,
                "sources",
                &source_framework,
                &source_ids,
            )?;
            let targets = id_refs(
                catalogue,
                map,
                &at,
                "targets",
                &target_framework,
                &target_ids,
            )?;
            for source in &sources {
                for target in &targets {
                    out.push(Mapping {
                        source: source.clone(),
                        target: target.clone(),
                        relation,
                        rationale,
                        confidence,
                        note: note.clone(),
                        provenance: provenance.clone(),
                        id: None,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Writes mappings between frameworks as an OSCAL 1.2 mapping collection (JSON value): one
/// `mapping` per direction found, one `map` per mapping with the provenance in its `remarks`, and
/// one back-matter resource per framework, which the mappings' `href`s point to. `None` when
/// there is no mapping, since a collection needs at least one.
pub fn write_mapping_collection(
    catalogue: &Catalogue,
    mappings: &[usize],
    title: &str,
    now: OffsetDateTime,
) -> Option<Value> {
    if mappings.is_empty() {
        return None;
    }
    let mut ids: BTreeMap<&str, OscalIds> = BTreeMap::new();
    for &ix in mappings {
        let m = catalogue.mapping(ix);
        for framework in [&m.source.framework, &m.target.framework] {
            ids.entry(framework.as_str())
                .or_insert_with(|| OscalIds::of(catalogue, framework));
        }
    }
    let resource_uuid = |framework: &str| stable_uuid(&format!("resource:{framework}"));
    let mut groups: Vec<((&str, &str), Vec<Value>)> = Vec::new();
    for &ix in mappings {
        let m = catalogue.mapping(ix);
        let key = (m.source.framework.as_str(), m.target.framework.as_str());
        let id_ref = |node: &NodeKey| ids[node.framework.as_str()].id(&node.reference);
        let mut map = json!({
            "uuid": stable_uuid(&format!("map:{}:{}:{}:{}:{}", m.source.framework, m.source.reference, m.target.framework, m.target.reference, m.relation)),
            "relationship": m.relation.as_str(),
            "matching-rationale": m.rationale.as_str(),
            "sources": [{"type": "control", "id-ref": id_ref(&m.source)}],
            "targets": [{"type": "control", "id-ref": id_ref(&m.target)}],
            "remarks": if m.note.is_empty() { m.provenance.clone() } else { format!("{} — {}", m.provenance, m.note) },
        });
        if let Some(confidence) = m.confidence {
            map["confidence-score"] = json!({"percentage": confidence});
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
                "source-resource": {"type": "catalog", "href": format!("#{}", resource_uuid(source))},
                "target-resource": {"type": "catalog", "href": format!("#{}", resource_uuid(target))},
                "maps": maps,
            })
        })
        .collect();
    let resources: Vec<Value> = catalogue
        .frameworks()
        .iter()
        .filter(|f| ids.contains_key(f.id.as_str()))
        .map(|f| {
            json!({
                "uuid": resource_uuid(&f.id),
                "title": short(&format!("{} {}", f.name, f.edition)),
                "props": [{"name": "framework-id", "ns": NAMESPACE, "value": f.id}],
                "rlinks": [{"href": catalog_file_name(&f.id), "media-type": "application/oscal.catalog+json"}],
            })
        })
        .collect();
    Some(json!({
        "mapping-collection": {
            "uuid": stable_uuid(&format!("collection:{title}")),
            "metadata": {
                "title": short(title),
                "last-modified": timestamp(now),
                "version": "1",
                "oscal-version": OSCAL_VERSION,
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "complete",
                "mapping-description": "Exported from Tandem: every mapping it holds between these frameworks. Each map's remarks say where the mapping comes from.",
            },
            "mappings": mappings,
            "back-matter": {"resources": resources},
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_oscal_ids() {
        assert_eq!(token("A.10.1.2"), "A.10.1.2");
        assert_eq!(token("4.2.1"), "_4.2.1");
        assert_eq!(token("SD 4.6"), "SD_4.6");
        for id in ["ac-2.1", "_4.2.1", "SD_4.6", "Überblick"] {
            assert!(is_token(id), "{id}");
        }
        for not_id in ["", "4.2.1", "SD 4.6", "A(1)", "-a"] {
            assert!(!is_token(not_id), "{not_id}");
        }
    }

    #[test]
    fn resource_references_name_frameworks() {
        assert_eq!(framework_of("#iso27001-2005"), "iso27001-2005");
        assert_eq!(framework_of("catalogs/itil-v3.json"), "itil-v3");
        assert_eq!(
            framework_of(&catalog_file_name("itil-v3")),
            "itil-v3",
            "the name of Tandem's own catalog export"
        );
    }

    const HEAD: &str = r#"{"catalog": {"metadata": {"title": "T"}, "groups": [{"id": "g", "title": "G", "controls": "#;

    #[test]
    fn items_sharing_an_id_or_a_reference_are_refused_naming_both_places() {
        let shared_id = format!(
            r#"{HEAD}[{{"id": "c-1", "title": "One"}}, {{"id": "c-2", "title": "Two", "controls": [{{"id": "c-1", "title": "Again", "props": [{{"name": "label", "value": "C-1(1)"}}]}}]}}]}}]}}}}"#
        );
        let err = read_catalog(&shared_id, "x").unwrap_err();
        assert_eq!(err.path, "catalog.groups[0].controls[1].controls[0].id");
        assert!(
            err.message.contains("catalog.groups[0].controls[0].id"),
            "{err}"
        );
        let shared_label = format!(
            r#"{HEAD}[{{"id": "c-1", "title": "One", "props": [{{"name": "sort-id", "value": "c-01"}}, {{"name": "label", "value": "C-1"}}]}}, {{"id": "c-2", "title": "Two", "props": [{{"name": "label", "value": "C-1"}}]}}]}}]}}}}"#
        );
        let err = read_catalog(&shared_label, "x").unwrap_err();
        assert_eq!(err.path, "catalog.groups[0].controls[1].props[0].value");
        assert!(
            err.message
                .contains("catalog.groups[0].controls[0].props[1].value"),
            "{err}"
        );
        let bad_id = format!(r#"{HEAD}[{{"id": "c 1", "title": "One"}}]}}]}}}}"#);
        assert_eq!(
            read_catalog(&bad_id, "x").unwrap_err().path,
            "catalog.groups[0].controls[0].id"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_ids_and_withdrawn_controls_are_kept() {
        let controls = r#"[{"id": "c-1", "title": "One", "props": [{"name": "label", "value": "C-1"}]}, {"id": "c-2", "title": "Two", "props": [{"name": "status", "value": "withdrawn"}]}]}]}}"#;
        let text = format!("\u{feff}{HEAD}{controls}");
        let catalog = read_catalog(&text, "x").unwrap();
        let found: Vec<_> = catalog
            .nodes
            .iter()
            .map(|n| (n.reference.as_str(), n.oscal_id.as_deref(), n.withdrawn))
            .collect();
        assert_eq!(
            found,
            [
                ("g", Some("g"), false),
                ("C-1", Some("c-1"), false),
                ("c-2", Some("c-2"), true)
            ]
        );
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
