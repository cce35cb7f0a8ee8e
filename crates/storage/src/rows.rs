//! Reading rows of one type on either engine: by id, and one page of a list. The row type
//! derives `sqlx::FromRow`, which makes it readable from both engines' rows.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow};
use tandem_kernel::Result;
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
            Err(tandem_kernel::Error::conflict(format!(
                "the {entity} was changed by someone else after you loaded it; reload it and make your change again"
            )))
        } else {
            Err(tandem_kernel::Error::NotFound { entity })
        }
    }
}
