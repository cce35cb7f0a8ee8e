//! The change calendar (forward schedule of change): the days a view shows, which changes fall
//! on a day, and the conflicts between changes whose windows overlap: on the same CI, or on
//! CIs one relation apart (a VM and its hypervisor, a service and what provides it).
//!
//! Pure: the caller reads the changes, their CIs and the relations between those CIs.

use std::collections::BTreeSet;

use tandem_cmdb::ci::CiId;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::change::number_text;

tandem_kernel::vocabulary!(
    /// How much of the calendar a page shows.
    View {
        Week = "week" / "Week",
        Day = "day" / "Day",
    }
);

/// The days `view` shows from `date`: seven days, or the day itself. The forward schedule looks
/// ahead, so a week starts on the day asked for (today, by default), not on a Monday.
pub fn days(view: View, date: Date) -> Vec<Date> {
    match view {
        View::Day => vec![date],
        View::Week => (0..7).map(|n| date + Duration::days(n)).collect(),
    }
}

/// The first instant of `day` and of the day after, in UTC.
pub fn bounds(day: Date) -> (OffsetDateTime, OffsetDateTime) {
    let start = day.with_time(Time::MIDNIGHT).assume_offset(UtcOffset::UTC);
    (start, start + Duration::days(1))
}

/// Whether the window `[start, end)` touches `day` (UTC).
pub fn on_day(start: OffsetDateTime, end: OffsetDateTime, day: Date) -> bool {
    let (from, to) = bounds(day);
    start < to && end > from
}

/// Whether a day falls on a weekend, for shading.
pub fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// A change's window and the CIs it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub number: i64,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// (id, `CI-000012 mgmt-de-01`).
    pub cis: Vec<(CiId, String)>,
}

/// How two changes in overlapping windows get in each other's way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConflictKind {
    /// Both work on the same CI: scheduling refuses this until it is acknowledged.
    SameCi,
    /// A CI of one is related to a CI of the other: a warning.
    Related,
    /// Together they take down a service or cluster that neither takes down alone (the
    /// redundancy each counts on is what the other takes away): a warning.
    Redundancy,
}

/// Two changes whose windows overlap, and why that matters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    pub first: i64,
    pub second: i64,
    pub kind: ConflictKind,
    /// `C-000003 and C-000005 both work on CI-000012 mgmt-de-01`.
    pub message: String,
}

