//! The frameworks capability through the API and the pages: browsing the shipped catalogues,
//! exports, gap assessments with their coverage, and the four scenarios.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, error_fields};
use crate::on_both_engines;

on_both_engines!(
    shipped_frameworks_are_browsable_with_their_mappings,
    exports_are_csv_in_the_data_file_formats,
    a_gap_assessment_derives_coverage_with_explanations,
    bad_assessments_and_status_changes_are_refused_and_change_nothing,
    the_assessment_page_sets_statuses_in_bulk,
    the_four_scenarios_answer,
);

async fn shipped_frameworks_are_browsable_with_their_mappings(app: TestApp) {
    let (status, list) = app.get_json("/api/v1/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in [
        "iso27001-2005",
        "itil-v3",
        "seed001-ism",
        "pdca",
        "iso27001-2022",
        "itil-4",
        "cobit-4-1",
    ] {
        assert!(ids.contains(&id), "{id} is shipped: {ids:?}");
    }

    let iso = app.read("/api/v1/frameworks/iso27001-2005").await;
    let controls = iso["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "control")
        .count();
    assert_eq!(controls, 133, "ISO/IEC 27001:2005 Annex A has 133 controls");

    let (status, node) = app
        .get_json("/api/v1/frameworks/seed001-ism/nodes/3.4.1")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(node["title"], "Change Approval");
    let to_iso = node["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["target_framework"] == "iso27001-2005" && m["target_ref"] == "4.2.2")
        .expect("3.4.1 maps to ISO 27001 4.2.2");
    assert_eq!(to_iso["relation"], "intersects-with");
    assert_eq!(to_iso["provenance"], "seed 001, Table 1, row 40");

    let (status, section) = app
        .get_json("/api/v1/frameworks/itil-v3/nodes/SD%204.6")
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "references with spaces are URL-encoded"
    );
    assert_eq!(section["ref"], "SD 4.6");

    let (status, _) = app
        .get_json("/api/v1/frameworks/iso27001-2005/nodes/A.99")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.get_json("/api/v1/frameworks/nist-csf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nist-csf")
    );

    let between = app
        .read("/api/v1/mappings?a=seed001-ism&b=iso27001-2005")
        .await;
    assert_eq!(
        between.as_array().unwrap().len(),
        54,
        "seed 001 Table 1 gives 54 activity → clause mappings"
    );
    let (status, body) = app.get_json("/api/v1/mappings?b=pdca").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["a"]);

    let tree = app.read_text("/frameworks/itil-v3?q=security").await;
    assert!(
        tree.contains("Information security management"),
        "search finds by title"
    );
    let page = app.read_text("/frameworks/iso27001-2005/nodes/4.2.2").await;
    assert!(
        page.contains("seed 001, Table 1, row 40"),
        "a node's page shows the provenance of its mappings"
    );
    let matrix = app
        .get("/frameworks/matrix?a=seed001-ism&b=iso27001-2005")
        .await;
    assert_eq!(matrix.status(), StatusCode::OK);
    assert!(matrix.text().await.unwrap().contains("class=\"hit\""));
    assert_eq!(
        app.get("/frameworks/matrix?a=seed001-ism&b=nope")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

async fn exports_are_csv_in_the_data_file_formats(app: TestApp) {
    let response = app.get("/api/v1/frameworks/pdca/nodes.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    assert_eq!(text.lines().next(), Some("ref,parent,kind,title"));
    assert_eq!(text.lines().count(), 5, "header and the four PDCA phases");

    let text = app
        .read_text("/api/v1/mappings.csv?a=pdca&b=iso27001-2005")
        .await;
    assert_eq!(
        text.lines().next(),
        Some(
            "source_framework,source_ref,target_framework,target_ref,relation,rationale,confidence,note,provenance"
        )
    );
    assert_eq!(
        text.lines().count(),
        5,
        "header and 4.2.1–4.2.4 → P, D, C, A"
    );
}

async fn new_assessment(app: &TestApp, name: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/gap-assessments",
            &json!({"name": name, "source_framework": "seed001-ism", "target_framework": "iso27001-2005"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn a_gap_assessment_derives_coverage_with_explanations(app: TestApp) {
    let assessment = new_assessment(&app, "ITIL at Alpha").await;
    let id = assessment["id"].as_str().unwrap();

    let coverage = app
        .read(&format!("/api/v1/gap-assessments/{id}/coverage"))
        .await;
    assert_eq!(
        coverage["counts"]["gap"].as_u64().unwrap() as usize,
        coverage["nodes"].as_array().unwrap().len(),
        "nothing declared: everything is a gap"
    );

    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/gap-assessments/{id}/statuses"),
            &json!({"version": 1, "statuses": [{"ref": "3.4", "status": "implemented", "note": "CAB in place"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["version"], 2);
    assert_eq!(
        changed["statuses"],
        json!([{"ref": "3.4", "status": "implemented", "note": "CAB in place"}])
    );

    let coverage = app
        .read(&format!("/api/v1/gap-assessments/{id}/coverage"))
        .await;
    let clause = coverage["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["ref"] == "4.2.2")
        .unwrap();
    assert_eq!(
        clause["status"], "partial",
        "intersects-with lets through at most partial"
    );
    let reasons = clause["explanation"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r["source_ref"] == "3.4.1"
            && r["source_status"] == "implemented"
            && r["path"][0]["provenance"] == "seed 001, Table 1, row 40"),
        "3.4.1 inherits 3.4's status and explains the result: {reasons:?}"
    );
    let csv = app
        .read_text(&format!("/api/v1/gap-assessments/{id}/coverage.csv"))
        .await;
    assert!(
        csv.lines()
            .any(|l| l.starts_with("4.2.2,") && l.contains(",partial,")),
        "{csv}"
    );

    let (status, cleared) = app
        .patch_json(
            &format!("/api/v1/gap-assessments/{id}/statuses"),
            &json!({"statuses": [{"ref": "3.4", "status": ""}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cleared["statuses"], json!([]));

    assert_eq!(
        app.delete(&format!("/api/v1/gap-assessments/{id}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.count("gap_statuses").await, 0);
}

async fn bad_assessments_and_status_changes_are_refused_and_change_nothing(app: TestApp) {
    for (body, fields) in [
        (
            json!({"name": "", "source_framework": "seed001-ism", "target_framework": "iso27001-2005"}),
            vec!["name"],
        ),
        (
            json!({"name": "X", "source_framework": "nist", "target_framework": "iso27001-2005"}),
            vec!["source_framework"],
        ),
        (
            json!({"name": "X", "source_framework": "pdca", "target_framework": "pdca"}),
            vec!["target_framework"],
        ),
    ] {
        let (status, error) = app.post_json("/api/v1/gap-assessments", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&error).1, fields, "{body}");
    }
    assert_eq!(app.count("gap_assessments").await, 0);

    let assessment = new_assessment(&app, "Merger").await;
    let (status, _) = app
        .post_json(
            "/api/v1/gap-assessments",
            &json!({"name": "Merger", "source_framework": "pdca", "target_framework": "iso27001-2005"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let id = assessment["id"].as_str().unwrap();
    let path = format!("/api/v1/gap-assessments/{id}/statuses");
    let (status, error) = app
        .patch_json(&path, &json!({"statuses": [{"ref": "3.4.1", "status": "implemented"}, {"ref": "9.9", "status": "done"}, {"ref": "3.4.2", "status": "done"}]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&error).1,
        ["statuses[1].ref", "statuses[2].status"]
    );
    assert_eq!(app.count("gap_statuses").await, 0, "all or nothing");

    let (status, _) = app
        .patch_json(
            &path,
            &json!({"version": 7, "statuses": [{"ref": "3.4.1", "status": "implemented"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version is refused");
    assert_eq!(app.count("gap_statuses").await, 0);

    let (status, _) = app.get_json("/api/v1/gap-assessments/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_assessment_page_sets_statuses_in_bulk(app: TestApp) {
    let assessment = new_assessment(&app, "Bulk").await;
    let id = assessment["id"].as_str().unwrap();
    let page = app.read_text(&format!("/gap-assessments/{id}")).await;
    assert!(
        page.contains("name=\"ref\" value=\"3.4.1\""),
        "one row per source node"
    );
    let rows: Vec<String> = ["3.4.1", "3.4.2", "1.1"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut form: Vec<(&str, &str)> = vec![
        ("version", "1"),
        ("bulk", "planned"),
        ("selected", "3.4.1"),
        ("selected", "3.4.2"),
    ];
    for r in &rows {
        form.extend([("ref", r.as_str()), ("status", ""), ("note", "")]);
    }
    let response = app
        .post_form(&format!("/gap-assessments/{id}"), &form)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let read = app.read(&format!("/api/v1/gap-assessments/{id}")).await;
    let declared: Vec<(&str, &str)> = read["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["ref"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(declared, [("3.4.1", "planned"), ("3.4.2", "planned")]);

    let stale = app
        .post_form(&format!("/gap-assessments/{id}"), &form)
        .await;
    assert_eq!(
        stale.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form was for version 1"
    );
    assert!(
        stale
            .text()
            .await
            .unwrap()
            .contains("changed by someone else")
    );

    let gaps = app
        .read_text(&format!("/gap-assessments/{id}?gaps=1"))
        .await;
    assert!(
        gaps.contains("status-planned"),
        "planned clauses still need attention"
    );
}

async fn the_four_scenarios_answer(app: TestApp) {
    let list = app.read("/api/v1/scenarios").await;
    assert_eq!(list.as_array().unwrap().len(), 4);
    for n in 1..=4 {
        let (status, result) = app.get_json(&format!("/api/v1/scenarios/{n}")).await;
        assert_eq!(status, StatusCode::OK, "scenario {n}");
        let reached: u64 = ["implemented", "partial", "planned"]
            .iter()
            .map(|s| result["coverage"]["counts"][s].as_u64().unwrap())
            .sum();
        assert!(
            reached > 0,
            "scenario {n} covers something: {}",
            result["coverage"]["counts"]
        );
        assert_eq!(
            app.get(&format!("/scenarios/{n}")).await.status(),
            StatusCode::OK
        );
    }
    let merger = app.read("/api/v1/scenarios/4").await;
    assert_eq!(merger["target_framework"], "pdca");
    let phases: Vec<&str> = merger["coverage"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !n["status"].is_null())
        .map(|n| n["ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        ["P", "D", "C", "A"],
        "every PDCA phase has ITIL activities aligned with it"
    );
    assert_eq!(
        app.get("/scenarios/5").await.status(),
        StatusCode::NOT_FOUND
    );
    let page = app.read_text("/scenarios/3").await;
    assert!(page.contains("Both cover"));
}

mod custom {
    use reqwest::StatusCode;
    use serde_json::json;

    use crate::harness::{TestApp, error_fields};
    use crate::on_both_engines;

    const BASIC: &str = include_str!("../../../frameworks/tests/fixtures/basic-catalog.json");

    on_both_engines!(
        users_add_frameworks_and_mappings_that_join_the_analysis,
        oscal_and_csv_imports_are_checked_before_anything_is_stored,
        frameworks_are_added_and_mappings_imported_through_the_pages,
        oscal_ids_and_withdrawn_controls_survive_import_and_export,
    );

    async fn policies(app: &TestApp) {
        let (status, body) = app
            .post_json(
                "/api/v1/frameworks",
                &json!({"id": "alpha-policies", "name": "Alpha security policies", "edition": "2026", "nodes": [
                    {"ref": "P1", "kind": "clause", "title": "Information security policy"},
                    {"ref": "P1.1", "parent": "P1", "kind": "control", "title": "Annual policy review"},
                    {"ref": "P2", "kind": "clause", "title": "Change control"}
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["origin"], "custom");
        assert_eq!(body["node_count"], 3);
    }

    async fn users_add_frameworks_and_mappings_that_join_the_analysis(app: TestApp) {
        policies(&app).await;
        let (status, added) = app
            .post_json(
                "/api/v1/mappings",
                &json!({"mappings": [{"source_framework": "alpha-policies", "source_ref": "P2", "target_framework": "iso27001-2005", "target_ref": "A.10.1.2", "relation": "equivalent-to", "rationale": "functional", "provenance": "ISMS workshop, 2026-11-02"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        let mapping_id = added["ids"][0].as_str().unwrap().to_owned();

        let node = app
            .read("/api/v1/frameworks/iso27001-2005/nodes/A.10.1.2")
            .await;
        let ours = node["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["source_framework"] == "alpha-policies")
            .unwrap();
        assert_eq!(ours["id"], mapping_id.as_str());
        assert_eq!(ours["provenance"], "ISMS workshop, 2026-11-02");

        let assessment = app
            .created("/api/v1/gap-assessments", &json!({"name": "Policies", "source_framework": "alpha-policies", "target_framework": "iso27001-2005"}))
            .await;
        let id = assessment["id"].as_str().unwrap();
        app.updated(
            &format!("/api/v1/gap-assessments/{id}/statuses"),
            &json!({"statuses": [{"ref": "P2", "status": "implemented"}]}),
        )
        .await;
        let coverage = app
            .read(&format!("/api/v1/gap-assessments/{id}/coverage"))
            .await;
        let control = coverage["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["ref"] == "A.10.1.2")
            .unwrap();
        assert_eq!(
            control["status"], "implemented",
            "an equivalent-to mapping lets the full status through"
        );

        let exported = app
            .read_text("/api/v1/frameworks/alpha-policies/oscal.json")
            .await;
        assert!(exported.contains("\"title\":\"Annual policy review\""));

        assert_eq!(
            app.delete("/api/v1/frameworks/alpha-policies").await,
            StatusCode::CONFLICT,
            "an assessment still uses it"
        );
        assert_eq!(
            app.delete("/api/v1/frameworks/iso27001-2005").await,
            StatusCode::CONFLICT,
            "shipped frameworks stay"
        );
        assert_eq!(
            app.delete(&format!("/api/v1/gap-assessments/{id}")).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&format!("/api/v1/mappings/{mapping_id}")).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&format!("/api/v1/mappings/{mapping_id}")).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.delete("/api/v1/frameworks/alpha-policies").await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(app.count("custom_nodes").await, 0);
        let (status, _) = app.get_json("/api/v1/frameworks/alpha-policies").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn oscal_and_csv_imports_are_checked_before_anything_is_stored(app: TestApp) {
        let response = app
            .request(
                reqwest::Method::POST,
                "/api/v1/frameworks/import/oscal?id=nist-basic",
            )
            .header("content-type", "application/json")
            .body(BASIC)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body["name"]
                .as_str()
                .unwrap()
                .starts_with("Sample Security Catalog")
        );

        let again = app
            .request(
                reqwest::Method::POST,
                "/api/v1/frameworks/import/oscal?id=nist-basic",
            )
            .header("content-type", "application/json")
            .body(BASIC)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT, "the id is taken");

        let broken = BASIC.replacen(
            "\"title\": \"Organization of Information Security\",",
            "",
            1,
        );
        let response = app
            .request(
                reqwest::Method::POST,
                "/api/v1/frameworks/import/oscal?id=broken",
            )
            .header("content-type", "application/json")
            .body(broken)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_fields(&body).1, ["catalog.groups[0]"]);

        policies(&app).await;
        let csv = "source_framework,source_ref,target_framework,target_ref,relation,rationale,confidence,note,provenance\n\
                   alpha-policies,P1,iso27001-2005,A.5.1.1,equivalent-to,semantic,,,workshop\n\
                   alpha-policies,P1.1,iso27001-2005,A.5.1.9,intersects-with,semantic,,,workshop\n";
        let response = app
            .request(reqwest::Method::POST, "/api/v1/mappings/import/csv")
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            error_fields(&body).1,
            ["mappings.csv line 3, target_ref"],
            "{body}"
        );
        assert_eq!(
            app.count("custom_mappings").await,
            0,
            "nothing stored from a bad file"
        );

        let good = csv.replace("A.5.1.9", "A.5.1.2");
        let response = app
            .request(reqwest::Method::POST, "/api/v1/mappings/import/csv")
            .header("content-type", "text/csv")
            .body(good)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(app.count("custom_mappings").await, 2);

        let exported = app
            .read_text("/api/v1/mappings/oscal.json?a=alpha-policies&b=iso27001-2005")
            .await;
        assert_eq!(app.count("custom_mappings").await, 2);
        let response = app
            .request(reqwest::Method::POST, "/api/v1/mappings/import/oscal")
            .header("content-type", "application/json")
            .body(exported)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the same mappings again are duplicates"
        );
        assert_eq!(app.count("custom_mappings").await, 2);
    }

    async fn frameworks_are_added_and_mappings_imported_through_the_pages(app: TestApp) {
        let csv = "ref,parent,kind,title\nR1,,clause,Rules\nR1.1,R1,control,Clean desk\n";
        let form = reqwest::multipart::Form::new()
            .text("id", "alpha-rules")
            .text("name", "Alpha house rules")
            .text("edition", "1")
            .part(
                "file",
                reqwest::multipart::Part::text(csv).file_name("rules.csv"),
            );
        let response = app
            .request(reqwest::Method::POST, "/frameworks/new")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/frameworks/alpha-rules");

        let bad = "ref,parent,kind,title\nR1,,clause,Rules\nR1.1,R9,control,Clean desk\n";
        let form = reqwest::multipart::Form::new()
            .text("id", "alpha-broken")
            .text("name", "Broken")
            .text("edition", "1")
            .part(
                "file",
                reqwest::multipart::Part::text(bad).file_name("broken.csv"),
            );
        let response = app
            .request(reqwest::Method::POST, "/frameworks/new")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"file-error\""),
            "the problem is shown at the file field"
        );
        assert!(html.contains("line 3"), "and names the line: {html}");

        let response = app
            .post_form(
                "/frameworks/alpha-rules/nodes/R1.1",
                &[
                    ("relation", "intersects-with"),
                    ("target_framework", "iso27001-2005"),
                    ("target_ref", "A.11.3.3"),
                    ("rationale", "semantic"),
                    ("provenance", "CISO review"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = app.read_text("/frameworks/alpha-rules/nodes/R1.1").await;
        assert!(
            page.contains("CISO review") && page.contains("/delete"),
            "the mapping shows with a delete button"
        );

        let response = app
            .post_form(
                "/frameworks/alpha-rules/nodes/R1.1",
                &[
                    ("relation", "intersects-with"),
                    ("target_framework", "iso27001-2005"),
                    ("target_ref", "A.99"),
                    ("rationale", "semantic"),
                    ("provenance", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"target_ref-error\""), "{html}");

        let page = app.get("/mappings/import").await;
        assert_eq!(page.status(), StatusCode::OK);
        let response = app.post_form("/frameworks/alpha-rules/delete", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("custom_frameworks").await, 0);
        assert_eq!(
            app.count("custom_mappings").await,
            0,
            "its mappings went with it"
        );
        assert_eq!(
            app.count("audit_entries WHERE entity = 'mapping' AND action = 'delete'")
                .await,
            1,
            "and the trail says so"
        );
    }

    /// Posts a file to an import route.
    async fn import(app: &TestApp, path: &str, body: String) -> (StatusCode, serde_json::Value) {
        let response = app
            .request(reqwest::Method::POST, path)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn oscal_ids_and_withdrawn_controls_survive_import_and_export(app: TestApp) {
        let catalog = json!({"catalog": {"metadata": {"title": "Beta controls", "version": "1"}, "groups": [
            {"id": "ac", "title": "Access control", "controls": [
                {"id": "ac-2", "title": "Account management", "props": [{"name": "label", "value": "AC-2"}], "controls": [
                    {"id": "ac-2.1", "title": "Automated account management", "props": [{"name": "label", "value": "AC-2(1)"}]},
                    {"id": "ac-2.10", "title": "Shared account credential change", "props": [{"name": "label", "value": "AC-2(10)"}, {"name": "status", "value": "withdrawn"}]}
                ]}
            ]}
        ]}});
        let twice = catalog.to_string().replace("\"ac-2.10\"", "\"ac-2.1\"");
        let (status, body) = import(&app, "/api/v1/frameworks/import/oscal?id=beta", twice).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_fields(&body).1,
            ["catalog.groups[0].controls[0].controls[1].id"]
        );
        assert!(
            body.to_string()
                .contains("catalog.groups[0].controls[0].controls[0].id"),
            "both places are named: {body}"
        );
        assert_eq!(app.count("custom_frameworks").await, 0);

        let (status, body) = import(
            &app,
            "/api/v1/frameworks/import/oscal?id=beta",
            format!("\u{feff}{catalog}"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a byte-order mark is fine: {body}"
        );
        let (status, beta) = app.get_json("/api/v1/frameworks/beta").await;
        assert_eq!(status, StatusCode::OK);
        let withdrawn: Vec<(&str, bool)> = beta["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["ref"].as_str().unwrap(),
                    n["withdrawn"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            withdrawn,
            [
                ("ac", false),
                ("AC-2", false),
                ("AC-2(1)", false),
                ("AC-2(10)", true)
            ]
        );
        let page = app.read_text("/frameworks/beta").await;
        assert!(page.contains("withdrawn"), "the tree shows it: {page}");

        let (status, exported) = app.get_json("/api/v1/frameworks/beta/oscal.json").await;
        assert_eq!(status, StatusCode::OK);
        let enhancements = &exported["catalog"]["groups"][0]["controls"][0]["controls"];
        assert_eq!(enhancements[0]["id"], "ac-2.1", "NIST's ids are kept");
        assert_eq!(enhancements[1]["id"], "ac-2.10");
        assert!(
            enhancements[1]["props"]
                .as_array()
                .unwrap()
                .contains(&json!({"name": "status", "value": "withdrawn"}))
        );

        let (status, _) = app.get_json("/api/v1/mappings/oscal.json?a=beta").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no mapping, no collection");
        let (status, added) = app
            .post_json(
                "/api/v1/mappings",
                &json!({"mappings": [{"source_framework": "beta", "source_ref": "AC-2(1)", "target_framework": "iso27001-2005", "target_ref": "A.11.2.1", "relation": "intersects-with", "rationale": "semantic", "confidence": 0.7, "provenance": "test"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        let (status, collection) = app.get_json("/api/v1/mappings/oscal.json?a=beta").await;
        assert_eq!(status, StatusCode::OK);
        let found = &collection["mapping-collection"];
        assert_eq!(found["provenance"]["status"], "complete");
        let map = &found["mappings"][0]["maps"][0];
        assert_eq!(map["sources"][0]["id-ref"], "ac-2.1");
        assert_eq!(map["confidence-score"], json!({"percentage": 0.7}));
        let href = found["mappings"][0]["source-resource"]["href"]
            .as_str()
            .unwrap();
        let resource = found["back-matter"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == href)
            .unwrap_or_else(|| panic!("{href} is a back-matter resource"));
        assert_eq!(resource["props"][0]["value"], "beta");

        let id = added["ids"][0].as_str().unwrap();
        assert_eq!(
            app.delete(&format!("/api/v1/mappings/{id}")).await,
            StatusCode::NO_CONTENT
        );
        let (status, body) = import(
            &app,
            "/api/v1/mappings/import/oscal",
            collection.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let mappings = app.read("/api/v1/mappings?a=beta").await;
        assert_eq!(
            mappings[0]["source_ref"], "AC-2(1)",
            "back on the same node"
        );

        let (status, doc) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            "/api/v1/frameworks/{id}/oscal.json",
            "/api/v1/mappings/oscal.json",
        ] {
            assert_eq!(
                doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                    ["type"],
                "object",
                "{path} answers a JSON object"
            );
        }
    }
}
