//! Case creation through the `Store` port with 50 concurrent callers, on both backends: the
//! storage share of the server's HTTP creation benchmark (one transaction per case: customer
//! lookup or insert, case, first message, two events, search row).
//!
//! cargo bench -p store --bench create
//! CALMDESK_BENCH_CREATES=20000 CALMDESK_BENCH_BACKENDS=sqlite cargo bench -p store --bench create

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{Actor, Role, Store, Timestamp};

const CALLERS: usize = 50;

async fn measure(backend: &str, store: Arc<dyn Store>, creates: usize) {
    let actor = Actor {
        name: "bench".into(),
        role: Role::Agent,
        agent_id: None,
    };
    let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let mut lanes: Vec<Vec<domain::NewCase>> = (0..CALLERS).map(|_| Vec::new()).collect();
    for (index, case) in store::seed::generate(creates, 11).into_iter().enumerate() {
        lanes[index % CALLERS].push(case);
    }
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for lane in lanes {
        let (store, actor) = (store.clone(), actor.clone());
        tasks.spawn(async move {
            let mut times = Vec::with_capacity(lane.len());
            for case in lane {
                let call = Instant::now();
                store.create_case(&actor, case, now).await.expect("create");
                times.push(call.elapsed());
            }
            times
        });
    }
    let mut times: Vec<Duration> = Vec::with_capacity(creates);
    while let Some(lane) = tasks.join_next().await {
        times.extend(lane.expect("caller"));
    }
    let total = began.elapsed();
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{backend}: {creates} cases by {CALLERS} callers in {:.2} s = {:.0} cases/s; per call p50 {:.2} ms, p99 {:.2} ms",
        total.as_secs_f64(),
        creates as f64 / total.as_secs_f64(),
        at(0.50),
        at(0.99),
    );
}

#[tokio::main]
async fn main() {
    let creates: usize = std::env::var("CALMDESK_BENCH_CREATES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let backends = std::env::var("CALMDESK_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    if backends.contains("sqlite") {
        let db = testkit::TempSqlite::new();
        measure(
            "sqlite",
            store::open(&db.url()).await.expect("open SQLite"),
            creates,
        )
        .await;
    }
    if backends.contains("postgres") {
        let db = testkit::TempPostgres::create().await;
        measure(
            "postgres",
            store::open(&db.url()).await.expect("open PostgreSQL"),
            creates,
        )
        .await;
        db.drop_database().await;
    }
}
