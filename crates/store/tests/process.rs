//! The process engine's storage contract (`ProcessStore`): every scenario runs, unchanged,
//! against SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::incident_render::{Discussion, OfferOutcome};
use domain::process::{
    ActionStatus, CommitmentChange, CommitmentKind, CommitmentSource, CommitmentStatus,
    FeedbackAnswer, FeedbackPurpose, Job, JobKind, JobOutcome, JobSpec, NewCommitment,
    NewNotification, NewPreventiveAction, NotificationKind,
};
use domain::{
    Assign, CaseId, Channel, Direction, DomainError, EventKind, ExportRecord, IncidentRecordInput,
    ListQuery, NewCase, NewCustomer, NewMessage, Resolution, Status, Store, StoreError, Timestamp,
    Transition, UpdateCase,
};
use jiff::SignedDuration;

use common::{agent_actor, at, invalid_field, is_not_found};

testkit::backend_scenarios!(
    open = store::open;
    jobs_are_scheduled_claimed_and_finished_by_generation,
    retry_and_failure_keep_the_job_for_later_or_for_an_operator,
    an_expired_lease_is_taken_over_and_the_old_claim_refused,
    concurrent_claimers_take_every_job_exactly_once,
    every_case_change_schedules_its_review_in_the_same_transaction,
    add_message_once_adds_one_message_per_key,
    a_message_and_its_promise_are_one_write,
    concurrent_effects_with_one_key_happen_once,
    export_and_import_keep_the_process_rows,
    import_schedules_the_review_and_new_ids_follow_imported_ones,
    commitments_are_tracked_with_their_check_job_and_history,
    illegal_commitment_changes_are_conflicts_and_change_nothing,
    notifications_are_kept_once_per_key_newest_first,
    feedback_requests_are_sent_once_and_answered_once,
    preventive_actions_are_created_listed_and_closed,
    case_facts_gather_what_the_report_needs,
    notifications_are_filtered_by_recipient_in_full_pages,
    job_runs_are_paged_and_pruned,
);

const LEASE: SignedDuration = SignedDuration::from_mins(5);

fn outbound(body: &str) -> NewMessage {
    NewMessage {
        direction: Direction::Outbound,
        channel: None,
        author: None,
        body: body.into(),
    }
}

