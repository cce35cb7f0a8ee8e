//! A ticket's SLA clocks: the agreement that applies and its terms, what the clocks depend on,
//! and working the due times out again after a write or a change of the agreement.

use sqlx::AssertSqlSafe;
use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::OrganisationId;
use tandem_kernel::{Actor, Error, FieldError, Result};
use tandem_service_levels::agreement::{AgreementId, AgreementTerms, Priority, Targets};
use tandem_service_levels::calendar::{Calendar, Pause};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::escalations::{claim_ticket, taken};
use crate::clocks::{Candidate, Facts, applicable, clocks};
use crate::escalation;
use crate::records::TicketId;
use crate::ticket::State;

/// The agreement that applies and what its clocks need, read before a write.
pub(super) struct Terms {
    agreement: Option<AgreementId>,
    pub(super) terms: Option<(AgreementTerms, Calendar)>,
}

pub(super) async fn terms_of(db: &Db, agreement: Option<AgreementId>) -> Result<Terms> {
    let Some(id) = agreement else {
        return Ok(Terms {
            agreement: None,
            terms: None,
        });
    };
    let agreement = tandem_service_levels::store::agreements::get(db, id).await?;
    let calendar = tandem_service_levels::store::calendars::get(db, agreement.calendar.0).await?;
    Ok(Terms {
        agreement: Some(id),
        terms: Some((agreement.terms, calendar.calendar)),
    })
}

pub(super) async fn select_agreement(
    db: &Db,
    organisation: OrganisationId,
    service: Option<ServiceId>,
) -> Result<Option<AgreementId>> {
    let candidates: Vec<Candidate<AgreementId>> = tandem_service_levels::store::agreements::all(db)
        .await?
        .into_iter()
        .map(|a| Candidate {
            id: a.id,
            name: a.terms.name.to_string(),
            kind: a.terms.kind,
            organisation: a.organisation.map(|o| o.0.0),
            service: a.service.map(|s| s.0.0),
        })
        .collect();
    Ok(applicable(
        &candidates,
        organisation.0,
        service.map(|s| s.0),
    ))
}

/// What the clocks of ticket `id` depend on, as the transaction sees it, with its priority.
pub(super) async fn facts(tx: &mut Tx, id: TicketId) -> Result<(Facts, Priority)> {
    let (state, created_at, first_response_at, update_from, resolved_at, priority): (
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
        OffsetDateTime,
        Option<OffsetDateTime>,
        String,
    ) = run!(tx, |c| {
        sqlx::query_as(
            "SELECT state, created_at, first_response_at, update_from, resolved_at, priority FROM tickets WHERE id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    let pauses: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = run!(tx, |c| {
        sqlx::query_as("SELECT started_at, ended_at FROM ticket_pauses WHERE ticket_id = $1 ORDER BY started_at")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    let corrupt = |e: FieldError| Error::Storage(format!("ticket {id}: {e}").into());
    Ok((
        Facts {
            state: State::parse("state", &state).map_err(corrupt)?,
            created_at,
            pauses: pauses
                .into_iter()
                .map(|(from, until)| Pause { from, until })
                .collect(),
            first_response_at,
            update_from,
            resolved_at,
        },
        Priority::parse("priority", &priority).map_err(corrupt)?,
    ))
}

/// Works out the ticket's clocks and the scheduler's next look again from what the
/// transaction sees, and stores them.
pub(super) async fn refresh_clocks(
    tx: &mut Tx,
    id: TicketId,
    terms: &Terms,
    now: OffsetDateTime,
) -> Result<()> {
    let (facts, priority) = facts(tx, id).await?;
    let (due, escalation, next_step) = match &terms.terms {
        Some((agreement, calendar)) => {
            let targets: Targets = agreement.targets(priority);
            let due = clocks(targets, calendar, &facts);
            let taken = taken(tx, id).await?;
            let next_step =
                escalation::next_step_at(&agreement.escalation, targets, calendar, &facts, &taken);
            (due, due.next_escalation(&facts), next_step)
        }
        None => (Default::default(), None, None),
    };
    run!(tx, |c| {
        sqlx::query(
            "UPDATE tickets SET agreement_id = $2, response_due = $3, update_due = $4, resolution_due = $5, escalation_at = $6, \
             next_step_at = $7, clocks_at = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(terms.agreement)
        .bind(due.response_due.map(SqlTime))
        .bind(due.update_due.map(SqlTime))
        .bind(due.resolution_due.map(SqlTime))
        .bind(escalation.map(SqlTime))
        .bind(next_step.map(SqlTime))
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether the clocks of open tickets are older than their agreement or its calendar.
const STALE: &str = "FROM tickets t JOIN agreement_refs a ON a.id = t.agreement_id \
     JOIN calendar_refs c ON c.id = a.calendar_id \
     WHERE t.state NOT IN ('resolved', 'closed') \
     AND (t.clocks_at IS NULL OR a.updated_at > t.clocks_at OR c.updated_at > t.clocks_at)";

/// Works the clocks of open tickets out again when their agreement or its calendar changed
/// after they were last worked out: the due times then follow the new targets and working
/// hours, from the stored pause intervals. Each ticket is claimed first and looked at again
/// under the claim, so that with several servers each ticket's clocks are worked out, and
/// recorded, once. Returns how many tickets were brought up to date.
pub async fn follow_agreement_changes(db: &Db, now: OffsetDateTime) -> Result<usize> {
    let mut conn = db.conn().await?;
    let stale: Vec<(TicketId, AgreementId)> = run!(&mut conn, |c| {
        sqlx::query_as(AssertSqlSafe(format!("SELECT t.id, a.id {STALE}")))
            .fetch_all(c)
            .await
    })?;
    drop(conn);
    let write = Write::new(db, &Actor::system("agreement change"), now);
    let mut followed = 0;
    for (id, agreement) in &stale {
        let terms = terms_of(db, Some(*agreement)).await?;
        let mut tx = write.begin().await?;
        if !claim_ticket(&mut tx, *id).await? || !still_stale(&mut tx, *id).await? {
            continue;
        }
        let before = due_times(&mut tx, *id).await?;
        refresh_clocks(&mut tx, *id, &terms, now).await?;
        let after = due_times(&mut tx, *id).await?;
        let changes = Changes::diff(&before, &after);
        if changes.is_empty() {
            // Not audited: the clocks worked out again came out as they were.
            tx.commit().await?;
        } else {
            write
                .commit(tx, Edit::new(Action::Update, "ticket clocks", id, changes))
                .await?;
        }
        followed += 1;
    }
    Ok(followed)
}

/// Whether ticket `id`'s clocks are still older than its agreement or calendar (another
/// server may have worked them out since the list was read).
async fn still_stale(tx: &mut Tx, id: TicketId) -> Result<bool> {
    let found: Option<i32> = run!(tx, |c| {
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT 1 {STALE} AND t.id = $1")))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(found.is_some())
}

/// Ticket `id`'s three due times, as its audit entry shows them.
async fn due_times(tx: &mut Tx, id: TicketId) -> Result<[(&'static str, String); 3]> {
    let due: (
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    ) = run!(tx, |c| {
        sqlx::query_as("SELECT response_due, update_due, resolution_due FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    let show = |t: Option<OffsetDateTime>| t.map(|t| t.to_string()).unwrap_or_default();
    Ok([
        ("response_due", show(due.0)),
        ("update_due", show(due.1)),
        ("resolution_due", show(due.2)),
    ])
}
