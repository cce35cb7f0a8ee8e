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
    made_up_methods_do_not_grow_the_metrics,
    signed_in_answers_are_not_cached,
    the_bearer_scheme_is_read_in_any_case,
);

/// openapi-spec-validator refused the document: 276 responses had no description and 55 query
/// parameters were declared as path parameters (scripts/test now runs the validator itself).
/// Every operation declares the refusals it can give, in the shared error shape.
#[test]
fn the_openapi_document_describes_every_answer_and_parameter() {
    let doc = serde_json::to_value(tandem::app::openapi()).unwrap();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            for (code, response) in operation["responses"].as_object().unwrap() {
                if response["description"].as_str().unwrap_or("").is_empty() {
                    problems.push(format!("{what}: {code} has no description"));
                }
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let in_path = parameter["in"] == "path";
                if in_path != path.contains(&format!("{{{name}}}")) {
                    problems.push(format!(
                        "{what}: `{name}` is declared in {}",
                        parameter["in"]
                    ));
                }
            }
            for code in ["400", "401", "403", "422"] {
                let declared = &operation["responses"][code]["content"]["application/json"];
                if declared["schema"]["$ref"] != "#/components/schemas/ErrorBody" {
                    problems.push(format!("{what}: {code} is not declared as an ErrorBody"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A list declares the filters it takes, and no other list's.
    let filters = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .filter(|n| !["q", "sort", "dir", "after", "limit"].contains(&n.as_str()))
            .collect()
    };
    assert_eq!(filters("/api/v1/organisations"), ["kind"]);
    assert_eq!(filters("/api/v1/people"), ["organisation"]);
    assert_eq!(filters("/api/v1/teams"), ["level", "member"]);
}

/// The graph of capabilities is written once, in each crate's `CAPABILITY`; this holds it to
/// the crates' real dependencies (`cargo metadata`), and the binary's list to its order.
#[test]
fn each_capability_builds_on_exactly_its_crates_dependencies() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = tandem::CAPABILITIES.iter().map(|c| c.name).collect();
    for capability in &tandem::CAPABILITIES {
        let package = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == format!("tandem-{}", capability.name))
            .unwrap_or_else(|| panic!("a crate tandem-{}", capability.name));
        let mut depends_on: Vec<&str> = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str()?.strip_prefix("tandem-"))
            .filter(|name| names.contains(name))
            .collect();
        depends_on.sort_unstable();
        let mut declared = capability.builds_on.to_vec();
        declared.sort_unstable();
        assert_eq!(declared, depends_on, "tandem-{}", capability.name);
    }
    assert_eq!(
        tandem_web::capability::check_order(&tandem::CAPABILITIES, &tandem::PLATFORM_PERMISSIONS),
        Ok(())
    );
    // Every permission has an owner: a capability, or the platform.
    for permission in tandem_kernel::Permission::ALL {
        assert!(
            tandem::PLATFORM_PERMISSIONS.contains(&permission)
                || tandem::CAPABILITIES
                    .iter()
                    .any(|c| c.permissions.contains(&permission)),
            "no capability owns `{}`",
            permission.as_str()
        );
    }
}

/// The probe grew `/metrics` by 178 MB with requests of made-up methods, without signing in:
/// each method became a label value of its own. Unknown methods fold into `other`, unmatched
/// routes into `unmatched`, and every metric family says what it counts (`# HELP`), as
/// `promtool check metrics` asks.
async fn made_up_methods_do_not_grow_the_metrics(app: TestApp) {
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        let response = app
            .client
            .request(method, app.url(&format!("/no-such-page-{i}")))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let text = app.read_text("/metrics").await;
    assert!(
        !text.contains("PROBE"),
        "no made-up method is a label:\n{text}"
    );
    assert!(
        !text.contains("no-such-page"),
        "no unmatched path is a label"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("http_requests_total{") && l.contains("method=\"other\"")),
        "{text}"
    );
    let families: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let name = l.split(['{', ' ']).next().unwrap();
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name)
        })
        .collect();
    assert!(families.len() >= 3, "{families:?}");
    for family in families {
        assert!(
            text.contains(&format!("# HELP {family} ")),
            "{family} has no HELP line:\n{text}"
        );
    }
}

/// What a signed-in person reads (a page, JSON, a CSV file) is not kept by a browser or proxy
/// cache; what anyone may read (the style sheet) may be.
async fn signed_in_answers_are_not_cached(app: TestApp) {
    for path in ["/people", "/api/v1/people", "/audit.csv"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let asset = app
        .client
        .get(app.url("/assets/tandem.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert_ne!(
        asset
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
}

/// The `Bearer` scheme is matched without regard to case (RFC 9110): `bearer` works as well.
async fn the_bearer_scheme_is_read_in_any_case(app: TestApp) {
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = app
            .client
            .get(app.url("/api/v1/people"))
            .header("authorization", format!("{scheme} {}", app.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    let wrong = app
        .client
        .get(app.url("/api/v1/people"))
        .header("authorization", format!("Basic {}", app.token))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

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
    assert_eq!(
        app.get(&format!("/api/v1/people/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let text = app.read_text("/metrics").await;
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
    // An id that could forge log lines (too long, or with quotes or spaces) is replaced.
    for forged in ["x".repeat(200), "a\" level=ERROR msg=\"forged".to_owned()] {
        let response = app
            .request(reqwest::Method::GET, "/healthz")
            .header("x-request-id", &forged)
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert!(
            uuid::Uuid::parse_str(id).is_ok(),
            "{forged:?} became {id:?}"
        );
    }
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
