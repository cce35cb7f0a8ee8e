//! Turning driver errors into the kernel's [`Error`], with constraint violations phrased for the
//! person who caused them.

use tandem_kernel::Error;

/// A unique constraint and what to tell the caller who broke it.
#[derive(Debug, Clone, Copy)]
pub struct Unique {
    /// `table.column`, as SQLite names it in its message; on PostgreSQL the constraint must keep
    /// its default name `table_column_key`.
    pub target: &'static str,
    /// The input field the caller filled in.
    pub field: &'static str,
    pub message: &'static str,
}

/// Converts query results into domain results.
pub trait ResultExt<T> {
    /// Maps a violation of one of `rules` to [`Error::Conflict`] on its field, a violated
    /// foreign key to [`Error::Conflict`] without a field, and anything else to a storage error.
    fn on_violation(self, rules: &[Unique]) -> Result<T, Error>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_violation(self, rules: &[Unique]) -> Result<T, Error> {
        self.map_err(|error| {
            let Some(db) = error.as_database_error() else {
                return Error::from(error);
            };
            if db.is_unique_violation() {
                let target = unique_target(db);
                if let Some(rule) = rules.iter().find(|r| Some(r.target) == target.as_deref()) {
                    return Error::Conflict {
                        message: rule.message.to_owned(),
                        field: Some(rule.field),
                    };
                }
            }
            if db.is_foreign_key_violation() {
                return Error::conflict("the record refers to something that does not exist, or is still referred to by other records");
            }
            Error::from(error)
        })
    }
}

/// `table.column` of a violated single-column unique constraint, on either engine.
fn unique_target(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    if let (Some(table), Some(constraint)) = (db.table(), db.constraint()) {
        let column = constraint
            .strip_prefix(table)?
            .strip_prefix('_')?
            .strip_suffix("_key")?;
        return Some(format!("{table}.{column}"));
    }
    db.message()
        .strip_prefix("UNIQUE constraint failed: ")
        .map(|rest| rest.split(',').next().unwrap_or(rest).trim().to_owned())
}
