//! The `tickets`, `ticket_pauses` and `ticket_numbers` tables: the ticket record, reading,
//! listing and searching tickets, opening a ticket and changing it.

use tandem_audit::{Edit, Write};
use tandem_directory::{OrganisationId, PersonId, TeamId};
use tandem_kernel::{Error, FieldError, Result, Scope};
use tandem_service_levels::agreement::{AgreementId, Metric, Priority};
use tandem_service_levels::services::ServiceId;
use tandem_storage::{Arg, Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::articles::insert_article;
use super::clocks::{refresh_clocks, select_agreement, terms_of};
use crate::records::{Change, NewArticle, NewTicket, Ticket, TicketId, Visibility};
use crate::ticket::{Level, State, TicketKind};

const SELECT: &str = "SELECT t.id, t.number, t.kind, t.title, t.state, t.impact, t.urgency, t.priority, \
     t.organisation_id, o.name AS organisation_name, t.requester_id, rq.name AS requester_name, \
     t.service_id, s.name AS service_name, t.agreement_id, ag.name AS agreement_name, \
     t.team_id, tm.name AS team_name, t.assignee_id, asg.name AS assignee_name, \
     t.support_level, t.category, t.affected_items, t.known_error, t.workaround, t.created_at, t.updated_at, t.first_response_at, \
     t.resolved_at, t.closed_at, t.response_due, t.update_due, t.resolution_due, t.escalation_at, \
     t.escalation_metric, t.escalation_level, t.escalation_action, t.escalated_at, t.version \
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
    escalation_metric: Option<String>,
    escalation_level: Option<i32>,
    escalation_action: Option<String>,
    escalated_at: Option<OffsetDateTime>,
    version: i64,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = Error;

    fn try_from(r: TicketRow) -> Result<Self> {
        let corrupt = |e: FieldError| Error::Storage(format!("ticket {}: {e}", r.id).into());
        let escalation = match (r.escalation_metric, r.escalation_level, r.escalated_at) {
            (Some(metric), Some(level), Some(since)) => Some(crate::records::Escalated {
                metric: Metric::parse(&metric).ok_or_else(|| {
                    Error::Storage(format!("ticket {}: escalation of `{metric}`", r.id).into())
                })?,
                level: u32::try_from(level).unwrap_or(0),
                action: r.escalation_action.unwrap_or_default(),
                since,
            }),
            _ => None,
        };
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
            escalation,
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
    if let Some(person) = assignee {
        let permission = tandem_kernel::Permission::TicketsWork;
        let eligibility = tandem_identity::read::eligibility(tx, person, permission).await?;
        errors.extend(eligibility.refusal("assignee_id", permission, "work tickets"));
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

/// Applies a checked change to the ticket, if it is still at `version`: moves between states
/// open and close pause intervals, resolving and closing set their times.
pub async fn change(write: &Write, id: TicketId, version: i64, change: Change) -> Result<Ticket> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let terms = terms_of(&write.db, before.agreement.as_ref().map(|a| a.0)).await?;
    let mut tx = write.begin().await?;
    // Keeping the assignee is not assigning: only a new one must be eligible.
    let kept = before.assignee.as_ref().map(|(person, _)| *person);
    check_references(
        &mut tx,
        None,
        None,
        change.team_id,
        change.assignee_id.filter(|person| Some(*person) != kept),
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
