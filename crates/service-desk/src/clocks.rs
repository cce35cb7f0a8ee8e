//! The SLA clocks of a ticket, without I/O: which agreement applies, and when the first
//! response, the next update and the resolution are due.
//!
//! The rules, in the words the documentation uses:
//!
//! - **Which agreement.** The SLA of the ticket's customer for the ticket's service; without
//!   one, the customer's SLA that names no service; without that, the customer's only SLA if
//!   they have exactly one; otherwise none (the ticket has no clocks). Among several that fit
//!   equally, the first by name.
//! - **Pauses.** The clocks stand still while the ticket waits for the customer or a supplier,
//!   and while it is resolved or closed; the intervals are stored, so the due times can be
//!   worked out again when the agreement changes.
//! - **First response** is due a target after creation and is met by the first article an
//!   agent writes for the customer to see, on any channel.
//! - **Update** is due a target after the clock's start: the latest answer an agent wrote for
//!   the customer, or, when the customer wrote since, the oldest of the customer's articles
//!   that are not answered yet. Only open tickets that are not waiting have an update due.
//! - **Resolution** is due a target after creation; the clock stops when the ticket is
//!   resolved and goes on if it is reopened.

use tandem_service_levels::agreement::{AgreementKind, Targets};
use tandem_service_levels::calendar::{Calendar, Pause};
use time::OffsetDateTime;

use crate::ticket::State;

/// An agreement as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<Id> {
    pub id: Id,
    pub name: String,
    pub kind: AgreementKind,
    pub organisation: Option<uuid::Uuid>,
    pub service: Option<uuid::Uuid>,
}

/// The agreement that applies to a ticket of `organisation` for `service`.
pub fn applicable<Id: Clone>(
    candidates: &[Candidate<Id>],
    organisation: uuid::Uuid,
    service: Option<uuid::Uuid>,
) -> Option<Id> {
    let mut slas: Vec<&Candidate<Id>> = candidates
        .iter()
        .filter(|c| c.kind == AgreementKind::Sla && c.organisation == Some(organisation))
        .collect();
    slas.sort_by(|a, b| a.name.cmp(&b.name));
    let for_service = service.and_then(|s| slas.iter().find(|c| c.service == Some(s)));
    let only = (slas.len() == 1).then(|| &slas[0]);
    for_service
        .or_else(|| slas.iter().find(|c| c.service.is_none()))
        .or(only)
        .map(|c| c.id.clone())
}

/// The SLA whose penalties a customer's monthly report applies: the one that names no service,
/// else the first of the customer's SLAs by name.
pub fn customer_sla<Id: Clone>(
    candidates: &[Candidate<Id>],
    organisation: uuid::Uuid,
) -> Option<Id> {
    let mut slas: Vec<&Candidate<Id>> = candidates
        .iter()
        .filter(|c| c.kind == AgreementKind::Sla && c.organisation == Some(organisation))
        .collect();
    slas.sort_by(|a, b| a.name.cmp(&b.name));
    slas.iter()
        .find(|c| c.service.is_none())
        .or(slas.first())
        .map(|c| c.id.clone())
}

/// What a ticket's clocks depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub state: State,
    pub created_at: OffsetDateTime,
    /// The stored pause intervals; the last one is open while the ticket pauses.
    pub pauses: Vec<Pause>,
    pub first_response_at: Option<OffsetDateTime>,
    /// Where the update clock starts (see the module documentation).
    pub update_from: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
}

/// When each clock is due; `None`: no target, or the clock stands still.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clocks {
    pub response_due: Option<OffsetDateTime>,
    pub update_due: Option<OffsetDateTime>,
    pub resolution_due: Option<OffsetDateTime>,
}

impl Clocks {
    /// The earliest due time of a clock that still runs: when the scheduler looks again.
    pub fn next_escalation(&self, facts: &Facts) -> Option<OffsetDateTime> {
        let response = self
            .response_due
            .filter(|_| facts.first_response_at.is_none());
        let resolution = self.resolution_due.filter(|_| facts.state.is_open());
        [response, self.update_due, resolution]
            .into_iter()
            .flatten()
            .min()
    }
}

