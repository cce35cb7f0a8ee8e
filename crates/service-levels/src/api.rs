//! The service levels' JSON API under `/api/v1`: business-hours calendars with their due-time
//! calculator, the service catalogue, and agreements with the SLA simulator.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_kernel::clock::parse_instant;
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Error, FieldError, Need, Permission};
use tandem_storage::save_current;
use tandem_web::{
    ApiJson, ApiQuery, ApiResult, AppState, InPath, Reference, Routes, created, reference,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::agreement::{AgreementDraft, AgreementId, Priority};
use crate::agreements::{Agreement, PartiesDraft};
use crate::calendar::{CalendarDraft, Pause};
use crate::calendars::{BusinessCalendar, BusinessCalendarDraft, CalendarId};
use crate::services::{Service, ServiceDraft, ServiceId};
use crate::store::{agreements, calendars, services};

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
        .api(read, routes!(list_services))
        .api(write, routes!(create_service))
        .api(read, routes!(get_service))
        .api(write, routes!(update_service, delete_service))
        .api(read, routes!(list_agreements))
        .api(write, routes!(create_agreement))
        .api(read, routes!(get_agreement))
        .api(write, routes!(replace_agreement, delete_agreement))
        .api(read, routes!(simulate_agreement))
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
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
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
#[into_params(parameter_in = Query)]
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
async fn create_calendar(write: Write, ApiJson(body): ApiJson<NewCalendar>) -> ApiResult<Response> {
    let input = BusinessCalendarDraft {
        name: body.name,
        calendar: CalendarDraft {
            time_zone: body.time_zone,
            week: body.week.into_days(),
            holidays: body.holidays.join("\n"),
        },
    }
    .validate()?;
    let calendar = calendars::create(&write, input).await?;
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
    InPath(id): InPath<CalendarId>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(calendars::get(&state.db, id).await?.into()))
}

/// Change some fields of a calendar.
#[utoipa::path(patch, path = "/calendars/{id}", tag = "service levels", params(("id" = String, Path)), request_body = CalendarChanges,
    responses((status = 200, body = CalendarView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_calendar(
    State(state): State<AppState>,
    InPath(id): InPath<CalendarId>,
    write: Write,
    ApiJson(changes): ApiJson<CalendarChanges>,
) -> ApiResult<Json<CalendarView>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = calendars::get(&state.db, id).await?;
        let changes = changes.clone();
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
        calendars::update(&write, id, version, input).await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete a calendar that no agreement uses.
#[utoipa::path(delete, path = "/calendars/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_calendar(InPath(id): InPath<CalendarId>, write: Write) -> ApiResult<StatusCode> {
    calendars::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stretch in which the clock stands still.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// RFC 3339, in the years 1970 to 9000.
    #[schema(format = DateTime)]
    from: String,
    /// Absent while the pause lasts (the clock is stopped: nothing falls due after it starts).
    #[serde(default)]
    #[schema(format = DateTime)]
    until: Option<String>,
}

/// What to work out: a start, a number of working minutes, pauses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueQuestion {
    /// RFC 3339, in the years 1970 to 9000.
    #[schema(format = DateTime)]
    start: String,
    /// Working minutes, 0 to 5,256,000 (ten years).
    minutes: i64,
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
    InPath(id): InPath<CalendarId>,
    ApiJson(question): ApiJson<DueQuestion>,
) -> ApiResult<Json<DueAnswer>> {
    let start = start_of(&question.start);
    let minutes = u32::try_from(question.minutes)
        .ok()
        .filter(|m| *m <= 5_256_000)
        .ok_or_else(|| {
            FieldError::new(
                "minutes",
                "must be a whole number of working minutes from 0 to 5,256,000 (ten years)",
            )
        });
    let pauses = checked_pauses(&question.pauses);
    let (start, minutes, pauses) = match (start, minutes, pauses) {
        (Ok(start), Ok(minutes), Ok(pauses)) => (start, minutes, pauses),
        (start, minutes, pauses) => {
            let errors = [start.err(), minutes.err()]
                .into_iter()
                .flatten()
                .chain(pauses.err().into_iter().flatten())
                .collect();
            return Err(Error::Invalid(errors).into());
        }
    };
    let calendar = calendars::get(&state.db, id).await?;
    let due = calendar.calendar.due(start, minutes, &pauses);
    Ok(Json(DueAnswer {
        due_local: due.map(|d| calendar.calendar.local(d)),
        due,
    }))
}

