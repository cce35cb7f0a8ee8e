//! Reconciliation: an inventory of what was actually found (by a scan, an agent or a walk
//! through the racks) compared with what the CMDB records, the verification of actual
//! configurations that ISO 27001 asks for. Pure: the caller hands in the file's text and the
//! CIs in scope; nothing here reads a database, a clock or a file.
//!
//! Found items and CIs are matched on their class and one identifying attribute (a host name,
//! a serial number), compared without regard to case or surrounding spaces. Only what an
//! item reports is compared; an attribute it leaves out is not a difference.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::ci::{CiId, Lifecycle};
use crate::class::ClassKey;
use crate::csv_io::{
    LineError, MAX_ROWS, csv_reader, find_column, line_of, read_header, record_error, too_long,
};

/// The reported attribute that is no attribute of a CI: how far the item's clock is off, in
/// milliseconds.
pub const CLOCK_FIELD: &str = "clock_offset_ms";

/// The column or field that names an item's class.
const CLASS: &str = "class";

/// One item of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The item's line in a CSV file, or its position (from 1) in a JSON file.
    pub line: u64,
    pub class_key: String,
    /// The value of the attribute matched on, such as the host name.
    pub key: String,
    /// What the item reports, by attribute key; empty values are not reported.
    pub attributes: BTreeMap<String, String>,
}

/// One CI in the scope of the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub ci_id: CiId,
    /// `CI-000012 mgmt-de-01`.
    pub reference: String,
    pub class_key: ClassKey,
    /// The CI's value of the attribute matched on; none when it has none.
    pub key: Option<String>,
    pub lifecycle: Lifecycle,
    pub attributes: BTreeMap<String, String>,
}

/// One finding of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A CI in production or maintenance that the inventory does not have.
    Missing { ci_id: CiId, reference: String },
    /// An item that matches no CI.
    Unknown {
        line: u64,
        class_key: String,
        key: String,
    },
    /// A field whose found value differs from the recorded one.
    Changed {
        ci_id: CiId,
        reference: String,
        field: String,
        expected: String,
        found: String,
    },
    /// A CI found as recorded.
    Matched { ci_id: CiId, reference: String },
    /// An item whose class and key an earlier line already had.
    Duplicate { line: u64, key: String },
}

tandem_kernel::vocabulary!(
    /// The kind of a finding, as a kept run stores it and the API and pages show it.
    OutcomeKind {
        Missing = "missing" / "Missing",
        Unknown = "unknown" / "Unknown",
        Changed = "changed" / "Changed",
        Matched = "matched" / "Matched",
        Duplicate = "duplicate" / "Duplicate",
    }
);

/// How many findings of each kind a reconciliation has; `changed` counts CIs, not fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub missing: usize,
    pub unknown: usize,
    pub changed: usize,
    pub matched: usize,
    pub duplicate: usize,
}

