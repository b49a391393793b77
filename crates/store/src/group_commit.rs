//! Group commit for SQLite's single writer connection.
//!
//! SQLite admits one writer at a time. One thread owns the writer connection and takes every
//! command that is waiting: it opens `BEGIN IMMEDIATE`, runs each command inside its own
//! `SAVEPOINT` (a failing command is rolled back alone and gets its own error), commits once, and
//! only then answers the callers. If the commit fails, every command of the group gets the error:
//! as seen by a caller, a command is still one transaction, applied entirely or not at all.
//!
//! The thread never waits for more work to arrive: a lone command runs at once (and, alone in its
//! group, without a savepoint); commands that queue up while a group is being written form the
//! next group. Its statements run on the thread itself (`lite`), so a command costs one hand-off
//! to the thread and one back, however many statements it has.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use domain::StoreError;
use tokio::sync::{mpsc, oneshot};

use crate::checkpoint::WRITER_CHECKPOINT_FRAMES;
use crate::lite::{Connection, db_error};
use crate::shared::{BoxFuture, Urgency, WriteWork};

/// Most commands written in one transaction: bounds how long the first caller of a group waits.
const MAX_GROUP: usize = 128;
/// Background commands (the process engine's) in a group that also has interactive ones: the
/// engine keeps going during a burst of requests without making every request wait for a
/// group of its reviews; with no request waiting it gets whole groups.
const BACKGROUND_SHARE: usize = 8;
/// Commands waiting for the writer beyond this make callers wait to enqueue (back-pressure).
const QUEUE: usize = 1024;

/// What the writer runs after a group's commands and before its `COMMIT`, on the same
/// transaction (the SQLite store writes the deferred search documents there).
pub(crate) type BeforeCommit =
    for<'c> fn(&'c mut Connection) -> BoxFuture<'c, Result<(), StoreError>>;

/// The store's handle to its writer thread.
pub(crate) struct GroupCommitWriter {
    queue: mpsc::Sender<Box<dyn QueuedWrite>>,
}

impl GroupCommitWriter {
    /// Starts the writer thread on `conn`; it stops (closing the connection) when the handle drops.
    pub(crate) fn start(conn: Connection, before_commit: BeforeCommit) -> Result<Self, StoreError> {
        let (queue, waiting) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || write_groups(conn, waiting, before_commit))
            .map_err(|err| {
                StoreError::Unavailable(format!("cannot start the SQLite writer: {err}"))
            })?;
        Ok(GroupCommitWriter { queue })
    }

    /// Runs `work` in a write transaction (shared with other waiting commands, isolated from them
    /// by a savepoint) and answers once that transaction has committed.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        urgency: Urgency,
        work: impl WriteWork<Connection, T>,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let queued = Queued {
            work: Some(work),
            urgency,
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
    fn run(&mut self, conn: &mut Connection) -> bool;

    /// Answers the caller once the group's transaction has committed (`Ok`) or failed.
    fn answer(self: Box<Self>, group: Result<(), &StoreError>);

    fn urgency(&self) -> Urgency;
}

