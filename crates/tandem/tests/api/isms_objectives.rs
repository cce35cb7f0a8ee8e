//! The ISMS's information security objectives (ISO/IEC 27001:2022 clause 6.2) through the API
//! and the pages: setting, measuring and changing them with each write in the audit trail, every
//! refusal by its field, who reads and who writes them, the overdue ones marked, and the demo's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Role;

use crate::harness::{Member, TestApp, error_fields};
use crate::isms_requests::{expect, invalid, send, trail};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    an_objective_is_set_measured_and_changed_and_each_write_is_audited,
    every_refusal_names_its_field_and_writes_nothing,
    only_readers_of_the_isms_see_objectives_and_only_its_writers_change_them,
    the_pages_mark_the_overdue_and_record_measurements,
);

on_both_engines_with_demo!(the_demo_has_four_objectives_of_alpha_one_overdue);

/// The provider's CISO, who writes the ISMS, and its service manager, who reads it.
struct World {
    alpha: String,
    ines: Member,
    maria: Member,
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
        alpha,
    }
}

/// An objective owned by `owner`, with `extra` on top of its fields.
fn objective(owner: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": "Every member of staff trained in the security policy",
        "description": "Staff know the rules of the security policy and accept them in writing.",
        "owner_id": owner,
        "target": "100 % of staff trained and acknowledging the policy in force",
        "measured_by": "Training attendance and the policy's acknowledgement coverage",
        "frequency": "quarterly",
        "due_date": "2027-03-31",
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

async fn an_objective_is_set_measured_and_changed_and_each_write_is_audited(app: TestApp) {
    let w = world(&app).await;
    let policy = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/documents",
        &json!({"title": "Information security policy", "kind": "policy",
                "owner_id": w.ines.id, "body": "# Information security policy\n"}),
        StatusCode::CREATED,
    )
    .await;
    let policy = policy["id"].as_str().unwrap().to_owned();
    let created = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/objectives",
        &objective(&w.ines.id, json!({"document_id": policy})),
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "planned", "{created}");
    assert_eq!(created["owner"]["name"], "Ines Kraus");
    assert_eq!(
        created["document"]["name"],
        "DOC-000001 Information security policy"
    );
    assert_eq!(created["overdue"], false);
    assert_eq!(created["latest_value"], Value::Null);
    assert_eq!(
        created["next_measurement"], "2027-02-02",
        "a quarter after it was set"
    );
    assert_eq!(created["version"], 1);
    let entries = trail(&app, &id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (action, entity, who, changes) = &entries[0];
    assert_eq!((action.as_str(), entity.as_str()), ("create", "objective"));
    assert!(who.starts_with("ines@alpha.test"), "{who}");
    assert_eq!(changes["document_id"], json!([null, policy]));
    assert_eq!(changes["owner_id"], json!([null, w.ines.id]));
    assert_eq!(changes["status"], json!([null, "planned"]));

    // Measurements show the progress, by the day they were taken.
    let path = format!("/api/v1/objectives/{id}");
    let measurements = format!("{path}/measurements");
    let first = expect(
        &app,
        &w.ines,
        Method::POST,
        &measurements,
        &json!({"measured_on": "2026-10-30", "value": "5 of 8 (62 %)",
                "note": "The new major version asks everyone again"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["measured_on"], "2026-10-30");
    assert_eq!(first["recorded_by"]["name"], "Ines Kraus");
    let detail = app.read_as(&w.maria.token, &path).await;
    assert_eq!(detail["latest_value"], "5 of 8 (62 %)");
    assert_eq!(
        detail["next_measurement"], "2027-01-30",
        "a quarter after the latest measurement"
    );
    let second = expect(
        &app,
        &w.ines,
        Method::POST,
        &measurements,
        &json!({"value": "7 of 8 (88 %)"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second["measured_on"], "2026-11-02", "today when not given");
    let earliest = expect(
        &app,
        &w.ines,
        Method::POST,
        &measurements,
        &json!({"measured_on": "2026-10-01", "value": "8 of 8 (100 %)", "note": "Version 1.0"}),
        StatusCode::CREATED,
    )
    .await;
    for m in [&first, &second, &earliest] {
        let entries = trail(&app, m["id"].as_str().unwrap()).await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        let (action, entity, who, changes) = &entries[0];
        assert_eq!(
            (action.as_str(), entity.as_str()),
            ("create", "objective measurement")
        );
        assert!(who.starts_with("ines@alpha.test"), "{who}");
        assert_eq!(changes["objective_id"], json!([null, id]));
        assert_eq!(changes["value"], json!([null, m["value"]]));
        assert_eq!(changes["recorded_by"], json!([null, w.ines.id]));
    }
    let detail = app.read_as(&w.maria.token, &path).await;
    let taken: Vec<(&str, &str)> = detail["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["measured_on"].as_str().unwrap(),
                m["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        taken,
        [
            ("2026-10-01", "8 of 8 (100 %)"),
            ("2026-10-30", "5 of 8 (62 %)"),
            ("2026-11-02", "7 of 8 (88 %)")
        ],
        "oldest first, by the day taken"
    );
    assert_eq!(detail["latest_value"], "7 of 8 (88 %)");

    // A change names only what it changes; the version guards against a stale one.
    let changed = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"status": "on-track", "version": 1}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["status"], "on-track");
    assert_eq!(changed["version"], 2);
    assert_eq!(
        changed["title"], created["title"],
        "absent fields keep their value"
    );
    assert_eq!(changed["measurements"].as_array().unwrap().len(), 3);
    let entries = trail(&app, &id).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(
        (entries[1].0.as_str(), entries[1].1.as_str()),
        ("update", "objective")
    );
    assert_eq!(
        entries[1].3,
        json!({"status": ["planned", "on-track"]}),
        "only what changed"
    );
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"title": "Late", "version": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "conflict");
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::PATCH,
            &path,
            &json!({"status": "achieved"})
        )
        .await,
        ["status_note"],
        "achieved needs a note"
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::PATCH,
            &path,
            &json!({"overdue": false})
        )
        .await,
        ["overdue"],
        "a read-only field is unknown"
    );
    assert_eq!(trail(&app, &id).await.len(), 2, "refusals record nothing");
    let achieved = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"status": "achieved", "status_note": "8 of 8 acknowledged version 2.0",
                "document_id": ""}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(achieved["status"], "achieved");
    assert_eq!(achieved["document"], Value::Null);
    assert_eq!(achieved["version"], 3);
    let entries = trail(&app, &id).await;
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[2].3["status"], json!(["on-track", "achieved"]));
    assert_eq!(entries[2].3["document_id"], json!([policy, ""]));
    assert_eq!(
        entries[2].3["status_note"],
        json!(["", "8 of 8 acknowledged version 2.0"])
    );

    // Overdue: past the due date and not achieved.
    let past = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"due_date": "2026-11-01"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(past["overdue"], false, "achieved, so not overdue");
    let at_risk = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"status": "at-risk"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(at_risk["overdue"], true);
    let list = app.read_as(&w.maria.token, "/api/v1/objectives").await;
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["overdue"], true);
    assert_eq!(trail(&app, &id).await.len(), 5);
}

