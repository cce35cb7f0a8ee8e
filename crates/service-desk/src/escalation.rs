//! Escalation without I/O: which steps of an agreement's escalation are due for a ticket, and
//! when the scheduler has to look at the ticket next.
//!
//! A step applies to the first-response target (until the first response), to the update
//! target (while its clock runs: open and not waiting, counted from the last answer owed) and
//! to the resolution target (while the ticket is open); it is due when its share of the
//! target's working time is used, counted like the clock itself (pauses left out). Each step
//! of each target fires once per ticket, and once per cycle of the update clock: an agent's
//! answer starts a new cycle (the store forgets the update steps taken). A step that falls due outside the calendar's working time
//! waits for the working time to begin, unless it says `always`.

use tandem_service_levels::agreement::{EscalationStep, Metric, Targets};
use tandem_service_levels::calendar::{Calendar, Pause};
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

/// When a step's share of a target is used up.
fn threshold(
    calendar: &Calendar,
    from: OffsetDateTime,
    pauses: &[Pause],
    minutes: u32,
    percent: u16,
) -> Option<OffsetDateTime> {
    let share = u64::from(minutes) * u64::from(percent) / 100;
    calendar.due(from, u32::try_from(share).unwrap_or(u32::MAX), pauses)
}

/// The steps due at `now` that have not been taken (`taken` holds target and index).
pub fn due_steps<'a>(
    steps: &'a [EscalationStep],
    targets: Targets,
    calendar: &Calendar,
    facts: &Facts,
    now: OffsetDateTime,
    taken: &[(Metric, usize)],
) -> Vec<DueStep<'a>> {
    let working = calendar.is_working(now);
    let mut due = Vec::new();
    for (metric, minutes) in watched(targets, facts) {
        for (index, step) in steps.iter().enumerate() {
            if taken.contains(&(metric, index)) || !(working || step.always) {
                continue;
            }
            if threshold(
                calendar,
                start(metric, facts),
                &facts.pauses,
                minutes,
                step.percent,
            )
            .is_some_and(|at| at <= now)
            {
                due.push(DueStep {
                    metric,
                    index,
                    step,
                });
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
                    threshold(
                        calendar,
                        start(metric, facts),
                        &facts.pauses,
                        minutes,
                        step.percent,
                    )
                })
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::State;
    use tandem_service_levels::agreement::parse_escalation;
    use tandem_service_levels::calendar::CalendarDraft;
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
        let fired: Vec<usize> = at_noon.iter().map(|d| d.index).collect();
        assert_eq!(fired, [0, 1, 2], "80 % and both 100 % steps");
        assert!(
            at_noon.iter().all(|d| d.metric == Metric::Resolution),
            "the response came in time"
        );
        let taken: Vec<(Metric, usize)> = at_noon.iter().map(|d| (d.metric, d.index)).collect();
        assert!(
            due_steps(
                &steps,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-23 12:00 UTC),
                &taken
            )
            .is_empty()
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
        assert_eq!(saturday.len(), 1);
        assert_eq!(saturday[0].index, 3);
        let (mut quiet, targets, facts) = setup();
        quiet[3].always = false;
        assert!(
            due_steps(
                &quiet,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-28 10:00 UTC),
                &taken
            )
            .is_empty()
        );
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
        );
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
        assert!(
            due_steps(
                &steps,
                targets,
                &cal,
                &facts,
                datetime!(2026-11-25 12:00 UTC),
                &[]
            )
            .is_empty()
        );
    }
}
