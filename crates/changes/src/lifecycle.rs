//! The life cycle of a change: its states, the steps that move it from one state to the next,
//! and the guard rules (G1 to G17 of the design memo) that refuse a step, each with the message
//! a person reads. It also owns the consent of the Change Advisory Board (CAB): which votes
//! count and when the quorum is reached.
//!
//! Pure: the caller reads the change into [`ChangeFacts`], says who acts and whether they may
//! manage changes, and passes the time. Nothing here reads a clock, a database or the network.
//! The store runs [`check`] again inside the transaction that records the step, so the rules
//! hold whatever a page showed a moment before.

use tandem_directory::PersonId;
use tandem_kernel::FieldError;
use tandem_kernel::clock::when;
use time::{Duration, OffsetDateTime};

use crate::risk;

tandem_kernel::vocabulary!(
    /// Where a change stands in its life cycle.
    State {
        Draft = "draft" / "Draft",
        Submitted = "submitted" / "Submitted",
        Assessed = "assessed" / "Assessed",
        Approved = "approved" / "Approved",
        Rejected = "rejected" / "Rejected",
        Scheduled = "scheduled" / "Scheduled",
        InProgress = "in-progress" / "In progress",
        Implemented = "implemented" / "Implemented",
        Verified = "verified" / "Verified",
        Failed = "failed" / "Failed",
        Closed = "closed" / "Closed",
    }
);

impl State {
    /// The states a change of `category` may move to from this one, whoever acts and whatever
    /// the guards say: the arrows of the life-cycle diagram.
    pub fn next(self, category: Category) -> Vec<State> {
        let mut next: Vec<State> = Vec::new();
        for to in Step::ALL.iter().filter_map(|s| s.target(category, self)) {
            if to != self && !next.contains(&to) {
                next.push(to);
            }
        }
        next
    }
}

tandem_kernel::vocabulary!(
    /// The kind of a change. Seed 000 names regular, emergency and standard changes; a change in a
    /// non-productive environment is non-operational.
    Category {
        Regular = "regular" / "Regular",
        Standard = "standard" / "Standard",
        Emergency = "emergency" / "Emergency",
        NonOperational = "non-operational" / "Non-operational",
    }
);

impl Category {
    /// Whether the change touches the productive environment: every category but
    /// non-operational. Productive changes need a fallback procedure and a schedule.
    pub fn is_productive(self) -> bool {
        self != Self::NonOperational
    }
}

tandem_kernel::vocabulary!(
    /// The risk of a change, from low to high.
    Risk {
        Low = "low" / "Low",
        Medium = "medium" / "Medium",
        High = "high" / "High",
    }
);

tandem_kernel::vocabulary!(
    /// Why a closed change was closed.
    CloseReason {
        Completed = "completed" / "Completed",
        Failed = "failed" / "Failed",
        Rejected = "rejected" / "Rejected",
        Cancelled = "cancelled" / "Cancelled",
    }
);

tandem_kernel::vocabulary!(
    /// A CAB member's vote on a change.
    Vote {
        Approve = "approve" / "Approve",
        Reject = "reject" / "Reject",
        Abstain = "abstain" / "Abstain",
    }
);

tandem_kernel::vocabulary!(
    /// The result of one post-change verification check.
    CheckResult {
        Passed = "passed" / "Passed",
        Failed = "failed" / "Failed",
        NotApplicable = "not-applicable" / "Not applicable",
    }
);

tandem_kernel::vocabulary!(
    /// A step a person asks for, without its inputs: the buttons of the change page and the names
    /// of the moves in the API.
    Step {
        Submit = "submit" / "Submit",
        Assess = "assess" / "Assess",
        Approve = "approve" / "Approve",
        Reject = "reject" / "Reject",
        Reopen = "reopen" / "Reopen",
        Schedule = "schedule" / "Schedule",
        Unschedule = "unschedule" / "Unschedule",
        Start = "start" / "Start",
        Implement = "implement" / "Mark implemented",
        Fail = "fail" / "Mark failed",
        Verify = "verify" / "Verify",
        Close = "close" / "Close",
        Cancel = "cancel" / "Cancel",
        ApproveRetroactively = "approve-retroactively" / "Approve retroactively",
    }
);

impl Step {
    /// The state this step leads to from `state` for a change of `category`, or `None` if the
    /// life cycle has no such arrow. A retroactive approval leads back to `state` itself.
    ///
    /// A standard change is approved on submit (its template is pre-approved); a
    /// non-operational change starts from approved without a schedule; an emergency change may
    /// start from submitted or assessed, before its approval.
    pub fn target(self, category: Category, state: State) -> Option<State> {
        use State::*;
        match (self, state) {
            (Self::Submit, Draft) if category == Category::Standard => Some(Approved),
            (Self::Submit, Draft) => Some(Submitted),
            (Self::Assess, Submitted) => Some(Assessed),
            (Self::Approve, Assessed) => Some(Approved),
            (Self::Reject, Assessed) => Some(Rejected),
            (Self::Reopen, Rejected) => Some(Draft),
            (Self::Schedule, Approved) if category.is_productive() => Some(Scheduled),
            (Self::Unschedule, Scheduled) => Some(Approved),
            (Self::Start, Scheduled) => Some(InProgress),
            (Self::Start, Approved) if !category.is_productive() => Some(InProgress),
            (Self::Start, Submitted | Assessed) if category == Category::Emergency => {
                Some(InProgress)
            }
            (Self::Implement, InProgress) => Some(Implemented),
            (Self::Fail, InProgress | Implemented) => Some(Failed),
            (Self::Verify, Implemented) => Some(Verified),
            (Self::Close, Verified | Failed | Rejected) => Some(Closed),
            (Self::Cancel, Draft | Submitted | Assessed | Approved | Scheduled) => Some(Closed),
            (Self::ApproveRetroactively, InProgress | Implemented | Verified | Failed)
                if category == Category::Emergency =>
            {
                Some(state)
            }
            _ => None,
        }
    }

    /// The step as the end of "only … may …".
    fn phrase(self) -> &'static str {
        match self {
            Self::Submit => "submit this change",
            Self::Assess => "assess this change",
            Self::Approve => "approve this change",
            Self::Reject => "reject this change",
            Self::Reopen => "reopen this change",
            Self::Schedule => "schedule this change",
            Self::Unschedule => "unschedule this change",
            Self::Start => "start this change",
            Self::Implement => "mark this change implemented",
            Self::Fail => "mark this change failed",
            Self::Verify => "verify this change",
            Self::Close => "close this change",
            Self::Cancel => "cancel this change",
            Self::ApproveRetroactively => "approve this change retroactively",
        }
    }
}

/// What a person asks to do with a change: a [`Step`] with the inputs it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Draft → submitted; a standard change lands in approved.
    Submit,
    /// Submitted → assessed: the change manager has set the risk.
    Assess,
    /// Assessed → approved; the actor becomes the approver.
    Approve,
    /// Assessed → rejected, saying why.
    Reject { reason: String },
    /// Rejected → draft, for the owner to rework.
    Reopen,
    /// Approved → scheduled: the window is fixed and maintenance windows are written.
    Schedule,
    /// Scheduled → approved: the window is withdrawn.
    Unschedule,
    /// To in progress: the implementer begins, and the actual start is now.
    Start,
    /// In progress → implemented: the actual end is now and the planned CI updates are applied.
    Implement,
    /// In progress or implemented → failed, after the fallback was carried out and recorded.
    Fail,
    /// Implemented → verified by someone other than the implementer.
    Verify,
    /// Verified, failed or rejected → closed.
    Close,
    /// Any state up to scheduled → closed as cancelled, saying why.
    Cancel { reason: String },
    /// Records the approval of an emergency change that started before it, without a move.
    ApproveRetroactively,
}

impl Move {
    pub fn step(&self) -> Step {
        match self {
            Self::Submit => Step::Submit,
            Self::Assess => Step::Assess,
            Self::Approve => Step::Approve,
            Self::Reject { .. } => Step::Reject,
            Self::Reopen => Step::Reopen,
            Self::Schedule => Step::Schedule,
            Self::Unschedule => Step::Unschedule,
            Self::Start => Step::Start,
            Self::Implement => Step::Implement,
            Self::Fail => Step::Fail,
            Self::Verify => Step::Verify,
            Self::Close => Step::Close,
            Self::Cancel { .. } => Step::Cancel,
            Self::ApproveRetroactively => Step::ApproveRetroactively,
        }
    }
}

/// A person as the rules see them: the id decides who is who, the name goes into messages. A
/// token acts as its person; Tandem itself is never a `PersonRef`, so it can neither approve
/// nor verify.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: String,
}

impl PersonRef {
    fn is(&self, other: Option<&PersonRef>) -> bool {
        other.is_some_and(|o| o.id == self.id)
    }
}

