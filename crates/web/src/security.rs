//! Security headers on every response: a Content Security Policy without inline script,
//! no framing, no MIME sniffing, and a referrer policy that keeps addresses inside Tandem.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

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
