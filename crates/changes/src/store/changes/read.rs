//! Reading changes: the records as the store reads them (a change's CIs, CAB votes, checks and
//! steps, and its detail with all of them), one change, a list of them, and the person an actor
//! acts for.

use std::collections::BTreeMap;

use sqlx::AssertSqlSafe;
use tandem_cmdb::ci::{CiId, Lifecycle};
use tandem_directory::PersonId;
use tandem_kernel::id::TicketId;
use tandem_kernel::{Actor, Error, FieldError, Result};
use tandem_storage::{Db, Handle, SqlTime, run};
use time::OffsetDateTime;

use crate::change::{Change, ChangeId, TemplateId};
use crate::lifecycle::{
    self, Category, CheckResult, CloseReason, Consent, PersonRef, Risk, State, Step, Vote,
};
use crate::store::{facts, from_json, word};

/// A CI the change is carried out on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCi {
    pub ci_id: CiId,
    pub number: i64,
    pub name: String,
    pub lifecycle: Lifecycle,
    /// The CI's `environment` attribute (production, staging, test …), if it has one.
    pub environment: Option<String>,
    /// What the change sets on the CI when implemented.
    pub update: BTreeMap<String, String>,
    /// The CI version the update became.
    pub applied_version: Option<i64>,
}

/// A CAB member's vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CabVote {
    pub voter: PersonRef,
    pub vote: Vote,
    pub comment: String,
    pub at: OffsetDateTime,
    /// The change manager who recorded it on the voter's behalf; empty for the voter's own.
    pub recorded_by: String,
    /// Whether it counts towards consent (the owner's and implementer's do not).
    pub counted: bool,
}

/// One check of the post-change verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub position: i64,
    pub text: String,
    pub result: Option<CheckResult>,
    pub note: String,
    pub checked_by: String,
    pub checked_at: Option<OffsetDateTime>,
}

/// A step the change took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub seq: i64,
    pub step: Step,
    pub from: State,
    pub to: State,
    pub at: OffsetDateTime,
    pub actor: String,
    pub reason: String,
}

/// A change with everything its page shows.
#[derive(Debug, Clone)]
pub struct Detail {
    pub change: Change,
    pub cis: Vec<ChangeCi>,
    pub votes: Vec<CabVote>,
    pub checks: Vec<Check>,
    pub transitions: Vec<Transition>,
    pub consent: Consent,
    /// Other changes whose window overlaps this one on a shared CI, or that together with it
    /// take down what neither takes down alone.
    pub conflicts: Vec<String>,
    /// Blackout periods the window overlaps.
    pub blackouts: Vec<lifecycle::Blackout>,
}

