//! Plain timing loops (no framework, to keep the build light). Run on one core:
//!   CARGO_TARGET_DIR=/work/target-pure taskset -c 0 cargo bench -p coach --bench coach_speed
//! Measures: loading all built-in packs; analyse + lint of a ~2 KB message (p50/p99 per
//! language); single-core JSONL batch throughput over the labelled suites; and the English-only
//! throughput that benches/vader_compare.py measures for VADER on the same texts.
//! For an instruction profile of one language's 2 KB message, set `COACH_PROFILE_LANG` (e.g.
//! `zh-Hans`): only that message is analysed and linted, 200 times, so callgrind finishes fast;
//! `COACH_PROFILE_LANG=batch-en` profiles 20 rounds of the English batch instead.
//! `COACH_PACK_DIR` (as in examples/dump_outputs.rs) loads the packs of a directory instead of
//! the built-in ones, so builds of different commits can be compared on the same packs.
//! Real English tweets: when `COACH_EVALDATA` (default `../shared/evaldata` beside the
//! repository) holds `customer_care_twitter/ibm_cdp_dev.jsonl`, the English batch is also timed
//! on every turn's text there (customers and agents, as vader_compare.py reads them), because
//! the suite's texts are our own and shorter than real tweets. `COACH_PROFILE_LANG=batch-tweets`
//! profiles 2 rounds of them. The texts are read at run time only, never copied into the repo.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use coach::{AnalyzeInput, Coach, LintInput};

#[path = "../examples/common/pack_dir.rs"]
mod pack_dir;
use text::Lang;

/// The suite texts of one language; `COACH_SUITE_DIR` points at a frozen copy of the suites, so
/// that runs before and after a change read the same texts while others edit the suites.
fn suite_texts(lang: &str) -> Vec<String> {
    let suites = std::env::var_os("COACH_SUITE_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("suite"),
        PathBuf::from,
    );
    let dir = suites.join(lang);
    ["messages.jsonl", "replies.jsonl"]
        .iter()
        .filter_map(|file| fs::read_to_string(dir.join(file)).ok())
        .flat_map(|content| content.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(&line).ok()?;
            value["text"].as_str().map(str::to_owned)
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

/// Suite texts of one language joined until the message is about 2 KB.
fn two_kilobytes(texts: &[String]) -> String {
    let mut message = String::new();
    for text in texts.iter().cycle() {
        if message.len() >= 2048 {
            break;
        }
        message.push_str(text);
        message.push(' ');
    }
    message
}

fn main() {
    if let Ok(target) = std::env::var("COACH_PROFILE_LANG") {
        profile(&target);
        return;
    }
    let mut load_times: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            black_box(Coach::builtin().expect("built-in packs load"));
            start.elapsed()
        })
        .collect();
    load_times.sort();
    println!(
        "load all packs ({} files): median {:.1} ms, max {:.1} ms",
        coach::builtin_packs().len(),
        percentile(&load_times, 0.5).as_secs_f64() * 1e3,
        load_times[load_times.len() - 1].as_secs_f64() * 1e3
    );

    let coach = pack_dir::load_coach();
    for lang in Lang::ALL {
        let texts = suite_texts(lang.as_str());
        if texts.is_empty() {
            continue;
        }
        let message = two_kilobytes(&texts);
        let mut times = Vec::with_capacity(5000);
        for _ in 0..5000 {
            let start = Instant::now();
            analyse_and_lint(&coach, &message);
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "analyse + lint, {:>7} {} bytes: p50 {:>4} µs, p99 {:>4} µs",
            lang.as_str(),
            message.len(),
            percentile(&times, 0.5).as_micros(),
            percentile(&times, 0.99).as_micros()
        );
    }

    let mut lines = Vec::new();
    for lang in Lang::ALL {
        for text in suite_texts(lang.as_str()) {
            lines.push(serde_json::json!({"id": lines.len(), "text": text}).to_string());
        }
    }
    throughput("batch analyze, all suites", &lines, |line| {
        coach.analyze_line(line)
    });
    throughput("batch lint, all suites", &lines, |line| {
        coach.lint_line(line)
    });

    let english = english_lines();
    let (per_second, _) = throughput(
        "batch analyze, English suite (VADER's texts)",
        &english,
        |line| coach.analyze_line(line),
    );
    println!("  = {per_second:.0} texts/s");

    let tweets = tweet_lines();
    if tweets.is_empty() {
        println!("batch analyze, real English tweets: skipped (no {TWEETS} under COACH_EVALDATA)");
    } else {
        let (per_second, _) = throughput(
            "batch analyze, real English tweets (VADER's tweets)",
            &tweets,
            |line| coach.analyze_line(line),
        );
        println!("  = {per_second:.0} texts/s");
    }
}

