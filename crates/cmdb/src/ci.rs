//! Configuration items: what a CI is, its life cycle and operational state, and the
//! classification that seed 000 section 3.2 asks for before any risk assessment
//! (confidentiality, integrity and availability ratings and an information label).

use std::fmt;

use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::error::AllValid;
use tandem_kernel::id::{CIS, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use tandem_service_levels::services::ServiceId;
use time::OffsetDateTime;

use crate::class::{Attributes, CiClass, ClassKey, check_attributes};
use crate::relation::RelationKind;
use crate::version::Snapshot;

entity_id!(
    /// Identifies a configuration item.
    CiId
);

tandem_kernel::vocabulary!(
    /// Where a CI is in its life, from planning to retirement. A deletion in the inventory is a
    /// move to `retired`: the CI and its history stay.
    Lifecycle {
        Planned = "planned" / "Planned",
        Ordered = "ordered" / "Ordered",
        InStock = "in-stock" / "In stock",
        Production = "production" / "Production",
        Maintenance = "maintenance" / "Maintenance",
        Retired = "retired" / "Retired",
    }
);

impl Lifecycle {
    /// Whether the CI serves users now: production and maintenance are the productive states
    /// whose changes need a change record.
    pub fn is_productive(self) -> bool {
        matches!(self, Self::Production | Self::Maintenance)
    }
}

tandem_kernel::vocabulary!(
    /// How a CI works right now. Ordered: a CI's state only gets worse along
    /// operational < degraded < down, which the impact analysis relies on.
    OperationalState {
        Operational = "operational" / "Operational",
        Degraded = "degraded" / "Degraded",
        Down = "down" / "Down",
    }
);

tandem_kernel::vocabulary!(
    /// How sensitive the information on a CI is.
    Label {
        Public = "public" / "Public",
        Internal = "internal" / "Internal",
        Confidential = "confidential" / "Confidential",
        Secret = "secret" / "Secret",
    }
);

/// A confidentiality, integrity or availability rating: how much harm its loss does, from
/// 1 (low) to 4 (very high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    pub const LOW: Rating = Rating(1);
    pub const MEDIUM: Rating = Rating(2);
    pub const HIGH: Rating = Rating(3);
    pub const VERY_HIGH: Rating = Rating(4);
    pub const ALL: [Rating; 4] = [Self::LOW, Self::MEDIUM, Self::HIGH, Self::VERY_HIGH];

    /// The rating `value` (1 to 4).
    pub fn new(value: u8) -> Option<Self> {
        (1..=4).contains(&value).then_some(Self(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "low",
            2 => "medium",
            3 => "high",
            _ => "very high",
        }
    }

    /// Reads a rating typed as `1`–`4` or as its word (`low`, `medium`, `high`, `very high`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|r| raw == r.0.to_string() || raw.eq_ignore_ascii_case(r.label()))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be a rating from 1 (low) to 4 (very high): 1, 2, 3 or 4",
                )
            })
    }

    /// Every rating as (value, label), for select fields.
    pub fn choices() -> Vec<(String, String)> {
        Self::ALL
            .iter()
            .map(|r| (r.0.to_string(), format!("{} ({})", r.0, r.label())))
            .collect()
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The classification of a CI: its C, I and A ratings and its information label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Classification {
    pub confidentiality: Rating,
    pub integrity: Rating,
    pub availability: Rating,
    pub label: Label,
}

impl Classification {
    /// The highest of the three ratings: how exposed the CI is.
    pub fn exposure(&self) -> Rating {
        self.confidentiality
            .max(self.integrity)
            .max(self.availability)
    }

    /// `C3 I3 A4 confidential`, as lists show it.
    pub fn short(&self) -> String {
        format!(
            "C{} I{} A{} {}",
            self.confidentiality, self.integrity, self.availability, self.label
        )
    }
}

/// A CI's number as people read it: `CI-000042`.
pub fn number_text(number: i64) -> String {
    CIS.text(number)
}

/// Reads `CI-000042` (or `42`) back into a number.
pub fn parse_number(raw: &str) -> Option<i64> {
    CIS.parse(raw)
}

/// A stored CI, with the names of what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ci {
    pub id: CiId,
    pub number: i64,
    pub class_key: ClassKey,
    pub class_name: String,
    pub name: String,
    pub description: String,
    /// The customer that owns the CI (its endpoints and rooms); none for the provider's own.
    pub organisation: Option<(OrganisationId, String)>,
    pub owner: Option<(PersonId, String)>,
    pub custodian: Option<(PersonId, String)>,
    /// The location CI it is in: (id, number, name).
    pub location: Option<(CiId, i64, String)>,
    /// The service of the catalogue a `service` CI stands for.
    pub service: Option<(ServiceId, String)>,
    pub lifecycle: Lifecycle,
    pub operational: OperationalState,
    pub operational_since: OffsetDateTime,
    /// When a person last confirmed the record (asset review), and who.
    pub reviewed: Option<(OffsetDateTime, String)>,
    pub classification: Classification,
    /// A cluster's quorum: it stays up while at least this many members are up (none: one).
    pub min_up: Option<u32>,
    pub attributes: Attributes,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

impl Ci {
    /// `CI-000042`.
    pub fn number_text(&self) -> String {
        number_text(self.number)
    }

    /// `CI-000042 mgmt-de-01`, as references show a CI.
    pub fn reference(&self) -> String {
        format!("{} {}", self.number_text(), self.name)
    }

    /// The record as a snapshot of readable values, given its outgoing relations as
    /// (kind, target number, target name).
    pub fn snapshot(&self, relations: &[(RelationKind, i64, String)]) -> Snapshot {
        let name_of = |r: &Option<(PersonId, String)>| r.as_ref().map(|(_, n)| n.clone());
        let mut snapshot: Snapshot = [
            ("class", Some(self.class_key.to_string())),
            ("name", Some(self.name.clone())),
            ("description", Some(self.description.clone())),
            (
                "customer",
                self.organisation.as_ref().map(|(_, n)| n.clone()),
            ),
            ("owner", name_of(&self.owner)),
            ("custodian", name_of(&self.custodian)),
            (
                "location",
                self.location
                    .as_ref()
                    .map(|(_, number, name)| format!("{} {name}", number_text(*number))),
            ),
            ("service", self.service.as_ref().map(|(_, n)| n.clone())),
            ("lifecycle", Some(self.lifecycle.as_str().to_owned())),
            (
                "confidentiality",
                Some(self.classification.confidentiality.to_string()),
            ),
            ("integrity", Some(self.classification.integrity.to_string())),
            (
                "availability",
                Some(self.classification.availability.to_string()),
            ),
            ("label", Some(self.classification.label.as_str().to_owned())),
            ("min_up", self.min_up.map(|n| n.to_string())),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| (field.to_owned(), v))
        })
        .collect();
        for (key, value) in &self.attributes {
            snapshot.insert(format!("attributes.{key}"), value.clone());
        }
        for (kind, number, name) in relations {
            snapshot.insert(
                format!("relation {} {name}", kind.as_str()),
                number_text(*number),
            );
        }
        snapshot
    }
}

