//! Writing a change's record: creating and updating it, with the checks of the people, ticket,
//! template and CIs it names, its CIs and their planned updates, and what a standard change
//! takes from its template.

use std::collections::BTreeMap;

use tandem_audit::{Edit, Write};
use tandem_cmdb::ci::CiId;
use tandem_directory::PersonId;
use tandem_kernel::id::TicketId;
use tandem_kernel::{Actor, Error, FieldError, Permission, Result};
use tandem_storage::{SqlTime, Tx, run};
use time::OffsetDateTime;

use super::cab::write_checklist;
use super::life_cycle::{refused, write_windows};
use super::read::{Detail, acting_person, detail, find};
use crate::change::{Change, ChangeId, ChangeInput};
use crate::lifecycle::{self, Category, PersonRef, Risk, State};
use crate::risk::Suggestion;
use crate::store::{facts, to_json};

/// Checks that the people, ticket, template and CIs `input` names exist and fit; returns the
/// cause ticket's id.
async fn check_references(tx: &mut Tx, input: &ChangeInput) -> Result<Option<TicketId>> {
    let mut errors = Vec::new();
    if let Some(person) = input.initiator_id
        && !tandem_directory::read::person_exists(tx, person).await?
    {
        errors.push(FieldError::new("initiator_id", "there is no such person"));
    }
    // The owner and the implementer are the provider's staff with a role for the duty; the
    // initiator may be anyone, a customer's person too.
    for (field, id, permission, duty) in [
        (
            "owner_id",
            Some(input.owner_id),
            Permission::ChangesSubmit,
            "own changes",
        ),
        (
            "implementer_id",
            input.implementer_id,
            Permission::ChangesWork,
            "carry out changes",
        ),
    ] {
        if let Some(person) = id {
            let eligibility = tandem_identity::read::eligibility(tx, person, permission).await?;
            errors.extend(eligibility.refusal(field, permission, duty));
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
        let found = tandem_cmdb::read::ci(tx, *ci).await?;
        match found.map(|found| found.lifecycle) {
            None => errors.push(FieldError::new(format!("cis[{i}]"), "there is no such CI")),
            Some(tandem_cmdb::ci::Lifecycle::Retired) => errors.push(FieldError::new(
                format!("cis[{i}]"),
                "the CI is retired; a change is carried out on CIs in use",
            )),
            Some(_) if !update.is_empty() => {
                match tandem_cmdb::store::cis::check_update(tx, *ci, update).await {
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

/// Fills what a standard change takes from its template where the input leaves it empty:
/// description, configuration, fallback, risk (pre-assessed, so it stands against the
/// suggestion with the template as its reason); returns the template's checklist.
async fn from_template(tx: &mut Tx, input: &mut ChangeInput) -> Result<Vec<String>> {
    let Some(id) = input.template_id else {
        return Ok(Vec::new());
    };
    let Some(template) = crate::store::templates::find(tx, id).await? else {
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
pub(super) fn audited(c: &Change) -> Vec<(&'static str, String)> {
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
pub(super) async fn may_edit(
    tx: &mut Tx,
    actor: &Actor,
    may_manage: bool,
    change: &Change,
) -> Result<()> {
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
    let cis: BTreeMap<CiId, BTreeMap<String, String>> = detail
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
                .or(before.change.initiator.as_ref().map(|p| p.id)),
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
