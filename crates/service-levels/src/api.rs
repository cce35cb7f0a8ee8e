//! The service levels' JSON API under `/api/v1`: business-hours calendars (list, create, read,
//! change, delete) and the due-time calculator of a calendar.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Error, Need, Permission, id::parse_id};
use tandem_web::{ApiError, ApiJson, ApiQuery, ApiResult, AppState, RequestActor, Routes, created};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::calendar::{CalendarDraft, Pause};
use crate::calendars::{BusinessCalendar, BusinessCalendarDraft, CalendarId};
use crate::store::calendars;

/// The service levels' routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::ServiceLevelsRead);
    let write = Need::Permission(Permission::ServiceLevelsWrite);
    Routes::new()
        .api(read, routes!(list_calendars))
        .api(write, routes!(create_calendar))
        .api(read, routes!(get_calendar))
        .api(write, routes!(update_calendar, delete_calendar))
        .api(read, routes!(calendar_due))
}

fn calendar_id(raw: &str) -> Result<CalendarId, ApiError> {
    parse_id("id", raw).map_err(|_| ApiError::from(Error::NotFound { entity: "calendar" }))
}

/// The working ranges of each weekday, as `08:00-12:00, 13:00-17:00` (empty: no work;
/// `00:00-24:00`: the whole day).
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Week {
    monday: String,
    tuesday: String,
    wednesday: String,
    thursday: String,
    friday: String,
    saturday: String,
    sunday: String,
}

impl Week {
    fn from_days(days: [String; 7]) -> Self {
        let [
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
        ] = days;
        Self {
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
        }
    }

    fn into_days(self) -> [String; 7] {
        [
            self.monday,
            self.tuesday,
            self.wednesday,
            self.thursday,
            self.friday,
            self.saturday,
            self.sunday,
        ]
    }
}

/// A business-hours calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    /// IANA time zone the working ranges are in, e.g. `Europe/Berlin`.
    time_zone: String,
    week: Week,
    /// `MM-DD name` every year, `YYYY-MM-DD name` once.
    holidays: Vec<String>,
    /// Working minutes in a week without holidays.
    weekly_minutes: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    /// Counts the saves; send it back in a change to be sure nobody changed it meanwhile.
    version: i64,
}

