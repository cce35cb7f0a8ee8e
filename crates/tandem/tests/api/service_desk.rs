//! The service desk: tickets opened by customers and agents, the state model, SLA clocks that
//! pause while waiting, the thread with internal notes, and the portal's isolation, on both
//! engines.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_kernel::{Clock, Role};

use crate::harness::{TestApp, error_fields};
use crate::{on_both_engines, on_both_engines_with_demo};

on_both_engines_with_demo!(the_demo_desk_has_months_of_tickets_for_each_customer);

on_both_engines!(
    the_update_clock_escalates_again_in_each_cycle,
    the_desk_filters_saves_views_and_changes_tickets_in_bulk,
    files_are_attached_checked_and_downloaded_within_the_tenant,
    the_priority_matrix_is_configured_and_followed,
    problems_record_the_known_error_and_link_their_incidents,
    clocks_follow_a_changed_agreement_from_the_stored_pauses,
    escalation_steps_fire_once_in_working_time,
    escalation_keeps_the_assignee_and_catches_up_once,
    only_the_providers_staff_who_work_tickets_are_assignees,
    time_is_recorded_billed_and_reported_by_month,
    the_report_of_a_month_that_has_not_ended_counts_only_what_fell_due,
    a_ticket_runs_its_clocks_from_opening_to_resolution,
    customers_reach_only_their_organisations_tickets,
    customers_choose_only_their_own_services_and_no_team,
    customers_write_through_the_portal_only,
    the_desk_pages_show_queues_clocks_and_the_thread,
);

/// Beta with an SLA on a UTC office calendar (Mon–Fri 08:00–18:00): P3 (medium × medium) has
/// 30 min first response, 2 h update, 4 h resolution. Returns Beta's id and a customer
/// user's token.
async fn world(app: &TestApp) -> (String, String) {
    world_with(app, json!({})).await
}

/// [`world`], with `terms` added to the SLA's.
async fn world_with(app: &TestApp, terms: Value) -> (String, String) {
    let calendar = app
        .created(
            "/api/v1/calendars",
            &json!({"name": "UTC office", "time_zone": "UTC",
                    "week": {"monday": "08:00-18:00", "tuesday": "08:00-18:00", "wednesday": "08:00-18:00",
                             "thursday": "08:00-18:00", "friday": "08:00-18:00"}}),
        )
        .await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    let mut body = json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta, "calendar_id": calendar["id"],
                          "targets": {"p3": {"first_response": 30, "update": "2h", "resolution": "4h"}},
                          "next_review": "2027-05-01"});
    body.as_object_mut()
        .unwrap()
        .extend(terms.as_object().unwrap().clone());
    let (status, sla) = app.post_json("/api/v1/agreements", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{sla}");
    app.person(&beta, "David Chen", "david@beta.example").await;
    let david = app
        .token_for("david@beta.example", &[Role::CustomerUser])
        .await;
    (beta, david)
}

