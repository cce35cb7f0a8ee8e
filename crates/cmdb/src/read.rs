//! What other capabilities read of the CMDB: small answers through this module, or the views
//! `ci_refs`, `ci_version_refs` and `ci_relation_refs` in a join, never the CMDB's tables.
//!
//! The ticket lookup is here too: the CMDB does not build on the service desk, so it reads the
//! desk's `ticket_refs` view, and change management shares this one lookup with it.

use tandem_kernel::id::TicketId;
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Handle, run};

use crate::ci::{CiId, Classification, Label, Lifecycle};
use crate::relation::RelationKind;
use crate::store::cis::rating;

/// A CI as another capability refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiRef {
    pub id: CiId,
    pub number: i64,
    pub name: String,
    pub lifecycle: Lifecycle,
    pub classification: Classification,
}

#[derive(sqlx::FromRow)]
struct CiRefRow {
    id: CiId,
    number: i64,
    name: String,
    lifecycle: String,
    confidentiality: i32,
    integrity: i32,
    availability: i32,
    label: String,
}

impl CiRefRow {
    fn into_ref(self) -> Result<CiRef> {
        let corrupt = |e: FieldError| Error::Storage(format!("CI {}: {e}", self.id).into());
        Ok(CiRef {
            id: self.id,
            number: self.number,
            name: self.name,
            lifecycle: Lifecycle::parse("lifecycle", &self.lifecycle).map_err(corrupt)?,
            classification: Classification {
                confidentiality: rating(self.confidentiality).map_err(corrupt)?,
                integrity: rating(self.integrity).map_err(corrupt)?,
                availability: rating(self.availability).map_err(corrupt)?,
                label: Label::parse("label", &self.label).map_err(corrupt)?,
            },
        })
    }
}

/// The CI `id`, or `None` when there is no such CI.
pub async fn ci(handle: &mut impl Handle, id: CiId) -> Result<Option<CiRef>> {
    let row: Option<CiRefRow> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT id, number, name, lifecycle, confidentiality, integrity, availability, label \
             FROM ci_refs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?;
    row.map(CiRefRow::into_ref).transpose()
}

/// The relations from CI `source`, as (kind, target).
pub async fn relations_from(
    handle: &mut impl Handle,
    source: CiId,
) -> Result<Vec<(RelationKind, CiId)>> {
    let rows: Vec<(String, CiId)> = run!(handle, |c| {
        sqlx::query_as("SELECT kind, target_id FROM ci_relation_refs WHERE source_id = $1")
            .bind(source)
            .fetch_all(c)
            .await
    })?;
    rows.into_iter()
        .map(|(kind, target)| {
            RelationKind::parse("kind", &kind)
                .map(|kind| (kind, target))
                .map_err(|e| Error::Storage(format!("relation of CI {source}: {e}").into()))
        })
        .collect()
}

/// The id of the ticket numbered `number` (`T-000042`), or `None` when there is no such ticket.
pub async fn ticket_by_number(handle: &mut impl Handle, number: i64) -> Result<Option<TicketId>> {
    Ok(run!(handle, |c| {
        sqlx::query_scalar("SELECT id FROM ticket_refs WHERE number = $1")
            .bind(number)
            .fetch_optional(c)
            .await
    })?)
}
