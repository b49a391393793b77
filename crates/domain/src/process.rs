//! What the process engine keeps besides the case itself: promises made to customers
//! (commitments), durable jobs, staff notifications, satisfaction / confirmation requests and
//! preventive actions. Model and commands only; `ProcessStore` in `ports` stores them.

use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use crate::commands::{Limits, body, optional_text, required_text};
use crate::error::DomainError;
use crate::ids::{CaseId, MessageId, numeric_id};
use crate::lifecycle::Status;
use crate::model::{Case, Customer};
use crate::text_enum::text_enum;

numeric_id!(CommitmentId, JobId, NotificationId, FeedbackId, ActionId);

text_enum!(
    /// CLEAR-C: what was promised — to call back, or to send an answer.
    CommitmentKind, field = "kind", {
        Callback = "callback",
        Answer = "answer",
    }
);

text_enum!(CommitmentStatus, field = "status", {
    Open = "open",
    Fulfilled = "fulfilled",
    /// Past due and not kept: escalated to a supervisor; fulfilling it later is still recorded.
    Overdue = "overdue",
    Cancelled = "cancelled",
});

text_enum!(
    /// Typed by an agent, found by the coach in an outbound message, or the new date of a
    /// delay notice (TL-8; its message is not the answer to earlier promises).
    CommitmentSource, field = "source", {
        Manual = "manual",
        Coach = "coach",
        DelayNotice = "delay_notice",
    }
);

/// A promise to a customer with its due time (CLEAR-C: "I'll call you back within 10 minutes").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub id: CommitmentId,
    pub case_id: CaseId,
    pub kind: CommitmentKind,
    /// The promise in the words it was made in.
    pub description: String,
    pub due_at: Timestamp,
    pub status: CommitmentStatus,
    pub source: CommitmentSource,
    /// The outbound message the coach found it in.
    pub message_id: Option<MessageId>,
    /// Who made it (the actor's name).
    pub made_by: String,
    pub created_at: Timestamp,
    pub reminded_at: Option<Timestamp>,
    pub fulfilled_at: Option<Timestamp>,
    /// When it was found overdue and escalated.
    pub escalated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCommitment {
    pub kind: CommitmentKind,
    pub description: String,
    pub due_at: Timestamp,
    #[serde(default = "manual")]
    pub source: CommitmentSource,
    #[serde(default)]
    pub message_id: Option<MessageId>,
    /// Idempotence: adding a commitment whose key is already stored returns the stored one.
    #[serde(default)]
    pub key: Option<String>,
}

fn manual() -> CommitmentSource {
    CommitmentSource::Manual
}

/// What happens to a commitment. Allowed: open → reminded (stays open), open → fulfilled,
/// open → overdue, overdue → fulfilled, open|overdue → cancelled; anything else is a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentChange {
    Reminded,
    Fulfilled,
    Overdue,
    Cancelled,
}

text_enum!(
    /// The work the engine does later. Each kind's handler must be idempotent: a job may run
    /// again after a crash between its effects and its completion.
    JobKind, field = "kind", {
        /// Reconcile a case after any change: acknowledgement, routing, SLA, promises in new
        /// outbound messages, follow-up scheduling, safety, feedback consequences.
        ReviewCase = "review_case",
        /// The SLA standing of a case changes by the passing of time (warning, deadline).
        SlaCheck = "sla_check",
        /// A commitment's reminder time or due time has come.
        CommitmentCheck = "commitment_check",
        /// CLEAR-R4: N days after resolution, ask whether the customer is satisfied.
        FollowUp = "follow_up",
    }
);

/// A job to (re)schedule. `key` names the job: scheduling an existing key replaces its run time
/// and payload (and makes a finished job pending again) instead of adding a second job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    pub key: String,
    pub kind: JobKind,
    pub case_id: Option<CaseId>,
    pub run_at: Timestamp,
    pub payload: serde_json::Value,
}

