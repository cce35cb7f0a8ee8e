//! Reading and writing gap assessments and their statuses.

use std::collections::HashMap;

use tandem_audit::{Edit, Write};
use tandem_kernel::page::{ListOptions, Page};
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, ListQuery, ResultExt, Unique, run};

use crate::analysis::Status;
use crate::assessment::{Assessment, AssessmentId, AssessmentInput, Declared, StatusChange};
use crate::catalogue::Catalogue;

const SELECT: &str = "SELECT id, name, source_framework, target_framework, created_at, updated_at, version FROM gap_assessments";

const UNIQUE: &[Unique] = &[Unique {
    target: "gap_assessments.name",
    field: "name",
    message: "another gap assessment already has this name",
}];

/// Assessment lists are sorted by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByName;

impl ByName {
    pub const OPTIONS: [(&'static str, Self); 1] = [("name", Self)];
}

pub async fn get(db: &Db, id: AssessmentId) -> Result<Assessment> {
    db.fetch_by_id(&format!("{SELECT} WHERE id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound {
            entity: "gap assessment",
        })
}

pub async fn list(db: &Db, options: &ListOptions<ByName>) -> Result<Page<Assessment>> {
    let mut query = ListQuery::new(SELECT);
    if let Some(term) = options.search.as_deref() {
        query = query.contains("name", term);
    }
    query
        .fetch_page(db, "name", "id", options, |a: &Assessment| {
            (a.name.to_string(), a.id.0)
        })
        .await
}

/// Every assessment, by name: the list page shows them all.
pub async fn all(db: &Db) -> Result<Vec<Assessment>> {
    db.fetch_all(&format!("{SELECT} ORDER BY name, id"), &[])
        .await
}

pub async fn create(write: &Write, input: AssessmentInput) -> Result<Assessment> {
    let id = AssessmentId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO gap_assessments (id, name, source_framework, target_framework, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(&input.name)
        .bind(&input.source_framework)
        .bind(&input.target_framework)
        .bind(tandem_storage::SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit(
            tx,
            Edit::created(
                "gap assessment",
                id,
                &[
                    ("name", input.name.to_string()),
                    ("source_framework", input.source_framework.clone()),
                    ("target_framework", input.target_framework.clone()),
                ],
            ),
        )
        .await?;
    get(&write.db, id).await
}

pub async fn delete(write: &Write, id: AssessmentId) -> Result<()> {
    let before = get(&write.db, id).await?;
    // The declared statuses go with the assessment (ON DELETE CASCADE); the entry keeps them.
    let mut declared: Vec<String> = statuses(&write.db, id)
        .await?
        .into_iter()
        .map(|d| format!("{}={}", d.reference, d.status.as_str()))
        .collect();
    declared.sort();
    let mut tx = write.begin().await?;
    if !tx.delete_by_id("gap_assessments", id.0).await? {
        return Err(Error::NotFound {
            entity: "gap assessment",
        });
    }
    write
        .commit(
            tx,
            Edit::deleted(
                "gap assessment",
                id,
                &[
                    ("name", before.name.to_string()),
                    ("source_framework", before.source_framework),
                    ("target_framework", before.target_framework),
                    ("statuses", declared.join(", ")),
                ],
            ),
        )
        .await
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    node_ref: String,
    status: String,
    note: String,
}

/// The declared statuses, in no particular order.
pub async fn statuses(db: &Db, id: AssessmentId) -> Result<Vec<Declared>> {
    let mut conn = db.conn().await?;
    let rows: Vec<StatusRow> = run!(&mut conn, |c| {
        sqlx::query_as::<_, StatusRow>(
            "SELECT node_ref, status, note FROM gap_statuses WHERE assessment_id = $1",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|row| {
            let status = Status::parse(&row.status).map_err(|m| Error::Storage(m.into()))?;
            Ok(Declared {
                reference: row.node_ref,
                status,
                note: row.note,
            })
        })
        .collect()
}

/// The declared statuses as the analysis wants them: by node index of `catalogue`. Statuses of
/// nodes the catalogue no longer has are left out.
pub fn by_node(
    catalogue: &Catalogue,
    framework: &str,
    declared: &[Declared],
) -> HashMap<usize, Status> {
    declared
        .iter()
        .filter_map(|d| {
            catalogue
                .find(framework, &d.reference)
                .map(|ix| (ix, d.status))
        })
        .collect()
}

/// Applies checked status changes in one transaction, if the assessment is still at `version`.
pub async fn change_statuses(
    write: &Write,
    id: AssessmentId,
    version: i64,
    changes: &[StatusChange],
) -> Result<Assessment> {
    let before = statuses(&write.db, id).await?;
    let mut tx = write.begin().await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query("UPDATE gap_assessments SET updated_at = $2, version = version + 1 WHERE id = $1 AND version = $3")
            .bind(id)
            .bind(tandem_storage::SqlTime(write.now))
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "gap_assessments", id.0, "gap assessment")
        .await?;
    let mut entries = Vec::new();
    for change in changes {
        let old = before.iter().find(|d| d.reference == change.reference);
        let fields = |status: Option<Status>, note: &str| {
            vec![
                ("status", status.map_or("", Status::as_str).to_owned()),
                ("note", note.to_owned()),
            ]
        };
        let entry = Edit::updated(
            "gap status",
            format!("{id} {}", change.reference),
            &fields(old.map(|d| d.status), old.map_or("", |d| d.note.as_str())),
            &fields(
                change.status,
                if change.status.is_some() {
                    &change.note
                } else {
                    ""
                },
            ),
        );
        if !entry.changes.is_empty() {
            entries.push(entry);
        }
        run!(&mut tx, |c| {
            sqlx::query("DELETE FROM gap_statuses WHERE assessment_id = $1 AND node_ref = $2")
                .bind(id)
                .bind(&change.reference)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        if let Some(status) = change.status {
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO gap_statuses (assessment_id, node_ref, status, note, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&change.reference)
                .bind(status.as_str())
                .bind(&change.note)
                .bind(tandem_storage::SqlTime(write.now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    let Some(last) = entries.pop() else {
        // Not audited: no status changed; only the assessment's version moved on.
        tx.commit().await?;
        return get(&write.db, id).await;
    };
    for entry in entries {
        write.record(&mut tx, entry).await?;
    }
    write.commit(tx, last).await?;
    get(&write.db, id).await
}
