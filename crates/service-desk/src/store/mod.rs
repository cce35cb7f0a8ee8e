//! Reading and writing tickets, their pauses and their articles. Every write runs in one
//! transaction with its audit entry and brings the ticket's SLA clocks up to date. Reads take
//! the request's scope: a customer user's tickets are their organisation's, and another
//! organisation's ticket is not found.

pub mod saved_filters;

use tandem_audit::{Action, Changes, Edit, Write};
use tandem_directory::{OrganisationId, PersonId, TeamId};
use tandem_kernel::{Actor, ActorKind, Error, FieldError, Result, Scope};
use tandem_service_levels::agreement::{
    AgreementId, AgreementTerms, EscalationAction, Metric, Priority, Targets,
};
use tandem_service_levels::calendar::{Calendar, Pause};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Arg, Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use crate::attachment::AttachmentId;
use crate::clocks::{Candidate, Facts, applicable, clocks};
use crate::escalation;
use crate::notice::Notice;
use crate::records::{
    Article, ArticleId, Attachment, Change, NewArticle, NewTicket, NewTimeEntry, Ticket, TicketId,
    TimeEntry, TimeEntryId, Visibility,
};
use crate::ticket::{Level, LinkKind, PriorityMatrix, State, TicketKind};

const SELECT: &str = "SELECT t.id, t.number, t.kind, t.title, t.state, t.impact, t.urgency, t.priority, \
     t.organisation_id, o.name AS organisation_name, t.requester_id, rq.name AS requester_name, \
     t.service_id, s.name AS service_name, t.agreement_id, ag.name AS agreement_name, \
     t.team_id, tm.name AS team_name, t.assignee_id, asg.name AS assignee_name, \
     t.support_level, t.category, t.affected_items, t.known_error, t.workaround, t.created_at, t.updated_at, t.first_response_at, \
     t.resolved_at, t.closed_at, t.response_due, t.update_due, t.resolution_due, t.escalation_at, t.version \
     FROM tickets t JOIN organisation_refs o ON o.id = t.organisation_id \
     LEFT JOIN person_refs rq ON rq.id = t.requester_id LEFT JOIN service_refs s ON s.id = t.service_id \
     LEFT JOIN agreement_refs ag ON ag.id = t.agreement_id LEFT JOIN team_refs tm ON tm.id = t.team_id \
     LEFT JOIN person_refs asg ON asg.id = t.assignee_id";

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: TicketId,
    number: i64,
    kind: String,
    title: String,
    state: String,
    impact: String,
    urgency: String,
    priority: String,
    organisation_id: OrganisationId,
    organisation_name: String,
    requester_id: Option<PersonId>,
    requester_name: Option<String>,
    service_id: Option<ServiceId>,
    service_name: Option<String>,
    agreement_id: Option<AgreementId>,
    agreement_name: Option<String>,
    team_id: Option<TeamId>,
    team_name: Option<String>,
    assignee_id: Option<PersonId>,
    assignee_name: Option<String>,
    support_level: i32,
    category: String,
    affected_items: String,
    known_error: String,
    workaround: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    first_response_at: Option<OffsetDateTime>,
    resolved_at: Option<OffsetDateTime>,
    closed_at: Option<OffsetDateTime>,
    response_due: Option<OffsetDateTime>,
    update_due: Option<OffsetDateTime>,
    resolution_due: Option<OffsetDateTime>,
    escalation_at: Option<OffsetDateTime>,
    version: i64,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = Error;

    fn try_from(r: TicketRow) -> Result<Self> {
        let corrupt = |e: FieldError| Error::Storage(format!("ticket {}: {e}", r.id).into());
        Ok(Self {
            id: r.id,
            number: r.number,
            kind: TicketKind::parse("kind", &r.kind).map_err(corrupt)?,
            title: r.title,
            state: State::parse("state", &r.state).map_err(corrupt)?,
            impact: Level::parse("impact", &r.impact).map_err(corrupt)?,
            urgency: Level::parse("urgency", &r.urgency).map_err(corrupt)?,
            priority: Priority::parse("priority", &r.priority).map_err(corrupt)?,
            organisation: (r.organisation_id, r.organisation_name),
            requester: r.requester_id.zip(r.requester_name),
            service: r.service_id.zip(r.service_name),
            agreement: r.agreement_id.zip(r.agreement_name),
            team: r.team_id.zip(r.team_name),
            assignee: r.assignee_id.zip(r.assignee_name),
            support_level: r.support_level,
            category: r.category,
            affected_items: r.affected_items,
            known_error: r.known_error,
            workaround: r.workaround,
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_at: r.first_response_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            response_due: r.response_due,
            update_due: r.update_due,
            resolution_due: r.resolution_due,
            escalation_at: r.escalation_at,
            version: r.version,
        })
    }
}

