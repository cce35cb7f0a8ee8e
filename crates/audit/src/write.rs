//! The write path every capability shares: a [`Write`] says who writes to which database and
//! when (made once per request by its extractor, or by a job or the demo), and it ends every
//! audited write the same way: the record's [`Edit`] goes into the trail in the write's own
//! transaction, then the transaction commits. An update of a versioned record first learns
//! whether its `UPDATE … WHERE id = $1 AND version = $2` found the version it was based on.

use std::fmt::Display;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tandem_kernel::{Actor, Result};
use tandem_storage::{Db, Tx};
use tandem_web::{ApiError, AppState, RequestAccess};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entry::{Action, Changes};
use crate::store::{Record, record};

/// Who writes, to which database, and when.
#[derive(Debug, Clone)]
pub struct Write {
    pub db: Db,
    pub actor: Actor,
    pub now: OffsetDateTime,
}

/// What an audited write did to one record: its entry in the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub action: Action,
    /// What kind of record, in the users' words: `person`, `team`, `gap assessment`.
    pub entity: &'static str,
    pub entity_id: String,
    pub changes: Changes,
}

impl Edit {
    pub fn new(action: Action, entity: &'static str, id: impl Display, changes: Changes) -> Self {
        Self {
            action,
            entity,
            entity_id: id.to_string(),
            changes,
        }
    }

    /// A record created, with every field's value.
    pub fn created<F: AsRef<str>>(
        entity: &'static str,
        id: impl Display,
        fields: &[(F, String)],
    ) -> Self {
        Self::new(Action::Create, entity, id, Changes::created(fields))
    }

    /// A record changed: the fields whose values differ, before and after.
    pub fn updated<F: AsRef<str>>(
        entity: &'static str,
        id: impl Display,
        before: &[(F, String)],
        after: &[(F, String)],
    ) -> Self {
        Self::new(Action::Update, entity, id, Changes::diff(before, after))
    }

    /// A record deleted, with the values it had.
    pub fn deleted<F: AsRef<str>>(
        entity: &'static str,
        id: impl Display,
        fields: &[(F, String)],
    ) -> Self {
        Self::new(Action::Delete, entity, id, Changes::deleted(fields))
    }
}

impl Write {
    pub fn new(db: &Db, actor: &Actor, now: OffsetDateTime) -> Self {
        Self {
            db: db.clone(),
            actor: actor.clone(),
            now,
        }
    }

    /// Starts the write's transaction.
    pub async fn begin(&self) -> Result<Tx> {
        self.db.begin().await
    }

    /// Records `edit` in the trail inside `tx`, for a write that changes more than one record
    /// before it ends with [`Write::commit`].
    pub async fn record(&self, tx: &mut Tx, edit: Edit) -> Result<()> {
        record(
            tx,
            Record {
                actor: &self.actor,
                at: self.now,
                action: edit.action,
                entity: edit.entity,
                entity_id: edit.entity_id,
                changes: edit.changes,
            },
        )
        .await?;
        Ok(())
    }

    /// Ends an audited write: `edit` goes into the trail and `tx` commits, so that the change and
    /// its entry are stored together or not at all.
    pub async fn commit(&self, mut tx: Tx, edit: Edit) -> Result<()> {
        self.record(&mut tx, edit).await?;
        tx.commit().await
    }

    /// Ends the audited update of the versioned record `id` of `table`, whose
    /// `UPDATE … WHERE id = $1 AND version = $2` changed `changed` rows: none is a conflict
    /// ([`tandem_kernel::Error::Stale`]) or, when the record is gone, not found; and nothing is
    /// recorded or committed then.
    pub async fn commit_update(
        &self,
        mut tx: Tx,
        changed: u64,
        table: &'static str,
        id: Uuid,
        edit: Edit,
    ) -> Result<()> {
        tx.check_updated(changed, table, id, edit.entity).await?;
        self.commit(tx, edit).await
    }
}

/// A write of the request's actor at the application clock's now.
impl FromRequestParts<AppState> for Write {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Self::Rejection> {
        let RequestAccess(access) = RequestAccess::from_request_parts(parts, state).await?;
        Ok(Self {
            db: state.db.clone(),
            actor: access.actor,
            now: state.clock.now(),
        })
    }
}
