//! SQLite backend, the embedded default: one file, WAL journal so readers never wait for the
//! writer, and a single writer connection whose transactions start with `BEGIN IMMEDIATE` so a
//! write never fails half-way on a lock upgrade. Concurrent writes share that connection's
//! transactions through group commit (`group_commit`).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Sqlite, Transaction};

use crate::group_commit::GroupCommitWriter;
use crate::process::process_store;
use crate::search::{SearchPage, fts5_all_of};
use crate::shared::{
    WriteWork, agent_columns, case_columns, customer_columns, department_columns, event_columns,
    message_columns, record_columns, shared_store,
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READERS: u32 = 4;

pub struct SqliteStore {
    writer: GroupCommitWriter,
    readers: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it and its directory if needed) and migrates the database at `location`:
    /// a `sqlite://` URL or a file path.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        let options = connect_options(location)?;
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|err| {
                StoreError::Unavailable(format!("cannot create {}: {err}", dir.display()))
            })?;
        }
        let writer = options.connect().await.map_err(db_error)?;
        // A file connection cannot drop like a network one: no ping before each use (for
        // SQLite each ping is one more hand-off to the connection's thread), and the readers
        // stay open rather than being re-opened (and their statements re-prepared) after idling.
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(READERS)
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.create_if_missing(false))
            .await
            .map_err(db_error)?;
        crate::migrations::migrator(crate::migrations::SQLITE)
            .run(&readers)
            .await
            .map_err(|err| StoreError::Internal(format!("migrating the SQLite database: {err}")))?;
        Ok(SqliteStore {
            writer: GroupCommitWriter::start(writer),
            readers,
        })
    }

    /// Runs `work` as one write command: committed with whatever other writes are waiting,
    /// isolated from them (see `group_commit`).
    async fn write<T: Send + 'static>(
        &self,
        work: impl WriteWork<SqliteConnection, T>,
    ) -> Result<T, StoreError> {
        self.writer.write(work).await
    }

    async fn read_tx(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.readers.begin().await.map_err(db_error)
    }

    fn reader(&self) -> &SqlitePool {
        &self.readers
    }
}

fn connect_options(location: &str) -> Result<SqliteConnectOptions, StoreError> {
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
        // In WAL mode NORMAL stays consistent after a crash; only the last commits before a
        // power loss may be lost, which buys the write throughput the service needs.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true))
}

async fn load_search_tokens(conn: &mut Conn, case_id: i64) -> Result<BTreeSet<String>, StoreError> {
    let row = sqlx::query("SELECT tokens FROM case_search WHERE rowid = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(match row {
        Some(row) => get::<String>(&row, "tokens")?
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        None => BTreeSet::new(),
    })
}

async fn store_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM case_search WHERE rowid = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    insert_search_tokens(conn, case_id, tokens).await
}

async fn insert_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    let document = tokens
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    sqlx::query("INSERT INTO case_search (rowid, tokens) VALUES ($1, $2)")
        .bind(case_id)
        .bind(document)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

fn push_search_condition(
    query: &mut QueryBuilder<Sqlite>,
    tokens: Vec<String>,
    page: Option<SearchPage>,
) {
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

shared_store!(SqliteStore, Sqlite);
process_store!(SqliteStore, Sqlite, claim_lock = "");