fn conflict(err: StoreError) -> String {
    match err {
        StoreError::Domain(DomainError::Conflict(message)) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn open_case(store: &Arc<dyn Store>, now: Timestamp) -> CaseId {
    let customer = NewCustomer {
        email: Some("ioana@example.ro".into()),
        ..NewCustomer::named("Ioana Marin")
    };
    let cmd = NewCase::new(
        customer,
        Channel::Phone,
        "Factura dublă",
        "Am plătit de două ori!",
    );
    store
        .create_case(&agent_actor(), cmd, now)
        .await
        .unwrap()
        .case
        .id
}

fn spec(key: &str, run_at: Timestamp) -> JobSpec {
    JobSpec {
        key: key.into(),
        kind: JobKind::SlaCheck,
        case_id: None,
        run_at,
        payload: serde_json::json!({"n": key}),
    }
}

async fn claim(store: &Arc<dyn Store>, worker: &str, now: Timestamp) -> Vec<Job> {
    store.claim_due_jobs(worker, now, LEASE, 100).await.unwrap()
}

/// Claims every due job and finishes it, so the next change's review job is the only one due.
async fn drain(store: &Arc<dyn Store>, now: Timestamp) -> Vec<Job> {
    let jobs = claim(store, "drain", now).await;
    for job in &jobs {
        store.finish_job(job, JobOutcome::Done, now).await.unwrap();
    }
    jobs
}

fn keys(jobs: &[Job]) -> Vec<&str> {
    jobs.iter().map(|j| j.key.as_str()).collect()
}

async fn event_kinds(store: &Arc<dyn Store>, id: CaseId) -> Vec<EventKind> {
    store
        .timeline(id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect()
}

async fn jobs_are_scheduled_claimed_and_finished_by_generation(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let t1 = at("2026-03-02T09:00:00Z");
    assert_eq!(store.next_job_at().await.unwrap(), None);
    store.schedule_job(spec("sla:1", t1)).await.unwrap();
    assert_eq!(store.next_job_at().await.unwrap(), Some(t1));
    assert!(claim(&store, "a", t0).await.is_empty(), "not due yet");

    let jobs = claim(&store, "a", t1).await;
    assert_eq!(keys(&jobs), ["sla:1"]);
    let job = &jobs[0];
    assert_eq!(
        (job.kind, job.attempts, job.generation),
        (JobKind::SlaCheck, 1, 1)
    );
    assert_eq!(job.payload, serde_json::json!({"n": "sla:1"}));
    assert_eq!((job.claimed_by.as_str(), job.claimed_at), ("a", t1));
    assert_eq!(job.lease_until, t1 + LEASE);
    assert!(claim(&store, "b", t1).await.is_empty(), "held by a");
    assert_eq!(store.next_job_at().await.unwrap(), Some(t1 + LEASE));

    store.finish_job(job, JobOutcome::Done, t1).await.unwrap();
    assert_eq!(store.next_job_at().await.unwrap(), None);
    assert!(claim(&store, "b", t1 + LEASE * 2).await.is_empty(), "done");
    let runs = store.job_runs(t0).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (
            runs[0].job_id,
            runs[0].generation,
            runs[0].due_at,
            runs[0].finished_at
        ),
        (job.id, 1, t1, t1)
    );
    assert_eq!(
        (runs[0].worker.as_str(), &runs[0].outcome),
        ("a", &JobOutcome::Done)
    );

    // Scheduling a finished key again makes it pending with a new generation, same job.
    let t2 = at("2026-03-02T10:00:00Z");
    store.schedule_job(spec("sla:1", t2)).await.unwrap();
    let again = claim(&store, "a", t2).await;
    assert_eq!(
        (again[0].id, again[0].generation, again[0].attempts),
        (job.id, 2, 1)
    );

    // Rescheduled while it runs: the claim is kept, and finishing it leaves the job pending.
    let t3 = at("2026-03-02T11:00:00Z");
    store.schedule_job(spec("sla:1", t3)).await.unwrap();
    assert!(claim(&store, "b", t2).await.is_empty(), "the claim holds");
    store
        .finish_job(&again[0], JobOutcome::Done, t2)
        .await
        .unwrap();
    assert_eq!(store.next_job_at().await.unwrap(), Some(t3));
    let third = claim(&store, "b", t3).await;
    assert_eq!((third[0].generation, third[0].attempts), (3, 1));
    store
        .finish_job(&third[0], JobOutcome::Done, t3)
        .await
        .unwrap();
    let generations: Vec<i64> = store
        .job_runs(t0)
        .await
        .unwrap()
        .iter()
        .map(|r| r.generation)
        .collect();
    assert_eq!(generations, [1, 2, 3]);
    assert_eq!(store.job_runs(t3).await.unwrap().len(), 1, "since filters");

    let err = store.schedule_job(spec(" ", t3)).await.unwrap_err();
    assert_eq!(invalid_field(err), "key");
    let mut unknown_case = spec("review:999", t3);
    unknown_case.case_id = Some(CaseId(999));
    let err = store.schedule_job(unknown_case).await.unwrap_err();
    assert!(is_not_found(&err), "{err:?}");
}

async fn retry_and_failure_keep_the_job_for_later_or_for_an_operator(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let later = at("2026-03-02T08:10:00Z");
    store.schedule_job(spec("follow_up:1", t0)).await.unwrap();
    let job = claim(&store, "a", t0).await.remove(0);
    let retry = JobOutcome::Retry {
        at: later,
        error: "database went away".into(),
    };
    store.finish_job(&job, retry.clone(), t0).await.unwrap();
    assert_eq!(store.next_job_at().await.unwrap(), Some(later));
    assert!(claim(&store, "a", t0).await.is_empty());
    let second = claim(&store, "a", later).await.remove(0);
    assert_eq!(
        (second.attempts, second.generation),
        (2, 1),
        "a retry is another attempt"
    );

    let failed = JobOutcome::Failed {
        error: "template missing".into(),
    };
    store
        .finish_job(&second, failed.clone(), later)
        .await
        .unwrap();
    assert_eq!(
        store.next_job_at().await.unwrap(),
        None,
        "failed jobs wait for an operator"
    );
    let outcomes: Vec<JobOutcome> = store
        .job_runs(t0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(outcomes, [retry, failed]);

    // Scheduling it again is the operator's (or engine's) way to try afresh.
    store
        .schedule_job(spec("follow_up:1", later))
        .await
        .unwrap();
    let fresh = claim(&store, "a", later).await.remove(0);
    assert_eq!((fresh.attempts, fresh.generation), (1, 2));
}

async fn an_expired_lease_is_taken_over_and_the_old_claim_refused(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    store
        .schedule_job(spec("commitment_check:1", t0))
        .await
        .unwrap();
    let stale = claim(&store, "crashed", t0).await.remove(0);
    assert!(
        claim(&store, "b", t0 + LEASE - SignedDuration::from_secs(1))
            .await
            .is_empty(),
        "the lease still runs"
    );
    let after = t0 + LEASE;
    let taken = claim(&store, "b", after).await.remove(0);
    assert_eq!(
        (taken.id, taken.attempts, taken.claimed_by.as_str()),
        (stale.id, 2, "b")
    );

    let err = store
        .finish_job(&stale, JobOutcome::Done, after)
        .await
        .unwrap_err();
    assert!(conflict(err).contains("commitment_check:1"));
    // The refused finish changed nothing but is recorded, so the double run can be seen.
    let runs = store.job_runs(t0).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (
            runs[0].worker.as_str(),
            runs[0].superseded,
            &runs[0].outcome,
            runs[0].claimed_at
        ),
        ("crashed", true, &JobOutcome::Done, t0)
    );
    assert!(
        claim(&store, "c", after).await.is_empty(),
        "b still holds it"
    );

    store
        .finish_job(&taken, JobOutcome::Done, after)
        .await
        .unwrap();
    let retry = JobOutcome::Retry {
        at: after + LEASE,
        error: "finished twice".into(),
    };
    let err = store
        .finish_job(&taken, retry.clone(), after)
        .await
        .unwrap_err();
    conflict(err);
    assert_eq!(store.next_job_at().await.unwrap(), None, "still done");
    let runs: Vec<_> = store
        .job_runs(t0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.worker, r.superseded, r.outcome))
        .collect();
    assert_eq!(
        runs,
        [
            ("crashed".to_owned(), true, JobOutcome::Done),
            ("b".to_owned(), false, JobOutcome::Done),
            ("b".to_owned(), true, retry),
        ]
    );
}

async fn concurrent_claimers_take_every_job_exactly_once(store: Arc<dyn Store>) {
    const JOBS: usize = 300;
    let now = at("2026-03-02T08:00:00Z");
    for n in 0..JOBS {
        let run_at = now - SignedDuration::from_secs(n as i64 % 17);
        store
            .schedule_job(spec(&format!("job:{n}"), run_at))
            .await
            .unwrap();
    }
    let mut claimers = Vec::new();
    for worker in 0..4 {
        let store = store.clone();
        claimers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let mut mine = Vec::new();
            loop {
                let jobs = store.claim_due_jobs(&name, now, LEASE, 7).await.unwrap();
                if jobs.is_empty() {
                    return mine;
                }
                for job in jobs {
                    store.finish_job(&job, JobOutcome::Done, now).await.unwrap();
                    mine.push(job.key);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(all.len(), JOBS, "every job claimed once, none twice");
    assert_eq!(distinct.len(), JOBS);
    assert_eq!(store.job_runs(now).await.unwrap().len(), JOBS);
    assert_eq!(store.next_job_at().await.unwrap(), None);
}

async fn every_case_change_schedules_its_review_in_the_same_transaction(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    let review = format!("review:{}", id.0);
    let jobs = drain(&store, t0).await;
    assert_eq!(keys(&jobs), [review.as_str()]);
    assert_eq!(
        (jobs[0].kind, jobs[0].case_id),
        (JobKind::ReviewCase, Some(id))
    );

    let t1 = at("2026-03-02T08:01:00Z");
    store
        .add_message(
            &agent_actor(),
            id,
            outbound("Vă sun înapoi în 10 minute."),
            t1,
        )
        .await
        .unwrap();
    let jobs = drain(&store, t1).await;
    assert_eq!(keys(&jobs), [review.as_str()]);
    assert_eq!((jobs[0].run_at, jobs[0].generation), (t1, 2));

    let to = |to| Transition {
        to,
        resolution: None,
    };
    store
        .transition(&agent_actor(), id, to(Status::Acknowledged), t1)
        .await
        .unwrap();
    assert_eq!(keys(&drain(&store, t1).await), [review.as_str()]);
    let update = UpdateCase {
        category: Some("billing".into()),
        ..UpdateCase::default()
    };
    store
        .update_case(&agent_actor(), id, update, t1)
        .await
        .unwrap();
    assert_eq!(keys(&drain(&store, t1).await), [review.as_str()]);
    let assign = Assign {
        agent_id: None,
        department_id: None,
        note: Some("Billing knows this".into()),
    };
    store.assign(&agent_actor(), id, assign, t1).await.unwrap();
    assert_eq!(keys(&drain(&store, t1).await), [review.as_str()]);
    let record = IncidentRecordInput {
        problem: "Charged twice".into(),
        discussions: vec!["Offered a refund".into()],
        solution: String::new(),
    };
    store
        .set_incident_record(&agent_actor(), id, record, t1)
        .await
        .unwrap();
    assert_eq!(keys(&drain(&store, t1).await), [review.as_str()]);

    // A refused command is rolled back with its review: nothing becomes due.
    let err = store
        .transition(&agent_actor(), id, to(Status::Closed), t1)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::IllegalTransition { .. })
    ));
    assert!(drain(&store, t1).await.is_empty());
    let runs = store.job_runs(t0).await.unwrap();
    assert_eq!(runs.len(), 6);
    assert!(runs.iter().all(|r| r.key == review));
}

async fn ack_once(store: &Arc<dyn Store>, id: CaseId, key: &str) -> (domain::Message, bool) {
    let ack = outbound("Am primit sesizarea.");
    let now = at("2026-03-02T08:00:00Z");
    store
        .add_message_once(&agent_actor(), id, ack, key, now)
        .await
        .unwrap()
}

async fn add_message_once_adds_one_message_per_key(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    drain(&store, t0).await;
    let key = format!("ack:{}", id.0);
    let (first, new) = ack_once(&store, id, &key).await;
    assert!(new);
    assert_eq!(keys(&drain(&store, t0).await), [format!("review:{}", id.0)]);
    let (second, new) = ack_once(&store, id, &key).await;
    assert!(!new);
    assert_eq!(second, first);
    assert!(
        drain(&store, t0).await.is_empty(),
        "nothing changed, nothing to review"
    );
    let detail = store.get_case(id).await.unwrap();
    assert_eq!(detail.messages.len(), 2);
    assert_eq!(detail.messages[1], first);
    assert_eq!(
        event_kinds(&store, id).await,
        [
            EventKind::CaseCreated,
            EventKind::MessageAdded,
            EventKind::MessageAdded
        ]
    );

    let other = open_case(&store, t0).await;
    let err = store
        .add_message_once(&agent_actor(), other, outbound("x"), &key, t0)
        .await
        .unwrap_err();
    assert!(conflict(err).contains(&id.to_string()));
    let err = store
        .add_message_once(&agent_actor(), id, outbound("x"), "", t0)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(err), "key");
}

