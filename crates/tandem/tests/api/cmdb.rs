//! The CMDB on both engines: CIs checked against their class, a version with its why for every
//! change, comparisons, relations, impact analysis honouring cluster quorums, the pages, and
//! who may change what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, error_fields};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    a_ci_is_checked_against_its_class_and_nothing_bad_is_stored,
    every_change_is_a_version_with_its_why_and_versions_compare,
    relations_are_versions_of_their_source_and_keep_their_rules,
    impact_honours_the_quorum_of_a_cluster,
    classes_take_new_attributes_and_refuse_bad_definitions,
    only_a_planned_ci_is_deleted,
    ci_forms_show_errors_next_to_their_fields,
    the_ci_page_forms_relate_record_state_and_define_classes,
    a_csv_import_names_every_bad_line_and_writes_nothing_until_clean,
    a_baseline_shows_what_changed_since,
    a_reconciliation_lists_what_was_found_missing_unknown_and_changed,
    every_ci_in_use_is_reviewed_once_a_year,
    the_impact_graph_kept_in_memory_follows_every_write,
);

on_both_engines_with_demo!(
    the_demo_inventory_reaches_customers_through_its_services,
    engineers_change_cis_and_auditors_only_read_them,
);

fn ci(class: &str, name: &str) -> Value {
    json!({
        "class": class, "name": name, "lifecycle": "production",
        "confidentiality": "2", "integrity": "2", "availability": "3", "label": "internal",
        "reason": "Initial inventory of the test data centre"
    })
}

