//! Authorization: every route declares what it needs and nothing else gets through; each role
//! reaches what the grants table says; customer users never reach another organisation's
//! records; API tokens, CSRF tokens, two-factor authentication and access administration.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET};
use tandem_identity::totp;
use tandem_kernel::{Clock, Need, Role, Roles};
use tandem_web::routes::Declared;

use crate::harness::{DEMO_TOTP_BYTES, TestApp, csrf, session_cookie};
use crate::on_both_engines_with_demo;

on_both_engines_with_demo!(
    anonymous_requests_reach_only_the_public_routes,
    each_role_reaches_what_the_grants_table_says,
    a_customer_user_never_reaches_another_organisations_records,
    tokens_act_with_a_subset_of_roles_until_revoked_or_expired,
    session_forms_need_their_csrf_token,
    a_second_factor_is_set_up_required_and_recovered,
    administrators_give_roles_and_reset_passwords,
    reading_the_trail_is_for_auditors_and_exports_are_recorded,
);

#[test]
fn the_demo_secret_is_the_published_one() {
    assert_eq!(totp::base32(DEMO_TOTP_BYTES), DEMO_TOTP_SECRET);
}

/// A route's path with its parameters filled in.
fn concrete(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{person}", id)
        .replace("{session}", id)
        .replace("{ref}", "4.2.1")
        .replace("{number}", "1")
        .replace("{*path}", "tandem.css")
}

fn nil() -> String {
    uuid::Uuid::nil().to_string()
}

/// Sends `declared` (with `id` for its parameters) with `token`, or without credentials.
async fn send(app: &TestApp, token: Option<&str>, route: &Declared, id: &str) -> reqwest::Response {
    let path = concrete(&route.path, id);
    let mut request = match token {
        Some(token) => app.request_as(token, route.method.clone(), &path),
        None => app.client.request(route.method.clone(), app.url(&path)),
    };
    if route.method != Method::GET {
        request = if path.starts_with("/api/") {
            request.json(&json!({}))
        } else {
            request.form(&[("name", "")])
        };
    }
    request.send().await.expect("request")
}

fn routes() -> Vec<Declared> {
    tandem::app::routes().declared().to_vec()
}

/// Audit entries of changes: not the record of a token's use, not sensitive reads (which are
/// recorded, as the exports of the trail are).
async fn writes(app: &TestApp) -> i64 {
    app.count("audit_entries WHERE entity <> 'api-token' AND action <> 'read'")
        .await
}

async fn anonymous_requests_reach_only_the_public_routes(app: TestApp) {
    let before = writes(&app).await;
    let mut checked = 0;
    for route in routes() {
        if route.need == Need::Public {
            continue;
        }
        let response = send(&app, None, &route, &nil()).await;
        let status = response.status();
        let what = format!("{} {}", route.method, route.path);
        if route.path.starts_with("/api/") {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthenticated", "{what}");
        } else if route.method == Method::GET {
            assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            assert!(
                location.starts_with("/sign-in?next=%2F"),
                "{what}: {location}"
            );
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
        }
        checked += 1;
    }
    assert!(checked > 60, "every protected route was tried ({checked})");
    assert_eq!(writes(&app).await, before, "nothing was written");
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

async fn each_role_reaches_what_the_grants_table_says(app: TestApp) {
    let before = writes(&app).await;
    for (email, held) in DEMO_ACCOUNTS {
        let roles: Roles = held.iter().copied().collect();
        let permissions = roles.permissions();
        let token = app.token_of(email).await;
        for route in routes() {
            if matches!(route.need, Need::Public | Need::SecondFactor) {
                continue;
            }
            let what = format!("{email}: {} {}", route.method, route.path);
            let status = send(&app, Some(&token), &route, &nil()).await.status();
            match route.need {
                Need::Permission(p) if permissions.contains(p) && p.needs_session() => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{what}: a session only");
                }
                Need::Permission(p) if permissions.contains(p) => {
                    assert!(
                        ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status)
                            && status.as_u16() < 500,
                        "{what} is granted by {roles} but answered {status}"
                    );
                }
                Need::Permission(_) => {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{what} is not granted");
                }
                Need::Account => {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{what}: account pages want a session"
                    );
                }
                Need::Public | Need::SecondFactor => {}
            }
        }
    }
    assert_eq!(writes(&app).await, before, "probing changed nothing");
}