/// The due times of a ticket's clocks under `targets` and `calendar`. A resolved or closed
/// ticket keeps the due times it had when it was resolved (for reports: met or missed).
pub fn clocks(targets: Targets, calendar: &Calendar, facts: &Facts) -> Clocks {
    // The pause of being resolved (or closed) is the end of the clock, not a stop within it.
    let pauses: Vec<Pause> = if facts.state.is_open() {
        facts.pauses.clone()
    } else {
        facts
            .pauses
            .iter()
            .copied()
            .filter(|p| p.until.is_some())
            .collect()
    };
    let due = |minutes: Option<u32>, from: OffsetDateTime| {
        minutes.and_then(|m| calendar.due(from, m, &pauses))
    };
    Clocks {
        response_due: due(targets.first_response, facts.created_at),
        update_due: if facts.state.is_open() && !facts.state.pauses_clocks() {
            due(targets.update, facts.update_from)
        } else {
            None
        },
        resolution_due: due(targets.resolution, facts.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn targets() -> Targets {
        Targets {
            first_response: Some(30),
            update: Some(120),
            resolution: Some(240),
        }
    }

    fn facts(state: State) -> Facts {
        let created = datetime!(2026-11-23 08:00 UTC);
        Facts {
            state,
            created_at: created,
            pauses: Vec::new(),
            first_response_at: None,
            update_from: created,
            resolved_at: None,
        }
    }

    #[test]
    fn the_customers_sla_for_the_service_wins_then_the_general_one() {
        let (beta, gamma) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let (video, servers) = (uuid::Uuid::from_u128(10), uuid::Uuid::from_u128(11));
        let c = |id: u32, name: &str, kind, organisation, service| Candidate {
            id,
            name: name.into(),
            kind,
            organisation,
            service,
        };
        let all = [
            c(1, "Beta general", AgreementKind::Sla, Some(beta), None),
            c(2, "Beta video", AgreementKind::Sla, Some(beta), Some(video)),
            c(3, "Beta video OLA", AgreementKind::Ola, None, Some(video)),
            c(
                4,
                "A Beta video too",
                AgreementKind::Sla,
                Some(beta),
                Some(video),
            ),
        ];
        assert_eq!(
            applicable(&all, beta, Some(video)),
            Some(4),
            "first by name"
        );
        assert_eq!(applicable(&all, beta, Some(servers)), Some(1));
        assert_eq!(applicable(&all, beta, None), Some(1));
        assert_eq!(applicable(&all, gamma, Some(video)), None);
    }

    #[test]
    fn a_new_ticket_has_every_clock() {
        let f = facts(State::New);
        let c = clocks(targets(), &office(), &f);
        assert_eq!(c.response_due, Some(datetime!(2026-11-23 08:30 UTC)));
        assert_eq!(c.update_due, Some(datetime!(2026-11-23 10:00 UTC)));
        assert_eq!(c.resolution_due, Some(datetime!(2026-11-23 12:00 UTC)));
        assert_eq!(c.next_escalation(&f), Some(datetime!(2026-11-23 08:30 UTC)));
    }

    #[test]
    fn waiting_for_the_customer_stops_the_clocks() {
        let mut f = facts(State::WaitingForCustomer);
        f.first_response_at = Some(datetime!(2026-11-23 08:10 UTC));
        f.pauses = vec![Pause {
            from: datetime!(2026-11-23 09:00 UTC),
            until: None,
        }];
        let c = clocks(targets(), &office(), &f);
        assert_eq!(
            c.response_due,
            Some(datetime!(2026-11-23 08:30 UTC)),
            "due before the pause"
        );
        assert_eq!(c.update_due, None, "no update is owed while waiting");
        assert_eq!(c.resolution_due, None, "the resolution clock stands still");
        assert_eq!(c.next_escalation(&f), None);
        // The customer answers at 10:05: the clock goes on, an hour and five minutes later.
        f.state = State::InProgress;
        f.pauses[0].until = Some(datetime!(2026-11-23 10:05 UTC));
        f.update_from = datetime!(2026-11-23 10:05 UTC);
        let c = clocks(targets(), &office(), &f);
        assert_eq!(c.resolution_due, Some(datetime!(2026-11-23 13:05 UTC)));
        assert_eq!(c.update_due, Some(datetime!(2026-11-23 12:05 UTC)));
    }

    #[test]
    fn a_resolved_ticket_keeps_its_due_times_and_a_reopened_one_goes_on() {
        let mut f = facts(State::Resolved);
        f.resolved_at = Some(datetime!(2026-11-23 11:00 UTC));
        f.pauses = vec![Pause {
            from: datetime!(2026-11-23 11:00 UTC),
            until: None,
        }];
        let c = clocks(targets(), &office(), &f);
        assert_eq!(
            c.resolution_due,
            Some(datetime!(2026-11-23 12:00 UTC)),
            "met: resolved at 11:00"
        );
        assert_eq!(c.update_due, None);
        assert_eq!(
            c.next_escalation(&f),
            Some(datetime!(2026-11-23 08:30 UTC)),
            "the response is still owed"
        );
        // Reopened the next morning at 09:00: the hour left runs from there.
        f.state = State::InProgress;
        f.pauses[0].until = Some(datetime!(2026-11-24 09:00 UTC));
        let c = clocks(targets(), &office(), &f);
        assert_eq!(c.resolution_due, Some(datetime!(2026-11-24 10:00 UTC)));
    }
}
