//! Interested parties and their requirements (`isms_parties`, `isms_requirements`).

use tandem_audit::{Edit, Write};
use tandem_directory::OrganisationId;
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::OffsetDateTime;

use crate::parties::{PartyId, PartyInput, RequirementId, RequirementInput, Satisfier};
use crate::pattern::{RequirementKind, StakeholderKind};

/// A requirement as stored, with what satisfies it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub id: RequirementId,
    pub kind: RequirementKind,
    pub text: String,
    pub source: String,
    pub satisfied_by: Option<Satisfier>,
    /// What satisfies it, as people read it: `DOC-000001 Information security policy`.
    pub satisfied_label: String,
}

/// An interested party with its requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: PartyId,
    pub name: String,
    pub kind: StakeholderKind,
    pub description: String,
    pub motivation: String,
    pub relation: String,
    pub organisation: Option<(OrganisationId, String)>,
    pub source: String,
    pub requirements: Vec<Requirement>,
    pub version: i64,
}

impl Party {
    /// Requirements nothing satisfies yet: the gaps of the context.
    pub fn open_requirements(&self) -> usize {
        self.requirements
            .iter()
            .filter(|r| r.satisfied_by.is_none())
            .count()
    }
}

type PartyRow = (
    PartyId,
    String,
    String,
    String,
    String,
    String,
    Option<OrganisationId>,
    Option<String>,
    String,
    i64,
);

const SELECT: &str = "SELECT p.id, p.name, p.kind, p.description, p.motivation, p.relation, \
     p.organisation_id, o.name, p.source, p.version FROM isms_parties p \
     LEFT JOIN organisation_refs o ON o.id = p.organisation_id";

fn corrupt(what: impl std::fmt::Display, e: FieldError) -> Error {
    Error::Storage(format!("{what}: {e}").into())
}

/// What satisfies a requirement, in words; empty when the record is gone.
async fn label(handle: &mut impl Handle, satisfier: &Satisfier) -> Result<String> {
    Ok(match satisfier {
        Satisfier::Document(id) => {
            let found: Option<(i64, String)> = run!(handle, |c| {
                sqlx::query_as("SELECT number, title FROM isms_documents WHERE id = $1")
                    .bind(*id)
                    .fetch_optional(c)
                    .await
            })?;
            found
                .map(|(n, title)| format!("{} {title}", crate::document::DOCUMENTS.text(n)))
                .unwrap_or_default()
        }
        Satisfier::Agreement(id) => {
            let found: Option<String> = run!(handle, |c| {
                sqlx::query_scalar("SELECT name FROM agreement_refs WHERE id = $1")
                    .bind(*id)
                    .fetch_optional(c)
                    .await
            })?;
            found.map(|n| format!("agreement {n}")).unwrap_or_default()
        }
        Satisfier::Control {
            framework,
            reference,
        } => format!("{framework} {reference}"),
    })
}

async fn requirements_of(handle: &mut impl Handle, party: PartyId) -> Result<Vec<Requirement>> {
    let rows: Vec<(RequirementId, String, String, String, String)> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT id, kind, text, source, satisfied_by FROM isms_requirements \
             WHERE party_id = $1 ORDER BY position, id",
        )
        .bind(party)
        .fetch_all(c)
        .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind, text, source, satisfied_by) in rows {
        let satisfied_by =
            Satisfier::parse("satisfied_by", &satisfied_by).map_err(|e| corrupt(id, e))?;
        let satisfied_label = match &satisfied_by {
            Some(s) => label(handle, s).await?,
            None => String::new(),
        };
        out.push(Requirement {
            id,
            kind: RequirementKind::parse("kind", &kind).map_err(|e| corrupt(id, e))?,
            text,
            source,
            satisfied_by,
            satisfied_label,
        });
    }
    Ok(out)
}

async fn party(handle: &mut impl Handle, row: PartyRow) -> Result<Party> {
    let requirements = requirements_of(handle, row.0).await?;
    Ok(Party {
        id: row.0,
        name: row.1,
        kind: StakeholderKind::parse("kind", &row.2).map_err(|e| corrupt(row.0, e))?,
        description: row.3,
        motivation: row.4,
        relation: row.5,
        organisation: row.6.zip(row.7),
        source: row.8,
        requirements,
        version: row.9,
    })
}

