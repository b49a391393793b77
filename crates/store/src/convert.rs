//! Conversions between stored column values and domain values, the same for both backends.

use std::str::FromStr;

use domain::{DomainError, StoreError, Timestamp};

/// Instants are stored as microseconds since the Unix epoch, which both backends hold exactly.
pub(crate) fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub(crate) fn instant(column: &str, micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros)
        .map_err(|err| corrupt(column, &micros.to_string(), &err.to_string()))
}

pub(crate) fn optional_instant(
    column: &str,
    micros: Option<i64>,
) -> Result<Option<Timestamp>, StoreError> {
    micros.map(|us| instant(column, us)).transpose()
}

/// What is stored is what is returned, so a command's `now` is cut to the stored precision first.
pub(crate) fn stored_precision(at: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(at.as_microsecond()).expect("a valid timestamp stays valid")
}

pub(crate) fn parse<T: FromStr<Err = DomainError>>(
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|err: DomainError| corrupt(column, text, &err.to_string()))
}

pub(crate) fn optional_parse<T: FromStr<Err = DomainError>>(
    column: &str,
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parse(column, &t)).transpose()
}

/// A list column (languages, categories: strings; an incident record's discussions: strings
/// and offer objects) as JSON text.
pub(crate) fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).expect("a list of texts and plain objects always serialises")
}

pub(crate) fn parse_json_list<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|err| corrupt(column, text, &err.to_string()))
}

pub(crate) fn json_value(value: &serde_json::Value) -> String {
    value.to_string()
}

pub(crate) fn parse_json_value(
    column: &str,
    text: Option<String>,
) -> Result<Option<serde_json::Value>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|err| corrupt(column, &t, &err.to_string())))
        .transpose()
}

fn corrupt(column: &str, value: &str, reason: &str) -> StoreError {
    StoreError::Internal(format!("stored {column} `{value}` is unreadable: {reason}"))
}

/// Database failures that a retry may cure (connection lost, pool exhausted, database busy) are
/// `Unavailable`; a duplicate key is a `Conflict`; anything else is `Internal`.
pub(crate) fn db_error(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(err.to_string())
        }
        sqlx::Error::Tls(_) => StoreError::Unavailable(err.to_string()),
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Domain(DomainError::Conflict(db.message().to_owned()))
        }
        sqlx::Error::Database(db) if is_transient_code(db.code().as_deref()) => {
            StoreError::Unavailable(err.to_string())
        }
        _ => StoreError::Internal(err.to_string()),
    }
}

/// PostgreSQL (a five-character SQLSTATE): connection exceptions (class 08), too many
/// connections, shutdown, serialization failure and deadlock. SQLite (a number of at most four
/// digits): SQLITE_BUSY (5) and SQLITE_LOCKED (6), possibly extended.
fn is_transient_code(code: Option<&str>) -> bool {
    match code {
        Some(sqlstate) if sqlstate.len() == 5 => {
            sqlstate.starts_with("08")
                || matches!(
                    sqlstate,
                    "53300" | "57P01" | "57P02" | "57P03" | "40001" | "40P01"
                )
        }
        Some(sqlite) => sqlite
            .parse::<i32>()
            .is_ok_and(|code| matches!(code & 0xff, 5 | 6)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Status;

    #[test]
    fn instants_keep_microseconds_and_drop_nanoseconds() {
        let at: Timestamp = "2026-03-04T05:06:07.123456789Z".parse().unwrap();
        let stored = stored_precision(at);
        assert_eq!(stored.to_string(), "2026-03-04T05:06:07.123456Z");
        assert_eq!(instant("at", micros(stored)).unwrap(), stored);
    }

    #[test]
    fn unreadable_stored_values_are_internal_errors_naming_the_column() {
        let err = parse::<Status>("status", "lost").unwrap_err();
        assert!(
            matches!(err, StoreError::Internal(ref m) if m.contains("status") && m.contains("lost"))
        );
        assert!(parse_json_list::<String>("languages", "[1").is_err());
    }

    #[test]
    fn busy_and_connection_errors_are_transient() {
        assert!(is_transient_code(Some("5")));
        assert!(is_transient_code(Some("517")), "SQLITE_BUSY_SNAPSHOT");
        assert!(is_transient_code(Some("08006")));
        assert!(!is_transient_code(Some("19")), "constraint");
        assert!(!is_transient_code(Some("23505")));
        assert!(!is_transient_code(None));
    }
}
