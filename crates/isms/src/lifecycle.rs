//! The life cycle of a controlled document's version: draft → in review → approved → published
//! → superseded or withdrawn, with the rules that refuse a step, each named and with the message
//! a person reads.
//!
//! Seed 004 section 6 asks that documents be approved before they are issued, reviewed and
//! updated, their changes and current revision identified, and obsolete ones kept from
//! unintended use; seed 000 section 3.1 keeps them in a document management system where a
//! person checks a document out, changes it and checks the new version in. So: one version at a
//! time is in progress; only its draft is edited, and only by the person who checked the
//! document out; named approvers decide, the author never among them (four eyes), and the
//! version is approved once the quorum of approvals is reached; publishing it supersedes the
//! version in force.
//!
//! Pure: the store reads the version into [`VersionFacts`] and runs [`check`] again inside the
//! transaction that records the step.

use tandem_directory::PersonId;
use time::OffsetDateTime;

tandem_kernel::vocabulary!(
    /// Where a version of a document stands.
    State {
        Draft = "draft" / "Draft",
        InReview = "in-review" / "In review",
        Approved = "approved" / "Approved",
        Published = "published" / "Published",
        Superseded = "superseded" / "Superseded",
        Withdrawn = "withdrawn" / "Withdrawn",
    }
);

impl State {
    /// Whether the version is still being worked on: one such version per document at a time.
    pub fn in_progress(self) -> bool {
        matches!(self, Self::Draft | Self::InReview | Self::Approved)
    }
}

tandem_kernel::vocabulary!(
    /// A step of a version's life cycle.
    Step {
        Submit = "submit" / "Submit for review",
        Approve = "approve" / "Approve",
        Reject = "reject" / "Send back",
        Publish = "publish" / "Publish",
        Withdraw = "withdraw" / "Withdraw",
    }
);

impl Step {
    /// The state the step leads to from `from`, if the life cycle offers it there. Approving
    /// leads to approved only once the quorum is reached; before, the version stays in review.
    pub fn target(self, from: State) -> Option<State> {
        match (self, from) {
            (Self::Submit, State::Draft) => Some(State::InReview),
            (Self::Approve, State::InReview) => Some(State::Approved),
            (Self::Reject, State::InReview) => Some(State::Draft),
            (Self::Publish, State::Approved) => Some(State::Published),
            (Self::Withdraw, State::Published) => Some(State::Withdrawn),
            _ => None,
        }
    }
}

/// A named approver and what they decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    pub person: PersonId,
    pub name: String,
    pub decision: Option<Decision>,
}

tandem_kernel::vocabulary!(
    /// An approver's decision on a version in review.
    Decision {
        Approved = "approved" / "Approved",
        SentBack = "sent-back" / "Sent back",
    }
);

/// Who has the document checked out, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub person: PersonId,
    pub name: String,
    pub since: OffsetDateTime,
}

/// What the rules need to know of a version and its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFacts {
    pub state: State,
    /// Who wrote the version.
    pub author: PersonId,
    pub approvers: Vec<Approver>,
    /// How many approvals the document needs (at least 1).
    pub quorum: u32,
    pub lock: Option<Lock>,
    /// Whether the version has content: text, or an uploaded file.
    pub has_content: bool,
}

/// Who acts, and what they may do besides: write the ISMS's documents (`isms.write`), approve
/// (`isms.approve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub person: PersonId,
    pub may_write: bool,
    pub may_approve: bool,
}

/// Why a step was refused: the rule and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule,
            message: message.into(),
        }
    }
}

/// The rules, by the name a refusal carries, with what each refuses: for the documentation and
/// the test that every one of them can be met.
pub const RULES: [(&str, &str); 9] = [
    (
        "state",
        "the life cycle does not offer the step from the version's state",
    ),
    (
        "who",
        "the person may not take the step (writing needs isms.write; approving needs to be named)",
    ),
    (
        "checked-out",
        "someone else has the document checked out, or the editor has not checked it out",
    ),
    ("content", "a version without text or file is not submitted"),
    ("quorum", "fewer approvers are named than the quorum asks"),
    (
        "four-eyes",
        "the author of a version does not approve it, nor is named to",
    ),
    (
        "decided",
        "the approver has decided on this version already",
    ),
    ("reason", "sending back or withdrawing needs a reason"),
    (
        "in-progress",
        "a new version while another is in progress, or editing one that is not a draft",
    ),
];