/// The standard-change template a change was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Whether the template is in the catalogue now.
    pub active: bool,
    /// The change manager who approved the template (every save approves it in the saver's
    /// name); `None` when nobody did.
    pub approver: Option<PersonRef>,
}

/// A blackout period overlapping the change's window. The caller leaves out the blackouts that
/// allow emergency changes when the change is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub name: String,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}

/// The vote of one CAB member. The caller passes only votes of members, one per person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CabVote {
    pub voter: PersonRef,
    pub vote: Vote,
    pub comment: String,
}

/// One post-change verification check; `None` while nobody has recorded a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationCheck {
    pub text: String,
    pub result: Option<CheckResult>,
}

/// The change-management settings the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How many counted CAB approvals consent needs.
    pub cab_quorum: u32,
    /// How long after its start an emergency change may still be approved.
    pub retro_approval_hours: i64,
    /// Whether high-risk changes need CAB consent as emergency changes do.
    pub cab_for_high_risk: bool,
    /// How early before its planned start a scheduled change may start.
    pub start_tolerance_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cab_quorum: 3,
            retro_approval_hours: 24,
            cab_for_high_risk: false,
            start_tolerance_minutes: 15,
        }
    }
}

/// What the guard rules know of a change: a read-only snapshot the caller assembles from the
/// stored change, its CIs, votes and checks, the calendar and the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFacts {
    pub category: Category,
    pub state: State,
    pub owner: PersonRef,
    pub initiator: Option<PersonRef>,
    /// Who recorded the change in Tandem (wrote it first); `None` when Tandem itself did.
    pub recorder: Option<PersonRef>,
    /// Who submitted the change, the last time it was submitted; `None` while it never was.
    pub submitter: Option<PersonRef>,
    pub implementer: Option<PersonRef>,
    pub approver: Option<PersonRef>,
    pub approved_at: Option<OffsetDateTime>,
    /// The template of a standard change; `None` if the change comes from none.
    pub template: Option<Template>,
    pub has_description: bool,
    pub has_configuration: bool,
    /// A cause in words or a support ticket.
    pub has_cause: bool,
    pub has_cis: bool,
    /// The named CIs in production, as people read them: `CI-000012 mgmt-de-01`.
    pub production_cis: Vec<String>,
    pub risk: Option<Risk>,
    pub risk_suggested: Option<Risk>,
    pub risk_override_reason: String,
    pub has_fallback: bool,
    pub planned_start: Option<OffsetDateTime>,
    pub planned_end: Option<OffsetDateTime>,
    pub actual_start: Option<OffsetDateTime>,
    /// The blackout periods the planned window overlaps and that apply to this change.
    pub blackouts: Vec<Blackout>,
    /// The blocking calendar conflicts, as people read them: `C-000051 on CI-000003 hv-de-02`.
    pub conflicts: Vec<String>,
    /// Whether the conflicts were acknowledged with a reason.
    pub conflicts_acknowledged: bool,
    pub votes: Vec<CabVote>,
    pub checks: Vec<VerificationCheck>,
    /// What was done to fall back, as the implementer or verifier recorded it.
    pub fallback_carried_out: Option<String>,
    pub settings: Settings,
}

/// Why a step was refused: the rule (`G1` … `G17`, `retro` for a late emergency approval,
/// `state` for a step the life cycle does not offer, `who` for a person who may not take it,
/// `reason` for a missing reason) and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule,
            message: message.into(),
        }
    }
}

/// An approval a step records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The acting change manager, or the template's approver for a standard change.
    pub approver: PersonRef,
    pub at: OffsetDateTime,
    /// Given after an emergency change started without it.
    pub retroactive: bool,
}

/// What an allowed step does, for the store to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub step: Step,
    pub from: State,
    /// The new state; the same as `from` for a retroactive approval.
    pub to: State,
    /// Set when the change closes.
    pub close_reason: Option<CloseReason>,
    /// Set when the step approves the change.
    pub approval: Option<Approval>,
    /// Set when an emergency change starts before its approval: the CAB must consent by then,
    /// and the change is marked as approved retroactively.
    pub consent_due: Option<OffsetDateTime>,
    /// The seed's success flag: `Some(true)` when verified, `Some(false)` when failed.
    pub success: Option<bool>,
    /// Set when a change that ran closes without an approval given in time: it goes on the
    /// list of emergency changes approved late or never.
    pub approval_missed: bool,
}

/// A step open from the change's current state, with what still stands in its way (empty when
/// the step can be taken now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub step: Step,
    pub to: State,
    pub missing: Vec<Refusal>,
}

/// The CAB's consent as the votes stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    pub counted_approvals: u32,
    pub counted_rejections: u32,
    pub quorum: u32,
    /// Counted approvals reach the quorum and outnumber counted rejections.
    pub given: bool,
}

/// Checks whether `actor` may take `mv` on the change now, and what the step does.
///
/// `may_manage` is whether the actor holds the change manager's permission. A refusal lists
/// every rule that fails, so that one answer says everything that is missing; a step the life
/// cycle does not offer from the current state is refused by the `state` rule alone.
pub fn check(
    facts: &ChangeFacts,
    actor: &PersonRef,
    may_manage: bool,
    mv: &Move,
    now: OffsetDateTime,
) -> Result<Outcome, Vec<Refusal>> {
    let step = mv.step();
    let Some(to) = open_target(facts, step) else {
        return Err(vec![not_open(facts, step)]);
    };
    let mut refusals = guards(facts, actor, may_manage, step, now);
    refusals.extend(missing_reason(mv));
    if !refusals.is_empty() {
        return Err(refusals);
    }
    Ok(outcome(facts, actor, step, to, now))
}

/// The steps open from the change's current state, each with the rules that would refuse it if
/// `actor` asked now: what the change page shows as missing before the next step. Reasons that
/// the step's own form asks for are not listed as missing.
pub fn next_steps(
    facts: &ChangeFacts,
    actor: &PersonRef,
    may_manage: bool,
    now: OffsetDateTime,
) -> Vec<NextStep> {
    Step::ALL
        .iter()
        .copied()
        .filter_map(|step| {
            open_target(facts, step).map(|to| NextStep {
                step,
                to,
                missing: guards(facts, actor, may_manage, step, now),
            })
        })
        .collect()
}

