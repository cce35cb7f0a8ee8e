//! The `time_entries` table: time worked on a ticket, and the time worked for a customer, for
//! billing.

use tandem_audit::{Edit, Write};
use tandem_directory::OrganisationId;
use tandem_kernel::{ActorKind, Result, Scope};
use tandem_storage::{Db, SqlTime, run};

use super::tickets::get;
use crate::records::{NewTimeEntry, TicketId, TimeEntry, TimeEntryId};

/// Records time worked on ticket `id` by the actor.
pub async fn add_time(write: &Write, id: TicketId, entry: NewTimeEntry) -> Result<()> {
    let ticket = get(&write.db, Scope::Everything, id).await?;
    let entry_id = TimeEntryId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO time_entries (id, ticket_id, person_id, person, minutes, billable, note, worked_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry_id)
        .bind(id)
        .bind(write.actor.id.filter(|_| write.actor.kind != ActorKind::System))
        .bind(&write.actor.label)
        .bind(entry.minutes)
        .bind(entry.billable)
        .bind(&entry.note)
        .bind(entry.worked_on)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "time entry",
                format!("{} {entry_id}", ticket.id),
                &[
                    ("minutes", entry.minutes.to_string()),
                    ("billable", entry.billable.to_string()),
                    ("worked_on", entry.worked_on.to_string()),
                    ("note", entry.note.clone()),
                ],
            ),
        )
        .await
}

/// The time entries of ticket `id`, by day.
pub async fn time_of(db: &Db, id: TicketId) -> Result<Vec<TimeEntry>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, TimeEntry>(
            "SELECT id, person, minutes, billable, note, worked_on, created_at FROM time_entries \
             WHERE ticket_id = $1 ORDER BY worked_on, created_at",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?)
}

/// A time entry with its ticket, for billing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BilledTime {
    pub number: i64,
    pub title: String,
    #[sqlx(flatten)]
    pub entry: TimeEntry,
}

/// The time entries of `organisation`'s tickets worked from `from` up to (not including) `to`.
pub async fn time_between(
    db: &Db,
    organisation: OrganisationId,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<BilledTime>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, BilledTime>(
            "SELECT t.number, t.title, e.id, e.person, e.minutes, e.billable, e.note, e.worked_on, e.created_at \
             FROM time_entries e JOIN tickets t ON t.id = e.ticket_id \
             WHERE t.organisation_id = $1 AND e.worked_on >= $2 AND e.worked_on < $3 ORDER BY e.worked_on, t.number",
        )
        .bind(organisation)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?)
}
