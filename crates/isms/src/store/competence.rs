//! Awareness, training and competence: `isms_competences`, `isms_competence_roles`,
//! `isms_trainings`, `isms_training_attendees` and `isms_held_competences`. Recording who
//! attended a training that gives a competence gives it to them, in the same transaction and
//! audited entry by entry; the shortfall reads who holds the roles through
//! `tandem_identity::read::holders`.

use std::collections::HashMap;

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, Result, Role};
use tandem_storage::{Db, Handle, ResultExt, SqlTime, Tx, Unique, run};
use time::{Date, OffsetDateTime};

use crate::competence::{
    Attendee, AttendeeDraft, CompetenceId, CompetenceInput, Gap, Given, Grant, Held, HoldingId,
    HoldingInput, Required, Shortfall, Staff, TrainingId, TrainingInput, TrainingKind, attendance,
    check_held_on, expiry, grants, shortfalls, standing,
};
use crate::document::{DOCUMENTS, DocumentId};

const UNIQUE: &[Unique] = &[Unique {
    target: "isms_competences.name",
    field: "name",
    message: "another competence has this name",
}];

fn corrupt(what: &str, id: impl std::fmt::Display, e: FieldError) -> Error {
    Error::Storage(format!("{what} {id}: {e}").into())
}

/// A person on a training's attendance list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attending {
    pub person: PersonId,
    pub name: String,
    pub attended: bool,
}

