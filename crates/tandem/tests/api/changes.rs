//! Change management on both engines: every life-cycle rule refuses with its name and changes
//! nothing, the four-eye principle, the CAB's consent for emergency changes and its time limit,
//! standard changes from templates, non-operational changes, the calendar with blackouts,
//! conflicts and maintenance windows, CI versions written by an implemented change, the change
//! reconciliation report and the change log export.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Role;

use crate::harness::{Member, TestApp, error_fields};
use crate::on_both_engines;

on_both_engines!(
    a_regular_change_walks_its_life_cycle_and_each_rule_refuses_in_turn,
    an_emergency_change_needs_the_cab_and_a_late_approval_is_refused,
    standard_and_non_operational_changes_follow_their_own_rules,
    the_calendar_shows_windows_conflicts_blackouts_and_a_feed,
    only_change_roles_touch_changes,
    the_change_pages_show_errors_next_to_fields_and_refusals_by_rule,
    the_remaining_rules_refuse_by_name,
    two_changes_that_together_take_a_service_down_are_a_redundancy_conflict,
    who_recorded_or_submitted_a_change_does_not_approve_it,
    owners_implementers_and_voters_are_the_providers_staff,
);

struct World {
    /// The provider's organisation.
    org: String,
    maria: Member,
    jonas: Member,
    lena: Member,
    sven: Member,
    ines: Member,
    erik: Member,
    /// A CI in production (`mgmt-de-01`).
    ci: String,
    /// A CI in staging, not in production.
    staging: String,
}