/// Every party, by name.
pub async fn all(db: &Db) -> Result<Vec<Party>> {
    let mut conn = db.conn().await?;
    let sql = format!("{SELECT} ORDER BY p.name, p.id");
    let rows: Vec<PartyRow> = run!(&mut conn, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(party(&mut conn, row).await?);
    }
    Ok(out)
}

/// Party `id`.
pub async fn find(handle: &mut impl Handle, id: PartyId) -> Result<Party> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row: Option<PartyRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    match row {
        Some(row) => party(handle, row).await,
        None => Err(Error::NotFound { entity: "party" }),
    }
}

async fn check_organisation(tx: &mut Tx, input: &PartyInput) -> Result<()> {
    if let Some(org) = input.organisation
        && tandem_directory::read::organisation_kind(tx, org)
            .await?
            .is_none()
    {
        return Err(Error::invalid(
            "organisation_id",
            "there is no such organisation",
        ));
    }
    Ok(())
}

fn audited(input: &PartyInput) -> Vec<(&'static str, String)> {
    vec![
        ("name", input.name.to_string()),
        ("kind", input.kind.as_str().to_owned()),
        ("description", input.description.to_string()),
        ("motivation", input.motivation.to_string()),
        ("relation", input.relation.to_string()),
        (
            "organisation_id",
            input
                .organisation
                .map(|o| o.to_string())
                .unwrap_or_default(),
        ),
        ("source", input.source.to_string()),
    ]
}

/// Adds a party with `requirements`, in `tx` (the caller commits and records the audit entry).
pub async fn insert(
    tx: &mut Tx,
    input: &PartyInput,
    requirements: &[RequirementInput],
    now: OffsetDateTime,
) -> Result<(PartyId, Edit)> {
    check_organisation(tx, input).await?;
    let id = PartyId::generate();
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO isms_parties (id, name, kind, description, motivation, relation, \
             organisation_id, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.kind.as_str())
        .bind(input.description.as_str())
        .bind(input.motivation.as_str())
        .bind(input.relation.as_str())
        .bind(input.organisation)
        .bind(input.source.as_str())
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for requirement in requirements {
        insert_requirement(tx, id, requirement, now).await?;
    }
    let mut fields = audited(input);
    fields.push(("requirements", requirements.len().to_string()));
    Ok((id, Edit::created("interested party", id, &fields)))
}

/// Adds a party.
pub async fn create(write: &Write, input: &PartyInput) -> Result<Party> {
    let mut tx = write.begin().await?;
    let (id, edit) = insert(&mut tx, input, &[], write.now).await?;
    write.commit(tx, edit).await?;
    find(&mut write.db.conn().await?, id).await
}

/// Changes party `id`, if it is still at `version`.
pub async fn update(
    write: &Write,
    id: PartyId,
    version: Option<i64>,
    input: &PartyInput,
) -> Result<Party> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, id).await?;
    check_organisation(&mut tx, input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_parties SET name = $2, kind = $3, description = $4, motivation = $5, \
             relation = $6, organisation_id = $7, source = $8, updated_at = $9, \
             version = version + 1 WHERE id = $1 AND version = $10",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(input.kind.as_str())
        .bind(input.description.as_str())
        .bind(input.motivation.as_str())
        .bind(input.relation.as_str())
        .bind(input.organisation)
        .bind(input.source.as_str())
        .bind(SqlTime(write.now))
        .bind(version.unwrap_or(before.version))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "isms_parties", id.0, "party")
        .await?;
    let old = vec![
        ("name", before.name.clone()),
        ("kind", before.kind.as_str().to_owned()),
        ("description", before.description.clone()),
        ("motivation", before.motivation.clone()),
        ("relation", before.relation.clone()),
        (
            "organisation_id",
            before
                .organisation
                .as_ref()
                .map(|o| o.0.to_string())
                .unwrap_or_default(),
        ),
        ("source", before.source.clone()),
    ];
    write
        .commit(
            tx,
            Edit::updated("interested party", id, &old, &audited(input)),
        )
        .await?;
    find(&mut write.db.conn().await?, id).await
}