fn answer_promise(due_at: Timestamp) -> NewCommitment {
    NewCommitment {
        kind: CommitmentKind::Answer,
        description: "We need until Friday to finish checking your refund".into(),
        due_at,
        source: CommitmentSource::Manual,
        message_id: None,
        key: None,
    }
}

/// A message and the promise it makes are stored together or not at all, once per key; a
/// message stored before without its promise gets it.
async fn a_message_and_its_promise_are_one_write(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let due = at("2026-03-06T17:00:00Z");
    let id = open_case(&store, t0).await;
    let other = open_case(&store, t0).await;
    // The promise's key is taken on another case: the message is not stored either.
    let mut taken = answer_promise(due);
    taken.key = Some("delay:taken".into());
    store
        .add_commitment(&agent_actor(), other, taken, t0)
        .await
        .unwrap();
    drain(&store, t0).await;
    let err = store
        .add_message_with_commitment(
            &agent_actor(),
            id,
            outbound("We need until Friday."),
            "delay:taken",
            answer_promise(due),
            t0,
        )
        .await
        .unwrap_err();
    assert!(conflict(err).contains(&other.to_string()));
    assert_eq!(store.get_case(id).await.unwrap().messages.len(), 1);
    let opened = [EventKind::CaseCreated, EventKind::MessageAdded];
    assert_eq!(event_kinds(&store, id).await, opened);
    assert!(drain(&store, t0).await.is_empty(), "nothing to review");

    let agent = agent_actor();
    let send = || {
        store.add_message_with_commitment(
            &agent,
            id,
            outbound("We need until Friday."),
            "delay:1",
            answer_promise(due),
            t0,
        )
    };
    let (message, promise, sent) = send().await.unwrap();
    assert!(sent);
    assert_eq!(promise.message_id, Some(message.id));
    assert_eq!(promise.made_by, agent_actor().name);
    assert_eq!(
        event_kinds(&store, id).await,
        [
            opened.as_slice(),
            &[EventKind::MessageAdded, EventKind::CommitmentMade]
        ]
        .concat()
    );
    let (again, same, sent) = send().await.unwrap();
    assert!(!sent);
    assert_eq!((again, same), (message, promise));
    assert_eq!(store.list_commitments(id).await.unwrap().len(), 1);

    // A message sent under the key before, without its promise (a crash in between two
    // writes): the call answers it as sent already and makes the promise, naming it.
    let (old, _) = ack_once(&store, id, "delay:2").await;
    let (found, promise, sent) = store
        .add_message_with_commitment(
            &agent_actor(),
            id,
            outbound("x"),
            "delay:2",
            answer_promise(due),
            t0,
        )
        .await
        .unwrap();
    assert!(!sent);
    assert_eq!(found, old);
    assert_eq!(promise.message_id, Some(old.id));
    assert_eq!(store.list_commitments(id).await.unwrap().len(), 2);
}