async fn post_as(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .request_as(token, Method::POST, path)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Opens a ticket from `body` with API token `token`; it must be created.
async fn opened_as(app: &TestApp, token: &str, body: &Value) -> Value {
    let (status, ticket) = post_as(app, token, "/api/v1/tickets", body).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket
}

async fn a_ticket_runs_its_clocks_from_opening_to_resolution(app: TestApp) {
    let (_, david) = world(&app).await;
    // Monday 2026-11-02 09:00 UTC (the harness's clock).
    let (status, ticket) = post_as(
        &app,
        &david,
        "/api/v1/tickets",
        &json!({"kind": "incident", "title": "Room 3 has no sound", "description": "Since this morning."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert_eq!(ticket["number"], "T-000001");
    assert_eq!(ticket["priority"], "p3");
    assert_eq!(ticket["agreement"]["name"], "Beta SLA");
    assert_eq!(ticket["response_due"], "2026-11-02T09:30:00Z");
    assert_eq!(ticket["update_due"], "2026-11-02T11:00:00Z");
    assert_eq!(ticket["resolution_due"], "2026-11-02T13:00:00Z");
    let id = ticket["id"].as_str().unwrap();
    let path = format!("/api/v1/tickets/{id}");

    app.clock.advance(time::Duration::minutes(10));
    let (status, _) = app
        .post_json(
            &format!("{path}/articles"),
            &json!({"body": "Checking the room's codec.", "visibility": "internal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let read = app.read(&path).await;
    assert_eq!(
        read["first_response_at"],
        Value::Null,
        "an internal note is no response"
    );
    app.clock.advance(time::Duration::minutes(5));
    app.created(
        &format!("{path}/articles"),
        &json!({"body": "We are on it; please restart the codec.", "channel": "phone"}),
    )
    .await;
    let read = app.read(&path).await;
    assert_eq!(
        read["first_response_at"], "2026-11-02T09:15:00Z",
        "a phone answer counts"
    );
    assert_eq!(read["update_due"], "2026-11-02T11:15:00Z");

    // Waiting for the customer from 09:30 to 10:30: the clocks stand still for that hour.
    app.clock.advance(time::Duration::minutes(15));
    let (status, waiting) = app
        .patch_json(&path, &json!({"state": "waiting-for-customer"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{waiting}");
    assert_eq!(waiting["update_due"], Value::Null);
    assert_eq!(waiting["resolution_due"], Value::Null);
    app.clock.advance(time::Duration::hours(1));
    let (status, reply) = post_as(
        &app,
        &david,
        &format!("{path}/articles"),
        &json!({"body": "Restarted, still no sound."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let back = app.updated(&path, &json!({"state": "in-progress"})).await;
    assert_eq!(
        back["resolution_due"], "2026-11-02T14:00:00Z",
        "an hour later than without the wait"
    );
    assert_eq!(
        back["update_due"], "2026-11-02T12:30:00Z",
        "from the customer's unanswered article"
    );

    let (status, refused) = app.patch_json(&path, &json!({"state": "new"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("it can become")
    );

    app.clock.advance(time::Duration::hours(4));
    let late = app.read(&path).await;
    assert_eq!(late["breached"], json!(["update", "resolution"]), "{late}");
    let resolved = app.updated(&path, &json!({"state": "resolved"})).await;
    assert_eq!(
        resolved["resolution_due"], "2026-11-02T14:00:00Z",
        "kept for the report"
    );
    assert_eq!(resolved["breached"], json!(["resolution"]));
    let breached = app.read("/api/v1/tickets?breached=true").await;
    assert_eq!(
        breached["items"].as_array().unwrap().len(),
        0,
        "resolved tickets leave the queue"
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'ticket' AND action = 'update'")
            .await,
        3
    );
}

async fn customers_reach_only_their_organisations_tickets(app: TestApp) {
    let (_, david) = world(&app).await;
    let gamma = app.organisation("Gamma Logistics", "customer").await;
    app.person(&gamma, "Anna Lindqvist", "anna@gamma.example")
        .await;
    let anna = app
        .token_for("anna@gamma.example", &[Role::CustomerUser])
        .await;
    let beta_ticket = opened_as(&app, &david,
        &json!({"kind": "service-request", "title": "New room", "description": "Please set up room 4.", "organisation_id": gamma})).await;
    assert_eq!(
        beta_ticket["organisation"]["name"], "Beta Technologies",
        "a customer's ticket is their own organisation's"
    );
    let id = beta_ticket["id"].as_str().unwrap();

    let (status, _) = app
        .get_json_as(&anna, &format!("/api/v1/tickets/{id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list = app.read_as(&anna, "/api/v1/tickets?open=false").await;
    assert_eq!(list["items"], json!([]));
    let (status, _) = post_as(
        &app,
        &anna,
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Mine now"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let refused = app
        .request_as(&david, Method::PATCH, &format!("/api/v1/tickets/{id}"))
        .json(&json!({"state": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "customers do not work tickets"
    );
    let (status, body) = post_as(
        &app,
        &david,
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "psst", "visibility": "internal"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["visibility"]);

    app.created(
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Vendor contacted.", "visibility": "internal"}),
    )
    .await;
    let seen = app.read_as(&david, &format!("/api/v1/tickets/{id}")).await;
    let bodies: Vec<&str> = seen["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Please set up room 4."],
        "internal notes stay inside"
    );
    let staff = app.read(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(staff["articles"].as_array().unwrap().len(), 2);

    // Search finds titles, public articles and numbers; internal notes only for staff.
    let found = |token: Option<&'static str>, q: &'static str| {
        let app = &app;
        let david = david.clone();
        async move {
            let path = format!("/api/v1/tickets?open=false&q={q}");
            let list = match token {
                Some(_) => app.read_as(&david, &path).await,
                None => app.read(&path).await,
            };
            list["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(
        found(None, "ROOM%204").await,
        1,
        "in a public article, any case"
    );
    assert_eq!(
        found(None, "vendor").await,
        1,
        "staff search internal notes"
    );
    assert_eq!(found(Some("david"), "vendor").await, 0, "customers do not");
    assert_eq!(found(Some("david"), "T-000001").await, 1, "by number");
    assert_eq!(found(Some("david"), "100%25").await, 0, "% is literal");
}

/// A new ticket's body, with `more` fields.
fn opening(more: Value) -> Value {
    let mut body = json!({"kind": "incident", "title": "No video in room 3", "description": "Since this morning."});
    if let (Some(fields), Some(more)) = (body.as_object_mut(), more.as_object()) {
        fields.extend(more.clone());
    }
    body
}

/// A service whose customers are `customers`, made through the API; returns its id.
async fn service(app: &TestApp, name: &str, customers: &[&str]) -> String {
    let (status, created) = app
        .post_json(
            "/api/v1/services",
            &json!({"name": name, "kind": "saas", "customers": customers}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn customers_choose_only_their_own_services_and_no_team(app: TestApp) {
    let (beta, david) = world(&app).await;
    let gamma = app.organisation("Gamma Logistics", "customer").await;
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let video = service(&app, "HD video conferencing", &[beta.as_str()]).await;
    let tracking = service(&app, "Fleet tracking", &[gamma.as_str()]).await;
    let (status, team) = app
        .post_json(
            "/api/v1/teams",
            &json!({"organisation_id": alpha, "name": "Service Desk", "level": "first_level"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team = team["id"].as_str().unwrap().to_owned();
    let tickets = app.count("tickets").await;

    // Another customer's service and an id nobody has get the same answer, so a customer
    // cannot find out which services exist.
    let (status, foreign) = post_as(
        &app,
        &david,
        "/api/v1/tickets",
        &opening(json!({"service_id": tracking})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{foreign}");
    assert_eq!(error_fields(&foreign).1, ["service_id"]);
    let (status, unknown) = post_as(
        &app,
        &david,
        "/api/v1/tickets",
        &opening(json!({"service_id": uuid::Uuid::now_v7().to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");
    assert_eq!(
        foreign, unknown,
        "a foreign service answers as an unknown one"
    );

    // The desk routes a customer's ticket: any team is refused, a real one or not.
    for team_id in [team.clone(), uuid::Uuid::now_v7().to_string()] {
        let (status, routed) = post_as(
            &app,
            &david,
            "/api/v1/tickets",
            &opening(json!({"team_id": team_id})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{routed}");
        assert_eq!(error_fields(&routed).1, ["team_id"], "{routed}");
    }
    assert_eq!(app.count("tickets").await, tickets, "nothing was opened");

    // Their own organisation's service is theirs to name.
    let (status, own) = post_as(
        &app,
        &david,
        "/api/v1/tickets",
        &opening(json!({"service_id": video})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    assert_eq!(own["service"]["name"], "HD video conferencing");
    assert_eq!(own["organisation"]["name"], "Beta Technologies");
    assert_eq!(own["team"], Value::Null);

    // Staff still name any service and team.
    let (status, staff) = app
        .post_json(
            "/api/v1/tickets",
            &opening(json!({"organisation_id": beta, "service_id": tracking, "team_id": team})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{staff}");
    assert_eq!(staff["service"]["name"], "Fleet tracking");
    assert_eq!(staff["team"]["name"], "Service Desk");
}

async fn customers_write_through_the_portal_only(app: TestApp) {
    let (beta, david) = world(&app).await;
    let (status, ticket) = post_as(&app, &david, "/api/v1/tickets", &opening(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let id = ticket["id"].as_str().unwrap().to_owned();
    let articles = app.count("ticket_articles").await;
    let tickets = app.count("tickets").await;

    let thread = format!("/api/v1/tickets/{id}/articles");
    for channel in ["system", "phone", "note", "e-mail"] {
        for (path, body) in [
            (
                thread.as_str(),
                json!({"body": "The desk said so on the phone.", "channel": channel}),
            ),
            ("/api/v1/tickets", opening(json!({"channel": channel}))),
        ] {
            let (status, refused) = post_as(&app, &david, path, &body).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {channel}: {refused}"
            );
            assert_eq!(
                error_fields(&refused).1,
                ["channel"],
                "{path} {channel}: {refused}"
            );
        }
    }
    assert_eq!(
        app.count("ticket_articles").await,
        articles,
        "no article was stored"
    );
    assert_eq!(app.count("tickets").await, tickets, "no ticket was opened");

    let (status, reply) = post_as(
        &app,
        &david,
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Still no video.", "channel": "portal"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // Staff keep every channel, on articles and on tickets they open.
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/tickets/{id}/articles"),
            &json!({"body": "Called back; the codec restarts.", "channel": "phone"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (status, taken) = app
        .post_json(
            "/api/v1/tickets",
            &opening(json!({"organisation_id": beta, "channel": "system"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let thread = app.read(&format!("/api/v1/tickets/{id}")).await;
    let channels: Vec<&str> = thread["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["portal", "portal", "phone"]);
}

async fn the_desk_pages_show_queues_clocks_and_the_thread(app: TestApp) {
    let (beta, _) = world(&app).await;
    let created = app
        .post_form(
            "/tickets",
            &[
                ("kind", "incident"),
                ("title", "Video freezes"),
                ("description", "Every few minutes."),
                ("impact", "high"),
                ("urgency", "high"),
                ("organisation_id", &beta),
                ("channel", "phone"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let page = app.read_text(&location).await;
    assert!(
        page.contains("P1 critical")
            && page.contains("id=\"clocks\"")
            && page.contains("Every few minutes.")
    );
    assert!(
        page.contains("Targets of Beta SLA") && !page.contains("due 2026"),
        "the SLA applies but sets no P1 targets: {page}"
    );
    let desk = app.read_text("/desk").await;
    assert!(desk.contains("T-000001") && desk.contains("Video freezes"));
    let searched = app.read_text("/desk?queue=all&q=FREEZES").await;
    assert!(searched.contains("Video freezes"));
    let none = app.read_text("/desk?queue=all&q=teapot").await;
    assert!(
        none.contains("matches \"teapot\"") || none.contains("matches &#34;teapot&#34;"),
        "{none}"
    );
    let empty = app
        .post_form(&format!("{location}/articles"), &[("body", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("id=\"body-error\""));
    let missing = app
        .post_form(
            "/tickets",
            &[("kind", "incident"), ("title", ""), ("description", "x")],
        )
        .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = missing.text().await.unwrap();
    assert!(html.contains("id=\"title-error\"") && html.contains("id=\"organisation_id-error\""));
}

async fn time_is_recorded_billed_and_reported_by_month(app: TestApp) {
    let (beta, david) = world(&app).await;
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo in room 2", "description": "Loud echo."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap();
    let time = format!("/api/v1/tickets/{id}/time");
    let (status, _) = app
        .post_json(
            &time,
            &json!({"duration": "1h30m", "billable": true, "note": "Remote session"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.expect_json(
        Method::POST,
        &time,
        &json!({"duration": "30", "note": "Internal review"}),
        StatusCode::NO_CONTENT,
    )
    .await;
    let (status, body) = app.post_json(&time, &json!({"duration": "25h"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["duration"]);
    let (status, body) = app
        .post_json(&time, &json!({"duration": "1h", "worked_on": "2030-01-01"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["worked_on"]);
    let refused = app
        .request_as(&david, Method::POST, &time)
        .json(&json!({"duration": "5"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "customers do not book time"
    );

    // Resolved on Tuesday, a day after the 4 h target.
    app.updated(
        &format!("/api/v1/tickets/{id}"),
        &json!({"state": "in-progress"}),
    )
    .await;
    app.clock.advance(time::Duration::hours(26));
    app.updated(
        &format!("/api/v1/tickets/{id}"),
        &json!({"state": "resolved"}),
    )
    .await;
    let (status, report) = app
        .get_json(&format!(
            "/api/v1/reports/service-levels?organisation={beta}&month=2026-11"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["tickets"], 1);
    assert_eq!(
        (
            report["response_met"].as_u64(),
            report["response_missed"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(report["resolution_missed"], 1);
    assert_eq!(report["billable_minutes"], 90);
    assert_eq!(report["not_billable_minutes"], 30);
    assert_eq!(report["penalty"], "0.00", "the SLA names no fee");
    assert_eq!(report["breaches"][1][2], "resolution");
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/reports/service-levels?organisation={beta}&month=November"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["month"]);

    let csv = app
        .read_text(&format!(
            "/reports/billing.csv?organisation={beta}&month=2026-11"
        ))
        .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1]
            .starts_with("T-000001,Echo in room 2,2026-11-02,operator@harness.example via token"),
        "{csv}"
    );
    assert!(lines[1].contains(",90,yes,Remote session"), "{csv}");
    let targets = app
        .read_text(&format!(
            "/reports/service-levels.csv?organisation={beta}&month=2026-11"
        ))
        .await;
    let rows: Vec<&str> = targets.lines().collect();
    assert_eq!(rows.len(), 2, "{targets}");
    assert!(
        rows[1].starts_with("T-000001,Echo in room 2,incident,p3,resolved,"),
        "{targets}"
    );
    assert!(
        rows[1].contains("missed by") && rows[1].ends_with("min"),
        "{targets}"
    );
    let page = app
        .read_text(&format!("/reports?organisation={beta}&month=2026-11"))
        .await;
    assert!(
        page.contains("id=\"report\"") && page.contains("1 h 30 min billable"),
        "{page}"
    );
    let ticket_page = app.read_text(&format!("/tickets/{id}")).await;
    assert!(ticket_page.contains("id=\"time\"") && ticket_page.contains("Total 2 h"));
}

/// Regression: the current month's report counted a target not yet due as missed, late by the
/// hours left until the end of the month, and charged a penalty for it.
async fn the_report_of_a_month_that_has_not_ended_counts_only_what_fell_due(app: TestApp) {
    let (beta, david) = world_with(
        &app,
        json!({"monthly_fee": "12000", "penalty_per_missed_target": "2"}),
    )
    .await;
    // Monday 09:00: the first response is due at 09:30, the resolution at 13:00.
    opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo in room 2", "description": "Loud echo."}),
    )
    .await;
    app.clock.advance(time::Duration::minutes(6));
    let report_path = format!("/api/v1/reports/service-levels?organisation={beta}&month=2026-11");
    let report = app.read(&report_path).await;
    assert_eq!(report["response_missed"], 0, "{report}");
    assert_eq!(report["resolution_missed"], 0, "{report}");
    assert_eq!(report["pending"], 2, "{report}");
    assert_eq!(report["breaches"], json!([]), "{report}");
    assert_eq!(report["penalty"], "0.00", "{report}");
    assert_eq!(report["month_ended"], false, "{report}");
    assert_eq!(report["as_of"], "2026-11-02T09:06:00Z", "{report}");
    let page = app
        .read_text(&format!("/reports?organisation={beta}&month=2026-11"))
        .await;
    assert!(
        page.contains("id=\"report-provisional\"") && page.contains("2 targets are not due yet"),
        "{page}"
    );
    let csv = app
        .read_text(&format!(
            "/reports/service-levels.csv?organisation={beta}&month=2026-11"
        ))
        .await;
    assert!(csv.lines().nth(1).unwrap().ends_with(",pending"), "{csv}");

    // Forty minutes later the first response is ten minutes late, and only that is charged.
    app.clock.advance(time::Duration::minutes(34));
    let report = app.read(&report_path).await;
    assert_eq!(report["response_missed"], 1, "{report}");
    assert_eq!(report["pending"], 1, "{report}");
    assert_eq!(
        report["breaches"],
        json!([["T-000001", "Echo in room 2", "first response", 10]]),
        "{report}"
    );
    assert_eq!(report["penalty"], "240.00", "2 % of 12,000: {report}");

    // Once the month has ended the report says so.
    app.clock.advance(time::Duration::days(30));
    let report = app.read(&report_path).await;
    assert_eq!(report["month_ended"], true, "{report}");
    let page = app
        .read_text(&format!("/reports?organisation={beta}&month=2026-11"))
        .await;
    assert!(!page.contains("id=\"report-provisional\""), "{page}");
}

async fn the_demo_desk_has_months_of_tickets_for_each_customer(app: TestApp) {
    let all = app.read("/api/v1/tickets?open=false&limit=200").await;
    let tickets = all["items"].as_array().unwrap();
    assert!(tickets.len() >= 80, "{}", tickets.len());
    let oldest = tickets
        .iter()
        .map(|t| t["created_at"].as_str().unwrap())
        .min()
        .unwrap();
    let three_months_ago = (app.clock.now() - time::Duration::weeks(12))
        .date()
        .to_string();
    assert!(oldest <= three_months_ago.as_str(), "{oldest}");
    let late = tickets
        .iter()
        .filter(|t| t["state"] == "closed" && t["breached"].as_array().unwrap().len() == 2)
        .count();
    assert!(late >= 5, "routine tickets answered late: {late}");
    assert!(
        app.count("ticket_escalations WHERE action LIKE 'reassign to the team Cloud Engineering%'")
            .await
            >= 1
    );
    assert!(app.count("time_entries WHERE billable").await >= 40);
    assert!(
        tickets
            .iter()
            .any(|t| t["breached"].as_array().unwrap().len() == 2),
        "one ticket missed both targets: {all}"
    );
    assert!(tickets.iter().any(|t| t["state"] == "waiting-for-customer"));
    let david = app.token_of("david.chen@beta.example").await;
    let own = app
        .read_as(&david, "/api/v1/tickets?open=false&limit=200")
        .await;
    let own = own["items"].as_array().unwrap();
    assert!(
        !own.is_empty()
            && own
                .iter()
                .all(|t| t["organisation"]["name"] == "Beta Technologies")
    );
    let nina = app.demo_session("nina.keller@alpha.example").await;
    let desk = app.page_as(&nina, "/desk?queue=all").await;
    assert!(desk.contains("VIP room Munich: no video") && desk.contains("target missed"));
}

async fn escalation_steps_fire_once_in_working_time(app: TestApp) {
    let (beta, david) = world(&app).await;
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let lena = app.person(&alpha, "Lena Wolf", "lena@alpha.example").await;
    let (status, _) = app
        .post_json(
            "/api/v1/teams",
            &json!({"organisation_id": alpha, "name": "Second level", "level": "second_level",
                    "members": [lena], "lead_id": lena}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let agreements = app.read("/api/v1/agreements").await;
    let sla = agreements[0]["id"].as_str().unwrap().to_owned();
    let calendars = app.read("/api/v1/calendars").await;
    // No update target here: the update clock's cycles have a test of their own.
    let mut terms = json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta,
        "calendar_id": calendars["items"][0]["id"],
        "targets": {"p3": {"first_response": 30, "resolution": "4h"}},
        "next_review": "2027-05-01",
        "escalation": ["80% notify assignee", "100% notify maria@alpha.example", "100% raise support level",
                       "100% reassign to Second level", "100% notify team lead", "200% notify ceo@alpha.example always"]});
    let response = app
        .request(Method::PUT, &format!("/api/v1/agreements/{sla}"))
        .json(&terms)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    terms["escalation"] = json!(["soon, tell the boss"]);
    let refused = app
        .request(Method::PUT, &format!("/api/v1/agreements/{sla}"))
        .json(&terms)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    terms["escalation"] = json!(["100% reassign to Third level"]);
    let (status, body) = app
        .send_json(Method::PUT, &format!("/api/v1/agreements/{sla}"), &terms)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string()
            .contains("there is no team named Third level"),
        "{body}"
    );

    // Opened Monday 09:00; answered at once; resolution due 13:00.
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo", "description": "Echo in room 2."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    app.created(
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Looking into it."}),
    )
    .await;
    assert_eq!(escalate(&app).await, 0, "nothing due at 09:00");
    app.clock.advance(time::Duration::minutes(195)); // 12:15: 81 % of 4 h used
    assert_eq!(escalate(&app).await, 1, "80 %: the assignee");
    assert_eq!(escalate(&app).await, 0, "a step fires once");
    app.clock.advance(time::Duration::hours(1)); // 13:15
    assert_eq!(
        escalate(&app).await,
        4,
        "100 %: the service manager, a higher support level, the second level team and its lead"
    );
    let staff = app.read(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(staff["support_level"], 2);
    assert_eq!(staff["team"]["name"], "Second level");
    let notes: Vec<&str> = staff["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["author_kind"] == "system")
        .map(|a| a["body"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 5, "{notes:?}");
    assert!(
        notes[4].contains("notify the team lead, Lena Wolf"),
        "{notes:?}"
    );
    assert_eq!(
        app.count("mail_outbox WHERE recipient IN ('maria@alpha.example', 'lena@alpha.example')")
            .await,
        2,
        "the service manager and the new team's lead are mailed"
    );
    assert!(
        notes[0].contains(
            "level 1 of the resolution time (80 % used): notify the assignee: nobody is assigned"
        ),
        "{notes:?}"
    );
    assert!(notes[1].contains("notify maria@alpha.example"));
    let customer = app.read_as(&david, &format!("/api/v1/tickets/{id}")).await;
    assert!(
        customer["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["author_kind"] != "system"),
        "escalations are internal"
    );

    // Saturday morning, long past 200 %: only the step that acts outside working time fires.
    app.clock
        .advance(time::Duration::days(5) - time::Duration::hours(3));
    assert_eq!(escalate(&app).await, 1);
    assert_eq!(app.count("ticket_escalations").await, 6, "each step once");
    assert_eq!(
        app.count("audit_entries WHERE entity = 'ticket escalation'")
            .await,
        6
    );
}

/// Runs the escalation scheduler at the harness's time; returns how many steps it took.
async fn escalate(app: &TestApp) -> usize {
    tandem_service_desk::store::escalate(&app.db, app.clock.now())
        .await
        .unwrap()
}

/// Gives Beta's SLA of [`world`] the P3 `targets` and the `escalation` steps.
async fn escalating(app: &TestApp, beta: &str, targets: Value, escalation: Value) {
    let agreements = app.read("/api/v1/agreements").await;
    let sla = agreements[0]["id"].as_str().unwrap().to_owned();
    let calendars = app.read("/api/v1/calendars").await;
    let terms = json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta,
        "calendar_id": calendars["items"][0]["id"], "targets": {"p3": targets},
        "next_review": "2027-05-01", "escalation": escalation});
    let (status, body) = app
        .send_json(Method::PUT, &format!("/api/v1/agreements/{sla}"), &terms)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Regression: a "reassign to TEAM" step took the assignee off the ticket, and steps that fell
/// due while the server was not running were all taken in the same second.
async fn escalation_keeps_the_assignee_and_catches_up_once(app: TestApp) {
    let (beta, david) = world(&app).await;
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    app.token_for("nina@alpha.example", &[Role::ServiceDeskAgent])
        .await;
    let lena = app.person(&alpha, "Lena Wolf", "lena@alpha.example").await;
    app.token_for("lena@alpha.example", &[Role::Engineer]).await;
    app.created(
        "/api/v1/teams",
        &json!({"organisation_id": alpha, "name": "Second level", "level": "second_level",
                "members": [lena], "lead_id": lena}),
    )
    .await;
    escalating(
        &app,
        &beta,
        json!({"first_response": 30, "resolution": "4h"}),
        json!([
            "80% notify assignee",
            "100% reassign to Second level",
            "150% notify maria@alpha.example",
            "200% hand over to Second level"
        ]),
    )
    .await;

    // Opened Monday 09:00, given to Nina, answered at once; resolution due 13:00.
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo", "description": "Echo in room 2."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tickets/{id}");
    app.updated(&path, &json!({"assignee_id": nina})).await;
    app.created(
        &format!("{path}/articles"),
        &json!({"body": "Looking into it."}),
    )
    .await;
    let system_notes = |ticket: &Value| -> Vec<String> {
        ticket["articles"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["author_kind"] == "system")
            .map(|a| a["body"].as_str().unwrap().to_owned())
            .collect()
    };

    // The server was down from 09:00 to 13:15: 80 % (12:12) and 100 % (13:00) fell due. Only the
    // latest is taken; the earlier one is passed over, and Nina stays assigned.
    app.clock.advance(time::Duration::minutes(255));
    assert_eq!(escalate(&app).await, 1, "one step, the latest");
    assert_eq!(escalate(&app).await, 0, "and once");
    let staff = app.read(&path).await;
    assert_eq!(staff["team"]["name"], "Second level", "{staff}");
    assert_eq!(staff["assignee"]["name"], "Nina Keller", "{staff}");
    let notes = system_notes(&staff);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("Escalation level 2 of the resolution time (100 % used): reassign to the team Second level; Nina Keller stays assigned"),
        "{notes:?}"
    );
    assert_eq!(staff["escalation"]["target"], "resolution", "{staff}");
    assert_eq!(staff["escalation"]["level"], 2, "{staff}");
    assert_eq!(staff["escalation"]["since"], "2026-11-02T13:15:00Z");
    assert_eq!(
        app.count("ticket_escalations WHERE passed_over").await,
        1,
        "80 % is recorded as passed over"
    );
    assert_eq!(
        app.count("mail_outbox WHERE recipient = 'nina@alpha.example'")
            .await,
        0,
        "the passed-over step mails nobody"
    );
    let page = app.read_text(&format!("/tickets/{id}")).await;
    assert!(
        page.contains("id=\"escalation\"") && page.contains("level 2 of the resolution escalation"),
        "{page}"
    );

    // 17:15: 150 % (15:00) and 200 % (17:00) fell due; the hand-over gives the ticket to the
    // team's lead.
    app.clock.advance(time::Duration::hours(4));
    assert_eq!(escalate(&app).await, 1);
    let staff = app.read(&path).await;
    assert_eq!(staff["assignee"]["name"], "Lena Wolf", "{staff}");
    assert_eq!(staff["escalation"]["level"], 4, "{staff}");
    let notes = system_notes(&staff);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[1].contains("hand over to the team Second level, assigned to its lead, Lena Wolf"),
        "{notes:?}"
    );
    let customer = app.read_as(&david, &path).await;
    assert_eq!(
        customer["escalation"],
        Value::Null,
        "escalation is internal"
    );
}

/// Regression: a customer's person could be made the assignee of another customer's ticket.
async fn only_the_providers_staff_who_work_tickets_are_assignees(app: TestApp) {
    let (_, david) = world(&app).await;
    let gamma = app.organisation("Gamma Logistics", "customer").await;
    let gina = app.person(&gamma, "Gina Gamma", "gina@gamma.example").await;
    app.token_for("gina@gamma.example", &[Role::CustomerUser])
        .await;
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    app.token_for("nina@alpha.example", &[Role::ServiceDeskAgent])
        .await;
    let ruth = app.person(&alpha, "Ruth Meyer", "ruth@alpha.example").await;
    app.token_for("ruth@alpha.example", &[Role::Auditor]).await;
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo", "description": "Echo in room 2."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tickets/{id}");
    for (who, message) in [
        (
            &gina,
            "only the provider's staff work tickets; this person is a customer's or a supplier's",
        ),
        (
            &ruth,
            "the person holds none of the roles that work tickets: Administrator, Service desk agent, Engineer, Service manager, CISO",
        ),
    ] {
        let (status, body) = app
            .send_json(Method::PATCH, &path, &json!({"assignee_id": who}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&body).1, ["assignee_id"], "{body}");
        assert_eq!(body["error"]["details"][0]["message"], message, "{body}");
    }
    let unchanged = app.read(&path).await;
    assert_eq!(unchanged["assignee"], Value::Null, "nothing changed");
    assert_eq!(unchanged["version"], ticket["version"]);
    app.updated(&path, &json!({"assignee_id": nina})).await;
    assert_eq!(app.read(&path).await["assignee"]["name"], "Nina Keller");

    let page = app.read_text(&format!("/tickets/{id}")).await;
    let picker = &page[page
        .find("name=\"assignee_id\"")
        .expect("the assignee picker")..];
    let picker = &picker[..picker.find("</select>").unwrap()];
    assert!(picker.contains("Nina Keller"), "{picker}");
    assert!(
        !picker.contains("Gina Gamma") && !picker.contains("Ruth Meyer"),
        "the picker offers only who may be assigned: {picker}"
    );
}

async fn the_update_clock_escalates_again_in_each_cycle(app: TestApp) {
    let (beta, david) = world(&app).await;
    escalating(
        &app,
        &beta,
        json!({"update": "1h"}),
        json!(["100% notify maria@alpha.example"]),
    )
    .await;
    // Monday 09:00: David writes; an answer is owed by 10:00.
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo", "description": "Echo in room 2."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let articles = format!("/api/v1/tickets/{id}/articles");
    app.clock.advance(time::Duration::minutes(61));
    assert_eq!(escalate(&app).await, 1, "no answer within the hour");
    assert_eq!(escalate(&app).await, 0, "once per cycle");
    // The agent answers at 10:01; David writes again at 10:30; the next hour runs out at 11:30.
    app.created(&articles, &json!({"body": "Looking into it."}))
        .await;
    app.clock.advance(time::Duration::minutes(29));
    let (status, body) = post_as(&app, &david, &articles, &json!({"body": "Still echoing."})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.clock.advance(time::Duration::minutes(50));
    assert_eq!(
        escalate(&app).await,
        0,
        "11:20: the new cycle has time left"
    );
    app.clock.advance(time::Duration::minutes(11));
    assert_eq!(escalate(&app).await, 1, "11:31: the second cycle's step");
    assert_eq!(
        app.count("audit_entries WHERE entity = 'ticket escalation'")
            .await,
        2
    );
}

async fn clocks_follow_a_changed_agreement_from_the_stored_pauses(app: TestApp) {
    let (beta, david) = world(&app).await;
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Echo", "description": "Echo in room 2."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tickets/{id}");
    // Waiting for the customer from 10:00 to 11:00 (the harness opens it at 09:00).
    app.clock.advance(time::Duration::hours(1));
    app.updated(&path, &json!({"state": "waiting-for-customer"}))
        .await;
    app.clock.advance(time::Duration::hours(1));
    let back = app.updated(&path, &json!({"state": "in-progress"})).await;
    assert_eq!(
        back["resolution_due"], "2026-11-02T14:00:00Z",
        "4 h plus the hour of waiting"
    );
    let follow = || {
        let app = &app;
        async move {
            tandem_service_desk::store::follow_agreement_changes(&app.db, app.clock.now())
                .await
                .unwrap()
        }
    };
    assert_eq!(follow().await, 0, "nothing changed");

    let agreements = app.read("/api/v1/agreements").await;
    let sla = agreements[0]["id"].as_str().unwrap().to_owned();
    let calendars = app.read("/api/v1/calendars").await;
    app.clock.advance(time::Duration::minutes(1));
    let changed = app
        .request(Method::PUT, &format!("/api/v1/agreements/{sla}"))
        .json(
            &json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta,
            "calendar_id": calendars["items"][0]["id"],
            "targets": {"p3": {"first_response": 30, "update": "2h", "resolution": "6h"}},
            "next_review": "2027-05-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(follow().await, 1);
    let after = app.read(&path).await;
    assert_eq!(
        after["resolution_due"], "2026-11-02T16:00:00Z",
        "6 h plus the stored hour of waiting"
    );
    assert_eq!(follow().await, 0, "once");
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'ticket clocks' AND actor_label = 'agreement change'"
        )
        .await,
        1
    );
}

async fn problems_record_the_known_error_and_link_their_incidents(app: TestApp) {
    let (_, david) = world(&app).await;
    let open = |title: &'static str, kind: &'static str| {
        let app = &app;
        async move {
            let t = app
                .created("/api/v1/tickets", &json!({"kind": kind, "title": title, "description": "x", "organisation_id": app_beta(app).await}))
                .await;
            t["id"].as_str().unwrap().to_owned()
        }
    };
    let incident = open("Freezes", "incident").await;
    let problem = open("Firmware drops frames", "problem").await;
    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/tickets/{problem}"),
            &json!({"known_error": "Firmware 4.2 drops frames.", "workaround": "Use 720p."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["workaround"], "Use 720p.");
    let link = format!("/api/v1/tickets/{incident}/links");
    let (status, _) = app
        .post_json(&link, &json!({"kind": "caused-by", "other": "T-000002"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post_json(&link, &json!({"kind": "caused-by", "other": "T-2"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "linked so already");
    let (status, body) = app
        .post_json(&link, &json!({"kind": "caused-by", "other": "T-000001"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["other"], "not to itself");
    let (status, body) = app
        .post_json(&link, &json!({"kind": "blames", "other": "T-000099"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["kind"]);
    let seen = app.read(&format!("/api/v1/tickets/{problem}")).await;
    assert_eq!(seen["links"][0]["relation"], "causes");
    assert_eq!(seen["links"][0]["number"], "T-000001");
    let customer = app
        .read_as(&david, &format!("/api/v1/tickets/{incident}"))
        .await;
    assert_eq!(
        customer["links"][0]["relation"], "caused by",
        "both are Beta's"
    );
    let page = app.read_text(&format!("/tickets/{problem}")).await;
    assert!(
        page.contains("id=\"known-error\"")
            && page.contains("Use 720p.")
            && page.contains("causes")
    );
}

async fn the_priority_matrix_is_configured_and_followed(app: TestApp) {
    let (_, david) = world(&app).await;
    let (status, matrix) = app.get_json("/api/v1/priority-matrix").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        matrix["medium"]["medium"], "p3",
        "starts as the ITIL matrix"
    );
    let mut changed = matrix.clone();
    changed["medium"]["medium"] = json!("p2");
    changed["low"]["high"] = json!("P9");
    changed["high"]["low"] = json!("");
    let (status, body) = app
        .send_json(Method::PUT, "/api/v1/priority-matrix", &changed)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["high.low", "low.high"]);
    let unchanged = app.read("/api/v1/priority-matrix").await;
    assert_eq!(unchanged, matrix, "a refused matrix changes nothing");

    changed["low"]["high"] = json!("p3");
    changed["high"]["low"] = json!("p3");
    let (status, body) = app
        .send_json(Method::PUT, "/api/v1/priority-matrix", &changed)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["medium"]["medium"], "p2");
    let (status, _) = post_as(&app, &david, "/api/v1/priority-matrix", &changed).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let response = app
        .request_as(&david, Method::PUT, "/api/v1/priority-matrix")
        .json(&matrix)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "customers read, not set"
    );

    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Room 3 has no sound", "description": "x"}),
    )
    .await;
    assert_eq!(ticket["priority"], "p2", "medium × medium is now P2");

    let page = app.read_text("/priority-matrix").await;
    assert!(page.contains(r#"<option value="p2" selected>"#), "{page}");
    let mut cells: Vec<(String, String)> = ["high", "medium", "low"]
        .iter()
        .flat_map(|i| ["high", "medium", "low"].map(|u| (format!("{i}.{u}"), "p4".to_owned())))
        .collect();
    cells[8].1 = "p0".into();
    let form: Vec<(&str, &str)> = cells
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = app.post_form("/priority-matrix", &form).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(r#"id="low.low-error""#) && !html.contains(r#"id="high.high-error""#),
        "the error is next to its cell"
    );
    cells[8].1 = "p4".into();
    let form: Vec<(&str, &str)> = cells
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = app.post_form("/priority-matrix", &form).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let all_p4 = app.read("/api/v1/priority-matrix").await;
    assert_eq!(all_p4["high"]["high"], "p4");
    assert_eq!(
        app.count("audit_entries WHERE entity = 'priority matrix'")
            .await,
        2
    );
}

async fn files_are_attached_checked_and_downloaded_within_the_tenant(app: TestApp) {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let (_, david) = world(&app).await;
    let ticket = opened_as(
        &app,
        &david,
        &json!({"kind": "incident", "title": "Camera shows noise", "description": "See the photo."}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let articles = format!("/api/v1/tickets/{id}/articles");
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";

    // A customer attaches a photo and a log; the photo again later is stored once.
    let (status, body) = post_as(
        &app,
        &david,
        &articles,
        &json!({"body": "Photo and log.", "attachments": [
            {"name": "camera.png", "content": b64(png)},
            {"name": "codec.log", "content": b64(b"<script>alert(1)</script>\n")}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post_as(
        &app,
        &david,
        &articles,
        &json!({"body": "The photo again.", "attachments": [{"name": "again.PNG", "content": b64(png)}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.count("ticket_attachments").await, 3);
    assert_eq!(
        app.count("attachment_contents").await,
        2,
        "stored once per hash"
    );

    // Bad files are named, and nothing of the article is stored.
    let articles_before = app.count("ticket_articles").await;
    let (status, body) = post_as(
        &app,
        &david,
        &articles,
        &json!({"body": "Try these.", "attachments": [
            {"name": "ok.txt", "content": b64(b"fine")},
            {"name": "setup.exe", "content": b64(b"MZ\x90\x00\x03")},
            {"name": "photo.pdf", "content": b64(png)}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["attachments[1]", "attachments[2]"]);
    let (status, body) = post_as(
        &app,
        &david,
        &articles,
        &json!({"body": "x", "attachments": [{"name": "a.txt", "content": "not base64!"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["attachments[0]"]);
    assert_eq!(app.count("ticket_articles").await, articles_before);
    assert_eq!(app.count("ticket_attachments").await, 3);

    // The thread lists the files; a download is an attachment, with its type from the content.
    let seen = app.read(&format!("/api/v1/tickets/{id}")).await;
    let files = &seen["articles"][1]["attachments"];
    assert_eq!(files[0]["name"], "camera.png");
    assert_eq!(files[0]["media_type"], "image/png");
    assert_eq!(files[0]["size"], png.len());
    let log_href = files[1]["href"].as_str().unwrap().to_owned();
    let download = app
        .request_as(&david, Method::GET, &log_href)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"codec.log\"")
    );
    assert!(
        download.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        b"<script>alert(1)</script>\n"
    );

    // An internal note's file is for staff only; another customer reaches none of them.
    let note = reqwest::multipart::Form::new()
        .text("body", "The vendor's answer.")
        .text("visibility", "internal")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec()).file_name("vendor.pdf"),
        );
    let posted = app
        .request(Method::POST, &format!("/tickets/{id}/articles"))
        .multipart(note)
        .send()
        .await
        .unwrap();
    assert_eq!(
        posted.status(),
        StatusCode::SEE_OTHER,
        "the page's reply form"
    );
    let staff = app.read(&format!("/api/v1/tickets/{id}")).await;
    let pdf_href = staff["articles"][3]["attachments"][0]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = app.read_as(&david, &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(customer["articles"].as_array().unwrap().len(), 3);
    let hidden = app
        .request_as(&david, Method::GET, &pdf_href)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let gamma = app.organisation("Gamma Media", "customer").await;
    app.person(&gamma, "Gina Gamma", "gina@gamma.example").await;
    let gina = app
        .token_for("gina@gamma.example", &[Role::CustomerUser])
        .await;
    let foreign = app
        .request_as(&gina, Method::GET, &log_href)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    // The page form names a refused file next to the file field, and keeps the text.
    let bad = reqwest::multipart::Form::new()
        .text("body", "Keep this text.")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec()).file_name("tool.exe"),
        );
    let refused = app
        .request(Method::POST, &format!("/tickets/{id}/articles"))
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"id="attachments-error""#) && html.contains("tool.exe: only images"));
    assert!(html.contains("Keep this text."));
    let page = app.read_text(&format!("/tickets/{id}")).await;
    assert!(page.contains(&log_href) && page.contains("vendor.pdf"));
}

async fn the_desk_filters_saves_views_and_changes_tickets_in_bulk(app: TestApp) {
    let (beta, david) = world(&app).await;
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let (status, team) = app
        .post_json(
            "/api/v1/teams",
            &json!({"organisation_id": alpha, "name": "Second level", "level": "second_level"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team = team["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for title in ["Echo in room 1", "Echo in room 2", "Echo in room 3"] {
        let t = app
            .created(
                "/api/v1/tickets",
                &json!({"kind": "incident", "title": title, "description": "x", "organisation_id": beta}),
            )
            .await;
        ids.push(t["id"].as_str().unwrap().to_owned());
    }
    for state in ["in-progress", "resolved"] {
        let (status, body) = app
            .patch_json(
                &format!("/api/v1/tickets/{}", ids[2]),
                &json!({"state": state}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // Bulk: two move on, the resolved one is refused with the state model's reason.
    let tick: Vec<(&str, &str)> = ids.iter().map(|id| ("tickets", id.as_str())).collect();
    let mut form = tick.clone();
    form.push(("action", "state:assigned"));
    form.push(("back", "queue=all"));
    let done = app.post_form("/desk/bulk", &form).await;
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    assert!(html.contains("2 of 3 tickets changed; 1 refused"), "{html}");
    assert!(html.contains("Refused: state:") && html.contains(r#"href="/desk?queue=all""#));
    let first = app.read(&format!("/api/v1/tickets/{}", ids[0])).await;
    assert_eq!(first["state"], "assigned");
    let mut form = tick.clone();
    form.push(("action", format!("team:{team}").leak()));
    assert_eq!(
        app.post_form("/desk/bulk", &form).await.status(),
        StatusCode::OK
    );
    let third = app.read(&format!("/api/v1/tickets/{}", ids[2])).await;
    assert_eq!(third["team"]["name"], "Second level");
    let refused = app
        .request_as(&david, Method::POST, "/desk/bulk")
        .form(&[("tickets", ids[0].as_str()), ("action", "assign-me")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "customers do not work tickets"
    );

    // Queues by team and the recently resolved, for staff and for the customer.
    let desk = |path: String| {
        let app = &app;
        async move { app.read_text(&path).await }
    };
    let by_team = desk(format!("/desk?queue=all&team={team}")).await;
    assert!(by_team.contains("Echo in room 3") && by_team.contains("Echo in room 1"));
    let resolved = desk("/desk?queue=resolved".into()).await;
    assert!(resolved.contains("Echo in room 3") && !resolved.contains("Echo in room 1"));
    let list = app
        .read_as(&david, "/api/v1/tickets?resolved_within=30")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, body) = app.get_json("/api/v1/tickets?resolved_within=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["resolved_within"]);
    let portal = app
        .request_as(&david, Method::GET, "/desk?queue=resolved")
        .send()
        .await
        .unwrap();
    assert_eq!(portal.status(), StatusCode::OK);
    let portal = portal.text().await.unwrap();
    assert!(portal.contains("Resolved in the last 30 days") && portal.contains("Echo in room 3"));
    assert!(
        !portal.contains("Targets missed"),
        "staff queues stay with the staff"
    );

    // Saved filters: saved, shown, replaced by name, refused without a name, deleted.
    let save = |name: &'static str, q: &'static str| {
        let app = &app;
        let team = team.clone();
        async move {
            app.post_form(
                "/desk/filters",
                &[("name", name), ("queue", "all"), ("team", &team), ("q", q)],
            )
            .await
        }
    };
    let saved = save("Second level echoes", "echo").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let view = format!("queue=all&team={team}&q=echo");
    assert_eq!(saved.headers()["location"], format!("/desk?{view}"));
    assert_eq!(
        save("Second level echoes", "room").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("saved_filters").await, 1, "the name is replaced");
    let unnamed = save("  ", "x").await;
    assert_eq!(unnamed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unnamed
            .text()
            .await
            .unwrap()
            .contains(r#"id="filter-name-error""#)
    );
    let page = desk("/desk".into()).await;
    assert!(
        page.contains(&format!(
            r#"href="/desk?queue=all&#38;team={team}&#38;q=room""#
        )),
        "{page}"
    );
    app.person(&beta, "Dora Beta", "dora@beta.example").await;
    let dora = app
        .token_for("dora@beta.example", &[Role::CustomerUser])
        .await;
    let filter_id: String = {
        let marker = "/desk/filters/";
        let at = page.find(marker).unwrap() + marker.len();
        page[at..at + 36].to_owned()
    };
    let foreign = app
        .request_as(
            &dora,
            Method::POST,
            &format!("/desk/filters/{filter_id}/delete"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        foreign.status(),
        StatusCode::NOT_FOUND,
        "another person's filter"
    );
    let deleted = app
        .post_form(&format!("/desk/filters/{filter_id}/delete"), &[])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("saved_filters").await, 0);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'saved filter'")
            .await,
        3,
        "saved, replaced, deleted"
    );
}

/// Beta's id, as `world` made it.
async fn app_beta(app: &TestApp) -> String {
    let orgs = app.read("/api/v1/organisations?q=Beta").await;
    orgs["items"][0]["id"].as_str().unwrap().to_owned()
}
