//! The one error type capabilities return to the edges. The web layer maps each variant to a
//! status code and the shared JSON error shape; nothing here knows about HTTP.

use std::fmt;

/// A problem with one input field, phrased for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as the caller sent it (`email`, `members[2]`).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why an operation did not happen. Every variant means: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke one or more rules; each field error says which and why.
    #[error("{}", summarize(.0))]
    Invalid(Vec<FieldError>),
    /// The record does not exist, or the caller may not know that it exists.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// The request is valid on its own but clashes with what is stored (a duplicate e-mail, a
    /// record still in use).
    #[error("{message}")]
    Conflict {
        message: String,
        field: Option<&'static str>,
    },
    /// Someone else saved the record after the caller read the version their change is based
    /// on. Answered as a conflict; a change that names no version may simply be made again.
    #[error(
        "the {entity} was changed by someone else after you loaded it; reload it and make your change again"
    )]
    Stale { entity: &'static str },
    /// A rule of the record's life cycle refused the step: each entry names the rule (`field`)
    /// and says what is missing. Answered as a conflict, with every failing rule listed.
    #[error("{}", refusals(.0))]
    Refused(Vec<FieldError>),
    /// The store failed; the cause is logged, never shown to the caller.
    #[error("the database is unavailable or failed; the operation was not carried out")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: None,
        }
    }

    /// The field errors this error carries, for showing next to form fields.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(errors) | Self::Refused(errors) => errors.clone(),
            Self::Conflict {
                message,
                field: Some(field),
            } => vec![FieldError::new(*field, message.clone())],
            _ => Vec::new(),
        }
    }
}

fn refusals(rules: &[FieldError]) -> String {
    format!(
        "Refused: {}",
        rules
            .iter()
            .map(|r| r.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    )
}

fn summarize(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{one}"),
        many => format!(
            "{} fields are invalid: {}",
            many.len(),
            many.iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Collects the results of validating several fields at once, so that a form shows every
/// problem in one round trip instead of the first one only.
///
/// ```
/// use tandem_kernel::{error::AllValid, text::Name, text::Email};
/// let checked = (Name::parse("name", "Ada"), Email::parse("email", "not-an-address")).all_valid();
/// assert_eq!(checked.unwrap_err().field_errors()[0].field, "email");
/// ```
pub trait AllValid {
    type Output;
    fn all_valid(self) -> Result<Self::Output>;
}

macro_rules! all_valid_for_tuples {
    ($( ($($name:ident : $ty:ident),+) )+) => {$(
        impl<$($ty),+> AllValid for ($(std::result::Result<$ty, FieldError>,)+) {
            type Output = ($($ty,)+);
            fn all_valid(self) -> Result<Self::Output> {
                let ($($name,)+) = self;
                let errors: Vec<FieldError> =
                    [$($name.as_ref().err().cloned()),+].into_iter().flatten().collect();
                match ($($name,)+) {
                    ($(Ok($name),)+) => Ok(($($name,)+)),
                    _ => Err(Error::Invalid(errors)),
                }
            }
        }
    )+};
}

all_valid_for_tuples! {
    (a: A)
    (a: A, b: B)
    (a: A, b: B, c: C)
    (a: A, b: B, c: C, d: D)
    (a: A, b: B, c: C, d: D, e: E)
    (a: A, b: B, c: C, d: D, e: E, f: F)
    (a: A, b: B, c: C, d: D, e: E, f: F, g: G)
    (a: A, b: B, c: C, d: D, e: E, f: F, g: G, h: H)
}

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

/// Any driver error that was not turned into something more specific at the call site is a
/// storage failure.
impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Storage(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_valid_reports_every_failing_field_in_order() {
        let result = (
            Err::<u8, _>(FieldError::new("name", "is required")),
            Ok::<_, FieldError>(1u8),
            Err::<u8, _>(FieldError::new("email", "is not an e-mail address")),
        )
            .all_valid();
        let err = result.unwrap_err();
        let fields: Vec<_> = err.field_errors().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email"]);
        assert_eq!(err.to_string(), "2 fields are invalid: name, email");
    }

    #[test]
    fn all_valid_passes_values_through() {
        let (a, b) = (Ok::<_, FieldError>("x"), Ok::<_, FieldError>(2))
            .all_valid()
            .unwrap();
        assert_eq!((a, b), ("x", 2));
    }
}
