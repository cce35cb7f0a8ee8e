//! ISMS roles and responsibilities through the API and the pages: role assignments with their
//! history and the single holder of the CISO's role, the responsibility matrix with its one-A
//! rule and gaps, management decisions as records that are only superseded; every refusal by
//! its field, who reads and who writes, each write in the audit trail, and the demo's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Role;

use crate::harness::{Member, TestApp, error_fields};
use crate::isms_requests::{expect, invalid, send, trail};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    a_new_ciso_ends_the_old_assignment_which_stays_as_history,
    assignments_refuse_each_bad_field_and_write_nothing,
    a_raci_row_is_replaced_has_one_a_and_its_gaps_are_flagged,
    a_decision_is_recorded_superseded_and_never_edited,
    only_readers_of_the_isms_see_roles_and_only_its_writers_change_them,
    the_pages_assign_fill_the_matrix_and_record_decisions,
);

on_both_engines_with_demo!(the_demo_has_alpha_s_roles_a_matrix_with_one_gap_and_three_decisions);

/// Alpha's CISO, who writes the ISMS, its service manager, who reads it, and an engineer.
struct World {
    alpha: String,
    ines: Member,
    maria: Member,
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
        sven: app
            .member(&alpha, "Sven Richter", "sven@alpha.test", &[Role::Engineer])
            .await,
        alpha,
    }
}

fn assignment(role: &str, person: &str, since: &str) -> Value {
    json!({"role": role, "person_id": person, "since": since})
}