/// A CI as typed into a form or sent to the API: every field as text, ids included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiDraft {
    pub class_key: String,
    pub name: String,
    pub description: String,
    pub organisation_id: String,
    pub owner_id: String,
    pub custodian_id: String,
    pub location_id: String,
    pub service_id: String,
    pub lifecycle: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub label: String,
    pub min_up: String,
    pub attributes: Attributes,
}

/// A checked CI, ready to be stored (its references are checked by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiInput {
    pub class_key: ClassKey,
    pub name: Name,
    pub description: Note,
    pub organisation_id: Option<OrganisationId>,
    pub owner_id: Option<PersonId>,
    pub custodian_id: Option<PersonId>,
    pub location_id: Option<CiId>,
    pub service_id: Option<ServiceId>,
    pub lifecycle: Lifecycle,
    pub classification: Classification,
    pub min_up: Option<u32>,
    pub attributes: Attributes,
}

impl CiDraft {
    /// Checks every field against `class` (which the caller looked up by `class_key`) and
    /// reports every problem at once.
    pub fn validate(&self, class: &CiClass) -> Result<CiInput, Error> {
        let min_up = match self.min_up.trim() {
            "" => Ok(None),
            raw => match raw.parse::<u32>() {
                Ok(n) if n >= 1 && class.is_cluster => Ok(Some(n)),
                Ok(_) if !class.is_cluster => Err(FieldError::new(
                    "min_up",
                    "only a cluster has a quorum of members that must be up",
                )),
                _ => Err(FieldError::new(
                    "min_up",
                    "must be a whole number of members, at least 1",
                )),
            },
        };
        let checked = (
            Name::parse("name", &self.name),
            Note::parse("description", &self.description),
            parse_optional_id::<OrganisationId>("organisation_id", &self.organisation_id),
            parse_optional_id::<PersonId>("owner_id", &self.owner_id),
            parse_optional_id::<PersonId>("custodian_id", &self.custodian_id),
            parse_optional_id::<CiId>("location_id", &self.location_id),
            parse_optional_id::<ServiceId>("service_id", &self.service_id),
            Lifecycle::parse("lifecycle", &self.lifecycle),
        )
            .all_valid();
        let rated = (
            Rating::parse("confidentiality", &self.confidentiality),
            Rating::parse("integrity", &self.integrity),
            Rating::parse("availability", &self.availability),
            Label::parse("label", &self.label),
            min_up,
        )
            .all_valid();
        let attributes = check_attributes(class, &self.attributes);
        let mut errors = Vec::new();
        if let Err(e) = &checked {
            errors.extend(e.field_errors());
        }
        if let Err(e) = &rated {
            errors.extend(e.field_errors());
        }
        if let Err(e) = &attributes {
            errors.extend(e.iter().cloned());
        }
        if let Ok(checked) = &checked
            && checked.6.is_some()
            && class.key.as_str() != "service"
        {
            errors.push(FieldError::new(
                "service_id",
                "only a CI of the class service stands for a service of the catalogue",
            ));
        }
        match (checked, rated, attributes) {
            (
                Ok((
                    name,
                    description,
                    organisation_id,
                    owner_id,
                    custodian_id,
                    location_id,
                    service_id,
                    lifecycle,
                )),
                Ok((confidentiality, integrity, availability, label, min_up)),
                Ok(attributes),
            ) if errors.is_empty() => Ok(CiInput {
                class_key: class.key.clone(),
                name,
                description,
                organisation_id,
                owner_id,
                custodian_id,
                location_id,
                service_id,
                lifecycle,
                classification: Classification {
                    confidentiality,
                    integrity,
                    availability,
                    label,
                },
                min_up,
                attributes,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl Ci {
    /// The record as a draft again, for forms and partial changes.
    pub fn draft(&self) -> CiDraft {
        let id = |v: Option<String>| v.unwrap_or_default();
        CiDraft {
            class_key: self.class_key.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            organisation_id: id(self.organisation.as_ref().map(|(i, _)| i.to_string())),
            owner_id: id(self.owner.as_ref().map(|(i, _)| i.to_string())),
            custodian_id: id(self.custodian.as_ref().map(|(i, _)| i.to_string())),
            location_id: id(self.location.as_ref().map(|(i, _, _)| i.to_string())),
            service_id: id(self.service.as_ref().map(|(i, _)| i.to_string())),
            lifecycle: self.lifecycle.as_str().to_owned(),
            confidentiality: self.classification.confidentiality.to_string(),
            integrity: self.classification.integrity.to_string(),
            availability: self.classification.availability.to_string(),
            label: self.classification.label.as_str().to_owned(),
            min_up: self.min_up.map(|n| n.to_string()).unwrap_or_default(),
            attributes: self.attributes.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_refusals_list_the_choices() {
        for state in Lifecycle::ALL {
            assert_eq!(Lifecycle::parse("lifecycle", state.as_str()), Ok(*state));
        }
        let refused = Lifecycle::parse("lifecycle", "deleted").unwrap_err();
        assert_eq!(refused.field, "lifecycle");
        assert_eq!(
            refused.message,
            "must be one of: planned, ordered, in-stock, production, maintenance, retired"
        );
    }

    #[test]
    fn operational_states_are_ordered_from_best_to_worst() {
        assert!(OperationalState::Operational < OperationalState::Degraded);
        assert!(OperationalState::Degraded < OperationalState::Down);
    }

    #[test]
    fn ratings_read_numbers_and_words_and_refuse_the_rest() {
        assert_eq!(Rating::parse("c", "3"), Ok(Rating::HIGH));
        assert_eq!(Rating::parse("c", "Very High"), Ok(Rating::VERY_HIGH));
        assert!(Rating::parse("c", "0").is_err());
        assert!(Rating::parse("c", "5").is_err());
        assert_eq!(Rating::new(5), None);
    }

    #[test]
    fn exposure_is_the_highest_rating() {
        let c = Classification {
            confidentiality: Rating::MEDIUM,
            integrity: Rating::HIGH,
            availability: Rating::VERY_HIGH,
            label: Label::Internal,
        };
        assert_eq!(c.exposure(), Rating::VERY_HIGH);
        assert_eq!(c.short(), "C2 I3 A4 internal");
    }

    #[test]
    fn numbers_read_and_print_alike() {
        assert_eq!(number_text(42), "CI-000042");
        assert_eq!(parse_number("CI-000042"), Some(42));
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("CI-"), None);
        assert_eq!(parse_number("CI-0"), None);
        assert_eq!(parse_number("T-000042x"), None);
    }
}
