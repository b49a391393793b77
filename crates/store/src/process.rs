//! The `ProcessStore` implementation (issue 4), written once and expanded for each backend by
//! `process_store!` next to `shared_store!`, whose helpers it uses (and which calls this file's
//! `schedule_review` from every command that changes a case).
//!
//! The one difference between the backends is how due jobs are claimed: PostgreSQL locks the
//! rows it picks with `FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint jobs without
//! waiting for each other; SQLite needs nothing, since its claims go through the single writer.

/// Column lists, as macros so they can be spliced into `&'static str` SQL with `concat!`.
macro_rules! job_columns {
    () => {
        "id, key, kind, case_id, run_at, payload, attempts, claimed_by, claimed_at, lease_until, \
         generation"
    };
}
/// Prefix of `job_runs.outcome` for a finish that was refused because the claim was lost.
pub(crate) const SUPERSEDED: &str = "superseded_";

macro_rules! job_run_columns {
    () => {
        "job_id, key, kind, generation, worker, due_at, claimed_at, finished_at, outcome, error, \
         retry_at"
    };
}
macro_rules! commitment_columns {
    () => {
        "id, case_id, kind, description, due_at, status, source, message_id, made_by, \
         created_at, reminded_at, fulfilled_at, escalated_at"
    };
}
macro_rules! notification_columns {
    () => {
        "id, case_id, kind, recipient, subject, body, created_at, read_at"
    };
}
macro_rules! feedback_columns {
    () => {
        "id, case_id, purpose, created_at, answered_at, score, confirmed, comment"
    };
}
macro_rules! action_columns {
    () => {
        "id, cause, description, owner, due_on, status, created_at, updated_at"
    };
}
/// The cases `case_facts` reports on (`$1` = since): created since, or neither resolved nor closed.
macro_rules! fact_cases {
    () => {
        "SELECT id FROM cases WHERE created_at >= $1 OR status NOT IN ('resolved', 'closed')"
    };
}

/// Who the engine's own events are recorded as.
pub(crate) const SYSTEM_ACTOR: &str = "calmdesk";

