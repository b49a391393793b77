//! TL-10: the safety procedure on a flagged case.

use std::collections::BTreeSet;

use domain::notices::Notice;
use domain::process::NotificationKind;
use domain::{CaseDetail, Event, EventKind, Timestamp};

use super::micros;
use crate::case_view::{self, SUPERVISOR};
use crate::{Engine, EngineError};

impl Engine {
    /// TL-10: a flagged case gets the safety procedure as a note, and every security contact and
    /// the supervisors are told.
    pub(super) async fn safety_procedure(
        &self,
        detail: &CaseDetail,
        events: &[Event],
        flagged_now: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !detail.case.safety_flag {
            return Ok(());
        }
        // Each time the case is flagged (again) is a new alert.
        let flagged_at = flagged_now
            .or_else(|| {
                events
                    .iter()
                    .rev()
                    .find(|e| safety_flag_set(e) == Some(true))
                    .map(|e| e.at)
            })
            .unwrap_or(detail.case.created_at);
        let store = self.store();
        let id = detail.case.id;
        let settings = &self.config().settings.safety;
        let mut recipients: Vec<&str> = settings.contacts.iter().map(String::as_str).collect();
        recipients.push(SUPERVISOR);
        let told: BTreeSet<String> = self
            .notifications(id)
            .await?
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Safety && n.created_at >= flagged_at)
            .map(|n| n.recipient)
            .collect();
        if recipients.iter().all(|r| told.contains(*r)) {
            return Ok(());
        }
        let agent = case_view::agent(store, detail.case.assignee_id).await?;
        let language = case_view::staff_language(self.config(), agent.as_ref());
        let contact = if settings.contacts.is_empty() {
            settings.emergency_number.clone()
        } else {
            settings.contacts.join(", ")
        };
        let procedure = self.config().catalog.texts(Some(language)).notice(
            &Notice::SafetyProcedure {
                case_id: id,
                security_contact: &contact,
                emergency_number: &settings.emergency_number,
            },
            self.config().calendar.time_zone(),
        );
        self.note(
            id,
            format!("{}\n\n{}", procedure.subject, procedure.body),
            &format!("safety:{}:{}", id.0, micros(flagged_at)),
            now,
        )
        .await?;
        for recipient in recipients {
            self.notify(
                id,
                NotificationKind::Safety,
                recipient,
                procedure.subject.clone(),
                procedure.body.clone(),
                format!("safety:{}:{}:{recipient}", id.0, micros(flagged_at)),
                now,
            )
            .await?;
        }
        Ok(())
    }
}

/// What a `case_updated` event did to the safety flag, if anything.
pub(super) fn safety_flag_set(event: &Event) -> Option<bool> {
    if event.kind != EventKind::CaseUpdated {
        return None;
    }
    event.after.as_ref()?.get("safety_flag")?.as_bool()
}
