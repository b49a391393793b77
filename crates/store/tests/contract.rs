//! The storage contract: every scenario below runs, unchanged, against SQLite and PostgreSQL.

mod common;

use std::sync::Arc;

use domain::{
    AgentId, Assign, CaseFilter, CaseId, Channel, Cursor, CustomerId, DepartmentId, Direction,
    DomainError, EventKind, ExportRecord, IncidentRecordInput, ListQuery, Money, NewAgent, NewCase,
    NewCustomer, NewDepartment, NewMessage, Priority, Resolution, Role, Status, Store, StoreError,
    Transition, UpdateCase,
};

use common::{agent_actor, at, invalid_field, is_not_found};

testkit::backend_scenarios!(
    open = store::open;
    ping_answers,
    created_case_reads_back_identically,
    customer_is_found_again_by_email_then_phone,
    full_lifecycle_sets_timestamps_and_records_every_step,
    illegal_transition_changes_nothing,
    unknown_ids_are_not_found,
    bad_input_is_refused_naming_the_field,
    messages_default_to_case_channel_and_actor,
    assignment_and_transfer_are_recorded,
    open_case_counts_leave_out_resolved_and_closed_cases,
    unknown_agent_assignment_changes_nothing,
    incident_record_is_set_then_replaced_with_history,
    update_records_only_changed_fields_and_reindexes_subject,
    search_finds_chinese_greek_romanian_both_ways,
    search_covers_subject_messages_and_customer_name_with_and_semantics,
    search_query_syntax_is_inert,
    filters_combine_with_search,
    pagination_is_stable_while_cases_are_added,
    customers_and_agents_page_oldest_first,
    departments_have_unique_names,
    tokens_are_found_by_hash_only,
    tokens_name_an_existing_agent_or_none,
    failing_import_leaves_nothing_behind,
    import_refuses_an_existing_case_and_new_ids_follow_imports,
    export_import_export_is_byte_identical,
    concurrent_commands_all_succeed,
    concurrent_messages_to_one_case_are_all_searchable,
);

fn new_case(name: &str, email: Option<&str>, subject: &str, message: &str) -> NewCase {
    let customer = NewCustomer {
        email: email.map(Into::into),
        ..NewCustomer::named(name)
    };
    NewCase::new(customer, Channel::Email, subject, message)
}

async fn open_case(store: &Arc<dyn Store>, subject: &str, message: &str) -> CaseId {
    store
        .create_case(
            &agent_actor(),
            new_case("Ioana", None, subject, message),
            at("2026-01-01T09:00:00Z"),
        )
        .await
        .expect("create case")
        .case
        .id
}

async fn search(store: &Arc<dyn Store>, q: &str) -> Vec<CaseId> {
    let filter = CaseFilter {
        q: Some(q.into()),
        limit: 200,
        ..CaseFilter::default()
    };
    store
        .list_cases(&filter)
        .await
        .expect("search")
        .items
        .iter()
        .map(|c| c.id)
        .collect()
}

async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
}

async fn created_case_reads_back_identically(store: Arc<dyn Store>) {
    let mut cmd = new_case(
        "王芳",
        Some("WF@example.cn"),
        "退款申请",
        "我要退款，订单号 8812。",
    );
    cmd.customer.phone = Some("+86 138 0013 8000".into());
    cmd.customer.language = Some("zh-Hans".into());
    cmd.customer.annual_value = Some(Money {
        amount_minor: 730_000,
        currency: "cny".into(),
    });
    cmd.priority = Some(Priority::High);
    cmd.category = Some("billing".into());
    cmd.remedy_sought = Some("refund".into());
    // Nanoseconds are cut to microseconds: what is returned must be what is stored.
    let created = store
        .create_case(&agent_actor(), cmd, at("2026-02-03T04:05:06.123456789Z"))
        .await
        .unwrap();
    assert_eq!(created.case.id.to_string().len(), "C-000001".len());
    assert_eq!(created.case.status, Status::Received);
    assert_eq!(
        created.case.language.as_deref(),
        Some("zh-Hans"),
        "taken from the customer"
    );
    assert_eq!(created.case.created_at, at("2026-02-03T04:05:06.123456Z"));
    assert_eq!(created.customer.email.as_deref(), Some("wf@example.cn"));
    assert_eq!(created.customer.phone.as_deref(), Some("+8613800138000"));
    assert_eq!(created.messages.len(), 1);
    assert_eq!(created.messages[0].direction, Direction::Inbound);
    let read = store.get_case(created.case.id).await.unwrap();
    assert_eq!(read, created);
    let kinds: Vec<EventKind> = store
        .timeline(created.case.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EventKind::CaseCreated, EventKind::MessageAdded]);
}