impl Detail {
    /// The blackout periods the window overlaps, as `name (from – to)`.
    pub fn blackout_texts(&self) -> Vec<String> {
        self.blackouts
            .iter()
            .map(|b| {
                format!(
                    "{} ({} – {})",
                    b.name,
                    tandem_kernel::clock::when(b.from),
                    tandem_kernel::clock::when(b.to)
                )
            })
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: ChangeId,
    number: i64,
    title: String,
    owner_id: PersonId,
    owner_name: String,
    initiator_id: Option<PersonId>,
    initiator_name: Option<String>,
    initiator_label: String,
    cause_text: String,
    cause_ticket_id: Option<TicketId>,
    cause_ticket_number: Option<i64>,
    cause_ticket_title: Option<String>,
    description: String,
    configuration: String,
    category: String,
    template_id: Option<TemplateId>,
    template_name: Option<String>,
    risk: Option<String>,
    risk_suggested: Option<String>,
    risk_explanation: String,
    risk_override_reason: String,
    state: String,
    close_reason: Option<String>,
    planned_start: Option<OffsetDateTime>,
    planned_end: Option<OffsetDateTime>,
    fallback: String,
    implementer_id: Option<PersonId>,
    implementer_name: Option<String>,
    approver_id: Option<PersonId>,
    approver_name: Option<String>,
    approved_at: Option<OffsetDateTime>,
    approval_retroactive: bool,
    approval_missed: bool,
    actual_start: Option<OffsetDateTime>,
    actual_end: Option<OffsetDateTime>,
    success: Option<bool>,
    fallback_carried_out: String,
    verifier_id: Option<PersonId>,
    verifier_name: Option<String>,
    verified_at: Option<OffsetDateTime>,
    verification_note: String,
    recorded_by: Option<PersonId>,
    recorder_name: Option<String>,
    submitted_by: Option<PersonId>,
    submitter_name: Option<String>,
    conflicts_ack_reason: String,
    customers_to_notify: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

fn person(id: Option<PersonId>, name: Option<String>) -> Option<PersonRef> {
    id.zip(name).map(|(id, name)| PersonRef { id, name })
}

fn optional_word<T>(
    raw: Option<String>,
    parse: impl Fn(&str, &str) -> std::result::Result<T, FieldError>,
    field: &str,
) -> Result<Option<T>> {
    raw.map(|r| word(parse(field, &r))).transpose()
}

impl ChangeRow {
    fn into_change(self) -> Result<Change> {
        Ok(Change {
            id: self.id,
            number: self.number,
            title: self.title,
            owner: PersonRef {
                id: self.owner_id,
                name: self.owner_name,
            },
            initiator: person(self.initiator_id, self.initiator_name),
            initiator_label: self.initiator_label,
            cause_text: self.cause_text,
            cause_ticket: self
                .cause_ticket_id
                .zip(self.cause_ticket_number.zip(self.cause_ticket_title))
                .map(|(id, (number, title))| (id, number, title)),
            description: self.description,
            configuration: self.configuration,
            category: word(Category::parse("category", &self.category))?,
            template: self.template_id.zip(self.template_name),
            risk: optional_word(self.risk, Risk::parse, "risk")?,
            risk_suggested: optional_word(self.risk_suggested, Risk::parse, "risk_suggested")?,
            risk_explanation: self.risk_explanation,
            risk_override_reason: self.risk_override_reason,
            state: word(State::parse("state", &self.state))?,
            close_reason: optional_word(self.close_reason, CloseReason::parse, "close_reason")?,
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            fallback: self.fallback,
            implementer: person(self.implementer_id, self.implementer_name),
            approver: person(self.approver_id, self.approver_name),
            approved_at: self.approved_at,
            approval_retroactive: self.approval_retroactive,
            approval_missed: self.approval_missed,
            actual_start: self.actual_start,
            actual_end: self.actual_end,
            success: self.success,
            fallback_carried_out: self.fallback_carried_out,
            verifier: person(self.verifier_id, self.verifier_name),
            verified_at: self.verified_at,
            verification_note: self.verification_note,
            recorder: person(self.recorded_by, self.recorder_name),
            submitter: person(self.submitted_by, self.submitter_name),
            conflicts_ack_reason: self.conflicts_ack_reason,
            customers_to_notify: from_json("customers to notify", &self.customers_to_notify)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.number, c.title, c.owner_id, ow.name AS owner_name, \
     c.initiator_id, ini.name AS initiator_name, c.initiator_label, c.cause_text, \
     c.cause_ticket_id, t.number AS cause_ticket_number, t.title AS cause_ticket_title, \
     c.description, c.configuration, c.category, c.template_id, tp.name AS template_name, \
     c.risk, c.risk_suggested, c.risk_explanation, c.risk_override_reason, c.state, \
     c.close_reason, c.planned_start, c.planned_end, c.fallback, c.implementer_id, \
     im.name AS implementer_name, c.approver_id, ap.name AS approver_name, c.approved_at, \
     c.approval_retroactive, c.approval_missed, c.actual_start, c.actual_end, c.success, \
     c.fallback_carried_out, c.verifier_id, ve.name AS verifier_name, c.verified_at, \
     c.verification_note, c.recorded_by, rec.name AS recorder_name, c.submitted_by, \
     sub.name AS submitter_name, c.conflicts_ack_reason, c.customers_to_notify, c.created_at, \
     c.updated_at, c.version \
     FROM changes c JOIN person_refs ow ON ow.id = c.owner_id \
     LEFT JOIN person_refs rec ON rec.id = c.recorded_by \
     LEFT JOIN person_refs sub ON sub.id = c.submitted_by \
     LEFT JOIN person_refs ini ON ini.id = c.initiator_id \
     LEFT JOIN person_refs im ON im.id = c.implementer_id \
     LEFT JOIN person_refs ap ON ap.id = c.approver_id \
     LEFT JOIN person_refs ve ON ve.id = c.verifier_id \
     LEFT JOIN ticket_refs t ON t.id = c.cause_ticket_id \
     LEFT JOIN change_templates tp ON tp.id = c.template_id";

/// The change `id`, read through `handle`.
pub async fn find(handle: &mut impl Handle, id: ChangeId) -> Result<Option<Change>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row: Option<ChangeRow> = run!(handle, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    row.map(ChangeRow::into_change).transpose()
}

pub async fn get(db: &Db, id: ChangeId) -> Result<Change> {
    let mut conn = db.conn().await?;
    find(&mut conn, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })
}

/// The id of the change numbered `number`.
pub async fn by_number(db: &Db, number: i64) -> Result<Option<ChangeId>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT id FROM changes WHERE number = $1")
            .bind(number)
            .fetch_optional(c)
            .await
    })?)
}

/// Filters of the change list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub category: Option<Category>,
    /// Words of the title, or a number `C-000042`.
    pub search: Option<String>,
    /// Only changes with a number below this (the next page of a list that runs newest first).
    pub before: Option<i64>,
}