/// The ticket `id`, if `scope` admits its organisation.
pub async fn get(db: &Db, scope: Scope, id: TicketId) -> Result<Ticket> {
    let row: TicketRow = db
        .fetch_by_id(&format!("{SELECT} WHERE t.id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound { entity: "ticket" })?;
    if !scope.admits(row.organisation_id.0) {
        return Err(Error::NotFound { entity: "ticket" });
    }
    row.try_into()
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only open tickets (not resolved or closed).
    pub open: bool,
    pub assignee: Option<PersonId>,
    pub team: Option<TeamId>,
    pub organisation: Option<OrganisationId>,
    /// Only open tickets with a clock past its due time at this instant.
    pub breached_at: Option<OffsetDateTime>,
    /// Only open tickets whose next due time is before this instant.
    pub due_before: Option<OffsetDateTime>,
    /// Only resolved or closed tickets resolved at or after this instant.
    pub resolved_since: Option<OffsetDateTime>,
    /// Text in the title or an article (case-insensitive), or a ticket number.
    pub search: Option<String>,
    /// Whether the search looks into internal notes too (for those who work tickets).
    pub internal: bool,
}

/// A page of tickets, newest first; `after` is the last ticket of the previous page.
pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    after: Option<TicketId>,
    limit: u32,
) -> Result<(Vec<Ticket>, Option<TicketId>)> {
    let mut conditions = Vec::new();
    let mut args = Vec::new();
    let mut add = |sql: String, arg: Option<Arg>| {
        let n = args.len() + 1;
        conditions.push(sql.replace('?', &format!("${n}")));
        if let Some(arg) = arg {
            args.push(arg);
        }
    };
    if let Scope::Organisation(own) = scope {
        add("t.organisation_id = ?".into(), Some(Arg::Uuid(own)));
    }
    if filter.open {
        add("t.state NOT IN ('resolved', 'closed')".into(), None);
    }
    if let Some(assignee) = filter.assignee {
        add("t.assignee_id = ?".into(), Some(Arg::Uuid(assignee.0)));
    }
    if let Some(team) = filter.team {
        add("t.team_id = ?".into(), Some(Arg::Uuid(team.0)));
    }
    if let Some(organisation) = filter.organisation {
        add(
            "t.organisation_id = ?".into(),
            Some(Arg::Uuid(organisation.0)),
        );
    }
    if let Some(at) = filter.breached_at {
        add(
            "t.state NOT IN ('resolved', 'closed') AND t.escalation_at <= ?".into(),
            Some(Arg::Time(at)),
        );
    }
    if let Some(before) = filter.due_before {
        add(
            "t.state NOT IN ('resolved', 'closed') AND t.escalation_at < ?".into(),
            Some(Arg::Time(before)),
        );
    }
    if let Some(since) = filter.resolved_since {
        add(
            "t.state IN ('resolved', 'closed') AND t.resolved_at >= ?".into(),
            Some(Arg::Time(since)),
        );
    }
    if let Some(term) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let number = crate::ticket::parse_number("q", term)
            .ok()
            .map_or_else(|| "0".to_owned(), |n| n.to_string());
        let notes = if filter.internal {
            "TRUE"
        } else {
            "a.visibility = 'public'"
        };
        add(
            format!(
                "(t.number = {number} OR lower(t.title) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM ticket_articles a \
                 WHERE a.ticket_id = t.id AND ({notes}) AND lower(a.body) LIKE ? ESCAPE '\\'))"
            ),
            Some(Arg::Text(tandem_storage::like_pattern(term))),
        );
    }
    if let Some(after) = after {
        add("t.id < ?".into(), Some(Arg::Uuid(after.0)));
    }
    let limit = limit.clamp(1, 200);
    let sql = format!(
        "{SELECT}{} ORDER BY t.id DESC LIMIT {}",
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        },
        limit + 1
    );
    let mut rows: Vec<TicketRow> = db.fetch_all(&sql, &args).await?;
    let next = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id)
    });
    let tickets = rows
        .into_iter()
        .map(Ticket::try_from)
        .collect::<Result<_>>()?;
    Ok((tickets, next.flatten()))
}

