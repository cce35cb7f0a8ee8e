//! Frameworks and mappings added by users: stored in tables, checked by the same
//! [`CatalogueBuilder`] rules as the shipped data, and merged with it when the catalogue is read.

use std::sync::Arc;

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Db, ResultExt, Unique, run};
use uuid::Uuid;

use crate::catalogue::{At, Catalogue, CatalogueBuilder, LoadError};
use crate::model::{Framework, Mapping, Node, NodeKey, NodeKind, Origin, Rationale, Relation};
use crate::shipped;

#[derive(sqlx::FromRow)]
struct FrameworkRow {
    id: String,
    name: String,
    edition: String,
    publisher: String,
    licence_note: String,
    source: String,
    description: String,
}

#[derive(sqlx::FromRow)]
struct NodeRow {
    framework_id: String,
    reference: String,
    parent: Option<String>,
    kind: String,
    title: String,
    oscal_id: Option<String>,
    withdrawn: bool,
}

#[derive(sqlx::FromRow)]
struct MappingRow {
    id: Uuid,
    source_framework: String,
    source_ref: String,
    target_framework: String,
    target_ref: String,
    relation: String,
    rationale: String,
    confidence: Option<f64>,
    note: String,
    provenance: String,
}

fn shipped_builder() -> Result<CatalogueBuilder> {
    shipped::builder()
        .cloned()
        .map_err(|e| Error::Storage(e.to_string().into()))
}

/// The catalogue as it stands: the shipped data, plus what users added. Rows that no longer
/// fit (a shipped node they referred to is gone after an upgrade) are left out and logged.
pub async fn catalogue(db: &Db) -> Result<Arc<Catalogue>> {
    let mut conn = db.conn().await?;
    let (frameworks, mappings): (i64, i64) = run!(&mut conn, |c| {
        sqlx::query_as("SELECT (SELECT count(*) FROM custom_frameworks), (SELECT count(*) FROM custom_mappings)")
            .fetch_one(c)
            .await
    })?;
    if frameworks == 0 && mappings == 0 {
        return shipped::catalogue()
            .cloned()
            .map_err(|e| Error::Storage(e.to_string().into()));
    }
    let framework_rows: Vec<FrameworkRow> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT id, name, edition, publisher, licence_note, source, description FROM custom_frameworks ORDER BY id")
            .fetch_all(c)
            .await
    })?;
    let node_rows: Vec<NodeRow> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT framework_id, reference, parent, kind, title, oscal_id, withdrawn FROM custom_nodes ORDER BY framework_id, position")
            .fetch_all(c)
            .await
    })?;
    let mapping_rows: Vec<MappingRow> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT id, source_framework, source_ref, target_framework, target_ref, relation, rationale, \
             confidence, note, provenance FROM custom_mappings ORDER BY created_at, id",
        )
        .fetch_all(c)
        .await
    })?;
    let mut builder = shipped_builder()?;
    let at = At {
        file: "custom frameworks",
        line: None,
    };
    let skip = |error: LoadError| tracing::warn!(%error, "a custom catalogue row no longer fits and is left out");
    for row in framework_rows {
        let framework = Framework {
            id: row.id,
            name: row.name,
            edition: row.edition,
            publisher: row.publisher,
            licence_note: row.licence_note,
            source: row.source,
            description: row.description,
            origin: Origin::Custom,
        };
        builder.framework(framework, at).unwrap_or_else(skip);
    }
    for row in node_rows {
        let Ok(kind) = NodeKind::parse(&row.kind) else {
            continue;
        };
        let node = Node {
            framework: row.framework_id,
            reference: row.reference,
            parent: row.parent,
            kind,
            title: row.title,
            oscal_id: row.oscal_id,
            withdrawn: row.withdrawn,
        };
        builder.node(node, at).unwrap_or_else(skip);
    }
    for row in mapping_rows {
        let (Ok(relation), Ok(rationale)) = (
            Relation::parse(&row.relation),
            Rationale::parse(&row.rationale),
        ) else {
            continue;
        };
        let mapping = Mapping {
            source: NodeKey::new(&row.source_framework, &row.source_ref),
            target: NodeKey::new(&row.target_framework, &row.target_ref),
            relation,
            rationale,
            confidence: row.confidence,
            note: row.note,
            provenance: row.provenance,
            id: Some(row.id),
        };
        builder.mapping(mapping, at).unwrap_or_else(skip);
    }
    Ok(Arc::new(builder.build()))
}

/// Where row `index` of `rows` stands: its line in an uploaded CSV file (the header is line 1),
/// otherwise its position in the request's list.
fn row_position(rows: &str, index: usize) -> u64 {
    if rows.ends_with(".csv") {
        index as u64 + 2
    } else {
        index as u64
    }
}

