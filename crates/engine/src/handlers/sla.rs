//! SLA timers: the checks before and at each deadline, breaches, and delay notices (TL-8).

use domain::notices::Notice;
use domain::process::{
    CommitmentKind, CommitmentSource, FeedbackPurpose, FeedbackRequest, JobKind, JobSpec,
    NewCommitment, NotificationKind,
};
use domain::sla::{SlaState, TargetStatus};
use domain::{CaseDetail, CaseId, Event, Status, Timestamp};
use jiff::SignedDuration;
use serde_json::json;

use super::{feedback::follow_up_at, feedback::latest, micros};
use crate::case_view::{self, SUPERVISOR, customer_texts, owner_recipient, staff_texts};
use crate::settings::DelayNotices;
use crate::{Engine, EngineError, engine_actor};

impl Engine {
    /// The SLA check at the clock's next change, and the follow-up after resolution.
    pub(super) async fn schedule_timers(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        feedback: &[FeedbackRequest],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let case = &detail.case;
        let store = self.store();
        if case.status != Status::Closed {
            let sla = case_view::sla_status(self.config(), detail, events, now)?;
            self.schedule_sla_check(case.id, sla.next_change_after(now))
                .await?;
        }
        if let (Status::Resolved, Some(resolved_at)) = (case.status, case.resolved_at) {
            let asked = latest(feedback, FeedbackPurpose::Satisfaction)
                .is_some_and(|f| f.created_at >= resolved_at);
            if !asked {
                store
                    .schedule_job(JobSpec {
                        key: format!("follow_up:{}", case.id.0),
                        kind: JobKind::FollowUp,
                        case_id: Some(case.id),
                        run_at: follow_up_at(self.config(), resolved_at),
                        payload: json!({"resolved_at": resolved_at}),
                    })
                    .await?;
            }
        }
        Ok(())
    }

    /// TL-8: warnings to the agent, breaches to the supervisor, and a delay notice to the
    /// customer (or to an agent for approval) when the answer will be late.
    pub(crate) async fn sla_check(&self, id: CaseId) -> Result<(), EngineError> {
        let store = self.store();
        let now = self.now();
        let detail = store.get_case(id).await?;
        if detail.case.status == Status::Closed {
            return Ok(());
        }
        let events = store.timeline(id).await?;
        let sla = case_view::sla_status(self.config(), &detail, &events, now)?;
        let agent = case_view::agent(store, detail.case.assignee_id).await?;
        let texts = staff_texts(self.config(), agent.as_ref());
        let targets = [
            ("first_response", Some(sla.first_response)),
            ("resolution", Some(sla.resolution)),
            ("periodic_update", sla.periodic_update),
        ];
        for (name, target) in targets {
            let Some(
                target @ TargetStatus {
                    due: Some(due),
                    met_at: None,
                    ..
                },
            ) = target
            else {
                continue;
            };
            let (kind, recipient, section) = match target.state {
                SlaState::Warning => (
                    NotificationKind::SlaWarning,
                    owner_recipient(&detail.case),
                    "sla_warning",
                ),
                SlaState::Breached => (
                    NotificationKind::SlaBreach,
                    SUPERVISOR.to_owned(),
                    "sla_breach",
                ),
                _ => continue,
            };
            let target_name = texts.text(&format!("targets.{name}"), &[]);
            let due_text = self.format_for_staff(agent.as_ref(), due);
            let (subject, body) = texts.subject_and_body(
                section,
                &[
                    ("case_id", &id.to_string()),
                    ("target", &target_name),
                    ("due", &due_text),
                ],
            );
            self.notify(
                id,
                kind,
                &recipient,
                subject,
                body,
                format!("{section}:{}:{name}:{}", id.0, micros(due)),
                now,
            )
            .await?;
        }
        if sla.needs_delay_notice()
            && let Some(due) = sla.resolution.due
        {
            self.delay_notice(&detail, agent.as_ref(), due, now).await?;
        }
        self.schedule_sla_check(id, sla.next_change_after(now))
            .await
    }

    /// The case's SLA check at the clock's next change, if the clock will change.
    pub(super) async fn schedule_sla_check(
        &self,
        id: CaseId,
        at: Option<Timestamp>,
    ) -> Result<(), EngineError> {
        let Some(at) = at else { return Ok(()) };
        self.store()
            .schedule_job(JobSpec {
                key: format!("sla:{}", id.0),
                kind: JobKind::SlaCheck,
                case_id: Some(id),
                run_at: at,
                payload: json!({}),
            })
            .await?;
        Ok(())
    }

    pub(super) async fn delay_notice(
        &self,
        detail: &CaseDetail,
        agent: Option<&domain::Agent>,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let config = self.config();
        let id = detail.case.id;
        // Day 0 is the working day the deadline falls on: a deadline at closing time belongs to
        // that day, not to the next one.
        let day_of_deadline = (due - SignedDuration::from_secs(1)).max(now);
        let new_deadline = config
            .calendar
            .close_of_business_day(day_of_deadline, config.settings.delay_extension_days)
            .map_err(|source| EngineError::Sla {
                case: id,
                source: source.into(),
            })?;
        let notice = Notice::Delay {
            customer_name: &detail.customer.name,
            case_id: id,
            new_deadline,
        };
        let message = self.customer_message(detail, &notice);
        let key = format!("delay:{}:{}", id.0, micros(due));
        match config.settings.delay_notices {
            DelayNotices::Automatic => {
                // The new date is a promise (TL-8), tracked like any other: a missed one
                // escalates. Recorded before the notice, so a crash in between leaves the promise
                // and a rerun sends the notice (the sweep asks again until the notice is stored).
                // Its words are the notice's own sentence with the new date.
                let date = customer_texts(config, detail)
                    .format_datetime(new_deadline, config.calendar.time_zone());
                let description = message
                    .body
                    .split("\n\n")
                    .find(|paragraph| paragraph.contains(&date))
                    .unwrap_or(&message.body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect();
                self.store()
                    .add_commitment(
                        &engine_actor(),
                        id,
                        NewCommitment {
                            kind: CommitmentKind::Answer,
                            description,
                            due_at: new_deadline,
                            source: CommitmentSource::Manual,
                            message_id: None,
                            key: Some(key.clone()),
                        },
                        now,
                    )
                    .await?;
                self.store()
                    .add_message_once(&engine_actor(), id, message, &key, now)
                    .await?;
            }
            DelayNotices::Approval => {
                let texts = staff_texts(config, agent);
                let deadline_text = self.format_for_staff(agent, new_deadline);
                let (subject, body) = texts.subject_and_body(
                    "delay_notice_approval",
                    &[
                        ("case_id", &id.to_string()),
                        ("new_deadline", &deadline_text),
                        ("draft", &message.body),
                    ],
                );
                self.notify(
                    id,
                    NotificationKind::DelayNoticeApproval,
                    &owner_recipient(&detail.case),
                    subject,
                    body,
                    key,
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }
}