/// A job claimed by one worker until `lease_until`. Another worker may claim it only after the
/// lease has run out (the first one crashed or hung).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub key: String,
    pub kind: JobKind,
    pub case_id: Option<CaseId>,
    pub run_at: Timestamp,
    pub payload: serde_json::Value,
    /// Claims since the job was last scheduled (or last finished `Done`), this one included.
    pub attempts: u32,
    pub claimed_by: String,
    pub claimed_at: Timestamp,
    pub lease_until: Timestamp,
    /// Bumped by every `schedule_job` of the key: finishing a claim of an older generation leaves
    /// the job pending, so a change made while it ran is not missed.
    pub generation: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum JobOutcome {
    Done,
    /// Run again at `at` (a transient failure, e.g. the database went away).
    Retry {
        at: Timestamp,
        error: String,
    },
    /// Give up: kept as failed for an operator to look at (unless it was rescheduled while it
    /// ran: then it stays pending at its new time).
    Failed {
        error: String,
    },
}

/// One finished run of a job, kept so operators (and tests) can see that no job ran twice and
/// how late jobs start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub job_id: JobId,
    pub key: String,
    pub kind: JobKind,
    pub generation: i64,
    pub worker: String,
    pub due_at: Timestamp,
    pub claimed_at: Timestamp,
    pub finished_at: Timestamp,
    /// What the worker reported.
    pub outcome: JobOutcome,
    /// The finish was refused: the claim had been taken over (its lease ran out) or finished
    /// already, so the job ran more than once. Kept so such a double run can be seen; the
    /// outcome changed nothing.
    #[serde(default)]
    pub superseded: bool,
}

text_enum!(
    /// Why staff are told something.
    NotificationKind, field = "kind", {
        SlaWarning = "sla_warning",
        SlaBreach = "sla_breach",
        CommitmentReminder = "commitment_reminder",
        CommitmentOverdue = "commitment_overdue",
        /// TL-10.
        Safety = "safety",
        LowSatisfaction = "low_satisfaction",
        /// TL-8 with approval: a delay notice waits for an agent to send it.
        DelayNoticeApproval = "delay_notice_approval",
        FollowUpDue = "follow_up_due",
        /// TL-7: a transfer's hand-off note for the agent (or queue) taking the case over.
        Handoff = "handoff",
        /// RO-10: the customer answered "not yet" to the confirmation request.
        ConfirmationDeclined = "confirmation_declined",
    }
);

/// A message to staff (a supervisor, a security contact, the assigned agent), kept as an outbox
/// row: whatever delivers it (web view, e-mail) reads from here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub case_id: Option<CaseId>,
    pub kind: NotificationKind,
    /// A role (`supervisor`), an agent (`agent:12`) or a configured contact (an e-mail address).
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNotification {
    pub case_id: Option<CaseId>,
    pub kind: NotificationKind,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Idempotence: a notification whose key is stored already is not added again.
    pub key: String,
}

text_enum!(
    /// CLEAR-R4 satisfaction (CSAT 1–5 + comment) or RO-10 confirmation of the solution.
    FeedbackPurpose, field = "purpose", {
        Satisfaction = "satisfaction",
        Confirmation = "confirmation",
    }
);

/// A request sent to the customer with an unguessable link (only the secret's SHA-256 is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackRequest {
    pub id: FeedbackId,
    pub case_id: CaseId,
    pub purpose: FeedbackPurpose,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    /// 1–5, satisfaction only.
    pub score: Option<u8>,
    /// Confirmation only: the customer says the solution works (total) or not yet (pending).
    pub confirmed: Option<bool>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackAnswer {
    #[serde(default)]
    pub score: Option<u8>,
    #[serde(default)]
    pub confirmed: Option<bool>,
    #[serde(default)]
    pub comment: Option<String>,
}

text_enum!(ActionStatus, field = "status", {
    Open = "open",
    Done = "done",
    Dropped = "dropped",
});

/// CLEAR-R3: a preventive action against a root cause, with an owner and a due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventiveAction {
    pub id: ActionId,
    /// A cause of the taxonomy.
    pub cause: String,
    pub description: String,
    pub owner: String,
    pub due_on: Date,
    pub status: ActionStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPreventiveAction {
    pub cause: String,
    pub description: String,
    pub owner: String,
    pub due_on: Date,
}

