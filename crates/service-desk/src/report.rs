//! The monthly service-level report of a customer, without I/O: tickets by kind and priority,
//! first-response and resolution targets met and missed, the breaches with how late they were,
//! the time spent (billable and not), and the penalty the agreement sets for the missed targets.
//!
//! A target counts in the month the ticket was opened. A first response is met when the first
//! agent answer came by its due time; a resolution when the ticket was resolved by its due time.
//! A target not yet met counts as missed once its due time has passed, late by the time since,
//! and as pending before: the report is worked out as of the moment it is asked for, so the
//! report of a month that has not ended says so and counts nothing that is not yet due.

use std::collections::BTreeMap;

use tandem_kernel::FieldError;
use tandem_service_levels::agreement::Penalties;
use time::{Date, Month, OffsetDateTime};

use crate::records::Ticket;

/// A calendar month, as `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportMonth {
    pub year: i32,
    pub month: Month,
}

impl ReportMonth {
    /// Reads the month in `field`, written `YYYY-MM`, from 2000 to the last of the kernel's
    /// accepted years ([`tandem_kernel::clock::ACCEPTED_YEARS`]).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let last = *tandem_kernel::clock::ACCEPTED_YEARS.end();
        let refused = || {
            FieldError::new(
                field,
                format!("must be a month as YYYY-MM, from 2000-01 to {last}-12"),
            )
        };
        let (year, month) = raw.trim().split_once('-').ok_or_else(refused)?;
        let month = month
            .parse::<u8>()
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or_else(refused)?;
        let year = year
            .parse()
            .ok()
            .filter(|y| (2000..=last).contains(y))
            .ok_or_else(refused)?;
        Ok(Self { year, month })
    }

    /// The month of `at` (UTC).
    pub fn of(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(time::UtcOffset::UTC);
        Self {
            year: utc.year(),
            month: utc.month(),
        }
    }

    /// The first instant of the month and of the next one (UTC).
    pub fn bounds(self) -> (OffsetDateTime, OffsetDateTime) {
        let first = Date::from_calendar_date(self.year, self.month, 1)
            .expect("the first of a month exists");
        let next = if self.month == Month::December {
            Date::from_calendar_date(self.year + 1, Month::January, 1)
        } else {
            Date::from_calendar_date(self.year, self.month.next(), 1)
        }
        .expect("the first of a month exists");
        (first.midnight().assume_utc(), next.midnight().assume_utc())
    }
}

impl std::fmt::Display for ReportMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month as u8)
    }
}

/// How one target of one ticket turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met,
    /// Missed by so many minutes (up to the moment of the report while still open).
    Missed(i64),
    /// Not met yet and not due yet.
    Pending,
    /// No target.
    None,
}

fn outcome(
    due: Option<OffsetDateTime>,
    done: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Outcome {
    match (due, done) {
        (None, _) => Outcome::None,
        (Some(due), Some(done)) if done <= due => Outcome::Met,
        (Some(due), Some(done)) => Outcome::Missed((done - due).whole_minutes()),
        (Some(due), None) if due < now => Outcome::Missed((now - due).whole_minutes()),
        (Some(_), None) => Outcome::Pending,
    }
}

impl Outcome {
    /// How the outcome reads in the CSV export.
    pub fn describe(self) -> String {
        match self {
            Self::Met => "met".to_owned(),
            Self::Missed(late) => format!("missed by {late} min"),
            Self::Pending => "pending".to_owned(),
            Self::None => String::new(),
        }
    }
}

/// How each target of `ticket` stands at `now`: first response, resolution.
pub fn outcomes(now: OffsetDateTime, ticket: &Ticket) -> (Outcome, Outcome) {
    let resolved = ticket.resolved_at.filter(|_| !ticket.state.is_open());
    (
        outcome(ticket.response_due, ticket.first_response_at, now),
        outcome(ticket.resolution_due, resolved, now),
    )
}

/// A missed target in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub ticket: String,
    pub title: String,
    /// `first response` or `resolution`.
    pub target: &'static str,
    pub minutes_late: i64,
}