/// A class or key as compared: trimmed, in lower case.
fn normal(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Compares the items `found` with the CIs `known` to be in scope. Clocks off by more than
/// `clock_threshold_ms` (either way) are reported as a changed `clock`.
///
/// The findings come in this order: unknown and duplicate items by line, then the missing,
/// changed and matched CIs, each by reference. When two CIs share class and key, items match
/// the one listed first.
pub fn reconcile(found: &[Found], known: &[Known], clock_threshold_ms: i64) -> Vec<Outcome> {
    let mut by_key: HashMap<(String, String), &Known> = HashMap::new();
    for ci in known {
        if let Some(key) = ci.key.as_deref().map(normal).filter(|k| !k.is_empty()) {
            by_key
                .entry((normal(ci.class_key.as_str()), key))
                .or_insert(ci);
        }
    }

    let mut by_line: Vec<(u64, Outcome)> = Vec::new();
    let mut checked: Vec<(&Known, Vec<Outcome>)> = Vec::new();
    let mut seen_keys = HashSet::new();
    let mut seen_cis = HashSet::new();
    for item in found {
        let pair = (normal(&item.class_key), normal(&item.key));
        let ci = by_key.get(&pair).copied();
        if !seen_keys.insert(pair) {
            by_line.push((
                item.line,
                Outcome::Duplicate {
                    line: item.line,
                    key: item.key.trim().to_owned(),
                },
            ));
            continue;
        }
        let Some(ci) = ci else {
            by_line.push((
                item.line,
                Outcome::Unknown {
                    line: item.line,
                    class_key: item.class_key.trim().to_owned(),
                    key: item.key.trim().to_owned(),
                },
            ));
            continue;
        };
        seen_cis.insert(ci.ci_id);
        checked.push((ci, differences(item, ci, clock_threshold_ms)));
    }
    by_line.sort_by_key(|(line, _)| *line);

    let mut missing: Vec<&Known> = known
        .iter()
        .filter(|ci| ci.lifecycle.is_productive() && !seen_cis.contains(&ci.ci_id))
        .collect();
    missing.sort_by(|a, b| a.reference.cmp(&b.reference));
    checked.sort_by(|a, b| a.0.reference.cmp(&b.0.reference));
    let (drifted, clean): (Vec<_>, Vec<_>) = checked
        .into_iter()
        .partition(|(_, changes)| !changes.is_empty());

    let mut outcomes: Vec<Outcome> = by_line.into_iter().map(|(_, o)| o).collect();
    outcomes.extend(missing.into_iter().map(|ci| Outcome::Missing {
        ci_id: ci.ci_id,
        reference: ci.reference.clone(),
    }));
    outcomes.extend(drifted.into_iter().flat_map(|(_, changes)| changes));
    outcomes.extend(clean.into_iter().map(|(ci, _)| Outcome::Matched {
        ci_id: ci.ci_id,
        reference: ci.reference.clone(),
    }));
    outcomes
}

/// The fields in which `item` differs from `ci`, one finding each, in the order of the
/// item's attributes.
fn differences(item: &Found, ci: &Known, clock_threshold_ms: i64) -> Vec<Outcome> {
    item.attributes
        .iter()
        .filter_map(|(key, value)| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            let (field, expected, found) = if key == CLOCK_FIELD {
                let (expected, found) = clock(value, clock_threshold_ms)?;
                ("clock".to_owned(), expected, found)
            } else {
                let expected = ci.attributes.get(key).map_or("", |v| v.trim());
                if expected == value {
                    return None;
                }
                (
                    format!("attributes.{key}"),
                    expected.to_owned(),
                    value.to_owned(),
                )
            };
            Some(Outcome::Changed {
                ci_id: ci.ci_id,
                reference: ci.reference.clone(),
                field,
                expected,
                found,
            })
        })
        .collect()
}

/// What is wrong with a reported clock offset, as (expected, found); none when it is within
/// the threshold.
fn clock(raw: &str, threshold_ms: i64) -> Option<(String, String)> {
    let threshold = threshold_ms.unsigned_abs();
    match raw.parse::<i64>() {
        Ok(offset) if offset.unsigned_abs() > threshold => Some((
            format!("offset within ±{threshold} ms"),
            format!("{offset} ms"),
        )),
        Ok(_) => None,
        Err(_) => Some(("a whole number of milliseconds".to_owned(), raw.to_owned())),
    }
}

/// Counts the findings by kind.
pub fn outcome_counts(outcomes: &[Outcome]) -> Counts {
    let mut counts = Counts::default();
    let mut changed = HashSet::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Missing { .. } => counts.missing += 1,
            Outcome::Unknown { .. } => counts.unknown += 1,
            Outcome::Changed { ci_id, .. } => {
                changed.insert(*ci_id);
            }
            Outcome::Matched { .. } => counts.matched += 1,
            Outcome::Duplicate { .. } => counts.duplicate += 1,
        }
    }
    counts.changed = changed.len();
    counts
}