/// What an allowed step does, for the store to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub step: Step,
    pub from: State,
    pub to: State,
    /// The approvals counted once this step is taken.
    pub approvals: u32,
}

/// Checks whether `actor` may take `step` on the version now; `reason` is the comment sent with
/// it. A refusal lists every rule that fails; a step the life cycle does not offer is refused
/// by the `state` rule alone.
pub fn check(
    facts: &VersionFacts,
    actor: &Actor,
    step: Step,
    reason: &str,
) -> Result<Outcome, Vec<Refusal>> {
    let Some(to) = step.target(facts.state) else {
        return Err(vec![Refusal::new(
            "state",
            format!(
                "“{}” is not a step from {}",
                step.label(),
                facts.state.label().to_lowercase()
            ),
        )]);
    };
    let mut refusals = Vec::new();
    let approvals = u32::try_from(
        facts
            .approvers
            .iter()
            .filter(|a| a.decision == Some(Decision::Approved))
            .count(),
    )
    .unwrap_or(u32::MAX);
    let mut outcome = Outcome {
        step,
        from: facts.state,
        to,
        approvals,
    };
    match step {
        Step::Submit => {
            if !(actor.may_write || actor.person == facts.author) {
                refusals.push(Refusal::new(
                    "who",
                    "only the author or someone who writes the ISMS's documents submits a version",
                ));
            }
            if let Some(lock) = &facts.lock
                && lock.person != actor.person
            {
                refusals.push(checked_out_by(lock));
            }
            if !facts.has_content {
                refusals.push(Refusal::new(
                    "content",
                    "the version has no text and no file yet",
                ));
            }
            let named = u32::try_from(facts.approvers.len()).unwrap_or(u32::MAX);
            if named < facts.quorum {
                refusals.push(Refusal::new(
                    "quorum",
                    format!(
                        "name at least {} approver{} (the quorum); {named} named",
                        facts.quorum,
                        plural(facts.quorum)
                    ),
                ));
            }
            if facts.approvers.iter().any(|a| a.person == facts.author) {
                refusals.push(Refusal::new(
                    "four-eyes",
                    "the author is among the approvers; four eyes: name someone else",
                ));
            }
        }
        Step::Approve | Step::Reject => {
            let named = facts.approvers.iter().find(|a| a.person == actor.person);
            if actor.person == facts.author {
                refusals.push(Refusal::new(
                    "four-eyes",
                    "you wrote this version; four eyes: another approver decides",
                ));
            } else if named.is_none() || !actor.may_approve {
                refusals.push(Refusal::new(
                    "who",
                    format!(
                        "only the named approvers decide: {}",
                        names(&facts.approvers)
                    ),
                ));
            }
            if let Some(decision) = named.and_then(|a| a.decision) {
                refusals.push(Refusal::new(
                    "decided",
                    format!(
                        "you decided on this version already: {}",
                        decision.label().to_lowercase()
                    ),
                ));
            }
            if step == Step::Reject && reason.trim().is_empty() {
                refusals.push(Refusal::new(
                    "reason",
                    "say what has to change before it can be approved",
                ));
            }
            if step == Step::Approve {
                outcome.approvals = approvals + 1;
                if outcome.approvals < facts.quorum {
                    outcome.to = State::InReview;
                }
            }
        }
        Step::Publish | Step::Withdraw => {
            if !actor.may_write {
                refusals.push(Refusal::new(
                    "who",
                    "only someone who writes the ISMS's documents publishes or withdraws a version",
                ));
            }
            if step == Step::Withdraw && reason.trim().is_empty() {
                refusals.push(Refusal::new("reason", "say why the document is withdrawn"));
            }
        }
    }
    if refusals.is_empty() {
        Ok(outcome)
    } else {
        Err(refusals)
    }
}

/// The steps open from the version's state, each with the rules that would refuse it if
/// `actor` asked now (a reason the step's own form asks for is not listed as missing): what the
/// version's page offers.
pub fn next_steps(facts: &VersionFacts, actor: &Actor) -> Vec<(Step, Vec<Refusal>)> {
    Step::ALL
        .iter()
        .copied()
        .filter(|step| step.target(facts.state).is_some())
        .map(|step| {
            let missing = match check(facts, actor, step, "a reason") {
                Ok(_) => Vec::new(),
                Err(refusals) => refusals,
            };
            (step, missing)
        })
        .collect()
}

