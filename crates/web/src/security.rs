//! Security headers on every response: a Content Security Policy without inline script,
//! no framing, no MIME sniffing, and a referrer policy that keeps addresses inside Tandem.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy of every page: scripts, styles, images and connections from Tandem itself only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The API documentation page runs Swagger UI, which sets inline styles; it gets them, and
/// still no inline script.
pub const API_DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Middleware: adds the security headers unless a handler set its own.
pub async fn headers(request: Request, next: Next) -> Response {
    let docs = request.uri().path() == "/api/docs";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = if docs {
        API_DOCS_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    let set = [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in set {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Middleware: refuses a state-changing request (anything but GET, HEAD, OPTIONS) that a
/// browser says comes from another site — `Sec-Fetch-Site: cross-site`, or an `Origin` whose
/// host is not the one asked for — so that another site cannot make a signed-in person's
/// browser change records. Scripts and integrations send neither header and are not affected.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let method = request.method();
    let safe = method == axum::http::Method::GET
        || method == axum::http::Method::HEAD
        || method == axum::http::Method::OPTIONS;
    if !safe && crossing_sites(request.headers()) {
        return crate::ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "cross_site_request",
            "this request came from another web site and was refused; make the change from Tandem's own pages",
        )
        .into_response();
    }
    next.run(request).await
}

fn crossing_sites(headers: &axum::http::HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        host,
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn requests_from_other_sites_are_recognised() {
        assert!(crossing_sites(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(crossing_sites(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "tandem.example")
        ])));
        assert!(crossing_sites(&headers(&[
            ("origin", "null"),
            ("host", "tandem.example")
        ])));
        assert!(!crossing_sites(&headers(&[
            ("origin", "https://tandem.example"),
            ("host", "tandem.example")
        ])));
        assert!(!crossing_sites(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(
            !crossing_sites(&headers(&[])),
            "scripts send neither header"
        );
    }
}
