//! The job handlers. Each derives what is still to do from the stored state and does it through
//! keyed (idempotent) store commands, so a run repeated after a crash sends nothing twice. Staff
//! alerts are sent before the state change that records them, so a crash in between repeats the
//! (deduplicated) alert rather than losing it.

mod commitments;
mod feedback;
mod review;
mod safety;
mod sla;

use domain::notices::Notice;
use domain::process::{
    CommitmentId, Job, JobKind, NewNotification, Notification, NotificationKind,
};
use domain::{CaseDetail, CaseId, Channel, Direction, ListQuery, NewMessage, Timestamp};

use crate::case_view::{self, customer_texts};
use crate::{ENGINE_NAME, Engine, EngineError, engine_actor};

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

    /// A notice to the customer as an outbound message: by e-mail when we have an address,
    /// otherwise on the case's channel.
    pub(super) fn customer_message(&self, detail: &CaseDetail, notice: &Notice<'_>) -> NewMessage {
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

    pub(super) fn format_for_staff(&self, agent: Option<&domain::Agent>, at: Timestamp) -> String {
        let language = case_view::staff_language(self.config(), agent);
        self.config()
            .catalog
            .texts(Some(language))
            .format_datetime(at, self.config().calendar.time_zone())
    }

    pub(super) async fn note(
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
    pub(super) async fn notifications(&self, id: CaseId) -> Result<Vec<Notification>, EngineError> {
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
    pub(super) async fn notify(
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

pub(super) fn commitment_of(job: &Job) -> Result<CommitmentId, EngineError> {
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

/// The language the coach reads the customer's messages in, when the case says.
pub(super) fn language_hint(detail: &CaseDetail) -> Option<text::Lang> {
    detail
        .case
        .language
        .as_deref()
        .or(detail.customer.language.as_deref())
        .and_then(|tag| tag.parse().ok())
}
