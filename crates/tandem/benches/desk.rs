//! The service desk with a million tickets: `cargo bench --bench desk`.
//!
//! On each engine (SQLite in a temporary file; PostgreSQL on `TANDEM_TEST_PG_URL` when set),
//! loads `TICKETS` tickets of 50 customers in bulk (plain SQL, for speed; not measured), then
//! measures through the store: opening tickets (the real write, with number, agreement,
//! clocks and audit entry), the agents' queue of open tickets and a customer's own list (pages
//! of 50 by the keyset on ids), the text search (best and worst case), and the escalation
//! scan when 1,000 tickets have a step due.
//! Set `TANDEM_BENCH_TICKETS` for another number. Figures only; nothing is asserted.

#[allow(dead_code)] // the bench uses part of the integration tests' harness
#[path = "../tests/api/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::TestApp;
use tandem_audit::Write;
use tandem_directory::{OrganisationDraft, OrganisationId};
use tandem_kernel::{Actor, Clock, Scope};
use tandem_service_desk::records::TicketDraft;
use tandem_service_desk::store::{self, Filter};
use tandem_service_desk::ticket::PriorityMatrix;
use tandem_storage::{Engine, SqlTime, run};

const CUSTOMERS: usize = 50;
const BATCH: usize = 500;

fn median(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (samples[samples.len() / 2], p99)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn load(app: &TestApp, customers: &[OrganisationId], tickets: usize) -> Duration {
    let started = Instant::now();
    let now = app.clock.now();
    let mut number = 0i64;
    while (number as usize) < tickets {
        let mut tx = app.db.begin().await.unwrap();
        let rows: Vec<(uuid::Uuid, i64, uuid::Uuid, time::OffsetDateTime, bool)> = (0..BATCH
            .min(tickets - number as usize))
            .map(|i| {
                number += 1;
                let created = now - time::Duration::minutes(tickets as i64 - number);
                (
                    uuid::Uuid::now_v7(),
                    number,
                    customers[(number as usize + i) % customers.len()].0,
                    created,
                    number % 10 != 0,
                )
            })
            .collect();
        run!(&mut tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO tickets (id, number, kind, title, state, impact, urgency, priority, organisation_id, support_level, \
                 category, affected_items, created_at, updated_at, update_from, escalation_at) ",
            );
            q.push_values(&rows, |mut b, (id, n, org, created, resolved)| {
                b.push_bind(*id)
                    .push_bind(*n)
                    .push_bind("incident")
                    .push_bind("Video room trouble")
                    .push_bind(if *resolved { "resolved" } else { "in-progress" })
                    .push_bind("medium")
                    .push_bind("medium")
                    .push_bind("p3")
                    .push_bind(*org)
                    .push_bind(1i32)
                    .push_bind("")
                    .push_bind("")
                    .push_bind(SqlTime(*created))
                    .push_bind(SqlTime(*created))
                    .push_bind(SqlTime(*created))
                    .push_bind(SqlTime(*created + time::Duration::hours(4)));
            });
            q.build().execute(c).await.map(|r| r.rows_affected())
        })
        .unwrap();
        // Not audited: the bulk load stands in for tickets opened over the years.
        tx.commit().await.unwrap();
    }
    started.elapsed()
}

