//! A person's saved views of the desk. Each person sees and changes only their own; saving a
//! name again replaces that view's query.

use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::text::Name;
use tandem_kernel::{Error, Result, entity_id};
use tandem_storage::{Db, SqlTime, run};

entity_id!(
    /// Identifies a saved view of the desk.
    SavedFilterId
);

/// A saved view: its name and the desk's query string (`queue=open&team=…&q=…`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedFilter {
    pub id: SavedFilterId,
    pub name: String,
    pub query: String,
}

/// `person`'s saved views, by name.
pub async fn list(db: &Db, person: PersonId) -> Result<Vec<SavedFilter>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, SavedFilter>(
            "SELECT id, name, query FROM saved_filters WHERE person_id = $1 ORDER BY name, id",
        )
        .bind(person)
        .fetch_all(c)
        .await
    })?)
}

/// Saves `query` as `person`'s view `name`, replacing a view of that name.
pub async fn save(
    write: &Write,
    person: PersonId,
    name: &Name,
    query: &str,
) -> Result<SavedFilterId> {
    let mut tx = write.begin().await?;
    let existing: Option<(SavedFilterId, String)> = run!(&mut tx, |c| {
        sqlx::query_as("SELECT id, query FROM saved_filters WHERE person_id = $1 AND name = $2")
            .bind(person)
            .bind(name.as_str())
            .fetch_optional(c)
            .await
    })?;
    let (id, action, changes) = match existing {
        Some((id, old)) => {
            run!(&mut tx, |c| {
                sqlx::query("UPDATE saved_filters SET query = $2 WHERE id = $1")
                    .bind(id)
                    .bind(query)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            (
                id,
                Action::Update,
                Changes::diff(&[("query", old)], &[("query", query.to_owned())]),
            )
        }
        None => {
            let id = SavedFilterId::generate();
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO saved_filters (id, person_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(person)
                .bind(name.as_str())
                .bind(query)
                .bind(SqlTime(write.now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            (
                id,
                Action::Create,
                Changes::created(&[("name", name.to_string()), ("query", query.to_owned())]),
            )
        }
    };
    write
        .commit(tx, Edit::new(action, "saved filter", id, changes))
        .await?;
    Ok(id)
}

/// Removes `person`'s view `id`; another person's view is not found.
pub async fn delete(write: &Write, person: PersonId, id: SavedFilterId) -> Result<()> {
    let mut tx = write.begin().await?;
    let found: Option<(String, String)> = run!(&mut tx, |c| {
        sqlx::query_as("SELECT name, query FROM saved_filters WHERE id = $1 AND person_id = $2")
            .bind(id)
            .bind(person)
            .fetch_optional(c)
            .await
    })?;
    let (name, query) = found.ok_or(Error::NotFound {
        entity: "saved filter",
    })?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM saved_filters WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::deleted("saved filter", id, &[("name", name), ("query", query)]),
        )
        .await
}
