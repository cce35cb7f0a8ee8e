//! Interested parties and their requirements (ISO/IEC 27001:2022 clause 4.2): who has a stake in
//! the ISMS (customers, legislators, the domain, suppliers, the provider's own staff), what they
//! require (laws, contracts, SLAs, customer demands), and what satisfies each requirement: a
//! document of the register, a control of a framework, or an agreement.
//!
//! Pure: the typed fields checked into inputs; whether the referenced records exist is the
//! store's business.

use tandem_directory::OrganisationId;
use tandem_kernel::id::{parse_id, parse_optional_id};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, FieldError, entity_id};
use tandem_service_levels::agreement::AgreementId;

use crate::document::DocumentId;
use crate::pattern::{RequirementKind, StakeholderKind};

entity_id!(
    /// An interested party.
    PartyId
);

entity_id!(
    /// A requirement of an interested party.
    RequirementId
);

/// A party's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct PartyDraft {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub motivation: String,
    pub relation: String,
    /// The organisation of the directory it is, if any.
    pub organisation_id: String,
    pub source: String,
}

/// A party's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyInput {
    pub name: Name,
    pub kind: StakeholderKind,
    pub description: Note,
    pub motivation: Note,
    pub relation: Note,
    pub organisation: Option<OrganisationId>,
    pub source: Note,
}

impl PartyDraft {
    pub fn validate(&self) -> Result<PartyInput, Error> {
        let checked = (
            Name::parse("name", &self.name),
            StakeholderKind::parse("kind", &self.kind),
            Note::parse("description", &self.description),
            Note::parse("motivation", &self.motivation),
            Note::parse("relation", &self.relation),
            parse_optional_id("organisation_id", &self.organisation_id),
            Note::parse("source", &self.source),
        );
        let (name, kind, description, motivation, relation, organisation, source) =
            tandem_kernel::error::AllValid::all_valid(checked)?;
        Ok(PartyInput {
            name,
            kind,
            description,
            motivation,
            relation,
            organisation,
            source,
        })
    }
}

/// What satisfies a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Satisfier {
    Document(DocumentId),
    Agreement(AgreementId),
    /// A node of a framework of the library: `control:iso27001-2022 A.5.15`.
    Control {
        framework: String,
        reference: String,
    },
}

impl Satisfier {
    /// Reads `document:ID`, `agreement:ID` or `control:FRAMEWORK REFERENCE` in `field`; empty is
    /// none (not satisfied yet).
    pub fn parse(field: &str, raw: &str) -> Result<Option<Self>, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let refused = || {
            FieldError::new(
                field,
                "write document:ID, agreement:ID or control:FRAMEWORK REFERENCE (such as control:iso27001-2022 A.5.15)",
            )
        };
        let (kind, target) = raw.split_once(':').ok_or_else(refused)?;
        match kind.trim() {
            "document" => parse_id(field, target).map(|id| Some(Self::Document(id))),
            "agreement" => parse_id(field, target).map(|id| Some(Self::Agreement(id))),
            "control" => {
                let (framework, reference) = target.trim().split_once(' ').ok_or_else(refused)?;
                Ok(Some(Self::Control {
                    framework: framework.trim().to_owned(),
                    reference: reference.trim().to_owned(),
                }))
            }
            _ => Err(refused()),
        }
    }

    /// As stored and written: the form [`Satisfier::parse`] reads.
    pub fn text(&self) -> String {
        match self {
            Self::Document(id) => format!("document:{id}"),
            Self::Agreement(id) => format!("agreement:{id}"),
            Self::Control {
                framework,
                reference,
            } => format!("control:{framework} {reference}"),
        }
    }
}

/// A requirement's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct RequirementDraft {
    pub kind: String,
    pub text: String,
    pub source: String,
    /// `document:ID`, `agreement:ID`, `control:FRAMEWORK REFERENCE` or empty.
    pub satisfied_by: String,
}

/// A requirement's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementInput {
    pub kind: RequirementKind,
    pub text: Note,
    pub source: Note,
    pub satisfied_by: Option<Satisfier>,
}

impl RequirementDraft {
    pub fn validate(&self) -> Result<RequirementInput, Error> {
        let text = Note::parse("text", &self.text).and_then(|t| {
            if t.as_str().is_empty() {
                Err(FieldError::new("text", "is required"))
            } else {
                Ok(t)
            }
        });
        let (kind, text, source, satisfied_by) = tandem_kernel::error::AllValid::all_valid((
            RequirementKind::parse("kind", &self.kind),
            text,
            Note::parse("source", &self.source),
            Satisfier::parse("satisfied_by", &self.satisfied_by),
        ))?;
        Ok(RequirementInput {
            kind,
            text,
            source,
            satisfied_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satisfiers_read_and_write_alike() {
        let id = uuid::Uuid::now_v7();
        for text in [
            format!("document:{id}"),
            format!("agreement:{id}"),
            "control:iso27001-2022 A.5.15".to_owned(),
        ] {
            let read = Satisfier::parse("satisfied_by", &text).unwrap().unwrap();
            assert_eq!(read.text(), text);
        }
        assert_eq!(Satisfier::parse("satisfied_by", " ").unwrap(), None);
        for bad in ["policy:x", "document:nope", "control:iso27001-2022"] {
            assert_eq!(
                Satisfier::parse("satisfied_by", bad).unwrap_err().field,
                "satisfied_by",
                "{bad}"
            );
        }
    }

    #[test]
    fn parties_and_requirements_are_checked_field_by_field() {
        let party = PartyDraft {
            name: "Beta Technologies".into(),
            kind: "cloud-customer".into(),
            ..PartyDraft::default()
        }
        .validate()
        .unwrap();
        assert_eq!(party.kind, StakeholderKind::CloudCustomer);
        let bad = PartyDraft {
            kind: "investor".into(),
            organisation_id: "x".into(),
            ..PartyDraft::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "kind", "organisation_id"]);
        let requirement = RequirementDraft {
            kind: "law".into(),
            text: " ".into(),
            satisfied_by: "contract:1".into(),
            ..RequirementDraft::default()
        };
        let fields: Vec<String> = requirement
            .validate()
            .unwrap_err()
            .field_errors()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["text", "satisfied_by"]);
    }
}
