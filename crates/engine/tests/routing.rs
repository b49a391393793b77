//! Routing after the first decision (TL-7, TL-10), on SQLite and on PostgreSQL in simulated
//! time: a queued case is taken up when an agent frees up, cases reviewed in parallel keep to
//! the open-case limit, a flagged case moves to an agent trained for safety, and the engine
//! never overrides a person's assignment.

use std::sync::Arc;

use domain::{
    Actor, Agent, Assign, CaseId, Channel, EventKind, NewAgent, NewCase, NewCustomer,
    NewDepartment, Resolution, Role, Status, Store, Timestamp, Transition, UpdateCase,
};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock};
use jiff::SignedDuration;

macro_rules! on_both_backends {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            testkit::with_sqlite($scenario).await;
        }

        #[tokio::test]
        async fn $postgres() {
            if testkit::postgres_wanted() {
                testkit::with_postgres($scenario).await;
            }
        }
    };
}

on_both_backends!(
    a_queued_case_is_taken_up_when_an_agent_frees_up,
    queued_case_on_sqlite,
    queued_case_on_postgres
);
on_both_backends!(
    cases_reviewed_together_keep_to_the_open_case_limit,
    limit_on_sqlite,
    limit_on_postgres
);
on_both_backends!(
    a_flagged_case_moves_to_an_agent_trained_for_safety,
    safety_on_sqlite,
    safety_on_postgres
);

struct Team {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    engine: Engine,
    agents: Vec<Agent>,
}