async fn ci(app: &TestApp, name: &str, lifecycle: &str) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/cis",
            &json!({"class": "virtual-machine", "name": name, "lifecycle": lifecycle,
                    "confidentiality": "2", "integrity": "2", "availability": "3",
                    "label": "internal", "attributes": {"hostname": name, "patch_level": "2026-10"},
                    "reason": "Initial inventory of the test data centre"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn world(app: &TestApp) -> World {
    let org = app.organisation("Alpha Test Cloud", "provider").await;
    let maria = app
        .member(
            &org,
            "Maria Schmidt",
            "maria@alpha.test",
            &[Role::ServiceManager],
        )
        .await;
    let jonas = app
        .member(
            &org,
            "Jonas Braun",
            "jonas@alpha.test",
            &[Role::ChangeManager],
        )
        .await;
    let lena = app
        .member(&org, "Lena Wolf", "lena@alpha.test", &[Role::Engineer])
        .await;
    let sven = app
        .member(
            &org,
            "Sven Richter",
            "sven@alpha.test",
            &[Role::Engineer, Role::CabMember],
        )
        .await;
    let ines = app
        .member(
            &org,
            "Ines Kraus",
            "ines@alpha.test",
            &[Role::CabMember, Role::Engineer],
        )
        .await;
    let erik = app
        .member(&org, "Erik Vogel", "erik@alpha.test", &[Role::CabMember])
        .await;
    let (status, body) = app
        .post_json(
            "/api/v1/teams",
            &json!({"organisation_id": org, "name": "Change Advisory Board", "level": "cab",
                    "members": [maria.id, jonas.id, sven.id, ines.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    World {
        org,
        ci: ci(app, "mgmt-de-01", "production").await,
        staging: ci(app, "bridge-stg-01", "in-stock").await,
        maria,
        jonas,
        lena,
        sven,
        ines,
        erik,
    }
}

async fn send(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let response = app
        .request_as(&who.token, method, path)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn step(app: &TestApp, who: &Member, change: &str, body: Value) -> (StatusCode, Value) {
    send(
        app,
        who,
        Method::POST,
        &format!("/api/v1/changes/{change}/steps"),
        &body,
    )
    .await
}

/// Takes `step` and expects it to be refused by exactly `rules`, leaving the change as it was.
async fn refused(app: &TestApp, who: &Member, change: &str, name: &str, rules: &[&str]) {
    let before = app.read(&format!("/api/v1/changes/{change}")).await;
    let (status, body) = step(app, who, change, json!({"step": name})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{name}: {body}");
    let (code, fields) = error_fields(&body);
    assert_eq!(code, "refused", "{body}");
    assert_eq!(fields, rules, "{name}: {body}");
    let after = app.read(&format!("/api/v1/changes/{change}")).await;
    assert_eq!(
        before["change"], after["change"],
        "a refused step changes nothing"
    );
}

async fn taken(app: &TestApp, who: &Member, change: &str, body: Value) -> Value {
    let (status, changed) = step(app, who, change, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}: {changed}");
    changed
}

async fn edit(app: &TestApp, who: &Member, change: &str, fields: Value) -> (StatusCode, Value) {
    let current = app.read(&format!("/api/v1/changes/{change}")).await;
    let c = &current["change"];
    let mut body = json!({
        "title": c["title"], "owner_id": c["owner"]["id"], "cause_text": c["cause_text"],
        "description": c["description"], "configuration": c["configuration"],
        "category": c["category"], "risk": c["risk"].as_str().unwrap_or(""),
        "risk_override_reason": c["risk_override_reason"], "fallback": c["fallback"],
        "planned_start": c["planned_start"].as_str().unwrap_or(""),
        "planned_end": c["planned_end"].as_str().unwrap_or(""),
        "implementer_id": c["implementer"]["id"].as_str().unwrap_or(""),
        "conflicts_ack_reason": c["conflicts_ack_reason"],
        "template_id": c["template"]["id"].as_str().unwrap_or(""),
        "cis": current["cis"].as_array().unwrap().iter()
            .map(|ci| json!({"ci_id": ci["id"], "update": ci["update"]})).collect::<Vec<_>>(),
        "version": c["version"],
    });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    send(
        app,
        who,
        Method::PUT,
        &format!("/api/v1/changes/{change}"),
        &body,
    )
    .await
}

async fn edited(app: &TestApp, who: &Member, change: &str, fields: Value) -> Value {
    let (status, body) = edit(app, who, change, fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn a_regular_change_walks_its_life_cycle_and_each_rule_refuses_in_turn(app: TestApp) {
    let w = world(&app).await;
    let (status, draft) = send(
        &app,
        &w.maria,
        Method::POST,
        "/api/v1/changes",
        &json!({"title": "Security update of the management server", "owner_id": w.maria.id}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["number"], "C-000001");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["initiator"]["name"], "Maria Schmidt");
    let change = id(&draft);

    // Someone else may not submit it, and a draft without content is not submitted.
    refused(&app, &w.lena, &change, "submit", &["who", "G1"]).await;
    refused(&app, &w.maria, &change, "submit", &["G1"]).await;
    let filled = edited(
        &app,
        &w.maria,
        &change,
        json!({"description": "Install the December security updates",
               "configuration": "apt-get update && apt-get upgrade",
               "cause_text": "Security advisory DSA-9999",
               "cis": [{"ci_id": w.ci, "update": {"patch_level": "2026-12"}}]}),
    )
    .await;
    assert_eq!(filled["risk_suggested"], "medium", "{filled}");
    assert_eq!(filled["risk"], "medium");
    taken(&app, &w.maria, &change, json!({"step": "submit"})).await;

    // Only a change manager assesses; a productive change needs a fallback; an override of the
    // suggested risk says why.
    refused(&app, &w.maria, &change, "assess", &["who", "G5"]).await;
    let (status, body) = edit(&app, &w.maria, &change, json!({"risk": "low"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["risk"]);
    edited(
        &app,
        &w.maria,
        &change,
        json!({"fallback": "Restore the VM snapshot taken before"}),
    )
    .await;
    edited(&app, &w.jonas, &change, json!({"risk": "low"})).await;
    refused(&app, &w.jonas, &change, "assess", &["G4"]).await;
    edited(
        &app,
        &w.jonas,
        &change,
        json!({"risk_override_reason": "Only a patch level, rehearsed on staging"}),
    )
    .await;
    taken(&app, &w.jonas, &change, json!({"step": "assess"})).await;

    // Four eyes: the owner does not approve, nor does the implementer.
    let maria_manager = Member {
        id: w.maria.id.clone(),
        token: app
            .token_for(
                "maria@alpha.test",
                &[Role::ServiceManager, Role::ChangeManager],
            )
            .await,
    };
    refused(&app, &maria_manager, &change, "approve", &["G6"]).await;
    edited(
        &app,
        &w.jonas,
        &change,
        json!({"implementer_id": w.jonas.id}),
    )
    .await;
    refused(&app, &w.jonas, &change, "approve", &["G7"]).await;
    edited(
        &app,
        &w.jonas,
        &change,
        json!({"implementer_id": w.lena.id}),
    )
    .await;
    let approved = taken(&app, &w.jonas, &change, json!({"step": "approve"})).await;
    assert_eq!(approved["approver"]["name"], "Jonas Braun");
    assert_eq!(approved["approved_at"], "2026-11-02T09:00:00Z");

    // What was approved stays what is done; the implementer cannot become the approver.
    let (status, body) = edit(
        &app,
        &w.maria,
        &change,
        json!({"configuration": "apt-get dist-upgrade"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["edit"]);
    let (status, body) = edit(
        &app,
        &w.jonas,
        &change,
        json!({"implementer_id": w.jonas.id}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["G7"]);

    // A productive change is scheduled with a window, outside blackouts.
    refused(&app, &w.jonas, &change, "schedule", &["G9"]).await;
    let (status, blackout) = send(
        &app,
        &w.jonas,
        Method::POST,
        "/api/v1/blackouts",
        &json!({"name": "Year-end freeze", "starts_at": "2026-11-09T00:00:00Z",
                "ends_at": "2026-11-11T00:00:00Z", "reason": "Customers close their books"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{blackout}");
    edited(
        &app,
        &w.jonas,
        &change,
        json!({"planned_start": "2026-11-10T22:00:00Z", "planned_end": "2026-11-11T00:00:00Z"}),
    )
    .await;
    refused(&app, &w.jonas, &change, "schedule", &["G10"]).await;
    edited(
        &app,
        &w.jonas,
        &change,
        json!({"planned_start": "2026-11-12T22:00:00Z", "planned_end": "2026-11-13T00:00:00Z"}),
    )
    .await;
    let (status, checks) = send(
        &app,
        &w.maria,
        Method::PUT,
        &format!("/api/v1/changes/{change}/checks"),
        &json!({"checks": ["Users reach the management portal", "  "]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{checks}");
    assert_eq!(checks.as_array().unwrap().len(), 1);
    taken(&app, &w.jonas, &change, json!({"step": "schedule"})).await;
    assert_eq!(app.count("maintenance_windows").await, 1);

    // The implementer starts inside the window, not a change manager and not days early.
    refused(&app, &w.jonas, &change, "start", &["who", "G13"]).await;
    app.clock
        .advance(time::Duration::days(10) + time::Duration::hours(13));
    let started = taken(&app, &w.lena, &change, json!({"step": "start"})).await;
    assert_eq!(started["actual_start"], "2026-11-12T22:00:00Z");
    let implemented = taken(&app, &w.lena, &change, json!({"step": "implement"})).await;
    assert_eq!(implemented["state"], "implemented");

    // The CI now carries the change's update as a version caused by the change.
    let ci = app.read(&format!("/api/v1/cis/{}", w.ci)).await;
    assert_eq!(ci["attributes"]["patch_level"], "2026-12", "{ci}");
    let versions = app.read(&format!("/api/v1/cis/{}/versions", w.ci)).await;
    let newest = &versions[0];
    assert_eq!(newest["cause"], "change", "{versions}");
    assert_eq!(newest["change_id"], change.as_str());
    let detail = app.read(&format!("/api/v1/changes/{change}")).await;
    assert_eq!(detail["cis"][0]["applied_version"], newest["version"]);

    // The verifier is not the implementer, and every check has a result first.
    refused(&app, &w.lena, &change, "verify", &["G16", "G17"]).await;
    refused(&app, &w.sven, &change, "verify", &["G17"]).await;
    let (status, check) = send(
        &app,
        &w.lena,
        Method::PUT,
        &format!("/api/v1/changes/{change}/checks/1"),
        &json!({"result": "passed", "note": "Portal answers"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{check}");
    let verified = taken(
        &app,
        &w.sven,
        &change,
        json!({"step": "verify", "note": "Checked the portal and the logs"}),
    )
    .await;
    assert_eq!(verified["success"], true);
    assert_eq!(verified["verifier"]["name"], "Sven Richter");
    refused(&app, &w.sven, &change, "close", &["who"]).await;
    let closed = taken(&app, &w.jonas, &change, json!({"step": "close"})).await;
    assert_eq!(closed["close_reason"], "completed");
    refused(&app, &w.jonas, &change, "cancel", &["state"]).await;

    // The change explains its CI version; a manual edit afterwards is unexplained.
    let unexplained = app.read("/api/v1/changes/unexplained-versions").await;
    assert_eq!(unexplained.as_array().unwrap().len(), 0, "{unexplained}");
    let (status, body) = app
        .patch_json(
            &format!("/api/v1/cis/{}", w.ci),
            &json!({"attributes": {"hostname": "mgmt-de-01", "patch_level": "2026-12-hotfix"},
                    "reason": "Hotfix applied by hand at night"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let unexplained = app.read("/api/v1/changes/unexplained-versions").await;
    assert_eq!(
        unexplained[0]["ci"]["name"], "CI-000001 mgmt-de-01",
        "{unexplained}"
    );
    assert_eq!(unexplained[0]["cause"], "manual");

    // The change log: the seed's thirteen columns first, in its order.
    let response = app.get("/api/v1/changes/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..13],
        [
            "ID",
            "Change owner",
            "Initiator",
            "Cause",
            "Host",
            "Description",
            "Configuration change",
            "Category",
            "Risk",
            "Approver",
            "Approval date",
            "Execution date",
            "Successful"
        ]
    );
    let row: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(row[0], "C-000001");
    assert_eq!(row[1], "Maria Schmidt");
    assert_eq!(row[4], "CI-000001 mgmt-de-01");
    assert_eq!(row[8], "low");
    assert_eq!(row[9], "Jonas Braun");
    assert_eq!(row[11], "2026-11-12T22:00:00Z");
    assert_eq!(row[12], "yes");
}

async fn an_emergency_change_needs_the_cab_and_a_late_approval_is_refused(app: TestApp) {
    let w = world(&app).await;
    let emergency = |title: &str| {
        json!({"title": title, "owner_id": w.maria.id, "category": "emergency",
               "description": "Block the phishing domain", "configuration": "deny host evil.example",
               "cause_text": "Phishing wave against customers", "fallback": "Remove the rule",
               "implementer_id": w.lena.id,
               "planned_start": "2026-11-02T09:00:00Z", "planned_end": "2026-11-02T10:00:00Z",
               "cis": [{"ci_id": w.ci}]})
    };
    let (status, created) = send(
        &app,
        &w.maria,
        Method::POST,
        "/api/v1/changes",
        &emergency("Block phishing domain"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let change = id(&created);
    taken(&app, &w.maria, &change, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &change, json!({"step": "assess"})).await;
    refused(&app, &w.jonas, &change, "approve", &["G8"]).await;

    // Only CAB members vote; a vote to reject says why.
    let vote = |who: &Member, body: Value| {
        let path = format!("/api/v1/changes/{change}/votes");
        let token = who.token.clone();
        let app = &app;
        async move {
            let response = app
                .request_as(&token, Method::POST, &path)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = vote(&w.erik, json!({"vote": "approve"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["cab"]);
    let (status, body) = vote(&w.sven, json!({"vote": "reject"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["comment"]);
    assert_eq!(app.count("change_votes").await, 0);

    // The implementer starts at once; the CAB consents afterwards. The owner's vote is kept but
    // not counted.
    taken(&app, &w.lena, &change, json!({"step": "start"})).await;
    for who in [&w.ines, &w.sven, &w.maria] {
        let (status, body) = vote(who, json!({"vote": "approve"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let detail = app.read(&format!("/api/v1/changes/{change}")).await;
    assert_eq!(detail["consent"]["counted_approvals"], 2, "{detail}");
    assert_eq!(
        detail["votes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["counted"] == false)
            .count(),
        1
    );
    refused(&app, &w.jonas, &change, "approve-retroactively", &["G8"]).await;
    let (status, body) = vote(
        &w.jonas,
        json!({"vote": "approve", "comment": "Risk accepted"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approved = taken(
        &app,
        &w.jonas,
        &change,
        json!({"step": "approve-retroactively"}),
    )
    .await;
    assert_eq!(approved["approval_retroactive"], true);
    assert_eq!(approved["state"], "in-progress");
    let (status, body) = vote(&w.ines, json!({"vote": "abstain"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["vote"]);

    // A second emergency change: the CAB's consent comes more than 24 hours after the start.
    let late = recorded_by(&app, &w.maria, &emergency("Block a second phishing domain")).await;
    let late = id(&late);
    taken(&app, &w.maria, &late, json!({"step": "submit"})).await;
    taken(&app, &w.lena, &late, json!({"step": "start"})).await;
    app.clock.advance(time::Duration::hours(25));
    for who in [&w.ines, &w.sven, &w.jonas] {
        let (status, body) = send(
            &app,
            who,
            Method::POST,
            &format!("/api/v1/changes/{late}/votes"),
            &json!({"vote": "approve"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    refused(&app, &w.jonas, &late, "approve-retroactively", &["retro"]).await;
    taken(&app, &w.lena, &late, json!({"step": "implement"})).await;
    let check = app.read(&format!("/api/v1/changes/{late}")).await;
    assert_eq!(check["checks"].as_array().unwrap().len(), 0);
    taken(&app, &w.ines, &late, json!({"step": "verify"})).await;
    let closed = taken(&app, &w.jonas, &late, json!({"step": "close"})).await;
    assert_eq!(closed["approval_missed"], true, "{closed}");
}

async fn standard_and_non_operational_changes_follow_their_own_rules(app: TestApp) {
    let w = world(&app).await;
    let (status, template) = send(
        &app,
        &w.jonas,
        Method::POST,
        "/api/v1/change-templates",
        &json!({"name": "Replacement of a video endpoint",
                "description": "Swap the codec hardware for a spare of the same model",
                "configuration": "Restore the room profile on the new unit",
                "fallback": "Put the old unit back", "risk": "low",
                "checklist": ["Test call both ways", "Presentation sharing works"],
                "duration_minutes": 120}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{template}");
    assert_eq!(template["approved_by"]["name"], "Jonas Braun");
    let (status, body) = send(
        &app,
        &w.lena,
        Method::POST,
        "/api/v1/change-templates",
        &json!({"name": "Anything goes", "description": "x", "fallback": "y", "risk": "low",
                "duration_minutes": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A standard change takes the template's words, checklist and risk, and is approved on
    // submit by the template's approver; the four eyes still apply.
    let (status, standard) = send(
        &app,
        &w.maria,
        Method::POST,
        "/api/v1/changes",
        &json!({"title": "New codec in room 3", "owner_id": w.maria.id, "category": "standard",
                "template_id": id(&template), "cause_text": "Codec broken",
                "implementer_id": w.lena.id, "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{standard}");
    assert_eq!(standard["fallback"], "Put the old unit back");
    assert_eq!(standard["risk"], "low");
    let standard = id(&standard);
    let detail = app.read(&format!("/api/v1/changes/{standard}")).await;
    assert_eq!(detail["checks"].as_array().unwrap().len(), 2);
    let approved = taken(&app, &w.maria, &standard, json!({"step": "submit"})).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["approver"]["name"], "Jonas Braun");

    let own = recorded_by(
        &app,
        &w.jonas,
        &json!({"title": "Jonas swaps a codec", "owner_id": w.jonas.id, "category": "standard",
                "template_id": id(&template), "cause_text": "Codec broken",
                "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    refused(&app, &w.jonas, &id(&own), "submit", &["G6"]).await;

    let (status, body) = send(
        &app,
        &w.maria,
        Method::POST,
        "/api/v1/changes",
        &json!({"title": "Standard without template", "owner_id": w.maria.id,
                "category": "standard"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["template_id"]);

    // A non-operational change keeps off production and needs no schedule.
    let test = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "Test release 9.1", "owner_id": w.maria.id,
                "category": "non-operational", "description": "Try release 9.1",
                "configuration": "install 9.1", "cause_text": "Release planning",
                "implementer_id": w.lena.id, "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    let test = id(&test);
    refused(&app, &w.maria, &test, "submit", &["G3"]).await;
    edited(
        &app,
        &w.maria,
        &test,
        json!({"cis": [{"ci_id": w.staging, "update": {"os_version": "9.1"}}]}),
    )
    .await;
    taken(&app, &w.maria, &test, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &test, json!({"step": "assess"})).await;
    taken(&app, &w.jonas, &test, json!({"step": "approve"})).await;
    refused(&app, &w.jonas, &test, "schedule", &["state"]).await;
    taken(&app, &w.lena, &test, json!({"step": "start"})).await;

    // A failed change records the fallback carried out.
    refused(&app, &w.lena, &test, "fail", &["G15"]).await;
    let failed = taken(
        &app,
        &w.lena,
        &test,
        json!({"step": "fail", "fallback_carried_out": "Reinstalled 9.0 from the image"}),
    )
    .await;
    assert_eq!(failed["success"], false);
    assert_eq!(
        failed["fallback_carried_out"],
        "Reinstalled 9.0 from the image"
    );
    let staging = app.read(&format!("/api/v1/cis/{}", w.staging)).await;
    assert!(staging["attributes"]["os_version"].is_null(), "{staging}");

    // Rejecting and cancelling say why.
    let (status, body) = step(&app, &w.maria, &id(&own), json!({"step": "cancel"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["who", "reason"]);
    let cancelled = taken(
        &app,
        &w.jonas,
        &id(&own),
        json!({"step": "cancel", "reason": "Maria's change covers it"}),
    )
    .await;
    assert_eq!(cancelled["close_reason"], "cancelled");
}

async fn the_calendar_shows_windows_conflicts_blackouts_and_a_feed(app: TestApp) {
    let w = world(&app).await;
    let scheduled = |title: &str, ack: &str| {
        json!({"title": title, "owner_id": w.maria.id, "description": "Patch",
               "configuration": "apt-get upgrade", "cause_text": "Patch day",
               "fallback": "Snapshot", "implementer_id": w.lena.id,
               "planned_start": "2026-11-05T22:00:00Z", "planned_end": "2026-11-05T23:00:00Z",
               "conflicts_ack_reason": ack, "cis": [{"ci_id": w.ci}]})
    };
    let mut ids = Vec::new();
    for (title, ack) in [("First patch", ""), ("Second patch", "")] {
        let (status, body) = send(
            &app,
            &w.maria,
            Method::POST,
            "/api/v1/changes",
            &scheduled(title, ack),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let change = id(&body);
        taken(&app, &w.maria, &change, json!({"step": "submit"})).await;
        taken(&app, &w.jonas, &change, json!({"step": "assess"})).await;
        taken(&app, &w.jonas, &change, json!({"step": "approve"})).await;
        ids.push(change);
    }
    taken(&app, &w.jonas, &ids[0], json!({"step": "schedule"})).await;
    refused(&app, &w.jonas, &ids[1], "schedule", &["G11"]).await;
    let detail = app.read(&format!("/api/v1/changes/{}", ids[1])).await;
    assert_eq!(
        detail["conflicts"][0], "C-000001 on CI-000001 mgmt-de-01",
        "{detail}"
    );
    edited(
        &app,
        &w.jonas,
        &ids[1],
        json!({"conflicts_ack_reason": "Both patches are one maintenance session"}),
    )
    .await;
    taken(&app, &w.jonas, &ids[1], json!({"step": "schedule"})).await;

    let (status, calendar) = app
        .get_json("/api/v1/changes/calendar?from=2026-11-05T00:00:00Z&to=2026-11-06T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    assert_eq!(
        calendar["changes"].as_array().unwrap().len(),
        2,
        "{calendar}"
    );
    assert_eq!(calendar["changes"][0]["cis"][0], "CI-000001 mgmt-de-01");
    let (status, body) = app
        .get_json("/api/v1/changes/calendar?from=2026-11-06T00:00:00Z&to=2026-11-05T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Unscheduling removes the windows; cancelling too.
    assert_eq!(app.count("maintenance_windows").await, 2);
    taken(&app, &w.jonas, &ids[1], json!({"step": "unschedule"})).await;
    assert_eq!(app.count("maintenance_windows").await, 1);
    taken(
        &app,
        &w.jonas,
        &ids[0],
        json!({"step": "cancel", "reason": "Patch postponed to next month"}),
    )
    .await;
    assert_eq!(app.count("maintenance_windows").await, 0);

    let response = app.get("/api/v1/changes/calendar.ics").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let feed = response.text().await.unwrap();
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\n"), "{feed}");
    assert!(feed.contains(&format!("UID:{}@", ids[0])), "{feed}");
    assert!(feed.contains("STATUS:CANCELLED"), "{feed}");
    assert!(
        feed.contains("SUMMARY:C-000002 Second patch [regular\\, medium]"),
        "{feed}"
    );
    assert!(feed.lines().all(|l| l.len() <= 75), "{feed}");
}

async fn only_change_roles_touch_changes(app: TestApp) {
    let w = world(&app).await;
    let org = app.organisation("Beta Customer", "customer").await;
    let customer = app
        .member(&org, "David Chen", "david@beta.test", &[Role::CustomerUser])
        .await;
    let auditor = app
        .member(&w.org, "Ruth Meyer", "ruth@alpha.test", &[Role::Auditor])
        .await;
    let created = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "Patch", "owner_id": w.maria.id}),
    )
    .await;
    let change = id(&created);
    for (who, method, path, expected) in [
        (
            &customer,
            Method::GET,
            "/api/v1/changes".to_owned(),
            StatusCode::FORBIDDEN,
        ),
        (
            &customer,
            Method::GET,
            format!("/api/v1/changes/{change}"),
            StatusCode::FORBIDDEN,
        ),
        (
            &customer,
            Method::GET,
            "/api/v1/changes/calendar.ics".to_owned(),
            StatusCode::FORBIDDEN,
        ),
        (
            &auditor,
            Method::GET,
            format!("/api/v1/changes/{change}"),
            StatusCode::OK,
        ),
        (
            &auditor,
            Method::GET,
            "/api/v1/changes/export.csv".to_owned(),
            StatusCode::OK,
        ),
        (
            &auditor,
            Method::POST,
            "/api/v1/changes".to_owned(),
            StatusCode::FORBIDDEN,
        ),
        (
            &auditor,
            Method::POST,
            format!("/api/v1/changes/{change}/votes"),
            StatusCode::FORBIDDEN,
        ),
        (
            &w.lena,
            Method::POST,
            "/api/v1/blackouts".to_owned(),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let status = app
            .request_as(&who.token, method.clone(), &path)
            .json(&json!({"title": "x", "owner_id": w.maria.id, "vote": "approve"}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, expected, "{method} {path}");
    }
    // An engineer who neither owns nor raised the change does not edit it.
    let (status, body) = edit(&app, &w.lena, &change, json!({"title": "Lena's now"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["who"]);
    // A CAB member without the permission to carry out changes cannot start one.
    let (status, body) = step(&app, &w.erik, &change, json!({"step": "start"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

async fn the_change_pages_show_errors_next_to_fields_and_refusals_by_rule(app: TestApp) {
    let w = world(&app).await;
    tandem_identity::store::set_password(
        &tandem_audit::Write::new(
            &app.db,
            &tandem_kernel::Actor::system("test harness"),
            tandem_kernel::Clock::now(app.clock.as_ref()),
        ),
        "maria@alpha.test",
        tandem::demo::DEMO_PASSWORD,
    )
    .await
    .expect("give Maria a password");
    let cookie = app.demo_session("maria@alpha.test").await;
    let csrf = crate::harness::csrf(&cookie);
    let form = app.get_as(&cookie, "/changes/new").await;
    assert_eq!(form.status(), StatusCode::OK);
    let refused = app
        .post_as(
            &cookie,
            "/changes",
            &[
                ("_csrf", &csrf),
                ("title", "Patch"),
                ("owner_id", &w.maria.id),
                ("category", "regular"),
                ("planned_start", "2026-11-10T22:00"),
                ("planned_end", "2026-11-10T21:00"),
                ("cis", "mgmt-de-01: patch_level=2026-12\nnowhere-01"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("id=\"cis-error\" class=\"field-error\">line 2: there is no CI"),
        "{page}"
    );
    assert!(
        page.contains(
            "id=\"planned_end-error\" class=\"field-error\">must be after the planned start"
        ),
        "{page}"
    );
    assert_eq!(app.count("changes").await, 0);
    let created = app
        .post_as(
            &cookie,
            "/changes",
            &[
                ("_csrf", &csrf),
                ("title", "Patch"),
                ("owner_id", &w.maria.id),
                ("category", "regular"),
                ("cis", "mgmt-de-01: patch_level=2026-12"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let shown = app.page_as(&cookie, &location).await;
    assert!(shown.contains("<strong>G1</strong>"), "{shown}");
    let step = app
        .post_as(
            &cookie,
            &format!("{location}/steps"),
            &[("_csrf", &csrf), ("step", "submit")],
        )
        .await;
    assert_eq!(step.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = step.text().await.unwrap();
    assert!(page.contains("class=\"refusals\""), "{page}");
    assert!(
        page.contains("<strong>G1</strong>: a change cannot be submitted without"),
        "{page}"
    );
}

/// G2 (an inactive template), G12 (a start without a fallback) and G14 (an emergency start
/// without a schedule and a fallback), which the walks above do not meet.
async fn the_remaining_rules_refuse_by_name(app: TestApp) {
    let w = world(&app).await;
    let template = json!({"name": "Replacement of a video endpoint",
        "description": "Swap the codec for a spare", "fallback": "Put the old unit back",
        "risk": "low", "duration_minutes": 60});
    let (status, created) = send(
        &app,
        &w.jonas,
        Method::POST,
        "/api/v1/change-templates",
        &template,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let standard = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "New codec", "owner_id": w.maria.id, "category": "standard",
                "template_id": id(&created), "configuration": "restore profile",
                "cause_text": "Broken", "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    let mut retired = template.clone();
    retired["active"] = json!(false);
    retired["version"] = created["version"].clone();
    let (status, body) = send(
        &app,
        &w.jonas,
        Method::PUT,
        &format!("/api/v1/change-templates/{}", id(&created)),
        &retired,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    refused(&app, &w.maria, &id(&standard), "submit", &["G2"]).await;

    // A scheduled change whose fallback was taken out does not start.
    let regular = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "Patch", "owner_id": w.maria.id, "description": "Patch",
                "configuration": "apt-get upgrade", "cause_text": "Patch day",
                "fallback": "Snapshot", "implementer_id": w.lena.id,
                "planned_start": "2026-11-02T09:00:00Z", "planned_end": "2026-11-02T11:00:00Z",
                "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    let regular = id(&regular);
    taken(&app, &w.maria, &regular, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &regular, json!({"step": "assess"})).await;
    taken(&app, &w.jonas, &regular, json!({"step": "approve"})).await;
    taken(&app, &w.jonas, &regular, json!({"step": "schedule"})).await;
    edited(&app, &w.jonas, &regular, json!({"fallback": ""})).await;
    refused(&app, &w.lena, &regular, "start", &["G12"]).await;

    // An emergency change starts before its approval only with a schedule and a fallback.
    let emergency = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "Block", "owner_id": w.maria.id, "category": "emergency",
                "description": "Block", "configuration": "deny", "cause_text": "Attack",
                "implementer_id": w.lena.id, "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    let emergency = id(&emergency);
    taken(&app, &w.maria, &emergency, json!({"step": "submit"})).await;
    refused(&app, &w.lena, &emergency, "start", &["G14"]).await;
}

async fn two_changes_that_together_take_a_service_down_are_a_redundancy_conflict(app: TestApp) {
    let w = world(&app).await;
    let (status, cluster) = app
        .post_json(
            "/api/v1/cis",
            &json!({"class": "cluster", "name": "login-cluster", "lifecycle": "production",
                    "confidentiality": "2", "integrity": "2", "availability": "4",
                    "label": "internal", "min_up": 1, "reason": "Initial inventory of the test data centre"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cluster}");
    let (status, service) = app
        .post_json(
            "/api/v1/cis",
            &json!({"class": "service", "name": "Login service", "lifecycle": "production",
                    "confidentiality": "3", "integrity": "3", "availability": "4",
                    "label": "internal", "reason": "Initial inventory of the test data centre"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let relate = |source: String, kind: &'static str, target: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .post_json(
                    &format!("/api/v1/cis/{source}/relations"),
                    &json!({"kind": kind, "target_id": target, "reason": "Wiring the test landscape"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    };
    let nodes = [
        ci(&app, "login-de-01", "production").await,
        ci(&app, "login-us-01", "production").await,
    ];
    for node in &nodes {
        relate(node.clone(), "member-of", id(&cluster)).await;
    }
    relate(id(&service), "depends-on", id(&cluster)).await;
    let mut kernels = Vec::new();
    for (node, title) in nodes.iter().zip(["Kernel DE", "Kernel US"]) {
        let (status, body) = send(
            &app,
            &w.maria,
            Method::POST,
            "/api/v1/changes",
            &json!({"title": title, "owner_id": w.maria.id, "description": "Kernel",
                    "configuration": "apt-get install linux-image-amd64", "cause_text": "Advisory",
                    "fallback": "Previous kernel", "implementer_id": w.lena.id,
                    "planned_start": "2026-11-05T22:00:00Z", "planned_end": "2026-11-05T23:00:00Z",
                    "cis": [{"ci_id": node}]}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let change = id(&body);
        taken(&app, &w.maria, &change, json!({"step": "submit"})).await;
        taken(&app, &w.jonas, &change, json!({"step": "assess"})).await;
        taken(&app, &w.jonas, &change, json!({"step": "approve"})).await;
        kernels.push(change);
    }
    // Each alone is harmless: the first is scheduled. The second, together with it, takes the
    // login service down: G11 refuses it until the conflict is acknowledged.
    taken(&app, &w.jonas, &kernels[0], json!({"step": "schedule"})).await;
    let (status, body) = step(&app, &w.jonas, &kernels[1], json!({"step": "schedule"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["G11"]);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("C-000001, together with which it takes down Login service, login-cluster"),
        "{body}"
    );
    edited(
        &app,
        &w.jonas,
        &kernels[1],
        json!({"conflicts_ack_reason": "The US node is rebooted only after the DE node is back"}),
    )
    .await;
    taken(&app, &w.jonas, &kernels[1], json!({"step": "schedule"})).await;
    let (status, calendar) = app
        .get_json("/api/v1/changes/calendar?from=2026-11-05T00:00:00Z&to=2026-11-06T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    assert_eq!(
        calendar["conflicts"].as_array().unwrap().len(),
        1,
        "{calendar}"
    );
    assert_eq!(calendar["conflicts"][0]["kind"], "redundancy");
    assert_eq!(
        calendar["conflicts"][0]["message"],
        "C-000001 and C-000002 together take down Login service, login-cluster, which neither takes down alone"
    );
}

/// `who` records a change from `body`; it must be created.
async fn recorded_by(app: &TestApp, who: &Member, body: &Value) -> Value {
    let (status, created) = send(app, who, Method::POST, "/api/v1/changes", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

/// Approving `change` as `who` is refused by G6 alone, with `message`, and changes nothing.
async fn approval_refused_by_g6(app: &TestApp, who: &Member, change: &str, message: &str) {
    let before = app.read(&format!("/api/v1/changes/{change}")).await;
    let (status, body) = step(app, who, change, json!({"step": "approve"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (code, fields) = error_fields(&body);
    assert_eq!(code, "refused", "{body}");
    assert_eq!(fields, ["G6"], "{body}");
    assert_eq!(body["error"]["details"][0]["message"], message, "{body}");
    let after = app.read(&format!("/api/v1/changes/{change}")).await;
    assert_eq!(
        before["change"], after["change"],
        "a refused approval changes nothing"
    );
    assert_eq!(after["change"]["state"], "assessed");
}

/// The four-eye rule G6 keeps apart from the approver not only the owner but also whoever
/// recorded the change and whoever submitted it: a change manager who names a colleague as
/// owner cannot submit, assess and approve the change alone.
async fn who_recorded_or_submitted_a_change_does_not_approve_it(app: TestApp) {
    let w = world(&app).await;
    let nora = app
        .member(
            &w.org,
            "Nora Berg",
            "nora@alpha.test",
            &[Role::ChangeManager],
        )
        .await;
    let patch = |title: &str, initiator: &str| {
        json!({"title": title, "owner_id": w.maria.id, "initiator_id": initiator,
               "description": "Patch", "configuration": "apt-get upgrade",
               "cause_text": "Patch day", "fallback": "Snapshot", "implementer_id": w.lena.id,
               "cis": [{"ci_id": w.ci}]})
    };

    // Jonas, a change manager, records a change naming Maria as owner. He is its initiator, so
    // he may submit it, and as change manager he assesses it; approving it himself is refused.
    let created = recorded_by(&app, &w.jonas, &patch("First patch", "")).await;
    assert_eq!(created["owner"]["name"], "Maria Schmidt", "{created}");
    assert_eq!(created["initiator"]["name"], "Jonas Braun", "{created}");
    let alone = id(&created);
    taken(&app, &w.jonas, &alone, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &alone, json!({"step": "assess"})).await;
    approval_refused_by_g6(
        &app,
        &w.jonas,
        &alone,
        "four-eye principle: Jonas Braun recorded and submitted this change and cannot approve it",
    )
    .await;
    // A second change manager approves it.
    let approved = taken(&app, &nora, &alone, json!({"step": "approve"})).await;
    assert_eq!(approved["state"], "approved", "{approved}");
    assert_eq!(approved["approver"]["name"], "Nora Berg", "{approved}");

    // Recording is enough: Jonas records a change that Lena raised and Maria submits.
    let created = recorded_by(&app, &w.jonas, &patch("Second patch", w.lena.id.as_str())).await;
    assert_eq!(created["initiator"]["name"], "Lena Wolf", "{created}");
    let recorded = id(&created);
    taken(&app, &w.maria, &recorded, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &recorded, json!({"step": "assess"})).await;
    approval_refused_by_g6(
        &app,
        &w.jonas,
        &recorded,
        "four-eye principle: Jonas Braun recorded this change and cannot approve it",
    )
    .await;
    let approved = taken(&app, &nora, &recorded, json!({"step": "approve"})).await;
    assert_eq!(approved["approver"]["name"], "Nora Berg", "{approved}");

    // So is submitting: Maria records a change naming Jonas as initiator, and he submits it.
    let created = recorded_by(&app, &w.maria, &patch("Third patch", w.jonas.id.as_str())).await;
    assert_eq!(created["initiator"]["name"], "Jonas Braun", "{created}");
    let submitted = id(&created);
    taken(&app, &w.jonas, &submitted, json!({"step": "submit"})).await;
    taken(&app, &w.jonas, &submitted, json!({"step": "assess"})).await;
    approval_refused_by_g6(
        &app,
        &w.jonas,
        &submitted,
        "four-eye principle: Jonas Braun submitted this change and cannot approve it",
    )
    .await;
    let approved = taken(&app, &nora, &submitted, json!({"step": "approve"})).await;
    assert_eq!(approved["approver"]["name"], "Nora Berg", "{approved}");
}

/// Regression: a customer's person could be named owner or implementer of a change, or have a
/// CAB vote recorded on their behalf.
async fn owners_implementers_and_voters_are_the_providers_staff(app: TestApp) {
    let w = world(&app).await;
    let beta = app.organisation("Beta Customer", "customer").await;
    let david = app
        .member(
            &beta,
            "David Chen",
            "david@beta.test",
            &[Role::CustomerUser],
        )
        .await;
    let customer =
        "only the provider's staff own changes; this person is a customer's or a supplier's";
    for (body, field, message) in [
        (
            json!({"title": "Patch", "owner_id": david.id}),
            "owner_id",
            customer,
        ),
        (
            json!({"title": "Patch", "owner_id": w.maria.id, "implementer_id": david.id}),
            "implementer_id",
            "only the provider's staff carry out changes; this person is a customer's or a supplier's",
        ),
        (
            json!({"title": "Patch", "owner_id": w.maria.id, "implementer_id": w.erik.id}),
            "implementer_id",
            "the person holds none of the roles that carry out changes: Administrator, Engineer, Service manager, Change manager, CISO",
        ),
    ] {
        let (status, refused) = send(&app, &w.maria, Method::POST, "/api/v1/changes", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(error_fields(&refused).1, [field], "{refused}");
        assert_eq!(
            refused["error"]["details"][0]["message"], message,
            "{refused}"
        );
    }
    assert_eq!(app.count("changes").await, 0, "nothing was written");

    // A customer's person is a valid initiator.
    let created = recorded_by(
        &app,
        &w.maria,
        &json!({"title": "Patch", "owner_id": w.maria.id, "initiator_id": david.id,
                "category": "emergency", "description": "Patch", "configuration": "apt upgrade",
                "cause_text": "CVE", "fallback": "Snapshot", "implementer_id": w.lena.id,
                "planned_start": "2026-11-02T09:00:00Z", "planned_end": "2026-11-02T10:00:00Z",
                "cis": [{"ci_id": w.ci}]}),
    )
    .await;
    let change = id(&created);
    taken(&app, &w.maria, &change, json!({"step": "submit"})).await;
    let (status, body) = send(
        &app,
        &w.jonas,
        Method::POST,
        &format!("/api/v1/changes/{change}/votes"),
        &json!({"vote": "approve", "voter_id": david.id}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_fields(&body).1, ["who"], "{body}");
    assert_eq!(
        body["error"]["details"][0]["message"],
        "only the provider's staff vote in the CAB; this person is a customer's or a supplier's"
    );
    assert_eq!(app.count("change_votes").await, 0);

    let form = app.read_text("/changes/new").await;
    let owners = &form[form.find("name=\"owner_id\"").expect("the owner picker")..];
    let owners = &owners[..owners.find("</select>").unwrap()];
    assert!(owners.contains("Maria Schmidt"), "{owners}");
    assert!(
        !owners.contains("David Chen") && !owners.contains("Erik Vogel"),
        "only who may own changes: {owners}"
    );
    let initiators = &form[form
        .find("name=\"initiator_id\"")
        .expect("the initiator picker")..];
    assert!(initiators[..initiators.find("</select>").unwrap()].contains("David Chen"));
}
