//! Claiming and running due jobs, once (`run_due`) or for as long as the server runs (`spawn`).

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::process::{Job, JobOutcome};
use domain::{CaseId, StoreError, Timestamp};
use jiff::SignedDuration;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::{Engine, EngineError};

/// Jobs claimed per round trip to the store.
const BATCH: u32 = 32;

/// The runner deletes old job runs at most this often.
const PRUNE_EVERY: SignedDuration = SignedDuration::from_hours(1);

/// Pauses between tries to finish a claim while the database is unreachable.
const FINISH_RETRY_PAUSES_MS: [u64; 5] = [50, 100, 200, 400, 800];

/// What one `run_due` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub done: u64,
    pub retried: u64,
    pub failed: u64,
}

impl RunSummary {
    pub fn total(&self) -> u64 {
        self.done + self.retried + self.failed
    }
}

/// Stops a runner started by [`Engine::spawn`]: the job in hand is finished first.
#[derive(Debug, Clone)]
pub struct StopHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl StopHandle {
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Wait before retry attempt `attempts + 1`: 2, 4, 8 … seconds, at most 5 minutes.
fn backoff(attempts: u32) -> SignedDuration {
    let seconds = 1i64 << attempts.clamp(1, 9);
    SignedDuration::from_secs(seconds.min(300))
}

impl Engine {
    /// Claims and runs every job due now, round after round, until none is due. Jobs of
    /// different cases run concurrently; a case's own jobs run one after the other, so they do
    /// not race each other for the case.
    pub async fn run_due(&self, worker: &str) -> Result<RunSummary, EngineError> {
        self.run_due_unless_stopped(worker, None).await
    }

    /// `run_due` that returns between rounds once `stop` says so: a server asked to stop
    /// finishes the round in hand instead of the whole backlog (what is left stays due for the
    /// next start or another replica).
    async fn run_due_unless_stopped(
        &self,
        worker: &str,
        stop: Option<&watch::Receiver<bool>>,
    ) -> Result<RunSummary, EngineError> {
        self.prune_if_due().await;
        let mut summary = RunSummary::default();
        loop {
            if stop.is_some_and(|stop| *stop.borrow()) {
                return Ok(summary);
            }
            let now = self.now();
            let jobs = self
                .store()
                .claim_due_jobs(worker, now, self.config().lease(), BATCH)
                .await?;
            if jobs.is_empty() {
                return Ok(summary);
            }
            let mut by_case: BTreeMap<Option<CaseId>, Vec<Job>> = BTreeMap::new();
            for job in jobs {
                by_case.entry(job.case_id).or_default().push(job);
            }
            let mut tasks = JoinSet::new();
            for (_, jobs) in by_case {
                let engine = self.clone();
                tasks.spawn(async move { engine.run_claimed(jobs).await });
            }
            // Every task is awaited, even after one failed: aborting the others mid-job would
            // only make them run again later.
            let mut failure = None;
            while let Some(done) = tasks.join_next().await {
                let part = done.map_err(|err| EngineError::BadJob {
                    key: "(batch)".to_owned(),
                    reason: format!("a job task panicked: {err}"),
                });
                match part.and_then(|part| part) {
                    Ok(part) => {
                        summary.done += part.done;
                        summary.retried += part.retried;
                        summary.failed += part.failed;
                    }
                    Err(err) => failure = failure.or(Some(err)),
                }
            }
            if let Some(err) = failure {
                return Err(err);
            }
        }
    }

