//! Time comes from an injected [`Clock`], never from the system directly, so that domain rules
//! (SLA clocks, escalations, review dates) can be tested at any instant without sleeping.

use std::sync::Mutex;

use time::OffsetDateTime;

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
}
