//! Helpers shared by the store's scenario suites (`contract`, `process`).
// Each test crate that includes this module uses a different part of it.
#![allow(dead_code)]

use domain::{Actor, DomainError, Role, StoreError, Timestamp};

pub fn agent_actor() -> Actor {
    Actor {
        name: "Ana Pop".into(),
        role: Role::Agent,
        agent_id: None,
    }
}

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a valid instant")
}

pub fn invalid_field(err: StoreError) -> String {
    match err {
        StoreError::Domain(DomainError::InvalidField { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

pub fn is_not_found(err: &StoreError) -> bool {
    matches!(err, StoreError::Domain(DomainError::NotFound { .. }))
}
