//! The `Store` implementation, written once and expanded for each backend by `shared_store!`.
//!
//! The SQL here is the part where SQLite and PostgreSQL agree (`$n` parameters, `RETURNING`,
//! `ON CONFLICT`). The backend module that invokes the macro supplies what differs:
//! - a module `sql`, the statement interface: `query`, `Builder` (statements built per request),
//!   `Query`, `Conn`, `DbRow`, `Reader`, `get(row, column)` and `db_error` — sqlx itself for
//!   PostgreSQL (`postgres::sql`), the same shapes over rusqlite for SQLite (`lite`);
//! - `self.write(work)` / `self.write_as(urgency, work)`: runs `work(conn)` as one write command, a transaction of its own as
//!   seen by callers (SQLite groups concurrent commands into one commit, see `group_commit`),
//!   holding the write lock from its first statement; `work` owns what it needs (`'static`);
//! - `self.read_tx()`: a transaction giving a consistent snapshot for multi-query reads;
//!   `self.long_read_tx()` the same for reads of many rows (reports), which SQLite runs where
//!   they do not hold up the async runtime's other work;
//! - `self.reader()`: the pool for single-query reads;
//! - `load_search_tokens(conn, case_id)`, `store_search_tokens(conn, case_id, tokens)` (replaces
//!   the case's search document) and `insert_search_tokens` (the first document of a new case);
//! - `push_search_condition(query_builder, tokens, page)`: "AND the case holds every token";
//!   with a `SearchPage` the matching ids are also cut to the page inside the search index;
//! - `after_import(conn)`: whatever keeps id generation ahead of imported ids.
//!
//! `process_store!` (see `process`) must be expanded next to this macro: every command here that
//! changes a case calls its `schedule_review` inside the command's transaction.

use std::future::Future;
use std::pin::Pin;

use domain::StoreError;

/// A future that borrows the connection it runs on: what a write command's work returns.
pub(crate) type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Whose write it is: a person's request waiting for its answer, or the process engine's work,
/// which SQLite's single writer lets wait behind requests (`group_commit`). PostgreSQL runs
/// writers in parallel and ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Urgency {
    Interactive,
    Background,
}

impl Urgency {
    pub(crate) fn of(actor: &domain::Actor) -> Urgency {
        if actor.is_process_engine() {
            Urgency::Background
        } else {
            Urgency::Interactive
        }
    }
}

/// A write command's work: its statements, run on the connection of the transaction it is
/// given. It owns what it needs, since SQLite's writer task runs it (see `group_commit`).
pub(crate) trait WriteWork<C, T>:
    for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static
{
}

impl<C, T, F> WriteWork<C, T> for F where
    F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static
{
}

/// Boxes a write command's work; naming the error type here lets `?` inside it convert errors.
pub(crate) fn boxed<'c, T>(
    work: impl Future<Output = Result<T, StoreError>> + Send + 'c,
) -> BoxFuture<'c, Result<T, StoreError>> {
    Box::pin(work)
}

/// Column lists, as macros so they can be spliced into `&'static str` SQL with `concat!`.
macro_rules! case_columns {
    () => {
        "id, customer_id, channel, subject, category, cause, priority, status, resolution, \
         safety_flag, assignee_id, department_id, language, remedy_sought, created_at, \
         updated_at, acknowledged_at, resolved_at, closed_at"
    };
}
macro_rules! customer_columns {
    () => {
        "id, name, email, phone, language, annual_value_minor, annual_value_currency, created_at"
    };
}
macro_rules! agent_columns {
    () => {
        "id, name, role, department_id, phone, email, languages, active"
    };
}
macro_rules! department_columns {
    () => {
        "id, name, categories, languages"
    };
}
macro_rules! message_columns {
    () => {
        "id, case_id, direction, channel, author, body, created_at"
    };
}
macro_rules! event_columns {
    () => {
        "id, case_id, actor, at, kind, before_json, after_json"
    };
}
macro_rules! record_columns {
    () => {
        "case_id, problem, discussions, solution, updated_at"
    };
}