/// Time worked, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeSpent {
    pub billable: i64,
    pub not_billable: i64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// (kind, priority) → number of tickets opened.
    pub by_kind_and_priority: BTreeMap<(String, String), u32>,
    pub tickets: u32,
    pub response_met: u32,
    pub response_missed: u32,
    pub resolution_met: u32,
    pub resolution_missed: u32,
    pub pending: u32,
    pub breaches: Vec<Breach>,
    pub time: TimeSpent,
    /// The penalty in cents for the missed targets, when an agreement with a fee applies.
    pub penalty_cents: u64,
    /// The moment the report was worked out.
    pub as_of: OffsetDateTime,
    /// Whether the month had ended by then; if not, the figures (and the penalty) may change.
    pub month_ended: bool,
}

/// Builds the report of `tickets` (those opened in the month) and `time` (billable flag and
/// minutes of entries worked in the month), with `penalties` of the customer's SLA, as it
/// stands at `now`.
pub fn build(
    month: ReportMonth,
    now: OffsetDateTime,
    tickets: &[Ticket],
    time: &[(bool, i64)],
    penalties: Option<Penalties>,
) -> Report {
    let mut report = Report {
        by_kind_and_priority: BTreeMap::new(),
        tickets: 0,
        response_met: 0,
        response_missed: 0,
        resolution_met: 0,
        resolution_missed: 0,
        pending: 0,
        breaches: Vec::new(),
        time: TimeSpent::default(),
        penalty_cents: 0,
        as_of: now,
        month_ended: month.bounds().1 <= now,
    };
    for t in tickets {
        report.tickets += 1;
        *report
            .by_kind_and_priority
            .entry((t.kind.label().to_owned(), t.priority.label().to_owned()))
            .or_default() += 1;
        let (response, resolution) = outcomes(now, t);
        for (target, result) in [("first response", response), ("resolution", resolution)] {
            match result {
                Outcome::Met if target == "first response" => report.response_met += 1,
                Outcome::Met => report.resolution_met += 1,
                Outcome::Missed(late) => {
                    if target == "first response" {
                        report.response_missed += 1;
                    } else {
                        report.resolution_missed += 1;
                    }
                    report.breaches.push(Breach {
                        ticket: t.display_number(),
                        title: t.title.clone(),
                        target,
                        minutes_late: late,
                    });
                }
                Outcome::Pending => report.pending += 1,
                Outcome::None => {}
            }
        }
    }
    for (billable, minutes) in time {
        if *billable {
            report.time.billable += minutes;
        } else {
            report.time.not_billable += minutes;
        }
    }
    report.penalty_cents = penalties
        .map(|p| {
            p.of_month(
                report.response_missed + report.resolution_missed,
                None,
                None,
            )
        })
        .unwrap_or(0);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::TicketId;
    use crate::ticket::{Level, State, TicketKind};
    use tandem_service_levels::agreement::{BasisPoints, Priority};
    use time::macros::datetime;

    fn ticket(
        number: i64,
        due: (OffsetDateTime, OffsetDateTime),
        done: (Option<OffsetDateTime>, Option<OffsetDateTime>),
        state: State,
    ) -> Ticket {
        Ticket {
            id: TicketId::generate(),
            number,
            kind: TicketKind::Incident,
            title: format!("Ticket {number}"),
            state,
            impact: Level::High,
            urgency: Level::High,
            priority: Priority::P1,
            organisation: (
                tandem_directory::OrganisationId(uuid::Uuid::nil()),
                "Beta".into(),
            ),
            requester: None,
            service: None,
            agreement: None,
            team: None,
            assignee: None,
            support_level: 1,
            category: String::new(),
            affected_items: String::new(),
            known_error: String::new(),
            workaround: String::new(),
            created_at: datetime!(2026-11-02 09:00 UTC),
            updated_at: datetime!(2026-11-02 09:00 UTC),
            first_response_at: done.0,
            resolved_at: done.1,
            closed_at: None,
            response_due: Some(due.0),
            update_due: None,
            resolution_due: Some(due.1),
            escalation_at: None,
            escalation: None,
            version: 1,
        }
    }

    #[test]
    fn targets_are_counted_with_how_late_they_were_and_the_penalty() {
        let due = (
            datetime!(2026-11-02 09:30 UTC),
            datetime!(2026-11-02 13:00 UTC),
        );
        let tickets = [
            ticket(
                1,
                due,
                (
                    Some(datetime!(2026-11-02 09:10 UTC)),
                    Some(datetime!(2026-11-02 12:00 UTC)),
                ),
                State::Resolved,
            ),
            ticket(
                2,
                due,
                (
                    Some(datetime!(2026-11-02 10:00 UTC)),
                    Some(datetime!(2026-11-03 13:00 UTC)),
                ),
                State::Closed,
            ),
            ticket(
                3,
                due,
                (Some(datetime!(2026-11-02 09:20 UTC)), None),
                State::InProgress,
            ),
            ticket(
                4,
                (
                    datetime!(2026-12-01 09:30 UTC),
                    datetime!(2026-12-02 13:00 UTC),
                ),
                (None, None),
                State::New,
            ),
        ];
        let penalties = Penalties {
            monthly_fee_cents: Some(1_200_000),
            per_missed_target: Some(BasisPoints(200)),
            per_tenth_below_availability: None,
            cap: Some(BasisPoints(3000)),
        };
        let month = ReportMonth::parse("month", "2026-11").unwrap();
        let report = build(
            month,
            datetime!(2026-12-01 00:00 UTC),
            &tickets,
            &[(true, 90), (false, 30), (true, 15)],
            Some(penalties),
        );
        assert_eq!(report.tickets, 4);
        assert_eq!((report.response_met, report.response_missed), (2, 1));
        assert_eq!((report.resolution_met, report.resolution_missed), (1, 2));
        assert_eq!(report.pending, 2, "ticket 4's targets fall due in December");
        assert!(report.month_ended);
        assert_eq!(
            report.breaches[0],
            Breach {
                ticket: "T-000002".into(),
                title: "Ticket 2".into(),
                target: "first response",
                minutes_late: 30
            }
        );
        assert_eq!(
            report.breaches[1].minutes_late,
            24 * 60,
            "resolved a day late"
        );
        assert_eq!(
            report.breaches[2].ticket, "T-000003",
            "still open at the end of the month"
        );
        assert_eq!(
            report.time,
            TimeSpent {
                billable: 105,
                not_billable: 30
            }
        );
        assert_eq!(
            report.penalty_cents, 72_000,
            "3 missed targets × 2 % of 12,000"
        );
        assert_eq!(
            report.by_kind_and_priority[&("Incident".to_owned(), "P1 critical".to_owned())],
            4
        );
    }

    #[test]
    fn a_month_that_has_not_ended_counts_nothing_that_is_not_yet_due() {
        // Opened 30 minutes ago, first response due in 24 minutes: pending, not missed by the
        // hours left until the end of the month.
        let now = datetime!(2026-12-07 22:00 UTC);
        let open = ticket(
            5,
            (
                datetime!(2026-12-07 22:24 UTC),
                datetime!(2026-12-08 02:00 UTC),
            ),
            (None, None),
            State::New,
        );
        let late = ticket(
            6,
            (
                datetime!(2026-12-07 21:00 UTC),
                datetime!(2026-12-08 02:00 UTC),
            ),
            (None, None),
            State::New,
        );
        let penalties = Penalties {
            monthly_fee_cents: Some(1_200_000),
            per_missed_target: Some(BasisPoints(200)),
            per_tenth_below_availability: None,
            cap: None,
        };
        let month = ReportMonth::of(now);
        let report = build(month, now, &[open], &[], Some(penalties));
        assert_eq!((report.response_missed, report.resolution_missed), (0, 0));
        assert_eq!(report.pending, 2);
        assert!(report.breaches.is_empty());
        assert_eq!(report.penalty_cents, 0);
        assert!(!report.month_ended);
        assert_eq!(report.as_of, now);

        let report = build(month, now, &[late], &[], Some(penalties));
        assert_eq!((report.response_missed, report.pending), (1, 1));
        assert_eq!(
            report.breaches[0].minutes_late, 60,
            "late by the hour since it fell due, not until the end of the month"
        );
        assert_eq!(report.penalty_cents, 24_000);
    }

    #[test]
    fn months_are_read_and_bounded() {
        let month = ReportMonth::parse("month", "2026-12").unwrap();
        assert_eq!(
            month.bounds(),
            (
                datetime!(2026-12-01 00:00 UTC),
                datetime!(2027-01-01 00:00 UTC)
            )
        );
        assert_eq!(month.to_string(), "2026-12");
        for refused in ["2026-13", "November", "1999-12", "9001-01", "9999-12"] {
            let error = ReportMonth::parse("month", refused).unwrap_err();
            assert_eq!(
                error.message, "must be a month as YYYY-MM, from 2000-01 to 9000-12",
                "{refused}"
            );
        }
        assert_eq!(
            ReportMonth::of(datetime!(2026-11-23 08:00 UTC)).to_string(),
            "2026-11"
        );
    }
}
