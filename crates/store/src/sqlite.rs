//! SQLite backend, the embedded default: one file, WAL journal so readers never wait for the
//! writer, and a single writer connection whose transactions start with `BEGIN IMMEDIATE` so a
//! write never fails half-way on a lock upgrade. Concurrent writes share that connection's
//! transactions through group commit (`group_commit`). Statements run through rusqlite on the
//! thread that asks (`lite`); sqlx only creates and migrates the file.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::group_commit::GroupCommitWriter;
use crate::lite::{self as sql, Pool, ReadTx};
use crate::process::process_store;
use crate::search::{SearchPage, fts5_all_of};
use crate::shared::{
    BoxFuture, WriteWork, agent_columns, case_columns, customer_columns, department_columns,
    event_columns, message_columns, record_columns, shared_store,
};

/// Read connections kept open; more are opened while every one is in use.
const READERS: usize = 4;

pub struct SqliteStore {
    writer: GroupCommitWriter,
    readers: Pool,
    _checkpointer: crate::checkpoint::Checkpointer,
}

impl SqliteStore {
    /// Opens (creating it and its directory if needed) and migrates the database at `location`:
    /// a `sqlite://` URL or a file path.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        let options = connect_options(location)?;
        let file = options.get_filename().to_owned();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| {
                StoreError::Unavailable(format!("cannot create {}: {err}", dir.display()))
            })?;
        }
        migrate(options).await?;
        let writer = sql::Connection::open(&file, false).map_err(db_error)?;
        Ok(SqliteStore {
            writer: GroupCommitWriter::start(writer, write_search_documents)?,
            readers: Pool::open(&file, READERS).map_err(db_error)?,
            _checkpointer: crate::checkpoint::Checkpointer::start(&file)?,
        })
    }

    /// Runs `work` as one write command: committed with whatever other writes are waiting,
    /// isolated from them (see `group_commit`).
    async fn write<T: Send + 'static>(
        &self,
        work: impl WriteWork<sql::Conn, T>,
    ) -> Result<T, StoreError> {
        self.write_as(Urgency::Interactive, work).await
    }

    /// `write` for work that may wait behind people's requests (the process engine's).
    async fn write_as<T: Send + 'static>(
        &self,
        urgency: Urgency,
        work: impl WriteWork<sql::Conn, T>,
    ) -> Result<T, StoreError> {
        self.writer.write(urgency, work).await
    }

    async fn read_tx(&self) -> Result<ReadTx<'_>, StoreError> {
        self.readers.begin().await.map_err(db_error)
    }

    async fn long_read_tx(&self) -> Result<ReadTx<'_>, StoreError> {
        self.readers.begin_long().await.map_err(db_error)
    }

    fn reader(&self) -> &Pool {
        &self.readers
    }
}

/// Creates the file if needed and brings its schema up to date, on a connection of its own.
async fn migrate(options: SqliteConnectOptions) -> Result<(), StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(crate::convert::db_error)?;
    crate::migrations::migrator(crate::migrations::SQLITE)
        .run(&pool)
        .await
        .map_err(|err| StoreError::Internal(format!("migrating the SQLite database: {err}")))?;
    pool.close().await;
    Ok(())
}

fn connect_options(location: &str) -> Result<SqliteConnectOptions, StoreError> {
    if let Some(rest) = location.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        // The store opens the file itself after sqlx has migrated it; what a URL can say
        // beyond the path would reach only the migration, so it is refused, not dropped.
        let refused = if path.is_empty() || path.starts_with(":memory:") {
            Some(
                "an in-memory database would lose every case when Calmdesk stops; give a file path",
            )
        } else if path.contains('?') {
            Some("SQLite URL options (`?…`) are not supported; give just the file path")
        } else {
            None
        };
        if let Some(reason) = refused {
            return Err(DomainError::invalid("database_url", reason).into());
        }
    }
    let options = if location.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(location).map_err(|err| {
            StoreError::Domain(DomainError::invalid("database_url", err.to_string()))
        })?
    } else {
        SqliteConnectOptions::new().filename(Path::new(location))
    };
    Ok(options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true))
}

