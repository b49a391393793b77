//! One exported case per JSON line. The export is deterministic (fixed field order, JSON object
//! keys sorted) so an export → import → export round trip is byte-identical.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::MessageId;
use crate::model::{Agent, Case, Customer, Department, Event, IncidentRecord, Message};
use crate::process::{Commitment, FeedbackRequest, Notification};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRecord {
    pub case: Case,
    pub customer: Customer,
    /// The departments and agents the case refers to (directly or through its assignee), so a
    /// record imports into an empty database.
    pub departments: Vec<Department>,
    pub agents: Vec<Agent>,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub incident_record: Option<IncidentRecord>,
    /// What the process engine keeps about the case; left out when there is none, so exports
    /// of cases the engine never touched read as before.
    #[serde(default, skip_serializing_if = "CaseProcess::is_empty")]
    pub process: CaseProcess,
}

/// The process engine's rows of one case, with their idempotence keys: after an import nothing
/// is sent to the customer again, and feedback links keep working.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseProcess {
    /// The keys of messages sent once (`add_message_once`, feedback links), by message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_keys: Vec<(MessageId, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<ExportedCommitment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<ExportedNotification>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<ExportedFeedback>,
}

impl CaseProcess {
    pub fn is_empty(&self) -> bool {
        *self == CaseProcess::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedCommitment {
    pub commitment: Commitment,
    pub key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedNotification {
    pub notification: Notification,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedFeedback {
    pub request: FeedbackRequest,
    pub key: String,
    /// The link's secret is never stored, only its SHA-256 (hex here).
    pub secret_hash: String,
    /// The message that carried the link.
    pub message_id: MessageId,
}

impl ExportedFeedback {
    pub fn new(
        request: FeedbackRequest,
        key: String,
        secret_hash: [u8; 32],
        message_id: MessageId,
    ) -> Self {
        ExportedFeedback {
            request,
            key,
            secret_hash: hex::encode(secret_hash),
            message_id,
        }
    }

    /// The stored hash; `None` when `secret_hash` is not 64 hex digits.
    pub fn hash(&self) -> Option<[u8; 32]> {
        hex::decode(&self.secret_hash).ok()?.try_into().ok()
    }
}

impl ExportRecord {
    /// The record as one line of JSON, without the trailing newline.
    pub fn to_jsonl_line(&self) -> String {
        serde_json::to_string(self).expect("an export record always serialises")
    }

    /// Reads one line written by [`ExportRecord::to_jsonl_line`]; `line_number` (1-based) is put
    /// in the error so a bad line in a large file can be found.
    pub fn from_jsonl_line(line: &str, line_number: usize) -> Result<Self, DomainError> {
        let record: ExportRecord = serde_json::from_str(line)
            .map_err(|err| DomainError::invalid(format!("line {line_number}"), err.to_string()))?;
        record.check_consistency(line_number)?;
        Ok(record)
    }

    /// Everything in a record must belong to its case and customer.
    fn check_consistency(&self, line_number: usize) -> Result<(), DomainError> {
        let case_id = self.case.id;
        let process = &self.process;
        let foreign = self.messages.iter().any(|m| m.case_id != case_id)
            || self.events.iter().any(|e| e.case_id != case_id)
            || self
                .incident_record
                .as_ref()
                .is_some_and(|r| r.case_id != case_id)
            || process
                .commitments
                .iter()
                .any(|c| c.commitment.case_id != case_id)
            || process
                .notifications
                .iter()
                .any(|n| n.notification.case_id != Some(case_id))
            || process
                .feedback
                .iter()
                .any(|f| f.request.case_id != case_id);
        if foreign {
            return Err(DomainError::invalid(
                format!("line {line_number}"),
                format!(
                    "holds messages, events, a record or process rows of a case other than \
                     {case_id}"
                ),
            ));
        }
        let own_message = |id: &MessageId| self.messages.iter().any(|m| m.id == *id);
        let stray = process.message_keys.iter().any(|(id, _)| !own_message(id))
            || process.feedback.iter().any(|f| !own_message(&f.message_id))
            || process
                .commitments
                .iter()
                .filter_map(|c| c.commitment.message_id.as_ref())
                .any(|id| !own_message(id));
        if stray {
            return Err(DomainError::invalid(
                format!("line {line_number}"),
                format!("refers to a message that is not one of {case_id}'s"),
            ));
        }
        if let Some(bad) = process.feedback.iter().find(|f| f.hash().is_none()) {
            return Err(DomainError::invalid(
                format!("line {line_number}"),
                format!(
                    "feedback request {} has a secret_hash that is not 64 hex digits",
                    bad.request.id
                ),
            ));
        }
        if self.customer.id != self.case.customer_id {
            return Err(DomainError::invalid(
                format!("line {line_number}"),
                format!(
                    "customer {} is not the customer of {case_id}",
                    self.customer.id
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CaseId, CustomerId, EventId, MessageId};
    use crate::lifecycle::Status;
    use crate::model::{Channel, Direction, EventKind, Priority};
    use jiff::Timestamp;

    fn record() -> ExportRecord {
        let at: Timestamp = "2026-01-02T03:04:05.123456Z".parse().unwrap();
        ExportRecord {
            case: Case {
                id: CaseId(7),
                customer_id: CustomerId(3),
                channel: Channel::Chat,
                subject: "Παράπονο για την παραγγελία".into(),
                category: None,
                cause: None,
                priority: Priority::High,
                status: Status::Received,
                resolution: None,
                safety_flag: false,
                assignee_id: None,
                department_id: None,
                language: Some("el".into()),
                remedy_sought: None,
                created_at: at,
                updated_at: at,
                acknowledged_at: None,
                resolved_at: None,
                closed_at: None,
            },
            customer: Customer {
                id: CustomerId(3),
                name: "Νίκος".into(),
                email: None,
                phone: Some("+306900000000".into()),
                language: Some("el".into()),
                annual_value: None,
                created_at: at,
            },
            departments: vec![],
            agents: vec![],
            messages: vec![Message {
                id: MessageId(11),
                case_id: CaseId(7),
                direction: Direction::Inbound,
                channel: Channel::Chat,
                author: None,
                body: "Η παραγγελία δεν ήρθε \"ποτέ\".\nΘέλω επιστροφή χρημάτων.".into(),
                created_at: at,
            }],
            events: vec![Event {
                id: EventId(21),
                case_id: CaseId(7),
                actor: "api".into(),
                at,
                kind: EventKind::CaseCreated,
                before: None,
                after: Some(serde_json::json!({"z": 1, "a": [true, null]})),
            }],
            incident_record: None,
            process: CaseProcess::default(),
        }
    }

    #[test]
    fn a_line_reads_back_to_the_same_record_and_the_same_bytes() {
        let line = record().to_jsonl_line();
        assert!(!line.contains('\n'), "one record is one line");
        let back = ExportRecord::from_jsonl_line(&line, 1).unwrap();
        assert_eq!(back, record());
        assert_eq!(back.to_jsonl_line(), line);
    }

    #[test]
    fn a_bad_line_is_refused_naming_its_number() {
        let err = ExportRecord::from_jsonl_line("{\"case\": 1}", 42).unwrap_err();
        assert!(matches!(err, DomainError::InvalidField { ref field, .. } if field == "line 42"));
        let mut foreign = record();
        foreign.messages[0].case_id = CaseId(8);
        let err = ExportRecord::from_jsonl_line(&foreign.to_jsonl_line(), 3).unwrap_err();
        assert!(err.to_string().contains("C-000007"), "{err}");
        let mut stray = record();
        stray
            .process
            .message_keys
            .push((MessageId(99), "ack:7".into()));
        let err = ExportRecord::from_jsonl_line(&stray.to_jsonl_line(), 4).unwrap_err();
        assert!(err.to_string().contains("not one of C-000007"), "{err}");
    }

    #[test]
    fn records_without_process_rows_export_as_before() {
        let line = record().to_jsonl_line();
        assert!(!line.contains("process"), "{line}");
        let request = FeedbackRequest {
            id: crate::process::FeedbackId(1),
            case_id: CaseId(7),
            purpose: crate::process::FeedbackPurpose::Satisfaction,
            created_at: Timestamp::UNIX_EPOCH,
            answered_at: None,
            score: None,
            confirmed: None,
            comment: None,
        };
        let mut feedback = ExportedFeedback::new(request, "f:7".into(), [0xab; 32], MessageId(11));
        assert_eq!(feedback.hash(), Some([0xab; 32]));
        let mut with = record();
        with.process.feedback.push(feedback.clone());
        let line = with.to_jsonl_line();
        assert_eq!(ExportRecord::from_jsonl_line(&line, 1).unwrap(), with);
        feedback.secret_hash = "abc".into();
        with.process.feedback = vec![feedback];
        let err = ExportRecord::from_jsonl_line(&with.to_jsonl_line(), 2).unwrap_err();
        assert!(err.to_string().contains("64 hex digits"), "{err}");
    }
}