/// What each racer got: acknowledgement sent, alert added, link sent, commitment fulfilled.
type Outcome = (
    bool,
    bool,
    Option<domain::process::FeedbackRequest>,
    Result<domain::process::Commitment, StoreError>,
);

/// Two engine processes running the same job at once still send the customer one message, one
/// link and staff one alert; two answers or two changes racing leave exactly one winner.
async fn concurrent_effects_with_one_key_happen_once(store: Arc<dyn Store>) {
    const RACERS: u8 = 6;
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    let commitment = store
        .add_commitment(&agent_actor(), id, callback(t0, None), t0)
        .await
        .unwrap();
    let mut racers = Vec::new();
    for n in 0..RACERS {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            let (_, sent) = ack_once(&store, id, "ack:race").await;
            let (_, alerted) = store
                .notify(alert(Some(id), "safety:race"), t0)
                .await
                .unwrap();
            let link = outbound("https://desk.example/feedback/x");
            let requested = store
                .send_feedback_request(
                    &agent_actor(),
                    id,
                    FeedbackPurpose::Satisfaction,
                    [n; 32],
                    link,
                    "followup:race",
                    t0,
                )
                .await
                .unwrap();
            let kept = store
                .change_commitment(
                    &agent_actor(),
                    commitment.id,
                    CommitmentChange::Fulfilled,
                    t0,
                )
                .await;
            (sent, alerted, requested, kept)
        }));
    }
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.unwrap());
    }
    let won = |pick: fn(&Outcome) -> bool| outcomes.iter().filter(|o| pick(o)).count();
    assert_eq!(won(|o| o.0), 1, "one acknowledgement");
    assert_eq!(won(|o| o.1), 1, "one alert");
    assert_eq!(won(|o| o.2.is_some()), 1, "one feedback link");
    assert_eq!(won(|o| o.3.is_ok()), 1, "one fulfilment");
    let hash = outcomes
        .iter()
        .position(|o| o.2.is_some())
        .map(|n| [n as u8; 32])
        .unwrap();
    for (_, _, _, kept) in outcomes {
        if let Err(err) = kept {
            conflict(err);
        }
    }
    assert_eq!(store.get_case(id).await.unwrap().messages.len(), 3);
    let page = store
        .list_notifications(Some(id), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    let mut answers = Vec::new();
    for score in 1..=RACERS.min(5) {
        let store = store.clone();
        answers.push(tokio::spawn(async move {
            let answer = FeedbackAnswer {
                score: Some(score),
                confirmed: None,
                comment: None,
            };
            store.answer_feedback(hash, answer, t0).await
        }));
    }
    let mut answered = 0;
    for answer in answers {
        match answer.await.unwrap() {
            Ok(_) => answered += 1,
            Err(err) => {
                conflict(err);
            }
        }
    }
    assert_eq!(answered, 1, "one answer stands");
    let kinds = event_kinds(&store, id).await;
    let count_kind = |kind| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(count_kind(EventKind::MessageAdded), 3);
    assert_eq!(count_kind(EventKind::NotificationSent), 1);
    assert_eq!(count_kind(EventKind::FeedbackRequested), 1);
    assert_eq!(count_kind(EventKind::FeedbackReceived), 1);
    assert_eq!(count_kind(EventKind::CommitmentChanged), 1);
}

/// A case with one of each process row: a message sent once, a promise found in a message, a
/// staff alert and an answered satisfaction request.
async fn case_with_process_rows(store: &Arc<dyn Store>, now: Timestamp) -> CaseId {
    let id = open_case(store, now).await;
    ack_once(store, id, &format!("ack:{}", id.0)).await;
    let promise = store
        .add_message(&agent_actor(), id, outbound("Vă sun în 10 minute."), now)
        .await
        .unwrap();
    let found = NewCommitment {
        message_id: Some(promise.id),
        source: CommitmentSource::Coach,
        ..callback(now, Some(&format!("promise:{}:0", promise.id)))
    };
    store
        .add_commitment(&agent_actor(), id, found, now)
        .await
        .unwrap();
    store
        .notify(alert(Some(id), &format!("safety:{}", id.0)), now)
        .await
        .unwrap();
    let hash = [id.0 as u8; 32];
    let link = outbound("https://desk.example/feedback/s");
    store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Satisfaction,
            hash,
            link,
            &format!("followup:{}", id.0),
            now,
        )
        .await
        .unwrap();
    let answer = FeedbackAnswer {
        score: Some(4),
        confirmed: None,
        comment: Some("Mulțumesc".into()),
    };
    store.answer_feedback(hash, answer, now).await.unwrap();
    // RO-11: a plain bullet and offers, one refused.
    let offer = |text: &str, outcome| Discussion {
        text: text.into(),
        offer: Some(outcome),
    };
    let record = IncidentRecordInput {
        problem: "Taxat de două ori".into(),
        discussions: vec![
            "Sunat înapoi în 10 minute".into(),
            offer("Voucher de 50 lei", OfferOutcome::Refused),
            offer("Rambursare integrală", OfferOutcome::Accepted),
        ],
        solution: "Rambursat".into(),
    };
    store
        .set_incident_record(&agent_actor(), id, record, now)
        .await
        .unwrap();
    id
}

async fn export_lines(store: &Arc<dyn Store>) -> Vec<String> {
    let records = store.export_cases(None, 100).await.unwrap();
    records.iter().map(ExportRecord::to_jsonl_line).collect()
}

