//! The audit trail: every write records who, when, what and from where, in the same
//! transaction; rejected writes record nothing; the chain detects edited and removed entries.

use reqwest::StatusCode;
use serde_json::json;
use tandem_storage::{Engine, run};

use crate::harness::TestApp;
use crate::on_both_engines;

on_both_engines!(
    every_write_is_recorded_with_its_changes,
    cascaded_removals_are_recorded,
    rejected_writes_record_nothing,
    the_chain_finds_an_edited_and_a_removed_entry,
    the_trail_page_filters_and_exports,
);

/// The trail after the harness's own entries as (action, entity, changes JSON, address),
/// oldest first, straight from the table.
async fn trail(app: &TestApp) -> Vec<(String, String, String, String)> {
    let mut conn = app.db.conn().await.unwrap();
    run!(&mut conn, |c| {
        sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT action, entity, changes, COALESCE(address, '') FROM audit_entries WHERE seq > $1 ORDER BY seq",
        )
        .bind(app.audit_start)
        .fetch_all(c)
        .await
    })
    .unwrap()
}

/// The chain's check, as the number of entries after the harness's own.
async fn verify(app: &TestApp) -> Result<u64, tandem_audit::entry::Broken> {
    tandem_audit::store::verify(&app.db)
        .await
        .unwrap()
        .map(|total| total - app.audit_start as u64)
}

