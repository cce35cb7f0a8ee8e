//! Roles and responsibilities: who holds which ISMS role (`isms_role_assignments`), the cells
//! of the responsibility matrix (`isms_raci_cells`) and management decisions
//! (`isms_decisions`). Holders and deciders are the provider's staff.

use std::collections::BTreeMap;

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, FieldError, Permission, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::{Date, OffsetDateTime};

use super::{acting_person, documents};
use crate::document::{DOCUMENTS, DocumentId};
use crate::roles::{
    AssignmentId, AssignmentInput, Cells, DecisionId, DecisionInput, DecisionKind, IsmsRole, Letter,
};

/// A person's assignment to an ISMS role, current or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: AssignmentId,
    pub role: IsmsRole,
    pub person: (PersonId, String),
    pub since: Date,
    /// The day it ended; `None` while it holds.
    pub until: Option<Date>,
    /// The assignment's own description; empty for the role's default.
    pub description: String,
}

impl Assignment {
    /// What the holder does: the assignment's description, or the role's default.
    pub fn duties(&self) -> &str {
        if self.description.is_empty() {
            self.role.default_description()
        } else {
            &self.description
        }
    }
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: AssignmentId,
    role: String,
    person_id: PersonId,
    person_name: String,
    since: Date,
    until: Option<Date>,
    description: String,
}

const ASSIGNMENTS: &str = "SELECT a.id, a.role, a.person_id, p.name AS person_name, a.since, \
     a.until, a.description FROM isms_role_assignments a JOIN person_refs p ON p.id = a.person_id";

fn assignment(row: AssignmentRow) -> Result<Assignment> {
    Ok(Assignment {
        id: row.id,
        role: IsmsRole::parse("role", &row.role)
            .map_err(|e| Error::Storage(format!("assignment {}: {e}", row.id).into()))?,
        person: (row.person_id, row.person_name),
        since: row.since,
        until: row.until,
        description: row.description,
    })
}

/// Assignment `id`.
pub async fn find_assignment(
    handle: &mut impl Handle,
    id: AssignmentId,
) -> Result<Option<Assignment>> {
    let sql = format!("{ASSIGNMENTS} WHERE a.id = $1");
    let row: Option<AssignmentRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(assignment).transpose()
}

/// Every assignment, current and ended: the current first, then the latest begun first.
pub async fn assignments(db: &Db) -> Result<Vec<Assignment>> {
    let sql = format!(
        "{ASSIGNMENTS} ORDER BY CASE WHEN a.until IS NULL THEN 0 ELSE 1 END, a.since DESC, p.name, a.id"
    );
    let rows: Vec<AssignmentRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(assignment).collect()
}

/// The current assignments of `role`.
async fn current(tx: &mut Tx, role: IsmsRole) -> Result<Vec<Assignment>> {
    let sql = format!("{ASSIGNMENTS} WHERE a.role = $1 AND a.until IS NULL");
    let rows: Vec<AssignmentRow> = run!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(role.as_str())
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(assignment).collect()
}

fn audited(a: &Assignment) -> Vec<(&'static str, String)> {
    vec![
        ("role", a.role.as_str().to_owned()),
        ("person_id", a.person.0.to_string()),
        ("since", a.since.to_string()),
        ("until", a.until.map(|d| d.to_string()).unwrap_or_default()),
        ("description", a.description.clone()),
    ]
}

/// Ends `held` on `until` inside `tx`, recorded in the trail.
async fn close(write: &Write, tx: &mut Tx, held: &Assignment, until: Date) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("UPDATE isms_role_assignments SET until = $2 WHERE id = $1 AND until IS NULL")
            .bind(held.id)
            .bind(until)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let ended = Assignment {
        until: Some(until),
        ..held.clone()
    };
    write
        .record(
            tx,
            Edit::updated(
                "isms role assignment",
                held.id,
                &audited(held),
                &audited(&ended),
            ),
        )
        .await
}

