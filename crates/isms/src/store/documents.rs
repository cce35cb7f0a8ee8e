//! The register: `isms_documents`, `isms_document_numbers` and `isms_document_distribution`.
//! Creating a document writes its first version as a draft, checked out by its author.

use std::collections::HashMap;

use tandem_audit::{Edit, Write};
use tandem_directory::{OrganisationId, OrganisationKind, PersonId, TeamId};
use tandem_kernel::{Error, FieldError, Permission, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::{Date, OffsetDateTime};

use super::acting_person;
use crate::document::{
    Classification, DOCUMENTS, DocumentId, DocumentInput, Kind, Reader, Target, VersionId,
};
use crate::lifecycle::{Lock, State};

/// A document of the register, with who has it checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub number: i64,
    pub title: String,
    pub kind: Kind,
    pub owner: (PersonId, String),
    pub classification: Classification,
    pub review_months: i32,
    /// When the version in force is due for review; none before the first is published.
    pub next_review: Option<Date>,
    pub retention_months: Option<i32>,
    pub quorum: i32,
    pub shared_with: Option<(OrganisationId, String)>,
    /// The shipped template the document was started from, if any.
    pub template: String,
    pub distribution: Vec<Target>,
    pub lock: Option<Lock>,
    /// `(major, minor)` of the published version.
    pub in_force: Option<(i32, i32)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Document {
    pub fn display_number(&self) -> String {
        DOCUMENTS.text(self.number)
    }

    /// Whether `reader` may see the document at all.
    pub fn visible_to(&self, reader: &Reader) -> bool {
        reader.sees(
            self.owner.0,
            &self.distribution,
            self.shared_with.as_ref().map(|s| s.0),
            self.classification,
            self.in_force.is_some(),
        )
    }

    /// Whether the review is overdue on `today`.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.next_review.is_some_and(|due| due < today)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: DocumentId,
    number: i64,
    title: String,
    kind: String,
    owner_id: PersonId,
    owner_name: String,
    classification: String,
    review_months: i32,
    next_review: Option<Date>,
    retention_months: Option<i32>,
    quorum: i32,
    shared_with_id: Option<OrganisationId>,
    shared_with_name: Option<String>,
    template: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
    lock_person: Option<PersonId>,
    lock_name: Option<String>,
    lock_since: Option<OffsetDateTime>,
    in_force_major: Option<i32>,
    in_force_minor: Option<i32>,
}

const SELECT: &str = "SELECT d.id, d.number, d.title, d.kind, d.owner_id, o.name AS owner_name, \
     d.classification, d.review_months, d.next_review, d.retention_months, d.quorum, \
     d.shared_with_id, org.name AS shared_with_name, d.template, d.created_at, d.updated_at, \
     d.version, l.person_id AS lock_person, lp.name AS lock_name, l.since AS lock_since, \
     (SELECT v.major FROM isms_versions v WHERE v.document_id = d.id AND v.state = 'published') AS in_force_major, \
     (SELECT v.minor FROM isms_versions v WHERE v.document_id = d.id AND v.state = 'published') AS in_force_minor \
     FROM isms_documents d JOIN person_refs o ON o.id = d.owner_id \
     LEFT JOIN organisation_refs org ON org.id = d.shared_with_id \
     LEFT JOIN isms_document_locks l ON l.document_id = d.id \
     LEFT JOIN person_refs lp ON lp.id = l.person_id";

fn corrupt(id: DocumentId, e: FieldError) -> Error {
    Error::Storage(format!("document {id}: {e}").into())
}

fn document(row: Row, distribution: Vec<Target>) -> Result<Document> {
    Ok(Document {
        id: row.id,
        number: row.number,
        title: row.title,
        kind: Kind::parse("kind", &row.kind).map_err(|e| corrupt(row.id, e))?,
        owner: (row.owner_id, row.owner_name),
        classification: Classification::parse("classification", &row.classification)
            .map_err(|e| corrupt(row.id, e))?,
        review_months: row.review_months,
        next_review: row.next_review,
        retention_months: row.retention_months,
        quorum: row.quorum,
        shared_with: row.shared_with_id.zip(row.shared_with_name),
        template: row.template,
        distribution,
        lock: match (row.lock_person, row.lock_name, row.lock_since) {
            (Some(person), Some(name), Some(since)) => Some(Lock {
                person,
                name,
                since,
            }),
            _ => None,
        },
        in_force: row.in_force_major.zip(row.in_force_minor),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

async fn distribution_of(
    handle: &mut impl Handle,
    id: Option<DocumentId>,
) -> Result<HashMap<DocumentId, Vec<Target>>> {
    let rows: Vec<(DocumentId, String, String)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT document_id, kind, target FROM isms_document_distribution \
             WHERE $1 IS NULL OR document_id = $1 ORDER BY kind, target",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    let mut out: HashMap<DocumentId, Vec<Target>> = HashMap::new();
    for (document, kind, target) in rows {
        if let Some(target) = Target::from_stored(&kind, &target) {
            out.entry(document).or_default().push(target);
        }
    }
    Ok(out)
}

/// Document `id`, as `handle` sees it.
pub async fn find(handle: &mut impl Handle, id: DocumentId) -> Result<Option<Document>> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    let row: Option<Row> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let Some(row) = row else {
        return Ok(None);
    };
    let distribution = distribution_of(handle, Some(id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    document(row, distribution).map(Some)
}

/// Document `id` if `reader` may see it; otherwise, as if there were none.
pub async fn get(db: &Db, reader: &Reader, id: DocumentId) -> Result<Document> {
    find(&mut db.conn().await?, id)
        .await?
        .filter(|d| d.visible_to(reader))
        .ok_or(Error::NotFound { entity: "document" })
}

/// A document in the register's list, with the version being worked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub document: Document,
    /// The state and `(major, minor)` of the version being worked on, for those who see it.
    pub in_progress: Option<(State, i32, i32)>,
}

/// Every document `reader` may see, by number.
pub async fn list(db: &Db, reader: &Reader) -> Result<Vec<Listed>> {
    let mut conn = db.conn().await?;
    let sql = format!("{SELECT} ORDER BY d.number");
    let rows: Vec<Row> = run!(&mut conn, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    let mut distribution = distribution_of(&mut conn, None).await?;
    let states: Vec<(DocumentId, String, i32, i32)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT document_id, state, major, minor FROM isms_versions \
             WHERE state IN ('draft', 'in-review', 'approved')",
        )
        .fetch_all(c)
        .await
    })?;
    let mut in_progress = HashMap::new();
    for (document, state, major, minor) in states {
        let state = State::parse("state", &state).map_err(|e| corrupt(document, e))?;
        in_progress.insert(document, (state, major, minor));
    }
    let mut out = Vec::new();
    for row in rows {
        let id = row.id;
        let document = document(row, distribution.remove(&id).unwrap_or_default())?;
        if document.visible_to(reader) {
            let sees_work = reader.customer_of.is_none()
                && (reader.isms || reader.person == Some(document.owner.0));
            out.push(Listed {
                in_progress: in_progress.get(&id).copied().filter(|_| sees_work),
                document,
            });
        }
    }
    Ok(out)
}

/// The documents `owner` owns whose review falls due by `by` (overdue ones first).
pub async fn reviews_due(db: &Db, owner: PersonId, by: Date) -> Result<Vec<Document>> {
    let sql = format!(
        "{SELECT} WHERE d.owner_id = $1 AND d.next_review IS NOT NULL AND d.next_review <= $2 \
         ORDER BY d.next_review, d.number"
    );
    let mut conn = db.conn().await?;
    let rows: Vec<Row> = run!(&mut conn, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(owner)
            .bind(by)
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(|r| document(r, Vec::new())).collect()
}

/// Checks the people, teams and organisation `input` names.
async fn check_references(tx: &mut Tx, input: &DocumentInput) -> Result<()> {
    let mut errors = Vec::new();
    let permission = Permission::DocumentsRead;
    let owner = tandem_identity::read::eligibility(tx, input.owner_id, permission).await?;
    errors.extend(owner.refusal("owner_id", permission, "own documents"));
    if let Some(organisation) = input.shared_with {
        match tandem_directory::read::organisation_kind(tx, organisation).await? {
            None => errors.push(FieldError::new(
                "shared_with_id",
                "there is no such organisation",
            )),
            Some(OrganisationKind::Customer) => {}
            Some(_) => errors.push(FieldError::new(
                "shared_with_id",
                "a document is shared with a customer; the provider's staff read it by distribution",
            )),
        }
    }
    // Distribution asks the provider's staff; a customer reads what is shared with it.
    for (i, target) in input.distribution.iter().enumerate() {
        let field = format!("distribution[{i}]");
        match target {
            Target::Person(person) => {
                let eligibility =
                    tandem_identity::read::eligibility(tx, *person, Permission::DocumentsRead)
                        .await?;
                errors.extend(eligibility.refusal(
                    &field,
                    Permission::DocumentsRead,
                    "are asked to read documents",
                ));
            }
            Target::Team(team) => {
                let kind: Option<String> = run!(tx, |c| {
                    sqlx::query_scalar(
                        "SELECT o.kind FROM team_refs t \
                         JOIN organisation_refs o ON o.id = t.organisation_id WHERE t.id = $1",
                    )
                    .bind(*team)
                    .fetch_optional(c)
                    .await
                })?;
                match kind.as_deref() {
                    None => errors.push(FieldError::new(field, "there is no such team")),
                    Some("provider") => {}
                    Some(_) => errors.push(FieldError::new(
                        field,
                        "the team is a customer's or a supplier's; share the document with the customer instead",
                    )),
                }
            }
            Target::Role(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

async fn write_distribution(tx: &mut Tx, id: DocumentId, targets: &[Target]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM isms_document_distribution WHERE document_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for target in targets {
        let (kind, stored) = target.stored();
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO isms_document_distribution (document_id, kind, target) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(kind)
            .bind(&stored)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

fn audited(input: &DocumentInput) -> Vec<(&'static str, String)> {
    let optional = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    vec![
        ("title", input.title.to_string()),
        ("kind", input.kind.as_str().to_owned()),
        ("owner_id", input.owner_id.to_string()),
        ("classification", input.classification.as_str().to_owned()),
        ("review_months", input.review_months.to_string()),
        ("retention_months", optional(input.retention_months)),
        ("quorum", input.quorum.to_string()),
        (
            "shared_with_id",
            input.shared_with.map(|o| o.to_string()).unwrap_or_default(),
        ),
        (
            "distribution",
            input
                .distribution
                .iter()
                .map(Target::text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

/// Adds a document to the register with its first version, 1.0, a draft with `body` written by
/// the acting person, who has the document checked out. `template` names the shipped template
/// it was started from (empty for none).
pub async fn create(
    write: &Write,
    input: &DocumentInput,
    template: &str,
    body: &str,
) -> Result<Document> {
    let id = DocumentId::generate();
    let mut tx = write.begin().await?;
    let (author, _) = acting_person(&mut tx, &write.actor).await?;
    check_references(&mut tx, input).await?;
    let number: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "UPDATE isms_document_numbers SET last = last + 1 WHERE id = 1 RETURNING last",
        )
        .fetch_one(c)
        .await
    })?;
    let now = SqlTime(write.now);
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_documents (id, number, title, kind, owner_id, classification, \
             review_months, next_review, retention_months, quorum, shared_with_id, template, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(number)
        .bind(input.title.as_str())
        .bind(input.kind.as_str())
        .bind(input.owner_id)
        .bind(input.classification.as_str())
        .bind(input.review_months)
        .bind(input.retention_months)
        .bind(input.quorum)
        .bind(input.shared_with)
        .bind(template)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write_distribution(&mut tx, id, &input.distribution).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_versions (id, document_id, major, minor, state, body, change_note, \
             author_id, created_at, updated_at, withdraw_reason) \
             VALUES ($1, $2, 1, 0, 'draft', $3, 'First version', $4, $5, $5, '')",
        )
        .bind(VersionId::generate())
        .bind(id)
        .bind(body)
        .bind(author)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_document_locks (document_id, person_id, since) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(author)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let mut fields = audited(input);
    fields.push(("number", DOCUMENTS.text(number)));
    fields.push(("template", template.to_owned()));
    write
        .commit(tx, Edit::created("document", id, &fields))
        .await?;
    find(&mut write.db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound { entity: "document" })
}

/// Changes the register's fields of document `id`, if it is still at `version`.
pub async fn update(
    write: &Write,
    id: DocumentId,
    version: Option<i64>,
    input: &DocumentInput,
) -> Result<Document> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "document" })?;
    check_references(&mut tx, input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_documents SET title = $2, kind = $3, owner_id = $4, classification = $5, \
             review_months = $6, retention_months = $7, quorum = $8, shared_with_id = $9, \
             updated_at = $10, version = version + 1 WHERE id = $1 AND version = $11",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.kind.as_str())
        .bind(input.owner_id)
        .bind(input.classification.as_str())
        .bind(input.review_months)
        .bind(input.retention_months)
        .bind(input.quorum)
        .bind(input.shared_with)
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "isms_documents", id.0, "document")
        .await?;
    write_distribution(&mut tx, id, &input.distribution).await?;
    let old = DocumentInput {
        title: tandem_kernel::text::Name::parse("title", &before.title)?,
        kind: before.kind,
        owner_id: before.owner.0,
        classification: before.classification,
        review_months: before.review_months,
        retention_months: before.retention_months,
        quorum: before.quorum,
        shared_with: before.shared_with.as_ref().map(|s| s.0),
        distribution: before.distribution.clone(),
    };
    write
        .commit(
            tx,
            Edit::updated("document", id, &audited(&old), &audited(input)),
        )
        .await?;
    find(&mut write.db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound { entity: "document" })
}

/// The provider's teams, as `(id, name)` by name: what a distribution may name.
pub async fn provider_teams(db: &Db) -> Result<Vec<(TeamId, String)>> {
    Ok(run!(&mut db.conn().await?, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name FROM team_refs t JOIN organisation_refs o ON o.id = t.organisation_id \
             WHERE o.kind = 'provider' ORDER BY t.name, t.id",
        )
        .fetch_all(c)
        .await
    })?)
}

/// The reader's teams, for [`Reader`].
pub async fn teams_of(db: &Db, person: PersonId) -> Result<Vec<TeamId>> {
    Ok(run!(&mut db.conn().await?, |c| {
        sqlx::query_scalar("SELECT team_id FROM team_member_refs WHERE person_id = $1")
            .bind(person)
            .fetch_all(c)
            .await
    })?)
}
