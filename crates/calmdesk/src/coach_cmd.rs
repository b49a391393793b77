//! `calmdesk coach …`: the coach's batch contract (COACH-CONTRACT.md), the human view of a lint,
//! and the evaluation. The coach crate does the work; this module only reads and writes.

use std::fs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use coach::{AnalyzeInput, Coach, LineProblem, LintInput};
use text::Lang;

#[derive(Debug, Args)]
pub struct CoachArgs {
    /// Directory with an organisation's own rule packs (*.toml) and, under messages/, its own
    /// explanation files; they add to the built-in packs.
    #[arg(long, env = "CALMDESK_COACH_PACKS", value_name = "DIR", global = true)]
    pub packs: Option<PathBuf>,
    #[command(subcommand)]
    pub command: CoachCommand,
}

#[derive(Debug, Subcommand)]
pub enum CoachCommand {
    /// Read a customer's message: language, anger, threat, abuse, churn, demands.
    Analyze(OneOrBatch),
    /// Check an agent's draft reply against the playbook.
    Lint(OneOrBatch),
    /// Score whole conversations (JSON lines of {"id", "turns": [{"from", "text"}]}).
    Score {
        /// Read JSON lines on standard input, write one result line per input line.
        #[arg(long, required = true)]
        jsonl: bool,
        /// Language of error lines and pack errors [default: en]; a line's ui_language wins.
        #[arg(long, value_parser = parse_lang)]
        ui: Option<Lang>,
    },
    /// Measure the coach on labelled data: precision, recall and F1 per language.
    Eval {
        /// Folder of outside labelled data sets.
        #[arg(long, default_value = "../shared/evaldata", value_name = "DIR")]
        evaldata: PathBuf,
        /// Folder of the coach's own labelled suite (one folder per language).
        #[arg(long, default_value = "crates/coach/suite", value_name = "DIR")]
        suite: PathBuf,
        /// Use at most this many rows of each outside set (evenly spaced).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Print the report as JSON instead of Markdown tables.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct OneOrBatch {
    /// Read JSON lines on standard input, write one result line per input line, in order.
    #[arg(long, conflicts_with = "text")]
    pub jsonl: bool,
    /// The text to check (for a person at a terminal).
    #[arg(required_unless_present = "jsonl")]
    pub text: Option<String>,
    /// Language of the text when known (en, ro, zh-Hans, zh-Hant, tl, el); detected otherwise.
    #[arg(long, value_parser = parse_lang)]
    pub language: Option<Lang>,
    /// Language of the explanations [default: the text's language], and of error lines and
    /// pack errors [default: en].
    #[arg(long, value_parser = parse_lang)]
    pub ui: Option<Lang>,
}

fn parse_lang(value: &str) -> Result<Lang, String> {
    match value.parse::<Lang>() {
        Ok(Lang::Und) | Err(_) => Err(format!(
            "{value:?} is not one of en, ro, zh-Hans, zh-Hant, tl, el"
        )),
        Ok(lang) => Ok(lang),
    }
}

pub fn run(args: CoachArgs) -> Result<()> {
    // The screen language of errors: the one asked for, English otherwise.
    let ui = match &args.command {
        CoachCommand::Analyze(one) | CoachCommand::Lint(one) => one.ui,
        CoachCommand::Score { ui, .. } => *ui,
        CoachCommand::Eval { .. } => None,
    }
    .unwrap_or(Lang::En);
    let coach = load(args.packs.as_deref(), ui)?;
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    match args.command {
        CoachCommand::Analyze(OneOrBatch { jsonl: true, .. }) => {
            batch(stdin, &mut stdout, ui, |line| {
                coach.analyze_line_in(line, ui)
            })
        }
        CoachCommand::Lint(OneOrBatch { jsonl: true, .. }) => {
            batch(stdin, &mut stdout, ui, |line| coach.lint_line_in(line, ui))
        }
        CoachCommand::Score { .. } => {
            batch(stdin, &mut stdout, ui, |line| coach.score_line_in(line, ui))
        }
        CoachCommand::Analyze(one) => {
            let analysis = coach.analyze(&AnalyzeInput {
                text: one.text.unwrap_or_default(),
                language: one.language,
            });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&analysis)?)?;
            Ok(())
        }
        CoachCommand::Lint(one) => {
            let text = one.text.unwrap_or_default();
            let report = coach.lint(&LintInput {
                text: text.clone(),
                language: one.language,
                ui_language: one.ui,
                ..LintInput::default()
            });
            let ui = one.ui.unwrap_or(report.language);
            let color = std::io::stdout().is_terminal();
            write!(stdout, "{}", coach.render_lint(&text, &report, ui, color))?;
            Ok(())
        }
        CoachCommand::Eval {
            evaldata,
            suite,
            limit,
            json,
        } => {
            let report = eval::run(&evaldata, &suite, &coach, limit).with_context(|| {
                format!(
                    "evaluating over {} and {}",
                    evaldata.display(),
                    suite.display()
                )
            })?;
            if json {
                writeln!(stdout, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                write!(stdout, "{}", report.to_markdown())?;
            }
            Ok(())
        }
    }
}

