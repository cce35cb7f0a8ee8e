//! Ids in paths: a value that is not the id of any record is answered like an unknown id, with
//! 404, on every route that takes one, in the API's error shape or as the not-found page.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Need;

use crate::harness::TestApp;
use crate::on_both_engines_with_demo;

on_both_engines_with_demo!(every_route_answers_a_malformed_id_with_404);

/// The route's path with each parameter replaced by `value`.
fn filled(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = start + rest[start..].find('}').expect("a closing brace");
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The probe found the change API answering 422 for a malformed id where docs/api.md promises
/// 404, and other routes disagreeing among themselves. Every route with a parameter (but the
/// assets' catch-all) is sent a value that names no record, with whatever body: the answer is
/// 404, and nothing is written.
async fn every_route_answers_a_malformed_id_with_404(app: TestApp) {
    let token = app.token_of("claudia.hoffmann@alpha.example").await;
    let session = app.demo_session("claudia.hoffmann@alpha.example").await;
    let writes = "audit_entries WHERE action <> 'read' AND entity NOT IN ('api-token', 'sign-in')";
    let before = app.count(writes).await;
    let mut checked = 0;
    let mut wrong: Vec<String> = Vec::new();
    for route in tandem::app::routes().declared() {
        // A CI class's key is any text: `not-an-id` is a well-formed key of no class, and an
        // update of it is judged by its body first, as with any unknown but well-formed id.
        let text_key = route.path.contains("{key}") && route.method != Method::GET;
        if !route.path.contains('{') || route.path.contains("{*") || text_key {
            continue;
        }
        let path = filled(&route.path, "not-an-id");
        let what = format!("{} {}", route.method, route.path);
        let by_session = matches!(route.need, Need::Account | Need::SecondFactor)
            || matches!(route.need, Need::Permission(p) if p.needs_session());
        let mut request = if by_session {
            app.client
                .request(route.method.clone(), app.url(&path))
                .header("cookie", &session)
                .header("x-csrf-token", crate::harness::csrf(&session))
        } else {
            app.request_as(&token, route.method.clone(), &path)
        };
        if route.method != Method::GET {
            request = if path.starts_with("/api/") {
                request.json(&json!({}))
            } else {
                request.form(&[("name", "")])
            };
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap();
        let shaped = if path.starts_with("/api/") {
            serde_json::from_str::<Value>(&text)
                .is_ok_and(|body| body["error"]["code"] == "not_found")
        } else {
            text.contains("<h1>404")
        };
        if status != StatusCode::NOT_FOUND || !shaped {
            let start: String = text.chars().take(160).collect();
            wrong.push(format!("{what}: {status} {start}"));
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "not a 404 for a malformed id:\n{}",
        wrong.join("\n")
    );
    assert!(
        checked > 100,
        "every route with an id was tried ({checked})"
    );
    assert_eq!(app.count(writes).await, before, "nothing was written");
}
