//! Times and numbers at the edges: every route that takes a date, a month or an instant answers
//! one outside the accepted years (1970 to 9000) with a refusal that names the field, never a
//! 500; lists refuse a `limit` outside 1 to 200 and parameters they do not know.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, error_fields};
use crate::on_both_engines;

on_both_engines!(
    dates_far_in_the_future_are_refused_by_name,
    the_calendar_feed_keeps_to_its_period,
    lists_refuse_odd_limits_and_unknown_parameters,
);

/// A calendar and an agreement of a customer, for the due-time questions.
async fn calendar_and_agreement(app: &TestApp) -> (String, String, String) {
    let (status, calendar) = app
        .post_json(
            "/api/v1/calendars",
            &json!({"name": "UTC office", "time_zone": "UTC",
                    "week": {"monday": "08:00-18:00", "tuesday": "08:00-18:00"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let beta = app.organisation("Beta Technologies", "customer").await;
    let (status, sla) = app
        .post_json(
            "/api/v1/agreements",
            &json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta,
                    "calendar_id": calendar["id"],
                    "targets": {"p3": {"first_response": 30, "update": "2h", "resolution": "4h"}},
                    "next_review": "2027-05-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sla}");
    (
        calendar["id"].as_str().unwrap().to_owned(),
        sla["id"].as_str().unwrap().to_owned(),
        beta,
    )
}

/// The probe's panics: a calendar from 9999-12-04, a day view of 9999-12-31, the month
/// 9999-12 of every report, a due time from 9999-12-31T23:59 and a simulation near the end of
/// year 9999 each gave a 500. Each is now refused, naming the field.
async fn dates_far_in_the_future_are_refused_by_name(app: TestApp) {
    let (calendar, agreement, beta) = calendar_and_agreement(&app).await;
    for (path, field) in [
        ("/api/v1/changes/calendar?from=9999-12-04T00:00:00Z", "from"),
        ("/api/v1/changes/calendar?to=9999-12-31T23:00:00Z", "to"),
        ("/api/v1/changes/calendar?from=1969-12-31T00:00:00Z", "from"),
        ("/api/v1/blackouts?from=9999-12-04T00:00:00Z", "from"),
        (
            "/api/v1/changes/calendar.ics?from=9999-12-04T00:00:00Z",
            "from",
        ),
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(error_fields(&body).1, [field], "{path}");
    }
    let (status, body) = app
        .get_json(&format!(
            "/api/v1/reports/service-levels?organisation={beta}&month=9999-12"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["month"]);
    for page in [
        "/changes/calendar?view=day&date=9999-12-31".to_owned(),
        "/changes/calendar?date=9999-12-31".to_owned(),
        format!("/reports/billing.csv?organisation={beta}&month=9999-12"),
        format!("/reports/service-levels.csv?organisation={beta}&month=9999-12"),
    ] {
        let response = app.get(&page).await;
        assert!(
            response.status().is_client_error(),
            "{page}: {}",
            response.status()
        );
    }
    let reports = app
        .get(&format!("/reports?organisation={beta}&month=9999-12"))
        .await;
    assert_eq!(reports.status(), StatusCode::OK, "the form shows the error");
    assert!(
        reports
            .text()
            .await
            .unwrap()
            .contains("month: must be a month")
    );
    let due = format!("/api/v1/calendars/{calendar}/due");
    for (question, fields) in [
        (
            json!({"start": "9999-12-31T23:59:00Z", "minutes": 60}),
            vec!["start"],
        ),
        (
            json!({"start": "next monday", "minutes": -5}),
            vec!["start", "minutes"],
        ),
        (
            json!({"start": "2026-11-02T09:00:00Z", "minutes": 60,
                   "pauses": [{"from": "9999-12-31T00:00:00Z"}]}),
            vec!["pauses[0].from"],
        ),
    ] {
        let (status, body) = app.post_json(&due, &question).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{question}: {body}"
        );
        assert_eq!(error_fields(&body).1, fields, "{question}");
    }
    let (status, answer) = app
        .post_json(
            &due,
            &json!({"start": "2026-11-02T09:00:00Z", "minutes": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["due"], "2026-11-02T10:00:00Z");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/agreements/{agreement}/simulate"),
            &json!({"priority": "p3", "start": "9999-12-30T21:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["start"]);
}

/// The iCalendar feed honours `from` and `to`: a blackout outside them is not in it.
async fn the_calendar_feed_keeps_to_its_period(app: TestApp) {
    for (name, starts, ends) in [
        (
            "November freeze",
            "2026-11-09T00:00:00Z",
            "2026-11-11T00:00:00Z",
        ),
        (
            "March freeze",
            "2027-03-01T00:00:00Z",
            "2027-03-03T00:00:00Z",
        ),
    ] {
        let (status, body) = app
            .post_json(
                "/api/v1/blackouts",
                &json!({"name": name, "starts_at": starts, "ends_at": ends, "reason": "Books close"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let default = feed(&app, "").await;
    assert!(default.contains("November freeze") && default.contains("March freeze"));
    let november = feed(&app, "?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z").await;
    assert!(november.contains("November freeze"), "{november}");
    assert!(!november.contains("March freeze"), "{november}");
    let (status, body) = app
        .get_json("/api/v1/changes/calendar.ics?from=2026-11-01T00:00:00Z&to=2028-11-01T00:00:00Z")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body).1, ["to"]);
}

/// The iCalendar feed of `query`, as text.
async fn feed(app: &TestApp, query: &str) -> String {
    let response = app
        .get(&format!("/api/v1/changes/calendar.ics{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.text().await.unwrap()
}

/// `limit=0` or above the maximum, a `due_within` that overflows the clock, and a misspelt
/// filter (`stat=closed`, which used to return every change) are refused by name.
async fn lists_refuse_odd_limits_and_unknown_parameters(app: TestApp) {
    for (path, field) in [
        ("/api/v1/tickets?limit=0", "limit"),
        ("/api/v1/tickets?limit=201", "limit"),
        ("/api/v1/tickets?due_within=4294967295", "due_within"),
        ("/api/v1/people?limit=0", "limit"),
        ("/api/v1/changes?limit=0", "limit"),
        ("/api/v1/changes?stat=closed", "stat"),
        ("/api/v1/blackouts?form=2026-11-01T00:00:00Z", "form"),
        (
            "/api/v1/changes/calendar.ics?till=2026-11-01T00:00:00Z",
            "till",
        ),
        ("/api/v1/organisations?level=cab", "level"),
        ("/api/v1/teams?kind=customer", "kind"),
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(error_fields(&body).1, [field], "{path}");
    }
    let refused = app
        .request(Method::POST, "/api/v1/cis/import?dryrun=true")
        .header("content-type", "text/csv")
        .body("number,class,name\n")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        error_fields(&body).1,
        ["dryrun"],
        "a misspelt dry run imports nothing"
    );
}
