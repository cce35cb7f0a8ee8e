//! Baselines: a named set of CIs recorded as they were at one moment and never edited after
//! (an ISO 27001 secure baseline, say), and the comparison of those recorded CIs with the
//! CIs as they are now. Pure: the caller loads both sides; nothing here reads a database, a
//! clock or a file.
//!
//! Each CI of either side becomes one [`Line`] that says how it drifted: changed (with the
//! field-by-field difference of [`version::diff`](crate::version::diff)), retired since,
//! removed, newly in scope, or unchanged.

use std::collections::{HashMap, HashSet};

use crate::ci::{CiId, Lifecycle};
use crate::version::{Diff, Snapshot, diff};

/// One CI as the baseline recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineItem {
    pub ci_id: CiId,
    /// `CI-000012 mgmt-de-01`, as the CI was called when the baseline was taken.
    pub reference: String,
    pub version: i64,
    pub snapshot: Snapshot,
}

/// One CI as it is now: in the baseline's scope today, or recorded by the baseline and still
/// existing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentItem {
    pub ci_id: CiId,
    /// `CI-000012 mgmt-de-01`, as the CI is called now.
    pub reference: String,
    pub version: i64,
    pub lifecycle: Lifecycle,
    pub snapshot: Snapshot,
}

/// How a CI differs from the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    Unchanged,
    /// The fields that differ, from the baseline's value to today's.
    Changed(Diff),
    /// Retired since the baseline was taken (whatever else changed).
    Retired,
    /// In the baseline, but the CI no longer exists.
    Removed,
    /// In the scope now, but not in the baseline.
    Added,
}

impl Drift {
    /// Where lines of this kind come in a report: drift first, the unchanged last.
    fn rank(&self) -> u8 {
        match self {
            Self::Changed(_) => 0,
            Self::Retired => 1,
            Self::Removed => 2,
            Self::Added => 3,
            Self::Unchanged => 4,
        }
    }
}

/// One CI of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub ci_id: CiId,
    /// Today's reference when the CI still exists, else the baseline's.
    pub reference: String,
    /// The version the baseline recorded; none for an added CI.
    pub baseline_version: Option<i64>,
    /// The version today; none for a removed CI.
    pub current_version: Option<i64>,
    pub drift: Drift,
}

/// How many lines of each kind a comparison has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub unchanged: usize,
    pub changed: usize,
    pub retired: usize,
    pub removed: usize,
    pub added: usize,
}

/// Compares the CIs `baseline` recorded with the CIs as they are `current`ly: one line per
/// CI, the drifted ones first (changed, retired, removed, added), then the unchanged, each
/// group in the order of its references.
///
/// A CI counts as retired only when it was not retired already in the baseline; one that was
/// recorded retired and still is compares like any other.
pub fn compare(baseline: &[BaselineItem], current: &[CurrentItem]) -> Vec<Line> {
    let today: HashMap<CiId, &CurrentItem> = current.iter().map(|c| (c.ci_id, c)).collect();
    let recorded: HashSet<CiId> = baseline.iter().map(|b| b.ci_id).collect();

    let mut lines: Vec<Line> = baseline
        .iter()
        .map(|then| match today.get(&then.ci_id) {
            None => Line {
                ci_id: then.ci_id,
                reference: then.reference.clone(),
                baseline_version: Some(then.version),
                current_version: None,
                drift: Drift::Removed,
            },
            Some(now) => Line {
                ci_id: then.ci_id,
                reference: now.reference.clone(),
                baseline_version: Some(then.version),
                current_version: Some(now.version),
                drift: drift(then, now),
            },
        })
        .collect();
    let mut added: HashSet<CiId> = HashSet::new();
    lines.extend(
        current
            .iter()
            .filter(|now| !recorded.contains(&now.ci_id) && added.insert(now.ci_id))
            .map(|now| Line {
                ci_id: now.ci_id,
                reference: now.reference.clone(),
                baseline_version: None,
                current_version: Some(now.version),
                drift: Drift::Added,
            }),
    );
    lines.sort_by(|a, b| {
        a.drift
            .rank()
            .cmp(&b.drift.rank())
            .then_with(|| a.reference.cmp(&b.reference))
            .then_with(|| a.ci_id.cmp(&b.ci_id))
    });
    lines
}

fn drift(then: &BaselineItem, now: &CurrentItem) -> Drift {
    let retired_then = then
        .snapshot
        .get("lifecycle")
        .is_some_and(|word| word == Lifecycle::Retired.as_str());
    if now.lifecycle == Lifecycle::Retired && !retired_then {
        return Drift::Retired;
    }
    let changes = diff(&then.snapshot, &now.snapshot);
    if changes.is_empty() {
        Drift::Unchanged
    } else {
        Drift::Changed(changes)
    }
}

