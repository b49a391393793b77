//! `calmdesk bench`: starts `calmdesk serve` as a separate process on a fresh database, measures
//! its cold start and idle memory, then creates cases over HTTP from concurrent keep-alive
//! clients and reports throughput and latency percentiles.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::json;

use crate::config::Settings;
use crate::http_client::{Connection, Reply};
use crate::samples::sample_cases;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 50)]
    clients: u32,
    /// Cases to create in the measured run.
    #[arg(long, default_value_t = 20_000)]
    cases: u64,
    /// Cases created first and left out of the measurement.
    #[arg(long, default_value_t = 1_000)]
    warmup: u64,
    /// Offered load of the second, paced run (cases/s over all clients): latency at a steady
    /// load below saturation, measured from each request's scheduled send time.
    #[arg(long, default_value_t = 2_000)]
    rate: u32,
    /// Agents in the team the process engine routes the cases to: one department, two agents
    /// per language (each also speaking English). 0 leaves every case in the general queue.
    #[arg(long, default_value_t = 12)]
    agents: u32,
}

/// The six languages the sample cases are written in.
const LANGUAGES: [&str; 6] = ["en", "ro", "zh-Hans", "zh-Hant", "tl", "el"];

pub async fn run(args: &BenchArgs, settings: &Settings) -> Result<()> {
    if args.clients == 0 || args.cases == 0 || args.rate == 0 {
        bail!("--clients, --cases and --rate must be at least 1");
    }
    let scratch = ScratchDir::new()?;
    let exe = std::env::current_exe().context("finding the calmdesk binary")?;
    let database = match &settings.database_url {
        Some(url) => vec!["--database-url".to_owned(), url.clone()],
        None => vec![
            "--data-dir".to_owned(),
            scratch.path.to_string_lossy().into_owned(),
        ],
    };
    let backend = if settings.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let started = Instant::now();
    let mut server = Server::start(&exe, &database)?;
    let address = server.wait_listening()?;
    wait_ready(address).await?;
    let cold_start = started.elapsed();

    // The clients create cases as agents do; setting up the team needs an administrator.
    let token = create_token(&exe, &database, "bench", "agent")?;
    let admin_token = create_token(&exe, &database, "bench-admin", "admin")?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = rss_kib(server.child.id())?;

    let mut admin = Connection::open(address).await?.with_token(&admin_token);
    create_team(&mut admin, args.agents).await?;
    let load = Load {
        address,
        token: &token,
        clients: args.clients,
    };
    load.drive(args.warmup, 0, None).await?;
    engine_backlog(&mut admin).await?;
    let measured = load.drive(args.cases, args.warmup, None).await?;
    // The engine acknowledges and routes every case after its creation: how long it takes to
    // catch up after the burst is its throughput, and the paced run should not inherit it.
    let caught_up = engine_backlog(&mut admin).await?;
    // Each client sends every `clients / rate` seconds, so together they offer `rate` cases/s.
    let interval = Duration::from_secs_f64(f64::from(args.clients) / f64::from(args.rate));
    let paced = load
        .drive(args.cases, args.warmup + args.cases, Some(interval))
        .await?;
    let loaded_rss = rss_kib(server.child.id())?;
    let stop = server.stop()?;

    let binary = std::fs::metadata(&exe)?.len();
    println!("backend              {backend}");
    println!("binary size          {:.1} MB", binary as f64 / 1e6);
    println!("cold start to ready  {} ms", cold_start.as_millis());
    println!("idle RSS             {:.1} MB", idle_rss as f64 / 1024.0);
    println!(
        "case creation        {} cases, {} clients: {:.0} cases/s",
        args.cases,
        args.clients,
        measured.throughput()
    );
    measured.print_latency("latency (saturated) ");
    println!(
        "engine caught up     {} ms after the burst's last answer: {:.0} cases acknowledged and routed/s",
        caught_up.as_millis(),
        args.cases as f64 / (measured.wall + caught_up).as_secs_f64()
    );
    println!(
        "paced run            {} cases offered at {} cases/s: {:.0} cases/s done",
        args.cases,
        args.rate,
        paced.throughput()
    );
    paced.print_latency("latency (paced)     ");
    println!("RSS after load       {:.1} MB", loaded_rss as f64 / 1024.0);
    println!("graceful stop        {} ms", stop.as_millis());
    if measured.errors + paced.errors > 0 {
        bail!("{} requests failed", measured.errors + paced.errors);
    }
    Ok(())
}

/// A department that takes any case, and `agents` agents in it, two per language.
async fn create_team(admin: &mut Connection, agents: u32) -> Result<()> {
    if agents == 0 {
        return Ok(());
    }
    let department = json!({"name": "Customer care", "categories": [], "languages": []});
    let department = answer(
        admin.post_json("/api/v1/departments", &department).await?,
        201,
    )?["id"]
        .clone();
    for n in 0..agents {
        let language = LANGUAGES[n as usize / 2 % LANGUAGES.len()];
        let agent = json!({
            "name": format!("Agent {n} ({language})"),
            "role": "agent",
            "department_id": department,
            "languages": [language, "en"],
        });
        answer(admin.post_json("/api/v1/agents", &agent).await?, 201)?;
    }
    Ok(())
}

