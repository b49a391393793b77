//! Calmdesk storage: the domain's `Store` port on SQLite (embedded default) and PostgreSQL.
//! Both backends share their SQL where the dialects agree (`shared`), keep their own migrations,
//! and index the same search tokens so they answer searches identically.

mod checkpoint;
mod convert;
mod group_commit;
mod lite;
mod migrations;
mod postgres;
mod process;
mod search;
pub mod seed;
mod shared;
mod sqlite;

use std::sync::Arc;

use domain::{Store, StoreError};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "calmdesk.db";

/// Opens the database at `url_or_path`, creating and migrating it as needed:
/// `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite://…` or a file path → SQLite.
pub async fn open(url_or_path: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres(url_or_path) {
        Ok(Arc::new(PgStore::open(url_or_path).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url_or_path).await?))
    }
}

/// Brings the schema up to date (what `open` does first), for `calmdesk migrate`.
pub async fn migrate(url_or_path: &str) -> Result<(), StoreError> {
    open(url_or_path).await.map(drop)
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}