/// Assigns a role to a person of the provider's staff. A role held by one person at a time
/// passes from its current holder, whose assignment ends on the new one's first day.
pub async fn assign(write: &Write, input: &AssignmentInput) -> Result<Assignment> {
    let id = AssignmentId::generate();
    let mut tx = write.begin().await?;
    let permission = Permission::DocumentsRead;
    let holder = tandem_identity::read::eligibility(&mut tx, input.person_id, permission).await?;
    let mut errors: Vec<FieldError> = holder
        .refusal("person_id", permission, "hold ISMS roles")
        .into_iter()
        .collect();
    let held = current(&mut tx, input.role).await?;
    if held.iter().any(|a| a.person.0 == input.person_id) {
        errors.push(FieldError::new(
            "person_id",
            format!("already holds the role {}", input.role.label()),
        ));
    }
    let passes = if input.role.single() {
        held.into_iter().next()
    } else {
        None
    };
    if let Some(previous) = &passes
        && previous.since > input.since
    {
        errors.push(FieldError::new(
            "since",
            format!(
                "is before {} took the role on {}",
                previous.person.1, previous.since
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if let Some(previous) = &passes {
        close(write, &mut tx, previous, input.since).await?;
    }
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_role_assignments (id, role, person_id, since, until, description, \
             created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(id)
        .bind(input.role.as_str())
        .bind(input.person_id)
        .bind(input.since)
        .bind(input.description.as_str())
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "isms role assignment",
                id,
                &[
                    ("role", input.role.as_str().to_owned()),
                    ("person_id", input.person_id.to_string()),
                    ("since", input.since.to_string()),
                    ("description", input.description.to_string()),
                ],
            ),
        )
        .await?;
    get_assignment(&write.db, id).await
}

/// Assignment `id`, or not found.
pub async fn get_assignment(db: &Db, id: AssignmentId) -> Result<Assignment> {
    find_assignment(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound {
            entity: "role assignment",
        })
}

/// Ends assignment `id` on the day typed as `until`; it stays as history.
pub async fn end(write: &Write, id: AssignmentId, until: &str) -> Result<Assignment> {
    let mut tx = write.begin().await?;
    let held = find_assignment(&mut tx, id).await?.ok_or(Error::NotFound {
        entity: "role assignment",
    })?;
    if let Some(ended) = held.until {
        return Err(Error::conflict(format!(
            "the assignment already ended on {ended}"
        )));
    }
    let until = crate::roles::end_date(held.since, until)?;
    close(write, &mut tx, &held, until).await?;
    // Audited above: `close` records the end of the assignment.
    tx.commit().await?;
    get_assignment(&write.db, id).await
}

/// Which rows of the matrix: the processes, or the controls of a framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    Processes,
    Controls(String),
}

impl Rows {
    fn kind(&self) -> &'static str {
        match self {
            Self::Processes => "process",
            Self::Controls(_) => "control",
        }
    }

    fn framework(&self) -> &str {
        match self {
            Self::Processes => "",
            Self::Controls(framework) => framework,
        }
    }
}

/// The filled cells of the rows of `rows`, by row key.
pub async fn matrix(db: &Db, rows: &Rows) -> Result<BTreeMap<String, Cells>> {
    let cells: Vec<(String, String, String)> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(
            "SELECT subject_key, role, letter FROM isms_raci_cells \
             WHERE subject_kind = $1 AND framework = $2",
        )
        .bind(rows.kind())
        .bind(rows.framework())
        .fetch_all(c)
        .await
    })?;
    let mut matrix: BTreeMap<String, Cells> = BTreeMap::new();
    for (key, role, letter) in cells {
        let corrupt = |e: FieldError| Error::Storage(format!("RACI row {key}: {e}").into());
        let role = IsmsRole::parse("role", &role).map_err(corrupt)?;
        let letter = Letter::parse("letter", &letter).map_err(corrupt)?;
        matrix.entry(key.clone()).or_default().insert(role, letter);
    }
    Ok(matrix)
}

