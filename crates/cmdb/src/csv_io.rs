//! CIs as CSV files: the export of CIs to a spreadsheet and the structural check of a file to
//! import. Pure: the caller hands in the text or the rows; nothing here reads a database, a
//! clock or a file.
//!
//! A file has the fixed [`COLUMNS`], then one `attr.<key>` column per attribute; an import may
//! add a `reason` column. [`read`] checks the shape of a file only: that names, classes and
//! people exist, and that each row suits its class, is for the store to check afterwards.
//! Cells that a spreadsheet would run as a formula are written with a leading `'`, which
//! [`read`] takes off again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use csv::{ErrorKind, Position, ReaderBuilder, StringRecord};

use tandem_kernel::Sheet;
use tandem_kernel::text::from_spreadsheet_cell;

use crate::ci::{number_text, parse_number};

/// The fixed columns of a CI file, in the order they are written.
pub const COLUMNS: [&str; 15] = [
    "number",
    "class",
    "name",
    "description",
    "organisation",
    "owner",
    "custodian",
    "location",
    "service",
    "lifecycle",
    "confidentiality",
    "integrity",
    "availability",
    "label",
    "min_up",
];

/// The optional column of an import that says why the CIs are created or changed.
const REASON: &str = "reason";

/// The prefix of an attribute's column: `attr.serial`.
const ATTRIBUTE: &str = "attr.";

/// The most data rows (or items) one file may hold.
pub const MAX_ROWS: usize = 100_000;

/// A problem in a file: its line (1 is the header, 0 the file as a whole), the column or field,
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl LineError {
    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One data row of an import, with its cells as text (trimmed, the formula guard taken off).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// The line of the file the row starts on.
    pub line: u64,
    /// The CI to change; none for a new CI.
    pub number: Option<i64>,
    pub class_key: String,
    pub name: String,
    pub description: String,
    /// A customer's name; empty for the provider's own CIs.
    pub organisation: String,
    pub owner: String,
    /// A person's e-mail address or name.
    pub custodian: String,
    /// A location CI's name or number.
    pub location: String,
    /// A service's name.
    pub service: String,
    pub lifecycle: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub label: String,
    pub min_up: String,
    /// The non-empty `attr.<key>` cells.
    pub attributes: BTreeMap<String, String>,
    pub reason: String,
}

/// One CI as the export writes it, with the names of what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub number: i64,
    pub class_key: String,
    pub name: String,
    pub description: String,
    pub organisation: String,
    pub owner: String,
    pub custodian: String,
    pub location: String,
    pub service: String,
    pub lifecycle: String,
    pub confidentiality: u8,
    pub integrity: u8,
    pub availability: u8,
    pub label: String,
    pub min_up: Option<u32>,
    pub attributes: BTreeMap<String, String>,
}

/// Reads a CI file and checks its structure, reporting every problem of every row at once.
/// A broken header is reported alone, since the rows cannot be read without it.
pub fn read(text: &str) -> Result<Vec<ImportRow>, Vec<LineError>> {
    let mut reader = csv_reader(text);
    let (header, mut errors) = read_header(&mut reader);
    errors.extend(
        header
            .iter()
            .filter(|column| !column.is_empty() && !is_column(column))
            .map(|column| {
                LineError::new(
                    1,
                    column.as_str(),
                    format!(
                        "is not a column of a CI file; the columns are {}, {REASON} and {ATTRIBUTE}<attribute key>",
                        COLUMNS.join(", ")
                    ),
                )
            }),
    );
    errors.extend(
        ["class", "name"]
            .into_iter()
            .filter_map(|column| find_column(&header, column).err()),
    );
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    let mut numbers: HashMap<i64, u64> = HashMap::new();
    let mut names: HashMap<String, u64> = HashMap::new();
    for (index, result) in reader.records().enumerate() {
        if index == MAX_ROWS {
            return Err(vec![too_long("rows")]);
        }
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                errors.push(record_error(&error));
                continue;
            }
        };
        let row = import_row(&header, &record, &mut errors);
        if let Some(number) = row.number {
            let first = *numbers.entry(number).or_insert(row.line);
            if first != row.line {
                errors.push(LineError::new(
                    row.line,
                    "number",
                    format!(
                        "{} is already on line {first}; a CI appears once in a file",
                        number_text(number)
                    ),
                ));
            }
        }
        if !row.name.is_empty() {
            let first = *names.entry(row.name.clone()).or_insert(row.line);
            if first != row.line {
                errors.push(LineError::new(
                    row.line,
                    "name",
                    format!("{} is already on line {first}; names are unique", row.name),
                ));
            }
        }
        rows.push(row);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn is_column(column: &str) -> bool {
    COLUMNS.contains(&column)
        || column == REASON
        || column
            .strip_prefix(ATTRIBUTE)
            .is_some_and(|key| !key.is_empty())
}