async fn every_refusal_names_its_field_and_writes_nothing(app: TestApp) {
    let w = world(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let david = app.person(&beta, "David Chen", "david@beta.test").await;
    let tom = app.person(&w.alpha, "Tom Becker", "tom@alpha.test").await;
    let list = "/api/v1/objectives";
    assert_eq!(
        invalid(&app, &w.ines, Method::POST, list, &json!({})).await,
        [
            "title",
            "description",
            "owner_id",
            "target",
            "measured_by",
            "frequency",
            "due_date"
        ]
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &objective(
                &w.ines.id,
                json!({"frequency": "weekly", "due_date": "31.03.2027", "status": "done"})
            )
        )
        .await,
        ["frequency", "due_date", "status"]
    );
    for status in ["achieved", "missed"] {
        assert_eq!(
            invalid(
                &app,
                &w.ines,
                Method::POST,
                list,
                &objective(&w.ines.id, json!({"status": status}))
            )
            .await,
            ["status_note"],
            "{status} needs a note"
        );
    }
    for (owner, message) in [
        (&david, "only the provider's staff own objectives"),
        (
            &tom,
            "the person holds none of the roles that own objectives",
        ),
        (&uuid::Uuid::now_v7().to_string(), "there is no such person"),
    ] {
        let (status, answer) = send(
            &app,
            &w.ines,
            Method::POST,
            list,
            &objective(owner, json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_fields(&answer).1, ["owner_id"]);
        assert!(
            answer["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{answer}"
        );
    }
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &objective(
                &david,
                json!({"document_id": uuid::Uuid::now_v7().to_string()})
            )
        )
        .await,
        ["owner_id", "document_id"]
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &objective(&w.ines.id, json!({"overdue": true}))
        )
        .await,
        ["overdue"]
    );
    assert_eq!(app.count("isms_objectives").await, 0);

    let created = expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &objective(&w.ines.id, json!({})),
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let measurements = format!("/api/v1/objectives/{id}/measurements");
    for (body, fields) in [
        (
            json!({"measured_on": "2026-11-03", "value": "1"}),
            &["measured_on"][..],
        ),
        (json!({"value": " "}), &["value"][..]),
        (
            json!({"measured_on": "soon"}),
            &["measured_on", "value"][..],
        ),
    ] {
        assert_eq!(
            invalid(&app, &w.ines, Method::POST, &measurements, &body).await,
            fields,
            "{body}"
        );
    }
    let future = send(
        &app,
        &w.ines,
        Method::POST,
        &measurements,
        &json!({"measured_on": "2026-11-03", "value": "1"}),
    )
    .await;
    assert!(
        future.1["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("is after today (2026-11-02)"),
        "{future:?}"
    );
    let unknown = format!("/api/v1/objectives/{}", uuid::Uuid::now_v7());
    for (method, path, body) in [
        (Method::GET, unknown.clone(), Value::Null),
        (
            Method::PATCH,
            unknown.clone(),
            json!({"status": "on-track"}),
        ),
        (
            Method::POST,
            format!("{unknown}/measurements"),
            json!({"value": "1"}),
        ),
    ] {
        let (status, answer) = send(&app, &w.ines, method.clone(), &path, &body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    assert_eq!(app.count("isms_objectives").await, 1);
    assert_eq!(app.count("isms_objective_measurements").await, 0);
    assert_eq!(
        app.count("audit_entries WHERE entity IN ('objective', 'objective measurement')")
            .await,
        1,
        "only the one objective set"
    );
}

async fn only_readers_of_the_isms_see_objectives_and_only_its_writers_change_them(app: TestApp) {
    let w = world(&app).await;
    let ruth = app
        .member(&w.alpha, "Ruth Meyer", "ruth@alpha.test", &[Role::Auditor])
        .await;
    let nina = app
        .member(
            &w.alpha,
            "Nina Keller",
            "nina@alpha.test",
            &[Role::ServiceDeskAgent],
        )
        .await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let david = app
        .member(
            &beta,
            "David Chen",
            "david@beta.test",
            &[Role::CustomerUser],
        )
        .await;
    let created = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/objectives",
        &objective(&w.ines.id, json!({})),
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/objectives/{}", created["id"].as_str().unwrap());
    let measurements = format!("{path}/measurements");
    let writes = [
        (
            Method::POST,
            "/api/v1/objectives".to_owned(),
            objective(&w.ines.id, json!({})),
        ),
        (Method::PATCH, path.clone(), json!({"status": "at-risk"})),
        (Method::POST, measurements.clone(), json!({"value": "1"})),
    ];
    // isms.read without isms.write: the service manager and the auditor read, and only read.
    for reader in [&w.maria, &ruth] {
        let list = app.read_as(&reader.token, "/api/v1/objectives").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
        let detail = app.read_as(&reader.token, &path).await;
        assert_eq!(detail["id"], created["id"]);
        for (method, target, body) in &writes {
            let (status, answer) = send(&app, reader, method.clone(), target, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {target}: {answer}");
        }
        let page = app
            .request_as(&reader.token, Method::GET, "/isms/objectives/new")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    // Without isms.read nothing of it: an agent of the provider, and a customer.
    for outsider in [&nina, &david] {
        for target in ["/api/v1/objectives", path.as_str()] {
            let (status, answer) = send(&app, outsider, Method::GET, target, &Value::Null).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "GET {target}: {answer}");
        }
        for (method, target, body) in &writes {
            let (status, answer) = send(&app, outsider, method.clone(), target, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {target}: {answer}");
        }
        let page = app
            .request_as(&outsider.token, Method::GET, "/isms/objectives")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(app.count("isms_objectives").await, 1);
    assert_eq!(app.count("isms_objective_measurements").await, 0);
    assert_eq!(
        app.count("audit_entries WHERE entity IN ('objective', 'objective measurement')")
            .await,
        1
    );
}

async fn the_pages_mark_the_overdue_and_record_measurements(app: TestApp) {
    let w = world(&app).await;
    let form = app.read_text("/isms/objectives/new").await;
    assert!(
        form.contains(&format!(
            "<option value=\"{}\">Ines Kraus</option>",
            w.ines.id
        )),
        "the provider's staff are offered as owners: {form}"
    );
    let response = app
        .post_form(
            "/isms/objectives",
            &[
                ("title", "Yearly penetration test"),
                ("owner_id", &w.ines.id),
                ("frequency", "yearly"),
                ("due_date", "2026-10-31"),
                ("status", "missed"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in ["description", "target", "measured_by", "status_note"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    assert!(
        page.contains("value=\"Yearly penetration test\""),
        "what was typed stays"
    );
    let fields = [
        ("title", "Yearly penetration test"),
        (
            "description",
            "Beta asks for a penetration test of the video site once a year.",
        ),
        ("owner_id", w.ines.id.as_str()),
        ("target", "One test a year with a detailed report"),
        ("measured_by", "The test house's report"),
        ("frequency", "yearly"),
        ("due_date", "2026-10-31"),
        ("status", "at-risk"),
        ("status_note", ""),
        ("document_id", ""),
    ];
    let response = app.post_form("/isms/objectives", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.read_text(&location).await;
    assert!(
        page.contains("<h1>Yearly penetration test</h1>")
            && page.contains("<span class=\"badge warning\">overdue</span>"),
        "{page}"
    );
    expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/objectives",
        &objective(&w.ines.id, json!({})),
        StatusCode::CREATED,
    )
    .await;
    let list = app.read_text("/isms/objectives").await;
    assert!(list.contains("<strong>1 overdue</strong>"), "{list}");
    assert_eq!(
        list.matches("<span class=\"badge warning\">overdue</span>")
            .count(),
        1,
        "only the test is overdue: {list}"
    );

    // A measurement through the page's form, recorded as taken by the person signed in.
    let measurements = format!("{location}/measurements");
    let response = app
        .post_form(
            &measurements,
            &[("measured_on", "2026-12-01"), ("value", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("id=\"measured_on-error\"") && page.contains("id=\"value-error\""),
        "{page}"
    );
    let response = app
        .post_form(
            &measurements,
            &[
                ("measured_on", "2026-10-15"),
                ("value", "Test booked for January"),
                ("note", "The test house postponed it"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("{location}#measurements")
    );
    let page = app.read_text(&location).await;
    assert!(
        page.contains("<td>Test booked for January</td>") && page.contains("Harness Operator"),
        "{page}"
    );
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'objective measurement' \
             AND actor_label LIKE 'operator@harness.example%'"
        )
        .await,
        1
    );

    // The edit form carries the version; a second save from the same form is stale.
    let edit = app.read_text(&format!("{location}/edit")).await;
    assert!(
        edit.contains("name=\"version\" value=\"1\"") && edit.contains("value=\"2026-10-31\""),
        "{edit}"
    );
    let mut achieved = fields.to_vec();
    achieved.retain(|(name, _)| !["status", "status_note"].contains(name));
    achieved.extend([
        ("status", "achieved"),
        ("status_note", "Tested in October; report delivered"),
        ("version", "1"),
    ]);
    let response = app.post_form(&location, &achieved).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.read_text(&location).await;
    assert!(
        page.contains("Tested in October; report delivered")
            && !page.contains("<span class=\"badge warning\">overdue</span>"),
        "achieved, so no longer overdue: {page}"
    );
    let response = app.post_form(&location, &achieved).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("was changed by someone else"),
        "a stale save is refused"
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'objective' AND action = 'update'")
            .await,
        1
    );
}

async fn the_demo_has_four_objectives_of_alpha_one_overdue(app: TestApp) {
    let list = app.read("/api/v1/objectives").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{list}");
    let overdue: Vec<&str> = items
        .iter()
        .filter(|o| o["overdue"] == true)
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        overdue,
        ["Yearly penetration test of the video-conferencing service"]
    );
    for o in items {
        let detail = app
            .read(&format!("/api/v1/objectives/{}", o["id"].as_str().unwrap()))
            .await;
        let taken = detail["measurements"].as_array().unwrap();
        assert!(taken.len() >= 2, "a few measurements each: {detail}");
        assert_eq!(detail["latest_value"], taken[taken.len() - 1]["value"]);
        assert!(
            o["owner"]["name"] == "Ines Kraus" || o["owner"]["name"] == "Maria Schmidt",
            "{o}"
        );
    }
    let derived: Vec<&Value> = items
        .iter()
        .filter(|o| o["document"] != Value::Null)
        .collect();
    assert_eq!(derived.len(), 1, "{list}");
    assert!(
        derived[0]["document"]["name"]
            .as_str()
            .unwrap()
            .ends_with(" Information security policy"),
        "{list}"
    );
    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let page = app.page_as(&ines, "/isms/objectives").await;
    assert!(page.contains("<strong>1 overdue</strong>"), "{page}");
    assert_eq!(
        page.matches("<span class=\"badge warning\">overdue</span>")
            .count(),
        1
    );
    assert_eq!(
        page.matches("<span class=\"badge\">measurement due</span>")
            .count(),
        1,
        "last month's incident figures are due: {page}"
    );
}