/// The pairs of `slots` whose windows overlap and that share no CI, as indexes: the pairs
/// whose combined outage is worth asking impact analysis about.
pub fn overlapping(slots: &[Slot]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, a) in slots.iter().enumerate() {
        for (j, b) in slots.iter().enumerate().skip(i + 1) {
            let overlap = a.start < b.end && b.start < a.end;
            let shared = a
                .cis
                .iter()
                .any(|(id, _)| b.cis.iter().any(|(other, _)| other == id));
            if overlap && !shared {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

/// The redundancy conflict of two overlapping changes: what goes down when both run, less what
/// goes down when either runs alone. `alone` and `together` name the services and clusters
/// impact analysis finds down.
pub fn redundancy(
    first: &Slot,
    second: &Slot,
    alone: &BTreeSet<String>,
    together: &BTreeSet<String>,
) -> Option<Conflict> {
    let lost: Vec<&str> = together.difference(alone).map(String::as_str).collect();
    (!lost.is_empty()).then(|| Conflict {
        first: first.number,
        second: second.number,
        kind: ConflictKind::Redundancy,
        message: format!(
            "{} and {} together take down {}, which neither takes down alone",
            number_text(first.number),
            number_text(second.number),
            lost.join(", ")
        ),
    })
}

/// The conflicts among `slots`. `related` holds the pairs of CIs one relation apart (either
/// way round); each pair of changes is reported once, the same CI before relations.
pub fn conflicts(slots: &[Slot], related: &BTreeSet<(CiId, CiId)>) -> Vec<Conflict> {
    let mut found = Vec::new();
    for (i, a) in slots.iter().enumerate() {
        for b in &slots[i + 1..] {
            if !(a.start < b.end && b.start < a.end) {
                continue;
            }
            let pair = format!("{} and {}", number_text(a.number), number_text(b.number));
            let shared = a
                .cis
                .iter()
                .find(|(id, _)| b.cis.iter().any(|(other, _)| other == id));
            if let Some((_, name)) = shared {
                found.push(Conflict {
                    first: a.number,
                    second: b.number,
                    kind: ConflictKind::SameCi,
                    message: format!("{pair} both work on {name}"),
                });
                continue;
            }
            let near = a.cis.iter().find_map(|(x, x_name)| {
                b.cis
                    .iter()
                    .find(|(y, _)| related.contains(&(*x, *y)) || related.contains(&(*y, *x)))
                    .map(|(_, y_name)| (x_name, y_name))
            });
            if let Some((x, y)) = near {
                found.push(Conflict {
                    first: a.number,
                    second: b.number,
                    kind: ConflictKind::Related,
                    message: format!("{pair} work on related CIs at the same time: {x} and {y}"),
                });
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};
    use uuid::Uuid;

    fn slot(number: i64, start: OffsetDateTime, hours: i64, cis: &[u128]) -> Slot {
        Slot {
            number,
            start,
            end: start + Duration::hours(hours),
            cis: cis
                .iter()
                .map(|n| (CiId(Uuid::from_u128(*n)), format!("CI-{n:06} ci{n}")))
                .collect(),
        }
    }

    #[test]
    fn a_week_runs_seven_days_from_the_day_asked_and_a_day_is_itself() {
        let week = days(View::Week, date!(2026 - 12 - 10));
        assert_eq!(week.first(), Some(&date!(2026 - 12 - 10)));
        assert_eq!(week.last(), Some(&date!(2026 - 12 - 16)));
        assert!(is_weekend(week[2]) && is_weekend(week[3]) && !is_weekend(week[4]));
        assert_eq!(
            days(View::Day, date!(2026 - 12 - 10)),
            [date!(2026 - 12 - 10)]
        );
    }

    #[test]
    fn a_night_window_falls_on_both_days() {
        let start = datetime!(2026-12-10 22:00 UTC);
        let end = datetime!(2026-12-11 02:00 UTC);
        assert!(on_day(start, end, date!(2026 - 12 - 10)));
        assert!(on_day(start, end, date!(2026 - 12 - 11)));
        assert!(!on_day(start, end, date!(2026 - 12 - 12)));
        assert!(!on_day(
            start,
            datetime!(2026-12-11 00:00 UTC),
            date!(2026 - 12 - 11)
        ));
    }

    #[test]
    fn overlapping_changes_conflict_on_a_shared_ci_or_related_cis() {
        let at = datetime!(2026-12-10 22:00 UTC);
        let related = BTreeSet::from([(CiId(Uuid::from_u128(3)), CiId(Uuid::from_u128(4)))]);
        let slots = [
            slot(1, at, 2, &[1, 2]),
            slot(2, at + Duration::hours(1), 2, &[2]),
            slot(3, at, 1, &[4]),
            slot(4, at + Duration::hours(5), 1, &[1]),
            slot(5, at, 1, &[3]),
        ];
        let found = conflicts(&slots, &related);
        assert_eq!(
            found
                .iter()
                .map(|c| (c.first, c.second, c.kind))
                .collect::<Vec<_>>(),
            [(1, 2, ConflictKind::SameCi), (3, 5, ConflictKind::Related)]
        );
        assert_eq!(
            found[0].message,
            "C-000001 and C-000002 both work on CI-000002 ci2"
        );
        assert_eq!(overlapping(&slots), [(0, 2), (0, 4), (2, 4)]);
    }

    #[test]
    fn a_redundancy_conflict_names_only_what_both_together_take_down() {
        let at = datetime!(2026-12-10 22:00 UTC);
        let (a, b) = (slot(1, at, 1, &[1]), slot(2, at, 1, &[2]));
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
        let conflict = redundancy(
            &a,
            &b,
            &names(&["backup-cluster"]),
            &names(&["backup-cluster", "Login service", "login-cluster"]),
        )
        .unwrap();
        assert_eq!(conflict.kind, ConflictKind::Redundancy);
        assert_eq!(
            conflict.message,
            "C-000001 and C-000002 together take down Login service, login-cluster, which neither takes down alone"
        );
        assert_eq!(redundancy(&a, &b, &names(&["x"]), &names(&["x"])), None);
    }
}
