//! The SQL interface the shared store code is written against, on SQLite through rusqlite.
//!
//! `shared_store!` and `process_store!` are written once against a small SQL interface: a module
//! `sql` offering `query`, `Builder`, `Conn`, `DbRow`, `Reader`, `get` and `db_error`. For
//! PostgreSQL that module is sqlx itself (`postgres::sql`). For SQLite it is this one, because
//! sqlx-sqlite runs every statement on its connection's worker thread: a command of a few dozen
//! statements paid a few dozen thread hand-offs, which took about half the server's CPU under
//! load (profile in docs/ARCHITECTURE.md). Here a statement runs on the calling thread: the
//! writer's statements on the writer thread (`group_commit`), so a whole group of commands costs
//! one hand-off each way; a read runs on the task that asks for it (a case, a list page or a
//! search takes well under a millisecond at 100,000 cases, and a WAL reader never waits for the
//! writer); reads of many rows run in a blocking section (`Pool::begin_long`).
//!
//! The futures returned here are ready at their first poll; they are `async` so the shared code
//! reads the same for both backends.

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::{DomainError, StoreError};
use rusqlite::types::{FromSql, Value, ValueRef};
use rusqlite::{ErrorCode, OpenFlags};

/// How long a statement waits for a lock before SQLite answers "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Prepared statements kept per connection: more than the store has distinct statements.
const STATEMENT_CACHE: usize = 256;
/// Column-name lists kept per connection, by statement text (dynamic statements included).
const COLUMN_CACHE: usize = 512;

/// A database failure as the shared code sees it; `db_error` turns it into a `StoreError`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("no rows returned by a query that expected to return at least one row")]
    RowNotFound,
    #[error("column `{0}` is not in the result")]
    NoSuchColumn(String),
    #[error("column `{column}`: {reason}")]
    Decode { column: String, reason: String },
    #[error("statement parameter {0} has no bound value")]
    Unbound(String),
}

/// Busy or locked database (retry may cure it) → `Unavailable`; a duplicate key → `Conflict`;
/// anything else → `Internal`. The same classes as PostgreSQL's (`convert::db_error`).
pub(crate) fn db_error(err: Error) -> StoreError {
    if let Error::Sqlite(rusqlite::Error::SqliteFailure(failure, message)) = &err {
        match failure.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return StoreError::Unavailable(err.to_string());
            }
            ErrorCode::ConstraintViolation
                if matches!(
                    failure.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                let message = message.clone().unwrap_or_else(|| err.to_string());
                return StoreError::Domain(DomainError::Conflict(message));
            }
            _ => {}
        }
    }
    StoreError::Internal(err.to_string())
}

/// One SQLite connection with its statement cache.
pub(crate) struct Connection {
    inner: rusqlite::Connection,
    /// Result column names by statement text, so rows share one list instead of copying it.
    columns: HashMap<String, Arc<[Box<str>]>>,
    /// Documents the writer's commands leave for the end of their group (`PendingDocument`).
    pending: Vec<PendingDocument>,
    /// Statements here may read many rows (`Pool::begin_long`).
    long_reads: bool,
}

