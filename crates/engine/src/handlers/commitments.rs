//! Promises to customers: extracted from replies, fulfilled by the logged callback or answer,
//! reminded before due and escalated when overdue (CLEAR-C).

use std::collections::BTreeMap;

use coach::{LintInput, PromiseKind, ReferenceTime};
use domain::process::{
    Commitment, CommitmentChange, CommitmentId, CommitmentKind, CommitmentSource, CommitmentStatus,
    JobKind, JobSpec, NewCommitment, NotificationKind,
};
use domain::{Actor, CaseDetail, Channel, Event, Message, MessageId, Role, Status, Timestamp};
use jiff::SignedDuration;
use serde_json::json;

use super::language_hint;
use crate::case_view::{
    self, SUPERVISOR, owner_recipient, staff_texts, status_changes, written_by_staff,
};
use crate::{ENGINE_NAME, Engine, EngineError, engine_actor};

impl Engine {
    /// CLEAR-C: promises in staff replies ("I'll call you back within 10 minutes") become
    /// commitments due when promised, counted from the reply's own time.
    pub(super) async fn track_promises(
        &self,
        detail: &CaseDetail,
        now: Timestamp,
    ) -> Result<Vec<Commitment>, EngineError> {
        let store = self.store();
        let id = detail.case.id;
        let mut commitments = store.list_commitments(id).await?;
        // A delay notice's new date is its own promise, tracked already: in the notice's
        // words (an agent may have edited them) the coach tracks only the other promises.
        let delay_notices = delay_notice_messages(&commitments);
        let mut known: BTreeMap<i64, usize> = BTreeMap::new();
        for c in &commitments {
            if let Some(message) = c.message_id
                && c.source != CommitmentSource::DelayNotice
            {
                *known.entry(message.0).or_default() += 1;
            }
        }
        let hint = language_hint(detail);
        let mut added = false;
        for message in detail.messages.iter().filter(|m| written_by_staff(m)) {
            let notice = delay_notices.contains(&message.id);
            let promises: Vec<(usize, NewCommitment)> = self
                .promises_in(message, hint)
                .into_iter()
                .enumerate()
                .filter(|(_, promise)| !(notice && promise.kind == CommitmentKind::Answer))
                .collect();
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
            for (n, promise) in promises {
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

    pub(super) fn promises_in(
        &self,
        message: &Message,
        hint: Option<text::Lang>,
    ) -> Vec<NewCommitment> {
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
    /// later proposed or reached resolution (the answer the customer was waiting for). A delay
    /// notice is no answer: the message that makes a delay notice's promise keeps nothing, even
    /// when an agent sent it (TL-8 with approval).
    pub(super) async fn fulfil_commitments(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        commitments: &mut [Commitment],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let changes = status_changes(events);
        let delay_notices = delay_notice_messages(commitments);
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
                .filter(|m| written_by_staff(m) && !delay_notices.contains(&m.id))
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
    pub(super) async fn schedule_reminders(
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

    pub(super) fn remind_at(&self, commitment: &Commitment) -> Timestamp {
        remind_at(self.config().settings.reminder_before_minutes, commitment)
    }

    pub(super) async fn schedule_commitment_check(
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
}

/// `reminder_before_minutes` before due, but never earlier than half-way through the promise's
/// span ("within 10 minutes" is reminded after 5).
pub(super) fn remind_at(reminder_before_minutes: u32, commitment: &Commitment) -> Timestamp {
    let lead = SignedDuration::from_mins(i64::from(reminder_before_minutes));
    let span = commitment.due_at.duration_since(commitment.created_at);
    let lead = lead.min(span / 2).max(SignedDuration::ZERO);
    commitment.due_at - lead
}

/// The messages that made a delay notice's promise (TL-8): notices of a new date, not answers.
fn delay_notice_messages(commitments: &[Commitment]) -> Vec<MessageId> {
    commitments
        .iter()
        .filter(|c| c.source == CommitmentSource::DelayNotice)
        .filter_map(|c| c.message_id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::CaseId;
    use domain::process::{CommitmentKind, CommitmentSource, CommitmentStatus};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
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
