//! The "Done when" story of issue 4, on SQLite and on PostgreSQL, in simulated time: one angry
//! phone complaint walked through the seeds, every step checked in the case's timeline. Plus a
//! crash between a job's effects and its completion, and a threat (TL-10).

use std::sync::Arc;

use domain::process::{
    CommitmentKind, CommitmentSource, CommitmentStatus, FeedbackAnswer, FeedbackPurpose,
    NotificationKind,
};
use domain::{
    Actor, AgentId, Assign, CaseDetail, CaseId, Channel, Direction, EventKind, IncidentRecordInput,
    ListQuery, NewAgent, NewCase, NewCustomer, NewDepartment, NewMessage, Role, Status, Store,
    Timestamp, Transition,
};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock, feedback_secret_hash};
use jiff::SignedDuration;
use testkit::on_both_backends;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

struct World {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    engine: Engine,
    ioana: Actor,
    mihai: AgentId,
}

async fn world(url: String) -> World {
    world_with(url, "").await
}

/// A world whose `[engine]` settings add `extra` (TOML) to the story's.
async fn world_with(url: String, extra: &str) -> World {
    let store = store::open(&url).await.expect("store opens");
    let billing = store
        .create_department(NewDepartment {
            name: "Billing".into(),
            categories: vec!["billing".into()],
            languages: vec!["en".into(), "ro".into()],
        })
        .await
        .unwrap();
    let agent = |name: &str| NewAgent {
        name: name.into(),
        role: Role::Agent,
        department_id: Some(billing.id),
        phone: Some("+40 21 000 0000".into()),
        email: None,
        languages: vec!["en".into()],
    };
    let ioana = store.create_agent(agent("Ioana Marin")).await.unwrap();
    let mihai = store.create_agent(agent("Mihai Pop")).await.unwrap();
    let settings: EngineSettings = toml::from_str(&format!(
        r#"
        public_base_url = "https://help.example.com"
        {extra}
        [safety]
        contacts = ["security@example.com"]
        emergency_number = "112"
        "#
    ))
    .unwrap();
    let config = Arc::new(EngineConfig::from_settings(&settings).unwrap());
    // Monday 23 November 2026, 10:00 UTC (the default calendar: Mon–Fri 09:00–17:00 UTC).
    let clock = Arc::new(ManualClock::new(at("2026-11-23T10:00:00Z")));
    let engine = Engine::new(store.clone(), config, clock.clone());
    World {
        store,
        clock,
        engine,
        ioana: Actor {
            name: ioana.name.clone(),
            role: Role::Agent,
            agent_id: Some(ioana.id),
        },
        mihai: mihai.id,
    }
}

impl World {
    fn now(&self) -> Timestamp {
        domain::Clock::now(self.clock.as_ref())
    }

    /// Stores a complaint as staff taking the call.
    async fn complain(&self, case: NewCase) -> CaseId {
        let detail = self.store.create_case(&self.ioana, case, self.now()).await;
        detail.expect("the complaint is stored").case.id
    }

    async fn run(&self) {
        self.engine.run_due("story").await.expect("jobs run");
    }

    async fn case(&self, id: CaseId) -> CaseDetail {
        self.store.get_case(id).await.unwrap()
    }

    async fn say(&self, id: CaseId, channel: Channel, body: &str) {
        let message = NewMessage {
            direction: Direction::Outbound,
            channel: Some(channel),
            author: Some(self.ioana.name.clone()),
            body: body.into(),
        };
        self.store
            .add_message(&self.ioana, id, message, self.now())
            .await
            .unwrap();
    }

    async fn move_to(&self, id: CaseId, to: Status) {
        let t = Transition {
            to,
            resolution: None,
        };
        self.store
            .transition(&self.ioana, id, t, self.now())
            .await
            .unwrap();
    }

    async fn notifications(&self, id: CaseId) -> Vec<domain::process::Notification> {
        let query = ListQuery {
            limit: 200,
            cursor: None,
        };
        self.store
            .list_notifications(Some(id), &query)
            .await
            .unwrap()
            .items
    }

