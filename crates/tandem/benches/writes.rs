//! The write path through the API on both engines: `cargo bench --bench writes`.
//!
//! Starts the real application in-process (SQLite in a temporary file; PostgreSQL in a fresh
//! database on `TANDEM_TEST_PG_URL`, skipped when that is not set) and measures, one request at
//! a time, the three requests issue 12 holds to "no regression": opening a ticket
//! (`POST /api/v1/tickets`: number, agreement, clocks, audit entry), saving a change
//! (`PUT /api/v1/changes/{id}` with its version: the change, its CIs, the risk suggestion, the
//! audit entry of the changed fields) and reading them back (`GET` of a ticket and of a change).
//! It uses only the public API, so the same file measures any commit that has these routes.
//! Figures only; nothing is asserted about time, since a shared 2-core machine is too noisy.

#[allow(dead_code)] // the bench uses part of the integration tests' harness
#[path = "../tests/api/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_storage::Engine;

/// Requests measured per scenario (after as many again to warm up).
const SAMPLES: usize = 400;

fn median_and_p99(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |i: usize| samples[i.min(samples.len() - 1)].as_secs_f64() * 1e3;
    (at(samples.len() / 2), at(samples.len() * 99 / 100))
}

/// Sends one request and checks its status, so that a failing request is not timed as a fast one.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: &Value,
    expect: StatusCode,
) -> Value {
    let (status, answer) = app.send_json(method, path, body).await;
    assert_eq!(status, expect, "{path}: {answer}");
    answer
}

async fn get(app: &TestApp, path: &str) -> Value {
    let (status, answer) = app.get_json(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    answer
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// The times of one scenario's runs: the first `SAMPLES` warm up and are not kept.
#[derive(Default)]
struct Timings(Vec<Duration>);

impl Timings {
    fn add(&mut self, run: usize, started: Instant) {
        if run >= SAMPLES {
            self.0.push(started.elapsed());
        }
    }

    fn print(self, name: &str) {
        let (median, p99) = median_and_p99(self.0);
        println!("  {name:<36} {median:>8.2}ms {p99:>8.2}ms");
    }
}

async fn bench(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let customer = app.organisation("Beta Technologies", "customer").await;
    let provider = app.organisation("Alpha Cloud", "provider").await;
    let owner = app
        .person(&provider, "Maria Schmidt", "maria@alpha.example")
        .await;
    let ci = id(&send(
        &app,
        Method::POST,
        "/api/v1/cis",
        &json!({"class": "virtual-machine", "name": "mgmt-de-01", "lifecycle": "production",
                "confidentiality": "2", "integrity": "2", "availability": "3",
                "label": "internal", "attributes": {"hostname": "mgmt-de-01", "patch_level": "2026-10"},
                "reason": "Inventory for the benchmark"}),
        StatusCode::CREATED,
    )
    .await);
    let change = send(
        &app,
        Method::POST,
        "/api/v1/changes",
        &json!({"title": "Security update", "owner_id": owner, "cis": [{"ci_id": ci}]}),
        StatusCode::CREATED,
    )
    .await;
    let change_id = id(&change);
    let mut version = change["version"].as_i64().expect("a version");

    println!("\n{}", engine.name());
    println!("  {:<36} {:>10} {:>10}", "request", "median", "p99");
    let mut tickets = Vec::new();
    let mut timings = Timings::default();
    for i in 0..2 * SAMPLES {
        let body = json!({"kind": "incident", "title": format!("Mail queue stuck {i}"),
                          "description": "Outgoing mail waits in the queue.",
                          "organisation_id": customer});
        let started = Instant::now();
        let ticket = send(
            &app,
            Method::POST,
            "/api/v1/tickets",
            &body,
            StatusCode::CREATED,
        )
        .await;
        timings.add(i, started);
        tickets.push(id(&ticket));
    }
    timings.print("POST /api/v1/tickets (open)");

    let path = format!("/api/v1/changes/{change_id}");
    let mut timings = Timings::default();
    for i in 0..2 * SAMPLES {
        let body = json!({"title": "Security update", "owner_id": owner,
                          "description": format!("Patch round {i}"),
                          "cis": [{"ci_id": ci, "update": {"patch_level": format!("2026-12-{i}")}}],
                          "version": version});
        let started = Instant::now();
        let saved = send(&app, Method::PUT, &path, &body, StatusCode::OK).await;
        timings.add(i, started);
        version = saved["version"].as_i64().expect("a version");
    }
    timings.print("PUT  /api/v1/changes/{id} (save)");

    let mut timings = Timings::default();
    for i in 0..2 * SAMPLES {
        let path = format!("/api/v1/tickets/{}", tickets[i % tickets.len()]);
        let started = Instant::now();
        get(&app, &path).await;
        timings.add(i, started);
    }
    timings.print("GET  /api/v1/tickets/{id}");

    let mut timings = Timings::default();
    for i in 0..2 * SAMPLES {
        let started = Instant::now();
        get(&app, &path).await;
        timings.add(i, started);
    }
    timings.print("GET  /api/v1/changes/{id}");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "Tandem write-path benchmark: in-process server, one reqwest client, {SAMPLES} requests each"
    );
    runtime.block_on(bench(Engine::Sqlite));
    if std::env::var_os("TANDEM_TEST_PG_URL").is_some() {
        runtime.block_on(bench(Engine::Postgres));
    } else {
        println!(
            "\npostgres — skipped: set TANDEM_TEST_PG_URL (scripts/pg-cluster start DIR prints one)"
        );
    }
}
