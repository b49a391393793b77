//! Calmdesk's complaint process engine (issue 4): durable jobs that acknowledge complaints, route
//! them, turn promises into tracked commitments, watch SLA clocks, send delay notices, ask for
//! confirmation and satisfaction, and raise safety alerts — each exactly once toward the customer,
//! even when a job runs again after a crash.
//!
//! Every change to a case schedules its `review_case` job (the store does it in the same
//! transaction). The review derives what is still to do from the stored state alone, so running
//! it twice is harmless; timers (`sla_check`, `commitment_check`, `follow_up`) act when time
//! passes. What reaches a customer goes through keyed, idempotent store commands. See
//! docs/PROCESS.md.

mod case_view;
mod clock;
mod delay_notice;
mod handlers;
mod incident;
mod report;
mod runner;
mod settings;
mod texts;

use std::sync::Arc;

use domain::sla::SlaStatus;
use domain::{Actor, CaseDetail, CaseId, Clock, Status, Store, StoreError, Timestamp};
use sha2::{Digest, Sha256};

pub use clock::{ManualClock, SystemClock};
pub use delay_notice::{DelayNoticeRefusal, SentDelayNotice};
pub use report::{CauseCount, Report, ReportError};
pub use runner::{RunSummary, StopHandle};
pub use settings::{
    DelayNotices, EngineConfig, EngineConfigError, EngineSettings, RoutingSettings, SafetySettings,
};

/// The name the engine acts under in case histories, and signs its messages with.
pub const ENGINE_NAME: &str = domain::PROCESS_ENGINE;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("case {case}: its history cannot be put on an SLA clock: {source}")]
    Sla {
        case: CaseId,
        source: domain::sla::SlaError,
    },
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("job {key}: {reason}")]
    BadJob { key: String, reason: String },
    #[error("a random feedback secret could not be drawn: {0}")]
    Random(String),
    #[error(transparent)]
    DelayNotice(#[from] DelayNoticeRefusal),
}

impl EngineError {
    /// Worth trying again later: the database went away, or a concurrent change won a race.
    fn is_transient(&self) -> bool {
        matches!(
            self,
            EngineError::Store(StoreError::Unavailable(_))
                | EngineError::Store(StoreError::Domain(domain::DomainError::Conflict(_)))
        )
    }
}

/// The process engine. Cheap to clone: clones share the store, configuration, clock and wake-up.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    /// With `routing.max_open_cases` set, routing decisions of this process are taken one at a
    /// time, so cases reviewed in parallel do not all go to the same agent past the cap.
    routing: tokio::sync::Mutex<()>,
    store: Arc<dyn Store>,
    config: Arc<EngineConfig>,
    clock: Arc<dyn Clock>,
    wake: tokio::sync::Notify,
    /// When the runner last deleted old job runs.
    last_prune: std::sync::Mutex<Option<Timestamp>>,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, config: Arc<EngineConfig>, clock: Arc<dyn Clock>) -> Self {
        Engine {
            inner: Arc::new(Inner {
                routing: tokio::sync::Mutex::new(()),
                store,
                config,
                clock,
                wake: tokio::sync::Notify::new(),
                last_prune: std::sync::Mutex::new(None),
            }),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// The SLA standing of a case now (for the case JSON: `first_response.due`,
    /// `resolution.due`, `state`).
    pub async fn sla(&self, detail: &CaseDetail) -> Result<SlaStatus, EngineError> {
        // Nothing moves a case back to `received`: a case still there has no status history, so
        // its clock needs no read of the timeline (the answer to every creation is such a case).
        let events = if detail.case.status == Status::Received {
            Vec::new()
        } else {
            self.store().timeline(detail.case.id).await?
        };
        case_view::sla_status(self.config(), detail, &events, self.now())
    }

    /// A case with its SLA standing now, read in one transaction.
    pub async fn case_with_sla(&self, id: CaseId) -> Result<(CaseDetail, SlaStatus), EngineError> {
        let (detail, events) = self.store().case_with_history(id).await?;
        let sla = case_view::sla_status(self.config(), &detail, &events, self.now())?;
        Ok((detail, sla))
    }

    /// The incident record (RO-11) as Markdown, in the language of the agent who has the case.
    pub async fn incident_markdown(&self, id: CaseId) -> Result<String, EngineError> {
        incident::render(self, id, incident::Format::Markdown).await
    }

    /// The incident record (RO-11) as an HTML fragment, in the agent's language.
    pub async fn incident_html(&self, id: CaseId) -> Result<String, EngineError> {
        incident::render(self, id, incident::Format::Html).await
    }

    /// The root-cause report (CLEAR-R2/R3) over cases created since `since` (and still open ones).
    pub async fn report(&self, since: Timestamp) -> Result<Report, EngineError> {
        report::build(self, since).await
    }
}

/// A new unguessable feedback secret for a link, and the SHA-256 the store keeps of it.
pub fn feedback_secret() -> Result<(String, [u8; 32]), EngineError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| EngineError::Random(err.to_string()))?;
    let secret = hex::encode(bytes);
    let hash = feedback_secret_hash(&secret);
    Ok((secret, hash))
}

/// The hash under which a feedback secret from a link is looked up (`find_feedback`,
/// `answer_feedback`).
pub fn feedback_secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.trim().as_bytes()).into()
}

/// Who the engine is in case histories.
pub(crate) fn engine_actor() -> Actor {
    Actor::process_engine()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_secrets_are_fresh_and_hash_consistently() {
        let (a, hash_a) = feedback_secret().unwrap();
        let (b, _) = feedback_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(feedback_secret_hash(&a), hash_a);
        assert_eq!(feedback_secret_hash(&format!(" {a}\n")), hash_a);
    }
}