async fn customer_is_found_again_by_email_then_phone(store: Arc<dyn Store>) {
    let now = at("2026-01-01T00:00:00Z");
    let mut first = new_case(
        "Maria Ionescu",
        Some("maria@example.ro"),
        "Factura",
        "Factura e greșită.",
    );
    first.customer.phone = Some("0721 000 000".into());
    let first = store.create_case(&agent_actor(), first, now).await.unwrap();
    let same_email = new_case(
        "M. Ionescu",
        Some("MARIA@example.ro"),
        "Iar factura",
        "Tot greșită.",
    );
    let second = store
        .create_case(&agent_actor(), same_email, now)
        .await
        .unwrap();
    assert_eq!(second.customer.id, first.customer.id);
    let mut same_phone = new_case("Maria", None, "Telefon", "Vă sun din nou.");
    same_phone.customer.phone = Some("0721-000-000".into());
    let third = store
        .create_case(&agent_actor(), same_phone, now)
        .await
        .unwrap();
    assert_eq!(third.customer.id, first.customer.id);
    let other = store
        .create_case(
            &agent_actor(),
            new_case("Alt client", Some("alt@example.ro"), "x", "y"),
            now,
        )
        .await
        .unwrap();
    assert_ne!(other.customer.id, first.customer.id);
    let filter = CaseFilter {
        customer: Some(first.customer.id),
        ..CaseFilter::default()
    };
    assert_eq!(store.list_cases(&filter).await.unwrap().items.len(), 3);
}

async fn full_lifecycle_sets_timestamps_and_records_every_step(store: Arc<dyn Store>) {
    let id = open_case(&store, "Toaster", "It burns everything.").await;
    let steps = [
        (Status::Acknowledged, None, "2026-01-01T09:01:00Z"),
        (Status::Investigating, None, "2026-01-01T09:02:00Z"),
        (Status::WaitingOnCustomer, None, "2026-01-01T09:03:00Z"),
        (Status::Investigating, None, "2026-01-01T09:04:00Z"),
        (Status::ResolutionProposed, None, "2026-01-01T09:05:00Z"),
        (
            Status::Resolved,
            Some(Resolution::Pending),
            "2026-01-01T09:06:00Z",
        ),
        (Status::Closed, None, "2026-01-01T09:07:00Z"),
    ];
    for (to, resolution, when) in steps {
        let case = store
            .transition(&agent_actor(), id, Transition { to, resolution }, at(when))
            .await
            .unwrap_or_else(|err| panic!("to {to}: {err}"));
        assert_eq!(case.status, to);
        assert_eq!(case.updated_at, at(when));
    }
    let closed = store.get_case(id).await.unwrap().case;
    assert_eq!(closed.acknowledged_at, Some(at("2026-01-01T09:01:00Z")));
    assert_eq!(closed.resolved_at, Some(at("2026-01-01T09:06:00Z")));
    assert_eq!(closed.closed_at, Some(at("2026-01-01T09:07:00Z")));
    assert_eq!(
        closed.resolution,
        Some(Resolution::Pending),
        "closing keeps the outcome"
    );

    let reopened = store
        .transition(
            &agent_actor(),
            id,
            Transition {
                to: Status::Investigating,
                resolution: None,
            },
            at("2026-01-02T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            reopened.resolution,
            reopened.resolved_at,
            reopened.closed_at
        ),
        (None, None, None)
    );

    let changes: Vec<_> = store
        .timeline(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::StatusChanged)
        .collect();
    assert_eq!(changes.len(), steps.len() + 1);
    assert_eq!(changes[0].before.as_ref().unwrap()["status"], "received");
    assert_eq!(changes[0].after.as_ref().unwrap()["status"], "acknowledged");
    assert_eq!(changes[5].after.as_ref().unwrap()["resolution"], "pending");
    assert_eq!(changes[7].before.as_ref().unwrap()["status"], "closed");
    assert!(changes.iter().all(|e| e.actor == "Ana Pop"));
}

async fn illegal_transition_changes_nothing(store: Arc<dyn Store>) {
    let id = open_case(&store, "Late parcel", "Where is it?").await;
    let before = store.get_case(id).await.unwrap();
    let events_before = store.timeline(id).await.unwrap();
    let err = store
        .transition(
            &agent_actor(),
            id,
            Transition {
                to: Status::Closed,
                resolution: None,
            },
            at("2026-01-01T10:00:00Z"),
        )
        .await
        .unwrap_err();
    match err {
        StoreError::Domain(DomainError::IllegalTransition { from, to, allowed }) => {
            assert_eq!((from, to), (Status::Received, Status::Closed));
            assert_eq!(allowed, vec![Status::Acknowledged]);
        }
        other => panic!("expected an illegal transition, got {other:?}"),
    }
    let missing_resolution = store
        .transition(
            &agent_actor(),
            id,
            Transition {
                to: Status::Resolved,
                resolution: None,
            },
            at("2026-01-01T10:00:00Z"),
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_field(missing_resolution), "resolution");
    assert_eq!(store.get_case(id).await.unwrap(), before);
    assert_eq!(store.timeline(id).await.unwrap(), events_before);
}

