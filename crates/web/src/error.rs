//! The API's one error shape, `{"error": {"code", "message", "details"}}`, and the mapping from
//! domain errors to status codes. Internal causes are logged here and never sent to the caller.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tandem_kernel::{Error, FieldError};

/// The body of every error response of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid`, `bad_request`, `not_found`, `conflict`, `refused`,
    /// `payload_too_large`, `unsupported_media_type`, `method_not_allowed`, `internal`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// One entry per offending field, when the problem is with particular fields.
    pub details: Vec<FieldError>,
}

/// An error leaving the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        self.details = details;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(details) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Error::Invalid(details.clone()).to_string(),
            )
            .with_details(details),
            Error::NotFound { .. } => Self::not_found(error.to_string()),
            Error::Conflict { ref message, field } => {
                let details = field
                    .map(|f| vec![FieldError::new(f, message.clone())])
                    .unwrap_or_default();
                Self::new(StatusCode::CONFLICT, "conflict", message.clone()).with_details(details)
            }
            Error::Stale { .. } => Self::new(StatusCode::CONFLICT, "conflict", error.to_string()),
            Error::Refused(ref rules) => {
                Self::new(StatusCode::CONFLICT, "refused", error.to_string())
                    .with_details(rules.clone())
            }
            Error::Storage(ref cause) => {
                tracing::error!(error = %cause, "storage failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    error.to_string(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// `201 Created` with the new record's address in `Location` and the record as JSON.
pub fn created(location: String, body: impl Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}

/// A file to download: `body` as `content_type`, saved as `filename`.
pub fn download(content_type: &str, filename: &str, body: impl IntoResponse) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Completes the OpenAPI document as the middleware and the extractors answer: every response
/// gets a description (the status's reason phrase where the operation gave none), and every
/// operation declares, in the shared [`ErrorBody`] shape, the refusals any request can meet —
/// 400 (unreadable request), 401 (no or unknown token), 403 (no permission), 422 (a parameter
/// or field refused) — plus 404 where the path names a record, 409 for changes, and 413 and
/// 415 where a body is sent.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |status: StatusCode| {
        RefOr::T(
            ResponseBuilder::new()
                .description(status.canonical_reason().unwrap_or("Refused"))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (changes, operation) in operations {
            let Some(operation) = operation else { continue };
            let responses = &mut operation.responses.responses;
            for (code, response) in responses.iter_mut() {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = code
                        .parse::<u16>()
                        .ok()
                        .and_then(|c| StatusCode::from_u16(c).ok())
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("The answer")
                        .to_owned();
                }
            }
            let mut refusals = vec![
                StatusCode::BAD_REQUEST,
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::UNPROCESSABLE_ENTITY,
            ];
            if path.contains('{') {
                refusals.push(StatusCode::NOT_FOUND);
            }
            if changes {
                refusals.push(StatusCode::CONFLICT);
            }
            if operation.request_body.is_some() {
                refusals.extend([
                    StatusCode::PAYLOAD_TOO_LARGE,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ]);
            }
            for status in refusals {
                responses
                    .entry(status.as_u16().to_string())
                    .or_insert_with(|| error(status));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_get_their_status_codes() {
        let cases = [
            (
                Error::invalid("name", "is required"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            (
                Error::NotFound { entity: "person" },
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (Error::conflict("in use"), StatusCode::CONFLICT, "conflict"),
            (
                Error::Stale { entity: "person" },
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                Error::Refused(vec![tandem_kernel::FieldError::new("G5", "no fallback")]),
                StatusCode::CONFLICT,
                "refused",
            ),
            (
                Error::Storage("disk full".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
        ];
        for (error, status, code) in cases {
            let api = ApiError::from(error);
            assert_eq!((api.status, api.code), (status, code));
        }
    }

    #[test]
    fn storage_causes_are_not_shown_to_the_caller() {
        let api = ApiError::from(Error::Storage(
            "password authentication failed for user x".into(),
        ));
        assert!(!api.message.contains("password"), "{}", api.message);
    }

    #[test]
    fn invalid_fields_are_listed_in_details() {
        let api = ApiError::from(Error::invalid("email", "is required"));
        assert_eq!(api.details, [FieldError::new("email", "is required")]);
        assert_eq!(api.message, "email: is required");
    }
}
