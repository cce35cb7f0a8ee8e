//! The service desk's pages: the desk (queues), a ticket with its clocks and thread, and the
//! forms to open a ticket, write an article and change a ticket. Customer users see the same
//! pages for their organisation's tickets, without internal notes and without the work form.

mod desk;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::OrganisationKind;
use tandem_directory::pages::organisation_options;
use tandem_directory::store::teams;
use tandem_kernel::id::parse_id;
use tandem_kernel::{Access, Error, Need, Permission, Scope, Sheet};
use tandem_web::page::when;
use tandem_web::page::{choices, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormInput, InPath, PageQuery, PageResult, RequestAccess, Routes,
    UploadForm,
};
use time::OffsetDateTime;

use crate::attachment::{AttachmentId, FileDraft};
use crate::records::{
    Article, ArticleDraft, CHANNELS, Ticket, TicketChanges, TicketDraft, TicketId,
};
use crate::store;
use crate::ticket::{Level, PriorityMatrix, TicketKind};

pub fn routes() -> Routes {
    let read = Need::Permission(Permission::TicketsRead);
    let submit = Need::Permission(Permission::TicketsSubmit);
    let work = Need::Permission(Permission::TicketsWork);
    Routes::new()
        .merge(desk::routes())
        .get("/tickets/new", submit, new)
        .post("/tickets", submit, create)
        .get("/tickets/{id}", read, show)
        .post("/tickets/{id}", work, change)
        .get("/tickets/{id}/attachments/{file}", read, download)
        .merge(
            Routes::new()
                .post("/tickets/{id}/articles", submit, reply)
                .body_limit(tandem_web::MAX_UPLOAD_BYTES),
        )
        .post("/tickets/{id}/time", work, record_time)
        .post("/tickets/{id}/links", work, add_link)
        .get(
            "/reports",
            Need::Permission(Permission::ReportsRead),
            reports,
        )
        .get(
            "/reports/billing.csv",
            Need::Permission(Permission::ReportsRead),
            billing_csv,
        )
        .get(
            "/reports/service-levels.csv",
            Need::Permission(Permission::ReportsRead),
            report_csv,
        )
        .get(
            "/priority-matrix",
            Need::Permission(Permission::ServiceLevelsRead),
            matrix,
        )
        .post(
            "/priority-matrix",
            Need::Permission(Permission::ServiceLevelsWrite),
            set_matrix,
        )
}

/// Every team, as `(id, name)` for a choice.
async fn team_choices(db: &tandem_storage::Db) -> Result<Vec<(String, String)>, Error> {
    Ok(choices(teams::choices(db, Scope::Everything).await?))
}

#[derive(Template)]
#[template(path = "service_desk/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    ticket: Ticket,
    articles: Vec<Article>,
    now: OffsetDateTime,
    works: bool,
    states: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    people: Vec<(String, String)>,
    reply: ArticleFields,
    time: Vec<crate::records::TimeEntry>,
    time_total: String,
    links: Vec<store::Link>,
    link_kinds: Vec<(String, String)>,
    today: String,
    errors: FormErrors,
}

impl TicketPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }

    fn clock(&self, due: &Option<OffsetDateTime>, met: &Option<OffsetDateTime>) -> String {
        match (due, met) {
            (None, _) => "—".to_owned(),
            (Some(due), Some(met)) if met <= due => {
                format!("met {} (due {})", when(met), when(due))
            }
            (Some(due), Some(met)) => format!("missed: {} (due {})", when(met), when(due)),
            (Some(due), None) if *due < self.now => format!("missed: due {}", when(due)),
            (Some(due), None) => format!("due {}", when(due)),
        }
    }
}