/// Moving a case (`calmdesk export` / `import`) keeps its promises, alerts, feedback links and
/// the keys that stop the engine from sending anything twice.
async fn export_and_import_keep_the_process_rows(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = case_with_process_rows(&store, t0).await;
    let lines = export_lines(&store).await;
    let record = ExportRecord::from_jsonl_line(&lines[0], 1).unwrap();
    assert_eq!(record.process.message_keys.len(), 2, "the ack and the link");
    assert_eq!(record.process.commitments.len(), 1);
    assert_eq!(record.process.notifications.len(), 1);
    assert_eq!(record.process.feedback.len(), 1);
    // Plain bullets stay strings (as every record before offers), offers are objects.
    assert!(
        lines[0].contains(
            r#""discussions":["Sunat înapoi în 10 minute",{"text":"Voucher de 50 lei","offer":"refused"},{"text":"Rambursare integrală","offer":"accepted"}]"#
        ),
        "{}",
        lines[0]
    );
    let stored = store.get_case(id).await.unwrap().incident_record.unwrap();
    assert_eq!(stored.discussions[1].offer, Some(OfferOutcome::Refused));

    let target = testkit::TempSqlite::new();
    let copy = store::open(&target.url()).await.unwrap();
    copy.import_case(record).await.unwrap();
    assert_eq!(
        export_lines(&copy).await,
        lines,
        "byte-identical round trip"
    );
    assert_eq!(
        copy.get_case(id).await.unwrap().incident_record,
        Some(stored),
        "the offers moved with the case"
    );
    let (_, sent) = ack_once(&copy, id, &format!("ack:{}", id.0)).await;
    assert!(!sent, "the acknowledgement is not sent again");
    let hash = [id.0 as u8; 32];
    assert_eq!(
        copy.find_feedback(hash).await.unwrap(),
        store.find_feedback(hash).await.unwrap()
    );
    assert_eq!(
        copy.list_commitments(id).await.unwrap(),
        store.list_commitments(id).await.unwrap()
    );
    let (_, alerted) = copy
        .notify(alert(Some(id), &format!("safety:{}", id.0)), t0)
        .await
        .unwrap();
    assert!(!alerted);
}

async fn import_schedules_the_review_and_new_ids_follow_imported_ones(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = case_with_process_rows(&store, t0).await;
    drain(&store, t0).await;
    let mut record = store.export_cases(None, 1).await.unwrap().remove(0);
    // The same case again under new ids and keys, as if it came from another installation.
    const SHIFT: i64 = 500;
    let copy = CaseId(id.0 + SHIFT);
    let moved = |m: domain::MessageId| domain::MessageId(m.0 + SHIFT);
    record.case.id = copy;
    for message in &mut record.messages {
        message.id = moved(message.id);
        message.case_id = copy;
    }
    for event in &mut record.events {
        event.id = domain::EventId(event.id.0 + SHIFT);
        event.case_id = copy;
    }
    let process = &mut record.process;
    for (message, key) in &mut process.message_keys {
        *message = moved(*message);
        key.push_str(":copy");
    }
    for c in &mut process.commitments {
        c.commitment.id.0 += SHIFT;
        c.commitment.case_id = copy;
        c.commitment.message_id = c.commitment.message_id.map(moved);
        c.key = c.key.as_ref().map(|k| format!("{k}:copy"));
    }
    for n in &mut process.notifications {
        n.notification.id.0 += SHIFT;
        n.notification.case_id = Some(copy);
        n.key.push_str(":copy");
    }
    for f in &mut process.feedback {
        f.request.id.0 += SHIFT;
        f.request.case_id = copy;
        f.message_id = moved(f.message_id);
        f.key.push_str(":copy");
        f.secret_hash = "cd".repeat(32);
    }
    store.import_case(record).await.unwrap();
    let jobs = claim(&store, "a", t0).await;
    assert_eq!(keys(&jobs), [format!("review:{}", copy.0)]);
    assert_eq!(jobs[0].run_at, t0, "due as of the case's last change");
    assert_eq!(store.list_commitments(copy).await.unwrap().len(), 1);
    assert!(store.find_feedback([0xcd; 32]).await.unwrap().is_some());

    // Rows added after the import get ids past the imported ones.
    let later = store
        .add_commitment(&agent_actor(), id, callback(t0, None), t0)
        .await
        .unwrap();
    assert!(later.id.0 > SHIFT, "{later:?}");
    let (note, _) = store.notify(alert(Some(id), "after"), t0).await.unwrap();
    assert!(note.id.0 > SHIFT);
    let request = store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Confirmation,
            [0xee; 32],
            outbound("Merge?"),
            "after",
            t0,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(request.id.0 > SHIFT);
}

fn callback(due_at: Timestamp, key: Option<&str>) -> NewCommitment {
    NewCommitment {
        kind: CommitmentKind::Callback,
        description: "I'll call you back within 10 minutes".into(),
        due_at,
        source: CommitmentSource::Manual,
        message_id: None,
        key: key.map(Into::into),
    }
}