thread_local! {
    /// Set by the WAL hook (`checkpoint_when_asked`) on the thread that commits.
    static WAL_FRAMES: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// A full-text document a write command leaves to be written at the end of its group's
/// transaction, after every command of the group has run (`group_commit`). FTS5 writes its
/// in-memory index to disk whenever a savepoint opens (each command's, and many statements'
/// own), so documents written by the commands themselves made one tiny index segment per
/// statement and then merged them: about a third of the writer's instructions.
pub(crate) struct PendingDocument {
    pub(crate) id: i64,
    pub(crate) text: String,
    /// The document replaces one that may already be stored.
    pub(crate) replaces: bool,
}

impl Connection {
    /// Opens the database file (which must exist: `SqliteStore::open` creates and migrates it).
    pub(crate) fn open(path: &Path, read_only: bool) -> Result<Connection, Error> {
        let inner = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        inner.busy_timeout(BUSY_TIMEOUT)?;
        inner.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // WAL: readers never wait for the writer. NORMAL stays consistent after a crash in WAL
        // mode; only the last commits before a power loss may be lost, which buys the write
        // throughput the service needs.
        inner.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )?;
        if read_only {
            inner.execute_batch("PRAGMA query_only = ON;")?;
        }
        Ok(Connection {
            inner,
            columns: HashMap::new(),
            pending: Vec::new(),
            long_reads: false,
        })
    }

    pub(crate) fn defer_document(&mut self, document: PendingDocument) {
        self.pending.push(document);
    }

    /// The newest document deferred in this group for `id`: what a later command reads.
    pub(crate) fn pending_document(&self, id: i64) -> Option<&str> {
        self.pending
            .iter()
            .rev()
            .find(|doc| doc.id == id)
            .map(|doc| doc.text.as_str())
    }

    /// Where the documents of the next command will start (to drop them if it is undone).
    pub(crate) fn pending_mark(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn discard_pending_from(&mut self, mark: usize) {
        self.pending.truncate(mark);
    }

    pub(crate) fn take_pending(&mut self) -> Vec<PendingDocument> {
        std::mem::take(&mut self.pending)
    }

    /// Takes over WAL checkpoints from SQLite, which runs them inside the commit that takes the
    /// WAL past 1,000 pages (keeping that commit's callers waiting): from now on the caller
    /// checkpoints when `wal_frames` says so (the writer does, between groups).
    pub(crate) fn checkpoint_when_asked(&mut self) {
        fn count(_: &rusqlite::hooks::Wal, frames: std::ffi::c_int) -> rusqlite::Result<()> {
            WAL_FRAMES.set(frames);
            Ok(())
        }
        self.inner.wal_hook(Some(count));
    }

    /// Frames in the WAL after this thread's last commit (see `checkpoint_when_asked`).
    pub(crate) fn wal_frames(&self) -> i32 {
        WAL_FRAMES.get()
    }

    /// Runs statements that take no parameters and return no rows (transaction control).
    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<(), Error> {
        Ok(self.inner.execute_batch(sql)?)
    }

    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, Error> {
        let mut statement = self.inner.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        if statement.column_count() == 0 {
            return Ok(statement.raw_execute()? as u64);
        }
        // A statement returning rows runs to its end, its rows unread (as sqlx does).
        let mut rows = statement.raw_query();
        while rows.next()?.is_some() {}
        drop(rows);
        Ok(if statement.readonly() {
            0
        } else {
            self.inner.changes()
        })
    }

    /// Runs the statement and collects up to `limit` rows.
    fn fetch(&mut self, sql: &str, args: &[Value], limit: usize) -> Result<Vec<Row>, Error> {
        let mut statement = self.inner.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let columns = match self.columns.get(sql) {
            Some(columns) => columns.clone(),
            None => {
                if self.columns.len() >= COLUMN_CACHE {
                    self.columns.clear();
                }
                let names: Arc<[Box<str>]> = statement
                    .column_names()
                    .into_iter()
                    .map(Box::from)
                    .collect();
                self.columns.insert(sql.to_owned(), names.clone());
                names
            }
        };
        let read_only = statement.readonly();
        let mut rows = statement.raw_query();
        let mut fetched = Vec::new();
        while let Some(row) = rows.next()? {
            if fetched.len() == limit {
                // A statement with side effects (`… RETURNING`) must still run to its end.
                if read_only {
                    break;
                }
                continue;
            }
            let values = (0..columns.len())
                .map(|i| row.get_ref(i).map(owned))
                .collect::<Result<Vec<_>, _>>()?;
            fetched.push(Row {
                columns: columns.clone(),
                values,
            });
        }
        Ok(fetched)
    }
}

/// A column value, copied out of the statement. Text that is not UTF-8 stays bytes, so reading it
/// as text fails and names the column.
fn owned(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Value::Text(text.to_owned()),
            Err(_) => Value::Blob(bytes.to_vec()),
        },
        ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
    }
}

