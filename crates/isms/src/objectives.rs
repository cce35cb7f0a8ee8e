//! Information security objectives (ISO/IEC 27001:2022 clause 6.2) as a person writes them:
//! what an objective is for, who owns it, its target, how and how often progress is measured,
//! when it is due, where it stands and the document it derives from; and the measurements that
//! show its progress. The checks that turn the typed fields into the inputs the store saves, and
//! the rules of when an objective is overdue and when it is next measured.
//!
//! Pure: ids are parsed here, whether they exist is the store's business.

use tandem_directory::PersonId;
use tandem_kernel::error::AllValid;
use tandem_kernel::id::{parse_id, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use time::Date;

use crate::document::{DocumentId, months_after};

entity_id!(
    /// An information security objective.
    ObjectiveId
);

entity_id!(
    /// A measurement of an objective's progress.
    MeasurementId
);

tandem_kernel::vocabulary!(
    /// How often an objective's progress is measured.
    Frequency {
        Monthly = "monthly" / "Monthly",
        Quarterly = "quarterly" / "Quarterly",
        Yearly = "yearly" / "Yearly",
    }
);

impl Frequency {
    /// The months from one measurement to the next.
    pub fn months(self) -> i32 {
        match self {
            Self::Monthly => 1,
            Self::Quarterly => 3,
            Self::Yearly => 12,
        }
    }
}

tandem_kernel::vocabulary!(
    /// Where an objective stands.
    Status {
        Planned = "planned" / "Planned",
        OnTrack = "on-track" / "On track",
        AtRisk = "at-risk" / "At risk",
        Achieved = "achieved" / "Achieved",
        Missed = "missed" / "Missed",
    }
);

impl Status {
    /// Whether the objective has been judged, achieved or missed: its note then says how.
    pub fn closed(self) -> bool {
        matches!(self, Self::Achieved | Self::Missed)
    }
}

/// Whether an objective due on `due` and standing at `status` is overdue on `today`: its due
/// date has passed and it is not achieved.
pub fn overdue(due: Date, status: Status, today: Date) -> bool {
    due < today && status != Status::Achieved
}

/// The day an objective measured at `frequency` is next to be measured: one interval after
/// the latest measurement, or after `since` (the day it was set) while there is none.
pub fn next_measurement(frequency: Frequency, latest: Option<Date>, since: Date) -> Date {
    months_after(latest.unwrap_or(since), frequency.months())
}

/// Reads free text in `field` that must not be empty.
fn required_note(field: &str, raw: &str) -> Result<Note, FieldError> {
    let note = Note::parse(field, raw)?;
    if note.as_str().is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    Ok(note)
}

/// An objective's fields as typed, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectiveDraft {
    pub title: String,
    /// What the objective is for.
    pub description: String,
    pub owner_id: String,
    /// What counts as reaching it: `99.9 % monthly availability of the video service`.
    pub target: String,
    /// How progress is measured.
    pub measured_by: String,
    /// `monthly`, `quarterly` or `yearly`.
    pub frequency: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// Empty takes `planned`.
    pub status: String,
    /// How it was achieved or why it was missed; required then.
    pub status_note: String,
    /// The document the objective derives from; empty for none.
    pub document_id: String,
}

/// An objective's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveInput {
    pub title: Name,
    pub description: Note,
    pub owner_id: PersonId,
    pub target: Name,
    pub measured_by: Note,
    pub frequency: Frequency,
    pub due_date: Date,
    pub status: Status,
    pub status_note: Note,
    pub document_id: Option<DocumentId>,
}