/// Turns a data problem found while checking user input into a field error: `nodes[3].parent`
/// for a row of a request, `mappings.csv line 5, target_ref` for a row of an uploaded file.
fn field_error(error: LoadError, rows: &str) -> Error {
    let suffix = |separator: &str| {
        error
            .field
            .as_deref()
            .map(|f| format!("{separator}{f}"))
            .unwrap_or_default()
    };
    let located =
        |field: String| Error::Invalid(vec![FieldError::new(field, error.message.clone())]);
    match (error.file.as_str(), error.line) {
        // A row of an uploaded CSV file: its line.
        (file, Some(line)) if file == rows && rows.ends_with(".csv") => {
            located(format!("{rows} line {line}{}", suffix(", ")))
        }
        (file, Some(row)) if file == rows => located(format!("{rows}[{row}]{}", suffix("."))),
        _ => Error::Invalid(vec![FieldError::new(
            error.field.clone().unwrap_or_else(|| rows.to_owned()),
            error.to_string(),
        )]),
    }
}

/// A builder holding the current catalogue's content, to check new rows against.
async fn current_builder(db: &Db) -> Result<CatalogueBuilder> {
    let catalogue = catalogue(db).await?;
    let mut builder = shipped_builder()?;
    let at = At {
        file: "custom frameworks",
        line: None,
    };
    for framework in catalogue
        .frameworks()
        .iter()
        .filter(|f| f.origin == Origin::Custom)
    {
        let _ = builder.framework(framework.clone(), at);
        for &ix in catalogue.nodes_of(&framework.id) {
            let _ = builder.node(catalogue.node(ix).clone(), at);
        }
    }
    for mapping in catalogue.mappings().iter().filter(|m| m.id.is_some()) {
        let _ = builder.mapping(mapping.clone(), at);
    }
    Ok(builder)
}

const FRAMEWORK_UNIQUE: &[Unique] = &[Unique {
    target: "custom_frameworks.id",
    field: "id",
    message: "a framework with this id already exists",
}];

