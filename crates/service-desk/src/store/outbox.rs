//! The mail a write sends: the addresses of a person and of a ticket team's lead, and putting
//! a notice in the outbox.

use tandem_directory::PersonId;
use tandem_kernel::{Error, Result};
use tandem_storage::{Tx, run};
use time::OffsetDateTime;

use crate::notice::Notice;
use crate::records::TicketId;

/// The e-mail address of `person`.
pub(super) async fn email_of(tx: &mut Tx, person: PersonId) -> Result<String> {
    Ok(run!(tx, |c| {
        sqlx::query_scalar("SELECT email FROM person_refs WHERE id = $1")
            .bind(person)
            .fetch_one(c)
            .await
    })?)
}

/// The name and e-mail address of the lead of the ticket's team, as it is in `tx` (a step
/// before may have reassigned the ticket).
pub(super) async fn team_lead(tx: &mut Tx, ticket: TicketId) -> Result<Option<(String, String)>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
            "SELECT l.name, l.email FROM tickets t JOIN team_refs tm ON tm.id = t.team_id \
             JOIN person_refs l ON l.id = tm.lead_id WHERE t.id = $1",
        )
        .bind(ticket)
        .fetch_optional(c)
        .await
    })?)
}

/// Puts `notice` in the outbox for `to`, in the transaction of what it tells of.
pub(super) async fn mail(
    tx: &mut Tx,
    to: &str,
    notice: &Notice,
    now: OffsetDateTime,
) -> Result<()> {
    let mail = tandem_mail::message::Mail::new(to, &notice.subject, &notice.body, &notice.link)
        .map_err(|e| Error::Invalid(vec![e]))?;
    tandem_mail::store::enqueue(tx, &mail, &notice.reason, now).await?;
    Ok(())
}