impl ObjectiveDraft {
    /// Checks every field; all errors at once. An objective achieved or missed needs a note
    /// that says how, in `status_note`.
    pub fn validate(&self) -> Result<ObjectiveInput, Error> {
        let status = if self.status.trim().is_empty() {
            Ok(Status::Planned)
        } else {
            Status::parse("status", &self.status)
        };
        let status_note = Note::parse("status_note", &self.status_note).and_then(|note| {
            match status.as_ref() {
                Ok(judged) if judged.closed() && note.as_str().is_empty() => {
                    Err(FieldError::new(
                        "status_note",
                        format!(
                            "an objective that is {} needs a note: what was measured in the end, and what follows from it",
                            judged.label().to_lowercase()
                        ),
                    ))
                }
                _ => Ok(note),
            }
        });
        let what = (
            Name::parse("title", &self.title),
            required_note("description", &self.description),
            parse_id::<PersonId>("owner_id", &self.owner_id),
            Name::parse("target", &self.target),
            required_note("measured_by", &self.measured_by),
        )
            .all_valid();
        let when = (
            Frequency::parse("frequency", &self.frequency),
            tandem_kernel::clock::parse_date("due_date", &self.due_date),
            status,
            status_note,
            parse_optional_id::<DocumentId>("document_id", &self.document_id),
        )
            .all_valid();
        match (what, when) {
            (
                Ok((title, description, owner_id, target, measured_by)),
                Ok((frequency, due_date, status, status_note, document_id)),
            ) => Ok(ObjectiveInput {
                title,
                description,
                owner_id,
                target,
                measured_by,
                frequency,
                due_date,
                status,
                status_note,
                document_id,
            }),
            (what, when) => Err(Error::Invalid(
                [what.err(), when.err()]
                    .into_iter()
                    .flatten()
                    .flat_map(|e| e.field_errors())
                    .collect(),
            )),
        }
    }
}

/// A measurement's fields as typed, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeasurementDraft {
    /// `YYYY-MM-DD`; empty for today.
    pub measured_on: String,
    /// What was measured, as text: `99.95 %`, `7 of 8 acknowledged`.
    pub value: String,
    pub note: String,
}

/// A measurement's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementInput {
    pub measured_on: Date,
    pub value: Name,
    pub note: Note,
}

