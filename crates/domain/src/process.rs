//! What the process engine keeps besides the case itself: promises made to customers
//! (commitments), durable jobs, staff notifications, satisfaction / confirmation requests and
//! preventive actions. Model and commands only; `ProcessStore` in `ports` stores them.

use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, MessageId};
use crate::lifecycle::Status;
use crate::model::{Case, Customer};
use crate::text_enum::text_enum;

macro_rules! process_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

process_id!(CommitmentId, JobId, NotificationId, FeedbackId, ActionId);

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
    /// Typed by an agent, or found by the coach in an outbound message.
    CommitmentSource, field = "source", {
        Manual = "manual",
        Coach = "coach",
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
    /// Claims so far, this one included.
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
    /// Give up: kept as failed for an operator to look at.
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
    pub outcome: JobOutcome,
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
