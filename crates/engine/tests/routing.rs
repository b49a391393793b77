//! Routing after the first decision (TL-7, TL-10), on SQLite and on PostgreSQL in simulated
//! time: a queued case is taken up when an agent frees up, cases reviewed in parallel keep to
//! the open-case limit, a flagged case moves to an agent trained for safety, and the engine
//! never overrides a person's assignment.

use std::sync::Arc;

use domain::process::{FeedbackAnswer, NotificationKind};
use domain::{
    Actor, Agent, Assign, CaseId, Channel, EventKind, ListQuery, NewAgent, NewCase, NewCustomer,
    NewDepartment, Resolution, Role, Status, Store, Timestamp, Transition, UpdateCase,
};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock};
use jiff::SignedDuration;
use sqlx::{Connection, PgConnection};

testkit::backend_scenarios!(
    open = super::database;
    a_queued_case_is_taken_up_when_an_agent_frees_up,
    cases_reviewed_together_keep_to_the_open_case_limit,
    a_case_reopened_by_a_low_score_is_routed,
    a_flagged_case_reopened_goes_to_a_trained_agent_with_its_hand_off,
    a_flagged_case_moves_to_an_agent_trained_for_safety,
);

/// The race needs a second writer holding the case's row: PostgreSQL only (on SQLite the one
/// writer runs commands one after the other, so the engine's read cannot go stale this way).
#[tokio::test]
async fn a_persons_assignment_between_the_engines_read_and_write_stands_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(a_persons_assignment_between_read_and_write_stands).await;
    }
}

/// The scenarios open their own store and engine on the fresh database they are given.
async fn database(url: &str) -> Result<String, std::convert::Infallible> {
    Ok(url.to_owned())
}

struct Team {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    engine: Engine,
    agents: Vec<Agent>,
}

/// One department, `names` as its agents, and `[routing]` settings `routing` (TOML).
async fn team(url: String, names: &[&str], routing: &str) -> Team {
    team_with(url, names, "", routing).await
}

/// `team`, with `top` (TOML) before the `[routing]` table of the settings.
async fn team_with(url: String, names: &[&str], top: &str, routing: &str) -> Team {
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
    let settings: EngineSettings = toml::from_str(&format!("{top}\n[routing]\n{routing}")).unwrap();
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

    /// The customer answers the newest satisfaction link of the case with `score`.
    async fn rate(&self, id: CaseId, score: u8) {
        let link = self
            .store
            .get_case(id)
            .await
            .unwrap()
            .messages
            .into_iter()
            .rev()
            .find_map(|m| {
                let at = m.body.find("/feedback/")?;
                Some(m.body[at + "/feedback/".len()..].to_owned())
            })
            .expect("a satisfaction link");
        let secret: String = link.chars().take_while(char::is_ascii_hexdigit).collect();
        let answer = FeedbackAnswer {
            score: Some(score),
            confirmed: None,
            comment: Some("Nobody called me back.".into()),
        };
        self.store
            .answer_feedback(engine::feedback_secret_hash(&secret), answer, self.now())
            .await
            .unwrap();
    }

    async fn handoffs(&self, id: CaseId) -> Vec<String> {
        let query = ListQuery {
            limit: 50,
            cursor: None,
        };
        self.store
            .list_notifications(Some(id), &query)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Handoff)
            .map(|n| n.recipient)
            .collect()
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

    // `assign_unless_moved` itself: it assigns while the case is held as expected, and with an
    // expectation gone stale it changes nothing (the race with the engine is the PostgreSQL
    // test below).
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
    // With nobody trained free, a flagged case stays with its agent...
    flag(later[0]).await;
    t.run().await;
    assert_eq!(t.holder(later[0]).await, Some(ana));
    // ...until one is: Eleni resolves a case, and at the next look the flagged one is hers,
    // with a hand-off note addressed to her.
    t.move_to(later[2], Status::Investigating, None).await;
    t.move_to(later[2], Status::ResolutionProposed, None).await;
    t.move_to(later[2], Status::Resolved, Some(Resolution::Confirmed))
        .await;
    t.run().await;
    t.advance(SignedDuration::from_mins(6));
    t.run().await;
    assert_eq!(t.holder(later[0]).await, Some(eleni));
    assert_eq!(t.handoffs(later[0]).await, [format!("agent:{}", eleni.0)]);

    // A person who gives a flagged case to an untrained agent knew of the flag: left alone.
    let by_hand = Assign {
        agent_id: Some(ana),
        department_id: None,
        note: Some("Ana knows this customer.".into()),
    };
    t.store
        .assign(&desk(), later[0], by_hand, t.now())
        .await
        .unwrap();
    t.run().await;
    t.advance(SignedDuration::from_mins(6));
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

async fn a_persons_assignment_between_read_and_write_stands(url: String) {
    let t = team(url.clone(), &["Ana Pop", "Ion Rusu"], "").await;
    let ion = t.agents[1].id;
    let id = t.complaint("Order 5").await;
    // Acknowledged by the desk: the engine's first write in its review is the routing note.
    t.move_to(id, Status::Acknowledged, None).await;

    // A person's transaction holds the case while the engine reviews it...
    let mut person = PgConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut person).await.unwrap();
    sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .execute(&mut person)
        .await
        .unwrap();
    let engine = t.engine.clone();
    let review = tokio::spawn(async move { engine.run_due("routing").await });
    // ...which has read the case unassigned, chosen Ana (both agents are free; Ana comes
    // first) and now waits to write its note.
    testkit::wait_for_lock_waiter(&mut person, "").await;
    // The person gives the case to Ion and commits.
    sqlx::query("UPDATE cases SET assignee_id = $1 WHERE id = $2")
        .bind(ion.0)
        .bind(id.0)
        .execute(&mut person)
        .await
        .unwrap();
    sqlx::query("COMMIT").execute(&mut person).await.unwrap();
    review.await.unwrap().expect("the review finishes");

    assert_eq!(t.holder(id).await, Some(ion), "the person's choice stands");
    let engine_assignments = t
        .store
        .timeline(id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Assigned && e.actor == "Calmdesk")
        .count();
    assert_eq!(
        engine_assignments, 0,
        "the engine did not assign Ana over it"
    );
}