impl MeasurementDraft {
    /// Checks every field on `today`: a measurement is recorded once it is taken, never ahead.
    pub fn validate(&self, today: Date) -> Result<MeasurementInput, Error> {
        let measured_on = if self.measured_on.trim().is_empty() {
            Ok(today)
        } else {
            tandem_kernel::clock::parse_date("measured_on", &self.measured_on).and_then(|day| {
                if day > today {
                    Err(FieldError::new(
                        "measured_on",
                        format!("is after today ({today}); record a measurement once it is taken"),
                    ))
                } else {
                    Ok(day)
                }
            })
        };
        let (measured_on, value, note) = (
            measured_on,
            Name::parse("value", &self.value),
            Note::parse("note", &self.note),
        )
            .all_valid()?;
        Ok(MeasurementInput {
            measured_on,
            value,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn draft() -> ObjectiveDraft {
        ObjectiveDraft {
            title: "Availability of the video service".into(),
            description: "Customers rely on the service for their VIP meetings.".into(),
            owner_id: uuid::Uuid::nil().to_string(),
            target: "99.9 % availability every month".into(),
            measured_by: "End-to-end monitoring, five times an hour".into(),
            frequency: "monthly".into(),
            due_date: "2027-06-30".into(),
            ..ObjectiveDraft::default()
        }
    }

    fn fields(error: Error) -> Vec<String> {
        error.field_errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_objective_starts_planned_and_keeps_what_was_typed() {
        let input = draft().validate().unwrap();
        assert_eq!(input.status, Status::Planned);
        assert_eq!(input.frequency, Frequency::Monthly);
        assert_eq!(input.due_date, date!(2027 - 06 - 30));
        assert_eq!(input.document_id, None);
        assert_eq!(input.target.as_str(), "99.9 % availability every month");
        let document = DocumentId::generate();
        let derived = ObjectiveDraft {
            document_id: document.to_string(),
            status: " on-track ".into(),
            ..draft()
        }
        .validate()
        .unwrap();
        assert_eq!(derived.document_id, Some(document));
        assert_eq!(derived.status, Status::OnTrack);
    }

    #[test]
    fn every_field_error_comes_at_once() {
        let error = ObjectiveDraft {
            title: " ".into(),
            description: String::new(),
            owner_id: "someone".into(),
            target: String::new(),
            measured_by: "\n".into(),
            frequency: "weekly".into(),
            due_date: "30.06.2027".into(),
            status: "done".into(),
            status_note: String::new(),
            document_id: "DOC-1".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(error),
            [
                "title",
                "description",
                "owner_id",
                "target",
                "measured_by",
                "frequency",
                "due_date",
                "status",
                "document_id"
            ]
        );
        let missing = ObjectiveDraft {
            due_date: String::new(),
            ..draft()
        }
        .validate()
        .unwrap_err();
        assert_eq!(missing.field_errors()[0].message, "is required");
    }

    #[test]
    fn an_objective_achieved_or_missed_says_how() {
        for status in ["achieved", "missed"] {
            let error = ObjectiveDraft {
                status: status.into(),
                ..draft()
            }
            .validate()
            .unwrap_err();
            assert_eq!(fields(error), ["status_note"], "{status}");
        }
        let error = ObjectiveDraft {
            status: "missed".into(),
            title: String::new(),
            ..draft()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(error),
            ["title", "status_note"],
            "with the other errors"
        );
        let achieved = ObjectiveDraft {
            status: "achieved".into(),
            status_note: "99.95 % over the year".into(),
            ..draft()
        }
        .validate()
        .unwrap();
        assert!(achieved.status.closed());
        for open in ["planned", "on-track", "at-risk"] {
            let input = ObjectiveDraft {
                status: open.into(),
                ..draft()
            }
            .validate()
            .unwrap();
            assert!(!input.status.closed(), "{open} needs no note");
        }
    }

    #[test]
    fn overdue_means_past_due_and_not_achieved() {
        let due = date!(2026 - 11 - 30);
        let after = date!(2026 - 12 - 01);
        assert!(
            !overdue(due, Status::OnTrack, due),
            "due today is not overdue"
        );
        assert!(overdue(due, Status::OnTrack, after));
        assert!(overdue(due, Status::Planned, after));
        assert!(overdue(due, Status::Missed, after));
        assert!(!overdue(due, Status::Achieved, after));
    }

    #[test]
    fn the_next_measurement_follows_the_frequency() {
        let since = date!(2026 - 01 - 31);
        assert_eq!(
            next_measurement(Frequency::Monthly, None, since),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            next_measurement(Frequency::Quarterly, Some(date!(2026 - 05 - 15)), since),
            date!(2026 - 08 - 15)
        );
        assert_eq!(
            next_measurement(Frequency::Yearly, Some(date!(2026 - 10 - 01)), since),
            date!(2027 - 10 - 01)
        );
    }

    #[test]
    fn a_measurement_is_taken_today_or_before() {
        let today = date!(2026 - 11 - 02);
        let taken = MeasurementDraft {
            value: " 99.95 % ".into(),
            ..MeasurementDraft::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!(taken.measured_on, today, "empty is today");
        assert_eq!(taken.value.as_str(), "99.95 %");
        let earlier = MeasurementDraft {
            measured_on: "2026-10-01".into(),
            value: "99.87 %".into(),
            note: "Storage outage on 14 October".into(),
        }
        .validate(today)
        .unwrap();
        assert_eq!(earlier.measured_on, date!(2026 - 10 - 01));
        let error = MeasurementDraft {
            measured_on: "2026-11-03".into(),
            value: String::new(),
            note: String::new(),
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(fields(error), ["measured_on", "value"]);
        let error = MeasurementDraft {
            measured_on: "yesterday".into(),
            value: "1".into(),
            note: String::new(),
        }
        .validate(today)
        .unwrap_err();
        assert_eq!(
            error.field_errors()[0].message,
            "must be a date as YYYY-MM-DD"
        );
    }
}
