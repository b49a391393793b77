//! Group commit for SQLite's single writer connection.
//!
//! SQLite admits one writer at a time, and sqlx-sqlite runs every statement on the connection's
//! worker thread, so a transaction per command spends most of its time handing work between
//! threads and committing. Here one task owns the writer connection and takes every command that
//! is waiting: it opens `BEGIN IMMEDIATE`, runs each command inside its own `SAVEPOINT` (a failing
//! command is rolled back alone and gets its own error), commits once, and only then answers the
//! callers. If the commit fails, every command of the group gets the error: as seen by a caller,
//! a command is still one transaction, applied entirely or not at all.
//!
//! The task never waits for more work to arrive: a lone command runs at once (and, alone in its
//! group, without a savepoint); commands that queue up while a group is being written form the
//! next group.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use domain::StoreError;
use sqlx::{Executor, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::convert::db_error;
use crate::shared::{BoxFuture, WriteWork};

/// Most commands written in one transaction: bounds how long the first caller of a group waits.
const MAX_GROUP: usize = 128;
/// Commands waiting for the writer beyond this make callers wait to enqueue (back-pressure).
const QUEUE: usize = 1024;

/// The store's handle to its writer task.
pub(crate) struct GroupCommitWriter {
    queue: mpsc::Sender<Box<dyn QueuedWrite>>,
}

impl GroupCommitWriter {
    /// Starts the writer task on `conn`; it stops (closing the connection) when the handle drops.
    pub(crate) fn start(conn: SqliteConnection) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(conn, waiting));
        GroupCommitWriter { queue }
    }

    /// Runs `work` in a write transaction (shared with other waiting commands, isolated from them
    /// by a savepoint) and answers once that transaction has committed.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        work: impl WriteWork<SqliteConnection, T>,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            work: Some(work),
            outcome: None,
            reply,
        };
        self.queue
            .send(Box::new(queued))
            .await
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> StoreError {
    StoreError::Unavailable("the SQLite writer has stopped".to_owned())
}

/// A queued command with its result type erased, so commands of any kind share one queue.
trait QueuedWrite: Send {
    /// Runs the command on the open transaction; false when it failed and must be undone.
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool>;

    /// Answers the caller once the group's transaction has committed (`Ok`) or failed.
    fn answer(self: Box<Self>, group: Result<(), &StoreError>);
}

struct Queued<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send + 'static, F: WriteWork<SqliteConnection, T>> QueuedWrite for Queued<T, F> {
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let outcome = match self.work.take() {
                Some(work) => CatchUnwind(work(conn)).await.unwrap_or_else(|_| {
                    Err(StoreError::Internal(
                        "a write command panicked; it was undone".to_owned(),
                    ))
                }),
                None => Err(StoreError::Internal("a write command ran twice".to_owned())),
            };
            let succeeded = outcome.is_ok();
            self.outcome = Some(outcome);
            succeeded
        })
    }

    fn answer(self: Box<Self>, group: Result<(), &StoreError>) {
        let answer = match (self.outcome, group) {
            (Some(Err(own)), _) => Err(own),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (_, Err(group)) => Err(retold(group)),
            (None, Ok(())) => Err(StoreError::Internal(
                "a write command was never run".to_owned(),
            )),
        };
        // The caller may have gone away meanwhile; its command stands (or not) all the same.
        let _ = self.reply.send(answer);
    }
}

/// A command that panics must not take the writer task down with it, and with it every later
/// write: its panic becomes its own error, and it is undone like any other failed command.
struct CatchUnwind<'c, T>(BoxFuture<'c, T>);

impl<T> Future for CatchUnwind<'_, T> {
    type Output = std::thread::Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// The group's failure, once for each of its callers (`StoreError` is not `Clone`).
fn retold(err: &StoreError) -> StoreError {
    match err {
        StoreError::Unavailable(reason) => StoreError::Unavailable(reason.clone()),
        other => StoreError::Internal(other.to_string()),
    }
}

async fn write_groups(
    mut conn: SqliteConnection,
    mut waiting: mpsc::Receiver<Box<dyn QueuedWrite>>,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
        let outcome = write_group(&mut conn, &mut group).await;
        for command in group.drain(..) {
            command.answer(outcome.as_ref().map(|_| ()));
        }
    }
}

/// One transaction for the whole group; `Err` means nothing of it was committed.
async fn write_group(
    conn: &mut SqliteConnection,
    group: &mut [Box<dyn QueuedWrite>],
) -> Result<(), StoreError> {
    execute(conn, "BEGIN IMMEDIATE").await?;
    let written = match group {
        // Alone, a command needs no savepoint: if it fails, the transaction is rolled back and
        // the command answers with its own error.
        [alone] => Ok(alone.run(conn).await),
        _ => run_isolated(conn, group).await.map(|()| true),
    };
    let finished = match written {
        Ok(true) => execute(conn, "COMMIT").await,
        Ok(false) => execute(conn, "ROLLBACK").await,
        Err(err) => Err(err),
    };
    if finished.is_err() {
        roll_back(conn).await;
    }
    finished
}

