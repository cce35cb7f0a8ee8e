//! The service desk's JSON API under `/api/v1`: tickets (list with queues, open, read with
//! their thread, change) and articles. Customer users reach their organisation's tickets only.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tandem_audit::Write;
use tandem_directory::{PersonId, TeamId};
use tandem_kernel::page::PageRequest;
use tandem_kernel::{Error, Need, Permission, id::parse_id};
use tandem_storage::save_current;
use tandem_web::{ApiJson, ApiQuery, ApiResult, AppState, InPath, RequestAccess, Routes, created};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::attachment::{AttachmentId, FileDraft};
use crate::records::{
    Article, ArticleDraft, Ticket, TicketChanges, TicketDraft, TicketId, TimeDraft,
};
use crate::store::{self, Filter};
use crate::ticket::{Level, PriorityMatrix};

/// The service desk's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    let read = Need::Permission(Permission::TicketsRead);
    let submit = Need::Permission(Permission::TicketsSubmit);
    let work = Need::Permission(Permission::TicketsWork);
    let uploads = Routes::new()
        .api(submit, routes!(add_article))
        .body_limit(tandem_web::MAX_UPLOAD_BYTES);
    Routes::new()
        .merge(uploads)
        .api(read, routes!(list_tickets))
        .api(submit, routes!(create_ticket))
        .api(read, routes!(get_ticket))
        .api(work, routes!(change_ticket))
        .api(work, routes!(add_time))
        .api(work, routes!(add_link))
        .api(read, routes!(get_matrix))
        .api(
            Need::Permission(Permission::ServiceLevelsWrite),
            routes!(set_matrix),
        )
        .api(
            Need::Permission(Permission::ReportsRead),
            routes!(service_level_report),
        )
}

/// A name with its id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

fn named(pair: Option<(impl ToString, String)>) -> Option<Named> {
    pair.map(|(id, name)| Named {
        id: id.to_string(),
        name,
    })
}

/// A ticket and its clocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    #[schema(format = Uuid)]
    id: String,
    /// `T-000042`.
    number: String,
    kind: &'static str,
    title: String,
    state: &'static str,
    impact: &'static str,
    urgency: &'static str,
    /// `p1` … `p4`, from impact and urgency.
    priority: &'static str,
    organisation: Named,
    requester: Option<Named>,
    service: Option<Named>,
    /// The agreement whose targets the clocks follow.
    agreement: Option<Named>,
    team: Option<Named>,
    assignee: Option<Named>,
    support_level: i32,
    category: String,
    affected_items: String,
    /// On problems.
    known_error: String,
    workaround: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    first_response_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    resolved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    response_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    update_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    resolution_due: Option<OffsetDateTime>,
    /// Which targets are missed now: `first_response`, `update`, `resolution`.
    breached: Vec<&'static str>,
    /// Where the ticket's escalation stands (the latest step taken); shown to the provider's
    /// staff only, and only while the ticket is open.
    escalation: Option<EscalationView>,
    version: i64,
}

/// The latest escalation step a ticket took.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationView {
    /// `first_response`, `update` or `resolution`.
    target: &'static str,
    /// The step's place, from 1, in the agreement's list of escalation steps.
    level: u32,
    /// What the step did, such as `notify the assignee, Sven Richter`.
    action: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    since: OffsetDateTime,
}

impl TicketView {
    /// The view of `t` at `now`; `works`: whether the reader works tickets (sees escalation).
    fn new(t: Ticket, now: OffsetDateTime, works: bool) -> Self {
        let mut breached = Vec::new();
        if t.response_breached(now) {
            breached.push("first_response");
        }
        if t.update_breached(now) {
            breached.push("update");
        }
        if t.resolution_breached(now) {
            breached.push("resolution");
        }
        Self {
            id: t.id.to_string(),
            number: t.display_number(),
            kind: t.kind.as_str(),
            title: t.title,
            state: t.state.as_str(),
            impact: t.impact.as_str(),
            urgency: t.urgency.as_str(),
            priority: t.priority.as_str(),
            organisation: named(Some(t.organisation)).expect("a ticket has an organisation"),
            requester: named(t.requester),
            service: named(t.service),
            agreement: named(t.agreement),
            team: named(t.team),
            assignee: named(t.assignee),
            support_level: t.support_level,
            category: t.category,
            affected_items: t.affected_items,
            known_error: t.known_error,
            workaround: t.workaround,
            created_at: t.created_at,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            response_due: t.response_due,
            update_due: t.update_due,
            resolution_due: t.resolution_due,
            breached,
            escalation: t
                .escalation
                .filter(|_| works && t.state.is_open())
                .map(|e| EscalationView {
                    target: e.metric.as_str(),
                    level: e.level,
                    action: e.action,
                    since: e.since,
                }),
            version: t.version,
        }
    }
}