/// Binds the values in order of their numbers: `$3` gets the third value, wherever it stands
/// and however often it occurs (SQLite numbers named parameters by first appearance instead).
fn bind(statement: &mut rusqlite::CachedStatement<'_>, args: &[Value]) -> Result<(), Error> {
    for index in 1..=statement.parameter_count() {
        let number = match statement.parameter_name(index) {
            Some(name) => name
                .trim_start_matches(['$', '?'])
                .parse::<usize>()
                .map_err(|_| Error::Unbound(name.to_owned()))?,
            None => index,
        };
        let value = args
            .get(number - 1)
            .ok_or_else(|| Error::Unbound(format!("${number}")))?;
        statement.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

/// A result row, owning its values.
pub(crate) struct Row {
    columns: Arc<[Box<str>]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn try_get<T: FromSql>(&self, column: &str) -> Result<T, Error> {
        let index = self
            .columns
            .iter()
            .position(|name| &**name == column)
            .ok_or_else(|| Error::NoSuchColumn(column.to_owned()))?;
        T::column_result(ValueRef::from(&self.values[index])).map_err(|err| Error::Decode {
            column: column.to_owned(),
            reason: err.to_string(),
        })
    }
}

/// Reads a column of a row, as the shared code expects of either backend.
pub(crate) fn get<T: FromSql>(row: &Row, column: &str) -> Result<T, StoreError> {
    row.try_get(column).map_err(db_error)
}

/// What a statement changed.
pub(crate) struct Done {
    rows_affected: u64,
}

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A value a statement can be given, owned so a query can outlive what it was built from.
pub(crate) trait Bind {
    fn into_value(self) -> Value;
}

impl Bind for i64 {
    fn into_value(self) -> Value {
        Value::Integer(self)
    }
}

impl Bind for i32 {
    fn into_value(self) -> Value {
        Value::Integer(self.into())
    }
}

impl Bind for bool {
    fn into_value(self) -> Value {
        Value::Integer(self.into())
    }
}

impl Bind for f64 {
    fn into_value(self) -> Value {
        Value::Real(self)
    }
}

impl Bind for String {
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}

impl Bind for &str {
    fn into_value(self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl Bind for Vec<u8> {
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}

impl<T: Bind> Bind for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, Bind::into_value)
    }
}

/// Where a statement runs: a connection the caller holds, or one borrowed from the readers.
pub(crate) trait Executor {
    fn run<R>(self, work: impl FnOnce(&mut Connection) -> Result<R, Error>) -> Result<R, Error>;
}

impl Executor for &mut Connection {
    fn run<R>(self, work: impl FnOnce(&mut Connection) -> Result<R, Error>) -> Result<R, Error> {
        let multi_threaded = tokio::runtime::Handle::try_current()
            .is_ok_and(|rt| rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if self.long_reads && multi_threaded {
            // The runtime hands this thread's other tasks to another thread meanwhile.
            tokio::task::block_in_place(|| work(self))
        } else {
            work(self)
        }
    }
}

impl Executor for &Pool {
    fn run<R>(self, work: impl FnOnce(&mut Connection) -> Result<R, Error>) -> Result<R, Error> {
        let mut conn = self.take()?;
        work(&mut conn)
    }
}

/// A statement and its parameter values (`$1`, `$2`, … in the text).
pub(crate) struct Query {
    sql: std::borrow::Cow<'static, str>,
    args: Vec<Value>,
}

pub(crate) fn query(sql: &'static str) -> Query {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

impl Query {
    pub(crate) fn bind(mut self, value: impl Bind) -> Query {
        self.args.push(value.into_value());
        self
    }

    pub(crate) async fn execute(self, on: impl Executor) -> Result<Done, Error> {
        let rows_affected = on.run(|conn| conn.execute(&self.sql, &self.args))?;
        Ok(Done { rows_affected })
    }

    pub(crate) async fn fetch_all(self, on: impl Executor) -> Result<Vec<Row>, Error> {
        on.run(|conn| conn.fetch(&self.sql, &self.args, usize::MAX))
    }

    pub(crate) async fn fetch_optional(self, on: impl Executor) -> Result<Option<Row>, Error> {
        Ok(on.run(|conn| conn.fetch(&self.sql, &self.args, 1))?.pop())
    }

    pub(crate) async fn fetch_one(self, on: impl Executor) -> Result<Row, Error> {
        self.fetch_optional(on).await?.ok_or(Error::RowNotFound)
    }
}

/// Builds a statement whose text depends on the request (filters, lists of values).
pub(crate) struct Builder {
    sql: String,
    args: Vec<Value>,
}

impl Builder {
    pub(crate) fn new(start: impl Into<String>) -> Builder {
        Builder {
            sql: start.into(),
            args: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, sql: impl Display) -> &mut Builder {
        use std::fmt::Write;
        write!(self.sql, "{sql}").expect("writing to a String cannot fail");
        self
    }

    pub(crate) fn push_bind(&mut self, value: impl Bind) -> &mut Builder {
        self.args.push(value.into_value());
        let number = self.args.len();
        self.push(format_args!("${number}"))
    }

    /// Values separated by `separator`: `IN (…)` lists.
    pub(crate) fn separated(&mut self, separator: &'static str) -> Separated<'_> {
        Separated {
            builder: self,
            separator,
            first: true,
        }
    }

    /// ` VALUES (…), (…)`: one parenthesised tuple per item, filled by `fill`.
    pub(crate) fn push_values<I: IntoIterator>(
        &mut self,
        items: I,
        mut fill: impl FnMut(Separated<'_>, I::Item),
    ) -> &mut Builder {
        self.push("VALUES ");
        for (index, item) in items.into_iter().enumerate() {
            self.push(if index == 0 { "(" } else { ", (" });
            fill(self.separated(", "), item);
            self.push(")");
        }
        self
    }

    pub(crate) fn build(&mut self) -> Query {
        Query {
            sql: std::mem::take(&mut self.sql).into(),
            args: std::mem::take(&mut self.args),
        }
    }
}

/// Pushes bound values with a separator between them.
pub(crate) struct Separated<'b> {
    builder: &'b mut Builder,
    separator: &'static str,
    first: bool,
}

impl Separated<'_> {
    pub(crate) fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        if !std::mem::take(&mut self.first) {
            self.builder.push(self.separator);
        }
        self.builder.push_bind(value);
        self
    }
}

/// Read-only connections shared by the service's reads.
pub(crate) struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub(crate) fn open(path: &Path, size: usize) -> Result<Pool, Error> {
        let idle = (0..size)
            .map(|_| Connection::open(path, true))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Pool {
            path: path.to_owned(),
            idle: Mutex::new(idle),
        })
    }

    pub(crate) async fn acquire(&self) -> Result<PoolConnection<'_>, Error> {
        self.take()
    }

    /// A transaction giving one consistent snapshot for several reads.
    pub(crate) async fn begin(&self) -> Result<ReadTx<'_>, Error> {
        let mut conn = self.take()?;
        conn.execute_batch("BEGIN")?;
        Ok(ReadTx(conn))
    }

    /// A read transaction for many rows (a report over every open case): its statements run
    /// in a blocking section, so the runtime's other tasks move to another thread meanwhile.
    pub(crate) async fn begin_long(&self) -> Result<ReadTx<'_>, Error> {
        let mut tx = self.begin().await?;
        tx.long_reads = true;
        Ok(tx)
    }

    /// An idle connection, or a new one when every one is busy (reads never queue).
    fn take(&self) -> Result<PoolConnection<'_>, Error> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => Connection::open(&self.path, true)?,
        };
        Ok(PoolConnection {
            pool: self,
            conn: Some(conn),
        })
    }
}

