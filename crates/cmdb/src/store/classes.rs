//! The `ci_classes` table: the built-in classes come with the schema, administrators add their
//! own and extend the attribute sets of any.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, Handle, ResultExt, SqlTime, Unique, run};

use crate::class::{AttributeDef, CiClass, ClassDraft, ClassKey};

const UNIQUE: &[Unique] = &[
    Unique {
        target: "ci_classes.key",
        field: "key",
        message: "another class already has this key",
    },
    Unique {
        target: "ci_classes.name",
        field: "name",
        message: "another class already has this name",
    },
];

#[derive(sqlx::FromRow)]
struct ClassRow {
    key: ClassKey,
    name: String,
    description: String,
    builtin: bool,
    is_cluster: bool,
    attributes: String,
    version: i64,
}

impl ClassRow {
    fn into_class(self) -> Result<CiClass> {
        let attributes: Vec<AttributeDef> = serde_json::from_str(&self.attributes)
            .map_err(|e| Error::Storage(format!("class {}: {e}", self.key).into()))?;
        Ok(CiClass {
            key: self.key,
            name: self.name,
            description: self.description,
            builtin: self.builtin,
            is_cluster: self.is_cluster,
            attributes,
            version: self.version,
        })
    }
}

const SELECT: &str =
    "SELECT key, name, description, builtin, is_cluster, attributes, version FROM ci_classes";

/// The class keyed `key`, read through `handle` (a connection or the caller's transaction).
pub async fn find(handle: &mut impl Handle, key: &str) -> Result<Option<CiClass>> {
    let sql = format!("{SELECT} WHERE key = $1");
    let row: Option<ClassRow> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(key)
            .fetch_optional(c)
            .await
    })?;
    row.map(ClassRow::into_class).transpose()
}

/// The class keyed `key`.
pub async fn get(db: &Db, key: &str) -> Result<CiClass> {
    let mut conn = db.conn().await?;
    find(&mut conn, key)
        .await?
        .ok_or(Error::NotFound { entity: "CI class" })
}

/// Every class, by name.
pub async fn all(db: &Db) -> Result<Vec<CiClass>> {
    let rows: Vec<ClassRow> = db
        .fetch_all(&format!("{SELECT} ORDER BY name, key"), &[])
        .await?;
    rows.into_iter().map(ClassRow::into_class).collect()
}

fn audit_fields(class: &ClassDraft) -> Vec<(&'static str, String)> {
    vec![
        ("key", class.key.clone()),
        ("name", class.name.clone()),
        ("description", class.description.clone()),
        ("cluster", class.is_cluster.to_string()),
        (
            "attributes",
            class
                .attributes
                .iter()
                .map(|a| format!("{} ({})", a.key, a.kind))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

/// Adds a class.
pub async fn create(write: &Write, class: ClassDraft) -> Result<CiClass> {
    let attributes = super::to_json(&class.attributes)?;
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) \
             VALUES ($1, $2, $3, FALSE, $4, $5, $6, $6)",
        )
        .bind(&class.key)
        .bind(&class.name)
        .bind(&class.description)
        .bind(class.is_cluster)
        .bind(&attributes)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit(
            tx,
            Edit::created("CI class", &class.key, &audit_fields(&class)),
        )
        .await?;
    get(&write.db, &class.key).await
}

/// Saves the name, description and attribute set of the class `key` if it is still at
/// `version`. The key and whether it is a cluster stay. CIs keep their values; each is checked
/// against the new set when it is next saved.
pub async fn update(write: &Write, key: &str, version: i64, class: ClassDraft) -> Result<CiClass> {
    let before = get(&write.db, key).await?;
    let attributes = super::to_json(&class.attributes)?;
    let mut tx = write.begin().await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE ci_classes SET name = $2, description = $3, attributes = $4, updated_at = $5, \
             version = version + 1 WHERE key = $1 AND version = $6",
        )
        .bind(key)
        .bind(&class.name)
        .bind(&class.description)
        .bind(&attributes)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    if changed == 0 {
        return Err(Error::conflict(
            "the class was changed by someone else after you loaded it; reload it and make your change again",
        ));
    }
    let before = ClassDraft {
        key: before.key.to_string(),
        name: before.name,
        description: before.description,
        is_cluster: before.is_cluster,
        attributes: before.attributes,
    };
    let after = ClassDraft {
        key: key.to_owned(),
        is_cluster: before.is_cluster,
        ..class
    };
    write
        .commit(
            tx,
            Edit::updated(
                "CI class",
                key,
                &audit_fields(&before),
                &audit_fields(&after),
            ),
        )
        .await?;
    get(&write.db, key).await
}
