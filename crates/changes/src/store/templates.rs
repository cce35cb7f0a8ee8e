//! The `change_templates` table: the catalogue of standard changes. A template is approved by
//! the change manager who writes it; every edit approves it again, by the editor.

use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, Handle, ResultExt, SqlTime, Unique, run};
use time::OffsetDateTime;

use super::{from_json, to_json, word};
use crate::change::{TemplateId, TemplateInput};
use crate::lifecycle::{PersonRef, Risk};

const UNIQUE: &[Unique] = &[Unique {
    target: "change_templates.name",
    field: "name",
    message: "another template already has this name",
}];

/// A standard-change template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub description: String,
    pub configuration: String,
    pub fallback: String,
    pub risk: Risk,
    pub checklist: Vec<String>,
    pub duration_minutes: i64,
    pub active: bool,
    pub approver: Option<PersonRef>,
    pub approved_at: Option<OffsetDateTime>,
    pub version: i64,
}

type Row = (
    TemplateId,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    bool,
    Option<PersonId>,
    Option<String>,
    Option<OffsetDateTime>,
    i64,
);

const SELECT: &str = "SELECT t.id, t.name, t.description, t.configuration, t.fallback, t.risk, \
     t.checklist, t.duration_minutes, t.active, t.approved_by, p.name, t.approved_at, t.version \
     FROM change_templates t LEFT JOIN person_refs p ON p.id = t.approved_by";

fn template(row: Row) -> Result<Template> {
    let (id, name, description, configuration, fallback, risk, checklist, duration, active) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    Ok(Template {
        id,
        name,
        description,
        configuration,
        fallback,
        risk: word(Risk::parse("risk", &risk))?,
        checklist: from_json("template checklist", &checklist)?,
        duration_minutes: duration,
        active,
        approver: row.9.zip(row.10).map(|(id, name)| PersonRef { id, name }),
        approved_at: row.11,
        version: row.12,
    })
}

pub async fn find(handle: &mut impl Handle, id: TemplateId) -> Result<Option<Template>> {
    let sql = format!("{SELECT} WHERE t.id = $1");
    let row: Option<Row> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(template).transpose()
}

pub async fn get(db: &Db, id: TemplateId) -> Result<Template> {
    find(&mut db.conn().await?, id)
        .await?
        .ok_or(Error::NotFound { entity: "template" })
}

/// Every template, by name.
pub async fn all(db: &Db) -> Result<Vec<Template>> {
    let sql = format!("{SELECT} ORDER BY t.name");
    let rows: Vec<Row> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(template).collect()
}

fn audited(t: &TemplateInput) -> Vec<(&'static str, String)> {
    vec![
        ("name", t.name.as_str().to_owned()),
        ("risk", t.risk.as_str().to_owned()),
        ("active", t.active.to_string()),
        ("description", t.description.as_str().to_owned()),
        ("configuration", t.configuration.as_str().to_owned()),
        ("fallback", t.fallback.as_str().to_owned()),
        ("checklist", t.checklist.join("; ")),
    ]
}

/// Saves a template, new (`id` None) or over the one at `version`, approved by `approver`.
pub async fn save(
    write: &Write,
    id: Option<(TemplateId, i64)>,
    input: &TemplateInput,
    approver: Option<&PersonRef>,
) -> Result<Template> {
    let checklist = to_json(&input.checklist)?;
    let mut tx = write.begin().await?;
    let (template_id, action) = match id {
        None => {
            let id = TemplateId::generate();
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO change_templates (id, name, description, configuration, fallback, \
                     risk, checklist, duration_minutes, active, approved_by, approved_at, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     $11, $11)",
                )
                .bind(id)
                .bind(input.name.as_str())
                .bind(input.description.as_str())
                .bind(input.configuration.as_str())
                .bind(input.fallback.as_str())
                .bind(input.risk.as_str())
                .bind(&checklist)
                .bind(input.duration_minutes)
                .bind(input.active)
                .bind(approver.map(|p| p.id))
                .bind(SqlTime(write.now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })
            .on_violation(UNIQUE)?;
            (id, Action::Create)
        }
        Some((id, version)) => {
            let changed = run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE change_templates SET name = $2, description = $3, configuration = $4, \
                     fallback = $5, risk = $6, checklist = $7, duration_minutes = $8, active = $9, \
                     approved_by = $10, approved_at = $11, updated_at = $11, version = version + 1 \
                     WHERE id = $1 AND version = $12",
                )
                .bind(id)
                .bind(input.name.as_str())
                .bind(input.description.as_str())
                .bind(input.configuration.as_str())
                .bind(input.fallback.as_str())
                .bind(input.risk.as_str())
                .bind(&checklist)
                .bind(input.duration_minutes)
                .bind(input.active)
                .bind(approver.map(|p| p.id))
                .bind(SqlTime(write.now))
                .bind(version)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })
            .on_violation(UNIQUE)?;
            tx.check_updated(changed, "change_templates", id.0, "template")
                .await?;
            (id, Action::Update)
        }
    };
    let after = audited(input);
    let changes = match action {
        Action::Create => Changes::created(&after),
        _ => Changes::diff(&[("approved by", String::new())], &after),
    };
    write
        .commit(
            tx,
            Edit::new(action, "change template", template_id, changes),
        )
        .await?;
    get(&write.db, template_id).await
}