async fn create(app: &TestApp, body: Value) -> Value {
    let (status, created) = app.post_json("/api/v1/cis", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn relate(app: &TestApp, source: &Value, kind: &str, target: &Value) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/cis/{}/relations", id(source)),
            &json!({"kind": kind, "target_id": id(target), "reason": "Wiring the test landscape"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn a_ci_is_checked_against_its_class_and_nothing_bad_is_stored(app: TestApp) {
    let mut body = ci("virtual-machine", "mgmt-de-01");
    body["attributes"] = json!({"hostname": "mgmt-de-01", "ip": "10.0.0.300", "colour": "blue",
                                "environment": "prod"});
    body["confidentiality"] = json!("7");
    body["reason"] = json!("short");
    let (status, refused) = app.post_json("/api/v1/cis", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (_, mut fields) = error_fields(&refused);
    fields.sort();
    assert_eq!(
        fields,
        [
            "attributes.colour",
            "attributes.environment",
            "attributes.ip",
            "confidentiality",
            "reason"
        ]
    );
    assert_eq!(app.count("cis").await, 0);
    assert_eq!(app.count("ci_versions").await, 0);

    let (status, refused) = app.post_json("/api/v1/cis", &ci("spaceship", "x-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused).1, ["class"]);

    body["attributes"] = json!({"hostname": "mgmt-de-01", "ip": "10.0.0.7"});
    body["confidentiality"] = json!("high");
    body["reason"] = json!("Initial inventory of the test data centre");
    let created = create(&app, body.clone()).await;
    assert_eq!(created["number"], "CI-000001");
    assert_eq!(created["confidentiality"], 3);
    assert_eq!(created["operational"], "operational");
    let (status, refused) = app.post_json("/api/v1/cis", &body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(app.count("cis").await, 1);

    let listed = app.read("/api/v1/cis?class=virtual-machine").await;
    assert_eq!(listed["items"][0]["class"], "virtual-machine", "{listed}");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let listed = app.read("/api/v1/cis?class=hardware").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
    let (status, refused) = app.get_json("/api/v1/cis?class=Virtual%20Machine").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused).1, ["class"]);
}

async fn every_change_is_a_version_with_its_why_and_versions_compare(app: TestApp) {
    let mut body = ci("network-device", "rt-de-01");
    body["attributes"] = json!({"hostname": "rt-de-01", "firmware": "7.1"});
    let router = create(&app, body).await;
    let path = format!("/api/v1/cis/{}", id(&router));

    let (status, refused) = app
        .patch_json(
            &path,
            &json!({"attributes": {"hostname": "rt-de-01", "firmware": "7.2"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("needs a reason"),
        "{refused}"
    );
    let (status, refused) = app
        .patch_json(&path, &json!({"label": "secret", "ticket": "T-000999"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused).1, ["ticket"]);

    let (status, changed) = app
        .patch_json(
            &path,
            &json!({"attributes": {"hostname": "rt-de-01", "firmware": "7.2"},
                    "reason": "Hotfix applied during the night shift"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["attributes"]["firmware"], "7.2");
    let versions = app.read(&format!("{path}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions}");
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["cause"], "manual");
    assert_eq!(
        versions[0]["reason"],
        "Hotfix applied during the night shift"
    );
    assert_eq!(
        versions[0]["changes"],
        json!({"attributes.firmware": ["7.1", "7.2"]})
    );
    assert!(!versions[0]["actor"].as_str().unwrap().is_empty());

    // A save that changes nothing makes no version.
    let (status, _) = app
        .patch_json(&path, &json!({"reason": "Nothing changes here at all"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count("ci_versions").await, 2);

    let first = app.read(&format!("{path}/versions/1")).await;
    assert_eq!(first["record"]["attributes.firmware"], "7.1");
    assert_eq!(first["cause"], "manual");
    let compared = app.read(&format!("{path}/compare?from=1&to=2")).await;
    assert_eq!(
        compared["changes"],
        json!({"attributes.firmware": ["7.1", "7.2"]})
    );
    let (status, _) = app.get_json(&format!("{path}/versions/9")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The operational state is recorded without a version.
    let (status, down) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("{path}/operational"),
            &json!({"state": "down", "note": "power cut"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{down}");
    assert_eq!(down["operational"], "down");
    assert_eq!(app.count("ci_versions").await, 2);
}

async fn relations_are_versions_of_their_source_and_keep_their_rules(app: TestApp) {
    let host = create(&app, ci("hardware", "hv-de-01")).await;
    let vm = create(&app, ci("virtual-machine", "login-de-01")).await;
    relate(&app, &vm, "runs-on", &host).await;
    let versions = app.read(&format!("/api/v1/cis/{}/versions", id(&vm))).await;
    assert_eq!(
        versions[0]["changes"],
        json!({"relation runs-on hv-de-01": ["", "CI-000001"]}),
        "{versions}"
    );
    let seen_from_host = app
        .read(&format!("/api/v1/cis/{}/relations", id(&host)))
        .await;
    assert_eq!(seen_from_host[0]["reading"], "hosts");
    assert_eq!(seen_from_host[0]["other"]["name"], "login-de-01");

    for (kind, target, field) in [
        ("member-of", &host, "target_id"),
        ("provides", &host, "target_id"),
        ("located-in", &host, "kind"),
        ("runs-on", &vm, "target_id"),
    ] {
        let (status, refused) = app
            .post_json(
                &format!("/api/v1/cis/{}/relations", id(&vm)),
                &json!({"kind": kind, "target_id": id(target), "reason": "Trying a bad relation"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind}: {refused}"
        );
        assert_eq!(error_fields(&refused).1, [field], "{kind}");
    }
    let (status, _) = app
        .post_json(
            &format!("/api/v1/cis/{}/relations", id(&vm)),
            &json!({"kind": "runs-on", "target_id": id(&host), "reason": "The same relation again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("ci_relations").await, 1);

    let relation = seen_from_host[0]["id"].as_str().unwrap();
    let remove = format!("/api/v1/cis/{}/relations/{relation}", id(&host));
    assert_eq!(
        app.delete(&remove).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a removal needs its why"
    );
    assert_eq!(
        app.delete(&format!("{remove}?reason=Moved%20to%20the%20US%20cluster"))
            .await,
        StatusCode::NO_CONTENT
    );
    let versions = app.read(&format!("/api/v1/cis/{}/versions", id(&vm))).await;
    assert_eq!(versions[0]["reason"], "Moved to the US cluster");
    assert_eq!(
        versions[0]["changes"],
        json!({"relation runs-on hv-de-01": ["CI-000001", ""]})
    );
}

/// Three bridges of which two must be up provide a service that a customer uses.
async fn impact_honours_the_quorum_of_a_cluster(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let (status, service) = app
        .post_json(
            "/api/v1/services",
            &json!({"name": "HD video", "kind": "saas", "customers": [beta]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let mut cluster = ci("cluster", "video-bridge-cluster");
    cluster["min_up"] = json!(2);
    let cluster = create(&app, cluster).await;
    let mut video = ci("service", "HD video conferencing");
    video["service_id"] = service["id"].clone();
    let video = create(&app, video).await;
    relate(&app, &cluster, "provides", &video).await;
    let mut bridges = Vec::new();
    for name in ["bridge-1", "bridge-2", "bridge-3"] {
        let bridge = create(&app, ci("virtual-machine", name)).await;
        relate(&app, &bridge, "member-of", &cluster).await;
        bridges.push(bridge);
    }
    let host = create(&app, ci("hardware", "hv-1")).await;
    relate(&app, &bridges[0], "runs-on", &host).await;
    relate(&app, &bridges[1], "runs-on", &host).await;

    let (status, one) = app
        .get_json(&format!("/api/v1/cis/{}/impact", id(&bridges[2])))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let state_of = |report: &Value, name: &str| {
        report["cis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["ci"]["name"] == name)
            .map(|a| a["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        state_of(&one, "video-bridge-cluster").as_deref(),
        Some("degraded")
    );
    assert_eq!(
        state_of(&one, "HD video conferencing").as_deref(),
        Some("degraded")
    );
    assert_eq!(one["customers"][0]["name"], "Beta Technologies");
    assert_eq!(one["customers"][0]["state"], "degraded");

    // The host takes two bridges with it: below the quorum, the service is down.
    let two = app.read(&format!("/api/v1/cis/{}/impact", id(&host))).await;
    assert_eq!(
        state_of(&two, "video-bridge-cluster").as_deref(),
        Some("down")
    );
    assert_eq!(
        state_of(&two, "HD video conferencing").as_deref(),
        Some("down")
    );
    let path: Vec<&str> = two["services"][0]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(path.first().copied(), Some("CI-000006 hv-1"), "{two}");
    assert_eq!(
        path.last().copied(),
        Some("CI-000002 HD video conferencing")
    );

    // As is: with bridge-3 recorded down, one more bridge down takes the service down.
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/cis/{}/operational", id(&bridges[2])),
            &json!({"state": "down"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let now = app
        .expect_json(
            reqwest::Method::POST,
            "/api/v1/impact",
            &json!({"roots": [{"ci": id(&bridges[0]), "state": "down"}]}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        state_of(&now, "HD video conferencing").as_deref(),
        Some("down")
    );
    let hypothetical = app
        .expect_json(
            reqwest::Method::POST,
            "/api/v1/impact",
            &json!({"roots": [{"ci": id(&bridges[0])}], "as_is": false}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        state_of(&hypothetical, "HD video conferencing").as_deref(),
        Some("degraded")
    );
    let (status, refused) = app
        .post_json(
            "/api/v1/impact",
            &json!({"roots": [{"ci": "x", "state": "gone"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused).1, ["roots[0].ci", "roots[0].state"]);
}

async fn classes_take_new_attributes_and_refuse_bad_definitions(app: TestApp) {
    let (status, refused) = app
        .post_json(
            "/api/v1/ci-classes",
            &json!({"key": "Storage Array", "name": "Storage array",
                    "attributes": [{"key": "tier", "kind": "choice"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused).1, ["key", "attributes[0].values"]);
    let (status, class) = app
        .post_json(
            "/api/v1/ci-classes",
            &json!({"key": "storage-array", "name": "Storage array",
                    "attributes": [{"key": "tier", "label": "Tier", "kind": "choice",
                                    "values": ["gold", "silver"], "required": true}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{class}");
    let (status, refused) = app
        .post_json("/api/v1/cis", &ci("storage-array", "san-1"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused).1, ["attributes.tier"]);
    let mut body = ci("storage-array", "san-1");
    body["attributes"] = json!({"tier": "gold"});
    create(&app, body).await;

    let (status, changed) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/ci-classes/storage-array",
            &json!({"name": "Storage array", "version": 1,
                    "attributes": [{"key": "tier", "kind": "choice", "values": ["gold", "silver", "bronze"]},
                                   {"key": "capacity_tb", "label": "Capacity (TB)", "kind": "integer"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["attributes"][1]["key"], "capacity_tb");
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/ci-classes/storage-array",
            &json!({"name": "Storage array", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version is refused");
}

async fn only_a_planned_ci_is_deleted(app: TestApp) {
    let live = create(&app, ci("hardware", "hv-live")).await;
    assert_eq!(
        app.delete(&format!("/api/v1/cis/{}", id(&live))).await,
        StatusCode::CONFLICT
    );
    let mut planned = ci("hardware", "hv-planned");
    planned["lifecycle"] = json!("planned");
    let planned = create(&app, planned).await;
    relate(&app, &planned, "depends-on", &live).await;
    assert_eq!(
        app.delete(&format!("/api/v1/cis/{}", id(&planned))).await,
        StatusCode::CONFLICT,
        "a CI something refers to stays"
    );
    let mut unused = ci("hardware", "hv-unused");
    unused["lifecycle"] = json!("planned");
    let unused = create(&app, unused).await;
    assert_eq!(
        app.delete(&format!("/api/v1/cis/{}", id(&unused))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.count("cis").await, 2);
}

async fn ci_forms_show_errors_next_to_their_fields(app: TestApp) {
    let page = app.get("/cis/new?class=virtual-machine").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("name=\"attr.hostname\""),
        "the class's attributes are fields"
    );
    let response = app
        .post_form(
            "/cis",
            &[
                ("class", "virtual-machine"),
                ("name", ""),
                ("lifecycle", "production"),
                ("confidentiality", "2"),
                ("integrity", "2"),
                ("availability", "2"),
                ("label", "internal"),
                ("attr.ip", "not-an-ip"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(html.contains("id=\"attr.ip-error\""), "{html}");
    assert!(html.contains("id=\"reason-error\""), "{html}");
    assert!(html.contains("value=\"not-an-ip\""), "what was typed stays");
    assert_eq!(app.count("cis").await, 0);
}

async fn the_demo_inventory_reaches_customers_through_its_services(app: TestApp) {
    let page = app.read("/api/v1/cis?q=hv-de-01").await;
    let host = &page["items"][0];
    assert_eq!(host["name"], "hv-de-01");
    let impact = app.read(&format!("/api/v1/cis/{}/impact", id(host))).await;
    let customers: Vec<&str> = impact["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // hv-de-02 is degraded already, so losing hv-de-01 leaves the German cluster without a
    // host: its VMs go down, the bridges fall below their quorum, and Gamma's app01 goes too.
    assert_eq!(
        customers,
        ["Beta Technologies", "Gamma Logistics"],
        "{impact}"
    );
    let room3 = app.read("/api/v1/cis?q=codec-muc-room3").await;
    let versions = app
        .read(&format!("/api/v1/cis/{}/versions", id(&room3["items"][0])))
        .await;
    assert_eq!(versions[0]["cause"], "ticket", "{versions}");
    assert!(versions[0]["ticket"].as_str().unwrap().starts_with("T-"));
    let page = app.get(&format!("/cis/{}", id(host))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg"), "the relations are drawn");
    assert!(html.contains("hv-cluster-de"));
}

async fn engineers_change_cis_and_auditors_only_read_them(app: TestApp) {
    let sven = app.token_of("sven.richter@alpha.example").await;
    let ruth = app.token_of("ruth.meyer@alpha.example").await;
    let david = app.token_of("david.chen@beta.example").await;
    let page = app.read("/api/v1/cis?q=rt-us-01").await;
    let router = id(&page["items"][0]);
    let change = json!({"label": "confidential", "reason": "Reclassified after the review"});
    let patch = |token: &str| {
        app.request_as(
            token,
            reqwest::Method::PATCH,
            &format!("/api/v1/cis/{router}"),
        )
        .json(&change)
        .send()
    };
    assert_eq!(patch(&ruth).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(patch(&david).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(patch(&sven).await.unwrap().status(), StatusCode::OK);
    let (status, _) = app
        .get_json_as(&ruth, &format!("/api/v1/cis/{router}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json_as(&david, "/api/v1/cis").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "customers see no inventory yet"
    );
}

async fn the_ci_page_forms_relate_record_state_and_define_classes(app: TestApp) {
    let host = create(&app, ci("hardware", "hv-de-01")).await;
    let vm = create(&app, ci("virtual-machine", "mgmt-de-01")).await;
    let relate = format!("/cis/{}/relations", id(&vm));
    let refused = app
        .post_form(
            &relate,
            &[
                ("kind", "runs-on"),
                ("target_id", &id(&host)),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"reason-error\""), "{html}");
    assert_eq!(app.count("ci_relations").await, 0);
    let added = app
        .post_form(
            &relate,
            &[
                ("kind", "runs-on"),
                ("target_id", &id(&host)),
                ("reason", "Placed on the new host"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("ci_relations").await, 1);

    let state = format!("/cis/{}/operational", id(&host));
    let refused = app.post_form(&state, &[("state", "broken")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("id=\"state-error\""));
    let recorded = app
        .post_form(&state, &[("state", "degraded"), ("note", "fan")])
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let host = app.read(&format!("/api/v1/cis/{}", id(&host))).await;
    assert_eq!(host["operational"], "degraded");

    let refused = app
        .post_form(
            "/ci-classes",
            &[
                ("key", "rack"),
                ("name", "Rack"),
                ("attributes", "units | Units | integer | mandatory"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("line 1: `mandatory` is not a flag"), "{html}");
    let created = app
        .post_form(
            "/ci-classes",
            &[
                ("key", "rack"),
                ("name", "Rack"),
                ("attributes", "units | Units | integer | required"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let rack = app.read("/api/v1/ci-classes/rack").await;
    assert_eq!(rack["attributes"][0]["required"], true);
}

async fn post_text(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &str,
) -> (StatusCode, Value) {
    let response = app
        .request(reqwest::Method::POST, path)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("POST");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

async fn a_csv_import_names_every_bad_line_and_writes_nothing_until_clean(app: TestApp) {
    let org = app.organisation("Alpha Cloud", "provider").await;
    app.person(&org, "Sven Richter", "sven@alpha.test").await;
    create(&app, ci("location", "DC-DE Munich")).await;
    let before = app.count("cis").await;
    let bad = "class,name,owner,location,lifecycle,confidentiality,integrity,availability,label,attr.hostname,attr.ip\n\
               virtual-machine,web-01,sven@alpha.test,DC-DE Munich,production,2,2,3,internal,web-01,10.0.0.5\n\
               virtual-machine,web-02,Nobody Known,Atlantis,production,2,2,9,internal,web-02,10.0.0.300\n\
               spaceship,x-1,,,production,1,1,1,public,,\n";
    let (status, refused) =
        post_text(&app, "/api/v1/cis/import?dry_run=true", "text/csv", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (_, fields) = error_fields(&refused);
    assert_eq!(
        fields,
        [
            "line 3.owner",
            "line 3.location",
            "line 3.availability",
            "line 3.attr.ip",
            "line 4.class"
        ],
        "{refused}"
    );
    let (status, _) = post_text(&app, "/api/v1/cis/import", "text/csv", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("cis").await, before, "a bad file writes nothing");

    let good: String = bad.lines().take(2).map(|l| format!("{l}\n")).collect();
    let (status, dry) = post_text(&app, "/api/v1/cis/import?dry_run=true", "text/csv", &good).await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["created"], 1);
    assert_eq!(app.count("cis").await, before, "a dry run writes nothing");
    let (status, done) =
        post_text(&app, "/api/v1/cis/import?file=web.csv", "text/csv", &good).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 1);
    let page = app.read("/api/v1/cis?q=web-01").await;
    let web = id(&page["items"][0]);
    let versions = app.read(&format!("/api/v1/cis/{web}/versions")).await;
    assert_eq!(versions[0]["cause"], "import");
    assert_eq!(versions[0]["reason"], "import of web.csv");

    // What the export writes, the import reads back unchanged.
    let export = app.read_text("/api/v1/cis/export.csv").await;
    assert!(export.starts_with("number,class,name,"), "{export}");
    assert!(export.contains("web-01"), "{export}");
    let (status, again) = post_text(&app, "/api/v1/cis/import", "text/csv", &export).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!(again["created"], 0);
}

async fn a_baseline_shows_what_changed_since(app: TestApp) {
    let mut body = ci("virtual-machine", "mgmt-de-01");
    body["attributes"] = json!({"hostname": "mgmt-de-01", "patch_level": "2026-10"});
    let mgmt = create(&app, body).await;
    create(&app, ci("virtual-machine", "web-01")).await;
    let (status, refused) = app
        .post_json(
            "/api/v1/baselines",
            &json!({"name": "Nothing", "prefix": "nope-"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused).1, ["scope"]);
    let (status, baseline) = app
        .post_json(
            "/api/v1/baselines",
            &json!({"name": "Secure baseline: management servers",
                    "class": "virtual-machine", "prefix": "mgmt-"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{baseline}");
    assert_eq!(baseline["cis"], 1);
    let path = format!("/api/v1/baselines/{}", id(&baseline));
    let same = app.read(&path).await;
    assert_eq!(same["unchanged"], 1, "{same}");

    let (status, _) = app
        .patch_json(
            &format!("/api/v1/cis/{}", id(&mgmt)),
            &json!({"attributes": {"hostname": "mgmt-de-01", "patch_level": "2026-12"},
                    "reason": "Patched outside the baseline"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    create(&app, ci("virtual-machine", "mgmt-de-02")).await;
    let drift = app.read(&path).await;
    assert_eq!(drift["changed"], 1, "{drift}");
    assert_eq!(drift["added"], 1, "{drift}");
    assert_eq!(drift["lines"][0]["drift"], "changed");
    assert_eq!(
        drift["lines"][0]["changes"]["attributes.patch_level"],
        json!(["2026-10", "2026-12"])
    );
}

async fn a_reconciliation_lists_what_was_found_missing_unknown_and_changed(app: TestApp) {
    for (name, os) in [("mgmt-de-01", "12.8"), ("login-de-01", "12.8")] {
        let mut body = ci("virtual-machine", name);
        body["attributes"] = json!({"hostname": name, "os_version": os});
        create(&app, body).await;
    }
    let inventory = json!({
        "source": "ssh inventory DC-DE", "match_on": "hostname",
        "items": [
            {"class": "virtual-machine", "hostname": "mgmt-de-01",
             "attributes": {"os_version": "12.9", "clock_offset_ms": 2400}},
            {"class": "virtual-machine", "hostname": "tmp-test-07", "attributes": {}}
        ]
    })
    .to_string();
    let (status, dry) = post_text(
        &app,
        "/api/v1/reconciliations?dry_run=true",
        "application/json",
        &inventory,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert!(dry["id"].is_null());
    assert_eq!(
        app.count("reconciliations").await,
        0,
        "a dry run keeps nothing"
    );
    let (status, run) = post_text(
        &app,
        "/api/v1/reconciliations",
        "application/json",
        &inventory,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(
        (
            &run["missing"],
            &run["unknown"],
            &run["changed"],
            &run["matched"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0)),
        "{run}"
    );
    let findings: Vec<(String, String, String)> = run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["outcome"].as_str().unwrap().to_owned(),
                f["reference"].as_str().unwrap().to_owned(),
                f["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        findings.contains(&("unknown".into(), "tmp-test-07".into(), "class".into())),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "missing".into(),
            "CI-000002 login-de-01".into(),
            String::new()
        )),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "changed".into(),
            "CI-000001 mgmt-de-01".into(),
            "attributes.os_version".into()
        )),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "changed".into(),
            "CI-000001 mgmt-de-01".into(),
            "clock".into()
        )),
        "{findings:?}"
    );
    let kept = app
        .read(&format!(
            "/api/v1/reconciliations/{}",
            run["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(kept["findings"].as_array().unwrap().len(), 4, "{kept}");

    let (status, refused) = post_text(
        &app,
        "/api/v1/reconciliations?format=csv&match_on=hostname",
        "text/csv",
        "class,serial\nvirtual-machine,1\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused).1, ["line 1.hostname"]);
}

async fn every_ci_in_use_is_reviewed_once_a_year(app: TestApp) {
    let web = create(&app, ci("virtual-machine", "web-01")).await;
    let due = |body: &Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, before) = app.get_json("/api/v1/cis/reviews-due").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(due(&before), ["web-01"]);
    let versions = app.count("ci_versions").await;
    let (status, reviewed) = app
        .post_json(
            &format!("/api/v1/cis/{}/review", id(&web)),
            &json!({"note": "Still in use, owner confirmed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["reviewed_at"], "2026-11-02T09:00:00Z");
    assert_eq!(
        app.count("ci_versions").await,
        versions,
        "a review is no version"
    );
    let (status, after) = app.get_json("/api/v1/cis/reviews-due").await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(due(&after).is_empty(), "{after}");
    // A year later it is due again (asked of the store: the API token would have expired).
    let later = tandem_kernel::Clock::now(app.clock.as_ref()) + time::Duration::days(366);
    let year = tandem_cmdb::store::cis::reviews_due(&app.db, later)
        .await
        .expect("reviews due");
    assert_eq!(
        year.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["web-01"],
        "a year later it is due again"
    );
}

/// The impact graph is kept between requests; every write that matters is seen by the next
/// analysis: a new relation, a recorded state, a customer's new name.
async fn the_impact_graph_kept_in_memory_follows_every_write(app: TestApp) {
    let beta = app.organisation("Beta", "customer").await;
    let host = create(&app, ci("hardware", "hv-1")).await;
    let mut room = ci("endpoint", "codec-room-1");
    room["organisation_id"] = json!(beta);
    let room = create(&app, room).await;
    let path = format!("/api/v1/cis/{}/impact", id(&host));
    let alone = app.read(&path).await;
    assert_eq!(alone["customers"].as_array().unwrap().len(), 0, "{alone}");

    relate(&app, &room, "runs-on", &host).await;
    let related = app.read(&path).await;
    assert_eq!(related["customers"][0]["name"], "Beta", "{related}");

    let (status, renamed) = app
        .patch_json(
            &format!("/api/v1/organisations/{beta}"),
            &json!({"name": "Beta Technologies"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    let after = app.read(&path).await;
    assert_eq!(
        after["customers"][0]["name"], "Beta Technologies",
        "{after}"
    );

    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/cis/{}/operational", id(&host)),
            &json!({"state": "down", "note": "Power supply failed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let as_is = app
        .read(&format!("/api/v1/cis/{}/impact?as_is=true", id(&room)))
        .await;
    let hv = as_is["cis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["ci"]["name"] == "hv-1")
        .cloned();
    assert_eq!(
        hv.map(|a| a["state"].clone()),
        Some(json!("down")),
        "{as_is}"
    );
}