// ---------------------------------------------------------------- services

/// A service of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    /// `iaas`, `paas`, `saas` or `other`.
    kind: &'static str,
    owner: Option<Reference>,
    description: String,
    /// Boundaries and responsibilities towards partners.
    boundaries: String,
    /// The customer organisations using the service.
    customers: Vec<Reference>,
    version: i64,
}

impl From<Service> for ServiceView {
    fn from(s: Service) -> Self {
        Self {
            id: s.id.to_string(),
            name: s.name.into_inner(),
            kind: s.kind.as_str(),
            owner: s
                .owner_id
                .zip(s.owner_name)
                .map(|(id, name)| reference(id, name)),
            description: s.description.into_inner(),
            boundaries: s.boundaries.into_inner(),
            customers: s
                .customers
                .into_iter()
                .map(|(id, name)| reference(id, name))
                .collect(),
            version: s.version,
        }
    }
}

/// The fields of a new service.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    name: String,
    /// `iaas`, `paas`, `saas` or `other`.
    kind: String,
    #[serde(default)]
    owner_id: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    boundaries: String,
    /// Ids of customer organisations.
    #[serde(default)]
    customers: Vec<String>,
}

/// The fields to change; absent fields keep their value (`customers` replaces the list).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChanges {
    name: Option<String>,
    kind: Option<String>,
    /// An empty string removes the owner.
    owner_id: Option<String>,
    description: Option<String>,
    boundaries: Option<String>,
    customers: Option<Vec<String>>,
    version: Option<i64>,
}

/// List the service catalogue by name.
#[utoipa::path(get, path = "/services", tag = "service levels",
    responses((status = 200, body = Vec<ServiceView>)))]
async fn list_services(State(state): State<AppState>) -> ApiResult<Json<Vec<ServiceView>>> {
    Ok(Json(
        services::all(&state.db)
            .await?
            .into_iter()
            .map(ServiceView::from)
            .collect(),
    ))
}