/// A reader borrowed from the pool; it goes back when dropped.
pub(crate) struct PoolConnection<'p> {
    pool: &'p Pool,
    conn: Option<Connection>,
}

impl Deref for PoolConnection<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for PoolConnection<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for PoolConnection<'_> {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            conn.long_reads = false;
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.push(conn);
        }
    }
}

/// A read transaction, rolled back when dropped (it changed nothing).
pub(crate) struct ReadTx<'p>(PoolConnection<'p>);

impl Deref for ReadTx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for ReadTx<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

impl Drop for ReadTx<'_> {
    fn drop(&mut self) {
        if self.0.execute_batch("ROLLBACK").is_err() {
            // Still inside a transaction it cannot end: not fit to be lent out again.
            self.0.conn.take();
        }
    }
}

/// The names the shared store code uses, for SQLite.
pub(crate) type Conn = Connection;
pub(crate) type DbRow = Row;
pub(crate) type Reader = Pool;

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lite.db");
        rusqlite::Connection::open(&path).unwrap();
        let mut conn = Connection::open(&path, false).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)")
            .unwrap();
        (dir, conn)
    }

    #[tokio::test]
    async fn parameters_are_bound_by_number_wherever_they_stand() {
        let (_dir, mut conn) = scratch();
        let row = query("INSERT INTO t (n, name) VALUES ($2, $1) RETURNING id, name, n")
            .bind("ana")
            .bind(7_i64)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(row.try_get::<String>("name").unwrap(), "ana");
        assert_eq!(row.try_get::<i64>("n").unwrap(), 7);
        let found = query("SELECT id FROM t WHERE n = $2 AND (name = $1 OR name = $1)")
            .bind("ana")
            .bind(7_i64)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
    }

    #[tokio::test]
    async fn a_statement_with_side_effects_runs_to_its_end_for_one_row() {
        let (_dir, mut conn) = scratch();
        let first = query("INSERT INTO t (name) VALUES ('a'), ('b'), ('c') RETURNING name")
            .fetch_optional(&mut conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.try_get::<String>("name").unwrap(), "a");
        let count = query("SELECT count(*) AS n FROM t")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(count.try_get::<i64>("n").unwrap(), 3);
    }

    #[tokio::test]
    async fn a_missing_value_or_column_is_an_error_naming_it() {
        let (_dir, mut conn) = scratch();
        let err = query("SELECT id FROM t WHERE n = $1 AND name = $2")
            .bind(1_i64)
            .fetch_all(&mut conn)
            .await
            .err()
            .unwrap();
        assert!(err.to_string().contains("$2"), "{err}");
        query("INSERT INTO t (name) VALUES ('x')")
            .execute(&mut conn)
            .await
            .unwrap();
        let row = query("SELECT id FROM t")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let err = row.try_get::<i64>("nope").err().unwrap();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[tokio::test]
    async fn a_duplicate_is_a_conflict_and_a_busy_database_is_unavailable() {
        let (_dir, mut conn) = scratch();
        let insert = || query("INSERT INTO t (name) VALUES ($1)").bind("same");
        insert().execute(&mut conn).await.unwrap();
        let duplicate = db_error(insert().execute(&mut conn).await.err().unwrap());
        assert!(
            matches!(duplicate, StoreError::Domain(DomainError::Conflict(m)) if m.contains("UNIQUE"))
        );
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(matches!(db_error(busy.into()), StoreError::Unavailable(_)));
    }

    #[tokio::test]
    async fn the_builder_numbers_its_values_and_fills_lists() {
        let (_dir, mut conn) = scratch();
        let mut insert = Builder::new("INSERT INTO t (name, n) ");
        insert.push_values([("a", 1_i64), ("b", 2), ("c", 3)], |mut row, (name, n)| {
            row.push_bind(name).push_bind(n);
        });
        assert_eq!(insert.execute_rows(&mut conn).await, 3);
        let mut select = Builder::new("SELECT name FROM t WHERE n IN (");
        let mut numbers = select.separated(", ");
        numbers.push_bind(1_i64).push_bind(3_i64);
        select.push(") ORDER BY name");
        let names: Vec<String> = select
            .build()
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("name").unwrap())
            .collect();
        assert_eq!(names, ["a", "c"]);
    }

    impl Builder {
        async fn execute_rows(&mut self, conn: &mut Connection) -> u64 {
            self.build().execute(conn).await.unwrap().rows_affected()
        }
    }

    #[tokio::test]
    async fn readers_see_committed_data_and_cannot_write() {
        let (dir, mut conn) = scratch();
        query("INSERT INTO t (name) VALUES ('seen')")
            .execute(&mut conn)
            .await
            .unwrap();
        let pool = Pool::open(&dir.path().join("lite.db"), 1).unwrap();
        let mut tx = pool.begin().await.unwrap();
        // Two readers at once: the second is opened on demand.
        let count = query("SELECT count(*) AS n FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count.try_get::<i64>("n").unwrap(), 1);
        assert!(query("DELETE FROM t").execute(&mut *tx).await.is_err());
        drop(tx);
        assert_eq!(pool.idle.lock().unwrap().len(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_long_read_lets_the_runtime_run_other_tasks_meanwhile() {
        let (dir, _conn) = scratch();
        let pool = Arc::new(Pool::open(&dir.path().join("lite.db"), 1).unwrap());
        let (other_ran_at, read_ended_at) = tokio::spawn(async move {
            // Spawned from the runtime's only worker, so it waits for that worker.
            let other = tokio::spawn(async { std::time::Instant::now() });
            let mut tx = pool.begin_long().await.unwrap();
            query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                 WHERE i < 1000000) SELECT count(*) AS c FROM n",
            )
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            let ended = std::time::Instant::now();
            (other.await.unwrap(), ended)
        })
        .await
        .unwrap();
        assert!(
            other_ran_at < read_ended_at,
            "the other task waited for the read"
        );
    }
}