/// An article of the thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    #[schema(format = Uuid)]
    id: String,
    channel: String,
    /// `public` or `internal`.
    visibility: String,
    /// `agent`, `customer` or `system`.
    author_kind: String,
    author: String,
    body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    attachments: Vec<AttachmentView>,
}

/// A file of an article; `href` downloads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    media_type: String,
    /// Bytes.
    size: i64,
    /// SHA-256 of the content, hex.
    sha256: String,
    href: String,
}

impl ArticleView {
    fn new(a: Article, ticket: TicketId) -> Self {
        Self {
            id: a.id.to_string(),
            channel: a.channel,
            visibility: a.visibility,
            author_kind: a.author_kind,
            author: a.author_label,
            body: a.body,
            created_at: a.created_at,
            attachments: a
                .attachments
                .into_iter()
                .map(|f| AttachmentView {
                    href: attachment_href(ticket, f.id),
                    id: f.id.to_string(),
                    name: f.name,
                    media_type: f.media_type,
                    size: f.size,
                    sha256: f.sha256,
                })
                .collect(),
        }
    }
}

/// Where a file is downloaded, by the API and the pages alike.
pub(crate) fn attachment_href(ticket: TicketId, file: AttachmentId) -> String {
    format!("/tickets/{ticket}/attachments/{file}")
}

/// A link to another ticket, read from this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// `caused by`, `causes`, `duplicate of`, `has the duplicate`, `part of`, `has the part`.
    relation: &'static str,
    #[schema(format = Uuid)]
    ticket: String,
    number: String,
    title: String,
    state: &'static str,
}

/// A ticket with its thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketWithThread {
    #[serde(flatten)]
    ticket: TicketView,
    /// Links to tickets the reader may see.
    links: Vec<LinkView>,
    /// Oldest first; internal notes only for those who work tickets.
    articles: Vec<ArticleView>,
}

/// Query parameters of the ticket list; the desk's queues are made of them too.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// Text to find in titles and articles (internal notes only for those who work tickets),
    /// or a ticket number such as `T-000042`.
    pub(crate) q: Option<String>,
    /// Only open tickets (default `true`).
    pub(crate) open: Option<bool>,
    /// `me` or a person's id.
    pub(crate) assignee: Option<String>,
    /// A team's id.
    pub(crate) team: Option<String>,
    /// Only tickets with a missed target now.
    pub(crate) breached: Option<bool>,
    /// Only tickets due within this many minutes (1 to 527,040, a year).
    pub(crate) due_within: Option<u32>,
    /// Only tickets resolved within this many days (1 to 366); `open` is then `false`
    /// unless given.
    pub(crate) resolved_within: Option<u32>,
    /// The `next` of the previous page.
    pub(crate) after: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub(crate) limit: Option<u32>,
}

/// A page of tickets, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    items: Vec<TicketView>,
    next: Option<String>,
}

/// The filter of a queue, as the API and the desk page ask for it.
pub fn filter(
    access: &tandem_kernel::Access,
    now: OffsetDateTime,
    query: &TicketQuery,
) -> Result<Filter, Error> {
    let assignee = match query.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("me") => access.actor.id.map(PersonId),
        Some(raw) => Some(parse_id::<PersonId>("assignee", raw).map_err(Error::from)?),
    };
    let team = match query.team.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(parse_id::<TeamId>("team", raw).map_err(Error::from)?),
    };
    let resolved_since = match query.resolved_within {
        None => None,
        Some(days @ 1..=366) => Some(now - time::Duration::days(i64::from(days))),
        Some(_) => {
            return Err(Error::invalid(
                "resolved_within",
                "a number of days from 1 to 366",
            ));
        }
    };
    let due_before = match query.due_within {
        None => None,
        Some(minutes @ 1..=527_040) => Some(now + time::Duration::minutes(i64::from(minutes))),
        Some(_) => {
            return Err(Error::invalid(
                "due_within",
                "a number of minutes from 1 to 527,040 (a year)",
            ));
        }
    };
    Ok(Filter {
        open: query.open.unwrap_or(resolved_since.is_none()),
        assignee,
        team,
        organisation: None,
        breached_at: query.breached.unwrap_or(false).then_some(now),
        due_before,
        resolved_since,
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
        internal: access.may(Permission::TicketsWork),
    })
}

