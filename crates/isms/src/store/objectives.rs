//! Information security objectives: `isms_objectives` and the measurements of their progress,
//! `isms_objective_measurements`. An objective's owner is one of the provider's staff; the
//! document it derives from is one of the register's.

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, FieldError, Permission, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::{Date, OffsetDateTime};

use super::{acting_person, documents};
use crate::document::{DOCUMENTS, DocumentId};
use crate::objectives::{
    Frequency, MeasurementId, MeasurementInput, ObjectiveDraft, ObjectiveId, ObjectiveInput, Status,
};

/// An objective, with its latest measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub id: ObjectiveId,
    pub title: String,
    pub description: String,
    pub owner: (PersonId, String),
    pub target: String,
    pub measured_by: String,
    pub frequency: Frequency,
    pub due_date: Date,
    pub status: Status,
    pub status_note: String,
    /// The document it derives from: its id, number (`DOC-000001`) and title.
    pub document: Option<(DocumentId, String, String)>,
    /// The day and value of the latest measurement.
    pub latest: Option<(Date, String)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Objective {
    /// Whether the objective is overdue on `today`: past its due date and not achieved.
    pub fn overdue(&self, today: Date) -> bool {
        crate::objectives::overdue(self.due_date, self.status, today)
    }

    /// The day progress is next to be measured.
    pub fn next_measurement(&self) -> Date {
        crate::objectives::next_measurement(
            self.frequency,
            self.latest.as_ref().map(|(day, _)| *day),
            self.created_at.date(),
        )
    }

    /// Whether a measurement is due on `today`: the objective is still open and its next
    /// measurement has come.
    pub fn measurement_due(&self, today: Date) -> bool {
        !self.status.closed() && self.next_measurement() <= today
    }

    /// The fields as a form or a partial change starts from.
    pub fn draft(&self) -> ObjectiveDraft {
        ObjectiveDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: self.owner.0.to_string(),
            target: self.target.clone(),
            measured_by: self.measured_by.clone(),
            frequency: self.frequency.as_str().to_owned(),
            due_date: self.due_date.to_string(),
            status: self.status.as_str().to_owned(),
            status_note: self.status_note.clone(),
            document_id: self
                .document
                .as_ref()
                .map(|(id, _, _)| id.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ObjectiveId,
    title: String,
    description: String,
    owner_id: PersonId,
    owner_name: String,
    target: String,
    measured_by: String,
    frequency: String,
    due_date: Date,
    status: String,
    status_note: String,
    document_id: Option<DocumentId>,
    document_number: Option<i64>,
    document_title: Option<String>,
    latest_on: Option<Date>,
    latest_value: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

const SELECT: &str = "SELECT o.id, o.title, o.description, o.owner_id, p.name AS owner_name, \
     o.target, o.measured_by, o.frequency, o.due_date, o.status, o.status_note, o.document_id, \
     d.number AS document_number, d.title AS document_title, \
     (SELECT m.measured_on FROM isms_objective_measurements m WHERE m.objective_id = o.id \
      ORDER BY m.measured_on DESC, m.id DESC LIMIT 1) AS latest_on, \
     (SELECT m.value FROM isms_objective_measurements m WHERE m.objective_id = o.id \
      ORDER BY m.measured_on DESC, m.id DESC LIMIT 1) AS latest_value, \
     o.created_at, o.updated_at, o.version \
     FROM isms_objectives o JOIN person_refs p ON p.id = o.owner_id \
     LEFT JOIN isms_documents d ON d.id = o.document_id";

fn corrupt(id: ObjectiveId, e: FieldError) -> Error {
    Error::Storage(format!("objective {id}: {e}").into())
}

fn objective(row: Row) -> Result<Objective> {
    Ok(Objective {
        id: row.id,
        title: row.title,
        description: row.description,
        owner: (row.owner_id, row.owner_name),
        target: row.target,
        measured_by: row.measured_by,
        frequency: Frequency::parse("frequency", &row.frequency).map_err(|e| corrupt(row.id, e))?,
        due_date: row.due_date,
        status: Status::parse("status", &row.status).map_err(|e| corrupt(row.id, e))?,
        status_note: row.status_note,
        document: match (row.document_id, row.document_number, row.document_title) {
            (Some(id), Some(number), Some(title)) => Some((id, DOCUMENTS.text(number), title)),
            _ => None,
        },
        latest: row.latest_on.zip(row.latest_value),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// Objective `id`.
pub async fn find(handle: &mut impl Handle, id: ObjectiveId) -> Result<Option<Objective>> {
    let sql = format!("{SELECT} WHERE o.id = $1");
    let row: Option<Row> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(objective).transpose()
}

/// Objective `id`, or not found.
pub async fn get(db: &Db, id: ObjectiveId) -> Result<Objective> {
    find(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound {
            entity: "objective",
        })
}

/// Every objective, the first due first.
pub async fn list(db: &Db) -> Result<Vec<Objective>> {
    let sql = format!("{SELECT} ORDER BY o.due_date, o.title, o.id");
    let rows: Vec<Row> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(objective).collect()
}

/// A measurement of an objective's progress, with who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Measurement {
    pub id: MeasurementId,
    pub measured_on: Date,
    pub value: String,
    pub note: String,
    pub recorded_by_id: PersonId,
    pub recorded_by_name: String,
    pub recorded_at: OffsetDateTime,
}

const MEASUREMENTS: &str = "SELECT m.id, m.measured_on, m.value, m.note, m.recorded_by AS recorded_by_id, \
     p.name AS recorded_by_name, m.recorded_at \
     FROM isms_objective_measurements m JOIN person_refs p ON p.id = m.recorded_by";

/// The measurements of objective `id`, oldest first: its progress.
pub async fn measurements(handle: &mut impl Handle, id: ObjectiveId) -> Result<Vec<Measurement>> {
    let sql = format!("{MEASUREMENTS} WHERE m.objective_id = $1 ORDER BY m.measured_on, m.id");
    Ok(run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_all(c)
            .await
    })?)
}

/// Checks the owner and the document `input` names.
async fn check_references(tx: &mut Tx, input: &ObjectiveInput) -> Result<()> {
    let mut errors = Vec::new();
    let permission = Permission::DocumentsRead;
    let owner = tandem_identity::read::eligibility(tx, input.owner_id, permission).await?;
    errors.extend(owner.refusal("owner_id", permission, "own objectives"));
    if let Some(document) = input.document_id
        && documents::find(tx, document).await?.is_none()
    {
        errors.push(FieldError::new("document_id", "there is no such document"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

fn audited(input: &ObjectiveInput) -> Vec<(&'static str, String)> {
    vec![
        ("title", input.title.to_string()),
        ("description", input.description.to_string()),
        ("owner_id", input.owner_id.to_string()),
        ("target", input.target.to_string()),
        ("measured_by", input.measured_by.to_string()),
        ("frequency", input.frequency.as_str().to_owned()),
        ("due_date", input.due_date.to_string()),
        ("status", input.status.as_str().to_owned()),
        ("status_note", input.status_note.to_string()),
        (
            "document_id",
            input.document_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]
}

/// Sets a new objective.
pub async fn create(write: &Write, input: &ObjectiveInput) -> Result<Objective> {
    let id = ObjectiveId::generate();
    let mut tx = write.begin().await?;
    check_references(&mut tx, input).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_objectives (id, title, description, owner_id, target, measured_by, \
             frequency, due_date, status, status_note, document_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.description.as_str())
        .bind(input.owner_id)
        .bind(input.target.as_str())
        .bind(input.measured_by.as_str())
        .bind(input.frequency.as_str())
        .bind(input.due_date)
        .bind(input.status.as_str())
        .bind(input.status_note.as_str())
        .bind(input.document_id)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(tx, Edit::created("objective", id, &audited(input)))
        .await?;
    get(&write.db, id).await
}

/// Changes objective `id`, if it is still at `version`.
pub async fn update(
    write: &Write,
    id: ObjectiveId,
    version: i64,
    input: &ObjectiveInput,
) -> Result<Objective> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, id).await?.ok_or(Error::NotFound {
        entity: "objective",
    })?;
    check_references(&mut tx, input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_objectives SET title = $2, description = $3, owner_id = $4, target = $5, \
             measured_by = $6, frequency = $7, due_date = $8, status = $9, status_note = $10, \
             document_id = $11, updated_at = $12, version = version + 1 \
             WHERE id = $1 AND version = $13",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.description.as_str())
        .bind(input.owner_id)
        .bind(input.target.as_str())
        .bind(input.measured_by.as_str())
        .bind(input.frequency.as_str())
        .bind(input.due_date)
        .bind(input.status.as_str())
        .bind(input.status_note.as_str())
        .bind(input.document_id)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let old = before.draft().validate()?;
    write
        .commit_update(
            tx,
            changed,
            "isms_objectives",
            id.0,
            Edit::updated("objective", id, &audited(&old), &audited(input)),
        )
        .await?;
    get(&write.db, id).await
}

/// Records a measurement of objective `id`, taken by the acting person.
pub async fn add_measurement(
    write: &Write,
    id: ObjectiveId,
    input: &MeasurementInput,
) -> Result<Measurement> {
    let measurement = MeasurementId::generate();
    let mut tx = write.begin().await?;
    find(&mut tx, id).await?.ok_or(Error::NotFound {
        entity: "objective",
    })?;
    let (person, _) = acting_person(&mut tx, &write.actor).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_objective_measurements (id, objective_id, measured_on, value, note, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(measurement)
        .bind(id)
        .bind(input.measured_on)
        .bind(input.value.as_str())
        .bind(input.note.as_str())
        .bind(person)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "objective measurement",
                measurement,
                &[
                    ("objective_id", id.to_string()),
                    ("measured_on", input.measured_on.to_string()),
                    ("value", input.value.to_string()),
                    ("note", input.note.to_string()),
                    ("recorded_by", person.to_string()),
                ],
            ),
        )
        .await?;
    measurements(&mut write.db.conn().await?, id)
        .await?
        .into_iter()
        .find(|m| m.id == measurement)
        .ok_or(Error::NotFound {
            entity: "measurement",
        })
}