/// Ids of the demo world's records, by whether they belong to Beta Technologies.
struct Tenants {
    beta: String,
    gamma: String,
    anna: String,
    alpha_team: String,
    beta_ids: HashSet<String>,
    foreign_ids: HashSet<String>,
}

async fn tenants(app: &TestApp) -> Tenants {
    let orgs = app.read("/api/v1/organisations?limit=200").await;
    let people = app.read("/api/v1/people?limit=200").await;
    let teams = app.read("/api/v1/teams?limit=200").await;
    let id_of = |list: &Value, field: &str, value: &str| -> String {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item[field] == value)
            .unwrap_or_else(|| panic!("{value} in the demo world"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let beta = id_of(&orgs, "name", "Beta Technologies");
    // The provider's people work Beta's tickets and may be named on them; what Beta must never
    // see is the records of the other customers and of the suppliers.
    let alpha = id_of(&orgs, "name", "Alpha Cloud Services");
    let mut beta_ids = HashSet::from([beta.clone()]);
    let mut foreign_ids = HashSet::new();
    for item in orgs["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap().to_owned();
        if id != beta && id != alpha {
            foreign_ids.insert(id);
        }
    }
    for list in [&people, &teams] {
        for item in list["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            if item["organisation_id"] == beta.as_str() {
                beta_ids.insert(id);
            } else if item["organisation_id"] != alpha.as_str() {
                foreign_ids.insert(id);
            }
        }
    }
    Tenants {
        gamma: id_of(&orgs, "name", "Gamma Logistics"),
        anna: id_of(&people, "email", "anna.lindqvist@gamma.example"),
        alpha_team: id_of(&teams, "name", "Service Desk"),
        beta,
        beta_ids,
        foreign_ids,
    }
}

async fn a_customer_user_never_reaches_another_organisations_records(app: TestApp) {
    let mut tenants = tenants(&app).await;
    let (status, gamma_ticket) = app
        .post_json(
            "/api/v1/tickets",
            &json!({"kind": "incident", "title": "Gamma's own trouble", "description": "Only Gamma may see this.",
                    "organisation_id": tenants.gamma}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{gamma_ticket}");
    let gamma_ticket = gamma_ticket["id"].as_str().unwrap().to_owned();
    tenants.foreign_ids.insert(gamma_ticket.clone());
    let david = app.token_of("david.chen@beta.example").await;
    let before = writes(&app).await;
    let openapi = serde_json::to_value(tandem::app::openapi()).unwrap();
    let declared = routes();
    let customer = Roles::NONE.with(Role::CustomerUser).permissions();
    let mut walked = 0;
    for (path, item) in openapi["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() || path.ends_with("/openapi.json") {
                continue;
            }
            let foreign = if path.contains("/organisations/") {
                &tenants.gamma
            } else if path.contains("/people/") {
                &tenants.anna
            } else if path.contains("/teams/") {
                &tenants.alpha_team
            } else if path.contains("/tickets/") {
                &gamma_ticket
            } else {
                "iso27001-2005"
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url =
                format!("/api/v1{}", path.trim_start_matches("/api/v1")).replace("{id}", foreign);
            let mut request = app.request_as(&david, method.clone(), &url);
            if method != Method::GET && method != Method::DELETE {
                request =
                    request.json(&json!({"name": "Planted", "organisation_id": tenants.gamma}));
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            let what = format!("{method} {url}");
            // What the customer user may do at all is the grants table's answer; within it, a
            // record of another organisation is not found, and nothing of it is shown.
            let need = declared
                .iter()
                .find(|d| d.method == method && d.path == *path)
                .map(|d| d.need)
                .unwrap_or_else(|| panic!("{what} is declared"));
            let granted = match need {
                Need::Permission(p) => customer.contains(p),
                _ => true,
            };
            match (granted, method == Method::GET, path.contains("{id}")) {
                (false, _, _) => assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}"),
                (true, true, true) => assert_eq!(status, StatusCode::NOT_FOUND, "{what}"),
                (true, true, false) => assert_eq!(status, StatusCode::OK, "{what}"),
                (true, false, _) => assert!(
                    status.is_client_error() && status != StatusCode::FORBIDDEN,
                    "{what} is granted, so it is refused for what it asks, not for who asks: {status} {body}"
                ),
            }
            for id in &tenants.foreign_ids {
                assert!(
                    !body.contains(id.as_str()),
                    "{what} shows another tenant's {id}"
                );
            }
            walked += 1;
        }
    }
    assert!(walked > 30, "every API operation was walked ({walked})");
    assert_eq!(writes(&app).await, before, "nothing was changed");
    let own = app.read_as(&david, "/api/v1/people?limit=200").await;
    let seen: HashSet<String> = own["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!seen.is_empty() && seen.is_subset(&tenants.beta_ids));
    let (status, _) = app
        .get_json_as(&david, &format!("/api/v1/organisations/{}", tenants.beta))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "their own organisation is theirs to read"
    );
    let page = app
        .request_as(
            &david,
            Method::GET,
            &format!("/organisations/{}", tenants.gamma),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::NOT_FOUND,
        "nor through the pages"
    );
}

/// Random ids and the ids of other tenants' records are all "not found" for a customer user;
/// their own records are found.
#[test]
fn random_ids_are_not_found_for_a_customer_user() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, tenants, david) = runtime.block_on(async {
        let app = TestApp::spawn_demo(tandem_storage::Engine::Sqlite).await;
        let tenants = tenants(&app).await;
        let david = app.token_of("david.chen@beta.example").await;
        (app, tenants, david)
    });
    let foreign: Vec<String> = tenants.foreign_ids.iter().cloned().collect();
    let own: Vec<String> = tenants.beta_ids.iter().cloned().collect();
    let id = prop_oneof![
        any::<u128>().prop_map(|n| (uuid::Uuid::from_u128(n).to_string(), false)),
        proptest::sample::select(foreign).prop_map(|id| (id, false)),
        proptest::sample::select(own).prop_map(|id| (id, true)),
    ];
    let collection = proptest::sample::select(vec!["organisations", "people", "teams"]);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    });
    runner
        .run(&(collection, id), |(collection, (id, own))| {
            let status = runtime.block_on(async {
                app.request_as(&david, Method::GET, &format!("/api/v1/{collection}/{id}"))
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
            // An own id of another collection (a person's id asked of /teams) is not found either.
            let expected_found = own && status == StatusCode::OK;
            prop_assert!(
                status == StatusCode::NOT_FOUND || expected_found,
                "/api/v1/{}/{} answered {}",
                collection,
                id,
                status
            );
            Ok(())
        })
        .unwrap();
}

async fn sign_in(app: &TestApp, email: &str) -> String {
    let response = app.sign_in(email, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    session_cookie(&response)
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let to = html[from..].find(end).unwrap() + from;
    &html[from..to]
}

async fn tokens_act_with_a_subset_of_roles_until_revoked_or_expired(app: TestApp) {
    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let refused = app
        .post_as(
            &ines,
            "/account/tokens",
            &[
                ("name", "too much"),
                ("roles", "administrator"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("id=\"roles-error\""));

    let created = app
        .post_as(
            &ines,
            "/account/tokens",
            &[
                ("name", "CAB board export"),
                ("roles", "cab-member"),
                ("days", "1"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    let token = between(&html, "<code id=\"new-token\">", "</code>").to_owned();
    assert!(token.starts_with("tandem_"));
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE token_hash = '{}'",
            tandem_identity::secret::digest(&token)
        ))
        .await,
        1,
        "kept as a digest"
    );
    assert_eq!(
        app.count(&format!("api_tokens WHERE token_hash = '{token}'"))
            .await,
        0
    );
    let again = app.page_as(&ines, "/account/tokens").await;
    assert!(!again.contains(&token), "shown only once");

    let status = |path: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            app.request_as(&token, Method::GET, path)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        status("/api/v1/people").await,
        StatusCode::OK,
        "a CAB member reads the directory"
    );
    assert_eq!(
        status("/api/v1/gap-assessments").await,
        StatusCode::FORBIDDEN,
        "the CISO's own permission is not in this token"
    );
    assert_eq!(
        status("/account").await,
        StatusCode::FORBIDDEN,
        "tokens do not manage accounts"
    );
    let id = between(&again, "action=\"/account/tokens/", "/revoke\"").to_owned();
    assert_eq!(
        app.count(&format!(
            "audit_entries WHERE entity = 'api-token' AND entity_id = '{id}' AND changes LIKE '%last_used_at%'"
        ))
        .await,
        1,
        "its use is in the trail, once a minute at most"
    );
    let revoked = app
        .post_as(&ines, &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(status("/api/v1/people").await, StatusCode::UNAUTHORIZED);

    let short = app
        .post_as(
            &ines,
            "/account/tokens",
            &[("name", "short-lived"), ("days", "1")],
        )
        .await;
    assert_eq!(short.status(), StatusCode::OK);
    let short = short.text().await.unwrap();
    let short = between(&short, "<code id=\"new-token\">", "</code>").to_owned();
    let works = app
        .request_as(&short, Method::GET, "/api/v1/people")
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), StatusCode::OK);
    app.clock.advance(time::Duration::hours(25));
    let expired = app
        .request_as(&short, Method::GET, "/api/v1/people")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let body: Value = expired.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

async fn session_forms_need_their_csrf_token(app: TestApp) {
    let nina = sign_in(&app, "nina.keller@alpha.example").await;
    let form = app.page_as(&nina, "/people/new").await;
    assert!(
        form.contains(&format!("name=\"_csrf\" value=\"{}\"", csrf(&nina))),
        "the form carries the session's token"
    );
    let orgs = app.read("/api/v1/organisations?q=Beta").await;
    let beta = orgs["items"][0]["id"].as_str().unwrap().to_owned();
    let fields = [
        ("organisation_id", beta.as_str()),
        ("name", "Carol Forged"),
        ("email", "carol@beta.example"),
    ];
    let people = app.count("people").await;
    for token in [None, Some("0".repeat(64))] {
        let mut sent: Vec<(&str, &str)> = fields.to_vec();
        if let Some(token) = &token {
            sent.push(("_csrf", token));
        }
        let forged = app
            .client
            .post(app.url("/people"))
            .header("cookie", &nina)
            .form(&sent)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(forged.text().await.unwrap().contains("reload the page"));
    }
    assert_eq!(app.count("people").await, people, "nothing was saved");
    let genuine = app.post_as(&nina, "/people", &fields).await;
    assert_eq!(genuine.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("people").await, people + 1);

    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let upload = |with_token: bool| {
        let mut form = reqwest::multipart::Form::new()
            .text("framework", "iso27001-2005")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"not,a,mapping\n".to_vec()).file_name("m.csv"),
            );
        if with_token {
            form = form.text("_csrf", csrf(&ines));
        }
        app.client
            .post(app.url("/mappings/import"))
            .header("cookie", &ines)
            .multipart(form)
            .send()
    };
    assert_eq!(upload(false).await.unwrap().status(), StatusCode::FORBIDDEN);
    let checked = upload(true).await.unwrap().status();
    assert!(
        checked != StatusCode::FORBIDDEN && checked.is_client_error(),
        "with its token the upload reaches the importer, which refuses the file: {checked}"
    );
}

async fn a_second_factor_is_set_up_required_and_recovered(app: TestApp) {
    let admin = app.demo_session("claudia.hoffmann@alpha.example").await;
    let earlier_token = app.token_of("sven.richter@alpha.example").await;
    // Sven becomes an administrator, a role that requires a second factor he has not set up.
    let (sven_id, _) =
        tandem_identity::store::person_by_email(&app.db, "sven.richter@alpha.example")
            .await
            .unwrap()
            .unwrap();
    let given = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{sven_id}/roles"),
            &[("roles", "administrator")],
        )
        .await;
    assert_eq!(given.status(), StatusCode::SEE_OTHER);
    let sven = sign_in(&app, "sven.richter@alpha.example").await;
    let blocked = app
        .request_as(&earlier_token, Method::GET, "/api/v1/people")
        .send()
        .await
        .unwrap();
    assert_eq!(
        blocked.status(),
        StatusCode::FORBIDDEN,
        "his older token waits too"
    );
    let workaround = app
        .post_as(
            &sven,
            "/account/tokens",
            &[("name", "around it"), ("days", "5")],
        )
        .await;
    assert_eq!(workaround.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        workaround
            .text()
            .await
            .unwrap()
            .contains("set up two-factor authentication first")
    );
    let people = app.get_as(&sven, "/people").await;
    assert_eq!(people.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        people.headers()["location"],
        "/account/mfa",
        "sent to set it up"
    );
    let account = app.page_as(&sven, "/account").await;
    assert!(account.contains("requires two-factor authentication"));

    let enrol = app.page_as(&sven, "/account/mfa").await;
    assert!(enrol.contains("<svg"), "a QR code");
    let secret_text = between(&enrol, "<code id=\"totp-secret\">", "</code>").to_owned();
    let pending: String = {
        let mut conn = app.db.conn().await.unwrap();
        tandem_storage::run!(&mut conn, |c| {
            sqlx::query_scalar("SELECT secret FROM totp_secrets WHERE person_id = $1")
                .bind(sven_id)
                .fetch_one(c)
                .await
        })
        .unwrap()
    };
    let secret: Vec<u8> = (0..pending.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&pending[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        totp::base32(&secret),
        secret_text,
        "the page shows the stored secret"
    );
    let code = |app: &TestApp| totp::code(&secret, totp::step_of(app.clock.now().unix_timestamp()));

    let wrong = app
        .post_as(&sven, "/account/mfa", &[("code", "12345")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("id=\"code-error\""));
    let confirmed = app
        .post_as(&sven, "/account/mfa", &[("code", &code(&app))])
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let html = confirmed.text().await.unwrap();
    let recovery: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10, "ten recovery codes");
    assert_eq!(
        app.get_as(&sven, "/people").await.status(),
        StatusCode::OK,
        "now he may"
    );

    // The next sign-in asks for a code; the one just used does not work twice.
    let pending_session = sign_in(&app, "sven.richter@alpha.example").await;
    assert_eq!(
        app.get_as(&pending_session, "/people").await.headers()["location"],
        "/sign-in/code?next=%2Fpeople"
    );
    let replay = app
        .post_as(&pending_session, "/sign-in/code", &[("code", &code(&app))])
        .await;
    assert_eq!(
        replay.status(),
        StatusCode::UNAUTHORIZED,
        "a code works once"
    );
    app.clock.advance(time::Duration::seconds(30));
    let fresh = app
        .post_as(&pending_session, "/sign-in/code", &[("code", &code(&app))])
        .await;
    assert_eq!(fresh.status(), StatusCode::SEE_OTHER);
    // The token is renewed with the code: one that was seen before the second factor (on a
    // shared machine, in a proxy's log) does not ride on the completed sign-in.
    let complete_session = session_cookie(&fresh);
    assert_ne!(complete_session, pending_session);
    assert_eq!(
        app.get_as(&complete_session, "/people").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&pending_session, "/people").await.headers()["location"],
        "/sign-in?next=%2Fpeople",
        "the token of the first step opens nothing once the code is accepted"
    );

    // A recovery code signs in once.
    for expected in [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED] {
        let session = sign_in(&app, "sven.richter@alpha.example").await;
        let used = app
            .post_as(
                &session,
                "/sign-in/code",
                &[("code", &recovery[0].to_uppercase())],
            )
            .await;
        assert_eq!(used.status(), expected);
    }
    assert_eq!(
        app.count("audit_entries WHERE entity = 'sign-in' AND changes LIKE '%recovery code%'")
            .await,
        1
    );
    assert!(
        app.count("audit_entries WHERE entity = 'two-factor authentication' AND action = 'create'")
            .await
            >= 1
    );

    // He lost his phone: an administrator removes the factor, which ends his sessions.
    let removed = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{sven_id}/mfa/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!("sessions WHERE person_id = '{sven_id}'"))
            .await
            + app
                .count(&format!("totp_secrets WHERE person_id = '{sven_id}'"))
                .await,
        0,
        "factor and sessions gone"
    );
}

