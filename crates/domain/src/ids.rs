use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

macro_rules! numeric_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

pub(crate) use numeric_id;

numeric_id!(CustomerId, AgentId, DepartmentId, MessageId, EventId);

/// A case's human id, shown and typed as `C-000123` (at least six digits, zero padded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseId(pub i64);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C-{:06}", self.0)
    }
}

impl FromStr for CaseId {
    type Err = DomainError;

    /// Accepts `C-000123`, `c-123`; the number must be positive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DomainError::invalid("id", format!("`{s}` is not a case id like C-000123"));
        let digits = s
            .strip_prefix("C-")
            .or_else(|| s.strip_prefix("c-"))
            .ok_or_else(bad)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(CaseId(n)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_id_is_zero_padded_to_six_digits_and_grows_beyond() {
        assert_eq!(CaseId(123).to_string(), "C-000123");
        assert_eq!(CaseId(1_234_567).to_string(), "C-1234567");
    }

    #[test]
    fn case_id_parses_its_own_display_and_short_forms() {
        assert_eq!("C-000123".parse::<CaseId>(), Ok(CaseId(123)));
        assert_eq!("c-7".parse::<CaseId>(), Ok(CaseId(7)));
        assert_eq!("C-1234567".parse::<CaseId>(), Ok(CaseId(1_234_567)));
    }

    #[test]
    fn case_id_rejects_garbage_naming_the_field() {
        for bad in [
            "",
            "C-",
            "123",
            "C-00x1",
            "C-000000",
            "C--1",
            "X-000001",
            "C-99999999999999999999",
        ] {
            match bad.parse::<CaseId>() {
                Err(DomainError::InvalidField { field, .. }) => assert_eq!(field, "id", "{bad}"),
                other => panic!("{bad:?} parsed as {other:?}"),
            }
        }
    }

    #[test]
    fn case_id_json_is_the_human_string_and_other_ids_are_numbers() {
        assert_eq!(serde_json::to_string(&CaseId(42)).unwrap(), "\"C-000042\"");
        assert_eq!(
            serde_json::from_str::<CaseId>("\"C-000042\"").unwrap(),
            CaseId(42)
        );
        assert!(serde_json::from_str::<CaseId>("42").is_err());
        assert_eq!(serde_json::to_string(&AgentId(42)).unwrap(), "42");
    }
}