    /// The engine's outbound messages (what the customer received from Calmdesk).
    async fn sent_by_engine(&self, id: CaseId) -> Vec<String> {
        self.case(id)
            .await
            .messages
            .into_iter()
            .filter(|m| {
                m.direction == Direction::Outbound && m.author.as_deref() == Some("Calmdesk")
            })
            .map(|m| m.body)
            .collect()
    }
}

/// A check that one event is a step of the story.
type Step = Box<dyn Fn(&domain::Event) -> bool + Send + Sync>;

/// The secret in the newest feedback link of the case's messages.
fn link_secret(detail: &CaseDetail) -> String {
    let body = detail
        .messages
        .iter()
        .rev()
        .find(|m| m.body.contains("https://help.example.com/feedback/"))
        .map(|m| m.body.clone())
        .expect("a message with a feedback link");
    let start = body.find("/feedback/").unwrap() + "/feedback/".len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

fn complaint() -> NewCase {
    let mut customer = NewCustomer::named("Ana Popescu");
    customer.phone = Some("+40 700 000 001".into());
    customer.email = Some("ana@example.com".into());
    customer.language = Some("en".into());
    customer.annual_value = Some(domain::Money {
        amount_minor: 120_000,
        currency: "EUR".into(),
    });
    let mut case = NewCase::new(
        customer,
        Channel::Phone,
        "Charged twice for one order",
        "This is outrageous! You charged my card twice for the same order and nobody answers. \
         I am furious and I want my money back today!",
    );
    case.category = Some("billing".into());
    case
}

async fn story(url: String) {
    let w = world(url).await;
    let staff = w.ioana.clone();

    // An angry phone complaint arrives.
    let id = w.complain(complaint()).await;
    w.run().await;

    // Acknowledgement at once, with the case id and the 3-business-day deadline (Thursday 17:00).
    let detail = w.case(id).await;
    assert_eq!(detail.case.status, Status::Acknowledged);
    let sent = w.sent_by_engine(id).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("C-00"), "{}", sent[0]);
    assert!(
        sent[0].contains("Thursday 26 November 2026, 17:00"),
        "{}",
        sent[0]
    );
    // Routed to a competent, least busy agent.
    assert!(detail.case.assignee_id.is_some());
    let sla = w.engine.sla(&detail).await.unwrap();
    assert_eq!(sla.resolution.due, Some(at("2026-11-26T17:00:00Z")));
    assert_eq!(sla.first_response.state, domain::sla::SlaState::Met);

    // The agent takes it up and promises a callback.
    w.move_to(id, Status::Investigating).await;
    w.clock.advance(mins(2));
    w.say(
        id,
        Channel::Phone,
        "I am sorry about the double charge. I'll call you back within 10 minutes.",
    )
    .await;
    let promised_at = w.now();
    w.run().await;
    let commitments = w.store.list_commitments(id).await.unwrap();
    assert_eq!(commitments.len(), 1, "{commitments:?}");
    let promise = &commitments[0];
    assert_eq!(promise.due_at, promised_at + mins(10));
    assert_eq!(promise.status, CommitmentStatus::Open);

    // Five minutes later: the reminder.
    w.clock.advance(mins(5));
    w.run().await;
    let promise = w.store.get_commitment(promise.id).await.unwrap();
    assert!(promise.reminded_at.is_some());
    let reminders: Vec<_> = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::CommitmentReminder)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0]
            .body
            .contains("call you back within 10 minutes"),
        "{}",
        reminders[0].body
    );

    // Eight minutes after the promise: the callback is logged, the promise is kept.
    w.clock.advance(mins(3));
    w.say(
        id,
        Channel::Phone,
        "Called Ana back: the second charge is confirmed as our error and will be refunded.",
    )
    .await;
    w.run().await;
    let promise = w.store.get_commitment(promise.id).await.unwrap();
    assert_eq!(promise.status, CommitmentStatus::Fulfilled);
    // Its due time passes without an escalation.
    w.clock.advance(mins(5));
    w.run().await;
    assert!(
        !w.notifications(id)
            .await
            .iter()
            .any(|n| n.kind == NotificationKind::CommitmentOverdue)
    );

    // Transfer to a colleague with a hand-off note (TL-7).
    let handoff = "Double charge on order 1182 confirmed; refund of the second charge promised; \
                   customer called back at 10:10.";
    w.store
        .assign(
            &staff,
            id,
            Assign {
                agent_id: Some(w.mihai),
                department_id: w.case(id).await.case.department_id,
                note: Some(handoff.into()),
            },
            w.now(),
        )
        .await
        .unwrap();
    w.run().await;
    // The receiving agent is shown the note, with the customer's name, question and contact.
    let handoffs = || async {
        w.notifications(id)
            .await
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Handoff)
            .collect::<Vec<_>>()
    };
    let shown = handoffs().await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].recipient, format!("agent:{}", w.mihai.0));
    for part in [
        handoff,
        "Ioana Marin",
        "Ana Popescu",
        "Charged twice for one order",
        "+40700000001, ana@example.com",
    ] {
        assert!(shown[0].body.contains(part), "{part}: {}", shown[0].body);
    }

    // Time passes toward the deadline: Thursday 09:30 is past the 75 % warning (09:15).
    w.clock.set(at("2026-11-26T09:30:00Z"));
    w.run().await;
    let sent = w.sent_by_engine(id).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("need a little more time"), "{}", sent[1]);
    // The new date: two business days after the missed deadline (Monday 30 November, 17:00).
    assert!(
        sent[1].contains("Monday 30 November 2026, 17:00"),
        "{}",
        sent[1]
    );
    assert!(
        w.notifications(id)
            .await
            .iter()
            .any(|n| n.kind == NotificationKind::SlaWarning
                && n.recipient == format!("agent:{}", w.mihai.0))
    );
    // The new date is a promise, tracked like any other (TL-8).
    let new_date = w.store.list_commitments(id).await.unwrap();
    assert_eq!(new_date.len(), 2, "{new_date:?}");
    let new_date = &new_date[1];
    assert_eq!(new_date.kind, CommitmentKind::Answer);
    assert_eq!(new_date.due_at, at("2026-11-30T17:00:00Z"));
    assert_eq!(new_date.status, CommitmentStatus::Open);
    assert!(
        new_date
            .description
            .contains("Monday 30 November 2026, 17:00"),
        "{}",
        new_date.description
    );
    // Shown once: later reviews do not repeat the hand-off.
    assert_eq!(handoffs().await.len(), 1);

    // A resolution is proposed and written down (RO-11); the customer is asked to confirm.
    w.clock.advance(mins(30));
    w.store
        .set_incident_record(
            &staff,
            id,
            IncidentRecordInput {
                problem: "Card charged twice for order 1182.".into(),
                discussions: vec![
                    "Offered a voucher instead of the refund: refused.".into(),
                    "Agreed to refund the second charge.".into(),
                ],
                solution: "We refunded the second charge of 49.90 EUR to your card.".into(),
            },
            w.now(),
        )
        .await
        .unwrap();
    w.move_to(id, Status::ResolutionProposed).await;
    w.run().await;
    let detail = w.case(id).await;
    let confirm_secret = link_secret(&detail);
    assert!(w.sent_by_engine(id).await[2].contains("refunded the second charge"));
    // The proposed resolution is the answer promised for the new date.
    let new_date = w.store.get_commitment(new_date.id).await.unwrap();
    assert_eq!(new_date.status, CommitmentStatus::Fulfilled);

    // The customer confirms: the case is resolved (total).
    w.clock.advance(mins(60));
    let answered = w
        .store
        .answer_feedback(
            feedback_secret_hash(&confirm_secret),
            FeedbackAnswer {
                score: None,
                confirmed: Some(true),
                comment: None,
            },
            w.now(),
        )
        .await
        .unwrap();
    assert_eq!(answered.purpose, FeedbackPurpose::Confirmation);
    w.run().await;
    let detail = w.case(id).await;
    assert_eq!(detail.case.status, Status::Resolved);
    assert_eq!(detail.case.resolution, Some(domain::Resolution::Confirmed));
    let resolved_at = detail.case.resolved_at.unwrap();

    // No follow-up before three business days have passed (Thursday → Tuesday).
    w.clock.set(at("2026-11-30T16:00:00Z"));
    w.run().await;
    assert_eq!(w.sent_by_engine(id).await.len(), 3);
    w.clock
        .set(resolved_at + SignedDuration::from_hours(24 * 5));
    w.run().await;
    let sent = w.sent_by_engine(id).await;
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(
        sent[3].contains("About your earlier problem"),
        "{}",
        sent[3]
    );
    assert!(
        w.notifications(id)
            .await
            .iter()
            .any(|n| n.kind == NotificationKind::FollowUpDue)
    );

    // CSAT 2: the case is reopened and the supervisor alerted.
    let detail = w.case(id).await;
    let csat_secret = link_secret(&detail);
    assert_ne!(csat_secret, confirm_secret);
    w.clock.advance(mins(90));
    w.store
        .answer_feedback(
            feedback_secret_hash(&csat_secret),
            FeedbackAnswer {
                score: Some(2),
                confirmed: None,
                comment: Some("The refund took too long.".into()),
            },
            w.now(),
        )
        .await
        .unwrap();
    w.run().await;
    let detail = w.case(id).await;
    assert_eq!(detail.case.status, Status::Investigating);
    let low: Vec<_> = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::LowSatisfaction)
        .collect();
    assert_eq!(low.len(), 1);
    assert_eq!(low[0].recipient, "supervisor");
    assert!(low[0].body.contains("The refund took too long."));

    // Nothing more is due, and running again changes nothing.
    let before = w.store.timeline(id).await.unwrap().len();
    w.run().await;
    assert_eq!(w.store.timeline(id).await.unwrap().len(), before);

    // Every step is in the timeline, in order.
    let timeline = w.store.timeline(id).await.unwrap();
    let status_to = |event: &domain::Event, status: &str| {
        event.kind == EventKind::StatusChanged
            && event
                .after
                .as_ref()
                .and_then(|a| a.get("status"))
                .and_then(|s| s.as_str())
                == Some(status)
    };
    let steps: Vec<(&str, Step)> = vec![
        ("complaint", Box::new(|e| e.kind == EventKind::CaseCreated)),
        (
            "acknowledgement",
            Box::new(|e| e.kind == EventKind::MessageAdded),
        ),
        (
            "acknowledged",
            Box::new(move |e| status_to(e, "acknowledged")),
        ),
        ("routed", Box::new(|e| e.kind == EventKind::Assigned)),
        (
            "promise written",
            Box::new(|e| e.kind == EventKind::MessageAdded),
        ),
        (
            "commitment",
            Box::new(|e| e.kind == EventKind::CommitmentMade),
        ),
        (
            "reminder",
            Box::new(|e| e.kind == EventKind::NotificationSent),
        ),
        (
            "reminded",
            Box::new(|e| e.kind == EventKind::CommitmentChanged),
        ),
        ("callback", Box::new(|e| e.kind == EventKind::MessageAdded)),
        ("kept", Box::new(|e| e.kind == EventKind::CommitmentChanged)),
        ("transfer", Box::new(|e| e.kind == EventKind::Transferred)),
        (
            "delay notice",
            Box::new(|e| e.kind == EventKind::MessageAdded),
        ),
        (
            "proposed",
            Box::new(move |e| status_to(e, "resolution_proposed")),
        ),
        (
            "confirmation asked",
            Box::new(|e| e.kind == EventKind::FeedbackRequested),
        ),
        (
            "confirmed",
            Box::new(|e| e.kind == EventKind::FeedbackReceived),
        ),
        ("resolved", Box::new(move |e| status_to(e, "resolved"))),
        (
            "follow-up",
            Box::new(|e| e.kind == EventKind::FeedbackRequested),
        ),
        ("csat", Box::new(|e| e.kind == EventKind::FeedbackReceived)),
        // The alert is recorded before the reopening, so a crash in between cannot lose it.
        (
            "supervisor alerted",
            Box::new(|e| e.kind == EventKind::NotificationSent),
        ),
        ("reopened", Box::new(move |e| status_to(e, "investigating"))),
    ];
    let mut from = 0;
    for (step, matches) in &steps {
        let found = timeline[from..]
            .iter()
            .position(matches)
            .unwrap_or_else(|| {
                panic!(
                    "step {step:?} is missing from the timeline after event {from}: {:#?}",
                    &timeline[from..]
                )
            });
        from += found + 1;
    }
    // The transfer carries its hand-off note for the receiving agent.
    let transfer = timeline
        .iter()
        .find(|e| e.kind == EventKind::Transferred)
        .unwrap();
    assert_eq!(transfer.after.as_ref().unwrap()["note"], handoff);
    // And the incident record is exportable in the agent's language.
    let markdown = w.engine.incident_markdown(id).await.unwrap();
    assert!(markdown.contains("Mihai Pop"), "{markdown}");
    assert!(markdown.contains("voucher"), "{markdown}");
    let html = w.engine.incident_html(id).await.unwrap();
    assert!(
        html.contains("Ana Popescu") && html.contains("<article"),
        "{html}"
    );

    // The root-cause report sees the story: two kept promises (the callback, the new date),
    // CSAT 2, an angry customer whose yearly value is at risk, and what an unhappy customer tells
    // others (TL-1).
    let report = w.engine.report(at("2026-11-01T00:00:00Z")).await.unwrap();
    assert_eq!(report.cases, 1);
    assert_eq!(report.by_cause[0].cases, 1);
    assert_eq!(
        (
            report.promises_kept.numerator,
            report.promises_kept.denominator
        ),
        (2, 2)
    );
    assert_eq!(report.csat.distribution, [0, 1, 0, 0, 0]);
    assert_eq!(report.sla_compliance.first_response.numerator, 1);
    assert_eq!(report.open_angry_cases, 1);
    assert_eq!(report.revenue_at_risk.at_risk.get("EUR"), Some(&120_000));
    assert_eq!(report.word_of_mouth.unhappy_customers, 1);
    assert_eq!(report.word_of_mouth.negative_high, 12);
    let csv = report.to_csv();
    assert!(csv.starts_with("section,item,value\n"), "{csv}");
    assert!(csv.contains("word_of_mouth,negative_low,10\n"), "{csv}");
    assert!(
        csv.contains("revenue_at_risk,at_risk_minor:EUR,120000\n"),
        "{csv}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["promises_kept"]["value"], 1.0);
}

