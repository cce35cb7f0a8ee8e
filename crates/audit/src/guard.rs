//! The append-only guards of the trail: the triggers (and, on PostgreSQL, their function) that
//! make the database refuse to change or remove an entry. The trail's first migration is their
//! one definition: this module reads its statements from that file to know their names, to
//! find the guards that are missing or disabled, and to create them again exactly as the
//! migration did.

use sqlx::AssertSqlSafe;
use tandem_kernel::{Actor, Result};
use tandem_storage::{Db, Engine, Handle, run};
use time::OffsetDateTime;

use crate::entry::{Action, Changes};
use crate::store::{Record, record};

/// The migrations that created the guards; they are the statements after [`MARKER`].
const SQLITE: &str = include_str!("../migrations/sqlite/20261123000400_audit.sql");
const POSTGRES: &str = include_str!("../migrations/postgres/20261123000400_audit.sql");
const MARKER: &str = "-- Append-only: the database itself refuses to change or remove an entry.\n";

/// One guard, as the migration creates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub name: &'static str,
    /// A trigger rather than a function.
    pub trigger: bool,
    /// The `CREATE …` statement of the migration.
    statement: &'static str,
}

/// The guards of `engine`, in the order the migration creates them: every `CREATE` statement
/// after the migration's `-- Append-only:` line.
pub fn guards(engine: Engine) -> Vec<Guard> {
    let migration = match engine {
        Engine::Sqlite => SQLITE,
        Engine::Postgres => POSTGRES,
    };
    let Some((_, tail)) = migration.split_once(MARKER) else {
        return Vec::new();
    };
    let mut starts: Vec<usize> = tail
        .match_indices("\nCREATE ")
        .map(|(i, _)| i + 1)
        .collect();
    if tail.starts_with("CREATE ") {
        starts.insert(0, 0);
    }
    let ends = starts.iter().skip(1).copied().chain([tail.len()]);
    starts
        .iter()
        .copied()
        .zip(ends)
        .filter_map(|(start, end)| {
            let statement = tail[start..end].trim();
            let mut words = statement.split_whitespace().skip(1);
            let trigger = words.next()? == "TRIGGER";
            let name = words.next()?.split('(').next()?;
            Some(Guard {
                name,
                trigger,
                statement,
            })
        })
        .collect()
}

/// The names of the guards in force: the triggers on `audit_entries` and, on PostgreSQL, the
/// functions in the table's schema. A PostgreSQL trigger counts only when it fires in ordinary
/// sessions (`tgenabled` `O`, or `A` for always), not when disabled (`D`) or set to fire on
/// replicas only (`R`).
async fn in_force(handle: &mut impl Handle, engine: Engine) -> Result<Vec<String>> {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'"
        }
        Engine::Postgres => {
            "SELECT tgname::text FROM pg_trigger \
             WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal AND tgenabled IN ('O', 'A') \
             UNION ALL \
             SELECT proname::text FROM pg_proc \
             WHERE pronamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'audit_entries'::regclass)"
        }
    };
    Ok(run!(handle, |c| sqlx::query_scalar(sql)
        .fetch_all(c)
        .await)?)
}

/// The guards of `engine` that are not among `present`.
fn absent(engine: Engine, present: &[String]) -> Vec<Guard> {
    guards(engine)
        .into_iter()
        .filter(|g| !present.iter().any(|p| p == g.name))
        .collect()
}

/// The names of the guards that are missing or (on PostgreSQL) disabled; empty when the trail
/// is guarded.
pub async fn missing(db: &Db) -> Result<Vec<&'static str>> {
    let mut conn = db.conn().await?;
    let present = in_force(&mut conn, db.engine()).await?;
    Ok(absent(db.engine(), &present)
        .into_iter()
        .map(|g| g.name)
        .collect())
}

/// Creates the missing or disabled guards again with the migration's statements (a disabled
/// trigger is dropped first), and records that in the trail, all in one transaction. Returns
/// the names of the guards restored; empty when none was missing (nothing is written then).
/// Fails, restoring nothing, when the entry cannot be written.
pub async fn restore(db: &Db, actor: &Actor, now: OffsetDateTime) -> Result<Vec<&'static str>> {
    let engine = db.engine();
    let mut tx = db.begin().await?;
    let present = in_force(&mut tx, engine).await?;
    let restored = absent(engine, &present);
    if restored.is_empty() {
        return Ok(Vec::new());
    }
    for guard in &restored {
        if guard.trigger {
            let drop_sql = match engine {
                Engine::Sqlite => format!("DROP TRIGGER IF EXISTS {}", guard.name),
                Engine::Postgres => {
                    format!("DROP TRIGGER IF EXISTS {} ON audit_entries", guard.name)
                }
            };
            run!(&mut tx, |c| sqlx::raw_sql(AssertSqlSafe(drop_sql.as_str()))
                .execute(c)
                .await
                .map(|_| ()))?;
        }
        run!(&mut tx, |c| sqlx::raw_sql(guard.statement)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    let names: Vec<&'static str> = restored.iter().map(|g| g.name).collect();
    record(
        &mut tx,
        Record {
            actor,
            at: now,
            action: Action::Update,
            entity: "audit trail",
            entity_id: String::new(),
            changes: Changes::created(&[("restored", names.join(", "))]),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guards_are_read_from_the_migrations() {
        let names = |engine| {
            guards(engine)
                .iter()
                .map(|g| (g.name, g.trigger))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Engine::Sqlite),
            [
                ("audit_entries_no_update", true),
                ("audit_entries_no_delete", true)
            ]
        );
        assert_eq!(
            names(Engine::Postgres),
            [
                ("audit_entries_append_only", false),
                ("audit_entries_no_update", true)
            ]
        );
        let sqlite = guards(Engine::Sqlite);
        assert!(
            sqlite[1]
                .statement
                .starts_with("CREATE TRIGGER audit_entries_no_delete BEFORE DELETE")
                && sqlite[1].statement.ends_with("END;"),
            "{}",
            sqlite[1].statement
        );
        let postgres = guards(Engine::Postgres);
        assert!(
            postgres[0].statement.ends_with("$$ LANGUAGE plpgsql;")
                && postgres[1]
                    .statement
                    .ends_with("EXECUTE FUNCTION audit_entries_append_only();"),
            "{postgres:?}"
        );
    }

    #[test]
    fn a_guard_is_absent_unless_its_name_is_in_force() {
        let present = vec!["audit_entries_no_update".to_owned(), "other".to_owned()];
        let absent: Vec<_> = absent(Engine::Sqlite, &present)
            .iter()
            .map(|g| g.name)
            .collect();
        assert_eq!(absent, ["audit_entries_no_delete"]);
    }
}