    /// Runs claimed jobs in order and finishes each claim.
    async fn run_claimed(&self, jobs: Vec<Job>) -> Result<RunSummary, EngineError> {
        let mut summary = RunSummary::default();
        for job in jobs {
            let outcome = self.run_job(&job).await;
            let counter = match &outcome {
                JobOutcome::Done => &mut summary.done,
                JobOutcome::Retry { .. } => &mut summary.retried,
                JobOutcome::Failed { .. } => &mut summary.failed,
            };
            match self.finish(&job, outcome).await {
                Ok(()) => *counter += 1,
                // Our lease ran out and another worker took the job over: its run counts, ours
                // is kept in the job runs as superseded.
                Err(StoreError::Domain(domain::DomainError::Conflict(reason))) => {
                    tracing::warn!(job = %job.key, %reason, "job finished elsewhere");
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(summary)
    }

    /// Deletes the job runs older than `job_runs_retention_days`, at most once an hour (or again
    /// at once if the clock went back). A failure is logged and tried again on the next pass.
    async fn prune_if_due(&self) {
        let now = self.now();
        {
            let mut last = self
                .inner
                .last_prune
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if last.is_some_and(|at| at <= now && now.duration_since(at) < PRUNE_EVERY) {
                return;
            }
            *last = Some(now);
        }
        let before = now - self.config().job_runs_retention();
        match self.store().prune_job_runs(before).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, %before, "old job runs deleted"),
            Err(err) => {
                tracing::warn!(error = %err, "old job runs not deleted; trying again next pass");
                *self
                    .inner
                    .last_prune
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
            }
        }
    }

    /// Finishes a claim. While the database is unreachable the finish is tried again a few
    /// times over about 1.5 s: after a brief outage (a failover, a restart, connections killed)
    /// a job that ran is finished by its own worker instead of waiting for its lease to run out
    /// and running again. A finish that did reach the database before the connection broke is
    /// refused on the next try as finished already (and logged as such by the caller).
    async fn finish(&self, job: &Job, outcome: JobOutcome) -> Result<(), StoreError> {
        let mut pauses = FINISH_RETRY_PAUSES_MS.iter();
        loop {
            match self
                .store()
                .finish_job(job, outcome.clone(), self.now())
                .await
            {
                Err(StoreError::Unavailable(reason)) => match pauses.next() {
                    Some(&pause) => {
                        tracing::warn!(job = %job.key, %reason, "finishing the job again shortly");
                        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    }
                    None => return Err(StoreError::Unavailable(reason)),
                },
                other => return other,
            }
        }
    }

    /// Runs the handler of a job claimed through `claim_due_jobs` and says how it went, without
    /// finishing the claim (`run_due` does both; an operator tool or a test may want only this).
    pub async fn run_job(&self, job: &Job) -> JobOutcome {
        match self.handle(job).await {
            Ok(()) => JobOutcome::Done,
            Err(err) if job.attempts >= self.config().settings.max_attempts => {
                tracing::error!(job = %job.key, attempts = job.attempts, error = %err, "job failed");
                JobOutcome::Failed {
                    error: err.to_string(),
                }
            }
            Err(err) => {
                let wait = if err.is_transient() {
                    backoff(job.attempts)
                } else {
                    // A bug or bad data rarely heals by itself; try a few times, slowly.
                    backoff(job.attempts + 3)
                };
                tracing::warn!(job = %job.key, attempts = job.attempts, error = %err, "job will be retried");
                JobOutcome::Retry {
                    at: self.now() + wait,
                    error: err.to_string(),
                }
            }
        }
    }

    /// Wakes the runner: something is due now (after a command that scheduled work).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs due jobs until stopped: after each pass it sleeps until the next job is due, at
    /// most the poll interval, or until [`Engine::wake`]. A failing store is logged and retried
    /// on the next pass.
    pub fn spawn(&self, worker: String) -> (JoinHandle<()>, StopHandle) {
        let (sender, mut stopped) = watch::channel(false);
        let engine = self.clone();
        let handle = tokio::spawn(async move {
            // A dropped StopHandle means "run until the process ends", not "stop".
            let mut stoppable = true;
            loop {
                if *stopped.borrow() {
                    return;
                }
                if let Err(err) = engine
                    .run_due_unless_stopped(&worker, stoppable.then_some(&stopped))
                    .await
                {
                    tracing::warn!(error = %err, "job runner pass failed");
                }
                let sleep = engine.sleep_time().await;
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = engine.inner.wake.notified() => {}
                    changed = stopped.changed(), if stoppable => stoppable = changed.is_ok(),
                }
            }
        });
        (
            handle,
            StopHandle {
                stop: Arc::new(sender),
            },
        )
    }

    async fn sleep_time(&self) -> std::time::Duration {
        let poll = self.config().poll_interval();
        match self.store().next_job_at().await {
            Ok(Some(at)) => until(self.now(), at).min(poll),
            _ => poll,
        }
    }
}

fn until(now: Timestamp, at: Timestamp) -> std::time::Duration {
    std::time::Duration::try_from(at.duration_since(now)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_five_minutes() {
        assert_eq!(backoff(0), SignedDuration::from_secs(2));
        assert_eq!(backoff(1), SignedDuration::from_secs(2));
        assert_eq!(backoff(2), SignedDuration::from_secs(4));
        assert_eq!(backoff(5), SignedDuration::from_secs(32));
        assert_eq!(backoff(50), SignedDuration::from_secs(300));
    }

    #[test]
    fn sleeping_never_goes_negative() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        assert_eq!(
            until(now, now - SignedDuration::from_secs(5)),
            std::time::Duration::ZERO
        );
        assert_eq!(
            until(now, now + SignedDuration::from_millis(250)),
            std::time::Duration::from_millis(250)
        );
    }
}
