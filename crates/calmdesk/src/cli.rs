//! The command line. Every setting can also come from a `CALMDESK_*` environment variable or the
//! TOML file given with `--config`; a flag wins over the environment, which wins over the file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::Role;

#[derive(Debug, Parser)]
#[command(
    name = "calmdesk",
    version,
    about = "Calmdesk: complaint handling on embedded SQLite or PostgreSQL",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML file with any of: listen, data_dir, database_url, log_format, [taxonomy], [engine].
    #[arg(long, global = true, env = "CALMDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of the embedded SQLite database [default: ./calmdesk-data].
    #[arg(long, global = true, env = "CALMDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this database instead of the embedded one, e.g. postgres://user@host/db.
    #[arg(long, global = true, env = "CALMDESK_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// How log lines are written to standard error [default: human].
    #[arg(
        long,
        global = true,
        env = "CALMDESK_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (creates and migrates the database on first start).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write every case with its customer, messages, events and record as JSON lines.
    Export(ExportArgs),
    /// Read cases written by `export --jsonl`, keeping their ids.
    Import(ImportArgs),
    /// Tools for developers.
    #[command(subcommand)]
    Dev(DevCommand),
    /// The root-cause report (CLEAR-R2/R3): cases by cause, response and resolution times, SLA
    /// compliance, promises kept, CSAT, revenue at risk, word-of-mouth reach.
    Report(ReportArgs),
    /// Measure the service: cold start, idle memory, case creation under concurrent clients.
    Bench(crate::bench::BenchArgs),
    /// The playbook coach: analyse customer messages, lint agent replies, score conversations.
    Coach(crate::coach_cmd::CoachArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "CALMDESK_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Directory with an organisation's own coach rule packs, added to the built-in ones.
    #[arg(long, env = "CALMDESK_COACH_PACKS", value_name = "DIR")]
    pub coach_packs: Option<PathBuf>,
    /// The address customers reach this service at; satisfaction links start with it
    /// [default: the file's engine.public_base_url, else http://127.0.0.1:8080].
    #[arg(long, env = "CALMDESK_PUBLIC_BASE_URL", value_name = "URL")]
    pub public_base_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Cases created since: a span back from now (30d, 12h, 90m) or an RFC 3339 instant; cases
    /// still open are always included.
    #[arg(long, default_value = "30d", value_parser = parse_since)]
    pub since: app::Since,
    /// json (the whole report) or csv (for a spreadsheet).
    #[arg(long, default_value = "json", value_parser = parse_format)]
    pub format: app::ReportFormat,
}

fn parse_since(text: &str) -> Result<app::Since, String> {
    text.parse()
}

fn parse_format(text: &str) -> Result<app::ReportFormat, String> {
    text.parse()
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an API token and print only its secret.
    CreateToken {
        /// Who the token is for; recorded on everything done with it.
        #[arg(long)]
        name: String,
        /// admin, supervisor or agent.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The agent (id) the token belongs to: it then sees the notifications addressed to
        /// that agent, and what it does names the agent.
        #[arg(long = "agent", value_name = "ID")]
        agent_id: Option<i64>,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|err| match err {
        domain::DomainError::InvalidField { reason, .. } => reason,
        other => other.to_string(),
    })
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write JSON lines, one case per line (the only format).
    #[arg(long, required = true)]
    pub jsonl: bool,
    /// File to write [default: standard output].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Read JSON lines as written by `export --jsonl` (the only format).
    #[arg(long, required = true)]
    pub jsonl: bool,
    /// File to read [default: standard input].
    #[arg(long, short, value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill the database with realistic complaints in all six languages.
    Seed {
        /// How many cases to create.
        #[arg(long, default_value_t = 1000)]
        cases: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_are_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "calmdesk",
            "admin",
            "create-token",
            "--name",
            "ana",
            "--role",
            "supervisor",
            "--agent",
            "7",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        assert_eq!(cli.global.data_dir, Some(PathBuf::from("/tmp/x")));
        match cli.command {
            Command::Admin(AdminCommand::CreateToken {
                name,
                role,
                agent_id,
            }) => {
                assert_eq!(
                    (name.as_str(), role, agent_id),
                    ("ana", Role::Supervisor, Some(7))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_role_names_the_accepted_ones() {
        let err = Cli::try_parse_from([
            "calmdesk",
            "admin",
            "create-token",
            "--name",
            "x",
            "--role",
            "boss",
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("supervisor"), "{err}");
    }

    #[test]
    fn report_reads_since_and_format() {
        let cli = Cli::try_parse_from(["calmdesk", "report", "--since", "7d", "--format", "csv"])
            .unwrap();
        match cli.command {
            Command::Report(args) => {
                assert_eq!(args.since, "168h".parse::<app::Since>().unwrap());
                assert_eq!(args.format, app::ReportFormat::Csv);
            }
            other => panic!("{other:?}"),
        }
        let err = Cli::try_parse_from(["calmdesk", "report", "--since", "30y"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown unit"), "{err}");
    }

    #[test]
    fn export_needs_the_format_flag() {
        assert!(Cli::try_parse_from(["calmdesk", "export"]).is_err());
        assert!(Cli::try_parse_from(["calmdesk", "export", "--jsonl"]).is_ok());
    }
}
