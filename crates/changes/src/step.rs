//! What a step in a change's life cycle does to the change: the step a person asks for, and the
//! change as it stands once the rules of [`crate::lifecycle`] allowed that step.
//!
//! Pure: the store reads the change, runs [`crate::lifecycle::check`] inside the transaction that
//! records the step, and writes what [`apply`] returns.

use time::OffsetDateTime;

use crate::change::Change;
use crate::lifecycle::{Move, Outcome, PersonRef, State, Step};

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
    pub(crate) fn to_move(&self) -> Move {
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

    /// What was done to fall back, as the request says it; empty when it says nothing.
    pub fn fallback_note(&self) -> &str {
        self.fallback_carried_out.trim()
    }
}

/// The change `before` as the step `request` leaves it, given the `outcome` the rules allowed,
/// the `person` who takes it at `now`, and the customers to notify when the step found them
/// (scheduling does); with the reason the step's transition records.
///
/// Submitting records the submitter, starting the actual start and implementing the actual end.
/// Failing records what was done to fall back and ends the change now unless it had ended
/// already; failing an implemented change is its verification, so the verifier, the time and
/// the note are recorded as verifying records them. A failed step with a fallback gives that
/// as its reason; any other step keeps the reason asked with it.
pub fn apply(
    before: &Change,
    request: &StepRequest,
    outcome: &Outcome,
    person: &PersonRef,
    customers: Option<Vec<String>>,
    now: OffsetDateTime,
) -> (Change, String) {
    let fallback_note = request.fallback_note();
    let mut after = before.clone();
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
            if before.state == State::Implemented {
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
    let reason = match request.step {
        Step::Fail if !fallback_note.is_empty() => {
            format!("fallback carried out: {fallback_note}")
        }
        _ => request.reason.trim().to_owned(),
    };
    (after, reason)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::change::ChangeId;
    use crate::lifecycle::tests::{ines, maria, sven};
    use crate::lifecycle::{Approval, Category, CloseReason};

    const NOW: OffsetDateTime = datetime!(2026-12-07 15:30 UTC);
    const STARTED: OffsetDateTime = datetime!(2026-12-07 14:00 UTC);
    const ENDED: OffsetDateTime = datetime!(2026-12-07 14:45 UTC);

    /// A regular change owned by Maria and implemented by Sven, in `state`.
    fn change(state: State) -> Change {
        Change {
            id: ChangeId(Uuid::from_u128(42)),
            number: 42,
            title: "Security update of the management server".to_owned(),
            owner: maria(),
            initiator: None,
            initiator_label: String::new(),
            cause_text: "vendor advisory".to_owned(),
            cause_ticket: None,
            description: "patch the management server".to_owned(),
            configuration: "patch_level=2026-12".to_owned(),
            category: Category::Regular,
            template: None,
            risk: None,
            risk_suggested: None,
            risk_explanation: String::new(),
            risk_override_reason: String::new(),
            state,
            close_reason: None,
            planned_start: Some(STARTED),
            planned_end: Some(datetime!(2026-12-07 16:00 UTC)),
            fallback: "restore the snapshot".to_owned(),
            implementer: Some(sven()),
            approver: None,
            approved_at: None,
            approval_retroactive: false,
            approval_missed: false,
            actual_start: None,
            actual_end: None,
            success: None,
            fallback_carried_out: String::new(),
            verifier: None,
            verified_at: None,
            verification_note: String::new(),
            recorder: Some(maria()),
            submitter: None,
            conflicts_ack_reason: String::new(),
            customers_to_notify: vec!["Acme".to_owned()],
            created_at: datetime!(2026-12-01 09:00 UTC),
            updated_at: datetime!(2026-12-01 09:00 UTC),
            version: 3,
        }
    }

    fn request(step: Step) -> StepRequest {
        StepRequest {
            step,
            reason: String::new(),
            fallback_carried_out: String::new(),
            note: String::new(),
            version: None,
        }
    }

    /// What the rules answer for `step` from `from` to `to`, recording nothing else.
    fn outcome(step: Step, from: State, to: State) -> Outcome {
        Outcome {
            step,
            from,
            to,
            close_reason: None,
            approval: None,
            consent_due: None,
            success: None,
            approval_missed: false,
        }
    }

    #[test]
    fn submit_records_the_submitter_and_the_new_state() {
        let before = change(State::Draft);
        let mut asked = request(Step::Submit);
        asked.reason = "  ready for the CAB  ".to_owned();
        let (after, reason) = apply(
            &before,
            &asked,
            &outcome(Step::Submit, State::Draft, State::Submitted),
            &maria(),
            None,
            NOW,
        );
        assert_eq!(after.state, State::Submitted);
        assert_eq!(after.submitter, Some(maria()));
        assert_eq!(reason, "ready for the CAB");
        assert_eq!(after.actual_start, None);
        assert_eq!(after.customers_to_notify, before.customers_to_notify);
    }

    #[test]
    fn start_records_the_actual_start_and_implement_the_actual_end() {
        let (started, _) = apply(
            &change(State::Scheduled),
            &request(Step::Start),
            &outcome(Step::Start, State::Scheduled, State::InProgress),
            &sven(),
            None,
            STARTED,
        );
        assert_eq!(started.state, State::InProgress);
        assert_eq!(started.actual_start, Some(STARTED));
        assert_eq!(started.actual_end, None);

        let (implemented, _) = apply(
            &started,
            &request(Step::Implement),
            &outcome(Step::Implement, State::InProgress, State::Implemented),
            &sven(),
            None,
            NOW,
        );
        assert_eq!(implemented.state, State::Implemented);
        assert_eq!(implemented.actual_start, Some(STARTED));
        assert_eq!(implemented.actual_end, Some(NOW));
        assert_eq!(implemented.submitter, None);
    }

    #[test]
    fn failing_an_implemented_change_verifies_it_and_keeps_its_actual_end() {
        let mut before = change(State::Implemented);
        before.actual_start = Some(STARTED);
        before.actual_end = Some(ENDED);
        let mut asked = request(Step::Fail);
        asked.fallback_carried_out = " restored the snapshot ".to_owned();
        asked.note = " login fails from the second data centre ".to_owned();
        asked.reason = "ignored when a fallback is recorded".to_owned();
        let mut failed = outcome(Step::Fail, State::Implemented, State::Failed);
        failed.success = Some(false);
        let (after, reason) = apply(&before, &asked, &failed, &ines(), None, NOW);
        assert_eq!(after.state, State::Failed);
        assert_eq!(after.success, Some(false));
        assert_eq!(after.actual_end, Some(ENDED));
        assert_eq!(after.fallback_carried_out, "restored the snapshot");
        assert_eq!(after.verifier, Some(ines()));
        assert_eq!(after.verified_at, Some(NOW));
        assert_eq!(
            after.verification_note,
            "login fails from the second data centre"
        );
        assert_eq!(reason, "fallback carried out: restored the snapshot");
    }

    #[test]
    fn failing_a_change_in_progress_ends_it_now_without_a_verifier() {
        let mut before = change(State::InProgress);
        before.actual_start = Some(STARTED);
        let mut asked = request(Step::Fail);
        asked.note = "not a verification".to_owned();
        asked.reason = " the patch did not install ".to_owned();
        let (after, reason) = apply(
            &before,
            &asked,
            &outcome(Step::Fail, State::InProgress, State::Failed),
            &sven(),
            None,
            NOW,
        );
        assert_eq!(after.actual_end, Some(NOW));
        assert_eq!(after.verifier, None);
        assert_eq!(after.verified_at, None);
        assert_eq!(after.verification_note, "");
        assert_eq!(after.fallback_carried_out, "");
        assert_eq!(reason, "the patch did not install");
    }

    #[test]
    fn verify_records_the_verifier_the_time_and_the_note() {
        let mut before = change(State::Implemented);
        before.actual_end = Some(ENDED);
        let mut asked = request(Step::Verify);
        asked.note = "  all checks passed ".to_owned();
        let mut verified = outcome(Step::Verify, State::Implemented, State::Verified);
        verified.success = Some(true);
        let (after, _) = apply(&before, &asked, &verified, &ines(), None, NOW);
        assert_eq!(after.state, State::Verified);
        assert_eq!(after.success, Some(true));
        assert_eq!(after.verifier, Some(ines()));
        assert_eq!(after.verified_at, Some(NOW));
        assert_eq!(after.verification_note, "all checks passed");
        assert_eq!(after.actual_end, Some(ENDED));
    }

    #[test]
    fn approval_close_reason_and_customers_come_from_the_outcome_and_the_caller() {
        let mut approved = outcome(
            Step::ApproveRetroactively,
            State::InProgress,
            State::InProgress,
        );
        approved.approval = Some(Approval {
            approver: ines(),
            at: NOW,
            retroactive: true,
        });
        let (after, _) = apply(
            &change(State::InProgress),
            &request(Step::ApproveRetroactively),
            &approved,
            &ines(),
            Some(vec!["Globex".to_owned()]),
            NOW,
        );
        assert_eq!(after.approver, Some(ines()));
        assert_eq!(after.approved_at, Some(NOW));
        assert!(after.approval_retroactive);
        assert_eq!(after.customers_to_notify, vec!["Globex".to_owned()]);

        let mut closed = outcome(Step::Close, State::Failed, State::Closed);
        closed.close_reason = Some(CloseReason::Failed);
        closed.approval_missed = true;
        let (after, _) = apply(
            &change(State::Failed),
            &request(Step::Close),
            &closed,
            &maria(),
            None,
            NOW,
        );
        assert_eq!(after.state, State::Closed);
        assert_eq!(after.close_reason, Some(CloseReason::Failed));
        assert!(after.approval_missed);
        assert_eq!(after.approver, None);
    }

    #[test]
    fn the_move_carries_the_trimmed_reason() {
        let mut asked = request(Step::Cancel);
        asked.reason = "  superseded by C-000043 ".to_owned();
        assert_eq!(
            asked.to_move(),
            Move::Cancel {
                reason: "superseded by C-000043".to_owned()
            }
        );
    }
}