/// The thread of ticket `id`, oldest first; internal notes only with `internal`.
pub async fn articles(db: &Db, id: TicketId, internal: bool) -> Result<Vec<Article>> {
    let mut conn = db.conn().await?;
    let mut articles = run!(&mut conn, |c| {
        sqlx::query_as::<_, Article>(
            "SELECT id, channel, visibility, author_kind, author_label, body, created_at FROM ticket_articles \
             WHERE ticket_id = $1 AND ($2 OR visibility = 'public') ORDER BY created_at, id",
        )
        .bind(id)
        .bind(internal)
        .fetch_all(c)
        .await
    })?;
    let files = run!(&mut conn, |c| {
        sqlx::query_as::<_, Attachment>(
            "SELECT id, article_id, name, media_type, size, sha256 FROM ticket_attachments \
             WHERE ticket_id = $1 ORDER BY created_at, name",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    for file in files {
        if let Some(article) = articles.iter_mut().find(|a| a.id == file.article_id) {
            article.attachments.push(file);
        }
    }
    Ok(articles)
}

/// The agreement that applies and what its clocks need, read before a write.
struct Terms {
    agreement: Option<AgreementId>,
    terms: Option<(AgreementTerms, Calendar)>,
}

async fn terms_of(db: &Db, agreement: Option<AgreementId>) -> Result<Terms> {
    let Some(id) = agreement else {
        return Ok(Terms {
            agreement: None,
            terms: None,
        });
    };
    let agreement = tandem_service_levels::store::agreements::get(db, id).await?;
    let calendar = tandem_service_levels::store::calendars::get(db, agreement.calendar.0).await?;
    Ok(Terms {
        agreement: Some(id),
        terms: Some((agreement.terms, calendar.calendar)),
    })
}

async fn select_agreement(
    db: &Db,
    organisation: OrganisationId,
    service: Option<ServiceId>,
) -> Result<Option<AgreementId>> {
    let candidates: Vec<Candidate<AgreementId>> = tandem_service_levels::store::agreements::all(db)
        .await?
        .into_iter()
        .map(|a| Candidate {
            id: a.id,
            name: a.terms.name.to_string(),
            kind: a.terms.kind,
            organisation: a.organisation.map(|o| o.0.0),
            service: a.service.map(|s| s.0.0),
        })
        .collect();
    Ok(applicable(
        &candidates,
        organisation.0,
        service.map(|s| s.0),
    ))
}

/// Whether `actor` writes as the provider's staff (an agent) or as the customer.
pub fn author_kind(actor: &Actor, scope: Scope) -> &'static str {
    match (actor.kind, scope) {
        (ActorKind::System, _) => "system",
        (_, Scope::Organisation(_)) => "customer",
        (_, Scope::Everything) => "agent",
    }
}

/// Checks references of a new ticket or a change: each id exists; the organisation is a
/// customer; the requester belongs to it.
async fn check_references(
    tx: &mut Tx,
    organisation: Option<OrganisationId>,
    requester: Option<PersonId>,
    team: Option<TeamId>,
    assignee: Option<PersonId>,
    service: Option<ServiceId>,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(org) = organisation {
        let kind = tandem_directory::read::organisation_kind(tx, org).await?;
        match kind.map(tandem_directory::OrganisationKind::as_str) {
            None => errors.push(FieldError::new(
                "organisation_id",
                "there is no such organisation",
            )),
            Some("supplier") => errors.push(FieldError::new(
                "organisation_id",
                "tickets are for the provider or its customers, not suppliers",
            )),
            Some(_) => {}
        }
        if let Some(person) = requester {
            let of: Option<OrganisationId> = run!(tx, |c| {
                sqlx::query_scalar("SELECT organisation_id FROM person_refs WHERE id = $1")
                    .bind(person)
                    .fetch_optional(c)
                    .await
            })?;
            match of {
                None => errors.push(FieldError::new("requester_id", "there is no such person")),
                Some(of) if of != org => errors.push(FieldError::new(
                    "requester_id",
                    "the requester is not of this organisation",
                )),
                Some(_) => {}
            }
        }
    }
    if let Some(team) = team
        && !tandem_directory::read::team_exists(tx, team).await?
    {
        errors.push(FieldError::new("team_id", "there is no such team"));
    }
    if let Some(person) = assignee
        && !tandem_directory::read::person_exists(tx, person).await?
    {
        errors.push(FieldError::new("assignee_id", "there is no such person"));
    }
    if let Some(service) = service
        && !tandem_service_levels::read::service_exists(tx, service).await?
    {
        errors.push(no_such_service());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The answer to a service id that does not exist, and to a customer user's choice of a
/// service their organisation does not use: the two cannot be told apart.
fn no_such_service() -> FieldError {
    FieldError::new("service_id", "there is no such service")
}

/// What a customer user of `own` may set on a new ticket beyond the portal's fields: a service
/// their organisation is a customer of, and no team (the desk routes the ticket). Any other
/// service is answered as an unknown one, so that its id tells them nothing.
async fn check_customer_choices(
    tx: &mut Tx,
    own: OrganisationId,
    team: Option<TeamId>,
    service: Option<ServiceId>,
) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    if team.is_some() {
        errors.push(FieldError::new(
            "team_id",
            "the service desk routes tickets to its teams; leave the team out",
        ));
    }
    if let Some(service) = service
        && !tandem_service_levels::store::services::is_customer(tx, service, own).await?
    {
        errors.push(no_such_service());
    }
    Ok(errors)
}

async fn next_number(tx: &mut Tx) -> Result<i64> {
    Ok(run!(tx, |c| {
        sqlx::query_scalar("UPDATE ticket_numbers SET last = last + 1 WHERE id = 1 RETURNING last")
            .fetch_one(c)
            .await
    })?)
}

async fn insert_article(
    tx: &mut Tx,
    ticket: TicketId,
    actor: &Actor,
    author_kind: &str,
    article: &NewArticle,
    now: OffsetDateTime,
) -> Result<ArticleId> {
    let id = ArticleId::generate();
    let author = actor.id.filter(|_| actor.kind != ActorKind::System);
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO ticket_articles (id, ticket_id, channel, visibility, author_kind, author_id, author_label, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(ticket)
        .bind(&article.channel)
        .bind(article.visibility.as_str())
        .bind(author_kind)
        .bind(author)
        .bind(&actor.label)
        .bind(&article.body)
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for file in &article.attachments {
        let size = i64::try_from(file.content.len()).unwrap_or(i64::MAX);
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&file.sha256)
            .bind(size)
            .bind(file.content.as_slice())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO ticket_attachments (id, ticket_id, article_id, name, media_type, size, sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(AttachmentId::generate())
            .bind(ticket)
            .bind(id)
            .bind(&file.name)
            .bind(file.kind.media_type())
            .bind(size)
            .bind(&file.sha256)
            .bind(SqlTime(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(id)
}

/// The e-mail address of `person`.
async fn email_of(tx: &mut Tx, person: PersonId) -> Result<String> {
    Ok(run!(tx, |c| {
        sqlx::query_scalar("SELECT email FROM person_refs WHERE id = $1")
            .bind(person)
            .fetch_one(c)
            .await
    })?)
}

/// The name and e-mail address of the lead of the ticket's team, as it is in `tx` (a step
/// before may have reassigned the ticket).
async fn team_lead(tx: &mut Tx, ticket: TicketId) -> Result<Option<(String, String)>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
            "SELECT l.name, l.email FROM tickets t JOIN team_refs tm ON tm.id = t.team_id \
             JOIN person_refs l ON l.id = tm.lead_id WHERE t.id = $1",
        )
        .bind(ticket)
        .fetch_optional(c)
        .await
    })?)
}

/// Puts `notice` in the outbox for `to`, in the transaction of what it tells of.
async fn mail(tx: &mut Tx, to: &str, notice: &Notice, now: OffsetDateTime) -> Result<()> {
    let mail = tandem_mail::message::Mail::new(to, &notice.subject, &notice.body, &notice.link)
        .map_err(|e| Error::Invalid(vec![e]))?;
    tandem_mail::store::enqueue(tx, &mail, &notice.reason, now).await?;
    Ok(())
}

/// One attached file and its content, if its ticket is in `scope` and its article is one the
/// reader may see (internal notes only with `internal`).
pub async fn attachment(
    db: &Db,
    scope: Scope,
    ticket: TicketId,
    id: AttachmentId,
    internal: bool,
) -> Result<(Attachment, Vec<u8>)> {
    get(db, scope, ticket).await?;
    let mut conn = db.conn().await?;
    let found: Option<Attachment> = run!(&mut conn, |c| {
        sqlx::query_as::<_, Attachment>(
            "SELECT a.id, a.article_id, a.name, a.media_type, a.size, a.sha256 FROM ticket_attachments a \
             JOIN ticket_articles r ON r.id = a.article_id \
             WHERE a.id = $1 AND a.ticket_id = $2 AND ($3 OR r.visibility = 'public')",
        )
        .bind(id)
        .bind(ticket)
        .bind(internal)
        .fetch_optional(c)
        .await
    })?;
    let found = found.ok_or(Error::NotFound {
        entity: "attachment",
    })?;
    let content: Vec<u8> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT content FROM attachment_contents WHERE sha256 = $1")
            .bind(&found.sha256)
            .fetch_one(c)
            .await
    })?;
    Ok((found, content))
}

