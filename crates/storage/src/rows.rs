//! Reading rows of one type on either engine: by id, and one page of a list. The row type
//! derives `sqlx::FromRow`, which makes it readable from both engines' rows.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_kernel::{Error, Result};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::{Arg, Db, ResultExt, Tx, bind_args, run};

/// A type read from query results of both engines.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

impl Db {
    /// Runs `sql`, which has one placeholder `$1` for `id`, and returns the row it finds.
    pub async fn fetch_by_id<T: Row>(&self, sql: &str, id: Uuid) -> Result<Option<T>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn, |c| {
            sqlx::query_as::<_, T>(AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(c)
                .await
        })?)
    }

    /// Runs `sql` with `args` (as built by [`ListQuery::page`](crate::ListQuery::page)) and
    /// returns every row.
    pub async fn fetch_all<T: Row>(&self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn, |c| {
            bind_args!(sqlx::query_as::<_, T>(AssertSqlSafe(sql)), args)
                .fetch_all(c)
                .await
        })?)
    }
}

impl Tx {
    /// Deletes the row of `table` whose `id` column is `id`; returns whether there was one.
    pub async fn delete_by_id(&mut self, table: &'static str, id: Uuid) -> Result<bool> {
        let sql = format!("DELETE FROM {table} WHERE id = $1");
        let deleted = run!(self, |c| {
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        // A row still referred to (a foreign key added by a concurrent writer) is a conflict.
        .on_violation(&[])?;
        Ok(deleted > 0)
    }

    /// Whether `table` has a row whose `id` column is `id`.
    pub async fn exists(&mut self, table: &'static str, id: Uuid) -> Result<bool> {
        let sql = format!("SELECT 1 FROM {table} WHERE id = $1");
        let found: Option<i32> = run!(self, |c| {
            sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                .bind(id)
                .fetch_optional(c)
                .await
        })?;
        Ok(found.is_some())
    }
}

impl Tx {
    /// Explains an `UPDATE … WHERE id = $1 AND version = $2` that changed `changed` rows:
    /// none because the record is gone (not found) or because someone else changed it since the
    /// caller read it (a conflict).
    pub async fn check_updated(
        &mut self,
        changed: u64,
        table: &'static str,
        id: Uuid,
        entity: &'static str,
    ) -> Result<()> {
        if changed > 0 {
            return Ok(());
        }
        if self.exists(table, id).await? {
            Err(Error::Stale { entity })
        } else {
            Err(Error::NotFound { entity })
        }
    }
}

/// How often a change without a version is tried before its conflict reaches the caller.
const ATTEMPTS: u32 = 5;

/// The turns of unversioned changes, shared out among records by their id.
static TURNS: [Mutex<()>; 64] = [const { Mutex::const_new(()) }; 64];

/// Makes a change with `save`, which reads record `id`, applies the change to what it read and
/// updates the record at a version (failing with [`Error::Stale`] when that version is no
/// longer stored).
///
/// With `version`, the version the caller based the change on, `save` runs once: a record saved
/// since is a conflict. Without one the change applies to the record as it is. Such changes of
/// one record take turns in this process, so they do not spoil each other's reads, and when
/// another writer saves the record between the read and the update, `save` runs again on what
/// is stored then, up to five times in all. Any other error ends the attempts at once.
pub async fn save_current<T, Save, Saving>(
    id: Uuid,
    version: Option<i64>,
    mut save: Save,
) -> Result<T>
where
    Save: FnMut() -> Saving,
    Saving: Future<Output = Result<T>>,
{
    if version.is_some() {
        return save().await;
    }
    let _turn = TURNS[usize::from(id.as_bytes()[15]) % TURNS.len()]
        .lock()
        .await;
    let mut attempts = 1;
    loop {
        match save().await {
            Err(Error::Stale { .. }) if attempts < ATTEMPTS => attempts += 1,
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// How often [`save_current`] runs a save that always fails with `error`.
    async fn tries(version: Option<i64>, error: fn() -> Error) -> u32 {
        let tries = AtomicU32::new(0);
        let outcome: Result<()> = save_current(Uuid::now_v7(), version, || async {
            tries.fetch_add(1, Ordering::Relaxed);
            Err(error())
        })
        .await;
        assert!(outcome.is_err());
        tries.into_inner()
    }

    #[tokio::test]
    async fn only_an_unversioned_change_that_read_a_stale_record_is_tried_again() {
        let stale = || Error::Stale { entity: "person" };
        assert_eq!(tries(None, stale).await, ATTEMPTS);
        assert_eq!(tries(Some(1), stale).await, 1, "a named version is kept");
        let taken = || Error::conflict("the e-mail address is taken");
        assert_eq!(tries(None, taken).await, 1, "other conflicts are final");
    }

    #[tokio::test]
    async fn an_unversioned_change_succeeds_once_it_reads_the_current_record() {
        let tries = AtomicU32::new(0);
        let saved = save_current(Uuid::now_v7(), None, || async {
            let tried = tries.fetch_add(1, Ordering::Relaxed) + 1;
            if tried < 3 {
                Err(Error::Stale { entity: "person" })
            } else {
                Ok(tried)
            }
        })
        .await;
        assert_eq!(saved.unwrap(), 3);
    }
}
