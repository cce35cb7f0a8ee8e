//! The `calendars` table.

use tandem_audit::{Edit, Write};
use tandem_kernel::page::{ListOptions, Page};
use tandem_kernel::text::Name;
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, ListQuery, ResultExt, SqlTime, Unique, run};
use time::OffsetDateTime;

use crate::calendar::CalendarDraft;
use crate::calendars::{BusinessCalendar, BusinessCalendarInput, CalendarId};

const SELECT: &str =
    "SELECT id, name, time_zone, week, holidays, created_at, updated_at, version FROM calendars";

const UNIQUE: &[Unique] = &[Unique {
    target: "calendars.name",
    field: "name",
    message: "another calendar already has this name",
}];

/// A row as stored; [`BusinessCalendar`] once its fields are checked again.
#[derive(sqlx::FromRow)]
pub struct CalendarRow {
    id: CalendarId,
    name: String,
    time_zone: String,
    week: String,
    holidays: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

impl TryFrom<CalendarRow> for BusinessCalendar {
    type Error = Error;

    fn try_from(row: CalendarRow) -> Result<Self> {
        let corrupt = |what: String| Error::Storage(format!("calendar {}: {what}", row.id).into());
        let week: Vec<String> =
            serde_json::from_str(&row.week).map_err(|e| corrupt(e.to_string()))?;
        let week: [String; 7] = week
            .try_into()
            .map_err(|_| corrupt("the week does not have seven days".into()))?;
        let calendar = CalendarDraft {
            time_zone: row.time_zone,
            week,
            holidays: row.holidays,
        }
        .validate()
        .map_err(|e| corrupt(e.to_string()))?;
        Ok(Self {
            id: row.id,
            name: Name::parse("name", &row.name).map_err(|e| corrupt(e.to_string()))?,
            calendar,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

/// Columns a calendar list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
}

impl Sort {
    pub const OPTIONS: [(&'static str, Self); 1] = [("name", Self::Name)];
}

pub async fn get(db: &Db, id: CalendarId) -> Result<BusinessCalendar> {
    let row: CalendarRow = db
        .fetch_by_id(&format!("{SELECT} WHERE id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound { entity: "calendar" })?;
    row.try_into()
}

pub async fn list(db: &Db, options: &ListOptions<Sort>) -> Result<Page<BusinessCalendar>> {
    let mut query = ListQuery::new(SELECT);
    if let Some(term) = options.search.as_deref().filter(|t| !t.is_empty()) {
        query = query.contains("name", term);
    }
    let page: Page<CalendarRow> = query
        .fetch_page(db, "name", "id", options, |c: &CalendarRow| {
            (c.name.clone(), c.id.0)
        })
        .await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(BusinessCalendar::try_from)
            .collect::<Result<_>>()?,
        next: page.next,
    })
}

/// Every calendar, by name: the list page shows them all.
pub async fn all(db: &Db) -> Result<Vec<BusinessCalendar>> {
    let rows: Vec<CalendarRow> = db
        .fetch_all(&format!("{SELECT} ORDER BY name, id"), &[])
        .await?;
    rows.into_iter().map(BusinessCalendar::try_from).collect()
}

/// Every calendar's id and name, by name: the choices of an agreement's calendar field.
pub async fn choices(db: &Db) -> Result<Vec<(CalendarId, String)>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, (CalendarId, String)>(
            "SELECT id, name FROM calendars ORDER BY name, id",
        )
        .fetch_all(c)
        .await
    })?)
}

fn week_json(input: &BusinessCalendarInput) -> String {
    serde_json::to_string(&input.calendar.draft().week).expect("strings serialise")
}

pub async fn create(write: &Write, input: BusinessCalendarInput) -> Result<BusinessCalendar> {
    let id = CalendarId::generate();
    let draft = input.calendar.draft();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO calendars (id, name, time_zone, week, holidays, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(&draft.time_zone)
        .bind(week_json(&input))
        .bind(&draft.holidays)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit(tx, Edit::created("calendar", id, &input.audit_fields()))
        .await?;
    get(&write.db, id).await
}

/// Saves `input` over the calendar, if the record is still at `version`.
pub async fn update(
    write: &Write,
    id: CalendarId,
    version: i64,
    input: BusinessCalendarInput,
) -> Result<BusinessCalendar> {
    let before = get(&write.db, id).await?;
    let draft = input.calendar.draft();
    let mut tx = write.begin().await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE calendars SET name = $2, time_zone = $3, week = $4, holidays = $5, updated_at = $6, \
             version = version + 1 WHERE id = $1 AND version = $7",
        )
        .bind(id)
        .bind(input.name.as_str())
        .bind(&draft.time_zone)
        .bind(week_json(&input))
        .bind(&draft.holidays)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    write
        .commit_update(
            tx,
            changed,
            "calendars",
            id.0,
            Edit::updated(
                "calendar",
                id,
                &before.audit_fields(),
                &input.audit_fields(),
            ),
        )
        .await?;
    get(&write.db, id).await
}

/// Deletes a calendar no agreement uses.
pub async fn delete(write: &Write, id: CalendarId) -> Result<()> {
    let before = get(&write.db, id).await?;
    let mut tx = write.begin().await?;
    let in_use: i64 = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT count(*) FROM agreements WHERE calendar_id = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    if in_use > 0 {
        return Err(Error::conflict(format!(
            "{in_use} agreements use this calendar; change or delete them first"
        )));
    }
    if !tx.delete_by_id("calendars", id.0).await? {
        return Err(Error::NotFound { entity: "calendar" });
    }
    write
        .commit(tx, Edit::deleted("calendar", id, &before.audit_fields()))
        .await
}
