//! Throughput of fold, search_tokens and detect on real text of every language (single core).
//!
//! cargo run --release -p text --example text_speed -- [EVALDATA_DIR]
//!
//! Reads a few files from evaldata, then times each function over all their texts several
//! times and prints MB/s and ns per text. A benchmark, not a test: numbers depend on the machine.

use std::error::Error;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// (file, how to get the text from a line): plain lines, the first tab field, or a JSON field.
const FILES: &[(&str, Extract)] = &[
    ("laroseda_ro/laroseda_train.jsonl", Extract::Json("content")),
    (
        "chinese_sophonplus/waimai_10k.csv",
        Extract::AfterFirstComma,
    ),
    ("xed_emotions/el-projections.tsv", Extract::FirstTabField),
    ("xed_emotions/tw-projections.tsv", Extract::FirstTabField),
    (
        "filipino_shopee_reviews/shopee_reviews_train.csv",
        Extract::Line,
    ),
    (
        "goemotions_ed_glean/goemotions_dev.tsv",
        Extract::FirstTabField,
    ),
];

#[derive(Clone, Copy)]
enum Extract {
    Line,
    FirstTabField,
    AfterFirstComma,
    Json(&'static str),
}

fn extract(line: &str, how: Extract) -> Option<String> {
    match how {
        Extract::Line => Some(line.to_owned()),
        Extract::FirstTabField => line.split('\t').next().map(str::to_owned),
        Extract::AfterFirstComma => line.split_once(',').map(|(_, text)| text.to_owned()),
        Extract::Json(field) => serde_json::from_str::<serde_json::Value>(line)
            .ok()?
            .get(field)?
            .as_str()
            .map(str::to_owned),
    }
}

/// CPU time this thread has used, in seconds (Linux): on a shared machine wall-clock time
/// also counts the time other processes held the core.
fn thread_cpu_seconds() -> Option<f64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds / 1e9)
}

fn time(name: &str, texts: &[String], rounds: usize, mut f: impl FnMut(&str)) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let cpu_before = thread_cpu_seconds();
    let started = Instant::now();
    for _ in 0..rounds {
        for text in texts {
            f(text);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds()
        .zip(cpu_before)
        .map_or(wall, |(after, before)| after - before);
    let megabytes = (bytes * rounds) as f64 / 1e6;
    println!(
        "{name:<16} {:>8.1} MB/s CPU {:>8.1} MB/s wall {:>8.0} ns/text CPU  ({} texts, {:.1} MB, {rounds} rounds)",
        megabytes / cpu,
        megabytes / wall,
        cpu * 1e9 / (texts.len() * rounds) as f64,
        texts.len(),
        bytes as f64 / 1e6,
    );
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/work/shared/evaldata".to_owned()),
    );
    let mut texts = Vec::new();
    for (file, how) in FILES {
        let content = std::fs::read_to_string(dir.join(file))?;
        texts.extend(
            content
                .lines()
                .skip(1)
                .filter_map(|line| extract(line, *how)),
        );
    }
    let rounds = 3;
    time("fold", &texts, rounds, |t| {
        black_box(text::fold(t));
    });
    time("search_tokens", &texts, rounds, |t| {
        black_box(text::search_tokens(t));
    });
    time("detect", &texts, rounds, |t| {
        black_box(text::detect(t));
    });
    Ok(())
}
