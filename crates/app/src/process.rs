//! The use cases of the process engine (issue 4): promises to customers, staff notifications,
//! preventive actions, the customer's answer to a satisfaction or confirmation request, the
//! root-cause report and the operator's view of job runs. Each checks the caller's role, stamps
//! the time and calls the store or the engine; after a change it wakes the local job runner so
//! the engine's reaction (a review of the case) runs at once instead of at its next poll.

use std::str::FromStr;

use domain::process::{
    ActionId, ActionStatus, Commitment, CommitmentChange, CommitmentId, FeedbackAnswer,
    FeedbackRequest, JobRun, NewCommitment, NewPreventiveAction, Notification, NotificationId,
    PreventiveAction,
};
use domain::sla::SlaStatus;
use domain::{
    Actor, Case, CaseDetail, CaseFilter, CaseId, DomainError, ListQuery, Page, Timestamp,
};
use jiff::{SignedDuration, Span};

use crate::policy::{self, Action};
use crate::{App, AppError};
use engine::{SentDelayNotice, feedback_secret_hash};

/// Where a report or a list of job runs starts: a span back from now (`30d`, `12h`, `90m`) or an
/// instant (`2026-11-01T00:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(SignedDuration),
    At(Timestamp),
}

/// The longest span `since` may reach back; more is a typo (and outside jiff's range soon).
const SINCE_MAX_DAYS: i64 = 36_600;

impl FromStr for Since {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(at) = text.parse::<Timestamp>() {
            return Ok(Since::At(at));
        }
        let unit_at = text
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&at| at > 0)
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a span such as \"30d\", \"12h\" or \"90m\", nor an RFC 3339 instant"
                )
            })?;
        let (count, unit) = text.split_at(unit_at);
        let count: i64 = count
            .parse()
            .map_err(|_| format!("{count:?} is too large a number"))?;
        let seconds_per_unit = match unit {
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            other => {
                return Err(format!(
                    "unknown unit {other:?} in {text:?}: use d (days), h (hours) or m (minutes)"
                ));
            }
        };
        let seconds = count
            .checked_mul(seconds_per_unit)
            .filter(|&s| s <= SINCE_MAX_DAYS * 86_400)
            .ok_or_else(|| format!("{text:?} reaches back more than {SINCE_MAX_DAYS} days"))?;
        Ok(Since::Ago(SignedDuration::from_secs(seconds)))
    }
}

impl Since {
    /// `hours` back from now.
    pub fn hours(hours: i64) -> Since {
        Since::Ago(SignedDuration::from_hours(hours))
    }

    /// The instant this names, seen from `now`.
    pub fn resolve(self, now: Timestamp) -> Result<Timestamp, DomainError> {
        match self {
            Since::At(at) => Ok(at),
            Since::Ago(span) => now
                .checked_sub(Span::new().seconds(span.as_secs()))
                .map_err(|_| DomainError::invalid("since", "reaches back too far")),
        }
    }
}

/// Whom an agent's notifications are addressed to: a role (`supervisor`) is not theirs; their
/// agent (`agent:12`, the engine's reminders and alerts) and, as for any token, its own name are.
fn recipients_of(actor: &Actor) -> Vec<String> {
    let mut recipients = vec![actor.name.clone()];
    if let Some(id) = actor.agent_id {
        recipients.push(format!("agent:{id}"));
    }
    recipients
}

