//! The `changes`, `change_numbers`, `change_cis`, `change_votes`, `change_checks`,
//! `change_transitions` and `maintenance_windows` tables: changes, their life-cycle steps, the
//! CAB's votes and the verification checklist.

use std::collections::BTreeMap;

use sqlx::AssertSqlSafe;
use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Actor, Error, FieldError, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::OffsetDateTime;
use uuid::Uuid;

use super::facts;
use super::{from_json, to_json, word};
use crate::change::{ChangeId, ChangeInput, TemplateId, number_text};
use crate::lifecycle::{
    self, Category, CheckResult, CloseReason, Consent, Move, NextStep, PersonRef, Refusal, Risk,
    State, Step, Vote,
};
use crate::risk::Suggestion;

/// A change as stored, with the names of the people and records it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: ChangeId,
    pub number: i64,
    pub title: String,
    pub owner: PersonRef,
    pub initiator: Option<PersonRef>,
    /// Who raised it as the record says: the initiator's name, or the token or process.
    pub initiator_label: String,
    pub cause_text: String,
    /// The ticket it was raised for: (id, number, title).
    pub cause_ticket: Option<(Uuid, i64, String)>,
    pub description: String,
    pub configuration: String,
    pub category: Category,
    pub template: Option<(TemplateId, String)>,
    pub risk: Option<Risk>,
    pub risk_suggested: Option<Risk>,
    pub risk_explanation: String,
    pub risk_override_reason: String,
    pub state: State,
    pub close_reason: Option<CloseReason>,
    pub planned_start: Option<OffsetDateTime>,
    pub planned_end: Option<OffsetDateTime>,
    pub fallback: String,
    pub implementer: Option<PersonRef>,
    pub approver: Option<PersonRef>,
    pub approved_at: Option<OffsetDateTime>,
    pub approval_retroactive: bool,
    /// Closed without an approval given in time (an emergency change the CAB never consented
    /// to, or too late).
    pub approval_missed: bool,
    pub actual_start: Option<OffsetDateTime>,
    pub actual_end: Option<OffsetDateTime>,
    pub success: Option<bool>,
    pub fallback_carried_out: String,
    pub verifier: Option<PersonRef>,
    pub verified_at: Option<OffsetDateTime>,
    pub verification_note: String,
    /// The person who recorded the change (none for the changes recorded before Tandem kept
    /// it, and for those a process recorded).
    pub recorder: Option<PersonRef>,
    /// The person who submitted it the last time.
    pub submitter: Option<PersonRef>,
    pub conflicts_ack_reason: String,
    pub customers_to_notify: Vec<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Change {
    /// Whether the change is still edited: until it starts.
    pub fn is_editable(&self) -> bool {
        matches!(
            self.state,
            State::Draft | State::Submitted | State::Assessed | State::Approved | State::Scheduled
        )
    }

    /// `C-000042 Security update of the management server`.
    pub fn reference(&self) -> String {
        format!("{} {}", number_text(self.number), self.title)
    }
}

/// A CI the change is carried out on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCi {
    pub ci_id: Uuid,
    pub number: i64,
    pub name: String,
    pub lifecycle: String,
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
    pub step: String,
    pub from: String,
    pub to: String,
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
    owner_id: Uuid,
    owner_name: String,
    initiator_id: Option<Uuid>,
    initiator_name: Option<String>,
    initiator_label: String,
    cause_text: String,
    cause_ticket_id: Option<Uuid>,
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
    implementer_id: Option<Uuid>,
    implementer_name: Option<String>,
    approver_id: Option<Uuid>,
    approver_name: Option<String>,
    approved_at: Option<OffsetDateTime>,
    approval_retroactive: bool,
    approval_missed: bool,
    actual_start: Option<OffsetDateTime>,
    actual_end: Option<OffsetDateTime>,
    success: Option<bool>,
    fallback_carried_out: String,
    verifier_id: Option<Uuid>,
    verifier_name: Option<String>,
    verified_at: Option<OffsetDateTime>,
    verification_note: String,
    recorded_by: Option<Uuid>,
    recorder_name: Option<String>,
    submitted_by: Option<Uuid>,
    submitter_name: Option<String>,
    conflicts_ack_reason: String,
    customers_to_notify: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    version: i64,
}

