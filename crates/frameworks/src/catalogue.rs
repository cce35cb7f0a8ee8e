//! The catalogue: every framework, node and mapping, checked and indexed for traversal.
//!
//! Shipped frameworks are data files compiled into the binary (`data/`, format in
//! `data/FORMAT.md`); frameworks and mappings added by users come from the database. Both go
//! through the same [`CatalogueBuilder`], so they obey the same rules: unique ids and
//! references, parents before children, mapping endpoints that exist, no duplicate mapping.
//! A bad shipped file stops start-up with its file, line and field named.

use std::collections::{HashMap, HashSet};
use std::fmt;
use tandem_kernel::text::from_spreadsheet_cell;

use crate::model::{
    Framework, Mapping, Node, NodeKey, NodeKind, Origin, Rationale, Relation, Unmapped,
    check_framework_id, check_reference,
};

/// What is wrong with a data file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where a record being added came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: &'a str,
    pub line: Option<u64>,
}

impl At<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_owned(),
            line: self.line,
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.into(),
        }
    }
}

/// The most characters a title may have.
pub const MAX_TITLE: usize = 200;

/// One side of a mapping as seen from a node: the mapping, the node at the other end, and the
/// relation read from this node's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub mapping: usize,
    pub other: usize,
    pub relation: Relation,
}

/// Collects frameworks, nodes and mappings, checking each as it is added.
#[derive(Debug, Clone, Default)]
pub struct CatalogueBuilder {
    frameworks: Vec<Framework>,
    framework_ix: HashMap<String, usize>,
    nodes: Vec<Node>,
    node_ix: HashMap<NodeKey, usize>,
    mappings: Vec<Mapping>,
    mapping_keys: HashSet<(usize, usize, Relation)>,
    unmapped: Vec<Unmapped>,
}

impl CatalogueBuilder {
    pub fn framework(&mut self, framework: Framework, at: At<'_>) -> Result<(), LoadError> {
        check_framework_id(&framework.id).map_err(|m| at.error("id", m))?;
        for (field, value) in [("name", &framework.name), ("edition", &framework.edition)] {
            if value.trim().is_empty() {
                return Err(at.error(field, "is required"));
            }
            if value.chars().count() > MAX_TITLE {
                return Err(at.error(field, format!("is longer than {MAX_TITLE} characters")));
            }
        }
        if self.framework_ix.contains_key(&framework.id) {
            return Err(at.error(
                "id",
                format!("framework `{}` is defined twice", framework.id),
            ));
        }
        self.framework_ix
            .insert(framework.id.clone(), self.frameworks.len());
        self.frameworks.push(framework);
        Ok(())
    }

    pub fn node(&mut self, node: Node, at: At<'_>) -> Result<(), LoadError> {
        if !self.framework_ix.contains_key(&node.framework) {
            return Err(at.error(
                "framework",
                format!("there is no framework `{}`", node.framework),
            ));
        }
        check_reference(&node.reference).map_err(|m| at.error("ref", m))?;
        let title = node.title.trim();
        if title.is_empty() {
            return Err(at.error("title", "is required"));
        }
        if title.chars().count() > MAX_TITLE {
            return Err(at.error("title", format!("is longer than {MAX_TITLE} characters")));
        }
        let key = NodeKey::new(&node.framework, &node.reference);
        if self.node_ix.contains_key(&key) {
            return Err(at.error(
                "ref",
                format!("`{}` appears twice in `{}`", node.reference, node.framework),
            ));
        }
        if let Some(parent) = &node.parent
            && !self
                .node_ix
                .contains_key(&NodeKey::new(&node.framework, parent))
        {
            return Err(at.error(
                "parent",
                format!(
                    "`{parent}` is not a node of `{}` listed before this one",
                    node.framework
                ),
            ));
        }
        self.node_ix.insert(key, self.nodes.len());
        self.nodes.push(node);
        Ok(())
    }

    fn node_index(&self, key: &NodeKey, field: &str, at: At<'_>) -> Result<usize, LoadError> {
        if !self.framework_ix.contains_key(&key.framework) {
            return Err(at.error(field, format!("there is no framework `{}`", key.framework)));
        }
        self.node_ix.get(key).copied().ok_or_else(|| {
            at.error(
                field,
                format!("`{}` is not a node of `{}`", key.reference, key.framework),
            )
        })
    }

