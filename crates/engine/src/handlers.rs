//! The job handlers. Each derives what is still to do from the stored state and does it through
//! keyed (idempotent) store commands, so a run repeated after a crash sends nothing twice. Staff
//! alerts are sent before the state change that records them, so a crash in between repeats the
//! (deduplicated) alert rather than losing it.

use std::collections::{BTreeMap, BTreeSet};

use coach::{AnalyzeInput, LintInput, PromiseKind, ReferenceTime};
use domain::notices::Notice;
use domain::process::{
    Commitment, CommitmentChange, CommitmentId, CommitmentKind, CommitmentSource, CommitmentStatus,
    FeedbackPurpose, FeedbackRequest, Job, JobKind, JobSpec, NewCommitment, NewNotification,
    Notification, NotificationKind,
};
use domain::routing::{self, Candidate, CustomerContact, RoutingDecision, RoutingRequest};
use domain::sla::{SlaState, TargetStatus};
use domain::{
    Actor, Assign, Case, CaseDetail, CaseFilter, CaseId, Channel, Direction, Event, EventKind,
    ListQuery, Message, NewMessage, Resolution, Role, Status, Timestamp, Transition, UpdateCase,
};
use jiff::SignedDuration;
use serde_json::json;

use crate::case_view::{
    self, SUPERVISOR, customer_texts, entered, owner_recipient, staff_texts, status_changes,
    written_by_staff,
};
use crate::settings::{DelayNotices, EngineConfig};
use crate::{ENGINE_NAME, Engine, EngineError, engine_actor, feedback_secret};

/// An acknowledgement sent this soon after receipt counts as sent on receipt: ISO 10002's "at
/// once" target is met by the engine's reaction time, not broken by it.
const ACKNOWLEDGE_GRACE: SignedDuration = SignedDuration::from_secs(60);

/// Microseconds since the epoch: instants in keys, exact to what the store keeps.
fn micros(at: Timestamp) -> i128 {
    at.as_microsecond() as i128
}

impl Engine {
    pub(crate) async fn handle(&self, job: &Job) -> Result<(), EngineError> {
        let case_of = |job: &Job| {
            job.case_id.ok_or_else(|| EngineError::BadJob {
                key: job.key.clone(),
                reason: "names no case".to_owned(),
            })
        };
        match job.kind {
            JobKind::ReviewCase => self.review_case(case_of(job)?).await,
            JobKind::SlaCheck => self.sla_check(case_of(job)?).await,
            JobKind::CommitmentCheck => self.commitment_check(commitment_of(job)?).await,
            JobKind::FollowUp => self.follow_up(case_of(job)?, job).await,
        }
    }

    // --- review_case ------------------------------------------------------------------------

    /// Reconciles a case with everything the process expects of it.
    pub(crate) async fn review_case(&self, id: CaseId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let mut detail = store.get_case(id).await?;
        let events = store.timeline(id).await?;
        let flagged_now = self.detect_threat(&mut detail, &events, now).await?;
        self.acknowledge(&mut detail, &events, now).await?;
        self.route(&mut detail, now).await?;
        self.hand_off(&detail, &events, now).await?;
        let mut commitments = self.track_promises(&detail, now).await?;
        self.fulfil_commitments(&detail, &events, &mut commitments, now)
            .await?;
        self.schedule_reminders(&commitments, now).await?;
        let feedback = store.list_feedback(id).await?;
        self.ask_confirmation(&detail, &events, &feedback, now)
            .await?;
        self.act_on_feedback(&mut detail, &events, &feedback, now)
            .await?;
        self.safety_procedure(&detail, &events, flagged_now, now)
            .await?;
        self.schedule_timers(&detail, &events, &feedback, now).await
    }

    /// TL-10: a threat in what the customer wrote flags the case. When staff have cleared the
    /// flag, only messages that came after that count: their judgement is not overruled by the
    /// message they already judged.
    async fn detect_threat(
        &self,
        detail: &mut CaseDetail,
        events: &[Event],
        now: Timestamp,
    ) -> Result<Option<Timestamp>, EngineError> {
        if detail.case.safety_flag {
            return Ok(None);
        }
        let cleared_at = events
            .iter()
            .rev()
            .find(|e| safety_flag_set(e) == Some(false))
            .map(|e| e.at);
        let hint = language_hint(detail);
        let threat = detail
            .messages
            .iter()
            .filter(|m| m.direction == Direction::Inbound)
            .filter(|m| cleared_at.is_none_or(|cleared| m.created_at > cleared))
            .any(|m| {
                self.config()
                    .coach
                    .analyze(&AnalyzeInput {
                        text: m.body.clone(),
                        language: hint,
                    })
                    .threat
            });
        if threat {
            let update = UpdateCase {
                safety_flag: Some(true),
                ..UpdateCase::default()
            };
            detail.case = self
                .store()
                .update_case(&engine_actor(), detail.case.id, update, now)
                .await?;
            return Ok(Some(detail.case.updated_at));
        }
        Ok(None)
    }

