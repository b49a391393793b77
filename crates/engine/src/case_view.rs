//! Reading a case the way the handlers need it: its SLA clock, the languages to speak to the
//! customer and to staff in, and who is told about it.

use domain::notices::Texts;
use domain::sla::{self, CaseTimeline, SlaStatus, StatusChange};
use domain::{
    Agent, AgentId, Case, CaseDetail, Direction, Event, EventKind, ListQuery, Message, Status,
    Store, Timestamp,
};

use crate::settings::EngineConfig;
use crate::texts::StaffTexts;
use crate::{ENGINE_NAME, EngineError};

/// The statuses a case entered, oldest first, from its `status_changed` events.
pub(crate) fn status_changes(events: &[Event]) -> Vec<StatusChange> {
    events
        .iter()
        .filter(|event| event.kind == EventKind::StatusChanged)
        .filter_map(|event| {
            let status = event.after.as_ref()?.get("status")?.as_str()?;
            Some(StatusChange {
                at: event.at,
                status: status.parse().ok()?,
            })
        })
        .collect()
}

/// When the case last entered `status`.
pub(crate) fn entered(changes: &[StatusChange], status: Status) -> Option<Timestamp> {
    changes
        .iter()
        .rev()
        .find(|change| change.status == status)
        .map(|change| change.at)
}

pub(crate) fn outbound(detail: &CaseDetail) -> impl Iterator<Item = &Message> {
    detail
        .messages
        .iter()
        .filter(|message| message.direction == Direction::Outbound)
}

/// Outbound messages an agent wrote (the engine's own notices make no promises and keep none).
pub(crate) fn written_by_staff(message: &Message) -> bool {
    message.direction == Direction::Outbound && message.author.as_deref() != Some(ENGINE_NAME)
}

/// The case's SLA standing at `now`.
pub(crate) fn sla_status(
    config: &EngineConfig,
    detail: &CaseDetail,
    events: &[Event],
    now: Timestamp,
) -> Result<SlaStatus, EngineError> {
    evaluate(
        config,
        &detail.case,
        &status_changes(events),
        outbound(detail).map(|m| m.created_at).min(),
        outbound(detail).map(|m| m.created_at).max(),
        now,
    )
}

/// The SLA clock over a case's status history and its first and last replies, at `now` or at
/// the latest recorded instant if another process's clock ran slightly ahead of ours.
pub(crate) fn evaluate(
    config: &EngineConfig,
    case: &Case,
    changes: &[StatusChange],
    first_outbound: Option<Timestamp>,
    last_outbound: Option<Timestamp>,
    now: Timestamp,
) -> Result<SlaStatus, EngineError> {
    let policy = config
        .policies
        .policy_for(case.priority, case.category.as_deref(), case.channel);
    let received = case.created_at;
    let first_response_at = match (case.acknowledged_at, first_outbound) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let changes = in_time_order(changes, received);
    let now = changes
        .iter()
        .map(|c| c.at)
        .chain(first_response_at)
        .chain(last_outbound)
        .fold(now.max(received), Timestamp::max);
    let timeline = CaseTimeline {
        received_at: received,
        changes: &changes,
        first_response_at: first_response_at.map(|at| at.max(received)),
        last_update_at: last_outbound.map(|at| at.max(received)),
    };
    sla::evaluate(&config.calendar, policy, &timeline, now).map_err(|source| EngineError::Sla {
        case: case.id,
        source,
    })
}

/// The history as the SLA clock needs it: no change before receipt, none before the one it
/// follows. A system clock that jumped back (or two servers whose clocks disagree) can record a
/// change a little "earlier" than the one before it; it is taken as happening at the same
/// instant, so a deadline is never lost to a refused history.
fn in_time_order(changes: &[StatusChange], received: Timestamp) -> Vec<StatusChange> {
    let mut latest = received;
    changes
        .iter()
        .map(|change| {
            latest = latest.max(change.at);
            StatusChange {
                at: latest,
                status: change.status,
            }
        })
        .collect()
}

