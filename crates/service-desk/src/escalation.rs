//! Escalation without I/O: which steps of an agreement's escalation are due for a ticket, and
//! when the scheduler has to look at the ticket next.
//!
//! A step applies to the first-response target (until the first response), to the update
//! target (while its clock runs: open and not waiting, counted from the last answer owed) and
//! to the resolution target (while the ticket is open); it is due when its share of the
//! target's working time is used, counted like the clock itself (pauses left out). Each step
//! of each target fires once per ticket, and once per cycle of the update clock: an agent's
//! answer starts a new cycle (the store forgets the update steps taken). A step that falls due
//! outside the calendar's working time waits for the working time to begin, unless it says
//! `always`. When several steps of one target are due at once (the server was not running when
//! the earlier ones fell due), only the latest are taken and the earlier ones are passed over:
//! the ticket escalates once, to where it should stand now, not through every level in the same
//! second.

use tandem_service_levels::agreement::{EscalationStep, Metric, Targets};
use tandem_service_levels::calendar::Calendar;
use time::OffsetDateTime;

use crate::clocks::Facts;

/// A step to take now: the target, the step's index in the agreement's list, the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueStep<'a> {
    pub metric: Metric,
    pub index: usize,
    pub step: &'a EscalationStep,
}

/// The clocks escalation watches for a ticket, with their targets in minutes.
fn watched(targets: Targets, facts: &Facts) -> Vec<(Metric, u32)> {
    let mut out = Vec::new();
    if facts.first_response_at.is_none()
        && let Some(m) = targets.first_response
    {
        out.push((Metric::FirstResponse, m));
    }
    if facts.state.is_open()
        && !facts.state.pauses_clocks()
        && let Some(m) = targets.update
    {
        out.push((Metric::Update, m));
    }
    if facts.state.is_open()
        && let Some(m) = targets.resolution
    {
        out.push((Metric::Resolution, m));
    }
    out
}

/// Where a target's clock starts: the update clock at the answer owed, the others at opening.
fn start(metric: Metric, facts: &Facts) -> OffsetDateTime {
    match metric {
        Metric::Update => facts.update_from,
        Metric::FirstResponse | Metric::Resolution => facts.created_at,
    }
}

/// When a step's share (`percent`) of the `minutes` of `metric`'s target is used up.
fn threshold(
    calendar: &Calendar,
    facts: &Facts,
    metric: Metric,
    minutes: u32,
    percent: u16,
) -> Option<OffsetDateTime> {
    let share = u64::from(minutes) * u64::from(percent) / 100;
    calendar.due(
        start(metric, facts),
        u32::try_from(share).unwrap_or(u32::MAX),
        &facts.pauses,
    )
}

/// The steps due at `now` that have not been taken (`taken` holds target and index): per
/// target, those that fell due last are to take, the earlier ones to pass over.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Due<'a> {
    pub take: Vec<DueStep<'a>>,
    pub pass_over: Vec<DueStep<'a>>,
}

/// What is due at `now`: see [`Due`].
pub fn due_steps<'a>(
    steps: &'a [EscalationStep],
    targets: Targets,
    calendar: &Calendar,
    facts: &Facts,
    now: OffsetDateTime,
    taken: &[(Metric, usize)],
) -> Due<'a> {
    let working = calendar.is_working(now);
    let mut due = Due::default();
    for (metric, minutes) in watched(targets, facts) {
        // A step below the highest one taken (an `always` step taken at night) is passed over:
        // the ticket does not escalate back down when the working time begins.
        let reached = taken
            .iter()
            .filter(|(m, _)| *m == metric)
            .filter_map(|(_, index)| steps.get(*index))
            .map(|step| step.percent)
            .max();
        let open = steps
            .iter()
            .enumerate()
            .filter(|(index, _)| !taken.contains(&(metric, *index)));
        let (below, open): (Vec<_>, Vec<_>) =
            open.partition(|(_, step)| reached.is_some_and(|r| step.percent < r));
        due.pass_over
            .extend(below.into_iter().map(|(index, step)| DueStep {
                metric,
                index,
                step,
            }));
        let fallen: Vec<(OffsetDateTime, DueStep<'a>)> = open
            .into_iter()
            .filter(|(_, step)| working || step.always)
            .filter_map(|(index, step)| {
                threshold(calendar, facts, metric, minutes, step.percent)
                    .filter(|at| *at <= now)
                    .map(|at| {
                        (
                            at,
                            DueStep {
                                metric,
                                index,
                                step,
                            },
                        )
                    })
            })
            .collect();
        let Some(latest) = fallen.iter().map(|(at, _)| *at).max() else {
            continue;
        };
        for (at, step) in fallen {
            if at == latest {
                due.take.push(step);
            } else {
                due.pass_over.push(step);
            }
        }
    }
    due
}