    /// ISO 10002: acknowledge receipt with the case id and the deadline, in the customer's
    /// language, then mark the case acknowledged.
    async fn acknowledge(
        &self,
        detail: &mut CaseDetail,
        events: &[Event],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if detail.case.status != Status::Received {
            return Ok(());
        }
        let received = detail.case.created_at;
        let at = if now.duration_since(received) <= ACKNOWLEDGE_GRACE {
            received
        } else {
            now
        };
        let sla = case_view::sla_status(self.config(), detail, events, at)?;
        let deadline = sla.resolution.due.unwrap_or(at);
        let notice = Notice::Acknowledgement {
            customer_name: &detail.customer.name,
            case_id: detail.case.id,
            deadline,
        };
        let message = self.customer_message(detail, &notice);
        self.store()
            .add_message_once(
                &engine_actor(),
                detail.case.id,
                message,
                &format!("ack:{}", detail.case.id.0),
                at,
            )
            .await?;
        detail.case = self
            .store()
            .transition(
                &engine_actor(),
                detail.case.id,
                Transition {
                    to: Status::Acknowledged,
                    resolution: None,
                },
                at,
            )
            .await?;
        Ok(())
    }

    /// TL-7: a case nobody has goes to the least busy competent agent, or waits in the right
    /// queue with the customer's name, question and contact; a note says why.
    async fn route(&self, detail: &mut CaseDetail, now: Timestamp) -> Result<(), EngineError> {
        let case = &detail.case;
        if case.assignee_id.is_some()
            || case.department_id.is_some()
            || matches!(case.status, Status::Resolved | Status::Closed)
        {
            return Ok(());
        }
        let store = self.store();
        let settings = &self.config().settings.routing;
        let departments = store.list_departments().await?;
        let agents = case_view::all_agents(store).await?;
        let mut loads = Vec::with_capacity(agents.len());
        for agent in agents.iter().filter(|a| a.active) {
            loads.push((agent, open_cases(store, agent.id).await?));
        }
        let candidates: Vec<Candidate<'_>> = loads
            .iter()
            .map(|(agent, open)| Candidate {
                agent,
                open_cases: *open,
                max_open_cases: settings.max_open_cases,
                safety_trained: settings.safety_trained.contains(&agent.id.0),
            })
            .collect();
        let question = detail
            .messages
            .iter()
            .find(|m| m.direction == Direction::Inbound)
            .map_or(case.subject.as_str(), |m| m.body.as_str());
        let request = RoutingRequest {
            category: case.category.as_deref(),
            language: case
                .language
                .as_deref()
                .or(detail.customer.language.as_deref()),
            safety: case.safety_flag,
            contact: CustomerContact {
                full_name: &detail.customer.name,
                question,
                phone: detail.customer.phone.as_deref(),
                email: detail.customer.email.as_deref(),
            },
        };
        let decision = routing::route(&request, &departments, &candidates);
        let (assign, tag, reader) = match &decision {
            RoutingDecision::Assign {
                agent_id,
                department_id,
                ..
            } => (
                Some((Some(*agent_id), *department_id)),
                format!("agent:{}", agent_id.0),
                agents.iter().find(|a| a.id == *agent_id),
            ),
            RoutingDecision::Queue {
                department_id: Some(department),
                ..
            } => (
                Some((None, Some(*department))),
                format!("department:{}", department.0),
                None,
            ),
            RoutingDecision::Queue { .. } => (None, "general".to_owned(), None),
        };
        let language = case_view::staff_language(self.config(), reader);
        let note = decision.explain(self.config().catalog.texts(Some(language)));
        let id = case.id;
        // The note first: if the assignment below is lost to a crash, the next review routes
        // again; the note is not repeated for the same decision.
        self.note(id, note, &format!("route:{}:{tag}", id.0), now)
            .await?;
        if let Some((agent_id, department_id)) = assign {
            detail.case = store
                .assign(
                    &engine_actor(),
                    id,
                    Assign {
                        agent_id,
                        department_id,
                        note: None,
                    },
                    now,
                )
                .await?;
        }
        Ok(())
    }

    /// TL-7: the newest transfer's hand-off note is shown to whoever takes the case over (the
    /// agent, or the supervisors when it went to a department's queue), with the customer's name,
    /// question and contact, so nobody has to ask the customer again.
    async fn hand_off(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let Some(transfer) = events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Transferred)
        else {
            return Ok(());
        };
        let after = transfer.after.as_ref();
        let note = after
            .and_then(|a| a.get("note")?.as_str())
            .unwrap_or_default();
        let assignee = after
            .and_then(|a| a.get("assignee_id")?.as_i64())
            .map(domain::AgentId);
        let recipient =
            assignee.map_or_else(|| SUPERVISOR.to_owned(), |id| format!("agent:{}", id.0));
        // Handled already: no store write on every review of the case.
        let told = self.notifications(detail.case.id).await?.iter().any(|n| {
            n.kind == NotificationKind::Handoff
                && n.recipient == recipient
                && n.created_at >= transfer.at
        });
        if told {
            return Ok(());
        }
        let agent = case_view::agent(self.store(), assignee).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let customer = &detail.customer;
        let contact = [customer.phone.as_deref(), customer.email.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let contact = if contact.is_empty() {
            texts.text("handoff.no_contact", &[])
        } else {
            contact
        };
        let (subject, body) = texts.subject_and_body(
            "handoff",
            &[
                ("case_id", &detail.case.id.to_string()),
                ("from", &transfer.actor),
                ("note", note),
                ("customer_name", &customer.name),
                ("question", &detail.case.subject),
                ("contact", &contact),
            ],
        );
        self.notify(
            detail.case.id,
            NotificationKind::Handoff,
            &recipient,
            subject,
            body,
            format!("handoff:{}", transfer.id.0),
            now,
        )
        .await
    }

