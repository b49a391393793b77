//! Prints the coach's JSON output for a fixed, large set of texts, one line per call, so two
//! builds can be compared byte for byte (speed work must not change a result):
//!   cargo run --release -p coach --example dump_outputs -- <suite dir> <evaldata dir> > out.jsonl
//! Texts: every line of the suites, each language's ~2 KB message, the first 600 lines of every
//! file under the evaldata directory (raw lines, CSV quoting and all), and edge cases. Each text
//! is analysed (no hint, hint `en`, hint `zh-Hant`), linted (no hint; hint `el` with `ui_language`
//! `ro`; with the previous text as customer context and a reference time) and scored with the
//! previous text as the customer's turn. Packs: the built-in ones of the build, or the `*.toml`
//! files of `COACH_PACK_DIR` and its `messages/` when set (so old and new code read the same
//! packs while others edit them).

use std::fs;
use std::path::{Path, PathBuf};

use coach::Coach;
use serde_json::json;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn suite_texts(suite: &Path, texts: &mut Vec<String>) {
    let mut files = Vec::new();
    files_under(suite, &mut files);
    for file in files {
        let Ok(content) = fs::read_to_string(&file) else {
            continue;
        };
        let mut language_texts = Vec::new();
        for line in content.lines() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            for field in ["text", "message", "reply"] {
                if let Some(text) = value[field].as_str() {
                    language_texts.push(text.to_owned());
                }
            }
            if let Some(turns) = value["turns"].as_array() {
                for turn in turns {
                    if let Some(text) = turn["text"].as_str() {
                        language_texts.push(text.to_owned());
                    }
                }
            }
        }
        if !language_texts.is_empty() {
            let mut message = String::new();
            for text in language_texts.iter().cycle() {
                if message.len() >= 2048 {
                    break;
                }
                message.push_str(text);
                message.push(' ');
            }
            texts.append(&mut language_texts);
            texts.push(message);
        }
    }
}

fn toml_texts(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(p).expect("pack readable"))
        })
        .collect()
}

/// The built-in packs, or `COACH_PACK_DIR/*.toml` with the message files of
/// `COACH_PACK_DIR/messages/*.toml`.
fn coach() -> Coach {
    let Some(dir) = std::env::var_os("COACH_PACK_DIR") else {
        return Coach::builtin().expect("built-in packs load");
    };
    let dir = Path::new(&dir);
    let packs = toml_texts(dir);
    let messages = toml_texts(&dir.join("messages"));
    let packs: Vec<(&str, &str)> = packs
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let messages: Vec<(&str, &str)> = messages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    Coach::from_sources(&packs, &messages).expect("packs load")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut texts = Vec::new();
    suite_texts(Path::new(&args[1]), &mut texts);
    let mut files = Vec::new();
    files_under(Path::new(&args[2]), &mut files);
    for file in files {
        if let Ok(content) = fs::read_to_string(&file) {
            texts.extend(content.lines().take(600).map(str::to_owned));
        }
    }
    texts.extend([
        String::new(),
        "😡😡😡🙏".into(),
        "\u{0}\u{7}bad\u{1b}[31m text\r\n\t!!!".into(),
        "a".repeat(5000),
        "WHY IS THIS NOT FIXED?!?! I'm sooooo angry!!! ＊＊！！".into(),
        "Sorry but this is not our fault. 对不起，但是 这不是我们的错。 Συγγνώμη αλλά".into(),
        "I'm sorry you feel that way. I understand. I will call you back within 10 minutes."
            .repeat(500),
    ]);
    let coach = coach();
    let mut out = String::new();
    let mut previous = String::new();
    for (n, text) in texts.iter().enumerate() {
        let lines = [
            coach.analyze_line(&json!({"id": n, "text": text}).to_string()),
            coach.analyze_line(&json!({"id": n, "text": text, "language": "en"}).to_string()),
            coach.analyze_line(&json!({"id": n, "text": text, "language": "zh-Hant"}).to_string()),
            coach.lint_line(&json!({"id": n, "text": text}).to_string()),
            coach.lint_line(
                &json!({"id": n, "text": text, "language": "el", "ui_language": "ro"}).to_string(),
            ),
            coach.lint_line(
                &json!({
                    "id": n,
                    "text": text,
                    "context": [{"from": "customer", "text": previous}],
                    "reference_time": "2026-11-25T10:00:00+02:00",
                })
                .to_string(),
            ),
            coach.score_line(
                &json!({
                    "id": n,
                    "turns": [
                        {"from": "customer", "text": previous},
                        {"from": "agent", "text": text},
                    ],
                })
                .to_string(),
            ),
        ];
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
        previous.clone_from(text);
    }
    print!("{out}");
    eprintln!("{} texts, {} output lines", texts.len(), texts.len() * 7);
}