/// The rules an edit must not break once a change is approved: the four-eye rules against the
/// recorded approver (G6, G7) and, while it is scheduled, its window (G9 to G11). An edit that
/// names the approver as implementer is refused here.
pub fn recheck(facts: &ChangeFacts) -> Result<(), Vec<Refusal>> {
    let mut refusals = Vec::new();
    if let Some(approver) = &facts.approver {
        refusals.extend(four_eyes(facts, approver, None));
    }
    if facts.state == State::Scheduled {
        refusals.extend(window_rules(facts));
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

/// Whether `voter`'s vote counts towards consent: the owner's and the implementer's do not.
pub fn is_counted(voter: &PersonRef, owner: &PersonRef, implementer: Option<&PersonRef>) -> bool {
    !voter.is(Some(owner)) && !voter.is(implementer)
}

/// The CAB's consent: counted approvals must reach `quorum` and outnumber counted rejections.
pub fn cab_consent(
    votes: &[CabVote],
    owner: &PersonRef,
    implementer: Option<&PersonRef>,
    quorum: u32,
) -> Consent {
    let tally = |vote: Vote| {
        let n = votes
            .iter()
            .filter(|v| v.vote == vote && is_counted(&v.voter, owner, implementer))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    let (counted_approvals, counted_rejections) = (tally(Vote::Approve), tally(Vote::Reject));
    Consent {
        counted_approvals,
        counted_rejections,
        quorum,
        given: counted_approvals >= quorum && counted_approvals > counted_rejections,
    }
}

/// Checks a vote before it is recorded: a vote to reject says why.
pub fn validate_vote(vote: Vote, comment: &str) -> Result<(), FieldError> {
    if vote == Vote::Reject && comment.trim().is_empty() {
        return Err(FieldError::new(
            "comment",
            "a vote to reject needs a comment saying why, for example that there is no fallback or the risk is too high",
        ));
    }
    Ok(())
}

/// The last moment the CAB may consent to an emergency change that started at `start`.
pub fn consent_deadline(settings: &Settings, start: OffsetDateTime) -> OffsetDateTime {
    start + Duration::hours(settings.retro_approval_hours)
}

/// Where `step` leads from the change's state, if the life cycle offers it to this change. A
/// retroactive approval is offered only while the change has no approval.
fn open_target(facts: &ChangeFacts, step: Step) -> Option<State> {
    let to = step.target(facts.category, facts.state)?;
    (step != Step::ApproveRetroactively || facts.approver.is_none()).then_some(to)
}

fn not_open(facts: &ChangeFacts, step: Step) -> Refusal {
    if step == Step::ApproveRetroactively
        && let Some(approver) = &facts.approver
    {
        return Refusal::new(
            "state",
            format!("this change is already approved, by {}", approver.name),
        );
    }
    let open: Vec<&str> = Step::ALL
        .iter()
        .copied()
        .filter(|s| open_target(facts, *s).is_some())
        .map(Step::as_str)
        .collect();
    let open = if open.is_empty() {
        "it has no further steps".to_owned()
    } else {
        format!("its steps now are: {}", open.join(", "))
    };
    Refusal::new(
        "state",
        format!(
            "'{}' is not a step for this {} change in state {}; {open}",
            step.label(),
            facts.category.as_str(),
            facts.state.as_str()
        ),
    )
}

/// Every guard rule of `step` that fails, the `who` rule first.
fn guards(
    facts: &ChangeFacts,
    actor: &PersonRef,
    may_manage: bool,
    step: Step,
    now: OffsetDateTime,
) -> Vec<Refusal> {
    let mut refusals: Vec<Refusal> = who(facts, actor, may_manage, step).into_iter().collect();
    match step {
        Step::Submit => {
            refusals.extend(required_fields(facts));
            refusals.extend(active_template(facts));
            refusals.extend(off_production(facts));
            if facts.category == Category::Standard {
                refusals.extend(risk_set(facts));
                refusals.extend(fallback_present(facts));
                // The template's approver approves the change now, as the actor submits it.
                if let Some(approver) = facts.template.as_ref().and_then(|t| t.approver.as_ref()) {
                    refusals.extend(four_eyes(facts, approver, Some(actor)));
                }
            }
        }
        Step::Assess => {
            refusals.extend(risk_set(facts));
            refusals.extend(fallback_present(facts));
        }
        Step::Approve => {
            refusals.extend(four_eyes(facts, actor, None));
            refusals.extend(cab_consent_given(facts));
        }
        Step::Schedule => {
            refusals.extend(window_rules(facts));
            if let Some(approver) = &facts.approver {
                refusals.extend(four_eyes(facts, approver, None));
            }
        }
        Step::Start if starts_before_approval(facts) => {
            refusals.extend(emergency_start(facts, now));
            refusals.extend(facts.blackouts.iter().map(blackout_refusal));
        }
        Step::Start => {
            refusals.extend(ready_to_start(facts));
            refusals.extend(inside_window(facts, now));
            refusals.extend(facts.blackouts.iter().map(blackout_refusal));
            if let Some(approver) = &facts.approver {
                refusals.extend(not_implementer(facts, approver));
            }
        }
        Step::Fail => {
            refusals.extend(fallback_recorded(facts));
            if facts.state == State::Implemented {
                refusals.extend(not_verifying_own_work(facts, actor));
                refusals.extend(failed_check_present(facts));
            }
        }
        Step::Verify => {
            refusals.extend(not_verifying_own_work(facts, actor));
            refusals.extend(checks_passed(facts));
        }
        Step::ApproveRetroactively => {
            refusals.extend(four_eyes(facts, actor, None));
            refusals.extend(cab_consent_given(facts));
            refusals.extend(retro_window(facts, now));
        }
        Step::Reject
        | Step::Reopen
        | Step::Unschedule
        | Step::Implement
        | Step::Close
        | Step::Cancel => {}
    }
    refusals
}

/// Who may take a step.
enum Who {
    OwnerOrInitiator,
    Owner,
    OwnerOrManager,
    Manager,
    Implementer,
    /// Anyone allowed to work on changes; the four-eye rules say who not.
    Anyone,
}

fn who(facts: &ChangeFacts, actor: &PersonRef, may_manage: bool, step: Step) -> Option<Refusal> {
    let who = match step {
        Step::Submit => Who::OwnerOrInitiator,
        Step::Reopen => Who::Owner,
        Step::Cancel if matches!(facts.state, State::Draft | State::Submitted) => {
            Who::OwnerOrManager
        }
        Step::Start | Step::Implement => Who::Implementer,
        Step::Fail if facts.state == State::InProgress => Who::Implementer,
        Step::Fail | Step::Verify => Who::Anyone,
        _ => Who::Manager,
    };
    let owner = &facts.owner;
    let is_owner = actor.is(Some(owner));
    let (allowed, who) = match who {
        Who::OwnerOrInitiator => match &facts.initiator {
            Some(initiator) => (
                is_owner || actor.is(Some(initiator)),
                format!(
                    "the owner ({}) or the initiator ({})",
                    owner.name, initiator.name
                ),
            ),
            None => (is_owner, format!("the owner ({})", owner.name)),
        },
        Who::Owner => (is_owner, format!("the owner ({})", owner.name)),
        Who::OwnerOrManager => (
            is_owner || may_manage,
            format!("the owner ({}) or a change manager", owner.name),
        ),
        Who::Manager => (may_manage, "a change manager".to_owned()),
        Who::Implementer => match &facts.implementer {
            Some(implementer) => (
                actor.is(Some(implementer)),
                format!("the implementer ({})", implementer.name),
            ),
            None => (false, "the implementer, once one is named,".to_owned()),
        },
        Who::Anyone => (true, String::new()),
    };
    (!allowed).then(|| Refusal::new("who", format!("only {who} may {}", step.phrase())))
}

/// The names of the items whose flag is false.
fn absent<'a>(items: &[(bool, &'a str)]) -> Vec<&'a str> {
    items
        .iter()
        .filter(|(present, _)| !present)
        .map(|(_, name)| *name)
        .collect()
}

/// A refusal by `rule` reading "`what` without: …" listing the absent items, if any.
fn lacking(rule: &'static str, what: &str, items: &[(bool, &str)]) -> Option<Refusal> {
    let absent = absent(items);
    (!absent.is_empty())
        .then(|| Refusal::new(rule, format!("{what} without: {}", absent.join(", "))))
}

/// Whether the change has a planned window that starts before it ends.
fn has_window(facts: &ChangeFacts) -> bool {
    matches!((facts.planned_start, facts.planned_end), (Some(start), Some(end)) if start < end)
}

/// Whether a start is the early start of an emergency change, before its approval.
fn starts_before_approval(facts: &ChangeFacts) -> bool {
    matches!(facts.state, State::Submitted | State::Assessed)
}

/// G1: a change is submitted with its description, configuration, cause and CIs.
fn required_fields(facts: &ChangeFacts) -> Option<Refusal> {
    lacking(
        "G1",
        "a change cannot be submitted",
        &[
            (facts.has_description, "description"),
            (facts.has_configuration, "configuration"),
            (facts.has_cause, "cause (text or ticket)"),
            (facts.has_cis, "at least one CI"),
        ],
    )
}

/// G2: a standard change comes from an active, approved template.
fn active_template(facts: &ChangeFacts) -> Option<Refusal> {
    let usable = facts
        .template
        .as_ref()
        .is_some_and(|t| t.active && t.approver.is_some());
    (facts.category == Category::Standard && !usable).then(|| {
        Refusal::new(
            "G2",
            "a standard change must come from an active template of the standard-change catalogue",
        )
    })
}

/// G3: a non-operational change keeps off production CIs.
fn off_production(facts: &ChangeFacts) -> Option<Refusal> {
    let verb = if facts.production_cis.len() == 1 {
        "is"
    } else {
        "are"
    };
    (!facts.category.is_productive() && !facts.production_cis.is_empty()).then(|| {
        Refusal::new(
            "G3",
            format!(
                "a non-operational change may only name CIs outside production; {} {verb} in production",
                facts.production_cis.join(", ")
            ),
        )
    })
}

/// G4: the risk is set, and an override of the suggestion says why.
fn risk_set(facts: &ChangeFacts) -> Option<Refusal> {
    match (facts.risk, facts.risk_suggested) {
        (Some(chosen), suggested) => {
            risk::check_override(suggested, chosen, &facts.risk_override_reason).err()
        }
        (None, Some(suggested)) => Some(Refusal::new(
            "G4",
            format!(
                "the risk must be set: take the suggestion ({}), or choose another level and give a reason for the override",
                suggested.as_str()
            ),
        )),
        (None, None) => Some(Refusal::new("G4", "the risk must be set")),
    }
}

/// G5: a productive change has a fallback procedure.
fn fallback_present(facts: &ChangeFacts) -> Option<Refusal> {
    (facts.category.is_productive() && !facts.has_fallback)
        .then(|| Refusal::new("G5", "a productive change needs a fallback procedure"))
}

/// G6 and G7: `approver` neither owns, recorded nor submitted the change (G6), nor implements
/// it (G7). `submitting` is the person submitting a standard change now, which its template's
/// approver approves in the same step.
fn four_eyes(
    facts: &ChangeFacts,
    approver: &PersonRef,
    submitting: Option<&PersonRef>,
) -> Vec<Refusal> {
    not_own_change(facts, approver, submitting)
        .into_iter()
        .chain(not_implementer(facts, approver))
        .collect()
}