async fn administrators_give_roles_and_reset_passwords(app: TestApp) {
    let admin = app.demo_session("claudia.hoffmann@alpha.example").await;
    let person = |email: &'static str| {
        let app = &app;
        async move {
            tandem_identity::store::person_by_email(&app.db, email)
                .await
                .unwrap()
                .unwrap()
                .0
        }
    };
    let david = person("david.chen@beta.example").await;
    let mixed = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{david}/roles"),
            &[("roles", "customer-user"), ("roles", "engineer")],
        )
        .await;
    assert_eq!(mixed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mixed
            .text()
            .await
            .unwrap()
            .contains("cannot also hold a provider role")
    );
    assert_eq!(
        tandem_identity::roles::of(&app.db, david).await.unwrap(),
        Roles::NONE.with(Role::CustomerUser),
        "unchanged"
    );

    let tom = person("tom.becker@alpha.example").await;
    let given = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{tom}/roles"),
            &[("roles", "service-desk-agent")],
        )
        .await;
    assert_eq!(given.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "audit_entries WHERE entity = 'roles' AND entity_id = '{tom}' AND changes LIKE '%service-desk-agent%'"
        ))
        .await,
        1,
        "role changes are in the trail"
    );
    let weak = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{tom}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("id=\"password-error\""));
    let set = app
        .post_as(
            &admin,
            &format!("/admin/accounts/{tom}/password"),
            &[("password", "handed over in person 42")],
        )
        .await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let signed_in = app
        .sign_in("tom.becker@alpha.example", "handed over in person 42")
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let toms_token = app.token_of("tom.becker@alpha.example").await;
    let revoked = app
        .post_as(&admin, &format!("/admin/accounts/{tom}/tokens/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let refused = app
        .request_as(&toms_token, Method::GET, "/api/v1/people")
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "an administrator revokes his tokens"
    );

    let overview = app.page_as(&admin, "/admin/accounts").await;
    assert!(
        overview.contains("tom.becker@alpha.example") && overview.contains("service-desk-agent")
    );
    let table = app
        .page_as(&session_cookie(&signed_in), "/access/permissions")
        .await;
    for role in Role::ALL {
        assert!(
            table.contains(role.title()),
            "{role} in the permissions table"
        );
    }
    let nina = app.token_of("nina.keller@alpha.example").await;
    let denied = app
        .request_as(&nina, Method::GET, "/admin/accounts")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

async fn reading_the_trail_is_for_auditors_and_exports_are_recorded(app: TestApp) {
    let sven = sign_in(&app, "sven.richter@alpha.example").await;
    let refused = app.get_as(&sven, "/audit").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("audit.read"));
    let home = app.page_as(&sven, "/").await;
    assert!(!home.contains("href=\"/audit\""), "the menu leaves it out");

    let ruth = sign_in(&app, "ruth.meyer@alpha.example").await;
    let export = app.get_as(&ruth, "/audit.csv?entity=person").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'audit trail export' AND action = 'read' AND actor_label = 'ruth.meyer@alpha.example'"
        )
        .await,
        1,
        "the export is recorded"
    );
    let change = app.get_as(&ruth, "/people/new").await;
    assert_eq!(change.status(), StatusCode::FORBIDDEN, "auditors only read");
}

/// The permissions table of the security documentation is the grants table of the code.
#[test]
fn the_documented_permissions_are_the_granted_ones() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/security.md"
    ))
    .expect("docs/security.md");
    let start = "<!-- permissions-table:start -->";
    let end = "<!-- permissions-table:end -->";
    let from = doc.find(start).expect("the start marker") + start.len();
    let to = doc.find(end).expect("the end marker");
    assert_eq!(
        doc[from..to].trim(),
        tandem_kernel::access::grants_markdown().trim(),
        "regenerate the table between the markers from tandem_kernel::access::grants_markdown()"
    );
}