/// One department, `names` as its agents, and `[routing]` settings `routing` (TOML).
async fn team(url: String, names: &[&str], routing: &str) -> Team {
    let store = store::open(&url).await.expect("store opens");
    let care = store
        .create_department(NewDepartment {
            name: "Customer care".into(),
            categories: Vec::new(),
            languages: Vec::new(),
        })
        .await
        .unwrap();
    let mut agents = Vec::new();
    for name in names {
        let agent = NewAgent {
            name: (*name).into(),
            role: Role::Agent,
            department_id: Some(care.id),
            phone: None,
            email: None,
            languages: vec!["en".into()],
        };
        agents.push(store.create_agent(agent).await.unwrap());
    }
    let settings: EngineSettings = toml::from_str(&format!("[routing]\n{routing}")).unwrap();
    let config = Arc::new(EngineConfig::from_settings(&settings).unwrap());
    let clock = Arc::new(ManualClock::new(at("2026-11-23T10:00:00Z")));
    let engine = Engine::new(store.clone(), config, clock.clone());
    Team {
        store,
        clock,
        engine,
        agents,
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn desk() -> Actor {
    Actor {
        name: "Front desk".into(),
        role: Role::Supervisor,
        agent_id: None,
    }
}

impl Team {
    fn now(&self) -> Timestamp {
        domain::Clock::now(self.clock.as_ref())
    }

    async fn complaint(&self, subject: &str) -> CaseId {
        let case = NewCase {
            customer: NewCustomer {
                name: format!("Customer of {subject}"),
                email: Some(format!("{}@example.com", subject.replace(' ', "."))),
                phone: None,
                language: Some("en".into()),
                annual_value: None,
            },
            channel: Channel::Email,
            subject: subject.into(),
            message: "The parcel never arrived and nobody answers the phone.".into(),
            category: None,
            cause: None,
            priority: None,
            language: None,
            remedy_sought: None,
            safety_flag: false,
        };
        let detail = self.store.create_case(&desk(), case, self.now()).await;
        detail.unwrap().case.id
    }

    async fn run(&self) {
        self.engine.run_due("routing").await.expect("jobs run");
    }

    async fn holder(&self, id: CaseId) -> Option<domain::AgentId> {
        self.store.get_case(id).await.unwrap().case.assignee_id
    }

    async fn move_to(&self, id: CaseId, to: Status, resolution: Option<Resolution>) {
        let step = Transition { to, resolution };
        self.store
            .transition(&desk(), id, step, self.now())
            .await
            .unwrap();
    }

    fn advance(&self, by: SignedDuration) {
        self.clock.set(self.now() + by);
    }
}

async fn a_queued_case_is_taken_up_when_an_agent_frees_up(url: String) {
    let t = team(url, &["Ana Pop"], "max_open_cases = 1").await;
    let ana = t.agents[0].id;
    let first = t.complaint("Order 1").await;
    t.run().await;
    assert_eq!(t.holder(first).await, Some(ana));
    let second = t.complaint("Order 2").await;
    t.run().await;
    let queued = t.store.get_case(second).await.unwrap().case;
    assert_eq!(queued.assignee_id, None, "Ana is full: the case waits");
    assert!(queued.department_id.is_some(), "in the department's queue");

    // Nothing changes while Ana is busy, however often the queue is looked at.
    t.advance(SignedDuration::from_mins(6));
    t.run().await;
    assert_eq!(t.holder(second).await, None);

    // Ana resolves her case: at the next look the queued case is hers.
    t.move_to(first, Status::Investigating, None).await;
    t.move_to(first, Status::ResolutionProposed, None).await;
    t.move_to(first, Status::Resolved, Some(Resolution::Confirmed))
        .await;
    t.run().await;
    t.advance(SignedDuration::from_mins(6));
    t.run().await;
    assert_eq!(t.holder(second).await, Some(ana));

    // A person's assignment is never overridden: the desk gives a third case to Ana by hand
    // while the engine's view of it is still "nobody has it".
    let third = t.complaint("Order 3").await;
    let by_hand = Assign {
        agent_id: Some(ana),
        department_id: None,
        note: None,
    };
    let moved = t
        .store
        .assign_unless_moved(&desk(), third, (None, None), by_hand.clone(), t.now())
        .await
        .unwrap();
    assert!(moved.is_some(), "held as expected: assigned");
    let stale = t
        .store
        .assign_unless_moved(&desk(), third, (None, None), by_hand, t.now())
        .await
        .unwrap();
    assert_eq!(stale, None, "no longer held as expected: nothing changes");
    let assignments = t
        .store
        .timeline(third)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Assigned)
        .count();
    assert_eq!(assignments, 1);
    t.run().await;
    assert_eq!(
        t.holder(third).await,
        Some(ana),
        "the engine left it with Ana"
    );
}

async fn a_flagged_case_moves_to_an_agent_trained_for_safety(url: String) {
    // The second agent (id 2 on a fresh database) is trained for safety.
    let t = team(
        url,
        &["Ana Pop", "Eleni Papadopoulou"],
        "safety_trained = [2]\nmax_open_cases = 2",
    )
    .await;
    let (ana, eleni) = (t.agents[0].id, t.agents[1].id);
    assert_eq!(eleni.0, 2);
    let flag = |id| {
        let store = t.store.clone();
        let now = t.now();
        async move {
            let flag = UpdateCase {
                safety_flag: Some(true),
                ..UpdateCase::default()
            };
            store.update_case(&desk(), id, flag, now).await.unwrap();
        }
    };
    let first = t.complaint("Order 7").await;
    t.run().await;
    assert_eq!(t.holder(first).await, Some(ana), "the least busy agent");
    flag(first).await;
    t.run().await;
    assert_eq!(
        t.holder(first).await,
        Some(eleni),
        "moved to the trained agent"
    );

    // Ana takes the next two, Eleni the one after: both are full.
    let mut later = Vec::new();
    for n in 0..3 {
        later.push(t.complaint(&format!("Order {n}")).await);
        t.run().await;
    }
    assert_eq!(t.holder(later[0]).await, Some(ana));
    assert_eq!(t.holder(later[2]).await, Some(eleni));
    // With nobody trained free, a flagged case stays with its agent.
    flag(later[0]).await;
    t.run().await;
    assert_eq!(t.holder(later[0]).await, Some(ana));
}

async fn cases_reviewed_together_keep_to_the_open_case_limit(url: String) {
    let t = team(url, &["Ana Pop", "Ion Rusu"], "max_open_cases = 2").await;
    let mut cases = Vec::new();
    for n in 0..7 {
        cases.push(t.complaint(&format!("Order {n}")).await);
    }
    // One run reviews all seven in parallel.
    t.run().await;
    let mut held = std::collections::BTreeMap::new();
    for id in cases {
        *held.entry(t.holder(id).await).or_insert(0) += 1;
    }
    let expected = [
        (None, 3),
        (Some(t.agents[0].id), 2),
        (Some(t.agents[1].id), 2),
    ];
    assert_eq!(held.into_iter().collect::<Vec<_>>(), expected);
}
