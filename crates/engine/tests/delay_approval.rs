//! TL-8 "after agent approval": with `delay_notices = "approval"` the drafted delay notice waits
//! for the agent, who sends it (as drafted or edited). It goes out under the automatic mode's
//! key, once, and its new date becomes a tracked promise. On SQLite and PostgreSQL.

use std::sync::Arc;

use std::time::{Duration, Instant};

use domain::process::{
    CommitmentId, CommitmentKind, CommitmentSource, CommitmentStatus, NewCommitment, Notification,
    NotificationId, NotificationKind,
};
use domain::{
    Actor, AgentId, CaseId, Channel, Direction, DomainError, NewAgent, NewCase, NewCustomer,
    NewDepartment, NewMessage, Resolution, Role, Status, Store, StoreError, Timestamp, Transition,
};
use engine::{DelayNoticeRefusal, Engine, EngineConfig, EngineError, EngineSettings, ManualClock};
use sqlx::{Connection, Executor, PgConnection};
use testkit::on_both_backends;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

struct Desk {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    engine: Engine,
    agents: Vec<Actor>,
}

fn engine_with(store: &Arc<dyn Store>, clock: &Arc<ManualClock>, toml_text: &str) -> Engine {
    let settings: EngineSettings = toml::from_str(toml_text).unwrap();
    let config = Arc::new(EngineConfig::from_settings(&settings).unwrap());
    Engine::new(store.clone(), config, clock.clone())
}

async fn desk(url: String) -> Desk {
    let store = store::open(&url).await.expect("store opens");
    let desk = store
        .create_department(NewDepartment {
            name: "Accounts".into(),
            categories: vec!["billing".into()],
            languages: vec!["en".into()],
        })
        .await
        .unwrap();
    let mut agents = Vec::new();
    for name in ["Elena Dima", "Radu Ene"] {
        let agent = store
            .create_agent(NewAgent {
                name: name.into(),
                role: Role::Agent,
                department_id: Some(desk.id),
                phone: None,
                email: None,
                languages: vec!["en".into()],
            })
            .await
            .unwrap();
        agents.push(Actor {
            name: agent.name,
            role: Role::Agent,
            agent_id: Some(agent.id),
        });
    }
    // Monday 23 November 2026, 10:00 UTC; Mon–Fri 09:00–17:00 UTC.
    let clock = Arc::new(ManualClock::new(at("2026-11-23T10:00:00Z")));
    let engine = engine_with(&store, &clock, "delay_notices = \"approval\"");
    Desk {
        store,
        clock,
        engine,
        agents,
    }
}

impl Desk {
    fn now(&self) -> Timestamp {
        domain::Clock::now(self.clock.as_ref())
    }

    async fn complain(&self, name: &str) -> CaseId {
        let mut customer = NewCustomer::named(name);
        customer.email = Some(format!(
            "{}@example.com",
            name.to_lowercase().replace(' ', ".")
        ));
        customer.language = Some("en".into());
        let mut case = NewCase::new(
            customer,
            Channel::Email,
            "Refund never arrived",
            "You promised a refund three weeks ago and it never arrived.",
        );
        case.category = Some("billing".into());
        let detail = self
            .store
            .create_case(&self.agents[0], case, self.now())
            .await;
        let id = detail.unwrap().case.id;
        self.run().await;
        let to = Transition {
            to: Status::Investigating,
            resolution: None,
        };
        self.store
            .transition(&self.agents[0], id, to, self.now())
            .await
            .unwrap();
        self.run().await;
        id
    }

    async fn move_to(&self, id: CaseId, to: Status, resolution: Option<Resolution>) {
        let change = Transition { to, resolution };
        self.store
            .transition(&self.agents[0], id, change, self.now())
            .await
            .unwrap();
    }

    async fn status(&self, promise: CommitmentId) -> CommitmentStatus {
        self.store.get_commitment(promise).await.unwrap().status
    }

    async fn run(&self) {
        self.engine.run_due("desk").await.expect("jobs run");
    }

