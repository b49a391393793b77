//! What Calmdesk stores: customers, agents, departments, cases with their messages, incident
//! records and the append-only event history.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CaseId, CustomerId, DepartmentId, EventId, MessageId};
use crate::incident_render::Discussion;
use crate::lifecycle::{Resolution, Status};
use crate::text_enum::text_enum;

text_enum!(
    /// Where a complaint or message came in.
    Channel, field = "channel", {
        Phone = "phone",
        Email = "email",
        Web = "web",
        Chat = "chat",
        Review = "review",
        InPerson = "in_person",
        Api = "api",
    }
);

text_enum!(Priority, field = "priority", {
    Low = "low",
    Normal = "normal",
    High = "high",
    Urgent = "urgent",
});

text_enum!(Role, field = "role", {
    Admin = "admin",
    Supervisor = "supervisor",
    Agent = "agent",
});

text_enum!(
    /// Inbound from the customer, outbound to the customer, or an internal note only staff see.
    Direction, field = "direction", {
        Inbound = "inbound",
        Outbound = "outbound",
        Note = "note",
    }
);

text_enum!(
    /// What an event in a case's history records.
    EventKind, field = "kind", {
        CaseCreated = "case_created",
        MessageAdded = "message_added",
        StatusChanged = "status_changed",
        Assigned = "assigned",
        Transferred = "transferred",
        IncidentRecordSet = "incident_record_set",
        CaseUpdated = "case_updated",
        CommitmentMade = "commitment_made",
        CommitmentChanged = "commitment_changed",
        NotificationSent = "notification_sent",
        FeedbackRequested = "feedback_requested",
        FeedbackReceived = "feedback_received",
    }
);

/// An amount in minor units (cents, bani, fen…) of an ISO 4217 currency (EL-6: a lost customer
/// is lost revenue, so the customer's yearly value is kept with the currency it was given in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// One of [`crate::LANGUAGES`].
    pub language: Option<String>,
    pub annual_value: Option<Money>,
    pub created_at: Timestamp,
}

/// TL-3 / RO-11: replies and records carry the agent's name, role, department and phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub languages: Vec<String>,
    pub active: bool,
}

/// TL-7: a department's competences, so a case outside an agent's competence can be transferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub categories: Vec<String>,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub subject: String,
    pub category: Option<String>,
    pub cause: Option<String>,
    pub priority: Priority,
    pub status: Status,
    pub resolution: Option<Resolution>,
    /// TL-10: someone's safety is at risk; etiquette gives way to security.
    pub safety_flag: bool,
    pub assignee_id: Option<AgentId>,
    pub department_id: Option<DepartmentId>,
    pub language: Option<String>,
    /// ISO 10002: what the complainant asks for (refund, replacement, apology…).
    pub remedy_sought: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub case_id: CaseId,
    pub direction: Direction,
    pub channel: Channel,
    pub author: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
}

/// RO-11: a record clear enough that a colleague can take the case over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub case_id: CaseId,
    pub problem: String,
    /// What was said and offered: plain texts, and offers with what became of them.
    pub discussions: Vec<Discussion>,
    pub solution: String,
    pub updated_at: Timestamp,
}

/// One entry of a case's append-only history: who changed what, when, from what to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub case_id: CaseId,
    pub actor: String,
    pub at: Timestamp,
    pub kind: EventKind,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An API token's public face; the secret itself is only ever stored as its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The agent the token belongs to, so notifications addressed to `agent:<id>` reach it.
    pub agent_id: Option<AgentId>,
    pub created_at: Timestamp,
}

/// Who performs a command; recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
    pub agent_id: Option<AgentId>,
}

/// The process engine's name in case histories. No token may carry it (nor any other spelling of
/// "calmdesk"), so a change recorded under it is the engine's own.
pub const PROCESS_ENGINE: &str = "Calmdesk";

impl Actor {
    /// The process engine, which acts with a supervisor's rights and as no agent.
    pub fn process_engine() -> Actor {
        Actor {
            name: PROCESS_ENGINE.to_owned(),
            role: Role::Supervisor,
            agent_id: None,
        }
    }

    /// Whether this is the process engine. Its changes to a case are made while it reconciles
    /// that case, so they call for no further review of it.
    pub fn is_process_engine(&self) -> bool {
        self.name == PROCESS_ENGINE && self.agent_id.is_none()
    }
}

/// Names kept for the system's own actors (the process engine, imports): a token under one of
/// them would make a person's change look like the system's in the history.
pub fn is_reserved_actor_name(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case(PROCESS_ENGINE)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub case: Case,
    pub customer: Customer,
    /// Oldest first.
    pub messages: Vec<Message>,
    pub incident_record: Option<IncidentRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_documented_json_names() {
        assert_eq!(
            serde_json::to_string(&Channel::InPerson).unwrap(),
            "\"in_person\""
        );
        assert_eq!(serde_json::to_string(&Direction::Note).unwrap(), "\"note\"");
        assert_eq!(
            serde_json::to_string(&EventKind::IncidentRecordSet).unwrap(),
            "\"incident_record_set\""
        );
        for &channel in Channel::ALL {
            assert_eq!(channel.as_str().parse::<Channel>(), Ok(channel));
        }
    }

    #[test]
    fn unknown_enum_text_is_refused_naming_field_and_choices() {
        let err = "fax".parse::<Channel>().unwrap_err().to_string();
        assert!(
            err.contains("`channel`") && err.contains("in_person"),
            "{err}"
        );
        let err = "boss".parse::<Role>().unwrap_err().to_string();
        assert!(
            err.contains("`role`") && err.contains("supervisor"),
            "{err}"
        );
    }
}