macro_rules! shared_store {
    ($Store:ty) => {
        use std::collections::BTreeSet;

        use async_trait::async_trait;
        use domain::{
            Actor, Agent, AgentId, ApiToken, Assign, Case, CaseDetail, CaseFilter, CaseId,
            Customer, CustomerId, Department, DepartmentId, DomainError, Event, EventId,
            EventKind, ExportRecord, IncidentRecord, IncidentRecordInput, ListQuery, Message,
            MessageId, Money, NewAgent, NewCase, NewCustomer, NewDepartment, NewMessage, Page,
            Priority, Role, Status, Store, StoreError, Timestamp, Transition, UpdateCase,
        };
        use serde_json::{Value, json};
        use $crate::convert::{
            instant, json_list, json_value, micros, optional_instant, optional_parse, parse,
            parse_json_list, parse_json_value, stored_precision,
        };
        use $crate::search::{document_tokens, query_tokens};
        use $crate::shared::{Urgency, boxed};
        use sql::{Conn, DbRow, Query, db_error, get};

        fn case_from_row(row: &DbRow) -> Result<Case, StoreError> {
            Ok(Case {
                id: CaseId(get(row, "id")?),
                customer_id: CustomerId(get(row, "customer_id")?),
                channel: parse("channel", &get::<String>(row, "channel")?)?,
                subject: get(row, "subject")?,
                category: get(row, "category")?,
                cause: get(row, "cause")?,
                priority: parse("priority", &get::<String>(row, "priority")?)?,
                status: parse("status", &get::<String>(row, "status")?)?,
                resolution: optional_parse("resolution", get(row, "resolution")?)?,
                safety_flag: get(row, "safety_flag")?,
                assignee_id: get::<Option<i64>>(row, "assignee_id")?.map(AgentId),
                department_id: get::<Option<i64>>(row, "department_id")?.map(DepartmentId),
                language: get(row, "language")?,
                remedy_sought: get(row, "remedy_sought")?,
                created_at: instant("created_at", get(row, "created_at")?)?,
                updated_at: instant("updated_at", get(row, "updated_at")?)?,
                acknowledged_at: optional_instant("acknowledged_at", get(row, "acknowledged_at")?)?,
                resolved_at: optional_instant("resolved_at", get(row, "resolved_at")?)?,
                closed_at: optional_instant("closed_at", get(row, "closed_at")?)?,
            })
        }

        fn customer_from_row(row: &DbRow) -> Result<Customer, StoreError> {
            let amount: Option<i64> = get(row, "annual_value_minor")?;
            let currency: Option<String> = get(row, "annual_value_currency")?;
            Ok(Customer {
                id: CustomerId(get(row, "id")?),
                name: get(row, "name")?,
                email: get(row, "email")?,
                phone: get(row, "phone")?,
                language: get(row, "language")?,
                annual_value: amount
                    .zip(currency)
                    .map(|(amount_minor, currency)| Money { amount_minor, currency }),
                created_at: instant("created_at", get(row, "created_at")?)?,
            })
        }

        fn agent_from_row(row: &DbRow) -> Result<Agent, StoreError> {
            Ok(Agent {
                id: AgentId(get(row, "id")?),
                name: get(row, "name")?,
                role: parse("role", &get::<String>(row, "role")?)?,
                department_id: get::<Option<i64>>(row, "department_id")?.map(DepartmentId),
                phone: get(row, "phone")?,
                email: get(row, "email")?,
                languages: parse_json_list("languages", &get::<String>(row, "languages")?)?,
                active: get(row, "active")?,
            })
        }

        fn department_from_row(row: &DbRow) -> Result<Department, StoreError> {
            Ok(Department {
                id: DepartmentId(get(row, "id")?),
                name: get(row, "name")?,
                categories: parse_json_list("categories", &get::<String>(row, "categories")?)?,
                languages: parse_json_list("languages", &get::<String>(row, "languages")?)?,
            })
        }

        fn message_from_row(row: &DbRow) -> Result<Message, StoreError> {
            Ok(Message {
                id: MessageId(get(row, "id")?),
                case_id: CaseId(get(row, "case_id")?),
                direction: parse("direction", &get::<String>(row, "direction")?)?,
                channel: parse("channel", &get::<String>(row, "channel")?)?,
                author: get(row, "author")?,
                body: get(row, "body")?,
                created_at: instant("created_at", get(row, "created_at")?)?,
            })
        }

        fn event_from_row(row: &DbRow) -> Result<Event, StoreError> {
            Ok(Event {
                id: EventId(get(row, "id")?),
                case_id: CaseId(get(row, "case_id")?),
                actor: get(row, "actor")?,
                at: instant("at", get(row, "at")?)?,
                kind: parse("kind", &get::<String>(row, "kind")?)?,
                before: parse_json_value("before_json", get(row, "before_json")?)?,
                after: parse_json_value("after_json", get(row, "after_json")?)?,
            })
        }

        fn record_from_row(row: &DbRow) -> Result<IncidentRecord, StoreError> {
            Ok(IncidentRecord {
                case_id: CaseId(get(row, "case_id")?),
                problem: get(row, "problem")?,
                discussions: parse_json_list("discussions", &get::<String>(row, "discussions")?)?,
                solution: get(row, "solution")?,
                updated_at: instant("updated_at", get(row, "updated_at")?)?,
            })
        }

        fn all<T>(
            rows: Vec<DbRow>,
            from_row: fn(&DbRow) -> Result<T, StoreError>,
        ) -> Result<Vec<T>, StoreError> {
            rows.iter().map(from_row).collect()
        }

        /// Binds every case column except `id`, in `case_columns!()` order.
        fn bind_case_fields(query: Query, case: &Case) -> Query {
            query
                .bind(case.customer_id.0)
                .bind(case.channel.as_str())
                .bind(case.subject.clone())
                .bind(case.category.clone())
                .bind(case.cause.clone())
                .bind(case.priority.as_str())
                .bind(case.status.as_str())
                .bind(case.resolution.map(|r| r.as_str()))
                .bind(case.safety_flag)
                .bind(case.assignee_id.map(|a| a.0))
                .bind(case.department_id.map(|d| d.0))
                .bind(case.language.clone())
                .bind(case.remedy_sought.clone())
                .bind(micros(case.created_at))
                .bind(micros(case.updated_at))
                .bind(case.acknowledged_at.map(micros))
                .bind(case.resolved_at.map(micros))
                .bind(case.closed_at.map(micros))
        }

        /// Binds every message column except `id`, in `message_columns!()` order.
        fn bind_message_fields(query: Query, message: &Message) -> Query {
            query
                .bind(message.case_id.0)
                .bind(message.direction.as_str())
                .bind(message.channel.as_str())
                .bind(message.author.clone())
                .bind(message.body.clone())
                .bind(micros(message.created_at))
        }

        /// Binds every event column except `id`, in `event_columns!()` order.
        fn bind_event_fields(query: Query, event: &Event) -> Query {
            query
                .bind(event.case_id.0)
                .bind(event.actor.clone())
                .bind(micros(event.at))
                .bind(event.kind.as_str())
                .bind(event.before.as_ref().map(json_value))
                .bind(event.after.as_ref().map(json_value))
        }

        /// Binds every customer column except `id`, in `customer_columns!()` order.
        fn bind_customer_fields(query: Query, customer: &Customer) -> Query {
            let money = customer.annual_value.as_ref();
            query
                .bind(customer.name.clone())
                .bind(customer.email.clone())
                .bind(customer.phone.clone())
                .bind(customer.language.clone())
                .bind(money.map(|m| m.amount_minor))
                .bind(money.map(|m| m.currency.clone()))
                .bind(micros(customer.created_at))
        }

        async fn load_case(conn: &mut Conn, id: CaseId) -> Result<Case, StoreError> {
            let row = sql::query(concat!("SELECT ", case_columns!(), " FROM cases WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?
                .ok_or_else(|| DomainError::not_found("case", id))?;
            case_from_row(&row)
        }

        async fn load_customer(conn: &mut Conn, id: CustomerId) -> Result<Customer, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", customer_columns!(), " FROM customers WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::not_found("customer", id))?;
            customer_from_row(&row)
        }

        async fn load_messages(conn: &mut Conn, id: CaseId) -> Result<Vec<Message>, StoreError> {
            let rows = sql::query(concat!(
                "SELECT ", message_columns!(), " FROM messages WHERE case_id = $1 ORDER BY id"
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
            all(rows, message_from_row)
        }

        async fn load_events(conn: &mut Conn, id: CaseId) -> Result<Vec<Event>, StoreError> {
            let rows = sql::query(concat!(
                "SELECT ", event_columns!(), " FROM events WHERE case_id = $1 ORDER BY id"
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
            all(rows, event_from_row)
        }

        async fn load_record(
            conn: &mut Conn,
            id: CaseId,
        ) -> Result<Option<IncidentRecord>, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", record_columns!(), " FROM incident_records WHERE case_id = $1"
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
            row.as_ref().map(record_from_row).transpose()
        }

        async fn load_agent(conn: &mut Conn, id: AgentId) -> Result<Agent, StoreError> {
            let row = sql::query(concat!("SELECT ", agent_columns!(), " FROM agents WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?
                .ok_or_else(|| DomainError::not_found("agent", id))?;
            agent_from_row(&row)
        }

        async fn load_department(
            conn: &mut Conn,
            id: DepartmentId,
        ) -> Result<Department, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", department_columns!(), " FROM departments WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::not_found("department", id))?;
            department_from_row(&row)
        }

        async fn load_detail(conn: &mut Conn, id: CaseId) -> Result<CaseDetail, StoreError> {
            let case = load_case(conn, id).await?;
            Ok(CaseDetail {
                customer: load_customer(conn, case.customer_id).await?,
                messages: load_messages(conn, id).await?,
                incident_record: load_record(conn, id).await?,
                case,
            })
        }

        /// The customer with this e-mail, else with this phone (oldest first), else a new one.
        /// The insert comes first, guarded by the lookup, so a new customer costs one statement.
        async fn find_or_create_customer(
            conn: &mut Conn,
            new: &NewCustomer,
            now: Timestamp,
        ) -> Result<Customer, StoreError> {
            let mut customer = Customer {
                id: CustomerId(0),
                name: new.name.clone(),
                email: new.email.clone(),
                phone: new.phone.clone(),
                language: new.language.clone(),
                annual_value: new.annual_value.clone(),
                created_at: now,
            };
            let insert = sql::query(
                "INSERT INTO customers (name, email, phone, language, annual_value_minor, \
                 annual_value_currency, created_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE NOT EXISTS (SELECT 1 FROM customers WHERE email = $2 OR phone = $3) \
                 RETURNING id",
            );
            let inserted = bind_customer_fields(insert, &customer)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?;
            if let Some(row) = inserted {
                customer.id = CustomerId(get(&row, "id")?);
                return Ok(customer);
            }
            let found = sql::query(concat!(
                "SELECT ", customer_columns!(), " FROM customers WHERE email = $1 OR phone = $2 \
                 ORDER BY CASE WHEN email = $1 THEN 0 ELSE 1 END, id LIMIT 1"
            ))
            .bind(new.email.clone())
            .bind(new.phone.clone())
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error)?;
            customer_from_row(&found)
        }

        async fn insert_case(conn: &mut Conn, case: &Case) -> Result<CaseId, StoreError> {
            let insert = sql::query(
                "INSERT INTO cases (customer_id, channel, subject, category, cause, priority, \
                 status, resolution, safety_flag, assignee_id, department_id, language, \
                 remedy_sought, created_at, updated_at, acknowledged_at, resolved_at, closed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18) RETURNING id",
            );
            let row = bind_case_fields(insert, case)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_error)?;
            Ok(CaseId(get(&row, "id")?))
        }

        /// Inserts the message under its idempotence `key`, if any; `None` when the key is stored
        /// already.
        async fn insert_message(
            conn: &mut Conn,
            message: &Message,
            key: Option<&str>,
        ) -> Result<Option<MessageId>, StoreError> {
            let insert = sql::query(
                "INSERT INTO messages (case_id, direction, channel, author, body, created_at, \
                 dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            );
            let row = bind_message_fields(insert, message)
                .bind(key.map(str::to_owned))
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?;
            row.map(|row| Ok(MessageId(get(&row, "id")?))).transpose()
        }

        async fn message_by_key(conn: &mut Conn, key: &str) -> Result<Message, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", message_columns!(), " FROM messages WHERE dedupe_key = $1"
            ))
            .bind(key.to_owned())
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error)?;
            message_from_row(&row)
        }

        /// Adds a message to case `id` with its event and search tokens, and schedules the case's
        /// review; with a `key` that is stored already, adds nothing and answers `None`.
        async fn add_case_message(
            conn: &mut Conn,
            actor: &Actor,
            id: CaseId,
            msg: NewMessage,
            key: Option<&str>,
            now: Timestamp,
        ) -> Result<Option<Message>, StoreError> {
            if !actor.is_process_engine()
                && msg.author.as_deref().is_some_and(domain::is_reserved_actor_name)
            {
                return Err(DomainError::invalid(
                    "author",
                    "is the system's own name: messages under it are the process engine's",
                )
                .into());
            }
            let case = load_case(conn, id).await?;
            let mut message = Message {
                id: MessageId(0),
                case_id: id,
                direction: msg.direction,
                channel: msg.channel.unwrap_or(case.channel),
                author: msg.author.or_else(|| Some(actor.name.clone())),
                body: msg.body,
                created_at: now,
            };
            let Some(message_id) = insert_message(conn, &message, key).await? else {
                return Ok(None);
            };
            message.id = message_id;
            append_event(
                conn, id, actor, now, EventKind::MessageAdded, None,
                Some(json!({"message_id": message.id, "direction": message.direction})),
            )
            .await?;
            touch_case(conn, id, now).await?;
            if searchable(&message) {
                index_more(conn, id, &[message.body.as_str()]).await?;
            }
            review_after(conn, actor, id, now).await?;
            Ok(Some(message))
        }

        /// Asks for the case's review after a change, unless the change is the process engine's
        /// own: the engine makes it while reconciling the case, in the same pass.
        async fn review_after(
            conn: &mut Conn,
            actor: &Actor,
            id: CaseId,
            now: Timestamp,
        ) -> Result<(), StoreError> {
            if actor.is_process_engine() {
                return Ok(());
            }
            schedule_review(conn, id, now).await
        }

        /// Appends one entry to the case's history; every command calls this inside its
        /// transaction, so a change and its event are committed (or rolled back) together.
        async fn append_event(
            conn: &mut Conn,
            case_id: CaseId,
            actor: &Actor,
            at: Timestamp,
            kind: EventKind,
            before: Option<Value>,
            after: Option<Value>,
        ) -> Result<(), StoreError> {
            append_events(conn, case_id, actor, at, [(kind, before, after)]).await
        }

        /// Appends entries (kind, before, after) to the case's history in one statement.
        async fn append_events<const N: usize>(
            conn: &mut Conn,
            case_id: CaseId,
            actor: &Actor,
            at: Timestamp,
            entries: [(EventKind, Option<Value>, Option<Value>); N],
        ) -> Result<(), StoreError> {
            let mut insert = sql::Builder::new(
                "INSERT INTO events (case_id, actor, at, kind, before_json, after_json) ",
            );
            insert.push_values(entries, |mut row, (kind, before, after)| {
                row.push_bind(case_id.0)
                    .push_bind(actor.name.clone())
                    .push_bind(micros(at))
                    .push_bind(kind.as_str())
                    .push_bind(before.as_ref().map(json_value))
                    .push_bind(after.as_ref().map(json_value));
            });
            insert.build().execute(&mut *conn).await.map_err(db_error)?;
            Ok(())
        }

        /// Writes the case's mutable columns back; `expected_status` guards against a concurrent
        /// change between reading the case and writing it (PostgreSQL runs writers in parallel).
        async fn save_case(
            conn: &mut Conn,
            case: &Case,
            expected_status: Status,
        ) -> Result<(), StoreError> {
            // Every column but `id`, bound by the same function as the insert, so the two never
            // disagree about the column order (customer, channel and creation never change).
            let update = sql::query(
                "UPDATE cases SET customer_id = $1, channel = $2, subject = $3, category = $4, \
                 cause = $5, priority = $6, status = $7, resolution = $8, safety_flag = $9, \
                 assignee_id = $10, department_id = $11, language = $12, remedy_sought = $13, \
                 created_at = $14, updated_at = $15, acknowledged_at = $16, resolved_at = $17, \
                 closed_at = $18 WHERE id = $19 AND status = $20",
            );
            let done = bind_case_fields(update, case)
                .bind(case.id.0)
                .bind(expected_status.as_str())
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 1 {
                Ok(())
            } else {
                Err(DomainError::Conflict(format!(
                    "{} was changed by someone else meanwhile; reload and try again",
                    case.id
                ))
                .into())
            }
        }

        async fn touch_case(conn: &mut Conn, id: CaseId, now: Timestamp) -> Result<(), StoreError> {
            sql::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
                .bind(micros(now))
                .bind(id.0)
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            Ok(())
        }

        /// Adds the tokens of new text to the case's search document.
        async fn index_more(
            conn: &mut Conn,
            id: CaseId,
            texts: &[&str],
        ) -> Result<(), StoreError> {
            let mut tokens = load_search_tokens(conn, id.0).await?;
            let before = tokens.len();
            tokens.extend(document_tokens(texts.iter().copied()));
            if tokens.len() != before {
                store_search_tokens(conn, id.0, &tokens).await?;
            }
            Ok(())
        }

        /// Rebuilds the case's search document from its subject, customer name and messages.
        async fn reindex(conn: &mut Conn, case: &Case) -> Result<(), StoreError> {
            let customer = load_customer(conn, case.customer_id).await?;
            let messages = load_messages(conn, case.id).await?;
            let texts = [case.subject.as_str(), customer.name.as_str()]
                .into_iter()
                .chain(messages.iter().filter(|m| searchable(m)).map(|m| m.body.as_str()));
            store_search_tokens(conn, case.id.0, &document_tokens(texts)).await
        }

        /// The engine's notices are the same template on every case: indexed, each of their
        /// words would find every case. Search covers what people wrote.
        fn searchable(message: &Message) -> bool {
            message.author.as_deref() != Some(domain::PROCESS_ENGINE)
        }

        fn page<T>(
            mut items: Vec<T>,
            limit: u32,
            id_of: impl Fn(&T) -> i64,
        ) -> Page<T> {
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            let next_cursor = if more {
                items.last().map(|last| domain::Cursor::after(id_of(last)).encode())
            } else {
                None
            };
            Page { items, next_cursor }
        }

        fn assignment(case: &Case) -> Value {
            json!({"assignee_id": case.assignee_id, "department_id": case.department_id})
        }

        fn lifecycle(case: &Case) -> Value {
            json!({"status": case.status, "resolution": case.resolution})
        }

        /// The fields an update names, before and after.
        fn changed_fields(before: &Case, after: &Case) -> (Value, Value) {
            let old = serde_json::to_value(before).expect("a case serialises");
            let new = serde_json::to_value(after).expect("a case serialises");
            let mut was = serde_json::Map::new();
            let mut now = serde_json::Map::new();
            for field in [
                "subject", "category", "cause", "priority", "safety_flag", "language",
                "remedy_sought",
            ] {
                if old[field] != new[field] {
                    was.insert(field.to_owned(), old[field].clone());
                    now.insert(field.to_owned(), new[field].clone());
                }
            }
            (Value::Object(was), Value::Object(now))
        }

        fn checked_token_name(name: &str) -> Result<String, StoreError> {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > domain::Limits::NAME || name.contains('\0') {
                return Err(DomainError::invalid(
                    "name",
                    format!("must be 1 to {} characters", domain::Limits::NAME),
                )
                .into());
            }
            if domain::is_reserved_actor_name(name) {
                return Err(DomainError::invalid(
                    "name",
                    format!("\"{name}\" is the system's own name in case histories"),
                )
                .into());
            }
            Ok(name.to_owned())
        }

        /// Assigns or transfers case `id`; with `expected`, only while the case is still held
        /// so (answers `None` otherwise, changing nothing).
        async fn assign_case(
            store: &$Store,
            actor: &Actor,
            id: CaseId,
            expected: Option<(Option<AgentId>, Option<DepartmentId>)>,
            a: Assign,
            now: Timestamp,
        ) -> Result<Option<Case>, StoreError> {
            let a = a.validate()?;
            let now = stored_precision(now);
            let actor = actor.clone();
            store.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                let before = load_case(tx, id).await?;
                if expected.is_some_and(|held| held != (before.assignee_id, before.department_id)) {
                    return Ok(None);
                }
                if let Some(agent) = a.agent_id {
                    load_agent(tx, agent).await?;
                }
                if let Some(department) = a.department_id {
                    load_department(tx, department).await?;
                }
                let mut case = before.clone();
                case.assignee_id = a.agent_id;
                case.department_id = a.department_id;
                case.updated_at = now;
                save_case(tx, &case, before.status).await?;
                let (kind, mut after) = (
                    if a.note.is_some() { EventKind::Transferred } else { EventKind::Assigned },
                    assignment(&case),
                );
                if let Some(note) = a.note {
                    after["note"] = Value::String(note);
                }
                append_event(tx, id, &actor, now, kind, Some(assignment(&before)), Some(after))
                    .await?;
                review_after(tx, &actor, id, now).await?;
                Ok(Some(case))
            }))
            .await
        }

        #[async_trait]
        impl Store for $Store {
            async fn ping(&self) -> Result<(), StoreError> {
                sql::query("SELECT 1")
                    .execute(self.reader())
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            async fn create_case(
                &self,
                actor: &Actor,
                cmd: NewCase,
                now: Timestamp,
            ) -> Result<CaseDetail, StoreError> {
                let cmd = cmd.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                // Tokenised before the write: SQLite's writer runs one command at a time.
                let mut tokens = document_tokens([cmd.subject.as_str(), cmd.message.as_str()]);
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let customer = find_or_create_customer(tx, &cmd.customer, now).await?;
                    let mut case = Case {
                        id: CaseId(0),
                        customer_id: customer.id,
                        channel: cmd.channel,
                        subject: cmd.subject,
                        category: cmd.category,
                        cause: cmd.cause,
                        priority: cmd.priority.unwrap_or(Priority::Normal),
                        status: Status::Received,
                        resolution: None,
                        safety_flag: cmd.safety_flag,
                        assignee_id: None,
                        department_id: None,
                        language: cmd.language.or_else(|| customer.language.clone()),
                        remedy_sought: cmd.remedy_sought,
                        created_at: now,
                        updated_at: now,
                        acknowledged_at: None,
                        resolved_at: None,
                        closed_at: None,
                    };
                    case.id = insert_case(tx, &case).await?;
                    let mut message = Message {
                        id: MessageId(0),
                        case_id: case.id,
                        direction: domain::Direction::Inbound,
                        channel: case.channel,
                        author: Some(customer.name.clone()),
                        body: cmd.message,
                        created_at: now,
                    };
                    message.id = insert_message(tx, &message, None).await?.ok_or_else(|| {
                        StoreError::Internal("a message without a key was not inserted".to_owned())
                    })?;
                    let created = json!({
                        "customer_id": case.customer_id, "channel": case.channel,
                        "subject": case.subject, "priority": case.priority, "status": case.status,
                        "category": case.category, "language": case.language,
                        "safety_flag": case.safety_flag,
                    });
                    let message_added =
                        json!({"message_id": message.id, "direction": message.direction});
                    append_events(tx, case.id, &actor, now, [
                        (EventKind::CaseCreated, None, Some(created)),
                        (EventKind::MessageAdded, None, Some(message_added)),
                    ])
                    .await?;
                    tokens.extend(document_tokens([customer.name.as_str()]));
                    insert_search_tokens(tx, case.id.0, &tokens).await?;
                    review_after(tx, &actor, case.id, now).await?;
                    Ok(CaseDetail { case, customer, messages: vec![message], incident_record: None })
                }))
                .await
            }

            async fn get_case(&self, id: CaseId) -> Result<CaseDetail, StoreError> {
                let mut tx = self.read_tx().await?;
                load_detail(&mut tx, id).await
            }

            async fn list_cases(&self, filter: &CaseFilter) -> Result<Page<Case>, StoreError> {
                let filter = filter.clone().validate()?;
                let mut query = sql::Builder::new(concat!(
                    "SELECT ", case_columns!(), " FROM cases WHERE 1 = 1"
                ));
                if let Some(q) = &filter.q {
                    let tokens = query_tokens(q);
                    if tokens.is_empty() {
                        return Ok(Page { items: Vec::new(), next_cursor: None });
                    }
                    // With no other filter the page can be cut inside the index, so only the page's
                    // cases are read, however many match.
                    let only_search = filter.status.is_none()
                        && filter.assignee.is_none()
                        && filter.department.is_none()
                        && filter.customer.is_none();
                    let page = only_search.then(|| $crate::search::SearchPage {
                        before: filter.cursor.map(|c| c.last_id),
                        limit: i64::from(filter.limit) + 1,
                    });
                    push_search_condition(&mut query, tokens, page);
                }
                if let Some(status) = filter.status {
                    query.push(" AND status = ").push_bind(status.as_str());
                }
                if let Some(assignee) = filter.assignee {
                    query.push(" AND assignee_id = ").push_bind(assignee.0);
                }
                if let Some(department) = filter.department {
                    query.push(" AND department_id = ").push_bind(department.0);
                }
                if let Some(customer) = filter.customer {
                    query.push(" AND customer_id = ").push_bind(customer.0);
                }
                if let Some(cursor) = filter.cursor {
                    query.push(" AND id < ").push_bind(cursor.last_id);
                }
                query
                    .push(" ORDER BY id DESC LIMIT ")
                    .push_bind(i64::from(filter.limit) + 1);
                let rows = query.build().fetch_all(self.reader()).await.map_err(db_error)?;
                Ok(page(all(rows, case_from_row)?, filter.limit, |c| c.id.0))
            }

            async fn update_case(
                &self,
                actor: &Actor,
                id: CaseId,
                update: UpdateCase,
                now: Timestamp,
            ) -> Result<Case, StoreError> {
                let update = update.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let before = load_case(tx, id).await?;
                    let mut case = before.clone();
                    if let Some(subject) = update.subject { case.subject = subject; }
                    if let Some(category) = update.category { case.category = Some(category); }
                    if let Some(cause) = update.cause { case.cause = Some(cause); }
                    if let Some(priority) = update.priority { case.priority = priority; }
                    if let Some(flag) = update.safety_flag { case.safety_flag = flag; }
                    if let Some(language) = update.language { case.language = Some(language); }
                    if let Some(remedy) = update.remedy_sought { case.remedy_sought = Some(remedy); }
                    let (was, is) = changed_fields(&before, &case);
                    if is.as_object().is_some_and(|fields| fields.is_empty()) {
                        return Ok(before);
                    }
                    case.updated_at = now;
                    save_case(tx, &case, before.status).await?;
                    append_event(tx, id, &actor, now, EventKind::CaseUpdated, Some(was), Some(is))
                        .await?;
                    if case.subject != before.subject {
                        reindex(tx, &case).await?;
                    }
                    review_after(tx, &actor, id, now).await?;
                    Ok(case)
                }))
                .await
            }

            async fn add_message(
                &self,
                actor: &Actor,
                id: CaseId,
                msg: NewMessage,
                now: Timestamp,
            ) -> Result<Message, StoreError> {
                let msg = msg.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    add_case_message(tx, &actor, id, msg, None, now).await?.ok_or_else(|| {
                        StoreError::Internal("a message without a key was not inserted".to_owned())
                    })
                }))
                .await
            }

            async fn transition(
                &self,
                actor: &Actor,
                id: CaseId,
                t: Transition,
                now: Timestamp,
            ) -> Result<Case, StoreError> {
                let t = t.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let before = load_case(tx, id).await?;
                    Status::check_transition(before.status, t.to)?;
                    let mut case = before.clone();
                    case.status = t.to;
                    case.resolution = t.resolution;
                    case.updated_at = now;
                    match t.to {
                        Status::Acknowledged => case.acknowledged_at = Some(now),
                        Status::Resolved => case.resolved_at = Some(now),
                        Status::Closed => case.closed_at = Some(now),
                        // Reopening clears the outcome; the history keeps it.
                        Status::Investigating => {
                            case.resolved_at = None;
                            case.closed_at = None;
                        }
                        Status::Received | Status::WaitingOnCustomer | Status::ResolutionProposed => {}
                    }
                    if t.to == Status::Closed {
                        case.resolution = before.resolution;
                    }
                    save_case(tx, &case, before.status).await?;
                    append_event(
                        tx, id, &actor, now, EventKind::StatusChanged,
                        Some(lifecycle(&before)), Some(lifecycle(&case)),
                    )
                    .await?;
                    review_after(tx, &actor, id, now).await?;
                    Ok(case)
                }))
                .await
            }

            async fn assign(
                &self,
                actor: &Actor,
                id: CaseId,
                a: Assign,
                now: Timestamp,
            ) -> Result<Case, StoreError> {
                let case = assign_case(self, actor, id, None, a, now).await?;
                case.ok_or_else(|| StoreError::Internal("an unconditional assignment was skipped".into()))
            }

            async fn assign_unless_moved(
                &self,
                actor: &Actor,
                id: CaseId,
                expected: (Option<AgentId>, Option<DepartmentId>),
                a: Assign,
                now: Timestamp,
            ) -> Result<Option<Case>, StoreError> {
                assign_case(self, actor, id, Some(expected), a, now).await
            }

            async fn set_incident_record(
                &self,
                actor: &Actor,
                id: CaseId,
                r: IncidentRecordInput,
                now: Timestamp,
            ) -> Result<IncidentRecord, StoreError> {
                let r = r.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    load_case(tx, id).await?;
                    let before = load_record(tx, id).await?;
                    let record = IncidentRecord {
                        case_id: id,
                        problem: r.problem,
                        discussions: r.discussions,
                        solution: r.solution,
                        updated_at: now,
                    };
                    upsert_record(tx, &record).await?;
                    let as_json = |r: &IncidentRecord| serde_json::to_value(r).expect("a record serialises");
                    append_event(
                        tx, id, &actor, now, EventKind::IncidentRecordSet,
                        before.as_ref().map(as_json), Some(as_json(&record)),
                    )
                    .await?;
                    touch_case(tx, id, now).await?;
                    review_after(tx, &actor, id, now).await?;
                    Ok(record)
                }))
                .await
            }

            async fn timeline(&self, id: CaseId) -> Result<Vec<Event>, StoreError> {
                let mut tx = self.read_tx().await?;
                load_case(&mut tx, id).await?;
                load_events(&mut tx, id).await
            }

            async fn case_with_history(
                &self,
                id: CaseId,
            ) -> Result<(CaseDetail, Vec<Event>), StoreError> {
                let mut tx = self.read_tx().await?;
                let detail = load_detail(&mut tx, id).await?;
                Ok((detail, load_events(&mut tx, id).await?))
            }

            async fn list_customers(&self, query: &ListQuery) -> Result<Page<Customer>, StoreError> {
                let query = query.validate()?;
                let rows = sql::query(concat!(
                    "SELECT ", customer_columns!(),
                    " FROM customers WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(query.cursor.map_or(0, |c| c.last_id))
                .bind(i64::from(query.limit) + 1)
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                Ok(page(all(rows, customer_from_row)?, query.limit, |c| c.id.0))
            }

            async fn get_customer(&self, id: CustomerId) -> Result<Customer, StoreError> {
                let mut conn = self.reader().acquire().await.map_err(db_error)?;
                load_customer(&mut conn, id).await
            }

            async fn create_agent(&self, cmd: NewAgent) -> Result<Agent, StoreError> {
                let cmd = cmd.validate()?;
                self.write(move |tx| boxed(async move {
                    if let Some(department) = cmd.department_id {
                        load_department(tx, department).await?;
                    }
                    let row = sql::query(
                        "INSERT INTO agents (name, role, department_id, phone, email, languages, active) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(cmd.name.clone())
                    .bind(cmd.role.as_str())
                    .bind(cmd.department_id.map(|d| d.0))
                    .bind(cmd.phone.clone())
                    .bind(cmd.email.clone())
                    .bind(json_list(&cmd.languages))
                    .bind(true)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let id = AgentId(get(&row, "id")?);
                    Ok(Agent {
                        id,
                        name: cmd.name,
                        role: cmd.role,
                        department_id: cmd.department_id,
                        phone: cmd.phone,
                        email: cmd.email,
                        languages: cmd.languages,
                        active: true,
                    })
                }))
                .await
            }

            async fn list_agents(&self, query: &ListQuery) -> Result<Page<Agent>, StoreError> {
                let query = query.validate()?;
                let rows = sql::query(concat!(
                    "SELECT ", agent_columns!(), " FROM agents WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(query.cursor.map_or(0, |c| c.last_id))
                .bind(i64::from(query.limit) + 1)
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                Ok(page(all(rows, agent_from_row)?, query.limit, |a| a.id.0))
            }

            async fn create_department(&self, cmd: NewDepartment) -> Result<Department, StoreError> {
                let cmd = cmd.validate()?;
                self.write(move |tx| boxed(async move {
                    let row = sql::query(
                        "INSERT INTO departments (name, categories, languages) VALUES ($1, $2, $3) \
                         ON CONFLICT (name) DO NOTHING RETURNING id",
                    )
                    .bind(cmd.name.clone())
                    .bind(json_list(&cmd.categories))
                    .bind(json_list(&cmd.languages))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .ok_or_else(|| {
                        DomainError::Conflict(format!("a department named `{}` already exists", cmd.name))
                    })?;
                    let id = DepartmentId(get(&row, "id")?);
                    Ok(Department { id, name: cmd.name, categories: cmd.categories, languages: cmd.languages })
                }))
                .await
            }

            async fn list_departments(&self) -> Result<Vec<Department>, StoreError> {
                let rows = sql::query(concat!(
                    "SELECT ", department_columns!(), " FROM departments ORDER BY id"
                ))
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                all(rows, department_from_row)
            }

            async fn open_case_counts(&self) -> Result<Vec<(AgentId, u32)>, StoreError> {
                // Kept by triggers on `cases` in the same transaction as each change (migration
                // 0006), so this reads a row per agent however many cases are open.
                let rows = sql::query(
                    "SELECT agent_id AS assignee_id, open_cases AS open FROM agent_open_cases \
                     WHERE open_cases > 0 ORDER BY agent_id",
                )
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                rows.iter()
                    .map(|row| {
                        let open = get::<i64>(row, "open")?;
                        Ok((AgentId(get(row, "assignee_id")?), u32::try_from(open).unwrap_or(u32::MAX)))
                    })
                    .collect()
            }

            async fn create_token(
                &self,
                name: &str,
                role: Role,
                agent_id: Option<AgentId>,
                secret_hash: [u8; 32],
                now: Timestamp,
            ) -> Result<ApiToken, StoreError> {
                let name = checked_token_name(name)?;
                let now = stored_precision(now);
                self.write(move |tx| boxed(async move {
                    // Checked here rather than left to the foreign key, so the refusal names the
                    // field, and inside the transaction, so the agent cannot vanish in between.
                    if let Some(agent) = agent_id {
                        load_agent(&mut *tx, agent).await.map_err(|err| match err {
                            StoreError::Domain(DomainError::NotFound { .. }) => {
                                DomainError::invalid("agent_id", format!("no agent has id {agent}"))
                                    .into()
                            }
                            other => other,
                        })?;
                    }
                    let row = sql::query(
                        "INSERT INTO api_tokens (name, role, agent_id, secret_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(name.clone())
                    .bind(role.as_str())
                    .bind(agent_id.map(|id| id.0))
                    .bind(secret_hash.to_vec())
                    .bind(micros(now))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let id = get(&row, "id")?;
                    Ok(ApiToken { id, name, role, agent_id, created_at: now })
                }))
                .await
            }

            async fn find_token(&self, secret_hash: [u8; 32]) -> Result<Option<ApiToken>, StoreError> {
                let row = sql::query(
                    "SELECT id, name, role, agent_id, created_at FROM api_tokens \
                     WHERE secret_hash = $1",
                )
                .bind(secret_hash.to_vec())
                .fetch_optional(self.reader())
                .await
                .map_err(db_error)?;
                row.map(|row| {
                    Ok(ApiToken {
                        id: get(&row, "id")?,
                        name: get(&row, "name")?,
                        role: parse("role", &get::<String>(&row, "role")?)?,
                        agent_id: get::<Option<i64>>(&row, "agent_id")?.map(AgentId),
                        created_at: instant("created_at", get(&row, "created_at")?)?,
                    })
                })
                .transpose()
                // A token stored under the engine's name before that name was reserved would act
                // as the engine (its changes unreviewed): it is not honoured.
                .map(|token| token.filter(|t: &ApiToken| !domain::is_reserved_actor_name(&t.name)))
            }

            async fn export_cases(
                &self,
                after: Option<CaseId>,
                limit: u32,
            ) -> Result<Vec<ExportRecord>, StoreError> {
                let mut tx = self.read_tx().await?;
                let rows = sql::query(concat!(
                    "SELECT ", case_columns!(), " FROM cases WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(after.map_or(0, |id| id.0))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
                let mut records = Vec::with_capacity(rows.len());
                for case in all(rows, case_from_row)? {
                    records.push(export_record(&mut tx, case).await?);
                }
                Ok(records)
            }

            async fn import_case(&self, rec: ExportRecord) -> Result<(), StoreError> {
                self.write(move |tx| boxed(async move {
                    let exists = sql::query("SELECT id FROM cases WHERE id = $1")
                        .bind(rec.case.id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    if exists.is_some() {
                        return Err(DomainError::Conflict(format!("{} already exists", rec.case.id)).into());
                    }
                    for department in &rec.departments {
                        sql::query(concat!(
                            "INSERT INTO departments (", department_columns!(), ") VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (id) DO NOTHING"
                        ))
                        .bind(department.id.0)
                        .bind(department.name.clone())
                        .bind(json_list(&department.categories))
                        .bind(json_list(&department.languages))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    }
                    for agent in &rec.agents {
                        sql::query(concat!(
                            "INSERT INTO agents (", agent_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (id) DO NOTHING"
                        ))
                        .bind(agent.id.0)
                        .bind(agent.name.clone())
                        .bind(agent.role.as_str())
                        .bind(agent.department_id.map(|d| d.0))
                        .bind(agent.phone.clone())
                        .bind(agent.email.clone())
                        .bind(json_list(&agent.languages))
                        .bind(agent.active)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    }
                    let customer = sql::query(concat!(
                        "INSERT INTO customers (", customer_columns!(), ") \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING"
                    ))
                    .bind(rec.customer.id.0);
                    bind_customer_fields(customer, &rec.customer)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    let case = sql::query(concat!(
                        "INSERT INTO cases (", case_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, \
                         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
                    ))
                    .bind(rec.case.id.0);
                    bind_case_fields(case, &rec.case).execute(&mut *tx).await.map_err(db_error)?;
                    for message in &rec.messages {
                        let insert = sql::query(concat!(
                            "INSERT INTO messages (", message_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        ))
                        .bind(message.id.0);
                        bind_message_fields(insert, message).execute(&mut *tx).await.map_err(db_error)?;
                    }
                    for event in &rec.events {
                        let insert = sql::query(concat!(
                            "INSERT INTO events (", event_columns!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        ))
                        .bind(event.id.0);
                        bind_event_fields(insert, event).execute(&mut *tx).await.map_err(db_error)?;
                    }
                    if let Some(record) = &rec.incident_record {
                        upsert_record(tx, record).await?;
                    }
                    import_process(tx, &rec.process).await?;
                    reindex(tx, &rec.case).await?;
                    // Imported as it last changed: its review is due at once.
                    schedule_review(tx, rec.case.id, rec.case.updated_at).await?;
                    after_import(tx).await?;
                    Ok(())
                }))
                .await
            }
        }

        async fn upsert_record(conn: &mut Conn, record: &IncidentRecord) -> Result<(), StoreError> {
            sql::query(concat!(
                "INSERT INTO incident_records (", record_columns!(), ") VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (case_id) DO UPDATE SET problem = excluded.problem, \
                 discussions = excluded.discussions, solution = excluded.solution, \
                 updated_at = excluded.updated_at"
            ))
            .bind(record.case_id.0)
            .bind(record.problem.clone())
            .bind(json_list(&record.discussions))
            .bind(record.solution.clone())
            .bind(micros(record.updated_at))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
            Ok(())
        }

        /// A case with everything it refers to, so the record imports into an empty database.
        async fn export_record(conn: &mut Conn, case: Case) -> Result<ExportRecord, StoreError> {
            let mut agents = Vec::new();
            if let Some(agent) = case.assignee_id {
                agents.push(load_agent(conn, agent).await?);
            }
            let department_ids: BTreeSet<DepartmentId> = case
                .department_id
                .into_iter()
                .chain(agents.iter().filter_map(|a| a.department_id))
                .collect();
            let mut departments = Vec::with_capacity(department_ids.len());
            for department in department_ids {
                departments.push(load_department(conn, department).await?);
            }
            Ok(ExportRecord {
                customer: load_customer(conn, case.customer_id).await?,
                departments,
                agents,
                messages: load_messages(conn, case.id).await?,
                events: load_events(conn, case.id).await?,
                incident_record: load_record(conn, case.id).await?,
                process: export_process(conn, case.id).await?,
                case,
            })
        }
    };
}

pub(crate) use {
    agent_columns, case_columns, customer_columns, department_columns, event_columns,
    message_columns, record_columns, shared_store,
};