/// Add a service to the catalogue.
#[utoipa::path(post, path = "/services", tag = "service levels", request_body = NewService,
    responses((status = 201, body = ServiceView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_service(write: Write, ApiJson(body): ApiJson<NewService>) -> ApiResult<Response> {
    let input = ServiceDraft {
        name: body.name,
        kind: body.kind,
        owner_id: body.owner_id.unwrap_or_default(),
        description: body.description,
        boundaries: body.boundaries,
        customers: body.customers,
    }
    .validate()?;
    let service = services::create(&write, input).await?;
    Ok(created(
        format!("/api/v1/services/{}", service.id),
        ServiceView::from(service),
    ))
}

/// Read one service.
#[utoipa::path(get, path = "/services/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 200, body = ServiceView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_service(
    State(state): State<AppState>,
    InPath(id): InPath<ServiceId>,
) -> ApiResult<Json<ServiceView>> {
    Ok(Json(services::get(&state.db, id).await?.into()))
}

/// Change some fields of a service.
#[utoipa::path(patch, path = "/services/{id}", tag = "service levels", params(("id" = String, Path)), request_body = ServiceChanges,
    responses((status = 200, body = ServiceView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn update_service(
    State(state): State<AppState>,
    InPath(id): InPath<ServiceId>,
    write: Write,
    ApiJson(changes): ApiJson<ServiceChanges>,
) -> ApiResult<Json<ServiceView>> {
    let updated = save_current(id.0, changes.version, || async {
        let current = services::get(&state.db, id).await?;
        let changes = changes.clone();
        let draft = ServiceDraft {
            name: changes.name.unwrap_or_else(|| current.name.to_string()),
            kind: changes
                .kind
                .unwrap_or_else(|| current.kind.as_str().to_owned()),
            owner_id: changes
                .owner_id
                .unwrap_or_else(|| current.owner_id.map(|o| o.to_string()).unwrap_or_default()),
            description: changes
                .description
                .unwrap_or_else(|| current.description.to_string()),
            boundaries: changes
                .boundaries
                .unwrap_or_else(|| current.boundaries.to_string()),
            customers: changes.customers.unwrap_or_else(|| {
                current
                    .customers
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect()
            }),
        };
        services::update(
            &write,
            id,
            changes.version.unwrap_or(current.version),
            draft.validate()?,
        )
        .await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete a service no agreement covers.
#[utoipa::path(delete, path = "/services/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody)))]
async fn delete_service(InPath(id): InPath<ServiceId>, write: Write) -> ApiResult<StatusCode> {
    services::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- agreements

/// A target in working minutes, given as a number of minutes or as text (`90`, `1h30m`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Duration {
    Minutes(u32),
    Text(String),
}

impl Duration {
    fn text(&self) -> String {
        match self {
            Self::Minutes(m) => m.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// The targets of one priority; absent: no target.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TargetsBody {
    first_response: Option<Duration>,
    update: Option<Duration>,
    resolution: Option<Duration>,
}

/// Targets per priority.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PrioritiesBody {
    p1: TargetsBody,
    p2: TargetsBody,
    p3: TargetsBody,
    p4: TargetsBody,
}

impl PrioritiesBody {
    fn texts(&self) -> [[String; 3]; 4] {
        [&self.p1, &self.p2, &self.p3, &self.p4].map(|t| {
            [&t.first_response, &t.update, &t.resolution]
                .map(|d| d.as_ref().map(Duration::text).unwrap_or_default())
        })
    }
}

/// The fields of a new agreement. Percentages as `99.9` or `2`, money as `12000.50`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewAgreement {
    name: String,
    /// `sla`, `ola` or `underpinning-contract`.
    kind: String,
    /// The customer (SLA) or the supplier (underpinning contract).
    organisation_id: Option<String>,
    /// The internal team (OLA).
    team_id: Option<String>,
    service_id: Option<String>,
    calendar_id: String,
    targets: PrioritiesBody,
    /// Warn at this share of a target's working time (default 80).
    warn_at_percent: Option<u8>,
    availability_target: Option<String>,
    monthly_fee: Option<String>,
    penalty_per_missed_target: Option<String>,
    penalty_per_tenth_below_availability: Option<String>,
    penalty_cap: Option<String>,
    security_requirements: Vec<String>,
    /// Months between reviews (default 6: twice a year).
    review_interval_months: Option<u8>,
    /// `YYYY-MM-DD`.
    next_review: String,
    /// Escalation steps in order, such as `80% notify assignee`, `90% notify team lead`, `100% notify EMAIL`,
    /// `100% raise support level`, `120% reassign to TEAM` (the assignee stays), `120% hand over to
    /// TEAM` (to the team's lead), `200% notify EMAIL always`.
    escalation: Vec<String>,
}

impl NewAgreement {
    fn drafts(self) -> (AgreementDraft, PartiesDraft) {
        let text = |v: Option<String>| v.unwrap_or_default();
        (
            AgreementDraft {
                name: self.name,
                kind: self.kind,
                targets: self.targets.texts(),
                warn_at_percent: self
                    .warn_at_percent
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                availability_target: text(self.availability_target),
                monthly_fee: text(self.monthly_fee),
                penalty_per_missed_target: text(self.penalty_per_missed_target),
                penalty_per_tenth_below_availability: text(
                    self.penalty_per_tenth_below_availability,
                ),
                penalty_cap: text(self.penalty_cap),
                security_requirements: self.security_requirements.join("\n"),
                review_interval_months: self
                    .review_interval_months
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                next_review: self.next_review,
                escalation: self.escalation.join("\n"),
            },
            PartiesDraft {
                organisation_id: text(self.organisation_id),
                team_id: text(self.team_id),
                service_id: text(self.service_id),
                calendar_id: self.calendar_id,
            },
        )
    }
}

/// The targets of one priority, in working minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsView {
    first_response: Option<u32>,
    update: Option<u32>,
    resolution: Option<u32>,
}

/// An agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    kind: &'static str,
    organisation: Option<Reference>,
    team: Option<Reference>,
    service: Option<Reference>,
    calendar: Reference,
    /// Per priority (`p1` … `p4`).
    targets: std::collections::BTreeMap<&'static str, TargetsView>,
    warn_at_percent: u8,
    /// Percent, e.g. `99.9`.
    availability_target: Option<String>,
    monthly_fee: Option<String>,
    penalty_per_missed_target: Option<String>,
    penalty_per_tenth_below_availability: Option<String>,
    penalty_cap: Option<String>,
    security_requirements: Vec<String>,
    review_interval_months: u8,
    #[schema(value_type = String, format = Date)]
    next_review: String,
    escalation: Vec<String>,
    version: i64,
}

impl From<Agreement> for AgreementView {
    fn from(a: Agreement) -> Self {
        let draft = a.terms.draft();
        let some = |s: String| (!s.is_empty()).then_some(s);
        Self {
            id: a.id.to_string(),
            name: draft.name,
            kind: a.terms.kind.as_str(),
            organisation: a.organisation.map(|(id, name)| reference(id, name)),
            team: a.team.map(|(id, name)| reference(id, name)),
            service: a.service.map(|(id, name)| reference(id, name)),
            calendar: reference(a.calendar.0, a.calendar.1),
            targets: Priority::ALL
                .into_iter()
                .map(|p| {
                    let t = a.terms.targets(p);
                    (
                        p.as_str(),
                        TargetsView {
                            first_response: t.first_response,
                            update: t.update,
                            resolution: t.resolution,
                        },
                    )
                })
                .collect(),
            warn_at_percent: a.terms.warn_at_percent,
            availability_target: some(draft.availability_target),
            monthly_fee: some(draft.monthly_fee),
            penalty_per_missed_target: some(draft.penalty_per_missed_target),
            penalty_per_tenth_below_availability: some(draft.penalty_per_tenth_below_availability),
            penalty_cap: some(draft.penalty_cap),
            security_requirements: a.terms.security_requirements,
            review_interval_months: a.terms.review_interval_months,
            next_review: draft.next_review,
            escalation: a.terms.escalation.iter().map(ToString::to_string).collect(),
            version: a.version,
        }
    }
}

/// List agreements by name.
#[utoipa::path(get, path = "/agreements", tag = "service levels",
    responses((status = 200, body = Vec<AgreementView>)))]
async fn list_agreements(State(state): State<AppState>) -> ApiResult<Json<Vec<AgreementView>>> {
    Ok(Json(
        agreements::all(&state.db)
            .await?
            .into_iter()
            .map(AgreementView::from)
            .collect(),
    ))
}

/// Make an agreement. An SLA names a customer, an underpinning contract a supplier, an OLA an
/// internal team; every agreement a calendar.
#[utoipa::path(post, path = "/agreements", tag = "service levels", request_body = NewAgreement,
    responses((status = 201, body = AgreementView), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_agreement(
    write: Write,
    ApiJson(body): ApiJson<NewAgreement>,
) -> ApiResult<Response> {
    let (terms, parties) = body.drafts();
    let input = crate::agreements::validate(&terms, &parties)?;
    let agreement = agreements::create(&write, input).await?;
    Ok(created(
        format!("/api/v1/agreements/{}", agreement.id),
        AgreementView::from(agreement),
    ))
}

/// Read one agreement.
#[utoipa::path(get, path = "/agreements/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 200, body = AgreementView), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_agreement(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
) -> ApiResult<Json<AgreementView>> {
    Ok(Json(agreements::get(&state.db, id).await?.into()))
}

/// Replace an agreement's terms and parties: send every field, as when creating.
#[utoipa::path(put, path = "/agreements/{id}", tag = "service levels", params(("id" = String, Path)), request_body = NewAgreement,
    responses((status = 200, body = AgreementView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn replace_agreement(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
    write: Write,
    ApiJson(body): ApiJson<NewAgreement>,
) -> ApiResult<Json<AgreementView>> {
    let (terms, parties) = body.drafts();
    let updated = save_current(id.0, None, || async {
        let current = agreements::get(&state.db, id).await?;
        let input = crate::agreements::validate(&terms, &parties)?;
        agreements::update(&write, id, current.version, input).await
    })
    .await?;
    Ok(Json(updated.into()))
}

/// Delete an agreement.
#[utoipa::path(delete, path = "/agreements/{id}", tag = "service levels", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn delete_agreement(InPath(id): InPath<AgreementId>, write: Write) -> ApiResult<StatusCode> {
    agreements::delete(&write, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ticket to simulate: its priority, when it was opened, and its pauses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// `p1` … `p4`.
    priority: String,
    /// RFC 3339, in the years 1970 to 9000.
    #[schema(format = DateTime)]
    start: String,
    #[serde(default)]
    pauses: Vec<PauseBody>,
}

/// One clock of the simulated ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// `first_response`, `update` or `resolution`.
    metric: &'static str,
    target_minutes: u32,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    warning: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    due: Option<OffsetDateTime>,
    /// The due time on the calendar's wall clock.
    due_local: Option<String>,
}

/// The SLA simulator: when each clock of a ticket of this agreement warns and is due.
#[utoipa::path(post, path = "/agreements/{id}/simulate", tag = "service levels", params(("id" = String, Path)), request_body = Simulation,
    responses((status = 200, body = Vec<ClockView>), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn simulate_agreement(
    State(state): State<AppState>,
    InPath(id): InPath<AgreementId>,
    ApiJson(question): ApiJson<Simulation>,
) -> ApiResult<Json<Vec<ClockView>>> {
    let priority = Priority::parse("priority", &question.priority);
    let start = start_of(&question.start);
    let pauses = checked_pauses(&question.pauses);
    let (priority, start, pauses) = match (priority, start, pauses) {
        (Ok(priority), Ok(start), Ok(pauses)) => (priority, start, pauses),
        (priority, start, pauses) => {
            let errors = [priority.err(), start.err()]
                .into_iter()
                .flatten()
                .chain(pauses.err().into_iter().flatten())
                .collect();
            return Err(Error::Invalid(errors).into());
        }
    };
    let agreement = agreements::get(&state.db, id).await?;
    let calendar = calendars::get(&state.db, agreement.calendar.0).await?;
    Ok(Json(
        agreement
            .terms
            .simulate(&calendar.calendar, priority, start, &pauses)
            .into_iter()
            .map(|d| ClockView {
                metric: d.metric.as_str(),
                target_minutes: d.target_minutes,
                warning: d.warning,
                due_local: d.due.map(|due| calendar.calendar.local(due)),
                due: d.due,
            })
            .collect(),
    ))
}

/// The start of a due-time question: an instant in the accepted years.
fn start_of(raw: &str) -> Result<OffsetDateTime, FieldError> {
    parse_instant("start", raw)?.ok_or_else(|| FieldError::new("start", "is required"))
}

/// Pauses of a request, each an instant in the accepted years that ends after it starts; every
/// bad one is named.
fn checked_pauses(pauses: &[PauseBody]) -> Result<Vec<Pause>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    for (i, pause) in pauses.iter().enumerate() {
        let from = parse_instant(&format!("pauses[{i}].from"), &pause.from).and_then(|from| {
            from.ok_or_else(|| FieldError::new(format!("pauses[{i}].from"), "is required"))
        });
        let until = parse_instant(
            &format!("pauses[{i}].until"),
            pause.until.as_deref().unwrap_or(""),
        );
        match (from, until) {
            (Ok(from), Ok(Some(until))) if until < from => errors.push(FieldError::new(
                format!("pauses[{i}].until"),
                "is before the pause's start",
            )),
            (Ok(from), Ok(until)) => checked.push(Pause { from, until }),
            (from, until) => errors.extend(from.err().into_iter().chain(until.err())),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}
