//! SLA timers: the checks before and at each deadline, breaches, and delay notices (TL-8).

use domain::notices::Notice;
use domain::process::{
    CommitmentKind, CommitmentSource, FeedbackPurpose, FeedbackRequest, JobKind, JobSpec,
    NewCommitment, NotificationId, NotificationKind,
};
use domain::sla::{SlaState, TargetStatus};
use domain::{
    Actor, CaseDetail, CaseId, DomainError, Event, NewMessage, Role, Status, StoreError, Timestamp,
};
use jiff::SignedDuration;
use serde_json::json;

use super::{feedback::follow_up_at, feedback::latest, micros};
use crate::case_view::{self, SUPERVISOR, customer_texts, owner_recipient, staff_texts};
use crate::delay_notice::{DelayNoticeRefusal, SentDelayNotice};
use crate::settings::DelayNotices;
use crate::{Engine, EngineError, engine_actor};

impl Engine {
    /// The SLA check at the clock's next change, and the follow-up after resolution.
    pub(super) async fn schedule_timers(
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

    /// TL-8: warnings to the agent, breaches to the supervisor, and a delay notice to the
    /// customer (or to an agent for approval) when the answer will be late.
    pub(crate) async fn sla_check(&self, id: CaseId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let (detail, events) = store.case_with_history(id).await?;
        if detail.case.status == Status::Closed {
            return Ok(());
        }
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
    pub(super) async fn schedule_sla_check(
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

    pub(super) async fn delay_notice(
        &self,
        detail: &CaseDetail,
        agent: Option<&domain::Agent>,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let config = self.config();
        let id = detail.case.id;
        let draft = self.delay_draft(detail, due, now)?;
        match config.settings.delay_notices {
            DelayNotices::Automatic => {
                // The new date is a promise (TL-8), tracked like any other: a missed one
                // escalates. The notice and its promise are one write: a crash leaves both or
                // neither, and a rerun (the sweep asks again until the notice is stored) sends it.
                let promise = draft.promise();
                self.store()
                    .add_message_with_commitment(
                        &engine_actor(),
                        id,
                        draft.message,
                        &draft.key,
                        promise,
                        now,
                    )
                    .await?;
            }
            DelayNotices::Approval => {
                let texts = staff_texts(config, agent);
                let deadline_text = self.format_for_staff(agent, draft.new_deadline);
                let (subject, body) = texts.subject_and_body(
                    "delay_notice_approval",
                    &[
                        ("case_id", &id.to_string()),
                        ("new_deadline", &deadline_text),
                        ("draft", &draft.message.body),
                    ],
                );
                self.notify(
                    id,
                    NotificationKind::DelayNoticeApproval,
                    &owner_recipient(&detail.case),
                    subject,
                    body,
                    draft.key,
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The delay notice for the resolution deadline `due`, drafted at `drafted_at`: the same
    /// words and new date whether it is sent at once or later by an agent.
    fn delay_draft(
        &self,
        detail: &CaseDetail,
        due: Timestamp,
        drafted_at: Timestamp,
    ) -> Result<DelayDraft, EngineError> {
        let config = self.config();
        let id = detail.case.id;
        // Day 0 is the working day the deadline falls on: a deadline at closing time belongs to
        // that day, not to the next one.
        let day_of_deadline = (due - SignedDuration::from_secs(1)).max(drafted_at);
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
        // The promise's words are the notice's own sentence with the new date.
        let date = customer_texts(config, detail)
            .format_datetime(new_deadline, config.calendar.time_zone());
        let description = promise_words(&message.body, &date);
        Ok(DelayDraft {
            key: delay_key(id, due),
            new_deadline,
            message,
            description,
            date,
        })
    }

    /// TL-8 with `delay_notices = "approval"`: the agent who has the case (or a supervisor)
    /// sends the drafted delay notice of notification `notification`, as drafted or in `body`'s
    /// words. It goes out under the key the automatic mode uses (`delay:<case>:<deadline>`), so
    /// it is sent once, and its new date is recorded as an answer commitment as in automatic
    /// mode. Refused ([`DelayNoticeRefusal`]) for a notification that is not a delay draft of
    /// this case, for a notice sent already, for an agent who does not have the case, for a
    /// resolved or closed case, and for a draft whose deadline is no longer the case's.
    pub async fn send_delay_notice(
        &self,
        actor: &Actor,
        case: CaseId,
        notification: NotificationId,
        body: Option<String>,
    ) -> Result<SentDelayNotice, EngineError> {
        let store = self.store();
        let (detail, events) = store.case_with_history(case).await?;
        let owns = actor.agent_id.is_some() && actor.agent_id == detail.case.assignee_id;
        if actor.role == Role::Agent && !owns {
            return Err(DelayNoticeRefusal::NotOwner { case }.into());
        }
        let (stored, key) = store.get_notification(notification).await?;
        if stored.case_id != Some(case) {
            return Err(DelayNoticeRefusal::OtherCase {
                notification,
                case,
                other: stored.case_id,
            }
            .into());
        }
        let due = (stored.kind == NotificationKind::DelayNoticeApproval)
            .then(|| delay_due(case, &key))
            .flatten()
            .ok_or(DelayNoticeRefusal::NotADraft {
                notification,
                kind: stored.kind,
            })?;
        let now = self.now();
        // A draft is sent while it is still true: not once the case is settled, and not after
        // the resolution deadline it was drafted for has moved (a pause of the clock).
        let status = detail.case.status;
        if matches!(status, Status::Resolved | Status::Closed) {
            return Err(DelayNoticeRefusal::CaseSettled { case, status }.into());
        }
        let deadline = case_view::sla_status(self.config(), &detail, &events, now)?
            .resolution
            .due;
        if deadline.map(micros) != Some(micros(due)) {
            return Err(DelayNoticeRefusal::Outdated {
                notification,
                drafted_for: due,
                deadline,
            }
            .into());
        }
        let mut draft = self.delay_draft(&detail, due, stored.created_at)?;
        if let Some(body) = body {
            if body.trim().is_empty() {
                return Err(StoreError::from(DomainError::invalid(
                    "body",
                    "must not be empty; leave it out to send the draft as it is",
                ))
                .into());
            }
            draft.reword(body);
        }
        // Sent by the person who approved it: the engine's own name is for what it sends alone.
        draft.message.author = Some(actor.name.clone());
        // The message and the promise of its new date are one write: a review of the case
        // never reads the notice without its promise (and takes it for an untracked one), and
        // a crash never leaves the notice sent without it. The promise names the message it was
        // made in, so the coach, reading the message as the agent's reply, finds it tracked.
        let promise = draft.promise();
        let (message, commitment, sent) = store
            .add_message_with_commitment(actor, case, draft.message, &draft.key, promise, now)
            .await?;
        if !sent {
            return Err(DelayNoticeRefusal::AlreadySent {
                notification,
                message: message.id,
                sent_at: message.created_at,
            }
            .into());
        }
        Ok(SentDelayNotice {
            message,
            commitment,
        })
    }
}

/// A delay notice ready to send, and the promise it makes.
struct DelayDraft {
    key: String,
    new_deadline: Timestamp,
    message: NewMessage,
    description: String,
    /// The new date as the notice writes it.
    date: String,
}

impl DelayDraft {
    /// The notice in an agent's own words: the promise is in those words too.
    fn reword(&mut self, body: String) {
        self.description = promise_words(&body, &self.date);
        self.message.body = body;
    }

    /// The new date as an answer commitment under the notice's own key (TL-8), marked as a
    /// delay notice's: the message that makes it is not the answer to earlier promises.
    fn promise(&self) -> NewCommitment {
        NewCommitment {
            kind: CommitmentKind::Answer,
            description: self.description.clone(),
            due_at: self.new_deadline,
            source: CommitmentSource::DelayNotice,
            message_id: None,
            key: Some(self.key.clone()),
        }
    }
}

/// A delay notice's promise in its own words: the paragraph with the new date `date` (else the
/// whole notice), at most 200 characters.
fn promise_words(body: &str, date: &str) -> String {
    body.split("\n\n")
        .find(|paragraph| paragraph.contains(date))
        .unwrap_or(body)
        .trim()
        .chars()
        .take(200)
        .collect()
}

/// The key of the delay notice for resolution deadline `due`.
fn delay_key(id: CaseId, due: Timestamp) -> String {
    format!("delay:{}:{}", id.0, micros(due))
}

/// The deadline a delay notice's key is about, if `key` is one of `case`'s delay keys.
fn delay_due(case: CaseId, key: &str) -> Option<Timestamp> {
    let rest = key.strip_prefix("delay:")?;
    let (id, due) = rest.split_once(':')?;
    if id.parse::<i64>().ok()? != case.0 {
        return None;
    }
    Timestamp::from_microsecond(due.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_keys_name_their_case_and_deadline() {
        let due: Timestamp = "2026-11-26T17:00:00.123456Z".parse().unwrap();
        let key = delay_key(CaseId(7), due);
        assert_eq!(delay_due(CaseId(7), &key), Some(due));
        assert_eq!(delay_due(CaseId(8), &key), None);
        for bad in [
            "ack:7",
            "delay:7",
            "delay:7:x",
            "delay:x:1",
            "sla_breach:7:resolution:1",
        ] {
            assert_eq!(delay_due(CaseId(7), bad), None, "{bad}");
        }
    }
}
