//! The process engine's job throughput and how late due jobs start, on both backends.
//!
//! Throughput: N complaints are stored at one instant (each schedules its review); then 1 and 4
//! workers run everything due with a stopped clock. Each review acknowledges the complaint,
//! moves it to `acknowledged`, routes it (a queue note) and schedules its SLA check, then runs
//! once more to find nothing left to do — so a case costs two review runs.
//!
//! Delay: with the system clock and the background runner (poll interval 1 s), complaints arrive
//! every 10 ms for ~3 s; once without `wake()` (the runner finds work by polling or by sleeping
//! until `next_job_at`), once with `wake()` after each arrival as the server does. The delay is
//! `claimed_at - due_at` of every run, from `job_runs`.
//!
//! cargo bench -p engine --bench jobs
//! CALMDESK_BENCH_CASES=500 CALMDESK_BENCH_BACKENDS=sqlite cargo bench -p engine --bench jobs

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::{Actor, Clock, Role, Store, Timestamp};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock, SystemClock};

fn actor() -> Actor {
    Actor {
        name: "bench".into(),
        role: Role::Agent,
        agent_id: None,
    }
}

fn config() -> Arc<EngineConfig> {
    Arc::new(EngineConfig::from_settings(&EngineSettings::default()).expect("default settings"))
}

async fn throughput(backend: &str, store: Arc<dyn Store>, cases: usize, workers: usize) {
    // A working Monday morning, so acknowledgements and SLA checks look like office hours.
    let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    for case in store::seed::generate(cases, workers as u64) {
        store
            .create_case(&actor(), case, start)
            .await
            .expect("create");
    }
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(store.clone(), config(), clock);
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let engine = engine.clone();
        tasks.spawn(async move { engine.run_due(&format!("w{worker}")).await.expect("run") });
    }
    let mut jobs = 0;
    while let Some(summary) = tasks.join_next().await {
        let summary = summary.expect("worker");
        assert_eq!(summary.retried + summary.failed, 0, "{summary:?}");
        jobs += summary.total();
    }
    let elapsed = began.elapsed();
    println!(
        "{backend}: {cases} complaints, {workers} worker(s): {jobs} review runs in {:.2} s = {:.0} jobs/s ({:.0} complaints/s)",
        elapsed.as_secs_f64(),
        jobs as f64 / elapsed.as_secs_f64(),
        cases as f64 / elapsed.as_secs_f64(),
    );
}

async fn delay(backend: &str, store: Arc<dyn Store>, wake: bool) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(store.clone(), config(), clock);
    let began = Timestamp::now();
    let (runner, stop) = engine.spawn("runner".into());
    let cases = store::seed::generate(300, 3);
    for case in cases {
        store
            .create_case(&actor(), case, Timestamp::now())
            .await
            .expect("create");
        if wake {
            engine.wake();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Let the runner drain what is due now.
    while store
        .next_job_at()
        .await
        .expect("next job")
        .is_some_and(|at| at <= Timestamp::now())
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    stop.stop();
    runner.await.expect("runner stops");
    let mut delays: Vec<f64> = store
        .job_runs(began)
        .await
        .expect("runs")
        .iter()
        .map(|run| run.claimed_at.duration_since(run.due_at).as_secs_f64() * 1e3)
        .collect();
    delays.sort_by(f64::total_cmp);
    let at = |p: f64| delays[((delays.len() - 1) as f64 * p).round() as usize];
    println!(
        "{backend}: due→run delay {} wake(): {} runs, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        if wake { "with" } else { "without" },
        delays.len(),
        at(0.50),
        at(0.99),
        at(1.0),
    );
}

async fn measure(backend: &str, url: &str, cases: usize) {
    for workers in [1, 4] {
        throughput(
            backend,
            store::open(url).await.expect("open"),
            cases,
            workers,
        )
        .await;
    }
    for wake in [false, true] {
        delay(backend, store::open(url).await.expect("open"), wake).await;
    }
}

#[tokio::main]
async fn main() {
    let cases: usize = std::env::var("CALMDESK_BENCH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let backends = std::env::var("CALMDESK_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    if backends.contains("sqlite") {
        let db = testkit::TempSqlite::new();
        measure("sqlite", &db.url(), cases).await;
    }
    if backends.contains("postgres") {
        let db = testkit::TempPostgres::create().await;
        measure("postgres", &db.url(), cases).await;
        db.drop_database().await;
    }
}
