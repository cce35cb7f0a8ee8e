//! The audit trail: every write records who, when, what and from where, in the same
//! transaction; rejected writes record nothing; the chain detects edited and removed entries.

use reqwest::StatusCode;
use serde_json::json;
use tandem_audit::checkpoint::{Checkpoint, Key};
use tandem_audit::entry::{Broken, HeadFault};
use tandem_kernel::Clock;
use tandem_storage::{Engine, run};

use crate::harness::TestApp;
use crate::on_both_engines;

on_both_engines!(
    every_write_is_recorded_with_its_changes,
    cascaded_removals_are_recorded,
    rejected_writes_record_nothing,
    the_chain_finds_an_edited_and_a_removed_entry,
    the_trail_page_filters_and_exports,
    missing_triggers_are_reported_and_restored_at_start,
    a_lost_or_damaged_head_is_named_and_reads_go_on,
    a_checkpoint_finds_a_trail_cut_short_and_rechained,
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

/// Runs each statement of `sql` in one transaction, straight on the database.
async fn execute(app: &TestApp, sql: &[&str]) {
    let mut tx = app.db.begin().await.unwrap();
    for statement in sql {
        run!(&mut tx, |c| sqlx::raw_sql(sqlx::AssertSqlSafe(*statement))
            .execute(c)
            .await
            .map(|_| ()))
        .unwrap();
    }
    // Not audited: the test works on the tables behind Tandem's back.
    tx.commit().await.unwrap();
}

/// The append-only triggers of the engine, by name.
fn triggers(app: &TestApp) -> &'static [&'static str] {
    match app.db.engine() {
        Engine::Sqlite => &["audit_entries_no_update", "audit_entries_no_delete"],
        Engine::Postgres => &["audit_entries_no_update"],
    }
}

/// What someone with access to the database does first: removes the guard.
async fn drop_triggers(app: &TestApp) {
    let drops: Vec<String> = triggers(app)
        .iter()
        .map(|name| match app.db.engine() {
            Engine::Sqlite => format!("DROP TRIGGER {name}"),
            Engine::Postgres => format!("DROP TRIGGER {name} ON audit_entries"),
        })
        .collect();
    execute(app, &drops.iter().map(String::as_str).collect::<Vec<_>>()).await;
}

