//! Throwaway databases for tests, so every test talks to a real SQLite file or a real
//! PostgreSQL database of its own and leaves nothing behind.
//!
//! PostgreSQL is reached at `CALMDESK_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`,
//! trust auth). When it cannot be reached the test FAILS, unless `CALMDESK_SKIP_PG=1` is set,
//! in which case [`postgres_wanted`] says no and the caller skips.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgConnection, Row};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// A SQLite database file in a temporary directory, deleted on drop.
pub struct TempSqlite {
    dir: tempfile::TempDir,
}

impl TempSqlite {
    pub fn new() -> Self {
        TempSqlite {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A path `store::open` accepts.
    pub fn url(&self) -> String {
        self.dir.path().join("calmdesk.db").display().to_string()
    }

    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        Self::new()
    }
}

/// False only when the developer opted out with `CALMDESK_SKIP_PG=1`.
pub fn postgres_wanted() -> bool {
    std::env::var("CALMDESK_SKIP_PG").map_or(true, |v| v != "1")
}

fn server() -> String {
    std::env::var("CALMDESK_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// A PostgreSQL database created for one test. Call [`TempPostgres::drop_database`] at the end;
/// databases left by a crashed run carry the `calmdesk_t_` prefix.
pub struct TempPostgres {
    name: String,
}

impl TempPostgres {
    /// Creates an empty database; panics with the reason when PostgreSQL is unreachable.
    pub async fn create() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "calmdesk_t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = admin_connection().await;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap_or_else(|err| panic!("creating test database {name}: {err}"));
        TempPostgres { name }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", server(), self.name)
    }

    pub async fn drop_database(self) {
        let mut admin = admin_connection().await;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .await
            .unwrap_or_else(|err| panic!("dropping test database {}: {err}", self.name));
    }
}

async fn admin_connection() -> PgConnection {
    let url = format!("{}/postgres", server());
    PgConnection::connect(&url).await.unwrap_or_else(|err| {
        panic!(
            "PostgreSQL is not reachable at {url} ({err}); start it, or set CALMDESK_SKIP_PG=1 \
             to skip the PostgreSQL tests"
        )
    })
}

/// Runs `test` on its own task and drops the database afterwards even when the test panics,
/// then re-raises the panic.
pub async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TempPostgres::create().await;
    let outcome = tokio::spawn(test(db.url())).await;
    db.drop_database().await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Same as [`with_postgres`] for a SQLite file.
pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TempSqlite::new();
    let outcome = tokio::spawn(test(db.url())).await;
    drop(db);
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Waits (up to 20 s, else panics) until another connection to `admin`'s database is stuck on a
/// lock with a statement starting with `statement` (`""`: any): the moment a test that holds a
/// row acts while the code under test waits for it.
pub async fn wait_for_lock_waiter(admin: &mut PgConnection, statement: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lock_waiters(admin, statement).await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no connection waited on a lock with `{statement}…`"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// How many other connections to `admin`'s database are stuck on a lock with a statement
/// starting with `statement` (`""`: any).
pub async fn lock_waiters(admin: &mut PgConnection, statement: &str) -> i64 {
    // Inside a transaction PostgreSQL answers from the statistics snapshot taken at the first
    // look: without clearing it, a caller holding a row would never see the waiter arrive.
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *admin)
        .await
        .expect("the statistics snapshot clears");
    sqlx::query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE $1",
    )
    .bind(format!("{statement}%"))
    .fetch_one(&mut *admin)
    .await
    .expect("pg_stat_activity answers")
    .get("n")
}

/// Declares `$scenario` — an `async fn(url: String)` that opens what it needs on the fresh
/// database it is given — as two tests named by the caller, one on SQLite and one on PostgreSQL
/// (skipped only with `CALMDESK_SKIP_PG=1`).
#[macro_export]
macro_rules! on_both_backends {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $crate::with_sqlite($scenario).await;
        }

        #[tokio::test]
        async fn $postgres() {
            if $crate::postgres_wanted() {
                $crate::with_postgres($scenario).await;
            }
        }
    };
}

/// Declares each scenario — an `async fn` in the calling module taking what `$open(url)` opens —
/// as the tests `sqlite::<name>` and `postgres::<name>`, each on a fresh database, so every
/// scenario runs unchanged against both backends. PostgreSQL scenarios are skipped only with
/// `CALMDESK_SKIP_PG=1`.
#[macro_export]
macro_rules! backend_scenarios {
    (open = $open:path; $($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    $crate::with_sqlite(|url| async move {
                        super::$scenario($open(&url).await.expect("open SQLite")).await
                    })
                    .await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    if !$crate::postgres_wanted() {
                        eprintln!("CALMDESK_SKIP_PG=1: PostgreSQL scenario skipped");
                        return;
                    }
                    $crate::with_postgres(|url| async move {
                        super::$scenario($open(&url).await.expect("open PostgreSQL")).await
                    })
                    .await;
                }
            )*
        }
    };
}
