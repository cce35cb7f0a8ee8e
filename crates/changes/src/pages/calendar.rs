//! The change calendar by week or day, and the blackout periods.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_web::page::{after_save, bad_address, render, see_other, when};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, InPath, PageQuery, PageResult};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

use crate::calendar::{self, Conflict, ConflictKind, View};
use crate::change::{BlackoutDraft, number_text};
use crate::store::blackouts::{self, Blackout, BlackoutId};
use crate::store::reports::{self, Entry};

/// The calendar's address: which view and which day.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CalendarQuery {
    #[serde(default)]
    view: String,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    date: String,
}

/// One day of the calendar.
struct Day {
    date: Date,
    weekend: bool,
    changes: Vec<Entry>,
    blackouts: Vec<Blackout>,
}

#[derive(Template)]
#[template(path = "changes/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    view: View,
    days: Vec<Day>,
    conflicts: Vec<Conflict>,
    previous: String,
    next: String,
    today: String,
}

impl CalendarPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn number(&self, number: &i64) -> String {
        number_text(*number)
    }

    fn day(&self, date: &Date) -> String {
        date.format(format_description!(
            "[weekday repr:short] [day] [month repr:short] [year]"
        ))
        .unwrap_or_default()
    }

    fn hour(&self, at: &Option<OffsetDateTime>) -> String {
        at.and_then(|at| {
            at.to_offset(time::UtcOffset::UTC)
                .format(format_description!("[hour]:[minute]"))
                .ok()
        })
        .unwrap_or_default()
    }

    fn kind(&self, kind: &ConflictKind) -> (&'static str, &'static str) {
        match kind {
            ConflictKind::SameCi => ("state-down", "same CI"),
            ConflictKind::Redundancy => ("state-down", "redundancy"),
            ConflictKind::Related => ("state-degraded", "related CIs"),
        }
    }
}

fn link(view: View, date: Date) -> String {
    format!("/changes/calendar?view={}&date={date}", view.as_str())
}

/// `GET /changes/calendar`: the forward schedule of change, with blackout periods and the
/// conflicts between overlapping changes.
pub(super) async fn show(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<CalendarQuery>,
) -> PageResult<Response> {
    let view = match query.view.as_str() {
        "" => View::Week,
        raw => View::parse("view", raw)
            .map_err(|e| bad_address(tandem_kernel::Error::Invalid(vec![e])))?,
    };
    let today = state.clock.now().date();
    let date = match query.date.as_str() {
        "" => today,
        raw => Date::parse(raw, format_description!("[year]-[month]-[day]"))
            .map_err(|_| {
                tandem_kernel::FieldError::new("date", "must be a date such as 2026-12-10")
            })
            .and_then(|date| tandem_kernel::clock::check_date("date", date))
            .map_err(|e| bad_address(tandem_kernel::Error::Invalid(vec![e])))?,
    };
    let dates = calendar::days(view, date);
    let (from, _) = calendar::bounds(dates[0]);
    let (_, to) = calendar::bounds(*dates.last().unwrap_or(&date));
    let entries = reports::calendar(&state.db, from, to, false).await?;
    let periods = blackouts::between(&state.db, from, to).await?;
    let conflicts = reports::conflicts(&state.db, &entries).await?;
    let days = dates
        .iter()
        .map(|d| Day {
            date: *d,
            weekend: calendar::is_weekend(*d),
            changes: entries
                .iter()
                .filter(|e| match (e.change.planned_start, e.change.planned_end) {
                    (Some(s), Some(end)) => calendar::on_day(s, end, *d),
                    _ => false,
                })
                .cloned()
                .collect(),
            blackouts: periods
                .iter()
                .filter(|b| calendar::on_day(b.starts_at, b.ends_at, *d))
                .cloned()
                .collect(),
        })
        .collect();
    let step = match view {
        View::Week => Duration::days(7),
        View::Day => Duration::days(1),
    };
    Ok(render(&CalendarPage {
        chrome: Chrome::new("changes", "Change calendar"),
        view,
        days,
        conflicts,
        previous: link(view, date - step),
        next: link(view, date + step),
        today: link(view, today),
    }))
}

#[derive(Template)]
#[template(path = "changes/blackouts.html")]
struct BlackoutsPage {
    chrome: Chrome,
    items: Vec<Blackout>,
    values: BlackoutFields,
    errors: FormErrors,
}

impl BlackoutsPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

/// The blackout form as posted: CIs one a line, by number or name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct BlackoutFields {
    name: String,
    starts_at: String,
    ends_at: String,
    cis: String,
    allow_emergency: Option<String>,
    reason: String,
}

async fn blackouts_page(
    state: &AppState,
    values: BlackoutFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let now = state.clock.now();
    Ok(render(&BlackoutsPage {
        chrome: Chrome::new("changes", "Blackout periods"),
        items: blackouts::between(
            &state.db,
            now - Duration::days(30),
            now + Duration::days(730),
        )
        .await?,
        values,
        errors,
    }))
}

/// `GET /blackouts`: the blackout periods from a month ago on.
pub(super) async fn blackouts(State(state): State<AppState>) -> PageResult<Response> {
    blackouts_page(&state, BlackoutFields::default(), FormErrors::default()).await
}

/// `POST /blackouts`.
pub(super) async fn create_blackout(
    write: Write,
    State(state): State<AppState>,
    FormInput(fields): FormInput<BlackoutFields>,
) -> PageResult<Response> {
    let saved = async {
        let known = super::known_cis(&state).await?;
        let mut ci_ids = Vec::new();
        let mut unknown = Vec::new();
        for name in fields.cis.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match super::find_ci(&known, name) {
                Some(id) => ci_ids.push(id.to_string()),
                None => unknown.push(name.to_owned()),
            }
        }
        if !unknown.is_empty() {
            return Err(tandem_kernel::Error::invalid(
                "cis",
                format!("there is no CI {}", unknown.join(", ")),
            ));
        }
        let input = BlackoutDraft {
            name: fields.name.clone(),
            starts_at: fields.starts_at.clone(),
            ends_at: fields.ends_at.clone(),
            ci_ids,
            allow_emergency: fields.allow_emergency.is_some(),
            reason: fields.reason.clone(),
        }
        .validate()?;
        blackouts::create(&write, &input).await
    }
    .await;
    after_save(
        saved,
        |_| "/blackouts".to_owned(),
        async |errors| blackouts_page(&state, fields, errors).await,
    )
    .await
}

/// `POST /blackouts/{id}/delete`.
pub(super) async fn delete_blackout(
    write: Write,
    InPath(id): InPath<BlackoutId>,
) -> PageResult<Response> {
    blackouts::delete(&write, id).await?;
    Ok(see_other("/blackouts"))
}