/// A training session or course with its attendance list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub id: TrainingId,
    pub title: String,
    pub kind: TrainingKind,
    pub held_on: Date,
    pub trainer: String,
    pub topics: String,
    /// The document it covers, with its number and title: `DOC-000001 Information security
    /// policy`.
    pub document: Option<(DocumentId, String)>,
    /// The competence attending gives.
    pub competence: Option<(CompetenceId, String)>,
    /// By name.
    pub attendees: Vec<Attending>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Training {
    /// How many people attended.
    pub fn attended(&self) -> usize {
        self.attendees.iter().filter(|a| a.attended).count()
    }

    /// The training's fields as they would be entered again.
    fn input(&self) -> Result<TrainingInput> {
        Ok(TrainingInput {
            title: Name::parse("title", &self.title)?,
            kind: self.kind,
            held_on: self.held_on,
            trainer: Name::parse("trainer", &self.trainer)?,
            topics: Note::parse("topics", &self.topics)?,
            document: self.document.as_ref().map(|d| d.0),
            competence: self.competence.as_ref().map(|c| c.0),
        })
    }

    fn list(&self) -> Vec<Attendee> {
        self.attendees
            .iter()
            .map(|a| Attendee {
                person: a.person,
                attended: a.attended,
            })
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct TrainingRow {
    id: TrainingId,
    title: String,
    kind: String,
    held_on: Date,
    trainer: String,
    topics: String,
    document_id: Option<DocumentId>,
    document_number: Option<i64>,
    document_title: Option<String>,
    competence_id: Option<CompetenceId>,
    competence_name: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

const TRAININGS: &str = "SELECT t.id, t.title, t.kind, t.held_on, t.trainer, t.topics, \
     t.document_id, d.number AS document_number, d.title AS document_title, \
     t.competence_id, c.name AS competence_name, t.created_at, t.updated_at, t.version \
     FROM isms_trainings t LEFT JOIN isms_documents d ON d.id = t.document_id \
     LEFT JOIN isms_competences c ON c.id = t.competence_id";

fn training(row: TrainingRow, attendees: Vec<Attending>) -> Result<Training> {
    Ok(Training {
        id: row.id,
        title: row.title,
        kind: TrainingKind::parse("kind", &row.kind).map_err(|e| corrupt("training", row.id, e))?,
        held_on: row.held_on,
        trainer: row.trainer,
        topics: row.topics,
        document: match (row.document_id, row.document_number, row.document_title) {
            (Some(id), Some(number), Some(title)) => {
                Some((id, format!("{} {title}", DOCUMENTS.text(number))))
            }
            _ => None,
        },
        competence: row.competence_id.zip(row.competence_name),
        attendees,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// The attendance lists of training `id`, or of every training.
async fn attendees_of(
    handle: &mut impl Handle,
    id: Option<TrainingId>,
) -> Result<HashMap<TrainingId, Vec<Attending>>> {
    let rows: Vec<(TrainingId, PersonId, String, bool)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT a.training_id, a.person_id, p.name, a.attended FROM isms_training_attendees a \
             JOIN person_refs p ON p.id = a.person_id \
             WHERE $1 IS NULL OR a.training_id = $1 ORDER BY p.name, p.id",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let mut out: HashMap<TrainingId, Vec<Attending>> = HashMap::new();
    for (training, person, name, attended) in rows {
        out.entry(training).or_default().push(Attending {
            person,
            name,
            attended,
        });
    }
    Ok(out)
}

/// Training `id`, if there is one.
pub async fn find_training(handle: &mut impl Handle, id: TrainingId) -> Result<Option<Training>> {
    let sql = format!("{TRAININGS} WHERE t.id = $1");
    let row: Option<TrainingRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let Some(row) = row else {
        return Ok(None);
    };
    let attendees = attendees_of(handle, Some(id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    training(row, attendees).map(Some)
}

/// Training `id`.
pub async fn get_training(db: &Db, id: TrainingId) -> Result<Training> {
    find_training(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound { entity: "training" })
}

/// Every training, the latest first.
pub async fn trainings(db: &Db) -> Result<Vec<Training>> {
    let mut conn = db.conn().await?;
    let sql = format!("{TRAININGS} ORDER BY t.held_on DESC, t.title, t.id");
    let rows: Vec<TrainingRow> = run!(&mut conn, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    let mut attendees = attendees_of(&mut conn, None).await?;
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            training(row, attendees.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// Checks the document and the competence `input` names.
async fn check_training_references(tx: &mut Tx, input: &TrainingInput) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(document) = input.document
        && !tx.exists("isms_documents", document.0).await?
    {
        errors.push(FieldError::new("document_id", "there is no such document"));
    }
    if let Some(competence) = input.competence
        && !tx.exists("isms_competences", competence.0).await?
    {
        errors.push(FieldError::new(
            "competence_id",
            "there is no such competence",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

fn optional(id: Option<impl std::fmt::Display>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

fn audited_training(input: &TrainingInput) -> Vec<(&'static str, String)> {
    vec![
        ("title", input.title.to_string()),
        ("kind", input.kind.as_str().to_owned()),
        ("held_on", input.held_on.to_string()),
        ("trainer", input.trainer.to_string()),
        ("topics", input.topics.to_string()),
        ("document_id", optional(input.document)),
        ("competence_id", optional(input.competence)),
    ]
}

/// Adds a training; its attendance is recorded afterwards.
pub async fn create_training(write: &Write, input: &TrainingInput) -> Result<Training> {
    let id = TrainingId::generate();
    let mut tx = write.begin().await?;
    check_training_references(&mut tx, input).await?;
    let now = SqlTime(write.now);
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_trainings (id, title, kind, held_on, trainer, topics, document_id, \
             competence_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.kind.as_str())
        .bind(input.held_on)
        .bind(input.trainer.as_str())
        .bind(input.topics.as_str())
        .bind(input.document)
        .bind(input.competence)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(tx, Edit::created("training", id, &audited_training(input)))
        .await?;
    get_training(&write.db, id).await
}

/// Changes training `id`, if it is still at `version`. A new date or competence moves the
/// holdings its attendance gave.
pub async fn update_training(
    write: &Write,
    id: TrainingId,
    version: Option<i64>,
    input: &TrainingInput,
) -> Result<Training> {
    let mut tx = write.begin().await?;
    let before = find_training(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "training" })?;
    check_training_references(&mut tx, input).await?;
    check_held_on(input.held_on, write.now.date(), before.attended())?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_trainings SET title = $2, kind = $3, held_on = $4, trainer = $5, \
             topics = $6, document_id = $7, competence_id = $8, updated_at = $9, \
             version = version + 1 WHERE id = $1 AND version = $10",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.kind.as_str())
        .bind(input.held_on)
        .bind(input.trainer.as_str())
        .bind(input.topics.as_str())
        .bind(input.document)
        .bind(input.competence)
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "isms_trainings", id.0, "training")
        .await?;
    give_competence(write, &mut tx, id, input, &before.list()).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "training",
                id,
                &audited_training(&before.input()?),
                &audited_training(input),
            ),
        )
        .await?;
    get_training(&write.db, id).await
}

fn audited_attendance(list: &[Attendee]) -> Vec<(&'static str, String)> {
    let of = |attended: bool| {
        list.iter()
            .filter(|a| a.attended == attended)
            .map(|a| a.person.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![("attended", of(true)), ("absent", of(false))]
}

/// Records who was invited to training `id` and who attended, replacing the list, if the
/// training is still at `version`. Those who attended a training that gives a competence hold
/// it from the training's date; those no longer recorded as attending lose what it gave them.
pub async fn record_attendance(
    write: &Write,
    id: TrainingId,
    version: Option<i64>,
    drafts: &[AttendeeDraft],
) -> Result<Training> {
    let mut tx = write.begin().await?;
    let before = find_training(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "training" })?;
    let list = attendance(drafts, before.held_on, write.now.date())?;
    let mut errors = Vec::new();
    for (i, attendee) in list.iter().enumerate() {
        if !tandem_directory::read::person_exists(&mut tx, attendee.person).await? {
            errors.push(FieldError::new(
                format!("attendees[{i}]"),
                "there is no such person",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_trainings SET updated_at = $2, version = version + 1 \
             WHERE id = $1 AND version = $3",
        )
        .bind(id)
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "isms_trainings", id.0, "training")
        .await?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM isms_training_attendees WHERE training_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for attendee in &list {
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO isms_training_attendees (training_id, person_id, attended) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(attendee.person)
            .bind(attendee.attended)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    give_competence(write, &mut tx, id, &before.input()?, &list).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "training attendance",
                id,
                &audited_attendance(&before.list()),
                &audited_attendance(&list),
            ),
        )
        .await?;
    get_training(&write.db, id).await
}

/// Brings the holdings training `id` gave in line with its date, its competence and who
/// `attended` ([`grants`]), each change audited as a `held competence`.
async fn give_competence(
    write: &Write,
    tx: &mut Tx,
    id: TrainingId,
    training: &TrainingInput,
    attended: &[Attendee],
) -> Result<()> {
    let given: Vec<(HoldingId, PersonId, CompetenceId, Date)> = run!(&mut *tx, |c| {
        sqlx::query_as(
            "SELECT id, person_id, competence_id, obtained_on FROM isms_held_competences \
             WHERE training_id = $1",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let given: Vec<Given> = given
        .into_iter()
        .map(|(holding, person, competence, obtained_on)| Given {
            holding,
            person,
            competence,
            obtained_on,
        })
        .collect();
    let validity: Option<i32> = match training.competence {
        Some(competence) => run!(&mut *tx, |c| {
            sqlx::query_scalar("SELECT validity_months FROM isms_competences WHERE id = $1")
                .bind(competence)
                .fetch_one(c)
                .await
        })?,
        None => None,
    };
    let expires_on = expiry(training.held_on, validity);
    let now = SqlTime(write.now);
    for grant in grants(training.held_on, training.competence, attended, &given) {
        let edit = match grant {
            Grant::Give(person, competence) => {
                let holding = HoldingInput {
                    person,
                    obtained_on: training.held_on,
                    expires_on,
                    evidence: Note::parse(
                        "evidence",
                        &format!("Attended the training “{}”", training.title),
                    )?,
                };
                insert_holding(
                    tx,
                    HoldingId::generate(),
                    competence,
                    &holding,
                    Some(id),
                    now,
                )
                .await?
            }
            Grant::Redate(holding) => {
                let before = find_holding(&mut *tx, holding)
                    .await?
                    .ok_or(Error::NotFound {
                        entity: "held competence",
                    })?;
                run!(&mut *tx, |c| {
                    sqlx::query(
                        "UPDATE isms_held_competences SET obtained_on = $2, expires_on = $3, \
                         updated_at = $4, version = version + 1 WHERE id = $1",
                    )
                    .bind(holding)
                    .bind(training.held_on)
                    .bind(expires_on)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                let after = Holding {
                    obtained_on: training.held_on,
                    expires_on,
                    ..before.clone()
                };
                Edit::updated(
                    "held competence",
                    holding,
                    &before.audited(),
                    &after.audited(),
                )
            }
            Grant::Withdraw(holding) => {
                let held = find_holding(&mut *tx, holding)
                    .await?
                    .ok_or(Error::NotFound {
                        entity: "held competence",
                    })?;
                tx.delete_by_id("isms_held_competences", holding.0).await?;
                Edit::deleted("held competence", holding, &held.audited())
            }
        };
        write.record(tx, edit).await?;
    }
    Ok(())
}

/// A competence or certification, and the roles that require it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Competence {
    pub id: CompetenceId,
    pub name: String,
    pub description: String,
    /// Months it stays valid; `None` when it does not expire.
    pub validity_months: Option<i32>,
    /// In the kernel's order of roles.
    pub roles: Vec<Role>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct CompetenceRow {
    id: CompetenceId,
    name: String,
    description: String,
    validity_months: Option<i32>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

const COMPETENCES: &str = "SELECT id, name, description, validity_months, created_at, \
     updated_at, version FROM isms_competences";

fn competence(row: CompetenceRow, roles: Vec<Role>) -> Competence {
    Competence {
        id: row.id,
        name: row.name,
        description: row.description,
        validity_months: row.validity_months,
        roles,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

/// The roles that require competence `id`, or every competence; a role this build does not
/// know is left out.
async fn roles_of(
    handle: &mut impl Handle,
    id: Option<CompetenceId>,
) -> Result<HashMap<CompetenceId, Vec<Role>>> {
    let rows: Vec<(CompetenceId, String)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT competence_id, role FROM isms_competence_roles \
             WHERE $1 IS NULL OR competence_id = $1",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let mut out: HashMap<CompetenceId, Vec<Role>> = HashMap::new();
    for (competence, role) in rows {
        if let Some(role) = Role::parse(&role) {
            out.entry(competence).or_default().push(role);
        }
    }
    for roles in out.values_mut() {
        roles.sort();
    }
    Ok(out)
}

/// Competence `id`, if there is one.
pub async fn find_competence(
    handle: &mut impl Handle,
    id: CompetenceId,
) -> Result<Option<Competence>> {
    let sql = format!("{COMPETENCES} WHERE id = $1");
    let row: Option<CompetenceRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let Some(row) = row else {
        return Ok(None);
    };
    let roles = roles_of(handle, Some(id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some(competence(row, roles)))
}

/// Competence `id`.
pub async fn get_competence(db: &Db, id: CompetenceId) -> Result<Competence> {
    find_competence(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound {
            entity: "competence",
        })
}

/// Every competence, by name.
pub async fn competences(db: &Db) -> Result<Vec<Competence>> {
    let mut conn = db.conn().await?;
    let sql = format!("{COMPETENCES} ORDER BY name, id");
    let rows: Vec<CompetenceRow> = run!(&mut conn, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    let mut roles = roles_of(&mut conn, None).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            competence(row, roles.remove(&id).unwrap_or_default())
        })
        .collect())
}

async fn write_roles(tx: &mut Tx, id: CompetenceId, roles: &[Role]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM isms_competence_roles WHERE competence_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for role in roles {
        run!(tx, |c| {
            sqlx::query("INSERT INTO isms_competence_roles (competence_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

fn audited_competence(input: &CompetenceInput) -> Vec<(&'static str, String)> {
    vec![
        ("name", input.name.to_string()),
        ("description", input.description.to_string()),
        ("validity_months", optional(input.validity_months)),
        (
            "roles",
            input
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

/// Adds a competence.
pub async fn create_competence(write: &Write, input: &CompetenceInput) -> Result<Competence> {
    let id = CompetenceId::generate();
    let mut tx = write.begin().await?;
    let now = SqlTime(write.now);
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_competences (id, name, description, validity_months, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.description.as_str())
        .bind(input.validity_months)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write_roles(&mut tx, id, &input.roles).await?;
    write
        .commit(
            tx,
            Edit::created("competence", id, &audited_competence(input)),
        )
        .await?;
    get_competence(&write.db, id).await
}

/// Changes competence `id`, if it is still at `version`. A new validity applies to the holdings
/// recorded from now on; those recorded keep their expiry.
pub async fn update_competence(
    write: &Write,
    id: CompetenceId,
    version: Option<i64>,
    input: &CompetenceInput,
) -> Result<Competence> {
    let mut tx = write.begin().await?;
    let before = find_competence(&mut tx, id).await?.ok_or(Error::NotFound {
        entity: "competence",
    })?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_competences SET name = $2, description = $3, validity_months = $4, \
             updated_at = $5, version = version + 1 WHERE id = $1 AND version = $6",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.description.as_str())
        .bind(input.validity_months)
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    tx.check_updated(changed, "isms_competences", id.0, "competence")
        .await?;
    write_roles(&mut tx, id, &input.roles).await?;
    let old = CompetenceInput {
        name: Name::parse("name", &before.name)?,
        description: Note::parse("description", &before.description)?,
        validity_months: before.validity_months,
        roles: before.roles.clone(),
    };
    write
        .commit(
            tx,
            Edit::updated(
                "competence",
                id,
                &audited_competence(&old),
                &audited_competence(input),
            ),
        )
        .await?;
    get_competence(&write.db, id).await
}

/// A person's holding of a competence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub id: HoldingId,
    pub competence: (CompetenceId, String),
    pub person: (PersonId, String),
    pub obtained_on: Date,
    /// Through which day it is valid; `None`: it does not expire.
    pub expires_on: Option<Date>,
    pub evidence: String,
    /// The training that gave it; `None` for one recorded by hand.
    pub training: Option<(TrainingId, String)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Holding {
    /// Whether it has expired or soon will, on `today`.
    pub fn standing(&self, today: Date) -> Option<Gap> {
        standing(self.expires_on, today)
    }

    fn audited(&self) -> Vec<(&'static str, String)> {
        vec![
            ("competence_id", self.competence.0.to_string()),
            ("person_id", self.person.0.to_string()),
            ("obtained_on", self.obtained_on.to_string()),
            ("expires_on", optional(self.expires_on)),
            ("evidence", self.evidence.clone()),
            ("training_id", optional(self.training.as_ref().map(|t| t.0))),
        ]
    }
}

#[derive(sqlx::FromRow)]
struct HoldingRow {
    id: HoldingId,
    competence_id: CompetenceId,
    competence_name: String,
    person_id: PersonId,
    person_name: String,
    obtained_on: Date,
    expires_on: Option<Date>,
    evidence: String,
    training_id: Option<TrainingId>,
    training_title: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

const HOLDINGS: &str = "SELECT h.id, h.competence_id, c.name AS competence_name, h.person_id, \
     p.name AS person_name, h.obtained_on, h.expires_on, h.evidence, h.training_id, \
     t.title AS training_title, h.created_at, h.updated_at, h.version \
     FROM isms_held_competences h JOIN isms_competences c ON c.id = h.competence_id \
     JOIN person_refs p ON p.id = h.person_id LEFT JOIN isms_trainings t ON t.id = h.training_id";

fn holding(row: HoldingRow) -> Holding {
    Holding {
        id: row.id,
        competence: (row.competence_id, row.competence_name),
        person: (row.person_id, row.person_name),
        obtained_on: row.obtained_on,
        expires_on: row.expires_on,
        evidence: row.evidence,
        training: row.training_id.zip(row.training_title),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

/// Holding `id`, if there is one.
pub async fn find_holding(handle: &mut impl Handle, id: HoldingId) -> Result<Option<Holding>> {
    let sql = format!("{HOLDINGS} WHERE h.id = $1");
    let row: Option<HoldingRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(row.map(holding))
}

/// Holding `id` of competence `competence`.
pub async fn get_holding(db: &Db, competence: CompetenceId, id: HoldingId) -> Result<Holding> {
    find_holding(&mut db.conn().await?, id)
        .await?
        .filter(|h| h.competence.0 == competence)
        .ok_or(Error::NotFound {
            entity: "held competence",
        })
}

/// Who holds competence `competence`, by name, the latest first.
pub async fn holdings_of(db: &Db, competence: CompetenceId) -> Result<Vec<Holding>> {
    let sql = format!(
        "{HOLDINGS} WHERE h.competence_id = $1 ORDER BY p.name, p.id, h.obtained_on DESC, h.id"
    );
    let rows: Vec<HoldingRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(competence)
            .fetch_all(c)
            .await
    })?;
    Ok(rows.into_iter().map(holding).collect())
}

/// Inserts a holding of `competence`, given by `training` or recorded by hand; its entry for
/// the trail.
async fn insert_holding(
    tx: &mut Tx,
    id: HoldingId,
    competence: CompetenceId,
    input: &HoldingInput,
    training: Option<TrainingId>,
    now: SqlTime,
) -> Result<Edit> {
    run!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO isms_held_competences (id, competence_id, person_id, obtained_on, \
             expires_on, evidence, training_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(competence)
        .bind(input.person)
        .bind(input.obtained_on)
        .bind(input.expires_on)
        .bind(input.evidence.as_str())
        .bind(training)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(Edit::created(
        "held competence",
        id,
        &[
            ("competence_id", competence.to_string()),
            ("person_id", input.person.to_string()),
            ("obtained_on", input.obtained_on.to_string()),
            ("expires_on", optional(input.expires_on)),
            ("evidence", input.evidence.to_string()),
            ("training_id", optional(training)),
        ],
    ))
}

/// The expiry a holding of `competence` obtained on `input.obtained_on` takes: the one given, or
/// the one the competence's validity gives.
fn effective(competence: &Competence, input: &HoldingInput) -> HoldingInput {
    HoldingInput {
        expires_on: input
            .expires_on
            .or_else(|| expiry(input.obtained_on, competence.validity_months)),
        ..input.clone()
    }
}

/// Records by hand that `input.person` holds competence `competence`: a certification, or a
/// training held elsewhere. Without an expiry, the competence's validity gives it.
pub async fn add_holding(
    write: &Write,
    competence: CompetenceId,
    input: &HoldingInput,
) -> Result<Holding> {
    let mut tx = write.begin().await?;
    let held = find_competence(&mut tx, competence)
        .await?
        .ok_or(Error::NotFound {
            entity: "competence",
        })?;
    if !tandem_directory::read::person_exists(&mut tx, input.person).await? {
        return Err(Error::invalid("person_id", "there is no such person"));
    }
    let id = HoldingId::generate();
    let edit = insert_holding(
        &mut tx,
        id,
        competence,
        &effective(&held, input),
        None,
        SqlTime(write.now),
    )
    .await?;
    write.commit(tx, edit).await?;
    get_holding(&write.db, competence, id).await
}

/// Changes holding `id` of competence `competence` (not its person), if it is still at
/// `version`. Without an expiry, the competence's validity gives it.
pub async fn update_holding(
    write: &Write,
    competence: CompetenceId,
    id: HoldingId,
    version: Option<i64>,
    input: &HoldingInput,
) -> Result<Holding> {
    let mut tx = write.begin().await?;
    let before = find_holding(&mut tx, id)
        .await?
        .filter(|h| h.competence.0 == competence)
        .ok_or(Error::NotFound {
            entity: "held competence",
        })?;
    let held = find_competence(&mut tx, competence)
        .await?
        .ok_or(Error::NotFound {
            entity: "competence",
        })?;
    let input = effective(&held, input);
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_held_competences SET obtained_on = $2, expires_on = $3, evidence = $4, \
             updated_at = $5, version = version + 1 WHERE id = $1 AND version = $6",
        )
        .bind(id)
        .bind(input.obtained_on)
        .bind(input.expires_on)
        .bind(input.evidence.as_str())
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let after = Holding {
        obtained_on: input.obtained_on,
        expires_on: input.expires_on,
        evidence: input.evidence.to_string(),
        ..before.clone()
    };
    write
        .commit_update(
            tx,
            changed,
            "isms_held_competences",
            id.0,
            Edit::updated("held competence", id, &before.audited(), &after.audited()),
        )
        .await?;
    get_holding(&write.db, competence, id).await
}

/// Removes holding `id` of competence `competence`: recorded by mistake, or taken back.
pub async fn remove_holding(write: &Write, competence: CompetenceId, id: HoldingId) -> Result<()> {
    let mut tx = write.begin().await?;
    let before = find_holding(&mut tx, id)
        .await?
        .filter(|h| h.competence.0 == competence)
        .ok_or(Error::NotFound {
            entity: "held competence",
        })?;
    tx.delete_by_id("isms_held_competences", id.0).await?;
    write
        .commit(tx, Edit::deleted("held competence", id, &before.audited()))
        .await
}

/// Who falls short of the competences their roles require, on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub today: Date,
    /// The competences some role requires, by name.
    pub required: Vec<Required>,
    /// How many people hold a role that requires a competence.
    pub people: usize,
    pub found: Vec<Shortfall>,
}

/// Who lacks, or holds no longer or not much longer, a competence one of their roles requires,
/// on `today` ([`shortfalls`]).
pub async fn shortfall(db: &Db, today: Date) -> Result<Report> {
    let required: Vec<Required> = competences(db)
        .await?
        .into_iter()
        .filter(|c| !c.roles.is_empty())
        .map(|c| Required {
            competence: c.id,
            name: c.name,
            roles: c.roles,
        })
        .collect();
    let mut roles: Vec<Role> = required
        .iter()
        .flat_map(|r| r.roles.iter().copied())
        .collect();
    roles.sort();
    roles.dedup();
    let mut conn = db.conn().await?;
    let mut staff: Vec<Staff> = Vec::new();
    for role in roles {
        for (person, name) in tandem_identity::read::holders(&mut conn, role).await? {
            match staff.iter_mut().find(|s| s.person == person) {
                Some(known) => known.roles.push(role),
                None => staff.push(Staff {
                    person,
                    name,
                    roles: vec![role],
                }),
            }
        }
    }
    let rows: Vec<(PersonId, CompetenceId, Option<Date>)> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT person_id, competence_id, expires_on FROM isms_held_competences")
            .fetch_all(c)
            .await
    })?;
    let held: Vec<Held> = rows
        .into_iter()
        .map(|(person, competence, expires_on)| Held {
            person,
            competence,
            expires_on,
        })
        .collect();
    let found = shortfalls(&required, &staff, &held, today);
    Ok(Report {
        today,
        people: staff.len(),
        required,
        found,
    })
}
