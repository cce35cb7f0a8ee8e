//! The `ticket_escalations` table: taking the escalation steps that fall due, and the steps a
//! ticket has taken.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Actor, Result, Scope};
use tandem_service_levels::agreement::{EscalationAction, Metric};
use tandem_storage::{Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::articles::insert_article;
use super::clocks::{facts, refresh_clocks, terms_of};
use super::outbox::{email_of, mail, team_lead};
use super::tickets::get;
use crate::escalation;
use crate::notice::Notice;
use crate::records::{NewArticle, TicketId, Visibility};

/// The escalation steps ticket `id` has taken.
pub(super) async fn taken(tx: &mut Tx, id: TicketId) -> Result<Vec<(Metric, usize)>> {
    let rows: Vec<(String, i32)> = run!(tx, |c| {
        sqlx::query_as("SELECT metric, step FROM ticket_escalations WHERE ticket_id = $1")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(metric, step)| Some((Metric::parse(&metric)?, usize::try_from(step).ok()?)))
        .collect())
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

/// Claims ticket `id` for a background round (escalation, clocks following an agreement), in
/// `tx`. With several servers on one PostgreSQL database, the ticket's row is locked and a
/// ticket another server works on right now is skipped (`false`): that server does the work,
/// and what it did is seen at the next round. SQLite has one writer at a time, so its claim
/// always holds.
pub(super) async fn claim_ticket(tx: &mut Tx, id: TicketId) -> Result<bool> {
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
    if !claim_ticket(&mut tx, id).await? {
        return Ok(0);
    }
    let mut fired = 0;
    if let Some((agreement, calendar)) = &terms.terms {
        let (facts, priority) = facts(&mut tx, id).await?;
        let taken = taken(&mut tx, id).await?;
        let targets = agreement.targets(priority);
        let due = escalation::due_steps(
            &agreement.escalation,
            targets,
            calendar,
            &facts,
            now,
            &taken,
        );
        for passed in &due.pass_over {
            let later = latest_of(&due.take, passed.metric);
            let what = if later.is_empty() {
                "passed over: a later step was taken already".to_owned()
            } else {
                format!("passed over: {later} fell due at the same time")
            };
            remember(&mut tx, id, passed, &what, true, now).await?;
        }
        for step in &due.take {
            let what = take(&mut tx, &ticket, step, now).await?;
            remember(&mut tx, id, step, &what, false, now).await?;
            let target = step.metric.label().to_lowercase();
            let note = NewArticle {
                body: format!(
                    "Escalation level {} of the {target} time ({} % used): {what}.",
                    step.index + 1,
                    step.step.percent
                ),
                visibility: Visibility::Internal,
                channel: "system".to_owned(),
                attachments: Vec::new(),
            };
            insert_article(&mut tx, id, &actor, "system", &note, now).await?;
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE tickets SET escalation_metric = $2, escalation_level = $3, escalation_action = $4, \
                     escalated_at = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(step.metric.as_str())
                .bind(i32::try_from(step.index + 1).unwrap_or(i32::MAX))
                .bind(&what)
                .bind(SqlTime(now))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            let number = i32::try_from(step.index).unwrap_or(i32::MAX);
            write
                .record(
                    &mut tx,
                    Edit::created(
                        "ticket escalation",
                        format!("{id} {} {number}", step.metric.as_str()),
                        &[("step", step.step.to_string()), ("action", what)],
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

/// The step taken for `metric` that passed the others over, as the passed-over rows name it.
fn latest_of(taken: &[escalation::DueStep<'_>], metric: Metric) -> String {
    taken
        .iter()
        .filter(|d| d.metric == metric)
        .map(|d| format!("level {} ({})", d.index + 1, d.step))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Records that `step` was taken (or passed over) for ticket `id`, so that it is not taken again.
async fn remember(
    tx: &mut Tx,
    id: TicketId,
    step: &escalation::DueStep<'_>,
    what: &str,
    passed_over: bool,
    now: OffsetDateTime,
) -> Result<()> {
    let index = i32::try_from(step.index).unwrap_or(i32::MAX);
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO ticket_escalations (ticket_id, metric, step, action, fired_at, passed_over) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(step.metric.as_str())
        .bind(index)
        .bind(what)
        .bind(SqlTime(now))
        .bind(passed_over)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Does what `due` says for `ticket`; returns what was done, as the thread and the audit trail
/// tell it.
async fn take(
    tx: &mut Tx,
    ticket: &crate::records::Ticket,
    due: &escalation::DueStep<'_>,
    now: OffsetDateTime,
) -> Result<String> {
    let id = ticket.id;
    let notice = Notice::escalation(ticket, due.metric, due.step.percent);
    Ok(match &due.step.action {
        EscalationAction::NotifyAssignee => match &ticket.assignee {
            Some((person, name)) => {
                let to = email_of(tx, *person).await?;
                mail(tx, &to, &notice, now).await?;
                format!("notify the assignee, {name}")
            }
            None => "notify the assignee: nobody is assigned".to_owned(),
        },
        EscalationAction::Notify(email) => {
            mail(tx, email, &notice, now).await?;
            format!("notify {email}")
        }
        EscalationAction::NotifyTeamLead => match team_lead(tx, id).await? {
            Some((name, email)) => {
                mail(tx, &email, &notice, now).await?;
                format!("notify the team lead, {name}")
            }
            None => "notify the team lead: the ticket's team has none".to_owned(),
        },
        EscalationAction::RaiseSupportLevel => {
            run!(tx, |c| {
                sqlx::query("UPDATE tickets SET support_level = CASE WHEN support_level < 3 THEN support_level + 1 ELSE 3 END WHERE id = $1")
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            "raise the support level".to_owned()
        }
        EscalationAction::Reassign {
            team: name,
            hand_over,
        } => {
            let Some(team) = tandem_directory::read::team_named(tx, name).await? else {
                return Ok(format!(
                    "reassign to {name}: there is no team of that name now"
                ));
            };
            let with_team = ticket.team.as_ref().is_some_and(|(t, _)| *t == team);
            if !hand_over {
                if with_team {
                    return Ok(format!(
                        "reassign to the team {name}: it is with that team already"
                    ));
                }
                set_team(tx, id, team, ticket.assignee.as_ref().map(|a| a.0)).await?;
                return Ok(match &ticket.assignee {
                    Some((_, person)) => {
                        format!("reassign to the team {name}; {person} stays assigned")
                    }
                    None => format!("reassign to the team {name}"),
                });
            }
            let lead = team_lead_of(tx, team).await?;
            set_team(tx, id, team, lead.as_ref().map(|(person, _)| *person)).await?;
            match lead {
                Some((_, lead)) => {
                    format!("hand over to the team {name}, assigned to its lead, {lead}")
                }
                None => format!(
                    "hand over to the team {name}, assigned to nobody yet: the team has no lead who works tickets"
                ),
            }
        }
    })
}

/// Gives ticket `id` to `team` and `assignee`.
async fn set_team(
    tx: &mut Tx,
    id: TicketId,
    team: tandem_directory::TeamId,
    assignee: Option<tandem_directory::PersonId>,
) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("UPDATE tickets SET team_id = $2, assignee_id = $3 WHERE id = $1")
            .bind(id)
            .bind(team)
            .bind(assignee)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The lead of `team`, if it has one who may work tickets.
async fn team_lead_of(
    tx: &mut Tx,
    team: tandem_directory::TeamId,
) -> Result<Option<(tandem_directory::PersonId, String)>> {
    let lead: Option<(tandem_directory::PersonId, String)> = run!(tx, |c| {
        sqlx::query_as(
            "SELECT p.id, p.name FROM team_refs t JOIN person_refs p ON p.id = t.lead_id WHERE t.id = $1",
        )
        .bind(team)
        .fetch_optional(c)
        .await
    })?;
    let Some((person, name)) = lead else {
        return Ok(None);
    };
    let permission = tandem_kernel::Permission::TicketsWork;
    Ok(
        (tandem_identity::read::eligibility(tx, person, permission).await?
            == tandem_identity::read::Eligibility::Eligible)
            .then_some((person, name)),
    )
}
