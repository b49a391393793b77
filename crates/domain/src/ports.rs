use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use crate::commands::{
    Assign, CaseFilter, IncidentRecordInput, NewAgent, NewCase, NewDepartment, NewMessage,
    Transition, UpdateCase,
};
use crate::error::StoreError;
use crate::export::ExportRecord;
use crate::ids::{AgentId, CaseId, CustomerId, DepartmentId};
use crate::model::{
    Actor, Agent, ApiToken, Case, CaseDetail, Customer, Department, Event, IncidentRecord, Message,
    Role,
};
use crate::paging::{ListQuery, Page};
use crate::process::{
    ActionId, ActionStatus, CaseFacts, Commitment, CommitmentChange, CommitmentId, FeedbackAnswer,
    FeedbackPurpose, FeedbackRequest, Job, JobOutcome, JobRun, JobSpec, NewCommitment,
    NewNotification, NewPreventiveAction, Notification, NotificationId, PreventiveAction,
};

/// Everything Calmdesk keeps. Each command validates its input, runs as ONE transaction that
/// includes its history events and search index rows, and leaves nothing behind when it fails.
/// Instants are kept to the microsecond: `now` is truncated, and what is returned is what is stored.
/// The process engine's storage ([`ProcessStore`]) is part of it, so one `Arc<dyn Store>` serves
/// both.
#[async_trait]
pub trait Store: ProcessStore + Send + Sync {
    /// Succeeds when the database answers (readiness probe).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Finds the customer by e-mail, then phone, or creates them; opens the case with the first
    /// inbound message.
    async fn create_case(
        &self,
        actor: &Actor,
        cmd: NewCase,
        now: Timestamp,
    ) -> Result<CaseDetail, StoreError>;
    async fn get_case(&self, id: CaseId) -> Result<CaseDetail, StoreError>;
    /// Newest first; with `q`, only cases containing every word of `q`.
    async fn list_cases(&self, filter: &CaseFilter) -> Result<Page<Case>, StoreError>;
    async fn update_case(
        &self,
        actor: &Actor,
        id: CaseId,
        update: UpdateCase,
        now: Timestamp,
    ) -> Result<Case, StoreError>;
    async fn add_message(
        &self,
        actor: &Actor,
        id: CaseId,
        msg: NewMessage,
        now: Timestamp,
    ) -> Result<Message, StoreError>;
    /// Checks the lifecycle against the stored status inside the transaction.
    async fn transition(
        &self,
        actor: &Actor,
        id: CaseId,
        t: Transition,
        now: Timestamp,
    ) -> Result<Case, StoreError>;
    async fn assign(
        &self,
        actor: &Actor,
        id: CaseId,
        a: Assign,
        now: Timestamp,
    ) -> Result<Case, StoreError>;
    /// `assign`, but only while the case is still held as `expected` (assignee, department):
    /// answers `None` and changes nothing when someone moved it since it was read. The process
    /// engine routes with it, so it never overrides a person's assignment.
    async fn assign_unless_moved(
        &self,
        actor: &Actor,
        id: CaseId,
        expected: (Option<AgentId>, Option<DepartmentId>),
        a: Assign,
        now: Timestamp,
    ) -> Result<Option<Case>, StoreError>;
    async fn set_incident_record(
        &self,
        actor: &Actor,
        id: CaseId,
        r: IncidentRecordInput,
        now: Timestamp,
    ) -> Result<IncidentRecord, StoreError>;
    /// The case's history, oldest first.
    async fn timeline(&self, id: CaseId) -> Result<Vec<Event>, StoreError>;
    /// The case and its history (oldest first) as of one moment: what the process engine and the
    /// SLA clock read together, in one read transaction.
    async fn case_with_history(&self, id: CaseId) -> Result<(CaseDetail, Vec<Event>), StoreError>;

    /// Oldest first.
    async fn list_customers(&self, query: &ListQuery) -> Result<Page<Customer>, StoreError>;
    async fn get_customer(&self, id: CustomerId) -> Result<Customer, StoreError>;
    async fn create_agent(&self, cmd: NewAgent) -> Result<Agent, StoreError>;
    /// Oldest first.
    async fn list_agents(&self, query: &ListQuery) -> Result<Page<Agent>, StoreError>;
    async fn create_department(&self, cmd: NewDepartment) -> Result<Department, StoreError>;
    /// All departments (a short list), oldest first.
    async fn list_departments(&self) -> Result<Vec<Department>, StoreError>;
    /// How many open cases (neither resolved nor closed) each agent holds; agents holding none
    /// are left out. Routing by load reads this on every review of an unassigned case.
    async fn open_case_counts(&self) -> Result<Vec<(AgentId, u32)>, StoreError>;