/// List tickets: the open ones by default, newest first; queues by assignee, team, missed
/// targets and due soon.
#[utoipa::path(get, path = "/tickets", tag = "service desk", params(TicketQuery),
    responses((status = 200, body = TicketList), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn list_tickets(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> ApiResult<Json<TicketList>> {
    let now = state.clock.now();
    let filter = filter(&access, now, &query)?;
    let limit = PageRequest::limit(query.limit).map_err(Error::from)?;
    let after = match query.after.as_deref() {
        Some(raw) => Some(parse_id::<TicketId>("after", raw).map_err(Error::from)?),
        None => None,
    };
    let (tickets, next) = store::list(&state.db, access.scope, &filter, after, limit).await?;
    Ok(Json(TicketList {
        items: tickets
            .into_iter()
            .map(|t| TicketView::new(t, now, access.may(Permission::TicketsWork)))
            .collect(),
        next: next.map(|n| n.to_string()),
    }))
}

/// The fields of a new ticket.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewTicketBody {
    /// `incident`, `service-request`, `problem`, `security-incident` or `access-request`.
    kind: String,
    title: String,
    /// What the requester says: the first article.
    description: String,
    /// `high`, `medium` (default) or `low`.
    impact: String,
    urgency: String,
    /// The customer; a customer user's tickets are always their own organisation's.
    organisation_id: String,
    requester_id: String,
    /// A customer user may name only a service their organisation is a customer of; any
    /// other is answered as "there is no such service".
    service_id: String,
    /// Staff only: a customer user's ticket is routed by the desk, and a team is refused.
    team_id: String,
    category: String,
    /// Configuration items concerned, as free references until the CMDB exists.
    affected_items: String,
    /// `portal` (default), `e-mail`, `phone`, `note` or `system`; customer users `portal` only.
    channel: String,
}

/// A file sent with an article.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    name: String,
    /// The content, base64 (standard alphabet, with padding).
    content: String,
}

/// Open a ticket. Its priority follows from impact and urgency; the agreement that applies
/// sets its clocks.
#[utoipa::path(post, path = "/tickets", tag = "service desk", request_body = NewTicketBody,
    responses((status = 201, body = TicketView), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn create_ticket(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    ApiJson(body): ApiJson<NewTicketBody>,
) -> ApiResult<Response> {
    let mut draft = TicketDraft {
        kind: body.kind,
        title: body.title,
        description: body.description,
        impact: body.impact,
        urgency: body.urgency,
        organisation_id: body.organisation_id,
        requester_id: body.requester_id,
        service_id: body.service_id,
        team_id: body.team_id,
        category: body.category,
        affected_items: body.affected_items,
        channel: body.channel,
    };
    if let tandem_kernel::Scope::Organisation(own) = access.scope {
        draft.organisation_id = own.to_string();
    }
    let input = draft.validate(
        &store::matrix(&state.db).await?,
        access.may(Permission::TicketsWork),
    )?;
    let ticket = store::create(&write, access.scope, input).await?;
    Ok(created(
        format!("/api/v1/tickets/{}", ticket.id),
        TicketView::new(ticket, write.now, access.may(Permission::TicketsWork)),
    ))
}

/// Read a ticket and its thread.
#[utoipa::path(get, path = "/tickets/{id}", tag = "service desk", params(("id" = String, Path)),
    responses((status = 200, body = TicketWithThread), (status = 404, body = tandem_web::error::ErrorBody)))]