/// Whether the database refuses to delete entry 1 (the deletion is rolled back either way).
async fn deletes_are_refused(app: &TestApp) -> bool {
    let mut tx = app.db.begin().await.unwrap();
    run!(&mut tx, |c| sqlx::query(
        "DELETE FROM audit_entries WHERE seq = 1"
    )
    .execute(c)
    .await
    .map(|_| ()))
    .is_err()
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
    let team = app
        .created("/api/v1/teams", &json!({"organisation_id": alpha, "name": "Service Desk", "level": "first_level", "members": [nina]}))
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

    let assessment = app
        .created("/api/v1/gap-assessments", &json!({"name": "A", "source_framework": "seed001-ism", "target_framework": "iso27001-2005"}))
        .await;
    let id = assessment["id"].as_str().unwrap();
    app.updated(
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
    drop_triggers(&app).await;
    execute(
        &app,
        &["UPDATE audit_entries SET actor_label = 'someone else' WHERE seq = 3"],
    )
    .await;
    let broken = verify(&app).await.unwrap_err();
    assert_eq!(broken, tandem_audit::entry::Broken::Altered { seq: 3 });
    assert_eq!(
        broken.to_string(),
        "entry 3 was changed after it was written (its hash no longer matches its content)"
    );

    execute(&app, &["DELETE FROM audit_entries WHERE seq = 3"]).await;
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
    let page = app.read_text("/audit").await;
    assert!(page.contains("david@beta.example"));
    let filtered = app
        .read_text(&format!("/audit?entity=person&entity_id={person}"))
        .await;
    assert!(filtered.contains(&person) && !filtered.contains("Beta Technologies"));
    assert_eq!(
        app.get("/audit?from=yesterday").await.status(),
        StatusCode::BAD_REQUEST
    );
    let csv = app.read_text("/audit.csv?entity=organisation").await;
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
    assert_eq!(app.get("/audit.csv").await.status(), StatusCode::OK);
    assert_eq!(app.count(exports).await, before + 1, "GET does");
}

async fn missing_triggers_are_reported_and_restored_at_start(app: TestApp) {
    app.organisation("Beta Technologies", "customer").await;
    assert!(
        tandem_audit::guard::missing(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(deletes_are_refused(&app).await);

    drop_triggers(&app).await;
    assert_eq!(
        tandem_audit::guard::missing(&app.db).await.unwrap(),
        triggers(&app)
    );
    assert!(!deletes_are_refused(&app).await, "nothing guards the trail");
    let reported = tandem::trail::verify(&app.db, None, None)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        reported,
        format!(
            "the append-only triggers {} of the audit trail are missing or disabled: the database no longer refuses changes to entries (`tandem serve` restores them when it starts)",
            triggers(&app).join(", ")
        )
    );

    // What `tandem serve` does when it starts.
    let restored = tandem::trail::restore_guards(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(restored, triggers(&app));
    assert!(
        tandem_audit::guard::missing(&app.db)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        deletes_are_refused(&app).await,
        "the trail is guarded again"
    );
    let entries = trail(&app).await;
    let (action, entity, changes, _) = entries.last().unwrap();
    assert_eq!(
        (action.as_str(), entity.as_str()),
        ("update", "audit trail")
    );
    assert_eq!(
        changes,
        &format!(r#"{{"restored":[null,"{}"]}}"#, triggers(&app).join(", "))
    );
    assert_eq!(verify(&app).await, Ok(2), "the organisation and the repair");
    let intact = tandem::trail::verify(&app.db, None, None).await.unwrap();
    assert!(
        intact.starts_with("The audit trail is intact: "),
        "{intact}"
    );
    assert!(
        tandem::trail::restore_guards(&app.db, app.clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        trail(&app).await.len(),
        2,
        "nothing to restore, nothing recorded"
    );

    if app.db.engine() == Engine::Postgres {
        // PostgreSQL can also switch a trigger off.
        execute(
            &app,
            &["ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update"],
        )
        .await;
        assert_eq!(
            tandem_audit::guard::missing(&app.db).await.unwrap(),
            ["audit_entries_no_update"]
        );
        assert!(!deletes_are_refused(&app).await);
        assert_eq!(
            tandem::trail::restore_guards(&app.db, app.clock.now())
                .await
                .unwrap(),
            ["audit_entries_no_update"]
        );
        assert!(deletes_are_refused(&app).await);
    }
}

async fn a_lost_or_damaged_head_is_named_and_reads_go_on(app: TestApp) {
    app.organisation("Beta Technologies", "customer").await;
    execute(&app, &["DELETE FROM audit_head"]).await;

    let (status, body) = app
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "Gamma Health", "kind": "customer"}),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"]["code"], "internal");
    assert!(
        !body.to_string().contains("audit_head"),
        "the cause is for the log: {body}"
    );
    assert_eq!(
        app.count("organisations WHERE name = 'Gamma Health'").await,
        0,
        "a change that cannot be recorded is not made"
    );
    let write = tandem_audit::Write::new(
        &app.db,
        &tandem_kernel::Actor::system("test"),
        app.clock.now(),
    );
    let mut tx = write.begin().await.unwrap();
    let refused = write
        .record(
            &mut tx,
            tandem_audit::Edit::new(
                tandem_audit::Action::Update,
                "test",
                "",
                tandem_audit::Changes::default(),
            ),
        )
        .await
        .unwrap_err();
    drop(tx);
    assert_eq!(
        tandem_audit::store::unrecordable(&refused)
            .map(ToString::to_string)
            .as_deref(),
        Some(
            "the audit trail's head row (table `audit_head`) is missing; no change can be recorded until it is repaired: run `tandem audit verify`"
        )
    );

    // Reading needs no head, also with a token whose use is due to be recorded again.
    app.clock.advance(time::Duration::minutes(2));
    let (status, list) = app.get_json("/api/v1/organisations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.to_string().contains("Beta Technologies"), "{list}");
    let page = app.get("/audit").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Beta Technologies"));

    assert_eq!(verify(&app).await, Err(Broken::Head(HeadFault::Missing)));
    assert_eq!(
        tandem::trail::verify(&app.db, None, None)
            .await
            .unwrap_err()
            .to_string(),
        "the audit trail is broken: the audit trail's head row (table `audit_head`) is missing"
    );
    let key = Key::new("a checkpoint key of at least 32 characters").unwrap();
    let no_checkpoint = tandem::trail::checkpoint(&app.db, Some(&key), app.clock.now(), None)
        .await
        .unwrap_err();
    assert!(
        no_checkpoint
            .to_string()
            .starts_with("no checkpoint can be made: the audit trail's head row"),
        "{no_checkpoint}"
    );

    // The repair that docs/audit.md describes, once the entries are known to be intact.
    execute(
        &app,
        &["INSERT INTO audit_head (id, seq, hash) SELECT 1, seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1"],
    )
    .await;
    assert_eq!(verify(&app).await, Ok(1));
    app.organisation("Gamma Health", "customer").await;
    let intact = verify(&app).await.unwrap();

    if app.db.engine() == Engine::Sqlite {
        // SQLite keeps a value of any kind in any column: a head and an entry that cannot be read.
        execute(&app, &["UPDATE audit_head SET seq = 'not a number'"]).await;
        let (status, _) = app
            .post_json(
                "/api/v1/organisations",
                &json!({"name": "Delta", "kind": "customer"}),
            )
            .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let broken = verify(&app).await.unwrap_err();
        assert!(
            matches!(broken, Broken::Head(HeadFault::Unreadable(_))),
            "{broken}"
        );
        execute(
            &app,
            &["UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_entries)"],
        )
        .await;
        assert_eq!(verify(&app).await, Ok(intact));

        drop_triggers(&app).await;
        let damaged = app.audit_start + 1;
        let damage = format!("UPDATE audit_entries SET at = 'not a time' WHERE seq = {damaged}");
        execute(&app, &[damage.as_str()]).await;
        let broken = verify(&app).await.unwrap_err();
        assert!(
            matches!(broken, Broken::Unreadable { seq, .. } if seq == damaged),
            "{broken}"
        );
        assert!(
            broken.to_string().starts_with(&format!(
                "entry {damaged} cannot be read, a column of it was changed: "
            )),
            "{broken}"
        );
    }
}

/// `tandem audit verify --checkpoint FILE`, as its message or its error.
async fn verify_with(
    app: &TestApp,
    key: Option<&Key>,
    file: &std::path::Path,
) -> Result<String, String> {
    tandem::trail::verify(&app.db, key, Some(file))
        .await
        .map_err(|e| e.to_string())
}

async fn a_checkpoint_finds_a_trail_cut_short_and_rechained(app: TestApp) {
    let key = Key::new("a checkpoint key of at least 32 characters").unwrap();
    for name in ["Beta Technologies", "Gamma Health"] {
        app.organisation(name, "customer").await;
    }
    let now = app.clock.now();
    let unsigned = tandem::trail::checkpoint(&app.db, None, now, None)
        .await
        .unwrap_err();
    assert!(
        unsigned
            .to_string()
            .starts_with("audit_checkpoint_key is not set"),
        "{unsigned}"
    );

    let statement = tandem::trail::checkpoint(&app.db, Some(&key), now, None)
        .await
        .unwrap();
    let (head, hash) = tandem_audit::store::head(&app.db).await.unwrap().unwrap();
    assert_eq!(head, app.audit_start + 2);
    let checkpoint = Checkpoint::read(&statement, &key).unwrap();
    assert_eq!(
        (checkpoint.seq, checkpoint.hash.as_str()),
        (head, hash.as_str())
    );
    let made_at = checkpoint.at_text();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoint.txt");
    std::fs::write(&file, &statement).unwrap();
    let intact = verify_with(&app, Some(&key), &file).await.unwrap();
    assert!(
        intact.ends_with(&format!(
            "It contains entry {head} of the checkpoint made at {made_at}."
        )),
        "{intact}"
    );
    assert!(
        verify_with(&app, None, &file)
            .await
            .unwrap_err()
            .starts_with("audit_checkpoint_key is not set")
    );
    let other = Key::new("another key, also of at least 32 characters").unwrap();
    assert_eq!(
        verify_with(&app, Some(&other), &file).await,
        Err(format!(
            "the checkpoint `{}` is not accepted: its signature does not match: the statement was changed, or signed with another audit_checkpoint_key",
            file.display()
        ))
    );

    // Mailed, the statement goes to the outbox and the mailing into the trail.
    let bad = tandem::trail::checkpoint(&app.db, Some(&key), now, Some("not an address"))
        .await
        .unwrap_err();
    assert!(
        bad.to_string()
            .starts_with("--mail is not an e-mail address"),
        "{bad}"
    );
    let mailed =
        tandem::trail::checkpoint(&app.db, Some(&key), now, Some("security@alpha.example"))
            .await
            .unwrap();
    assert_eq!(mailed, statement, "the same head at the same time");
    let outbox = tandem_mail::store::recent(&app.db, 10).await.unwrap();
    assert_eq!(outbox.len(), 1, "one mail, from the valid address");
    assert_eq!(outbox[0].recipient, "security@alpha.example");
    assert_eq!(Checkpoint::read(&outbox[0].body, &key), Ok(checkpoint));
    let entries = trail(&app).await;
    let (action, entity, changes, _) = entries.last().unwrap();
    assert_eq!(
        (action.as_str(), entity.as_str(), changes.as_str()),
        (
            "create",
            "audit checkpoint",
            r#"{"mailed_to":[null,"security@alpha.example"]}"#
        )
    );

    // Someone with access to the database removes the newest entries, the checkpoint's among
    // them, and points the head at the last one left: the chain alone still checks out.
    drop_triggers(&app).await;
    let cut = format!("DELETE FROM audit_entries WHERE seq >= {}", head - 1);
    execute(
        &app,
        &[
            cut.as_str(),
            "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_entries), \
             hash = (SELECT hash FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries))",
        ],
    )
    .await;
    assert_eq!(verify(&app).await, Ok(0), "the chain alone finds nothing");
    let cut_short = verify_with(&app, Some(&key), &file).await.unwrap_err();
    assert!(
        cut_short.contains(&format!(
            "the trail no longer contains entry {head} of the checkpoint made at {made_at}: it was cut short"
        )),
        "{cut_short}"
    );

    // New writes chain on from the rewritten head, and an entry with the checkpoint's number
    // comes back with other content.
    app.organisation("Delta", "customer").await;
    app.organisation("Epsilon", "customer").await;
    assert_eq!(
        tandem_audit::store::head(&app.db).await.unwrap().unwrap().0,
        head
    );
    assert_eq!(verify(&app).await, Ok(2));
    let rewritten = verify_with(&app, Some(&key), &file).await.unwrap_err();
    assert!(
        rewritten.contains(&format!(
            "entry {head} no longer has the hash of the checkpoint made at {made_at}: the trail was rewritten"
        )),
        "{rewritten}"
    );
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
