//! Organisations and the rules for their fields.

use tandem_kernel::error::AllValid;
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{FieldError, Result, entity_id};
use time::OffsetDateTime;

entity_id!(
    /// Identifies an organisation.
    OrganisationId
);

/// The role an organisation plays towards the provider running Tandem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganisationKind {
    /// The IT service provider itself (Alpha in the demo). There is exactly one.
    Provider,
    /// A customer of the provider's services.
    Customer,
    /// A supplier or partner: a vendor giving third-level support, a sub-contractor.
    Supplier,
}

impl OrganisationKind {
    pub const ALL: [Self; 3] = [Self::Provider, Self::Customer, Self::Supplier];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Customer => "customer",
            Self::Supplier => "supplier",
        }
    }

    /// The position in lists sorted by kind: provider, customers, suppliers.
    pub fn rank(self) -> usize {
        Self::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or_default()
            + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Provider => "Provider",
            Self::Customer => "Customer",
            Self::Supplier => "Supplier",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "" => Err(FieldError::new(field, "is required")),
            value => Self::ALL
                .into_iter()
                .find(|k| k.as_str() == value)
                .ok_or_else(|| {
                    FieldError::new(field, "must be one of: provider, customer, supplier")
                }),
        }
    }
}

impl TryFrom<String> for OrganisationKind {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("kind", &value).map_err(|e| e.to_string())
    }
}

/// A stored organisation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: Name,
    #[sqlx(try_from = "String")]
    pub kind: OrganisationKind,
    pub description: Note,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// How many times the record was saved; an update must name the version it started from.
    pub version: i64,
}

/// An organisation as typed into a form or sent to the API, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: String,
    pub description: String,
}

/// A checked organisation, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationInput {
    pub name: Name,
    pub kind: OrganisationKind,
    pub description: Note,
}

impl OrganisationDraft {
    /// The draft that reproduces a stored organisation, as the starting point of an edit.
    pub fn from_record(organisation: &Organisation) -> Self {
        Self {
            name: organisation.name.to_string(),
            kind: organisation.kind.as_str().to_owned(),
            description: organisation.description.to_string(),
        }
    }

    pub fn validate(&self) -> Result<OrganisationInput> {
        let (name, kind, description) = (
            Name::parse("name", &self.name),
            OrganisationKind::parse("kind", &self.kind),
            Note::parse("description", &self.description),
        )
            .all_valid()?;
        Ok(OrganisationInput {
            name,
            kind,
            description,
        })
    }
}

/// The fields the audit trail records for an organisation.
fn audit_fields(
    name: &Name,
    kind: OrganisationKind,
    description: &Note,
) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("kind", kind.as_str().to_owned()),
        ("description", description.to_string()),
    ]
}

impl Organisation {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        audit_fields(&self.name, self.kind, &self.description)
    }
}

impl OrganisationInput {
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        audit_fields(&self.name, self.kind, &self.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_draft_validates() {
        let draft = OrganisationDraft {
            name: " Alpha Cloud ".into(),
            kind: "provider".into(),
            description: String::new(),
        };
        let input = draft.validate().unwrap();
        assert_eq!(input.name.as_str(), "Alpha Cloud");
        assert_eq!(input.kind, OrganisationKind::Provider);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let draft = OrganisationDraft {
            name: String::new(),
            kind: "partner".into(),
            description: String::new(),
        };
        let fields: Vec<_> = draft
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "kind"]);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in OrganisationKind::ALL {
            assert_eq!(
                OrganisationKind::parse("kind", kind.as_str()).unwrap(),
                kind
            );
        }
    }
}