/// The cells of `record` as an import row; the problems of its number, class and name are
/// added to `errors`.
fn import_row(header: &[String], record: &StringRecord, errors: &mut Vec<LineError>) -> ImportRow {
    let line = line_of(record);
    let mut cells: HashMap<&str, &str> = HashMap::new();
    let mut attributes = BTreeMap::new();
    for (column, cell) in header.iter().zip(record.iter()) {
        let value = from_spreadsheet_cell(cell).trim();
        match column.strip_prefix(ATTRIBUTE) {
            Some(key) if !value.is_empty() => {
                attributes.insert(key.to_owned(), value.to_owned());
            }
            Some(_) => {}
            None => {
                cells.insert(column.as_str(), value);
            }
        }
    }
    let text = |column: &str| cells.get(column).copied().unwrap_or_default().to_owned();
    let number = match text("number").as_str() {
        "" => None,
        raw => {
            let number = parse_number(raw);
            if number.is_none() {
                errors.push(LineError::new(
                    line,
                    "number",
                    "must be empty for a new CI, or the number of the CI to change, such as CI-000012",
                ));
            }
            number
        }
    };
    let row = ImportRow {
        line,
        number,
        class_key: text("class"),
        name: text("name"),
        description: text("description"),
        organisation: text("organisation"),
        owner: text("owner"),
        custodian: text("custodian"),
        location: text("location"),
        service: text("service"),
        lifecycle: text("lifecycle"),
        confidentiality: text("confidentiality"),
        integrity: text("integrity"),
        availability: text("availability"),
        label: text("label"),
        min_up: text("min_up"),
        attributes,
        reason: text(REASON),
    };
    if row.class_key.is_empty() {
        errors.push(LineError::new(
            line,
            "class",
            "is required: the key of the CI's class, such as virtual-machine",
        ));
    }
    if row.name.is_empty() {
        errors.push(LineError::new(line, "name", "is required"));
    }
    row
}

/// The CIs as a CSV file: the fixed columns, then one `attr.<key>` column for every attribute
/// any of the rows has, in key order; one record per row, in the order given.
pub fn write(rows: &[ExportRow]) -> Vec<u8> {
    let keys: BTreeSet<&str> = rows
        .iter()
        .flat_map(|row| row.attributes.keys())
        .map(String::as_str)
        .collect();
    let mut sheet = Sheet::new(
        COLUMNS
            .iter()
            .map(|column| (*column).to_owned())
            .chain(keys.iter().map(|key| format!("{ATTRIBUTE}{key}"))),
    );
    for row in rows {
        let attributes = keys
            .iter()
            .map(|key| row.attributes.get(*key).cloned().unwrap_or_default());
        sheet.row(cells(row).into_iter().chain(attributes));
    }
    sheet.into_bytes()
}