on_both_backends!(story, story_on_sqlite, story_on_postgres);

/// RO-10: the customer answers "not yet" to the confirmation request. The problem is not solved,
/// so the case is not resolved (its clock keeps running): it goes back to investigation, its
/// owner is told, and the next proposal asks the customer again.
async fn confirmation_declined(url: String) {
    let w = world(url).await;
    let id = w.complain(complaint()).await;
    w.run().await;
    w.move_to(id, Status::Investigating).await;
    w.say(
        id,
        Channel::Email,
        "We refunded the second charge to your card.",
    )
    .await;
    w.move_to(id, Status::ResolutionProposed).await;
    w.run().await;
    let first_secret = link_secret(&w.case(id).await);

    w.clock.advance(mins(60));
    w.store
        .answer_feedback(
            feedback_secret_hash(&first_secret),
            FeedbackAnswer {
                score: None,
                confirmed: Some(false),
                comment: Some("The refund is not on my card yet.".into()),
            },
            w.now(),
        )
        .await
        .unwrap();
    w.run().await;
    w.run().await;

    let detail = w.case(id).await;
    assert_eq!(detail.case.status, Status::Investigating);
    assert_eq!(detail.case.resolution, None);
    assert_eq!(detail.case.resolved_at, None);
    let owner = format!("agent:{}", detail.case.assignee_id.unwrap().0);
    let declined: Vec<_> = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::ConfirmationDeclined)
        .collect();
    assert_eq!(declined.len(), 1, "{declined:?}");
    assert_eq!(declined[0].recipient, owner);
    assert!(
        declined[0]
            .body
            .contains("The refund is not on my card yet."),
        "{}",
        declined[0].body
    );
    let resolved = w.store.timeline(id).await.unwrap().into_iter().any(|e| {
        e.kind == EventKind::StatusChanged
            && e.after.as_ref().and_then(|a| a.get("status")) == Some(&"resolved".into())
    });
    assert!(!resolved, "the case was resolved on a \"not yet\"");

    // The refund arrives; a new proposal asks again, with a new link.
    w.clock.advance(mins(60));
    w.move_to(id, Status::ResolutionProposed).await;
    w.run().await;
    let second_secret = link_secret(&w.case(id).await);
    assert_ne!(second_secret, first_secret);
    w.store
        .answer_feedback(
            feedback_secret_hash(&second_secret),
            FeedbackAnswer {
                score: None,
                confirmed: Some(true),
                comment: None,
            },
            w.now(),
        )
        .await
        .unwrap();
    w.run().await;
    let detail = w.case(id).await;
    assert_eq!(detail.case.status, Status::Resolved);
    assert_eq!(detail.case.resolution, Some(domain::Resolution::Confirmed));
}