macro_rules! process_store {
    ($Store:ty, claim_lock = $claim_lock:literal) => {
        use std::collections::BTreeMap;

        use domain::{
            CaseProcess, ExportedCommitment, ExportedFeedback, ExportedNotification, ProcessStore,
        };
        use domain::process::{
            ActionId, ActionStatus, CaseFacts, Commitment, CommitmentChange, CommitmentId,
            FeedbackAnswer, FeedbackId, FeedbackPurpose, FeedbackRequest, Job, JobId, JobKind,
            JobOutcome, JobRun, JobSpec, NewCommitment, NewNotification, NewPreventiveAction,
            Notification, NotificationId, PreventiveAction,
        };
        use jiff::SignedDuration;

        use $crate::process::{
            SUPERSEDED, SYSTEM_ACTOR, action_columns, commitment_columns, fact_cases, feedback_columns,
            job_columns, job_run_columns, notification_columns,
        };

        fn system_actor() -> Actor {
            Actor { name: SYSTEM_ACTOR.to_owned(), role: Role::Admin, agent_id: None }
        }

        fn job_from_row(row: &DbRow) -> Result<Job, StoreError> {
            let attempts: i64 = get(row, "attempts")?;
            Ok(Job {
                id: JobId(get(row, "id")?),
                key: get(row, "key")?,
                kind: parse("kind", &get::<String>(row, "kind")?)?,
                case_id: get::<Option<i64>>(row, "case_id")?.map(CaseId),
                run_at: instant("run_at", get(row, "run_at")?)?,
                payload: parse_json_value("payload", Some(get(row, "payload")?))?
                    .unwrap_or_default(),
                attempts: u32::try_from(attempts).map_err(|_| {
                    StoreError::Internal(format!("stored attempts `{attempts}` is out of range"))
                })?,
                claimed_by: get(row, "claimed_by")?,
                claimed_at: instant("claimed_at", get(row, "claimed_at")?)?,
                lease_until: instant("lease_until", get(row, "lease_until")?)?,
                generation: get(row, "generation")?,
            })
        }

        fn job_run_from_row(row: &DbRow) -> Result<JobRun, StoreError> {
            let error: Option<String> = get(row, "error")?;
            let stored: String = get(row, "outcome")?;
            // A refused finish is stored as `superseded_<outcome>`: the column stays one text.
            let (superseded, name) = match stored.strip_prefix(SUPERSEDED) {
                Some(name) => (true, name),
                None => (false, stored.as_str()),
            };
            let outcome = match name {
                "done" => JobOutcome::Done,
                "retry" => JobOutcome::Retry {
                    at: instant("retry_at", get(row, "retry_at")?)?,
                    error: error.unwrap_or_default(),
                },
                "failed" => JobOutcome::Failed { error: error.unwrap_or_default() },
                _ => {
                    return Err(StoreError::Internal(format!(
                        "stored outcome `{stored}` is unreadable: not done, retry or failed \
                     (optionally superseded_)"
                    )));
                }
            };
            Ok(JobRun {
                job_id: JobId(get(row, "job_id")?),
                key: get(row, "key")?,
                kind: parse("kind", &get::<String>(row, "kind")?)?,
                generation: get(row, "generation")?,
                worker: get(row, "worker")?,
                due_at: instant("due_at", get(row, "due_at")?)?,
                claimed_at: instant("claimed_at", get(row, "claimed_at")?)?,
                finished_at: instant("finished_at", get(row, "finished_at")?)?,
                outcome,
                superseded,
            })
        }

        fn commitment_from_row(row: &DbRow) -> Result<Commitment, StoreError> {
            Ok(Commitment {
                id: CommitmentId(get(row, "id")?),
                case_id: CaseId(get(row, "case_id")?),
                kind: parse("kind", &get::<String>(row, "kind")?)?,
                description: get(row, "description")?,
                due_at: instant("due_at", get(row, "due_at")?)?,
                status: parse("status", &get::<String>(row, "status")?)?,
                source: parse("source", &get::<String>(row, "source")?)?,
                message_id: get::<Option<i64>>(row, "message_id")?.map(MessageId),
                made_by: get(row, "made_by")?,
                created_at: instant("created_at", get(row, "created_at")?)?,
                reminded_at: optional_instant("reminded_at", get(row, "reminded_at")?)?,
                fulfilled_at: optional_instant("fulfilled_at", get(row, "fulfilled_at")?)?,
                escalated_at: optional_instant("escalated_at", get(row, "escalated_at")?)?,
            })
        }

        fn notification_from_row(row: &DbRow) -> Result<Notification, StoreError> {
            Ok(Notification {
                id: NotificationId(get(row, "id")?),
                case_id: get::<Option<i64>>(row, "case_id")?.map(CaseId),
                kind: parse("kind", &get::<String>(row, "kind")?)?,
                recipient: get(row, "recipient")?,
                subject: get(row, "subject")?,
                body: get(row, "body")?,
                created_at: instant("created_at", get(row, "created_at")?)?,
                read_at: optional_instant("read_at", get(row, "read_at")?)?,
            })
        }

        fn feedback_from_row(row: &DbRow) -> Result<FeedbackRequest, StoreError> {
            let score: Option<i64> = get(row, "score")?;
            Ok(FeedbackRequest {
                id: FeedbackId(get(row, "id")?),
                case_id: CaseId(get(row, "case_id")?),
                purpose: parse("purpose", &get::<String>(row, "purpose")?)?,
                created_at: instant("created_at", get(row, "created_at")?)?,
                answered_at: optional_instant("answered_at", get(row, "answered_at")?)?,
                score: score
                    .map(|s| {
                        u8::try_from(s).map_err(|_| {
                            StoreError::Internal(format!("stored score `{s}` is out of range"))
                        })
                    })
                    .transpose()?,
                confirmed: get(row, "confirmed")?,
                comment: get(row, "comment")?,
            })
        }

        fn action_from_row(row: &DbRow) -> Result<PreventiveAction, StoreError> {
            let due_on: String = get(row, "due_on")?;
            Ok(PreventiveAction {
                id: ActionId(get(row, "id")?),
                cause: get(row, "cause")?,
                description: get(row, "description")?,
                owner: get(row, "owner")?,
                due_on: due_on.parse().map_err(|err| {
                    StoreError::Internal(format!("stored due_on `{due_on}` is unreadable: {err}"))
                })?,
                status: parse("status", &get::<String>(row, "status")?)?,
                created_at: instant("created_at", get(row, "created_at")?)?,
                updated_at: instant("updated_at", get(row, "updated_at")?)?,
            })
        }

        /// `schedule_job` inside a command's transaction (see `ProcessStore::schedule_job`).
        async fn upsert_job(conn: &mut Conn, spec: &JobSpec) -> Result<(), StoreError> {
            sql::query(
                "INSERT INTO jobs (key, kind, case_id, run_at, payload, status, generation, attempts) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', 1, 0) \
                 ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, case_id = excluded.case_id, \
                 run_at = excluded.run_at, payload = excluded.payload, \
                 generation = jobs.generation + 1, \
                 status = CASE WHEN jobs.status = 'running' THEN 'running' ELSE 'pending' END, \
                 attempts = CASE WHEN jobs.status = 'running' THEN jobs.attempts ELSE 0 END, \
                 last_error = CASE WHEN jobs.status = 'running' THEN jobs.last_error ELSE NULL END",
            )
            .bind(spec.key.clone())
            .bind(spec.kind.as_str())
            .bind(spec.case_id.map(|c| c.0))
            .bind(micros(stored_precision(spec.run_at)))
            .bind(json_value(&spec.payload))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
            Ok(())
        }

        /// The reconcile hook: every command that changes case `id` calls this in its transaction.
        async fn schedule_review(
            conn: &mut Conn,
            id: CaseId,
            now: Timestamp,
        ) -> Result<(), StoreError> {
            let spec = JobSpec {
                key: format!("review:{}", id.0),
                kind: JobKind::ReviewCase,
                case_id: Some(id),
                run_at: now,
                payload: json!({}),
            };
            upsert_job(conn, &spec).await
        }

        async fn load_commitment(
            conn: &mut Conn,
            id: CommitmentId,
        ) -> Result<Commitment, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", commitment_columns!(), " FROM commitments WHERE id = $1"
            ))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::not_found("commitment", id))?;
            commitment_from_row(&row)
        }

        /// `add_commitment` inside a command's transaction (see `ProcessStore::add_commitment`).
        async fn insert_commitment(
            tx: &mut Conn,
            actor: &Actor,
            id: CaseId,
            c: NewCommitment,
            now: Timestamp,
        ) -> Result<Commitment, StoreError> {
            load_case(tx, id).await?;
            if let Some(message) = c.message_id {
                let found = sql::query("SELECT case_id FROM messages WHERE id = $1")
                    .bind(message.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                let of_case = found
                    .map(|row| get::<i64>(&row, "case_id"))
                    .transpose()?;
                if of_case != Some(id.0) {
                    return Err(DomainError::invalid(
                        "message_id",
                        format!("message {message} is not a message of {id}"),
                    )
                    .into());
                }
            }
            let mut commitment = Commitment {
                id: CommitmentId(0),
                case_id: id,
                kind: c.kind,
                description: c.description,
                due_at: stored_precision(c.due_at),
                status: domain::process::CommitmentStatus::Open,
                source: c.source,
                message_id: c.message_id,
                made_by: actor.name.clone(),
                created_at: now,
                reminded_at: None,
                fulfilled_at: None,
                escalated_at: None,
            };
            let inserted = sql::query(
                "INSERT INTO commitments (case_id, kind, description, due_at, status, \
                 source, message_id, made_by, dedupe_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            )
            .bind(id.0)
            .bind(commitment.kind.as_str())
            .bind(commitment.description.clone())
            .bind(micros(commitment.due_at))
            .bind(commitment.status.as_str())
            .bind(commitment.source.as_str())
            .bind(commitment.message_id.map(|m| m.0))
            .bind(commitment.made_by.clone())
            .bind(c.key.clone())
            .bind(micros(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let Some(row) = inserted else {
                let key = c.key.unwrap_or_default();
                let row = sql::query(concat!(
                    "SELECT ", commitment_columns!(), " FROM commitments WHERE dedupe_key = $1"
                ))
                .bind(key.clone())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                let stored = commitment_from_row(&row)?;
                let case = Some(stored.case_id);
                return same_case(stored, case, Some(id), &key);
            };
            commitment.id = CommitmentId(get(&row, "id")?);
            append_event(
                tx, id, actor, now, EventKind::CommitmentMade, None,
                Some(commitment_json(&commitment)),
            )
            .await?;
            let check = JobSpec {
                key: format!("commitment_check:{}", commitment.id),
                kind: JobKind::CommitmentCheck,
                case_id: Some(id),
                run_at: commitment.due_at,
                payload: json!({"commitment_id": commitment.id}),
            };
            upsert_job(tx, &check).await?;
            schedule_review(tx, id, now).await?;
            Ok(commitment)
        }

        /// The row stored under an idempotence key, which must belong to case `id`.
        fn same_case<T>(
            found: T,
            found_case: Option<CaseId>,
            id: Option<CaseId>,
            key: &str,
        ) -> Result<T, StoreError> {
            if found_case == id {
                Ok(found)
            } else {
                Err(DomainError::Conflict(format!(
                    "key `{key}` is already used for {}",
                    found_case.map_or_else(|| "no case".to_owned(), |c| c.to_string())
                ))
                .into())
            }
        }

        async fn feedback_by_hash(
            conn: &mut Conn,
            secret_hash: [u8; 32],
        ) -> Result<Option<FeedbackRequest>, StoreError> {
            let row = sql::query(concat!(
                "SELECT ", feedback_columns!(), " FROM feedback_requests WHERE secret_hash = $1"
            ))
            .bind(secret_hash.to_vec())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
            row.as_ref().map(feedback_from_row).transpose()
        }

        /// The case's process rows with their keys, for `export_cases`.
        async fn export_process(conn: &mut Conn, id: CaseId) -> Result<CaseProcess, StoreError> {
            let mut process = CaseProcess::default();
            for row in sql::query(
                "SELECT id, dedupe_key FROM messages WHERE case_id = $1 \
                 AND dedupe_key IS NOT NULL ORDER BY id",
            )
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?
            {
                process.message_keys.push((MessageId(get(&row, "id")?), get(&row, "dedupe_key")?));
            }
            for row in sql::query(concat!(
                "SELECT ", commitment_columns!(), ", dedupe_key FROM commitments \
                 WHERE case_id = $1 ORDER BY id"
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?
            {
                process.commitments.push(ExportedCommitment {
                    commitment: commitment_from_row(&row)?,
                    key: get(&row, "dedupe_key")?,
                });
            }
            for row in sql::query(concat!(
                "SELECT ", notification_columns!(), ", dedupe_key FROM notifications \
                 WHERE case_id = $1 ORDER BY id"
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?
            {
                process.notifications.push(ExportedNotification {
                    notification: notification_from_row(&row)?,
                    key: get(&row, "dedupe_key")?,
                });
            }
            for row in sql::query(concat!(
                "SELECT ", feedback_columns!(), ", dedupe_key, secret_hash, message_id \
                 FROM feedback_requests WHERE case_id = $1 ORDER BY id"
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?
            {
                let hash: Vec<u8> = get(&row, "secret_hash")?;
                let hash = <[u8; 32]>::try_from(hash).map_err(|h| {
                    StoreError::Internal(format!("stored secret_hash has {} bytes, not 32", h.len()))
                })?;
                process.feedback.push(ExportedFeedback::new(
                    feedback_from_row(&row)?,
                    get(&row, "dedupe_key")?,
                    hash,
                    MessageId(get(&row, "message_id")?),
                ));
            }
            Ok(process)
        }

        /// Stores an imported case's process rows keeping their ids (its messages are stored).
        async fn import_process(conn: &mut Conn, process: &CaseProcess) -> Result<(), StoreError> {
            for (message, key) in &process.message_keys {
                sql::query("UPDATE messages SET dedupe_key = $1 WHERE id = $2")
                    .bind(key.clone())
                    .bind(message.0)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
            }
            for ExportedCommitment { commitment: c, key } in &process.commitments {
                sql::query(concat!(
                    "INSERT INTO commitments (", commitment_columns!(), ", dedupe_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ))
                .bind(c.id.0)
                .bind(c.case_id.0)
                .bind(c.kind.as_str())
                .bind(c.description.clone())
                .bind(micros(c.due_at))
                .bind(c.status.as_str())
                .bind(c.source.as_str())
                .bind(c.message_id.map(|m| m.0))
                .bind(c.made_by.clone())
                .bind(micros(c.created_at))
                .bind(c.reminded_at.map(micros))
                .bind(c.fulfilled_at.map(micros))
                .bind(c.escalated_at.map(micros))
                .bind(key.clone())
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            }
            for ExportedNotification { notification: n, key } in &process.notifications {
                sql::query(concat!(
                    "INSERT INTO notifications (", notification_columns!(), ", dedupe_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ))
                .bind(n.id.0)
                .bind(n.case_id.map(|c| c.0))
                .bind(n.kind.as_str())
                .bind(n.recipient.clone())
                .bind(n.subject.clone())
                .bind(n.body.clone())
                .bind(micros(n.created_at))
                .bind(n.read_at.map(micros))
                .bind(key.clone())
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            }
            for exported in &process.feedback {
                let f = &exported.request;
                let hash = exported.hash().ok_or_else(|| {
                    DomainError::invalid("secret_hash", "must be 64 hex digits")
                })?;
                sql::query(concat!(
                    "INSERT INTO feedback_requests (", feedback_columns!(), ", dedupe_key, \
                     secret_hash, message_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ))
                .bind(f.id.0)
                .bind(f.case_id.0)
                .bind(f.purpose.as_str())
                .bind(micros(f.created_at))
                .bind(f.answered_at.map(micros))
                .bind(f.score.map(i64::from))
                .bind(f.confirmed)
                .bind(f.comment.clone())
                .bind(exported.key.clone())
                .bind(hash.to_vec())
                .bind(exported.message_id.0)
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            }
            Ok(())
        }

        /// A page of notifications, newest first: of one case, and only to `recipients`, when
        /// given (in the query, so a page is only short when nothing is left).
        async fn notifications_page(
            reader: &sql::Reader,
            case: Option<CaseId>,
            recipients: Option<&[String]>,
            query: &ListQuery,
        ) -> Result<Page<Notification>, StoreError> {
            let query = query.validate()?;
            let mut select = sql::Builder::new(concat!(
                "SELECT ", notification_columns!(), " FROM notifications WHERE 1 = 1"
            ));
            if let Some(case) = case {
                select.push(" AND case_id = ").push_bind(case.0);
            }
            if let Some(recipients) = recipients {
                if recipients.is_empty() {
                    return Ok(Page { items: Vec::new(), next_cursor: None });
                }
                select.push(" AND recipient IN (");
                let mut names = select.separated(", ");
                for recipient in recipients {
                    names.push_bind(recipient.clone());
                }
                select.push(")");
            }
            if let Some(cursor) = query.cursor {
                select.push(" AND id < ").push_bind(cursor.last_id);
            }
            select
                .push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(query.limit) + 1);
            let rows = select.build().fetch_all(reader).await.map_err(db_error)?;
            Ok(page(all(rows, notification_from_row)?, query.limit, |n| n.id.0))
        }

        fn commitment_json(c: &Commitment) -> Value {
            json!({
                "commitment_id": c.id, "kind": c.kind, "description": c.description,
                "due_at": c.due_at, "status": c.status, "source": c.source,
                "message_id": c.message_id,
            })
        }

        #[async_trait]
        impl ProcessStore for $Store {
            async fn schedule_job(&self, spec: JobSpec) -> Result<(), StoreError> {
                let spec = spec.validate()?;
                self.write_as(Urgency::Background, move |tx| boxed(async move {
                    if let Some(case) = spec.case_id {
                        load_case(tx, case).await?;
                    }
                    upsert_job(tx, &spec).await
                }))
                .await
            }

            async fn claim_due_jobs(
                &self,
                worker: &str,
                now: Timestamp,
                lease: SignedDuration,
                limit: u32,
            ) -> Result<Vec<Job>, StoreError> {
                let worker = checked_token_name(worker)
                    .map_err(|_| DomainError::invalid("worker", "must be 1 to 200 characters"))?;
                if !lease.is_positive() {
                    return Err(DomainError::invalid("lease", "must be positive").into());
                }
                if limit == 0 {
                    return Err(DomainError::invalid("limit", "must be at least 1").into());
                }
                let now = stored_precision(now);
                let until = now.checked_add(lease).map_err(|err| {
                    DomainError::invalid("lease", format!("ends out of range: {err}"))
                })?;
                let until = stored_precision(until);
                let mut jobs = self.write_as(Urgency::Background, move |tx| boxed(async move {
                    let rows = sql::query(concat!(
                        "UPDATE jobs SET status = 'running', claimed_by = $1, claimed_at = $2, \
                         lease_until = $3, attempts = attempts + 1 \
                         WHERE id IN (SELECT id FROM jobs \
                         WHERE (status = 'pending' AND run_at <= $2) \
                         OR (status = 'running' AND lease_until <= $2) \
                         ORDER BY run_at, id LIMIT $4 ", $claim_lock, ") \
                         RETURNING ", job_columns!()
                    ))
                    .bind(worker)
                    .bind(micros(now))
                    .bind(micros(until))
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    all(rows, job_from_row)
                }))
                .await?;
                jobs.sort_by_key(|job| (job.run_at, job.id));
                Ok(jobs)
            }

            async fn finish_job(
                &self,
                job: &Job,
                outcome: JobOutcome,
                now: Timestamp,
            ) -> Result<(), StoreError> {
                let now = stored_precision(now);
                let job = job.clone();
                let (status, retry_at, error) = match &outcome {
                    JobOutcome::Done => ("done", None, None),
                    JobOutcome::Retry { at, error } => {
                        ("pending", Some(stored_precision(*at)), Some(error.clone()))
                    }
                    JobOutcome::Failed { error } => ("failed", None, Some(error.clone())),
                };
                let outcome_name = match outcome {
                    JobOutcome::Done => "done",
                    JobOutcome::Retry { .. } => "retry",
                    JobOutcome::Failed { .. } => "failed",
                };
                let key = job.key.clone();
                let claim = (job.claimed_by.clone(), job.claimed_at);
                let finished = self.write_as(Urgency::Background, move |tx| boxed(async move {
                    // The claim holds only while the job is still running under this very claim;
                    // the check and the change are one statement, so a concurrent takeover
                    // cannot slip in between. A newer generation means it was rescheduled while
                    // it ran: it stays pending (at the earlier of its new time and a retry).
                    let done = sql::query(
                        "UPDATE jobs SET \
                         status = CASE WHEN generation = $4 THEN $5 ELSE 'pending' END, \
                         run_at = CASE WHEN $6 IS NOT NULL AND (generation = $4 OR run_at > $6) \
                         THEN $6 ELSE run_at END, \
                         attempts = CASE WHEN generation = $4 THEN attempts ELSE 0 END, \
                         lease_until = NULL, last_error = $7 \
                         WHERE id = $1 AND status = 'running' AND claimed_by = $2 AND claimed_at = $3",
                    )
                    .bind(job.id.0)
                    .bind(job.claimed_by.clone())
                    .bind(micros(job.claimed_at))
                    .bind(job.generation)
                    .bind(status)
                    .bind(retry_at.map(micros))
                    .bind(error.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    // A refused finish changes nothing but is still recorded (as its own
                    // transaction: the UPDATE above touched no row), so a job that ran twice
                    // shows as two runs instead of hiding behind the run that counted.
                    let finished = done.rows_affected() == 1;
                    let outcome_name = if finished {
                        outcome_name.to_owned()
                    } else {
                        format!("{SUPERSEDED}{outcome_name}")
                    };
                    sql::query(concat!(
                        "INSERT INTO job_runs (", job_run_columns!(), ") \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                    ))
                    .bind(job.id.0)
                    .bind(job.key.clone())
                    .bind(job.kind.as_str())
                    .bind(job.generation)
                    .bind(job.claimed_by.clone())
                    .bind(micros(job.run_at))
                    .bind(micros(job.claimed_at))
                    .bind(micros(now))
                    .bind(outcome_name)
                    .bind(error)
                    .bind(retry_at.map(micros))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    Ok(finished)
                }))
                .await?;
                if !finished {
                    return Err(DomainError::Conflict(format!(
                        "job `{key}` is no longer claimed by {} (claimed at {}): its lease ran \
                         out and another worker took it over, or the claim was finished already",
                        claim.0, claim.1
                    ))
                    .into());
                }
                Ok(())
            }

            async fn next_job_at(&self) -> Result<Option<Timestamp>, StoreError> {
                let row = sql::query(
                    "SELECT MIN(CASE WHEN status = 'pending' THEN run_at ELSE lease_until END) \
                     AS next FROM jobs WHERE status IN ('pending', 'running')",
                )
                .fetch_one(self.reader())
                .await
                .map_err(db_error)?;
                optional_instant("run_at", get(&row, "next")?)
            }

            async fn job_runs(&self, since: Timestamp) -> Result<Vec<JobRun>, StoreError> {
                let rows = sql::query(concat!(
                    "SELECT ", job_run_columns!(),
                    " FROM job_runs WHERE finished_at >= $1 ORDER BY finished_at, id"
                ))
                .bind(micros(since))
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                all(rows, job_run_from_row)
            }

            async fn job_runs_page(
                &self,
                since: Timestamp,
                query: &ListQuery,
            ) -> Result<Page<JobRun>, StoreError> {
                let query = query.validate()?;
                let after = query.cursor.map_or(0, |cursor| cursor.last_id);
                let rows = sql::query(concat!(
                    "SELECT id, ", job_run_columns!(),
                    " FROM job_runs WHERE finished_at >= $1 AND id > $2 ORDER BY id LIMIT $3"
                ))
                .bind(micros(since))
                .bind(after)
                .bind(i64::from(query.limit) + 1)
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                let runs = rows
                    .iter()
                    .map(|row| Ok((get::<i64>(row, "id")?, job_run_from_row(row)?)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let page = page(runs, query.limit, |(id, _)| *id);
                Ok(Page {
                    items: page.items.into_iter().map(|(_, run)| run).collect(),
                    next_cursor: page.next_cursor,
                })
            }

            async fn prune_job_runs(&self, before: Timestamp) -> Result<u64, StoreError> {
                let before = micros(before);
                self.write_as(Urgency::Background, move |tx| boxed(async move {
                    let done = sql::query("DELETE FROM job_runs WHERE finished_at < $1")
                        .bind(before)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    Ok(done.rows_affected())
                }))
                .await
            }

            async fn add_message_once(
                &self,
                actor: &Actor,
                id: CaseId,
                msg: NewMessage,
                key: &str,
                now: Timestamp,
            ) -> Result<(Message, bool), StoreError> {
                let msg = msg.validate()?;
                let key = domain::process::idempotence_key(key)?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    if let Some(message) =
                        add_case_message(tx, &actor, id, msg, Some(&key), now).await?
                    {
                        return Ok((message, true));
                    }
                    let stored = message_by_key(tx, &key).await?;
                    let case = Some(stored.case_id);
                    Ok((same_case(stored, case, Some(id), &key)?, false))
                }))
                .await
            }

            async fn add_message_with_commitment(
                &self,
                actor: &Actor,
                id: CaseId,
                msg: NewMessage,
                key: &str,
                c: NewCommitment,
                now: Timestamp,
            ) -> Result<(Message, Commitment, bool), StoreError> {
                let msg = msg.validate()?;
                let key = domain::process::idempotence_key(key)?;
                let mut c = c.validate()?;
                c.key.get_or_insert_with(|| key.clone());
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let (message, sent) =
                        match add_case_message(tx, &actor, id, msg, Some(&key), now).await? {
                            Some(message) => (message, true),
                            None => {
                                let stored = message_by_key(tx, &key).await?;
                                let case = Some(stored.case_id);
                                (same_case(stored, case, Some(id), &key)?, false)
                            }
                        };
                    // Stored before this method existed, a message may lack its promise: made
                    // now, under its key, it is there whichever way the call goes.
                    c.message_id = Some(message.id);
                    let commitment = insert_commitment(tx, &actor, id, c, now).await?;
                    Ok((message, commitment, sent))
                }))
                .await
            }

            async fn add_commitment(
                &self,
                actor: &Actor,
                id: CaseId,
                c: NewCommitment,
                now: Timestamp,
            ) -> Result<Commitment, StoreError> {
                let c = c.validate()?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    insert_commitment(tx, &actor, id, c, now).await
                }))
                .await
            }

            async fn get_commitment(&self, id: CommitmentId) -> Result<Commitment, StoreError> {
                let mut conn = self.reader().acquire().await.map_err(db_error)?;
                load_commitment(&mut conn, id).await
            }

            async fn list_commitments(&self, id: CaseId) -> Result<Vec<Commitment>, StoreError> {
                let mut tx = self.read_tx().await?;
                load_case(&mut tx, id).await?;
                let rows = sql::query(concat!(
                    "SELECT ", commitment_columns!(), " FROM commitments WHERE case_id = $1 ORDER BY id"
                ))
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
                all(rows, commitment_from_row)
            }

            async fn change_commitment(
                &self,
                actor: &Actor,
                id: CommitmentId,
                change: CommitmentChange,
                now: Timestamp,
            ) -> Result<Commitment, StoreError> {
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let before = load_commitment(tx, id).await?;
                    let after = change.apply(&before, now)?;
                    // Guarded by the status read above: PostgreSQL runs writers in parallel.
                    let done = sql::query(
                        "UPDATE commitments SET status = $1, reminded_at = $2, fulfilled_at = $3, \
                         escalated_at = $4 WHERE id = $5 AND status = $6",
                    )
                    .bind(after.status.as_str())
                    .bind(after.reminded_at.map(micros))
                    .bind(after.fulfilled_at.map(micros))
                    .bind(after.escalated_at.map(micros))
                    .bind(id.0)
                    .bind(before.status.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    if done.rows_affected() != 1 {
                        return Err(DomainError::Conflict(format!(
                            "commitment {id} was changed by someone else meanwhile; reload and try again"
                        ))
                        .into());
                    }
                    append_event(
                        tx, after.case_id, &actor, now, EventKind::CommitmentChanged,
                        Some(json!({"commitment_id": id, "status": before.status})),
                        Some(json!({"commitment_id": id, "status": after.status, "change": change})),
                    )
                    .await?;
                    schedule_review(tx, after.case_id, now).await?;
                    Ok(after)
                }))
                .await
            }

            async fn notify(
                &self,
                n: NewNotification,
                now: Timestamp,
            ) -> Result<(Notification, bool), StoreError> {
                let n = n.validate()?;
                let now = stored_precision(now);
                self.write_as(Urgency::Background, move |tx| boxed(async move {
                    if let Some(case) = n.case_id {
                        load_case(tx, case).await?;
                    }
                    let inserted = sql::query(
                        "INSERT INTO notifications (dedupe_key, case_id, kind, recipient, subject, \
                         body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                    )
                    .bind(n.key.clone())
                    .bind(n.case_id.map(|c| c.0))
                    .bind(n.kind.as_str())
                    .bind(n.recipient.clone())
                    .bind(n.subject.clone())
                    .bind(n.body.clone())
                    .bind(micros(now))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let Some(row) = inserted else {
                        let row = sql::query(concat!(
                            "SELECT ", notification_columns!(), " FROM notifications WHERE dedupe_key = $1"
                        ))
                        .bind(n.key.clone())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        let stored = notification_from_row(&row)?;
                        let case = stored.case_id;
                        return Ok((same_case(stored, case, n.case_id, &n.key)?, false));
                    };
                    let notification = Notification {
                        id: NotificationId(get(&row, "id")?),
                        case_id: n.case_id,
                        kind: n.kind,
                        recipient: n.recipient,
                        subject: n.subject,
                        body: n.body,
                        created_at: now,
                        read_at: None,
                    };
                    if let Some(case) = notification.case_id {
                        let sent = json!({
                            "notification_id": notification.id, "kind": notification.kind,
                            "recipient": notification.recipient, "subject": notification.subject,
                        });
                        append_event(
                            tx, case, &system_actor(), now, EventKind::NotificationSent, None,
                            Some(sent),
                        )
                        .await?;
                    }
                    Ok((notification, true))
                }))
                .await
            }

            async fn get_notification(
                &self,
                id: NotificationId,
            ) -> Result<(Notification, String), StoreError> {
                let row = sql::query(concat!(
                    "SELECT ", notification_columns!(), ", dedupe_key FROM notifications WHERE id = $1"
                ))
                .bind(id.0)
                .fetch_optional(self.reader())
                .await
                .map_err(db_error)?
                .ok_or_else(|| DomainError::not_found("notification", id))?;
                Ok((notification_from_row(&row)?, get(&row, "dedupe_key")?))
            }

            async fn list_notifications(
                &self,
                case: Option<CaseId>,
                query: &ListQuery,
            ) -> Result<Page<Notification>, StoreError> {
                notifications_page(self.reader(), case, None, query).await
            }

            async fn list_notifications_to(
                &self,
                case: Option<CaseId>,
                recipients: &[String],
                query: &ListQuery,
            ) -> Result<Page<Notification>, StoreError> {
                notifications_page(self.reader(), case, Some(recipients), query).await
            }

            async fn send_feedback_request(
                &self,
                actor: &Actor,
                id: CaseId,
                purpose: FeedbackPurpose,
                secret_hash: [u8; 32],
                msg: NewMessage,
                key: &str,
                now: Timestamp,
            ) -> Result<Option<FeedbackRequest>, StoreError> {
                let msg = msg.validate()?;
                let key = domain::process::idempotence_key(key)?;
                let now = stored_precision(now);
                let actor = actor.clone();
                self.write_as(Urgency::of(&actor), move |tx| boxed(async move {
                    let Some(message) =
                        add_case_message(tx, &actor, id, msg, Some(&key), now).await?
                    else {
                        return Ok(None);
                    };
                    let row = sql::query(
                        "INSERT INTO feedback_requests (case_id, purpose, dedupe_key, secret_hash, \
                         message_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(id.0)
                    .bind(purpose.as_str())
                    .bind(key)
                    .bind(secret_hash.to_vec())
                    .bind(message.id.0)
                    .bind(micros(now))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    let request = FeedbackRequest {
                        id: FeedbackId(get(&row, "id")?),
                        case_id: id,
                        purpose,
                        created_at: now,
                        answered_at: None,
                        score: None,
                        confirmed: None,
                        comment: None,
                    };
                    append_event(
                        tx, id, &actor, now, EventKind::FeedbackRequested, None,
                        Some(json!({
                            "feedback_id": request.id, "purpose": purpose,
                            "message_id": message.id,
                        })),
                    )
                    .await?;
                    Ok(Some(request))
                }))
                .await
            }

            async fn find_feedback(
                &self,
                secret_hash: [u8; 32],
            ) -> Result<Option<FeedbackRequest>, StoreError> {
                let mut conn = self.reader().acquire().await.map_err(db_error)?;
                feedback_by_hash(&mut conn, secret_hash).await
            }

            async fn answer_feedback(
                &self,
                secret_hash: [u8; 32],
                answer: FeedbackAnswer,
                now: Timestamp,
            ) -> Result<FeedbackRequest, StoreError> {
                let now = stored_precision(now);
                self.write(move |tx| boxed(async move {
                    let before = feedback_by_hash(tx, secret_hash)
                        .await?
                        .ok_or_else(|| DomainError::not_found("feedback request", "for this link"))?;
                    if let Some(at) = before.answered_at {
                        return Err(DomainError::Conflict(format!(
                            "this feedback request was answered already (at {at})"
                        ))
                        .into());
                    }
                    let answer = answer.validate(before.purpose)?;
                    // `answered_at IS NULL` keeps a concurrent second answer out.
                    let done = sql::query(
                        "UPDATE feedback_requests SET answered_at = $1, score = $2, confirmed = $3, \
                         comment = $4 WHERE id = $5 AND answered_at IS NULL",
                    )
                    .bind(micros(now))
                    .bind(answer.score.map(i64::from))
                    .bind(answer.confirmed)
                    .bind(answer.comment.clone())
                    .bind(before.id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    if done.rows_affected() != 1 {
                        return Err(DomainError::Conflict(
                            "this feedback request was answered already".to_owned(),
                        )
                        .into());
                    }
                    let request = FeedbackRequest {
                        answered_at: Some(now),
                        score: answer.score,
                        confirmed: answer.confirmed,
                        comment: answer.comment,
                        ..before
                    };
                    let case = load_case(tx, request.case_id).await?;
                    let customer = Actor {
                        name: load_customer(tx, case.customer_id).await?.name,
                        ..system_actor()
                    };
                    append_event(
                        tx, case.id, &customer, now, EventKind::FeedbackReceived, None,
                        Some(json!({
                            "feedback_id": request.id, "purpose": request.purpose,
                            "score": request.score, "confirmed": request.confirmed,
                            "comment": request.comment,
                        })),
                    )
                    .await?;
                    schedule_review(tx, case.id, now).await?;
                    Ok(request)
                }))
                .await
            }

            async fn list_feedback(&self, id: CaseId) -> Result<Vec<FeedbackRequest>, StoreError> {
                let mut tx = self.read_tx().await?;
                load_case(&mut tx, id).await?;
                let rows = sql::query(concat!(
                    "SELECT ", feedback_columns!(), " FROM feedback_requests WHERE case_id = $1 ORDER BY id"
                ))
                .bind(id.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
                all(rows, feedback_from_row)
            }

            async fn create_action(
                &self,
                a: NewPreventiveAction,
                now: Timestamp,
            ) -> Result<PreventiveAction, StoreError> {
                let a = a.validate()?;
                let now = stored_precision(now);
                self.write(move |tx| boxed(async move {
                    let row = sql::query(concat!(
                        "INSERT INTO preventive_actions (cause, description, owner, due_on, status, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
                        action_columns!()
                    ))
                    .bind(a.cause)
                    .bind(a.description)
                    .bind(a.owner)
                    .bind(a.due_on.to_string())
                    .bind(ActionStatus::Open.as_str())
                    .bind(micros(now))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    action_from_row(&row)
                }))
                .await
            }

            async fn set_action_status(
                &self,
                id: ActionId,
                status: ActionStatus,
                now: Timestamp,
            ) -> Result<PreventiveAction, StoreError> {
                let now = stored_precision(now);
                self.write(move |tx| boxed(async move {
                    let row = sql::query(concat!(
                        "UPDATE preventive_actions SET status = $1, updated_at = $2 WHERE id = $3 \
                         RETURNING ", action_columns!()
                    ))
                    .bind(status.as_str())
                    .bind(micros(now))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .ok_or_else(|| DomainError::not_found("preventive action", id))?;
                    action_from_row(&row)
                }))
                .await
            }

            async fn list_actions(&self) -> Result<Vec<PreventiveAction>, StoreError> {
                let rows = sql::query(concat!(
                    "SELECT ", action_columns!(), " FROM preventive_actions ORDER BY id"
                ))
                .fetch_all(self.reader())
                .await
                .map_err(db_error)?;
                all(rows, action_from_row)
            }

            async fn case_facts(&self, since: Timestamp) -> Result<Vec<CaseFacts>, StoreError> {
                let since = micros(since);
                // One snapshot, one query per kind of fact (not per case). Every open case and
                // everything recent: a long read.
                let mut tx = self.long_read_tx().await?;
                let mut fetch = async |sql: &'static str| {
                    sql::query(sql).bind(since).fetch_all(&mut *tx).await.map_err(db_error)
                };
                let cases = all(
                    fetch(concat!(
                        "SELECT ", case_columns!(), " FROM cases WHERE id IN (", fact_cases!(),
                        ") ORDER BY id"
                    ))
                    .await?,
                    case_from_row,
                )?;
                let customers: BTreeMap<CustomerId, Customer> = all(
                    fetch(concat!(
                        "SELECT ", customer_columns!(), " FROM customers WHERE id IN \
                         (SELECT customer_id FROM cases WHERE id IN (", fact_cases!(), "))"
                    ))
                    .await?,
                    customer_from_row,
                )?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
                let mut status_changes: BTreeMap<CaseId, Vec<(Timestamp, Status)>> = BTreeMap::new();
                for event in all(
                    fetch(concat!(
                        "SELECT ", event_columns!(), " FROM events WHERE kind = 'status_changed' \
                         AND case_id IN (", fact_cases!(), ") ORDER BY id"
                    ))
                    .await?,
                    event_from_row,
                )? {
                    let status = event
                        .after
                        .as_ref()
                        .and_then(|after| after.get("status"))
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            StoreError::Internal(format!(
                                "status_changed event {} names no status", event.id
                            ))
                        })?;
                    status_changes
                        .entry(event.case_id)
                        .or_default()
                        .push((event.at, parse("status", status)?));
                }
                // The first reply counts staff messages only: the engine's own (sent once per
                // key, so they carry a dedupe key) include the acknowledgement, dated on receipt,
                // which would make every time to first response zero. The last reply counts
                // them all, as the live SLA clock does: a delay notice is an update (TL-8).
                let mut outbound: BTreeMap<CaseId, (Option<Timestamp>, Timestamp)> =
                    BTreeMap::new();
                for row in fetch(concat!(
                    "SELECT case_id, MIN(CASE WHEN dedupe_key IS NULL THEN created_at END) \
                     AS first, MAX(created_at) AS last \
                     FROM messages WHERE direction = 'outbound' AND case_id IN (", fact_cases!(),
                    ") GROUP BY case_id"
                ))
                .await?
                {
                    outbound.insert(
                        CaseId(get(&row, "case_id")?),
                        (
                            optional_instant("first", get(&row, "first")?)?,
                            instant("last", get(&row, "last")?)?,
                        ),
                    );
                }
                let mut inbound: BTreeMap<CaseId, Vec<String>> = BTreeMap::new();
                for row in fetch(concat!(
                    "SELECT case_id, body FROM messages WHERE direction = 'inbound' \
                     AND case_id IN (", fact_cases!(), ") ORDER BY id"
                ))
                .await?
                {
                    inbound.entry(CaseId(get(&row, "case_id")?)).or_default().push(get(&row, "body")?);
                }
                let mut commitments: BTreeMap<CaseId, Vec<Commitment>> = BTreeMap::new();
                for c in all(
                    fetch(concat!(
                        "SELECT ", commitment_columns!(), " FROM commitments WHERE case_id IN (",
                        fact_cases!(), ") ORDER BY id"
                    ))
                    .await?,
                    commitment_from_row,
                )? {
                    commitments.entry(c.case_id).or_default().push(c);
                }
                let mut feedback: BTreeMap<CaseId, Vec<FeedbackRequest>> = BTreeMap::new();
                for f in all(
                    fetch(concat!(
                        "SELECT ", feedback_columns!(), " FROM feedback_requests WHERE case_id IN (",
                        fact_cases!(), ") ORDER BY id"
                    ))
                    .await?,
                    feedback_from_row,
                )? {
                    feedback.entry(f.case_id).or_default().push(f);
                }
                cases
                    .into_iter()
                    .map(|case| {
                        let customer = customers.get(&case.customer_id).cloned().ok_or_else(|| {
                            StoreError::Internal(format!("the customer of {} is missing", case.id))
                        })?;
                        let (first_outbound_at, last_outbound_at) =
                            outbound.get(&case.id).map_or((None, None), |(f, l)| (*f, Some(*l)));
                        Ok(CaseFacts {
                            status_changes: status_changes.remove(&case.id).unwrap_or_default(),
                            first_outbound_at,
                            last_outbound_at,
                            inbound: inbound.remove(&case.id).unwrap_or_default(),
                            commitments: commitments.remove(&case.id).unwrap_or_default(),
                            feedback: feedback.remove(&case.id).unwrap_or_default(),
                            customer,
                            case,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use {
    action_columns, commitment_columns, fact_cases, feedback_columns, job_columns, job_run_columns,
    notification_columns, process_store,
};