/// Checks that what satisfies `input` exists: a document, an agreement, or a framework's node
/// in `controls` (`framework`, `reference` → whether the library has it).
async fn check_satisfier(
    tx: &mut Tx,
    input: &RequirementInput,
    control_exists: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<()> {
    let missing = match &input.satisfied_by {
        None => None,
        Some(Satisfier::Document(id)) => (!tx.exists("isms_documents", id.0).await?)
            .then_some("there is no such document in the register"),
        Some(Satisfier::Agreement(id)) => {
            let found: Option<i32> = run!(tx, |c| {
                sqlx::query_scalar("SELECT 1 FROM agreement_refs WHERE id = $1")
                    .bind(*id)
                    .fetch_optional(c)
                    .await
            })?;
            found.is_none().then_some("there is no such agreement")
        }
        Some(Satisfier::Control {
            framework,
            reference,
        }) => (!control_exists(framework, reference))
            .then_some("the framework library has no such control"),
    };
    match missing {
        Some(message) => Err(Error::invalid("satisfied_by", message)),
        None => Ok(()),
    }
}

async fn insert_requirement(
    tx: &mut Tx,
    party: PartyId,
    input: &RequirementInput,
    now: OffsetDateTime,
) -> Result<RequirementId> {
    let id = RequirementId::generate();
    let position: i32 = run!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM isms_requirements WHERE party_id = $1",
        )
        .bind(party)
        .fetch_one(c)
        .await
    })?;
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO isms_requirements (id, party_id, position, kind, text, source, \
             satisfied_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(party)
        .bind(position)
        .bind(input.kind.as_str())
        .bind(input.text.as_str())
        .bind(input.source.as_str())
        .bind(
            input
                .satisfied_by
                .as_ref()
                .map(Satisfier::text)
                .unwrap_or_default(),
        )
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

fn requirement_fields(input: &RequirementInput) -> Vec<(&'static str, String)> {
    vec![
        ("kind", input.kind.as_str().to_owned()),
        ("text", input.text.to_string()),
        ("source", input.source.to_string()),
        (
            "satisfied_by",
            input
                .satisfied_by
                .as_ref()
                .map(Satisfier::text)
                .unwrap_or_default(),
        ),
    ]
}

/// Adds a requirement to party `party`.
pub async fn add_requirement(
    write: &Write,
    party: PartyId,
    input: &RequirementInput,
    control_exists: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<Party> {
    let mut tx = write.begin().await?;
    find(&mut tx, party).await?;
    check_satisfier(&mut tx, input, control_exists).await?;
    let id = insert_requirement(&mut tx, party, input, write.now).await?;
    write
        .commit(
            tx,
            Edit::created("requirement", id, &requirement_fields(input)),
        )
        .await?;
    find(&mut write.db.conn().await?, party).await
}

/// Changes requirement `id` of party `party`: above all, links what satisfies it.
pub async fn update_requirement(
    write: &Write,
    party: PartyId,
    id: RequirementId,
    input: &RequirementInput,
    control_exists: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<Party> {
    let mut tx = write.begin().await?;
    let before = find(&mut tx, party)
        .await?
        .requirements
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound {
            entity: "requirement",
        })?;
    check_satisfier(&mut tx, input, control_exists).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_requirements SET kind = $2, text = $3, source = $4, satisfied_by = $5, \
             updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(input.kind.as_str())
        .bind(input.text.as_str())
        .bind(input.source.as_str())
        .bind(
            input
                .satisfied_by
                .as_ref()
                .map(Satisfier::text)
                .unwrap_or_default(),
        )
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let old = vec![
        ("kind", before.kind.as_str().to_owned()),
        ("text", before.text.clone()),
        ("source", before.source.clone()),
        (
            "satisfied_by",
            before
                .satisfied_by
                .as_ref()
                .map(Satisfier::text)
                .unwrap_or_default(),
        ),
    ];
    write
        .commit(
            tx,
            Edit::updated("requirement", id, &old, &requirement_fields(input)),
        )
        .await?;
    find(&mut write.db.conn().await?, party).await
}