async fn unknown_ids_are_not_found(store: Arc<dyn Store>) {
    let ghost = CaseId(999_999);
    let now = at("2026-01-01T00:00:00Z");
    assert!(is_not_found(&store.get_case(ghost).await.unwrap_err()));
    assert!(is_not_found(&store.timeline(ghost).await.unwrap_err()));
    let msg = NewMessage {
        direction: Direction::Note,
        channel: None,
        author: None,
        body: "x".into(),
    };
    assert!(is_not_found(
        &store
            .add_message(&agent_actor(), ghost, msg, now)
            .await
            .unwrap_err()
    ));
    let t = Transition {
        to: Status::Acknowledged,
        resolution: None,
    };
    assert!(is_not_found(
        &store
            .transition(&agent_actor(), ghost, t, now)
            .await
            .unwrap_err()
    ));
    assert!(is_not_found(
        &store.get_customer(CustomerId(424_242)).await.unwrap_err()
    ));
    let err = store.get_case(ghost).await.unwrap_err().to_string();
    assert!(err.contains("C-999999"), "{err}");
}

async fn bad_input_is_refused_naming_the_field(store: Arc<dyn Store>) {
    let now = at("2026-01-01T00:00:00Z");
    let nul = new_case("Ana", None, "Subject", "body with \0 inside");
    assert_eq!(
        invalid_field(
            store
                .create_case(&agent_actor(), nul, now)
                .await
                .unwrap_err()
        ),
        "message"
    );
    let bad_email = new_case("Ana", Some("not-an-address"), "Subject", "Body");
    assert_eq!(
        invalid_field(
            store
                .create_case(&agent_actor(), bad_email, now)
                .await
                .unwrap_err()
        ),
        "customer.email"
    );
    let huge_q = CaseFilter {
        q: Some("退款".repeat(300)),
        ..CaseFilter::default()
    };
    assert_eq!(
        invalid_field(store.list_cases(&huge_q).await.unwrap_err()),
        "q"
    );
    let zero = CaseFilter {
        limit: 0,
        ..CaseFilter::default()
    };
    assert_eq!(
        invalid_field(store.list_cases(&zero).await.unwrap_err()),
        "limit"
    );
    let bad_cursor =
        serde_json::from_value::<CaseFilter>(serde_json::json!({"cursor": "not-a-cursor"}))
            .unwrap_err()
            .to_string();
    assert!(bad_cursor.contains("cursor"), "{bad_cursor}");
    assert_eq!(
        invalid_field(
            store
                .create_token(" ", Role::Admin, None, [1; 32], now)
                .await
                .unwrap_err()
        ),
        "name"
    );
    let page = store.list_cases(&CaseFilter::default()).await.unwrap();
    assert!(
        page.items.is_empty(),
        "nothing was written by refused commands"
    );
}