async fn get_ticket(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
) -> ApiResult<Json<TicketWithThread>> {
    let ticket = store::get(&state.db, access.scope, id).await?;
    let id = ticket.id;
    let articles = store::articles(&state.db, id, access.may(Permission::TicketsWork)).await?;
    let links = store::links(&state.db, access.scope, ticket.id).await?;
    Ok(Json(TicketWithThread {
        links: links
            .into_iter()
            .map(|l| LinkView {
                relation: l.label(),
                ticket: l.other.to_string(),
                number: l.display_number(),
                title: l.title,
                state: l.state.as_str(),
            })
            .collect(),
        ticket: TicketView::new(
            ticket,
            state.clock.now(),
            access.may(Permission::TicketsWork),
        ),
        articles: articles
            .into_iter()
            .map(|a| ArticleView::new(a, id))
            .collect(),
    }))
}

/// The fields to change; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketChangesBody {
    state: Option<String>,
    impact: Option<String>,
    urgency: Option<String>,
    /// An empty string: no team.
    team_id: Option<String>,
    /// An empty string: nobody.
    assignee_id: Option<String>,
    /// 1, 2 or 3.
    support_level: Option<u8>,
    category: Option<String>,
    /// On problems: the known error.
    known_error: Option<String>,
    /// On problems: the workaround until the fix.
    workaround: Option<String>,
    /// The `version` the change is based on; if the ticket changed since, 409.
    version: Option<i64>,
}

/// Change a ticket: its state (as the state model allows), impact, urgency, team, assignee,
/// support level, category.
#[utoipa::path(patch, path = "/tickets/{id}", tag = "service desk", params(("id" = String, Path)), request_body = TicketChangesBody,
    responses((status = 200, body = TicketView), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn change_ticket(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    ApiJson(body): ApiJson<TicketChangesBody>,
) -> ApiResult<Json<TicketView>> {
    let changes = TicketChanges {
        state: body.state,
        impact: body.impact,
        urgency: body.urgency,
        team_id: body.team_id,
        assignee_id: body.assignee_id,
        support_level: body.support_level.map(|l| l.to_string()),
        category: body.category,
        known_error: body.known_error,
        workaround: body.workaround,
    };
    let changed = save_current(id.0, body.version, || async {
        let ticket = store::get(&state.db, access.scope, id).await?;
        let change = changes.apply(&ticket, &store::matrix(&state.db).await?)?;
        let version = body.version.unwrap_or(ticket.version);
        store::change(&write, id, version, change).await
    })
    .await?;
    Ok(Json(TicketView::new(changed, write.now, true)))
}

/// A new article.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewArticleBody {
    body: String,
    /// `public` (default: the customer sees it) or `internal` (staff who work tickets only).
    visibility: String,
    /// `portal` (default), `e-mail`, `phone`, `note` or `system`; customer users `portal` only.
    channel: String,
    /// Files, each with its `name` and its `content` in base64 (at most 10 files, 10 MiB
    /// each, 20 MiB together; images, PDF or plain text).
    attachments: Vec<AttachmentBody>,
}