on_both_backends!(
    confirmation_declined,
    confirmation_declined_on_sqlite,
    confirmation_declined_on_postgres
);

/// A worker crashes after a review's effects and before finishing the job; the job runs again
/// once its lease has run out and the customer still gets one acknowledgement.
async fn crash_between_effects_and_finish(url: String) {
    let w = world(url).await;
    let id = w.complain(complaint()).await;
    let claimed = w
        .store
        .claim_due_jobs("crashing", w.now(), SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].key, format!("review:{}", id.0));
    assert_eq!(
        w.engine.run_job(&claimed[0]).await,
        domain::process::JobOutcome::Done
    );
    // The worker dies here: no finish_job. Its effects are stored.
    assert_eq!(w.sent_by_engine(id).await.len(), 1);
    w.clock.advance(SignedDuration::from_secs(61));
    w.run().await;
    assert_eq!(
        w.sent_by_engine(id).await.len(),
        1,
        "the acknowledgement went out twice"
    );
    let messages = w.case(id).await.messages;
    let notes = messages
        .iter()
        .filter(|m| m.direction == Direction::Note)
        .count();
    assert_eq!(notes, 1, "{messages:#?}");
    let runs = w.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    let review_runs: Vec<_> = runs
        .iter()
        .filter(|r| r.key == format!("review:{}", id.0))
        .collect();
    assert!(
        review_runs.iter().all(|r| r.worker == "story"),
        "{review_runs:?}"
    );
}