async fn messages_default_to_case_channel_and_actor(store: Arc<dyn Store>) {
    let id = open_case(&store, "Wrong size", "The shoes are too small.").await;
    let reply = NewMessage {
        direction: Direction::Outbound,
        channel: None,
        author: None,
        body: "We are sending the right size today.".into(),
    };
    let message = store
        .add_message(&agent_actor(), id, reply, at("2026-01-01T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!(message.channel, Channel::Email);
    assert_eq!(message.author.as_deref(), Some("Ana Pop"));
    let note = NewMessage {
        direction: Direction::Note,
        channel: Some(Channel::Phone),
        author: Some("Supervisor".into()),
        body: "Called the warehouse.".into(),
    };
    store
        .add_message(&agent_actor(), id, note, at("2026-01-01T12:00:00Z"))
        .await
        .unwrap();
    let detail = store.get_case(id).await.unwrap();
    let directions: Vec<_> = detail.messages.iter().map(|m| m.direction).collect();
    assert_eq!(
        directions,
        vec![Direction::Inbound, Direction::Outbound, Direction::Note]
    );
    assert_eq!(detail.messages[2].channel, Channel::Phone);
    assert_eq!(detail.case.updated_at, at("2026-01-01T12:00:00Z"));
    let added = store
        .timeline(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::MessageAdded)
        .count();
    assert_eq!(added, 3);
}

async fn assignment_and_transfer_are_recorded(store: Arc<dyn Store>) {
    let id = open_case(&store, "Broken phone", "Screen cracked on arrival.").await;
    let returns = store
        .create_department(NewDepartment {
            name: "Returns".into(),
            categories: vec!["refund".into(), "exchange".into()],
            languages: vec!["en".into(), "ro".into()],
        })
        .await
        .unwrap();
    let ana = store
        .create_agent(NewAgent {
            name: "Ana Pop".into(),
            role: Role::Agent,
            department_id: Some(returns.id),
            phone: Some("+40 21 000 0000".into()),
            email: None,
            languages: vec!["ro".into()],
        })
        .await
        .unwrap();
    let now = at("2026-01-01T13:00:00Z");
    let assigned = store
        .assign(
            &agent_actor(),
            id,
            Assign {
                agent_id: Some(ana.id),
                department_id: Some(returns.id),
                note: None,
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (assigned.assignee_id, assigned.department_id),
        (Some(ana.id), Some(returns.id))
    );
    let to_queue = Assign {
        agent_id: None,
        department_id: Some(returns.id),
        note: Some("Needs a courier pickup; outside my competence (TL-7)".into()),
    };
    let transferred = store
        .assign(&agent_actor(), id, to_queue, now)
        .await
        .unwrap();
    assert_eq!(transferred.assignee_id, None);
    let events = store.timeline(id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, EventKind::Transferred);
    assert_eq!(last.before.as_ref().unwrap()["assignee_id"], ana.id.0);
    assert!(
        last.after.as_ref().unwrap()["note"]
            .as_str()
            .unwrap()
            .contains("courier")
    );
    assert_eq!(events[events.len() - 2].kind, EventKind::Assigned);
    let by_department = CaseFilter {
        department: Some(returns.id),
        ..CaseFilter::default()
    };
    assert_eq!(
        store.list_cases(&by_department).await.unwrap().items.len(),
        1
    );
}

async fn unknown_agent_assignment_changes_nothing(store: Arc<dyn Store>) {
    let id = open_case(&store, "Refund", "Please refund me.").await;
    let before = store.get_case(id).await.unwrap();
    let err = store
        .assign(
            &agent_actor(),
            id,
            Assign {
                agent_id: Some(domain::AgentId(77)),
                department_id: None,
                note: None,
            },
            at("2026-01-01T14:00:00Z"),
        )
        .await
        .unwrap_err();
    assert!(is_not_found(&err), "{err:?}");
    let err = store
        .create_agent(NewAgent {
            name: "Nobody".into(),
            role: Role::Agent,
            department_id: Some(DepartmentId(5)),
            phone: None,
            email: None,
            languages: vec![],
        })
        .await
        .unwrap_err();
    assert!(is_not_found(&err), "{err:?}");
    assert_eq!(store.get_case(id).await.unwrap(), before);
    assert_eq!(store.timeline(id).await.unwrap().len(), 2);
    assert!(
        store
            .list_agents(&ListQuery::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn incident_record_is_set_then_replaced_with_history(store: Arc<dyn Store>) {
    let id = open_case(&store, "Toaster", "It caught fire.").await;
    let first = IncidentRecordInput {
        problem: "Toaster overheats".into(),
        discussions: vec!["Offered a voucher; refused".into()],
        solution: String::new(),
    };
    store
        .set_incident_record(&agent_actor(), id, first, at("2026-01-01T15:00:00Z"))
        .await
        .unwrap();
    let second = IncidentRecordInput {
        problem: "Toaster overheats".into(),
        discussions: vec![
            "Offered a voucher; refused".into(),
            "Offered a replacement; accepted".into(),
        ],
        solution: "Replacement shipped with a return box".into(),
    };
    let record = store
        .set_incident_record(&agent_actor(), id, second, at("2026-01-01T16:00:00Z"))
        .await
        .unwrap();
    let stored = store.get_case(id).await.unwrap().incident_record.unwrap();
    assert_eq!(stored, record);
    assert_eq!(stored.discussions.len(), 2);
    let sets: Vec<_> = store
        .timeline(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::IncidentRecordSet)
        .collect();
    assert_eq!(sets.len(), 2);
    assert!(sets[0].before.is_none());
    assert_eq!(sets[1].before.as_ref().unwrap()["solution"], "");
    assert_eq!(
        sets[1].after.as_ref().unwrap()["solution"],
        "Replacement shipped with a return box"
    );
}

async fn update_records_only_changed_fields_and_reindexes_subject(store: Arc<dyn Store>) {
    let id = open_case(&store, "Pachet pierdut", "Nu a ajuns nimic.").await;
    let update = UpdateCase {
        subject: Some("Colet deteriorat".into()),
        priority: Some(Priority::Urgent),
        category: Some("delivery".into()),
        ..UpdateCase::default()
    };
    let case = store
        .update_case(&agent_actor(), id, update, at("2026-01-01T17:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (case.priority, case.subject.as_str()),
        (Priority::Urgent, "Colet deteriorat")
    );
    let event = store.timeline(id).await.unwrap().pop().unwrap();
    assert_eq!(event.kind, EventKind::CaseUpdated);
    let changed: Vec<_> = event
        .after
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(changed, vec!["category", "priority", "subject"]);
    assert_eq!(event.before.as_ref().unwrap()["priority"], "normal");
    assert_eq!(search(&store, "colet").await, vec![id]);
    assert!(
        search(&store, "pierdut").await.is_empty(),
        "the old subject is no longer indexed"
    );
    assert_eq!(
        search(&store, "ajuns").await,
        vec![id],
        "messages stay indexed"
    );
    let same = UpdateCase {
        priority: Some(Priority::Urgent),
        ..UpdateCase::default()
    };
    store
        .update_case(&agent_actor(), id, same, at("2026-01-01T18:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        store.timeline(id).await.unwrap().len(),
        3,
        "a no-op update records nothing"
    );
}

async fn search_finds_chinese_greek_romanian_both_ways(store: Arc<dyn Store>) {
    let chinese = open_case(&store, "订单问题", "我要退款，东西坏了。").await;
    let traditional = open_case(&store, "訂單問題", "我要退貨").await;
    let greek_accented = open_case(
        &store,
        "Παράπονο",
        "Θέλω επιστροφή χρημάτων για την παραγγελία.",
    )
    .await;
    let greek_plain = open_case(
        &store,
        "ΠΑΡΑΓΓΕΛΙΑ",
        "Η παραγγελια δεν ηρθε, θελω επιστροφη",
    )
    .await;
    let romanian_diacritics = open_case(
        &store,
        "Rambursare",
        "Vreau banii înapoi pentru coletul întârziat.",
    )
    .await;
    let romanian_plain =
        open_case(&store, "Colet", "Coletul a intarziat si vreau banii inapoi").await;
    let romanian_cedilla = open_case(&store, "Factură", "Aştept răspuns de o săptămână").await;

    assert_eq!(search(&store, "退款").await, vec![chinese]);
    assert_eq!(search(&store, "退貨").await, vec![traditional]);
    assert!(
        search(&store, "退货").await.is_empty(),
        "simplified and traditional are not merged"
    );
    assert_eq!(
        search(&store, "επιστροφη").await,
        vec![greek_plain, greek_accented]
    );
    assert_eq!(
        search(&store, "ΕΠΙΣΤΡΟΦΉ").await,
        vec![greek_plain, greek_accented]
    );
    assert_eq!(
        search(&store, "παραγγελία").await,
        vec![greek_plain, greek_accented]
    );
    assert_eq!(
        search(&store, "intarziat").await,
        vec![romanian_plain, romanian_diacritics]
    );
    assert_eq!(
        search(&store, "întârziat înapoi").await,
        vec![romanian_plain, romanian_diacritics]
    );
    assert_eq!(
        search(&store, "aștept").await,
        vec![romanian_cedilla],
        "comma below meets cedilla"
    );
    assert_eq!(
        search(&store, "astept saptamana").await,
        vec![romanian_cedilla]
    );
}

async fn search_covers_subject_messages_and_customer_name_with_and_semantics(
    store: Arc<dyn Store>,
) {
    let now = at("2026-01-01T00:00:00Z");
    let by_name = store
        .create_case(
            &agent_actor(),
            new_case("Eleni Papadopoulou", None, "Invoice", "Wrong amount"),
            now,
        )
        .await
        .unwrap()
        .case
        .id;
    let by_reply = open_case(&store, "Delivery", "Late again").await;
    store
        .add_message(
            &agent_actor(),
            by_reply,
            NewMessage {
                direction: Direction::Outbound,
                channel: None,
                author: None,
                body: "Your voucher code is ready".into(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(search(&store, "papadopoulou").await, vec![by_name]);
    assert_eq!(search(&store, "voucher").await, vec![by_reply]);
    assert_eq!(search(&store, "INVOICE amount").await, vec![by_name]);
    assert!(
        search(&store, "invoice voucher").await.is_empty(),
        "every word must match"
    );
    assert!(
        search(&store, "?!").await.is_empty(),
        "a query without words finds nothing"
    );
}

async fn search_query_syntax_is_inert(store: Arc<dyn Store>) {
    let id = open_case(
        &store,
        "Order OR refund",
        "near the NEAR store, \"quoted\" text* here",
    )
    .await;
    for q in [
        "OR",
        "near",
        "\"quoted\"",
        "text*",
        "NEAR(order refund)",
        "subject:order",
        "-refund",
        "^order",
        "order AND",
        "(",
        "\"",
        "*",
    ] {
        let found = store
            .list_cases(&CaseFilter {
                q: Some(q.into()),
                ..CaseFilter::default()
            })
            .await
            .unwrap_or_else(|err| panic!("query {q:?} failed: {err}"));
        let ids: Vec<_> = found.items.iter().map(|c| c.id).collect();
        assert!(ids.is_empty() || ids == vec![id], "{q:?} -> {ids:?}");
    }
    assert_eq!(search(&store, "NEAR(order refund)").await, vec![id]);
    assert_eq!(search(&store, "text*").await, vec![id]);
}

async fn filters_combine_with_search(store: Arc<dyn Store>) {
    let open = open_case(&store, "Refund please", "refund").await;
    let acknowledged = open_case(&store, "Refund again", "refund").await;
    open_case(&store, "Other", "nothing to see").await;
    store
        .transition(
            &agent_actor(),
            acknowledged,
            Transition {
                to: Status::Acknowledged,
                resolution: None,
            },
            at("2026-01-01T10:00:00Z"),
        )
        .await
        .unwrap();
    let filter = CaseFilter {
        q: Some("refund".into()),
        status: Some(Status::Received),
        ..CaseFilter::default()
    };
    let ids: Vec<_> = store
        .list_cases(&filter)
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![open]);
    let all = store
        .list_cases(&CaseFilter::default())
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    // Search with another filter pages through the general query, one case at a time.
    let another = open_case(&store, "Refund three", "refund").await;
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let filter = CaseFilter {
            q: Some("refund".into()),
            status: Some(Status::Received),
            limit: 1,
            cursor,
            ..CaseFilter::default()
        };
        let page = store.list_cases(&filter).await.unwrap();
        seen.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(token) => cursor = Some(Cursor::decode(&token).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, vec![another, open]);
}

async fn pagination_is_stable_while_cases_are_added(store: Arc<dyn Store>) {
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(open_case(&store, &format!("Refund {n}"), "refund").await);
    }
    for q in [None, Some("refund".to_owned())] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let filter = CaseFilter {
                q: q.clone(),
                limit: 3,
                cursor,
                ..CaseFilter::default()
            };
            let page = store.list_cases(&filter).await.unwrap();
            seen.extend(page.items.iter().map(|c| c.id));
            if seen.len() == 3 && q.is_none() {
                // A case added meanwhile lands before the first page, not inside later ones.
                open_case(&store, "Late arrival", "meanwhile").await;
            }
            match page.next_cursor {
                Some(token) => cursor = Some(Cursor::decode(&token).unwrap()),
                None => break,
            }
        }
        let mut expected = created.clone();
        expected.reverse();
        assert_eq!(seen, expected, "query {q:?}");
    }
}

async fn customers_and_agents_page_oldest_first(store: Arc<dyn Store>) {
    let now = at("2026-01-01T00:00:00Z");
    for n in 0..5 {
        let cmd = new_case(
            &format!("Customer {n}"),
            Some(&format!("c{n}@example.com")),
            "s",
            "b",
        );
        store.create_case(&agent_actor(), cmd, now).await.unwrap();
    }
    let first = store
        .list_customers(&ListQuery {
            limit: 2,
            cursor: None,
        })
        .await
        .unwrap();
    let names: Vec<_> = first.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Customer 0", "Customer 1"]);
    let cursor = Some(Cursor::decode(first.next_cursor.as_deref().unwrap()).unwrap());
    let rest = store
        .list_customers(&ListQuery { limit: 10, cursor })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 3);
    assert_eq!(rest.next_cursor, None);
    let one = store.get_customer(rest.items[0].id).await.unwrap();
    assert_eq!(one, rest.items[0]);
    for name in ["Ana", "Ben", "Chen"] {
        let agent = NewAgent {
            name: name.into(),
            role: Role::Agent,
            department_id: None,
            phone: None,
            email: None,
            languages: vec!["en".into()],
        };
        store.create_agent(agent).await.unwrap();
    }
    let agents = store
        .list_agents(&ListQuery {
            limit: 2,
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!(
        agents
            .items
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Ana", "Ben"]
    );
    assert!(agents.next_cursor.is_some());
}

async fn departments_have_unique_names(store: Arc<dyn Store>) {
    let cmd = NewDepartment {
        name: "Billing".into(),
        categories: vec!["invoice".into()],
        languages: vec!["el".into()],
    };
    let created = store.create_department(cmd.clone()).await.unwrap();
    let err = store.create_department(cmd).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Conflict(_))),
        "{err:?}"
    );
    assert_eq!(store.list_departments().await.unwrap(), vec![created]);
}

async fn tokens_are_found_by_hash_only(store: Arc<dyn Store>) {
    let now = at("2026-01-01T00:00:00Z");
    let token = store
        .create_token("ci bot", Role::Supervisor, None, [7; 32], now)
        .await
        .unwrap();
    assert_eq!(store.find_token([7; 32]).await.unwrap(), Some(token));
    assert_eq!(store.find_token([8; 32]).await.unwrap(), None);
    let err = store
        .create_token("again", Role::Admin, None, [7; 32], now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Conflict(_))),
        "{err:?}"
    );
}

async fn tokens_name_an_existing_agent_or_none(store: Arc<dyn Store>) {
    let now = at("2026-01-01T00:00:00Z");
    let ana = store
        .create_agent(NewAgent {
            name: "Ana Pop".into(),
            role: Role::Agent,
            department_id: None,
            phone: None,
            email: None,
            languages: vec![],
        })
        .await
        .unwrap();
    let token = store
        .create_token("ana", Role::Agent, Some(ana.id), [3; 32], now)
        .await
        .unwrap();
    assert_eq!(token.agent_id, Some(ana.id));
    assert_eq!(store.find_token([3; 32]).await.unwrap(), Some(token));

    let unknown = AgentId(ana.id.0 + 1000);
    let err = store
        .create_token("ghost", Role::Agent, Some(unknown), [4; 32], now)
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&unknown.to_string()), "{err}");
    assert_eq!(invalid_field(err), "agent_id");
    assert_eq!(store.find_token([4; 32]).await.unwrap(), None);
}

async fn failing_import_leaves_nothing_behind(store: Arc<dyn Store>) {
    let source = open_case(&store, "Refund", "Second message fails").await;
    store
        .add_message(
            &agent_actor(),
            source,
            NewMessage {
                direction: Direction::Outbound,
                channel: None,
                author: None,
                body: "ok".into(),
            },
            at("2026-01-01T10:00:00Z"),
        )
        .await
        .unwrap();
    let mut record = store.export_cases(None, 10).await.unwrap().remove(0);
    // Moved to a fresh id and customer, then broken: the second message reuses the first's id,
    // so the import fails after the case, customer and first message were written.
    record.case.id = CaseId(500);
    record.case.customer_id = CustomerId(600);
    record.customer.id = CustomerId(600);
    record.customer.name = "Ghost importer".into();
    for message in &mut record.messages {
        message.case_id = CaseId(500);
        message.id = domain::MessageId(900);
    }
    for event in &mut record.events {
        event.case_id = CaseId(500);
        event.id = domain::EventId(event.id.0 + 1000);
    }
    let err = store.import_case(record).await.unwrap_err();
    assert!(
        !matches!(err, StoreError::Domain(DomainError::InvalidField { .. })),
        "{err:?}"
    );
    assert!(is_not_found(
        &store.get_case(CaseId(500)).await.unwrap_err()
    ));
    assert!(is_not_found(
        &store.get_customer(CustomerId(600)).await.unwrap_err()
    ));
    assert!(
        search(&store, "ghost").await.is_empty(),
        "no search row survived"
    );
    assert_eq!(store.export_cases(None, 10).await.unwrap().len(), 1);
}

async fn import_refuses_an_existing_case_and_new_ids_follow_imports(store: Arc<dyn Store>) {
    let id = open_case(&store, "Original", "first").await;
    let mut record = store.export_cases(None, 1).await.unwrap().remove(0);
    let err = store.import_case(record.clone()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Conflict(_))),
        "{err:?}"
    );
    // Import under a far id: the next created case must not collide with anything imported.
    record.case.id = CaseId(id.0 + 1000);
    for m in &mut record.messages {
        m.case_id = record.case.id;
        m.id = domain::MessageId(m.id.0 + 1000);
    }
    for e in &mut record.events {
        e.case_id = record.case.id;
        e.id = domain::EventId(e.id.0 + 1000);
    }
    store.import_case(record).await.unwrap();
    let next = open_case(&store, "After import", "second").await;
    assert!(next.0 > id.0 + 1000, "{next} follows the imported ids");
    assert_eq!(store.get_case(next).await.unwrap().messages.len(), 1);
    assert_eq!(
        search(&store, "original").await,
        vec![CaseId(id.0 + 1000), id]
    );
}

