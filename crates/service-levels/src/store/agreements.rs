//! The `agreements` table.

use tandem_audit::{Edit, Write};
use tandem_directory::{OrganisationId, TeamId};
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Db, ResultExt, SqlTime, Tx, Unique, run};
use time::{Date, OffsetDateTime};

use crate::agreement::{AgreementDraft, AgreementId, AgreementKind, EscalationAction};
use crate::agreements::{Agreement, AgreementInput};
use crate::calendars::CalendarId;
use crate::services::ServiceId;

const UNIQUE: &[Unique] = &[Unique {
    target: "agreements.name",
    field: "name",
    message: "another agreement already has this name",
}];

const SELECT: &str = "SELECT a.id, a.terms, a.organisation_id, o.name AS organisation_name, a.team_id, t.name AS team_name, \
     a.service_id, s.name AS service_name, a.calendar_id, c.name AS calendar_name, a.created_at, a.updated_at, a.version \
     FROM agreements a JOIN calendars c ON c.id = a.calendar_id \
     LEFT JOIN organisation_refs o ON o.id = a.organisation_id LEFT JOIN team_refs t ON t.id = a.team_id \
     LEFT JOIN services s ON s.id = a.service_id";

#[derive(sqlx::FromRow)]
struct AgreementRow {
    id: AgreementId,
    terms: String,
    organisation_id: Option<OrganisationId>,
    organisation_name: Option<String>,
    team_id: Option<TeamId>,
    team_name: Option<String>,
    service_id: Option<ServiceId>,
    service_name: Option<String>,
    calendar_id: CalendarId,
    calendar_name: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

impl TryFrom<AgreementRow> for Agreement {
    type Error = Error;

    fn try_from(row: AgreementRow) -> Result<Self> {
        let corrupt = |what: String| Error::Storage(format!("agreement {}: {what}", row.id).into());
        let draft: AgreementDraft =
            serde_json::from_str(&row.terms).map_err(|e| corrupt(e.to_string()))?;
        Ok(Self {
            id: row.id,
            terms: draft.validate().map_err(|e| corrupt(e.to_string()))?,
            organisation: row.organisation_id.zip(row.organisation_name),
            team: row.team_id.zip(row.team_name),
            service: row.service_id.zip(row.service_name),
            calendar: (row.calendar_id, row.calendar_name),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

pub async fn get(db: &Db, id: AgreementId) -> Result<Agreement> {
    let row: AgreementRow = db
        .fetch_by_id(&format!("{SELECT} WHERE a.id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound {
            entity: "agreement",
        })?;
    row.try_into()
}

/// Every agreement, by name.
pub async fn all(db: &Db) -> Result<Vec<Agreement>> {
    let rows: Vec<AgreementRow> = db
        .fetch_all(&format!("{SELECT} ORDER BY a.name, a.id"), &[])
        .await?;
    rows.into_iter().map(Agreement::try_from).collect()
}

/// Agreements whose review is due on `today` or overdue, the most overdue first: the
/// dashboard's list.
pub async fn reviews_due(db: &Db, today: Date) -> Result<Vec<Agreement>> {
    let mut conn = db.conn().await?;
    let ids: Vec<AgreementId> = run!(&mut conn, |c| {
        sqlx::query_scalar(
            "SELECT id FROM agreements WHERE next_review <= $1 ORDER BY next_review, name",
        )
        .bind(today)
        .fetch_all(c)
        .await
    })?;
    drop(conn);
    let mut due = Vec::with_capacity(ids.len());
    for id in ids {
        due.push(get(db, id).await?);
    }
    Ok(due)
}

/// Checks the ids exist and fit the kind: an SLA is with a customer, an underpinning contract
/// with a supplier.
async fn check_references(tx: &mut Tx, input: &AgreementInput) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(organisation) = input.organisation_id {
        let kind = tandem_directory::read::organisation_kind(tx, organisation).await?;
        let wanted = match input.terms.kind {
            AgreementKind::UnderpinningContract => "supplier",
            _ => "customer",
        };
        match kind.map(tandem_directory::OrganisationKind::as_str) {
            None => errors.push(FieldError::new(
                "organisation_id",
                "there is no such organisation",
            )),
            Some(kind) if kind != wanted => errors.push(FieldError::new(
                "organisation_id",
                format!("this agreement is with a {wanted}, and the organisation is a {kind}"),
            )),
            Some(_) => {}
        }
    }
    if let Some(team) = input.team_id
        && !tandem_directory::read::team_exists(tx, team).await?
    {
        errors.push(FieldError::new("team_id", "there is no such team"));
    }
    if let Some(service) = input.service_id
        && !tx.exists("services", service.0).await?
    {
        errors.push(FieldError::new("service_id", "there is no such service"));
    }
    if !tx.exists("calendars", input.calendar_id.0).await? {
        errors.push(FieldError::new("calendar_id", "there is no such calendar"));
    }
    for step in &input.terms.escalation {
        if let EscalationAction::Reassign { team, .. } = &step.action
            && tandem_directory::read::team_named(tx, team)
                .await?
                .is_none()
        {
            errors.push(FieldError::new(
                "escalation",
                format!("`{step}`: there is no team named {team}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

fn terms_json(input: &AgreementInput) -> String {
    serde_json::to_string(&input.terms.draft()).expect("text fields serialise")
}

pub async fn create(write: &Write, input: AgreementInput) -> Result<Agreement> {
    let id = AgreementId::generate();
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO agreements (id, name, kind, organisation_id, team_id, service_id, calendar_id, terms, next_review, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(id)
        .bind(input.terms.name.as_str())
        .bind(input.terms.kind.as_str())
        .bind(input.organisation_id)
        .bind(input.team_id)
        .bind(input.service_id)
        .bind(input.calendar_id)
        .bind(terms_json(&input))
        .bind(input.terms.next_review)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    let fields = input.audit_fields();
    write
        .commit(tx, Edit::created("agreement", id, &fields))
        .await?;
    get(&write.db, id).await
}

/// Saves `input` over the agreement, if the record is still at `version`.
pub async fn update(
    write: &Write,
    id: AgreementId,
    version: i64,
    input: AgreementInput,
) -> Result<Agreement> {
    let before = get(&write.db, id).await?;
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE agreements SET name = $2, kind = $3, organisation_id = $4, team_id = $5, service_id = $6, calendar_id = $7, \
             terms = $8, next_review = $9, updated_at = $10, version = version + 1 WHERE id = $1 AND version = $11",
        )
        .bind(id)
        .bind(input.terms.name.as_str())
        .bind(input.terms.kind.as_str())
        .bind(input.organisation_id)
        .bind(input.team_id)
        .bind(input.service_id)
        .bind(input.calendar_id)
        .bind(terms_json(&input))
        .bind(input.terms.next_review)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    let (old, new) = (before.input().audit_fields(), input.audit_fields());
    write
        .commit_update(
            tx,
            changed,
            "agreements",
            id.0,
            Edit::updated("agreement", id, &old, &new),
        )
        .await?;
    get(&write.db, id).await
}

pub async fn delete(write: &Write, id: AgreementId) -> Result<()> {
    let before = get(&write.db, id).await?;
    let mut tx = write.begin().await?;
    if !tx.delete_by_id("agreements", id.0).await? {
        return Err(Error::NotFound {
            entity: "agreement",
        });
    }
    let fields = before.input().audit_fields();
    write
        .commit(tx, Edit::deleted("agreement", id, &fields))
        .await
}