/// Runs each command inside its own savepoint, so a failed command is undone alone. If even
/// that is impossible (SQLite aborts the whole transaction on some errors, such as a full disk),
/// the group fails as one. Releasing a savepoint and opening the next share one round trip to
/// the connection's worker thread; `COMMIT` ends the last one. (Releasing matters: while a
/// savepoint is open SQLite keeps a copy of every page changed under it.)
async fn run_isolated(
    conn: &mut SqliteConnection,
    group: &mut [Box<dyn QueuedWrite>],
) -> Result<(), StoreError> {
    for (index, command) in group.iter_mut().enumerate() {
        let open = if index == 0 {
            "SAVEPOINT command"
        } else {
            "RELEASE command; SAVEPOINT command"
        };
        execute(conn, open).await?;
        if !command.run(conn).await {
            execute(conn, "ROLLBACK TO command").await?;
        }
    }
    Ok(())
}

async fn roll_back(conn: &mut SqliteConnection) {
    // Fails only when SQLite has already rolled the transaction back itself.
    let _ = execute(conn, "ROLLBACK").await;
}

async fn execute(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), StoreError> {
    conn.execute(sql).await.map(drop).map_err(db_error)
}

#[cfg(test)]
mod tests {
    use domain::DomainError;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Row};

    use super::*;
    use crate::shared::boxed;

    /// A writer on a fresh file with `notes(v)`, whose `owner` reference is only checked at
    /// commit (so a command can make its group's commit fail), plus a connection to look with.
    async fn writer_and_reader(dir: &tempfile::TempDir) -> (GroupCommitWriter, SqliteConnection) {
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("group.db"))
            .create_if_missing(true)
            .foreign_keys(true);
        let mut conn = options.connect().await.unwrap();
        conn.execute(
            "CREATE TABLE owners (id INTEGER PRIMARY KEY); \
             CREATE TABLE notes (v INTEGER NOT NULL UNIQUE, owner INTEGER \
             REFERENCES owners (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .await
        .unwrap();
        (
            GroupCommitWriter::start(conn),
            options.connect().await.unwrap(),
        )
    }

    /// Inserts note `v` (with a dangling owner if asked), then fails if `fail` says so.
    async fn note(
        writer: &GroupCommitWriter,
        v: i64,
        dangling_owner: bool,
        fail: bool,
    ) -> Result<i64, StoreError> {
        writer
            .write(move |conn| {
                boxed(async move {
                    sqlx::query("INSERT INTO notes (v, owner) VALUES ($1, $2)")
                        .bind(v)
                        .bind(dangling_owner.then_some(404))
                        .execute(&mut *conn)
                        .await
                        .map_err(db_error)?;
                    if fail {
                        return Err(StoreError::Internal(format!("note {v} refused")));
                    }
                    Ok(v)
                })
            })
            .await
    }

    async fn stored(reader: &mut SqliteConnection) -> Vec<i64> {
        sqlx::query("SELECT v FROM notes ORDER BY v")
            .fetch_all(&mut *reader)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    // On this single-threaded runtime `join!` queues every command before the writer task
    // runs, so they form one group.

    #[tokio::test]
    async fn a_failing_command_is_undone_alone_and_the_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut reader) = writer_and_reader(&dir).await;
        let (first, failing, duplicate, last) = tokio::join!(
            note(&writer, 1, false, false),
            note(&writer, 2, false, true),
            note(&writer, 1, false, false),
            note(&writer, 3, false, false),
        );
        assert_eq!(first.unwrap(), 1);
        assert!(matches!(failing, Err(StoreError::Internal(m)) if m == "note 2 refused"));
        assert!(matches!(
            duplicate,
            Err(StoreError::Domain(DomainError::Conflict(_)))
        ));
        assert_eq!(last.unwrap(), 3);
        assert_eq!(stored(&mut reader).await, [1, 3]);
    }

    #[tokio::test]
    async fn when_the_commit_fails_every_command_of_the_group_gets_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut reader) = writer_and_reader(&dir).await;
        let (first, dangling) = tokio::join!(
            note(&writer, 1, false, false),
            note(&writer, 2, true, false),
        );
        for answer in [first, dangling] {
            assert!(matches!(answer, Err(StoreError::Internal(m)) if m.contains("FOREIGN KEY")));
        }
        assert_eq!(stored(&mut reader).await, Vec::<i64>::new());
        assert_eq!(note(&writer, 3, false, false).await.unwrap(), 3);
        assert_eq!(stored(&mut reader).await, [3]);
    }

    #[tokio::test]
    async fn a_panicking_command_is_undone_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut reader) = writer_and_reader(&dir).await;
        let panicking = writer.write(|conn: &mut SqliteConnection| {
            boxed(async move {
                sqlx::query("INSERT INTO notes (v) VALUES (2)")
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
                panic!("a bug in a command");
                #[allow(unreachable_code)]
                Ok(())
            })
        });
        let (first, panicked) = tokio::join!(note(&writer, 1, false, false), panicking);
        assert_eq!(first.unwrap(), 1);
        assert!(matches!(panicked, Err(StoreError::Internal(m)) if m.contains("panicked")));
        assert_eq!(note(&writer, 3, false, false).await.unwrap(), 3);
        assert_eq!(stored(&mut reader).await, [1, 3]);
    }

    #[tokio::test]
    async fn a_lone_failing_command_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, mut reader) = writer_and_reader(&dir).await;
        assert!(note(&writer, 1, false, true).await.is_err());
        assert!(note(&writer, 2, true, false).await.is_err());
        assert_eq!(note(&writer, 3, false, false).await.unwrap(), 3);
        assert_eq!(stored(&mut reader).await, [3]);
    }
}
