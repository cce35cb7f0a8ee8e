//! The `ci_relations` table. Adding or removing a relation is a new version of its source CI,
//! whose record holds its outgoing relations.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, FieldError, Result, entity_id};
use tandem_storage::{Db, SqlTime, run};

use crate::ci::{CiId, Lifecycle, OperationalState, number_text};
use crate::class::ClassKey;
use crate::relation::RelationKind;
use crate::version::Cause;

entity_id!(
    /// Identifies a relation between two CIs.
    RelationId
);

/// A relation as seen from one of its CIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub id: RelationId,
    pub kind: RelationKind,
    /// Whether the CI it is seen from is the source (it "runs on" the other) or the target (it
    /// "hosts" the other).
    pub outgoing: bool,
    pub other: Neighbour,
    pub note: String,
}

impl Relation {
    /// The relation read from the CI it is seen from: "runs on", "hosts", …
    pub fn reading(&self) -> &'static str {
        if self.outgoing {
            self.kind.label()
        } else {
            self.kind.inverse_label()
        }
    }
}

/// The CI at the other end of a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub id: CiId,
    pub number: i64,
    pub name: String,
    pub class_key: ClassKey,
    pub lifecycle: Lifecycle,
    pub operational: OperationalState,
}

impl Neighbour {
    pub fn number_text(&self) -> String {
        number_text(self.number)
    }
}

#[derive(sqlx::FromRow)]
struct RelationRow {
    id: RelationId,
    kind: String,
    outgoing: bool,
    other_id: CiId,
    number: i64,
    name: String,
    class_key: ClassKey,
    lifecycle: String,
    operational: String,
    note: String,
}

/// Every relation of `id`, both ways, by kind and the other CI's name.
pub async fn of(db: &Db, id: CiId) -> Result<Vec<Relation>> {
    let mut conn = db.conn().await?;
    let rows: Vec<RelationRow> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT r.id, r.kind, TRUE AS outgoing, o.id AS other_id, o.number, o.name, o.class_key, \
             o.lifecycle, o.operational, r.note FROM ci_relations r JOIN cis o ON o.id = r.target_id \
             WHERE r.source_id = $1 \
             UNION ALL \
             SELECT r.id, r.kind, FALSE AS outgoing, o.id AS other_id, o.number, o.name, o.class_key, \
             o.lifecycle, o.operational, r.note FROM ci_relations r JOIN cis o ON o.id = r.source_id \
             WHERE r.target_id = $1 \
             ORDER BY 3 DESC, 2, 6",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|row| {
            let corrupt =
                |e: FieldError| Error::Storage(format!("relation {}: {e}", row.id).into());
            Ok(Relation {
                id: row.id,
                kind: RelationKind::parse("kind", &row.kind).map_err(corrupt)?,
                outgoing: row.outgoing,
                other: Neighbour {
                    id: row.other_id,
                    number: row.number,
                    name: row.name,
                    class_key: row.class_key,
                    lifecycle: Lifecycle::parse("lifecycle", &row.lifecycle).map_err(corrupt)?,
                    operational: OperationalState::parse("operational", &row.operational)
                        .map_err(corrupt)?,
                },
                note: row.note,
            })
        })
        .collect()
}

/// A relation to add: `source` `kind` `target` ("mgmt-de-01 runs on hv-cluster-de").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelation {
    pub source: CiId,
    pub kind: RelationKind,
    pub target: CiId,
    pub note: String,
}

/// Adds `relation`: a new version of its source caused by `cause`.
pub async fn add(write: &Write, relation: &NewRelation, cause: &Cause) -> Result<RelationId> {
    let NewRelation {
        source,
        kind,
        target,
        ..
    } = *relation;
    let note = relation.note.trim();
    if note.chars().count() > 500 {
        return Err(Error::invalid("note", "has at most 500 characters"));
    }
    if kind == RelationKind::LocatedIn {
        return Err(Error::invalid(
            "kind",
            "where a CI is located is its location field; set it there",
        ));
    }
    if source == target {
        return Err(Error::invalid("target_id", "a CI is not related to itself"));
    }
    let mut tx = write.begin().await?;
    let classes: Vec<(CiId, String, bool)> = run!(&mut tx, |c| {
        sqlx::query_as(
            "SELECT c.id, c.class_key, k.is_cluster FROM cis c JOIN ci_classes k ON k.key = c.class_key \
             WHERE c.id = $1 OR c.id = $2",
        )
        .bind(source)
        .bind(target)
        .fetch_all(c)
        .await
    })?;
    if !classes.iter().any(|(id, _, _)| *id == source) {
        return Err(Error::NotFound { entity: "CI" });
    }
    let Some((_, target_class, target_is_cluster)) =
        classes.iter().find(|(id, _, _)| *id == target)
    else {
        return Err(Error::invalid("target_id", "there is no such CI"));
    };
    if kind == RelationKind::MemberOf && !target_is_cluster {
        return Err(Error::invalid(
            "target_id",
            "a CI is a member only of a cluster (a CI of a cluster class)",
        ));
    }
    if kind == RelationKind::Provides && target_class != "service" {
        return Err(Error::invalid(
            "target_id",
            "a CI provides only a service (a CI of the class service)",
        ));
    }
    let existing: Option<RelationId> = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT id FROM ci_relations WHERE kind = $1 AND source_id = $2 AND target_id = $3",
        )
        .bind(kind.as_str())
        .bind(source)
        .bind(target)
        .fetch_optional(c)
        .await
    })?;
    if existing.is_some() {
        return Err(Error::Conflict {
            message: "the CIs are related so already".into(),
            field: Some("target_id"),
        });
    }
    let id = RelationId::generate();
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO ci_relations (id, kind, source_id, target_id, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(source)
        .bind(target)
        .bind(note)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    super::cis::record_version(write, &mut tx, source, cause).await?;
    write
        .commit(
            tx,
            Edit::created(
                "CI relation",
                id,
                &[
                    ("source", source.to_string()),
                    ("kind", kind.as_str().to_owned()),
                    ("target", target.to_string()),
                    ("note", note.to_owned()),
                    ("cause", cause.reason.clone()),
                ],
            ),
        )
        .await?;
    Ok(id)
}

/// Removes the relation `id` of CI `ci` (either end): a new version of its source.
pub async fn remove(write: &Write, ci: CiId, id: RelationId, cause: &Cause) -> Result<()> {
    let mut tx = write.begin().await?;
    let found: Option<(String, CiId, CiId, i64, String)> = run!(&mut tx, |c| {
        sqlx::query_as(
            "SELECT r.kind, r.source_id, r.target_id, t.number, t.name FROM ci_relations r \
             JOIN cis t ON t.id = r.target_id WHERE r.id = $1 AND (r.source_id = $2 OR r.target_id = $2)",
        )
        .bind(id)
        .bind(ci)
        .fetch_optional(c)
        .await
    })?;
    let (kind, source, target, number, name) = found.ok_or(Error::NotFound {
        entity: "CI relation",
    })?;
    tx.delete_by_id("ci_relations", id.0).await?;
    super::cis::record_version(write, &mut tx, source, cause).await?;
    write
        .commit(
            tx,
            Edit::deleted(
                "CI relation",
                id,
                &[
                    ("source", source.to_string()),
                    ("kind", kind),
                    ("target", format!("{target} {} {name}", number_text(number))),
                    ("cause", cause.reason.clone()),
                ],
            ),
        )
        .await
}
