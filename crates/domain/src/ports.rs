use async_trait::async_trait;
use jiff::Timestamp;

use crate::commands::{
    Assign, CaseFilter, IncidentRecordInput, NewAgent, NewCase, NewDepartment, NewMessage,
    Transition, UpdateCase,
};
use crate::error::StoreError;
use crate::export::ExportRecord;
use crate::ids::{CaseId, CustomerId};
use crate::model::{
    Actor, Agent, ApiToken, Case, CaseDetail, Customer, Department, Event, IncidentRecord, Message,
    Role,
};
use crate::paging::{ListQuery, Page};

/// Everything Calmdesk keeps. Each command validates its input, runs as ONE transaction that
/// includes its history events and search index rows, and leaves nothing behind when it fails.
/// Instants are kept to the microsecond: `now` is truncated, and what is returned is what is stored.
#[async_trait]
pub trait Store: Send + Sync {
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
    async fn set_incident_record(
        &self,
        actor: &Actor,
        id: CaseId,
        r: IncidentRecordInput,
        now: Timestamp,
    ) -> Result<IncidentRecord, StoreError>;
    /// The case's history, oldest first.
    async fn timeline(&self, id: CaseId) -> Result<Vec<Event>, StoreError>;

    /// Oldest first.
    async fn list_customers(&self, query: &ListQuery) -> Result<Page<Customer>, StoreError>;
    async fn get_customer(&self, id: CustomerId) -> Result<Customer, StoreError>;
    async fn create_agent(&self, cmd: NewAgent) -> Result<Agent, StoreError>;
    /// Oldest first.
    async fn list_agents(&self, query: &ListQuery) -> Result<Page<Agent>, StoreError>;
    async fn create_department(&self, cmd: NewDepartment) -> Result<Department, StoreError>;
    /// All departments (a short list), oldest first.
    async fn list_departments(&self) -> Result<Vec<Department>, StoreError>;

    async fn create_token(
        &self,
        name: &str,
        role: Role,
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