    async fn notifications(&self, id: CaseId) -> Vec<Notification> {
        let query = domain::ListQuery {
            limit: 200,
            cursor: None,
        };
        let page = self.store.list_notifications(Some(id), &query).await;
        page.unwrap().items
    }

    async fn draft(&self, id: CaseId) -> Notification {
        let drafts: Vec<Notification> = self
            .notifications(id)
            .await
            .into_iter()
            .filter(|n| n.kind == NotificationKind::DelayNoticeApproval)
            .collect();
        assert_eq!(drafts.len(), 1, "{drafts:?}");
        drafts.into_iter().next().unwrap()
    }

    /// What Calmdesk sent the customer (the acknowledgement, then any delay notice).
    async fn outbound(&self, id: CaseId) -> Vec<String> {
        let detail = self.store.get_case(id).await.unwrap();
        detail
            .messages
            .into_iter()
            .filter(|m| m.direction == Direction::Outbound)
            .map(|m| m.body)
            .collect()
    }

    /// The agent who has the case, and one who does not.
    async fn owner_and_other(&self, id: CaseId) -> (Actor, Actor) {
        let owner: AgentId = self
            .store
            .get_case(id)
            .await
            .unwrap()
            .case
            .assignee_id
            .expect("routed to an agent");
        let (mine, other): (Vec<Actor>, Vec<Actor>) = self
            .agents
            .iter()
            .cloned()
            .partition(|a| a.agent_id == Some(owner));
        (mine[0].clone(), other[0].clone())
    }
}

