//! Service levels: business-hours calendars through the API and the pages, and the working-time
//! calculator, on both engines.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, error_fields};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines!(
    agreements_bind_the_right_party_and_simulate_their_clocks,
    services_list_their_customers,
    agreement_forms_show_errors_next_to_their_fields,
    calendars_are_created_read_changed_and_deleted,
    calendars_without_working_time_are_refused_and_nothing_is_stored,
    the_calculator_leaves_out_nights_weekends_holidays_and_pauses,
    calendar_forms_show_errors_next_to_their_fields,
);

on_both_engines_with_demo!(
    engineers_read_calendars_and_only_service_managers_change_them,
    the_demo_agreements_show_their_terms_and_due_reviews,
);

/// A Berlin office calendar; its id.
async fn berlin_office(app: &TestApp) -> String {
    let (status, created) = app.post_json("/api/v1/calendars", &office()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

fn sla(name: &str, organisation: &str, calendar: &str) -> Value {
    json!({
        "name": name,
        "kind": "sla",
        "organisation_id": organisation,
        "calendar_id": calendar,
        "targets": {"p1": {"first_response": 15, "update": "1h", "resolution": "4h"},
                    "p2": {"first_response": "30m", "resolution": "8h"}},
        "availability_target": "99.9",
        "monthly_fee": "12000",
        "penalty_per_missed_target": "2",
        "penalty_cap": "30",
        "security_requirements": ["Encrypt video streams"],
        "next_review": "2027-05-01"
    })
}

async fn agreements_bind_the_right_party_and_simulate_their_clocks(app: TestApp) {
    let calendar = berlin_office(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let vidcom = app.organisation("Vidcom Systems", "supplier").await;
    let (status, created) = app
        .post_json("/api/v1/agreements", &sla("Beta SLA", &beta, &calendar))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["targets"]["p1"]["resolution"], 240);
    assert_eq!(created["targets"]["p4"]["resolution"], Value::Null);
    assert_eq!(created["organisation"]["name"], "Beta Technologies");
    let id = created["id"].as_str().unwrap();

    let (status, body) = app
        .post_json(
            "/api/v1/agreements",
            &sla("Wrong party", &vidcom, &calendar),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body).1,
        ["organisation_id"],
        "an SLA is with a customer"
    );
    let mut ola = sla("Team OLA", &beta, &calendar);
    ola["kind"] = json!("ola");
    let (status, body) = app.post_json("/api/v1/agreements", &ola).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["team_id", "organisation_id"]);
    let mut broken = sla("Broken", &beta, &calendar);
    broken["targets"]["p3"] = json!({"resolution": "soon"});
    broken["penalty_per_tenth_below_availability"] = json!("5");
    broken["availability_target"] = json!("");
    let (_, body) = app.post_json("/api/v1/agreements", &broken).await;
    assert_eq!(
        error_fields(&body).1,
        ["p3_resolution", "availability_target"]
    );
    assert_eq!(
        app.count("agreements").await,
        1,
        "refused agreements are not stored"
    );

    // A P1 opened Friday 17:30 in Berlin (16:30 UTC).
    let (status, clocks) = app
        .post_json(
            &format!("/api/v1/agreements/{id}/simulate"),
            &json!({"priority": "p1", "start": "2026-11-27T16:30:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{clocks}");
    assert_eq!(clocks[0]["metric"], "first_response");
    assert_eq!(clocks[0]["due"], "2026-11-27T16:45:00Z");
    assert_eq!(clocks[0]["warning"], "2026-11-27T16:42:00Z");
    assert_eq!(
        clocks[2]["due"], "2026-11-30T10:30:00Z",
        "Monday 11:30 in Berlin"
    );
    assert_eq!(clocks[2]["due_local"], "Mon 2026-11-30 11:30 CET");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/agreements/{id}/simulate"),
            &json!({"priority": "p9", "start": "2026-11-27T16:30:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["priority"]);
    let page = app
        .read_text(&format!(
            "/agreements/{id}?priority=p1&start=2026-11-27T17%3A30"
        ))
        .await;
    assert!(
        page.contains("id=\"simulation\"") && page.contains("Mon 2026-11-30 11:30 CET"),
        "{page}"
    );

    let mut changed = sla("Beta SLA", &beta, &calendar);
    changed["targets"]["p1"]["resolution"] = json!("2h");
    let request = app
        .request(Method::PUT, &format!("/api/v1/agreements/{id}"))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(request.status(), StatusCode::OK);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'agreement' AND action = 'update' AND changes LIKE '%p1_resolution%'")
            .await,
        1,
        "the changed target is in the trail"
    );
    let refused = app.delete(&format!("/api/v1/calendars/{calendar}")).await;
    assert_eq!(refused, StatusCode::CONFLICT, "a calendar in use stays");
    assert_eq!(
        app.delete(&format!("/api/v1/agreements/{id}")).await,
        StatusCode::NO_CONTENT
    );
}

async fn services_list_their_customers(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let vidcom = app.organisation("Vidcom Systems", "supplier").await;
    let (status, body) = app
        .post_json(
            "/api/v1/services",
            &json!({"name": "Video", "kind": "saas", "customers": [vidcom]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["customers[0]"]);
    let (status, created) = app
        .post_json(
            "/api/v1/services",
            &json!({"name": "Video", "kind": "saas", "customers": [beta], "boundaries": "Alpha runs the platform."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["customers"][0]["name"], "Beta Technologies");
    let id = created["id"].as_str().unwrap();
    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/services/{id}"),
            &json!({"customers": [], "kind": "paas"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["customers"], json!([]));
    assert_eq!(changed["kind"], "paas");
    let page = app.read_text("/services").await;
    assert!(page.contains("Platform (PaaS)"));
}

async fn agreement_forms_show_errors_next_to_their_fields(app: TestApp) {
    let calendar = berlin_office(&app).await;
    let response = app
        .post_form(
            "/agreements",
            &[
                ("name", "Half done"),
                ("kind", "sla"),
                ("calendar_id", &calendar),
                ("p1_first_response", "whenever"),
                ("next_review", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"p1_first_response-error\""), "{html}");
    assert!(html.contains("id=\"organisation_id-error\""));
    assert!(
        html.contains("value=\"whenever\""),
        "what was typed is kept"
    );
    assert_eq!(app.count("agreements").await, 0);
}

async fn the_demo_agreements_show_their_terms_and_due_reviews(app: TestApp) {
    let maria = app.demo_session("maria.schmidt@alpha.example").await;
    let home = app.page_as(&maria, "/").await;
    assert!(
        home.contains("Agreement reviews due")
            && home.contains("Vidcom: video equipment support contract")
    );
    let list = app.page_as(&maria, "/agreements").await;
    assert!(
        list.contains("Beta Technologies: HD video conferencing SLA")
            && list.contains("review due")
    );
    let agreements = app.read("/api/v1/agreements").await;
    let sla = agreements
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "sla")
        .unwrap();
    assert_eq!(sla["availability_target"], "99.9");
    assert_eq!(sla["security_requirements"].as_array().unwrap().len(), 4);
    let page = app
        .page_as(
            &maria,
            &format!("/agreements/{}", sla["id"].as_str().unwrap()),
        )
        .await;
    assert!(page.contains("2 % of the fee per missed response or resolution target"));
    let david = app.token_of("david.chen@beta.example").await;
    let (status, _) = app.get_json_as(&david, "/api/v1/agreements").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn office() -> Value {
    json!({
        "name": "Office",
        "time_zone": "Europe/Berlin",
        "week": {"monday": "08:00-18:00", "tuesday": "08:00-18:00", "wednesday": "08:00-18:00",
                 "thursday": "08:00-18:00", "friday": "08:00-18:00"},
        "holidays": ["12-25 Christmas Day", "2026-12-24 Christmas Eve"]
    })
}

async fn calendars_are_created_read_changed_and_deleted(app: TestApp) {
    let (status, created) = app.post_json("/api/v1/calendars", &office()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["weekly_minutes"], 5 * 600);
    assert_eq!(created["week"]["saturday"], "");
    assert_eq!(created["holidays"][1], "2026-12-24 Christmas Eve");
    let id = created["id"].as_str().unwrap();

    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/calendars/{id}"),
            &json!({"week": {"monday": "13:00-17:00, 08:00-12:00"}, "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["week"]["monday"], "08:00-12:00, 13:00-17:00");
    assert_eq!(changed["week"]["tuesday"], "", "the week is replaced whole");
    assert_eq!(changed["version"], 2);
    let (status, stale) = app
        .patch_json(
            &format!("/api/v1/calendars/{id}"),
            &json!({"name": "Late", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");

    let (status, _) = app.post_json("/api/v1/calendars", &office()).await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique");

    let list = app.read("/api/v1/calendars").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'calendar'").await,
        2,
        "creation and change are in the trail"
    );
    assert_eq!(
        app.delete(&format!("/api/v1/calendars/{id}")).await,
        StatusCode::NO_CONTENT
    );
    let (status, _) = app.get_json(&format!("/api/v1/calendars/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn calendars_without_working_time_are_refused_and_nothing_is_stored(app: TestApp) {
    let mut idle = office();
    idle["week"] = json!({});
    let (status, body) = app.post_json("/api/v1/calendars", &idle).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ("invalid".into(), vec!["monday".into()])
    );
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no working time")
    );

    let mut bad = office();
    bad["time_zone"] = json!("Europe/Atlantis");
    bad["week"]["friday"] = json!("18:00-08:00");
    bad["holidays"] = json!(["13-01 Nothing"]);
    let (status, body) = app.post_json("/api/v1/calendars", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, fields) = error_fields(&body);
    assert_eq!(
        fields,
        ["time_zone", "friday", "holidays"],
        "every field at once"
    );
    assert_eq!(app.count("calendars").await, 0);
}

async fn the_calculator_leaves_out_nights_weekends_holidays_and_pauses(app: TestApp) {
    let created = app
        .created(
            "/api/v1/calendars",
            &json!({"name": "UTC office", "time_zone": "UTC",
                    "week": {"monday": "08:00-18:00", "tuesday": "08:00-18:00", "wednesday": "08:00-18:00",
                             "thursday": "08:00-18:00", "friday": "08:00-18:00"}}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let due = |body: Value| {
        let app = &app;
        let path = format!("/api/v1/calendars/{id}/due");
        async move { app.post_json(&path, &body).await }
    };
    let (status, answer) = due(json!({"start": "2026-11-27T16:00:00Z", "minutes": 240})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["due"], "2026-11-30T10:00:00Z",
        "Friday 16:00 + 4 h: Monday 10:00"
    );
    assert_eq!(answer["due_local"], "Mon 2026-11-30 10:00 UTC");
    let (status, paused) = due(json!({"start": "2026-11-23T08:00:00Z", "minutes": 120,
        "pauses": [{"from": "2026-11-23T09:00:00Z", "until": "2026-11-23T10:05:00Z"}]}))
    .await;
    assert_eq!(status, StatusCode::OK, "{paused}");
    assert_eq!(paused["due"], "2026-11-23T11:05:00Z");
    let (status, stopped) = due(json!({"start": "2026-11-23T08:00:00Z", "minutes": 120,
        "pauses": [{"from": "2026-11-23T09:00:00Z"}]}))
    .await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(
        stopped["due"],
        Value::Null,
        "a running pause stops the clock"
    );
    let (status, body) = due(json!({"start": "2026-11-23T08:00:00Z", "minutes": 60,
        "pauses": [{"from": "2026-11-23T09:00:00Z", "until": "2026-11-23T08:00:00Z"}]}))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["pauses[0].until"]);

    let page = app
        .read_text(&format!(
            "/calendars/{id}?start=2026-11-27T16%3A00&minutes=240"
        ))
        .await;
    assert!(page.contains("are up Mon 2026-11-30 10:00 UTC"), "{page}");
    let confused = app
        .read_text(&format!("/calendars/{id}?start=friday&minutes=240"))
        .await;
    assert!(confused.contains("id=\"question-error\""));
}

async fn calendar_forms_show_errors_next_to_their_fields(app: TestApp) {
    let response = app
        .post_form(
            "/calendars",
            &[("name", "Empty"), ("time_zone", "UTC"), ("version", "0")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"monday-error\"") && html.contains("no working time"));
    assert_eq!(app.count("calendars").await, 0);
    let saved = app
        .post_form(
            "/calendars",
            &[
                ("name", "Weekdays"),
                ("time_zone", "Europe/Berlin"),
                ("monday", "09:00-17:00"),
                ("holidays", "12-25 Christmas Day"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let show = app
        .read_text(saved.headers()["location"].to_str().unwrap())
        .await;
    assert!(show.contains("09:00-17:00") && show.contains("12-25 Christmas Day"));
}

async fn engineers_read_calendars_and_only_service_managers_change_them(app: TestApp) {
    let sven = app.token_of("sven.richter@alpha.example").await;
    let (status, list) = app.get_json_as(&sven, "/api/v1/calendars").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Alpha Munich business hours",
            "Alpha San José business hours",
            "Round the clock"
        ]
    );
    let refused = app
        .request_as(&sven, Method::POST, "/api/v1/calendars")
        .json(&office())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let maria = app.token_of("maria.schmidt@alpha.example").await;
    let allowed = app
        .request_as(&maria, Method::POST, "/api/v1/calendars")
        .json(&office())
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::CREATED);
    let david = app.token_of("david.chen@beta.example").await;
    let (status, _) = app.get_json_as(&david, "/api/v1/calendars").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "customers do not see the provider's calendars"
    );
}