/// Changes, newest first, at most `limit`.
pub async fn list(db: &Db, filter: &Filter, limit: i64) -> Result<Vec<Change>> {
    let mut conditions = vec!["1 = 1".to_owned()];
    let (state, category) = (
        filter.state.map(|s| s.as_str()),
        filter.category.map(|c| c.as_str()),
    );
    if state.is_some() {
        conditions.push("c.state = $1".into());
    }
    if category.is_some() {
        conditions.push("c.category = $2".into());
    }
    if filter.before.is_some() {
        conditions.push("c.number < $3".into());
    }
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let number = search.and_then(|t| {
        t.to_ascii_uppercase()
            .starts_with("C-")
            .then(|| crate::change::parse_number(t))
            .flatten()
    });
    let like = search.map(tandem_storage::like_pattern);
    if number.is_some() {
        conditions.push("c.number = $4".into());
    } else if like.is_some() {
        conditions.push("lower(c.title) LIKE $5 ESCAPE '\\'".into());
    }
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY c.number DESC LIMIT {limit}",
        conditions.join(" AND ")
    );
    let rows: Vec<ChangeRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(state)
            .bind(category)
            .bind(filter.before)
            .bind(number)
            .bind(like.as_deref())
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(ChangeRow::into_change).collect()
}

/// The changes whose planned window overlaps `[from, to)`, by start: rejected ones left out,
/// and cancelled ones unless `cancelled`.
pub async fn in_window(
    db: &Db,
    from: OffsetDateTime,
    to: OffsetDateTime,
    cancelled: bool,
) -> Result<Vec<Change>> {
    let sql = format!(
        "{SELECT} WHERE c.planned_start < $2 AND c.planned_end > $1 \
         AND (c.close_reason IS NULL OR c.close_reason IN ('completed', 'failed') \
         OR (c.close_reason = 'cancelled' AND $3)) \
         AND c.state <> 'rejected' ORDER BY c.planned_start, c.number"
    );
    let rows: Vec<ChangeRow> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(SqlTime(from))
            .bind(SqlTime(to))
            .bind(cancelled)
            .fetch_all(c)
            .await
    })?;
    rows.into_iter().map(ChangeRow::into_change).collect()
}