/// Real English tweets (customer care on Twitter), relative to the evaldata directory.
const TWEETS: &str = "customer_care_twitter/ibm_cdp_dev.jsonl";

/// Every turn's text of the customer-care conversations, in file order, as batch lines with
/// the language given (like the suite's English lines); empty when the data is not there.
fn tweet_lines() -> Vec<String> {
    let evaldata = std::env::var_os("COACH_EVALDATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/evaldata"),
        PathBuf::from,
    );
    let Ok(content) = fs::read_to_string(evaldata.join(TWEETS)) else {
        return Vec::new();
    };
    content
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .flat_map(|conversation| {
            conversation["turns"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|turn| turn["text"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .map(|text| serde_json::json!({"id": 0, "text": text, "language": "en"}).to_string())
        .collect()
}

fn analyse_and_lint(coach: &Coach, message: &str) {
    black_box(coach.analyze(&AnalyzeInput {
        text: message.to_owned(),
        language: None,
    }));
    black_box(coach.lint(&LintInput {
        text: message.to_owned(),
        ..LintInput::default()
    }));
}

fn english_lines() -> Vec<String> {
    suite_texts("en")
        .into_iter()
        .map(|text| serde_json::json!({"id": 0, "text": text, "language": "en"}).to_string())
        .collect()
}

/// A short, fixed amount of work for `valgrind --tool=callgrind` (instruction counts are stable
/// on a loaded machine where timings are not).
fn profile(target: &str) {
    let coach = pack_dir::load_coach();
    if target == "batch-en" {
        let lines = english_lines();
        for _ in 0..20 {
            for line in &lines {
                black_box(profiled_line(&coach, line));
            }
        }
        return;
    }
    if target == "batch-tweets" {
        let lines = tweet_lines();
        assert!(!lines.is_empty(), "no {TWEETS} under COACH_EVALDATA");
        for _ in 0..2 {
            for line in &lines {
                black_box(profiled_line(&coach, line));
            }
        }
        return;
    }
    let message = two_kilobytes(&suite_texts(target));
    assert!(!message.is_empty(), "no suite texts for language {target}");
    for _ in 0..200 {
        analyse_and_lint(&coach, &message);
    }
}

/// One batch line, for `--toggle-collect='*profiled_line*'`: a function of the bench's own, so
/// the count does not depend on how the library splits or inlines `analyze_line` (a tail jump
/// out of the toggled function ends callgrind's collection early).
#[inline(never)]
fn profiled_line(coach: &Coach, line: &str) -> String {
    let out = coach.analyze_line(line);
    // Used after the call, so the call is not a tail jump.
    black_box(out.len());
    out
}

/// CPU seconds this process has used (user + system), from /proc: on a shared machine the wall
/// clock also counts time the benchmark spent waiting for a core.
fn cpu_seconds() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|t| t.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

/// Runs `run` over `lines` repeatedly for about three seconds; returns (lines/s, MB/s of input)
/// per CPU second.
fn throughput(name: &str, lines: &[String], run: impl Fn(&str) -> String) -> (f64, f64) {
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < Duration::from_secs(3) {
        for line in lines {
            black_box(run(line));
        }
        rounds += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = (cpu_seconds() - cpu_start).max(0.01);
    let per_second = (lines.len() * rounds) as f64 / cpu;
    let megabytes = (bytes * rounds) as f64 / cpu / 1e6;
    println!(
        "{name}: {} lines, {megabytes:.1} MB/s, {per_second:.0} lines/s per CPU second ({:.1} MB/s wall clock)",
        lines.len(),
        (bytes * rounds) as f64 / wall / 1e6
    );
    (per_second, megabytes)
}
