//! Issue 4, "a database outage during a job": on a real PostgreSQL the engine's connections are
//! killed (`pg_terminate_backend`, as a failover or a restart would) while a job runs — once in
//! the middle of its effects, once after its effects and before its finish — and then while many
//! jobs run. Every job runs again later, idempotently: the customer gets one acknowledgement,
//! staff one routing note, and no job is given up on.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Desk, desk};
use domain::process::JobOutcome;
use domain::{CaseId, Channel, Direction, NewCase, NewCustomer, Role, Status, Timestamp};
use jiff::SignedDuration;
use sqlx::{Connection, Executor, PgConnection, Row};

impl Desk {
    async fn complain(&self, n: usize) -> CaseId {
        let mut customer = NewCustomer::named(format!("Customer {n}"));
        customer.email = Some(format!("customer{n}@example.com"));
        customer.language = Some("en".into());
        let case = NewCase::new(
            customer,
            Channel::Email,
            "Wrong invoice",
            "My invoice lists a service I never ordered.",
        );
        let detail = self.store.create_case(&self.staff, case, self.now()).await;
        detail.expect("the complaint is stored").case.id
    }

    /// A connection of our own to the engine's database, outside its pool.
    async fn admin(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .expect("admin connection")
    }

    /// Runs due jobs until none is left, moving the clock past every back-off and lease, as a
    /// runner would over the following minutes.
    async fn settle(&self) {
        for _ in 0..20 {
            let _ = self.engine.run_due("after").await;
            self.clock.advance(SignedDuration::from_mins(6));
        }
        let summary = self
            .engine
            .run_due("after")
            .await
            .expect("the database is back");
        assert_eq!(summary.total(), 0, "nothing is left due: {summary:?}");
    }

    /// What Calmdesk sent the customer, and the notes it wrote for staff.
    async fn engine_messages(&self, id: CaseId) -> (usize, usize) {
        let detail = self.store.get_case(id).await.unwrap();
        let by_engine = |direction| {
            detail
                .messages
                .iter()
                .filter(|m| m.direction == direction && m.author.as_deref() == Some("Calmdesk"))
                .count()
        };
        (by_engine(Direction::Outbound), by_engine(Direction::Note))
    }

    async fn assert_handled_once(&self, id: CaseId) {
        let case = self.store.get_case(id).await.unwrap().case;
        assert_eq!(case.status, Status::Acknowledged, "{id}");
        assert_eq!(
            self.engine_messages(id).await,
            (1, 1),
            "{id}: one acknowledgement to the customer, one routing note"
        );
    }
}

/// Waits until one of the engine's connections is stuck on a lock with a statement starting
/// with `statement`, and kills every connection of the engine's pool (not `admin`'s own).
async fn kill_when_waiting(admin: &mut PgConnection, statement: &str) -> u64 {
    testkit::wait_for_lock_waiter(admin, statement).await;
    terminate_all(admin).await
}

/// `pg_terminate_backend` on every other connection to the database; how many were killed.
async fn terminate_all(admin: &mut PgConnection) -> u64 {
    let killed = sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    killed.len() as u64
}

/// The connection dies in the middle of a job's effects: the acknowledgement's transaction waits
/// on a lock on the case and is killed. Nothing of it is kept; the job is retried after its
/// back-off and acknowledges once.
async fn outage_in_the_middle_of_a_job(url: String) {
    let b = desk(url, "Vlad Toma", Role::Agent).await;
    let id = b.complain(1).await;
    let mut locker = b.admin().await;
    locker.execute("BEGIN").await.unwrap();
    sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .fetch_one(&mut locker)
        .await
        .unwrap();
    let engine = b.engine.clone();
    let run = tokio::spawn(async move { engine.run_due("first").await });
    let mut killer = b.admin().await;
    let killed = kill_when_waiting(&mut killer, "").await;
    assert!(killed >= 2, "the engine's connections and the lock holder");
    // The lock holder was killed too: the case is free again.
    let first = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("run_due returns after the outage")
        .unwrap();
    // Either the handler's error became a retry, or its finish also met the dead connection
    // (then the claim stays until its lease runs out).
    if let Ok(summary) = first {
        assert_eq!(summary.done, 0, "{summary:?}");
    }
    assert_eq!(
        b.engine_messages(id).await,
        (0, 0),
        "the killed effect left nothing"
    );
    b.settle().await;
    b.assert_handled_once(id).await;
    let runs = b.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    assert!(
        runs.iter()
            .all(|r| !matches!(r.outcome, JobOutcome::Failed { .. })),
        "no job given up: {runs:?}"
    );
}