on_both_backends!(
    crash_between_effects_and_finish,
    crash_on_sqlite,
    crash_on_postgres
);

/// TL-10: a threat flags the case, puts the safety procedure on it and tells security and the
/// supervisors, once per flagging; staff may clear a false alarm; the case is never closed by
/// the engine.
async fn threat(url: String) {
    let w = world(url).await;
    let mut case = complaint();
    case.message = "If you don't refund me today I will come to your office and hurt you.".into();
    let id = w.complain(case).await;
    w.run().await;
    w.clock.advance(mins(1));
    w.run().await;
    let detail = w.case(id).await;
    assert!(detail.case.safety_flag);
    let notes: Vec<_> = detail
        .messages
        .iter()
        .filter(|m| m.direction == Direction::Note && m.body.contains("Safety first"))
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].body.contains("security@example.com") && notes[0].body.contains("112"));
    let mut told: Vec<String> = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::Safety)
        .map(|n| n.recipient)
        .collect();
    told.sort();
    assert_eq!(told, ["security@example.com", "supervisor"]);
    // Nobody safety-trained is configured: the case waits in the department's queue.
    assert_eq!(detail.case.assignee_id, None);
    // Staff judge it a false alarm and clear the flag: the same message does not raise it again.
    let clear = domain::UpdateCase {
        safety_flag: Some(false),
        ..domain::UpdateCase::default()
    };
    w.store
        .update_case(&w.ioana, id, clear, w.now())
        .await
        .unwrap();
    w.clock.advance(mins(1));
    w.run().await;
    assert!(!w.case(id).await.case.safety_flag);
    // A new threat does, and the procedure and alerts go out again.
    w.clock.advance(mins(1));
    let threat = NewMessage {
        direction: Direction::Inbound,
        channel: None,
        author: None,
        body: "I told you, I will come to your office and hurt you.".into(),
    };
    w.store
        .add_message(&w.ioana, id, threat, w.now())
        .await
        .unwrap();
    w.run().await;
    let detail = w.case(id).await;
    assert!(detail.case.safety_flag);
    let notes = detail
        .messages
        .iter()
        .filter(|m| m.direction == Direction::Note && m.body.contains("Safety first"))
        .count();
    assert_eq!(notes, 2);
    let alerts = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::Safety)
        .count();
    assert_eq!(alerts, 4);
    // Weeks pass; the engine never closes it.
    w.clock.advance(SignedDuration::from_hours(24 * 30));
    w.run().await;
    assert_ne!(w.case(id).await.case.status, Status::Closed);
}