async fn commitments_are_tracked_with_their_check_job_and_history(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let due = at("2026-03-02T08:10:00Z");
    let id = open_case(&store, t0).await;
    drain(&store, t0).await;
    let message = store
        .add_message(
            &agent_actor(),
            id,
            outbound("I'll call you back within 10 minutes."),
            t0,
        )
        .await
        .unwrap();
    drain(&store, t0).await;
    let mut coach = callback(due, Some("promise:1:0"));
    coach.source = CommitmentSource::Coach;
    coach.message_id = Some(message.id);
    let made = store
        .add_commitment(&agent_actor(), id, coach.clone(), t0)
        .await
        .unwrap();
    assert_eq!(
        (made.status, made.source, made.message_id, made.due_at),
        (
            CommitmentStatus::Open,
            CommitmentSource::Coach,
            Some(message.id),
            due
        )
    );
    assert_eq!(made.made_by, "Ana Pop");
    assert_eq!(
        store
            .add_commitment(&agent_actor(), id, coach, t0)
            .await
            .unwrap(),
        made,
        "same key, same commitment"
    );
    assert_eq!(store.get_commitment(made.id).await.unwrap(), made);
    assert_eq!(
        store.list_commitments(id).await.unwrap(),
        std::slice::from_ref(&made)
    );
    assert_eq!(keys(&drain(&store, t0).await), [format!("review:{}", id.0)]);
    let check = claim(&store, "a", due).await;
    assert_eq!(keys(&check), [format!("commitment_check:{}", made.id)]);
    assert_eq!(check[0].kind, JobKind::CommitmentCheck);
    assert_eq!(check[0].payload["commitment_id"], made.id.0);

    let reminded = store
        .change_commitment(&agent_actor(), made.id, CommitmentChange::Reminded, t0)
        .await
        .unwrap();
    assert_eq!(
        (reminded.status, reminded.reminded_at),
        (CommitmentStatus::Open, Some(t0))
    );
    let kept = store
        .change_commitment(&agent_actor(), made.id, CommitmentChange::Fulfilled, due)
        .await
        .unwrap();
    assert_eq!(
        (kept.status, kept.fulfilled_at),
        (CommitmentStatus::Fulfilled, Some(due))
    );
    assert_eq!(store.get_commitment(made.id).await.unwrap(), kept);
    let timeline = store.timeline(id).await.unwrap();
    let changes: Vec<_> = timeline
        .iter()
        .filter(|e| e.kind == EventKind::CommitmentChanged)
        .map(|e| {
            (
                e.before.as_ref().unwrap()["status"].clone(),
                e.after.as_ref().unwrap()["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("open".into(), "open".into()),
            ("open".into(), "fulfilled".into())
        ]
    );
    let made_event = timeline
        .iter()
        .find(|e| e.kind == EventKind::CommitmentMade)
        .unwrap();
    assert_eq!(
        made_event.after.as_ref().unwrap()["commitment_id"],
        made.id.0
    );

    // A message of another case, or no message at all, cannot carry the promise.
    let other = open_case(&store, t0).await;
    let mut wrong = callback(due, None);
    wrong.message_id = Some(message.id);
    let err = store
        .add_commitment(&agent_actor(), other, wrong, t0)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(err), "message_id");
    let mut blank = callback(due, None);
    blank.description = "  ".into();
    let err = store
        .add_commitment(&agent_actor(), id, blank, t0)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(err), "description");
    let err = store
        .get_commitment(domain::process::CommitmentId(999))
        .await
        .unwrap_err();
    assert!(is_not_found(&err));
}

async fn illegal_commitment_changes_are_conflicts_and_change_nothing(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    let c = store
        .add_commitment(&agent_actor(), id, callback(t0, None), t0)
        .await
        .unwrap();
    let overdue = store
        .change_commitment(&agent_actor(), c.id, CommitmentChange::Overdue, t0)
        .await
        .unwrap();
    assert_eq!(
        (overdue.status, overdue.escalated_at),
        (CommitmentStatus::Overdue, Some(t0))
    );
    let events = store.timeline(id).await.unwrap().len();
    drain(&store, t0).await;
    for illegal in [CommitmentChange::Reminded, CommitmentChange::Overdue] {
        let err = store
            .change_commitment(&agent_actor(), c.id, illegal, t0)
            .await
            .unwrap_err();
        assert!(conflict(err).contains("overdue"));
    }
    let cancelled = store
        .change_commitment(&agent_actor(), c.id, CommitmentChange::Cancelled, t0)
        .await
        .unwrap();
    assert_eq!(cancelled.status, CommitmentStatus::Cancelled);
    drain(&store, t0).await;
    let err = store
        .change_commitment(&agent_actor(), c.id, CommitmentChange::Fulfilled, t0)
        .await
        .unwrap_err();
    assert!(conflict(err).contains("cancelled"));
    assert_eq!(store.get_commitment(c.id).await.unwrap(), cancelled);
    assert_eq!(store.timeline(id).await.unwrap().len(), events + 1);
    assert!(
        drain(&store, t0).await.is_empty(),
        "a refused change schedules nothing"
    );
}

fn alert(case: Option<CaseId>, key: &str) -> NewNotification {
    NewNotification {
        case_id: case,
        kind: NotificationKind::Safety,
        recipient: "security@example.com".into(),
        subject: "Threat on a case".into(),
        body: "The customer threatened the agent.".into(),
        key: key.into(),
    }
}

async fn notifications_are_kept_once_per_key_newest_first(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    let (first, new) = store.notify(alert(Some(id), "safety:1"), t0).await.unwrap();
    assert!(new);
    let (again, new) = store.notify(alert(Some(id), "safety:1"), t0).await.unwrap();
    assert!(!new);
    assert_eq!(again, first);
    let sent: Vec<_> = store
        .timeline(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::NotificationSent)
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].after.as_ref().unwrap()["notification_id"],
        first.id.0
    );

    let (general, _) = store.notify(alert(None, "digest:1"), t0).await.unwrap();
    let (third, _) = store.notify(alert(Some(id), "safety:2"), t0).await.unwrap();
    let everything = store
        .list_notifications(None, &ListQuery::default())
        .await
        .unwrap();
    let ids: Vec<_> = everything.items.iter().map(|n| n.id).collect();
    assert_eq!(ids, [third.id, general.id, first.id]);
    let page = ListQuery {
        limit: 2,
        cursor: None,
    };
    let first_page = store.list_notifications(Some(id), &page).await.unwrap();
    assert_eq!(first_page.items, [third.clone(), first.clone()]);
    assert!(first_page.next_cursor.is_none());
    let one = ListQuery {
        limit: 1,
        cursor: None,
    };
    let head = store.list_notifications(None, &one).await.unwrap();
    let cursor = domain::Cursor::decode(head.next_cursor.as_deref().unwrap()).unwrap();
    let next = ListQuery {
        limit: 1,
        cursor: Some(cursor),
    };
    let tail = store.list_notifications(None, &next).await.unwrap();
    assert_eq!(tail.items, [general]);

    let err = store
        .notify(alert(Some(CaseId(999)), "x"), t0)
        .await
        .unwrap_err();
    assert!(is_not_found(&err));
    let mut blank = alert(None, "y");
    blank.recipient = " ".into();
    assert_eq!(
        invalid_field(store.notify(blank, t0).await.unwrap_err()),
        "recipient"
    );
}