/// What the clocks of ticket `id` depend on, as the transaction sees it, with its priority.
async fn facts(tx: &mut Tx, id: TicketId) -> Result<(Facts, Priority)> {
    let (state, created_at, first_response_at, update_from, resolved_at, priority): (
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
        OffsetDateTime,
        Option<OffsetDateTime>,
        String,
    ) = run!(tx, |c| {
        sqlx::query_as(
            "SELECT state, created_at, first_response_at, update_from, resolved_at, priority FROM tickets WHERE id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    let pauses: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = run!(tx, |c| {
        sqlx::query_as("SELECT started_at, ended_at FROM ticket_pauses WHERE ticket_id = $1 ORDER BY started_at")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    let corrupt = |e: FieldError| Error::Storage(format!("ticket {id}: {e}").into());
    Ok((
        Facts {
            state: State::parse("state", &state).map_err(corrupt)?,
            created_at,
            pauses: pauses
                .into_iter()
                .map(|(from, until)| Pause { from, until })
                .collect(),
            first_response_at,
            update_from,
            resolved_at,
        },
        Priority::parse("priority", &priority).map_err(corrupt)?,
    ))
}

/// The escalation steps ticket `id` has taken.
async fn taken(tx: &mut Tx, id: TicketId) -> Result<Vec<(Metric, usize)>> {
    let rows: Vec<(String, i32)> = run!(tx, |c| {
        sqlx::query_as("SELECT metric, step FROM ticket_escalations WHERE ticket_id = $1")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(metric, step)| {
            let metric = Metric::ALL.into_iter().find(|m| m.as_str() == metric)?;
            Some((metric, usize::try_from(step).ok()?))
        })
        .collect())
}

/// Works out the ticket's clocks and the scheduler's next look again from what the
/// transaction sees, and stores them.
async fn refresh_clocks(
    tx: &mut Tx,
    id: TicketId,
    terms: &Terms,
    now: OffsetDateTime,
) -> Result<()> {
    let (facts, priority) = facts(tx, id).await?;
    let (due, escalation, next_step) = match &terms.terms {
        Some((agreement, calendar)) => {
            let targets: Targets = agreement.targets(priority);
            let due = clocks(targets, calendar, &facts);
            let taken = taken(tx, id).await?;
            let next_step =
                escalation::next_step_at(&agreement.escalation, targets, calendar, &facts, &taken);
            (due, due.next_escalation(&facts), next_step)
        }
        None => (Default::default(), None, None),
    };
    run!(tx, |c| {
        sqlx::query(
            "UPDATE tickets SET agreement_id = $2, response_due = $3, update_due = $4, resolution_due = $5, escalation_at = $6, \
             next_step_at = $7, clocks_at = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(terms.agreement)
        .bind(due.response_due.map(SqlTime))
        .bind(due.update_due.map(SqlTime))
        .bind(due.resolution_due.map(SqlTime))
        .bind(escalation.map(SqlTime))
        .bind(next_step.map(SqlTime))
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Works the clocks of open tickets out again when their agreement or its calendar changed
/// after they were last worked out: the due times then follow the new targets and working
/// hours, from the stored pause intervals. Returns how many tickets were brought up to date.
pub async fn follow_agreement_changes(db: &Db, now: OffsetDateTime) -> Result<usize> {
    let mut conn = db.conn().await?;
    let stale: Vec<(TicketId, AgreementId)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT t.id, a.id FROM tickets t JOIN agreement_refs a ON a.id = t.agreement_id \
             JOIN calendar_refs c ON c.id = a.calendar_id \
             WHERE t.state NOT IN ('resolved', 'closed') \
             AND (t.clocks_at IS NULL OR a.updated_at > t.clocks_at OR c.updated_at > t.clocks_at)",
        )
        .fetch_all(c)
        .await
    })?;
    drop(conn);
    let write = Write::new(db, &Actor::system("agreement change"), now);
    for (id, agreement) in &stale {
        let terms = terms_of(db, Some(*agreement)).await?;
        let before = get(db, Scope::Everything, *id).await?;
        let mut tx = db.begin().await?;
        refresh_clocks(&mut tx, *id, &terms, now).await?;
        let after: (
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
        ) = run!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT response_due, update_due, resolution_due FROM tickets WHERE id = $1",
            )
            .bind(*id)
            .fetch_one(c)
            .await
        })?;
        let show = |t: Option<OffsetDateTime>| t.map(|t| t.to_string()).unwrap_or_default();
        let changes = Changes::diff(
            &[
                ("response_due", show(before.response_due)),
                ("update_due", show(before.update_due)),
                ("resolution_due", show(before.resolution_due)),
            ],
            &[
                ("response_due", show(after.0)),
                ("update_due", show(after.1)),
                ("resolution_due", show(after.2)),
            ],
        );
        if changes.is_empty() {
            // Not audited: the clocks worked out again came out as they were.
            tx.commit().await?;
        } else {
            write
                .commit(tx, Edit::new(Action::Update, "ticket clocks", id, changes))
                .await?;
        }
    }
    Ok(stale.len())
}

/// Takes the escalation steps due at `now` on every ticket the scheduler has to look at (by
/// the index on `next_step_at`, with no cap per run); returns how many steps were taken.
pub async fn escalate(db: &Db, now: OffsetDateTime) -> Result<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut steps = 0;
    loop {
        let mut conn = db.conn().await?;
        let ids: Vec<TicketId> = run!(&mut conn, |c| {
            sqlx::query_scalar("SELECT id FROM tickets WHERE next_step_at <= $1 ORDER BY next_step_at, id LIMIT 500")
                .bind(SqlTime(now))
                .fetch_all(c)
                .await
        })?;
        drop(conn);
        let fresh: Vec<TicketId> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
        if fresh.is_empty() {
            return Ok(steps);
        }
        for id in fresh {
            steps += escalate_ticket(db, now, id).await?;
        }
    }
}

