//! What the audit trail costs a write: `cargo bench -p tandem-audit --bench record`.
//!
//! On a fresh, migrated database of each engine (SQLite in a temporary file; PostgreSQL on
//! `TANDEM_TEST_PG_URL` when set), commits the same small write transaction with and without
//! an audit entry, alternating, one at a time and then from 8 concurrent writers. Prints
//! medians, p99 and writes per second of both, and their ratio. Figures only: a shared 2-core
//! machine is too noisy for timing assertions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tandem_audit::store::Record;
use tandem_audit::{Action, Changes};
use tandem_kernel::Actor;
use tandem_storage::{DatabaseUrl, Db, run};

const SAMPLES: usize = 2_000;
const CONCURRENCY: usize = 8;
const LOAD: Duration = Duration::from_secs(3);

async fn open(url: &str) -> Db {
    let db = Db::connect(&DatabaseUrl::parse(url).unwrap(), &Default::default())
        .await
        .unwrap();
    db.migrate(&[tandem_audit::MIGRATIONS]).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    run!(&mut tx, |c| {
        sqlx::query("CREATE TABLE bench_rows (id TEXT PRIMARY KEY, name TEXT NOT NULL)")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    tx.commit().await.unwrap();
    db
}

/// One committed write of a row, with its audit entry when `audited`.
async fn write(db: &Db, audited: bool) {
    let id = uuid::Uuid::now_v7().to_string();
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let mut tx = db.begin().await.unwrap();
    run!(&mut tx, |c| {
        sqlx::query("INSERT INTO bench_rows (id, name) VALUES ($1, $2)")
            .bind(&id)
            .bind("Benchmark row")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    if audited {
        let actor = Actor::system("benchmark");
        tandem_audit::record(
            &mut tx,
            Record {
                actor: &actor,
                at: now,
                action: Action::Create,
                entity: "benchmark row",
                entity_id: id.clone(),
                changes: Changes::created(&[("name", "Benchmark row".to_owned())]),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn median_and_p99(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (samples[samples.len() / 2], p99)
}

async fn throughput(db: &Arc<Db>, audited: bool) -> f64 {
    let deadline = Instant::now() + LOAD;
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let db = db.clone();
        writers.spawn(async move {
            let mut done = 0usize;
            while Instant::now() < deadline {
                write(&db, audited).await;
                done += 1;
            }
            done
        });
    }
    let total: usize = writers.join_all().await.into_iter().sum();
    total as f64 / LOAD.as_secs_f64()
}

async fn bench(name: &str, db: Db) {
    let db = Arc::new(db);
    let (mut plain, mut audited) = (Vec::new(), Vec::new());
    for i in 0..SAMPLES * 2 {
        let with = i % 2 == 1;
        let t = Instant::now();
        write(&db, with).await;
        if with { &mut audited } else { &mut plain }.push(t.elapsed());
    }
    let (plain_median, plain_p99) = median_and_p99(plain);
    let (audited_median, audited_p99) = median_and_p99(audited);
    let plain_rate = throughput(&db, false).await;
    let audited_rate = throughput(&db, true).await;
    println!("\n{name}");
    println!(
        "  {:<24} {:>10} {:>10} {:>16}",
        "write", "median", "p99", "writes/s (8 conc.)"
    );
    for (label, median, p99, rate) in [
        ("without audit entry", plain_median, plain_p99, plain_rate),
        (
            "with audit entry",
            audited_median,
            audited_p99,
            audited_rate,
        ),
    ] {
        println!(
            "  {label:<24} {:>8.3}ms {:>8.3}ms {rate:>16.0}",
            median.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    println!(
        "  audit entry: median x{:.2}, throughput x{:.2}",
        audited_median.as_secs_f64() / plain_median.as_secs_f64(),
        audited_rate / plain_rate
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("Tandem audit trail: the cost of an audit entry on a write");
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.sqlite3").display());
    runtime.block_on(async { bench("sqlite", open(&sqlite).await).await });
    match std::env::var("TANDEM_TEST_PG_URL") {
        Ok(admin) => runtime.block_on(async {
            let name = format!("tandem_bench_{}", uuid::Uuid::now_v7().simple());
            let server = open_admin(&admin).await;
            let tandem_storage::Pool::Postgres(pool) = server.pool() else {
                unreachable!("a postgres URL")
            };
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(pool)
                .await
                .unwrap();
            server.close().await;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            bench("postgres", open(&format!("{base}/{name}")).await).await;
        }),
        Err(_) => println!("\npostgres — skipped: set TANDEM_TEST_PG_URL"),
    }
}

async fn open_admin(url: &str) -> Db {
    Db::connect(&DatabaseUrl::parse(url).unwrap(), &Default::default())
        .await
        .unwrap()
}
