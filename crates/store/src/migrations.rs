//! Schema migrations, embedded in the binary (one list per backend) and applied on open.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// (version, description, SQL) — append only; never edit a released migration.
type Step = (i64, &'static str, &'static str);

pub(crate) const SQLITE: &[Step] = &[
    (
        1,
        "initial schema",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "process engine",
        include_str!("../migrations/sqlite/0002_process.sql"),
    ),
    (
        3,
        "tokens linked to agents",
        include_str!("../migrations/sqlite/0003_token_agent.sql"),
    ),
    (
        4,
        "open cases by assignee",
        include_str!("../migrations/sqlite/0004_open_cases.sql"),
    ),
    (
        5,
        "notifications by recipient",
        include_str!("../migrations/sqlite/0005_notification_recipient.sql"),
    ),
    (
        6,
        "open cases per agent kept by triggers",
        include_str!("../migrations/sqlite/0006_agent_open_cases.sql"),
    ),
];

pub(crate) const POSTGRES: &[Step] = &[
    (
        1,
        "initial schema",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "process engine",
        include_str!("../migrations/postgres/0002_process.sql"),
    ),
    (
        3,
        "tokens linked to agents",
        include_str!("../migrations/postgres/0003_token_agent.sql"),
    ),
    (
        4,
        "open cases by assignee",
        include_str!("../migrations/postgres/0004_open_cases.sql"),
    ),
    (
        5,
        "notifications by recipient",
        include_str!("../migrations/postgres/0005_notification_recipient.sql"),
    ),
    (
        6,
        "open cases per agent kept by triggers",
        include_str!("../migrations/postgres/0006_agent_open_cases.sql"),
    ),
];

pub(crate) fn migrator(steps: &[Step]) -> Migrator {
    Migrator::with_migrations(
        steps
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}
