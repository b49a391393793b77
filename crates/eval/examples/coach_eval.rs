//! Runs the coach evaluation and prints the Markdown tables (the JSON report with --json).
//!
//! cargo run --release -p eval --example coach_eval -- \
//!     [--evaldata /work/shared/evaldata] [--suite crates/coach/suite] [--limit N] [--json FILE]

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let mut evaldata = PathBuf::from("/work/shared/evaldata");
    let mut suite = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../coach/suite"));
    let mut limit = None;
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--evaldata" => evaldata = PathBuf::from(value()?),
            "--suite" => suite = PathBuf::from(value()?),
            "--limit" => limit = Some(value()?.parse()?),
            "--json" => json = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let coach = coach::Coach::builtin()?;
    let started = Instant::now();
    let report = eval::run(&evaldata, &suite, &coach, limit)?;
    eprintln!("evaluated in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    print!("{}", report.to_markdown());
    Ok(())
}