async fn ticket_page(
    state: &AppState,
    access: &Access,
    id: TicketId,
    reply: ArticleFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let ticket = store::get(&state.db, access.scope, id).await?;
    let works = access.may(Permission::TicketsWork);
    let articles = store::articles(&state.db, id, works).await?;
    let time = if works {
        store::time_of(&state.db, id).await?
    } else {
        Vec::new()
    };
    let minutes: u32 = time.iter().map(|e| e.minutes.unsigned_abs()).sum();
    let links = store::links(&state.db, access.scope, id).await?;
    let (teams, people) = if works {
        let teams = team_choices(&state.db).await?;
        let people = tandem_identity::read::staff_with(&state.db, Permission::TicketsWork)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect();
        (teams, people)
    } else {
        (Vec::new(), Vec::new())
    };
    let allowed: Vec<(String, String)> = std::iter::once(ticket.state)
        .chain(ticket.state.next().iter().copied())
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let invalid = errors.summary.is_some();
    let mut response = render(&TicketPage {
        chrome: Chrome::new(
            "desk",
            format!("{} {}", ticket.display_number(), ticket.title),
        ),
        ticket,
        articles,
        now: state.clock.now(),
        works,
        states: allowed,
        levels: Level::ALL
            .iter()
            .map(|l| (l.as_str().to_owned(), l.as_str().to_owned()))
            .collect(),
        teams,
        people,
        reply,
        time,
        time_total: tandem_service_levels::agreement::show_minutes(minutes),
        links,
        link_kinds: crate::ticket::LinkKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
            .collect(),
        today: state.clock.now().date().to_string(),
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The link form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LinkFields {
    kind: String,
    other: String,
}

/// `POST /tickets/{id}/links`.
async fn add_link(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    FormInput(fields): FormInput<LinkFields>,
) -> PageResult<Response> {
    let checked = tandem_kernel::error::AllValid::all_valid((
        crate::ticket::LinkKind::parse("kind", &fields.kind),
        crate::ticket::parse_number("other", &fields.other),
    ));
    let saved = match checked {
        Ok((kind, other)) => store::link(&write, id, kind, other).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(see_other(&format!("/tickets/{id}"))),
        Err(error) => {
            ticket_page(
                &state,
                &access,
                id,
                ArticleFields::default(),
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

/// The time form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TimeFields {
    duration: String,
    billable: String,
    note: String,
    worked_on: String,
}

/// `POST /tickets/{id}/time`.
async fn record_time(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    FormInput(fields): FormInput<TimeFields>,
) -> PageResult<Response> {
    let saved = match (crate::records::TimeDraft {
        duration: fields.duration,
        billable: !fields.billable.is_empty(),
        note: fields.note,
        worked_on: fields.worked_on,
    })
    .validate(write.now.date())
    {
        Ok(entry) => store::add_time(&write, id, entry).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(see_other(&format!("/tickets/{id}"))),
        Err(error) => {
            ticket_page(
                &state,
                &access,
                id,
                ArticleFields::default(),
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "service_desk/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    customers: Vec<(String, String)>,
    organisation: String,
    month: String,
    report: Option<crate::api::ReportView>,
    error: Option<String>,
}

impl ReportsPage {
    fn hours(&self, minutes: &i64) -> String {
        tandem_service_levels::agreement::show_minutes(u32::try_from(*minutes).unwrap_or(0))
    }

    fn as_of(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReportFields {
    organisation: String,
    month: String,
}

/// `GET /reports[?organisation=…&month=…]`: a customer's monthly service-level report.
async fn reports(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ReportFields>,
) -> PageResult<Response> {
    let customers = organisation_options(&state.db, &[OrganisationKind::Customer]).await?;
    let month = if query.month.is_empty() {
        crate::report::ReportMonth::of(state.clock.now()).to_string()
    } else {
        query.month.clone()
    };
    let (report, error) = if query.organisation.is_empty() {
        (None, None)
    } else {
        match crate::api::monthly_report(&state.db, &query.organisation, &month, state.clock.now())
            .await
        {
            Ok((name, month, report)) => {
                (Some(crate::api::ReportView::new(name, month, report)), None)
            }
            Err(Error::Invalid(errors)) => (
                None,
                errors
                    .first()
                    .map(|e| format!("{}: {}", e.field, e.message)),
            ),
            Err(other) => return Err(other.into()),
        }
    };
    Ok(render(&ReportsPage {
        chrome: Chrome::new("reports", "Service-level reports"),
        customers,
        organisation: query.organisation,
        month,
        report,
        error,
    }))
}

/// `GET /reports/billing.csv?organisation=…&month=…`: the time worked for a customer in a
/// month, one row per entry.
async fn billing_csv(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ReportFields>,
) -> PageResult<Response> {
    let month = crate::report::ReportMonth::parse("month", &query.month).map_err(Error::from)?;
    let organisation = parse_id("organisation", &query.organisation).map_err(Error::from)?;
    let (from, to) = month.bounds();
    let rows = store::time_between(&state.db, organisation, from.date(), to.date()).await?;
    let mut csv = Sheet::new([
        "ticket",
        "title",
        "worked_on",
        "person",
        "minutes",
        "billable",
        "note",
    ]);
    for row in rows {
        csv.row([
            crate::records::show_number(row.number),
            row.title,
            row.entry.worked_on.to_string(),
            row.entry.person,
            row.entry.minutes.to_string(),
            (if row.entry.billable { "yes" } else { "no" }).to_owned(),
            row.entry.note,
        ]);
    }
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        &format!("billing-{month}.csv"),
        csv.into_bytes(),
    ))
}

/// `GET /reports/service-levels.csv?organisation=…&month=…`: one row per ticket opened in the
/// month, with how its first-response and resolution targets turned out.
async fn report_csv(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ReportFields>,
) -> PageResult<Response> {
    let month = crate::report::ReportMonth::parse("month", &query.month).map_err(Error::from)?;
    let organisation = parse_id("organisation", &query.organisation).map_err(Error::from)?;
    let (from, to) = month.bounds();
    let tickets = store::opened_between(&state.db, organisation, from, to).await?;
    let mut csv = Sheet::new([
        "ticket",
        "title",
        "kind",
        "priority",
        "state",
        "opened",
        "first_response_due",
        "first_response",
        "resolution_due",
        "resolution",
    ]);
    let at = |t: Option<OffsetDateTime>| t.as_ref().map(when).unwrap_or_default();
    let now = state.clock.now();
    for t in &tickets {
        let (response, resolution) = crate::report::outcomes(now, t);
        csv.row([
            t.display_number(),
            t.title.clone(),
            t.kind.as_str().to_owned(),
            t.priority.as_str().to_owned(),
            t.state.as_str().to_owned(),
            when(&t.created_at),
            at(t.response_due),
            response.describe(),
            at(t.resolution_due),
            resolution.describe(),
        ]);
    }
    Ok(tandem_web::download(
        "text/csv; charset=utf-8",
        &format!("service-levels-{month}.csv"),
        csv.into_bytes(),
    ))
}

/// `GET /tickets/{id}`.
async fn show(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
) -> PageResult<Response> {
    ticket_page(
        &state,
        &access,
        id,
        ArticleFields::default(),
        FormErrors::default(),
    )
    .await
}

/// The reply form's text fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArticleFields {
    body: String,
    visibility: String,
    channel: String,
}

/// `POST /tickets/{id}/articles`: the reply form, with its files.
async fn reply(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    mut form: UploadForm,
) -> PageResult<Response> {
    let fields = ArticleFields {
        body: form.field("body"),
        visibility: form.field("visibility"),
        channel: form.field("channel"),
    };
    let checked = ArticleDraft {
        body: fields.body.clone(),
        visibility: fields.visibility.clone(),
        channel: fields.channel.clone(),
        attachments: form
            .take_files("attachments")
            .into_iter()
            .map(|f| FileDraft {
                name: f.name,
                content: f.content,
            })
            .collect(),
    }
    .validate(access.may(Permission::TicketsWork));
    let saved = match checked {
        Ok(article) => store::add_article(&write, access.scope, id, article).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/tickets/{id}"))),
        Err(error) => {
            ticket_page(&state, &access, id, fields, FormErrors::from_error(error)?).await
        }
    }
}

/// The work form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ChangeFields {
    state: String,
    impact: String,
    urgency: String,
    team_id: String,
    assignee_id: String,
    support_level: String,
    /// Sent by the work form of problems only.
    known_error: Option<String>,
    workaround: Option<String>,
    version: i64,
}

/// `POST /tickets/{id}`: state, impact, urgency, team, assignee, support level.
async fn change(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TicketId>,
    write: Write,
    FormInput(fields): FormInput<ChangeFields>,
) -> PageResult<Response> {
    let ticket = store::get(&state.db, access.scope, id).await?;
    let saved = match (TicketChanges {
        state: Some(fields.state),
        impact: Some(fields.impact),
        urgency: Some(fields.urgency),
        team_id: Some(fields.team_id),
        assignee_id: Some(fields.assignee_id),
        support_level: Some(fields.support_level),
        category: None,
        known_error: fields.known_error,
        workaround: fields.workaround,
    })
    .apply(&ticket, &store::matrix(&state.db).await?)
    {
        Ok(change) => store::change(&write, id, fields.version, change).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/tickets/{id}"))),
        Err(error) => {
            ticket_page(
                &state,
                &access,
                id,
                ArticleFields::default(),
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "service_desk/new.html")]
struct NewPage {
    chrome: Chrome,
    values: NewFields,
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    staff: bool,
    errors: FormErrors,
}

/// The new-ticket form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NewFields {
    kind: String,
    title: String,
    description: String,
    impact: String,
    urgency: String,
    organisation_id: String,
    category: String,
    affected_items: String,
    channel: String,
}

async fn new_page(
    state: &AppState,
    access: &Access,
    values: NewFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let staff = access.scope == Scope::Everything;
    let organisations = if staff {
        organisation_options(
            &state.db,
            &[OrganisationKind::Provider, OrganisationKind::Customer],
        )
        .await?
    } else {
        Vec::new()
    };
    let invalid = errors.summary.is_some();
    let mut response = render(&NewPage {
        chrome: Chrome::new("desk", "New ticket"),
        values,
        kinds: TicketKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
            .collect(),
        levels: Level::ALL
            .iter()
            .map(|l| (l.as_str().to_owned(), l.as_str().to_owned()))
            .collect(),
        organisations,
        channels: CHANNELS
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect(),
        staff,
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /tickets/new`.
async fn new(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    let values = NewFields {
        kind: TicketKind::Incident.as_str().into(),
        impact: "medium".into(),
        urgency: "medium".into(),
        channel: if access.scope == Scope::Everything {
            "phone".into()
        } else {
            "portal".into()
        },
        ..NewFields::default()
    };
    new_page(&state, &access, values, FormErrors::default()).await
}

/// `POST /tickets`.
async fn create(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<NewFields>,
) -> PageResult<Response> {
    let mut draft = TicketDraft {
        kind: fields.kind.clone(),
        title: fields.title.clone(),
        description: fields.description.clone(),
        impact: fields.impact.clone(),
        urgency: fields.urgency.clone(),
        organisation_id: fields.organisation_id.clone(),
        category: fields.category.clone(),
        affected_items: fields.affected_items.clone(),
        channel: fields.channel.clone(),
        ..TicketDraft::default()
    };
    if let Scope::Organisation(own) = access.scope {
        draft.organisation_id = own.to_string();
        draft.channel = "portal".into();
    }
    let saved = match draft.validate(
        &store::matrix(&state.db).await?,
        access.may(Permission::TicketsWork),
    ) {
        Ok(input) => store::create(&write, access.scope, input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(ticket) => Ok(see_other(&format!("/tickets/{}", ticket.id))),
        Err(error) => new_page(&state, &access, fields, FormErrors::from_error(error)?).await,
    }
}

#[derive(Template)]
#[template(path = "service_desk/matrix.html")]
struct MatrixPage {
    chrome: Chrome,
    /// One row per impact: its name and its cells by urgency.
    rows: Vec<(&'static str, Vec<MatrixCell>)>,
    priorities: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    saved: bool,
}

struct MatrixCell {
    name: String,
    urgency: &'static str,
    value: String,
}

fn matrix_page(
    value: impl Fn(Level, Level) -> String,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let invalid = errors.summary.is_some();
    let rows = Level::ALL
        .into_iter()
        .map(|impact| {
            let cells = Level::ALL
                .into_iter()
                .map(|urgency| MatrixCell {
                    name: PriorityMatrix::cell(impact, urgency),
                    urgency: urgency.as_str(),
                    value: value(impact, urgency),
                })
                .collect();
            (impact.as_str(), cells)
        })
        .collect();
    let mut response = render(&MatrixPage {
        chrome: Chrome::new("service-levels", "Priority matrix"),
        rows,
        priorities: tandem_service_levels::agreement::Priority::ALL
            .iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        errors,
        saved,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MatrixQuery {
    saved: bool,
}

/// `GET /priority-matrix`: the matrix, as a form for those who may change it.
async fn matrix(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<MatrixQuery>,
) -> PageResult<Response> {
    let matrix = store::matrix(&state.db).await?;
    Ok(matrix_page(
        |impact, urgency| matrix.priority(impact, urgency).as_str().to_owned(),
        FormErrors::default(),
        query.saved,
    ))
}

/// `POST /priority-matrix`: one field per cell, named `impact.urgency`.
async fn set_matrix(
    write: Write,
    FormInput(fields): FormInput<std::collections::HashMap<String, String>>,
) -> PageResult<Response> {
    let value = |impact, urgency| {
        fields
            .get(&PriorityMatrix::cell(impact, urgency))
            .cloned()
            .unwrap_or_default()
    };
    let saved = match PriorityMatrix::parse(value) {
        Ok(matrix) => store::set_matrix(&write, matrix).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match saved {
        Ok(()) => Ok(see_other("/priority-matrix?saved=true")),
        Err(error) => Ok(matrix_page(value, FormErrors::from_error(error)?, false)),
    }
}

/// `GET /tickets/{id}/attachments/{file}`: the file, always as a download. Text is served as
/// `text/plain` and nothing is sniffed or run, whatever the file holds.
async fn download(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath((ticket, file)): InPath<(TicketId, AttachmentId)>,
) -> PageResult<Response> {
    use axum::http::header;
    let (found, content) = store::attachment(
        &state.db,
        access.scope,
        ticket,
        file,
        access.may(Permission::TicketsWork),
    )
    .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8\'\'{}",
        found
            .name
            .chars()
            .map(
                |c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                    c
                } else {
                    '_'
                }
            )
            .collect::<String>(),
        tandem_web::page::encode_component(&found.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, found.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        content,
    )
        .into_response())
}
