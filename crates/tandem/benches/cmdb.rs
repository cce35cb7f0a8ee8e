//! The CMDB with 100,000 CIs and 300,000 relations, read from the database: `cargo bench
//! --bench cmdb`. The pure walk over the same shape is `cargo bench -p tandem-cmdb --bench
//! impact`; this one measures what a request pays on top of it.
//!
//! On each engine (SQLite in a temporary file; PostgreSQL on `TANDEM_TEST_PG_URL` when set),
//! loads the CIs and relations in bulk (plain SQL, for speed; not measured), then measures
//! `graph::load` cold (after a CI write: the queries that read the graph, and building it) and
//! warm (the graph kept in memory; only the check of the generation and the customers are
//! read), an analysis through the loaded graph, and saving a change on one CI, which loads the
//! graph for its suggested risk. Set `TANDEM_BENCH_CIS` for another number of CIs (relations are three times as
//! many). Figures only; nothing is asserted.

#[allow(dead_code)] // the bench uses part of the integration tests' harness
#[path = "../tests/api/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::TestApp;
use tandem_audit::Write;
use tandem_cmdb::ci::{CiId, OperationalState};
use tandem_kernel::{Actor, Clock};
use tandem_storage::{Engine, SqlTime, run};

const BATCH: usize = 1000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// CIs `0..n` in blocks of 50 (a data-centre hall: its first CI a location); relations: each
/// other CI runs on or depends on three CIs of its own block, so that a failure stays in its
/// block, as in a landscape of many independent customers' systems.
async fn load(app: &TestApp, n: usize) -> Vec<uuid::Uuid> {
    let now = app.clock.now();
    let ids: Vec<uuid::Uuid> = (0..n).map(|_| uuid::Uuid::now_v7()).collect();
    for chunk in (0..n).collect::<Vec<_>>().chunks(BATCH) {
        let mut tx = app.db.begin().await.unwrap();
        run!(&mut tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO cis (id, number, class_key, name, description, lifecycle, operational, \
                 operational_since, confidentiality, integrity, availability, label, attributes, \
                 created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, &i| {
                b.push_bind(ids[i])
                    .push_bind(i as i64 + 1)
                    .push_bind(if i % 50 == 0 { "location" } else { "virtual-machine" })
                    .push_bind(format!("ci-{i:06}"))
                    .push_bind("")
                    .push_bind("production")
                    .push_bind("operational")
                    .push_bind(SqlTime(now))
                    .push_bind(2i32)
                    .push_bind(2i32)
                    .push_bind(3i32)
                    .push_bind("internal")
                    .push_bind("{}")
                    .push_bind(SqlTime(now))
                    .push_bind(SqlTime(now));
            });
            q.build().execute(c).await.map(|r| r.rows_affected())
        })
        .unwrap();
        run!(&mut tx, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO ci_relations (id, kind, source_id, target_id, note, created_at) ",
            );
            let in_block = |i: usize, salt: usize| {
                let block = i / 50 * 50;
                (block + 1 + (i * salt + salt) % 49).min(n - 1)
            };
            let edges: Vec<(usize, usize, &str)> = chunk
                .iter()
                .filter(|&&i| i % 50 != 0)
                .flat_map(|&i| {
                    [
                        (i, in_block(i, 7), "runs-on"),
                        (i, in_block(i, 13), "depends-on"),
                        (i, in_block(i, 31), "depends-on"),
                    ]
                })
                .filter(|(s, t, _)| s != t)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            q.push_values(edges, |mut b, (s, t, kind)| {
                b.push_bind(uuid::Uuid::now_v7())
                    .push_bind(kind)
                    .push_bind(ids[s])
                    .push_bind(ids[t])
                    .push_bind("")
                    .push_bind(SqlTime(now));
            });
            q.build().execute(c).await.map(|r| r.rows_affected())
        })
        .unwrap();
        // Not audited: the benchmark's bulk load in plain SQL, not a user's write.
        tx.commit().await.unwrap();
    }
    ids
}

async fn bench(engine: Engine, n: usize) {
    let app = TestApp::spawn(engine).await;
    println!("\n{engine:?}: {n} CIs, about {} relations", 3 * n);
    let started = Instant::now();
    let ids = load(&app, n).await;
    println!(
        "  bulk load (not a product path)       {:>9.0} ms",
        ms(started.elapsed())
    );

    // Cold: a write counted in `cmdb_generation` makes the next load read the graph again.
    let mut cold = Vec::new();
    for _ in 0..5 {
        let mut conn = app.db.conn().await.unwrap();
        run!(&mut conn, |c| {
            sqlx::query("UPDATE cmdb_generation SET value = value + 1 WHERE id = 1")
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        drop(conn);
        let t = Instant::now();
        let graph = tandem_cmdb::store::graph::load(&app.db).await.unwrap();
        cold.push(t.elapsed());
        drop(graph);
    }
    println!(
        "  graph::load after a CI write (cold)  median {:>7.1} ms",
        ms(median(cold))
    );
    let mut warm = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let graph = tandem_cmdb::store::graph::load(&app.db).await.unwrap();
        warm.push(t.elapsed());
        drop(graph);
    }
    println!(
        "  graph::load, nothing written (warm)  median {:>7.2} ms",
        ms(median(warm))
    );

    let graph = tandem_cmdb::store::graph::load(&app.db).await.unwrap();
    let mut walks = Vec::new();
    for i in 0..20 {
        let root = CiId(ids[(i * 997 + 10) % n]);
        let t = Instant::now();
        graph
            .analyse(&[(root, OperationalState::Down)], false)
            .unwrap();
        walks.push(t.elapsed());
    }
    println!(
        "  analyse one CI down (report)         median {:>7.3} ms",
        ms(median(walks))
    );

    // Saving a change on one CI computes its suggested risk: a graph load and an analysis.
    let actor = Actor::system("benchmark");
    let owner = tandem_identity::store::person_by_email(&app.db, harness::OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .0;
    let mut saves = Vec::new();
    for i in 0..5 {
        let input = tandem_changes::change::ChangeDraft {
            title: format!("Benchmark change {i}"),
            owner_id: owner.to_string(),
            cis: vec![tandem_changes::change::CiLine {
                ci_id: ids[(i * 7919 + 5) % n].to_string(),
                update: Default::default(),
            }],
            ..Default::default()
        }
        .validate()
        .unwrap();
        let write = Write::new(&app.db, &actor, app.clock.now());
        let t = Instant::now();
        tandem_changes::store::changes::create(&write, true, input)
            .await
            .unwrap();
        saves.push(t.elapsed());
    }
    println!(
        "  save a change on one CI (with risk)  median {:>7.1} ms",
        ms(median(saves))
    );
}

fn main() {
    let n: usize = std::env::var("TANDEM_BENCH_CIS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("Tandem CMDB benchmark: the impact graph read from the database, on this machine");
    runtime.block_on(bench(Engine::Sqlite, n));
    if std::env::var_os("TANDEM_TEST_PG_URL").is_some() {
        runtime.block_on(bench(Engine::Postgres, n));
    } else {
        println!("\npostgres — skipped: set TANDEM_TEST_PG_URL");
    }
}
