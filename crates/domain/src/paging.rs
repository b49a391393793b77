use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

/// Where the next page starts: an opaque token wrapping the last id of the previous page.
/// Lists are ordered by id, so a page boundary never moves when rows are added elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub last_id: i64,
}

const CURSOR_VERSION: &str = "v1:";

impl Cursor {
    pub fn after(last_id: i64) -> Self {
        Cursor { last_id }
    }

    pub fn encode(self) -> String {
        hex::encode(format!("{CURSOR_VERSION}{}", self.last_id))
    }

    pub fn decode(token: &str) -> Result<Self, DomainError> {
        let bad = |reason: &str| DomainError::invalid("cursor", reason);
        let bytes = hex::decode(token)
            .map_err(|_| bad("not a cursor returned by this server (bad encoding)"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad("not a cursor returned by this server (bad content)"))?;
        let id = text
            .strip_prefix(CURSOR_VERSION)
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| bad("not a cursor returned by this server (bad content)"))?;
        Ok(Cursor::after(id))
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let token = String::deserialize(deserializer)?;
        Cursor::decode(&token).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A plain paged list request (customers, agents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            limit: crate::Limits::PAGE_DEFAULT,
            cursor: None,
        }
    }
}

impl ListQuery {
    pub fn validate(self) -> Result<Self, DomainError> {
        crate::commands::check_limit(self.limit)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_is_not_a_bare_number() {
        let token = Cursor::after(1234).encode();
        assert_ne!(token, "1234");
        assert_eq!(Cursor::decode(&token), Ok(Cursor::after(1234)));
    }

    #[test]
    fn bad_cursors_are_rejected_naming_the_cursor() {
        let not_positive = hex::encode("v1:0");
        let wrong_version = hex::encode("v9:12");
        for bad in [
            "",
            "zz",
            "1234",
            "C-000001",
            &not_positive,
            &wrong_version,
            "ffff",
        ] {
            match Cursor::decode(bad) {
                Err(DomainError::InvalidField { field, .. }) => assert_eq!(field, "cursor"),
                other => panic!("{bad:?} decoded as {other:?}"),
            }
        }
    }

    #[test]
    fn cursor_deserialises_from_its_token() {
        let json = format!("\"{}\"", Cursor::after(9).encode());
        assert_eq!(
            serde_json::from_str::<Cursor>(&json).unwrap(),
            Cursor::after(9)
        );
        assert!(serde_json::from_str::<Cursor>("\"nonsense\"").is_err());
    }
}
