//! The ISMS's controlled documents through the API and the pages: the life cycle with every
//! refused step by its rule, check-out and broken locks, acknowledgements and their coverage, a
//! new major version asking again, what customers see, and the demo register.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::{Clock, Role};

use crate::harness::{Member, TestApp, error_fields};
use crate::isms_requests::{expect, send};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    a_policy_walks_its_life_cycle_and_every_refused_step_is_named,
    one_editor_at_a_time_and_a_broken_lock_says_why,
    acknowledgements_cover_the_distribution_and_a_major_version_asks_again,
    customers_see_only_the_documents_shared_with_them,
    the_scope_is_a_record_versioned_like_a_document,
    a_version_may_be_an_uploaded_file,
);

on_both_engines_with_demo!(the_demo_register_shows_every_stage);

/// The provider's people: the CISO writes, the service manager and the administrator approve,
/// an agent and an engineer read.
struct World {
    alpha: String,
    ines: Member,
    maria: Member,
    claudia: Member,
    nina: Member,
    sven: Member,
}

async fn world(app: &TestApp) -> World {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    World {
        ines: app
            .member(&alpha, "Ines Kraus", "ines@alpha.test", &[Role::Ciso])
            .await,
        maria: app
            .member(
                &alpha,
                "Maria Schmidt",
                "maria@alpha.test",
                &[Role::ServiceManager],
            )
            .await,
        claudia: app
            .member(
                &alpha,
                "Claudia Hoffmann",
                "claudia@alpha.test",
                &[Role::Administrator],
            )
            .await,
        nina: app
            .member(
                &alpha,
                "Nina Keller",
                "nina@alpha.test",
                &[Role::ServiceDeskAgent],
            )
            .await,
        sven: app
            .member(&alpha, "Sven Richter", "sven@alpha.test", &[Role::Engineer])
            .await,
        alpha,
    }
}

/// The rules a refused step named.
async fn refused(app: &TestApp, who: &Member, path: &str, body: &Value) -> Vec<String> {
    let (status, answer) = send(app, who, Method::POST, path, body).await;
    assert_eq!(status, StatusCode::CONFLICT, "POST {path}: {answer}");
    error_fields(&answer).1
}

/// A document the CISO writes from `template`, distributed to `distribution`; its first
/// version's id.
async fn document(app: &TestApp, w: &World, template: &str, extra: Value) -> (String, String) {
    let mut body = json!({"title": "Information security policy", "kind": "policy",
                          "owner_id": w.ines.id, "template": template});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let created = expect(
        app,
        &w.ines,
        Method::POST,
        "/api/v1/documents",
        &body,
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let detail = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{id}"))
        .await;
    let version = detail["versions"][0]["id"].as_str().unwrap().to_owned();
    (id, version)
}

/// Walks the draft `version` through review to publication, approved by Maria.
async fn publish(app: &TestApp, w: &World, doc: &str, version: &str) {
    let path = format!("/api/v1/documents/{doc}/versions/{version}");
    let current = app.read_as(&w.ines.token, &path).await;
    expect(
        app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"body": current["body"], "change_note": "Ready", "approver_ids": [w.maria.id]}),
        StatusCode::OK,
    )
    .await;
    let steps = format!("{path}/steps");
    for (who, step) in [
        (&w.ines, "submit"),
        (&w.maria, "approve"),
        (&w.ines, "publish"),
    ] {
        expect(
            app,
            who,
            Method::POST,
            &steps,
            &json!({"step": step}),
            StatusCode::OK,
        )
        .await;
    }
}

