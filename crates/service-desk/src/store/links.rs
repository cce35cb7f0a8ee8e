//! The `ticket_links` table: links between tickets, seen from either end.

use tandem_audit::{Edit, Write};
use tandem_directory::OrganisationId;
use tandem_kernel::{Error, FieldError, Result, Scope};
use tandem_storage::{Db, SqlTime, run};

use super::tickets::get;
use crate::records::TicketId;
use crate::ticket::{LinkKind, State};

/// A link seen from one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub kind: LinkKind,
    /// Whether this ticket is the one the link starts from (`caused by` rather than `causes`).
    pub outgoing: bool,
    pub other: TicketId,
    pub number: i64,
    pub title: String,
    pub state: State,
}

impl Link {
    pub fn label(&self) -> &'static str {
        if self.outgoing {
            self.kind.label()
        } else {
            self.kind.inverse_label()
        }
    }

    pub fn display_number(&self) -> String {
        crate::records::show_number(self.number)
    }
}

/// The links of ticket `id` in both directions, to tickets `scope` admits.
pub async fn links(db: &Db, scope: Scope, id: TicketId) -> Result<Vec<Link>> {
    let mut conn = db.conn().await?;
    let rows: Vec<(String, bool, TicketId, i64, String, String, OrganisationId)> = run!(
        &mut conn,
        |c| {
            sqlx::query_as(
            "SELECT l.kind, TRUE, o.id, o.number, o.title, o.state, o.organisation_id FROM ticket_links l \
             JOIN tickets o ON o.id = l.other_id WHERE l.ticket_id = $1 \
             UNION ALL \
             SELECT l.kind, FALSE, o.id, o.number, o.title, o.state, o.organisation_id FROM ticket_links l \
             JOIN tickets o ON o.id = l.ticket_id WHERE l.other_id = $1 \
             ORDER BY 4",
        )
        .bind(id)
        .fetch_all(c)
        .await
        }
    )?;
    let corrupt = |e: FieldError| Error::Storage(format!("ticket link of {id}: {e}").into());
    rows.into_iter()
        .filter(|row| scope.admits(row.6.0))
        .map(|(kind, outgoing, other, number, title, state, _)| {
            Ok(Link {
                kind: LinkKind::parse("kind", &kind).map_err(corrupt)?,
                outgoing,
                other,
                number,
                title,
                state: State::parse("state", &state).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Links ticket `id` to the ticket numbered `other`: `id` is `kind` the other.
pub async fn link(write: &Write, id: TicketId, kind: LinkKind, other: i64) -> Result<()> {
    let ticket = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    let other_id: Option<TicketId> = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT id FROM tickets WHERE number = $1")
            .bind(other)
            .fetch_optional(c)
            .await
    })?;
    let other_id = other_id.ok_or_else(|| {
        Error::invalid(
            "other",
            format!("there is no ticket {}", crate::records::show_number(other)),
        )
    })?;
    if other_id == id {
        return Err(Error::invalid("other", "a ticket is not linked to itself"));
    }
    let added = run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO ticket_links (ticket_id, kind, other_id, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(other_id)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if added == 0 {
        return Err(Error::Conflict {
            message: "the tickets are linked so already".into(),
            field: Some("other"),
        });
    }
    write
        .commit(
            tx,
            Edit::created(
                "ticket link",
                format!("{id} {} {other_id}", kind.as_str()),
                &[
                    ("ticket", ticket.display_number()),
                    ("kind", kind.as_str().to_owned()),
                    ("other", crate::records::show_number(other)),
                ],
            ),
        )
        .await
}
