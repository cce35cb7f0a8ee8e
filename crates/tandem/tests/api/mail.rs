//! Outgoing mail over a real SMTP exchange: the outbox is filled in the transaction of an
//! agent's answer and of an escalation step, and the sender hands it to aiosmtpd (Debian's
//! `python3-aiosmtpd`, a real SMTP server, which prints each message it receives). A stopped
//! server makes the attempt fail, and the mail waits for its next attempt.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tandem_kernel::{Clock, Role};

use crate::harness::{TestApp, free_port};
use crate::on_both_engines;

on_both_engines!(
    answers_and_escalations_are_mailed_and_failures_retried,
    two_servers_take_each_escalation_step_and_send_each_mail_once,
);

/// aiosmtpd on a free port, printing what it receives to `out`.
struct SmtpServer {
    child: Child,
    port: u16,
    out: tempfile::NamedTempFile,
}

impl SmtpServer {
    fn start() -> Self {
        let port = free_port();
        let out = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new("/usr/bin/python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(out.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd runs: scripts/test installs python3-aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, out }
    }

    /// A sender to this server, writing as Alpha's service desk.
    fn sender(&self, public_url: Option<&str>) -> tandem_mail::sender::Sender {
        tandem_mail::sender::Sender::new(
            &format!("smtp://127.0.0.1:{}", self.port),
            "Alpha service desk <desk@alpha.example>",
            public_url.map(str::to_owned),
        )
        .unwrap()
    }

    /// What the server printed, once it holds `count` messages.
    fn messages(&self, count: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(self.out.path()).unwrap();
            if text.matches("END MESSAGE").count() >= count {
                return text;
            }
            assert!(Instant::now() < deadline, "aiosmtpd printed: {text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Beta, with an agreement around the clock whose first-response target of an hour escalates
/// at 50 % to Maria by mail, and the API token of Beta's customer user David.
async fn beta_escalating_to_maria(app: &TestApp) -> String {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let (status, calendar) = app
        .post_json(
            "/api/v1/calendars",
            &json!({"name": "Always", "time_zone": "UTC",
                    "week": {"monday": "00:00-24:00", "tuesday": "00:00-24:00", "wednesday": "00:00-24:00",
                             "thursday": "00:00-24:00", "friday": "00:00-24:00", "saturday": "00:00-24:00", "sunday": "00:00-24:00"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let (status, body) = app
        .post_json(
            "/api/v1/agreements",
            &json!({"name": "Beta SLA", "kind": "sla", "organisation_id": beta, "calendar_id": calendar["id"],
                    "targets": {"p3": {"first_response": 60, "resolution": "4h"}},
                    "escalation": ["50% notify maria@alpha.example"],
                    "next_review": "2027-05-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.person(&beta, "David Chen", "david@beta.example").await;
    app.token_for("david@beta.example", &[Role::CustomerUser])
        .await
}

async fn answers_and_escalations_are_mailed_and_failures_retried(app: TestApp) {
    let david = beta_escalating_to_maria(&app).await;
    let opened = app
        .request_as(&david, Method::POST, "/api/v1/tickets")
        .json(
            &json!({"kind": "incident", "title": "Room 3 has no sound", "description": "Since 9."}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::CREATED);
    let ticket: serde_json::Value = opened.json().await.unwrap();
    let id = ticket["id"].as_str().unwrap().to_owned();

    // 50 % of the first-response hour: Maria is told; then the agent's answer goes to David.
    app.clock.advance(time::Duration::minutes(31));
    assert_eq!(
        tandem_service_desk::store::escalate(&app.db, app.clock.now())
            .await
            .unwrap(),
        1
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/tickets/{id}/articles"),
            &json!({"body": "We are on it.\nThe codec restarts now."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.created(
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Staff only.", "visibility": "internal"}),
    )
    .await;
    assert_eq!(
        app.count("mail_outbox").await,
        2,
        "internal notes are not mailed"
    );

    let server = SmtpServer::start();
    let sender = server.sender(Some("https://tandem.example"));
    let round = sender.deliver_due(&app.db, app.clock.now()).await.unwrap();
    assert_eq!((round.sent, round.failed), (2, 0));
    let printed = server.messages(2);
    assert!(printed.contains("To: maria@alpha.example"), "{printed}");
    assert!(
        printed.contains("Subject: [T-000001] Escalation: 50 % of the first response time used")
    );
    assert!(printed.contains("To: david@beta.example"));
    assert!(printed.contains("Subject: [T-000001] Room 3 has no sound"));
    assert!(printed.contains("We are on it."));
    assert!(printed.contains(&format!("https://tandem.example/tickets/{id}")));
    assert!(
        printed.contains("From: \"Alpha service desk\" <desk@alpha.example>"),
        "{printed}"
    );
    assert!(!printed.contains("Staff only."));
    assert_eq!(
        sender
            .deliver_due(&app.db, app.clock.now())
            .await
            .unwrap()
            .sent,
        0,
        "each mail once"
    );

    // The server goes away: the next mail fails, keeps its text and waits a minute.
    drop(server);
    app.created(
        &format!("/api/v1/tickets/{id}/articles"),
        &json!({"body": "Fixed, please check."}),
    )
    .await;
    let round = sender.deliver_due(&app.db, app.clock.now()).await.unwrap();
    assert_eq!((round.sent, round.failed), (0, 1));
    assert_eq!(
        app.count("mail_outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error LIKE '%could not be reached%'")
            .await,
        1
    );
    assert_eq!(
        sender
            .deliver_due(&app.db, app.clock.now())
            .await
            .unwrap()
            .failed,
        0,
        "not before its next attempt"
    );
    let server = SmtpServer::start();
    let sender = server.sender(None);
    app.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        sender
            .deliver_due(&app.db, app.clock.now())
            .await
            .unwrap()
            .sent,
        1
    );
    assert!(server.messages(1).contains("Fixed, please check."));
}

/// With two `tandem serve` processes on one database (two pools here, each running the jobs the
/// runner starts), the escalation job takes each due step once, the mail job sends each mail
/// once, and each ticket's clocks follow a changed agreement once: a probe of two nodes found
/// 43 % of the mail delivered twice, and the loser of a race for the same step lost its whole
/// escalation round.
async fn two_servers_take_each_escalation_step_and_send_each_mail_once(app: TestApp) {
    let david = beta_escalating_to_maria(&app).await;
    const TICKETS: usize = 12;
    for n in 0..TICKETS {
        let opened = app
            .request_as(&david, Method::POST, "/api/v1/tickets")
            .json(&json!({"kind": "incident", "title": format!("Room {n} is silent"), "description": "No sound."}))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::CREATED);
    }
    app.clock.advance(time::Duration::minutes(31));
    let now = app.clock.now();
    let other = app.second_pool().await;

    let escalation = tandem_service_desk::escalation_job();
    let (first, second) = tokio::join!(escalation.run(&app.db, now), escalation.run(&other, now));
    assert_eq!(
        first.unwrap() + second.unwrap(),
        TICKETS,
        "each step once between them"
    );
    assert_eq!(app.count("ticket_escalations").await, TICKETS as i64);
    assert_eq!(app.count("mail_outbox").await, TICKETS as i64);
    let (again, _) = tokio::join!(escalation.run(&app.db, now), escalation.run(&other, now));
    assert_eq!(again.unwrap(), 0, "nothing is taken twice");

    let server = SmtpServer::start();
    let (one, two) = (
        tandem_mail::delivery_job(server.sender(None)),
        tandem_mail::delivery_job(server.sender(None)),
    );
    let (first, second) = tokio::join!(one.run(&app.db, now), two.run(&other, now));
    assert_eq!(
        first.unwrap() + second.unwrap(),
        TICKETS,
        "each mail sent once"
    );
    let printed = server.messages(TICKETS);
    std::thread::sleep(Duration::from_millis(300));
    let printed = std::fs::read_to_string(server.out.path()).unwrap_or(printed);
    assert_eq!(printed.matches("END MESSAGE").count(), TICKETS, "{printed}");
    assert_eq!(app.count("mail_outbox WHERE sent_at IS NULL").await, 0);

    // The resolution target moves from 4 h to 8 h: both servers follow the agreement, and each
    // ticket's clocks are worked out, and recorded, once between them.
    app.clock.advance(time::Duration::seconds(1));
    let agreements = app.read("/api/v1/agreements").await;
    let agreement = &agreements[0];
    app.expect_json(
        Method::PUT,
        &format!("/api/v1/agreements/{}", agreement["id"].as_str().unwrap()),
        &json!({"name": "Beta SLA", "kind": "sla",
                "organisation_id": agreement["organisation"]["id"],
                "calendar_id": agreement["calendar"]["id"],
                "targets": {"p3": {"first_response": 60, "resolution": "8h"}},
                "escalation": ["50% notify maria@alpha.example"],
                "next_review": "2027-05-01"}),
        StatusCode::OK,
    )
    .await;
    let now = app.clock.now();
    let (first, second) = tokio::join!(
        tandem_service_desk::store::follow_agreement_changes(&app.db, now),
        tandem_service_desk::store::follow_agreement_changes(&other, now)
    );
    assert_eq!(
        first.unwrap() + second.unwrap(),
        TICKETS,
        "each ticket's clocks once between them"
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'ticket clocks'")
            .await,
        TICKETS as i64,
        "one entry each"
    );
    let (again, _) = tokio::join!(
        tandem_service_desk::store::follow_agreement_changes(&app.db, now),
        tandem_service_desk::store::follow_agreement_changes(&other, now)
    );
    assert_eq!(again.unwrap(), 0, "nothing is followed twice");
    other.close().await;
}
