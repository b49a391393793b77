//! Runs the coach evaluation and prints the Markdown tables (the JSON report with --json).
//!
//! cargo run --release -p eval --example coach_eval -- \
//!     [--evaldata /work/shared/evaldata] [--suite crates/coach/suite] [--limit N] [--json FILE]
//!     [--half all|dev|test] [--misses FILE]
//!
//! `--half dev` measures only the development half of every outside set and `--misses FILE`
//! writes the rows it got wrong there (JSON Lines) for reading; the test half is for the final
//! measurement only.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let mut evaldata = PathBuf::from("/work/shared/evaldata");
    let mut suite = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../coach/suite"));
    let mut options = eval::Options::default();
    let mut json = None;
    let mut misses = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--evaldata" => evaldata = PathBuf::from(value()?),
            "--suite" => suite = PathBuf::from(value()?),
            "--limit" => options.limit_per_set = Some(value()?.parse()?),
            "--json" => json = Some(PathBuf::from(value()?)),
            "--half" => {
                let name = value()?;
                options.half = eval::Half::parse(&name)
                    .ok_or_else(|| format!("--half takes all, dev or test, not {name:?}"))?;
            }
            "--misses" => misses = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let coach = coach::Coach::builtin()?;
    let started = Instant::now();
    if misses.is_some() && options.half != eval::Half::Dev {
        return Err("--misses needs --half dev: the test half stays unread".into());
    }
    options.misses = misses.is_some();
    let report = eval::run_with(&evaldata, &suite, &coach, &options)?;
    eprintln!("evaluated in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = misses {
        let mut lines = String::new();
        for miss in &report.misses {
            lines.push_str(&serde_json::to_string(miss)?);
            lines.push('\n');
        }
        std::fs::write(&path, lines)?;
    }
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    print!("{}", report.to_markdown());
    Ok(())
}