async fn feedback_requests_are_sent_once_and_answered_once(store: Arc<dyn Store>) {
    let t0 = at("2026-03-05T08:00:00Z");
    let id = open_case(&store, t0).await;
    drain(&store, t0).await;
    let hash = [7u8; 32];
    let link = outbound("Cum a fost? https://desk.example/feedback/s3cr3t");
    let key = format!("followup:{}:1", id.0);
    let request = store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Satisfaction,
            hash,
            link.clone(),
            &key,
            t0,
        )
        .await
        .unwrap()
        .expect("a new request");
    assert_eq!((request.case_id, request.answered_at), (id, None));
    assert_eq!(keys(&drain(&store, t0).await), [format!("review:{}", id.0)]);
    let twice = store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Satisfaction,
            [8u8; 32],
            link,
            &key,
            t0,
        )
        .await
        .unwrap();
    assert_eq!(twice, None);
    assert_eq!(
        store.get_case(id).await.unwrap().messages.len(),
        2,
        "one link sent"
    );
    assert_eq!(
        store.find_feedback(hash).await.unwrap(),
        Some(request.clone())
    );
    assert_eq!(store.find_feedback([8u8; 32]).await.unwrap(), None);

    // A command that fails after adding its message and scheduling the review (here: a link
    // hash already in use) leaves none of it behind: all of it was one transaction.
    let events = store.timeline(id).await.unwrap().len();
    let err = store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Confirmation,
            hash,
            outbound("Merge acum?"),
            "confirm:clash",
            t0,
        )
        .await
        .unwrap_err();
    conflict(err);
    assert_eq!(store.get_case(id).await.unwrap().messages.len(), 2);
    assert_eq!(store.timeline(id).await.unwrap().len(), events);
    assert!(drain(&store, t0).await.is_empty(), "no review left behind");

    let answer = |score| FeedbackAnswer {
        score,
        confirmed: None,
        comment: Some("Tot nu merge.".into()),
    };
    for bad in [Some(0), Some(6), None] {
        let err = store
            .answer_feedback(hash, answer(bad), t0)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(err), "score");
    }
    let t1 = at("2026-03-05T09:00:00Z");
    let answered = store
        .answer_feedback(hash, answer(Some(2)), t1)
        .await
        .unwrap();
    assert_eq!(
        (
            answered.score,
            answered.answered_at,
            answered.comment.as_deref()
        ),
        (Some(2), Some(t1), Some("Tot nu merge."))
    );
    assert_eq!(keys(&drain(&store, t1).await), [format!("review:{}", id.0)]);
    let err = store
        .answer_feedback(hash, answer(Some(5)), t1)
        .await
        .unwrap_err();
    conflict(err);
    assert_eq!(
        store.find_feedback(hash).await.unwrap(),
        Some(answered.clone())
    );
    let err = store
        .answer_feedback([9u8; 32], answer(Some(5)), t1)
        .await
        .unwrap_err();
    assert!(is_not_found(&err));

    // RO-10: a confirmation needs `confirmed`.
    let confirm_key = format!("confirm:{}", id.0);
    let confirmation = store
        .send_feedback_request(
            &agent_actor(),
            id,
            FeedbackPurpose::Confirmation,
            [1u8; 32],
            outbound("Merge?"),
            &confirm_key,
            t1,
        )
        .await
        .unwrap()
        .unwrap();
    let none = FeedbackAnswer {
        score: None,
        confirmed: None,
        comment: None,
    };
    let err = store
        .answer_feedback([1u8; 32], none, t1)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(err), "confirmed");
    let yes = FeedbackAnswer {
        score: None,
        confirmed: Some(true),
        comment: None,
    };
    let confirmed = store.answer_feedback([1u8; 32], yes, t1).await.unwrap();
    assert_eq!(confirmed.confirmed, Some(true));
    assert_eq!(
        store.list_feedback(id).await.unwrap(),
        [answered, confirmed.clone()]
    );
    assert_eq!(confirmation.id, confirmed.id);

    let timeline = store.timeline(id).await.unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::CaseCreated,
            EventKind::MessageAdded,
            EventKind::MessageAdded,
            EventKind::FeedbackRequested,
            EventKind::FeedbackReceived,
            EventKind::MessageAdded,
            EventKind::FeedbackRequested,
            EventKind::FeedbackReceived,
        ]
    );
    let received = &timeline[4];
    assert_eq!(received.actor, "Ioana Marin", "the customer answered");
    assert_eq!(received.after.as_ref().unwrap()["score"], 2);
}

async fn preventive_actions_are_created_listed_and_closed(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let new = NewPreventiveAction {
        cause: "billing_error".into(),
        description: "Check invoices twice before sending".into(),
        owner: "Mihai".into(),
        due_on: "2026-04-01".parse().unwrap(),
    };
    let created = store.create_action(new.clone(), t0).await.unwrap();
    assert_eq!(
        (created.status, created.due_on, created.created_at),
        (ActionStatus::Open, new.due_on, t0)
    );
    let t1 = at("2026-03-20T08:00:00Z");
    let done = store
        .set_action_status(created.id, ActionStatus::Done, t1)
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.updated_at, done.created_at),
        (ActionStatus::Done, t1, t0)
    );
    let second = store
        .create_action(
            NewPreventiveAction {
                owner: "Ana".into(),
                ..new.clone()
            },
            t1,
        )
        .await
        .unwrap();
    assert_eq!(store.list_actions().await.unwrap(), [done, second]);
    let err = store
        .set_action_status(domain::process::ActionId(99), ActionStatus::Dropped, t1)
        .await
        .unwrap_err();
    assert!(is_not_found(&err));
    let blank = NewPreventiveAction {
        owner: "".into(),
        ..new
    };
    assert_eq!(
        invalid_field(store.create_action(blank, t1).await.unwrap_err()),
        "owner"
    );
}

