//! CI classes and their attribute sets: which attributes a CI of a class has, of what kind, and
//! the check of a CI's attribute values against them. Pure.
//!
//! A class is keyed by a stable word (`hardware`, `virtual-machine`). The built-in classes come
//! with the schema; administrators add classes and attributes. Values are kept as text in a
//! JSON object, checked against their attribute's kind whenever a CI is saved.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Deserializer, Serialize};
use tandem_kernel::{Error, FieldError};
use time::Date;
use time::macros::format_description;

/// The key of a CI class: a word of lower-case letters, digits, hyphens and underscores that
/// starts with a letter, at most [`ClassKey::MAX`] long (`hardware`, `virtual-machine`).
/// [`ClassKey::parse`] is the one check of it; stored keys are read back as they were written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct ClassKey(String);

impl ClassKey {
    pub const MAX: usize = 40;

    /// Reads `raw`, trimmed, as the class key in field `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if is_word(raw, Self::MAX) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "must be a word of lower-case letters, digits and hyphens, starting with a letter (at most {})",
                    Self::MAX
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClassKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key read from JSON (a stored baseline scope) is checked like a typed one.
impl<'de> Deserialize<'de> for ClassKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse("class", &raw).map_err(serde::de::Error::custom)
    }
}

tandem_kernel::vocabulary!(
    /// The kind of value an attribute holds.
    AttributeKind {
        Text = "text" / "Text",
        Integer = "integer" / "Whole number",
        Boolean = "boolean" / "Yes or no",
        Date = "date" / "Date",
        Choice = "choice" / "One of a list",
        Ip = "ip" / "IP address",
    }
);

