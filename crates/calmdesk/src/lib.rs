//! The `calmdesk` binary: command line, configuration, logging, and the commands themselves.
//! A library too, so the end-to-end tests can use its HTTP client and sample data.

mod bench;
mod cli;
mod coach_cmd;
mod config;
pub mod http_client;
pub mod samples;
mod serve;

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use app::{App, ReportFormat};
use clap::Parser;
use domain::{Actor, Role};
use engine::{Engine, EngineConfig, SystemClock};
use tracing_subscriber::EnvFilter;

use crate::cli::{AdminCommand, Cli, Command, DevCommand, LogFormat};
use crate::config::{Database, Settings};

/// Runs the command line; errors are printed as one line on standard error.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            eprintln!("{}", one_line(&err.render().to_string()));
            return ExitCode::from(2);
        }
        // --help and --version: print them in full.
        Err(err) => err.exit(),
    };
    let serve_args = match &cli.command {
        Command::Serve(args) => Some(args),
        _ => None,
    };
    let settings = match Settings::resolve(&cli.global, serve_args) {
        Ok(settings) => settings,
        Err(err) => return fail(&err),
    };
    init_logging(settings.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err.into()),
    };
    match runtime.block_on(run(cli.command, &settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// clap explains a usage error over several lines followed by the usage; one line is enough
/// for a person and far easier for a script to show.
fn one_line(rendered: &str) -> String {
    let explanation = rendered
        .split("\n\nUsage:")
        .next()
        .unwrap_or(rendered)
        .split("\n\nFor more information")
        .next()
        .unwrap_or(rendered);
    let words: Vec<&str> = explanation.split_whitespace().collect();
    format!("{} (see --help)", words.join(" "))
}

fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::FAILURE
}

fn init_logging(format: LogFormat) {
    // sqlx logs every statement at info; only its warnings (slow queries) are worth a line.
    let filter = EnvFilter::try_from_env("CALMDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command, settings: &Settings) -> Result<()> {
    match command {
        Command::Serve(args) => serve::run(settings, args.coach_packs.as_deref()).await,
        Command::Migrate => {
            store::migrate(&database_target(settings)?)
                .await
                .context("migrating the database")?;
            tracing::info!("the database schema is up to date");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateToken {
            name,
            role,
            agent_id,
        }) => {
            let issued = open_app(settings)
                .await?
                .issue_token(&name, role, agent_id.map(domain::AgentId))
                .await?;
            println!("{}", issued.secret.as_str());
            Ok(())
        }
        Command::Export(args) => {
            let app = open_app(settings).await?;
            let mut out: Box<dyn Write> = match &args.output {
                Some(path) => Box::new(
                    File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut out = BufWriter::new(&mut out);
            let count = app.export_jsonl(&mut out).await?;
            tracing::info!(cases = count, "exported");
            Ok(())
        }
        Command::Import(args) => {
            let app = open_app(settings).await?;
            let count = match &args.input {
                Some(path) => {
                    let file = File::open(path)
                        .with_context(|| format!("cannot open {}", path.display()))?;
                    app.import_jsonl(&mut BufReader::new(file)).await?
                }
                None => app.import_jsonl(&mut std::io::stdin().lock()).await?,
            };
            tracing::info!(cases = count, "imported");
            Ok(())
        }
        Command::Dev(DevCommand::Seed { cases }) => {
            let app = open_app(settings).await?;
            let created = samples::seed(&app, cases).await?;
            tracing::info!(cases = created, "seeded");
            Ok(())
        }
        Command::Report(args) => {
            let app = open_app(settings).await?;
            let report = app.report(&command_line_actor(), args.since).await?;
            let mut out = std::io::stdout().lock();
            match args.format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &report)?;
                    writeln!(out)?;
                }
                ReportFormat::Csv => out.write_all(report.to_csv().as_bytes())?,
            }
            out.flush()?;
            Ok(())
        }
        Command::Bench(args) => bench::run(&args, settings).await,
        Command::Coach(args) => coach_cmd::run(args),
    }
}

fn database_target(settings: &Settings) -> Result<String> {
    match settings.database() {
        Database::Url(url) => Ok(url),
        Database::Embedded(path) => path
            .to_str()
            .map(str::to_owned)
            .with_context(|| format!("the data directory {} is not UTF-8", path.display())),
    }
}

/// Whoever runs the binary on the database's machine may do anything (like `admin create-token`).
fn command_line_actor() -> Actor {
    Actor {
        name: "command line".to_owned(),
        role: Role::Admin,
        agent_id: None,
    }
}

/// The checked process policies; a bad one stops the command with a line naming the setting.
fn engine_config(settings: &Settings) -> Result<EngineConfig> {
    EngineConfig::from_settings(&settings.engine).context("invalid configuration")
}

pub(crate) async fn open_app(settings: &Settings) -> Result<App> {
    Ok(open_app_and_engine(settings).await?.0)
}

/// The use cases and the process engine over one store; the engine reads the system clock.
/// `serve` spawns the engine's runner; other commands use it only to read (SLA, report).
pub(crate) async fn open_app_and_engine(settings: &Settings) -> Result<(App, Arc<Engine>)> {
    let config = Arc::new(engine_config(settings)?);
    let store = store::open(&database_target(settings)?)
        .await
        .context("opening the database")?;
    let engine = Arc::new(Engine::new(store.clone(), config, Arc::new(SystemClock)));
    let app = App::new(store, engine.clone()).with_taxonomy(settings.taxonomy.clone());
    Ok((app, engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_become_one_line() {
        let err = Cli::try_parse_from(["calmdesk", "admin", "create-token", "--role", "agent"])
            .unwrap_err();
        let line = one_line(&err.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("error: "), "{line}");
        assert!(line.contains("--name"), "{line}");
    }
}