async fn a_policy_walks_its_life_cycle_and_every_refused_step_is_named(app: TestApp) {
    let w = world(&app).await;
    let (doc, v1) = document(
        &app,
        &w,
        "information-security-policy",
        json!({"quorum": 2, "distribution": ["role:engineer"]}),
    )
    .await;
    let path = format!("/api/v1/documents/{doc}/versions/{v1}");
    let steps = format!("{path}/steps");
    let draft = app.read_as(&w.ines.token, &path).await;
    assert_eq!(draft["label"], "1.0");
    assert_eq!(draft["state"], "draft");
    let body = draft["body"].as_str().unwrap().to_owned();
    assert!(
        body.starts_with("# Information security policy") && body.contains("Alpha Cloud Services"),
        "the template with the provider's name: {body}"
    );
    let detail = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{doc}"))
        .await;
    assert_eq!(detail["checked_out_by"]["name"], "Ines Kraus", "{detail}");
    assert_eq!(detail["number"], "DOC-000001");

    // Submit needs the quorum of approvers, never the author among them.
    assert_eq!(
        refused(&app, &w.ines, &steps, &json!({"step": "submit"})).await,
        ["quorum"]
    );
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"body": body, "approver_ids": [w.nina.id]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        error_fields(&answer).1,
        ["approvers[0]"],
        "an agent does not approve"
    );
    expect(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"body": body, "approver_ids": [w.ines.id, w.maria.id]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        refused(&app, &w.ines, &steps, &json!({"step": "submit"})).await,
        ["four-eyes"]
    );
    // Someone else with isms.write does not edit while Ines has it checked out.
    let (status, answer) = send(
        &app,
        &w.claudia,
        Method::PUT,
        &path,
        &json!({"body": "Overwritten"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(error_fields(&answer).1, ["checked-out"]);
    let text = format!("{body}\n## Clean desk\n\nLock the screen when you leave it.\n");
    expect(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"body": text, "change_note": "First version",
                "approver_ids": [w.maria.id, w.claudia.id]}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.ines,
        Method::POST,
        &steps,
        &json!({"step": "submit"}),
        StatusCode::OK,
    )
    .await;
    let detail = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{doc}"))
        .await;
    assert_eq!(
        detail["checked_out_by"],
        Value::Null,
        "submitting checks the document in"
    );
    assert_eq!(detail["in_progress"], "in-review");

    // Only the named approvers decide, each once; the author never.
    assert_eq!(
        refused(&app, &w.ines, &steps, &json!({"step": "approve"})).await,
        ["four-eyes"]
    );
    let (status, _) = send(
        &app,
        &w.nina,
        Method::POST,
        &steps,
        &json!({"step": "approve"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an agent does not even see the draft"
    );
    let ruth = app
        .member(&w.alpha, "Ruth Meyer", "ruth@alpha.test", &[Role::Auditor])
        .await;
    assert_eq!(
        refused(&app, &ruth, &steps, &json!({"step": "approve"})).await,
        ["who"]
    );
    let first = expect(
        &app,
        &w.maria,
        Method::POST,
        &steps,
        &json!({"step": "approve"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["state"], "in-review", "one approval of two");
    assert_eq!(
        refused(&app, &w.maria, &steps, &json!({"step": "approve"})).await,
        ["decided"]
    );
    assert_eq!(
        refused(&app, &w.claudia, &steps, &json!({"step": "reject"})).await,
        ["reason"]
    );
    let second = expect(
        &app,
        &w.claudia,
        Method::POST,
        &steps,
        &json!({"step": "approve"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(second["state"], "approved");
    assert_eq!(
        refused(&app, &w.maria, &steps, &json!({"step": "publish"})).await,
        ["who"]
    );
    assert_eq!(
        refused(&app, &w.ines, &steps, &json!({"step": "submit"})).await,
        ["state"]
    );
    let published = expect(
        &app,
        &w.ines,
        Method::POST,
        &steps,
        &json!({"step": "publish"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(published["state"], "published");
    let detail = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{doc}"))
        .await;
    assert_eq!(detail["in_force"], "1.0");
    assert_eq!(
        detail["next_review"], "2027-11-02",
        "twelve months after publication"
    );

    // A published version is not edited; a new one starts from its text, one at a time.
    let (status, answer) = send(&app, &w.ines, Method::PUT, &path, &json!({"body": "x"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        error_fields(&answer).1.contains(&"in-progress".to_owned()),
        "{answer}"
    );
    let versions = format!("/api/v1/documents/{doc}/versions");
    let v2 = expect(
        &app,
        &w.ines,
        Method::POST,
        &versions,
        &json!({"major": false}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(v2["label"], "1.1");
    assert_eq!(
        v2["body"].as_str(),
        Some(text.trim()),
        "stored without the final line break"
    );
    assert_eq!(
        refused(&app, &w.ines, &versions, &json!({})).await,
        ["in-progress"]
    );
    let v2_path = format!("{versions}/{}", v2["id"].as_str().unwrap());
    let edited = text.replace("Lock the screen", "Lock the screen and the door");
    expect(
        &app,
        &w.ines,
        Method::PUT,
        &v2_path,
        &json!({"body": edited, "change_note": "The door too"}),
        StatusCode::OK,
    )
    .await;
    let diff = app
        .read_as(
            &w.ines.token,
            &format!(
                "/api/v1/documents/{doc}/diff?from={v1}&to={}",
                v2["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        (diff["added"].as_u64(), diff["removed"].as_u64()),
        (Some(1), Some(1)),
        "{diff}"
    );
    let changed: Vec<&Value> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l[0] != "=")
        .collect();
    assert_eq!(changed[0][3], "Lock the screen when you leave it.");
    assert_eq!(
        changed[1][3],
        "Lock the screen and the door when you leave it."
    );

    // Every step and edit is in the audit trail.
    assert!(
        app.count("audit_entries WHERE entity = 'document version'")
            .await
            >= 8
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'document'").await,
        1
    );
}

async fn one_editor_at_a_time_and_a_broken_lock_says_why(app: TestApp) {
    let w = world(&app).await;
    let (doc, version) = document(&app, &w, "", json!({"body": "# Draft\n"})).await;
    let checkout = format!("/api/v1/documents/{doc}/checkout");
    assert_eq!(
        refused(&app, &w.claudia, &checkout, &json!({})).await,
        ["checked-out"]
    );
    expect(
        &app,
        &w.ines,
        Method::POST,
        &checkout,
        &json!({}),
        StatusCode::NO_CONTENT,
    )
    .await;
    let lock = format!("/api/v1/documents/{doc}/lock");
    let (status, answer) = send(
        &app,
        &w.maria,
        Method::DELETE,
        &lock,
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only isms.manage breaks a lock: {answer}"
    );
    let (status, answer) = send(
        &app,
        &w.claudia,
        Method::DELETE,
        &lock,
        &json!({"reason": " "}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer).1, ["reason"]);
    expect(
        &app,
        &w.claudia,
        Method::DELETE,
        &lock,
        &json!({"reason": "Ines is on leave; the plan is due"}),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'document lock' AND changes LIKE '%Ines is on leave%'"
        )
        .await,
        1,
        "the broken lock is audited with its reason"
    );
    expect(
        &app,
        &w.claudia,
        Method::POST,
        &checkout,
        &json!({}),
        StatusCode::NO_CONTENT,
    )
    .await;
    let path = format!("/api/v1/documents/{doc}/versions/{version}");
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"body": "# Mine\n"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Claudia Hoffmann has the document checked out since"),
        "{answer}"
    );
    expect(
        &app,
        &w.claudia,
        Method::PUT,
        &path,
        &json!({"body": "# Plan\n"}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.claudia,
        Method::POST,
        &format!("/api/v1/documents/{doc}/checkin"),
        &json!({}),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, _) = send(
        &app,
        &w.claudia,
        Method::PUT,
        &path,
        &json!({"body": "# Late\n"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "checked in: no more edits");
    assert_eq!(app.read_as(&w.ines.token, &path).await["body"], "# Plan");
}

async fn acknowledgements_cover_the_distribution_and_a_major_version_asks_again(app: TestApp) {
    let w = world(&app).await;
    let team = app
        .created(
            "/api/v1/teams",
            &json!({"organisation_id": w.alpha, "name": "First level", "level": "first_level",
                    "members": [w.nina.id]}),
        )
        .await;
    let (doc, v1) = document(
        &app,
        &w,
        "acceptable-use-policy",
        json!({"title": "Acceptable use policy",
               "distribution": ["role:engineer", format!("team:{}", team["id"].as_str().unwrap())]}),
    )
    .await;
    let due = app
        .read_as(&w.sven.token, "/api/v1/documents/to-acknowledge")
        .await;
    assert_eq!(due, json!([]), "nothing is asked before publication");
    publish(&app, &w, &doc, &v1).await;
    let due = app
        .read_as(&w.sven.token, "/api/v1/documents/to-acknowledge")
        .await;
    assert_eq!(due[0]["number"], "DOC-000001", "{due}");
    let ack = format!("/api/v1/documents/{doc}/acknowledgements");
    expect(
        &app,
        &w.sven,
        Method::POST,
        &ack,
        &json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.sven,
        Method::POST,
        &ack,
        &json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.count("isms_acknowledgements").await, 1, "once");
    assert_eq!(
        app.read_as(&w.sven.token, "/api/v1/documents/to-acknowledge")
            .await,
        json!([])
    );
    let coverage = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{doc}/coverage"))
        .await;
    assert_eq!(
        (
            coverage["asked"].as_u64(),
            coverage["acknowledged"].as_u64()
        ),
        (Some(2), Some(1)),
        "{coverage}"
    );
    assert_eq!(coverage["percent"], 50);
    assert_eq!(coverage["missing"][0]["name"], "Nina Keller");
    assert_eq!(
        coverage["groups"],
        json!([["role Engineer", 1, 1], ["team First level", 1, 0]])
    );
    let reminded = expect(
        &app,
        &w.ines,
        Method::POST,
        &format!("/api/v1/documents/{doc}/reminders"),
        &json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(reminded["reminded"], 1);
    assert_eq!(
        app.count("mail_outbox WHERE recipient = 'nina@alpha.test' AND subject LIKE 'Please read and acknowledge DOC-000001%'")
            .await,
        1
    );
    let (status, _) = send(
        &app,
        &w.nina,
        Method::GET,
        &format!("/api/v1/documents/{doc}/coverage"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "coverage is the ISMS's");

    // A minor version keeps Sven's consent; a major one asks again.
    let versions = format!("/api/v1/documents/{doc}/versions");
    let minor = expect(
        &app,
        &w.ines,
        Method::POST,
        &versions,
        &json!({}),
        StatusCode::CREATED,
    )
    .await;
    publish(&app, &w, &doc, minor["id"].as_str().unwrap()).await;
    assert_eq!(
        app.read_as(&w.sven.token, "/api/v1/documents/to-acknowledge")
            .await,
        json!([])
    );
    let major = expect(
        &app,
        &w.ines,
        Method::POST,
        &versions,
        &json!({"major": true}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(major["label"], "2.0");
    publish(&app, &w, &doc, major["id"].as_str().unwrap()).await;
    let due = app
        .read_as(&w.sven.token, "/api/v1/documents/to-acknowledge")
        .await;
    assert_eq!(due[0]["version"], "2.0", "{due}");
    let coverage = app
        .read_as(&w.ines.token, &format!("/api/v1/documents/{doc}/coverage"))
        .await;
    assert_eq!(coverage["acknowledged"], 0, "{coverage}");
}

async fn customers_see_only_the_documents_shared_with_them(app: TestApp) {
    let w = world(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let gamma = app.organisation("Gamma Logistics", "customer").await;
    let david = app
        .member(
            &beta,
            "David Chen",
            "david@beta.test",
            &[Role::CustomerUser],
        )
        .await;
    let anna = app
        .member(
            &gamma,
            "Anna Lindqvist",
            "anna@gamma.test",
            &[Role::CustomerUser],
        )
        .await;
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/documents",
        &json!({"title": "x", "kind": "policy", "owner_id": david.id, "shared_with_id": w.alpha}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer).1, ["owner_id", "shared_with_id"]);
    let (shared, v1) = document(
        &app,
        &w,
        "incident-management-procedure",
        json!({"title": "Incident management procedure", "kind": "procedure", "shared_with_id": beta}),
    )
    .await;
    let (internal, internal_v1) = document(
        &app,
        &w,
        "",
        json!({"title": "Internal", "body": "# Internal\n", "classification": "public"}),
    )
    .await;
    publish(&app, &w, &internal, &internal_v1).await;
    let list = app.read_as(&david.token, "/api/v1/documents").await;
    assert_eq!(
        list["items"],
        json!([]),
        "nothing before publication: {list}"
    );
    publish(&app, &w, &shared, &v1).await;
    let versions = format!("/api/v1/documents/{shared}/versions");
    expect(
        &app,
        &w.ines,
        Method::POST,
        &versions,
        &json!({}),
        StatusCode::CREATED,
    )
    .await;
    let list = app.read_as(&david.token, "/api/v1/documents").await;
    let numbers: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        ["DOC-000001"],
        "only the shared one, not even a public one: {list}"
    );
    let detail = app
        .read_as(&david.token, &format!("/api/v1/documents/{shared}"))
        .await;
    let states: Vec<&str> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["published"], "never the draft: {detail}");
    assert_eq!(detail["in_progress"], Value::Null);
    expect(
        &app,
        &david,
        Method::POST,
        &format!("/api/v1/documents/{shared}/acknowledgements"),
        &json!({}),
        StatusCode::OK,
    )
    .await;
    for (who, path) in [
        (&anna, format!("/api/v1/documents/{shared}")),
        (&david, format!("/api/v1/documents/{internal}")),
    ] {
        let (status, _) = send(&app, who, Method::GET, &path, &Value::Null).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.read_as(&anna.token, "/api/v1/documents").await["items"],
        json!([])
    );
    let (status, _) = send(
        &app,
        &david,
        Method::GET,
        &format!("/api/v1/documents/{shared}/coverage"),
        &Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The staff's list has both; an engineer sees the public one though it is not distributed.
    let staff = app.read_as(&w.sven.token, "/api/v1/documents").await;
    assert_eq!(staff["items"].as_array().unwrap().len(), 1, "{staff}");
    assert_eq!(staff["items"][0]["title"], "Internal");
}

async fn the_demo_register_shows_every_stage(app: TestApp) {
    let register = app.read("/api/v1/documents").await;
    let items = register["items"].as_array().unwrap();
    assert_eq!(items.len(), 9, "every shipped template: {register}");
    let stage = |title: &str| {
        items
            .iter()
            .find(|d| d["title"] == title)
            .unwrap_or_else(|| panic!("{title} in {register}"))
            .clone()
    };
    assert_eq!(stage("Information security policy")["in_force"], "2.0");
    assert_eq!(stage("Access control policy")["in_progress"], "in-review");
    assert_eq!(stage("Business continuity plan")["in_progress"], "draft");
    assert_eq!(
        stage("Business continuity plan")["checked_out_by"]["name"],
        "Ines Kraus"
    );
    let overdue = stage("Incident management procedure");
    let today = app.clock.now().date().to_string();
    assert!(
        overdue["next_review"].as_str().unwrap() < today.as_str(),
        "{overdue}"
    );
    assert_eq!(overdue["shared_with"]["name"], "Beta Technologies");
    let lena = app.token_of("lena.wolf@alpha.example").await;
    let due = app.read_as(&lena, "/api/v1/documents/to-acknowledge").await;
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|d| d["number"] == stage("Information security policy")["number"]),
        "Lena acknowledged 1.0, not 2.0: {due}"
    );
    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let page = app
        .page_as(
            &ines,
            &format!(
                "/isms/documents/{}",
                stage("Information security policy")["id"].as_str().unwrap()
            ),
        )
        .await;
    assert!(
        page.contains("id=\"coverage\"") && page.contains("Lena Wolf"),
        "{page}"
    );
    assert!(
        page.contains("Data kept in the cloud"),
        "the version in force is shown"
    );
    let start = app.page_as(&ines, "/").await;
    let due = &start[start
        .find("id=\"documents-due\"")
        .expect("the CISO's reviews due")..];
    assert!(
        due.contains("Incident management procedure") && due.contains("overdue"),
        "{start}"
    );
    let lena = app.demo_session("lena.wolf@alpha.example").await;
    let start = app.page_as(&lena, "/").await;
    let asked = &start[start.find("id=\"to-acknowledge\"").expect("Lena's reading")..];
    assert!(
        asked.contains("Information security policy</a>, version 2.0"),
        "{start}"
    );
    assert!(
        !start.contains("id=\"documents-due\""),
        "Lena owns no document"
    );
    let david = app.demo_session("david.chen@beta.example").await;
    let list = app.page_as(&david, "/isms/documents").await;
    assert!(
        list.contains("Incident management procedure")
            && !list.contains("Information security policy"),
        "{list}"
    );
}

async fn the_scope_is_a_record_versioned_like_a_document(app: TestApp) {
    let w = world(&app).await;
    app.created(
        "/api/v1/services",
        &json!({"name": "Video conferencing", "kind": "saas", "customers": []}),
    )
    .await;
    let ci = app
        .created(
            "/api/v1/cis",
            &json!({"class": "service", "name": "bridge-de-01", "lifecycle": "production",
                    "confidentiality": "2", "integrity": "2", "availability": "3",
                    "label": "internal", "reason": "Initial inventory of the data centre"}),
        )
        .await;
    let number = ci["number"].as_str().unwrap().to_owned();
    // The harness's operator writes the scope: it holds the draft's lock.
    let created = app
        .created(
            "/api/v1/documents",
            &json!({"title": "Scope of the ISMS", "kind": "scope", "owner_id": w.ines.id}),
        )
        .await;
    let doc = created["id"].as_str().unwrap().to_owned();
    let detail = app.read(&format!("/api/v1/documents/{doc}")).await;
    let v1 = detail["versions"][0]["id"].as_str().unwrap().to_owned();
    let form = format!("/isms/documents/{doc}/versions/{v1}/scope");
    let page = app.read_text(&form).await;
    assert!(
        page.contains("Exclusions and their justification"),
        "{page}"
    );

    let refused = app
        .post_form(
            &form,
            &[
                ("units", "Cloud operations"),
                ("services", "Video conferencing\nTelepathy"),
                ("cis", "bridge-de-01"),
                ("exclusions", "HR systems"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Line 2: the service catalogue has no service named “Telepathy”"),
        "{text}"
    );
    assert!(
        text.contains("Line 1: name a CI of the CMDB by its number first"),
        "{text}"
    );
    assert!(text.contains("an exclusion says why"), "{text}");
    let path = format!("/api/v1/documents/{doc}/versions/{v1}");
    assert_eq!(app.read(&path).await["body"], "", "nothing was written");

    let cis = format!("{number} bridge-de-01");
    let saved = app
        .post_form(
            &form,
            &[
                ("units", "Cloud operations\nService desk"),
                ("locations", "Data centre Frankfurt"),
                ("services", "Video conferencing"),
                ("cis", cis.as_str()),
                (
                    "exclusions",
                    "Office building — run by the landlord under contract",
                ),
                ("change_note", "First scope"),
            ],
        )
        .await;
    assert!(
        saved.status().is_success() || saved.status().is_redirection(),
        "{}",
        saved.status()
    );
    let v1_body = app.read(&path).await["body"].as_str().unwrap().to_owned();
    assert!(
        v1_body.starts_with(
            "# Scope of the ISMS\n\n## Organisational units\n\n- Cloud operations\n- Service desk"
        ),
        "{v1_body}"
    );
    assert!(v1_body.contains(&format!("- {number} bridge-de-01")));

    // Approved and published like any document, then a new version changes the scope.
    app.expect_json(
        Method::PUT,
        &path,
        &json!({"body": v1_body, "change_note": "First scope", "approver_ids": [w.maria.id]}),
        StatusCode::OK,
    )
    .await;
    let steps = format!("{path}/steps");
    app.expect_json(
        Method::POST,
        &steps,
        &json!({"step": "submit"}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.maria,
        Method::POST,
        &steps,
        &json!({"step": "approve"}),
        StatusCode::OK,
    )
    .await;
    app.expect_json(
        Method::POST,
        &steps,
        &json!({"step": "publish"}),
        StatusCode::OK,
    )
    .await;
    let v2 = app
        .created(&format!("/api/v1/documents/{doc}/versions"), &json!({}))
        .await;
    let v2_id = v2["id"].as_str().unwrap().to_owned();
    let form = format!("/isms/documents/{doc}/versions/{v2_id}/scope");
    let page = app.read_text(&form).await;
    assert!(
        page.contains("Data centre Frankfurt"),
        "the form starts from the record: {page}"
    );
    app.post_form(
        &form,
        &[
            ("units", "Cloud operations\nService desk"),
            ("locations", "Data centre Frankfurt\nData centre Ashburn"),
            ("services", "Video conferencing"),
            ("cis", cis.as_str()),
            (
                "change_note",
                "Ashburn joins; the office is no longer excluded",
            ),
        ],
    )
    .await;
    let diff = app
        .read(&format!(
            "/api/v1/documents/{doc}/diff?from={v1}&to={v2_id}"
        ))
        .await;
    let changed: Vec<(String, String)> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l[0] != "=")
        .map(|l| {
            (
                l[0].as_str().unwrap().to_owned(),
                l[3].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        changed.contains(&("+".to_owned(), "- Data centre Ashburn".to_owned())),
        "{diff}"
    );
    assert!(
        changed.contains(&(
            "-".to_owned(),
            "- Office building — run by the landlord under contract".to_owned()
        )),
        "{diff}"
    );
    assert!(
        changed.contains(&("+".to_owned(), "None.".to_owned())),
        "no exclusion left: {diff}"
    );
}

async fn a_version_may_be_an_uploaded_file(app: TestApp) {
    use base64::Engine;
    let w = world(&app).await;
    let (doc, version) = document(
        &app,
        &w,
        "",
        json!({"title": "Continuity plan", "kind": "plan"}),
    )
    .await;
    let path = format!("/api/v1/documents/{doc}/versions/{version}/file");
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";
    let (status, refused) = send(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"name": "setup.exe", "content": encode(b"MZ\x90\0\x03")}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused).1, ["file[0]"]);
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with(
                "only PDF and office documents (Word, Excel, PowerPoint, OpenDocument) are accepted"
            ),
        "{refused}"
    );
    let (status, locked) = send(
        &app,
        &w.claudia,
        Method::PUT,
        &path,
        &json!({"name": "plan.pdf", "content": encode(pdf)}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{locked}");
    assert_eq!(error_fields(&locked).1, ["checked-out"]);
    assert_eq!(app.count("isms_version_files").await, 0, "nothing stored");
    let saved = expect(
        &app,
        &w.ines,
        Method::PUT,
        &path,
        &json!({"name": "plan.pdf", "content": encode(pdf)}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["file"]["name"], "plan.pdf");
    assert_eq!(saved["file"]["media_type"], "application/pdf");
    assert_eq!(saved["file"]["size"], pdf.len());
    // A version with a file and no text is submitted: the file is its content.
    let version_path = format!("/api/v1/documents/{doc}/versions/{version}");
    expect(
        &app,
        &w.ines,
        Method::PUT,
        &version_path,
        &json!({"body": "", "approver_ids": [w.maria.id]}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.ines,
        Method::POST,
        &format!("{version_path}/steps"),
        &json!({"step": "submit"}),
        StatusCode::OK,
    )
    .await;
    let response = app
        .request_as(&w.maria.token, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf);
    let (status, _) = send(&app, &w.nina, Method::GET, &path, &Value::Null).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an agent does not see the draft's file"
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'document version' AND changes LIKE '%plan.pdf%'")
            .await,
        1
    );
}