/// Builds a varied history: customers, agents, departments, messages, transitions, records.
pub async fn build_history(store: &Arc<dyn Store>) {
    let support = store
        .create_department(NewDepartment {
            name: "Support".into(),
            categories: vec!["delivery".into()],
            languages: vec!["el".into(), "tl".into()],
        })
        .await
        .unwrap();
    let agent = store
        .create_agent(NewAgent {
            name: "Maria Santos".into(),
            role: Role::Supervisor,
            department_id: Some(support.id),
            phone: Some("+63 912 345 6789".into()),
            email: Some("maria@calmdesk.test".into()),
            languages: vec!["tl".into(), "en".into()],
        })
        .await
        .unwrap();
    let actor = agent_actor();
    let texts = [
        (
            "Juan dela Cruz",
            "Hindi dumating ang order ko",
            "Tatlong linggo na akong naghihintay sa order ko.",
        ),
        ("陳大文", "退款進度", "我要退款，已經等了兩個星期。"),
        (
            "Γιώργος",
            "Χαλασμένο προϊόν",
            "Το προϊόν ήρθε σπασμένο.\nΘέλω αντικατάσταση.",
        ),
    ];
    for (n, (name, subject, body)) in texts.iter().enumerate() {
        let mut cmd = new_case(
            name,
            Some(&format!("customer{n}@example.com")),
            subject,
            body,
        );
        cmd.customer.annual_value = Some(Money {
            amount_minor: 540_000 + n as i64,
            currency: "EUR".into(),
        });
        let detail = store
            .create_case(&actor, cmd, at("2026-03-01T08:00:00.000001Z"))
            .await
            .unwrap();
        let id = detail.case.id;
        if n == 0 {
            continue;
        }
        store
            .assign(
                &actor,
                id,
                Assign {
                    agent_id: Some(agent.id),
                    department_id: Some(support.id),
                    note: None,
                },
                at("2026-03-01T08:05:00Z"),
            )
            .await
            .unwrap();
        for (to, resolution) in [
            (Status::Acknowledged, None),
            (Status::Investigating, None),
            (Status::ResolutionProposed, None),
            (Status::Resolved, Some(Resolution::Confirmed)),
        ] {
            store
                .transition(
                    &actor,
                    id,
                    Transition { to, resolution },
                    at("2026-03-01T09:00:00Z"),
                )
                .await
                .unwrap();
        }
        store
            .add_message(
                &actor,
                id,
                NewMessage {
                    direction: Direction::Outbound,
                    channel: Some(Channel::Phone),
                    author: None,
                    body: "Σας ευχαριστούμε — \"done\" ✓".into(),
                },
                at("2026-03-01T09:30:00Z"),
            )
            .await
            .unwrap();
        store
            .set_incident_record(
                &actor,
                id,
                IncidentRecordInput {
                    problem: subject.to_string(),
                    discussions: vec!["Offered voucher; refused".into()],
                    solution: "Replaced".into(),
                },
                at("2026-03-01T10:00:00Z"),
            )
            .await
            .unwrap();
    }
}

