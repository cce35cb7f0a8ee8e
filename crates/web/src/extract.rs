//! Extractors that validate requests at the edge and reject bad ones in the API's error shape,
//! naming the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use tandem_kernel::FieldError;

use crate::ApiError;

/// A JSON request body. Rejects a missing or wrong content type (415), a body over
/// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES) (413), malformed JSON (400), and unknown, missing
/// or mistyped fields (422, with the field's path in `details`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be JSON, sent with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "the request body is larger than the limit of {} bytes",
                        crate::MAX_BODY_BYTES
                    ),
                )
            } else {
                ApiError::bad_request(format!("the request body could not be read: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A raw request body (an uploaded file), rejected in the API's error shape when it is larger
/// than the route accepts.
#[derive(Debug, Clone, Default)]
pub struct ApiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than this request accepts",
                    )
                } else {
                    ApiError::bad_request(format!(
                        "the request body could not be read: {rejection}"
                    ))
                }
            })
    }
}

/// Deserializes `bytes` into `T`, turning every failure into an error that names the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return ApiError::bad_request(format!("the request body is not valid JSON: {inner}"));
        }
        let message = inner.to_string();
        let field = named_field(&message)
            .map(|name| {
                if path == "." {
                    name.to_owned()
                } else if path == name || path.ends_with(&format!(".{name}")) {
                    path.clone()
                } else {
                    format!("{path}.{name}")
                }
            })
            .unwrap_or(path);
        let message = strip_position(&message);
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {message}"),
        )
        .with_details(vec![FieldError::new(field, message)])
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))?;
    Ok(value)
}

/// The field serde names in "unknown field `x`" or "missing field `x`".
fn named_field(message: &str) -> Option<&str> {
    ["unknown field `", "missing field `"]
        .iter()
        .find_map(|marker| {
            let at = message.find(marker)?;
            message[at + marker.len()..].split('`').next()
        })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// What a route's path names: a record's id (`InPath<TicketId>` for `/tickets/{id}`), or several
/// parameters as a tuple (`InPath<(CiId, i64)>` for `/cis/{id}/versions/{version}`). A value
/// that does not parse names no record, so it is answered as an unknown one is: 404, in the
/// API's error shape under `/api/` and as the not-found page elsewhere. Path parameters are
/// read before the body, so a malformed id is a 404 whatever the body holds.
#[derive(Debug, Clone, Copy)]
pub struct InPath<T>(pub T);

impl<S, T> FromRequestParts<S> for InPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(axum::extract::Path(value)) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await
        {
            return Ok(InPath(value));
        }
        // Under a nested router `parts.uri` has lost its prefix; the original has it.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_owned(), |o| o.0.path().to_owned());
        Err(if path.starts_with("/api/") {
            ApiError::not_found(format!("there is no record at `{path}`")).into_response()
        } else {
            crate::PageError::not_found().into_response()
        })
    }
}

/// Query-string parameters, rejected in the API's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse_query(query).map(ApiQuery)
    }
}

/// What is wrong with a form field or query parameter that [`field_not_utf8`] finds.
pub(crate) const NOT_UTF8: &str = "holds characters that are not valid text (UTF-8)";

/// The name of the first field of a form body or query string
/// (`application/x-www-form-urlencoded`) whose name or value is not UTF-8 once
/// percent-decoded, such as `name=%FF`. The decoder behind every form and query extractor
/// turns such bytes into U+FFFD without a word; looking first lets them be refused, as they
/// are in a JSON body.
pub(crate) fn field_not_utf8(encoded: &[u8]) -> Option<String> {
    encoded
        .split(|&b| b == b'&')
        .find(|pair| {
            percent_encoding::percent_decode(pair)
                .decode_utf8()
                .is_err()
        })
        .map(|pair| {
            let name = pair.split(|&b| b == b'=').next().unwrap_or_default();
            percent_encoding::percent_decode(name)
                .decode_utf8_lossy()
                .into_owned()
        })
}

/// Deserializes a query string into `T`, turning every failure into an error naming the
/// parameter.
fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    if let Some(field) = field_not_utf8(query.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("query parameter {field}: {NOT_UTF8}"),
        )
        .with_details(vec![FieldError::new(field, NOT_UTF8)]));
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let field = named_field(&message)
            .map(str::to_owned)
            .unwrap_or(if path == "." {
                "query".to_owned()
            } else {
                path
            });
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("query parameter {field}: {message}"),
        )
        .with_details(vec![FieldError::new(field, message)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        nested: Option<Nested>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        level: u8,
    }

    #[test]
    fn unknown_fields_are_named() {
        let err = parse_json::<Input>(br#"{"name":"x","colour":"red"}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.details[0].field, "colour");
        assert!(
            err.message.contains("unknown field `colour`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn nested_type_errors_carry_their_path() {
        let err = parse_json::<Input>(br#"{"name":"x","nested":{"level":"high"}}"#).unwrap_err();
        assert_eq!(err.details[0].field, "nested.level");
        assert!(!err.message.contains("at line"), "{}", err.message);
    }

    #[test]
    fn missing_fields_are_named() {
        let err = parse_json::<Input>(b"{}").unwrap_err();
        assert_eq!(err.details[0].field, "name");
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<u32>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let err = parse_query::<Params>("limit=abc").unwrap_err();
        assert_eq!(err.details[0].field, "limit");
        assert_eq!(
            err.message,
            "query parameter limit: invalid digit found in string"
        );
        let err = parse_query::<Params>("limit=1&colour=red").unwrap_err();
        assert_eq!(err.details[0].field, "colour");
        assert!(
            err.details[0].message.starts_with("unknown field `colour`"),
            "{}",
            err.details[0].message
        );
    }

    #[test]
    fn percent_encoded_bytes_that_are_not_utf8_are_found_by_field() {
        assert_eq!(
            field_not_utf8(b"name=%FF%FE&kind=customer"),
            Some("name".into())
        );
        assert_eq!(field_not_utf8(b"a=1&note=ok%C3"), Some("note".into()));
        assert_eq!(field_not_utf8(b"a=1&%FF=x"), Some("\u{FFFD}".into()));
        assert_eq!(field_not_utf8(b"a=1&raw=\xff"), Some("raw".into()));
        for fine in [
            &b""[..],
            b"name=Gr%C3%BC%C3%9Fe+Beta&kind=customer",
            b"q=%EF%BF%BD",
            b"a=%zz&b=%",
        ] {
            assert_eq!(
                field_not_utf8(fine),
                None,
                "{}",
                String::from_utf8_lossy(fine)
            );
        }
        let err = parse_query::<Params>("limit=%FF").unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.details[0].field, "limit");
        assert_eq!(
            err.message,
            "query parameter limit: holds characters that are not valid text (UTF-8)"
        );
    }

    #[test]
    fn malformed_json_and_trailing_garbage_are_bad_requests() {
        for body in [&b"{\"name\":"[..], b"{\"name\":\"x\"} trailing", b""] {
            let err = parse_json::<Input>(body).unwrap_err();
            assert_eq!(
                err.status,
                StatusCode::BAD_REQUEST,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