    pub fn mapping(&mut self, mapping: Mapping, at: At<'_>) -> Result<(), LoadError> {
        let source = self.node_index(&mapping.source, "source_ref", at)?;
        let target = self.node_index(&mapping.target, "target_ref", at)?;
        if source == target {
            return Err(at.error("target_ref", "a node cannot be mapped to itself"));
        }
        if let Some(confidence) = mapping.confidence
            && !(0.0..=1.0).contains(&confidence)
        {
            return Err(at.error("confidence", "must be between 0 and 1"));
        }
        if mapping.provenance.trim().is_empty() {
            return Err(at.error(
                "provenance",
                "is required: say where the mapping comes from",
            ));
        }
        if !self.mapping_keys.insert((source, target, mapping.relation)) {
            return Err(at.error(
                "",
                format!(
                    "the mapping {} {} {} is listed twice",
                    mapping.source, mapping.relation, mapping.target
                ),
            ));
        }
        self.mappings.push(mapping);
        Ok(())
    }

    pub fn unmapped(&mut self, unmapped: Unmapped, at: At<'_>) -> Result<(), LoadError> {
        self.node_index(&unmapped.node, "ref", at)?;
        if unmapped.provenance.trim().is_empty() {
            return Err(at.error("provenance", "is required"));
        }
        self.unmapped.push(unmapped);
        Ok(())
    }

    /// Whether a framework with this id exists.
    pub fn has_framework(&self, id: &str) -> bool {
        self.framework_ix.contains_key(id)
    }

    pub fn build(self) -> Catalogue {
        let mut framework_nodes = vec![Vec::new(); self.frameworks.len()];
        let mut children = vec![Vec::new(); self.nodes.len()];
        for (ix, node) in self.nodes.iter().enumerate() {
            framework_nodes[self.framework_ix[&node.framework]].push(ix);
            if let Some(parent) = &node.parent {
                children[self.node_ix[&NodeKey::new(&node.framework, parent)]].push(ix);
            }
        }
        let mut edges = vec![Vec::new(); self.nodes.len()];
        for (ix, mapping) in self.mappings.iter().enumerate() {
            let source = self.node_ix[&mapping.source];
            let target = self.node_ix[&mapping.target];
            edges[source].push(Edge {
                mapping: ix,
                other: target,
                relation: mapping.relation,
            });
            edges[target].push(Edge {
                mapping: ix,
                other: source,
                relation: mapping.relation.inverse(),
            });
        }
        Catalogue {
            frameworks: self.frameworks,
            framework_ix: self.framework_ix,
            nodes: self.nodes,
            node_ix: self.node_ix,
            framework_nodes,
            children,
            mappings: self.mappings,
            edges,
            unmapped: self.unmapped,
        }
    }
}

/// Every framework, node and mapping, indexed. Nodes are addressed by index for traversal.
#[derive(Debug, Clone)]
pub struct Catalogue {
    frameworks: Vec<Framework>,
    framework_ix: HashMap<String, usize>,
    nodes: Vec<Node>,
    node_ix: HashMap<NodeKey, usize>,
    framework_nodes: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    mappings: Vec<Mapping>,
    edges: Vec<Vec<Edge>>,
    unmapped: Vec<Unmapped>,
}

impl Catalogue {
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.framework_ix.get(id).map(|&ix| &self.frameworks[ix])
    }

    /// The framework's nodes in document order.
    pub fn nodes_of(&self, framework: &str) -> &[usize] {
        self.framework_ix
            .get(framework)
            .map_or(&[], |&ix| self.framework_nodes[ix].as_slice())
    }

    pub fn node(&self, ix: usize) -> &Node {
        &self.nodes[ix]
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn find(&self, framework: &str, reference: &str) -> Option<usize> {
        self.node_ix
            .get(&NodeKey::new(framework, reference))
            .copied()
    }

    pub fn children(&self, ix: usize) -> &[usize] {
        &self.children[ix]
    }

    pub fn edges(&self, ix: usize) -> &[Edge] {
        &self.edges[ix]
    }

    pub fn mapping(&self, ix: usize) -> &Mapping {
        &self.mappings[ix]
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    pub fn unmapped(&self) -> &[Unmapped] {
        &self.unmapped
    }

    /// The framework index of a node, for comparing frameworks cheaply during traversal.
    pub fn framework_of(&self, ix: usize) -> usize {
        self.framework_ix[&self.nodes[ix].framework]
    }

    pub fn framework_index(&self, id: &str) -> Option<usize> {
        self.framework_ix.get(id).copied()
    }
}

// ---------------------------------------------------------------- reading data files

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes())
}