/// Add an article to the thread. An agent's public article answers the customer (first
/// response, update); internal notes are for those who work tickets.
#[utoipa::path(post, path = "/tickets/{id}/articles", tag = "service desk", params(("id" = String, Path)), request_body = NewArticleBody,
    responses((status = 201, body = TicketView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn add_article(
    RequestAccess(access): RequestAccess,
    InPath(id): InPath<TicketId>,
    write: Write,
    ApiJson(body): ApiJson<NewArticleBody>,
) -> ApiResult<Response> {
    use base64::Engine;
    let mut errors = Vec::new();
    let mut attachments = Vec::new();
    for (i, file) in body.attachments.into_iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(file.content.trim()) {
            Ok(content) => attachments.push(FileDraft {
                name: file.name,
                content,
            }),
            Err(_) => errors.push(tandem_kernel::FieldError::new(
                format!("attachments[{i}]"),
                "content must be base64 (standard alphabet, with padding)",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors).into());
    }
    let article = ArticleDraft {
        body: body.body,
        visibility: body.visibility,
        channel: body.channel,
        attachments,
    }
    .validate(access.may(Permission::TicketsWork))?;
    let ticket = store::add_article(&write, access.scope, id, article).await?;
    Ok(created(
        format!("/api/v1/tickets/{id}"),
        TicketView::new(ticket, write.now, access.may(Permission::TicketsWork)),
    ))
}

/// A time entry to record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewTimeBody {
    /// Minutes (`45`) or hours and minutes (`1h30m`), at most 24 h.
    duration: String,
    billable: bool,
    note: String,
    /// `YYYY-MM-DD`; absent: today.
    worked_on: String,
}

/// Record time worked on a ticket, billable or not.
#[utoipa::path(post, path = "/tickets/{id}/time", tag = "service desk", params(("id" = String, Path)), request_body = NewTimeBody,
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn add_time(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    ApiJson(body): ApiJson<NewTimeBody>,
) -> ApiResult<axum::http::StatusCode> {
    let entry = TimeDraft {
        duration: body.duration,
        billable: body.billable,
        note: body.note,
        worked_on: body.worked_on,
    }
    .validate(write.now.date())?;
    store::get(&state.db, access.scope, id).await?;
    store::add_time(&write, id, entry).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Which report: a customer and a month.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The customer organisation's id.
    organisation: String,
    /// `YYYY-MM`.
    month: String,
}

/// The monthly service-level report of a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub organisation: String,
    pub month: String,
    pub tickets: u32,
    /// `[kind, priority, number]` rows.
    pub by_kind_and_priority: Vec<(String, String, u32)>,
    pub response_met: u32,
    pub response_missed: u32,
    pub resolution_met: u32,
    pub resolution_missed: u32,
    pub pending: u32,
    /// `[ticket, title, target, minutes late]` rows.
    pub breaches: Vec<(String, String, String, i64)>,
    pub billable_minutes: i64,
    pub not_billable_minutes: i64,
    /// The penalty for the missed targets under the customer's SLA, as an amount.
    pub penalty: String,
    /// When the report was worked out.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: time::OffsetDateTime,
    /// Whether the month had ended then; if not, pending targets may still be met or missed
    /// and the penalty may grow.
    pub month_ended: bool,
}

/// Works out the report of `organisation` for `month`, as it stands at `now`.
pub async fn monthly_report(
    db: &tandem_storage::Db,
    organisation: &str,
    month: &str,
    now: time::OffsetDateTime,
) -> Result<(String, crate::report::ReportMonth, crate::report::Report), Error> {
    let month = crate::report::ReportMonth::parse("month", month)?;
    let organisation: tandem_directory::OrganisationId =
        parse_id("organisation", organisation).map_err(Error::from)?;
    let name = tandem_directory::store::organisations::get(
        db,
        tandem_kernel::Scope::Everything,
        organisation,
    )
    .await?
    .name
    .to_string();
    let (from, to) = month.bounds();
    let tickets = store::opened_between(db, organisation, from, to).await?;
    let time: Vec<(bool, i64)> = store::time_between(db, organisation, from.date(), to.date())
        .await?
        .into_iter()
        .map(|b| (b.entry.billable, i64::from(b.entry.minutes)))
        .collect();
    let agreements = tandem_service_levels::store::agreements::all(db).await?;
    let candidates: Vec<crate::clocks::Candidate<usize>> = agreements
        .iter()
        .enumerate()
        .map(|(i, a)| crate::clocks::Candidate {
            id: i,
            name: a.terms.name.to_string(),
            kind: a.terms.kind,
            organisation: a.organisation.as_ref().map(|o| o.0.0),
            service: a.service.as_ref().map(|s| s.0.0),
        })
        .collect();
    let penalties = crate::clocks::customer_sla(&candidates, organisation.0)
        .map(|i| agreements[i].terms.penalties);
    Ok((
        name,
        month,
        crate::report::build(month, now, &tickets, &time, penalties),
    ))
}

impl ReportView {
    pub fn new(
        organisation: String,
        month: crate::report::ReportMonth,
        r: crate::report::Report,
    ) -> Self {
        Self {
            organisation,
            month: month.to_string(),
            tickets: r.tickets,
            by_kind_and_priority: r
                .by_kind_and_priority
                .into_iter()
                .map(|((k, p), n)| (k, p, n))
                .collect(),
            response_met: r.response_met,
            response_missed: r.response_missed,
            resolution_met: r.resolution_met,
            resolution_missed: r.resolution_missed,
            pending: r.pending,
            breaches: r
                .breaches
                .into_iter()
                .map(|b| (b.ticket, b.title, b.target.to_owned(), b.minutes_late))
                .collect(),
            billable_minutes: r.time.billable,
            not_billable_minutes: r.time.not_billable,
            penalty: tandem_service_levels::agreement::show_money(r.penalty_cents),
            as_of: r.as_of,
            month_ended: r.month_ended,
        }
    }
}