async fn case_facts_gather_what_the_report_needs(store: Arc<dyn Store>) {
    let old = at("2026-01-05T08:00:00Z");
    let since = at("2026-02-01T00:00:00Z");
    let recent = at("2026-02-10T08:00:00Z");
    let transition = |to, resolution| Transition { to, resolution };

    // Old and closed: left out. Old and still open: in. Recent: in, whatever its status.
    let closed = open_case(&store, old).await;
    for (to, resolution) in [
        (Status::Acknowledged, None),
        (Status::Investigating, None),
        (Status::ResolutionProposed, None),
        (Status::Resolved, Some(Resolution::Confirmed)),
        (Status::Closed, None),
    ] {
        store
            .transition(&agent_actor(), closed, transition(to, resolution), old)
            .await
            .unwrap();
    }
    let open_old = open_case(&store, old).await;
    let fresh = open_case(&store, recent).await;
    // The engine's acknowledgements (sent once per key, dated on receipt) are no staff reply:
    // they count as the last reply but never as the first.
    for (id, on) in [(open_old, old), (fresh, recent)] {
        store
            .add_message_once(
                &agent_actor(),
                id,
                outbound("Am primit sesizarea."),
                &format!("ack:{}", id.0),
                on,
            )
            .await
            .unwrap();
    }
    let t1 = at("2026-02-10T09:00:00Z");
    let t2 = at("2026-02-11T09:00:00Z");
    store
        .add_message(&agent_actor(), fresh, outbound("Am primit."), t1)
        .await
        .unwrap();
    store
        .add_message(&agent_actor(), fresh, outbound("Am rezolvat."), t2)
        .await
        .unwrap();
    let inbound = NewMessage {
        direction: Direction::Inbound,
        ..outbound("Mulțumesc!")
    };
    store
        .add_message(&agent_actor(), fresh, inbound, t2)
        .await
        .unwrap();
    store
        .transition(
            &agent_actor(),
            fresh,
            transition(Status::Acknowledged, None),
            t1,
        )
        .await
        .unwrap();
    let promise = store
        .add_commitment(&agent_actor(), fresh, callback(t2, None), t1)
        .await
        .unwrap();
    let feedback = store
        .send_feedback_request(
            &agent_actor(),
            fresh,
            FeedbackPurpose::Satisfaction,
            [3u8; 32],
            outbound("Link"),
            "f:1",
            t2,
        )
        .await
        .unwrap()
        .unwrap();

    let facts = store.case_facts(since).await.unwrap();
    let ids: Vec<CaseId> = facts.iter().map(|f| f.case.id).collect();
    assert_eq!(ids, [open_old, fresh]);
    let old_facts = &facts[0];
    assert_eq!(old_facts.inbound, ["Am plătit de două ori!"]);
    assert_eq!(
        (old_facts.first_outbound_at, old_facts.last_outbound_at),
        (None, Some(old))
    );
    assert!(old_facts.status_changes.is_empty());
    let f = &facts[1];
    assert_eq!(f.case, store.get_case(fresh).await.unwrap().case);
    assert_eq!(f.customer.name, "Ioana Marin");
    assert_eq!(f.status_changes, [(t1, Status::Acknowledged)]);
    assert_eq!(
        (f.first_outbound_at, f.last_outbound_at),
        (Some(t1), Some(t2))
    );
    assert_eq!(f.inbound, ["Am plătit de două ori!", "Mulțumesc!"]);
    assert_eq!(f.commitments, [promise]);
    assert_eq!(f.feedback, [feedback]);
    assert_eq!(store.case_facts(old).await.unwrap().len(), 3);
}

/// An agent's notifications are filtered in the query: every page but the last is full, and the
/// cursor walks through exactly the agent's own, newest first.
async fn notifications_are_filtered_by_recipient_in_full_pages(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    let mine = ["agent:7".to_owned(), "ana".to_owned()];
    let mut expected = Vec::new();
    for n in 0..12 {
        let recipient = match n % 4 {
            0 => "agent:7",
            1 => "supervisor",
            2 => "ana",
            _ => "agent:70",
        };
        let note = NewNotification {
            recipient: recipient.into(),
            ..alert(Some(id), &format!("note:{n}"))
        };
        let (stored, _) = store.notify(note, t0).await.unwrap();
        if mine.contains(&stored.recipient) {
            expected.push(stored.id);
        }
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut query = ListQuery {
        limit: 2,
        cursor: None,
    };
    loop {
        let page = store
            .list_notifications_to(Some(id), &mine, &query)
            .await
            .unwrap();
        if page.next_cursor.is_some() {
            assert_eq!(page.items.len(), 2, "a page is full while more are left");
        }
        seen.extend(page.items.iter().map(|n| n.id));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(domain::Cursor::decode(&cursor).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    // Without a case: the same six; nobody's: nothing; the unfiltered list still has all.
    let all_mine = store
        .list_notifications_to(None, &mine, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(all_mine.items.len(), 6);
    let nobody = store
        .list_notifications_to(None, &[], &ListQuery::default())
        .await
        .unwrap();
    assert!(nobody.items.is_empty());
    let everyone = store
        .list_notifications(Some(id), &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(everyone.items.len(), 12);
}

/// Job runs come a page at a time in the order they were recorded, from `since`; pruning deletes
/// the runs finished before an instant and nothing else.
async fn job_runs_are_paged_and_pruned(store: Arc<dyn Store>) {
    let day = |d: i64| at("2026-03-01T08:00:00Z") + SignedDuration::from_hours(24 * d);
    for d in 0..5 {
        store
            .schedule_job(spec(&format!("sla:{d}"), day(d)))
            .await
            .unwrap();
        drain(&store, day(d)).await;
    }
    let mut keys_seen = Vec::new();
    let mut query = ListQuery {
        limit: 2,
        cursor: None,
    };
    loop {
        let page = store.job_runs_page(day(1), &query).await.unwrap();
        assert!(page.items.len() <= 2);
        keys_seen.extend(page.items.iter().map(|r| r.key.clone()));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(domain::Cursor::decode(&cursor).unwrap()),
            None => break,
        }
    }
    assert_eq!(keys_seen, ["sla:1", "sla:2", "sla:3", "sla:4"]);

    assert_eq!(store.prune_job_runs(day(2)).await.unwrap(), 2);
    let left: Vec<String> = store
        .job_runs(Timestamp::UNIX_EPOCH)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(left, ["sla:2", "sla:3", "sla:4"]);
    assert_eq!(store.prune_job_runs(day(2)).await.unwrap(), 0, "idempotent");
}