on_both_backends!(threat, threat_on_sqlite, threat_on_postgres);

/// A promise that is not kept, and a deadline that passes, under the approval policy for delay
/// notices: the supervisor hears of both, and the delay notice waits for an agent.
async fn escalations(url: String) {
    let w = world_with(url, "delay_notices = \"approval\"").await;
    let id = w.complain(complaint()).await;
    w.run().await;
    w.move_to(id, Status::Investigating).await;
    w.say(id, Channel::Phone, "I'll call you back within 10 minutes.")
        .await;
    w.run().await;
    w.clock.advance(mins(11));
    w.run().await;
    let promise = &w.store.list_commitments(id).await.unwrap()[0];
    assert_eq!(promise.status, CommitmentStatus::Overdue);
    let kinds = |notes: &[domain::process::Notification], kind| {
        let mut to: Vec<String> = notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.recipient.clone())
            .collect();
        to.sort();
        to
    };
    let notes = w.notifications(id).await;
    let agent = format!("agent:{}", w.case(id).await.case.assignee_id.unwrap().0);
    assert_eq!(
        kinds(&notes, NotificationKind::CommitmentOverdue),
        [agent.clone(), "supervisor".to_owned()]
    );
    // Thursday 09:30: the answer will be late; with approval, the customer hears nothing yet.
    w.clock.set(at("2026-11-26T09:30:00Z"));
    w.run().await;
    assert_eq!(w.sent_by_engine(id).await.len(), 1);
    let notes = w.notifications(id).await;
    let approval: Vec<_> = notes
        .iter()
        .filter(|n| n.kind == NotificationKind::DelayNoticeApproval)
        .collect();
    assert_eq!(approval.len(), 1);
    assert_eq!(approval[0].recipient, agent);
    assert!(
        approval[0].body.contains("need a little more time"),
        "{}",
        approval[0].body
    );
    // Thursday 17:30: breached; the supervisors are told, once.
    w.clock.set(at("2026-11-26T17:30:00Z"));
    w.run().await;
    w.clock.advance(mins(60));
    w.run().await;
    let notes = w.notifications(id).await;
    assert_eq!(kinds(&notes, NotificationKind::SlaBreach), ["supervisor"]);
    let detail = w.case(id).await;
    let sla = w.engine.sla(&detail).await.unwrap();
    assert_eq!(sla.resolution.state, domain::sla::SlaState::Breached);
}