impl App {
    /// A case with its SLA standing (deadlines computed from its history, never stored).
    pub async fn case_with_sla(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<(CaseDetail, SlaStatus), AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.engine.case_with_sla(id).await?)
    }

    /// The SLA standing of a case already read.
    pub async fn sla(&self, detail: &CaseDetail) -> Result<SlaStatus, AppError> {
        Ok(self.engine.sla(detail).await?)
    }

    /// A page of cases, each with its SLA standing. The standing needs each case's messages and
    /// history: one read transaction per case, one case after the other (a page is at most
    /// `Limits::PAGE_MAX` cases).
    pub async fn cases_with_sla(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
    ) -> Result<Page<(Case, SlaStatus)>, AppError> {
        let page = self.cases(actor, filter).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for case in page.items {
            let (detail, sla) = self.engine.case_with_sla(case.id).await?;
            // The case as its standing was computed from.
            items.push((detail.case, sla));
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// CLEAR-C: the promises made to the customer of a case, oldest first.
    pub async fn commitments(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<Vec<Commitment>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        // An unknown case is a 404, not an empty list.
        self.store.get_case(id).await?;
        Ok(self.store.list_commitments(id).await?)
    }

    /// A promise typed by an agent ("I'll send the replacement by Friday").
    pub async fn add_commitment(
        &self,
        actor: &Actor,
        id: CaseId,
        mut commitment: NewCommitment,
    ) -> Result<Commitment, AppError> {
        policy::require(actor, Action::WorkCases)?;
        let now = Timestamp::now();
        if commitment.due_at <= now {
            return Err(
                DomainError::invalid("due_at", "a promise must fall due in the future").into(),
            );
        }
        // Promises from messages are the coach's; whatever the caller says, this one is by hand.
        commitment.source = domain::process::CommitmentSource::Manual;
        commitment.message_id = None;
        self.woke(self.store.add_commitment(actor, id, commitment, now).await)
    }

    /// Records that a promise was kept (or cancels it); a change the state does not allow is a
    /// conflict naming the current status.
    pub async fn change_commitment(
        &self,
        actor: &Actor,
        id: CommitmentId,
        change: CommitmentChange,
    ) -> Result<Commitment, AppError> {
        policy::require(actor, Action::WorkCases)?;
        if !matches!(
            change,
            CommitmentChange::Fulfilled | CommitmentChange::Cancelled
        ) {
            return Err(DomainError::invalid(
                "change",
                "staff fulfil or cancel a promise; reminders and escalation are the engine's",
            )
            .into());
        }
        self.woke(
            self.store
                .change_commitment(actor, id, change, Timestamp::now())
                .await,
        )
    }

    /// Newest first. Supervisors and admins see every notification; an agent those addressed to
    /// them, filtered by the store so every page but the last is full.
    pub async fn notifications(
        &self,
        actor: &Actor,
        case: Option<CaseId>,
        query: &ListQuery,
    ) -> Result<Page<Notification>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        if policy::may(actor.role, Action::ReadAllNotifications) {
            return Ok(self.store.list_notifications(case, query).await?);
        }
        let recipients = recipients_of(actor);
        Ok(self
            .store
            .list_notifications_to(case, &recipients, query)
            .await?)
    }

    /// TL-8 with `delay_notices = "approval"`: the agent who has the case, or a supervisor, sends
    /// the delay notice drafted in notification `notification` to the customer — as drafted, or
    /// in `body`'s words — and its new date becomes a tracked promise. A notification that is not
    /// a delay draft of this case, or one sent already, is refused.
    pub async fn send_delay_notice(
        &self,
        actor: &Actor,
        case: CaseId,
        notification: NotificationId,
        body: Option<String>,
    ) -> Result<SentDelayNotice, AppError> {
        policy::require(actor, Action::WorkCases)?;
        let sent = self
            .engine
            .send_delay_notice(actor, case, notification, body)
            .await?;
        self.engine.wake();
        Ok(sent)
    }

    /// CLEAR-R3: an action against a root cause, with an owner and a due date.
    pub async fn create_action(
        &self,
        actor: &Actor,
        action: NewPreventiveAction,
    ) -> Result<PreventiveAction, AppError> {
        policy::require(actor, Action::ReviewCauses)?;
        self.taxonomy.check_cause(Some(&action.cause))?;
        for (field, value) in [
            ("description", &action.description),
            ("owner", &action.owner),
        ] {
            if value.trim().is_empty() {
                return Err(DomainError::invalid(field, "must not be empty").into());
            }
        }
        Ok(self.store.create_action(action, Timestamp::now()).await?)
    }

    pub async fn actions(&self, actor: &Actor) -> Result<Vec<PreventiveAction>, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(self.store.list_actions().await?)
    }

    pub async fn set_action_status(
        &self,
        actor: &Actor,
        id: ActionId,
        status: ActionStatus,
    ) -> Result<PreventiveAction, AppError> {
        policy::require(actor, Action::ReviewCauses)?;
        Ok(self
            .store
            .set_action_status(id, status, Timestamp::now())
            .await?)
    }

    /// The request behind a link sent to a customer, and the case's language for the page.
    /// No account: the secret is the authorisation, so an unknown one says only "not found".
    pub async fn feedback_request(
        &self,
        secret: &str,
    ) -> Result<(FeedbackRequest, CaseDetail), AppError> {
        let request = self
            .store
            .find_feedback(feedback_secret_hash(secret))
            .await?
            .ok_or_else(|| DomainError::not_found("feedback request", "behind this link"))?;
        let detail = self.store.get_case(request.case_id).await?;
        Ok((request, detail))
    }

    /// The customer's answer (CLEAR-R4 satisfaction, RO-10 confirmation); a second answer is a
    /// conflict. The engine then acts on it (a low score reopens the case).
    pub async fn answer_feedback(
        &self,
        secret: &str,
        answer: FeedbackAnswer,
    ) -> Result<FeedbackRequest, AppError> {
        let hash = feedback_secret_hash(secret);
        if self.store.find_feedback(hash).await?.is_none() {
            return Err(DomainError::not_found("feedback request", "behind this link").into());
        }
        self.woke(
            self.store
                .answer_feedback(hash, answer, Timestamp::now())
                .await,
        )
    }

    /// CLEAR-R2/R3: the root-cause report over the cases since `since`.
    pub async fn report(&self, actor: &Actor, since: Since) -> Result<engine::Report, AppError> {
        policy::require(actor, Action::Report)?;
        let since = since.resolve(Timestamp::now())?;
        Ok(self.engine.report(since).await?)
    }

    /// RO-11: the incident record as Markdown or HTML, in the assigned agent's language.
    pub async fn incident_document(
        &self,
        actor: &Actor,
        id: CaseId,
        format: DocumentFormat,
    ) -> Result<String, AppError> {
        policy::require(actor, Action::ReadCases)?;
        Ok(match format {
            DocumentFormat::Markdown => self.engine.incident_markdown(id).await?,
            DocumentFormat::Html => self.engine.incident_html(id).await?,
        })
    }

    /// Finished job runs, a page at a time in the order they were recorded (operators; the
    /// two-process test proves with them that no job ran twice), and when the next pending job
    /// is due. Runs older than `[engine] job_runs_retention_days` are pruned by the runner.
    pub async fn job_runs(
        &self,
        actor: &Actor,
        since: Since,
        query: &ListQuery,
    ) -> Result<(Page<JobRun>, Option<Timestamp>), AppError> {
        policy::require(actor, Action::Operate)?;
        let since = since.resolve(Timestamp::now())?;
        let runs = self.store.job_runs_page(since, query).await?;
        Ok((runs, self.store.next_job_at().await?))
    }
}

