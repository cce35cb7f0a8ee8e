//! Named, stored business-hours calendars: what agreements measure their targets in.

use tandem_kernel::text::Name;
use tandem_kernel::{Error, FieldError, entity_id};
use time::OffsetDateTime;

use crate::calendar::{Calendar, CalendarDraft, WEEKDAYS};

entity_id!(
    /// Identifies a business-hours calendar.
    CalendarId
);

/// A stored calendar.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    pub id: CalendarId,
    pub name: Name,
    pub calendar: Calendar,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl BusinessCalendar {
    /// The fields the audit trail records.
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        fields(&self.name, &self.calendar)
    }
}

fn fields(name: &Name, calendar: &Calendar) -> Vec<(&'static str, String)> {
    let draft = calendar.draft();
    let mut out = vec![
        ("name", name.to_string()),
        ("time_zone", draft.time_zone.clone()),
    ];
    for (day, ranges) in WEEKDAYS.iter().zip(draft.week) {
        out.push((day, ranges));
    }
    out.push(("holidays", draft.holidays));
    out
}

/// A calendar as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendarDraft {
    pub name: String,
    pub calendar: CalendarDraft,
}

/// A checked calendar, ready to be stored.
#[derive(Debug, Clone)]
pub struct BusinessCalendarInput {
    pub name: Name,
    pub calendar: Calendar,
}

impl BusinessCalendarInput {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        fields(&self.name, &self.calendar)
    }
}

impl BusinessCalendarDraft {
    /// Checks every field at once.
    pub fn validate(&self) -> Result<BusinessCalendarInput, Error> {
        let name = Name::parse("name", &self.name);
        let calendar = self.calendar.validate();
        match (name, calendar) {
            (Ok(name), Ok(calendar)) => Ok(BusinessCalendarInput { name, calendar }),
            (name, calendar) => {
                let mut errors: Vec<FieldError> = name.err().into_iter().collect();
                errors.extend(calendar.err().map(|e| e.field_errors()).unwrap_or_default());
                Err(Error::Invalid(errors))
            }
        }
    }
}