on_both_backends!(escalations, escalations_on_sqlite, escalations_on_postgres);

/// A job whose handler keeps failing is retried with a back-off, then kept as failed after
/// `max_attempts` claims; the runs say why.
async fn failing_job(url: String) {
    let w = world_with(url, "max_attempts = 2").await;
    w.store
        .schedule_job(domain::process::JobSpec {
            key: "commitment_check:999".into(),
            kind: domain::process::JobKind::CommitmentCheck,
            case_id: None,
            run_at: w.now(),
            payload: serde_json::json!({"commitment_id": 999}),
        })
        .await
        .unwrap();
    let first = w.engine.run_due("story").await.unwrap();
    assert_eq!((first.done, first.retried, first.failed), (0, 1, 0));
    // Not due again until the back-off has passed.
    w.clock.advance(SignedDuration::from_secs(10));
    assert_eq!(w.engine.run_due("story").await.unwrap().total(), 0);
    w.clock.advance(SignedDuration::from_secs(10));
    let second = w.engine.run_due("story").await.unwrap();
    assert_eq!((second.done, second.retried, second.failed), (0, 0, 1));
    w.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(w.engine.run_due("story").await.unwrap().total(), 0);
    let runs = w.store.job_runs(Timestamp::UNIX_EPOCH).await.unwrap();
    let outcomes: Vec<_> = runs
        .iter()
        .filter(|r| r.key == "commitment_check:999")
        .map(|r| &r.outcome)
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(
        matches!(outcomes[0], domain::process::JobOutcome::Retry { error, .. } if error.contains("999")),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[1], domain::process::JobOutcome::Failed { error } if error.contains("999")),
        "{outcomes:?}"
    );
}

