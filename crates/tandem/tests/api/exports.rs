//! CSV exports and spreadsheet formulas (CSV injection): every CSV route writes through the
//! kernel's one guard, so that no cell of a file someone opens in a spreadsheet starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return, whoever typed the text in it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::{Clock, Role};

use crate::harness::TestApp;
use crate::on_both_engines;

on_both_engines!(every_csv_export_neutralises_spreadsheet_formulas);

/// What is planted: one payload for each character a spreadsheet runs as a formula.
const PAYLOADS: [&str; 6] = [
    "=1+1 planted",
    "+1+1 planted",
    "-1+1 planted",
    "@SUM(A1) planted",
    "\tplanted tab",
    "\rplanted cr",
];

/// The first characters that make a spreadsheet run a cell.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The id of the framework whose node titles are the payloads.
const FRAMEWORK: &str = "planted-probe";

/// The cell a payload that is stored as typed becomes: the payload behind the guard's one quote.
fn guarded(payload: &str) -> String {
    format!("'{payload}")
}

/// The cell a payload typed into a record's text field becomes. Titles, names and notes are
/// trimmed when they are stored, so a leading tab or CR never reaches a file from them: what is
/// left starts with a letter and needs no guard. The other payloads keep their first character
/// and must carry the guard's one quote.
fn from_a_trimmed_field(payload: &str) -> String {
    let stored = payload.trim();
    if stored.len() == payload.len() {
        guarded(payload)
    } else {
        stored.to_owned()
    }
}

/// A CSV file with every field quoted, so that a tab or CR inside a cell stays in it.
fn quoted_csv<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    writer.write_record(header).expect("write the header");
    for row in rows {
        writer.write_record(row).expect("write a row");
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .expect("CSV in memory");
    String::from_utf8(bytes).expect("UTF-8")
}

/// The status and the body text of a response.
async fn answer(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.text().await.expect("a body"))
}