async fn load_search_tokens(conn: &mut Conn, case_id: i64) -> Result<BTreeSet<String>, StoreError> {
    let stored;
    let document = match conn.pending_document(case_id) {
        Some(pending) => pending,
        None => {
            let row = sql::query("SELECT tokens FROM case_search WHERE rowid = $1")
                .bind(case_id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_error)?;
            stored = row.map(|row| get::<String>(&row, "tokens")).transpose()?;
            stored.as_deref().unwrap_or_default()
        }
    };
    Ok(document
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Search documents are written at the end of the command's group (`write_search_documents`).
async fn store_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    defer_search_document(conn, case_id, tokens, true);
    Ok(())
}

async fn insert_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    defer_search_document(conn, case_id, tokens, false);
    Ok(())
}

fn defer_search_document(conn: &mut Conn, id: i64, tokens: &BTreeSet<String>, replaces: bool) {
    let text = tokens
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    conn.defer_document(sql::PendingDocument { id, text, replaces });
}

/// Rows per statement when writing a group's documents (well under SQLite's parameter limit).
const DOCUMENTS_PER_STATEMENT: usize = 400;

/// Writes the search documents the group's commands left (the newest per case), in as few
/// statements as possible: FTS5 then adds one index segment per group instead of one per
/// statement (see `lite::PendingDocument`).
fn write_search_documents(conn: &mut Conn) -> BoxFuture<'_, Result<(), StoreError>> {
    Box::pin(async move {
        // The newest document per case; it replaces a stored one if any of the case's did.
        let mut newest = std::collections::BTreeMap::<i64, sql::PendingDocument>::new();
        for doc in conn.take_pending() {
            let replaces = doc.replaces || newest.get(&doc.id).is_some_and(|d| d.replaces);
            newest.insert(doc.id, sql::PendingDocument { replaces, ..doc });
        }
        let replaced: Vec<i64> = newest
            .values()
            .filter(|d| d.replaces)
            .map(|d| d.id)
            .collect();
        for ids in replaced.chunks(DOCUMENTS_PER_STATEMENT) {
            let mut delete = sql::Builder::new("DELETE FROM case_search WHERE rowid IN (");
            let mut list = delete.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            delete.push(")");
            delete.build().execute(&mut *conn).await.map_err(db_error)?;
        }
        let documents: Vec<sql::PendingDocument> = newest.into_values().collect();
        for chunk in documents.chunks(DOCUMENTS_PER_STATEMENT) {
            let mut insert = sql::Builder::new("INSERT INTO case_search (rowid, tokens) ");
            insert.push_values(chunk, |mut row, doc| {
                row.push_bind(doc.id).push_bind(doc.text.clone());
            });
            insert.build().execute(&mut *conn).await.map_err(db_error)?;
        }
        Ok(())
    })
}

fn push_search_condition(query: &mut sql::Builder, tokens: Vec<String>, page: Option<SearchPage>) {
    query
        .push(" AND id IN (SELECT rowid FROM case_search WHERE case_search MATCH ")
        .push_bind(fts5_all_of(&tokens));
    if let Some(page) = page {
        if let Some(before) = page.before {
            query.push(" AND rowid < ").push_bind(before);
        }
        query
            .push(" ORDER BY rowid DESC LIMIT ")
            .push_bind(page.limit);
    }
    query.push(")");
}

/// SQLite hands out `max(rowid) + 1`, so imported ids need no bookkeeping.
async fn after_import(_conn: &mut Conn) -> Result<(), StoreError> {
    Ok(())
}

shared_store!(SqliteStore);
process_store!(SqliteStore, claim_lock = "");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_a_file_or_are_refused_naming_the_setting() {
        for url in [
            "sqlite::memory:",
            "sqlite://",
            "sqlite://data/cd.db?mode=ro",
        ] {
            let err = connect_options(url).err().unwrap();
            assert!(
                matches!(&err, StoreError::Domain(DomainError::InvalidField { field, .. }) if field == "database_url"),
                "{url}: {err:?}"
            );
        }
        let options = connect_options("sqlite://data/cd.db").unwrap();
        assert_eq!(options.get_filename(), Path::new("data/cd.db"));
        let options = connect_options("data/plain?.db").unwrap();
        assert_eq!(options.get_filename(), Path::new("data/plain?.db"));
    }
}
