//! What the store does differently for the process engine's own changes: they schedule no
//! review of the case (the engine makes them while reviewing it), its notices are left out of
//! search, and nobody else may act or write under its name.

mod common;

use std::sync::Arc;

use domain::process::JobOutcome;
use domain::{
    Actor, Assign, CaseFilter, CaseId, Channel, Direction, NewCase, NewCustomer, NewMessage, Role,
    Status, Store, Timestamp, Transition, UpdateCase,
};
use jiff::SignedDuration;

use common::{agent_actor, at, invalid_field};

testkit::backend_scenarios!(
    open = store::open;
    engine_changes_schedule_no_review_and_others_do,
    engine_notices_stay_out_of_search_also_after_a_rebuild,
    nobody_else_acts_or_writes_under_the_engine_name,
);

async fn open_case(store: &Arc<dyn Store>, now: Timestamp) -> CaseId {
    let new_case = NewCase {
        customer: NewCustomer {
            name: "Maria Ionescu".into(),
            email: Some("maria@example.ro".into()),
            phone: None,
            language: Some("ro".into()),
            annual_value: None,
        },
        channel: Channel::Email,
        subject: "Dublă taxare".into(),
        message: "Mi-ați luat banii de două ori pentru aceeași comandă.".into(),
        category: None,
        cause: None,
        priority: None,
        language: None,
        remedy_sought: None,
        safety_flag: false,
    };
    store
        .create_case(&agent_actor(), new_case, now)
        .await
        .unwrap()
        .case
        .id
}

/// Finishes every due job: afterwards nothing is due until the next change asks for a review.
async fn finish_due_jobs(store: &Arc<dyn Store>, now: Timestamp) -> usize {
    let jobs = store
        .claim_due_jobs("test", now, SignedDuration::from_secs(60), 100)
        .await
        .unwrap();
    for job in &jobs {
        store.finish_job(job, JobOutcome::Done, now).await.unwrap();
    }
    jobs.len()
}

fn notice(body: &str) -> NewMessage {
    NewMessage {
        direction: Direction::Outbound,
        channel: None,
        author: None,
        body: body.into(),
    }
}

async fn engine_changes_schedule_no_review_and_others_do(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    assert_eq!(
        finish_due_jobs(&store, t0).await,
        1,
        "the creation's review"
    );

    let engine = Actor::process_engine();
    let t1 = at("2026-03-02T08:00:01Z");
    store
        .add_message_once(&engine, id, notice("Am primit reclamația."), "ack:test", t1)
        .await
        .unwrap();
    let acknowledged = Transition {
        to: Status::Acknowledged,
        resolution: None,
    };
    store
        .transition(&engine, id, acknowledged, t1)
        .await
        .unwrap();
    let flag = UpdateCase {
        safety_flag: Some(true),
        ..UpdateCase::default()
    };
    store.update_case(&engine, id, flag, t1).await.unwrap();
    let queue = Assign {
        agent_id: None,
        department_id: None,
        note: None,
    };
    store.assign(&engine, id, queue, t1).await.unwrap();
    assert_eq!(
        store.next_job_at().await.unwrap(),
        None,
        "the engine's own changes ask for no review"
    );

    // The same kind of change by a person does.
    let t2 = at("2026-03-02T08:05:00Z");
    store
        .add_message(
            &agent_actor(),
            id,
            notice("Vă sun înapoi în 10 minute."),
            t2,
        )
        .await
        .unwrap();
    assert_eq!(store.next_job_at().await.unwrap(), Some(t2));
    assert_eq!(finish_due_jobs(&store, t2).await, 1);
}

async fn search(store: &Arc<dyn Store>, q: &str) -> Vec<CaseId> {
    let filter = CaseFilter {
        q: Some(q.into()),
        ..CaseFilter::default()
    };
    let page = store.list_cases(&filter).await.unwrap();
    page.items.iter().map(|c| c.id).collect()
}

async fn engine_notices_stay_out_of_search_also_after_a_rebuild(store: Arc<dyn Store>) {
    let t0 = at("2026-03-02T08:00:00Z");
    let id = open_case(&store, t0).await;
    store
        .add_message_once(
            &Actor::process_engine(),
            id,
            notice("Confirmăm primirea; termen de răspuns: trei zile lucrătoare."),
            "ack:search",
            t0,
        )
        .await
        .unwrap();
    store
        .add_message(&agent_actor(), id, notice("Verificăm extrasul bancar."), t0)
        .await
        .unwrap();
    let check = |store: Arc<dyn Store>| async move {
        assert!(search(&store, "termen").await.is_empty(), "the notice");
        assert_eq!(search(&store, "extrasul").await, [id], "the agent's reply");
        assert_eq!(search(&store, "taxare").await, [id], "the subject");
    };
    check(store.clone()).await;
    // A new subject rebuilds the case's search document from all its messages.
    let subject = UpdateCase {
        subject: Some("Dublă taxare la card".into()),
        ..UpdateCase::default()
    };
    store
        .update_case(&agent_actor(), id, subject, t0)
        .await
        .unwrap();
    check(store).await;
}

async fn nobody_else_acts_or_writes_under_the_engine_name(store: Arc<dyn Store>) {
    let now = at("2026-03-02T08:00:00Z");
    for name in ["Calmdesk", " calmdesk ", "CALMDESK"] {
        let err = store
            .create_token(name, Role::Admin, None, [7; 32], now)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(err), "name", "{name:?}");
    }
    let id = open_case(&store, now).await;
    let spoof = NewMessage {
        author: Some("Calmdesk".into()),
        ..notice("We have refunded you.")
    };
    let err = store
        .add_message(&agent_actor(), id, spoof.clone(), now)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(err), "author");
    let detail = store.get_case(id).await.unwrap();
    assert_eq!(detail.messages.len(), 1, "nothing was added");
    // The engine itself may.
    store
        .add_message(&Actor::process_engine(), id, spoof, now)
        .await
        .unwrap();
}