async fn every_write_is_recorded_with_its_changes(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/people/{person}"),
            &json!({"job_title": "IT service owner"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.delete(&format!("/api/v1/people/{person}")).await,
        StatusCode::NO_CONTENT
    );

    let entries = trail(&app).await;
    let summary: Vec<(&str, &str)> = entries
        .iter()
        .map(|(a, e, _, _)| (a.as_str(), e.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("create", "organisation"),
            ("create", "person"),
            ("update", "person"),
            ("delete", "person")
        ]
    );
    assert_eq!(
        entries[2].2, r#"{"job_title":["","IT service owner"]}"#,
        "only the changed field, before and after"
    );
    assert!(
        entries[3]
            .2
            .contains(r#""email":["david@beta.example",null]"#),
        "a deletion keeps what was removed"
    );
    assert_eq!(
        entries[0].3, "127.0.0.1",
        "the address the request came from"
    );
    assert_eq!(verify(&app).await, Ok(4));
}

async fn cascaded_removals_are_recorded(app: TestApp) {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    let (_, team) = app
        .post_json("/api/v1/teams", &json!({"organisation_id": alpha, "name": "Service Desk", "level": "first_level", "members": [nina]}))
        .await;
    let team = team["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.delete(&format!("/api/v1/people/{nina}")).await,
        StatusCode::NO_CONTENT
    );
    let entries = trail(&app).await;
    let (_, _, changes, _) = entries.last().unwrap();
    assert!(
        changes.contains(&format!(r#""teams":["{team}",null]"#)),
        "the memberships that ended: {changes}"
    );

    let (_, assessment) = app
        .post_json("/api/v1/gap-assessments", &json!({"name": "A", "source_framework": "seed001-ism", "target_framework": "iso27001-2005"}))
        .await;
    let id = assessment["id"].as_str().unwrap();
    app.patch_json(
        &format!("/api/v1/gap-assessments/{id}/statuses"),
        &json!({"statuses": [{"ref": "3.4", "status": "implemented"}]}),
    )
    .await;
    assert_eq!(
        app.delete(&format!("/api/v1/gap-assessments/{id}")).await,
        StatusCode::NO_CONTENT
    );
    let entries = trail(&app).await;
    assert!(
        entries
            .last()
            .unwrap()
            .2
            .contains(r#""statuses":["3.4=implemented",null]"#),
        "{:?}",
        entries.last()
    );
    assert_eq!(verify(&app).await, Ok(entries.len() as u64));
}

async fn rejected_writes_record_nothing(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    app.person(&beta, "David Chen", "david@beta.example").await;
    let (status, _) = app
        .post_json(
            "/api/v1/people",
            &json!({"organisation_id": beta, "name": "D", "email": "david@beta.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post_json(
            "/api/v1/people",
            &json!({"organisation_id": beta, "name": "", "email": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.delete(&format!("/api/v1/organisations/{beta}")).await,
        StatusCode::CONFLICT
    );
    assert_eq!(trail(&app).await.len(), 2, "only the two accepted writes");
}

async fn the_chain_finds_an_edited_and_a_removed_entry(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    for i in 0..4 {
        app.person(&beta, &format!("Person {i}"), &format!("p{i}@beta.example"))
            .await;
    }
    assert_eq!(verify(&app).await, Ok(5));

    let mut tx = app.db.begin().await.unwrap();
    let refused = run!(&mut tx, |c| {
        sqlx::query("UPDATE audit_entries SET actor_label = 'someone else' WHERE seq = 3")
            .execute(c)
            .await
            .map(|_| ())
    });
    assert!(refused.is_err(), "the database refuses to change an entry");
    drop(tx);

    // Someone with access to the database removes the guard and edits an entry.
    let unguard: &[&str] = match app.db.engine() {
        Engine::Sqlite => &[
            "DROP TRIGGER audit_entries_no_update",
            "DROP TRIGGER audit_entries_no_delete",
        ],
        Engine::Postgres => &["DROP TRIGGER audit_entries_no_update ON audit_entries"],
    };
    let mut tx = app.db.begin().await.unwrap();
    for sql in unguard {
        run!(&mut tx, |c| sqlx::query(*sql).execute(c).await.map(|_| ())).unwrap();
    }
    run!(&mut tx, |c| {
        sqlx::query("UPDATE audit_entries SET actor_label = 'someone else' WHERE seq = 3")
            .execute(c)
            .await
            .map(|_| ())
    })
    .unwrap();
    tx.commit().await.unwrap();
    let broken = verify(&app).await.unwrap_err();
    assert_eq!(broken, tandem_audit::entry::Broken::Altered { seq: 3 });
    assert_eq!(
        broken.to_string(),
        "entry 3 was changed after it was written (its hash no longer matches its content)"
    );

    let mut tx = app.db.begin().await.unwrap();
    run!(&mut tx, |c| sqlx::query(
        "DELETE FROM audit_entries WHERE seq = 3"
    )
    .execute(c)
    .await
    .map(|_| ()))
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        verify(&app).await,
        Err(tandem_audit::entry::Broken::Gap {
            seq: 4,
            after: 2,
            missing: 3
        })
    );
}

async fn the_trail_page_filters_and_exports(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    let page = app.get("/audit").await.text().await.unwrap();
    assert!(page.contains("david@beta.example"));
    let filtered = app
        .get(&format!("/audit?entity=person&entity_id={person}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains(&person) && !filtered.contains("Beta Technologies"));
    assert_eq!(
        app.get("/audit?from=yesterday").await.status(),
        StatusCode::BAD_REQUEST
    );
    let csv = app
        .get("/audit.csv?entity=organisation")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("seq,at,actor_kind"));
    assert_eq!(
        lines.len(),
        2 + super::harness::HARNESS_ORGANISATIONS as usize,
        "header, the harness's organisation and Beta's entry: {csv}"
    );
    assert!(lines.last().unwrap().contains("Beta Technologies"));

    // Asking only for the headers reads nothing and so records no export.
    let exports = "audit_entries WHERE entity = 'audit trail export'";
    let before = app.count(exports).await;
    let head = app
        .request(reqwest::Method::HEAD, "/audit.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert!(
        head.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(app.count(exports).await, before, "HEAD records no export");
    app.get("/audit.csv").await;
    assert_eq!(app.count(exports).await, before + 1, "GET does");
}

mod concurrency {
    use super::*;

    /// Many writers at once still form one unbroken chain (PostgreSQL serves them in parallel;
    /// SQLite queues them).
    async fn concurrent_writes_form_one_chain(app: TestApp) {
        let beta = app.organisation("Beta Technologies", "customer").await;
        let app = std::sync::Arc::new(app);
        let mut writers = tokio::task::JoinSet::new();
        for i in 0..24 {
            let (app, beta) = (app.clone(), beta.clone());
            writers.spawn(async move {
                app.person(&beta, &format!("Person {i}"), &format!("p{i}@beta.example"))
                    .await
            });
        }
        writers.join_all().await;
        assert_eq!(verify(&app).await, Ok(25));
    }

    crate::on_both_engines!(concurrent_writes_form_one_chain);
}