fn audited_row(cells: &Cells) -> Vec<(&'static str, String)> {
    IsmsRole::ALL
        .iter()
        .map(|role| {
            (
                role.as_str(),
                cells
                    .get(role)
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// Replaces the row `key` of `rows` with `cells`. Whether the row exists (a process, a control
/// of the framework) is the caller's check.
pub async fn save_row(write: &Write, rows: &Rows, key: &str, cells: &Cells) -> Result<Cells> {
    let before = matrix(&write.db, rows)
        .await?
        .remove(key)
        .unwrap_or_default();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "DELETE FROM isms_raci_cells WHERE subject_kind = $1 AND framework = $2 AND subject_key = $3",
        )
        .bind(rows.kind())
        .bind(rows.framework())
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for (role, letter) in cells {
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO isms_raci_cells (subject_kind, framework, subject_key, role, letter) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(rows.kind())
            .bind(rows.framework())
            .bind(key)
            .bind(role.as_str())
            .bind(letter.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    let row_id = match rows {
        Rows::Processes => key.to_owned(),
        Rows::Controls(framework) => format!("{framework}:{key}"),
    };
    write
        .commit(
            tx,
            Edit::updated(
                "raci row",
                row_id,
                &audited_row(&before),
                &audited_row(cells),
            ),
        )
        .await?;
    Ok(cells.clone())
}

/// A decision of management, with who decided and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: DecisionId,
    pub decided_on: Date,
    pub title: String,
    pub kind: DecisionKind,
    pub text: String,
    pub decided_by: (PersonId, String),
    pub resources: String,
    /// The related document: its id, number (`DOC-000001`) and title.
    pub document: Option<(DocumentId, String, String)>,
    /// The earlier decision it replaces, with its title.
    pub supersedes: Option<(DecisionId, String)>,
    /// The later decision that replaced it, with its title.
    pub superseded_by: Option<(DecisionId, String)>,
    pub recorded_by: (PersonId, String),
    pub recorded_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: DecisionId,
    decided_on: Date,
    title: String,
    kind: String,
    text: String,
    decided_by: PersonId,
    decided_by_name: String,
    resources: String,
    document_id: Option<DocumentId>,
    document_number: Option<i64>,
    document_title: Option<String>,
    supersedes: Option<DecisionId>,
    supersedes_title: Option<String>,
    superseded_by: Option<DecisionId>,
    superseded_by_title: Option<String>,
    recorded_by: PersonId,
    recorded_by_name: String,
    recorded_at: OffsetDateTime,
}

const DECISIONS: &str = "SELECT x.id, x.decided_on, x.title, x.kind, x.text, x.decided_by, \
     p.name AS decided_by_name, x.resources, x.document_id, d.number AS document_number, \
     d.title AS document_title, x.supersedes, s.title AS supersedes_title, \
     (SELECT l.id FROM isms_decisions l WHERE l.supersedes = x.id \
      ORDER BY l.decided_on DESC, l.recorded_at DESC LIMIT 1) AS superseded_by, \
     (SELECT l.title FROM isms_decisions l WHERE l.supersedes = x.id \
      ORDER BY l.decided_on DESC, l.recorded_at DESC LIMIT 1) AS superseded_by_title, \
     x.recorded_by, r.name AS recorded_by_name, x.recorded_at \
     FROM isms_decisions x JOIN person_refs p ON p.id = x.decided_by \
     JOIN person_refs r ON r.id = x.recorded_by \
     LEFT JOIN isms_documents d ON d.id = x.document_id \
     LEFT JOIN isms_decisions s ON s.id = x.supersedes";

fn decision(row: DecisionRow) -> Result<Decision> {
    Ok(Decision {
        id: row.id,
        decided_on: row.decided_on,
        title: row.title,
        kind: DecisionKind::parse("kind", &row.kind)
            .map_err(|e| Error::Storage(format!("decision {}: {e}", row.id).into()))?,
        text: row.text,
        decided_by: (row.decided_by, row.decided_by_name),
        resources: row.resources,
        document: match (row.document_id, row.document_number, row.document_title) {
            (Some(id), Some(number), Some(title)) => Some((id, DOCUMENTS.text(number), title)),
            _ => None,
        },
        supersedes: row.supersedes.zip(row.supersedes_title),
        superseded_by: row.superseded_by.zip(row.superseded_by_title),
        recorded_by: (row.recorded_by, row.recorded_by_name),
        recorded_at: row.recorded_at,
    })
}

/// Decision `id`.
pub async fn find_decision(handle: &mut impl Handle, id: DecisionId) -> Result<Option<Decision>> {
    let sql = format!("{DECISIONS} WHERE x.id = $1");
    let row: Option<DecisionRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(decision).transpose()
}

/// Decision `id`, or not found.
pub async fn get_decision(db: &Db, id: DecisionId) -> Result<Decision> {
    find_decision(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound { entity: "decision" })
}

/// Every decision, the newest first.
pub async fn decisions(db: &Db) -> Result<Vec<Decision>> {
    let sql = format!("{DECISIONS} ORDER BY x.decided_on DESC, x.recorded_at DESC, x.id");
    let rows: Vec<DecisionRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(decision).collect()
}

/// Records a decision of management, written down by the acting person. It is never edited
/// afterwards; a later decision may supersede it.
pub async fn record(write: &Write, input: &DecisionInput) -> Result<Decision> {
    let id = DecisionId::generate();
    let mut tx = write.begin().await?;
    let mut errors = Vec::new();
    let permission = Permission::DocumentsRead;
    let decider = tandem_identity::read::eligibility(&mut tx, input.decided_by, permission).await?;
    errors.extend(decider.refusal("decided_by", permission, "decide for the ISMS"));
    if let Some(document) = input.document_id
        && documents::find(&mut tx, document).await?.is_none()
    {
        errors.push(FieldError::new("document_id", "there is no such document"));
    }
    if let Some(earlier) = input.supersedes
        && find_decision(&mut tx, earlier).await?.is_none()
    {
        errors.push(FieldError::new("supersedes", "there is no such decision"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (recorder, _) = acting_person(&mut tx, &write.actor).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_decisions (id, decided_on, title, kind, text, decided_by, resources, \
             document_id, supersedes, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(input.decided_on)
        .bind(input.title.as_str())
        .bind(input.kind.as_str())
        .bind(input.text.as_str())
        .bind(input.decided_by)
        .bind(input.resources.as_str())
        .bind(input.document_id)
        .bind(input.supersedes)
        .bind(recorder)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "decision",
                id,
                &[
                    ("decided_on", input.decided_on.to_string()),
                    ("title", input.title.to_string()),
                    ("kind", input.kind.as_str().to_owned()),
                    ("text", input.text.to_string()),
                    ("decided_by", input.decided_by.to_string()),
                    ("resources", input.resources.to_string()),
                    (
                        "document_id",
                        input.document_id.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    (
                        "supersedes",
                        input.supersedes.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("recorded_by", recorder.to_string()),
                ],
            ),
        )
        .await?;
    get_decision(&write.db, id).await
}
