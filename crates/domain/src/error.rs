use thiserror::Error;

use crate::lifecycle::Status;

/// A command was refused by a domain rule. Every variant names what was wrong so the caller can
/// show it as-is (the web layer maps these to 400/404/409 problem+json).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("invalid field `{field}`: {reason}")]
    InvalidField { field: String, reason: String },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error(
        "cannot move a case from {from} to {to}; allowed from {from}: {}",
        list(allowed)
    )]
    IllegalTransition {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    #[error("conflict: {0}")]
    Conflict(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

fn list(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "nothing".to_owned();
    }
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a storage port can fail with. `Unavailable` means "try again later" (503);
/// `Internal` is a bug or corrupted data (500, logged with its cause).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_transition_message_lists_allowed_targets() {
        let err = DomainError::IllegalTransition {
            from: Status::Received,
            to: Status::Closed,
            allowed: vec![Status::Acknowledged],
        };
        assert_eq!(
            err.to_string(),
            "cannot move a case from received to closed; allowed from received: acknowledged"
        );
    }

    #[test]
    fn invalid_field_message_names_the_field() {
        let err = DomainError::invalid("customer.email", "must contain @");
        assert_eq!(
            err.to_string(),
            "invalid field `customer.email`: must contain @"
        );
    }
}
