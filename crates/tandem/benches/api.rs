//! API read and write figures on both engines: `cargo bench --bench api`.
//!
//! Starts the real application in-process on port 0 (SQLite in a temporary file, PostgreSQL in a
//! fresh database on `TANDEM_TEST_PG_URL`, skipped when that is not set), loads people, then
//! measures with one client at a time (latency) and with 8 concurrent clients (throughput):
//! reading one person, reading a page of 50, creating a person (each with an API token, so the
//! token check is part of every request), and signing in with the right password (argon2id).
//! Figures only; nothing is
//! asserted, since a shared 2-core machine is too noisy for timing assertions.

#[allow(dead_code)] // the bench uses part of the integration tests' harness
#[path = "../tests/api/harness.rs"]
mod harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::TestApp;
use serde_json::json;
use tandem_directory::PersonDraft;
use tandem_directory::store::people;
use tandem_kernel::Clock;
use tandem_storage::Engine;

const PEOPLE: usize = 5_000;
const SAMPLES: usize = 1_000;
const CONCURRENCY: usize = 8;
const LOAD_SECONDS: u64 = 3;
/// The password of the harness's administrator for the sign-in scenario.
const PASSWORD: &str = "benchmark passphrase 2026";

fn median_and_p99(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (samples[samples.len() / 2], p99)
}

/// What one request of a scenario does; `i` makes writes unique.
#[derive(Clone, Copy)]
enum Scenario {
    ReadOne,
    ReadPage,
    Create,
    SignIn,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::ReadOne => "GET  /api/v1/people/{id}",
            Self::ReadPage => "GET  /api/v1/people?limit=50",
            Self::Create => "POST /api/v1/people",
            Self::SignIn => "POST /sign-in (right password)",
        }
    }

    /// Sequential samples for the median: fewer for sign-in, which hashes on purpose slowly.
    fn samples(self) -> usize {
        match self {
            Self::SignIn => 100,
            _ => SAMPLES,
        }
    }

    async fn run(self, app: &TestApp, ids: &[String], organisation: &str, i: usize) {
        let response = match self {
            Self::ReadOne => app
                .get(&format!("/api/v1/people/{}", ids[i % ids.len()]))
                .await
                .status(),
            Self::ReadPage => app.get("/api/v1/people?limit=50&sort=email").await.status(),
            Self::SignIn => app.sign_in(harness::OPERATOR, PASSWORD).await.status(),
            Self::Create => {
                let body = json!({"organisation_id": organisation, "name": format!("Bench {i}"), "email": format!("bench{i}-{}@example.com", uuid::Uuid::now_v7().simple())});
                app.post_json("/api/v1/people", &body).await.0
            }
        };
        assert!(
            response.is_success() || response.is_redirection(),
            "{} answered {response}",
            self.name()
        );
    }
}

async fn bench(engine: Engine) {
    let app = Arc::new(TestApp::spawn(engine).await);
    let organisation = app.organisation("Beta Technologies", "customer").await;
    let started = Instant::now();
    let mut ids = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        let draft = PersonDraft {
            organisation_id: organisation.clone(),
            name: format!("Person {i:05}"),
            email: format!("person{i}@beta.example"),
            ..PersonDraft::default()
        };
        let person = people::create(
            &tandem_audit::Write::new(
                &app.db,
                &tandem_kernel::Actor::system("benchmark"),
                app.clock.now(),
            ),
            draft.validate().unwrap(),
        )
        .await
        .unwrap();
        ids.push(person.id.to_string());
    }
    let ids = Arc::new(ids);
    let organisation = Arc::new(organisation);
    println!(
        "\n{} — {PEOPLE} people loaded through the store in {:.1} s ({:.0} committed inserts/s)",
        engine.name(),
        started.elapsed().as_secs_f64(),
        PEOPLE as f64 / started.elapsed().as_secs_f64()
    );
    println!(
        "  {:<30} {:>10} {:>10} {:>14}",
        "scenario", "median", "p99", "req/s (8 conc.)"
    );
    tandem_identity::store::set_password(
        &tandem_audit::Write::new(
            &app.db,
            &tandem_kernel::Actor::system("benchmark"),
            app.clock.now(),
        ),
        harness::OPERATOR,
        PASSWORD,
    )
    .await
    .unwrap();
    for scenario in [
        Scenario::ReadOne,
        Scenario::ReadPage,
        Scenario::Create,
        Scenario::SignIn,
    ] {
        let mut samples = Vec::with_capacity(scenario.samples());
        for i in 0..scenario.samples() {
            let t = Instant::now();
            scenario.run(&app, &ids, &organisation, i).await;
            samples.push(t.elapsed());
        }
        let (median, p99) = median_and_p99(samples);

        let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..CONCURRENCY {
            let (app, ids, organisation) = (app.clone(), ids.clone(), organisation.clone());
            workers.spawn(async move {
                let mut done = 0usize;
                while Instant::now() < deadline {
                    scenario
                        .run(
                            &app,
                            &ids,
                            &organisation,
                            SAMPLES + worker * 1_000_000 + done,
                        )
                        .await;
                    done += 1;
                }
                done
            });
        }
        let counts = workers.join_all().await;
        let total: usize = counts.into_iter().sum();
        println!(
            "  {:<30} {:>8.2}ms {:>8.2}ms {:>14.0}",
            scenario.name(),
            median.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            total as f64 / LOAD_SECONDS as f64
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("Tandem API benchmark: in-process server, reqwest client on the same machine");
    runtime.block_on(bench(Engine::Sqlite));
    if std::env::var_os("TANDEM_TEST_PG_URL").is_some() {
        runtime.block_on(bench(Engine::Postgres));
    } else {
        println!(
            "\npostgres — skipped: set TANDEM_TEST_PG_URL (scripts/pg-cluster start DIR prints one)"
        );
    }
}