/// A data row: its line number and its fields by column name.
type Row = (u64, HashMap<String, String>);

/// Reads the rows of a CSV file whose header must be exactly `header`. A cell that the export's
/// formula guard marked (`'=…`) is read as it was before.
fn rows(file: &str, text: &str, header: &[&str]) -> Result<Vec<Row>, LoadError> {
    let at = At {
        file,
        line: Some(1),
    };
    let mut reader = csv_reader(text);
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| at.error("", format!("the header cannot be read: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if found != header {
        return Err(at.error(
            "",
            format!(
                "the header must be `{}`, found `{}`",
                header.join(","),
                found.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| LoadError {
            file: file.to_owned(),
            line: e.position().map(|p| p.line()),
            field: None,
            message: format!("not valid CSV: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let fields = header
            .iter()
            .zip(record.iter())
            .map(|(name, value)| ((*name).to_owned(), from_spreadsheet_cell(value).to_owned()))
            .collect();
        out.push((line, fields));
    }
    Ok(out)
}

const NODE_HEADER: [&str; 4] = ["ref", "parent", "kind", "title"];
const MAPPING_HEADER: [&str; 9] = [
    "source_framework",
    "source_ref",
    "target_framework",
    "target_ref",
    "relation",
    "rationale",
    "confidence",
    "note",
    "provenance",
];
const UNMAPPED_HEADER: [&str; 4] = ["framework", "ref", "provenance", "note"];

/// The `framework.toml` of a framework folder.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    id: String,
    name: String,
    edition: String,
    publisher: String,
    licence_note: String,
    source: String,
    description: String,
}

impl CatalogueBuilder {
    /// Adds a framework from the text of its `framework.toml`.
    pub fn framework_file(
        &mut self,
        file: &str,
        text: &str,
        origin: Origin,
    ) -> Result<String, LoadError> {
        let parsed: FrameworkFile = toml::from_str(text).map_err(|e| LoadError {
            file: file.to_owned(),
            line: e
                .span()
                .map(|span| 1 + text[..span.start].matches('\n').count() as u64),
            field: None,
            message: e.message().to_owned(),
        })?;
        let id = parsed.id.clone();
        self.framework(
            Framework {
                id: parsed.id,
                name: parsed.name,
                edition: parsed.edition,
                publisher: parsed.publisher,
                licence_note: parsed.licence_note,
                source: parsed.source,
                description: parsed.description,
                origin,
            },
            At {
                file,
                line: Some(1),
            },
        )?;
        Ok(id)
    }

    /// Adds the nodes of `framework` from the text of its `nodes.csv`.
    pub fn nodes_file(
        &mut self,
        file: &str,
        text: &str,
        framework: &str,
    ) -> Result<usize, LoadError> {
        let rows = read_node_rows_at(file, text, framework)?;
        let count = rows.len();
        for (line, node) in rows {
            self.node(
                node,
                At {
                    file,
                    line: Some(line),
                },
            )?;
        }
        Ok(count)
    }

    /// Adds the mappings of a mapping file.
    pub fn mappings_file(&mut self, file: &str, text: &str) -> Result<usize, LoadError> {
        let rows = read_mapping_rows_at(file, text)?;
        let count = rows.len();
        for (line, mapping) in rows {
            self.mapping(
                mapping,
                At {
                    file,
                    line: Some(line),
                },
            )?;
        }
        Ok(count)
    }

    /// Adds the rows of an `unmapped-*.csv` file.
    pub fn unmapped_file(&mut self, file: &str, text: &str) -> Result<usize, LoadError> {
        let rows = rows(file, text, &UNMAPPED_HEADER)?;
        let count = rows.len();
        for (line, row) in rows {
            self.unmapped(
                Unmapped {
                    node: NodeKey::new(row["framework"].trim(), &row["ref"]),
                    provenance: row["provenance"].trim().to_owned(),
                    note: row["note"].trim().to_owned(),
                },
                At {
                    file,
                    line: Some(line),
                },
            )?;
        }
        Ok(count)
    }
}

/// Reads the rows of a `nodes.csv` file as nodes of `framework`, each with its line.
fn read_node_rows_at(
    file: &str,
    text: &str,
    framework: &str,
) -> Result<Vec<(u64, Node)>, LoadError> {
    let mut out = Vec::new();
    for (line, row) in rows(file, text, &NODE_HEADER)? {
        let at = At {
            file,
            line: Some(line),
        };
        let kind = NodeKind::parse(&row["kind"]).map_err(|m| at.error("kind", m))?;
        let parent = row["parent"].trim();
        out.push((
            line,
            Node {
                framework: framework.to_owned(),
                reference: row["ref"].clone(),
                parent: (!parent.is_empty()).then(|| parent.to_owned()),
                kind,
                title: row["title"].trim().to_owned(),
                oscal_id: None,
                withdrawn: false,
            },
        ));
    }
    Ok(out)
}

/// Reads the rows of a `nodes.csv` file (for an import) as nodes of `framework`.
pub fn read_node_rows(file: &str, text: &str, framework: &str) -> Result<Vec<Node>, LoadError> {
    Ok(read_node_rows_at(file, text, framework)?
        .into_iter()
        .map(|(_, n)| n)
        .collect())
}

/// Reads the rows of a mapping file, each with its line, checking every field but not yet the
/// endpoints (that is the builder's job).
fn read_mapping_rows_at(file: &str, text: &str) -> Result<Vec<(u64, Mapping)>, LoadError> {
    let mut out = Vec::new();
    for (line, row) in rows(file, text, &MAPPING_HEADER)? {
        let at = At {
            file,
            line: Some(line),
        };
        let relation = Relation::parse(&row["relation"]).map_err(|m| at.error("relation", m))?;
        let rationale =
            Rationale::parse(&row["rationale"]).map_err(|m| at.error("rationale", m))?;
        let confidence = match row["confidence"].trim() {
            "" => None,
            value => Some(
                value
                    .parse::<f64>()
                    .map_err(|_| at.error("confidence", format!("`{value}` is not a number")))?,
            ),
        };
        out.push((
            line,
            Mapping {
                source: NodeKey::new(row["source_framework"].trim(), &row["source_ref"]),
                target: NodeKey::new(row["target_framework"].trim(), &row["target_ref"]),
                relation,
                rationale,
                confidence,
                note: row["note"].trim().to_owned(),
                provenance: row["provenance"].trim().to_owned(),
                id: None,
            },
        ));
    }
    Ok(out)
}

/// Reads a mapping file's rows (for an import), checking every field.
pub fn read_mapping_rows(file: &str, text: &str) -> Result<Vec<Mapping>, LoadError> {
    Ok(read_mapping_rows_at(file, text)?
        .into_iter()
        .map(|(_, m)| m)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> CatalogueBuilder {
        let mut b = CatalogueBuilder::default();
        for (file, id) in [("a/framework.toml", "alpha"), ("b/framework.toml", "beta")] {
            let text = format!(
                "id = \"{id}\"\nname = \"Alpha\"\nedition = \"1\"\npublisher = \"us\"\nlicence_note = \"\"\nsource = \"test\"\ndescription = \"\"\n"
            );
            b.framework_file(file, &text, Origin::Shipped).unwrap();
        }
        b.nodes_file(
            "a/nodes.csv",
            "ref,parent,kind,title\n1,,clause,One\n1.1,1,clause,One one\n",
            "alpha",
        )
        .unwrap();
        b.nodes_file(
            "b/nodes.csv",
            "ref,parent,kind,title\nX,,control,Ex\n",
            "beta",
        )
        .unwrap();
        b
    }

    fn error_of(result: Result<usize, LoadError>) -> LoadError {
        result.expect_err("the file is refused")
    }

    #[test]
    fn a_good_catalogue_is_indexed_both_ways() {
        let mut b = builder();
        b.mappings_file(
            "m.csv",
            "source_framework,source_ref,target_framework,target_ref,relation,rationale,confidence,note,provenance\n\
             alpha,1.1,beta,X,subset-of,semantic,0.5,,\"seed 001, Table 1, row 1\"\n",
        )
        .unwrap();
        let catalogue = b.build();
        let one_one = catalogue.find("alpha", "1.1").unwrap();
        let x = catalogue.find("beta", "X").unwrap();
        assert_eq!(catalogue.edges(one_one)[0].other, x);
        assert_eq!(
            catalogue.edges(x)[0].relation,
            Relation::SupersetOf,
            "read from the target's side"
        );
        assert_eq!(
            catalogue.children(catalogue.find("alpha", "1").unwrap()),
            [one_one]
        );
        assert_eq!(catalogue.nodes_of("alpha").len(), 2);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let mut b = builder();
        let err = error_of(b.nodes_file(
            "a/more.csv",
            "ref,parent,kind,title\n2,,clause,Two\n3,9,clause,Three\n",
            "alpha",
        ));
        assert_eq!(
            err.to_string(),
            "a/more.csv, line 3, field `parent`: `9` is not a node of `alpha` listed before this one"
        );

        let err = error_of(b.nodes_file(
            "a/kind.csv",
            "ref,parent,kind,title\n4,,chapter,Four\n",
            "alpha",
        ));
        assert_eq!((err.line, err.field.as_deref()), (Some(2), Some("kind")));

        let err = error_of(b.nodes_file(
            "a/dup.csv",
            "ref,parent,kind,title\n1,,clause,Again\n",
            "alpha",
        ));
        assert!(err.message.contains("appears twice"), "{err}");

        let err = error_of(b.nodes_file("a/header.csv", "ref,kind,title\n", "alpha"));
        assert!(err.message.starts_with("the header must be"), "{err}");
    }

    #[test]
    fn mappings_need_existing_endpoints_and_no_duplicates() {
        let header = "source_framework,source_ref,target_framework,target_ref,relation,rationale,confidence,note,provenance\n";
        let mut b = builder();
        let err = error_of(b.mappings_file(
            "m.csv",
            &format!("{header}alpha,1,beta,Y,equal-to,semantic,,,p\n"),
        ));
        assert_eq!(
            (err.line, err.field.as_deref()),
            (Some(2), Some("target_ref"))
        );
        let err = error_of(b.mappings_file(
            "m.csv",
            &format!("{header}gamma,1,beta,X,equal-to,semantic,,,p\n"),
        ));
        assert_eq!(err.field.as_deref(), Some("source_ref"));
        let err = error_of(b.mappings_file(
            "m.csv",
            &format!("{header}alpha,1,beta,X,equal-to,semantic,2,,p\n"),
        ));
        assert_eq!(err.field.as_deref(), Some("confidence"));
        let err = error_of(b.mappings_file(
            "m.csv",
            &format!("{header}alpha,1,beta,X,equal-to,semantic,,,\n"),
        ));
        assert_eq!(err.field.as_deref(), Some("provenance"));
        let twice = format!(
            "{header}alpha,1,beta,X,equal-to,semantic,,,p\nalpha,1,beta,X,equal-to,semantic,,,q\n"
        );
        let err = error_of(b.mappings_file("m.csv", &twice));
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("listed twice"));
    }

    #[test]
    fn framework_files_are_checked() {
        let mut b = builder();
        let err = b
            .framework_file("c/framework.toml", "id = \"Bad Id\"\nname = \"x\"\nedition = \"1\"\npublisher = \"\"\nlicence_note = \"\"\nsource = \"\"\ndescription = \"\"\n", Origin::Shipped)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("id"));
        let err = b
            .framework_file(
                "c/framework.toml",
                "id = \"gamma\"\nname = \"x\"\nedition = \"1\"\ncolour = \"red\"\n",
                Origin::Shipped,
            )
            .unwrap_err();
        assert!(err.message.contains("colour"), "{err}");
        assert_eq!(err.line, Some(4));
    }
}
