//! The CAB's votes on a change and its post-change verification checklist.

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{SqlTime, Tx, run};

use super::edit::may_edit;
use super::read::{CabVote, Check, acting_person, checks, find, votes};
use crate::change::ChangeId;
use crate::lifecycle::{self, CheckResult, State, Vote};
use crate::store::facts;

pub(super) async fn write_checklist(tx: &mut Tx, id: ChangeId, texts: &[String]) -> Result<()> {
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
        Some(v) if v != person.id && !may_manage => {
            return Err(Error::Refused(vec![FieldError::new(
                "who",
                "only a change manager records a vote on another member's behalf",
            )]));
        }
        Some(v) => v,
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
    if voter_id != person.id {
        let permission = tandem_kernel::Permission::ChangesVote;
        let eligibility = tandem_identity::read::eligibility(&mut tx, voter_id, permission).await?;
        if let Some(refusal) = eligibility.refusal("who", permission, "vote in the CAB") {
            return Err(Error::Refused(vec![refusal]));
        }
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