async fn a_case_reopened_by_a_low_score_is_routed(url: String) {
    // Nobody in the team yet: the case waits in the department's queue and is resolved from
    // there by the desk.
    let t = team_with(
        url,
        &[],
        "public_base_url = \"https://help.example.com\"",
        "",
    )
    .await;
    let id = t.complaint("Order 11").await;
    t.run().await;
    assert_eq!(t.holder(id).await, None);
    t.move_to(id, Status::Investigating, None).await;
    t.move_to(id, Status::ResolutionProposed, None).await;
    t.move_to(id, Status::Resolved, Some(Resolution::Confirmed))
        .await;
    t.run().await;
    // An agent joins; three business days later the satisfaction request goes out.
    let department = t.store.list_departments().await.unwrap()[0].id;
    let ana = t
        .store
        .create_agent(NewAgent {
            name: "Ana Pop".into(),
            role: Role::Agent,
            department_id: Some(department),
            phone: None,
            email: None,
            languages: vec!["en".into()],
        })
        .await
        .unwrap();
    t.advance(SignedDuration::from_hours(24 * 7));
    t.run().await;
    t.rate(id, 2).await;
    t.run().await;
    let case = t.store.get_case(id).await.unwrap().case;
    assert_eq!(case.status, Status::Investigating, "reopened");
    assert_eq!(
        case.assignee_id,
        Some(ana.id),
        "and routed in the same pass"
    );
}

async fn a_flagged_case_reopened_goes_to_a_trained_agent_with_its_hand_off(url: String) {
    // Eleni (id 2) is trained for safety and busy with one case, the most she takes.
    let t = team_with(
        url,
        &["Ana Pop", "Eleni Papadopoulou"],
        "public_base_url = \"https://help.example.com\"",
        "safety_trained = [2]\nmax_open_cases = 1",
    )
    .await;
    let (ana, eleni) = (t.agents[0].id, t.agents[1].id);
    let flagged = t.complaint("Order 20").await;
    t.run().await;
    let elenis = t.complaint("Order 21").await;
    t.run().await;
    assert_eq!(t.holder(elenis).await, Some(eleni));
    assert_eq!(t.holder(flagged).await, Some(ana));
    let flag = UpdateCase {
        safety_flag: Some(true),
        ..UpdateCase::default()
    };
    t.store
        .update_case(&desk(), flagged, flag, t.now())
        .await
        .unwrap();
    t.run().await;
    assert_eq!(
        t.holder(flagged).await,
        Some(ana),
        "Eleni is full: it stays"
    );

    // Both cases are resolved; the customer of the flagged one is not satisfied.
    for id in [flagged, elenis] {
        t.move_to(id, Status::Investigating, None).await;
        t.move_to(id, Status::ResolutionProposed, None).await;
        t.move_to(id, Status::Resolved, Some(Resolution::Confirmed))
            .await;
    }
    t.run().await;
    t.advance(SignedDuration::from_hours(24 * 7));
    t.run().await;
    t.rate(flagged, 1).await;
    t.run().await;
    assert_eq!(
        t.holder(flagged).await,
        Some(eleni),
        "reopened, to the trained agent"
    );
    assert_eq!(t.handoffs(flagged).await, [format!("agent:{}", eleni.0)]);
}
