use domain::{DomainError, Role, StoreError};
use thiserror::Error;

use crate::policy::Action;

/// Why a use case did not run. The web layer turns each variant into one problem+json answer.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("missing or unknown bearer token")]
    Unauthenticated,
    #[error("{action} needs the {required} role or higher; this token has {held}")]
    Forbidden {
        action: Action,
        required: Role,
        held: Role,
    },
    #[error("the operating system's random generator failed: {0}")]
    Random(String),
    #[error("line {line}: {source}")]
    Import {
        line: usize,
        #[source]
        source: Box<AppError>,
    },
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    #[error("reading or writing the JSONL stream failed: {0}")]
    Io(#[from] std::io::Error),
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        AppError::Store(StoreError::Domain(err))
    }
}