/// How an incident record is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Markdown,
    Html,
}

impl FromStr for DocumentFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "markdown" | "md" => Ok(DocumentFormat::Markdown),
            "html" => Ok(DocumentFormat::Html),
            other => Err(format!("{other:?} is not a format: use markdown or html")),
        }
    }
}

/// How the report is written: the whole report as JSON, or one row per figure as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
}

impl FromStr for ReportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            other => Err(format!("{other:?} is not a format: use json or csv")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;

    #[test]
    fn since_reads_spans_and_instants() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let resolve = |text: &str| text.parse::<Since>().unwrap().resolve(now).unwrap();
        assert_eq!(resolve("30d"), "2026-10-26T12:00:00Z".parse().unwrap());
        assert_eq!(resolve("12h"), "2026-11-25T00:00:00Z".parse().unwrap());
        assert_eq!(resolve("90m"), "2026-11-25T10:30:00Z".parse().unwrap());
        assert_eq!(
            resolve("2026-11-01T00:00:00Z"),
            "2026-11-01T00:00:00Z".parse().unwrap()
        );
    }

    #[test]
    fn bad_since_says_what_is_wrong() {
        for (text, expected) in [
            ("", "not a span"),
            ("d", "not a span"),
            ("30", "not a span"),
            ("30y", "unknown unit"),
            ("-3d", "not a span"),
            ("99999999999999999999d", "too large"),
            ("999999d", "more than"),
        ] {
            let err = text.parse::<Since>().unwrap_err();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn agents_see_what_is_addressed_to_them() {
        let linked = Actor {
            name: "ana".into(),
            role: Role::Agent,
            agent_id: Some(domain::AgentId(12)),
        };
        assert_eq!(recipients_of(&linked), ["ana", "agent:12"]);
        let token_only = Actor {
            agent_id: None,
            ..linked
        };
        assert_eq!(recipients_of(&token_only), ["ana"]);
    }

    #[test]
    fn formats_are_markdown_or_html() {
        assert_eq!("md".parse(), Ok(DocumentFormat::Markdown));
        assert_eq!("html".parse(), Ok(DocumentFormat::Html));
        assert!(
            "pdf"
                .parse::<DocumentFormat>()
                .unwrap_err()
                .contains("markdown")
        );
    }
}
