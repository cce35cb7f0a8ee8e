//! Time comes from an injected [`Clock`], never from the system directly, so that domain rules
//! (SLA clocks, escalations, review dates) can be tested at any instant without sleeping.

use std::sync::Mutex;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::FieldError;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The real wall clock, truncated to microseconds so that a stored instant reads back equal on
/// both engines (PostgreSQL keeps microseconds).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place allowed to read the system clock
    fn now(&self) -> OffsetDateTime {
        truncate_to_micros(OffsetDateTime::now_utc())
    }
}

/// A clock that stands still until it is moved; for tests and for replaying history.
#[derive(Debug)]
pub struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(truncate_to_micros(at)))
    }

    /// Moves the clock forward (or backward, for a negative duration).
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().expect("clock lock poisoned");
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock poisoned")
    }
}

fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let micros = t.microsecond();
    t.replace_microsecond(micros).expect("microsecond in range")
}

/// A time as people read it in pages and messages: `2026-12-06 14:00 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// The years Tandem takes in a date, month or instant that a person or a program gives it. The
/// calendar types end with year 9999; a week view, a month's report or an SLA's due time
/// computed from an instant up to the end of 9000 stays far inside them, so the arithmetic on
/// what was accepted never overflows.
pub const ACCEPTED_YEARS: std::ops::RangeInclusive<i32> = 1970..=9000;

/// `date`, if its year is one of [`ACCEPTED_YEARS`]; an error on `field` otherwise.
pub fn check_date(field: &str, date: time::Date) -> Result<time::Date, FieldError> {
    if ACCEPTED_YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(out_of_range(field))
    }
}

/// Reads a required date written `YYYY-MM-DD` in `field`, within [`ACCEPTED_YEARS`].
pub fn parse_date(field: &str, raw: &str) -> Result<time::Date, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    let date = time::Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| FieldError::new(field, "must be a date as YYYY-MM-DD"))?;
    check_date(field, date)
}

/// `at` in UTC, if its year there is one of [`ACCEPTED_YEARS`]; an error on `field` otherwise
/// (also for an instant whose offset would carry it past the end of the calendar).
pub fn check_instant(field: &str, at: OffsetDateTime) -> Result<OffsetDateTime, FieldError> {
    at.checked_to_offset(time::UtcOffset::UTC)
        .filter(|utc| ACCEPTED_YEARS.contains(&utc.year()))
        .ok_or_else(|| out_of_range(field))
}

/// Reads an instant: RFC 3339 (`2026-12-10T22:00:00Z`) or a form's local date and time
/// (`2026-12-10T22:00`), which is taken as UTC, within [`ACCEPTED_YEARS`]. Empty is none.
pub fn parse_instant(field: &str, raw: &str) -> Result<Option<OffsetDateTime>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let at = OffsetDateTime::parse(raw, &Rfc3339)
        .or_else(|_| PrimitiveDateTime::parse(raw, &local).map(PrimitiveDateTime::assume_utc))
        .or_else(|_| {
            PrimitiveDateTime::parse(raw, &local_seconds).map(PrimitiveDateTime::assume_utc)
        })
        .map_err(|_| {
            FieldError::new(
                field,
                "must be a date and time such as 2026-12-10T22:00:00Z (UTC)",
            )
        })?;
    check_instant(field, at).map(Some)
}

fn out_of_range(field: &str) -> FieldError {
    FieldError::new(
        field,
        format!(
            "must lie between the years {} and {}",
            ACCEPTED_YEARS.start(),
            ACCEPTED_YEARS.end()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fixed_clock_stands_still_until_advanced() {
        let clock = FixedClock::new(datetime!(2026-01-01 08:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-01-01 08:00 UTC));
        clock.advance(time::Duration::minutes(90));
        assert_eq!(clock.now(), datetime!(2026-01-01 09:30 UTC));
    }

    #[test]
    fn system_clock_has_no_sub_microsecond_part() {
        let now = SystemClock.now();
        assert_eq!(now.nanosecond() % 1_000, 0);
        assert_eq!(now.offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn dates_and_instants_outside_the_accepted_years_are_refused() {
        use time::macros::date;
        assert!(check_date("date", date!(2026 - 12 - 10)).is_ok());
        assert!(check_date("date", date!(9000 - 12 - 31)).is_ok());
        for far in [
            date!(9001 - 01 - 01),
            date!(9999 - 12 - 31),
            date!(1969 - 12 - 31),
        ] {
            let refused = check_date("date", far).unwrap_err();
            assert_eq!(refused.field, "date");
            assert_eq!(refused.message, "must lie between the years 1970 and 9000");
        }
        assert_eq!(
            check_instant("from", datetime!(2026-12-10 22:00 +01:00)).unwrap(),
            datetime!(2026-12-10 21:00 UTC)
        );
        assert!(check_instant("from", datetime!(9999-12-31 23:59 UTC)).is_err());
        assert!(check_instant("from", datetime!(9999-12-31 23:00 -05:00)).is_err());
    }

    #[test]
    fn instants_are_read_in_rfc_3339_or_as_a_forms_utc_time_within_the_accepted_years() {
        assert_eq!(parse_instant("at", " ").unwrap(), None);
        assert_eq!(
            parse_instant("at", "2026-12-10T23:00:00+01:00").unwrap(),
            parse_instant("at", "2026-12-10T22:00").unwrap()
        );
        assert_eq!(
            parse_instant("at", "2026-12-10T22:00:30").unwrap(),
            Some(datetime!(2026-12-10 22:00:30 UTC))
        );
        let malformed = parse_instant("at", "tomorrow").unwrap_err();
        assert!(malformed.message.contains("such as 2026-12-10T22:00:00Z"));
        let far = parse_instant("from", "9999-12-04T00:00:00Z").unwrap_err();
        assert_eq!(
            (far.field.as_str(), far.message.as_str()),
            ("from", "must lie between the years 1970 and 9000")
        );
    }
}