impl Desk {
    /// Sends a draft as drafted and expects it refused.
    async fn refused(
        &self,
        actor: &Actor,
        case: CaseId,
        draft: NotificationId,
    ) -> DelayNoticeRefusal {
        match self
            .engine
            .send_delay_notice(actor, case, draft, None)
            .await
        {
            Err(EngineError::DelayNotice(refusal)) => refusal,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

async fn approval_sends_once_with_a_tracked_new_date(url: String) {
    let d = desk(url).await;
    let first = d.complain("Maria Ionescu").await;
    let second = d.complain("Dan Georgescu").await;
    // Thursday 09:30: both answers will be late; the customers hear nothing yet.
    d.clock.set(at("2026-11-26T09:30:00Z"));
    d.run().await;
    assert_eq!(d.outbound(first).await.len(), 1, "only the acknowledgement");
    let draft = d.draft(first).await;
    let other_draft = d.draft(second).await;
    let (owner, stranger) = d.owner_and_other(first).await;
    assert_eq!(
        draft.recipient,
        format!("agent:{}", owner.agent_id.unwrap())
    );

    // Refusals: an agent without the case, another case's draft, a notification that is no
    // delay draft. None sends anything or records a promise.
    assert_eq!(
        d.refused(&stranger, first, draft.id).await,
        DelayNoticeRefusal::NotOwner { case: first }
    );
    assert_eq!(
        d.refused(&owner, first, other_draft.id).await,
        DelayNoticeRefusal::OtherCase {
            notification: other_draft.id,
            case: first,
            other: Some(second),
        }
    );
    let warning = d
        .notifications(first)
        .await
        .into_iter()
        .find(|n| n.kind != NotificationKind::DelayNoticeApproval)
        .expect("the SLA warning of the case");
    assert_eq!(
        d.refused(&owner, first, warning.id).await,
        DelayNoticeRefusal::NotADraft {
            notification: warning.id,
            kind: warning.kind,
        }
    );
    let blank = d
        .engine
        .send_delay_notice(&owner, first, draft.id, Some("  ".into()))
        .await;
    assert!(
        matches!(
            blank,
            Err(EngineError::Store(StoreError::Domain(DomainError::InvalidField { ref field, .. })))
                if field == "body"
        ),
        "{blank:?}"
    );
    assert_eq!(d.outbound(first).await.len(), 1);
    assert!(d.store.list_commitments(first).await.unwrap().is_empty());

    // The owner sends it, in their own words; the new date is the automatic mode's.
    d.clock.set(at("2026-11-26T10:15:00Z"));
    let words = "Dear Maria Ionescu, we need until Monday 30 November, 17:00 to finish checking \
                 your refund. Sorry for the wait.";
    let sent = d
        .engine
        .send_delay_notice(&owner, first, draft.id, Some(words.into()))
        .await
        .unwrap();
    assert_eq!(sent.message.body, words);
    assert_eq!(
        sent.commitment.description, words,
        "the promise in the words sent"
    );
    assert_eq!(sent.message.direction, Direction::Outbound);
    assert_eq!(sent.message.created_at, at("2026-11-26T10:15:00Z"));
    assert_eq!(sent.commitment.kind, CommitmentKind::Answer);
    assert_eq!(sent.commitment.due_at, at("2026-11-30T17:00:00Z"));
    assert_eq!(sent.commitment.made_by, owner.name);
    assert_eq!(sent.commitment.message_id, Some(sent.message.id));
    assert_eq!(sent.commitment.source, CommitmentSource::DelayNotice);
    assert_eq!(sent.message.author.as_deref(), Some(owner.name.as_str()));
    let outbound = d.outbound(first).await;
    assert_eq!(outbound.len(), 2);
    assert_eq!(outbound[1], words);
    // Sent once: a second send is refused and changes nothing.
    assert_eq!(
        d.refused(&owner, first, draft.id).await,
        DelayNoticeRefusal::AlreadySent {
            notification: draft.id,
            message: sent.message.id,
            sent_at: sent.message.created_at,
        }
    );
    assert_eq!(d.store.list_commitments(first).await.unwrap().len(), 1);

    // A supervisor sends the second case's draft as it is: the very words of the draft.
    let supervisor = Actor {
        name: "Sorina Vlad".into(),
        role: Role::Supervisor,
        agent_id: None,
    };
    let sent_draft = d
        .engine
        .send_delay_notice(&supervisor, second, other_draft.id, None)
        .await
        .unwrap();
    assert!(
        other_draft.body.contains(&sent_draft.message.body),
        "the draft shown to the agent is what the customer gets:\n{}\n---\n{}",
        other_draft.body,
        sent_draft.message.body
    );
    assert!(sent_draft.message.body.contains("Dan Georgescu"));
    assert_eq!(sent_draft.commitment.due_at, at("2026-11-30T17:00:00Z"));
    assert!(
        sent_draft
            .message
            .body
            .contains(&sent_draft.commitment.description),
        "the promise is the notice's own sentence: {:?}",
        sent_draft.commitment.description
    );

    // The same key as the automatic mode: an engine switched to automatic sends nothing more
    // at the breach, nor does the approval engine draft again.
    let automatic = engine_with(&d.store, &d.clock, "");
    d.clock.set(at("2026-11-26T17:30:00Z"));
    automatic.run_due("auto").await.unwrap();
    d.run().await;
    for id in [first, second] {
        assert_eq!(d.outbound(id).await.len(), 2, "{id}");
        assert_eq!(d.store.list_commitments(id).await.unwrap().len(), 1, "{id}");
        let drafts = d.notifications(id).await;
        let count = drafts
            .iter()
            .filter(|n| n.kind == NotificationKind::DelayNoticeApproval)
            .count();
        assert_eq!(count, 1, "{id}");
    }

    // The new date is kept like any promise: missed, it escalates.
    d.clock.set(at("2026-11-30T17:00:01Z"));
    d.run().await;
    let promise = d.store.get_commitment(sent.commitment.id).await.unwrap();
    assert_eq!(promise.status, CommitmentStatus::Overdue);
    let overdue = d
        .notifications(first)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::CommitmentOverdue)
        .count();
    assert_eq!(overdue, 2, "the supervisors and the agent");
}

on_both_backends!(
    approval_sends_once_with_a_tracked_new_date,
    approval_on_sqlite,
    approval_on_postgres
);

/// A delay notice the agent approved is signed by the agent, yet it is no answer: the answer
/// promised before stays open until the answer itself is sent.
async fn an_approved_delay_notice_is_not_the_answer(url: String) {
    let d = desk(url).await;
    let id = d.complain("Maria Ionescu").await;
    let (owner, _) = d.owner_and_other(id).await;
    let statement = NewCommitment {
        kind: CommitmentKind::Answer,
        description: "I will send you the refund statement by Friday".into(),
        due_at: at("2026-11-27T16:00:00Z"),
        source: CommitmentSource::Manual,
        message_id: None,
        key: None,
    };
    let promise = d
        .store
        .add_commitment(&owner, id, statement, d.now())
        .await
        .unwrap();
    d.run().await;
    d.clock.set(at("2026-11-26T09:30:00Z"));
    d.run().await;
    let draft = d.draft(id).await;
    d.clock.set(at("2026-11-26T10:15:00Z"));
    let sent = d
        .engine
        .send_delay_notice(&owner, id, draft.id, None)
        .await
        .unwrap();
    assert_eq!(sent.message.author.as_deref(), Some(owner.name.as_str()));
    d.run().await;
    assert_eq!(d.status(promise.id).await, CommitmentStatus::Open);
    assert_eq!(d.status(sent.commitment.id).await, CommitmentStatus::Open);
    // The answer keeps both promises: the one made before and the notice's new date.
    d.clock.set(at("2026-11-26T11:00:00Z"));
    let answer = NewMessage {
        direction: Direction::Outbound,
        channel: None,
        author: None,
        body: "Here is your refund statement: the refund left our bank on 20 November.".into(),
    };
    d.store
        .add_message(&owner, id, answer, d.now())
        .await
        .unwrap();
    d.run().await;
    assert_eq!(d.status(promise.id).await, CommitmentStatus::Fulfilled);
    assert_eq!(
        d.status(sent.commitment.id).await,
        CommitmentStatus::Fulfilled
    );
}

/// A draft is sent only while it is true: not for a resolved or closed case, and not once the
/// resolution deadline it was drafted for has moved (the clock paused while waiting on the
/// customer). Nothing is sent or promised.
async fn stale_delay_drafts_are_refused(url: String) {
    let d = desk(url).await;
    let settled = d.complain("Maria Ionescu").await;
    let paused = d.complain("Dan Georgescu").await;
    d.clock.set(at("2026-11-26T09:30:00Z"));
    d.run().await;
    let settled_draft = d.draft(settled).await;
    let paused_draft = d.draft(paused).await;
    let (owner, _) = d.owner_and_other(settled).await;

    d.move_to(
        settled,
        Status::ResolutionProposed,
        Some(Resolution::Confirmed),
    )
    .await;
    d.move_to(settled, Status::Resolved, Some(Resolution::Confirmed))
        .await;
    assert_eq!(
        d.refused(&owner, settled, settled_draft.id).await,
        DelayNoticeRefusal::CaseSettled {
            case: settled,
            status: Status::Resolved,
        }
    );
    d.move_to(settled, Status::Closed, None).await;
    assert_eq!(
        d.refused(&owner, settled, settled_draft.id).await,
        DelayNoticeRefusal::CaseSettled {
            case: settled,
            status: Status::Closed,
        }
    );

    // An hour waiting on the customer moves the deadline by that hour.
    let drafted_for = at("2026-11-26T17:00:00Z");
    d.clock.set(at("2026-11-26T10:00:00Z"));
    d.move_to(paused, Status::WaitingOnCustomer, None).await;
    d.clock.set(at("2026-11-26T11:00:00Z"));
    d.move_to(paused, Status::Investigating, None).await;
    let (owner, _) = d.owner_and_other(paused).await;
    let refusal = d.refused(&owner, paused, paused_draft.id).await;
    let DelayNoticeRefusal::Outdated {
        notification,
        drafted_for: refused_for,
        deadline: Some(deadline),
    } = refusal
    else {
        panic!("expected an outdated draft, got {refusal:?}");
    };
    assert_eq!((notification, refused_for), (paused_draft.id, drafted_for));
    assert!(deadline > drafted_for, "{deadline}");
    for id in [settled, paused] {
        assert_eq!(d.outbound(id).await.len(), 1, "only the acknowledgement");
        assert!(d.store.list_commitments(id).await.unwrap().is_empty());
    }
}

/// The review a delay notice schedules may run while the notice is being stored. Here it is
/// made to: the promise's write is held back by a lock on the commitments table and the review
/// runs meanwhile. It never sees the notice without its promise (both are one write), so the
/// coach adds no second promise of the same date. PostgreSQL only (the lock).
async fn a_review_during_the_send_sees_the_notice_with_its_promise(url: String) {
    let d = desk(url.clone()).await;
    let id = d.complain("Maria Ionescu").await;
    let (owner, _) = d.owner_and_other(id).await;
    d.clock.set(at("2026-11-26T09:30:00Z"));
    d.run().await;
    let draft = d.draft(id).await;
    d.clock.set(at("2026-11-26T10:15:00Z"));

    let mut locker = PgConnection::connect(&url).await.unwrap();
    locker.execute("BEGIN").await.unwrap();
    locker
        .execute("LOCK TABLE commitments IN SHARE ROW EXCLUSIVE MODE")
        .await
        .unwrap();
    let mut watcher = PgConnection::connect(&url).await.unwrap();
    let engine = d.engine.clone();
    let sender = owner.clone();
    let send =
        tokio::spawn(async move { engine.send_delay_notice(&sender, id, draft.id, None).await });
    testkit::wait_for_lock_waiter(&mut watcher, "INSERT INTO commitments").await;
    let engine = d.engine.clone();
    let review = tokio::spawn(async move { engine.run_due("meanwhile").await });
    // Before the fix the review waits too (on its own promise's write); after it, it either
    // finds nothing to review yet or waits for the notice's transaction.
    let patience = Instant::now() + Duration::from_secs(3);
    while Instant::now() < patience && testkit::lock_waiters(&mut watcher, "").await < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    locker.execute("COMMIT").await.unwrap();
    let sent = send.await.unwrap().unwrap();
    review.await.unwrap().unwrap();
    d.run().await;
    let promises = d.store.list_commitments(id).await.unwrap();
    assert_eq!(
        promises.iter().map(|c| c.id).collect::<Vec<_>>(),
        [sent.commitment.id],
        "one promise for the new date: {promises:#?}"
    );
}

on_both_backends!(
    an_approved_delay_notice_is_not_the_answer,
    not_the_answer_on_sqlite,
    not_the_answer_on_postgres
);

on_both_backends!(
    stale_delay_drafts_are_refused,
    stale_drafts_on_sqlite,
    stale_drafts_on_postgres
);

#[tokio::test]
async fn review_during_send_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(a_review_during_the_send_sees_the_notice_with_its_promise).await;
    }
}

