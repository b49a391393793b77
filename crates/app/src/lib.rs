//! Calmdesk's use cases. Each one checks who may run it, stamps the time and hands the command to
//! the storage port, which validates it and writes it in one transaction. Transport-free: the web
//! layer and the command line both call these.

mod auth;
mod error;
mod policy;
mod process;
mod transfer;

use std::sync::Arc;
use std::time::Duration;

use domain::{
    Actor, Agent, AgentId, ApiToken, Assign, Case, CaseDetail, CaseFilter, CaseId, Customer,
    CustomerId, Department, DomainError, Event, IncidentRecord, IncidentRecordInput, ListQuery,
    Message, NewAgent, NewCase, NewDepartment, NewMessage, Page, Role, Store, StoreError, Taxonomy,
    Timestamp, Transition, UpdateCase,
};

use auth::TokenCache;
pub use auth::{TokenSecret, hash_secret};
use engine::Engine;
pub use error::AppError;
pub use policy::{Action, may};
pub use process::{DocumentFormat, ReportFormat, Since};

/// The use cases over one store. Cheap to clone: the store is shared.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    /// The process engine over the same store: SLA, reports, incident documents, and the
    /// runner to wake after a change.
    engine: Arc<Engine>,
    tokens: Arc<TokenCache>,
    taxonomy: Arc<Taxonomy>,
}

/// How long an authenticated token is trusted without asking the database again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(30);

/// A token just created: its public record and the secret, shown to its owner exactly once.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: ApiToken,
    pub secret: TokenSecret,
}

fn detected_language(cmd: &NewCase) -> Option<String> {
    let text = format!("{}\n{}", cmd.subject, cmd.message);
    match text::detect(&text).lang {
        text::Lang::Und => None,
        lang => Some(lang.as_str().to_owned()),
    }
}

impl App {
    /// The use cases with the built-in taxonomy.
    pub fn new(store: Arc<dyn Store>, engine: Arc<Engine>) -> Self {
        App {
            store,
            engine,
            tokens: Arc::new(TokenCache::new(TOKEN_CACHE_TTL)),
            taxonomy: Arc::new(Taxonomy::builtin()),
        }
    }

    /// Cases are filed under the categories and causes of `taxonomy` (already validated).
    pub fn with_taxonomy(mut self, taxonomy: Taxonomy) -> Self {
        self.taxonomy = Arc::new(taxonomy);
        self
    }

