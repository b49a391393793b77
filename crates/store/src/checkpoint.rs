//! The WAL's copying into the database file, off the writer's path.
//!
//! SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: the pages are copied
//! into the database file and both files synced while that commit, and with group commit every
//! command of its group, waits (BENCHMARKS.md, "SQLite statements on the calling thread"). Here a thread of its own copies `PASSIVE` every
//! `INTERVAL` (it neither waits for nor blocks the writer or the readers). Copying alone cannot
//! start the WAL over while commits keep coming (SQLite restarts it only when a write begins
//! with every frame copied), so the writer still checkpoints between its groups, rarely
//! (`WRITER_CHECKPOINT_FRAMES`) and with little left to copy.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use domain::StoreError;

use crate::lite::{Connection, db_error};

const INTERVAL: Duration = Duration::from_millis(50);
/// WAL size (pages of 4 KB: 40 MB) past which the writer checkpoints between groups, after the
/// group's callers have their answers, so the next write starts the WAL over.
pub(crate) const WRITER_CHECKPOINT_FRAMES: i32 = 10_000;

/// Stops its thread when dropped.
pub(crate) struct Checkpointer {
    _stop: Sender<()>,
}

impl Checkpointer {
    pub(crate) fn start(file: &Path) -> Result<Checkpointer, StoreError> {
        let mut conn = Connection::open(file, false).map_err(db_error)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    // A failed passive checkpoint (say, a full disk) is tried again next time;
                    // the WAL keeps every commit meanwhile, and the writer's checkpoint remains.
                    let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
                }
            })
            .map_err(|err| {
                StoreError::Unavailable(format!("cannot start the SQLite checkpointer: {err}"))
            })?;
        Ok(Checkpointer { _stop: stop })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_is_copied_into_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wal.db");
        rusqlite::Connection::open(&file).unwrap();
        let mut writer = Connection::open(&file, false).unwrap();
        writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v BLOB)")
            .unwrap();
        for _ in 0..50 {
            writer
                .execute_batch("INSERT INTO t VALUES (zeroblob(40000))")
                .unwrap();
        }
        let file_size = || std::fs::metadata(&file).unwrap().len();
        assert!(file_size() < 100_000, "the rows are still only in the WAL");
        let _checkpointer = Checkpointer::start(&file).unwrap();
        let deadline = std::time::Instant::now() + INTERVAL * 20;
        while file_size() < 50 * 40_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(INTERVAL / 5);
        }
        assert!(
            file_size() >= 50 * 40_000,
            "not checkpointed: {} bytes",
            file_size()
        );
    }
}
