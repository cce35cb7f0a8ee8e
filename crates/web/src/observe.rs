//! Request metrics in Prometheus text format, and request ids for logs.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

const DURATION: &str = "http_request_duration_seconds";
const REQUESTS: &str = "http_requests_total";
const POOL: &str = "db_pool_connections";
/// The header that carries a request's id, in requests and responses.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The process-wide metrics recorder, installed on first use.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(DURATION.to_owned()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ],
            )
            .expect("bucket list is not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        metrics::describe_counter!(
            REQUESTS,
            "HTTP requests answered, by method, route pattern and status"
        );
        metrics::describe_histogram!(
            DURATION,
            metrics::Unit::Seconds,
            "Time taken to answer an HTTP request, by method, route pattern and status"
        );
        metrics::describe_gauge!(POOL, "Database connections in the pool, open or idle");
        handle
    })
}

/// The method as a label: one of the methods Tandem serves, or `other`. A client can send any
/// token as a method; labelling by it verbatim would let anyone grow `/metrics` (and the
/// server's memory) without limit.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The request id of a request, made by Tandem unless the client's own is a short token of
/// safe characters. The id goes into every log line of the request; a client's id of any
/// length or with line breaks and quotes could forge log lines.
pub fn request_id_is_safe(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Middleware, in front of the one that sets request ids: drops a client's `X-Request-Id`
/// that [`request_id_is_safe`] refuses, so that a new one is made.
pub async fn drop_unsafe_request_id(mut request: Request, next: Next) -> Response {
    let headers = request.headers_mut();
    if headers
        .get_all(REQUEST_ID)
        .iter()
        .any(|id| !request_id_is_safe(id.as_bytes()))
        || headers.get_all(REQUEST_ID).iter().count() > 1
    {
        headers.remove(REQUEST_ID);
    }
    next.run(request).await
}

/// Middleware: counts each request and records its latency, labelled by route pattern (not by
/// the concrete path, so ids do not explode the label set), method and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let stats = state.db.pool_stats();
    metrics::gauge!(POOL, "state" => "open").set(f64::from(stats.open));
    metrics::gauge!(POOL, "state" => "idle").set(f64::from(stats.idle));
    let handle = recorder();
    handle.run_upkeep();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for made_up in ["FOO", "BREW", "X1"] {
            let method = Method::from_bytes(made_up.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{made_up}");
        }
    }

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(request_id_is_safe(b"0b8f3c2e-6a1d-4f0e-9c1b-7d2e5a4b3c21"));
        assert!(request_id_is_safe(b"job_42.retry:1"));
        for forged in [
            &b""[..],
            b"a b",
            b"id\nlevel=ERROR",
            b"id\"quoted\"",
            &[b'a'; 65],
            "caf\u{e9}".as_bytes(),
        ] {
            assert!(!request_id_is_safe(forged), "{forged:?}");
        }
    }
}
