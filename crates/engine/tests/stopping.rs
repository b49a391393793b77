//! A runner told to stop finishes the round in hand, not the whole backlog: a server restarted
//! while thousands of jobs are due must stop in about a round's time, and what is left stays due.

use std::sync::Arc;

use domain::{Actor, Role, Store, Timestamp};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock};

const COMPLAINTS: usize = 200;

async fn stop_with_a_backlog(url: String) {
    let store: Arc<dyn Store> = store::open(&url).await.expect("open");
    let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    let actor = Actor {
        name: "test".into(),
        role: Role::Agent,
        agent_id: None,
    };
    for case in store::seed::generate(COMPLAINTS, 7) {
        store
            .create_case(&actor, case, start)
            .await
            .expect("create");
    }
    let config = EngineConfig::from_settings(&EngineSettings::default()).expect("defaults");
    let engine = Engine::new(
        store.clone(),
        Arc::new(config),
        Arc::new(ManualClock::new(start)),
    );

    let since = start - jiff::SignedDuration::from_hours(1);
    let (task, stop) = engine.spawn("stopping".into());
    // Stop once the runner is in the middle of the backlog.
    while store.job_runs(since).await.expect("runs").is_empty() {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    stop.stop();
    task.await.expect("the runner ends");

    let runs = store.job_runs(since).await.expect("runs").len();
    // Each complaint's review runs at least once before the backlog is gone; a runner that
    // drained it before looking at the stop signal would have run them all.
    assert!(
        runs < COMPLAINTS,
        "{runs} runs: the runner worked through the backlog after being told to stop"
    );
    assert!(
        store.next_job_at().await.expect("next").is_some(),
        "the rest stays due"
    );

    // The next start picks the rest up.
    let summary = engine.run_due("next-start").await.expect("run");
    assert!(summary.done as usize + runs >= COMPLAINTS);
}

#[tokio::test]
async fn stop_with_a_backlog_on_sqlite() {
    testkit::with_sqlite(stop_with_a_backlog).await;
}

#[tokio::test]
async fn stop_with_a_backlog_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(stop_with_a_backlog).await;
    }
}
