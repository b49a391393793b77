//! Search latency at scale, on both backends: seeds N generated cases (default 100,000) into a
//! fresh database, then times the list/search call for a Chinese, a Greek and an English query.
//!
//! cargo bench -p store --bench search                       # both backends, 100,000 cases
//! CALMDESK_BENCH_CASES=20000 CALMDESK_BENCH_BACKENDS=sqlite cargo bench -p store --bench search
//! CALMDESK_BENCH_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench -p store --bench search
//!   (a kept database: seeded only while it holds fewer cases than asked for)

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{CaseFilter, Store, Timestamp};
use sqlx::Connection;

const QUERIES: &[(&str, &str)] = &[
    ("Chinese 退款", "退款"),
    (
        "Greek επιστροφη χρηματων (typed without accents)",
        "επιστροφη χρηματων",
    ),
    ("English refund", "refund"),
    ("English rare: order number", "A000123"),
];
const WARMUP: usize = 20;
const RUNS: usize = 300;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

async fn measure(backend: &str, postgres_url: Option<&str>, store: Arc<dyn Store>, cases: usize) {
    let newest = store
        .list_cases(&CaseFilter {
            limit: 1,
            ..CaseFilter::default()
        })
        .await;
    let held = newest
        .expect("list")
        .items
        .first()
        .map_or(0, |c| c.id.0 as usize);
    if held < cases {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let began = Instant::now();
        // A kept database that was only partly seeded is topped up with a different seed.
        let missing = cases - held;
        store::seed::load(store.clone(), missing, 42 + held as u64, start, 8)
            .await
            .expect("seeding");
        let seeding = began.elapsed();
        println!(
            "{backend}: seeded {missing} cases in {:.1} s ({:.0} cases/s incl. replies on a third)",
            seeding.as_secs_f64(),
            missing as f64 / seeding.as_secs_f64()
        );
    }
    if let Some(url) = postgres_url {
        // What autovacuum does shortly after a bulk load: the planner needs token statistics.
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query("ANALYZE")
            .execute(&mut conn)
            .await
            .expect("analyze");
    }
    for (label, q) in QUERIES {
        let filter = CaseFilter {
            q: Some((*q).into()),
            ..CaseFilter::default()
        };
        let mut times = Vec::with_capacity(RUNS);
        let mut hits = 0;
        for run in 0..WARMUP + RUNS {
            let began = Instant::now();
            let page = store.list_cases(&filter).await.expect("search");
            if run >= WARMUP {
                times.push(began.elapsed());
            }
            hits = page.items.len();
        }
        times.sort();
        println!(
            "{backend}: {label:<50} first page {hits:>2} items  p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
        );
    }
}

#[tokio::main]
async fn main() {
    let cases: usize = std::env::var("CALMDESK_BENCH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    if let Ok(url) = std::env::var("CALMDESK_BENCH_URL") {
        let store = store::open(&url)
            .await
            .expect("open the benchmark database");
        let postgres = url.starts_with("postgres").then_some(url.as_str());
        measure(&url, postgres, store, cases).await;
        return;
    }
    let backends = std::env::var("CALMDESK_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    if backends.contains("sqlite") {
        let db = testkit::TempSqlite::new();
        let store = store::open(&db.url()).await.expect("open SQLite");
        measure("sqlite", None, store, cases).await;
    }
    if backends.contains("postgres") {
        let db = testkit::TempPostgres::create().await;
        let store = store::open(&db.url()).await.expect("open PostgreSQL");
        measure("postgres", Some(&db.url()), store, cases).await;
        db.drop_database().await;
    }
}
