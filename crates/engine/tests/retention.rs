//! Job runs are kept `job_runs_retention_days` and then deleted by the runner, which looks at
//! most once an hour. On SQLite and PostgreSQL, in simulated time.

mod common;

use std::sync::Arc;

use common::desk;
use domain::process::{JobKind, JobSpec};
use domain::{Channel, NewCase, NewCustomer, Role, Timestamp};
use engine::{Engine, EngineConfig, EngineSettings};
use jiff::SignedDuration;

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

async fn old_runs_are_pruned_hourly(url: String) {
    let d = desk(url, "Mara Olaru", Role::Supervisor).await;
    let settings: EngineSettings = toml::from_str("job_runs_retention_days = 2").unwrap();
    let config = Arc::new(EngineConfig::from_settings(&settings).unwrap());
    let engine = Engine::new(d.store.clone(), config, d.clock.clone());
    let t0 = d.now();
    let case = NewCase::new(
        NewCustomer::named("Paul Dinu"),
        Channel::Web,
        "Late parcel",
        "My parcel is a week late.",
    );
    let id = d
        .store
        .create_case(&d.staff, case, t0)
        .await
        .unwrap()
        .case
        .id;
    // Runs at t0 (the review) and at t0 + 45 min (a probe job).
    engine.run_due("w").await.unwrap();
    let probe = JobSpec {
        key: "sla:probe".into(),
        kind: JobKind::SlaCheck,
        case_id: Some(id),
        run_at: t0 + mins(45),
        payload: serde_json::json!({}),
    };
    d.store.schedule_job(probe).await.unwrap();
    d.clock.set(t0 + mins(45));
    engine.run_due("w").await.unwrap();
    let finished = |runs: &[domain::process::JobRun], at: Timestamp| {
        runs.iter().filter(|r| r.finished_at == at).count()
    };
    let probes =
        |runs: &[domain::process::JobRun]| runs.iter().filter(|r| r.key == "sla:probe").count();
    let runs = d.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    assert!(finished(&runs, t0) > 0 && probes(&runs) == 1, "{runs:?}");

    // Two days and 30 minutes later: the runs of t0 are older than two days and go; the probe's
    // (t0 + 45 min) stay.
    let two_days = SignedDuration::from_hours(48);
    d.clock.set(t0 + two_days + mins(30));
    engine.run_due("w").await.unwrap();
    let runs = d.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    assert_eq!(finished(&runs, t0), 0, "{runs:?}");
    assert_eq!(probes(&runs), 1, "{runs:?}");

    // 20 minutes on, the probe's run is past the retention too, but the runner pruned less than
    // an hour ago: it stays until the next hour.
    d.clock.set(t0 + two_days + mins(50));
    engine.run_due("w").await.unwrap();
    let runs = d.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    assert_eq!(probes(&runs), 1, "at most once an hour");
    d.clock.set(t0 + two_days + mins(91));
    engine.run_due("w").await.unwrap();
    let runs = d.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    assert_eq!(probes(&runs), 0, "pruned the next hour");
}

#[tokio::test]
async fn retention_on_sqlite() {
    testkit::with_sqlite(old_runs_are_pruned_hourly).await;
}

#[tokio::test]
async fn retention_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(old_runs_are_pruned_hourly).await;
    }
}
