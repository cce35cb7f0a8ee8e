//! Versions of a CI: every configuration change makes a new version holding the whole record as
//! it then was (a snapshot), what differs from the version before, and why it changed. Pure.
//!
//! A snapshot is a flat map of readable field values (`owner` → `Maria Schmidt`,
//! `attributes.firmware` → `4.2.1`, `relation runs-on hv-cluster-de` → `CI-000004`), so that
//! history, comparisons and baselines read the same way to people and compare with one rule.

use std::collections::BTreeMap;

use tandem_kernel::FieldError;
use tandem_kernel::id::{ChangeId, TicketId};

/// A CI's record as it was at one version: field to readable value.
pub type Snapshot = BTreeMap<String, String>;

/// What changed from one snapshot to another: field to (before, after); a missing value is an
/// empty text.
pub type Diff = BTreeMap<String, (String, String)>;

/// The fields whose values differ between `before` and `after`.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Diff {
    let empty = String::new();
    before
        .keys()
        .chain(after.keys())
        .filter_map(|field| {
            let old = before.get(field).unwrap_or(&empty);
            let new = after.get(field).unwrap_or(&empty);
            (old != new).then(|| (field.clone(), (old.clone(), new.clone())))
        })
        .collect()
}

tandem_kernel::vocabulary!(
    /// Why a version was made.
    CauseKind {
        Manual = "manual" / "Recorded by hand",
        Ticket = "ticket" / "Ticket",
        Change = "change" / "Change",
        Import = "import" / "Import",
        Reconciliation = "reconciliation" / "Reconciliation",
    }
);

/// Why a CI changed: a ticket, a change, an import or a reconciliation, or a reason written by
/// hand. Every version has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub kind: CauseKind,
    pub ticket_id: Option<TicketId>,
    pub change_id: Option<ChangeId>,
    /// The words of the person or process (for a ticket or change: optional further words).
    pub reason: String,
}

/// A reason typed by hand must say something: at least this many characters.
pub const MIN_REASON: usize = 10;
const MAX_REASON: usize = 2000;

impl Cause {
    /// A change recorded by hand, with its reason.
    pub fn manual(reason: impl Into<String>) -> Self {
        Self {
            kind: CauseKind::Manual,
            ticket_id: None,
            change_id: None,
            reason: reason.into(),
        }
    }

    /// A change made while working ticket `id`.
    pub fn ticket(id: TicketId, reason: impl Into<String>) -> Self {
        Self {
            kind: CauseKind::Ticket,
            ticket_id: Some(id),
            change_id: None,
            reason: reason.into(),
        }
    }

    /// A change carried out by change `id`.
    pub fn change(id: ChangeId, reason: impl Into<String>) -> Self {
        Self {
            kind: CauseKind::Change,
            ticket_id: None,
            change_id: Some(id),
            reason: reason.into(),
        }
    }

    /// A change by a process that names itself (an import file, a reconciliation run).
    pub fn process(kind: CauseKind, what: impl Into<String>) -> Self {
        Self {
            kind,
            ticket_id: None,
            change_id: None,
            reason: what.into(),
        }
    }

    /// Reads the why of a form or request: a ticket (`T-000042` or its id is resolved by the
    /// caller into `ticket_id`), else a reason of at least [`MIN_REASON`] characters.
    pub fn from_input(ticket_id: Option<TicketId>, reason: &str) -> Result<Self, FieldError> {
        let reason = reason.trim();
        if reason.chars().count() > MAX_REASON {
            return Err(FieldError::new(
                "reason",
                format!("has at most {MAX_REASON} characters"),
            ));
        }
        match ticket_id {
            Some(id) => Ok(Self::ticket(id, reason)),
            None if reason.chars().count() >= MIN_REASON => Ok(Self::manual(reason)),
            None => Err(FieldError::new(
                "reason",
                format!(
                    "a change to a CI needs a reason: name the ticket it was made for, or write why (at least {MIN_REASON} characters)"
                ),
            )),
        }
    }
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

    #[test]
    fn diff_names_changed_added_and_removed_fields_only() {
        let before = snap(&[("name", "rt-de-01"), ("firmware", "7.1"), ("rack", "A3")]);
        let after = snap(&[
            ("name", "rt-de-01"),
            ("firmware", "7.2"),
            ("ip", "10.1.0.1"),
        ]);
        let d = diff(&before, &after);
        assert_eq!(d.len(), 3);
        assert_eq!(d["firmware"], ("7.1".into(), "7.2".into()));
        assert_eq!(d["rack"], ("A3".into(), String::new()));
        assert_eq!(d["ip"], (String::new(), "10.1.0.1".into()));
        assert!(diff(&before, &before).is_empty());
    }

    #[test]
    fn a_reason_by_hand_must_say_something_but_a_ticket_is_enough() {
        let refused = Cause::from_input(None, " fix  ").unwrap_err();
        assert_eq!(refused.field, "reason");
        assert!(refused.message.contains("needs a reason"), "{refused}");
        let ticket = TicketId::generate();
        assert_eq!(
            Cause::from_input(Some(ticket), "").unwrap(),
            Cause::ticket(ticket, "")
        );
        assert_eq!(
            Cause::from_input(None, "Replaced the failed disk").unwrap(),
            Cause::manual("Replaced the failed disk")
        );
    }
}
