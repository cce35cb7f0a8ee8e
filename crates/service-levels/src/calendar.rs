//! Business-hours calendars and the arithmetic of working time: when a target of so many
//! working minutes falls due, and how much working time lies between two instants.
//!
//! A calendar has a time zone (IANA name), working ranges per weekday at minute resolution
//! (several per day, `08:00-12:00, 13:00-17:00`; `00:00-24:00` for the whole day), and holidays,
//! yearly (`12-25 Christmas Day`) or once (`2026-12-24 Christmas Eve`). Ranges are wall-clock
//! times in the calendar's zone: on the day clocks change, a range covers the real time between
//! its ends (an hour more or less than on other days), and a range end that does not exist that
//! day (skipped by the change) is read as the first moment after the gap.
//!
//! The clock stands still during pauses (waiting for the customer or a supplier): working time
//! inside a pause does not count. A pause still running stops the clock: nothing falls due.
//!
//! Pure: no I/O, no clock; instants come in and go out as `time::OffsetDateTime`.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use tandem_kernel::{Error, FieldError};
use time::OffsetDateTime;

/// The weekdays, Monday first, as forms and the API name them.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Minutes in a day: the end of a range that runs to midnight.
const DAY: u16 = 24 * 60;

/// How many days in a row without working time the arithmetic walks before it gives up (a
/// calendar whose holidays cover every working day for years).
const MAX_IDLE_DAYS: u32 = 800;

/// Working time on one weekday, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkingRange {
    pub start: u16,
    pub end: u16,
}

impl fmt::Display for WorkingRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// A day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holiday {
    /// Every year on this month and day.
    Yearly { month: i8, day: i8, name: String },
    /// Once, on this date.
    Once { date: Date, name: String },
}

impl Holiday {
    fn falls_on(&self, date: Date) -> bool {
        match self {
            Self::Yearly { month, day, .. } => date.month() == *month && date.day() == *day,
            Self::Once { date: once, .. } => *once == date,
        }
    }
}

impl fmt::Display for Holiday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Yearly { month, day, name } => write!(f, "{month:02}-{day:02} {name}"),
            Self::Once { date, name } => write!(f, "{date} {name}"),
        }
    }
}

/// A stretch of time in which the clock stands still; `until` is `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
}

/// A checked business-hours calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: TimeZone,
    zone_name: String,
    week: [Vec<WorkingRange>; 7],
    holidays: Vec<Holiday>,
}

/// A calendar as typed into a form or sent to the API: the zone, one line of ranges per
/// weekday, one holiday per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarDraft {
    pub time_zone: String,
    /// Ranges per weekday, Monday first, as `08:00-12:00, 13:00-17:00` (empty: no work).
    pub week: [String; 7],
    /// One holiday per line: `MM-DD name` every year, `YYYY-MM-DD name` once.
    pub holidays: String,
}

fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn parse_ranges(field: &str, text: &str) -> Result<Vec<WorkingRange>, FieldError> {
    let mut ranges = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let range = part
            .split_once('-')
            .and_then(|(a, b)| {
                Some(WorkingRange {
                    start: parse_clock(a)?,
                    end: parse_clock(b)?,
                })
            })
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{part}` is not a time range; write ranges like 08:00-12:00, 13:00-17:00"
                    ),
                )
            })?;
        if range.start >= range.end {
            return Err(FieldError::new(
                field,
                format!(
                    "`{part}` ends before it starts; a range that runs to midnight ends at 24:00"
                ),
            ));
        }
        ranges.push(range);
    }
    ranges.sort();
    if let Some(pair) = ranges.windows(2).find(|w| w[0].end > w[1].start) {
        return Err(FieldError::new(
            field,
            format!("{} and {} overlap", pair[0], pair[1]),
        ));
    }
    Ok(ranges)
}

fn parse_holidays(text: &str) -> Result<Vec<Holiday>, FieldError> {
    let mut holidays = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() {
            continue;
        }
        let (when, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let name = name.trim().to_owned();
        let bad = || {
            FieldError::new(
                "holidays",
                format!(
                    "line {number}: `{when}` is neither MM-DD (every year) nor YYYY-MM-DD (once)"
                ),
            )
        };
        let parts: Vec<&str> = when.split('-').collect();
        let holiday = match parts.as_slice() {
            [m, d] => {
                let (month, day): (i8, i8) =
                    (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
                // Any leap year checks the day exists in the month (29 February included).
                Date::new(2024, month, day).map_err(|_| bad())?;
                Holiday::Yearly { month, day, name }
            }
            [_, _, _] => Holiday::Once {
                date: when.parse::<Date>().map_err(|_| bad())?,
                name,
            },
            _ => return Err(bad()),
        };
        holidays.push(holiday);
    }
    Ok(holidays)
}

impl CalendarDraft {
    /// Checks every field at once; a calendar without any working time is refused.
    pub fn validate(&self) -> Result<Calendar, Error> {
        let mut errors = Vec::new();
        let zone = match TimeZone::get(self.time_zone.trim()) {
            Ok(zone) => Some(zone),
            Err(_) => {
                errors.push(FieldError::new(
                    "time_zone",
                    format!(
                        "`{}` is not a time zone; give an IANA name such as Europe/Berlin or UTC",
                        self.time_zone.trim()
                    ),
                ));
                None
            }
        };
        let mut week: [Vec<WorkingRange>; 7] = Default::default();
        for (i, text) in self.week.iter().enumerate() {
            match parse_ranges(WEEKDAYS[i], text) {
                Ok(ranges) => week[i] = ranges,
                Err(e) => errors.push(e),
            }
        }
        let holidays = parse_holidays(&self.holidays).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        if errors.is_empty() && week.iter().all(Vec::is_empty) {
            errors.push(FieldError::new(
                "monday",
                "the calendar has no working time: give at least one weekday a working range (00:00-24:00 for round the clock)",
            ));
        }
        match zone {
            Some(zone) if errors.is_empty() => Ok(Calendar {
                zone,
                zone_name: self.time_zone.trim().to_owned(),
                week,
                holidays,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

fn to_jiff(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos())
        .expect("instants of Tandem are within years 1-9999")
}

fn from_jiff(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(t.as_nanosecond())
        .expect("instants of Tandem are within years 1-9999")
}

fn monday_index(weekday: Weekday) -> usize {
    weekday.to_monday_zero_offset() as usize
}

impl Calendar {
    /// The calendar as a draft again (the canonical text of each field).
    pub fn draft(&self) -> CalendarDraft {
        CalendarDraft {
            time_zone: self.zone_name.clone(),
            week: std::array::from_fn(|i| {
                self.week[i]
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            holidays: self
                .holidays
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn time_zone(&self) -> &str {
        &self.zone_name
    }

    /// Working minutes in a week without holidays.
    pub fn weekly_minutes(&self) -> u32 {
        self.week
            .iter()
            .flatten()
            .map(|r| u32::from(r.end - r.start))
            .sum()
    }

    fn instant(&self, date: Date, minute: u16) -> Option<Timestamp> {
        let (date, minute) = if minute == DAY {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minute)
        };
        let civil = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        self.zone.to_timestamp(civil).ok()
    }

    /// The working intervals of `date` (none on a holiday), in order.
    fn day(&self, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.iter().any(|h| h.falls_on(date)) {
            return Vec::new();
        }
        self.week[monday_index(date.weekday())]
            .iter()
            .filter_map(|r| Some((self.instant(date, r.start)?, self.instant(date, r.end)?)))
            .filter(|(a, b)| a < b)
            .collect()
    }

    /// Working intervals from `from` on, clipped to start no earlier; ends after
    /// [`MAX_IDLE_DAYS`] days in a row without working time.
    fn intervals(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let mut date = Some(self.zone.to_datetime(from).date());
        let mut idle = 0;
        std::iter::from_fn(move || {
            while idle < MAX_IDLE_DAYS {
                let today = date?;
                date = today.tomorrow().ok();
                let intervals: Vec<_> = self
                    .day(today)
                    .into_iter()
                    .filter(|(_, b)| *b > from)
                    .map(|(a, b)| (a.max(from), b))
                    .collect();
                if intervals.is_empty() {
                    idle += 1;
                } else {
                    idle = 0;
                    return Some(intervals);
                }
            }
            None
        })
        .flatten()
    }

    /// Working intervals from `from` on without the pauses; stops where a running pause begins.
    fn counted(
        &self,
        from: Timestamp,
        pauses: &[Pause],
    ) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let mut cuts: Vec<(Timestamp, Option<Timestamp>)> = pauses
            .iter()
            .map(|p| (to_jiff(p.from), p.until.map(to_jiff)))
            .collect();
        cuts.sort_by_key(|c| c.0);
        let horizon = cuts.iter().filter(|c| c.1.is_none()).map(|c| c.0).min();
        self.intervals(from)
            .take_while(move |(a, _)| horizon.is_none_or(|h| *a < h))
            .flat_map(move |(a, b)| {
                let mut pieces = vec![(a, horizon.map_or(b, |h| b.min(h)))];
                for (start, end) in cuts.iter().filter_map(|(s, e)| e.map(|e| (*s, e))) {
                    pieces = pieces
                        .into_iter()
                        .flat_map(|(x, y)| {
                            let mut kept = Vec::with_capacity(2);
                            if start > x {
                                kept.push((x, y.min(start)));
                            }
                            if end < y {
                                kept.push((x.max(end), y));
                            }
                            kept.into_iter().filter(|(x, y)| x < y)
                        })
                        .collect();
                }
                pieces
            })
    }

    /// When `minutes` of working time (pauses left out) have passed since `start`; `None` if a
    /// running pause stops the clock first, or if the calendar has no working time for years.
    /// A target of zero minutes is due at `start`. A target reached exactly at the end of a
    /// working range is due then, not at the start of the next one.
    pub fn due(
        &self,
        start: OffsetDateTime,
        minutes: u32,
        pauses: &[Pause],
    ) -> Option<OffsetDateTime> {
        if minutes == 0 {
            return Some(start);
        }
        let mut left = jiff::SignedDuration::from_mins(i64::from(minutes));
        for (a, b) in self.counted(to_jiff(start), pauses) {
            let length = a.duration_until(b);
            if length >= left {
                return a.checked_add(left).ok().map(from_jiff);
            }
            left -= length;
        }
        None
    }

    /// Working seconds between `from` and `to` (pauses left out); 0 if `to` is not later.
    pub fn working_seconds(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        pauses: &[Pause],
    ) -> i64 {
        let to = to_jiff(to);
        self.counted(to_jiff(from), pauses)
            .take_while(|(a, _)| *a < to)
            .map(|(a, b)| a.duration_until(b.min(to)).as_secs())
            .sum()
    }

    /// `at` on the calendar's wall clock, as people read it: `Wed 2026-11-25 10:00 CET`.
    pub fn local(&self, at: OffsetDateTime) -> String {
        to_jiff(at)
            .to_zoned(self.zone.clone())
            .strftime("%a %Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// A wall-clock time of the calendar's zone typed by a person (`2026-11-27 17:30` or the
    /// `2026-11-27T17:30` of a browser's date-time field) as an instant.
    pub fn parse_local(&self, text: &str) -> Option<OffsetDateTime> {
        let civil: jiff::civil::DateTime = text.trim().replace(' ', "T").parse().ok()?;
        self.zone.to_timestamp(civil).ok().map(from_jiff)
    }

    /// The first working moment at or after `at`.
    pub fn next_working_time(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        self.intervals(to_jiff(at))
            .next()
            .map(|(a, _)| from_jiff(a))
    }

    /// Whether `at` is working time (not a holiday, inside a range).
    pub fn is_working(&self, at: OffsetDateTime) -> bool {
        let at = to_jiff(at);
        let date = self.zone.to_datetime(at).date();
        [date.yesterday().ok(), Some(date)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.day(d))
            .any(|(a, b)| a <= at && at < b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn calendar(zone: &str, week: [&str; 7], holidays: &str) -> Calendar {
        CalendarDraft {
            time_zone: zone.into(),
            week: week.map(str::to_owned),
            holidays: holidays.into(),
        }
        .validate()
        .unwrap()
    }

    fn office(zone: &str) -> Calendar {
        let day = "08:00-18:00";
        calendar(zone, [day, day, day, day, day, "", ""], "")
    }

    #[test]
    fn four_business_hours_from_four_pm_are_due_at_ten_the_next_working_day() {
        let cal = office("UTC");
        // Tuesday 16:00 → Wednesday 10:00 (GLPI's documented example).
        assert_eq!(
            cal.due(datetime!(2026-11-24 16:00 UTC), 240, &[]),
            Some(datetime!(2026-11-25 10:00 UTC))
        );
        // Friday 16:00 → Monday 10:00.
        assert_eq!(
            cal.due(datetime!(2026-11-27 16:00 UTC), 240, &[]),
            Some(datetime!(2026-11-30 10:00 UTC))
        );
    }

    #[test]
    fn forty_eight_hours_over_two_holidays_are_due_on_saturday_evening() {
        let day = "08:00-20:00";
        // Monday 2026-11-23; Tuesday and Wednesday are holidays.
        let cal = calendar("UTC", [day; 7], "2026-11-24 Closed\n2026-11-25 Closed");
        assert_eq!(
            cal.due(datetime!(2026-11-23 08:00 UTC), 48 * 60, &[]),
            Some(datetime!(2026-11-28 20:00 UTC))
        );
    }

    #[test]
    fn a_pause_moves_the_due_time_by_the_working_time_it_took() {
        // Solution in 2 h, opened 08:00, waiting for the customer 09:00-10:05: due 11:05.
        let cal = office("UTC");
        let pause = Pause {
            from: datetime!(2026-11-23 09:00 UTC),
            until: Some(datetime!(2026-11-23 10:05 UTC)),
        };
        assert_eq!(
            cal.due(datetime!(2026-11-23 08:00 UTC), 120, &[pause]),
            Some(datetime!(2026-11-23 11:05 UTC))
        );
        let running = Pause {
            until: None,
            ..pause
        };
        assert_eq!(
            cal.due(datetime!(2026-11-23 08:00 UTC), 120, &[running]),
            None,
            "a running pause stops the clock"
        );
        assert_eq!(
            cal.due(datetime!(2026-11-23 08:00 UTC), 30, &[running]),
            Some(datetime!(2026-11-23 08:30 UTC)),
            "what falls due before the pause is due"
        );
    }

    #[test]
    fn time_outside_the_working_hours_does_not_count() {
        let cal = office("UTC");
        // Saturday 10:00, one hour: Monday 09:00.
        assert_eq!(
            cal.due(datetime!(2026-11-28 10:00 UTC), 60, &[]),
            Some(datetime!(2026-11-30 09:00 UTC))
        );
        assert_eq!(
            cal.working_seconds(
                datetime!(2026-11-27 17:00 UTC),
                datetime!(2026-11-30 09:00 UTC),
                &[]
            ),
            2 * 3600
        );
    }

    #[test]
    fn several_ranges_a_day_leave_out_the_gaps() {
        let day = "08:00-12:00, 13:00-17:00";
        let cal = calendar("UTC", [day, day, day, day, day, "", ""], "");
        assert_eq!(
            cal.due(datetime!(2026-11-23 11:00 UTC), 4 * 60, &[]),
            Some(datetime!(2026-11-23 16:00 UTC))
        );
    }

    #[test]
    fn working_hours_are_local_time_of_the_calendars_zone() {
        // 08:00-18:00 in Berlin is 07:00-17:00 UTC in winter.
        let cal = office("Europe/Berlin");
        assert_eq!(
            cal.due(datetime!(2026-11-23 06:00 UTC), 60, &[]),
            Some(datetime!(2026-11-23 08:00 UTC))
        );
        let california = office("America/Los_Angeles");
        // Monday 08:00 PST is 16:00 UTC.
        assert_eq!(
            california.due(datetime!(2026-11-23 12:00 UTC), 30, &[]),
            Some(datetime!(2026-11-23 16:30 UTC))
        );
    }

    #[test]
    fn clock_changes_count_real_time() {
        let round_the_clock = calendar("Europe/Berlin", ["00:00-24:00"; 7], "");
        // Spring forward on 2026-03-29: three hours from Saturday 23:00 CET (22:00 UTC) end at
        // 01:00 UTC, which is 03:00 CEST.
        assert_eq!(
            round_the_clock.due(datetime!(2026-03-28 22:00 UTC), 180, &[]),
            Some(datetime!(2026-03-29 01:00 UTC))
        );
        // The day clocks go back has 25 hours of working time.
        assert_eq!(
            round_the_clock.working_seconds(
                datetime!(2026-10-24 22:00 UTC),
                datetime!(2026-10-25 23:00 UTC),
                &[]
            ),
            25 * 3600
        );
        // An office day on the change is still 10 wall-clock hours: 08:00 CEST is 06:00 UTC
        // before the change, 08:00 CET is 07:00 UTC after.
        let cal = office("Europe/Berlin");
        assert_eq!(
            cal.due(datetime!(2026-03-27 16:00 UTC), 120, &[]),
            Some(datetime!(2026-03-30 07:00 UTC)),
            "Friday 17:00 CET plus 2 h: Monday 09:00 CEST"
        );
    }

    #[test]
    fn local_times_are_read_and_written_in_the_calendars_zone() {
        let cal = office("Europe/Berlin");
        let at = cal.parse_local("2026-11-27 17:30").unwrap();
        assert_eq!(at, datetime!(2026-11-27 16:30 UTC));
        assert_eq!(cal.parse_local("2026-11-27T17:30"), Some(at));
        assert_eq!(cal.local(at), "Fri 2026-11-27 17:30 CET");
        assert_eq!(cal.parse_local("Friday evening"), None);
    }

    #[test]
    fn yearly_holidays_come_back_every_year() {
        let cal = calendar(
            "UTC",
            ["08:00-18:00"; 7],
            "12-25 Christmas Day\n01-01 New Year",
        );
        assert_eq!(
            cal.due(datetime!(2027-12-24 17:00 UTC), 120, &[]),
            Some(datetime!(2027-12-26 09:00 UTC))
        );
        assert!(!cal.is_working(datetime!(2030-01-01 10:00 UTC)));
        assert!(cal.is_working(datetime!(2030-01-02 10:00 UTC)));
        assert!(
            !cal.is_working(datetime!(2030-01-02 18:00 UTC)),
            "the end is not working time"
        );
    }

    #[test]
    fn bad_calendars_are_refused_field_by_field() {
        let draft = |zone: &str, monday: &str, holidays: &str| CalendarDraft {
            time_zone: zone.into(),
            week: [
                monday.into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            holidays: holidays.into(),
        };
        let fields = |d: CalendarDraft| -> Vec<String> {
            d.validate()
                .unwrap_err()
                .field_errors()
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect()
        };
        assert!(fields(draft("Mars/Olympus", "08:00-18:00", ""))[0].starts_with("time_zone"));
        assert!(fields(draft("UTC", "", ""))[0].contains("no working time"));
        assert!(fields(draft("UTC", "18:00-08:00", ""))[0].contains("ends before it starts"));
        assert!(fields(draft("UTC", "08:00-12:00, 11:00-13:00", ""))[0].contains("overlap"));
        assert!(fields(draft("UTC", "8 to 5", ""))[0].contains("not a time range"));
        assert!(fields(draft("UTC", "08:00-18:00", "02-30 Nonsense"))[0].contains("line 1"));
        assert!(fields(draft("UTC", "08:00-18:00", "\n\n2026-13-01 x"))[0].contains("line 3"));
        let two = fields(draft("Nowhere", "25:00-26:00", ""));
        assert_eq!(two.len(), 2, "every field at once: {two:?}");
    }

    #[test]
    fn a_calendar_reads_back_as_the_draft_it_came_from() {
        let cal = calendar(
            "Europe/Berlin",
            ["13:00-17:00,08:00-12:00", "", "", "", "", "", "00:00-24:00"],
            "12-25 Christmas Day\n2026-12-24 Christmas Eve",
        );
        let draft = cal.draft();
        assert_eq!(draft.week[0], "08:00-12:00, 13:00-17:00");
        assert_eq!(draft.week[6], "00:00-24:00");
        assert_eq!(
            draft.holidays,
            "12-25 Christmas Day\n2026-12-24 Christmas Eve"
        );
        assert_eq!(draft.validate().unwrap().draft(), draft);
        assert_eq!(cal.weekly_minutes(), 8 * 60 + 24 * 60);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn start() -> impl Strategy<Value = OffsetDateTime> {
            (0i64..(3 * 366 * 86_400))
                .prop_map(|s| datetime!(2026-01-01 00:00 UTC) + time::Duration::seconds(s))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            /// Due after a then b is due after a + b, and the working time up to a due time is
            /// the target itself.
            #[test]
            fn due_times_add_up_and_measure_back(s in start(), a in 1u32..5000, b in 0u32..5000) {
                let day = "07:30-12:00, 12:45-19:15";
                let cal = calendar("Europe/Berlin", [day, day, day, day, "08:00-14:00", "", ""], "12-24 Eve\n2027-05-01 May Day");
                let whole = cal.due(s, a + b, &[]).unwrap();
                let first = cal.due(s, a, &[]).unwrap();
                prop_assert_eq!(cal.due(first, b, &[]).unwrap(), whole);
                prop_assert_eq!(cal.working_seconds(s, whole, &[]), i64::from(a + b) * 60);
                prop_assert!(whole >= s);
            }

            /// A pause never brings a due time forward, and a finished pause inside working time
            /// adds exactly its working time.
            #[test]
            fn pauses_only_push_due_times_back(s in start(), m in 1u32..3000, offset in 0i64..200_000, length in 0i64..200_000) {
                let cal = office("America/New_York");
                let pause = Pause {
                    from: s + time::Duration::seconds(offset),
                    until: Some(s + time::Duration::seconds(offset + length)),
                };
                let plain = cal.due(s, m, &[]).unwrap();
                let paused = cal.due(s, m, &[pause]).unwrap();
                prop_assert!(paused >= plain);
                let lost = cal.working_seconds(pause.from, pause.until.unwrap(), &[]);
                prop_assert_eq!(cal.working_seconds(s, paused, &[pause]), i64::from(m) * 60);
                prop_assert!(cal.working_seconds(s, paused, &[]) <= i64::from(m) * 60 + lost);
            }
        }
    }
}
