//! The context of the ISMS: the Cloud System Analysis Pattern imported, drawn, exported and its
//! proposals accepted one by one; interested parties and what satisfies their requirements.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Role;

use crate::harness::{Member, TestApp, error_fields};
use crate::isms_requests::send;
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    a_pattern_proposes_cis_and_parties_and_accepting_one_creates_exactly_that,
    a_pattern_survives_export_and_import_and_a_bad_file_stores_nothing,
    requirements_are_linked_to_what_satisfies_them,
);

on_both_engines_with_demo!(the_demo_holds_alphas_pattern_and_its_parties);

const ALPHA: &str = include_str!("../../../isms/data/alpha-cloud-pattern.json");

struct World {
    ines: Member,
    sven: Member,
}

async fn world(app: &TestApp) -> World {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    World {
        ines: app
            .member(&alpha, "Ines Kraus", "ines@alpha.test", &[Role::Ciso])
            .await,
        sven: app
            .member(&alpha, "Sven Richter", "sven@alpha.test", &[Role::Engineer])
            .await,
    }
}

/// Alpha's instance imported by the CISO; its id and elements.
async fn imported(app: &TestApp, w: &World) -> (String, Vec<Value>) {
    let file: Value = serde_json::from_str(ALPHA).unwrap();
    let (status, pattern) = send(app, &w.ines, Method::POST, "/api/v1/cloud-patterns", &file).await;
    assert_eq!(status, StatusCode::CREATED, "{pattern}");
    (
        pattern["id"].as_str().unwrap().to_owned(),
        pattern["elements"].as_array().unwrap().clone(),
    )
}

fn named<'a>(elements: &'a [Value], name: &str) -> &'a Value {
    elements
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} among the elements"))
}

