//! Issue 4, "durable work": two engines (two `serve` processes) on one database, running on the
//! real clock while complaints arrive, never run the same job twice and lose none.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use domain::process::{JobOutcome, JobRun};
use domain::{Actor, Channel, Direction, NewCase, NewCustomer, Role, Store, Timestamp};
use engine::{ENGINE_NAME, Engine, EngineConfig, EngineSettings, SystemClock};

const CASES: usize = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_sqlite() {
    testkit::with_sqlite(two_workers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(two_workers).await;
    }
}

fn complaint(n: usize) -> NewCase {
    let mut customer = NewCustomer::named(format!("Customer {n}"));
    customer.email = Some(format!("customer{n}@example.com"));
    customer.language = Some("en".into());
    NewCase::new(
        customer,
        Channel::Email,
        "Charged twice",
        "You charged my card twice for the same order. Please refund the second charge.",
    )
}

async fn two_workers(url: String) {
    let store: Arc<dyn Store> = store::open(&url).await.expect("store opens");
    let settings: EngineSettings = toml::from_str(
        r#"
        public_base_url = "https://help.example.com"
        poll_interval_ms = 50
        [safety]
        contacts = ["security@example.com"]
        "#,
    )
    .unwrap();
    let config = Arc::new(EngineConfig::from_settings(&settings).unwrap());
    let engine = |_| Engine::new(store.clone(), config.clone(), Arc::new(SystemClock));
    let engines: Vec<Engine> = (0..2).map(engine).collect();
    let started: Timestamp = jiff::Timestamp::now();
    let runners: Vec<_> = engines
        .iter()
        .enumerate()
        .map(|(n, e)| e.spawn(format!("worker-{n}")))
        .collect();

    // Complaints arrive concurrently while both runners work; each wakes one of them.
    let intake = Actor {
        name: "intake".into(),
        role: Role::Admin,
        agent_id: None,
    };
    let mut arrivals = tokio::task::JoinSet::new();
    for n in 0..CASES {
        let (store, intake, engine) = (store.clone(), intake.clone(), engines[n % 2].clone());
        arrivals.spawn(async move {
            let detail = store
                .create_case(&intake, complaint(n), jiff::Timestamp::now())
                .await
                .expect("the complaint is stored");
            engine.wake();
            detail.case.id
        });
    }
    let ids = arrivals.join_all().await;

    // Wait (a bounded time) until every case was acknowledged and the runners have been idle
    // for a second (each review reschedules the case's review once more: the acknowledgement
    // changed the case), then stop both; stopping lets the job in hand finish.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut seen = (usize::MAX, tokio::time::Instant::now());
    loop {
        let finished = store.job_runs(started).await.unwrap().len();
        let mut acknowledged = 0;
        for id in &ids {
            let case = store.get_case(*id).await.unwrap().case;
            acknowledged += usize::from(case.acknowledged_at.is_some());
        }
        if finished != seen.0 {
            seen = (finished, tokio::time::Instant::now());
        } else if acknowledged == CASES && seen.1.elapsed() >= Duration::from_secs(1) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {acknowledged} of {CASES} cases were acknowledged within two minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (handle, stop) in runners {
        stop.stop();
        handle.await.expect("the runner ends cleanly");
    }

    // Nothing is left due: no job was lost.
    engines[0].run_due("after").await.unwrap();
    let left: Vec<String> = store
        .job_runs(started)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.worker == "after")
        .map(|r| r.key)
        .collect();
    assert!(
        left.is_empty(),
        "jobs left due after both runners stopped: {left:?}"
    );

    let runs = store.job_runs(started).await.unwrap();
    let workers: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.worker.as_str()).collect();
    assert_eq!(workers.len(), 2, "both workers ran jobs: {workers:?}");
    let superseded: Vec<&JobRun> = runs.iter().filter(|r| r.superseded).collect();
    assert!(superseded.is_empty(), "jobs ran twice: {superseded:#?}");
    let mut done: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    let mut per_job: BTreeMap<i64, Vec<&JobRun>> = BTreeMap::new();
    for run in &runs {
        if run.outcome == JobOutcome::Done {
            *done.entry((run.job_id.0, run.generation)).or_default() += 1;
        }
        per_job.entry(run.job_id.0).or_default().push(run);
    }
    let twice: Vec<_> = done.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "generations done twice: {twice:?}");
    for (job, mut job_runs) in per_job {
        job_runs.sort_by_key(|r| (r.claimed_at, r.finished_at));
        for pair in job_runs.windows(2) {
            assert!(
                pair[1].claimed_at >= pair[0].finished_at,
                "job {job} ran twice at once: {:#?}",
                pair
            );
        }
    }

    // Every customer was acknowledged exactly once.
    for id in &ids {
        let detail = store.get_case(*id).await.unwrap();
        assert!(
            detail.case.acknowledged_at.is_some(),
            "{id} not acknowledged"
        );
        let acks = detail
            .messages
            .iter()
            .filter(|m| {
                m.direction == Direction::Outbound && m.author.as_deref() == Some(ENGINE_NAME)
            })
            .count();
        assert_eq!(acks, 1, "{id} got {acks} acknowledgements");
    }
}