/// What the root-cause report needs to know about one case, gathered in a few queries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub case: Case,
    pub customer: Customer,
    /// Status changes after receipt, oldest first (from the `status_changed` events).
    pub status_changes: Vec<(Timestamp, Status)>,
    pub first_outbound_at: Option<Timestamp>,
    pub last_outbound_at: Option<Timestamp>,
    /// The inbound messages' bodies, oldest first (the report reads anger from them).
    pub inbound: Vec<String>,
    pub commitments: Vec<Commitment>,
    pub feedback: Vec<FeedbackRequest>,
}

/// Checks an idempotence key or job key: a short label such as `review:12` or `ack:12`.
pub fn idempotence_key(key: &str) -> Result<String, DomainError> {
    required_text("key", key, Limits::LABEL)
}

impl NewCommitment {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewCommitment {
            kind: self.kind,
            description: required_text("description", &self.description, Limits::NOTE)?,
            due_at: self.due_at,
            source: self.source,
            message_id: self.message_id,
            key: self.key.map(|k| idempotence_key(&k)).transpose()?,
        })
    }
}

impl CommitmentChange {
    /// The commitment after this change at `now`, or a conflict naming its current status (see
    /// the allowed changes above).
    pub fn apply(self, c: &Commitment, now: Timestamp) -> Result<Commitment, DomainError> {
        use CommitmentStatus::{Cancelled, Fulfilled, Open, Overdue};
        let mut next = c.clone();
        match (self, c.status) {
            (CommitmentChange::Reminded, Open) => next.reminded_at = Some(now),
            (CommitmentChange::Fulfilled, Open | Overdue) => {
                next.status = Fulfilled;
                next.fulfilled_at = Some(now);
            }
            (CommitmentChange::Overdue, Open) => {
                next.status = Overdue;
                next.escalated_at = Some(now);
            }
            (CommitmentChange::Cancelled, Open | Overdue) => next.status = Cancelled,
            (change, status) => {
                return Err(DomainError::Conflict(format!(
                    "commitment {} is {status}; it cannot be {}",
                    c.id,
                    change.verb()
                )));
            }
        }
        Ok(next)
    }

    fn verb(self) -> &'static str {
        match self {
            CommitmentChange::Reminded => "reminded of",
            CommitmentChange::Fulfilled => "fulfilled",
            CommitmentChange::Overdue => "marked overdue",
            CommitmentChange::Cancelled => "cancelled",
        }
    }
}

impl JobSpec {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(JobSpec {
            key: idempotence_key(&self.key)?,
            ..self
        })
    }
}

impl NewNotification {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewNotification {
            case_id: self.case_id,
            kind: self.kind,
            recipient: required_text("recipient", &self.recipient, Limits::NAME)?,
            subject: required_text("subject", &self.subject, Limits::SUBJECT)?,
            body: body("body", self.body)?,
            key: idempotence_key(&self.key)?,
        })
    }
}

impl FeedbackAnswer {
    /// A satisfaction answer needs a score of 1–5, a confirmation answer needs `confirmed`; the
    /// other one's field is refused so a wrong form is not silently half-stored.
    pub fn validate(self, purpose: FeedbackPurpose) -> Result<Self, DomainError> {
        let comment = optional_text("comment", self.comment, Limits::NOTE)?;
        match purpose {
            FeedbackPurpose::Satisfaction => {
                match self.score {
                    Some(1..=5) => {}
                    Some(score) => {
                        return Err(DomainError::invalid(
                            "score",
                            format!("must be between 1 and 5, got {score}"),
                        ));
                    }
                    None => return Err(DomainError::invalid("score", "required: 1 to 5")),
                }
                if self.confirmed.is_some() {
                    return Err(DomainError::invalid(
                        "confirmed",
                        "only answers a confirmation request, not a satisfaction request",
                    ));
                }
            }
            FeedbackPurpose::Confirmation => {
                if self.confirmed.is_none() {
                    return Err(DomainError::invalid(
                        "confirmed",
                        "required: true (the solution works) or false (not yet)",
                    ));
                }
                if self.score.is_some() {
                    return Err(DomainError::invalid(
                        "score",
                        "only answers a satisfaction request, not a confirmation request",
                    ));
                }
            }
        }
        Ok(FeedbackAnswer { comment, ..self })
    }
}