struct Queued<T, F> {
    work: Option<F>,
    urgency: Urgency,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send + 'static, F: WriteWork<Connection, T>> QueuedWrite for Queued<T, F> {
    fn run(&mut self, conn: &mut Connection) -> bool {
        let outcome = match self.work.take() {
            // A command that panics must not take the writer down with it, and with it every
            // later write: its panic becomes its own error, and it is undone like any other
            // failed command.
            Some(work) => std::panic::catch_unwind(AssertUnwindSafe(|| block_on(work(conn))))
                .unwrap_or_else(|_| {
                    Err(StoreError::Internal(
                        "a write command panicked; it was undone".to_owned(),
                    ))
                }),
            None => Err(StoreError::Internal("a write command ran twice".to_owned())),
        };
        let succeeded = outcome.is_ok();
        self.outcome = Some(outcome);
        succeeded
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

    fn urgency(&self) -> Urgency {
        self.urgency
    }
}

/// Drives a command's future on the writer thread. Its statements are ready at once (`lite`), so
/// the first poll normally finishes it; anything else it awaits wakes this thread when ready.
fn block_on<T>(work: BoxFuture<'_, T>) -> T {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut work = pin!(work);
    loop {
        match work.as_mut().poll(&mut context) {
            Poll::Ready(value) => return value,
            Poll::Pending => std::thread::park(),
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

fn write_groups(
    mut conn: Connection,
    mut waiting: mpsc::Receiver<Box<dyn QueuedWrite>>,
    before_commit: BeforeCommit,
) {
    conn.checkpoint_when_asked();
    let mut group = Vec::with_capacity(MAX_GROUP);
    let mut background = VecDeque::with_capacity(MAX_GROUP);
    loop {
        if background.is_empty() {
            match waiting.blocking_recv() {
                Some(first) => sort(first, &mut group, &mut background),
                None => return,
            }
        }
        while group.len() < MAX_GROUP && background.len() < MAX_GROUP {
            match waiting.try_recv() {
                Ok(next) => sort(next, &mut group, &mut background),
                Err(_) => break,
            }
        }
        let share = if group.is_empty() {
            MAX_GROUP
        } else {
            BACKGROUND_SHARE
        };
        let taken = share.min(background.len());
        group.extend(background.drain(..taken));
        let outcome = write_group(&mut conn, &mut group, before_commit);
        for command in group.drain(..) {
            command.answer(outcome.as_ref().map(|_| ()));
        }
        if conn.wal_frames() >= WRITER_CHECKPOINT_FRAMES {
            // PASSIVE: copies what no reader still needs (`checkpoint` has copied most of it),
            // never waits. Between the writer's own transactions, so the next one can start the
            // WAL over. A failure (say, a full disk) is tried again after the next group.
            let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
        }
    }
}

/// Interactive commands go into the next group; background ones wait their turn.
fn sort(
    command: Box<dyn QueuedWrite>,
    group: &mut Vec<Box<dyn QueuedWrite>>,
    background: &mut VecDeque<Box<dyn QueuedWrite>>,
) {
    match command.urgency() {
        Urgency::Interactive => group.push(command),
        Urgency::Background => background.push_back(command),
    }
}

/// One transaction for the whole group; `Err` means nothing of it was committed.
fn write_group(
    conn: &mut Connection,
    group: &mut [Box<dyn QueuedWrite>],
    before_commit: BeforeCommit,
) -> Result<(), StoreError> {
    execute(conn, "BEGIN IMMEDIATE")?;
    let written = match group {
        // Alone, a command needs no savepoint: if it fails, the transaction is rolled back and
        // the command answers with its own error.
        [alone] => Ok(alone.run(conn)),
        _ => run_isolated(conn, group).map(|()| true),
    };
    let finished = match written {
        Ok(true) => std::panic::catch_unwind(AssertUnwindSafe(|| block_on(before_commit(conn))))
            .unwrap_or_else(|_| {
                Err(StoreError::Internal(
                    "writing the group's search documents panicked; the group was undone"
                        .to_owned(),
                ))
            })
            .and_then(|()| execute(conn, "COMMIT")),
        Ok(false) => execute(conn, "ROLLBACK"),
        Err(err) => Err(err),
    };
    if finished.is_err() {
        roll_back(conn);
    }
    // Whatever was not written by now belongs to commands that were undone.
    conn.discard_pending_from(0);
    finished
}

/// Runs each command inside its own savepoint, so a failed command is undone alone. If even
/// that is impossible (SQLite aborts the whole transaction on some errors, such as a full disk),
/// the group fails as one. (Releasing each savepoint matters: while a savepoint is open SQLite
/// keeps a copy of every page changed under it.)
fn run_isolated(
    conn: &mut Connection,
    group: &mut [Box<dyn QueuedWrite>],
) -> Result<(), StoreError> {
    for (index, command) in group.iter_mut().enumerate() {
        let open = if index == 0 {
            "SAVEPOINT command"
        } else {
            "RELEASE command; SAVEPOINT command"
        };
        execute(conn, open)?;
        let mark = conn.pending_mark();
        if !command.run(conn) {
            execute(conn, "ROLLBACK TO command")?;
            conn.discard_pending_from(mark);
        }
    }
    Ok(())
}

fn roll_back(conn: &mut Connection) {
    // Fails only when SQLite has already rolled the transaction back itself.
    let _ = execute(conn, "ROLLBACK");
}

fn execute(conn: &mut Connection, sql: &'static str) -> Result<(), StoreError> {
    conn.execute_batch(sql).map_err(db_error)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc as std_mpsc;

    use domain::DomainError;

    use super::*;
    use crate::lite::{PendingDocument, Pool, query};
    use crate::shared::boxed;

    /// Writes the documents the group's commands deferred into `docs`.
    fn write_docs(conn: &mut Connection) -> BoxFuture<'_, Result<(), StoreError>> {
        boxed(async move {
            for doc in conn.take_pending() {
                query("INSERT INTO docs (id, text) VALUES ($1, $2)")
                    .bind(doc.id)
                    .bind(doc.text)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
            }
            Ok(())
        })
    }

    /// A writer on a fresh file with `notes(v)`, whose `owner` reference is only checked at
    /// commit (so a command can make its group's commit fail), and `docs` written before each
    /// commit from the commands' deferred documents; plus readers to look with.
    fn writer_and_reader(dir: &tempfile::TempDir) -> (GroupCommitWriter, Pool) {
        writer_with(dir, write_docs)
    }

    fn writer_with(
        dir: &tempfile::TempDir,
        before_commit: BeforeCommit,
    ) -> (GroupCommitWriter, Pool) {
        let path = dir.path().join("group.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE owners (id INTEGER PRIMARY KEY); \
                 CREATE TABLE notes (v INTEGER NOT NULL UNIQUE, owner INTEGER \
                 REFERENCES owners (id) DEFERRABLE INITIALLY DEFERRED); \
                 CREATE TABLE docs (id INTEGER NOT NULL, text TEXT NOT NULL); \
                 CREATE TABLE blobs (b BLOB)",
            )
            .unwrap();
        let writer =
            GroupCommitWriter::start(Connection::open(&path, false).unwrap(), before_commit)
                .unwrap();
        (writer, Pool::open(&path, 1).unwrap())
    }

    /// Inserts note `v` (with a dangling owner if asked) and defers document `v`, then fails if
    /// `fail` says so.
    async fn note(
        writer: &GroupCommitWriter,
        v: i64,
        dangling_owner: bool,
        fail: bool,
    ) -> Result<i64, StoreError> {
        note_as(writer, Urgency::Interactive, v, dangling_owner, fail).await
    }

    async fn note_as(
        writer: &GroupCommitWriter,
        urgency: Urgency,
        v: i64,
        dangling_owner: bool,
        fail: bool,
    ) -> Result<i64, StoreError> {
        writer
            .write(urgency, move |conn| {
                boxed(async move {
                    query("INSERT INTO notes (v, owner) VALUES ($1, $2)")
                        .bind(v)
                        .bind(dangling_owner.then_some(404_i64))
                        .execute(&mut *conn)
                        .await
                        .map_err(db_error)?;
                    conn.defer_document(PendingDocument {
                        id: v,
                        text: format!("note {v}"),
                        replaces: false,
                    });
                    if fail {
                        return Err(StoreError::Internal(format!("note {v} refused")));
                    }
                    Ok(v)
                })
            })
            .await
    }

    /// The notes stored; each must have its document, and no other document may be there.
    async fn stored(reader: &Pool) -> Vec<i64> {
        let column = async |sql: &'static str| -> Vec<i64> {
            query(sql)
                .fetch_all(reader)
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get("v").unwrap())
                .collect()
        };
        let notes = column("SELECT v FROM notes ORDER BY v").await;
        let documents = column("SELECT id AS v FROM docs ORDER BY id").await;
        assert_eq!(
            notes, documents,
            "documents of undone commands, or missing ones"
        );
        notes
    }

    /// A later command still commits, and what is stored is `kept` plus its note.
    async fn the_writer_goes_on(writer: &GroupCommitWriter, reader: &Pool, kept: &[i64]) {
        assert_eq!(note(writer, 3, false, false).await.unwrap(), 3);
        let expected: Vec<i64> = kept.iter().copied().chain([3]).collect();
        assert_eq!(stored(reader).await, expected);
    }

    /// Runs `commands` (`count` writes) as one group: the writer thread is held inside another
    /// command until all of them are queued.
    async fn in_one_group<T>(
        writer: &GroupCommitWriter,
        count: usize,
        commands: impl Future<Output = T>,
    ) -> T {
        let (entered, writer_inside) = oneshot::channel();
        let (release, gate) = std_mpsc::channel::<()>();
        let held = writer.write(Urgency::Interactive, move |_conn| {
            boxed(async move {
                let _ = entered.send(());
                let _ = gate.recv();
                Ok(())
            })
        });
        let queued = || writer.queue.max_capacity() - writer.queue.capacity();
        let (held, output) = tokio::join!(held, async {
            writer_inside.await.unwrap();
            let release_when_queued = async {
                while queued() < count {
                    tokio::task::yield_now().await;
                }
                release.send(()).unwrap();
            };
            tokio::join!(commands, release_when_queued).0
        });
        held.unwrap();
        output
    }

    #[tokio::test]
    async fn a_failing_command_is_undone_alone_and_the_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_and_reader(&dir);
        let (first, failing, duplicate, last) = in_one_group(&writer, 4, async {
            tokio::join!(
                note(&writer, 1, false, false),
                note(&writer, 2, false, true),
                note(&writer, 1, false, false),
                note(&writer, 3, false, false),
            )
        })
        .await;
        assert_eq!(first.unwrap(), 1);
        assert!(matches!(failing, Err(StoreError::Internal(m)) if m == "note 2 refused"));
        assert!(matches!(
            duplicate,
            Err(StoreError::Domain(DomainError::Conflict(_)))
        ));
        assert_eq!(last.unwrap(), 3);
        assert_eq!(stored(&reader).await, [1, 3]);
    }