/// G6: `approver` is not the owner, the person who recorded the change, nor the one who
/// submitted it (or, for `submitting`, submits it now). One refusal names every part they had.
fn not_own_change(
    facts: &ChangeFacts,
    approver: &PersonRef,
    submitting: Option<&PersonRef>,
) -> Option<Refusal> {
    let (submitter, submits) = match submitting {
        Some(person) => (Some(person), "submits"),
        None => (facts.submitter.as_ref(), "submitted"),
    };
    let parts: Vec<&str> = [
        (approver.is(Some(&facts.owner)), "owns"),
        (approver.is(facts.recorder.as_ref()), "recorded"),
        (approver.is(submitter), submits),
    ]
    .into_iter()
    .filter_map(|(holds, part)| holds.then_some(part))
    .collect();
    (!parts.is_empty()).then(|| {
        Refusal::new(
            "G6",
            format!(
                "four-eye principle: {} {} this change and cannot approve it",
                approver.name,
                and_list(&parts)
            ),
        )
    })
}

/// G7: `approver` does not implement the change.
fn not_implementer(facts: &ChangeFacts, approver: &PersonRef) -> Option<Refusal> {
    approver.is(facts.implementer.as_ref()).then(|| {
        Refusal::new(
            "G7",
            format!(
                "four-eye principle: {} implements this change and cannot approve it",
                approver.name
            ),
        )
    })
}

/// G8: emergency changes, and high-risk ones if the settings say so, need the CAB's consent.
fn cab_consent_given(facts: &ChangeFacts) -> Option<Refusal> {
    let subject = if facts.category == Category::Emergency {
        "an emergency change"
    } else if facts.settings.cab_for_high_risk && facts.risk == Some(Risk::High) {
        "a high-risk change"
    } else {
        return None;
    };
    let consent = cab_consent(
        &facts.votes,
        &facts.owner,
        facts.implementer.as_ref(),
        facts.settings.cab_quorum,
    );
    let against = match consent.counted_rejections {
        0 => String::new(),
        n => format!(
            " and {}, which the approvals must outnumber",
            plural(n as usize, "counted rejection", "counted rejections")
        ),
    };
    (!consent.given).then(|| {
        Refusal::new(
            "G8",
            format!(
                "{subject} needs the consent of the CAB: {} of {} counted approvals{against} (votes of the owner and the implementer are not counted)",
                consent.counted_approvals, consent.quorum
            ),
        )
    })
}

/// G9, G10 and G11: the window of a scheduled change.
fn window_rules(facts: &ChangeFacts) -> Vec<Refusal> {
    let mut refusals: Vec<Refusal> = lacking(
        "G9",
        "a productive change cannot be scheduled",
        &[
            (has_window(facts), "a planned start before its planned end"),
            (facts.implementer.is_some(), "an implementer"),
        ],
    )
    .into_iter()
    .collect();
    refusals.extend(facts.blackouts.iter().map(blackout_refusal));
    if !facts.conflicts_acknowledged {
        refusals.extend(facts.conflicts.iter().map(|conflict| {
            Refusal::new(
                "G11",
                format!(
                    "the window conflicts with {conflict}; acknowledge the conflict with a reason to schedule anyway"
                ),
            )
        }));
    }
    refusals
}

/// G10 for one blackout period.
fn blackout_refusal(blackout: &Blackout) -> Refusal {
    Refusal::new(
        "G10",
        format!(
            "the window overlaps the blackout period '{}' ({}–{})",
            blackout.name,
            when(blackout.from),
            when(blackout.to)
        ),
    )
}

/// G12: a productive change starts with a schedule, a fallback procedure and an approval; a
/// non-operational one with an approval.
fn ready_to_start(facts: &ChangeFacts) -> Option<Refusal> {
    let approval = (facts.approver.is_some(), "an approval");
    if facts.category.is_productive() {
        lacking(
            "G12",
            "a productive change cannot start",
            &[
                (has_window(facts), "a schedule"),
                (facts.has_fallback, "a fallback procedure"),
                approval,
            ],
        )
    } else {
        lacking("G12", "a change cannot start", &[approval])
    }
}

/// G13: a scheduled change starts inside its window, or up to the tolerance before it.
fn inside_window(facts: &ChangeFacts, now: OffsetDateTime) -> Option<Refusal> {
    let (Some(start), Some(end)) = (facts.planned_start, facts.planned_end) else {
        return None;
    };
    let earliest = start - Duration::minutes(facts.settings.start_tolerance_minutes);
    (now < earliest || now > end).then(|| {
        Refusal::new(
            "G13",
            format!(
                "the change may start between {} and {}; reschedule it",
                when(earliest),
                when(end)
            ),
        )
    })
}

/// G14: an emergency change starts before its approval only with a schedule and a fallback.
fn emergency_start(facts: &ChangeFacts, now: OffsetDateTime) -> Option<Refusal> {
    let absent = absent(&[
        (has_window(facts), "a schedule"),
        (facts.has_fallback, "a fallback procedure"),
    ]);
    (!absent.is_empty()).then(|| {
        Refusal::new(
            "G14",
            format!(
                "an emergency change may start before approval only with a schedule and a fallback procedure; it lacks {}; the CAB must then consent by {}",
                absent.join(" and "),
                when(consent_deadline(&facts.settings, now))
            ),
        )
    })
}

/// G15: a failed change records the fallback carried out.
fn fallback_recorded(facts: &ChangeFacts) -> Option<Refusal> {
    let recorded = facts
        .fallback_carried_out
        .as_deref()
        .is_some_and(|note| !note.trim().is_empty());
    (!recorded).then(|| {
        Refusal::new(
            "G15",
            "record the fallback carried out before marking the change failed",
        )
    })
}

/// G16: the verifier is not the implementer.
fn not_verifying_own_work(facts: &ChangeFacts, actor: &PersonRef) -> Option<Refusal> {
    actor.is(facts.implementer.as_ref()).then(|| {
        Refusal::new(
            "G16",
            format!(
                "four-eye principle: {} implemented this change and cannot verify it",
                actor.name
            ),
        )
    })
}

fn count_checks(facts: &ChangeFacts, result: Option<CheckResult>) -> usize {
    facts.checks.iter().filter(|c| c.result == result).count()
}

/// G17 for verifying: every check has a result and none failed.
fn checks_passed(facts: &ChangeFacts) -> Vec<Refusal> {
    let open = count_checks(facts, None);
    let failed = count_checks(facts, Some(CheckResult::Failed));
    let open = (open > 0).then(|| {
        Refusal::new(
            "G17",
            format!(
                "every verification check needs a result; {} open",
                plural(open, "is", "are")
            ),
        )
    });
    let failed = (failed > 0).then(|| {
        Refusal::new(
            "G17",
            format!(
                "{} failed: the change cannot be verified",
                plural(failed, "check", "checks")
            ),
        )
    });
    open.into_iter().chain(failed).collect()
}

/// G17 for failing a change after implementation: a check must have failed.
fn failed_check_present(facts: &ChangeFacts) -> Option<Refusal> {
    (count_checks(facts, Some(CheckResult::Failed)) == 0).then(|| {
        Refusal::new(
            "G17",
            "a change fails verification only when a verification check failed; record the failed check first",
        )
    })
}

/// The `retro` rule: an emergency change may be approved only until its consent deadline.
fn retro_window(facts: &ChangeFacts, now: OffsetDateTime) -> Option<Refusal> {
    let start = facts.actual_start?;
    (now > consent_deadline(&facts.settings, start)).then(|| {
        Refusal::new(
            "retro",
            format!(
                "the retroactive approval window ({} h after the start at {}) has passed; the change is reported as approved too late",
                facts.settings.retro_approval_hours,
                when(start)
            ),
        )
    })
}

/// The `reason` rule: rejecting and cancelling say why.
fn missing_reason(mv: &Move) -> Option<Refusal> {
    let (reason, what) = match mv {
        Move::Reject { reason } => (reason, "a rejection"),
        Move::Cancel { reason } => (reason, "a cancellation"),
        _ => return None,
    };
    reason
        .trim()
        .is_empty()
        .then(|| Refusal::new("reason", format!("{what} needs a reason")))
}

/// Whether a change that ran lacks an approval given in time.
fn approval_missed(facts: &ChangeFacts) -> bool {
    match (&facts.approver, facts.approved_at, facts.actual_start) {
        (None, _, _) => true,
        (Some(_), Some(at), Some(start)) => at > consent_deadline(&facts.settings, start),
        (Some(_), _, _) => false,
    }
}

