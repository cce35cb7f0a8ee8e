//! Change management's JSON API under `/api/v1`: changes and their life-cycle steps, the CAB's
//! votes, the verification checklist, standard-change templates, blackout periods, the change
//! calendar (JSON and iCalendar), the change log export and the change-reconciliation report.
//!
//! `changes` holds the change record with its steps, votes and checks; `reports` the change
//! log export, the calendar, its iCalendar feed and the versions no change explains;
//! `templates` the standard-change catalogue; `blackouts` the blackout periods; `settings`
//! the settings. This module assembles their routes and keeps the views and the period of a
//! calendar view that several of them use.

mod blackouts;
mod changes;
mod reports;
mod settings;
mod templates;

use serde::{Deserialize, Serialize};
use tandem_kernel::clock::parse_instant;
use tandem_kernel::{Error, Need, Permission};
use tandem_web::{Reference, Routes, reference};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::change::number_text;
use crate::lifecycle::PersonRef;
use crate::store::blackouts::Blackout;
use crate::store::changes::Change;

pub(crate) use changes::may_take;
pub(crate) use reports::{calendar_feed, export_log};

/// Change management's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::ChangesRead);
    let submit = Need::Permission(Permission::ChangesSubmit);
    let work = Need::Permission(Permission::ChangesWork);
    let manage = Need::Permission(Permission::ChangesManage);
    let vote = Need::Permission(Permission::ChangesVote);
    Routes::new()
        .api(read, routes!(changes::list_changes))
        .api(submit, routes!(changes::create_change))
        .api(read, routes!(changes::get_change))
        .api(submit, routes!(changes::update_change))
        .api(read, routes!(changes::next_steps))
        .api(submit, routes!(changes::take_step))
        .api(vote, routes!(changes::cast_vote))
        .api(submit, routes!(changes::set_checklist))
        .api(work, routes!(changes::record_check))
        .api(read, routes!(reports::export_log))
        .api(read, routes!(reports::calendar))
        .api(read, routes!(reports::calendar_feed))
        .api(read, routes!(reports::unexplained_versions))
        .api(read, routes!(templates::list_templates))
        .api(manage, routes!(templates::create_template))
        .api(manage, routes!(templates::update_template))
        .api(read, routes!(blackouts::list_blackouts))
        .api(manage, routes!(blackouts::create_blackout))
        .api(manage, routes!(blackouts::delete_blackout))
        .api(read, routes!(settings::get_settings))
        .api(manage, routes!(settings::update_settings))
}

fn person(p: &PersonRef) -> Reference {
    reference(p.id, p.name.clone())
}

/// A change: the fields of seed 000 section 5.6 and its life cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    id: String,
    /// `C-000042`, the seed's incremental id.
    number: String,
    title: String,
    owner: Reference,
    initiator: Option<Reference>,
    /// Who raised it when no person did (a process or token).
    initiator_label: String,
    cause_text: String,
    /// `T-000042`.
    cause_ticket: Option<String>,
    description: String,
    /// The configuration change itself, in computer language.
    configuration: String,
    /// `regular`, `standard`, `emergency` or `non-operational`.
    category: String,
    template: Option<Reference>,
    risk: Option<String>,
    risk_suggested: Option<String>,
    risk_explanation: String,
    risk_override_reason: String,
    state: String,
    close_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    planned_start: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    planned_end: Option<OffsetDateTime>,
    fallback: String,
    implementer: Option<Reference>,
    approver: Option<Reference>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    approved_at: Option<OffsetDateTime>,
    approval_retroactive: bool,
    approval_missed: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    actual_start: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    actual_end: Option<OffsetDateTime>,
    /// Whether the change succeeded; empty until verified or failed.
    success: Option<bool>,
    fallback_carried_out: String,
    verifier: Option<Reference>,
    verification_note: String,
    conflicts_ack_reason: String,
    customers_to_notify: Vec<String>,
    version: i64,
}

impl From<&Change> for ChangeView {
    fn from(c: &Change) -> Self {
        Self {
            id: c.id.to_string(),
            number: number_text(c.number),
            title: c.title.clone(),
            owner: person(&c.owner),
            initiator: c.initiator.as_ref().map(person),
            initiator_label: c.initiator_label.clone(),
            cause_text: c.cause_text.clone(),
            cause_ticket: c
                .cause_ticket
                .as_ref()
                .map(|(_, n, _)| tandem_kernel::id::TICKETS.text(*n)),
            description: c.description.clone(),
            configuration: c.configuration.clone(),
            category: c.category.as_str().to_owned(),
            template: c
                .template
                .as_ref()
                .map(|(id, name)| reference(id, name.clone())),
            risk: c.risk.map(|r| r.as_str().to_owned()),
            risk_suggested: c.risk_suggested.map(|r| r.as_str().to_owned()),
            risk_explanation: c.risk_explanation.clone(),
            risk_override_reason: c.risk_override_reason.clone(),
            state: c.state.as_str().to_owned(),
            close_reason: c.close_reason.map(|r| r.as_str().to_owned()),
            planned_start: c.planned_start,
            planned_end: c.planned_end,
            fallback: c.fallback.clone(),
            implementer: c.implementer.as_ref().map(person),
            approver: c.approver.as_ref().map(person),
            approved_at: c.approved_at,
            approval_retroactive: c.approval_retroactive,
            approval_missed: c.approval_missed,
            actual_start: c.actual_start,
            actual_end: c.actual_end,
            success: c.success,
            fallback_carried_out: c.fallback_carried_out.clone(),
            verifier: c.verifier.as_ref().map(person),
            verification_note: c.verification_note.clone(),
            conflicts_ack_reason: c.conflicts_ack_reason.clone(),
            customers_to_notify: c.customers_to_notify.clone(),
            version: c.version,
        }
    }
}

/// The period of a calendar view.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// RFC 3339; default: now.
    from: Option<String>,
    /// RFC 3339; default: 28 days after `from`.
    to: Option<String>,
}

/// What a period asked for without `from` or `to` covers, and how long it may be.
pub struct Span {
    /// How long before now a period without `from` starts.
    pub back: Duration,
    /// How long a period without `to` lasts.
    pub default: Duration,
    /// The longest period, and what to say of a longer one.
    pub longest: (Duration, &'static str),
}

/// The calendar and the blackout list: 28 days from now, at most a year.
pub const CALENDAR: Span = Span {
    back: Duration::ZERO,
    default: Duration::days(28),
    longest: (Duration::days(366), "a calendar shows at most a year"),
};

/// Reads a period from `from` and `to` (RFC 3339), with the defaults and the bound of `span`.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    now: OffsetDateTime,
    span: &Span,
) -> Result<(OffsetDateTime, OffsetDateTime), Error> {
    let from = parse_instant("from", from.unwrap_or(""))?.unwrap_or(now - span.back);
    let to = parse_instant("to", to.unwrap_or(""))?.unwrap_or(from + span.default);
    if to <= from {
        return Err(Error::invalid("to", "must be after from"));
    }
    let (longest, too_long) = span.longest;
    if to - from > longest {
        return Err(Error::invalid("to", too_long));
    }
    Ok((from, to))
}

/// A blackout period.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlackoutView {
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    ends_at: OffsetDateTime,
    /// The CIs it covers; empty for all.
    cis: Vec<String>,
    allow_emergency: bool,
    reason: String,
}

impl From<&Blackout> for BlackoutView {
    fn from(b: &Blackout) -> Self {
        Self {
            id: b.id.to_string(),
            name: b.name.clone(),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            cis: b.cis.clone(),
            allow_emergency: b.allow_emergency,
            reason: b.reason.clone(),
        }
    }
}
