//! What every capability relies on: health, metrics, the OpenAPI document, request ids, error
//! shapes for unknown routes and methods, embedded assets.

use reqwest::StatusCode;

use crate::harness::TestApp;
use crate::on_both_engines;

on_both_engines!(
    health_reports_the_database,
    metrics_count_requests_per_route,
    the_openapi_document_describes_every_api_route,
    every_response_carries_a_request_id,
    unknown_routes_and_methods_get_the_right_shape,
    assets_are_embedded_with_validators,
    every_response_carries_the_security_headers,
    instants_compare_in_time_order_on_both_engines,
    changes_from_other_sites_are_refused_and_write_nothing,
);

async fn changes_from_other_sites_are_refused_and_write_nothing(app: TestApp) {
    let response = app
        .request(reqwest::Method::POST, "/organisations")
        .header("origin", "https://evil.example")
        .form(&[
            ("name", "Planted"),
            ("kind", "customer"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .request(reqwest::Method::POST, "/api/v1/organisations")
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({"name": "Planted", "kind": "customer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_site_request");
    assert_eq!(app.count("organisations WHERE name = 'Planted'").await, 0);

    let same_site = app
        .request(reqwest::Method::POST, "/organisations")
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("name", "Welcome"),
            ("kind", "customer"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        same_site.status(),
        StatusCode::SEE_OTHER,
        "Tandem's own pages still work"
    );
}

/// A whole second and half a second later: stored as text on SQLite, they must still compare
/// as instants (a shorter RFC 3339 text would sort after the longer one).
async fn instants_compare_in_time_order_on_both_engines(app: TestApp) {
    app.organisation("On the second", "customer").await;
    app.clock.advance(time::Duration::milliseconds(500));
    app.organisation("Half a second later", "customer").await;
    let between = time::macros::datetime!(2026-11-02 09:00:00.2 UTC);
    let mut conn = app.db.conn().await.unwrap();
    let names: Vec<String> = tandem_storage::run!(&mut conn, |c| {
        sqlx::query_scalar(
            "SELECT name FROM organisations WHERE created_at > $1 ORDER BY created_at",
        )
        .bind(tandem_storage::SqlTime(between))
        .fetch_all(c)
        .await
    })
    .unwrap();
    assert_eq!(names, ["Half a second later"]);
    let ordered: Vec<String> = tandem_storage::run!(&mut conn, |c| {
        sqlx::query_scalar(
            "SELECT name FROM organisations WHERE kind = 'customer' ORDER BY created_at DESC",
        )
        .fetch_all(c)
        .await
    })
    .unwrap();
    assert_eq!(ordered, ["Half a second later", "On the second"]);
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    for path in [
        "/",
        "/people",
        "/api/v1/people",
        "/no-such-page",
        "/assets/tandem.css",
        "/healthz",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    let docs = app.get("/api/docs").await;
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self';"),
        "no inline script even for Swagger UI: {csp}"
    );
}

async fn health_reports_the_database(app: TestApp) {
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    app.db.close().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "database unavailable");
}

async fn metrics_count_requests_per_route(app: TestApp) {
    let id = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/people/{id}")).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains("route=\"/api/v1/people/{id}\"")
            && l.contains("status=\"404\"")),
        "requests are labelled by route pattern, not by path:\n{text}"
    );
    assert!(!text.contains(&id.to_string()), "no concrete ids in labels");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        text.contains("db_pool_connections{state=\"open\"}"),
        "{text}"
    );
}

async fn the_openapi_document_describes_every_api_route(app: TestApp) {
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/organisations", &["get", "post"][..]),
        ("/api/v1/organisations/{id}", &["get", "patch", "delete"]),
        ("/api/v1/people", &["get", "post"]),
        ("/api/v1/people/{id}", &["get", "patch", "delete"]),
        ("/api/v1/teams", &["get", "post"]),
        ("/api/v1/teams/{id}", &["get", "patch", "delete"]),
    ] {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is documented"));
        for method in methods {
            assert!(item.get(*method).is_some(), "{method} {path} is documented");
        }
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let docs = app.get("/api/docs").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("/assets/vendor/swagger-ui-bundle.js"));
    assert!(!html.contains("<script>"), "no inline script");
}

async fn every_response_carries_a_request_id(app: TestApp) {
    for path in ["/", "/api/v1/people", "/no-such-page"] {
        let response = app.get(path).await;
        let id = response
            .headers()
            .get("x-request-id")
            .expect("x-request-id header");
        assert!(
            uuid::Uuid::parse_str(id.to_str().unwrap()).is_ok(),
            "{path}"
        );
    }
    let response = app
        .request(reqwest::Method::GET, "/healthz")
        .header("x-request-id", "from-the-proxy-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-request-id"],
        "from-the-proxy-1",
        "an incoming id is kept"
    );
}

async fn unknown_routes_and_methods_get_the_right_shape(app: TestApp) {
    let (status, body) = app.get_json("/api/v1/no-such-collection").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");

    let page = app.get("/no-such-page").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.text().await.unwrap().contains("<h1>404"),
        "pages get an HTML error page"
    );

    let response = app
        .request(reqwest::Method::PUT, "/api/v1/people")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

async fn assets_are_embedded_with_validators(app: TestApp) {
    for (path, mime) in [
        ("/assets/vendor/htmx.min.js", "javascript"),
        ("/assets/vendor/pico.min.css", "text/css"),
        ("/assets/tandem.css", "text/css"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains(mime),
            "{path}"
        );
        let etag = response.headers()["etag"].clone();
        let again = app
            .request(reqwest::Method::GET, path)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    assert_eq!(
        app.get("/assets/vendor/htmx.LICENSE").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/assets/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
}