on_both_backends!(failing_job, failing_job_on_sqlite, failing_job_on_postgres);

/// The background runner picks up a change it is woken for and ends when told.
async fn runner(url: String) {
    let w = world(url).await;
    let (task, stop) = w.engine.spawn("background".into());
    let id = w.complain(complaint()).await;
    w.engine.wake();
    let mut acknowledged = false;
    for _ in 0..200 {
        if w.case(id).await.case.status == Status::Acknowledged {
            acknowledged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(acknowledged, "the runner did not acknowledge the complaint");
    stop.stop();
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .expect("the runner stops when told")
        .unwrap();
    assert_eq!(w.sent_by_engine(id).await.len(), 1);
}

on_both_backends!(runner, runner_on_sqlite, runner_on_postgres);

/// The system clock jumps back two hours after the acknowledgement: the history now has a
/// change "before" the one it follows. The jobs still run, and the SLA clock still reads.
async fn clock_jump(url: String) {
    let w = world(url).await;
    let id = w.complain(complaint()).await;
    w.run().await;
    w.clock.advance(SignedDuration::from_hours(-2));
    w.move_to(id, Status::Investigating).await;
    w.say(id, Channel::Phone, "I'll call you back within 10 minutes.")
        .await;
    let summary = w.engine.run_due("story").await.unwrap();
    assert_eq!((summary.retried, summary.failed), (0, 0), "{summary:?}");
    assert_eq!(w.store.list_commitments(id).await.unwrap().len(), 1);
    let sla = w.engine.sla(&w.case(id).await).await.unwrap();
    assert_eq!(sla.resolution.due, Some(at("2026-11-26T17:00:00Z")));
    assert_eq!(w.sent_by_engine(id).await.len(), 1);
}

on_both_backends!(clock_jump, clock_jump_on_sqlite, clock_jump_on_postgres);

/// TL-8: the new date of a delay notice is a promise; when it passes with no answer, the
/// supervisor and the agent are told, as for any broken promise.
async fn missed_new_date(url: String) {
    let w = world(url).await;
    let id = w.complain(complaint()).await;
    w.run().await;
    w.move_to(id, Status::Investigating).await;
    w.clock.set(at("2026-11-26T09:30:00Z"));
    w.run().await;
    let promise = w.store.list_commitments(id).await.unwrap();
    assert_eq!(promise.len(), 1, "{promise:?}");
    assert_eq!(promise[0].due_at, at("2026-11-30T17:00:00Z"));
    // Stored with the notice in one write, the promise names it.
    let notice = w.store.get_case(id).await.unwrap().messages;
    let notice = notice.iter().rfind(|m| m.direction == Direction::Outbound);
    assert_eq!(promise[0].message_id, notice.map(|m| m.id));
    assert_eq!(promise[0].source, CommitmentSource::DelayNotice);

    w.clock.set(at("2026-11-30T17:00:01Z"));
    w.run().await;
    let promise = w.store.get_commitment(promise[0].id).await.unwrap();
    assert_eq!(promise.status, CommitmentStatus::Overdue);
    let overdue: Vec<_> = w
        .notifications(id)
        .await
        .into_iter()
        .filter(|n| n.kind == NotificationKind::CommitmentOverdue)
        .map(|n| n.recipient)
        .collect();
    assert!(overdue.iter().any(|r| r == "supervisor"), "{overdue:?}");
    assert_eq!(overdue.len(), 2, "{overdue:?}");
}

on_both_backends!(
    missed_new_date,
    missed_new_date_on_sqlite,
    missed_new_date_on_postgres
);
