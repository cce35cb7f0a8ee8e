//! Awareness, training and competence through the API and the pages: attending a training gives
//! its competence and a corrected attendance list takes it back, every refusal by its field,
//! who may read and who may write, holdings recorded by hand with their expiry, the shortfall,
//! the audit entry of every write, and the demo's trainings and shortfall.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::Role;

use crate::harness::{Member, TestApp, error_fields};
use crate::isms_requests::expect;
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    attending_a_training_gives_the_competence_and_a_correction_takes_it_back,
    every_refusal_names_its_field,
    reading_needs_isms_read_and_writing_isms_write,
    holdings_recorded_by_hand_expire_and_leave_the_shortfall,
);

on_both_engines_with_demo!(the_demo_shows_who_falls_short_and_the_pages_record_attendance);

/// A well-formed id that names no record. (The harness's clock stands at 2026-11-02 09:00 UTC.)
const NOBODY: &str = "01890000-0000-7000-8000-000000000000";

/// The provider's people: the CISO writes, the service manager reads, an agent and an engineer
/// are trained.
struct World {
    ines: Member,
    maria: Member,
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
    }
}

/// The fields a request refused with `status` named.
async fn refused(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: &Value,
    status: StatusCode,
) -> Vec<String> {
    error_fields(&expect(app, who, method, path, body, status).await).1
}

fn id(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_owned()
}

