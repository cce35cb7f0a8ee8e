//! The reports on changes: the change log as CSV, the change calendar with its conflicts, the
//! calendar as an iCalendar feed, and the CI versions no change explains.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_web::{ApiQuery, ApiResult, AppState, Reference, download, reference};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::{BlackoutView, CALENDAR, ChangeView, Period, Span, period};
use crate::change::number_text;
use crate::store::{blackouts, reports};

/// The change log as CSV: the 13 columns of seed 000 section 5.6 in the seed's order, then the
/// schedule, fallback, implementer, verifier, state, template and risk suggestion.
#[utoipa::path(get, path = "/changes/export.csv", tag = "changes",
    responses((status = 200, content_type = "text/csv", body = String)))]
pub(crate) async fn export_log(State(state): State<AppState>) -> ApiResult<Response> {
    let rows = reports::change_log(&state.db).await?;
    let csv = crate::export::write_log(&rows);
    Ok(download("text/csv; charset=utf-8", "change-log.csv", csv))
}

/// The iCalendar feed: from 30 days back to a year ahead, at most 400 days.
pub const FEED: Span = Span {
    back: Duration::days(30),
    default: Duration::days(395),
    longest: (Duration::days(400), "a feed holds at most 400 days"),
};

/// The period of the iCalendar feed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedPeriod {
    /// RFC 3339; default: 30 days ago.
    from: Option<String>,
    /// RFC 3339; default: 395 days after `from`; at most 400 days after it.
    to: Option<String>,
}

/// A change on the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarEntryView {
    change: ChangeView,
    cis: Vec<String>,
}

/// Two changes in overlapping windows that get in each other's way.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictView {
    /// `C-000003`.
    first: String,
    second: String,
    /// `same-ci` (scheduling refuses it until acknowledged), `related` or `redundancy`
    /// (warnings).
    kind: &'static str,
    message: String,
}

/// The forward schedule of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeCalendarView {
    changes: Vec<CalendarEntryView>,
    blackouts: Vec<BlackoutView>,
    conflicts: Vec<ConflictView>,
}

/// The change calendar: changes whose window overlaps the period, and blackout periods.
#[utoipa::path(get, path = "/changes/calendar", tag = "changes", params(Period),
    responses((status = 200, body = ChangeCalendarView), (status = 422, body = tandem_web::error::ErrorBody)))]
pub(crate) async fn calendar(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<Period>,
) -> ApiResult<Json<ChangeCalendarView>> {
    let (from, to) = period(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        &CALENDAR,
    )?;
    let entries = reports::calendar(&state.db, from, to, false).await?;
    let blackouts = blackouts::between(&state.db, from, to).await?;
    let conflicts = reports::conflicts(&state.db, &entries).await?;
    Ok(Json(ChangeCalendarView {
        conflicts: conflicts
            .into_iter()
            .map(|c| ConflictView {
                first: number_text(c.first),
                second: number_text(c.second),
                kind: match c.kind {
                    crate::calendar::ConflictKind::SameCi => "same-ci",
                    crate::calendar::ConflictKind::Related => "related",
                    crate::calendar::ConflictKind::Redundancy => "redundancy",
                },
                message: c.message,
            })
            .collect(),
        changes: entries
            .iter()
            .map(|e| CalendarEntryView {
                change: ChangeView::from(&e.change),
                cis: e.ci_names(),
            })
            .collect(),
        blackouts: blackouts.iter().map(BlackoutView::from).collect(),
    }))
}

/// The change calendar as an iCalendar feed (RFC 5545): changes and blackout periods from
/// `from` (default 30 days back) to `to` (default a year after `from`), at most 400 days.
#[utoipa::path(get, path = "/changes/calendar.ics", tag = "changes", params(FeedPeriod),
    responses((status = 200, content_type = "text/calendar", body = String)))]
pub(crate) async fn calendar_feed(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<FeedPeriod>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let (from, to) = period(query.from.as_deref(), query.to.as_deref(), now, &FEED)?;
    let host = state
        .site
        .public_url
        .as_deref()
        .and_then(|u| u.split("://").nth(1))
        .and_then(|u| u.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("tandem.invalid")
        .to_owned();
    let body = crate::store::reports::ical_feed(
        &state.db,
        &host,
        state.site.public_url.as_deref().unwrap_or(""),
        now,
        (from, to),
    )
    .await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/calendar; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// A CI version no change explains.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnexplainedView {
    ci: Reference,
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    actor: String,
    /// `manual`, `ticket`, `import`, `reconciliation`, or `change` for a change that did not
    /// run at that time.
    cause: String,
    reason: String,
}

/// Change reconciliation: the versions of production and maintenance CIs that no change that
/// ran explains, newest first.
#[utoipa::path(get, path = "/changes/unexplained-versions", tag = "changes",
    responses((status = 200, body = Vec<UnexplainedView>)))]
pub(crate) async fn unexplained_versions(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<UnexplainedView>>> {
    let rows = reports::unexplained_versions(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|u| UnexplainedView {
                ci: reference(u.ci_id, u.ci),
                version: u.version,
                at: u.at,
                actor: u.actor,
                cause: u.cause,
                reason: u.reason,
            })
            .collect(),
    ))
}