    /// CLEAR-C: promises in staff replies ("I'll call you back within 10 minutes") become
    /// commitments due when promised, counted from the reply's own time.
    async fn track_promises(
        &self,
        detail: &CaseDetail,
        now: Timestamp,
    ) -> Result<Vec<Commitment>, EngineError> {
        let store = self.store();
        let id = detail.case.id;
        let mut commitments = store.list_commitments(id).await?;
        let mut known: BTreeMap<i64, usize> = BTreeMap::new();
        for c in &commitments {
            if let Some(message) = c.message_id {
                *known.entry(message.0).or_default() += 1;
            }
        }
        let hint = language_hint(detail);
        let mut added = false;
        for message in detail.messages.iter().filter(|m| written_by_staff(m)) {
            let promises = self.promises_in(message, hint);
            if promises.len() <= known.get(&message.id.0).copied().unwrap_or(0) {
                continue;
            }
            let actor = Actor {
                name: message
                    .author
                    .clone()
                    .unwrap_or_else(|| ENGINE_NAME.to_owned()),
                role: Role::Agent,
                agent_id: None,
            };
            for (n, promise) in promises.into_iter().enumerate() {
                store
                    .add_commitment(
                        &actor,
                        id,
                        NewCommitment {
                            key: Some(format!("promise:{}:{n}", message.id.0)),
                            message_id: Some(message.id),
                            source: CommitmentSource::Coach,
                            ..promise
                        },
                        now,
                    )
                    .await?;
                added = true;
            }
        }
        if added {
            commitments = store.list_commitments(id).await?;
        }
        Ok(commitments)
    }

    fn promises_in(&self, message: &Message, hint: Option<text::Lang>) -> Vec<NewCommitment> {
        let zone = self.config().calendar.time_zone();
        let reference = ReferenceTime {
            instant: message.created_at,
            offset: zone.to_offset(message.created_at),
        };
        let report = self.config().coach.lint(&LintInput {
            text: message.body.clone(),
            language: hint,
            context: Vec::new(),
            reference_time: Some(reference),
            ui_language: None,
        });
        report
            .promises
            .iter()
            .filter_map(|promise| {
                let due_at: Timestamp = promise.due_at.as_deref()?.parse().ok()?;
                let words: String = message
                    .body
                    .chars()
                    .skip(promise.start)
                    .take(promise.end.saturating_sub(promise.start))
                    .collect();
                let description = if words.trim().is_empty() {
                    message.body.chars().take(200).collect()
                } else {
                    words.trim().to_owned()
                };
                Some(NewCommitment {
                    kind: match promise.kind {
                        PromiseKind::Callback => CommitmentKind::Callback,
                        PromiseKind::Answer => CommitmentKind::Answer,
                    },
                    description,
                    due_at,
                    source: CommitmentSource::Coach,
                    message_id: Some(message.id),
                    key: None,
                })
            })
            .collect()
    }