/// Claims ticket `id` for this escalation round, in `tx`. With several servers on one
/// PostgreSQL database, the ticket's row is locked and a ticket another server is escalating
/// right now is skipped (`false`): that server takes its steps, and the steps it took are seen
/// as taken at the next round. SQLite has one writer at a time, so its claim always holds.
async fn claim_for_escalation(tx: &mut Tx, id: TicketId) -> Result<bool> {
    if tx.engine() == tandem_storage::Engine::Sqlite {
        return Ok(true);
    }
    let locked: Option<TicketId> = run!(tx, |c| {
        sqlx::query_scalar("SELECT id FROM tickets WHERE id = $1 FOR UPDATE SKIP LOCKED")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(locked.is_some())
}

async fn escalate_ticket(db: &Db, now: OffsetDateTime, id: TicketId) -> Result<usize> {
    let ticket = get(db, Scope::Everything, id).await?;
    let terms = terms_of(db, ticket.agreement.as_ref().map(|a| a.0)).await?;
    let actor = Actor::system("escalation");
    let write = Write::new(db, &actor, now);
    let mut tx = write.begin().await?;
    if !claim_for_escalation(&mut tx, id).await? {
        return Ok(0);
    }
    let mut fired = 0;
    if let Some((agreement, calendar)) = &terms.terms {
        let (facts, priority) = facts(&mut tx, id).await?;
        let taken = taken(&mut tx, id).await?;
        let targets = agreement.targets(priority);
        for due in escalation::due_steps(
            &agreement.escalation,
            targets,
            calendar,
            &facts,
            now,
            &taken,
        ) {
            let target = due.metric.label().to_lowercase();
            let notice = Notice::escalation(&ticket, due.metric, due.step.percent);
            let what = match &due.step.action {
                EscalationAction::NotifyAssignee => match &ticket.assignee {
                    Some((person, name)) => {
                        let to = email_of(&mut tx, *person).await?;
                        mail(&mut tx, &to, &notice, now).await?;
                        format!("notify the assignee, {name}")
                    }
                    None => "notify the assignee: nobody is assigned".to_owned(),
                },
                EscalationAction::Notify(email) => {
                    mail(&mut tx, email, &notice, now).await?;
                    format!("notify {email}")
                }
                EscalationAction::NotifyTeamLead => match team_lead(&mut tx, id).await? {
                    Some((name, email)) => {
                        mail(&mut tx, &email, &notice, now).await?;
                        format!("notify the team lead, {name}")
                    }
                    None => "notify the team lead: the ticket's team has none".to_owned(),
                },
                EscalationAction::RaiseSupportLevel => {
                    run!(&mut tx, |c| {
                        sqlx::query("UPDATE tickets SET support_level = CASE WHEN support_level < 3 THEN support_level + 1 ELSE 3 END WHERE id = $1")
                            .bind(id)
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    "raise the support level".to_owned()
                }
                EscalationAction::Reassign(name) => {
                    match tandem_directory::read::team_named(&mut tx, name).await? {
                        Some(team) => {
                            let moved = run!(&mut tx, |c| {
                                sqlx::query(
                                    "UPDATE tickets SET team_id = $2, assignee_id = NULL \
                                     WHERE id = $1 AND (team_id IS NULL OR team_id <> $2)",
                                )
                                .bind(id)
                                .bind(team)
                                .execute(c)
                                .await
                                .map(|r| r.rows_affected())
                            })?;
                            if moved == 0 {
                                format!("reassign to the team {name}: it is with that team already")
                            } else {
                                format!("reassign to the team {name}")
                            }
                        }
                        None => format!("reassign to {name}: there is no team of that name now"),
                    }
                }
            };
            let step = i32::try_from(due.index).unwrap_or(i32::MAX);
            run!(&mut tx, |c| {
                sqlx::query(
                    "INSERT INTO ticket_escalations (ticket_id, metric, step, action, fired_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(due.metric.as_str())
                .bind(step)
                .bind(&what)
                .bind(SqlTime(now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            let note = NewArticle {
                body: format!(
                    "Escalation: {} % of the {target} time used: {what}.",
                    due.step.percent
                ),
                visibility: Visibility::Internal,
                channel: "system".to_owned(),
                attachments: Vec::new(),
            };
            insert_article(&mut tx, id, &actor, "system", &note, now).await?;
            write
                .record(
                    &mut tx,
                    Edit::created(
                        "ticket escalation",
                        format!("{id} {} {step}", due.metric.as_str()),
                        &[("step", due.step.to_string()), ("action", what)],
                    ),
                )
                .await?;
            fired += 1;
        }
    }
    refresh_clocks(&mut tx, id, &terms, now).await?;
    // Steps that wait for working time: look again when it begins.
    if let Some((_, calendar)) = &terms.terms {
        let next: Option<OffsetDateTime> = run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT next_step_at FROM tickets WHERE id = $1")
                .bind(id)
                .fetch_one(c)
                .await
        })?;
        if next.is_some_and(|n| n <= now) {
            let resume = calendar
                .next_working_time(now)
                .filter(|r| *r > now)
                .unwrap_or(now + time::Duration::minutes(1));
            run!(&mut tx, |c| {
                sqlx::query("UPDATE tickets SET next_step_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(SqlTime(resume))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
    }
    // Audited above: each step taken recorded its entry (the clocks worked out again are not
    // audited).
    tx.commit().await?;
    Ok(fired)
}

/// Opens a ticket with its first article; a customer user's ticket is always their
/// organisation's, names no team, and names only a service their organisation uses.
pub async fn create(write: &Write, scope: Scope, mut input: NewTicket) -> Result<Ticket> {
    if let Scope::Organisation(own) = scope {
        input.organisation_id = OrganisationId(own);
        if input.requester_id.is_none() {
            input.requester_id = write.actor.id.map(PersonId);
        }
    }
    let terms = terms_of(
        &write.db,
        select_agreement(&write.db, input.organisation_id, input.service_id).await?,
    )
    .await?;
    let id = TicketId::generate();
    let mut tx = write.begin().await?;
    // A customer user's team and service are checked by `check_customer_choices` alone, so
    // that an unknown service and another customer's get the same single error.
    let staff = scope == Scope::Everything;
    let mut errors = match check_references(
        &mut tx,
        Some(input.organisation_id),
        input.requester_id,
        input.team_id.filter(|_| staff),
        None,
        input.service_id.filter(|_| staff),
    )
    .await
    {
        Ok(()) => Vec::new(),
        Err(Error::Invalid(errors)) => errors,
        Err(other) => return Err(other),
    };
    if let Scope::Organisation(own) = scope {
        errors.extend(
            check_customer_choices(
                &mut tx,
                OrganisationId(own),
                input.team_id,
                input.service_id,
            )
            .await?,
        );
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let number = next_number(&mut tx).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO tickets (id, number, kind, title, state, impact, urgency, priority, organisation_id, requester_id, \
             service_id, team_id, support_level, category, affected_items, last_public_by, created_at, updated_at, update_from) \
             VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, 'customer', $14, $14, $14)",
        )
        .bind(id)
        .bind(number)
        .bind(input.kind.as_str())
        .bind(input.title.as_str())
        .bind(input.impact.as_str())
        .bind(input.urgency.as_str())
        .bind(input.priority.as_str())
        .bind(input.organisation_id)
        .bind(input.requester_id)
        .bind(input.service_id)
        .bind(input.team_id)
        .bind(&input.category)
        .bind(&input.affected_items)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let first = NewArticle {
        body: input.description.clone(),
        visibility: Visibility::Public,
        channel: input.channel.clone(),
        attachments: Vec::new(),
    };
    // The request itself is the customer's word, whoever typed it in.
    insert_article(&mut tx, id, &write.actor, "customer", &first, write.now).await?;
    refresh_clocks(&mut tx, id, &terms, write.now).await?;
    write
        .commit(
            tx,
            Edit::created(
                "ticket",
                id,
                &[
                    ("number", number.to_string()),
                    ("kind", input.kind.as_str().to_owned()),
                    ("title", input.title.to_string()),
                    ("organisation_id", input.organisation_id.to_string()),
                    ("priority", input.priority.as_str().to_owned()),
                ],
            ),
        )
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Adds an article to the thread. A customer-visible article by an agent answers the customer:
/// the first one meets the first-response target, and each restarts the update clock; a
/// customer's article after an agent's starts the update clock.
pub async fn add_article(
    write: &Write,
    scope: Scope,
    id: TicketId,
    article: NewArticle,
) -> Result<Ticket> {
    let ticket = get(&write.db, scope, id).await?;
    let author = author_kind(&write.actor, scope);
    if author == "customer" && article.visibility == Visibility::Internal {
        return Err(Error::invalid(
            "visibility",
            "customers write articles the provider's staff and they both see",
        ));
    }
    let terms = terms_of(&write.db, ticket.agreement.as_ref().map(|a| a.0)).await?;
    let mut tx = write.begin().await?;
    let article_id = insert_article(&mut tx, id, &write.actor, author, &article, write.now).await?;
    if article.visibility == Visibility::Public && author != "system" {
        let last_public_by: Option<String> = run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT last_public_by FROM tickets WHERE id = $1")
                .bind(id)
                .fetch_one(c)
                .await
        })?;
        let restart = author == "agent" || last_public_by.as_deref() != Some("customer");
        run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE tickets SET last_public_by = $2, updated_at = $3, \
                 update_from = CASE WHEN $4 THEN $3 ELSE update_from END, \
                 first_response_at = CASE WHEN $5 AND first_response_at IS NULL THEN $3 ELSE first_response_at END \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(author)
            .bind(SqlTime(write.now))
            .bind(restart)
            .bind(author == "agent")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        if restart {
            // A new cycle of the update clock: its steps may be taken again (those taken stay
            // in the thread and the audit trail).
            run!(&mut tx, |c| {
                sqlx::query(
                    "DELETE FROM ticket_escalations WHERE ticket_id = $1 AND metric = 'update'",
                )
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    if author == "agent"
        && article.visibility == Visibility::Public
        && let Some((requester, _)) = &ticket.requester
    {
        let to = email_of(&mut tx, *requester).await?;
        let notice = Notice::answer(&ticket, &article.body, &write.actor.label);
        mail(&mut tx, &to, &notice, write.now).await?;
    }
    refresh_clocks(&mut tx, id, &terms, write.now).await?;
    write
        .commit(
            tx,
            Edit::created(
                "ticket article",
                format!("{id} {article_id}"),
                &[
                    ("visibility", article.visibility.as_str().to_owned()),
                    ("channel", article.channel.clone()),
                    ("author_kind", author.to_owned()),
                    (
                        "attachments",
                        article
                            .attachments
                            .iter()
                            .map(|f| format!("{} sha256:{}", f.name, f.sha256))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ],
            ),
        )
        .await?;
    get(&write.db, scope, id).await
}

/// Applies a checked change to the ticket, if it is still at `version`: moves between states
/// open and close pause intervals, resolving and closing set their times.
pub async fn change(write: &Write, id: TicketId, version: i64, change: Change) -> Result<Ticket> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let terms = terms_of(&write.db, before.agreement.as_ref().map(|a| a.0)).await?;
    let mut tx = write.begin().await?;
    check_references(
        &mut tx,
        None,
        None,
        change.team_id,
        change.assignee_id,
        None,
    )
    .await?;
    let updated = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE tickets SET state = $2, impact = $3, urgency = $4, priority = $5, team_id = $6, assignee_id = $7, \
             support_level = $8, category = $9, updated_at = $10, version = version + 1, \
             known_error = $12, workaround = $13, \
             resolved_at = CASE WHEN $2 = 'resolved' AND state <> 'resolved' THEN $10 ELSE resolved_at END, \
             closed_at = CASE WHEN $2 = 'closed' AND state <> 'closed' THEN $10 ELSE closed_at END \
             WHERE id = $1 AND version = $11",
        )
        .bind(id)
        .bind(change.state.as_str())
        .bind(change.impact.as_str())
        .bind(change.urgency.as_str())
        .bind(change.priority.as_str())
        .bind(change.team_id)
        .bind(change.assignee_id)
        .bind(change.support_level)
        .bind(&change.category)
        .bind(SqlTime(write.now))
        .bind(version)
        .bind(&change.known_error)
        .bind(&change.workaround)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(updated, "tickets", id.0, "ticket").await?;
    let (was, is) = (before.state.pauses_clocks(), change.state.pauses_clocks());
    if !was && is {
        run!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO ticket_pauses (ticket_id, started_at, state) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(SqlTime(write.now))
            .bind(change.state.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    } else if was && !is {
        run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE ticket_pauses SET ended_at = $2 WHERE ticket_id = $1 AND ended_at IS NULL",
            )
            .bind(id)
            .bind(SqlTime(write.now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    refresh_clocks(&mut tx, id, &terms, write.now).await?;
    let after = Ticket {
        state: change.state,
        impact: change.impact,
        urgency: change.urgency,
        priority: change.priority,
        team: change.team_id.map(|t| (t, String::new())),
        assignee: change.assignee_id.map(|a| (a, String::new())),
        support_level: change.support_level,
        category: change.category.clone(),
        known_error: change.known_error.clone(),
        workaround: change.workaround.clone(),
        ..before.clone()
    };
    write
        .commit(
            tx,
            Edit::updated("ticket", id, &before.audit_fields(), &after.audit_fields()),
        )
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Records time worked on ticket `id` by the actor.
pub async fn add_time(write: &Write, id: TicketId, entry: NewTimeEntry) -> Result<()> {
    let ticket = get(&write.db, Scope::Everything, id).await?;
    let entry_id = TimeEntryId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO time_entries (id, ticket_id, person_id, person, minutes, billable, note, worked_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry_id)
        .bind(id)
        .bind(write.actor.id.filter(|_| write.actor.kind != ActorKind::System))
        .bind(&write.actor.label)
        .bind(entry.minutes)
        .bind(entry.billable)
        .bind(&entry.note)
        .bind(entry.worked_on)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "time entry",
                format!("{} {entry_id}", ticket.id),
                &[
                    ("minutes", entry.minutes.to_string()),
                    ("billable", entry.billable.to_string()),
                    ("worked_on", entry.worked_on.to_string()),
                    ("note", entry.note.clone()),
                ],
            ),
        )
        .await
}

/// The time entries of ticket `id`, by day.
pub async fn time_of(db: &Db, id: TicketId) -> Result<Vec<TimeEntry>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, TimeEntry>(
            "SELECT id, person, minutes, billable, note, worked_on, created_at FROM time_entries \
             WHERE ticket_id = $1 ORDER BY worked_on, created_at",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?)
}

/// A time entry with its ticket, for billing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BilledTime {
    pub number: i64,
    pub title: String,
    #[sqlx(flatten)]
    pub entry: TimeEntry,
}

/// The time entries of `organisation`'s tickets worked from `from` up to (not including) `to`.
pub async fn time_between(
    db: &Db,
    organisation: OrganisationId,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<BilledTime>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, BilledTime>(
            "SELECT t.number, t.title, e.id, e.person, e.minutes, e.billable, e.note, e.worked_on, e.created_at \
             FROM time_entries e JOIN tickets t ON t.id = e.ticket_id \
             WHERE t.organisation_id = $1 AND e.worked_on >= $2 AND e.worked_on < $3 ORDER BY e.worked_on, t.number",
        )
        .bind(organisation)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?)
}

/// The tickets of `organisation` opened from `from` up to (not including) `to`, oldest first.
pub async fn opened_between(
    db: &Db,
    organisation: OrganisationId,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<Ticket>> {
    let rows: Vec<TicketRow> = db
        .fetch_all(
            &format!("{SELECT} WHERE t.organisation_id = $1 AND t.created_at >= $2 AND t.created_at < $3 ORDER BY t.number"),
            &[Arg::Uuid(organisation.0), Arg::Time(from), Arg::Time(to)],
        )
        .await?;
    rows.into_iter().map(Ticket::try_from).collect()
}

/// A link seen from one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub kind: LinkKind,
    /// Whether this ticket is the one the link starts from (`caused by` rather than `causes`).
    pub outgoing: bool,
    pub other: TicketId,
    pub number: i64,
    pub title: String,
    pub state: State,
}

impl Link {
    pub fn label(&self) -> &'static str {
        if self.outgoing {
            self.kind.label()
        } else {
            self.kind.inverse_label()
        }
    }

    pub fn display_number(&self) -> String {
        crate::records::show_number(self.number)
    }
}

/// The links of ticket `id` in both directions, to tickets `scope` admits.
pub async fn links(db: &Db, scope: Scope, id: TicketId) -> Result<Vec<Link>> {
    let mut conn = db.conn().await?;
    let rows: Vec<(String, bool, TicketId, i64, String, String, OrganisationId)> = run!(
        &mut conn,
        |c| {
            sqlx::query_as(
            "SELECT l.kind, TRUE, o.id, o.number, o.title, o.state, o.organisation_id FROM ticket_links l \
             JOIN tickets o ON o.id = l.other_id WHERE l.ticket_id = $1 \
             UNION ALL \
             SELECT l.kind, FALSE, o.id, o.number, o.title, o.state, o.organisation_id FROM ticket_links l \
             JOIN tickets o ON o.id = l.ticket_id WHERE l.other_id = $1 \
             ORDER BY 4",
        )
        .bind(id)
        .fetch_all(c)
        .await
        }
    )?;
    let corrupt = |e: FieldError| Error::Storage(format!("ticket link of {id}: {e}").into());
    rows.into_iter()
        .filter(|row| scope.admits(row.6.0))
        .map(|(kind, outgoing, other, number, title, state, _)| {
            Ok(Link {
                kind: LinkKind::parse("kind", &kind).map_err(corrupt)?,
                outgoing,
                other,
                number,
                title,
                state: State::parse("state", &state).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Links ticket `id` to the ticket numbered `other`: `id` is `kind` the other.
pub async fn link(write: &Write, id: TicketId, kind: LinkKind, other: i64) -> Result<()> {
    let ticket = get(&write.db, Scope::Everything, id).await?;
    let mut tx = write.begin().await?;
    let other_id: Option<TicketId> = run!(&mut tx, |c| {
        sqlx::query_scalar("SELECT id FROM tickets WHERE number = $1")
            .bind(other)
            .fetch_optional(c)
            .await
    })?;
    let other_id = other_id.ok_or_else(|| {
        Error::invalid(
            "other",
            format!("there is no ticket {}", crate::records::show_number(other)),
        )
    })?;
    if other_id == id {
        return Err(Error::invalid("other", "a ticket is not linked to itself"));
    }
    let added = run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO ticket_links (ticket_id, kind, other_id, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(other_id)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if added == 0 {
        return Err(Error::Conflict {
            message: "the tickets are linked so already".into(),
            field: Some("other"),
        });
    }
    write
        .commit(
            tx,
            Edit::created(
                "ticket link",
                format!("{id} {} {other_id}", kind.as_str()),
                &[
                    ("ticket", ticket.display_number()),
                    ("kind", kind.as_str().to_owned()),
                    ("other", crate::records::show_number(other)),
                ],
            ),
        )
        .await
}

/// The priority matrix in force.
pub async fn matrix(db: &Db) -> Result<PriorityMatrix> {
    let mut conn = db.conn().await?;
    let rows: Vec<(String, String, String)> = run!(&mut conn, |c| {
        sqlx::query_as("SELECT impact, urgency, priority FROM priority_matrix")
            .fetch_all(c)
            .await
    })?;
    let mut matrix = PriorityMatrix::default();
    for (impact, urgency, priority) in rows {
        let corrupt = |e: FieldError| Error::Storage(format!("priority matrix: {e}").into());
        matrix.set(
            Level::parse("impact", &impact).map_err(corrupt)?,
            Level::parse("urgency", &urgency).map_err(corrupt)?,
            Priority::parse("priority", &priority).map_err(corrupt)?,
        );
    }
    Ok(matrix)
}

/// Replaces the priority matrix. Tickets keep their priority until impact or urgency change.
pub async fn set_matrix(write: &Write, matrix: PriorityMatrix) -> Result<()> {
    let before = self::matrix(&write.db).await?;
    let mut tx = write.begin().await?;
    for impact in Level::ALL {
        for urgency in Level::ALL {
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE priority_matrix SET priority = $3 WHERE impact = $1 AND urgency = $2",
                )
                .bind(impact.as_str())
                .bind(urgency.as_str())
                .bind(matrix.priority(impact, urgency).as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    let cells = |m: &PriorityMatrix| -> Vec<(String, String)> {
        Level::ALL
            .into_iter()
            .flat_map(|i| Level::ALL.into_iter().map(move |u| (i, u)))
            .map(|(i, u)| {
                (
                    format!("{} × {}", i.as_str(), u.as_str()),
                    m.priority(i, u).as_str().to_owned(),
                )
            })
            .collect()
    };
    let (old, new) = (cells(&before), cells(&matrix));
    write
        .commit(tx, Edit::updated("priority matrix", "", &old, &new))
        .await
}