/// The built-in packs, plus the organisation's own from `dir` (`*.toml` packs, `messages/*.toml`).
/// A pack that is refused is named in the screen language `ui`.
pub fn load(dir: Option<&Path>, ui: Lang) -> Result<Coach> {
    let said = |err: coach::CoachError| anyhow!(err.message(ui));
    let Some(dir) = dir else {
        return Coach::builtin().map_err(said);
    };
    let packs = read_toml_files(dir)?;
    let messages_dir = dir.join("messages");
    let messages = if messages_dir.is_dir() {
        read_toml_files(&messages_dir)?
    } else {
        Vec::new()
    };
    let pack_refs: Vec<(&str, &str)> = packs
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let message_refs: Vec<(&str, &str)> = messages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    Coach::with_extra(&pack_refs, &message_refs).map_err(said)
}

fn read_toml_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries =
        fs::read_dir(dir).with_context(|| format!("cannot read the folder {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let text = fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
    }
    if files.is_empty() {
        bail!("no *.toml rule packs in {}", dir.display());
    }
    files.sort();
    Ok(files)
}

/// One output line per input line, in order. A line that is not UTF-8 still gets its error line,
/// so a caller can always pair outputs with inputs by position.
fn batch(
    mut input: impl BufRead,
    output: &mut impl Write,
    ui: Lang,
    process: impl Fn(&str) -> String,
) -> Result<()> {
    let mut raw = Vec::new();
    let mut number = 0usize;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        number += 1;
        let line = raw.strip_suffix(b"\n").unwrap_or(&raw);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let result = match std::str::from_utf8(line) {
            Ok(text) => process(text),
            Err(err) => coach::error_line(
                &serde_json::Value::Null,
                &LineProblem::NotUtf8 {
                    line: number,
                    byte: err.valid_up_to(),
                },
                ui,
            ),
        };
        writeln!(output, "{result}")?;
    }
    output.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_batch(input: &[u8]) -> Vec<serde_json::Value> {
        let coach = Coach::builtin().unwrap();
        let mut out = Vec::new();
        batch(input, &mut out, Lang::En, |line| coach.analyze_line(line)).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn every_input_line_gets_one_output_line_in_order() {
        let input = "{\"id\": \"a\", \"text\": \"Where is my refund?!\"}\n\
                     not json\n\
                     \n\
                     {\"id\": \"d\", \"text\": \"我要退款！！！\"}\n";
        let lines = run_batch(input.as_bytes());
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["id"], "a");
        assert!(lines[1]["error"].as_str().unwrap().contains("invalid JSON"));
        assert!(lines[2]["error"].is_string());
        assert_eq!(lines[3]["id"], "d");
        assert_eq!(lines[3]["language"], "zh-Hans");
    }

    #[test]
    fn invalid_utf8_is_reported_for_its_line_only() {
        let mut input = b"{\"id\": 1, \"text\": \"ok\"}\n".to_vec();
        input.extend_from_slice(b"{\"id\": 2, \"text\": \"\xff\xfe\"}\r\n");
        input.extend_from_slice(b"{\"id\": 3, \"text\": \"still here\"}");
        let lines = run_batch(&input);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["id"], 1);
        assert!(
            lines[1]["error"]
                .as_str()
                .unwrap()
                .contains("line 2 is not valid UTF-8")
        );
        assert_eq!(lines[2]["id"], 3);
    }

    #[test]
    fn own_packs_load_from_a_folder_and_bad_ones_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            load(Some(dir.path()), Lang::En)
                .unwrap_err()
                .to_string()
                .contains("no *.toml")
        );
        fs::write(
            dir.path().join("acme-en.toml"),
            "[pack]\nlanguage = \"xx\"\n",
        )
        .unwrap();
        let err = format!("{:#}", load(Some(dir.path()), Lang::En).unwrap_err());
        assert!(err.contains("acme-en.toml"), "{err}");
        // The same refusal in Greek names the same file and rule.
        fs::write(
            dir.path().join("acme-en.toml"),
            "[pack]\nlanguage = \"en\"\n[[rule]]\nid = \"en.acme.1\"\nkind = \"signal\"\ncategory = \"complaint\"\nseeds = [\"CLEAR-L\"]\nseverity = \"low\"\npatterns = [\"(late\"]\nexamples.positive = [\"late\"]\n",
        )
        .unwrap();
        let greek = format!("{:#}", load(Some(dir.path()), Lang::El).unwrap_err());
        assert!(
            greek.contains("acme-en.toml: κανόνας en.acme.1:"),
            "{greek}"
        );
    }

    #[test]
    fn bad_lines_are_told_in_the_screen_language() {
        let coach = Coach::builtin().unwrap();
        let mut out = Vec::new();
        let input: &[u8] = b"not json\n\xff\n";
        batch(input, &mut out, Lang::Ro, |line| {
            coach.analyze_line_in(line, Lang::Ro)
        })
        .unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines[0]["error_code"], "line_invalid_json");
        assert!(
            lines[0]["error"]
                .as_str()
                .unwrap()
                .starts_with("JSON invalid")
        );
        assert_eq!(lines[1]["error_code"], "line_not_utf8");
        assert_eq!(lines[1]["error"], "linia 2 nu este UTF-8 valid (octetul 0)");
    }
}