fn person(id: Option<Uuid>, name: Option<String>) -> Option<PersonRef> {
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
    type Row = (Uuid, i64, String, String, String, String, Option<i64>);
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
                    lifecycle,
                    environment: attributes.get("environment").cloned(),
                    update: from_json("planned update", &update)?,
                    applied_version,
                })
            },
        )
        .collect()
}

async fn votes(handle: &mut impl Handle, change: &Change) -> Result<Vec<CabVote>> {
    let rows: Vec<(Uuid, String, String, String, OffsetDateTime, String)> = run!(handle, |c| {
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

async fn checks(handle: &mut impl Handle, id: ChangeId) -> Result<Vec<Check>> {
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
    Ok(rows
        .into_iter()
        .map(|(seq, step, from, to, at, actor, reason)| Transition {
            seq,
            step,
            from,
            to,
            at,
            actor,
            reason,
        })
        .collect())
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
    let (settings, _) = super::settings::get(handle).await?;
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
    let Some(id) = actor.id else {
        return Err(Error::conflict(
            "only a person, or a person's API token, takes steps in a change's life cycle",
        ));
    };
    let name = tandem_directory::read::person_name(handle, PersonId(id)).await?;
    name.map(|name| PersonRef { id, name })
        .ok_or_else(|| Error::conflict("the acting account is not linked to a person"))
}

/// Checks that the people, ticket, template and CIs `input` names exist and fit; returns the
/// cause ticket's id.
async fn check_references(tx: &mut Tx, input: &ChangeInput) -> Result<Option<Uuid>> {
    let mut errors = Vec::new();
    for (field, id) in [
        ("owner_id", Some(input.owner_id)),
        ("initiator_id", input.initiator_id),
        ("implementer_id", input.implementer_id),
    ] {
        if let Some(person) = id
            && !tandem_directory::read::person_exists(tx, person).await?
        {
            errors.push(FieldError::new(field, "there is no such person"));
        }
    }
    let ticket = match input.cause_ticket {
        None => None,
        Some(number) => {
            let id = tandem_cmdb::read::ticket_by_number(tx, number).await?;
            if id.is_none() {
                errors.push(FieldError::new("cause_ticket", "there is no such ticket"));
            }
            id
        }
    };
    if let Some(template) = input.template_id
        && !tx.exists("change_templates", template.0).await?
    {
        errors.push(FieldError::new("template_id", "there is no such template"));
    }
    if input.template_id.is_some() && input.category != Category::Standard {
        errors.push(FieldError::new(
            "template_id",
            "only a standard change is made from a template",
        ));
    }
    for (i, (ci, update)) in input.cis.iter().enumerate() {
        let found = tandem_cmdb::read::ci(tx, tandem_cmdb::ci::CiId(*ci)).await?;
        match found.map(|found| found.lifecycle) {
            None => errors.push(FieldError::new(format!("cis[{i}]"), "there is no such CI")),
            Some(tandem_cmdb::ci::Lifecycle::Retired) => errors.push(FieldError::new(
                format!("cis[{i}]"),
                "the CI is retired; a change is carried out on CIs in use",
            )),
            Some(_) if !update.is_empty() => {
                match tandem_cmdb::store::cis::check_update(tx, tandem_cmdb::ci::CiId(*ci), update)
                    .await
                {
                    Ok(()) => {}
                    Err(Error::Invalid(refused)) => errors.extend(refused.into_iter().map(|e| {
                        FieldError::new(format!("cis[{i}]"), format!("{}: {}", e.field, e.message))
                    })),
                    Err(other) => return Err(other),
                }
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(ticket)
    } else {
        Err(Error::Invalid(errors))
    }
}

async fn next_number(tx: &mut Tx) -> Result<i64> {
    Ok(run!(tx, |c| {
        sqlx::query_scalar("UPDATE change_numbers SET last = last + 1 WHERE id = 1 RETURNING last")
            .fetch_one(c)
            .await
    })?)
}

async fn write_cis(tx: &mut Tx, id: ChangeId, input: &ChangeInput) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM change_cis WHERE change_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for (ci, update) in &input.cis {
        let update = to_json(update)?;
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO change_cis (change_id, ci_id, planned_update) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(ci)
            .bind(&update)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

async fn write_checklist(tx: &mut Tx, id: ChangeId, texts: &[String]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM change_checks WHERE change_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for (position, text) in (1_i64..).zip(texts) {
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO change_checks (change_id, position, text, note, checked_by_label) \
                 VALUES ($1, $2, $3, '', '')",
            )
            .bind(id)
            .bind(position)
            .bind(text)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Fills what a standard change takes from its template where the input leaves it empty:
/// description, configuration, fallback, risk (pre-assessed, so it stands against the
/// suggestion with the template as its reason); returns the template's checklist.
async fn from_template(tx: &mut Tx, input: &mut ChangeInput) -> Result<Vec<String>> {
    let Some(id) = input.template_id else {
        return Ok(Vec::new());
    };
    let Some(template) = super::templates::find(tx, id).await? else {
        return Ok(Vec::new());
    };
    let fill = |field: &mut tandem_kernel::text::Note, value: &str| -> Result<()> {
        if field.as_str().trim().is_empty() {
            *field = tandem_kernel::text::Note::parse("template", value)
                .map_err(|e| Error::Storage(format!("template {}: {e}", template.name).into()))?;
        }
        Ok(())
    };
    fill(&mut input.description, &template.description)?;
    fill(&mut input.configuration, &template.configuration)?;
    fill(&mut input.fallback, &template.fallback)?;
    input.risk.get_or_insert(template.risk);
    if input.risk_override_reason.as_str().trim().is_empty() {
        input.risk_override_reason = tandem_kernel::text::Note::parse(
            "risk_override_reason",
            &format!(
                "the risk of the standard-change template '{}', assessed when it was approved",
                template.name
            ),
        )
        .map_err(|e| Error::Storage(format!("template {}: {e}", template.name).into()))?;
    }
    Ok(template.checklist)
}

/// The fields of a change the audit trail compares.
fn audited(c: &Change) -> Vec<(&'static str, String)> {
    let t = |at: Option<OffsetDateTime>| at.map(tandem_kernel::clock::when).unwrap_or_default();
    let p = |p: &Option<PersonRef>| p.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    vec![
        ("title", c.title.clone()),
        ("owner", c.owner.name.clone()),
        ("category", c.category.as_str().to_owned()),
        ("state", c.state.as_str().to_owned()),
        ("risk", c.risk.map(|r| r.as_str()).unwrap_or("").to_owned()),
        ("risk override reason", c.risk_override_reason.clone()),
        ("description", c.description.clone()),
        ("configuration", c.configuration.clone()),
        ("fallback", c.fallback.clone()),
        ("planned start", t(c.planned_start)),
        ("planned end", t(c.planned_end)),
        ("implementer", p(&c.implementer)),
        ("approver", p(&c.approver)),
        ("actual start", t(c.actual_start)),
        ("actual end", t(c.actual_end)),
        ("verifier", p(&c.verifier)),
        (
            "success",
            c.success.map(|s| s.to_string()).unwrap_or_default(),
        ),
    ]
}

/// Writes a new change in state draft; a standard change takes what it leaves empty from its
/// template, and its checklist too.
pub async fn create(write: &Write, may_manage: bool, mut input: ChangeInput) -> Result<Change> {
    let suggestion = facts::suggest(&write.db, input.cis.keys().copied()).await?;
    risk_choice(may_manage, input.risk, None, suggestion.as_ref())?;
    let id = ChangeId::generate();
    let mut tx = write.begin().await?;
    let ticket = check_references(&mut tx, &input).await?;
    let checklist = from_template(&mut tx, &mut input).await?;
    let initiator_id = input.initiator_id.or(write.actor.id.map(PersonId));
    let initiator_label = match initiator_id {
        Some(_) => String::new(),
        None => write.actor.label.clone(),
    };
    let number = next_number(&mut tx).await?;
    let risk = input.risk.or(suggestion.as_ref().map(|s| s.risk));
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO changes (id, number, title, owner_id, initiator_id, initiator_label, \
             cause_text, cause_ticket_id, description, configuration, category, template_id, risk, \
             risk_suggested, risk_explanation, risk_override_reason, state, planned_start, \
             planned_end, fallback, implementer_id, approval_retroactive, approval_missed, \
             fallback_carried_out, verification_note, conflicts_ack_reason, customers_to_notify, \
             created_at, updated_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, 'draft', $17, $18, $19, $20, FALSE, FALSE, '', '', $21, \
             '[]', $22, $22, $23)",
        )
        .bind(id)
        .bind(number)
        .bind(input.title.as_str())
        .bind(input.owner_id)
        .bind(initiator_id)
        .bind(&initiator_label)
        .bind(input.cause_text.as_str())
        .bind(ticket)
        .bind(input.description.as_str())
        .bind(input.configuration.as_str())
        .bind(input.category.as_str())
        .bind(input.template_id)
        .bind(risk.map(|r| r.as_str()))
        .bind(suggestion.as_ref().map(|s| s.risk.as_str()))
        .bind(
            suggestion
                .as_ref()
                .map(|s| s.explanation.as_str())
                .unwrap_or(""),
        )
        .bind(input.risk_override_reason.as_str())
        .bind(input.planned_start.map(SqlTime))
        .bind(input.planned_end.map(SqlTime))
        .bind(input.fallback.as_str())
        .bind(input.implementer_id)
        .bind(input.conflicts_ack_reason.as_str())
        .bind(SqlTime(write.now))
        .bind(write.actor.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write_cis(&mut tx, id, &input).await?;
    write_checklist(&mut tx, id, &checklist).await?;
    let change = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })?;
    write
        .commit(tx, Edit::created("change", id, &audited(&change)))
        .await?;
    Ok(change)
}

/// Only the owner, the initiator or a change manager edits a change and its checklist.
async fn may_edit(tx: &mut Tx, actor: &Actor, may_manage: bool, change: &Change) -> Result<()> {
    let person = acting_person(tx, actor).await?;
    if may_manage
        || person.id == change.owner.id
        || change.initiator.as_ref().is_some_and(|i| i.id == person.id)
    {
        return Ok(());
    }
    Err(Error::Refused(vec![FieldError::new(
        "who",
        format!(
            "only the owner ({}), the initiator or a change manager edits this change",
            change.owner.name
        ),
    )]))
}

/// Only a change manager overrides the suggested risk: anyone else may leave the risk to the
/// suggestion or keep what is recorded.
fn risk_choice(
    may_manage: bool,
    chosen: Option<Risk>,
    recorded: Option<Risk>,
    suggestion: Option<&Suggestion>,
) -> Result<()> {
    match chosen {
        Some(risk)
            if !may_manage
                && Some(risk) != recorded
                && Some(risk) != suggestion.map(|s| s.risk) =>
        {
            Err(Error::invalid(
                "risk",
                "only a change manager overrides the suggested risk; leave it to the suggestion",
            ))
        }
        _ => Ok(()),
    }
}

/// Whether an edit changes what the change does: its configuration, category, template or
/// CIs and their planned updates.
fn changes_content(detail: &Detail, input: &ChangeInput) -> bool {
    let c = &detail.change;
    let cis: BTreeMap<Uuid, BTreeMap<String, String>> = detail
        .cis
        .iter()
        .map(|ci| (ci.ci_id, ci.update.clone()))
        .collect();
    c.configuration != input.configuration.as_str()
        || c.category != input.category
        || c.template.as_ref().map(|t| t.0) != input.template_id
        || cis != input.cis
}

/// Saves `input` over the change if it is still at `version`; its owner, its initiator or a
/// change manager (`may_manage`) edits it. Until the change is approved
/// everything may change. Once it is approved, what it does (configuration, category, CIs) is
/// fixed, and the rest is checked again against the approval (the four-eye rules) and, while
/// it is scheduled, against its window; a scheduled change's maintenance windows follow the new
/// schedule. A change that has started is no longer edited.
pub async fn update(
    write: &Write,
    may_manage: bool,
    id: ChangeId,
    version: i64,
    input: ChangeInput,
) -> Result<Change> {
    let suggestion = facts::suggest(&write.db, input.cis.keys().copied()).await?;
    let mut tx = write.begin().await?;
    let before = detail(&write.db, &mut tx, id).await?;
    may_edit(&mut tx, &write.actor, may_manage, &before.change).await?;
    let state = before.change.state;
    if !before.change.is_editable() {
        return Err(Error::Refused(vec![FieldError::new(
            "edit",
            format!(
                "a change in state {} is a record of what happened and is no longer edited",
                state.as_str()
            ),
        )]));
    }
    if matches!(state, State::Approved | State::Scheduled) && changes_content(&before, &input) {
        return Err(Error::Refused(vec![FieldError::new(
            "edit",
            "the change is approved: its configuration, category and CIs are what was approved; cancel it and raise a new change to do something else",
        )]));
    }
    risk_choice(
        may_manage,
        input.risk,
        before.change.risk,
        suggestion.as_ref(),
    )?;
    let ticket = check_references(&mut tx, &input).await?;
    let risk = input.risk.or(suggestion.as_ref().map(|s| s.risk));
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE changes SET title = $2, owner_id = $3, initiator_id = $4, cause_text = $5, \
             cause_ticket_id = $6, description = $7, configuration = $8, category = $9, \
             template_id = $10, risk = $11, risk_suggested = $12, risk_explanation = $13, \
             risk_override_reason = $14, planned_start = $15, planned_end = $16, fallback = $17, \
             implementer_id = $18, conflicts_ack_reason = $19, updated_at = $20, \
             version = version + 1 WHERE id = $1 AND version = $21",
        )
        .bind(id)
        .bind(input.title.as_str())
        .bind(input.owner_id)
        .bind(
            input
                .initiator_id
                .or(before.change.initiator.as_ref().map(|p| PersonId(p.id))),
        )
        .bind(input.cause_text.as_str())
        .bind(ticket)
        .bind(input.description.as_str())
        .bind(input.configuration.as_str())
        .bind(input.category.as_str())
        .bind(input.template_id)
        .bind(risk.map(|r| r.as_str()))
        .bind(suggestion.as_ref().map(|s| s.risk.as_str()))
        .bind(
            suggestion
                .as_ref()
                .map(|s| s.explanation.as_str())
                .unwrap_or(""),
        )
        .bind(input.risk_override_reason.as_str())
        .bind(input.planned_start.map(SqlTime))
        .bind(input.planned_end.map(SqlTime))
        .bind(input.fallback.as_str())
        .bind(input.implementer_id)
        .bind(input.conflicts_ack_reason.as_str())
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "changes", id.0, "change").await?;
    write_cis(&mut tx, id, &input).await?;
    let after = detail(&write.db, &mut tx, id).await?;
    if matches!(state, State::Approved | State::Scheduled) {
        let facts = facts::of(&mut tx, &after).await?;
        lifecycle::recheck(&facts).map_err(refused)?;
        if state == State::Scheduled {
            write_windows(&mut tx, &after).await?;
        }
    }
    write
        .commit(
            tx,
            Edit::updated(
                "change",
                id,
                &audited(&before.change),
                &audited(&after.change),
            ),
        )
        .await?;
    Ok(after.change)
}

/// The refusals of the life-cycle rules as the error the edge answers with.
pub fn refused(refusals: Vec<Refusal>) -> Error {
    Error::Refused(
        refusals
            .into_iter()
            .map(|r| FieldError::new(r.rule, r.message))
            .collect(),
    )
}

/// Replaces the maintenance windows of a scheduled change: one per CI over its planned window.
async fn write_windows(tx: &mut Tx, detail: &Detail) -> Result<()> {
    remove_windows(tx, detail.change.id).await?;
    let (Some(start), Some(end)) = (detail.change.planned_start, detail.change.planned_end) else {
        return Ok(());
    };
    for ci in &detail.cis {
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO maintenance_windows (change_id, ci_id, starts_at, ends_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(detail.change.id)
            .bind(ci.ci_id)
            .bind(SqlTime(start))
            .bind(SqlTime(end))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

async fn remove_windows(tx: &mut Tx, id: ChangeId) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM maintenance_windows WHERE change_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A step someone asks for, with what its form says.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub step: Step,
    /// Why: required to reject or cancel, kept with every step.
    pub reason: String,
    /// What was done to fall back, recorded before a change is marked failed.
    pub fallback_carried_out: String,
    /// The verifier's note.
    pub note: String,
    /// The version the person saw, if the request says.
    pub version: Option<i64>,
}

impl StepRequest {
    fn to_move(&self) -> Move {
        let reason = self.reason.trim().to_owned();
        match self.step {
            Step::Submit => Move::Submit,
            Step::Assess => Move::Assess,
            Step::Approve => Move::Approve,
            Step::Reject => Move::Reject { reason },
            Step::Reopen => Move::Reopen,
            Step::Schedule => Move::Schedule,
            Step::Unschedule => Move::Unschedule,
            Step::Start => Move::Start,
            Step::Implement => Move::Implement,
            Step::Fail => Move::Fail,
            Step::Verify => Move::Verify,
            Step::Close => Move::Close,
            Step::Cancel => Move::Cancel { reason },
            Step::ApproveRetroactively => Move::ApproveRetroactively,
        }
    }
}

/// What `actor` can do next with change `id`, each step with what still stands in its way.
pub async fn next_steps(
    db: &Db,
    actor: &Actor,
    may_manage: bool,
    now: OffsetDateTime,
    id: ChangeId,
) -> Result<(Detail, Vec<NextStep>)> {
    let mut conn = db.conn().await?;
    let detail = detail(db, &mut conn, id).await?;
    let facts = facts::of(&mut conn, &detail).await?;
    let steps = match acting_person(&mut conn, actor).await {
        Ok(person) => lifecycle::next_steps(&facts, &person, may_manage, now),
        Err(_) => Vec::new(),
    };
    Ok((detail, steps))
}

/// Takes a step in the life cycle of change `id` if the rules allow it now, and records what
/// it does: the new state, the approval, the actual start and end, the maintenance windows of
/// a scheduled change, the CI versions of an implemented one, and the step itself.
pub async fn take_step(
    write: &Write,
    may_manage: bool,
    id: ChangeId,
    request: &StepRequest,
) -> Result<Change> {
    let (db, actor, now) = (&write.db, &write.actor, write.now);
    let customers = match request.step {
        Step::Schedule => {
            let cis: Vec<Uuid> = cis(&mut db.conn().await?, id)
                .await?
                .iter()
                .map(|c| c.ci_id)
                .collect();
            Some(facts::customers(db, &cis).await?)
        }
        _ => None,
    };
    let mut tx = write.begin().await?;
    let person = acting_person(&mut tx, actor).await?;
    let before = detail(db, &mut tx, id).await?;
    if let Some(version) = request.version
        && version != before.change.version
    {
        return Err(Error::conflict(
            "the change was changed by someone else in the meantime; reload it and try again",
        ));
    }
    let mut facts = facts::of(&mut tx, &before).await?;
    let fallback_note = request.fallback_carried_out.trim();
    if request.step == Step::Fail && !fallback_note.is_empty() {
        facts.fallback_carried_out = Some(fallback_note.to_owned());
    }
    let outcome =
        lifecycle::check(&facts, &person, may_manage, &request.to_move(), now).map_err(refused)?;
    let mut after = before.change.clone();
    after.state = outcome.to;
    if let Some(reason) = outcome.close_reason {
        after.close_reason = Some(reason);
    }
    if let Some(approval) = &outcome.approval {
        after.approver = Some(approval.approver.clone());
        after.approved_at = Some(approval.at);
        after.approval_retroactive = approval.retroactive;
    }
    if outcome.approval_missed {
        after.approval_missed = true;
    }
    match request.step {
        Step::Submit => after.submitter = Some(person.clone()),
        Step::Start => after.actual_start = Some(now),
        Step::Implement => after.actual_end = Some(now),
        Step::Fail => {
            after.fallback_carried_out = fallback_note.to_owned();
            after.actual_end.get_or_insert(now);
            if before.change.state == State::Implemented {
                after.verifier = Some(person.clone());
                after.verified_at = Some(now);
                after.verification_note = request.note.trim().to_owned();
            }
        }
        Step::Verify => {
            after.verifier = Some(person.clone());
            after.verified_at = Some(now);
            after.verification_note = request.note.trim().to_owned();
        }
        _ => {}
    }
    if let Some(success) = outcome.success {
        after.success = Some(success);
    }
    if let Some(customers) = customers {
        after.customers_to_notify = customers;
    }
    write_life_cycle(&mut tx, now, &after).await?;
    match request.step {
        Step::Schedule => {
            let scheduled = Detail {
                change: after.clone(),
                ..before.clone()
            };
            write_windows(&mut tx, &scheduled).await?;
        }
        Step::Unschedule | Step::Cancel => remove_windows(&mut tx, id).await?,
        Step::Implement => apply_updates(write, &mut tx, &before).await?,
        _ => {}
    }
    let seq = before.transitions.last().map_or(1, |t| t.seq + 1);
    let reason = match request.step {
        Step::Fail if !fallback_note.is_empty() => {
            format!("fallback carried out: {fallback_note}")
        }
        _ => request.reason.trim().to_owned(),
    };
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO change_transitions (change_id, seq, step, from_state, to_state, at, \
             actor_label, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(seq)
        .bind(request.step.as_str())
        .bind(outcome.from.as_str())
        .bind(outcome.to.as_str())
        .bind(SqlTime(now))
        .bind(&actor.label)
        .bind(&reason)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let mut before_fields = audited(&before.change);
    let mut after_fields = audited(&after);
    before_fields.push(("step", String::new()));
    after_fields.push(("step", format!("{} {reason}", request.step.as_str())));
    write
        .commit(
            tx,
            Edit::updated("change", id, &before_fields, &after_fields),
        )
        .await?;
    get(db, id).await
}

/// Writes the life-cycle columns of `change` and counts the write in its version.
async fn write_life_cycle(tx: &mut Tx, now: OffsetDateTime, change: &Change) -> Result<()> {
    let customers = to_json(&change.customers_to_notify)?;
    let changed = run!(tx, |c| {
        sqlx::query(
            "UPDATE changes SET state = $2, close_reason = $3, approver_id = $4, approved_at = $5, \
             approval_retroactive = $6, approval_missed = $7, actual_start = $8, actual_end = $9, \
             success = $10, fallback_carried_out = $11, verifier_id = $12, verified_at = $13, \
             verification_note = $14, customers_to_notify = $15, updated_at = $16, \
             submitted_by = $18, version = version + 1 WHERE id = $1 AND version = $17",
        )
        .bind(change.id)
        .bind(change.state.as_str())
        .bind(change.close_reason.map(|r| r.as_str()))
        .bind(change.approver.as_ref().map(|p| p.id))
        .bind(change.approved_at.map(SqlTime))
        .bind(change.approval_retroactive)
        .bind(change.approval_missed)
        .bind(change.actual_start.map(SqlTime))
        .bind(change.actual_end.map(SqlTime))
        .bind(change.success)
        .bind(&change.fallback_carried_out)
        .bind(change.verifier.as_ref().map(|p| p.id))
        .bind(change.verified_at.map(SqlTime))
        .bind(&change.verification_note)
        .bind(&customers)
        .bind(SqlTime(now))
        .bind(change.version)
        .bind(change.submitter.as_ref().map(|p| p.id))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "changes", change.id.0, "change")
        .await
}

/// Applies each CI's planned update as a new CI version caused by the change.
async fn apply_updates(write: &Write, tx: &mut Tx, detail: &Detail) -> Result<()> {
    let cause = tandem_cmdb::version::Cause::change(detail.change.id.0, detail.change.reference());
    for ci in detail.cis.iter().filter(|ci| !ci.update.is_empty()) {
        let (_, version) = tandem_cmdb::store::cis::apply_update(
            write,
            tx,
            tandem_cmdb::ci::CiId(ci.ci_id),
            &ci.update,
            &cause,
        )
        .await?;
        run!(tx, |c| {
            sqlx::query(
                "UPDATE change_cis SET applied_version = $3 WHERE change_id = $1 AND ci_id = $2",
            )
            .bind(detail.change.id)
            .bind(ci.ci_id)
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Records a CAB member's vote on change `id`. `voter` is the member the vote is for: the actor
/// themself, or, for a change manager, a member who voted in a meeting or by phone. Only members
/// of a CAB team vote; a vote to reject says why; votes are taken until the change is approved.
#[allow(clippy::too_many_arguments)]
pub async fn vote(
    write: &Write,
    may_manage: bool,
    id: ChangeId,
    voter: Option<PersonId>,
    vote: Vote,
    comment: &str,
) -> Result<CabVote> {
    lifecycle::validate_vote(vote, comment).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = write.begin().await?;
    let person = acting_person(&mut tx, &write.actor).await?;
    let voter_id = match voter {
        Some(PersonId(v)) if v != person.id && !may_manage => {
            return Err(Error::Refused(vec![FieldError::new(
                "who",
                "only a change manager records a vote on another member's behalf",
            )]));
        }
        Some(PersonId(v)) => v,
        None => person.id,
    };
    let change = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })?;
    if let Some(approver) = &change.approver {
        return Err(Error::Refused(vec![FieldError::new(
            "vote",
            format!(
                "the change is already approved, by {}; the CAB's votes are closed",
                approver.name
            ),
        )]));
    }
    if matches!(change.state, State::Draft | State::Rejected | State::Closed) {
        return Err(Error::Refused(vec![FieldError::new(
            "vote",
            format!(
                "the CAB votes on submitted changes; this one is {}",
                change.state.as_str()
            ),
        )]));
    }
    if !facts::is_cab_member(&mut tx, voter_id).await? {
        return Err(Error::Refused(vec![FieldError::new(
            "cab",
            "only members of a Change Advisory Board team vote; add the person to the CAB team first",
        )]));
    }
    // Who recorded a vote is kept when it is not the voter: a manager recording a meeting's vote.
    let recorded_by = if voter_id == person.id {
        ""
    } else {
        write.actor.label.as_str()
    };
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM change_votes WHERE change_id = $1 AND voter_id = $2")
            .bind(id)
            .bind(voter_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO change_votes (change_id, voter_id, vote, comment, at, recorded_by_label) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(voter_id)
        .bind(vote.as_str())
        .bind(comment.trim())
        .bind(SqlTime(write.now))
        .bind(recorded_by)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let recorded = votes(&mut tx, &change)
        .await?
        .into_iter()
        .find(|v| v.voter.id == voter_id)
        .ok_or(Error::NotFound { entity: "vote" })?;
    write
        .commit(
            tx,
            Edit::updated(
                "change",
                id,
                &[("CAB vote", String::new())],
                &[(
                    "CAB vote",
                    format!(
                        "{}: {} {}",
                        recorded.voter.name,
                        vote.as_str(),
                        comment.trim()
                    ),
                )],
            ),
        )
        .await?;
    Ok(recorded)
}

/// Replaces the verification checklist of change `id`, while it has not started; its owner,
/// initiator or a change manager (`may_manage`) writes it.
pub async fn set_checklist(
    write: &Write,
    may_manage: bool,
    id: ChangeId,
    texts: &[String],
) -> Result<Vec<Check>> {
    let texts: Vec<String> = texts
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(long) = texts.iter().position(|t| t.chars().count() > 500) {
        return Err(Error::invalid(
            format!("checks[{long}]"),
            "a check is one sentence of at most 500 characters",
        ));
    }
    let mut tx = write.begin().await?;
    let change = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })?;
    may_edit(&mut tx, &write.actor, may_manage, &change).await?;
    if !change.is_editable() {
        return Err(Error::Refused(vec![FieldError::new(
            "edit",
            "the checklist is fixed once the change has started; record the results instead",
        )]));
    }
    let before: Vec<String> = checks(&mut tx, id)
        .await?
        .into_iter()
        .map(|c| c.text)
        .collect();
    write_checklist(&mut tx, id, &texts).await?;
    let checks = checks(&mut tx, id).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "change",
                id,
                &[("checklist", before.join("; "))],
                &[("checklist", texts.join("; "))],
            ),
        )
        .await?;
    Ok(checks)
}

/// Records the result of check `position` of change `id`, once the change is being carried out
/// or has been.
pub async fn record_check(
    write: &Write,
    id: ChangeId,
    position: i64,
    result: CheckResult,
    note: &str,
) -> Result<Check> {
    let mut tx = write.begin().await?;
    let change = find(&mut tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "change" })?;
    if !matches!(change.state, State::InProgress | State::Implemented) {
        return Err(Error::Refused(vec![FieldError::new(
            "state",
            format!(
                "check results are recorded while a change is in progress or implemented; this one is {}",
                change.state.as_str()
            ),
        )]));
    }
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE change_checks SET result = $3, note = $4, checked_by_label = $5, \
             checked_at = $6 WHERE change_id = $1 AND position = $2",
        )
        .bind(id)
        .bind(position)
        .bind(result.as_str())
        .bind(note.trim())
        .bind(&write.actor.label)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "check" });
    }
    let check = checks(&mut tx, id)
        .await?
        .into_iter()
        .find(|c| c.position == position)
        .ok_or(Error::NotFound { entity: "check" })?;
    write
        .commit(
            tx,
            Edit::updated(
                "change",
                id,
                &[("check", String::new())],
                &[(
                    "check",
                    format!("{}: {} {}", check.text, result.as_str(), note.trim()),
                )],
            ),
        )
        .await?;
    Ok(check)
}

/// The suggestion a change would get for `cis`, for forms that show it before saving.
pub async fn suggestion(db: &Db, cis: &[Uuid]) -> Result<Option<Suggestion>> {
    facts::suggest(db, cis.iter().copied()).await
}
