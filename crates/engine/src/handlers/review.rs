//! review_case: the reconcile pass over one case, in order, and its own steps (threat,
//! acknowledgement, routing, hand-off).

use std::collections::HashMap;

use coach::AnalyzeInput;
use domain::notices::Notice;
use domain::process::{JobKind, JobSpec, NotificationKind};
use domain::routing::{self, Candidate, CustomerContact, RoutingDecision, RoutingRequest};
use domain::{
    AgentId, Assign, CaseDetail, CaseId, Direction, Event, EventKind, Status, Timestamp,
    Transition, UpdateCase,
};
use jiff::SignedDuration;
use serde_json::json;

use super::{language_hint, safety::safety_flag_set};
use crate::case_view::{self, SUPERVISOR, staff_texts};
use crate::{Engine, EngineError, engine_actor};

/// An acknowledgement sent this soon after receipt counts as sent on receipt: ISO 10002's "at
/// once" target is met by the engine's reaction time, not broken by it.
const ACKNOWLEDGE_GRACE: SignedDuration = SignedDuration::from_secs(60);

/// How often a queued case is routed again.
const QUEUE_RECHECK: SignedDuration = SignedDuration::from_mins(5);

impl Engine {
    /// Reconciles a case with everything the process expects of it. The engine's own changes
    /// schedule no further review (`Actor::is_process_engine`), so this one pass must leave
    /// nothing for a second one: each step sees what the steps before it changed.
    pub(crate) async fn review_case(&self, id: CaseId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let (mut detail, mut events) = store.case_with_history(id).await?;
        let as_read = detail.case.clone();
        let flagged_now = self.detect_threat(&mut detail, &events, now).await?;
        self.acknowledge(&mut detail, &events, now).await?;
        if self
            .route(&mut detail, &events, flagged_now.is_some(), now)
            .await?
        {
            // The engine's own transfer: its hand-off goes to the new holder.
            events = store.timeline(id).await?;
        }
        self.hand_off(&detail, &events, now).await?;
        let mut commitments = self.track_promises(&detail, now).await?;
        self.fulfil_commitments(&detail, &events, &mut commitments, now)
            .await?;
        self.schedule_reminders(&commitments, now).await?;
        let feedback = store.list_feedback(id).await?;
        self.ask_confirmation(&detail, &events, &feedback, now)
            .await?;
        let status = detail.case.status;
        self.act_on_feedback(&mut detail, &events, &feedback, now)
            .await?;
        if detail.case.status != status
            // Reopened by the customer's answer: routed like any open case nobody holds (and a
            // flagged one moved to a trained agent, whose hand-off then goes out).
            && self.route(&mut detail, &events, false, now).await?
        {
            events = store.timeline(id).await?;
            self.hand_off(&detail, &events, now).await?;
        }
        self.safety_procedure(&detail, &events, flagged_now, now)
            .await?;
        // The timers follow the case as this pass left it. Each step that changed the case
        // itself (status, assignment, flag) kept `detail.case` as stored; its history is read
        // again for the status changes. Notices sent in this pass are not re-read: they can only
        // make the timers look due earlier than they are, and a check that runs early reads the
        // case afresh and sets the next one.
        if detail.case != as_read {
            events = store.timeline(id).await?;
        }
        self.schedule_timers(&detail, &events, &feedback, now).await
    }