async fn a_new_ciso_ends_the_old_assignment_which_stays_as_history(app: TestApp) {
    let w = world(&app).await;
    let list = "/api/v1/isms-roles";
    let first = expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &assignment("ciso", &w.maria.id, "2026-01-01"),
        StatusCode::CREATED,
    )
    .await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["person"]["name"], "Maria Schmidt");
    assert_eq!(first["until"], Value::Null);
    assert_eq!(first["default_duties"], true);
    assert!(
        first["duties"].as_str().unwrap().contains("incidents"),
        "the CISO's default duties: {first}"
    );
    let entries = trail(&app, &first_id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("create", "isms role assignment")
    );
    assert!(entries[0].2.starts_with("ines@alpha.test"), "{entries:?}");
    assert_eq!(entries[0].3["role"], json!([null, "ciso"]));
    assert_eq!(entries[0].3["person_id"], json!([null, w.maria.id]));

    // A new CISO: the old assignment ends on the new one's first day.
    let second = expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &json!({"role": "ciso", "person_id": w.ines.id, "since": "2026-06-01",
                "description": "CISO beside running the data centre"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second["duties"], "CISO beside running the data centre");
    assert_eq!(second["default_duties"], false);
    let entries = trail(&app, &first_id).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[1].0, "update");
    assert_eq!(entries[1].3, json!({"until": ["", "2026-06-01"]}));
    // Asset owners: several at once.
    for who in [&w.maria, &w.sven] {
        expect(
            &app,
            &w.ines,
            Method::POST,
            list,
            &assignment("asset-owner", &who.id, "2026-02-01"),
            StatusCode::CREATED,
        )
        .await;
    }
    let all = app.read_as(&w.maria.token, list).await;
    let items = all["items"].as_array().unwrap();
    let shown: Vec<(&str, &str, Value)> = items
        .iter()
        .map(|a| {
            (
                a["role"].as_str().unwrap(),
                a["person"]["name"].as_str().unwrap(),
                a["until"].clone(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("ciso", "Ines Kraus", Value::Null),
            ("asset-owner", "Maria Schmidt", Value::Null),
            ("asset-owner", "Sven Richter", Value::Null),
            ("ciso", "Maria Schmidt", json!("2026-06-01")),
        ],
        "the current first, the history after: {all}"
    );

    // Ending an assignment keeps it as history; it ends once.
    let sven_owner = items[2]["id"].as_str().unwrap().to_owned();
    let end = format!("{list}/{sven_owner}/end");
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            &end,
            &json!({"until": "2026-01-31"})
        )
        .await,
        ["until"],
        "not before it began"
    );
    let ended = expect(
        &app,
        &w.ines,
        Method::POST,
        &end,
        &json!({"until": "2026-10-31"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(ended["until"], "2026-10-31");
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::POST,
        &end,
        &json!({"until": "2026-11-01"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let entries = trail(&app, &sven_owner).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[1].3, json!({"until": ["", "2026-10-31"]}));
    assert_eq!(app.count("isms_role_assignments").await, 4);
    assert_eq!(
        app.count("isms_role_assignments WHERE until IS NULL").await,
        2
    );
}

async fn assignments_refuse_each_bad_field_and_write_nothing(app: TestApp) {
    let w = world(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let david = app.person(&beta, "David Chen", "david@beta.test").await;
    let tom = app.person(&w.alpha, "Tom Becker", "tom@alpha.test").await;
    let list = "/api/v1/isms-roles";
    assert_eq!(
        invalid(&app, &w.ines, Method::POST, list, &json!({})).await,
        ["role", "person_id", "since"]
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &json!({"role": "boss", "person_id": w.ines.id, "since": "1.1.2026", "until": ""})
        )
        .await,
        ["until"],
        "an unknown field is refused first"
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &assignment("boss", &w.ines.id, "1.1.2026")
        )
        .await,
        ["role", "since"]
    );
    for (person, message) in [
        (&david, "only the provider's staff hold ISMS roles"),
        (
            &tom,
            "the person holds none of the roles that hold ISMS roles",
        ),
        (&uuid::Uuid::now_v7().to_string(), "there is no such person"),
    ] {
        let (status, answer) = send(
            &app,
            &w.ines,
            Method::POST,
            list,
            &assignment("risk-owner", person, "2026-01-01"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(error_fields(&answer).1, ["person_id"]);
        assert!(
            answer["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{answer}"
        );
    }
    assert_eq!(app.count("isms_role_assignments").await, 0);
    expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &assignment("management-representative", &w.maria.id, "2026-03-01"),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &assignment("management-representative", &w.maria.id, "2026-04-01")
        )
        .await,
        ["person_id"],
        "already holds it"
    );
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::POST,
        list,
        &assignment("management-representative", &w.ines.id, "2026-02-01"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer).1, ["since"]);
    assert!(
        answer["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("is before Maria Schmidt took the role on 2026-03-01"),
        "{answer}"
    );
    let unknown = format!("{list}/{}/end", uuid::Uuid::now_v7());
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::POST,
        &unknown,
        &json!({"until": "2026-10-01"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(app.count("isms_role_assignments").await, 1);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'isms role assignment'")
            .await,
        1
    );
}

async fn a_raci_row_is_replaced_has_one_a_and_its_gaps_are_flagged(app: TestApp) {
    let w = world(&app).await;
    let processes = app.read_as(&w.maria.token, "/api/v1/raci").await;
    let rows = processes["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "{processes}");
    assert_eq!(rows[0]["key"], "context-and-scope");
    assert_eq!(processes["gaps"], 12, "nothing filled yet");
    let saved = expect(
        &app,
        &w.ines,
        Method::PUT,
        "/api/v1/raci/risk-assessment",
        &json!({"cells": {"risk-owner": "A", "ciso": "R", "asset-owner": "C"}}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["title"], "Risk assessment");
    assert_eq!(saved["no_accountable"], false);
    assert_eq!(saved["no_responsible"], false);
    let entries = trail(&app, "risk-assessment").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("update", "raci row")
    );
    assert_eq!(entries[0].3["risk-owner"], json!(["", "A"]));
    assert_eq!(entries[0].3["ciso"], json!(["", "R"]));
    // Saving replaces the row: cells left out are emptied.
    let replaced = expect(
        &app,
        &w.ines,
        Method::PUT,
        "/api/v1/raci/risk-assessment",
        &json!({"cells": {"risk-owner": "A", "internal-auditor": "I"}}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        replaced["cells"],
        json!({"risk-owner": "A", "internal-auditor": "I"})
    );
    assert_eq!(replaced["no_responsible"], true);
    let entries = trail(&app, "risk-assessment").await;
    assert_eq!(
        entries[1].3,
        json!({"ciso": ["R", ""], "asset-owner": ["C", ""], "internal-auditor": ["", "I"]})
    );
    // Two A's: refused, naming the row.
    let (status, answer) = send(
        &app,
        &w.ines,
        Method::PUT,
        "/api/v1/raci/A.5.15",
        &json!({"framework": "iso27001-2022", "cells": {"ciso": "A", "risk-owner": "A"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer).1, ["A.5.15"]);
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::PUT,
            "/api/v1/raci/A.5.15",
            &json!({"framework": "iso27001-2022", "cells": {"boss": "R", "ciso": "X"}})
        )
        .await,
        ["cells.boss", "cells.ciso"]
    );
    for (path, body) in [
        (
            "/api/v1/raci/A.5.99",
            json!({"framework": "iso27001-2022", "cells": {}}),
        ),
        (
            "/api/v1/raci/A.5",
            json!({"framework": "iso27001-2022", "cells": {}}),
        ),
        (
            "/api/v1/raci/A.5.15",
            json!({"framework": "no-such", "cells": {}}),
        ),
        ("/api/v1/raci/A.5.15", json!({"cells": {}})),
        ("/api/v1/raci/planning", json!({"cells": {}})),
    ] {
        let (status, answer) = send(&app, &w.ines, Method::PUT, path, &body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} {body}: {answer}");
    }
    expect(
        &app,
        &w.ines,
        Method::PUT,
        "/api/v1/raci/A.5.15",
        &json!({"framework": "iso27001-2022", "cells": {"ciso": "A", "asset-owner": "R"}}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        &w.ines,
        Method::PUT,
        "/api/v1/raci/A.8.13",
        &json!({"framework": "iso27001-2022", "cells": {"asset-owner": "R"}}),
        StatusCode::OK,
    )
    .await;
    let controls = app
        .read_as(&w.maria.token, "/api/v1/raci?framework=iso27001-2022")
        .await;
    let rows = controls["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 93, "every control of the 2022 edition");
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(row("A.5.15")["title"], "Access control");
    assert_eq!(row("A.5.15")["no_accountable"], false);
    assert_eq!(row("A.8.13")["no_accountable"], true);
    assert_eq!(row("A.8.13")["no_responsible"], false);
    assert_eq!(controls["gaps"], 92);
    let (status, answer) = send(
        &app,
        &w.maria,
        Method::GET,
        "/api/v1/raci?framework=no-such",
        &Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let processes = app.read_as(&w.maria.token, "/api/v1/raci").await;
    assert_eq!(
        processes["gaps"], 12,
        "a process row and a control row are apart"
    );
    assert_eq!(app.count("isms_raci_cells").await, 5);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'raci row'").await,
        4
    );
}

fn decision(decided_by: &str, extra: Value) -> Value {
    let mut body = json!({
        "decided_on": "2026-10-15",
        "title": "Budget for the yearly penetration test",
        "kind": "resources",
        "text": "A test house tests the video-conferencing site once a year.",
        "decided_by": decided_by,
        "resources": "EUR 18,000 a year",
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

async fn a_decision_is_recorded_superseded_and_never_edited(app: TestApp) {
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
    let list = "/api/v1/decisions";
    let first = expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &decision(&w.maria.id, json!({"document_id": policy})),
        StatusCode::CREATED,
    )
    .await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["decided_by"]["name"], "Maria Schmidt");
    assert_eq!(first["recorded_by"]["name"], "Ines Kraus");
    assert_eq!(
        first["document"]["name"],
        "DOC-000001 Information security policy"
    );
    let entries = trail(&app, &first_id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("create", "decision")
    );
    assert_eq!(entries[0].3["decided_by"], json!([null, w.maria.id]));
    assert_eq!(
        entries[0].3["resources"],
        json!([null, "EUR 18,000 a year"])
    );
    let second = expect(
        &app,
        &w.ines,
        Method::POST,
        list,
        &decision(
            &w.maria.id,
            json!({"decided_on": "2026-11-01", "resources": "EUR 24,000 a year",
                   "supersedes": first_id}),
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second["supersedes"]["id"], first_id.as_str());
    let all = app.read_as(&w.maria.token, list).await;
    let dates: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decided_on"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-11-01", "2026-10-15"], "newest first");
    let detail = app
        .read_as(&w.maria.token, &format!("{list}/{first_id}"))
        .await;
    assert_eq!(detail["superseded_by"]["id"], second["id"]);
    assert_eq!(detail["resources"], "EUR 18,000 a year", "kept as recorded");
    // A record: nothing edits it.
    for method in [Method::PATCH, Method::PUT] {
        let (status, _) = send(
            &app,
            &w.ines,
            method.clone(),
            &format!("{list}/{first_id}"),
            &json!({"title": "Changed"}),
        )
        .await;
        assert!(
            [StatusCode::METHOD_NOT_ALLOWED, StatusCode::NOT_FOUND].contains(&status),
            "{method}: {status}"
        );
    }
    assert_eq!(
        trail(&app, &first_id).await.len(),
        1,
        "superseding does not touch the earlier record"
    );

    // Refusals, each by its field.
    let beta = app.organisation("Beta Technologies", "customer").await;
    let david = app.person(&beta, "David Chen", "david@beta.test").await;
    assert_eq!(
        invalid(&app, &w.ines, Method::POST, list, &json!({})).await,
        ["decided_on", "title", "kind", "text", "decided_by"]
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &decision(
                &w.maria.id,
                json!({"decided_on": "2026-11-03", "kind": "budget", "document_id": "DOC-1"})
            )
        )
        .await,
        ["decided_on", "kind", "document_id"],
        "not ahead of today"
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &decision(
                &david,
                json!({"document_id": uuid::Uuid::now_v7().to_string(),
                       "supersedes": uuid::Uuid::now_v7().to_string()})
            )
        )
        .await,
        ["decided_by", "document_id", "supersedes"]
    );
    assert_eq!(
        invalid(
            &app,
            &w.ines,
            Method::POST,
            list,
            &decision(&w.maria.id, json!({"superseded_by": ""}))
        )
        .await,
        ["superseded_by"]
    );
    let (status, _) = send(
        &app,
        &w.ines,
        Method::GET,
        &format!("{list}/{}", uuid::Uuid::now_v7()),
        &Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("isms_decisions").await, 2);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'decision'").await,
        2
    );
}

async fn only_readers_of_the_isms_see_roles_and_only_its_writers_change_them(app: TestApp) {
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
    let held = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/isms-roles",
        &assignment("internal-auditor", &ruth.id, "2026-01-01"),
        StatusCode::CREATED,
    )
    .await;
    let recorded = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/decisions",
        &decision(&w.maria.id, json!({})),
        StatusCode::CREATED,
    )
    .await;
    let decision_path = format!("/api/v1/decisions/{}", recorded["id"].as_str().unwrap());
    let writes = [
        (
            Method::POST,
            "/api/v1/isms-roles".to_owned(),
            assignment("risk-owner", &w.maria.id, "2026-01-01"),
        ),
        (
            Method::POST,
            format!("/api/v1/isms-roles/{}/end", held["id"].as_str().unwrap()),
            json!({"until": "2026-10-01"}),
        ),
        (
            Method::PUT,
            "/api/v1/raci/internal-audit".to_owned(),
            json!({"cells": {"internal-auditor": "R"}}),
        ),
        (
            Method::POST,
            "/api/v1/decisions".to_owned(),
            decision(&w.maria.id, json!({})),
        ),
    ];
    let reads = [
        "/api/v1/isms-roles",
        "/api/v1/raci",
        "/api/v1/raci?framework=iso27001-2022",
        "/api/v1/decisions",
        decision_path.as_str(),
    ];
    for reader in [&w.maria, &ruth] {
        for target in reads {
            app.read_as(&reader.token, target).await;
        }
        for (method, target, body) in &writes {
            let (status, answer) = send(&app, reader, method.clone(), target, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {target}: {answer}");
        }
        let page = app
            .request_as(&reader.token, Method::GET, "/isms/decisions/new")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
    }
    for outsider in [&nina, &david] {
        for target in reads {
            let (status, answer) = send(&app, outsider, Method::GET, target, &Value::Null).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "GET {target}: {answer}");
        }
        for (method, target, body) in &writes {
            let (status, answer) = send(&app, outsider, method.clone(), target, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {target}: {answer}");
        }
        for page in ["/isms/roles", "/isms/raci", "/isms/decisions"] {
            let response = app
                .request_as(&outsider.token, Method::GET, page)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{page}");
        }
    }
    assert_eq!(app.count("isms_role_assignments").await, 1);
    assert_eq!(
        app.count("isms_role_assignments WHERE until IS NULL").await,
        1
    );
    assert_eq!(app.count("isms_raci_cells").await, 0);
    assert_eq!(app.count("isms_decisions").await, 1);
}

async fn the_pages_assign_fill_the_matrix_and_record_decisions(app: TestApp) {
    let w = world(&app).await;
    let page = app.read_text("/isms/roles").await;
    assert!(
        page.contains(&format!(
            "<option value=\"{}\">Ines Kraus</option>",
            w.ines.id
        )),
        "the provider's staff are offered: {page}"
    );
    assert_eq!(
        page.matches("<span class=\"badge warning\">vacant</span>")
            .count(),
        6
    );
    let response = app
        .post_form("/isms/roles", &[("role", "ciso"), ("since", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("id=\"person_id-error\"") && page.contains("id=\"since-error\""),
        "{page}"
    );
    let response = app
        .post_form(
            "/isms/roles",
            &[
                ("role", "ciso"),
                ("person_id", &w.ines.id),
                ("since", "2026-01-01"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.read_text("/isms/roles").await;
    assert_eq!(
        page.matches("<span class=\"badge warning\">vacant</span>")
            .count(),
        5
    );
    assert!(page.contains("<td>Ines Kraus</td>"), "{page}");

    // The matrix: a select per cell, one form per row.
    let page = app.read_text("/isms/raci").await;
    assert!(page.contains("<strong>12 with gaps</strong>"), "{page}");
    assert!(
        page.contains("name=\"cell.ciso\" form=\"form-risk-assessment\""),
        "{page}"
    );
    let response = app
        .post_form(
            "/isms/raci/risk-assessment?framework=&theme=",
            &[
                ("cell.ciso", "A"),
                ("cell.risk-owner", "A"),
                ("cell.asset-owner", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("has 2 roles accountable"),
        "the row is named with the refusal"
    );
    let response = app
        .post_form(
            "/isms/raci/risk-assessment?framework=&theme=",
            &[
                ("cell.ciso", "R"),
                ("cell.risk-owner", "A"),
                ("cell.asset-owner", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.read_text("/isms/raci").await;
    assert!(page.contains("<strong>11 with gaps</strong>"), "{page}");
    let controls = app
        .read_text("/isms/raci?framework=iso27001-2022&theme=A.6")
        .await;
    assert!(
        controls.contains("form=\"form-A.6.1\"") && !controls.contains("form=\"form-A.5.1\""),
        "one theme at a time: {controls}"
    );
    assert!(
        controls.contains("<strong>8 with gaps</strong>"),
        "{controls}"
    );

    // A decision through the form.
    let response = app
        .post_form(
            "/isms/decisions",
            &[("title", "Commitment to the ISMS"), ("kind", "commitment")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in ["decided_on", "text", "decided_by"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    let response = app
        .post_form(
            "/isms/decisions",
            &[
                ("decided_on", "2026-10-01"),
                ("title", "Commitment to the ISMS"),
                ("kind", "commitment"),
                ("text", "Alpha runs an ISMS for its video service."),
                ("decided_by", &w.maria.id),
                ("resources", ""),
                ("document_id", ""),
                ("supersedes", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.read_text(&location).await;
    assert!(
        page.contains("<h1>Commitment to the ISMS</h1>")
            && page.contains("2026-10-01 by Maria Schmidt"),
        "{page}"
    );
    let list = app.read_text("/isms/decisions").await;
    assert!(list.contains("Commitment to the ISMS"), "{list}");
    assert_eq!(
        app.count(
            "audit_entries WHERE entity IN ('isms role assignment', 'raci row', 'decision') \
             AND actor_label LIKE 'operator@harness.example%'"
        )
        .await,
        3
    );
}

async fn the_demo_has_alpha_s_roles_a_matrix_with_one_gap_and_three_decisions(app: TestApp) {
    let roles = app.read("/api/v1/isms-roles").await;
    let held: Vec<(&str, &str)> = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["until"] == Value::Null)
        .map(|a| {
            (
                a["role"].as_str().unwrap(),
                a["person"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("ciso", "Ines Kraus"),
        ("management-representative", "Maria Schmidt"),
        ("asset-owner", "Sven Richter"),
        ("asset-owner", "Maria Schmidt"),
        ("risk-owner", "Maria Schmidt"),
        ("internal-auditor", "Ruth Meyer"),
    ] {
        assert!(held.contains(&expected), "{expected:?}: {roles}");
    }
    let processes = app.read("/api/v1/raci").await;
    assert_eq!(processes["gaps"], 0, "every process is filled: {processes}");
    let controls = app.read("/api/v1/raci?framework=iso27001-2022").await;
    let filled: Vec<&Value> = controls["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["cells"] != json!({}))
        .collect();
    let keys: Vec<&str> = filled.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["A.5.15", "A.5.24", "A.8.13", "A.8.32"]);
    let gaps: Vec<&str> = filled
        .iter()
        .filter(|r| r["no_accountable"] == true || r["no_responsible"] == true)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(gaps, ["A.8.13"], "one gap left");
    let decisions = app.read("/api/v1/decisions").await;
    let items = decisions["items"].as_array().unwrap();
    let titles: Vec<&str> = items.iter().map(|d| d["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Approval of the information security policy 2.0",
            "Budget for the yearly penetration test",
            "Commitment to the ISMS and its scope"
        ],
        "newest first"
    );
    assert!(
        items[0]["document"]["name"]
            .as_str()
            .unwrap()
            .ends_with(" Information security policy"),
        "{decisions}"
    );
    assert!(
        items
            .iter()
            .all(|d| d["decided_by"]["name"] == "Maria Schmidt")
    );
    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let page = app
        .page_as(&ines, "/isms/raci?framework=iso27001-2022&theme=A.8")
        .await;
    assert!(
        page.contains("<tr id=\"row-A.8.13\" class=\"gap\">"),
        "the gap is marked: {page}"
    );
}