/// Counts the lines of a comparison by kind of drift.
pub fn summary(lines: &[Line]) -> Summary {
    let mut summary = Summary::default();
    for line in lines {
        let count = match line.drift {
            Drift::Unchanged => &mut summary.unchanged,
            Drift::Changed(_) => &mut summary.changed,
            Drift::Retired => &mut summary.retired,
            Drift::Removed => &mut summary.removed,
            Drift::Added => &mut summary.added,
        };
        *count += 1;
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(pairs: &[(&str, &str)]) -> Snapshot {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn id(n: u128) -> CiId {
        CiId(uuid::Uuid::from_u128(n))
    }

    fn then(n: u128, name: &str, pairs: &[(&str, &str)]) -> BaselineItem {
        BaselineItem {
            ci_id: id(n),
            reference: format!("CI-{n:06} {name}"),
            version: 3,
            snapshot: snap(pairs),
        }
    }

    fn now(n: u128, name: &str, lifecycle: Lifecycle, pairs: &[(&str, &str)]) -> CurrentItem {
        CurrentItem {
            ci_id: id(n),
            reference: format!("CI-{n:06} {name}"),
            version: 5,
            lifecycle,
            snapshot: snap(pairs),
        }
    }

    const PROD: &[(&str, &str)] = &[("lifecycle", "production"), ("owner", "Maria Schmidt")];

    #[test]
    fn an_untouched_ci_is_unchanged_and_a_changed_one_shows_its_difference() {
        let baseline = [
            then(1, "mgmt-de-01", PROD),
            then(
                2,
                "mgmt-de-02",
                &[("lifecycle", "production"), ("os", "12.8")],
            ),
        ];
        let current = [
            now(1, "mgmt-de-01", Lifecycle::Production, PROD),
            now(
                2,
                "mgmt-de-02",
                Lifecycle::Production,
                &[("lifecycle", "production"), ("os", "12.9")],
            ),
        ];
        let lines = compare(&baseline, &current);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].ci_id, id(2));
        assert_eq!(
            lines[0].drift,
            Drift::Changed(Diff::from([(
                "os".to_owned(),
                ("12.8".into(), "12.9".into())
            )]))
        );
        assert_eq!(lines[0].baseline_version, Some(3));
        assert_eq!(lines[0].current_version, Some(5));
        assert_eq!(lines[1].ci_id, id(1));
        assert_eq!(lines[1].drift, Drift::Unchanged);
    }

    #[test]
    fn retired_wins_over_other_differences_but_only_when_retired_since() {
        let baseline = [
            then(1, "old-fw", PROD),
            then(2, "gone-long-ago", &[("lifecycle", "retired")]),
        ];
        let current = [
            now(
                1,
                "old-fw",
                Lifecycle::Retired,
                &[("lifecycle", "retired"), ("owner", "Jonas Braun")],
            ),
            now(
                2,
                "gone-long-ago",
                Lifecycle::Retired,
                &[("lifecycle", "retired")],
            ),
        ];
        let lines = compare(&baseline, &current);
        assert_eq!(lines[0].ci_id, id(1));
        assert_eq!(lines[0].drift, Drift::Retired);
        assert_eq!(lines[1].ci_id, id(2));
        assert_eq!(lines[1].drift, Drift::Unchanged);
    }

    #[test]
    fn removed_and_added_cis_have_one_version_only() {
        let baseline = [then(7, "deleted-vm", PROD)];
        let current = [now(9, "new-vm", Lifecycle::Planned, PROD)];
        let lines = compare(&baseline, &current);
        assert_eq!(
            lines,
            [
                Line {
                    ci_id: id(7),
                    reference: "CI-000007 deleted-vm".to_owned(),
                    baseline_version: Some(3),
                    current_version: None,
                    drift: Drift::Removed,
                },
                Line {
                    ci_id: id(9),
                    reference: "CI-000009 new-vm".to_owned(),
                    baseline_version: None,
                    current_version: Some(5),
                    drift: Drift::Added,
                },
            ]
        );
    }

    #[test]
    fn lines_come_by_kind_of_drift_then_by_reference() {
        let baseline = [
            then(1, "a-unchanged", PROD),
            then(2, "b-removed", PROD),
            then(3, "c-changed", PROD),
            then(4, "d-retired", PROD),
            then(5, "e-changed", PROD),
        ];
        let edited = &[("lifecycle", "maintenance"), ("owner", "Maria Schmidt")];
        let current = [
            now(5, "e-changed", Lifecycle::Maintenance, edited),
            now(6, "f-added", Lifecycle::Production, PROD),
            now(4, "d-retired", Lifecycle::Retired, PROD),
            now(3, "c-changed", Lifecycle::Maintenance, edited),
            now(1, "a-unchanged", Lifecycle::Production, PROD),
        ];
        let order: Vec<u128> = compare(&baseline, &current)
            .iter()
            .map(|l| l.ci_id.0.as_u128())
            .collect();
        assert_eq!(order, [3, 5, 4, 2, 6, 1]);
    }

    #[test]
    fn the_reference_is_todays_name_when_the_ci_was_renamed() {
        let baseline = [then(1, "old-name", &[("name", "old-name")])];
        let current = [now(
            1,
            "new-name",
            Lifecycle::Production,
            &[("name", "new-name")],
        )];
        let lines = compare(&baseline, &current);
        assert_eq!(lines[0].reference, "CI-000001 new-name");
        assert!(matches!(&lines[0].drift, Drift::Changed(d) if d.contains_key("name")));
    }

    #[test]
    fn the_summary_counts_each_kind() {
        let baseline = [
            then(1, "same", PROD),
            then(2, "gone", PROD),
            then(3, "edited", PROD),
            then(4, "retired", PROD),
        ];
        let current = [
            now(1, "same", Lifecycle::Production, PROD),
            now(
                3,
                "edited",
                Lifecycle::Production,
                &[("owner", "Lena Wolf")],
            ),
            now(4, "retired", Lifecycle::Retired, PROD),
            now(5, "new", Lifecycle::Production, PROD),
            now(6, "new too", Lifecycle::Production, PROD),
        ];
        assert_eq!(
            summary(&compare(&baseline, &current)),
            Summary {
                unchanged: 1,
                changed: 1,
                retired: 1,
                removed: 1,
                added: 2,
            }
        );
        assert_eq!(summary(&[]), Summary::default());
    }
}