/// When the next step not taken falls due (the scheduler's next look at the ticket).
pub fn next_step_at(
    steps: &[EscalationStep],
    targets: Targets,
    calendar: &Calendar,
    facts: &Facts,
    taken: &[(Metric, usize)],
) -> Option<OffsetDateTime> {
    watched(targets, facts)
        .into_iter()
        .flat_map(|(metric, minutes)| {
            steps
                .iter()
                .enumerate()
                .filter(move |(index, _)| !taken.contains(&(metric, *index)))
                .filter_map(move |(_, step)| {
                    threshold(calendar, facts, metric, minutes, step.percent)
                })
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::State;
    use tandem_service_levels::agreement::parse_escalation;
    use tandem_service_levels::calendar::{CalendarDraft, Pause};
    use time::macros::datetime;

    fn office() -> Calendar {
        let day = "08:00-18:00";
        CalendarDraft {
            time_zone: "UTC".into(),
            week: [day, day, day, day, day, "", ""].map(str::to_owned),
            holidays: String::new(),
        }
        .validate()
        .unwrap()
    }

    fn setup() -> (Vec<EscalationStep>, Targets, Facts) {
        let steps = parse_escalation(
            "escalation",
            "80% notify assignee\n100% notify maria@alpha.example\n100% raise support level\n200% notify erik@alpha.example always",
        )
        .unwrap();
        let targets = Targets {
            first_response: Some(30),
            update: None,
            resolution: Some(240),
        };
        let created = datetime!(2026-11-23 08:00 UTC);
        let facts = Facts {
            state: State::New,
            created_at: created,
            pauses: Vec::new(),
            first_response_at: Some(datetime!(2026-11-23 08:10 UTC)),
            update_from: created,
            resolved_at: None,
        };
        (steps, targets, facts)
    }

    #[test]
    fn steps_fire_at_their_share_of_the_target_once() {
        let (steps, targets, facts) = setup();
        let cal = office();
        assert_eq!(
            next_step_at(&steps, targets, &cal, &facts, &[]),
            Some(datetime!(2026-11-23 11:12 UTC)),
            "80 % of 4 h"
        );
        let at_noon = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-23 12:00 UTC),
            &[],
        );
        let fired: Vec<usize> = at_noon.take.iter().map(|d| d.index).collect();
        assert_eq!(fired, [1, 2], "both 100 % steps");
        let passed: Vec<usize> = at_noon.pass_over.iter().map(|d| d.index).collect();
        assert_eq!(
            passed,
            [0],
            "80 % fell due earlier: passed over, not taken now"
        );
        assert!(
            at_noon.take.iter().all(|d| d.metric == Metric::Resolution),
            "the response came in time"
        );
        let taken: Vec<(Metric, usize)> = at_noon
            .take
            .iter()
            .chain(&at_noon.pass_over)
            .map(|d| (d.metric, d.index))
            .collect();
        assert_eq!(
            due_steps(
                &steps,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-23 12:00 UTC),
                &taken
            ),
            Due::default()
        );
        assert_eq!(
            next_step_at(&steps, targets, &cal, &facts, &taken),
            Some(datetime!(2026-11-23 16:00 UTC)),
            "200 %: 8 working hours after opening"
        );
    }

    #[test]
    fn nothing_fires_outside_working_time_unless_the_step_says_always() {
        let (steps, targets, facts) = setup();
        let cal = office();
        let taken = [
            (Metric::Resolution, 0),
            (Metric::Resolution, 1),
            (Metric::Resolution, 2),
        ];
        // Saturday: the 200 % step (always) fires, nothing else would.
        let saturday = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-28 10:00 UTC),
            &taken,
        );
        assert_eq!(saturday.take.len(), 1);
        assert_eq!(saturday.take[0].index, 3);
        let (mut quiet, targets, facts) = setup();
        quiet[3].always = false;
        assert_eq!(
            due_steps(
                &quiet,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-28 10:00 UTC),
                &taken
            ),
            Due::default()
        );
    }

    #[test]
    fn steps_missed_while_the_server_was_down_are_taken_once_the_latest_per_target() {
        let (steps, targets, mut facts) = setup();
        let cal = office();
        facts.first_response_at = None;
        // Back on Wednesday: every step of both targets fell due long ago.
        let due = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-25 10:00 UTC),
            &[],
        );
        let taken: Vec<(Metric, u16)> = due
            .take
            .iter()
            .map(|d| (d.metric, d.step.percent))
            .collect();
        assert_eq!(
            taken,
            [(Metric::FirstResponse, 200), (Metric::Resolution, 200)],
            "one step per target, the latest"
        );
        assert_eq!(
            due.pass_over.len(),
            6,
            "the other three steps of each target"
        );

        // At night only the `always` step is taken; in the morning the lower steps are passed
        // over, not taken after it.
        let night = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-23 20:00 UTC),
            &[],
        );
        assert_eq!(night.take.len(), 2, "200 % always, both targets");
        assert!(
            night.pass_over.is_empty(),
            "the others wait for the morning"
        );
        let taken: Vec<(Metric, usize)> = night.take.iter().map(|d| (d.metric, d.index)).collect();
        let morning = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-24 08:00 UTC),
            &taken,
        );
        assert!(morning.take.is_empty(), "{morning:?}");
        assert_eq!(morning.pass_over.len(), 6);
    }

    #[test]
    fn the_update_clock_escalates_from_the_answer_owed() {
        let (steps, mut targets, mut facts) = setup();
        let cal = office();
        targets.update = Some(60);
        facts.state = State::InProgress;
        // The customer wrote at 10:00; the answer is owed within an hour.
        facts.update_from = datetime!(2026-11-23 10:00 UTC);
        let at_1050 = due_steps(
            &steps,
            targets,
            &cal,
            &facts,
            datetime!(2026-11-23 10:50 UTC),
            &[],
        )
        .take;
        assert_eq!(at_1050.len(), 1);
        assert_eq!((at_1050[0].metric, at_1050[0].index), (Metric::Update, 0));
        assert_eq!(
            next_step_at(&steps, targets, &cal, &facts, &[(Metric::Update, 0)]),
            Some(datetime!(2026-11-23 11:00 UTC)),
            "100 % of the hour"
        );
        facts.state = State::WaitingForSupplier;
        assert!(
            due_steps(
                &steps,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-23 10:50 UTC),
                &[]
            )
            .take
            .iter()
            .all(|d| d.metric != Metric::Update),
            "no update is owed while waiting"
        );
    }

    #[test]
    fn a_resolved_or_waiting_ticket_does_not_escalate() {
        let (steps, targets, mut facts) = setup();
        let cal = office();
        facts.state = State::WaitingForCustomer;
        facts.pauses = vec![Pause {
            from: datetime!(2026-11-23 09:00 UTC),
            until: None,
        }];
        assert_eq!(
            next_step_at(&steps, targets, &cal, &facts, &[]),
            None,
            "the clock stands still, so do the steps"
        );
        facts.state = State::Resolved;
        assert_eq!(
            due_steps(
                &steps,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-25 12:00 UTC),
                &[]
            ),
            Due::default()
        );
    }
}