    pub fn taxonomy(&self, actor: &Actor) -> Result<&Taxonomy, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(&self.taxonomy)
    }

    /// Passes a command's result on; after a change, wakes the local job runner so the engine
    /// reviews the case now rather than at its next poll (the review job is already stored).
    fn woke<T>(&self, result: Result<T, StoreError>) -> Result<T, AppError> {
        let value = result?;
        self.engine.wake();
        Ok(value)
    }

    /// Readiness: the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Who holds this bearer secret; unknown secrets are refused without saying more.
    pub async fn authenticate(&self, secret: &str) -> Result<Actor, AppError> {
        let hash = hash_secret(secret);
        if let Some(actor) = self.tokens.get(&hash) {
            return Ok(actor);
        }
        let token = self
            .store
            .find_token(hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let actor = Actor {
            name: token.name,
            role: token.role,
            agent_id: token.agent_id,
        };
        self.tokens.put(hash, actor.clone());
        Ok(actor)
    }

    /// Creates a token for `name` with `role`, linked to the agent `agent_id` when given (its
    /// holder then sees the notifications addressed to that agent, and its actions name the
    /// agent). Not role-checked: the command line that calls it already has the database, and
    /// the HTTP route checks [`Action::IssueToken`] first.
    pub async fn issue_token(
        &self,
        name: &str,
        role: Role,
        agent_id: Option<AgentId>,
    ) -> Result<IssuedToken, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "must not be empty").into());
        }
        let secret = TokenSecret::generate().map_err(|err| AppError::Random(err.to_string()))?;
        let token = self
            .store
            .create_token(name, role, agent_id, secret.hash(), Timestamp::now())
            .await?;
        Ok(IssuedToken { token, secret })
    }

    pub async fn issue_token_as(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        agent_id: Option<AgentId>,
    ) -> Result<IssuedToken, AppError> {
        policy::require(actor, Action::IssueToken)?;
        self.issue_token(name, role, agent_id).await
    }

    /// Opens a case. Without a stated language, the customer's is used, else the one the
    /// complaint is written in (when the detector is sure), so routing and replies can follow it.
    pub async fn open_case(&self, actor: &Actor, mut cmd: NewCase) -> Result<CaseDetail, AppError> {
        policy::require(actor, Action::WorkCases)?;
        self.taxonomy.check_category(cmd.category.as_deref())?;
        self.taxonomy.check_cause(cmd.cause.as_deref())?;
        if cmd.language.is_none() && cmd.customer.language.is_none() {
            cmd.language = detected_language(&cmd);
        }
        self.woke(self.store.create_case(actor, cmd, Timestamp::now()).await)
    }

    pub async fn case(&self, actor: &Actor, id: CaseId) -> Result<CaseDetail, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.get_case(id).await?)
    }

    pub async fn cases(&self, actor: &Actor, filter: &CaseFilter) -> Result<Page<Case>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.list_cases(filter).await?)
    }

    pub async fn update_case(
        &self,
        actor: &Actor,
        id: CaseId,
        update: UpdateCase,
    ) -> Result<Case, AppError> {
        policy::require(actor, Action::WorkCases)?;
        self.taxonomy.check_category(update.category.as_deref())?;
        self.taxonomy.check_cause(update.cause.as_deref())?;
        self.woke(
            self.store
                .update_case(actor, id, update, Timestamp::now())
                .await,
        )
    }

    pub async fn add_message(
        &self,
        actor: &Actor,
        id: CaseId,
        msg: NewMessage,
    ) -> Result<Message, AppError> {
        policy::require(actor, Action::WorkCases)?;
        self.woke(
            self.store
                .add_message(actor, id, msg, Timestamp::now())
                .await,
        )
    }

    pub async fn transition(
        &self,
        actor: &Actor,
        id: CaseId,
        t: Transition,
    ) -> Result<Case, AppError> {
        policy::require(actor, Action::WorkCases)?;
        self.woke(self.store.transition(actor, id, t, Timestamp::now()).await)
    }

    /// Decides who owns a case (supervisors); a hand-off note is not expected here.
    pub async fn assign(&self, actor: &Actor, id: CaseId, a: Assign) -> Result<Case, AppError> {
        policy::require(actor, Action::Assign)?;
        self.woke(self.store.assign(actor, id, a, Timestamp::now()).await)
    }

    /// TL-7: any agent may hand a case to a colleague or department that has the competence, but
    /// only with a note saying what was done so far, so the customer need not repeat themselves.
    pub async fn transfer(&self, actor: &Actor, id: CaseId, a: Assign) -> Result<Case, AppError> {
        policy::require(actor, Action::WorkCases)?;
        if a.note.as_deref().is_none_or(|note| note.trim().is_empty()) {
            return Err(DomainError::invalid(
                "note",
                "a transfer needs a hand-off note saying what was done so far",
            )
            .into());
        }
        if a.agent_id.is_none() && a.department_id.is_none() {
            return Err(DomainError::invalid(
                "agent_id",
                "a transfer names the agent_id or the department_id that takes the case over",
            )
            .into());
        }
        self.woke(self.store.assign(actor, id, a, Timestamp::now()).await)
    }

    pub async fn set_incident_record(
        &self,
        actor: &Actor,
        id: CaseId,
        record: IncidentRecordInput,
    ) -> Result<IncidentRecord, AppError> {
        policy::require(actor, Action::WorkCases)?;
        self.woke(
            self.store
                .set_incident_record(actor, id, record, Timestamp::now())
                .await,
        )
    }

    pub async fn timeline(&self, actor: &Actor, id: CaseId) -> Result<Vec<Event>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.timeline(id).await?)
    }

    pub async fn customers(
        &self,
        actor: &Actor,
        query: &ListQuery,
    ) -> Result<Page<Customer>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.list_customers(query).await?)
    }

    pub async fn customer(&self, actor: &Actor, id: CustomerId) -> Result<Customer, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.get_customer(id).await?)
    }

    pub async fn agents(&self, actor: &Actor, query: &ListQuery) -> Result<Page<Agent>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.list_agents(query).await?)
    }

    pub async fn create_agent(&self, actor: &Actor, cmd: NewAgent) -> Result<Agent, AppError> {
        policy::require(actor, Action::ManageStaff)?;
        Ok(self.store.create_agent(cmd).await?)
    }

    pub async fn departments(&self, actor: &Actor) -> Result<Vec<Department>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.list_departments().await?)
    }

    pub async fn create_department(
        &self,
        actor: &Actor,
        cmd: NewDepartment,
    ) -> Result<Department, AppError> {
        policy::require(actor, Action::ManageStaff)?;
        Ok(self.store.create_department(cmd).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Channel, NewCustomer};

    fn complaint(subject: &str, message: &str) -> NewCase {
        NewCase::new(NewCustomer::named("x"), Channel::Email, subject, message)
    }

    #[test]
    fn the_language_of_the_complaint_is_detected() {
        let chinese = complaint("订单迟迟没有退款", "我要退款，已经等了两个星期了。");
        assert_eq!(detected_language(&chinese).as_deref(), Some("zh-Hans"));
        let greek = complaint("Χρεώθηκα δύο φορές", "Η κάρτα μου χρεώθηκε δύο φορές.");
        assert_eq!(detected_language(&greek).as_deref(), Some("el"));
    }
}