/// A customer user opens a ticket titled with each payload; an agent books time on each with
/// the payload as the note. Returns the customer organisation's id.
async fn plant_tickets(app: &TestApp) -> String {
    let customer = app.organisation("Planted Customer", "customer").await;
    app.person(&customer, "Carla Customer", "carla@planted.example")
        .await;
    let carla = app
        .token_for("carla@planted.example", &[Role::CustomerUser])
        .await;
    for payload in PAYLOADS {
        let (status, text) = answer(
            app.request_as(&carla, Method::POST, "/api/v1/tickets")
                .json(&json!({"kind": "incident", "title": payload,
                              "description": "Opened by the CSV export probe."}))
                .send()
                .await
                .expect("POST /api/v1/tickets"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "the ticket {payload:?}: {text}"
        );
        let ticket: Value = serde_json::from_str(&text).expect("a JSON body");
        let id = ticket["id"].as_str().expect("the ticket's id");
        let (status, body) = app
            .post_json(
                &format!("/api/v1/tickets/{id}/time"),
                &json!({"duration": "15", "billable": true, "note": payload}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NO_CONTENT,
            "time on the ticket {payload:?}: {body}"
        );
    }
    customer
}

/// A framework uploaded through the page whose node titles are the payloads, mappings imported
/// from CSV whose notes are the payloads, and a gap assessment that targets the framework.
/// Returns the assessment's id.
async fn plant_framework(app: &TestApp) -> String {
    let nodes: Vec<[String; 4]> = PAYLOADS
        .into_iter()
        .enumerate()
        .map(|(i, payload)| {
            [
                format!("N{}", i + 1),
                String::new(),
                "clause".to_owned(),
                payload.to_owned(),
            ]
        })
        .collect();
    let form = reqwest::multipart::Form::new()
        .text("id", FRAMEWORK)
        .text("name", "Planted probe")
        .text("edition", "1")
        .part(
            "file",
            reqwest::multipart::Part::text(quoted_csv(["ref", "parent", "kind", "title"], &nodes))
                .file_name("planted.csv"),
        );
    let response = app
        .request(Method::POST, "/frameworks/new")
        .multipart(form)
        .send()
        .await
        .expect("POST /frameworks/new");
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("a text header").to_owned());
    let (status, text) = answer(response).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the framework upload: {text}"
    );
    assert_eq!(location.as_deref(), Some("/frameworks/planted-probe"));

    let mappings: Vec<[String; 9]> = PAYLOADS
        .into_iter()
        .enumerate()
        .map(|(i, payload)| {
            [
                FRAMEWORK.to_owned(),
                format!("N{}", i + 1),
                "pdca".to_owned(),
                "P".to_owned(),
                "intersects-with".to_owned(),
                "semantic".to_owned(),
                String::new(),
                payload.to_owned(),
                "CSV export probe".to_owned(),
            ]
        })
        .collect();
    let file = quoted_csv(
        [
            "source_framework",
            "source_ref",
            "target_framework",
            "target_ref",
            "relation",
            "rationale",
            "confidence",
            "note",
            "provenance",
        ],
        &mappings,
    );
    let (status, text) = answer(
        app.request(Method::POST, "/api/v1/mappings/import/csv")
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .expect("POST /api/v1/mappings/import/csv"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "the mapping import: {text}");

    let (status, assessment) = app
        .post_json(
            "/api/v1/gap-assessments",
            &json!({"name": "Planted probe coverage", "source_framework": "pdca",
                    "target_framework": FRAMEWORK}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the assessment: {assessment}");
    assessment["id"]
        .as_str()
        .expect("the assessment's id")
        .to_owned()
}

/// A CI for each payload, the payload as its description.
async fn plant_cis(app: &TestApp) {
    for (i, payload) in PAYLOADS.into_iter().enumerate() {
        let (status, body) = app
            .post_json(
                "/api/v1/cis",
                &json!({"class": "location", "name": format!("Planted room {}", i + 1),
                        "description": payload, "lifecycle": "production",
                        "confidentiality": "2", "integrity": "2", "availability": "3",
                        "label": "internal", "reason": "Planted by the CSV export probe"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "the CI {payload:?}: {body}");
    }
}

/// A change for each payload, the payload as its description.
async fn plant_changes(app: &TestApp) {
    let provider = app.organisation("Planted Provider", "provider").await;
    let owner = app
        .person(&provider, "Paula Probe", "paula@planted.example")
        .await;
    app.token_for(
        "paula@planted.example",
        &[tandem_kernel::Role::ServiceManager],
    )
    .await;
    for (i, payload) in PAYLOADS.into_iter().enumerate() {
        let (status, body) = app
            .post_json(
                "/api/v1/changes",
                &json!({"title": format!("Planted change {}", i + 1), "owner_id": owner,
                        "description": payload}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "the change {payload:?}: {body}"
        );
    }
}

/// An audit entry for each payload, written by an actor labelled with it (labels are stored
/// as given, so the tab and the CR reach this file).
async fn plant_audit(app: &TestApp) {
    for payload in PAYLOADS {
        let actor = tandem_kernel::Actor::system(payload);
        let write = tandem_audit::Write::new(&app.db, &actor, app.clock.now());
        let tx = write.begin().await.expect("begin");
        write
            .commit(
                tx,
                tandem_audit::Edit::created("planted", "", &[("x", "y".to_owned())]),
            )
            .await
            .expect("record the planted entry");
    }
}

/// Fetches the CSV export at `path` and checks that no cell of it (header included) starts
/// with a formula character, and that each of `planted` is a cell of it.
async fn check_export(app: &TestApp, path: &str, planted: &[String]) {
    let response = app.get(path).await;
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("a text header").to_owned())
        .unwrap_or_default();
    let (status, text) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    assert!(
        content_type.starts_with("text/csv"),
        "{path} is served as {content_type:?}"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut cells: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{path}: the header is not CSV: {e}\n{text}"))
        .iter()
        .map(str::to_owned)
        .collect();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{path}: not valid CSV: {e}\n{text}"));
        cells.extend(record.iter().map(str::to_owned));
    }
    for cell in &cells {
        assert!(
            !cell.starts_with(FORMULA_STARTS),
            "{path}: the cell {cell:?} would run as a formula:\n{text}"
        );
    }
    for want in planted {
        assert!(
            cells.iter().any(|cell| cell == want),
            "{path}: no cell is {want:?}, so the planted text did not reach the file:\n{text}"
        );
    }
}

/// The probe found that a customer's ticket title (and any other text a user types) could
/// plant a formula in a CSV file that a service manager later opens in a spreadsheet. This
/// plants `=`, `+`, `-`, `@`, tab and CR payloads, as users would, into text that each CSV
/// route writes — ticket titles and time notes, framework node titles, mapping notes, CI and
/// change descriptions, audit actor labels — then fetches every CSV route and asserts that it
/// is served as `text/csv`, parses as strict CSV, has no cell starting with one of those
/// characters, and holds each planted text as a cell: behind one `'` where it kept its first
/// character, and trimmed (so harmless) where the field trims what is typed into it.
async fn every_csv_export_neutralises_spreadsheet_formulas(app: TestApp) {
    let customer = plant_tickets(&app).await;
    let assessment = plant_framework(&app).await;
    plant_cis(&app).await;
    plant_changes(&app).await;
    plant_audit(&app).await;

    let trimmed: Vec<String> = PAYLOADS.into_iter().map(from_a_trimmed_field).collect();
    let as_typed: Vec<String> = PAYLOADS.into_iter().map(guarded).collect();
    let exports: [(String, &[String]); 10] = [
        (
            format!("/reports/billing.csv?organisation={customer}&month=2026-11"),
            trimmed.as_slice(),
        ),
        (
            format!("/reports/service-levels.csv?organisation={customer}&month=2026-11"),
            trimmed.as_slice(),
        ),
        (
            format!("/api/v1/frameworks/{FRAMEWORK}/nodes.csv"),
            trimmed.as_slice(),
        ),
        (
            format!("/api/v1/mappings.csv?a={FRAMEWORK}&b=pdca"),
            trimmed.as_slice(),
        ),
        (
            format!("/api/v1/gap-assessments/{assessment}/coverage.csv"),
            trimmed.as_slice(),
        ),
        ("/api/v1/cis/export.csv".to_owned(), trimmed.as_slice()),
        ("/cis/export.csv".to_owned(), trimmed.as_slice()),
        ("/api/v1/changes/export.csv".to_owned(), trimmed.as_slice()),
        ("/changes/export.csv".to_owned(), trimmed.as_slice()),
        ("/audit.csv".to_owned(), as_typed.as_slice()),
    ];
    for (path, planted) in &exports {
        check_export(&app, path, planted).await;
    }
}
