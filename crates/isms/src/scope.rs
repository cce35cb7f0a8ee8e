//! The ISMS scope as a record (ISO/IEC 27001:2022 clause 4.3; seed 004 section 11): the
//! organisational units, locations, services, CIs and information in scope, the boundaries and
//! the interfaces to what is outside, and the exclusions, each with its justification.
//!
//! The scope is a controlled document of kind `scope`: its versions are written, approved,
//! published and compared like any other. The record is the version's text in a fixed shape,
//! one section per part and one item per line, so that the text stays the one source and the
//! diff between two versions shows what entered or left the scope. Pure: the record written as
//! that text and read back from it, and its checks.

use tandem_kernel::FieldError;

/// The parts of a scope, in the order of the text, with their headings.
pub const SECTIONS: [(&str, &str); 8] = [
    ("units", "Organisational units"),
    ("locations", "Locations"),
    ("services", "Services"),
    ("cis", "Configuration items"),
    ("information", "Information"),
    ("boundaries", "Boundaries"),
    ("interfaces", "Interfaces to what is outside the scope"),
    ("exclusions", "Exclusions and their justification"),
];

/// The heading the record's text starts with.
pub const TITLE: &str = "# Scope of the ISMS";

/// A scope: for each part of [`SECTIONS`], its items; an exclusion is `what — why`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRecord {
    pub parts: Vec<(&'static str, Vec<String>)>,
}

impl ScopeRecord {
    /// The items of part `key`.
    pub fn items(&self, key: &str) -> &[String] {
        self.parts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, items)| items.as_slice())
            .unwrap_or_default()
    }

    /// A record from one text per part (`key`, lines), empty lines dropped.
    pub fn from_lines(lines: &[(&str, &str)]) -> Self {
        Self {
            parts: SECTIONS
                .iter()
                .map(|(key, _)| {
                    let text = lines
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, text)| *text)
                        .unwrap_or_default();
                    (
                        *key,
                        text.lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// The record's text: the title, then one section per part with its items as a list.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("{TITLE}\n");
        for (key, heading) in SECTIONS {
            out.push_str(&format!("\n## {heading}\n\n"));
            let items = self.items(key);
            if items.is_empty() {
                out.push_str("None.\n");
            }
            for item in items {
                out.push_str(&format!("- {item}\n"));
            }
        }
        out
    }

    /// Reads a record from a version's text written by [`ScopeRecord::to_markdown`]; `None` when
    /// the text is not in that shape (a scope written freely, from the template, say).
    pub fn from_markdown(text: &str) -> Option<Self> {
        let mut lines = text.lines().map(str::trim_end);
        if lines.next()? != TITLE {
            return None;
        }
        let mut parts: Vec<(&'static str, Vec<String>)> = Vec::new();
        for line in lines {
            if let Some(heading) = line.strip_prefix("## ") {
                let (key, _) = SECTIONS.iter().find(|(_, h)| *h == heading)?;
                parts.push((key, Vec::new()));
            } else if let Some(item) = line.strip_prefix("- ") {
                parts.last_mut()?.1.push(item.trim().to_owned());
            } else if !(line.is_empty() || line == "None.") {
                return None;
            }
        }
        let keys: Vec<&str> = parts.iter().map(|(k, _)| *k).collect();
        let expected: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
        (keys == expected).then_some(Self { parts })
    }

    /// Checks the record: every exclusion says why (`what — why`), no item is over 500
    /// characters; errors name the part and the line (`exclusions[1]`).
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for (key, items) in &self.parts {
            for (i, item) in items.iter().enumerate() {
                let field = format!("{key}[{i}]");
                if item.chars().count() > 500 {
                    errors.push(FieldError::new(
                        field.clone(),
                        "is too long: at most 500 characters a line",
                    ));
                }
                if *key == "exclusions"
                    && item
                        .split_once(" — ")
                        .is_none_or(|(what, why)| what.trim().is_empty() || why.trim().is_empty())
                {
                    errors.push(FieldError::new(
                        field,
                        "an exclusion says why: write what is excluded, then “ — ”, then the justification",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alpha() -> ScopeRecord {
        ScopeRecord::from_lines(&[
            ("units", "Cloud operations\nService desk\n"),
            ("locations", "Data centre Frankfurt\nData centre Ashburn"),
            ("services", "Video conferencing"),
            ("cis", "CI-000001 bridge-de-01"),
            ("information", "Meeting bookings"),
            ("boundaries", "The customers' own networks are outside"),
            ("interfaces", "Vidcom third-level support"),
            (
                "exclusions",
                "Physical security of the offices — run by the landlord under contract",
            ),
        ])
    }

    #[test]
    fn a_record_is_written_and_read_back_alike() {
        let record = alpha();
        let text = record.to_markdown();
        assert!(
            text.starts_with(
                "# Scope of the ISMS\n\n## Organisational units\n\n- Cloud operations\n"
            )
        );
        assert_eq!(ScopeRecord::from_markdown(&text), Some(record));
        let empty = ScopeRecord::from_lines(&[]);
        assert!(empty.to_markdown().contains("## Locations\n\nNone.\n"));
        assert_eq!(
            ScopeRecord::from_markdown(&empty.to_markdown()),
            Some(empty)
        );
        assert_eq!(ScopeRecord::from_markdown("# Scope\n\nFree text"), None);
        assert_eq!(
            ScopeRecord::from_markdown(&text.replace("## Locations", "## Places")),
            None
        );
    }

    #[test]
    fn an_exclusion_without_its_justification_is_refused_by_its_line() {
        assert!(alpha().check().is_ok());
        let bad = ScopeRecord::from_lines(&[(
            "exclusions",
            "Offices — landlord\nHR systems\nPrinters — ",
        )]);
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["exclusions[1]", "exclusions[2]"]);
    }
}