    #[tokio::test]
    async fn when_the_commit_fails_every_command_of_the_group_gets_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_and_reader(&dir);
        let (first, dangling) = in_one_group(&writer, 2, async {
            tokio::join!(
                note(&writer, 1, false, false),
                note(&writer, 2, true, false),
            )
        })
        .await;
        for answer in [first, dangling] {
            assert!(matches!(answer, Err(StoreError::Internal(m)) if m.contains("FOREIGN KEY")));
        }
        assert_eq!(stored(&reader).await, Vec::<i64>::new());
        the_writer_goes_on(&writer, &reader, &[]).await;
    }

    #[tokio::test]
    async fn a_panicking_command_is_undone_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_and_reader(&dir);
        let panicking = writer.write(Urgency::Interactive, |conn: &mut Connection| {
            boxed(async move {
                query("INSERT INTO notes (v) VALUES (2)")
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
                panic!("a bug in a command");
                #[allow(unreachable_code)]
                Ok(())
            })
        });
        let (first, panicked) = in_one_group(&writer, 2, async {
            tokio::join!(note(&writer, 1, false, false), panicking)
        })
        .await;
        assert_eq!(first.unwrap(), 1);
        assert!(matches!(panicked, Err(StoreError::Internal(m)) if m.contains("panicked")));
        the_writer_goes_on(&writer, &reader, &[1]).await;
    }

    #[tokio::test]
    async fn a_lone_failing_command_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_and_reader(&dir);
        assert!(note(&writer, 1, false, true).await.is_err());
        assert!(note(&writer, 2, true, false).await.is_err());
        the_writer_goes_on(&writer, &reader, &[]).await;
    }

    #[tokio::test]
    async fn a_command_awaiting_something_else_is_woken_on_the_writer_thread() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_and_reader(&dir);
        let (send, later) = oneshot::channel::<i64>();
        let waiting = writer.write(Urgency::Interactive, move |conn| {
            boxed(async move {
                let v = later
                    .await
                    .map_err(|_| StoreError::Internal("no value".to_owned()))?;
                query("INSERT INTO notes (v) VALUES ($1)")
                    .bind(v)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
                conn.defer_document(PendingDocument {
                    id: v,
                    text: String::new(),
                    replaces: false,
                });
                Ok(v)
            })
        });
        let (written, ()) = tokio::join!(waiting, async {
            tokio::task::yield_now().await;
            send.send(7).unwrap();
        });
        assert_eq!(written.unwrap(), 7);
        assert_eq!(stored(&reader).await, [7]);
    }

    #[tokio::test]
    async fn a_panic_while_writing_the_documents_undoes_the_group_and_the_writer_goes_on() {
        fn panics_on_13(conn: &mut Connection) -> BoxFuture<'_, Result<(), StoreError>> {
            boxed(async move {
                assert!(
                    conn.pending_document(13).is_none(),
                    "a bug in the documents"
                );
                write_docs(conn).await
            })
        }
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_with(&dir, panics_on_13);
        let refused = note(&writer, 13, false, false).await;
        assert!(matches!(refused, Err(StoreError::Internal(m)) if m.contains("panicked")));
        the_writer_goes_on(&writer, &reader, &[]).await;
    }

    #[tokio::test]
    async fn the_writer_checkpoints_so_the_wal_stays_short() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, _reader) = writer_and_reader(&dir);
        for v in 0..360 {
            writer
                .write(Urgency::Interactive, move |conn| {
                    boxed(async move {
                        query("INSERT INTO notes (v) VALUES ($1)")
                            .bind(v)
                            .execute(&mut *conn)
                            .await
                            .map_err(db_error)?;
                        query("INSERT INTO blobs (b) VALUES (zeroblob(160000))")
                            .execute(&mut *conn)
                            .await
                            .map_err(db_error)?;
                        conn.defer_document(PendingDocument {
                            id: v,
                            text: String::new(),
                            replaces: false,
                        });
                        Ok(())
                    })
                })
                .await
                .unwrap();
        }
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().len();
        // 360 × 160 KB = 14,000 pages written: the first 10,000 or so copied into the database
        // file, and the WAL started over then (so it holds about WRITER_CHECKPOINT_FRAMES pages
        // of 4 KB at most).
        assert!(
            size("group.db") > 35_000_000,
            "database file {}",
            size("group.db")
        );
        assert!(
            size("group.db-wal") < 45_000_000,
            "WAL {}",
            size("group.db-wal")
        );
    }

    #[tokio::test]
    async fn background_commands_take_a_bounded_share_of_a_group_with_requests_waiting() {
        /// Writes the group's documents, then a marker (-1): the documents show the groups.
        fn docs_then_marker(conn: &mut Connection) -> BoxFuture<'_, Result<(), StoreError>> {
            boxed(async move {
                write_docs(conn).await?;
                query("INSERT INTO docs (id, text) VALUES (-1, 'commit')")
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error)?;
                Ok(())
            })
        }
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = writer_with(&dir, docs_then_marker);
        let background = (100..120).map(|v| note_as(&writer, Urgency::Background, v, false, false));
        let interactive = (1..=5).map(|v| note_as(&writer, Urgency::Interactive, v, false, false));
        let all = futures_join_all(background.chain(interactive).collect());
        for answer in in_one_group(&writer, 25, all).await {
            answer.unwrap();
        }
        let order: Vec<i64> = query("SELECT id FROM docs ORDER BY rowid")
            .fetch_all(&reader)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("id").unwrap())
            .collect();
        let groups: Vec<&[i64]> = order
            .split(|id| *id == -1)
            .filter(|g| !g.is_empty())
            .collect();
        // The group that held the writer wrote no document; then the 5 requests with the first
        // BACKGROUND_SHARE background commands, then the other 12 background ones together.
        assert_eq!(groups.len(), 2, "{groups:?}");
        let first: Vec<i64> = groups[0].to_vec();
        assert_eq!(first.iter().filter(|v| **v < 100).count(), 5, "{first:?}");
        assert_eq!(
            first.iter().filter(|v| **v >= 100).count(),
            BACKGROUND_SHARE,
            "{first:?}"
        );
        assert_eq!(groups[1].len(), 20 - BACKGROUND_SHARE, "{groups:?}");
    }

    /// Polls every future to its end, in one task (so their commands queue up together).
    async fn futures_join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
        let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
        let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut pending = false;
            for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() {
                    match future.as_mut().poll(cx) {
                        Poll::Ready(value) => *output = Some(value),
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        outputs
            .into_iter()
            .map(|o| o.expect("every future finished"))
            .collect()
    }
}