/// The customer's language: the case's, else the customer's (English when neither is known).
pub(crate) fn customer_texts<'a>(config: &'a EngineConfig, detail: &CaseDetail) -> &'a Texts {
    let language = detail
        .case
        .language
        .as_deref()
        .or(detail.customer.language.as_deref());
    config.catalog.texts(language)
}

/// The language a staff member reads: an agent's first language, else the configured one.
pub(crate) fn staff_language<'a>(config: &'a EngineConfig, agent: Option<&'a Agent>) -> &'a str {
    agent
        .and_then(|agent| agent.languages.first())
        .map_or(config.settings.staff_language.as_str(), String::as_str)
}

pub(crate) fn staff_texts(config: &EngineConfig, agent: Option<&Agent>) -> StaffTexts {
    StaffTexts::for_language(staff_language(config, agent))
}

/// Every agent, oldest first (a short list; read through all pages).
pub(crate) async fn all_agents(store: &dyn Store) -> Result<Vec<Agent>, EngineError> {
    let mut agents = Vec::new();
    let mut query = ListQuery {
        limit: domain::Limits::PAGE_MAX,
        cursor: None,
    };
    loop {
        let page = store.list_agents(&query).await?;
        agents.extend(page.items);
        match page.next_cursor {
            Some(next) => {
                query.cursor =
                    Some(domain::Cursor::decode(&next).map_err(domain::StoreError::from)?)
            }
            None => return Ok(agents),
        }
    }
}

pub(crate) async fn agent(
    store: &dyn Store,
    id: Option<AgentId>,
) -> Result<Option<Agent>, EngineError> {
    let Some(id) = id else { return Ok(None) };
    Ok(all_agents(store).await?.into_iter().find(|a| a.id == id))
}

/// Who is told about a case: the agent who has it, else the supervisors.
pub(crate) fn owner_recipient(case: &Case) -> String {
    case.assignee_id
        .map_or_else(|| SUPERVISOR.to_owned(), |id| format!("agent:{}", id.0))
}

/// The supervisors' role as a notification recipient.
pub(crate) const SUPERVISOR: &str = "supervisor";

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{CaseId, EventId};
    use serde_json::json;

    fn event(kind: EventKind, at: &str, after: serde_json::Value) -> Event {
        Event {
            id: EventId(1),
            case_id: CaseId(1),
            actor: "x".into(),
            at: at.parse().unwrap(),
            kind,
            before: None,
            after: Some(after),
        }
    }

    #[test]
    fn status_changes_are_read_from_the_history() {
        let events = [
            event(EventKind::CaseCreated, "2026-11-23T10:00:00Z", json!({})),
            event(
                EventKind::StatusChanged,
                "2026-11-23T10:00:01Z",
                json!({"status": "acknowledged", "resolution": null}),
            ),
            event(
                EventKind::StatusChanged,
                "2026-11-24T10:00:00Z",
                json!({"status": "resolution_proposed", "resolution": null}),
            ),
        ];
        let changes = status_changes(&events);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[1].status, Status::ResolutionProposed);
        assert_eq!(
            entered(&changes, Status::Acknowledged),
            Some("2026-11-23T10:00:01Z".parse().unwrap())
        );
        assert_eq!(entered(&changes, Status::Resolved), None);
    }

    #[test]
    fn a_clock_that_jumped_back_does_not_break_the_history() {
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let change = |t: &str, status| StatusChange { at: at(t), status };
        let received = at("2026-11-23T10:00:00Z");
        let changes = [
            change("2026-11-23T09:59:00Z", Status::Acknowledged),
            change("2026-11-23T11:00:00Z", Status::Investigating),
            change("2026-11-23T10:30:00Z", Status::WaitingOnCustomer),
        ];
        let ordered = in_time_order(&changes, received);
        let instants: Vec<Timestamp> = ordered.iter().map(|c| c.at).collect();
        assert_eq!(
            instants,
            [
                received,
                at("2026-11-23T11:00:00Z"),
                at("2026-11-23T11:00:00Z")
            ]
        );
        assert_eq!(ordered[2].status, Status::WaitingOnCustomer);
    }
}
