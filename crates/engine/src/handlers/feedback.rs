//! The customer's voice after resolution: confirmation of the solution (RO-10) and the
//! satisfaction follow-up (CLEAR-R4), and what the engine does with the answers.

use domain::notices::Notice;
use domain::process::{FeedbackPurpose, FeedbackRequest, Job, NotificationKind};
use domain::{CaseDetail, CaseId, Event, Resolution, Status, Timestamp, Transition};

use super::micros;
use crate::case_view::{
    self, SUPERVISOR, entered, owner_recipient, staff_texts, status_changes, written_by_staff,
};
use crate::settings::EngineConfig;
use crate::{Engine, EngineError, engine_actor, feedback_secret};

impl Engine {
    /// RO-10: when a resolution is proposed, the customer is asked to confirm it.
    pub(super) async fn ask_confirmation(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if detail.case.status != Status::ResolutionProposed {
            return Ok(());
        }
        let Some(proposed_at) = entered(&status_changes(events), Status::ResolutionProposed) else {
            return Ok(());
        };
        if latest(feedback, FeedbackPurpose::Confirmation)
            .is_some_and(|f| f.created_at >= proposed_at)
        {
            return Ok(());
        }
        let solution = detail
            .incident_record
            .as_ref()
            .map(|r| r.solution.trim())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                detail
                    .messages
                    .iter()
                    .rev()
                    .find(|m| written_by_staff(m))
                    .map(|m| m.body.as_str())
            })
            .unwrap_or(detail.case.subject.as_str())
            .to_owned();
        let (secret, hash) = feedback_secret()?;
        let link = self.feedback_link(&secret);
        // RO-10: the proposal says whether the solution is total (the default) or pending.
        let notice = Notice::ConfirmSolution {
            customer_name: &detail.customer.name,
            case_id: detail.case.id,
            resolution: proposed_kind(detail),
            solution: &solution,
            link: &link,
        };
        let message = self.customer_message(detail, &notice);
        self.store()
            .send_feedback_request(
                &engine_actor(),
                detail.case.id,
                FeedbackPurpose::Confirmation,
                hash,
                message,
                &format!("confirm:{}:{}", detail.case.id.0, micros(proposed_at)),
                now,
            )
            .await?;
        Ok(())
    }

    /// RO-10: the customer's "yes" resolves the case as the kind of solution proposed (total or
    /// pending); "not yet" sends it back to
    /// investigation and tells its owner. CLEAR-R4: a satisfaction score of 2 or less reopens it
    /// and alerts the supervisor.
    pub(super) async fn act_on_feedback(
        &self,
        detail: &mut CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let store = self.store();
        let id = detail.case.id;
        if detail.case.status == Status::ResolutionProposed {
            let proposed_at = entered(&status_changes(events), Status::ResolutionProposed);
            let answer = latest(feedback, FeedbackPurpose::Confirmation)
                .filter(|f| proposed_at.is_some_and(|at| f.created_at >= at))
                .and_then(|f| Some((f, f.confirmed?)));
            match answer {
                Some((_, true)) => {
                    detail.case = store
                        .transition(
                            &engine_actor(),
                            id,
                            Transition {
                                to: Status::Resolved,
                                resolution: Some(proposed_kind(detail)),
                            },
                            now,
                        )
                        .await?;
                }
                // "Not yet": the problem is not solved, so the case is not resolved (that would
                // stop its clock); its owner is told and it goes back to investigation. Told
                // first: a rerun after a crash between the two finds the case still proposed and
                // tells again under the same key, which the store ignores.
                Some((request, false)) => {
                    let agent = case_view::agent(store, detail.case.assignee_id).await?;
                    let texts = staff_texts(self.config(), agent.as_ref());
                    let comment = request
                        .comment
                        .clone()
                        .unwrap_or_else(|| texts.text("no_comment", &[]));
                    let (subject, body) = texts.subject_and_body(
                        "confirmation_declined",
                        &[("case_id", &id.to_string()), ("comment", &comment)],
                    );
                    self.notify(
                        id,
                        NotificationKind::ConfirmationDeclined,
                        &owner_recipient(&detail.case),
                        subject,
                        body,
                        format!("confirm-no:{}", request.id.0),
                        now,
                    )
                    .await?;
                    self.back_to_investigating(detail, now).await?;
                }
                None => {}
            }
        }
        let low: Vec<&FeedbackRequest> = feedback
            .iter()
            .filter(|f| f.answered_at.is_some() && f.score.is_some_and(|s| s <= 2))
            .collect();
        if low.is_empty() {
            return Ok(());
        }
        // Alerts already sent are not sent again (the key would stop them too, at the price of
        // a write on every review of the case).
        let alerted = self
            .notifications(id)
            .await?
            .iter()
            .filter(|n| n.kind == NotificationKind::LowSatisfaction)
            .count();
        let all_alerted = alerted >= low.len();
        for request in low {
            let (Some(score), Some(answered_at)) = (request.score, request.answered_at) else {
                continue;
            };
            let texts = staff_texts(self.config(), None);
            let score_text = score.to_string();
            let comment = request
                .comment
                .clone()
                .unwrap_or_else(|| texts.text("no_comment", &[]));
            let (subject, body) = texts.subject_and_body(
                "low_satisfaction",
                &[
                    ("case_id", &id.to_string()),
                    ("score", &score_text),
                    ("comment", &comment),
                ],
            );
            if !all_alerted {
                self.notify(
                    id,
                    NotificationKind::LowSatisfaction,
                    SUPERVISOR,
                    subject,
                    body,
                    format!("low_csat:{}", request.id.0),
                    now,
                )
                .await?;
            }
            let case = &detail.case;
            let resolved_before_answer = case.resolved_at.is_some_and(|at| at <= answered_at);
            if matches!(case.status, Status::Resolved | Status::Closed) && resolved_before_answer {
                self.back_to_investigating(detail, now).await?;
            }
        }
        Ok(())
    }

    /// CLEAR-R4: "About your earlier problem … are you satisfied?" with a link, and a task for the
    /// agent to call.
    pub(crate) async fn follow_up(&self, id: CaseId, job: &Job) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let resolved_at: Timestamp = job
            .payload
            .get("resolved_at")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| EngineError::BadJob {
                key: job.key.clone(),
                reason: "payload has no resolved_at instant".to_owned(),
            })?;
        let detail = store.get_case(id).await?;
        let case = &detail.case;
        // Reopened since, or resolved again later (that resolution has its own follow-up).
        if !matches!(case.status, Status::Resolved | Status::Closed)
            || case.resolved_at != Some(resolved_at)
        {
            return Ok(());
        }
        let key = format!("followup:{}:{}", id.0, micros(resolved_at));
        let agent = case_view::agent(store, case.assignee_id).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let (subject, body) = texts.subject_and_body(
            "follow_up_due",
            &[
                ("case_id", &id.to_string()),
                ("customer_name", &detail.customer.name),
            ],
        );
        self.notify(
            id,
            NotificationKind::FollowUpDue,
            &owner_recipient(case),
            subject,
            body,
            key.clone(),
            now,
        )
        .await?;
        let (secret, hash) = feedback_secret()?;
        let link = self.feedback_link(&secret);
        let notice = Notice::FollowUp {
            customer_name: &detail.customer.name,
            case_id: id,
            subject: &case.subject,
            link: &link,
        };
        let message = self.customer_message(&detail, &notice);
        store
            .send_feedback_request(
                &engine_actor(),
                id,
                FeedbackPurpose::Satisfaction,
                hash,
                message,
                &key,
                now,
            )
            .await?;
        Ok(())
    }

    pub(super) fn feedback_link(&self, secret: &str) -> String {
        format!("{}/feedback/{secret}", self.config().base_url)
    }

    /// The customer says the problem is not solved (RO-10 "not yet", CSAT ≤ 2): the case goes
    /// back to investigating.
    async fn back_to_investigating(
        &self,
        detail: &mut CaseDetail,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let investigating = Transition {
            to: Status::Investigating,
            resolution: None,
        };
        detail.case = self
            .store()
            .transition(&engine_actor(), detail.case.id, investigating, now)
            .await?;
        Ok(())
    }
}