    /// A callback is kept by a later outbound phone call, an answer by any later reply or by a
    /// later proposed or reached resolution (the answer the customer was waiting for).
    async fn fulfil_commitments(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        commitments: &mut [Commitment],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let changes = status_changes(events);
        for commitment in commitments.iter_mut() {
            if !matches!(
                commitment.status,
                CommitmentStatus::Open | CommitmentStatus::Overdue
            ) {
                continue;
            }
            let kept = detail
                .messages
                .iter()
                .filter(|m| written_by_staff(m))
                .filter(|m| {
                    commitment.kind == CommitmentKind::Answer || m.channel == Channel::Phone
                })
                .any(|m| match commitment.message_id {
                    Some(source) => m.id > source,
                    None => m.created_at > commitment.created_at,
                })
                || commitment.kind == CommitmentKind::Answer
                    && changes.iter().any(|change| {
                        change.at > commitment.created_at
                            && matches!(
                                change.status,
                                Status::ResolutionProposed | Status::Resolved
                            )
                    });
            if kept {
                *commitment = self
                    .store()
                    .change_commitment(
                        &engine_actor(),
                        commitment.id,
                        CommitmentChange::Fulfilled,
                        now,
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Open promises not yet reminded get their check moved to the reminder time.
    async fn schedule_reminders(
        &self,
        commitments: &[Commitment],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        for commitment in commitments {
            if commitment.status != CommitmentStatus::Open || commitment.reminded_at.is_some() {
                continue;
            }
            let remind_at = self.remind_at(commitment);
            if remind_at > now && remind_at < commitment.due_at {
                self.schedule_commitment_check(commitment, remind_at)
                    .await?;
            }
        }
        Ok(())
    }

    fn remind_at(&self, commitment: &Commitment) -> Timestamp {
        remind_at(self.config().settings.reminder_before_minutes, commitment)
    }

    async fn schedule_commitment_check(
        &self,
        commitment: &Commitment,
        at: Timestamp,
    ) -> Result<(), EngineError> {
        self.store()
            .schedule_job(JobSpec {
                key: format!("commitment_check:{}", commitment.id.0),
                kind: JobKind::CommitmentCheck,
                case_id: Some(commitment.case_id),
                run_at: at,
                payload: json!({"commitment_id": commitment.id.0}),
            })
            .await?;
        Ok(())
    }

    /// RO-10: when a resolution is proposed, the customer is asked to confirm it.
    async fn ask_confirmation(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if detail.case.status != Status::ResolutionProposed {
            return Ok(());
        }
        let Some(proposed_at) = entered(&status_changes(events), Status::ResolutionProposed) else {
            return Ok(());
        };
        if latest(feedback, FeedbackPurpose::Confirmation)
            .is_some_and(|f| f.created_at >= proposed_at)
        {
            return Ok(());
        }
        let solution = detail
            .incident_record
            .as_ref()
            .map(|r| r.solution.trim())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                detail
                    .messages
                    .iter()
                    .rev()
                    .find(|m| written_by_staff(m))
                    .map(|m| m.body.as_str())
            })
            .unwrap_or(detail.case.subject.as_str())
            .to_owned();
        let (secret, hash) = feedback_secret()?;
        let link = self.feedback_link(&secret);
        let notice = Notice::ConfirmSolution {
            customer_name: &detail.customer.name,
            case_id: detail.case.id,
            resolution: Resolution::Confirmed,
            solution: &solution,
            link: &link,
        };
        let message = self.customer_message(detail, &notice);
        self.store()
            .send_feedback_request(
                &engine_actor(),
                detail.case.id,
                FeedbackPurpose::Confirmation,
                hash,
                message,
                &format!("confirm:{}:{}", detail.case.id.0, micros(proposed_at)),
                now,
            )
            .await?;
        Ok(())
    }

    /// RO-10: the customer's "yes" resolves the case (total); "not yet" sends it back to
    /// investigation and tells its owner. CLEAR-R4: a satisfaction score of 2 or less reopens it
    /// and alerts the supervisor.
    async fn act_on_feedback(
        &self,
        detail: &mut CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let store = self.store();
        let id = detail.case.id;
        if detail.case.status == Status::ResolutionProposed {
            let proposed_at = entered(&status_changes(events), Status::ResolutionProposed);
            let answer = latest(feedback, FeedbackPurpose::Confirmation)
                .filter(|f| proposed_at.is_some_and(|at| f.created_at >= at))
                .and_then(|f| Some((f, f.confirmed?)));
            match answer {
                Some((_, true)) => {
                    detail.case = store
                        .transition(
                            &engine_actor(),
                            id,
                            Transition {
                                to: Status::Resolved,
                                resolution: Some(Resolution::Confirmed),
                            },
                            now,
                        )
                        .await?;
                }
                // "Not yet": the problem is not solved, so the case is not resolved (that would
                // stop its clock); its owner is told and it goes back to investigation. Told
                // first: a rerun after a crash between the two finds the case still proposed and
                // tells again under the same key, which the store ignores.
                Some((request, false)) => {
                    let agent = case_view::agent(store, detail.case.assignee_id).await?;
                    let texts = staff_texts(self.config(), agent.as_ref());
                    let comment = request
                        .comment
                        .clone()
                        .unwrap_or_else(|| texts.text("no_comment", &[]));
                    let (subject, body) = texts.subject_and_body(
                        "confirmation_declined",
                        &[("case_id", &id.to_string()), ("comment", &comment)],
                    );
                    self.notify(
                        id,
                        NotificationKind::ConfirmationDeclined,
                        &owner_recipient(&detail.case),
                        subject,
                        body,
                        format!("confirm-no:{}", request.id.0),
                        now,
                    )
                    .await?;
                    detail.case = store
                        .transition(
                            &engine_actor(),
                            id,
                            Transition {
                                to: Status::Investigating,
                                resolution: None,
                            },
                            now,
                        )
                        .await?;
                }
                None => {}
            }
        }
        let low: Vec<&FeedbackRequest> = feedback
            .iter()
            .filter(|f| f.answered_at.is_some() && f.score.is_some_and(|s| s <= 2))
            .collect();
        if low.is_empty() {
            return Ok(());
        }
        // Alerts already sent are not sent again (the key would stop them too, at the price of
        // a write on every review of the case).
        let alerted = self
            .notifications(id)
            .await?
            .iter()
            .filter(|n| n.kind == NotificationKind::LowSatisfaction)
            .count();
        let all_alerted = alerted >= low.len();
        for request in low {
            let (Some(score), Some(answered_at)) = (request.score, request.answered_at) else {
                continue;
            };
            let texts = staff_texts(self.config(), None);
            let score_text = score.to_string();
            let comment = request
                .comment
                .clone()
                .unwrap_or_else(|| texts.text("no_comment", &[]));
            let (subject, body) = texts.subject_and_body(
                "low_satisfaction",
                &[
                    ("case_id", &id.to_string()),
                    ("score", &score_text),
                    ("comment", &comment),
                ],
            );
            if !all_alerted {
                self.notify(
                    id,
                    NotificationKind::LowSatisfaction,
                    SUPERVISOR,
                    subject,
                    body,
                    format!("low_csat:{}", request.id.0),
                    now,
                )
                .await?;
            }
            let case = &detail.case;
            let resolved_before_answer = case.resolved_at.is_some_and(|at| at <= answered_at);
            if matches!(case.status, Status::Resolved | Status::Closed) && resolved_before_answer {
                detail.case = store
                    .transition(
                        &engine_actor(),
                        id,
                        Transition {
                            to: Status::Investigating,
                            resolution: None,
                        },
                        now,
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// TL-10: a flagged case gets the safety procedure as a note, and every security contact and
    /// the supervisors are told.
    async fn safety_procedure(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        flagged_now: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !detail.case.safety_flag {
            return Ok(());
        }
        // Each time the case is flagged (again) is a new alert.
        let flagged_at = flagged_now
            .or_else(|| {
                events
                    .iter()
                    .rev()
                    .find(|e| safety_flag_set(e) == Some(true))
                    .map(|e| e.at)
            })
            .unwrap_or(detail.case.created_at);
        let store = self.store();
        let id = detail.case.id;
        let settings = &self.config().settings.safety;
        let mut recipients: Vec<&str> = settings.contacts.iter().map(String::as_str).collect();
        recipients.push(SUPERVISOR);
        let told: BTreeSet<String> = self
            .notifications(id)
            .await?
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Safety && n.created_at >= flagged_at)
            .map(|n| n.recipient)
            .collect();
        if recipients.iter().all(|r| told.contains(*r)) {
            return Ok(());
        }
        let agent = case_view::agent(store, detail.case.assignee_id).await?;
        let language = case_view::staff_language(self.config(), agent.as_ref());
        let contact = if settings.contacts.is_empty() {
            settings.emergency_number.clone()
        } else {
            settings.contacts.join(", ")
        };
        let procedure = self.config().catalog.texts(Some(language)).notice(
            &Notice::SafetyProcedure {
                case_id: id,
                security_contact: &contact,
                emergency_number: &settings.emergency_number,
            },
            self.config().calendar.time_zone(),
        );
        self.note(
            id,
            format!("{}\n\n{}", procedure.subject, procedure.body),
            &format!("safety:{}:{}", id.0, micros(flagged_at)),
            now,
        )
        .await?;
        for recipient in recipients {
            self.notify(
                id,
                NotificationKind::Safety,
                recipient,
                procedure.subject.clone(),
                procedure.body.clone(),
                format!("safety:{}:{}:{recipient}", id.0, micros(flagged_at)),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// The SLA check at the clock's next change, and the follow-up after resolution.
    async fn schedule_timers(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let case = &detail.case;
        let store = self.store();
        if case.status != Status::Closed {
            let sla = case_view::sla_status(self.config(), detail, events, now)?;
            self.schedule_sla_check(case.id, sla.next_change_after(now))
                .await?;
        }
        if let (Status::Resolved, Some(resolved_at)) = (case.status, case.resolved_at) {
            let asked = latest(feedback, FeedbackPurpose::Satisfaction)
                .is_some_and(|f| f.created_at >= resolved_at);
            if !asked {
                store
                    .schedule_job(JobSpec {
                        key: format!("follow_up:{}", case.id.0),
                        kind: JobKind::FollowUp,
                        case_id: Some(case.id),
                        run_at: follow_up_at(self.config(), resolved_at),
                        payload: json!({"resolved_at": resolved_at}),
                    })
                    .await?;
            }
        }
        Ok(())
    }

    // --- sla_check --------------------------------------------------------------------------

    /// TL-8: warnings to the agent, breaches to the supervisor, and a delay notice to the
    /// customer (or to an agent for approval) when the answer will be late.
    pub(crate) async fn sla_check(&self, id: CaseId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let detail = store.get_case(id).await?;
        if detail.case.status == Status::Closed {
            return Ok(());
        }
        let events = store.timeline(id).await?;
        let sla = case_view::sla_status(self.config(), &detail, &events, now)?;
        let agent = case_view::agent(store, detail.case.assignee_id).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let targets = [
            ("first_response", Some(sla.first_response)),
            ("resolution", Some(sla.resolution)),
            ("periodic_update", sla.periodic_update),
        ];
        for (name, target) in targets {
            let Some(
                target @ TargetStatus {
                    due: Some(due),
                    met_at: None,
                    ..
                },
            ) = target
            else {
                continue;
            };
            let (kind, recipient, section) = match target.state {
                SlaState::Warning => (
                    NotificationKind::SlaWarning,
                    owner_recipient(&detail.case),
                    "sla_warning",
                ),
                SlaState::Breached => (
                    NotificationKind::SlaBreach,
                    SUPERVISOR.to_owned(),
                    "sla_breach",
                ),
                _ => continue,
            };
            let target_name = texts.text(&format!("targets.{name}"), &[]);
            let due_text = self.format_for_staff(agent.as_ref(), due);
            let (subject, body) = texts.subject_and_body(
                section,
                &[
                    ("case_id", &id.to_string()),
                    ("target", &target_name),
                    ("due", &due_text),
                ],
            );
            self.notify(
                id,
                kind,
                &recipient,
                subject,
                body,
                format!("{section}:{}:{name}:{}", id.0, micros(due)),
                now,
            )
            .await?;
        }
        if sla.needs_delay_notice()
            && let Some(due) = sla.resolution.due
        {
            self.delay_notice(&detail, agent.as_ref(), due, now).await?;
        }
        self.schedule_sla_check(id, sla.next_change_after(now))
            .await
    }

    /// The case's SLA check at the clock's next change, if the clock will change.
    async fn schedule_sla_check(
        &self,
        id: CaseId,
        at: Option<Timestamp>,
    ) -> Result<(), EngineError> {
        let Some(at) = at else { return Ok(()) };
        self.store()
            .schedule_job(JobSpec {
                key: format!("sla:{}", id.0),
                kind: JobKind::SlaCheck,
                case_id: Some(id),
                run_at: at,
                payload: json!({}),
            })
            .await?;
        Ok(())
    }

    async fn delay_notice(
        &self,
        detail: &CaseDetail,
        agent: Option<&domain::Agent>,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let config = self.config();
        let id = detail.case.id;
        // Day 0 is the working day the deadline falls on: a deadline at closing time belongs to
        // that day, not to the next one.
        let day_of_deadline = (due - SignedDuration::from_secs(1)).max(now);
        let new_deadline = config
            .calendar
            .close_of_business_day(day_of_deadline, config.settings.delay_extension_days)
            .map_err(|source| EngineError::Sla {
                case: id,
                source: source.into(),
            })?;
        let notice = Notice::Delay {
            customer_name: &detail.customer.name,
            case_id: id,
            new_deadline,
        };
        let message = self.customer_message(detail, &notice);
        let key = format!("delay:{}:{}", id.0, micros(due));
        match config.settings.delay_notices {
            DelayNotices::Automatic => {
                // The new date is a promise (TL-8), tracked like any other: a missed one
                // escalates. Recorded before the notice, so a crash in between leaves the promise
                // and a rerun sends the notice (the sweep asks again until the notice is stored).
                // Its words are the notice's own sentence with the new date.
                let date = customer_texts(config, detail)
                    .format_datetime(new_deadline, config.calendar.time_zone());
                let description = message
                    .body
                    .split("\n\n")
                    .find(|paragraph| paragraph.contains(&date))
                    .unwrap_or(&message.body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect();
                self.store()
                    .add_commitment(
                        &engine_actor(),
                        id,
                        NewCommitment {
                            kind: CommitmentKind::Answer,
                            description,
                            due_at: new_deadline,
                            source: CommitmentSource::Manual,
                            message_id: None,
                            key: Some(key.clone()),
                        },
                        now,
                    )
                    .await?;
                self.store()
                    .add_message_once(&engine_actor(), id, message, &key, now)
                    .await?;
            }
            DelayNotices::Approval => {
                let texts = staff_texts(config, agent);
                let deadline_text = self.format_for_staff(agent, new_deadline);
                let (subject, body) = texts.subject_and_body(
                    "delay_notice_approval",
                    &[
                        ("case_id", &id.to_string()),
                        ("new_deadline", &deadline_text),
                        ("draft", &message.body),
                    ],
                );
                self.notify(
                    id,
                    NotificationKind::DelayNoticeApproval,
                    &owner_recipient(&detail.case),
                    subject,
                    body,
                    key,
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }

    // --- commitment_check -------------------------------------------------------------------

    /// CLEAR-C: remind before the promise falls due; escalate when it passes unkept.
    pub(crate) async fn commitment_check(&self, id: CommitmentId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let commitment = store.get_commitment(id).await?;
        if commitment.status != CommitmentStatus::Open {
            return Ok(());
        }
        let case = store.get_case(commitment.case_id).await?.case;
        let agent = case_view::agent(store, case.assignee_id).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let due_text = self.format_for_staff(agent.as_ref(), commitment.due_at);
        let case_id = case.id.to_string();
        let values = [
            ("case_id", case_id.as_str()),
            ("promise", commitment.description.as_str()),
            ("due", due_text.as_str()),
        ];
        if now >= commitment.due_at {
            let (subject, body) = texts.subject_and_body("commitment_overdue", &values);
            let mut recipients = vec![SUPERVISOR.to_owned()];
            if case.assignee_id.is_some() {
                recipients.push(owner_recipient(&case));
            }
            for recipient in recipients {
                self.notify(
                    case.id,
                    NotificationKind::CommitmentOverdue,
                    &recipient,
                    subject.clone(),
                    body.clone(),
                    format!("overdue:{}:{recipient}", id.0),
                    now,
                )
                .await?;
            }
            store
                .change_commitment(&engine_actor(), id, CommitmentChange::Overdue, now)
                .await?;
            return Ok(());
        }
        let remind_at = self.remind_at(&commitment);
        if commitment.reminded_at.is_none() && now >= remind_at {
            let (subject, body) = texts.subject_and_body("commitment_reminder", &values);
            self.notify(
                case.id,
                NotificationKind::CommitmentReminder,
                &owner_recipient(&case),
                subject,
                body,
                format!("remind:{}", id.0),
                now,
            )
            .await?;
            store
                .change_commitment(&engine_actor(), id, CommitmentChange::Reminded, now)
                .await?;
            return self
                .schedule_commitment_check(&commitment, commitment.due_at)
                .await;
        }
        let next = if commitment.reminded_at.is_none() {
            remind_at
        } else {
            commitment.due_at
        };
        self.schedule_commitment_check(&commitment, next).await
    }

    // --- follow_up --------------------------------------------------------------------------

    /// CLEAR-R4: "About your earlier problem … are you satisfied?" with a link, and a task for the
    /// agent to call.
    pub(crate) async fn follow_up(&self, id: CaseId, job: &Job) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let resolved_at: Timestamp = job
            .payload
            .get("resolved_at")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| EngineError::BadJob {
                key: job.key.clone(),
                reason: "payload has no resolved_at instant".to_owned(),
            })?;
        let detail = store.get_case(id).await?;
        let case = &detail.case;
        // Reopened since, or resolved again later (that resolution has its own follow-up).
        if !matches!(case.status, Status::Resolved | Status::Closed)
            || case.resolved_at != Some(resolved_at)
        {
            return Ok(());
        }
        let key = format!("followup:{}:{}", id.0, micros(resolved_at));
        let agent = case_view::agent(store, case.assignee_id).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let (subject, body) = texts.subject_and_body(
            "follow_up_due",
            &[
                ("case_id", &id.to_string()),
                ("customer_name", &detail.customer.name),
            ],
        );
        self.notify(
            id,
            NotificationKind::FollowUpDue,
            &owner_recipient(case),
            subject,
            body,
            key.clone(),
            now,
        )
        .await?;
        let (secret, hash) = feedback_secret()?;
        let link = self.feedback_link(&secret);
        let notice = Notice::FollowUp {
            customer_name: &detail.customer.name,
            case_id: id,
            subject: &case.subject,
            link: &link,
        };
        let message = self.customer_message(&detail, &notice);
        store
            .send_feedback_request(
                &engine_actor(),
                id,
                FeedbackPurpose::Satisfaction,
                hash,
                message,
                &key,
                now,
            )
            .await?;
        Ok(())
    }

    // --- shared -----------------------------------------------------------------------------

    /// A notice to the customer as an outbound message: by e-mail when we have an address,
    /// otherwise on the case's channel.
    fn customer_message(&self, detail: &CaseDetail, notice: &Notice<'_>) -> NewMessage {
        let rendered = customer_texts(self.config(), detail)
            .notice(notice, self.config().calendar.time_zone());
        NewMessage {
            direction: Direction::Outbound,
            channel: Some(if detail.customer.email.is_some() {
                Channel::Email
            } else {
                detail.case.channel
            }),
            author: Some(ENGINE_NAME.to_owned()),
            body: format!("{}\n\n{}", rendered.subject, rendered.body),
        }
    }

    fn feedback_link(&self, secret: &str) -> String {
        format!("{}/feedback/{secret}", self.config().base_url)
    }

    fn format_for_staff(&self, agent: Option<&domain::Agent>, at: Timestamp) -> String {
        let language = case_view::staff_language(self.config(), agent);
        self.config()
            .catalog
            .texts(Some(language))
            .format_datetime(at, self.config().calendar.time_zone())
    }

    async fn note(
        &self,
        id: CaseId,
        body: String,
        key: &str,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let message = NewMessage {
            direction: Direction::Note,
            channel: None,
            author: Some(ENGINE_NAME.to_owned()),
            body,
        };
        self.store()
            .add_message_once(&engine_actor(), id, message, key, now)
            .await?;
        Ok(())
    }

    /// The case's notifications, newest first (the newest page: enough to see what was sent).
    async fn notifications(&self, id: CaseId) -> Result<Vec<Notification>, EngineError> {
        let query = ListQuery {
            limit: domain::Limits::PAGE_MAX,
            cursor: None,
        };
        Ok(self
            .store()
            .list_notifications(Some(id), &query)
            .await?
            .items)
    }

    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        id: CaseId,
        kind: NotificationKind,
        recipient: &str,
        subject: String,
        body: String,
        key: String,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.store()
            .notify(
                NewNotification {
                    case_id: Some(id),
                    kind,
                    recipient: recipient.to_owned(),
                    subject,
                    body,
                    key,
                },
                now,
            )
            .await?;
        Ok(())
    }
}

/// CLEAR-R4: N business days after resolution, at the same local time of day (or the next
/// working moment after it), so the request arrives in office hours.
fn follow_up_at(config: &EngineConfig, resolved_at: Timestamp) -> Timestamp {
    let calendar = &config.calendar;
    let zone = calendar.time_zone();
    let local = zone.to_datetime(resolved_at);
    let mut date = local.date();
    let mut left = config.settings.follow_up_days;
    while left > 0 {
        let Ok(next) = date.tomorrow() else { break };
        date = next;
        if calendar.is_working_day(date) {
            left -= 1;
        }
    }
    let target = zone
        .to_ambiguous_timestamp(date.to_datetime(local.time()))
        .compatible()
        .unwrap_or(resolved_at);
    calendar.next_business_moment(target).unwrap_or(target)
}

/// `reminder_before_minutes` before due, but never earlier than half-way through the promise's
/// span ("within 10 minutes" is reminded after 5).
fn remind_at(reminder_before_minutes: u32, commitment: &Commitment) -> Timestamp {
    let lead = SignedDuration::from_mins(i64::from(reminder_before_minutes));
    let span = commitment.due_at.duration_since(commitment.created_at);
    let lead = lead.min(span / 2).max(SignedDuration::ZERO);
    commitment.due_at - lead
}

fn commitment_of(job: &Job) -> Result<CommitmentId, EngineError> {
    job.payload
        .get("commitment_id")
        .and_then(|v| v.as_i64())
        .or_else(|| job.key.strip_prefix("commitment_check:")?.parse().ok())
        .map(CommitmentId)
        .ok_or_else(|| EngineError::BadJob {
            key: job.key.clone(),
            reason: "names no commitment".to_owned(),
        })
}

/// What a `case_updated` event did to the safety flag, if anything.
fn safety_flag_set(event: &Event) -> Option<bool> {
    if event.kind != EventKind::CaseUpdated {
        return None;
    }
    event.after.as_ref()?.get("safety_flag")?.as_bool()
}

/// The newest request for `purpose`.
fn latest(feedback: &[FeedbackRequest], purpose: FeedbackPurpose) -> Option<&FeedbackRequest> {
    feedback
        .iter()
        .filter(|f| f.purpose == purpose)
        .max_by_key(|f| (f.created_at, f.id))
}

/// The language the coach reads the customer's messages in, when the case says.
fn language_hint(detail: &CaseDetail) -> Option<text::Lang> {
    detail
        .case
        .language
        .as_deref()
        .or(detail.customer.language.as_deref())
        .and_then(|tag| tag.parse().ok())
}

/// Open cases an agent holds (for routing by load).
async fn open_cases(store: &dyn domain::Store, agent: domain::AgentId) -> Result<u32, EngineError> {
    let mut filter = CaseFilter {
        assignee: Some(agent),
        limit: domain::Limits::PAGE_MAX,
        ..CaseFilter::default()
    };
    let mut open = 0u32;
    loop {
        let page = store.list_cases(&filter).await?;
        open += page
            .items
            .iter()
            .filter(|c: &&Case| !matches!(c.status, Status::Resolved | Status::Closed))
            .count() as u32;
        match page.next_cursor {
            Some(next) => {
                filter.cursor =
                    Some(domain::Cursor::decode(&next).map_err(domain::StoreError::from)?)
            }
            None => return Ok(open),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::EngineSettings;
    use domain::process::CommitmentSource;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_follow_up_comes_three_business_days_later_in_office_hours() {
        let config = EngineConfig::from_settings(&EngineSettings::default()).unwrap();
        // Thursday 10:05 → Tuesday 10:05 (Fri, Mon, Tue).
        assert_eq!(
            follow_up_at(&config, at("2026-11-26T10:05:00Z")),
            at("2026-12-01T10:05:00Z")
        );
        // Friday 18:30, after closing → Wednesday 18:30 → Thursday 09:00.
        assert_eq!(
            follow_up_at(&config, at("2026-11-27T18:30:00Z")),
            at("2026-12-03T09:00:00Z")
        );
    }

    #[test]
    fn short_promises_are_reminded_half_way() {
        let commitment = |created: &str, due: &str| Commitment {
            id: CommitmentId(1),
            case_id: CaseId(1),
            kind: CommitmentKind::Callback,
            description: "call back".into(),
            due_at: at(due),
            status: CommitmentStatus::Open,
            source: CommitmentSource::Coach,
            message_id: None,
            made_by: "Ana".into(),
            created_at: at(created),
            reminded_at: None,
            fulfilled_at: None,
            escalated_at: None,
        };
        let ten_minutes = commitment("2026-11-23T10:00:00Z", "2026-11-23T10:10:00Z");
        assert_eq!(remind_at(5, &ten_minutes), at("2026-11-23T10:05:00Z"));
        let four_minutes = commitment("2026-11-23T10:00:00Z", "2026-11-23T10:04:00Z");
        assert_eq!(remind_at(5, &four_minutes), at("2026-11-23T10:02:00Z"));
        let tomorrow = commitment("2026-11-23T10:00:00Z", "2026-11-24T09:00:00Z");
        assert_eq!(remind_at(5, &tomorrow), at("2026-11-24T08:55:00Z"));
        let past = commitment("2026-11-23T10:00:00Z", "2026-11-23T09:00:00Z");
        assert_eq!(remind_at(5, &past), at("2026-11-23T09:00:00Z"));
    }
}