async fn a_pattern_proposes_cis_and_parties_and_accepting_one_creates_exactly_that(app: TestApp) {
    let w = world(&app).await;
    let (id, elements) = imported(&app, &w).await;
    assert_eq!(named(&elements, "Servers")["proposes"], "ci:hardware");
    assert_eq!(
        named(&elements, "Video conferencing service")["proposes"],
        "ci:service"
    );
    assert_eq!(
        named(&elements, "IP addresses")["proposes"],
        "ci:information"
    );
    assert_eq!(named(&elements, "Technology company")["proposes"], "party");
    assert!(
        elements.iter().all(|e| e["accepted"].is_null()),
        "nothing is created silently"
    );
    assert_eq!(app.count("cis").await, 0);
    assert_eq!(app.count("isms_parties").await, 0);

    let servers = named(&elements, "Servers")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let accept = format!("/api/v1/cloud-patterns/{id}/elements/{servers}/accept");
    let (status, accepted) = send(
        &app,
        &w.ines,
        Method::POST,
        &accept,
        &json!({"confidentiality": "3", "availability": "4"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    assert_eq!(accepted["kind"], "ci");
    assert_eq!(app.count("cis").await, 1, "exactly that CI");
    let ci = app
        .read_as(
            &w.ines.token,
            &format!("/api/v1/cis/{}", accepted["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(ci["name"], "Servers", "{ci}");
    assert_eq!(ci["class"], "hardware", "{ci}");
    assert_eq!(ci["confidentiality"], 3, "{ci}");
    assert_eq!(ci["integrity"], 2, "left out: 2");
    let (status, again) = send(&app, &w.ines, Method::POST, &accept, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(app.count("cis").await, 1, "not twice");

    let company = named(&elements, "Technology company")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, party) = send(
        &app,
        &w.ines,
        Method::POST,
        &format!("/api/v1/cloud-patterns/{id}/elements/{company}/accept"),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{party}");
    assert_eq!(party["kind"], "party");
    let read = app
        .read_as(
            &w.ines.token,
            &format!("/api/v1/parties/{}", party["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(read["kind"], "cloud-customer");
    assert_eq!(read["requirements"].as_array().unwrap().len(), 13, "{read}");
    assert_eq!(read["open_requirements"], 13);
    assert_eq!(app.count("isms_parties").await, 1);
    assert_eq!(app.count("cis").await, 1, "a party is no CI");

    let detail = app
        .read_as(&w.ines.token, &format!("/api/v1/cloud-patterns/{id}"))
        .await;
    let accepted: Vec<&str> = detail["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["accepted"].is_null())
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(accepted, ["Technology company", "Servers"]);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'cloud pattern element'")
            .await,
        2
    );

    // The diagram, and who may see the context.
    let svg = app
        .read_text(&format!("/isms/patterns/{id}/diagram.svg"))
        .await;
    assert!(
        svg.starts_with("<svg") && svg.contains("Direct system environment"),
        "{svg}"
    );
    assert!(svg.contains("Legislators of Germany and the US"));
    for path in ["/api/v1/parties", "/api/v1/cloud-patterns"] {
        let (status, _) = send(&app, &w.sven, Method::GET, path, &Value::Null).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an engineer does not read the ISMS: {path}"
        );
    }
}

async fn a_pattern_survives_export_and_import_and_a_bad_file_stores_nothing(app: TestApp) {
    let w = world(&app).await;
    let (id, _) = imported(&app, &w).await;
    let exported = app
        .read_as(
            &w.ines.token,
            &format!("/api/v1/cloud-patterns/{id}/export"),
        )
        .await;
    let original: Value = serde_json::from_str(ALPHA).unwrap();
    assert_eq!(exported, original, "the export is the file imported");
    let (status, again) = send(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/cloud-patterns",
        &exported,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let second = app
        .read_as(
            &w.ines.token,
            &format!(
                "/api/v1/cloud-patterns/{}/export",
                again["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(second, exported, "a round trip changes nothing");

    let mut bad = original.clone();
    bad["stakeholders"][0]["kind"] = json!("investor");
    bad["services"][1]["layer"] = json!("faas");
    bad["resources"][0]["name"] = json!(" ");
    let (status, refused) = send(&app, &w.ines, Method::POST, "/api/v1/cloud-patterns", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        error_fields(&refused).1,
        [
            "stakeholders[0].kind",
            "resources[0].name",
            "services[1].layer"
        ]
    );
    assert_eq!(app.count("isms_patterns").await, 2, "nothing stored");
    let page = app
        .post_form("/isms/patterns", &[("file", "{\"format\": \"other\"}")])
        .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text().await.unwrap();
    assert!(
        text.contains("is not a cloud pattern in the format tandem-cloud-pattern/1"),
        "{text}"
    );
    assert_eq!(app.count("isms_patterns").await, 2);
}

async fn requirements_are_linked_to_what_satisfies_them(app: TestApp) {
    let w = world(&app).await;
    let (status, party) = send(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/parties",
        &json!({"name": "Beta Technologies", "kind": "cloud-customer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{party}");
    let requirements = format!(
        "/api/v1/parties/{}/requirements",
        party["id"].as_str().unwrap()
    );
    for (satisfied_by, message) in [
        (
            format!("document:{}", uuid::Uuid::now_v7()),
            "there is no such document in the register",
        ),
        (
            format!("agreement:{}", uuid::Uuid::now_v7()),
            "there is no such agreement",
        ),
        (
            "control:iso27001-2022 A.99.1".to_owned(),
            "the framework library has no such control",
        ),
    ] {
        let (status, refused) = send(
            &app,
            &w.ines,
            Method::POST,
            &requirements,
            &json!({"kind": "contract", "text": "Access is controlled", "satisfied_by": satisfied_by}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["details"][0]["field"], "satisfied_by");
        assert_eq!(refused["error"]["details"][0]["message"], message);
    }
    assert_eq!(app.count("isms_requirements").await, 0, "nothing stored");
    let (status, linked) = send(
        &app,
        &w.ines,
        Method::POST,
        &requirements,
        &json!({"kind": "contract", "text": "Access is controlled",
                "satisfied_by": "control:iso27001-2022 A.5.15"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(
        linked["requirements"][0]["satisfied_label"],
        "iso27001-2022 A.5.15"
    );
    assert_eq!(linked["open_requirements"], 0);
    let (status, open) = send(
        &app,
        &w.ines,
        Method::POST,
        &requirements,
        &json!({"kind": "law", "text": "Personal data stays in the EU"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{open}");
    assert_eq!(open["open_requirements"], 1);
    let (status, _) = send(
        &app,
        &w.sven,
        Method::POST,
        &requirements,
        &json!({"kind": "law", "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'requirement'")
            .await,
        2
    );
}

async fn the_demo_holds_alphas_pattern_and_its_parties(app: TestApp) {
    let patterns = app.read("/api/v1/cloud-patterns").await;
    let id = patterns[0]["id"].as_str().unwrap();
    let pattern = app.read(&format!("/api/v1/cloud-patterns/{id}")).await;
    let accepted = pattern["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["accepted"].is_null())
        .count();
    assert_eq!(
        accepted, 3,
        "two parties and one CI accepted, the rest proposed: {pattern}"
    );
    let parties = app.read("/api/v1/parties").await;
    let customer = parties
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "cloud-customer")
        .expect("the cloud customer");
    assert_eq!(customer["open_requirements"], 11, "two of thirteen linked");
    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let page = app.page_as(&ines, &format!("/isms/patterns/{id}")).await;
    assert!(
        page.contains("id=\"diagram\"") && page.contains("Accept"),
        "{page}"
    );
    let context = app.page_as(&ines, "/isms/context").await;
    assert!(
        context.contains("Technology company")
            && context.contains("Alpha video conferencing cloud"),
        "{context}"
    );
}