impl From<BusinessCalendar> for CalendarView {
    fn from(c: BusinessCalendar) -> Self {
        let draft = c.calendar.draft();
        Self {
            id: c.id.to_string(),
            name: c.name.into_inner(),
            weekly_minutes: c.calendar.weekly_minutes(),
            time_zone: draft.time_zone,
            week: Week::from_days(draft.week),
            holidays: draft.holidays.lines().map(str::to_owned).collect(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// The fields of a new calendar.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    /// Unique, at most 200 characters.
    name: String,
    time_zone: String,
    week: Week,
    #[serde(default)]
    holidays: Vec<String>,
}

/// The fields to change; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarChanges {
    name: Option<String>,
    time_zone: Option<String>,
    /// Replaces the whole week.
    week: Option<Week>,
    /// Replaces every holiday.
    holidays: Option<Vec<String>>,
    /// The `version` the change is based on; if the calendar was saved since, 409.
    version: Option<i64>,
}

/// Query parameters of the calendar list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarListParams {
    /// Case-insensitive text to search for in the name.
    q: Option<String>,
    /// `name` (the default).
    sort: Option<String>,
    /// `asc` (default) or `desc`.
    dir: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// A page of calendars.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    items: Vec<CalendarView>,
    /// Pass as `after` to get the next page; `null` on the last page.
    next: Option<String>,
}

/// List calendars by name.
#[utoipa::path(get, path = "/calendars", tag = "service levels", params(CalendarListParams),
    responses((status = 200, body = CalendarList), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_calendars(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CalendarListParams>,
) -> ApiResult<Json<CalendarList>> {
    let options = ListOptions::parse(
        &ListParams {
            search: query.q.as_deref(),
            sort: query.sort.as_deref(),
            direction: query.dir.as_deref(),
            after: query.after.as_deref(),
            limit: query.limit,
        },
        &calendars::Sort::OPTIONS,
    )?;
    let page = calendars::list(&state.db, &options).await?;
    Ok(Json(CalendarList {
        items: page.items.into_iter().map(CalendarView::from).collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// Create a calendar. A calendar without any working time is refused.
#[utoipa::path(post, path = "/calendars", tag = "service levels", request_body = NewCalendar,
    responses((status = 201, body = CalendarView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_calendar(
    RequestActor(actor): RequestActor,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewCalendar>,
) -> ApiResult<Response> {
    let input = BusinessCalendarDraft {
        name: body.name,
        calendar: CalendarDraft {
            time_zone: body.time_zone,
            week: body.week.into_days(),
            holidays: body.holidays.join("\n"),
        },
    }
    .validate()?;
    let calendar = calendars::create(&state.db, &actor, state.clock.now(), input).await?;
    Ok(created(
        format!("/api/v1/calendars/{}", calendar.id),
        CalendarView::from(calendar),
    ))
}

/// Read one calendar.
#[utoipa::path(get, path = "/calendars/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 200, body = CalendarView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_calendar(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(
        calendars::get(&state.db, calendar_id(&id)?).await?.into(),
    ))
}

/// Change some fields of a calendar.
#[utoipa::path(patch, path = "/calendars/{id}", tag = "service levels", params(("id" = String, Path)), request_body = CalendarChanges,
    responses((status = 200, body = CalendarView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_calendar(
    RequestActor(actor): RequestActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<CalendarChanges>,
) -> ApiResult<Json<CalendarView>> {
    let id = calendar_id(&id)?;
    let current = calendars::get(&state.db, id).await?;
    let version = changes.version.unwrap_or(current.version);
    let mut draft = current.calendar.draft();
    if let Some(zone) = changes.time_zone {
        draft.time_zone = zone;
    }
    if let Some(week) = changes.week {
        draft.week = week.into_days();
    }
    if let Some(holidays) = changes.holidays {
        draft.holidays = holidays.join("\n");
    }
    let input = BusinessCalendarDraft {
        name: changes.name.unwrap_or_else(|| current.name.to_string()),
        calendar: draft,
    }
    .validate()?;
    let updated =
        calendars::update(&state.db, &actor, state.clock.now(), id, version, input).await?;
    Ok(Json(updated.into()))
}

/// Delete a calendar that no agreement uses.
#[utoipa::path(delete, path = "/calendars/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_calendar(
    RequestActor(actor): RequestActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    calendars::delete(&state.db, &actor, state.clock.now(), calendar_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stretch in which the clock stands still.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    from: OffsetDateTime,
    /// Absent while the pause lasts (the clock is stopped: nothing falls due after it starts).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    until: Option<OffsetDateTime>,
}

/// What to work out: a start, a number of working minutes, pauses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueQuestion {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    start: OffsetDateTime,
    /// Working minutes, 0 to 5,256,000 (ten years).
    minutes: u32,
    #[serde(default)]
    pauses: Vec<PauseBody>,
}

/// When the working minutes are up.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueAnswer {
    /// `null` when a pause without an end stops the clock first.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    due: Option<OffsetDateTime>,
    /// The due time in the calendar's time zone, for people.
    due_local: Option<String>,
}

/// Work out when a number of working minutes from a start is up in this calendar, leaving out
/// non-working time, holidays and the pauses given.
#[utoipa::path(post, path = "/calendars/{id}/due", tag = "service levels", params(("id" = String, Path)), request_body = DueQuestion,
    responses((status = 200, body = DueAnswer), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn calendar_due(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(question): ApiJson<DueQuestion>,
) -> ApiResult<Json<DueAnswer>> {
    if question.minutes > 5_256_000 {
        return Err(Error::invalid("minutes", "must be at most 5,256,000 (ten years)").into());
    }
    if let Some(i) = question
        .pauses
        .iter()
        .position(|p| p.until.is_some_and(|u| u < p.from))
    {
        return Err(
            Error::invalid(format!("pauses[{i}].until"), "is before the pause's start").into(),
        );
    }
    let calendar = calendars::get(&state.db, calendar_id(&id)?).await?;
    let pauses: Vec<Pause> = question
        .pauses
        .iter()
        .map(|p| Pause {
            from: p.from,
            until: p.until,
        })
        .collect();
    let due = calendar
        .calendar
        .due(question.start, question.minutes, &pauses);
    Ok(Json(DueAnswer {
        due_local: due.map(|d| calendar.calendar.local(d)),
        due,
    }))
}
