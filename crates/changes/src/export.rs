//! The change log as a CSV file. The first 13 columns are the fields seed 000 section 5.6 asks
//! the change log to record, in its order (the execution date is the actual start); the
//! columns after them are what Tandem records besides. Instants are written in UTC, and a cell
//! that a spreadsheet would read as a formula gets a leading `'`.
//!
//! Pure: the caller reads the changes into [`LogRow`]s; the file is built in memory. Nothing
//! here reads a clock, a database or the network.

use time::{OffsetDateTime, UtcOffset};

use tandem_kernel::Sheet;

use crate::change::number_text;
use crate::lifecycle::{Category, Risk, State};

/// The header of the file. The seed's fields come first, in the seed's order.
pub const COLUMNS: [&str; 23] = [
    "ID",
    "Change owner",
    "Initiator",
    "Cause",
    "Host",
    "Description",
    "Configuration change",
    "Category",
    "Risk",
    "Approver",
    "Approval date",
    "Execution date",
    "Successful",
    "Planned start",
    "Planned end",
    "Actual end",
    "Fallback",
    "Implementer",
    "Verifier",
    "State",
    "Template",
    "Risk suggested",
    "Risk override reason",
];

/// One change as the log shows it, with names and titles already looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// The incremental number, written as `C-000042`.
    pub number: i64,
    pub owner: String,
    pub initiator: String,
    /// Free text, or the ticket that caused the change: `T-000123 <title>`.
    pub cause: String,
    /// The named CIs with their numbers: `CI-000012 mgmt-de-01`.
    pub hosts: Vec<String>,
    pub description: String,
    pub configuration: String,
    pub category: Category,
    pub risk: Option<Risk>,
    /// Empty while the change is not approved.
    pub approver: String,
    pub approved_at: Option<OffsetDateTime>,
    /// The execution date of the seed.
    pub actual_start: Option<OffsetDateTime>,
    /// Whether the change succeeded, once that is known.
    pub success: Option<bool>,
    pub planned_start: Option<OffsetDateTime>,
    pub planned_end: Option<OffsetDateTime>,
    pub actual_end: Option<OffsetDateTime>,
    pub fallback: String,
    pub implementer: String,
    pub verifier: String,
    pub state: State,
    /// The standard-change template the change came from, or empty.
    pub template: String,
    pub risk_suggested: Option<Risk>,
    pub risk_override_reason: String,
}

/// The log as CSV: the header, then one record per row in the order given.
pub fn write_log(rows: &[LogRow]) -> Vec<u8> {
    let mut sheet = Sheet::new(COLUMNS);
    for row in rows {
        sheet.row(record(row));
    }
    sheet.into_bytes()
}

/// The cells of `row`, in the order of [`COLUMNS`], before the formula guard.
fn record(row: &LogRow) -> [String; 23] {
    [
        number_text(row.number),
        row.owner.clone(),
        row.initiator.clone(),
        row.cause.clone(),
        row.hosts.join("; "),
        row.description.clone(),
        row.configuration.clone(),
        row.category.as_str().to_owned(),
        risk(row.risk),
        row.approver.clone(),
        instant(row.approved_at),
        instant(row.actual_start),
        success(row.success).to_owned(),
        instant(row.planned_start),
        instant(row.planned_end),
        instant(row.actual_end),
        row.fallback.clone(),
        row.implementer.clone(),
        row.verifier.clone(),
        row.state.as_str().to_owned(),
        row.template.clone(),
        risk(row.risk_suggested),
        row.risk_override_reason.clone(),
    ]
}

fn risk(risk: Option<Risk>) -> String {
    risk.map(Risk::as_str).unwrap_or_default().to_owned()
}