/// The fixed cells of `row`, in the order of [`COLUMNS`], before the formula guard.
fn cells(row: &ExportRow) -> [String; 15] {
    [
        number_text(row.number),
        row.class_key.clone(),
        row.name.clone(),
        row.description.clone(),
        row.organisation.clone(),
        row.owner.clone(),
        row.custodian.clone(),
        row.location.clone(),
        row.service.clone(),
        row.lifecycle.clone(),
        row.confidentiality.to_string(),
        row.integrity.to_string(),
        row.availability.to_string(),
        row.label.clone(),
        row.min_up.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

/// A reader of `text` that refuses records with another number of cells than the header.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes())
}

/// The trimmed column names of the header row, with the problems of unnamed and repeated
/// columns.
pub(crate) fn read_header(reader: &mut csv::Reader<&[u8]>) -> (Vec<String>, Vec<LineError>) {
    let names: Vec<String> = match reader.headers() {
        Ok(record) => record.iter().map(|name| name.trim().to_owned()).collect(),
        Err(error) => {
            return (
                Vec::new(),
                vec![LineError::new(1, "file", error.to_string())],
            );
        }
    };
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (index, name) in names.iter().enumerate() {
        if name.is_empty() {
            errors.push(LineError::new(
                1,
                format!("column {}", index + 1),
                "has no name in the header",
            ));
        } else if !seen.insert(name.as_str()) {
            errors.push(LineError::new(
                1,
                name.as_str(),
                "appears twice in the header",
            ));
        }
    }
    (names, errors)
}

/// Where `column` is in the header, or the error that it is not there.
pub(crate) fn find_column(header: &[String], column: &str) -> Result<usize, LineError> {
    header
        .iter()
        .position(|name| name == column)
        .ok_or_else(|| {
            LineError::new(
                1,
                column,
                format!("the file has no column {column}: the header row must name it"),
            )
        })
}

/// The line a record starts on.
pub(crate) fn line_of(record: &StringRecord) -> u64 {
    record.position().map_or(0, Position::line)
}

/// A record the reader refused, as a problem of its line.
pub(crate) fn record_error(error: &csv::Error) -> LineError {
    let line = error.position().map_or(0, Position::line);
    match error.kind() {
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => LineError::new(
            line,
            "row",
            format!("has {len} cells, but the header has {expected_len} columns"),
        ),
        _ => LineError::new(line, "file", error.to_string()),
    }
}

/// The problem of a file longer than [`MAX_ROWS`] `what`s.
pub(crate) fn too_long(what: &str) -> LineError {
    LineError::new(
        0,
        "file",
        format!("has more than {MAX_ROWS} {what}; split it into smaller files"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export_row(number: i64, name: &str) -> ExportRow {
        ExportRow {
            number,
            class_key: "virtual-machine".to_owned(),
            name: name.to_owned(),
            description: "Management server, \"primary\",\nrack A3".to_owned(),
            organisation: String::new(),
            owner: "Maria Schmidt".to_owned(),
            custodian: "sven.richter@example.com".to_owned(),
            location: "CI-000002 dc-frankfurt".to_owned(),
            service: "Managed hosting".to_owned(),
            lifecycle: "production".to_owned(),
            confidentiality: 3,
            integrity: 3,
            availability: 4,
            label: "confidential".to_owned(),
            min_up: None,
            attributes: BTreeMap::from([
                ("os".to_owned(), "Debian 12".to_owned()),
                ("vcpus".to_owned(), "4".to_owned()),
            ]),
        }
    }

    /// What `read` should give for `row` written by `write`, starting on `line`.
    fn imported(row: &ExportRow, line: u64) -> ImportRow {
        ImportRow {
            line,
            number: Some(row.number),
            class_key: row.class_key.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            organisation: row.organisation.clone(),
            owner: row.owner.clone(),
            custodian: row.custodian.clone(),
            location: row.location.clone(),
            service: row.service.clone(),
            lifecycle: row.lifecycle.clone(),
            confidentiality: row.confidentiality.to_string(),
            integrity: row.integrity.to_string(),
            availability: row.availability.to_string(),
            label: row.label.clone(),
            min_up: row.min_up.map(|n| n.to_string()).unwrap_or_default(),
            attributes: row.attributes.clone(),
            reason: String::new(),
        }
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    fn places(errors: &[LineError]) -> Vec<(u64, &str)> {
        errors.iter().map(|e| (e.line, e.field.as_str())).collect()
    }

    fn header_line() -> String {
        COLUMNS.join(",")
    }

    #[test]
    fn what_the_export_writes_the_import_reads_back() {
        let first = export_row(12, "mgmt-de-01");
        let mut second = export_row(1_234_567, "hv-cluster-de");
        second.class_key = "cluster".to_owned();
        second.description = "Hypervisors".to_owned();
        second.organisation = "Muster GmbH".to_owned();
        second.owner = "=HYPERLINK(\"http://evil.example\")".to_owned();
        second.min_up = Some(2);
        second.attributes = BTreeMap::from([
            ("offset".to_owned(), "-5".to_owned()),
            ("note".to_owned(), "'=not a formula".to_owned()),
        ]);
        let rows = [first, second];
        let file = text(write(&rows));
        let read_back = read(&file).unwrap();
        // The first row's description spans two lines, so the second row starts on line 4.
        assert_eq!(read_back, [imported(&rows[0], 2), imported(&rows[1], 4)]);
    }

    #[test]
    fn the_export_has_one_column_per_attribute_any_row_has() {
        let mut first = export_row(1, "a");
        first.description = "Hypervisor".to_owned();
        first.attributes = BTreeMap::from([("vcpus".to_owned(), "4".to_owned())]);
        let mut second = export_row(2, "b");
        second.attributes = BTreeMap::from([("serial".to_owned(), "XK-1".to_owned())]);
        let file = text(write(&[first, second]));
        let mut lines = file.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!("{},attr.serial,attr.vcpus", header_line())
        );
        let first_line = lines.next().unwrap();
        assert!(first_line.starts_with("CI-000001,virtual-machine,a,"));
        assert!(first_line.ends_with(",confidential,,,4"), "{first_line}");
    }

    #[test]
    fn an_empty_export_is_the_header_alone() {
        assert_eq!(text(write(&[])), format!("{}\n", header_line()));
    }

    #[test]
    fn numbers_are_optional_and_read_with_or_without_prefix() {
        let file = "number,class,name,reason\n\
                    ,hardware,new-host,Delivered today\n\
                    CI-000012,hardware,old-host,\n\
                    13,hardware,other-host,\n";
        let rows = read(file).unwrap();
        let numbers: Vec<Option<i64>> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [None, Some(12), Some(13)]);
        assert_eq!(rows[0].reason, "Delivered today");
        assert_eq!(rows[0].description, "");
        assert!(rows[0].attributes.is_empty());
    }

    #[test]
    fn empty_attribute_cells_are_left_out() {
        let rows = read("class,name,attr.serial,attr.rack\nhardware,srv-1, XK-1 ,\n").unwrap();
        assert_eq!(
            rows[0].attributes,
            BTreeMap::from([("serial".to_owned(), "XK-1".to_owned())])
        );
    }

    #[test]
    fn the_header_needs_class_and_name_and_known_columns_once() {
        let errors = read("number,colour,attr.,owner,owner\n").unwrap_err();
        assert_eq!(
            places(&errors),
            [
                (1, "owner"),
                (1, "colour"),
                (1, "attr."),
                (1, "class"),
                (1, "name"),
            ]
        );
        assert!(errors[0].message.contains("twice"), "{:?}", errors[0]);
        assert!(
            errors[1].message.contains("not a column"),
            "{:?}",
            errors[1]
        );
        assert!(
            errors[3].message.contains("no column class"),
            "{:?}",
            errors[3]
        );
        assert_eq!(places(&read("").unwrap_err()), [(1, "class"), (1, "name")]);
    }

    #[test]
    fn every_problem_of_every_row_is_reported() {
        let file = "number,class,name\n\
                    CI-12x,hardware,srv-1\n\
                    ,,\n\
                    5,hardware,srv-2\n\
                    CI-000005,hardware,srv-3\n\
                    ,hardware,srv-1\n\
                    ,hardware\n\
                    7,hardware,srv-7\n";
        let errors = read(file).unwrap_err();
        assert_eq!(
            places(&errors),
            [
                (2, "number"),
                (3, "class"),
                (3, "name"),
                (5, "number"),
                (6, "name"),
                (7, "row"),
            ]
        );
        assert!(errors[3].message.contains("line 4"), "{:?}", errors[3]);
        assert!(errors[4].message.contains("line 2"), "{:?}", errors[4]);
        assert!(errors[5].message.contains("2 cells"), "{:?}", errors[5]);
    }

    #[test]
    fn a_file_with_too_many_rows_is_refused_as_a_whole() {
        let mut file = String::from("class,name\n");
        for n in 0..=MAX_ROWS {
            file.push_str(&format!("hardware,host-{n}\n"));
        }
        assert_eq!(places(&read(&file).unwrap_err()), [(0, "file")]);
    }
}