/// CLEAR-R4: N business days after resolution, at the same local time of day (or the next
/// working moment after it), so the request arrives in office hours.
pub(super) fn follow_up_at(config: &EngineConfig, resolved_at: Timestamp) -> Timestamp {
    let calendar = &config.calendar;
    let zone = calendar.time_zone();
    let local = zone.to_datetime(resolved_at);
    let mut date = local.date();
    let mut left = config.settings.follow_up_days;
    while left > 0 {
        let Ok(next) = date.tomorrow() else { break };
        date = next;
        if calendar.is_working_day(date) {
            left -= 1;
        }
    }
    let target = zone
        .to_ambiguous_timestamp(date.to_datetime(local.time()))
        .compatible()
        .unwrap_or(resolved_at);
    calendar.next_business_moment(target).unwrap_or(target)
}

/// RO-10: the kind of solution a case in `resolution_proposed` was proposed with; total
/// (`confirmed`) when the proposal did not say.
fn proposed_kind(detail: &CaseDetail) -> Resolution {
    detail.case.resolution.unwrap_or(Resolution::Confirmed)
}

/// The newest request for `purpose`.
pub(super) fn latest(
    feedback: &[FeedbackRequest],
    purpose: FeedbackPurpose,
) -> Option<&FeedbackRequest> {
    feedback
        .iter()
        .filter(|f| f.purpose == purpose)
        .max_by_key(|f| (f.created_at, f.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::EngineSettings;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_follow_up_comes_three_business_days_later_in_office_hours() {
        let config = EngineConfig::from_settings(&EngineSettings::default()).unwrap();
        // Thursday 10:05 → Tuesday 10:05 (Fri, Mon, Tue).
        assert_eq!(
            follow_up_at(&config, at("2026-11-26T10:05:00Z")),
            at("2026-12-01T10:05:00Z")
        );
        // Friday 18:30, after closing → Wednesday 18:30 → Thursday 09:00.
        assert_eq!(
            follow_up_at(&config, at("2026-11-27T18:30:00Z")),
            at("2026-12-03T09:00:00Z")
        );
    }
}