/// Stores a new framework with its nodes, after checking them all as the catalogue would. With
/// `rows` = `nodes`, an error on the fourth node is reported as `nodes[3].…`; an uploaded file
/// passes its name so that errors name its lines.
pub async fn create_framework(
    write: &Write,
    framework: Framework,
    nodes: Vec<Node>,
    rows: &str,
) -> Result<Framework> {
    let mut builder = current_builder(&write.db).await?;
    if builder.has_framework(&framework.id) {
        return Err(Error::Conflict {
            message: format!("a framework with the id `{}` already exists", framework.id),
            field: Some("id"),
        });
    }
    builder
        .framework(
            framework.clone(),
            At {
                file: "framework",
                line: None,
            },
        )
        .map_err(|e| field_error(e, "framework"))?;
    if nodes.is_empty() {
        return Err(Error::invalid(rows, "a framework needs at least one node"));
    }
    if nodes.len() > MAX_NODES {
        return Err(Error::invalid(
            rows,
            format!("has {} nodes, at most {MAX_NODES} are allowed", nodes.len()),
        ));
    }
    for (line, node) in nodes.iter().enumerate() {
        builder
            .node(
                node.clone(),
                At {
                    file: rows,
                    line: Some(row_position(rows, line)),
                },
            )
            .map_err(|e| field_error(e, rows))?;
    }
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO custom_frameworks (id, name, edition, publisher, licence_note, source, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&framework.id)
        .bind(&framework.name)
        .bind(&framework.edition)
        .bind(&framework.publisher)
        .bind(&framework.licence_note)
        .bind(&framework.source)
        .bind(&framework.description)
        .bind(tandem_storage::SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(FRAMEWORK_UNIQUE)?;
    for (position, node) in nodes.iter().enumerate() {
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO custom_nodes (framework_id, reference, parent, kind, title, position, oscal_id, withdrawn) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&framework.id)
            .bind(&node.reference)
            .bind(&node.parent)
            .bind(node.kind.as_str())
            .bind(node.title.trim())
            .bind(position as i64)
            .bind(&node.oscal_id)
            .bind(node.withdrawn)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    write
        .commit(
            tx,
            Edit::created(
                "framework",
                &framework.id,
                &[
                    ("name", framework.name.clone()),
                    ("edition", framework.edition.clone()),
                    ("source", framework.source.clone()),
                    ("nodes", nodes.len().to_string()),
                ],
            ),
        )
        .await?;
    Ok(framework)
}

/// The most nodes one framework may have (NIST SP 800-53 has about 1,200 controls).
pub const MAX_NODES: usize = 20_000;
/// The most mappings one request or file may add.
pub const MAX_MAPPINGS: usize = 20_000;

/// Deletes a framework users added, with every mapping that touches it. A shipped framework
/// cannot be deleted, nor one a gap assessment still uses.
pub async fn delete_framework(write: &Write, id: &str) -> Result<()> {
    let catalogue = catalogue(&write.db).await?;
    let name = catalogue
        .framework(id)
        .map(|f| f.name.clone())
        .unwrap_or_default();
    match catalogue.framework(id) {
        None => {
            return Err(Error::NotFound {
                entity: "framework",
            });
        }
        Some(f) if f.origin == Origin::Shipped => {
            return Err(Error::conflict("shipped frameworks cannot be deleted"));
        }
        Some(_) => {}
    }
    let mut tx = write.begin().await?;
    let used: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT count(*) FROM gap_assessments WHERE source_framework = $1 OR target_framework = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    if used > 0 {
        return Err(Error::conflict(format!(
            "gap assessments use this framework ({used}); delete them first"
        )));
    }
    // The mappings that touch the framework go with it, each with its own entry.
    for mapping in catalogue
        .mappings()
        .iter()
        .filter(|m| m.id.is_some() && (m.source.framework == id || m.target.framework == id))
    {
        write
            .record(
                &mut tx,
                Edit::deleted(
                    "mapping",
                    mapping.id.map(|i| i.to_string()).unwrap_or_default(),
                    &mapping_fields(mapping),
                ),
            )
            .await?;
    }
    run!(&mut tx, |c| {
        sqlx::query(
            "DELETE FROM custom_mappings WHERE source_framework = $1 OR target_framework = $1",
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM custom_frameworks WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit(tx, Edit::deleted("framework", id, &[("name", name)]))
        .await
}

/// Stores new mappings after checking them all; `rows` names them in errors as for
/// [`create_framework`].
pub async fn add_mappings(write: &Write, mappings: Vec<Mapping>, rows: &str) -> Result<Vec<Uuid>> {
    if mappings.is_empty() {
        return Err(Error::invalid(rows, "holds no mapping"));
    }
    if mappings.len() > MAX_MAPPINGS {
        return Err(Error::invalid(
            rows,
            format!(
                "has {} mappings, at most {MAX_MAPPINGS} are allowed",
                mappings.len()
            ),
        ));
    }
    let mut builder = current_builder(&write.db).await?;
    for (line, mapping) in mappings.iter().enumerate() {
        builder
            .mapping(
                mapping.clone(),
                At {
                    file: rows,
                    line: Some(row_position(rows, line)),
                },
            )
            .map_err(|e| field_error(e, rows))?;
    }
    let mut ids = Vec::with_capacity(mappings.len());
    let mut entries = Vec::with_capacity(mappings.len());
    let mut tx = write.begin().await?;
    for mapping in &mappings {
        let id = Uuid::now_v7();
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO custom_mappings (id, source_framework, source_ref, target_framework, target_ref, relation, \
                 rationale, confidence, note, provenance, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(&mapping.source.framework)
            .bind(&mapping.source.reference)
            .bind(&mapping.target.framework)
            .bind(&mapping.target.reference)
            .bind(mapping.relation.as_str())
            .bind(mapping.rationale.as_str())
            .bind(mapping.confidence)
            .bind(&mapping.note)
            .bind(&mapping.provenance)
            .bind(tandem_storage::SqlTime(write.now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .on_violation(&[])?;
        entries.push(Edit::created("mapping", id, &mapping_fields(mapping)));
        ids.push(id);
    }
    // There is a last entry, as `mappings` is not empty: it ends the write.
    let last = entries.pop();
    for entry in entries {
        write.record(&mut tx, entry).await?;
    }
    if let Some(last) = last {
        write.commit(tx, last).await?;
    }
    Ok(ids)
}

/// Deletes a mapping users added.
pub async fn delete_mapping(write: &Write, id: Uuid) -> Result<()> {
    let catalogue = catalogue(&write.db).await?;
    let before = catalogue
        .mappings()
        .iter()
        .find(|m| m.id == Some(id))
        .map(mapping_fields)
        .unwrap_or_default();
    let mut tx = write.begin().await?;
    if !tx.delete_by_id("custom_mappings", id).await? {
        return Err(Error::NotFound { entity: "mapping" });
    }
    write
        .commit(tx, Edit::deleted("mapping", id, &before))
        .await
}

/// The fields the audit trail records for a mapping.
fn mapping_fields(mapping: &Mapping) -> Vec<(&'static str, String)> {
    vec![
        ("source", mapping.source.to_string()),
        ("target", mapping.target.to_string()),
        ("relation", mapping.relation.as_str().to_owned()),
        ("rationale", mapping.rationale.as_str().to_owned()),
        ("provenance", mapping.provenance.clone()),
    ]
}