/// One attribute of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// The attribute's name in the API, CSV columns (`attr.<key>`) and the JSON of a CI.
    pub key: String,
    pub label: String,
    /// The kind's word (`text`, `integer`, …); checked by [`ClassDraft::validate`].
    pub kind: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The allowed values of a `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Whether the attribute identifies a CI when an inventory is compared with what was
    /// found (a serial number, a host name).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity: bool,
}

impl AttributeDef {
    fn kind(&self) -> AttributeKind {
        // Definitions are checked before they are stored, so the word is always known.
        AttributeKind::parse("kind", &self.kind).unwrap_or(AttributeKind::Text)
    }
}

/// A CI class with its attribute set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiClass {
    pub key: ClassKey,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    /// Whether CIs of the class group redundant members (and so have a quorum).
    pub is_cluster: bool,
    pub attributes: Vec<AttributeDef>,
    pub version: i64,
}

/// A class as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassDraft {
    pub key: String,
    pub name: String,
    pub description: String,
    pub is_cluster: bool,
    pub attributes: Vec<AttributeDef>,
}

const MAX_ATTRIBUTES: usize = 60;
const MAX_VALUE: usize = 2000;

fn is_word(raw: &str, max: usize) -> bool {
    !raw.is_empty()
        && raw.len() <= max
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl ClassDraft {
    /// Checks the class and every attribute definition, reporting every problem at once.
    pub fn validate(mut self) -> Result<ClassDraft, Error> {
        let mut errors = Vec::new();
        self.key = self.key.trim().to_owned();
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        if let Err(e) = ClassKey::parse("key", &self.key) {
            errors.push(e);
        }
        if self.name.is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "is required and has at most 100 characters",
            ));
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            errors.push(FieldError::new(
                "attributes",
                format!("a class has at most {MAX_ATTRIBUTES} attributes"),
            ));
        }
        let mut seen = Vec::new();
        for (i, def) in self.attributes.iter_mut().enumerate() {
            let at = |part: &str| format!("attributes[{i}].{part}");
            def.key = def.key.trim().to_owned();
            def.label = def.label.trim().to_owned();
            if !is_word(&def.key, 40) {
                errors.push(FieldError::new(
                    at("key"),
                    "must be a word of lower-case letters, digits, hyphens and underscores, starting with a letter",
                ));
            } else if seen.contains(&def.key) {
                errors.push(FieldError::new(at("key"), "is used by another attribute"));
            } else {
                seen.push(def.key.clone());
            }
            if def.label.is_empty() {
                def.label.clone_from(&def.key);
            }
            match AttributeKind::parse(&at("kind"), &def.kind) {
                Ok(AttributeKind::Choice) => {
                    def.values.iter_mut().for_each(|v| *v = v.trim().to_owned());
                    def.values.retain(|v| !v.is_empty());
                    if def.values.is_empty() {
                        errors.push(FieldError::new(
                            at("values"),
                            "a choice needs at least one value",
                        ));
                    }
                }
                Ok(_) => def.values.clear(),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(Error::Invalid(errors))
        }
    }
}

/// The attribute values of a CI: key to value, in key order.
pub type Attributes = BTreeMap<String, String>;

/// Checks `values` against the attribute set of `class`: unknown attributes, missing required
/// ones and values of the wrong kind are each named (`attributes.serial: …`). Empty values are
/// dropped; values are returned in a normal form (trimmed, `true`/`false`, `YYYY-MM-DD`).
pub fn check_attributes(
    class: &CiClass,
    values: &Attributes,
) -> Result<Attributes, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut checked = Attributes::new();
    for (key, raw) in values {
        let field = format!("attributes.{key}");
        let Some(def) = class.attributes.iter().find(|d| &d.key == key) else {
            errors.push(FieldError::new(
                field,
                format!("is not an attribute of the class {}", class.name),
            ));
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match normalise(def, raw) {
            Ok(value) => {
                checked.insert(key.clone(), value);
            }
            Err(message) => errors.push(FieldError::new(field, message)),
        }
    }
    for def in class.attributes.iter().filter(|d| d.required) {
        let field = format!("attributes.{}", def.key);
        if !checked.contains_key(&def.key) && !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::new(
                field,
                format!(
                    "{} is required for a CI of the class {}",
                    def.label, class.name
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

fn normalise(def: &AttributeDef, raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_VALUE {
        return Err(format!("has at most {MAX_VALUE} characters"));
    }
    match def.kind() {
        AttributeKind::Text => Ok(raw.to_owned()),
        AttributeKind::Integer => raw
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| "must be a whole number".to_owned()),
        AttributeKind::Boolean => match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok("true".into()),
            "false" | "no" | "0" => Ok("false".into()),
            _ => Err("must be yes or no (true or false)".into()),
        },
        AttributeKind::Date => Date::parse(raw, format_description!("[year]-[month]-[day]"))
            .map(|d| d.to_string())
            .map_err(|_| "must be a date as YYYY-MM-DD".into()),
        AttributeKind::Choice => def
            .values
            .iter()
            .find(|v| v.as_str() == raw)
            .cloned()
            .ok_or_else(|| format!("must be one of: {}", def.values.join(", "))),
        AttributeKind::Ip => raw
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| "must be an IPv4 or IPv6 address".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm() -> CiClass {
        CiClass {
            key: ClassKey::parse("key", "virtual-machine").unwrap(),
            name: "Virtual machine".into(),
            description: String::new(),
            builtin: true,
            is_cluster: false,
            attributes: vec![
                AttributeDef {
                    key: "hostname".into(),
                    label: "Host name".into(),
                    kind: "text".into(),
                    required: true,
                    values: vec![],
                    identity: true,
                },
                AttributeDef {
                    key: "environment".into(),
                    label: "Environment".into(),
                    kind: "choice".into(),
                    required: false,
                    values: vec!["production".into(), "staging".into()],
                    identity: false,
                },
                AttributeDef {
                    key: "ip".into(),
                    label: "IP".into(),
                    kind: "ip".into(),
                    required: false,
                    values: vec![],
                    identity: false,
                },
                AttributeDef {
                    key: "cores".into(),
                    label: "Cores".into(),
                    kind: "integer".into(),
                    required: false,
                    values: vec![],
                    identity: false,
                },
            ],
            version: 1,
        }
    }

    fn attrs(pairs: &[(&str, &str)]) -> Attributes {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_class_key_is_a_trimmed_word_of_at_most_forty_characters() {
        let key = ClassKey::parse("class", " virtual-machine ").unwrap();
        assert_eq!(key.as_str(), "virtual-machine");
        assert_eq!(key.to_string(), "virtual-machine");
        assert_eq!(
            ClassKey::parse("class", "rack_2u").unwrap().as_str(),
            "rack_2u"
        );
        let longest = "a".repeat(ClassKey::MAX);
        assert_eq!(
            ClassKey::parse("class", &longest).unwrap().as_str(),
            longest
        );
    }

    #[test]
    fn every_kind_of_bad_class_key_is_refused_with_the_rule() {
        let too_long = "a".repeat(ClassKey::MAX + 1);
        for bad in [
            "",
            "   ",
            "Hardware",
            "rack unit",
            "1u-rack",
            "-rack",
            "_rack",
            "räck",
            "rack.unit",
            too_long.as_str(),
        ] {
            let refused = ClassKey::parse("class_key", bad).unwrap_err();
            assert_eq!(refused.field, "class_key", "{bad:?}");
            assert_eq!(
                refused.message,
                "must be a word of lower-case letters, digits and hyphens, starting with a letter (at most 40)",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_class_key_is_plain_text_in_json_and_checked_when_read() {
        let key = ClassKey::parse("class", "network-device").unwrap();
        assert_eq!(serde_json::to_string(&key).unwrap(), "\"network-device\"");
        assert_eq!(
            serde_json::from_str::<ClassKey>("\"network-device\"").unwrap(),
            key
        );
        assert!(serde_json::from_str::<ClassKey>("\"Network Device\"").is_err());
    }

    #[test]
    fn good_values_are_normalised() {
        let checked = check_attributes(
            &vm(),
            &attrs(&[
                ("hostname", " mgmt-de-01 "),
                ("ip", "10.0.0.7"),
                ("cores", "08"),
                ("environment", ""),
            ]),
        )
        .unwrap();
        assert_eq!(
            checked,
            attrs(&[
                ("cores", "8"),
                ("hostname", "mgmt-de-01"),
                ("ip", "10.0.0.7")
            ])
        );
    }

    #[test]
    fn every_bad_value_is_named_with_its_field() {
        let errors = check_attributes(
            &vm(),
            &attrs(&[
                ("ip", "10.0.0.300"),
                ("cores", "many"),
                ("environment", "prod"),
                ("colour", "blue"),
            ]),
        )
        .unwrap_err();
        let named: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                (
                    "attributes.colour",
                    "is not an attribute of the class Virtual machine"
                ),
                ("attributes.cores", "must be a whole number"),
                (
                    "attributes.environment",
                    "must be one of: production, staging"
                ),
                ("attributes.ip", "must be an IPv4 or IPv6 address"),
                (
                    "attributes.hostname",
                    "Host name is required for a CI of the class Virtual machine"
                ),
            ]
        );
    }

    #[test]
    fn class_definitions_are_checked_whole() {
        let draft = ClassDraft {
            key: "Rack Unit".into(),
            name: " ".into(),
            description: String::new(),
            is_cluster: false,
            attributes: vec![
                AttributeDef {
                    key: "slot".into(),
                    label: String::new(),
                    kind: "integer".into(),
                    required: false,
                    values: vec!["x".into()],
                    identity: false,
                },
                AttributeDef {
                    key: "slot".into(),
                    label: "Slot again".into(),
                    kind: "colour".into(),
                    required: false,
                    values: vec![],
                    identity: false,
                },
                AttributeDef {
                    key: "state".into(),
                    label: "State".into(),
                    kind: "choice".into(),
                    required: false,
                    values: vec![" ".into()],
                    identity: false,
                },
            ],
        };
        let fields: Vec<String> = draft
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "key",
                "name",
                "attributes[1].key",
                "attributes[1].kind",
                "attributes[2].values"
            ]
        );
    }

    #[test]
    fn a_good_class_keeps_its_label_or_takes_its_key() {
        let checked = ClassDraft {
            key: "rack".into(),
            name: "Rack".into(),
            description: String::new(),
            is_cluster: false,
            attributes: vec![AttributeDef {
                key: "height_units".into(),
                label: String::new(),
                kind: "integer".into(),
                required: true,
                values: vec!["ignored".into()],
                identity: false,
            }],
        }
        .validate()
        .unwrap();
        assert_eq!(checked.attributes[0].label, "height_units");
        assert!(checked.attributes[0].values.is_empty());
    }
}
