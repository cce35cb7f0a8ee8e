//! Gap assessments: a named statement of which nodes of a source framework are implemented,
//! kept so that the coverage of a target framework can be derived again at any time.

use tandem_kernel::error::AllValid;
use tandem_kernel::text::Name;
use tandem_kernel::{Error, FieldError, Result, entity_id};
use time::OffsetDateTime;

use crate::analysis::Status;
use crate::catalogue::Catalogue;

entity_id!(
    /// Identifies a gap assessment.
    AssessmentId
);

/// A stored assessment (without its statuses).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Assessment {
    pub id: AssessmentId,
    pub name: Name,
    pub source_framework: String,
    pub target_framework: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

/// The status declared for one source node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub reference: String,
    pub status: Status,
    pub note: String,
}

/// A new assessment as typed, not yet checked.
#[derive(Debug, Clone, Default)]
pub struct AssessmentDraft {
    pub name: String,
    pub source_framework: String,
    pub target_framework: String,
}

/// A checked new assessment.
#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub name: Name,
    pub source_framework: String,
    pub target_framework: String,
}

fn framework_field(catalogue: &Catalogue, field: &str, id: &str) -> Result<String, FieldError> {
    match id.trim() {
        "" => Err(FieldError::new(field, "is required")),
        id if catalogue.framework(id).is_some() => Ok(id.to_owned()),
        id => Err(FieldError::new(
            field,
            format!("there is no framework `{id}`"),
        )),
    }
}

impl AssessmentDraft {
    pub fn validate(&self, catalogue: &Catalogue) -> Result<AssessmentInput> {
        let (name, source_framework, target_framework) = (
            Name::parse("name", &self.name),
            framework_field(catalogue, "source_framework", &self.source_framework),
            framework_field(catalogue, "target_framework", &self.target_framework),
        )
            .all_valid()?;
        if source_framework == target_framework {
            return Err(Error::invalid(
                "target_framework",
                "must differ from the source framework",
            ));
        }
        Ok(AssessmentInput {
            name,
            source_framework,
            target_framework,
        })
    }
}

/// One change of a bulk status update: set a status, or clear it (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub reference: String,
    pub status: Option<Status>,
    pub note: String,
}

/// The most status changes one request may carry.
pub const MAX_CHANGES: usize = 5_000;

/// Checks raw `(reference, status, note)` triples against the source framework; every bad one
/// is reported with its position (`statuses[3].status`).
pub fn check_changes(
    catalogue: &Catalogue,
    source: &str,
    raw: &[(String, String, String)],
) -> Result<Vec<StatusChange>> {
    if raw.len() > MAX_CHANGES {
        return Err(Error::invalid(
            "statuses",
            format!(
                "has {} entries, at most {MAX_CHANGES} are allowed",
                raw.len()
            ),
        ));
    }
    let mut errors = Vec::new();
    let mut changes = Vec::with_capacity(raw.len());
    for (i, (reference, status, note)) in raw.iter().enumerate() {
        if catalogue.find(source, reference).is_none() {
            errors.push(FieldError::new(
                format!("statuses[{i}].ref"),
                format!("`{reference}` is not a node of `{source}`"),
            ));
            continue;
        }
        let status = match status.trim() {
            "" | "none" => None,
            value => match Status::parse(value) {
                Ok(status) => Some(status),
                Err(message) => {
                    errors.push(FieldError::new(format!("statuses[{i}].status"), message));
                    continue;
                }
            },
        };
        if note.chars().count() > 2_000 {
            errors.push(FieldError::new(
                format!("statuses[{i}].note"),
                "is longer than 2000 characters",
            ));
            continue;
        }
        changes.push(StatusChange {
            reference: reference.clone(),
            status,
            note: note.trim().to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(Error::Invalid(errors))
    }
}