    /// With `agent_id`, the agent must exist (else `InvalidField` on `agent_id`).
    async fn create_token(
        &self,
        name: &str,
        role: Role,
        agent_id: Option<AgentId>,
        secret_hash: [u8; 32],
        now: Timestamp,
    ) -> Result<ApiToken, StoreError>;
    async fn find_token(&self, secret_hash: [u8; 32]) -> Result<Option<ApiToken>, StoreError>;

    /// Up to `limit` cases with id greater than `after`, by id.
    async fn export_cases(
        &self,
        after: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<ExportRecord>, StoreError>;
    /// Stores one exported case keeping all its ids, in one transaction. A case whose id already
    /// exists is refused with a conflict.
    async fn import_case(&self, rec: ExportRecord) -> Result<(), StoreError>;
}

/// The process engine's storage (issue 4). Every command that changes a case — here and in
/// [`Store`] — also schedules the case's `review_case` job (key `review:<case number>`, run at
/// `now`) in the same transaction, so no change goes unreviewed even after a crash.
#[async_trait]
pub trait ProcessStore: Send + Sync {
    // --- durable jobs -------------------------------------------------------------------------
    /// Inserts the job, or replaces the run time and payload of the job with the same key (a
    /// finished one becomes pending again, with no attempts); bumps its generation. A job that is
    /// running keeps its claim: finishing that claim leaves it pending at the new time.
    async fn schedule_job(&self, spec: JobSpec) -> Result<(), StoreError>;
    /// Claims up to `limit` jobs due at `now` — pending, or claimed with a lease run out — for
    /// `worker` until `now + lease`. Two workers never hold the same job (PostgreSQL: `FOR UPDATE
    /// SKIP LOCKED`; SQLite: the single writer). `worker` must be unique among running workers:
    /// a claim is told apart from a later one by worker and claim time.
    async fn claim_due_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError>;
    /// Ends a claim and records the run (in `job_runs`, same transaction). `Done` finishes the job
    /// unless it was rescheduled since the claim (then it stays pending at its new time); `Retry`
    /// makes it pending at `at` (or at its new time, if earlier). A claim that no longer holds —
    /// taken over by another worker after its lease ran out, or finished already — is refused
    /// with a conflict and changes nothing.
    async fn finish_job(
        &self,
        job: &Job,
        outcome: JobOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// When `claim_due_jobs` will next find work: the earliest run time of a pending job or lease
    /// end of a running one (for the runner's sleep).
    async fn next_job_at(&self) -> Result<Option<Timestamp>, StoreError>;
    /// Finished runs with `finished_at >= since`, oldest first.
    async fn job_runs(&self, since: Timestamp) -> Result<Vec<JobRun>, StoreError>;
    /// The same runs a page at a time, in the order they were recorded (the cursor follows the
    /// run's own id, so pages stay stable while runs are added).
    async fn job_runs_page(
        &self,
        since: Timestamp,
        query: &ListQuery,
    ) -> Result<Page<JobRun>, StoreError>;
    /// Deletes the runs finished before `before` (retention); answers how many.
    async fn prune_job_runs(&self, before: Timestamp) -> Result<u64, StoreError>;

    // --- idempotent effects ---------------------------------------------------------------------
    /// Adds the message unless a message with this `key` exists (then returns that one and
    /// `false`): what the engine sends a customer is sent once even if its job runs twice. A key
    /// already used on another case is a conflict.
    async fn add_message_once(
        &self,
        actor: &Actor,
        id: CaseId,
        msg: NewMessage,
        key: &str,
        now: Timestamp,
    ) -> Result<(Message, bool), StoreError>;

    /// In one transaction, `add_message_once` and the promise `c` made in that message (its
    /// `message_id` set to the message, its key `key` unless it has one): whoever reads the case
    /// sees both or neither, so the message is never taken for an untracked promise, and a call
    /// repeated after a crash never leaves a message without its promise. With the message
    /// stored already, answers it, the promise stored under the key (made now if missing), and
    /// `false`.
    async fn add_message_with_commitment(
        &self,
        actor: &Actor,
        id: CaseId,
        msg: NewMessage,
        key: &str,
        c: NewCommitment,
        now: Timestamp,
    ) -> Result<(Message, Commitment, bool), StoreError>;

    // --- commitments (CLEAR-C) ------------------------------------------------------------------
    /// Records the promise with a `commitment_made` event; with a stored `key`, returns the stored
    /// one unchanged (a key of another case is a conflict). Schedules `commitment_check:<id>`
    /// (payload `{"commitment_id": id}`) at the due time. A `message_id` must be of this case.
    async fn add_commitment(
        &self,
        actor: &Actor,
        id: CaseId,
        c: NewCommitment,
        now: Timestamp,
    ) -> Result<Commitment, StoreError>;
    async fn get_commitment(&self, id: CommitmentId) -> Result<Commitment, StoreError>;
    /// Oldest first.
    async fn list_commitments(&self, id: CaseId) -> Result<Vec<Commitment>, StoreError>;
    /// Applies the change with a `commitment_changed` event (before/after status); an illegal
    /// change is a conflict naming the current status.
    async fn change_commitment(
        &self,
        actor: &Actor,
        id: CommitmentId,
        change: CommitmentChange,
        now: Timestamp,
    ) -> Result<Commitment, StoreError>;

    // --- staff notifications --------------------------------------------------------------------
    /// Adds the notification (and, for a case, a `notification_sent` event) unless its key is
    /// stored; returns it and whether it is new (a key stored for another case is a conflict).
    async fn notify(
        &self,
        n: NewNotification,
        now: Timestamp,
    ) -> Result<(Notification, bool), StoreError>;
    /// One notification with the idempotence key it was stored under (the key says what it is
    /// about, e.g. `delay:<case>:<deadline>`).
    async fn get_notification(
        &self,
        id: NotificationId,
    ) -> Result<(Notification, String), StoreError>;
    /// Newest first.
    async fn list_notifications(
        &self,
        case: Option<CaseId>,
        query: &ListQuery,
    ) -> Result<Page<Notification>, StoreError>;
    /// Newest first, only those addressed to one of `recipients` (filtered in the query, so a
    /// page is full whenever more are left).
    async fn list_notifications_to(
        &self,
        case: Option<CaseId>,
        recipients: &[String],
        query: &ListQuery,
    ) -> Result<Page<Notification>, StoreError>;

    // --- satisfaction and confirmation (CLEAR-R4, RO-10) ---------------------------------------
    /// In one transaction: stores the request under the secret's hash and adds `msg` (holding the
    /// link) to the case, both under `key`; if `key` is stored already, does nothing and answers
    /// `None`.
    // Everything the one transaction needs, like `add_message_once` plus the request's own two.
    #[allow(clippy::too_many_arguments)]
    async fn send_feedback_request(
        &self,
        actor: &Actor,
        id: CaseId,
        purpose: FeedbackPurpose,
        secret_hash: [u8; 32],
        msg: NewMessage,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<FeedbackRequest>, StoreError>;
    async fn find_feedback(
        &self,
        secret_hash: [u8; 32],
    ) -> Result<Option<FeedbackRequest>, StoreError>;
    /// Records the answer with a `feedback_received` event; a second answer is a conflict; a
    /// score outside 1–5 (satisfaction) or a missing `confirmed` (confirmation) is invalid.
    async fn answer_feedback(
        &self,
        secret_hash: [u8; 32],
        answer: FeedbackAnswer,
        now: Timestamp,
    ) -> Result<FeedbackRequest, StoreError>;
    /// Oldest first.
    async fn list_feedback(&self, id: CaseId) -> Result<Vec<FeedbackRequest>, StoreError>;

    // --- root causes (CLEAR-R2/R3) ---------------------------------------------------------------
    async fn create_action(
        &self,
        a: NewPreventiveAction,
        now: Timestamp,
    ) -> Result<PreventiveAction, StoreError>;
    async fn set_action_status(
        &self,
        id: ActionId,
        status: ActionStatus,
        now: Timestamp,
    ) -> Result<PreventiveAction, StoreError>;
    /// Oldest first.
    async fn list_actions(&self) -> Result<Vec<PreventiveAction>, StoreError>;
    /// Every case created at or after `since`, or still open (neither resolved nor closed), with
    /// what the report needs; by case id.
    async fn case_facts(&self, since: Timestamp) -> Result<Vec<CaseFacts>, StoreError>;
}

/// Where "now" comes from. The server reads the system clock; tests use a clock they move by
/// hand so days of SLA time pass in milliseconds.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}