/// Waits until the engine has acknowledged every case (none is left `received`); answers how
/// long that took.
async fn engine_backlog(admin: &mut Connection) -> Result<Duration> {
    let started = Instant::now();
    loop {
        let page = answer(
            admin.get("/api/v1/cases?status=received&limit=1").await?,
            200,
        )?;
        if page["items"].as_array().is_some_and(Vec::is_empty) {
            return Ok(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("the process engine left cases unacknowledged for 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The JSON body of a reply with the `expected` status, else an error showing what came back.
fn answer(reply: Reply, expected: u16) -> Result<serde_json::Value> {
    if reply.status.as_u16() != expected {
        bail!(
            "the server answered {} instead of {expected}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    serde_json::from_slice(&reply.body).context("the server's answer is not JSON")
}

struct Measurement {
    latencies: Vec<Duration>,
    wall: Duration,
    errors: u64,
}

impl Measurement {
    fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    /// In milliseconds; `q` = 1.0 is the maximum.
    fn percentile(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1].as_secs_f64() * 1000.0
    }

    fn print_latency(&self, label: &str) {
        println!(
            "{label} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {}",
            self.percentile(0.50),
            self.percentile(0.99),
            self.percentile(1.0),
            self.errors
        );
    }
}

/// Clients creating cases on one server.
struct Load<'a> {
    address: SocketAddr,
    token: &'a str,
    clients: u32,
}

impl Load<'_> {
    /// Creates `count` cases with sample indices from `first`, spread over the clients. Without
    /// `interval` each client sends its next request as soon as the last is answered (closed
    /// loop: the server's saturated throughput). With it, each client sends on a fixed schedule
    /// and latency counts from the scheduled time, so a slow answer that delays later requests
    /// is charged to them too (no coordinated omission).
    async fn drive(
        &self,
        count: u64,
        first: u64,
        interval: Option<Duration>,
    ) -> Result<Measurement> {
        let next = Arc::new(AtomicU64::new(first));
        let end = first + count;
        let bodies = sample_cases(end as usize)
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()?;
        let bodies = Arc::new(bodies);
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for client in 0..self.clients {
            let next = Arc::clone(&next);
            let bodies = Arc::clone(&bodies);
            let mut connection = Connection::open(self.address).await?.with_token(self.token);
            // Clients start spread over one interval so the paced load is even, not bursty.
            let offset = interval.map(|i| i.mul_f64(f64::from(client) / f64::from(self.clients)));
            tasks.spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut scheduled = started + offset.unwrap_or_default();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= end {
                        break;
                    }
                    let sent = match interval {
                        Some(interval) => {
                            tokio::time::sleep_until(scheduled.into()).await;
                            let at = scheduled;
                            scheduled += interval;
                            at
                        }
                        None => Instant::now(),
                    };
                    let reply = connection
                        .post_json("/api/v1/cases", &bodies[index as usize])
                        .await?;
                    latencies.push(sent.elapsed());
                    if reply.status != 201 {
                        errors += 1;
                    }
                }
                anyhow::Ok((latencies, errors))
            });
        }
        let mut measurement = Measurement {
            latencies: Vec::with_capacity(count as usize),
            wall: Duration::ZERO,
            errors: 0,
        };
        while let Some(result) = tasks.join_next().await {
            let (latencies, errors) = result??;
            measurement.latencies.extend(latencies);
            measurement.errors += errors;
        }
        measurement.wall = started.elapsed();
        Ok(measurement)
    }
}

struct Server {
    child: Child,
    stderr: BufReader<ChildStderr>,
}

impl Server {
    fn start(exe: &Path, database: &[String]) -> Result<Server> {
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(database)
            .env("CALMDESK_LOG", "warn,calmdesk=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting calmdesk serve")?;
        let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        Ok(Server { child, stderr })
    }

    fn wait_listening(&mut self) -> Result<SocketAddr> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.stderr.read_line(&mut line)? == 0 {
                bail!("calmdesk serve exited before listening");
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return Ok(rest.trim().parse()?);
            }
        }
    }

    /// SIGTERM, then how long the graceful stop took.
    fn stop(mut self) -> Result<Duration> {
        let started = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        if !status.success() {
            bail!("could not signal the server");
        }
        let exit = self.child.wait()?;
        if !exit.success() {
            bail!("the server stopped with {exit}");
        }
        Ok(started.elapsed())
    }
}

async fn wait_ready(address: SocketAddr) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut connection) = Connection::open(address).await
            && connection
                .get("/readyz")
                .await
                .is_ok_and(|r| r.status == 200)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bail!("the server did not become ready within 10 s")
}

fn create_token(exe: &Path, database: &[String], name: &str, role: &str) -> Result<String> {
    let output = Command::new(exe)
        .args(["admin", "create-token", "--name", name, "--role", role])
        .args(database)
        .env("CALMDESK_LOG", "warn")
        .output()?;
    if !output.status.success() {
        bail!(
            "create-token failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

/// Resident set size of a process, from /proc (Linux).
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc status")
}

/// A temporary data directory removed when the benchmark ends.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn new() -> Result<ScratchDir> {
        let path = std::env::temp_dir().join(format!("calmdesk-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(ScratchDir { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
