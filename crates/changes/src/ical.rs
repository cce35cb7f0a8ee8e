//! The change calendar as an iCalendar feed (RFC 5545): one `VEVENT` per scheduled change or
//! blackout period, with every instant in UTC, TEXT values escaped, long lines folded at 75
//! octets and every line ended by CRLF, so that calendar clients subscribe to it as it is.
//!
//! Pure: the caller gathers the events, names the host that makes each `UID` unique and passes
//! the instant for `DTSTAMP`. Nothing here reads a clock, a database or the network.

use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// The longest physical line, in octets and without its CRLF.
const LINE_OCTETS: usize = 75;

/// One event of the feed: a change in its window, or a blackout period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// The id of the change or blackout; it keeps the event the same across refreshes.
    pub uid: Uuid,
    /// The title: `C-000042 Security update mgmt-de-01 [regular, medium]`.
    pub summary: String,
    /// Free text over several lines; left out when empty.
    pub description: String,
    /// Left out when empty.
    pub location: String,
    /// A link to the change page; left out when empty.
    pub url: String,
    /// Left out when empty.
    pub categories: Vec<String>,
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
    /// Counts the revisions, so that clients replace an older copy of the event.
    pub sequence: i64,
    pub last_modified: OffsetDateTime,
    /// A cancelled change stays in the feed as `STATUS:CANCELLED`.
    pub cancelled: bool,
    /// Whether the event blocks time (`TRANSP:OPAQUE`) or leaves it free (`TRANSP:TRANSPARENT`).
    pub opaque: bool,
}

/// The whole feed: the calendar header, the events in the order given, and the end line.
/// `host` follows the `@` of every `UID`; `stamp` is the `DTSTAMP` of every event, the instant
/// the feed was made.
pub fn calendar(host: &str, stamp: OffsetDateTime, events: &[CalendarEvent]) -> String {
    let mut feed = Feed::default();
    feed.line("BEGIN", "VCALENDAR");
    feed.line("VERSION", "2.0");
    feed.line("PRODID", "-//Tandem//Change calendar//EN");
    feed.line("CALSCALE", "GREGORIAN");
    feed.line("METHOD", "PUBLISH");
    feed.line("X-WR-CALNAME", "Tandem change calendar");
    for event in events {
        feed.event(host, stamp, event);
    }
    feed.line("END", "VCALENDAR");
    feed.text
}

/// The feed as it is written, line by line.
#[derive(Default)]
struct Feed {
    text: String,
}

impl Feed {
    fn event(&mut self, host: &str, stamp: OffsetDateTime, event: &CalendarEvent) {
        self.line("BEGIN", "VEVENT");
        self.line("UID", &escape(&format!("{}@{host}", event.uid)));
        self.line("DTSTAMP", &utc(stamp));
        self.line("DTSTART", &utc(event.starts));
        self.line("DTEND", &utc(event.ends));
        self.line("SEQUENCE", &event.sequence.to_string());
        self.line("LAST-MODIFIED", &utc(event.last_modified));
        self.line("SUMMARY", &escape(&event.summary));
        if !event.description.is_empty() {
            self.line("DESCRIPTION", &escape(&event.description));
        }
        if !event.location.is_empty() {
            self.line("LOCATION", &escape(&event.location));
        }
        if !event.url.is_empty() {
            self.line("URL", &uri(&event.url));
        }
        if !event.categories.is_empty() {
            let categories: Vec<String> = event.categories.iter().map(|c| escape(c)).collect();
            self.line("CATEGORIES", &categories.join(","));
        }
        let status = if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        self.line("STATUS", status);
        let transparency = if event.opaque {
            "OPAQUE"
        } else {
            "TRANSPARENT"
        };
        self.line("TRANSP", transparency);
        self.line("END", "VEVENT");
    }

    /// Writes `name:value`, folded, with its CRLF. `value` is already escaped.
    fn line(&mut self, name: &str, value: &str) {
        fold(&format!("{name}:{value}"), &mut self.text);
    }
}

/// Appends `line` to `out` as physical lines of at most 75 octets, each ended by CRLF; every
/// line after the first starts with the space that marks it as a continuation. A cut never
/// falls inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    while rest.len() > room {
        let cut = rest.floor_char_boundary(room);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// A TEXT value: backslash, semicolon and comma get a backslash, a line break becomes `\n`,
