//! Business-hours calendar pages, with a calculator that shows when a number of working
//! minutes from a given start is up.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageQuery, PageResult,
};

use crate::calendar::{CalendarDraft, WEEKDAYS};
use crate::calendars::{BusinessCalendar, BusinessCalendarDraft, CalendarId};
use crate::store::calendars;

/// Weekday names for people, Monday first.
const DAY_TITLES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Template)]
#[template(path = "service_levels/calendar_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<BusinessCalendar>,
}

impl ListPage {
    fn hours(&self, calendar: &BusinessCalendar) -> String {
        hours(calendar.calendar.weekly_minutes())
    }
}

fn hours(minutes: u32) -> String {
    match minutes % 60 {
        0 => format!("{} h", minutes / 60),
        m => format!("{} h {m} min", minutes / 60),
    }
}

/// `GET /calendars`.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ListPage {
        chrome: Chrome::new("service-levels", "Business-hours calendars"),
        items: calendars::all(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "service_levels/calendar_show.html")]
struct ShowPage {
    chrome: Chrome,
    calendar: BusinessCalendar,
    days: Vec<(&'static str, String)>,
    holidays: Vec<String>,
    weekly: String,
    start: String,
    minutes: String,
    answer: Option<String>,
    question_error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct TryQuery {
    #[serde(default)]
    start: String,
    #[serde(default)]
    minutes: String,
}

/// `GET /calendars/{id}[?start=…&minutes=…]`: the calendar, and when the minutes are up.
pub(super) async fn show(
    State(state): State<AppState>,
    InPath(id): InPath<CalendarId>,
    PageQuery(query): PageQuery<TryQuery>,
) -> PageResult<Response> {
    let calendar = calendars::get(&state.db, id).await?;
    let draft = calendar.calendar.draft();
    let (answer, question_error) = if query.start.is_empty() && query.minutes.is_empty() {
        (None, None)
    } else {
        match (
            calendar.calendar.parse_local(&query.start),
            query.minutes.trim().parse::<u32>(),
        ) {
            (None, _) => (
                None,
                Some("Give the start as a date and time, such as 2026-11-27 17:30.".to_owned()),
            ),
            (_, Err(_)) => (
                None,
                Some("Give the working minutes as a whole number, such as 240.".to_owned()),
            ),
            (Some(start), Ok(minutes)) => (
                Some(match calendar.calendar.due(start, minutes, &[]) {
                    Some(due) => format!(
                        "{} working minutes from {} are up {}.",
                        minutes,
                        calendar.calendar.local(start),
                        calendar.calendar.local(due)
                    ),
                    None => {
                        "This calendar has no working time for years after that start.".to_owned()
                    }
                }),
                None,
            ),
        }
    };
    Ok(render(&ShowPage {
        chrome: Chrome::new("service-levels", calendar.name.to_string()),
        days: DAY_TITLES.iter().copied().zip(draft.week).collect(),
        holidays: draft.holidays.lines().map(str::to_owned).collect(),
        weekly: hours(calendar.calendar.weekly_minutes()),
        calendar,
        start: query.start,
        minutes: query.minutes,
        answer,
        question_error,
    }))
}

#[derive(Template)]
#[template(path = "service_levels/calendar_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: Fields,
    days: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

impl FormPage {
    fn day(&self, name: &str) -> &str {
        WEEKDAYS
            .iter()
            .position(|d| *d == name)
            .map_or("", |i| self.values.week[i].as_str())
    }
}

/// The calendar form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    monday: String,
    #[serde(default)]
    tuesday: String,
    #[serde(default)]
    wednesday: String,
    #[serde(default)]
    thursday: String,
    #[serde(default)]
    friday: String,
    #[serde(default)]
    saturday: String,
    #[serde(default)]
    sunday: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    version: i64,
    /// The week as one array, filled by [`Fields::normalised`].
    #[serde(skip)]
    week: [String; 7],
}

impl Fields {
    fn normalised(mut self) -> Self {
        self.week = [
            self.monday.clone(),
            self.tuesday.clone(),
            self.wednesday.clone(),
            self.thursday.clone(),
            self.friday.clone(),
            self.saturday.clone(),
            self.sunday.clone(),
        ];
        self
    }

    fn draft(&self) -> BusinessCalendarDraft {
        BusinessCalendarDraft {
            name: self.name.clone(),
            calendar: CalendarDraft {
                time_zone: self.time_zone.clone(),
                week: self.week.clone(),
                holidays: self.holidays.clone(),
            },
        }
    }

    fn of(calendar: &BusinessCalendar) -> Self {
        let draft = calendar.calendar.draft();
        let [
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
        ] = draft.week;
        Self {
            name: calendar.name.to_string(),
            time_zone: draft.time_zone,
            monday,
            tuesday,
            wednesday,
            thursday,
            friday,
            saturday,
            sunday,
            holidays: draft.holidays,
            version: calendar.version,
            week: Default::default(),
        }
        .normalised()
    }
}

fn form(frame: FormFrame, values: Fields, errors: FormErrors) -> Response {
    render(&FormPage {
        chrome: Chrome::new("service-levels", frame.title.clone()),
        frame,
        values,
        days: WEEKDAYS.iter().copied().zip(DAY_TITLES).collect(),
        errors,
    })
}

fn create_frame() -> FormFrame {
    FormFrame::create("New calendar", "/calendars", "Create calendar")
}

/// `GET /calendars/new`: Monday to Friday 08:00-18:00 in UTC to start from.
pub(super) async fn new() -> Response {
    let office = "08:00-18:00".to_owned();
    let values = Fields {
        time_zone: "UTC".into(),
        monday: office.clone(),
        tuesday: office.clone(),
        wednesday: office.clone(),
        thursday: office.clone(),
        friday: office,
        ..Fields::default()
    }
    .normalised();
    form(create_frame(), values, FormErrors::default())
}

/// `POST /calendars`.
pub(super) async fn create(
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let fields = fields.normalised();
    let saved = async { calendars::create(&write, fields.draft().validate()?).await }.await;
    after_save(
        saved,
        |c| format!("/calendars/{}", c.id),
        async |errors| Ok(form(create_frame(), fields, errors)),
    )
    .await
}

/// `GET /calendars/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    InPath(id): InPath<CalendarId>,
) -> PageResult<Response> {
    let calendar = calendars::get(&state.db, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", calendar.name),
        format!("/calendars/{}", calendar.id),
        calendar.version,
    );
    Ok(form(frame, Fields::of(&calendar), FormErrors::default()))
}

/// `POST /calendars/{id}`.
pub(super) async fn update(
    InPath(id): InPath<CalendarId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let fields = fields.normalised();
    let saved =
        async { calendars::update(&write, id, fields.version, fields.draft().validate()?).await }
            .await;
    let frame = FormFrame::edit(
        "Edit calendar".into(),
        format!("/calendars/{id}"),
        fields.version,
    );
    after_save(
        saved,
        |c| format!("/calendars/{}", c.id),
        async |errors| Ok(form(frame, fields, errors)),
    )
    .await
}

/// `POST /calendars/{id}/delete`.
pub(super) async fn delete(InPath(id): InPath<CalendarId>, write: Write) -> PageResult<Response> {
    calendars::delete(&write, id).await?;
    Ok(see_other("/calendars"))
}