/// The monthly service-level report of a customer: tickets by kind and priority, targets met
/// and missed, breaches, time spent, and the penalty under the customer's SLA.
#[utoipa::path(get, path = "/reports/service-levels", tag = "service desk", params(ReportQuery),
    responses((status = 200, body = ReportView), (status = 404, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn service_level_report(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ReportView>> {
    let (name, month, report) = monthly_report(
        &state.db,
        &query.organisation,
        &query.month,
        state.clock.now(),
    )
    .await?;
    Ok(Json(ReportView::new(name, month, report)))
}

/// A link to add.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewLinkBody {
    /// `caused-by` (this incident is caused by the other, a problem), `duplicate-of` or
    /// `child-of`.
    kind: String,
    /// The other ticket's number, such as `T-000004`.
    other: String,
}

/// Link this ticket to another.
#[utoipa::path(post, path = "/tickets/{id}/links", tag = "service desk", params(("id" = String, Path)), request_body = NewLinkBody,
    responses((status = 204), (status = 404, body = tandem_web::error::ErrorBody), (status = 409, body = tandem_web::error::ErrorBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn add_link(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    ApiJson(body): ApiJson<NewLinkBody>,
) -> ApiResult<axum::http::StatusCode> {
    let kind = crate::ticket::LinkKind::parse("kind", &body.kind);
    let other = crate::ticket::parse_number("other", &body.other);
    let (kind, other) = tandem_kernel::error::AllValid::all_valid((kind, other))?;
    store::get(&state.db, access.scope, id).await?;
    store::link(&write, id, kind, other).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The priority of each impact × urgency: `{"high": {"high": "p1", …}, …}`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixBody {
    high: MatrixRow,
    medium: MatrixRow,
    low: MatrixRow,
}

/// The priorities of one impact by urgency.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    high: String,
    medium: String,
    low: String,
}

impl MatrixBody {
    pub(crate) fn of(matrix: &PriorityMatrix) -> Self {
        let row = |impact| MatrixRow {
            high: matrix.priority(impact, Level::High).as_str().to_owned(),
            medium: matrix.priority(impact, Level::Medium).as_str().to_owned(),
            low: matrix.priority(impact, Level::Low).as_str().to_owned(),
        };
        Self {
            high: row(Level::High),
            medium: row(Level::Medium),
            low: row(Level::Low),
        }
    }

    fn matrix(&self) -> Result<PriorityMatrix, Error> {
        PriorityMatrix::parse(|impact, urgency| {
            let row = match impact {
                Level::High => &self.high,
                Level::Medium => &self.medium,
                Level::Low => &self.low,
            };
            match urgency {
                Level::High => row.high.clone(),
                Level::Medium => row.medium.clone(),
                Level::Low => row.low.clone(),
            }
        })
        .map_err(Error::Invalid)
    }
}

/// The priority matrix: the priority of a ticket from its impact (rows) and urgency.
#[utoipa::path(get, path = "/priority-matrix", tag = "service desk", responses((status = 200, body = MatrixBody)))]
async fn get_matrix(State(state): State<AppState>) -> ApiResult<Json<MatrixBody>> {
    Ok(Json(MatrixBody::of(&store::matrix(&state.db).await?)))
}

/// Replace the priority matrix. Tickets keep their priority until their impact or urgency
/// change.
#[utoipa::path(put, path = "/priority-matrix", tag = "service desk", request_body = MatrixBody,
    responses((status = 200, body = MatrixBody), (status = 422, body = tandem_web::error::ErrorBody)))]
async fn set_matrix(
    write: Write,
    ApiJson(body): ApiJson<MatrixBody>,
) -> ApiResult<Json<MatrixBody>> {
    let matrix = body.matrix()?;
    store::set_matrix(&write, matrix).await?;
    Ok(Json(MatrixBody::of(&matrix)))
}