async fn export_all(store: &Arc<dyn Store>) -> String {
    let mut out = String::new();
    let mut after = None;
    loop {
        let batch = store.export_cases(after, 2).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = Some(last.case.id);
        for record in &batch {
            out.push_str(&record.to_jsonl_line());
            out.push('\n');
        }
    }
    out
}

async fn export_import_export_is_byte_identical(store: Arc<dyn Store>) {
    build_history(&store).await;
    let first = export_all(&store).await;
    assert_eq!(first.lines().count(), 3);
    let target = testkit::TempSqlite::new();
    let copy = store::open(&target.url()).await.unwrap();
    for (n, line) in first.lines().enumerate() {
        copy.import_case(ExportRecord::from_jsonl_line(line, n + 1).unwrap())
            .await
            .unwrap();
    }
    assert_eq!(export_all(&copy).await, first);
    // Imported data behaves like native data: search and timeline work.
    assert_eq!(search(&copy, "退款").await.len(), 1);
    let resolved = CaseFilter {
        status: Some(Status::Resolved),
        ..CaseFilter::default()
    };
    assert_eq!(copy.list_cases(&resolved).await.unwrap().items.len(), 2);
}

async fn concurrent_commands_all_succeed(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for n in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = open_case(&store, &format!("Parallel {n}"), "parallel refund").await;
            let msg = NewMessage {
                direction: Direction::Outbound,
                channel: None,
                author: None,
                body: "on it".into(),
            };
            store
                .add_message(&agent_actor(), id, msg, at("2026-01-01T10:00:00Z"))
                .await
                .unwrap();
            store
                .list_cases(&CaseFilter {
                    q: Some("parallel".into()),
                    ..CaseFilter::default()
                })
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let filter = CaseFilter {
        q: Some("parallel refund".into()),
        limit: 200,
        ..CaseFilter::default()
    };
    assert_eq!(store.list_cases(&filter).await.unwrap().items.len(), 40);
}