fn outcome(
    facts: &ChangeFacts,
    actor: &PersonRef,
    step: Step,
    to: State,
    now: OffsetDateTime,
) -> Outcome {
    let approve = |approver: &PersonRef, retroactive| Approval {
        approver: approver.clone(),
        at: now,
        retroactive,
    };
    let approval = match step {
        Step::Submit if to == State::Approved => facts
            .template
            .as_ref()
            .and_then(|t| t.approver.as_ref())
            .map(|approver| approve(approver, false)),
        Step::Approve => Some(approve(actor, false)),
        Step::ApproveRetroactively => Some(approve(actor, true)),
        _ => None,
    };
    let close_reason = match (step, facts.state) {
        (Step::Cancel, _) => Some(CloseReason::Cancelled),
        (Step::Close, State::Verified) => Some(CloseReason::Completed),
        (Step::Close, State::Failed) => Some(CloseReason::Failed),
        (Step::Close, State::Rejected) => Some(CloseReason::Rejected),
        _ => None,
    };
    let consent_due = (step == Step::Start && starts_before_approval(facts))
        .then(|| consent_deadline(&facts.settings, now));
    let success = match step {
        Step::Verify => Some(true),
        Step::Fail => Some(false),
        _ => None,
    };
    Outcome {
        step,
        from: facts.state,
        to,
        close_reason,
        approval,
        consent_due,
        success,
        approval_missed: close_reason.is_some_and(|r| {
            matches!(r, CloseReason::Completed | CloseReason::Failed) && approval_missed(facts)
        }),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const NOW: OffsetDateTime = datetime!(2026-12-06 14:05 UTC);

    fn person(n: u128, name: &str) -> PersonRef {
        PersonRef {
            id: PersonId(Uuid::from_u128(n)),
            name: name.to_owned(),
        }
    }

    pub(crate) fn maria() -> PersonRef {
        person(1, "Maria Schmidt")
    }

    fn lena() -> PersonRef {
        person(2, "Lena Wolf")
    }

    pub(crate) fn sven() -> PersonRef {
        person(3, "Sven Richter")
    }

    fn jonas() -> PersonRef {
        person(4, "Jonas Braun")
    }

    pub(crate) fn ines() -> PersonRef {
        person(5, "Ines Kraus")
    }

    fn erik() -> PersonRef {
        person(6, "Erik Vogel")
    }

    fn david() -> PersonRef {
        person(7, "David Chen")
    }

    /// A complete change of `category` in `state`: owned by Maria, initiated and recorded by
    /// Lena and submitted by her once past draft, implemented by Sven, approved by Jonas once
    /// past approval, planned for 14:00–16:00 on 2026-12-06 and started at 14:00 once in
    /// progress.
    fn change(category: Category, state: State) -> ChangeFacts {
        use State::*;
        let approved = matches!(
            state,
            Approved | Scheduled | InProgress | Implemented | Verified | Failed | Closed
        );
        let started = matches!(state, InProgress | Implemented | Verified | Failed | Closed);
        ChangeFacts {
            category,
            state,
            owner: maria(),
            initiator: Some(lena()),
            recorder: Some(lena()),
            submitter: (state != Draft).then(lena),
            implementer: Some(sven()),
            approver: approved.then(jonas),
            approved_at: approved.then_some(datetime!(2026-12-01 10:00 UTC)),
            template: (category == Category::Standard).then(|| Template {
                active: true,
                approver: Some(jonas()),
            }),
            has_description: true,
            has_configuration: true,
            has_cause: true,
            has_cis: true,
            production_cis: Vec::new(),
            risk: Some(Risk::Medium),
            risk_suggested: Some(Risk::Medium),
            risk_override_reason: String::new(),
            has_fallback: true,
            planned_start: Some(datetime!(2026-12-06 14:00 UTC)),
            planned_end: Some(datetime!(2026-12-06 16:00 UTC)),
            actual_start: started.then_some(datetime!(2026-12-06 14:00 UTC)),
            blackouts: Vec::new(),
            conflicts: Vec::new(),
            conflicts_acknowledged: false,
            votes: Vec::new(),
            checks: vec![VerificationCheck {
                text: "login works from both data centres".to_owned(),
                result: Some(CheckResult::Passed),
            }],
            fallback_carried_out: None,
            settings: Settings::default(),
        }
    }

    fn regular(state: State) -> ChangeFacts {
        change(Category::Regular, state)
    }

    fn refused(facts: &ChangeFacts, actor: &PersonRef, manage: bool, mv: Move) -> Vec<Refusal> {
        check(facts, actor, manage, &mv, NOW).expect_err("the move should be refused")
    }

    /// The one refusal of a move refused by exactly one rule.
    fn refused_once(facts: &ChangeFacts, actor: &PersonRef, manage: bool, mv: Move) -> Refusal {
        let mut refusals = refused(facts, actor, manage, mv);
        assert_eq!(refusals.len(), 1, "{refusals:?}");
        refusals.remove(0)
    }

    fn allowed(facts: &ChangeFacts, actor: &PersonRef, manage: bool, mv: Move) -> Outcome {
        check(facts, actor, manage, &mv, NOW).expect("the move should be allowed")
    }

    fn rules(refusals: &[Refusal]) -> Vec<&'static str> {
        refusals.iter().map(|r| r.rule).collect()
    }

    fn vote(voter: PersonRef, vote: Vote) -> CabVote {
        CabVote {
            voter,
            vote,
            comment: String::new(),
        }
    }

    fn checks(results: &[Option<CheckResult>]) -> Vec<VerificationCheck> {
        results
            .iter()
            .enumerate()
            .map(|(i, result)| VerificationCheck {
                text: format!("check {i}"),
                result: *result,
            })
            .collect()
    }

    #[test]
    fn g1_submit_needs_description_configuration_cause_and_a_ci() {
        let mut facts = regular(State::Draft);
        facts.has_description = false;
        facts.has_cis = false;
        let refusal = refused_once(&facts, &maria(), false, Move::Submit);
        assert_eq!(refusal.rule, "G1");
        assert_eq!(
            refusal.message,
            "a change cannot be submitted without: description, at least one CI"
        );

        facts.has_description = true;
        facts.has_cis = true;
        assert_eq!(
            allowed(&facts, &maria(), false, Move::Submit).to,
            State::Submitted
        );
    }

    #[test]
    fn g2_standard_change_is_approved_on_submit_only_from_an_active_approved_template() {
        let mut facts = change(Category::Standard, State::Draft);
        let outcome = allowed(&facts, &lena(), false, Move::Submit);
        assert_eq!(outcome.to, State::Approved);
        assert_eq!(
            outcome.approval,
            Some(Approval {
                approver: jonas(),
                at: NOW,
                retroactive: false
            })
        );

        for template in [
            None,
            Some(Template {
                active: false,
                approver: Some(jonas()),
            }),
            Some(Template {
                active: true,
                approver: None,
            }),
        ] {
            facts.template = template;
            let refusal = refused_once(&facts, &lena(), false, Move::Submit);
            assert_eq!(refusal.rule, "G2");
            assert_eq!(
                refusal.message,
                "a standard change must come from an active template of the standard-change catalogue"
            );
        }
    }

    #[test]
    fn standard_change_keeps_the_four_eye_rules_against_the_template_approver() {
        let mut facts = change(Category::Standard, State::Draft);
        facts.owner = jonas();
        let refusal = refused_once(&facts, &jonas(), false, Move::Submit);
        assert_eq!(refusal.rule, "G6");
        assert_eq!(
            refusal.message,
            "four-eye principle: Jonas Braun owns and submits this change and cannot approve it"
        );

        // The template's approver may neither submit the change nor have recorded it.
        let mut facts = change(Category::Standard, State::Draft);
        facts.initiator = Some(jonas());
        let refusal = refused_once(&facts, &jonas(), false, Move::Submit);
        assert_eq!(
            refusal,
            Refusal::new(
                "G6",
                "four-eye principle: Jonas Braun submits this change and cannot approve it"
            )
        );
        facts.recorder = Some(jonas());
        let refusal = refused_once(&facts, &maria(), false, Move::Submit);
        assert_eq!(
            refusal,
            Refusal::new(
                "G6",
                "four-eye principle: Jonas Braun recorded this change and cannot approve it"
            )
        );
    }

    #[test]
    fn g3_non_operational_change_names_no_production_ci() {
        let mut facts = change(Category::NonOperational, State::Draft);
        facts.production_cis = vec!["CI-000012 mgmt-de-01".to_owned()];
        let refusal = refused_once(&facts, &maria(), false, Move::Submit);
        assert_eq!(refusal.rule, "G3");
        assert_eq!(
            refusal.message,
            "a non-operational change may only name CIs outside production; CI-000012 mgmt-de-01 is in production"
        );

        facts.production_cis.clear();
        assert_eq!(
            allowed(&facts, &maria(), false, Move::Submit).to,
            State::Submitted
        );
    }

    #[test]
    fn g4_assessment_needs_a_risk_and_a_reason_for_an_override() {
        let mut facts = regular(State::Submitted);
        facts.risk = None;
        facts.risk_suggested = Some(Risk::High);
        let refusal = refused_once(&facts, &jonas(), true, Move::Assess);
        assert_eq!(refusal.rule, "G4");
        assert_eq!(
            refusal.message,
            "the risk must be set: take the suggestion (high), or choose another level and give a reason for the override"
        );

        facts.risk = Some(Risk::Low);
        facts.risk_override_reason = "too short".to_owned();
        let refusal = refused_once(&facts, &jonas(), true, Move::Assess);
        assert_eq!(refusal.rule, "G4");
        assert_eq!(
            refusal.message,
            "the risk (low) differs from the suggestion (high), so give a reason for the override of at least 10 characters"
        );

        facts.risk_override_reason = "the failover was tested twice last week".to_owned();
        assert_eq!(
            allowed(&facts, &jonas(), true, Move::Assess).to,
            State::Assessed
        );
    }

    #[test]
    fn g5_productive_change_needs_a_fallback_procedure() {
        let mut facts = regular(State::Submitted);
        facts.has_fallback = false;
        let refusal = refused_once(&facts, &jonas(), true, Move::Assess);
        assert_eq!(refusal.rule, "G5");
        assert_eq!(
            refusal.message,
            "a productive change needs a fallback procedure"
        );

        facts.has_fallback = true;
        allowed(&facts, &jonas(), true, Move::Assess);
        let mut lab = change(Category::NonOperational, State::Submitted);
        lab.has_fallback = false;
        allowed(&lab, &jonas(), true, Move::Assess);
    }

    #[test]
    fn g6_the_owner_cannot_approve_their_own_change() {
        let facts = regular(State::Assessed);
        let refusal = refused_once(&facts, &maria(), true, Move::Approve);
        assert_eq!(refusal.rule, "G6");
        assert_eq!(
            refusal.message,
            "four-eye principle: Maria Schmidt owns this change and cannot approve it"
        );

        let outcome = allowed(&facts, &jonas(), true, Move::Approve);
        assert_eq!(outcome.to, State::Approved);
        assert_eq!(outcome.approval.map(|a| a.approver), Some(jonas()));
    }

    #[test]
    fn g6_the_person_who_recorded_the_change_cannot_approve_it() {
        let mut facts = regular(State::Assessed);
        facts.recorder = Some(jonas());
        let refusal = refused_once(&facts, &jonas(), true, Move::Approve);
        assert_eq!(refusal.rule, "G6");
        assert_eq!(
            refusal.message,
            "four-eye principle: Jonas Braun recorded this change and cannot approve it"
        );

        let outcome = allowed(&facts, &erik(), true, Move::Approve);
        assert_eq!(outcome.approval.map(|a| a.approver), Some(erik()));
    }

    #[test]
    fn g6_the_person_who_submitted_the_change_cannot_approve_it() {
        let mut facts = regular(State::Assessed);
        facts.submitter = Some(jonas());
        let refusal = refused_once(&facts, &jonas(), true, Move::Approve);
        assert_eq!(refusal.rule, "G6");
        assert_eq!(
            refusal.message,
            "four-eye principle: Jonas Braun submitted this change and cannot approve it"
        );

        let outcome = allowed(&facts, &erik(), true, Move::Approve);
        assert_eq!(outcome.approval.map(|a| a.approver), Some(erik()));
    }

    #[test]
    fn g6_a_change_manager_who_recorded_and_submitted_a_colleagues_change_does_not_approve_it() {
        // Jonas records a change naming Maria as owner, so he is its initiator, and submits it.
        let mut facts = regular(State::Assessed);
        facts.initiator = Some(jonas());
        facts.recorder = Some(jonas());
        facts.submitter = Some(jonas());
        let refusal = refused_once(&facts, &jonas(), true, Move::Approve);
        assert_eq!(
            refusal,
            Refusal::new(
                "G6",
                "four-eye principle: Jonas Braun recorded and submitted this change and cannot approve it"
            )
        );
        let maria_manages = refused_once(&facts, &maria(), true, Move::Approve);
        assert_eq!(
            maria_manages.message,
            "four-eye principle: Maria Schmidt owns this change and cannot approve it"
        );
        assert_eq!(
            allowed(&facts, &erik(), true, Move::Approve).to,
            State::Approved
        );

        // Nor does he approve it retroactively, and an approval he holds is refused again when
        // the change is scheduled or edited.
        let mut emergency = change(Category::Emergency, State::InProgress);
        emergency.approver = None;
        emergency.recorder = Some(jonas());
        emergency.votes = [erik(), ines(), david()]
            .into_iter()
            .map(|p| vote(p, Vote::Approve))
            .collect();
        assert_eq!(
            refused_once(&emergency, &jonas(), true, Move::ApproveRetroactively).rule,
            "G6"
        );
        allowed(&emergency, &erik(), true, Move::ApproveRetroactively);

        facts.state = State::Approved;
        facts.approver = Some(jonas());
        assert_eq!(
            rules(&refused(&facts, &erik(), true, Move::Schedule)),
            ["G6"]
        );
        assert_eq!(rules(&recheck(&facts).unwrap_err()), ["G6"]);
    }

    #[test]
    fn g6_one_refusal_names_every_part_the_approver_had() {
        let mut facts = regular(State::Assessed);
        facts.recorder = Some(maria());
        facts.submitter = Some(maria());
        assert_eq!(
            refused_once(&facts, &maria(), true, Move::Approve).message,
            "four-eye principle: Maria Schmidt owns, recorded and submitted this change and cannot approve it"
        );
    }

    #[test]
    fn g7_the_implementer_cannot_approve() {
        let mut facts = regular(State::Assessed);
        let refusal = refused_once(&facts, &sven(), true, Move::Approve);
        assert_eq!(refusal.rule, "G7");
        assert_eq!(
            refusal.message,
            "four-eye principle: Sven Richter implements this change and cannot approve it"
        );

        facts.implementer = Some(lena());
        allowed(&facts, &sven(), true, Move::Approve);
    }

    #[test]
    fn g8_emergency_approval_needs_a_cab_quorum_without_owner_and_implementer() {
        let mut facts = change(Category::Emergency, State::Assessed);
        facts.votes = vec![
            vote(maria(), Vote::Approve),
            vote(sven(), Vote::Approve),
            vote(erik(), Vote::Approve),
            vote(ines(), Vote::Approve),
        ];
        let refusal = refused_once(&facts, &jonas(), true, Move::Approve);
        assert_eq!(refusal.rule, "G8");
        assert_eq!(
            refusal.message,
            "an emergency change needs the consent of the CAB: 2 of 3 counted approvals (votes of the owner and the implementer are not counted)"
        );

        facts.votes.push(vote(david(), Vote::Approve));
        allowed(&facts, &jonas(), true, Move::Approve);
    }

    #[test]
    fn g8_high_risk_changes_need_the_cab_when_the_settings_say_so() {
        let mut facts = regular(State::Assessed);
        facts.risk = Some(Risk::High);
        facts.risk_suggested = Some(Risk::High);
        allowed(&facts, &jonas(), true, Move::Approve);

        facts.settings.cab_for_high_risk = true;
        facts.votes = vec![vote(erik(), Vote::Approve), vote(ines(), Vote::Reject)];
        let refusal = refused_once(&facts, &jonas(), true, Move::Approve);
        assert_eq!(refusal.rule, "G8");
        assert_eq!(
            refusal.message,
            "a high-risk change needs the consent of the CAB: 1 of 3 counted approvals and 1 counted rejection, which the approvals must outnumber (votes of the owner and the implementer are not counted)"
        );
    }

    #[test]
    fn g9_scheduling_needs_a_window_and_an_implementer() {
        let mut facts = regular(State::Approved);
        facts.planned_end = Some(datetime!(2026-12-06 13:00 UTC));
        facts.implementer = None;
        let refusal = refused_once(&facts, &jonas(), true, Move::Schedule);
        assert_eq!(refusal.rule, "G9");
        assert_eq!(
            refusal.message,
            "a productive change cannot be scheduled without: a planned start before its planned end, an implementer"
        );

        facts.planned_end = Some(datetime!(2026-12-06 16:00 UTC));
        facts.implementer = Some(sven());
        assert_eq!(
            allowed(&facts, &jonas(), true, Move::Schedule).to,
            State::Scheduled
        );
    }

    #[test]
    fn g10_a_window_in_a_blackout_period_is_refused() {
        let mut facts = regular(State::Approved);
        facts.blackouts = vec![Blackout {
            name: "Christmas freeze".to_owned(),
            from: datetime!(2026-12-06 00:00 UTC),
            to: datetime!(2026-12-07 00:00 UTC),
        }];
        let refusal = refused_once(&facts, &jonas(), true, Move::Schedule);
        assert_eq!(refusal.rule, "G10");
        assert_eq!(
            refusal.message,
            "the window overlaps the blackout period 'Christmas freeze' (2026-12-06 00:00 UTC–2026-12-07 00:00 UTC)"
        );

        facts.blackouts.clear();
        allowed(&facts, &jonas(), true, Move::Schedule);
    }

    #[test]
    fn g11_conflicts_must_be_acknowledged_before_scheduling() {
        let mut facts = regular(State::Approved);
        facts.conflicts = vec!["C-000051 on CI-000003 hv-de-02".to_owned()];
        let refusal = refused_once(&facts, &jonas(), true, Move::Schedule);
        assert_eq!(refusal.rule, "G11");
        assert_eq!(
            refusal.message,
            "the window conflicts with C-000051 on CI-000003 hv-de-02; acknowledge the conflict with a reason to schedule anyway"
        );

        facts.conflicts_acknowledged = true;
        allowed(&facts, &jonas(), true, Move::Schedule);
    }

    #[test]
    fn g12_a_productive_change_starts_only_with_schedule_fallback_and_approval() {
        let mut facts = regular(State::Scheduled);
        facts.has_fallback = false;
        facts.approver = None;
        let refusal = refused_once(&facts, &sven(), false, Move::Start);
        assert_eq!(refusal.rule, "G12");
        assert_eq!(
            refusal.message,
            "a productive change cannot start without: a fallback procedure, an approval"
        );

        facts.has_fallback = true;
        facts.approver = Some(jonas());
        let outcome = allowed(&facts, &sven(), false, Move::Start);
        assert_eq!(outcome.to, State::InProgress);
        assert_eq!(outcome.consent_due, None);
    }

    #[test]
    fn g13_a_scheduled_change_starts_only_inside_its_window() {
        let facts = regular(State::Scheduled);
        let early = datetime!(2026-12-06 13:30 UTC);
        let refusals = check(&facts, &sven(), false, &Move::Start, early).unwrap_err();
        assert_eq!(
            refusals,
            [Refusal::new(
                "G13",
                "the change may start between 2026-12-06 13:45 UTC and 2026-12-06 16:00 UTC; reschedule it"
            )]
        );

        let within_tolerance = datetime!(2026-12-06 13:50 UTC);
        assert!(check(&facts, &sven(), false, &Move::Start, within_tolerance).is_ok());
    }

    #[test]
    fn g7_holds_at_the_start_against_the_recorded_approver() {
        let mut facts = regular(State::Scheduled);
        facts.approver = Some(sven());
        let refusal = refused_once(&facts, &sven(), false, Move::Start);
        assert_eq!(refusal.rule, "G7");
        assert_eq!(
            refusal.message,
            "four-eye principle: Sven Richter implements this change and cannot approve it"
        );
    }

    #[test]
    fn g14_an_emergency_change_starts_before_approval_only_with_schedule_and_fallback() {
        let mut facts = change(Category::Emergency, State::Assessed);
        facts.planned_start = None;
        facts.has_fallback = false;
        let refusal = refused_once(&facts, &sven(), false, Move::Start);
        assert_eq!(refusal.rule, "G14");
        assert_eq!(
            refusal.message,
            "an emergency change may start before approval only with a schedule and a fallback procedure; it lacks a schedule and a fallback procedure; the CAB must then consent by 2026-12-07 14:05 UTC"
        );

        facts.planned_start = Some(datetime!(2026-12-06 14:00 UTC));
        facts.has_fallback = true;
        let outcome = allowed(&facts, &sven(), false, Move::Start);
        assert_eq!(outcome.to, State::InProgress);
        assert_eq!(outcome.approval, None);
        assert_eq!(outcome.consent_due, Some(datetime!(2026-12-07 14:05 UTC)));
    }

    #[test]
    fn g15_failing_needs_the_fallback_carried_out_recorded() {
        let mut facts = regular(State::InProgress);
        let refusal = refused_once(&facts, &sven(), false, Move::Fail);
        assert_eq!(refusal.rule, "G15");
        assert_eq!(
            refusal.message,
            "record the fallback carried out before marking the change failed"
        );

        facts.fallback_carried_out = Some("restored the VM snapshot of 13:55".to_owned());
        let outcome = allowed(&facts, &sven(), false, Move::Fail);
        assert_eq!(outcome.to, State::Failed);
        assert_eq!(outcome.success, Some(false));
    }

    #[test]
    fn g16_the_implementer_cannot_verify() {
        let facts = regular(State::Implemented);
        let refusal = refused_once(&facts, &sven(), false, Move::Verify);
        assert_eq!(refusal.rule, "G16");
        assert_eq!(
            refusal.message,
            "four-eye principle: Sven Richter implemented this change and cannot verify it"
        );

        let outcome = allowed(&facts, &ines(), false, Move::Verify);
        assert_eq!(outcome.to, State::Verified);
        assert_eq!(outcome.success, Some(true));
    }

    #[test]
    fn g17_verify_is_refused_while_a_check_is_open_or_failed() {
        use CheckResult::*;
        let mut facts = regular(State::Implemented);
        facts.checks = checks(&[None, Some(Passed), None]);
        let refusal = refused_once(&facts, &ines(), false, Move::Verify);
        assert_eq!(refusal.rule, "G17");
        assert_eq!(
            refusal.message,
            "every verification check needs a result; 2 are open"
        );

        facts.checks = checks(&[Some(Failed), Some(Passed)]);
        let refusal = refused_once(&facts, &ines(), false, Move::Verify);
        assert_eq!(refusal.rule, "G17");
        assert_eq!(
            refusal.message,
            "1 check failed: the change cannot be verified"
        );

        facts.checks = checks(&[Some(Passed), Some(NotApplicable)]);
        allowed(&facts, &ines(), false, Move::Verify);
    }

    #[test]
    fn failing_after_implementation_needs_a_failed_check_and_another_person() {
        let mut facts = regular(State::Implemented);
        facts.fallback_carried_out = Some("rolled the firmware back to 4.2".to_owned());
        let refusals = refused(&facts, &sven(), false, Move::Fail);
        assert_eq!(rules(&refusals), ["G16", "G17"]);
        assert_eq!(
            refusals[1].message,
            "a change fails verification only when a verification check failed; record the failed check first"
        );

        facts.checks = checks(&[Some(CheckResult::Failed)]);
        assert_eq!(
            allowed(&facts, &ines(), false, Move::Fail).to,
            State::Failed
        );
    }

    #[test]
    fn every_failing_rule_is_reported_at_once() {
        let mut facts = change(Category::NonOperational, State::Draft);
        facts.has_configuration = false;
        facts.production_cis = vec![
            "CI-000012 mgmt-de-01".to_owned(),
            "CI-000020 db-de-01".to_owned(),
        ];
        let refusals = refused(&facts, &erik(), false, Move::Submit);
        assert_eq!(rules(&refusals), ["who", "G1", "G3"]);
        assert_eq!(
            refusals[0].message,
            "only the owner (Maria Schmidt) or the initiator (Lena Wolf) may submit this change"
        );
        assert!(
            refusals[2]
                .message
                .ends_with("CI-000012 mgmt-de-01, CI-000020 db-de-01 are in production")
        );

        let mut facts = regular(State::Scheduled);
        facts.approver = None;
        facts.has_fallback = false;
        facts.planned_start = Some(datetime!(2026-12-06 15:00 UTC));
        let refusals = refused(&facts, &ines(), false, Move::Start);
        assert_eq!(rules(&refusals), ["who", "G12", "G13"]);
        assert_eq!(
            refusals[0].message,
            "only the implementer (Sven Richter) may start this change"
        );
    }

    #[test]
    fn emergency_change_starts_first_and_the_cab_consents_in_time() {
        let mut facts = change(Category::Emergency, State::Submitted);
        let started = allowed(&facts, &sven(), false, Move::Start);
        let deadline = datetime!(2026-12-07 14:05 UTC);
        assert_eq!(started.consent_due, Some(deadline));

        facts.state = State::InProgress;
        facts.actual_start = Some(NOW);
        facts.votes = vec![
            vote(maria(), Vote::Approve),
            vote(sven(), Vote::Approve),
            vote(erik(), Vote::Approve),
            vote(ines(), Vote::Approve),
        ];
        let refusal = refused_once(&facts, &jonas(), true, Move::ApproveRetroactively);
        assert_eq!(refusal.rule, "G8");
        assert!(refusal.message.contains("2 of 3 counted approvals"));

        facts.votes.push(vote(david(), Vote::Approve));
        let in_time = datetime!(2026-12-07 10:00 UTC);
        let outcome = check(&facts, &jonas(), true, &Move::ApproveRetroactively, in_time).unwrap();
        assert_eq!(outcome.to, State::InProgress);
        assert_eq!(
            outcome.approval,
            Some(Approval {
                approver: jonas(),
                at: in_time,
                retroactive: true
            })
        );

        facts.state = State::Verified;
        facts.approver = Some(jonas());
        facts.approved_at = Some(in_time);
        let closed = allowed(&facts, &jonas(), true, Move::Close);
        assert_eq!(closed.close_reason, Some(CloseReason::Completed));
        assert!(!closed.approval_missed);
        let again = refused_once(&facts, &jonas(), true, Move::ApproveRetroactively);
        assert_eq!(
            again,
            Refusal::new("state", "this change is already approved, by Jonas Braun")
        );
    }

    #[test]
    fn emergency_approval_after_the_window_is_refused_and_reported_at_close() {
        let mut facts = change(Category::Emergency, State::Implemented);
        facts.approver = None;
        facts.approved_at = None;
        facts.votes = [erik(), ines(), david()]
            .into_iter()
            .map(|p| vote(p, Vote::Approve))
            .collect();
        let late = datetime!(2026-12-07 14:01 UTC);
        let refusals =
            check(&facts, &jonas(), true, &Move::ApproveRetroactively, late).unwrap_err();
        assert_eq!(
            refusals,
            [Refusal::new(
                "retro",
                "the retroactive approval window (24 h after the start at 2026-12-06 14:00 UTC) has passed; the change is reported as approved too late"
            )]
        );

        facts.state = State::Verified;
        let closed = check(&facts, &jonas(), true, &Move::Close, late).unwrap();
        assert_eq!(closed.close_reason, Some(CloseReason::Completed));
        assert!(closed.approval_missed);
    }

    #[test]
    fn non_operational_change_starts_from_approved_without_a_schedule() {
        let mut facts = change(Category::NonOperational, State::Approved);
        facts.planned_start = None;
        facts.planned_end = None;
        facts.has_fallback = false;
        assert_eq!(
            allowed(&facts, &sven(), false, Move::Start).to,
            State::InProgress
        );
        assert_eq!(
            rules(&refused(&facts, &jonas(), true, Move::Schedule)),
            ["state"]
        );

        facts.approver = None;
        let refusal = refused_once(&facts, &sven(), false, Move::Start);
        assert_eq!(
            refusal,
            Refusal::new("G12", "a change cannot start without: an approval")
        );
    }

    #[test]
    fn who_may_take_a_step() {
        assert_eq!(
            refused_once(&regular(State::Submitted), &sven(), false, Move::Assess),
            Refusal::new("who", "only a change manager may assess this change")
        );
        let mut facts = regular(State::Draft);
        facts.initiator = None;
        assert_eq!(
            refused_once(&facts, &lena(), false, Move::Submit).message,
            "only the owner (Maria Schmidt) may submit this change"
        );
        assert_eq!(
            refused_once(&regular(State::Rejected), &lena(), true, Move::Reopen).message,
            "only the owner (Maria Schmidt) may reopen this change"
        );
        assert_eq!(
            allowed(&regular(State::Rejected), &maria(), false, Move::Reopen).to,
            State::Draft
        );
        let cancel = || Move::Cancel {
            reason: "superseded by C-000060".to_owned(),
        };
        allowed(&regular(State::Submitted), &maria(), false, cancel());
        assert_eq!(
            refused_once(&regular(State::Approved), &maria(), false, cancel()).message,
            "only a change manager may cancel this change"
        );
        let mut facts = regular(State::Scheduled);
        facts.implementer = None;
        assert_eq!(
            refused(&facts, &sven(), false, Move::Start)[0].message,
            "only the implementer, once one is named, may start this change"
        );
    }

    #[test]
    fn a_step_the_life_cycle_does_not_offer_is_refused_by_the_state_rule_alone() {
        let mut facts = regular(State::Draft);
        facts.has_description = false;
        assert_eq!(
            refused(&facts, &sven(), false, Move::Start),
            [Refusal::new(
                "state",
                "'Start' is not a step for this regular change in state draft; its steps now are: submit, cancel"
            )]
        );
        assert_eq!(
            refused_once(&regular(State::Closed), &jonas(), true, Move::Close).message,
            "'Close' is not a step for this regular change in state closed; it has no further steps"
        );
    }

    #[test]
    fn rejecting_and_cancelling_need_a_reason_and_closing_records_why() {
        let reject = |reason: &str| Move::Reject {
            reason: reason.to_owned(),
        };
        assert_eq!(
            refused_once(&regular(State::Assessed), &jonas(), true, reject(" ")),
            Refusal::new("reason", "a rejection needs a reason")
        );
        let outcome = allowed(
            &regular(State::Assessed),
            &jonas(),
            true,
            reject("no tested fallback"),
        );
        assert_eq!((outcome.to, outcome.close_reason), (State::Rejected, None));

        let cancelled = allowed(
            &regular(State::Scheduled),
            &jonas(),
            true,
            Move::Cancel {
                reason: "the supplier postponed".to_owned(),
            },
        );
        assert_eq!(cancelled.close_reason, Some(CloseReason::Cancelled));
        for (state, reason) in [
            (State::Verified, CloseReason::Completed),
            (State::Failed, CloseReason::Failed),
            (State::Rejected, CloseReason::Rejected),
        ] {
            let closed = allowed(&regular(state), &jonas(), true, Move::Close);
            assert_eq!(
                (closed.to, closed.close_reason),
                (State::Closed, Some(reason))
            );
            assert!(!closed.approval_missed);
        }
    }

    #[test]
    fn next_steps_show_what_is_missing_without_moving() {
        let mut facts = regular(State::Scheduled);
        facts.has_fallback = false;
        let steps = next_steps(&facts, &sven(), false, NOW);
        let summary: Vec<(Step, State, Vec<&str>)> = steps
            .iter()
            .map(|s| (s.step, s.to, rules(&s.missing)))
            .collect();
        assert_eq!(
            summary,
            [
                (Step::Unschedule, State::Approved, vec!["who"]),
                (Step::Start, State::InProgress, vec!["G12"]),
                (Step::Cancel, State::Closed, vec!["who"]),
            ]
        );

        let assessed = next_steps(&regular(State::Assessed), &jonas(), true, NOW);
        let reject = assessed.iter().find(|s| s.step == Step::Reject).unwrap();
        assert!(reject.missing.is_empty(), "the reason is asked by the form");
    }

    #[test]
    fn edits_after_approval_recheck_four_eyes_and_the_window() {
        let mut facts = regular(State::Scheduled);
        assert_eq!(recheck(&facts), Ok(()));
        facts.implementer = Some(jonas());
        facts.conflicts = vec!["C-000051 on CI-000003 hv-de-02".to_owned()];
        assert_eq!(rules(&recheck(&facts).unwrap_err()), ["G7", "G11"]);
    }

    #[test]
    fn cab_consent_leaves_out_owner_and_implementer_and_needs_more_approvals_than_rejections() {
        let votes = [
            vote(maria(), Vote::Approve),
            vote(sven(), Vote::Reject),
            vote(erik(), Vote::Approve),
            vote(ines(), Vote::Reject),
            vote(david(), Vote::Abstain),
        ];
        assert_eq!(
            cab_consent(&votes, &maria(), Some(&sven()), 1),
            Consent {
                counted_approvals: 1,
                counted_rejections: 1,
                quorum: 1,
                given: false
            }
        );
        assert!(cab_consent(&votes[..3], &maria(), Some(&sven()), 1).given);
        assert!(!is_counted(&sven(), &maria(), Some(&sven())));
        assert!(is_counted(&sven(), &maria(), None));
    }

    #[test]
    fn a_vote_to_reject_needs_a_comment() {
        let refusal = validate_vote(Vote::Reject, "  ").unwrap_err();
        assert_eq!(refusal.field, "comment");
        assert!(validate_vote(Vote::Reject, "no fallback for the bridge cluster").is_ok());
        assert!(validate_vote(Vote::Approve, "").is_ok());
    }

    #[test]
    fn words_read_back_and_unknown_words_list_the_allowed_ones() {
        for &state in State::ALL {
            assert_eq!(State::parse("state", state.as_str()), Ok(state));
        }
        for &step in Step::ALL {
            assert_eq!(Step::parse("step", step.as_str()), Ok(step));
        }
        assert_eq!(
            Category::parse("category", "non-operational"),
            Ok(Category::NonOperational)
        );
        assert_eq!(
            CheckResult::parse("result", " not-applicable "),
            Ok(CheckResult::NotApplicable)
        );
        assert_eq!(
            CloseReason::parse("close_reason", "cancelled"),
            Ok(CloseReason::Cancelled)
        );
        assert_eq!(Vote::parse("vote", "abstain"), Ok(Vote::Abstain));
        assert_eq!(
            Risk::parse("risk", "severe").unwrap_err().message,
            "must be one of: low, medium, high"
        );
        assert!(Risk::Low < Risk::Medium && Risk::Medium < Risk::High);
    }

    #[test]
    fn the_arrows_of_the_life_cycle_depend_on_the_category() {
        use State::*;
        assert_eq!(Draft.next(Category::Regular), [Submitted, Closed]);
        assert_eq!(Draft.next(Category::Standard), [Approved, Closed]);
        assert_eq!(
            Assessed.next(Category::Emergency),
            [Approved, Rejected, InProgress, Closed]
        );
        assert_eq!(
            Approved.next(Category::NonOperational),
            [InProgress, Closed]
        );
        assert_eq!(Approved.next(Category::Regular), [Scheduled, Closed]);
        assert_eq!(Implemented.next(Category::Emergency), [Failed, Verified]);
        assert!(Closed.next(Category::Regular).is_empty());
    }
}
