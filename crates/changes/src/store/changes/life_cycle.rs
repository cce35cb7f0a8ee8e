//! Taking a step in a change's life cycle: the rules checked again inside the transaction, the
//! change as the step leaves it, the maintenance windows of a scheduled change and the CI
//! updates of an implemented one.

use tandem_audit::{Edit, Write};
use tandem_cmdb::ci::CiId;
use tandem_kernel::{Actor, Error, FieldError, Result};
use tandem_storage::{Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::edit::audited;
use super::read::{Detail, acting_person, cis, detail, get};
use crate::change::{Change, ChangeId};
use crate::lifecycle::{self, NextStep, Refusal, Step};
use crate::step::{self, StepRequest};
use crate::store::{facts, to_json};

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
pub(super) async fn write_windows(tx: &mut Tx, detail: &Detail) -> Result<()> {
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
            let cis: Vec<CiId> = cis(&mut db.conn().await?, id)
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
    let fallback_note = request.fallback_note();
    if request.step == Step::Fail && !fallback_note.is_empty() {
        facts.fallback_carried_out = Some(fallback_note.to_owned());
    }
    let outcome =
        lifecycle::check(&facts, &person, may_manage, &request.to_move(), now).map_err(refused)?;
    let (after, reason) = step::apply(&before.change, request, &outcome, &person, customers, now);
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
    let cause = tandem_cmdb::version::Cause::change(detail.change.id, detail.change.reference());
    for ci in detail.cis.iter().filter(|ci| !ci.update.is_empty()) {
        let (_, version) =
            tandem_cmdb::store::cis::apply_update(write, tx, ci.ci_id, &ci.update, &cause).await?;
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
