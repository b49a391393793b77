//! One exported case per JSON line. The export is deterministic (fixed field order, JSON object
//! keys sorted) so an export → import → export round trip is byte-identical.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::model::{Agent, Case, Customer, Department, Event, IncidentRecord, Message};

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
        let foreign = self.messages.iter().any(|m| m.case_id != case_id)
            || self.events.iter().any(|e| e.case_id != case_id)
            || self
                .incident_record
                .as_ref()
                .is_some_and(|r| r.case_id != case_id);
        if foreign {
            return Err(DomainError::invalid(
                format!("line {line_number}"),
                format!("holds messages, events or a record of a case other than {case_id}"),
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
    }
}
