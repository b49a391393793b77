//! Runs the real `calmdesk` binary against a throw-away database: a temporary SQLite data
//! directory, or a PostgreSQL database created on 127.0.0.1:5432 and dropped afterwards.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use calmdesk::http_client::Connection;
use sqlx::Connection as _;

pub const BIN: &str = env!("CARGO_BIN_EXE_calmdesk");
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// One throw-away database, and the flags that point the binary at it.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres { name: String, url: String },
}

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh PostgreSQL database, or `None` when CALMDESK_SKIP_PG=1 says to skip. Otherwise an
    /// unreachable server FAILS the test: the PostgreSQL path must not silently go untested.
    pub async fn postgres() -> Option<Backend> {
        if std::env::var("CALMDESK_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("CALMDESK_SKIP_PG=1: skipping the PostgreSQL run");
            return None;
        }
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "calmdesk_e2e_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.expect(
            "PostgreSQL must listen on 127.0.0.1:5432 (user postgres, trust); \
             set CALMDESK_SKIP_PG=1 to skip these tests",
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        Some(Backend::Postgres { name, url })
    }

    pub fn args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite(dir) => vec![
                "--data-dir".into(),
                dir.path().to_string_lossy().into_owned(),
            ],
            Backend::Postgres { url, .. } => vec!["--database-url".into(), url.clone()],
        }
    }

    /// Runs a `calmdesk` command on this database.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .args(self.args())
            .env("CALMDESK_LOG", "warn")
            .output()
            .expect("run calmdesk")
    }

    pub fn token(&self, role: &str) -> String {
        let output = self.run(&["admin", "create-token", "--name", role, "--role", role]);
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "only the token is printed");
        stdout.trim().to_owned()
    }

    pub async fn cleanup(self) {
        if let Backend::Postgres { name, .. } = self {
            let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .expect("drop the test database");
        }
    }
}

/// A running `calmdesk serve`; its log lines are collected so a failure can show them.
pub struct Server {
    child: Child,
    pub address: SocketAddr,
    log: mpsc::Receiver<String>,
}

impl Server {
    pub fn start(backend: &Backend) -> Server {
        Server::start_with(backend, &[])
    }

    /// Starts with extra environment variables, e.g. another log format.
    pub fn start_with(backend: &Backend, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(backend.args())
            .env("CALMDESK_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start calmdesk serve");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (sender, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let address = loop {
            let line = log
                .recv_timeout(Duration::from_secs(30))
                .expect("calmdesk serve exited or hung before listening");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                // Human logs end the line with the address; JSON logs close a string after it.
                let address: String = rest
                    .chars()
                    .take_while(|c| !matches!(c, '"' | ' '))
                    .collect();
                break address.trim().parse().expect("a socket address");
            }
        };
        Server {
            child,
            address,
            log,
        }
    }

    pub async fn connect(&self, token: &str) -> Connection {
        Connection::open(self.address)
            .await
            .expect("connect")
            .with_token(token)
    }

    /// Sends SIGTERM without waiting: the server starts its graceful shutdown.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGTERM and wait: the exit must be clean. Returns the server's log lines.
    pub fn stop(mut self) -> Vec<String> {
        self.terminate();
        let exit = self.child.wait().unwrap();
        // The process is gone, so its stderr ends and the reader thread hangs up the channel.
        let log: Vec<String> = self.log.iter().collect();
        assert!(exit.success(), "serve exited with {exit}: {log:#?}");
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only reached when a test failed before stop(): do not leave the process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
