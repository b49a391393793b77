//! Resolves the settings: command-line flag, then `CALMDESK_*` environment variable (clap reads
//! both, flag first), then the `--config` TOML file, then the built-in default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use domain::Taxonomy;
use engine::EngineSettings;
use serde::Deserialize;

use crate::cli::{GlobalArgs, LogFormat, ServeArgs};

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_DATA_DIR: &str = "./calmdesk-data";

/// The optional configuration file; unknown keys are refused so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    taxonomy: Option<Taxonomy>,
    /// The process engine: calendar, SLA policies, follow-up, delay notices, safety contacts,
    /// word-of-mouth figures (see docs/PROCESS.md).
    #[serde(default)]
    engine: EngineSettings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    /// Categories and causes cases may carry: the file's `[taxonomy]`, else the built-in one.
    pub taxonomy: Taxonomy,
    /// The file's `[engine]` section (seed defaults for what it leaves out), with
    /// `public_base_url` replaced by `--public-base-url` / `CALMDESK_PUBLIC_BASE_URL` when given.
    /// Checked when the engine is built, so a bad policy stops every command, `serve` first.
    pub engine: EngineSettings,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs, serve: Option<&ServeArgs>) -> Result<Settings> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let mut engine = file.engine;
        if let Some(url) = serve.and_then(|args| args.public_base_url.clone()) {
            engine.public_base_url = url;
        }
        let listen = serve.and_then(|args| args.listen);
        Ok(Settings {
            listen: listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address")),
            data_dir: global
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            database_url: global
                .database_url
                .clone()
                .or(file.database_url)
                .filter(|url| !url.trim().is_empty()),
            log_format: global
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Human),
            taxonomy: match file.taxonomy {
                Some(taxonomy) => taxonomy.validated()?,
                None => Taxonomy::builtin(),
            },
            engine,
        })
    }

    /// What the store opens: the database URL if one is set, otherwise the embedded SQLite file.
    pub fn database(&self) -> Database {
        match &self.database_url {
            Some(url) => Database::Url(url.clone()),
            None => Database::Embedded(self.data_dir.join(store::SQLITE_FILE)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Url(String),
    Embedded(PathBuf),
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    toml::from_str(&text)
        .map_err(|err| anyhow::anyhow!("{}: {}", path.display(), err.message()))
        .with_context(|| "invalid configuration file".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(config: Option<PathBuf>) -> GlobalArgs {
        GlobalArgs {
            config,
            data_dir: None,
            database_url: None,
            log_format: None,
        }
    }

    fn write_config(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn defaults_are_the_embedded_database_on_localhost_8080() {
        let settings = Settings::resolve(&global(None), None).unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            settings.database(),
            Database::Embedded(PathBuf::from("./calmdesk-data/calmdesk.db"))
        );
        assert_eq!(settings.log_format, LogFormat::Human);
        assert_eq!(settings.taxonomy, Taxonomy::builtin());
    }

    #[test]
    fn an_organisation_brings_its_own_taxonomy() {
        let file = write_config(
            "[[taxonomy.categories]]\nkey = \"late_train\"\nlabels = { en = \"Late train\", ro = \"Tren întârziat\" }\n[[taxonomy.causes]]\nkey = \"signal_failure\"\n",
        );
        let settings = Settings::resolve(&global(Some(file.path().to_owned())), None).unwrap();
        assert!(settings.taxonomy.check_category(Some("late_train")).is_ok());
        assert!(settings.taxonomy.check_category(Some("delivery")).is_err());
        assert_eq!(
            settings.taxonomy.categories[0].label("ro"),
            "Tren întârziat"
        );
    }

    #[test]
    fn the_file_fills_what_flags_and_environment_leave_open() {
        let file = write_config(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/cd\"\nlog_format = \"json\"\n",
        );
        let mut args = global(Some(file.path().to_owned()));
        args.data_dir = Some(PathBuf::from("/flag/dir"));
        let settings = Settings::resolve(&args, None).unwrap();
        assert_eq!(settings.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(settings.data_dir, PathBuf::from("/flag/dir"));
        assert_eq!(settings.log_format, LogFormat::Json);

        let flag_listen = "127.0.0.1:7000".parse().unwrap();
        let serve = ServeArgs {
            listen: Some(flag_listen),
            coach_packs: None,
            public_base_url: None,
        };
        let settings = Settings::resolve(&args, Some(&serve)).unwrap();
        assert_eq!(settings.listen, flag_listen);
    }

    #[test]
    fn the_engine_section_sets_the_process_policies() {
        let file = write_config(
            "[engine]\nfollow_up_days = 5\npublic_base_url = \"https://help.example.com\"\n\
             [engine.calendar]\ntime_zone = \"Europe/Bucharest\"\n\
             [engine.calendar.hours]\nmonday = [\"09:00-13:00\", \"14:00-17:30\"]\n\
             [[engine.sla.policies]]\nname = \"urgent\"\npriority = \"urgent\"\nresolution = \"4h\"\n",
        );
        let args = global(Some(file.path().to_owned()));
        let settings = Settings::resolve(&args, None).unwrap();
        assert_eq!(settings.engine.follow_up_days, 5);
        assert_eq!(settings.engine.calendar.time_zone, "Europe/Bucharest");
        assert_eq!(settings.engine.sla.policies[0].name, "urgent");
        assert_eq!(settings.engine.public_base_url, "https://help.example.com");
        // Left out: the seeds (TL-1's 10–12 people per unhappy customer).
        assert_eq!(settings.engine.word_of_mouth.unhappy.low, 10);

        let serve = ServeArgs {
            listen: None,
            coach_packs: None,
            public_base_url: Some("https://desk.example.org".into()),
        };
        let settings = Settings::resolve(&args, Some(&serve)).unwrap();
        assert_eq!(settings.engine.public_base_url, "https://desk.example.org");

        let defaults = Settings::resolve(&global(None), None).unwrap();
        assert_eq!(defaults.engine, EngineSettings::default());
    }

    #[test]
    fn the_readme_example_is_a_valid_engine_section() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("```toml\n[engine]")
            .expect("README shows an [engine] section")
            + "```toml\n".len();
        let example = &readme[start..start + readme[start..].find("```").unwrap()];
        let file = write_config(example);
        let settings = Settings::resolve(&global(Some(file.path().to_owned())), None).unwrap();
        assert_eq!(settings.engine.calendar.time_zone, "Europe/Bucharest");
        assert_eq!(settings.engine.safety.contacts, ["security@example.com"]);
        engine::EngineConfig::from_settings(&settings.engine).expect("the example policy works");
    }

    #[test]
    fn a_typo_in_the_engine_section_is_refused() {
        let typo = write_config("[engine]\nfollow_up = 3\n");
        let err = format!(
            "{:#}",
            Settings::resolve(&global(Some(typo.path().to_owned())), None).unwrap_err()
        );
        assert!(err.contains("unknown field `follow_up`"), "{err}");
    }

    #[test]
    fn a_database_url_replaces_the_embedded_file() {
        let file = write_config("database_url = \"postgres://postgres@127.0.0.1/x\"\n");
        let settings = Settings::resolve(&global(Some(file.path().to_owned())), None).unwrap();
        assert_eq!(
            settings.database(),
            Database::Url("postgres://postgres@127.0.0.1/x".into())
        );
    }

    #[test]
    fn bad_files_are_refused_with_a_clear_reason() {
        let typo = write_config("listn = \"127.0.0.1:1\"\n");
        let err = format!(
            "{:#}",
            Settings::resolve(&global(Some(typo.path().to_owned())), None).unwrap_err()
        );
        assert!(err.contains("unknown field `listn`"), "{err}");

        let duplicate = write_config(
            "[taxonomy]\ncategories = [{ key = \"late\" }, { key = \"late\" }]\ncauses = [{ key = \"x\" }]\n",
        );
        let err = format!(
            "{:#}",
            Settings::resolve(&global(Some(duplicate.path().to_owned())), None).unwrap_err()
        );
        assert!(
            err.contains("categories key \"late\" is listed twice"),
            "{err}"
        );

        let missing = global(Some(PathBuf::from("/nonexistent/calmdesk.toml")));
        let err = format!("{:#}", Settings::resolve(&missing, None).unwrap_err());
        assert!(err.contains("cannot read configuration file"), "{err}");
    }
}