/// Reads an inventory in CSV: a header row naming `class`, the `match_on` column and any
/// attribute columns, then one item per row. Every problem of every row is reported.
pub fn read_csv(text: &str, match_on: &str) -> Result<Vec<Found>, Vec<LineError>> {
    let match_on = match_on.trim();
    if match_on.is_empty() {
        return Err(vec![no_match_on()]);
    }
    let mut reader = csv_reader(text);
    let (header, mut errors) = read_header(&mut reader);
    let (class_at, key_at) = match (find_column(&header, CLASS), find_column(&header, match_on)) {
        (Ok(class_at), Ok(key_at)) if errors.is_empty() => (class_at, key_at),
        (class_at, key_at) => {
            errors.extend(class_at.err());
            errors.extend(key_at.err());
            return Err(errors);
        }
    };

    let mut found = Vec::new();
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
        let line = line_of(&record);
        let cell = |at: usize| record.get(at).unwrap_or_default().trim().to_owned();
        let (class_key, key) = (cell(class_at), cell(key_at));
        if class_key.is_empty() {
            errors.push(no_class(line, CLASS));
        }
        if key.is_empty() {
            errors.push(no_key(line, match_on));
        }
        let attributes = header
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(at, _)| *at != class_at && *at != key_at)
            .map(|(_, (column, value))| (column.clone(), value.trim().to_owned()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        found.push(Found {
            line,
            class_key,
            key,
            attributes,
        });
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// Reads an inventory in JSON:
/// `{"source": "…", "match_on": "hostname", "items": [{"class": "…", "hostname": "…",
/// "attributes": {"os_version": "12.9", "clock_offset_ms": 12}}]}`. Attribute values may be
/// texts, numbers or true/false; a null is not reported. Returns the attribute matched on and
/// the items, or every problem found.
pub fn read_json(text: &str) -> Result<(String, Vec<Found>), Vec<LineError>> {
    let file: Value = serde_json::from_str(text)
        .map_err(|e| vec![LineError::new(0, "file", format!("is not valid JSON: {e}"))])?;
    let match_on = file
        .get("match_on")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let items = file.get("items").and_then(Value::as_array);
    let (match_on, items) = match (match_on, items) {
        (Some(match_on), Some(items)) => (match_on, items),
        (match_on, items) => {
            let mut errors = Vec::new();
            if match_on.is_none() {
                errors.push(no_match_on());
            }
            if items.is_none() {
                errors.push(LineError::new(
                    0,
                    "items",
                    "must be a list of the items found",
                ));
            }
            return Err(errors);
        }
    };
    if items.len() > MAX_ROWS {
        return Err(vec![too_long("items")]);
    }

    let mut errors = Vec::new();
    let found: Vec<Found> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| read_item(index, item, match_on, &mut errors))
        .collect();
    if errors.is_empty() {
        Ok((match_on.to_owned(), found))
    } else {
        Err(errors)
    }
}

/// Item `index` of a JSON inventory; its problems are added to `errors`.
fn read_item(
    index: usize,
    item: &Value,
    match_on: &str,
    errors: &mut Vec<LineError>,
) -> Option<Found> {
    let line = index as u64 + 1;
    let at = |field: &str| format!("items[{index}].{field}");
    let Some(item) = item.as_object() else {
        errors.push(LineError::new(
            line,
            format!("items[{index}]"),
            format!("must be an object with {CLASS}, {match_on} and attributes"),
        ));
        return None;
    };
    let before = errors.len();
    let class_key = item.get(CLASS).and_then(scalar).unwrap_or_default();
    if class_key.is_empty() {
        errors.push(no_class(line, at(CLASS)));
    }
    let key = item.get(match_on).and_then(scalar).unwrap_or_default();
    if key.is_empty() {
        errors.push(no_key(line, at(match_on)));
    }
    let mut attributes = BTreeMap::new();
    match item.get("attributes") {
        None | Some(Value::Null) => {}
        Some(Value::Object(values)) => {
            for (name, value) in values {
                match scalar(value) {
                    Some(text) if text.is_empty() => {}
                    Some(text) => {
                        attributes.insert(name.trim().to_owned(), text);
                    }
                    None => errors.push(LineError::new(
                        line,
                        at(&format!("attributes.{name}")),
                        "must be a text, a number, true or false",
                    )),
                }
            }
        }
        Some(_) => errors.push(LineError::new(
            line,
            at("attributes"),
            "must be an object of attribute keys and values",
        )),
    }
    if errors.len() > before {
        return None;
    }
    Some(Found {
        line,
        class_key,
        key,
        attributes,
    })
}

/// A JSON value as trimmed text: texts, numbers and true/false; a null is empty; none for a
/// list or an object.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn no_match_on() -> LineError {
    LineError::new(
        0,
        "match_on",
        "is required: the attribute that identifies an item, such as hostname",
    )
}