impl NewPreventiveAction {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewPreventiveAction {
            cause: required_text("cause", &self.cause, Limits::LABEL)?,
            description: required_text("description", &self.description, Limits::NOTE)?,
            owner: required_text("owner", &self.owner, Limits::NAME)?,
            due_on: self.due_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commitment(status: CommitmentStatus) -> Commitment {
        let t: Timestamp = "2026-01-01T09:00:00Z".parse().unwrap();
        Commitment {
            id: CommitmentId(7),
            case_id: CaseId(1),
            kind: CommitmentKind::Callback,
            description: "I'll call you back within 10 minutes".into(),
            due_at: t,
            status,
            source: CommitmentSource::Manual,
            message_id: None,
            made_by: "Ana".into(),
            created_at: t,
            reminded_at: None,
            fulfilled_at: None,
            escalated_at: None,
        }
    }

    #[test]
    fn commitment_changes_follow_the_documented_table() {
        use CommitmentChange as C;
        use CommitmentStatus as S;
        let allowed = [
            (S::Open, C::Reminded, S::Open),
            (S::Open, C::Fulfilled, S::Fulfilled),
            (S::Open, C::Overdue, S::Overdue),
            (S::Open, C::Cancelled, S::Cancelled),
            (S::Overdue, C::Fulfilled, S::Fulfilled),
            (S::Overdue, C::Cancelled, S::Cancelled),
        ];
        let now: Timestamp = "2026-01-01T10:00:00Z".parse().unwrap();
        for from in S::ALL {
            for change in [C::Reminded, C::Fulfilled, C::Overdue, C::Cancelled] {
                let result = change.apply(&commitment(*from), now);
                match allowed.iter().find(|(f, c, _)| f == from && *c == change) {
                    Some((_, _, to)) => assert_eq!(result.unwrap().status, *to),
                    None => {
                        let err = result.unwrap_err().to_string();
                        assert!(err.contains(from.as_str()), "{err}");
                    }
                }
            }
        }
        let reminded = C::Reminded.apply(&commitment(S::Open), now).unwrap();
        assert_eq!(reminded.reminded_at, Some(now));
        let escalated = C::Overdue.apply(&commitment(S::Open), now).unwrap();
        assert_eq!(escalated.escalated_at, Some(now));
        let kept = C::Fulfilled.apply(&escalated, now).unwrap();
        assert_eq!(
            (kept.fulfilled_at, kept.escalated_at),
            (Some(now), Some(now))
        );
    }

    #[test]
    fn feedback_answers_are_checked_against_the_purpose() {
        let answer = |score, confirmed| FeedbackAnswer {
            score,
            confirmed,
            comment: Some("  ok  ".into()),
        };
        let sat = FeedbackPurpose::Satisfaction;
        let conf = FeedbackPurpose::Confirmation;
        assert_eq!(
            answer(Some(2), None)
                .validate(sat)
                .unwrap()
                .comment
                .as_deref(),
            Some("ok")
        );
        for bad in [Some(0), Some(6), None] {
            let err = answer(bad, None).validate(sat).unwrap_err();
            assert!(matches!(err, DomainError::InvalidField { ref field, .. } if field == "score"));
        }
        assert!(answer(Some(3), Some(true)).validate(sat).is_err());
        assert!(answer(None, Some(false)).validate(conf).is_ok());
        assert!(answer(None, None).validate(conf).is_err());
        assert!(answer(Some(4), Some(true)).validate(conf).is_err());
    }

    #[test]
    fn keys_and_texts_are_required() {
        let spec = JobSpec {
            key: "  ".into(),
            kind: JobKind::ReviewCase,
            case_id: None,
            run_at: Timestamp::UNIX_EPOCH,
            payload: serde_json::Value::Null,
        };
        assert!(spec.validate().is_err());
        let note = NewNotification {
            case_id: None,
            kind: NotificationKind::Safety,
            recipient: "security@example.com".into(),
            subject: "Threat".into(),
            body: "".into(),
            key: "safety:1".into(),
        };
        let err = note.validate().unwrap_err();
        assert!(matches!(err, DomainError::InvalidField { ref field, .. } if field == "body"));
    }
}