/// and other control characters but the tab are dropped, as RFC 5545 does not allow them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value, written as given but without control characters, which could otherwise end
/// the line and start a property of their own.
fn uri(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// An instant as an iCalendar UTC date-time: `20260302T220000Z`.
fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const HOST: &str = "tandem.example";
    const STAMP: OffsetDateTime = datetime!(2026-03-01 08:00 UTC);

    fn change() -> CalendarEvent {
        CalendarEvent {
            uid: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042),
            summary: "C-000042 Security update mgmt-de-01 [regular, medium]".to_owned(),
            description: "CIs: CI-000012 mgmt-de-01\r\nFallback: snapshot; reboot".to_owned(),
            location: "Frankfurt DC1".to_owned(),
            url: "https://tandem.example/changes/42".to_owned(),
            categories: vec!["regular".to_owned(), "medium".to_owned()],
            starts: datetime!(2026-03-03 00:00 +02:00),
            ends: datetime!(2026-03-03 02:00 +02:00),
            sequence: 3,
            last_modified: datetime!(2026-02-28 16:15 +01:00),
            cancelled: false,
            opaque: true,
        }
    }

    fn lines(feed: &str) -> Vec<&str> {
        let body = feed.strip_suffix("\r\n").expect("the feed ends with CRLF");
        body.split("\r\n").collect()
    }

    #[test]
    fn a_change_becomes_a_complete_event_in_a_complete_calendar() {
        let feed = calendar(HOST, STAMP, &[change()]);
        assert_eq!(
            lines(&feed),
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Tandem//Change calendar//EN",
                "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH",
                "X-WR-CALNAME:Tandem change calendar",
                "BEGIN:VEVENT",
                "UID:01900000-0000-7000-8000-000000000042@tandem.example",
                "DTSTAMP:20260301T080000Z",
                "DTSTART:20260302T220000Z",
                "DTEND:20260303T000000Z",
                "SEQUENCE:3",
                "LAST-MODIFIED:20260228T151500Z",
                "SUMMARY:C-000042 Security update mgmt-de-01 [regular\\, medium]",
                "DESCRIPTION:CIs: CI-000012 mgmt-de-01\\nFallback: snapshot\\; reboot",
                "LOCATION:Frankfurt DC1",
                "URL:https://tandem.example/changes/42",
                "CATEGORIES:regular,medium",
                "STATUS:CONFIRMED",
                "TRANSP:OPAQUE",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        );
    }

    #[test]
    fn an_empty_calendar_still_has_its_header() {
        let feed = calendar(HOST, STAMP, &[]);
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(feed.ends_with("X-WR-CALNAME:Tandem change calendar\r\nEND:VCALENDAR\r\n"));
        assert!(!feed.contains("VEVENT"));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(
            escape("a\\b;c,d\r\ne\nf\tg\u{0}h"),
            "a\\\\b\\;c\\,d\\ne\\nf\tgh"
        );
        assert_eq!(escape("Größe – ok"), "Größe – ok");

        let mut event = change();
        event.categories = vec!["a,b".to_owned(), "c;d".to_owned()];
        event.location = "Rack 4\\7".to_owned();
        let feed = calendar(HOST, STAMP, &[event]);
        assert!(feed.contains("\r\nCATEGORIES:a\\,b,c\\;d\r\n"));
        assert!(feed.contains("\r\nLOCATION:Rack 4\\\\7\r\n"));
    }

    #[test]
    fn a_line_break_in_a_url_cannot_start_a_property() {
        let mut event = change();
        event.url = "https://tandem.example/x\r\nSTATUS:CANCELLED".to_owned();
        let feed = calendar(HOST, STAMP, &[event]);
        assert!(feed.contains("\r\nURL:https://tandem.example/xSTATUS:CANCELLED\r\n"));
        assert!(!feed.contains("\r\nSTATUS:CANCELLED\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        fold(&"x".repeat(75), &mut out);
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));

        let mut out = String::new();
        let line = format!("SUMMARY:{}€€", "a".repeat(66));
        fold(&line, &mut out);
        let physical = lines(&out);
        assert_eq!(physical.len(), 2);
        assert_eq!(physical[0].len(), 74, "the euro sign is not cut");
        assert_eq!(physical[1], " €€");

        let mut event = change();
        event.summary = "Größenänderung der Datenbank für Kunden – Übergabe 🛠 ".repeat(6);
        let feed = calendar(HOST, STAMP, &[event.clone()]);
        let physical = lines(&feed);
        assert!(physical.iter().all(|l| l.len() <= LINE_OCTETS));
        assert!(physical.iter().filter(|l| l.starts_with(' ')).count() >= 4);

        let unfolded = feed.replace("\r\n ", "");
        let summary = format!("SUMMARY:{}", escape(&event.summary));
        assert!(lines(&unfolded).contains(&summary.as_str()));
    }

    #[test]
    fn instants_are_written_in_utc() {
        assert_eq!(utc(datetime!(2026-03-03 00:00 +02:00)), "20260302T220000Z");
        assert_eq!(
            utc(datetime!(2026-12-31 23:59:59 -01:00)),
            "20270101T005959Z"
        );
        assert_eq!(
            utc(datetime!(2026-03-02 07:05:09.9 UTC)),
            "20260302T070509Z"
        );
    }

    #[test]
    fn every_line_ends_with_crlf() {
        let mut event = change();
        event.description = "first\nsecond\r\nthird\rfourth ".repeat(20);
        let feed = calendar(HOST, STAMP, &[event, change()]);
        assert!(feed.ends_with("\r\n"));
        let bytes = feed.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => assert_eq!(bytes[i - 1], b'\r', "bare LF at {i}"),
                b'\r' => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
                _ => {}
            }
        }
    }

    #[test]
    fn a_cancelled_blackout_is_marked_and_leaves_time_free() {
        let mut event = change();
        event.cancelled = true;
        event.opaque = false;
        let feed = calendar(HOST, STAMP, &[event]);
        assert!(feed.contains("\r\nSTATUS:CANCELLED\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"));
        assert!(!feed.contains("CONFIRMED"));
    }

    #[test]
    fn empty_properties_are_left_out() {
        let mut event = change();
        event.description.clear();
        event.location.clear();
        event.url.clear();
        event.categories.clear();
        let feed = calendar(HOST, STAMP, &[event]);
        for name in ["DESCRIPTION", "LOCATION", "URL", "CATEGORIES"] {
            assert!(
                !lines(&feed).iter().any(|l| l.starts_with(name)),
                "{name} is written"
            );
        }
        assert!(feed.contains("\r\nSUMMARY:C-000042 Security update"));
        assert!(feed.contains("\r\nSTATUS:CONFIRMED\r\n"));
    }
}