/// The connection dies after a job's effects and before its finish: the effects stay, the job is
/// still claimed by a worker that lost its connection. After the lease another run takes it
/// over and finds nothing left to send.
async fn outage_between_effects_and_finish(url: String) {
    let b = desk(url, "Vlad Toma", Role::Agent).await;
    let id = b.complain(2).await;
    // Hold the case (so the job waits inside its effects), then its job row (so its finish will
    // wait), then let the effects go through.
    let mut case_lock = b.admin().await;
    case_lock.execute("BEGIN").await.unwrap();
    sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .fetch_one(&mut case_lock)
        .await
        .unwrap();
    let engine = b.engine.clone();
    let run = tokio::spawn(async move { engine.run_due("first").await });
    let mut watcher = b.admin().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while sqlx::query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() \
         AND wait_event_type = 'Lock'",
    )
    .fetch_optional(&mut watcher)
    .await
    .unwrap()
    .is_none()
    {
        assert!(Instant::now() < deadline, "the job never reached the case");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut job_lock = b.admin().await;
    job_lock.execute("BEGIN").await.unwrap();
    sqlx::query("SELECT id FROM jobs WHERE key = $1 FOR UPDATE")
        .bind(format!("review:{}", id.0))
        .fetch_one(&mut job_lock)
        .await
        .unwrap();
    case_lock.execute("COMMIT").await.unwrap();
    // The review now acknowledges and routes; its finish waits on the job row: kill everything
    // but the job lock's holder, then let the row go.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let finishing = sqlx::query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND query LIKE 'UPDATE jobs SET%'",
        )
        .fetch_optional(&mut watcher)
        .await
        .unwrap();
        if finishing.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job never reached its finish"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let holder: i32 = sqlx::query("SELECT pg_backend_pid() AS pid")
        .fetch_one(&mut job_lock)
        .await
        .unwrap()
        .get("pid");
    let watcher_pid: i32 = sqlx::query("SELECT pg_backend_pid() AS pid")
        .fetch_one(&mut watcher)
        .await
        .unwrap()
        .get("pid");
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> $1 AND pid <> $2",
    )
    .bind(holder)
    .bind(watcher_pid)
    .fetch_all(&mut watcher)
    .await
    .unwrap();
    job_lock.execute("COMMIT").await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("run_due returns after the outage")
        .unwrap();
    // The effects are stored, and the worker finished its own claim once the database took
    // connections again: the job does not wait for its lease to run out (nor run again).
    assert_eq!(b.engine_messages(id).await, (1, 1), "{first:?}");
    let summary = first.expect("the finish is tried again after the outage");
    assert_eq!(summary.done, 1, "{summary:?}");
    let runs = b.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    let review = format!("review:{}", id.0);
    let reviews: Vec<_> = runs.iter().filter(|r| r.key == review).collect();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(
        (
            reviews[0].worker.as_str(),
            &reviews[0].outcome,
            reviews[0].superseded
        ),
        ("first", &JobOutcome::Done, false)
    );
    let later = b.engine.run_due("later").await.unwrap();
    assert_eq!(later.total(), 0, "nothing waits for a lease: {later:?}");
    b.settle().await;
    b.assert_handled_once(id).await;
}

/// Connections killed over and over while 40 complaints are reviewed: afterwards every one is
/// acknowledged once and no job was given up on.
async fn repeated_outages_under_load(url: String) {
    let b = desk(url, "Vlad Toma", Role::Agent).await;
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(b.complain(100 + n).await);
    }
    let mut killer = b.admin().await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let kills = tokio::spawn(async move {
        let mut killed = 0;
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            killed += terminate_all(&mut killer).await;
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        killed
    });
    let mut errors = 0;
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if b.engine.run_due("busy").await.is_err() {
            errors += 1;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let killed = kills.await.unwrap();
    assert!(killed > 0, "the outages happened");
    b.settle().await;
    for id in &ids {
        b.assert_handled_once(*id).await;
    }
    let runs = b.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    let retried = runs
        .iter()
        .filter(|r| matches!(r.outcome, JobOutcome::Retry { .. }))
        .count();
    assert!(
        retried + errors > 0,
        "the outages hit running jobs ({killed} connections killed)"
    );
    assert!(
        runs.iter()
            .all(|r| !matches!(r.outcome, JobOutcome::Failed { .. })),
        "no job given up: {runs:?}"
    );
}

macro_rules! on_postgres {
    ($($scenario:ident => $test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                if testkit::postgres_wanted() {
                    testkit::with_postgres($scenario).await;
                }
            }
        )*
    };
}

on_postgres!(
    outage_in_the_middle_of_a_job => killed_in_the_middle_of_a_job,
    outage_between_effects_and_finish => killed_between_effects_and_finish,
    repeated_outages_under_load => killed_again_and_again_under_load,
);