    /// TL-10: a threat in what the customer wrote flags the case. When staff have cleared the
    /// flag, only messages that came after that count: their judgement is not overruled by the
    /// message they already judged.
    pub(super) async fn detect_threat(
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
    pub(super) async fn acknowledge(
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
    /// queue with the customer's name, question and contact; a note says why. A case in a
    /// department's queue is looked at again every `QUEUE_RECHECK` (capacity frees, agents
    /// return), within that department. TL-10: a flagged case held by an agent not trained for
    /// safety goes to a trained one when one is free (else it stays, and the safety procedure
    /// has told the supervisors).
    /// Answers whether it transferred the case (recorded with a hand-off note).
    pub(super) async fn route(
        &self,
        detail: &mut CaseDetail,
        events: &[Event],
        flagged_now: bool,
        now: Timestamp,
    ) -> Result<bool, EngineError> {
        let case = &detail.case;
        if matches!(case.status, Status::Resolved | Status::Closed) {
            return Ok(false);
        }
        let settings = &self.config().settings.routing;
        let trained = |agent: AgentId| settings.safety_trained.contains(&agent.0);
        let needs_trained = case.safety_flag
            && case.assignee_id.is_some_and(|a| !trained(a))
            && (flagged_now || assigned_before_flagged(events));
        if case.assignee_id.is_some() && !needs_trained {
            return Ok(false);
        }
        // With a cap on open cases, held until the assignment is stored: the next decision
        // counts this one's case. Without one, parallel decisions can only balance the load a
        // little less evenly, and on PostgreSQL each decision waits for two commits.
        let _turn = match settings.max_open_cases {
            Some(_) => Some(self.inner.routing.lock().await),
            None => None,
        };
        let store = self.store();
        let mut departments = store.list_departments().await?;
        if let (None, Some(queue)) = (case.assignee_id, case.department_id) {
            departments.retain(|department| department.id == queue);
        }
        let agents = case_view::all_agents(store).await?;
        let open: HashMap<_, _> = store.open_case_counts().await?.into_iter().collect();
        let candidates: Vec<Candidate<'_>> = agents
            .iter()
            .filter(|agent| agent.active)
            .map(|agent| Candidate {
                agent,
                open_cases: open.get(&agent.id).copied().unwrap_or(0),
                max_open_cases: settings.max_open_cases,
                safety_trained: trained(agent.id),
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
        let (held_by, tag, reader) = match &decision {
            RoutingDecision::Assign {
                agent_id,
                department_id,
                ..
            } => (
                (Some(*agent_id), *department_id),
                format!("agent:{}", agent_id.0),
                agents.iter().find(|a| a.id == *agent_id),
            ),
            // Nobody trained is free: the flagged case stays with its agent until one is.
            RoutingDecision::Queue { .. } if needs_trained => {
                self.recheck_queue(case.id, now).await?;
                return Ok(false);
            }
            RoutingDecision::Queue { department_id, .. } => {
                // A department's queue moves as its agents free up; the general queue waits for
                // someone to set up a department that covers the case (its next change routes it).
                if department_id.is_some() {
                    self.recheck_queue(case.id, now).await?;
                }
                let tag =
                    department_id.map_or("general".to_owned(), |d| format!("department:{}", d.0));
                ((None, department_id.or(case.department_id)), tag, None)
            }
        };
        let held = (case.assignee_id, case.department_id);
        let language = case_view::staff_language(self.config(), reader);
        let note = decision.explain(self.config().catalog.texts(Some(language)));
        let id = case.id;
        // The note first: if the assignment below is lost to a crash, the next review routes
        // again; the note is not repeated for the same decision.
        self.note(id, note, &format!("route:{}:{tag}", id.0), now)
            .await?;
        if held_by == held {
            return Ok(false);
        }
        // Taking a case from an agent is a transfer, with a hand-off note for the new holder.
        let note = needs_trained
            .then(|| staff_texts(self.config(), reader).text("handoff.safety_transfer", &[]));
        let transfer = note.is_some();
        let assign = Assign {
            agent_id: held_by.0,
            department_id: held_by.1,
            note,
        };
        // Someone who moved the case since it was read has the last word (and their change
        // asked for another review).
        match store
            .assign_unless_moved(&engine_actor(), id, held, assign, now)
            .await?
        {
            Some(case) => {
                detail.case = case;
                Ok(transfer)
            }
            None => Ok(false),
        }
    }

    /// Queued cases (and flagged ones waiting for a trained agent) are routed again after this
    /// long, in case an agent became free.
    async fn recheck_queue(&self, id: CaseId, now: Timestamp) -> Result<(), EngineError> {
        self.store()
            .schedule_job(JobSpec {
                key: format!("queued:{}", id.0),
                kind: JobKind::ReviewCase,
                case_id: Some(id),
                run_at: now + QUEUE_RECHECK,
                payload: json!({}),
            })
            .await?;
        Ok(())
    }

    /// TL-7: the newest transfer's hand-off note is shown to whoever takes the case over (the
    /// agent, or the supervisors when it went to a department's queue), with the customer's name,
    /// question and contact, so nobody has to ask the customer again.
    pub(super) async fn hand_off(
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
}

/// Whether the case's current assignment predates its safety flag. A person who gave a flagged
/// case to someone knew of the flag: the engine leaves their choice alone.
fn assigned_before_flagged(events: &[Event]) -> bool {
    let assigned = events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Assigned | EventKind::Transferred))
        .map(|e| e.id);
    let flagged = events
        .iter()
        .rev()
        .find(|e| safety_flag_set(e) == Some(true))
        .map(|e| e.id);
    matches!((assigned, flagged), (Some(a), Some(f)) if a < f)
}
