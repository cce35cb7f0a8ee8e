//! Services of the catalogue: what the provider offers (IaaS, PaaS, SaaS or other), who owns
//! it, which customers use it, and where its boundaries and responsibilities towards partners
//! lie.

use tandem_directory::{OrganisationId, PersonId};
use tandem_kernel::error::AllValid;
use tandem_kernel::id::parse_optional_id;
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use time::OffsetDateTime;

entity_id!(
    /// Identifies a service.
    ServiceId
);

/// The delivery model of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    Iaas,
    Paas,
    Saas,
    Other,
}

impl ServiceKind {
    pub const ALL: [Self; 4] = [Self::Iaas, Self::Paas, Self::Saas, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Iaas => "iaas",
            Self::Paas => "paas",
            Self::Saas => "saas",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Iaas => "Infrastructure (IaaS)",
            Self::Paas => "Platform (PaaS)",
            Self::Saas => "Software (SaaS)",
            Self::Other => "Other",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "must be one of: iaas, paas, saas, other"))
    }
}

/// A stored service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub name: Name,
    pub kind: ServiceKind,
    pub owner_id: Option<PersonId>,
    pub owner_name: Option<String>,
    pub description: Note,
    pub boundaries: Note,
    /// The customers using it, by name.
    pub customers: Vec<(OrganisationId, String)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

/// A service as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDraft {
    pub name: String,
    pub kind: String,
    pub owner_id: String,
    pub description: String,
    pub boundaries: String,
    pub customers: Vec<String>,
}

/// A checked service, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInput {
    pub name: Name,
    pub kind: ServiceKind,
    pub owner_id: Option<PersonId>,
    pub description: Note,
    pub boundaries: Note,
    pub customers: Vec<OrganisationId>,
}

impl ServiceDraft {
    /// Checks every field at once.
    pub fn validate(&self) -> Result<ServiceInput, Error> {
        let mut customers = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in self.customers.iter().enumerate() {
            match raw.trim().parse::<OrganisationId>() {
                Ok(id) if !customers.contains(&id) => customers.push(id),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::new(format!("customers[{i}]"), "is not an id")),
            }
        }
        let checked = (
            Name::parse("name", &self.name),
            ServiceKind::parse("kind", &self.kind),
            parse_optional_id::<PersonId>("owner_id", &self.owner_id),
            Note::parse("description", &self.description),
            Note::parse("boundaries", &self.boundaries),
        )
            .all_valid();
        match checked {
            Ok((name, kind, owner_id, description, boundaries)) if errors.is_empty() => {
                Ok(ServiceInput {
                    name,
                    kind,
                    owner_id,
                    description,
                    boundaries,
                    customers,
                })
            }
            Ok(_) => Err(Error::Invalid(errors)),
            Err(e) => {
                let mut all = e.field_errors();
                all.extend(errors);
                Err(Error::Invalid(all))
            }
        }
    }
}

impl ServiceInput {
    /// The fields the audit trail records; customers as sorted ids.
    pub fn audit_fields(&self) -> Vec<(&'static str, String)> {
        let mut customers: Vec<String> = self.customers.iter().map(ToString::to_string).collect();
        customers.sort();
        vec![
            ("name", self.name.to_string()),
            ("kind", self.kind.as_str().to_owned()),
            (
                "owner_id",
                self.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            ),
            ("description", self.description.to_string()),
            ("boundaries", self.boundaries.to_string()),
            ("customers", customers.join(" ")),
        ]
    }
}

impl Service {
    /// The service as input again (for the audit trail's "before").
    pub fn input(&self) -> ServiceInput {
        ServiceInput {
            name: self.name.clone(),
            kind: self.kind,
            owner_id: self.owner_id,
            description: self.description.clone(),
            boundaries: self.boundaries.clone(),
            customers: self.customers.iter().map(|(id, _)| *id).collect(),
        }
    }
}