/// The names in a list of `{"person": {"name"}}` or of references.
fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn attending_a_training_gives_the_competence_and_a_correction_takes_it_back(app: TestApp) {
    let w = world(&app).await;
    let awareness = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/competences",
        &json!({"name": "Annual security awareness training", "validity_months": 12,
                "roles": ["engineer", "service-desk-agent", "engineer"]}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        awareness["roles"],
        json!(["service-desk-agent", "engineer"]),
        "distinct, in the order of the roles"
    );
    assert_eq!(awareness["holders"], json!([]));
    let competence = format!("/api/v1/competences/{}", id(&awareness));
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
    let training = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/trainings",
        &json!({"title": "Security awareness 2026", "kind": "session", "held_on": "2026-10-01",
                "trainer": "Ines Kraus", "topics": "Passwords\nPhishing",
                "document_id": id(&policy), "competence_id": id(&awareness)}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        training["document"]["name"],
        "DOC-000001 Information security policy"
    );
    assert_eq!(
        training["competence"]["name"],
        "Annual security awareness training"
    );
    assert_eq!(
        (training["invited"].as_u64(), training["attended"].as_u64()),
        (Some(0), Some(0))
    );
    let path = format!("/api/v1/trainings/{}", id(&training));
    let attendance = format!("{path}/attendance");

    let recorded = expect(
        &app,
        &w.ines,
        Method::PUT,
        &attendance,
        &json!({"attendees": [{"person_id": w.sven.id, "attended": false},
                              {"person_id": w.nina.id, "attended": true}]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        recorded["attendees"],
        json!([{"person": {"id": w.nina.id, "name": "Nina Keller"}, "attended": true},
               {"person": {"id": w.sven.id, "name": "Sven Richter"}, "attended": false}]),
        "by name"
    );
    assert_eq!(
        (recorded["invited"].as_u64(), recorded["attended"].as_u64()),
        (Some(2), Some(1))
    );
    let held = app.read_as(&w.maria.token, &competence).await;
    let holders = held["holders"].as_array().unwrap();
    assert_eq!(holders.len(), 1, "only who attended: {held}");
    assert_eq!(holders[0]["person"]["name"], "Nina Keller");
    assert_eq!(
        holders[0]["obtained_on"], "2026-10-01",
        "the training's day"
    );
    assert_eq!(
        holders[0]["expires_on"], "2027-10-01",
        "twelve months later"
    );
    assert_eq!(holders[0]["training"]["name"], "Security awareness 2026");
    assert_eq!(holders[0]["standing"], Value::Null);
    let nina_holding = id(&holders[0]);

    let report = app
        .read_as(&w.maria.token, "/api/v1/competences/shortfall")
        .await;
    assert_eq!(report["as_of"], "2026-11-02");
    assert_eq!(report["people"], 2, "the agent and the engineer: {report}");
    assert_eq!(names(&report["by_person"], "person"), ["Sven Richter"]);
    assert_eq!(
        report["by_person"][0]["shortfalls"][0]["gap"], "missing",
        "Sven was invited and did not come"
    );
    assert_eq!(
        report["by_person"][0]["shortfalls"][0]["because"],
        json!(["engineer"])
    );
    assert_eq!(
        report["by_competence"][0]["roles"],
        json!(["service-desk-agent", "engineer"])
    );

    // The list was wrong: Sven came, Nina did not. Her holding goes, his comes.
    expect(
        &app,
        &w.ines,
        Method::PUT,
        &attendance,
        &json!({"attendees": [{"person_id": w.sven.id, "attended": true}],
                "version": recorded["version"]}),
        StatusCode::OK,
    )
    .await;
    let (status, _) = app
        .send_json_as(
            &w.ines.token,
            Method::PUT,
            &attendance,
            &json!({"attendees": [], "version": recorded["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale list is refused");
    let held = app.read_as(&w.maria.token, &competence).await;
    assert_eq!(names(&held["holders"], "person"), ["Sven Richter"]);
    assert_eq!(app.count("isms_held_competences").await, 1);

    // A new date moves what the training gave.
    let current = app.read_as(&w.ines.token, &path).await;
    let moved = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &path,
        &json!({"title": "Security awareness 2026", "kind": "session", "held_on": "2026-10-05",
                "trainer": "Ines Kraus", "topics": "Passwords\nPhishing",
                "document_id": id(&policy), "competence_id": id(&awareness),
                "version": current["version"]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["held_on"], "2026-10-05");
    let held = app.read_as(&w.maria.token, &competence).await;
    assert_eq!(held["holders"][0]["obtained_on"], "2026-10-05");
    assert_eq!(held["holders"][0]["expires_on"], "2027-10-05");

    // Every write is in the trail.
    for (entity, action, count) in [
        ("competence", "create", 1),
        ("training", "create", 1),
        ("training", "update", 1),
        ("training attendance", "update", 2),
        ("held competence", "create", 2),
        ("held competence", "delete", 1),
        ("held competence", "update", 1),
    ] {
        assert_eq!(
            app.count(&format!(
                "audit_entries WHERE entity = '{entity}' AND action = '{action}'"
            ))
            .await,
            count,
            "{entity} {action}"
        );
    }
    assert_eq!(
        app.count(&format!(
            "audit_entries WHERE entity = 'held competence' AND action = 'delete' \
             AND entity_id = '{nina_holding}' AND changes LIKE '%{}%'",
            w.nina.id
        ))
        .await,
        1,
        "Nina's withdrawn holding, with what it was"
    );
    assert_eq!(
        app.count(&format!(
            "audit_entries WHERE entity = 'training attendance' AND changes LIKE '%{}%'",
            w.sven.id
        ))
        .await,
        2
    );
}

async fn every_refusal_names_its_field(app: TestApp) {
    let w = world(&app).await;
    let (post, put, patch) = (Method::POST, Method::PUT, Method::PATCH);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            "/api/v1/competences",
            &json!({"name": " ", "validity_months": 121, "roles": ["ciso", "customer-user"]}),
            unprocessable,
        )
        .await,
        ["name", "validity_months", "roles[1]"]
    );
    let itil = expect(
        &app,
        &w.ines,
        post.clone(),
        "/api/v1/competences",
        &json!({"name": "ITIL 4 Foundation", "roles": ["service-desk-agent"]}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(itil["validity_months"], Value::Null, "it does not expire");
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            "/api/v1/competences",
            &json!({"name": "ITIL 4 Foundation"}),
            StatusCode::CONFLICT,
        )
        .await,
        ["name"]
    );
    let competence = format!("/api/v1/competences/{}", id(&itil));
    let changed = expect(
        &app,
        &w.ines,
        patch.clone(),
        &competence,
        &json!({"name": "ITIL 4 Foundation", "roles": ["service-desk-agent", "engineer"],
                "version": itil["version"]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["roles"], json!(["service-desk-agent", "engineer"]));
    let stale = expect(
        &app,
        &w.ines,
        patch.clone(),
        &competence,
        &json!({"name": "ITIL 4", "version": itil["version"]}),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(stale["error"]["code"], "conflict");

    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            "/api/v1/trainings",
            &json!({"title": "", "kind": "webinar", "held_on": "2026-13-01", "trainer": " ",
                    "document_id": "x", "competence_id": "y"}),
            unprocessable,
        )
        .await,
        [
            "title",
            "kind",
            "held_on",
            "trainer",
            "document_id",
            "competence_id"
        ]
    );
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            "/api/v1/trainings",
            &json!({"title": "Course", "kind": "course", "held_on": "2026-10-01",
                    "trainer": "Partner", "document_id": NOBODY, "competence_id": NOBODY}),
            unprocessable,
        )
        .await,
        ["document_id", "competence_id"],
        "they must exist"
    );
    let course = expect(
        &app,
        &w.ines,
        post.clone(),
        "/api/v1/trainings",
        &json!({"title": "ITIL 4 Foundation course", "kind": "course", "held_on": "2026-12-01",
                "trainer": "Training partner", "competence_id": id(&itil)}),
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/trainings/{}", id(&course));
    let attendance = format!("{path}/attendance");
    assert_eq!(
        refused(
            &app,
            &w.ines,
            put.clone(),
            &attendance,
            &json!({"attendees": [{"person_id": w.nina.id, "attended": true}]}),
            unprocessable,
        )
        .await,
        ["attendees[0]"],
        "nobody attends a training held next month"
    );
    let invited = expect(
        &app,
        &w.ines,
        put.clone(),
        &attendance,
        &json!({"attendees": [{"person_id": w.nina.id}, {"person_id": w.sven.id}]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(invited["invited"], 2, "invited ahead: {invited}");
    assert_eq!(
        refused(
            &app,
            &w.ines,
            put.clone(),
            &attendance,
            &json!({"attendees": [{"person_id": w.nina.id}, {"person_id": w.nina.id},
                                  {"person_id": "nobody"}]}),
            unprocessable,
        )
        .await,
        ["attendees[1]", "attendees[2]"]
    );
    assert_eq!(
        refused(
            &app,
            &w.ines,
            put.clone(),
            &attendance,
            &json!({"attendees": [{"person_id": w.nina.id}, {"person_id": NOBODY}]}),
            unprocessable,
        )
        .await,
        ["attendees[1]"],
        "there is no such person"
    );
    let unknown = refused(
        &app,
        &w.ines,
        put.clone(),
        &attendance,
        &json!({"attendees": [{"person_id": w.nina.id, "present": true}]}),
        unprocessable,
    )
    .await;
    assert!(
        unknown.len() == 1 && unknown[0].ends_with("present"),
        "an unknown field is named: {unknown:?}"
    );
    let fields = |held_on: &str, version: &Value| {
        json!({"title": "ITIL 4 Foundation course", "kind": "course", "held_on": held_on,
               "trainer": "Training partner", "competence_id": id(&itil), "version": version})
    };
    let held = expect(
        &app,
        &w.ines,
        patch.clone(),
        &path,
        &fields("2026-10-20", &invited["version"]),
        StatusCode::OK,
    )
    .await;
    let attended = expect(
        &app,
        &w.ines,
        put.clone(),
        &attendance,
        &json!({"attendees": [{"person_id": w.nina.id, "attended": true}],
                "version": held["version"]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        refused(
            &app,
            &w.ines,
            patch.clone(),
            &path,
            &fields("2026-12-01", &attended["version"]),
            unprocessable,
        )
        .await,
        ["held_on"],
        "Nina attended it already"
    );

    let holders = format!("{competence}/holders");
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            &holders,
            &json!({"obtained_on": "2026-11-03", "expires_on": "soon"}),
            unprocessable,
        )
        .await,
        ["person_id", "obtained_on", "expires_on"]
    );
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            &holders,
            &json!({"person_id": w.sven.id, "obtained_on": "2026-01-01", "expires_on": "2026-01-01"}),
            unprocessable,
        )
        .await,
        ["expires_on"],
        "it expires after it is obtained"
    );
    assert_eq!(
        refused(
            &app,
            &w.ines,
            post.clone(),
            &holders,
            &json!({"person_id": NOBODY, "obtained_on": "2026-01-01"}),
            unprocessable,
        )
        .await,
        ["person_id"]
    );
    let ninas = app.read_as(&w.ines.token, &competence).await["holders"][0].clone();
    assert_eq!(ninas["person"]["name"], "Nina Keller", "from the course");
    assert_eq!(
        ninas["expires_on"],
        Value::Null,
        "ITIL 4 Foundation does not expire"
    );
    let holding = format!("{holders}/{}", id(&ninas));
    assert_eq!(
        refused(
            &app,
            &w.ines,
            patch.clone(),
            &holding,
            &json!({"person_id": w.sven.id, "obtained_on": "2026-10-20"}),
            unprocessable,
        )
        .await,
        ["person_id"],
        "a holding keeps its person"
    );
    let other = expect(
        &app,
        &w.ines,
        post.clone(),
        "/api/v1/competences",
        &json!({"name": "Certified cloud security professional", "validity_months": 36}),
        StatusCode::CREATED,
    )
    .await;
    let elsewhere = format!("/api/v1/competences/{}/holders/{}", id(&other), id(&ninas));
    expect(
        &app,
        &w.ines,
        patch,
        &elsewhere,
        &json!({"obtained_on": "2026-10-20"}),
        StatusCode::NOT_FOUND,
    )
    .await;
    expect(
        &app,
        &w.ines,
        Method::DELETE,
        &elsewhere,
        &Value::Null,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.count("isms_held_competences").await, 1);
}

async fn reading_needs_isms_read_and_writing_isms_write(app: TestApp) {
    let w = world(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let david = app
        .member(
            &beta,
            "David Chen",
            "david@beta.test",
            &[Role::CustomerUser],
        )
        .await;
    let awareness = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/competences",
        &json!({"name": "Annual security awareness training", "validity_months": 12,
                "roles": ["engineer"]}),
        StatusCode::CREATED,
    )
    .await;
    let competence = format!("/api/v1/competences/{}", id(&awareness));
    let training = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/trainings",
        &json!({"title": "Security awareness 2026", "kind": "session", "held_on": "2026-10-01",
                "trainer": "Ines Kraus", "competence_id": id(&awareness)}),
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/trainings/{}", id(&training));
    let holding = expect(
        &app,
        &w.ines,
        Method::POST,
        &format!("{competence}/holders"),
        &json!({"person_id": w.sven.id, "obtained_on": "2026-10-01"}),
        StatusCode::CREATED,
    )
    .await;
    let holding = format!("{competence}/holders/{}", id(&holding));
    let writes = "audit_entries WHERE action <> 'read' AND entity <> 'api-token'";
    let before = app.count(writes).await;
    let reads = [
        "/api/v1/trainings".to_owned(),
        path.clone(),
        "/api/v1/competences".to_owned(),
        competence.clone(),
        "/api/v1/competences/shortfall".to_owned(),
    ];
    for read in &reads {
        for who in [&w.nina, &w.sven, &david] {
            expect(
                &app,
                who,
                Method::GET,
                read,
                &Value::Null,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        app.read_as(&w.maria.token, read).await;
    }
    let body = json!({});
    for (method, target) in [
        (Method::POST, "/api/v1/trainings".to_owned()),
        (Method::PATCH, path.clone()),
        (Method::PUT, format!("{path}/attendance")),
        (Method::POST, "/api/v1/competences".to_owned()),
        (Method::PATCH, competence.clone()),
        (Method::POST, format!("{competence}/holders")),
        (Method::PATCH, holding.clone()),
        (Method::DELETE, holding.clone()),
    ] {
        for who in [&w.maria, &w.nina, &david] {
            expect(
                &app,
                who,
                method.clone(),
                &target,
                &body,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
    }
    assert_eq!(app.count(writes).await, before, "nothing was written");
}

async fn holdings_recorded_by_hand_expire_and_leave_the_shortfall(app: TestApp) {
    let w = world(&app).await;
    let cloud = expect(
        &app,
        &w.ines,
        Method::POST,
        "/api/v1/competences",
        &json!({"name": "Certified cloud security professional", "validity_months": 36,
                "roles": ["ciso", "engineer"]}),
        StatusCode::CREATED,
    )
    .await;
    let competence = format!("/api/v1/competences/{}", id(&cloud));
    let holders = format!("{competence}/holders");
    let svens = expect(
        &app,
        &w.ines,
        Method::POST,
        &holders,
        &json!({"person_id": w.sven.id, "obtained_on": "2023-06-01",
                "evidence": "Certificate 2031-557"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(svens["expires_on"], "2026-06-01", "36 months later");
    assert_eq!(svens["standing"], "expired");
    assert_eq!(svens["training"], Value::Null, "recorded by hand");
    let ines = expect(
        &app,
        &w.ines,
        Method::POST,
        &holders,
        &json!({"person_id": w.ines.id, "obtained_on": "2024-01-15",
                "expires_on": "2026-11-20", "evidence": "Certificate 2029-118"}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        ines["expires_on"], "2026-11-20",
        "the expiry given overrides"
    );
    assert_eq!(ines["standing"], "expiring", "within 30 days");

    let report = app
        .read_as(&w.maria.token, "/api/v1/competences/shortfall")
        .await;
    let gaps = &report["by_competence"][0]["shortfalls"];
    assert_eq!(
        names(gaps, "person"),
        ["Ines Kraus", "Sven Richter"],
        "{report}"
    );
    assert_eq!(
        (gaps[0]["gap"].as_str(), gaps[0]["expires_on"].as_str()),
        (Some("expiring"), Some("2026-11-20"))
    );
    assert_eq!(gaps[0]["because"], json!(["ciso"]));
    assert_eq!(
        (gaps[1]["gap"].as_str(), gaps[1]["expires_on"].as_str()),
        (Some("expired"), Some("2026-06-01"))
    );
    assert_eq!(
        names(&report["by_person"], "person"),
        ["Ines Kraus", "Sven Richter"]
    );

    // Sven renewed: the new date gives the new expiry.
    let sven_path = format!("{holders}/{}", id(&svens));
    let renewed = expect(
        &app,
        &w.ines,
        Method::PATCH,
        &sven_path,
        &json!({"obtained_on": "2026-06-01", "evidence": "Certificate 2031-557, renewed",
                "version": svens["version"]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(renewed["expires_on"], "2029-06-01");
    assert_eq!(renewed["standing"], Value::Null);
    assert_eq!(renewed["person"]["name"], "Sven Richter");
    expect(
        &app,
        &w.ines,
        Method::PATCH,
        &sven_path,
        &json!({"obtained_on": "2026-06-02", "version": svens["version"]}),
        StatusCode::CONFLICT,
    )
    .await;

    // Ines's entry was a mistake: without it, she falls short altogether.
    let ines_path = format!("{holders}/{}", id(&ines));
    expect(
        &app,
        &w.ines,
        Method::DELETE,
        &ines_path,
        &Value::Null,
        StatusCode::NO_CONTENT,
    )
    .await;
    expect(
        &app,
        &w.ines,
        Method::DELETE,
        &ines_path,
        &Value::Null,
        StatusCode::NOT_FOUND,
    )
    .await;
    let held = app.read_as(&w.maria.token, &competence).await;
    assert_eq!(names(&held["holders"], "person"), ["Sven Richter"]);
    let report = app
        .read_as(&w.maria.token, "/api/v1/competences/shortfall")
        .await;
    let gaps = &report["by_person"];
    assert_eq!(names(gaps, "person"), ["Ines Kraus"], "{report}");
    assert_eq!(gaps[0]["shortfalls"][0]["gap"], "missing");

    for (action, count) in [("create", 2), ("update", 1), ("delete", 1)] {
        assert_eq!(
            app.count(&format!(
                "audit_entries WHERE entity = 'held competence' AND action = '{action}'"
            ))
            .await,
            count,
            "{action}"
        );
    }
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'held competence' AND action = 'delete' \
             AND changes LIKE '%Certificate 2029-118%'"
        )
        .await,
        1,
        "the removed holding, with its evidence"
    );
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'held competence' AND action = 'update' \
             AND changes LIKE '%2029-06-01%'"
        )
        .await,
        1,
        "the new expiry"
    );
}

async fn the_demo_shows_who_falls_short_and_the_pages_record_attendance(app: TestApp) {
    let report = app.read("/api/v1/competences/shortfall").await;
    assert_eq!(report["people"], 9, "Alpha's staff with a role: {report}");
    let found: Vec<(String, String, String)> = report["by_person"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["shortfalls"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["person"]["name"].as_str().unwrap().to_owned(),
                s["competence"]["name"].as_str().unwrap().to_owned(),
                s["gap"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (
            "Erik Vogel",
            "Annual security awareness training",
            "missing",
        ),
        (
            "Ines Kraus",
            "Certified cloud security professional",
            "expiring",
        ),
        ("Lena Wolf", "Annual security awareness training", "expired"),
        (
            "Lena Wolf",
            "Certified cloud security professional",
            "missing",
        ),
        (
            "Sven Richter",
            "Certified cloud security professional",
            "expired",
        ),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(found, expected);
    let erik = report["by_person"][0]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let trainings = app.read("/api/v1/trainings").await;
    let items = trainings["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{trainings}");
    let this_year = &items[0];
    assert!(
        this_year["title"]
            .as_str()
            .unwrap()
            .starts_with("Information security awareness"),
        "{this_year}"
    );
    assert_eq!(
        this_year["document"]["name"],
        "DOC-000001 Information security policy"
    );
    assert_eq!(
        (
            this_year["attended"].as_u64(),
            this_year["invited"].as_u64()
        ),
        (Some(7), Some(9)),
        "not everyone came"
    );

    let ines = app.demo_session("ines.kraus@alpha.example").await;
    let page = app.page_as(&ines, "/isms/competences/shortfall").await;
    for text in [
        "Lena Wolf",
        "Erik Vogel",
        "Expired",
        "Missing",
        "Expires soon",
    ] {
        assert!(page.contains(text), "{text} in {page}");
    }
    let training = format!("/isms/trainings/{}", id(this_year));
    let page = app.page_as(&ines, &training).await;
    assert!(
        page.contains("7 of 9 invited") && page.contains("Information security policy"),
        "{page}"
    );

    // Erik attended after all: the attendance form records him, and he falls short no more.
    let detail = app
        .read(&format!("/api/v1/trainings/{}", id(this_year)))
        .await;
    let mut fields: Vec<(String, String)> = vec![
        ("version".to_owned(), detail["version"].to_string()),
        ("invited".to_owned(), erik.clone()),
        ("attended".to_owned(), erik.clone()),
    ];
    for a in detail["attendees"].as_array().unwrap() {
        let person = a["person"]["id"].as_str().unwrap().to_owned();
        fields.push(("invited".to_owned(), person.clone()));
        if a["attended"] == true {
            fields.push(("attended".to_owned(), person));
        }
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = app
        .post_as(&ines, &format!("{training}/attendance"), &fields)
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()["location"], training.as_str());
    let report = app.read("/api/v1/competences/shortfall").await;
    assert!(
        !names(&report["by_person"], "person").contains(&"Erik Vogel".to_owned()),
        "{report}"
    );
    let page = app.page_as(&ines, &training).await;
    assert!(page.contains("8 of 10 invited"), "{page}");

    // A refused form shows each error next to its field.
    let rejected = app
        .post_as(
            &ines,
            "/isms/competences",
            &[("name", ""), ("validity_months", "0")],
        )
        .await;
    assert_eq!(rejected.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = rejected.text().await.unwrap();
    assert!(
        page.contains("id=\"name-error\"") && page.contains("id=\"validity_months-error\""),
        "{page}"
    );
}
