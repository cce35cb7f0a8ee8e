//! The two engines build the same schema. Each capability's migrations are written by hand
//! twice, once for SQLite and once for PostgreSQL; nothing but this test notices when a table,
//! a column or a NOT NULL lands in one folder and not in the other.

use std::collections::{BTreeMap, BTreeSet};

use tandem::config::Config;
use tandem_storage::{Db, Engine, Pool};

use crate::harness::TestDatabase;

/// Per table or view (the `*_refs` views capabilities publish to each other), its columns and
/// whether each is NOT NULL.
type Schema = BTreeMap<String, BTreeMap<String, bool>>;

/// The bookkeeping table of sqlx's migrator, which is not part of Tandem's schema.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Guards against drift between `migrations/sqlite` and `migrations/postgres`: both engines,
/// migrated from nothing, must have the same tables, each with the same columns, and each
/// column must be NOT NULL on both or on neither. A difference fails the test with every
/// difference listed, so that the whole drift shows at once. (Column types, defaults,
/// indexes and constraints other than NOT NULL are not compared.)
#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    let sqlite_database = TestDatabase::create(Engine::Sqlite).await;
    let postgres_database = TestDatabase::create(Engine::Postgres).await;
    let sqlite_db = migrated(&sqlite_database).await;
    let postgres_db = migrated(&postgres_database).await;
    assert_eq!(sqlite_db.engine(), Engine::Sqlite);
    assert_eq!(postgres_db.engine(), Engine::Postgres);

    let sqlite = schema(&sqlite_db).await;
    let postgres = schema(&postgres_db).await;
    sqlite_db.close().await;
    postgres_db.close().await;

    // Reading nothing on both sides would compare equal: make sure something was read.
    assert!(
        sqlite.len() > 40,
        "only {} tables read from SQLite: {:?}",
        sqlite.len(),
        sqlite.keys().collect::<Vec<_>>()
    );
    assert!(
        postgres.len() > 40,
        "only {} tables read from PostgreSQL: {:?}",
        postgres.len(),
        postgres.keys().collect::<Vec<_>>()
    );

    let differences = differences(&sqlite, &postgres);
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} differences):\n  {}",
        differences.len(),
        differences.join("\n  ")
    );
}

/// Opens `database` and applies every migration, as the application does at start.
async fn migrated(database: &TestDatabase) -> Db {
    let config = Config {
        database_url: Some(database.url.clone()),
        ..Config::default()
    };
    tandem::app::open_database(&config)
        .await
        .expect("open and migrate the test database")
}

/// The user tables of `db` with their columns, without sqlx's and SQLite's own tables.
async fn schema(db: &Db) -> Schema {
    let mut schema = Schema::new();
    match db.pool() {
        Pool::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
            )
            .fetch_all(pool)
            .await
            .expect("list the SQLite tables");
            for table in tables {
                if table == MIGRATIONS_TABLE || table.starts_with("sqlite_") {
                    continue;
                }
                let columns: Vec<(String, i64, i64)> =
                    sqlx::query_as(r#"SELECT name, "notnull", pk FROM pragma_table_info($1)"#)
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap_or_else(|e| {
                            panic!("read the columns of SQLite table {table}: {e}")
                        });
                assert!(
                    !columns.is_empty(),
                    "no columns read for SQLite table {table}"
                );
                // SQLite does not report a primary-key column as NOT NULL unless it says so
                // (and an INTEGER PRIMARY KEY cannot hold NULL anyway); PostgreSQL always
                // does. Count a primary-key column as NOT NULL.
                let columns = columns
                    .into_iter()
                    .map(|(name, not_null, pk)| (name, not_null != 0 || pk != 0))
                    .collect();
                schema.insert(table, columns);
            }
        }
        Pool::Postgres(pool) => {
            // Casts to text: the information schema's own types (sql_identifier, yes_or_no)
            // are domains, which the driver need not accept as strings.
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'VIEW')",
            )
            .fetch_all(pool)
            .await
            .expect("list the PostgreSQL tables");
            for table in tables {
                if table != MIGRATIONS_TABLE {
                    schema.insert(table, BTreeMap::new());
                }
            }
            let columns: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text = 'NO' \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .fetch_all(pool)
            .await
            .expect("list the PostgreSQL columns");
            for (table, column, not_null) in columns {
                // The columns of sqlx's table have no entry and are skipped.
                if let Some(columns) = schema.get_mut(&table) {
                    columns.insert(column, not_null);
                }
            }
            for (table, columns) in &schema {
                assert!(
                    !columns.is_empty(),
                    "no columns read for PostgreSQL table {table}"
                );
            }
        }
    }
    schema
}

/// Every way `sqlite` and `postgres` differ, one line each, in table and column order.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let null = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
    let mut differences = Vec::new();
    let tables: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for table in tables {
        let (on_sqlite, on_postgres) = match (sqlite.get(table), postgres.get(table)) {
            (Some(on_sqlite), Some(on_postgres)) => (on_sqlite, on_postgres),
            (Some(_), None) => {
                differences.push(format!("table {table}: only on SQLite"));
                continue;
            }
            (None, Some(_)) => {
                differences.push(format!("table {table}: only on PostgreSQL"));
                continue;
            }
            (None, None) => unreachable!("{table} came from one of the two"),
        };
        let columns: BTreeSet<&String> = on_sqlite.keys().chain(on_postgres.keys()).collect();
        for column in columns {
            match (on_sqlite.get(column), on_postgres.get(column)) {
                (Some(&s), Some(&p)) if s != p => differences.push(format!(
                    "column {table}.{column}: {} on SQLite but {} on PostgreSQL",
                    null(s),
                    null(p)
                )),
                (Some(_), Some(_)) => {}
                (Some(_), None) => {
                    differences.push(format!("column {table}.{column}: only on SQLite"));
                }
                (None, Some(_)) => {
                    differences.push(format!("column {table}.{column}: only on PostgreSQL"));
                }
                (None, None) => unreachable!("{table}.{column} came from one of the two"),
            }
        }
    }
    differences
}