async fn bench(engine: Engine, tickets: usize) {
    let app = TestApp::spawn(engine).await;
    let actor = Actor::system("benchmark");
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        let input = OrganisationDraft {
            name: format!("Customer {i:02}"),
            kind: "customer".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        customers.push(
            tandem_directory::store::organisations::create(
                &Write::new(&app.db, &actor, app.clock.now()),
                input,
            )
            .await
            .unwrap()
            .id,
        );
    }
    let loaded = load(&app, &customers, tickets).await;
    // New tickets are numbered after the loaded ones.
    let mut tx = app.db.begin().await.unwrap();
    run!(&mut tx, |c| {
        sqlx::query("UPDATE ticket_numbers SET last = $1 WHERE id = 1")
            .bind(tickets as i64)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    // Not audited: the numbering follows the bulk load.
    tx.commit().await.unwrap();
    println!(
        "\n{} — {tickets} tickets of {CUSTOMERS} customers loaded in bulk in {:.1} s",
        engine.name(),
        loaded.as_secs_f64()
    );

    let matrix = PriorityMatrix::default();
    let mut creates = Vec::new();
    for i in 0..500 {
        let input = TicketDraft {
            kind: "incident".into(),
            title: format!("Benchmark ticket {i}"),
            description: "Measured.".into(),
            organisation_id: customers[i % CUSTOMERS].to_string(),
            ..TicketDraft::default()
        }
        .validate(&matrix, true)
        .unwrap();
        let write = Write::new(&app.db, &actor, app.clock.now());
        let t = Instant::now();
        store::create(&write, Scope::Everything, input)
            .await
            .unwrap();
        creates.push(t.elapsed());
    }
    let (create_median, create_p99) = median(creates.clone());
    let total: Duration = creates.iter().sum();
    println!(
        "  open a ticket (store)              median {:>7.2} ms  p99 {:>7.2} ms  {:>6.0} tickets/s one at a time",
        ms(create_median),
        ms(create_p99),
        creates.len() as f64 / total.as_secs_f64()
    );

    let open = Filter {
        open: true,
        ..Filter::default()
    };
    let mut queue = Vec::new();
    let mut after = None;
    for _ in 0..200 {
        let t = Instant::now();
        let (page, next) = store::list(&app.db, Scope::Everything, &open, after, 50)
            .await
            .unwrap();
        queue.push(t.elapsed());
        assert_eq!(page.len(), 50);
        after = next;
    }
    let (q_median, q_p99) = median(queue);
    println!(
        "  agents' queue, page of 50 open     median {:>7.2} ms  p99 {:>7.2} ms  (200 pages deep)",
        ms(q_median),
        ms(q_p99)
    );

    let mut own = Vec::new();
    let mut after = None;
    let customer = Scope::Organisation(customers[7].0);
    for _ in 0..100 {
        let t = Instant::now();
        let (page, next) = store::list(&app.db, customer, &Filter::default(), after, 50)
            .await
            .unwrap();
        own.push(t.elapsed());
        assert!(!page.is_empty());
        after = next;
    }
    let (o_median, o_p99) = median(own);
    println!(
        "  a customer's list, page of 50      median {:>7.2} ms  p99 {:>7.2} ms  (100 pages deep)",
        ms(o_median),
        ms(o_p99)
    );

    // Search: a word in every title fills its first page at once; a word in none reads every
    // title (and probes each ticket's articles), the worst case of the LIKE search.
    for (word, label) in [
        ("room", "a word in every title"),
        ("firmware", "a word in none"),
    ] {
        let filter = Filter {
            search: Some(word.into()),
            internal: true,
            ..Filter::default()
        };
        let mut runs = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            store::list(&app.db, Scope::Everything, &filter, None, 50)
                .await
                .unwrap();
            runs.push(t.elapsed());
        }
        let (median, _) = median(runs);
        println!(
            "  search, {label:<22} median {:>8.1} ms  (5 runs, first page of 50)",
            ms(median)
        );
    }

    // 1,000 tickets with a step due; the scan finds them by the index, whatever the total.
    let mut tx = app.db.begin().await.unwrap();
    run!(&mut tx, |c| {
        sqlx::query("UPDATE tickets SET next_step_at = $1 WHERE number > $2 AND number <= $3")
            .bind(SqlTime(app.clock.now() - time::Duration::minutes(1)))
            .bind((tickets / 2) as i64)
            .bind((tickets / 2 + 1000) as i64)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    // Not audited: the bench makes steps due behind the store's back.
    tx.commit().await.unwrap();
    let t = Instant::now();
    store::escalate(&app.db, app.clock.now()).await.unwrap();
    let scan = t.elapsed();
    let t = Instant::now();
    store::escalate(&app.db, app.clock.now()).await.unwrap();
    let idle = t.elapsed();
    println!(
        "  escalation scan, 1,000 due          {:>7.1} ms  ({:.2} ms a ticket); nothing due: {:.2} ms",
        ms(scan),
        ms(scan) / 1000.0,
        ms(idle)
    );
}

fn main() {
    let tickets: usize = std::env::var("TANDEM_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("Tandem service desk benchmark: the store, in process, on this machine");
    runtime.block_on(bench(Engine::Sqlite, tickets));
    if std::env::var_os("TANDEM_TEST_PG_URL").is_some() {
        runtime.block_on(bench(Engine::Postgres, tickets));
    } else {
        println!("\npostgres — skipped: set TANDEM_TEST_PG_URL");
    }
}