fn success(success: Option<bool>) -> &'static str {
    match success {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// An instant as RFC 3339 in UTC, to the second: `2026-03-02T22:00:00Z`; empty when unknown.
fn instant(at: Option<OffsetDateTime>) -> String {
    let Some(at) = at else {
        return String::new();
    };
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
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

    fn row() -> LogRow {
        LogRow {
            number: 42,
            owner: "Maria Schmidt".to_owned(),
            initiator: "Lena Wolf".to_owned(),
            cause: "T-000123 Management server misses security patches".to_owned(),
            hosts: vec![
                "CI-000012 mgmt-de-01".to_owned(),
                "CI-000020 db-de-01".to_owned(),
            ],
            description: "Install the March updates,\nthen reboot \"cleanly\"".to_owned(),
            configuration: "apt upgrade; kernel 6.8".to_owned(),
            category: Category::Regular,
            risk: Some(Risk::Medium),
            approver: "Jonas Braun".to_owned(),
            approved_at: Some(datetime!(2026-03-01 10:30 +01:00)),
            actual_start: Some(datetime!(2026-03-03 00:02:07 +02:00)),
            success: Some(true),
            planned_start: Some(datetime!(2026-03-03 00:00 +02:00)),
            planned_end: Some(datetime!(2026-03-03 02:00 +02:00)),
            actual_end: Some(datetime!(2026-03-02 23:41:30.25 UTC)),
            fallback: "Restore the snapshot".to_owned(),
            implementer: "Sven Richter".to_owned(),
            verifier: "Ines Koch".to_owned(),
            state: State::Closed,
            template: String::new(),
            risk_suggested: Some(Risk::Low),
            risk_override_reason: "the kernel update touches the bridge".to_owned(),
        }
    }

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::Reader::from_reader(bytes);
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let records = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (header, records)
    }

    fn column(name: &str) -> usize {
        COLUMNS.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn the_seed_columns_come_first_in_the_seed_order() {
        assert_eq!(
            COLUMNS[..13],
            [
                "ID",
                "Change owner",
                "Initiator",
                "Cause",
                "Host",
                "Description",
                "Configuration change",
                "Category",
                "Risk",
                "Approver",
                "Approval date",
                "Execution date",
                "Successful",
            ]
        );
        let (header, records) = read(&write_log(&[]));
        assert_eq!(header, COLUMNS);
        assert!(records.is_empty());
    }

    #[test]
    fn a_full_row_reads_back_cell_by_cell() {
        let (header, records) = read(&write_log(&[row()]));
        assert_eq!(header, COLUMNS);
        assert_eq!(
            records,
            [[
                "C-000042",
                "Maria Schmidt",
                "Lena Wolf",
                "T-000123 Management server misses security patches",
                "CI-000012 mgmt-de-01; CI-000020 db-de-01",
                "Install the March updates,\nthen reboot \"cleanly\"",
                "apt upgrade; kernel 6.8",
                "regular",
                "medium",
                "Jonas Braun",
                "2026-03-01T09:30:00Z",
                "2026-03-02T22:02:07Z",
                "yes",
                "2026-03-02T22:00:00Z",
                "2026-03-03T00:00:00Z",
                "2026-03-02T23:41:30Z",
                "Restore the snapshot",
                "Sven Richter",
                "Ines Koch",
                "closed",
                "",
                "low",
                "the kernel update touches the bridge",
            ]]
        );
    }

    #[test]
    fn rows_keep_their_order_and_unknown_values_stay_empty() {
        let mut draft = row();
        draft.number = 1_234_567;
        draft.category = Category::NonOperational;
        draft.state = State::InProgress;
        draft.hosts.clear();
        draft.risk = None;
        draft.approver.clear();
        draft.approved_at = None;
        draft.actual_start = None;
        draft.risk_suggested = None;
        let (_, records) = read(&write_log(&[row(), draft]));
        assert_eq!(records.len(), 2);
        let second = &records[1];
        assert_eq!(second[column("ID")], "C-1234567");
        assert_eq!(second[column("Category")], "non-operational");
        assert_eq!(second[column("State")], "in-progress");
        for name in [
            "Host",
            "Risk",
            "Approver",
            "Approval date",
            "Execution date",
            "Risk suggested",
        ] {
            assert_eq!(second[column(name)], "", "{name}");
        }
    }

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote() {
        let mut hostile = row();
        hostile.owner = "=HYPERLINK(\"http://evil.example\")".to_owned();
        hostile.description = "- first step\n- second step".to_owned();
        hostile.hosts = vec!["@host".to_owned(), "CI-000001 ok".to_owned()];
        let (_, records) = read(&write_log(&[hostile]));
        let cells = &records[0];
        assert_eq!(
            cells[column("Change owner")],
            "'=HYPERLINK(\"http://evil.example\")"
        );
        assert_eq!(cells[column("Description")], "'- first step\n- second step");
        assert_eq!(cells[column("Host")], "'@host; CI-000001 ok");
    }

    #[test]
    fn success_is_yes_no_or_empty() {
        let rows: Vec<LogRow> = [Some(true), Some(false), None]
            .into_iter()
            .map(|success| LogRow { success, ..row() })
            .collect();
        let (_, records) = read(&write_log(&rows));
        let flags: Vec<&str> = records
            .iter()
            .map(|r| r[column("Successful")].as_str())
            .collect();
        assert_eq!(flags, ["yes", "no", ""]);
    }

    #[test]
    fn hosts_are_joined_with_a_semicolon() {
        let one = LogRow {
            hosts: vec!["CI-000012 mgmt-de-01".to_owned()],
            ..row()
        };
        assert_eq!(record(&one)[column("Host")], "CI-000012 mgmt-de-01");
        assert_eq!(
            record(&row())[column("Host")],
            "CI-000012 mgmt-de-01; CI-000020 db-de-01"
        );
    }

    #[test]
    fn instants_are_utc_to_the_second() {
        assert_eq!(
            instant(Some(datetime!(2026-03-03 00:00 +02:00))),
            "2026-03-02T22:00:00Z"
        );
        assert_eq!(
            instant(Some(datetime!(2026-12-31 23:30:15 -01:00))),
            "2027-01-01T00:30:15Z"
        );
        assert_eq!(
            instant(Some(datetime!(2026-03-02 22:00:00.999 UTC))),
            "2026-03-02T22:00:00Z"
        );
        assert_eq!(instant(None), "");
    }

    #[test]
    fn numbers_have_six_digits_at_least() {
        assert_eq!(number_text(42), "C-000042");
        assert_eq!(number_text(999_999), "C-999999");
        assert_eq!(number_text(1_000_000), "C-1000000");
    }
}