/// The CIs of change `id`, by name.
pub async fn cis(handle: &mut impl Handle, id: ChangeId) -> Result<Vec<ChangeCi>> {
    type Row = (CiId, i64, String, String, String, String, Option<i64>);
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT ci.id, ci.number, ci.name, ci.lifecycle, ci.attributes, cc.planned_update, \
             cc.applied_version FROM change_cis cc JOIN ci_refs ci ON ci.id = cc.ci_id \
             WHERE cc.change_id = $1 ORDER BY ci.name",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(
            |(ci_id, number, name, lifecycle, attributes, update, applied_version)| {
                let attributes: BTreeMap<String, String> = from_json("CI attributes", &attributes)?;
                Ok(ChangeCi {
                    ci_id,
                    number,
                    name,
                    lifecycle: word(Lifecycle::parse("lifecycle", &lifecycle))?,
                    environment: attributes.get("environment").cloned(),
                    update: from_json("planned update", &update)?,
                    applied_version,
                })
            },
        )
        .collect()
}

pub(super) async fn votes(handle: &mut impl Handle, change: &Change) -> Result<Vec<CabVote>> {
    type Row = (PersonId, String, String, String, OffsetDateTime, String);
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT v.voter_id, p.name, v.vote, v.comment, v.at, v.recorded_by_label \
             FROM change_votes v JOIN person_refs p ON p.id = v.voter_id WHERE v.change_id = $1 \
             ORDER BY v.at, p.name",
        )
        .bind(change.id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(id, name, vote, comment, at, recorded_by)| {
            let voter = PersonRef { id, name };
            Ok(CabVote {
                counted: lifecycle::is_counted(&voter, &change.owner, change.implementer.as_ref()),
                voter,
                vote: word(Vote::parse("vote", &vote))?,
                comment,
                at,
                recorded_by,
            })
        })
        .collect()
}

pub(super) async fn checks(handle: &mut impl Handle, id: ChangeId) -> Result<Vec<Check>> {
    type Row = (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT position, text, result, note, checked_by_label, checked_at FROM change_checks \
             WHERE change_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(position, text, result, note, checked_by, checked_at)| {
            Ok(Check {
                position,
                text,
                result: optional_word(result, CheckResult::parse, "result")?,
                note,
                checked_by,
                checked_at,
            })
        })
        .collect()
}

async fn transitions(handle: &mut impl Handle, id: ChangeId) -> Result<Vec<Transition>> {
    type Row = (i64, String, String, String, OffsetDateTime, String, String);
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT seq, step, from_state, to_state, at, actor_label, reason \
             FROM change_transitions WHERE change_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(seq, step, from, to, at, actor, reason)| {
            Ok(Transition {
                seq,
                step: word(Step::parse("step", &step))?,
                from: word(State::parse("from_state", &from))?,
                to: word(State::parse("to_state", &to))?,
                at,
                actor,
                reason,
            })
        })
        .collect()
}

/// The change `id` with its CIs, votes, checks, steps, the CAB's consent and what its window
/// runs into.
pub async fn detail(db: &Db, handle: &mut impl Handle, id: ChangeId) -> Result<Detail> {
    let change = find(handle, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })?;
    let cis = cis(handle, id).await?;
    let votes = votes(handle, &change).await?;
    let checks = checks(handle, id).await?;
    let transitions = transitions(handle, id).await?;
    let (settings, _) = crate::store::settings::get(handle).await?;
    let consent = lifecycle::cab_consent(
        &facts::cab_votes(&votes),
        &change.owner,
        change.implementer.as_ref(),
        settings.cab_quorum,
    );
    let window = facts::window(db, handle, &change).await?;
    Ok(Detail {
        conflicts: window.conflicts,
        blackouts: window.blackouts,
        change,
        cis,
        votes,
        checks,
        transitions,
        consent,
    })
}

pub async fn get_detail(db: &Db, id: ChangeId) -> Result<Detail> {
    detail(db, &mut db.conn().await?, id).await
}

/// The person the actor acts for, as the rules see them: a signed-in person or a person's
/// token. Tandem itself is nobody and can neither approve nor verify.
pub async fn acting_person(handle: &mut impl Handle, actor: &Actor) -> Result<PersonRef> {
    let Some(id) = actor.id.map(PersonId) else {
        return Err(Error::conflict(
            "only a person, or a person's API token, takes steps in a change's life cycle",
        ));
    };
    let name = tandem_directory::read::person_name(handle, id).await?;
    name.map(|name| PersonRef { id, name })
        .ok_or_else(|| Error::conflict("the acting account is not linked to a person"))
}