/// Messages to one case arriving together (on SQLite: written in one group, each adding to the
/// search document the one before it left) all reach the case's search document.
async fn concurrent_messages_to_one_case_are_all_searchable(store: Arc<dyn Store>) {
    let id = open_case(&store, "Several messages", "first words").await;
    let words: Vec<String> = (0..30).map(|n| format!("word{n}x")).collect();
    let mut tasks = Vec::new();
    for word in &words {
        let (store, body) = (store.clone(), word.clone());
        tasks.push(tokio::spawn(async move {
            let msg = NewMessage {
                direction: Direction::Inbound,
                channel: None,
                author: None,
                body,
            };
            store
                .add_message(&agent_actor(), id, msg, at("2026-01-01T10:00:00Z"))
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for word in words
        .iter()
        .chain([&"first".to_owned(), &"several".to_owned()])
    {
        assert_eq!(search(&store, word).await, [id], "searching {word}");
    }
}

async fn open_case_counts_leave_out_resolved_and_closed_cases(store: Arc<dyn Store>) {
    let agent = |name: &str| NewAgent {
        name: name.into(),
        role: Role::Agent,
        department_id: None,
        phone: None,
        email: None,
        languages: Vec::new(),
    };
    let ana = store.create_agent(agent("Ana Pop")).await.unwrap();
    let ion = store.create_agent(agent("Ion Rusu")).await.unwrap();
    store.create_agent(agent("Eleni Papa")).await.unwrap();
    let now = at("2026-01-02T10:00:00Z");
    let give = |id: CaseId, to: AgentId| {
        let store = store.clone();
        async move {
            let assign = Assign {
                agent_id: Some(to),
                department_id: None,
                note: None,
            };
            store.assign(&agent_actor(), id, assign, now).await.unwrap();
        }
    };
    let mut ana_cases = Vec::new();
    for n in 0..3 {
        let id = open_case(&store, &format!("Order {n}"), "Late delivery.").await;
        give(id, ana.id).await;
        ana_cases.push(id);
    }
    let ion_case = open_case(&store, "Order 9", "Wrong size.").await;
    give(ion_case, ion.id).await;
    open_case(&store, "Unassigned", "Nobody has this yet.").await;
    assert_eq!(
        store.open_case_counts().await.unwrap(),
        [(ana.id, 3), (ion.id, 1)],
        "Eleni holds nothing and is left out"
    );

    // Resolving one of Ana's cases and closing Ion's takes them out of the count.
    let to = |to, resolution| Transition { to, resolution };
    for step in [
        to(Status::Acknowledged, None),
        to(Status::Investigating, None),
        to(Status::ResolutionProposed, None),
        to(Status::Resolved, Some(Resolution::Confirmed)),
    ] {
        store
            .transition(&agent_actor(), ana_cases[0], step, now)
            .await
            .unwrap();
        store
            .transition(&agent_actor(), ion_case, step, now)
            .await
            .unwrap();
    }
    store
        .transition(&agent_actor(), ion_case, to(Status::Closed, None), now)
        .await
        .unwrap();
    assert_eq!(store.open_case_counts().await.unwrap(), [(ana.id, 2)]);

    // A transfer moves one of Ana's open cases to Ion; a reopened case counts again.
    give(ana_cases[1], ion.id).await;
    store
        .transition(
            &agent_actor(),
            ion_case,
            to(Status::Investigating, None),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store.open_case_counts().await.unwrap(),
        [(ana.id, 1), (ion.id, 2)]
    );
}