/// Checks that `actor` may change the text of a version now: a draft, checked out by them.
pub fn check_edit(facts: &VersionFacts, actor: &Actor) -> Result<(), Vec<Refusal>> {
    let mut refusals = Vec::new();
    if facts.state != State::Draft {
        refusals.push(Refusal::new(
            "in-progress",
            format!(
                "only a draft is edited; this version is {}. Start a new version to change it",
                facts.state.label().to_lowercase()
            ),
        ));
    }
    if !(actor.may_write || actor.person == facts.author) {
        refusals.push(Refusal::new(
            "who",
            "only the author or someone who writes the ISMS's documents edits a draft",
        ));
    }
    match &facts.lock {
        Some(lock) if lock.person != actor.person => refusals.push(checked_out_by(lock)),
        Some(_) => {}
        None => refusals.push(Refusal::new(
            "checked-out",
            "check the document out first, so that nobody else edits it at the same time",
        )),
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

/// Checks that a new version may be started on a document whose versions stand in `states`.
pub fn check_new_version(states: &[State]) -> Result<(), Vec<Refusal>> {
    match states.iter().find(|s| s.in_progress()) {
        Some(open) => Err(vec![Refusal::new(
            "in-progress",
            format!(
                "a version is {} already; finish or send it back first",
                open.label().to_lowercase()
            ),
        )]),
        None => Ok(()),
    }
}

/// Checks that `actor` may check the document out: nobody else holds it.
pub fn check_out(lock: Option<&Lock>, actor: &Actor) -> Result<(), Vec<Refusal>> {
    match lock {
        Some(lock) if lock.person != actor.person => Err(vec![checked_out_by(lock)]),
        _ => Ok(()),
    }
}

fn checked_out_by(lock: &Lock) -> Refusal {
    Refusal::new(
        "checked-out",
        format!(
            "{} has the document checked out since {}; ask them to check it in, or someone who manages the ISMS (isms.manage) to break the lock",
            lock.name,
            tandem_kernel::clock::when(lock.since)
        ),
    )
}

fn names(approvers: &[Approver]) -> String {
    if approvers.is_empty() {
        return "none are named".to_owned();
    }
    approvers
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn person(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }

    const AUTHOR: u128 = 1;
    const ANNA: u128 = 2;
    const BEN: u128 = 3;

    fn draft() -> VersionFacts {
        VersionFacts {
            state: State::Draft,
            author: person(AUTHOR),
            approvers: vec![
                Approver {
                    person: person(ANNA),
                    name: "Anna".into(),
                    decision: None,
                },
                Approver {
                    person: person(BEN),
                    name: "Ben".into(),
                    decision: None,
                },
            ],
            quorum: 2,
            lock: Some(Lock {
                person: person(AUTHOR),
                name: "Author".into(),
                since: datetime!(2026-12-01 09:00 UTC),
            }),
            has_content: true,
        }
    }

    fn actor(n: u128) -> Actor {
        Actor {
            person: person(n),
            may_write: n == AUTHOR,
            may_approve: true,
        }
    }

    fn rules(result: Result<Outcome, Vec<Refusal>>) -> Vec<&'static str> {
        result.unwrap_err().into_iter().map(|r| r.rule).collect()
    }

    #[test]
    fn a_version_walks_from_draft_to_published_with_the_quorum() {
        let mut facts = draft();
        let submitted = check(&facts, &actor(AUTHOR), Step::Submit, "").unwrap();
        assert_eq!(submitted.to, State::InReview);
        facts.state = State::InReview;
        facts.lock = None;
        let first = check(&facts, &actor(ANNA), Step::Approve, "").unwrap();
        assert_eq!(
            (first.to, first.approvals),
            (State::InReview, 1),
            "one of two"
        );
        facts.approvers[0].decision = Some(Decision::Approved);
        let second = check(&facts, &actor(BEN), Step::Approve, "").unwrap();
        assert_eq!((second.to, second.approvals), (State::Approved, 2));
        facts.state = State::Approved;
        assert_eq!(
            check(&facts, &actor(AUTHOR), Step::Publish, "").unwrap().to,
            State::Published
        );
        facts.state = State::Published;
        assert_eq!(
            rules(check(&facts, &actor(AUTHOR), Step::Withdraw, " ")),
            ["reason"]
        );
        assert_eq!(
            check(
                &facts,
                &actor(AUTHOR),
                Step::Withdraw,
                "Replaced by the group policy"
            )
            .unwrap()
            .to,
            State::Withdrawn
        );
    }

    #[test]
    fn every_refusal_is_named() {
        let mut facts = draft();
        facts.has_content = false;
        facts.approvers.truncate(1);
        facts.approvers.push(Approver {
            person: person(AUTHOR),
            name: "Author".into(),
            decision: None,
        });
        facts.quorum = 3;
        facts.lock.as_mut().unwrap().person = person(ANNA);
        assert_eq!(
            rules(check(&facts, &actor(BEN), Step::Submit, "")),
            ["who", "checked-out", "content", "quorum", "four-eyes"]
        );
        assert_eq!(
            rules(check(&facts, &actor(AUTHOR), Step::Publish, "")),
            ["state"]
        );

        let mut review = draft();
        review.state = State::InReview;
        assert_eq!(
            rules(check(&review, &actor(AUTHOR), Step::Approve, "")),
            ["four-eyes"]
        );
        let outsider = Actor {
            person: person(9),
            may_write: true,
            may_approve: true,
        };
        assert_eq!(rules(check(&review, &outsider, Step::Approve, "")), ["who"]);
        let unentitled = Actor {
            may_approve: false,
            ..actor(ANNA)
        };
        assert_eq!(
            rules(check(&review, &unentitled, Step::Approve, "")),
            ["who"],
            "named, but no longer holds isms.approve"
        );
        review.approvers[0].decision = Some(Decision::Approved);
        assert_eq!(
            rules(check(&review, &actor(ANNA), Step::Reject, "")),
            ["decided", "reason"]
        );
        let sent_back = check(&review, &actor(BEN), Step::Reject, "Section 4 is vague").unwrap();
        assert_eq!(sent_back.to, State::Draft);

        let mut approved = draft();
        approved.state = State::Approved;
        assert_eq!(
            rules(check(&approved, &actor(ANNA), Step::Publish, "")),
            ["who"]
        );
        let named: Vec<&str> = RULES.iter().map(|(rule, _)| *rule).collect();
        assert_eq!(
            named,
            [
                "state",
                "who",
                "checked-out",
                "content",
                "quorum",
                "four-eyes",
                "decided",
                "reason",
                "in-progress"
            ]
        );
    }

    #[test]
    fn the_next_steps_say_what_is_missing() {
        let mut facts = draft();
        facts.state = State::InReview;
        let steps = next_steps(&facts, &actor(ANNA));
        let offered: Vec<Step> = steps.iter().map(|(step, _)| *step).collect();
        assert_eq!(offered, [Step::Approve, Step::Reject]);
        assert!(steps.iter().all(|(_, missing)| missing.is_empty()));
        let author = next_steps(&facts, &actor(AUTHOR));
        assert_eq!(author[0].1[0].rule, "four-eyes");
    }

    #[test]
    fn only_the_holder_of_the_lock_edits_a_draft() {
        let mut facts = draft();
        assert!(check_edit(&facts, &actor(AUTHOR)).is_ok());
        let other = Actor {
            person: person(ANNA),
            may_write: true,
            may_approve: false,
        };
        let refused = check_edit(&facts, &other).unwrap_err();
        assert_eq!(refused[0].rule, "checked-out");
        assert!(
            refused[0]
                .message
                .starts_with("Author has the document checked out since 2026-12-01 09:00 UTC"),
            "{refused:?}"
        );
        assert!(check_out(facts.lock.as_ref(), &other).is_err());
        assert!(check_out(facts.lock.as_ref(), &actor(AUTHOR)).is_ok());
        facts.lock = None;
        assert_eq!(
            check_edit(&facts, &actor(AUTHOR)).unwrap_err()[0].rule,
            "checked-out"
        );
        facts.state = State::Published;
        facts.lock = Some(Lock {
            person: person(AUTHOR),
            name: "Author".into(),
            since: datetime!(2026-12-01 09:00 UTC),
        });
        assert_eq!(
            check_edit(&facts, &actor(AUTHOR)).unwrap_err()[0].rule,
            "in-progress"
        );
    }

    #[test]
    fn one_version_at_a_time_is_in_progress() {
        assert!(check_new_version(&[State::Superseded, State::Published]).is_ok());
        assert!(check_new_version(&[State::Withdrawn]).is_ok());
        let refused = check_new_version(&[State::Published, State::InReview]).unwrap_err();
        assert_eq!(refused[0].rule, "in-progress");
        assert_eq!(
            refused[0].message,
            "a version is in review already; finish or send it back first"
        );
        assert!(State::Approved.in_progress() && !State::Published.in_progress());
    }
}
