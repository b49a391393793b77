//! No rule-pack example and no suite text may be a sentence of the outside evaluation data.
//!
//! The data in `shared/evaldata` is only measured on: an example copied from it (even a short
//! stock phrase) makes the coach look better on exactly those rows and says nothing about text it
//! has never met. This test compares every pack example (positive, negative, context) and every
//! string of the suites with every text of the evaluation data, after folding (case, accents,
//! final sigma) and turning punctuation into spaces, and fails naming each one found.
//!
//! Short strings are exempt: under 4 words (or 6 Han characters) a phrase is language, not a
//! sentence of someone's ("Thank you.", "太慢了"). The data folder is found through
//! `CALMDESK_EVALDATA`, else `shared/evaldata` beside the repository, else `/work/shared/evaldata`;
//! where none exists (a machine without the data) the test says so and passes.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Words (or Han characters) from which an example counts as a sentence that must not be copied.
const MIN_WORDS: usize = 4;
const MIN_HAN: usize = 6;
/// Bytes hashed per window when scanning the data; every checked needle is at least this long.
const WINDOW: usize = 12;

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Folded text with every run of non-alphanumeric characters made one space.
fn normalize(text: &str) -> String {
    let folded = text::fold(text).text;
    let mut out = String::with_capacity(folded.len());
    let mut space = true;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The needle to look for, or None when the string is too short to count as a sentence. Words of
/// alphabetic scripts are matched whole (spaces on both sides); Han text has no spaces to match.
fn needle(example: &str) -> Option<String> {
    let normalized = normalize(example);
    let han = normalized.chars().filter(|&c| is_han(c)).count();
    let words = normalized
        .split(' ')
        .filter(|w| !w.is_empty() && !w.chars().any(is_han))
        .count();
    if han >= MIN_HAN {
        Some(normalized)
    } else if words >= MIN_WORDS && han == 0 {
        Some(format!(" {normalized} "))
    } else {
        None
    }
}

fn evaldata_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CALMDESK_EVALDATA").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/evaldata")),
        Some(PathBuf::from("/work/shared/evaldata")),
    ];
    candidates.into_iter().flatten().find(|dir| dir.is_dir())
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every string value of a JSON document (texts, turns, nested fields).
fn json_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| json_strings(v, out)),
        _ => {}
    }
}

fn jsonl_strings(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(value) => json_strings(&value, &mut out),
            // Not JSON after all: compare the raw line.
            Err(_) => out.push(line.to_owned()),
        }
    }
    out
}

/// All outside texts, normalized, each set off by spaces and a line break. CSV and TSV files are
/// taken whole: their separators and quotes become spaces like any punctuation.
fn haystack(dir: &Path) -> String {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut hay = String::from(" ");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".md") {
            continue;
        }
        let texts = if name.ends_with(".jsonl") {
            jsonl_strings(&path)
        } else {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            vec![String::from_utf8_lossy(&bytes).into_owned()]
        };
        for text in texts {
            hay.push_str(&normalize(&text));
            hay.push_str(" \n ");
        }
    }
    hay
}

const BASE: u64 = 0x100_0000_01b3;

fn window_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(b))
    })
}

/// Which needles occur in `hay`: a rolling hash of `WINDOW` bytes finds candidate positions, a
/// byte comparison confirms them.
fn occurring(hay: &str, needles: &[String]) -> Vec<bool> {
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, needle) in needles.iter().enumerate() {
        assert!(
            needle.len() >= WINDOW,
            "needle shorter than the window: {needle:?}"
        );
        by_hash
            .entry(window_hash(&needle.as_bytes()[..WINDOW]))
            .or_default()
            .push(i);
    }
    let hay = hay.as_bytes();
    let mut found = vec![false; needles.len()];
    if hay.len() < WINDOW {
        return found;
    }
    let top = (1..WINDOW).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut hash = window_hash(&hay[..WINDOW]);
    for start in 0..=hay.len() - WINDOW {
        if start > 0 {
            let out = u64::from(hay[start - 1]);
            let incoming = u64::from(hay[start + WINDOW - 1]);
            hash = hash
                .wrapping_sub(out.wrapping_mul(top))
                .wrapping_mul(BASE)
                .wrapping_add(incoming);
        }
        if let Some(candidates) = by_hash.get(&hash) {
            for &i in candidates {
                if hay[start..].starts_with(needles[i].as_bytes()) {
                    found[i] = true;
                }
            }
        }
    }
    found
}

/// (where, text) of every pack example and every suite string.
fn our_texts() -> Vec<(String, String)> {
    let coach = coach::Coach::builtin().expect("built-in packs load");
    let mut texts = Vec::new();
    for rule in coach.rule_examples() {
        let examples = &rule.examples;
        for (kind, list) in [
            ("positive", &examples.positive),
            ("negative", &examples.negative),
        ] {
            for text in list {
                texts.push((format!("{} {} {kind}", rule.file, rule.rule), text.clone()));
            }
        }
        if let Some(context) = &examples.context {
            texts.push((
                format!("{} {} context", rule.file, rule.rule),
                context.clone(),
            ));
        }
    }
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../coach/suite");
    let mut files = Vec::new();
    files_under(&suite, &mut files);
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
    {
        let place = path
            .strip_prefix(&suite)
            .unwrap_or(path)
            .display()
            .to_string();
        for text in jsonl_strings(path) {
            texts.push((place.clone(), text));
        }
    }
    texts
}

#[test]
fn no_pack_example_or_suite_text_is_copied_from_evaldata() {
    let Some(dir) = evaldata_dir() else {
        eprintln!("no evaldata folder on this machine (set CALMDESK_EVALDATA): nothing to compare");
        return;
    };
    let hay = haystack(&dir);
    let ours: Vec<(String, String, String)> = our_texts()
        .into_iter()
        .filter_map(|(place, text)| needle(&text).map(|n| (place, text, n)))
        .collect();
    assert!(
        ours.len() > 1000,
        "only {} texts to check: packs or suites not found",
        ours.len()
    );
    let needles: Vec<String> = ours.iter().map(|(_, _, n)| n.clone()).collect();
    let copied: Vec<String> = occurring(&hay, &needles)
        .into_iter()
        .zip(&ours)
        .filter(|(found, _)| *found)
        .map(|(_, (place, text, _))| format!("{place}: {text:?}"))
        .collect();
    assert!(
        copied.is_empty(),
        "{} pack examples or suite texts occur in {}; write them in your own words:\n{}",
        copied.len(),
        dir.display(),
        copied.join("\n")
    );
}

#[test]
fn the_comparison_finds_a_copy_and_ignores_near_misses() {
    let hay = format!(
        " {} \n {} \n ",
        normalize("Well, I KNOW how you feel!!"),
        normalize("送餐时间过长，饭都凉了")
    );
    let needles: Vec<String> = [
        "I know how you feel.",
        "Ι know how you feeling today.",
        "送餐时间过长。",
        "I know how you feel about it, truly.",
    ]
    .iter()
    .map(|t| needle(t).expect("long enough"))
    .collect();
    assert_eq!(occurring(&hay, &needles), [true, false, true, false]);
    // A word inside a longer word is no match: "now how you feel" is not in "know how you feel".
    let inner = needle("now how you feel").unwrap();
    assert_eq!(occurring(&hay, &[inner]), [false]);
    // Too short to be anyone's sentence.
    assert_eq!(needle("Thank you!"), None);
    assert_eq!(needle("太慢了"), None);
}