fn no_class(line: u64, field: impl Into<String>) -> LineError {
    LineError::new(
        line,
        field,
        "is required: the key of the item's class, such as virtual-machine",
    )
}

fn no_key(line: u64, field: impl Into<String>) -> LineError {
    LineError::new(
        line,
        field,
        "is required: the value that identifies the item",
    )
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn found(line: u64, class_key: &str, key: &str, pairs: &[(&str, &str)]) -> Found {
        Found {
            line,
            class_key: class_key.to_owned(),
            key: key.to_owned(),
            attributes: attrs(pairs),
        }
    }

    fn known(n: u128, name: &str, lifecycle: Lifecycle, pairs: &[(&str, &str)]) -> Known {
        Known {
            ci_id: CiId(Uuid::from_u128(n)),
            reference: format!("CI-{n:06} {name}"),
            class_key: ClassKey::parse("class", VM).unwrap(),
            key: Some(name.to_owned()),
            lifecycle,
            attributes: attrs(pairs),
        }
    }

    fn changed(n: u128, name: &str, field: &str, expected: &str, found: &str) -> Outcome {
        Outcome::Changed {
            ci_id: CiId(Uuid::from_u128(n)),
            reference: format!("CI-{n:06} {name}"),
            field: field.to_owned(),
            expected: expected.to_owned(),
            found: found.to_owned(),
        }
    }

    fn matched(n: u128, name: &str) -> Outcome {
        Outcome::Matched {
            ci_id: CiId(Uuid::from_u128(n)),
            reference: format!("CI-{n:06} {name}"),
        }
    }

    const VM: &str = "virtual-machine";

    #[test]
    fn a_ci_found_as_recorded_is_matched_whatever_the_case_of_its_key() {
        let cis = [known(
            1,
            "mgmt-de-01",
            Lifecycle::Production,
            &[("os", "12.9")],
        )];
        let items = [found(
            2,
            " Virtual-Machine",
            " MGMT-de-01 ",
            &[("os", "12.9")],
        )];
        assert_eq!(reconcile(&items, &cis, 100), [matched(1, "mgmt-de-01")]);
    }

    #[test]
    fn each_differing_field_is_a_change_and_unreported_fields_are_not() {
        let cis = [known(
            1,
            "mgmt-de-01",
            Lifecycle::Production,
            &[("os", "12.8"), ("vcpus", "4"), ("ram", "16")],
        )];
        let items = [found(
            2,
            VM,
            "mgmt-de-01",
            &[
                ("os", "12.9"),
                ("vcpus", ""),
                ("ram", "16"),
                ("ip", "10.0.0.5"),
            ],
        )];
        assert_eq!(
            reconcile(&items, &cis, 100),
            [
                changed(1, "mgmt-de-01", "attributes.ip", "", "10.0.0.5"),
                changed(1, "mgmt-de-01", "attributes.os", "12.8", "12.9"),
            ]
        );
    }

    #[test]
    fn a_clock_is_checked_against_the_threshold_and_not_as_an_attribute() {
        let cis = [
            known(1, "a", Lifecycle::Production, &[]),
            known(2, "b", Lifecycle::Production, &[]),
            known(3, "c", Lifecycle::Production, &[]),
            known(4, "d", Lifecycle::Production, &[]),
        ];
        let items = [
            found(2, VM, "a", &[(CLOCK_FIELD, "250")]),
            found(3, VM, "b", &[(CLOCK_FIELD, "-251")]),
            found(4, VM, "c", &[(CLOCK_FIELD, "12.5")]),
            found(5, VM, "d", &[(CLOCK_FIELD, "-250")]),
        ];
        assert_eq!(
            reconcile(&items, &cis, 250),
            [
                changed(2, "b", "clock", "offset within ±250 ms", "-251 ms"),
                changed(3, "c", "clock", "a whole number of milliseconds", "12.5"),
                matched(1, "a"),
                matched(4, "d"),
            ]
        );
    }

    #[test]
    fn only_productive_cis_can_be_missing() {
        let cis = [
            known(1, "prod", Lifecycle::Production, &[]),
            known(2, "maint", Lifecycle::Maintenance, &[]),
            known(3, "planned", Lifecycle::Planned, &[]),
            known(4, "ordered", Lifecycle::Ordered, &[]),
            known(5, "stock", Lifecycle::InStock, &[]),
            known(6, "retired", Lifecycle::Retired, &[]),
        ];
        let missing: Vec<u128> = reconcile(&[], &cis, 100)
            .iter()
            .map(|o| match o {
                Outcome::Missing { ci_id, .. } => ci_id.0.as_u128(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(missing, [1, 2]);
    }

    #[test]
    fn a_key_of_another_class_is_unknown_and_repeated_keys_are_duplicates() {
        let cis = [known(1, "srv-1", Lifecycle::Production, &[])];
        let items = [
            found(7, VM, "srv-1", &[]),
            found(3, "hardware", "srv-1", &[]),
            found(9, VM, "SRV-1", &[("os", "x")]),
            found(4, "hardware", "srv-1", &[]),
        ];
        assert_eq!(
            reconcile(&items, &cis, 100),
            [
                Outcome::Unknown {
                    line: 3,
                    class_key: "hardware".to_owned(),
                    key: "srv-1".to_owned(),
                },
                Outcome::Duplicate {
                    line: 4,
                    key: "srv-1".to_owned(),
                },
                Outcome::Duplicate {
                    line: 9,
                    key: "SRV-1".to_owned(),
                },
                matched(1, "srv-1"),
            ]
        );
    }

    #[test]
    fn findings_come_unknown_by_line_then_missing_changed_and_matched_by_reference() {
        let cis = [
            known(4, "d-matched", Lifecycle::Production, &[]),
            known(3, "c-changed", Lifecycle::Production, &[("os", "1")]),
            known(2, "b-missing", Lifecycle::Maintenance, &[]),
            known(1, "a-matched", Lifecycle::Production, &[]),
        ];
        let items = [
            found(2, VM, "d-matched", &[]),
            found(3, VM, "zz-unknown", &[]),
            found(4, VM, "c-changed", &[("os", "2")]),
            found(5, VM, "a-matched", &[]),
            found(6, VM, "aa-unknown", &[]),
        ];
        let outcomes = reconcile(&items, &cis, 100);
        assert_eq!(
            outcomes,
            [
                Outcome::Unknown {
                    line: 3,
                    class_key: VM.to_owned(),
                    key: "zz-unknown".to_owned(),
                },
                Outcome::Unknown {
                    line: 6,
                    class_key: VM.to_owned(),
                    key: "aa-unknown".to_owned(),
                },
                Outcome::Missing {
                    ci_id: CiId(Uuid::from_u128(2)),
                    reference: "CI-000002 b-missing".to_owned(),
                },
                changed(3, "c-changed", "attributes.os", "1", "2"),
                matched(1, "a-matched"),
                matched(4, "d-matched"),
            ]
        );
    }

    #[test]
    fn counts_count_changed_cis_not_fields() {
        let cis = [
            known(1, "a", Lifecycle::Production, &[("os", "1"), ("ram", "8")]),
            known(2, "b", Lifecycle::Production, &[]),
            known(3, "c", Lifecycle::Production, &[]),
        ];
        let items = [
            found(2, VM, "a", &[("os", "2"), ("ram", "16")]),
            found(3, VM, "b", &[]),
            found(4, VM, "b", &[]),
            found(5, VM, "new", &[]),
        ];
        assert_eq!(
            outcome_counts(&reconcile(&items, &cis, 100)),
            Counts {
                missing: 1,
                unknown: 1,
                changed: 1,
                matched: 1,
                duplicate: 1,
            }
        );
    }

    #[test]
    fn csv_items_carry_their_line_and_reported_attributes() {
        let file = "class,hostname,os_version,clock_offset_ms\n\
                    virtual-machine,mgmt-de-01,12.9,12\n\
                    virtual-machine,\"db-de-01\",\"12.9\n(bookworm)\",\n\
                    hardware, srv-1 ,,\n";
        let items = read_csv(file, "hostname").unwrap();
        assert_eq!(
            items,
            [
                found(
                    2,
                    VM,
                    "mgmt-de-01",
                    &[("os_version", "12.9"), (CLOCK_FIELD, "12")]
                ),
                found(3, VM, "db-de-01", &[("os_version", "12.9\n(bookworm)")]),
                found(5, "hardware", "srv-1", &[]),
            ]
        );
    }

    #[test]
    fn csv_without_the_class_or_match_column_is_refused_on_line_one() {
        let errors = read_csv("name,os\nx,y\n", "hostname").unwrap_err();
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(places, [(1, "class"), (1, "hostname")]);
        assert!(
            errors[1].message.contains("no column hostname"),
            "{errors:?}"
        );
        assert_eq!(
            read_csv("class,hostname\n", " ").unwrap_err()[0].field,
            "match_on"
        );
    }

    #[test]
    fn csv_reports_every_bad_row() {
        let file = "class,serial\n\
                    ,XK-1\n\
                    hardware,\n\
                    hardware,XK-3\n\
                    hardware,XK-4,extra\n";
        let errors = read_csv(file, "serial").unwrap_err();
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(places, [(2, "class"), (3, "serial"), (5, "row")]);
    }

    #[test]
    fn json_items_turn_numbers_and_flags_into_text() {
        let file = r#"{
            "source": "scanner 2.1",
            "match_on": "hostname",
            "items": [
                {"class": "virtual-machine", "hostname": "mgmt-de-01",
                 "attributes": {"os_version": "12.9", "clock_offset_ms": 12, "secure_boot": true,
                                "notes": null, "ip": " "}},
                {"class": "hardware", "hostname": "srv-1"}
            ]
        }"#;
        let (match_on, items) = read_json(file).unwrap();
        assert_eq!(match_on, "hostname");
        assert_eq!(
            items,
            [
                found(
                    1,
                    VM,
                    "mgmt-de-01",
                    &[
                        (CLOCK_FIELD, "12"),
                        ("os_version", "12.9"),
                        ("secure_boot", "true"),
                    ]
                ),
                found(2, "hardware", "srv-1", &[]),
            ]
        );
    }

    #[test]
    fn json_problems_name_the_item_and_field() {
        let file = r#"{"match_on": "hostname", "items": [
            {"class": "hardware", "hostname": "ok"},
            {"class": "hardware"},
            {"hostname": "x", "attributes": {"disks": ["sda"]}},
            "srv-4",
            {"class": "hardware", "hostname": "y", "attributes": [1]}
        ]}"#;
        let errors = read_json(file).unwrap_err();
        let places: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            places,
            [
                (2, "items[1].hostname"),
                (3, "items[2].class"),
                (3, "items[2].attributes.disks"),
                (4, "items[3]"),
                (5, "items[4].attributes"),
            ]
        );
    }

    #[test]
    fn json_that_does_not_parse_or_lacks_its_frame_is_one_file_problem() {
        let errors = read_json("{\"items\": [").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].field.as_str()), (0, "file"));
        let errors = read_json(r#"{"items": {}}"#).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["match_on", "items"]);
    }
}