/// The agent's own words may promise more than the new date: the coach tracks the rest, and
/// the new date once (it is the notice's promise already).
async fn edited_words_with_another_promise(url: String) {
    let d = desk(url).await;
    let id = d.complain("Maria Ionescu").await;
    let (owner, _) = d.owner_and_other(id).await;
    d.clock.set(at("2026-11-26T09:30:00Z"));
    d.run().await;
    let draft = d.draft(id).await;
    d.clock.set(at("2026-11-26T10:15:00Z"));
    let words = "Dear Maria Ionescu, you can now expect our detailed answer by Monday 30 \
                 November, 17:00 at the latest. I will call you back tomorrow at 10:00 to \
                 explain what we found so far.";
    d.engine
        .send_delay_notice(&owner, id, draft.id, Some(words.into()))
        .await
        .unwrap();
    d.run().await;
    let promises = d.store.list_commitments(id).await.unwrap();
    let kinds: Vec<(CommitmentKind, CommitmentSource)> =
        promises.iter().map(|c| (c.kind, c.source)).collect();
    assert_eq!(
        kinds,
        [
            (CommitmentKind::Answer, CommitmentSource::DelayNotice),
            (CommitmentKind::Callback, CommitmentSource::Coach),
        ],
        "{promises:#?}"
    );
}

on_both_backends!(
    edited_words_with_another_promise,
    edited_words_on_sqlite,
    edited_words_on_postgres
);
