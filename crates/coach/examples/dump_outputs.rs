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

use serde_json::json;

#[path = "common/pack_dir.rs"]
mod pack_dir;

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
    let coach = pack_dir::load_coach();
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
    // Raw input lines: the JSON reading itself (escapes, odd ids, repeated and unknown keys,
    // wrong types, whitespace, broken lines) must answer the same, error messages included.
    let raw = raw_lines();
    for line in &raw {
        for output in [
            coach.analyze_line(line),
            coach.lint_line(line),
            coach.score_line(line),
        ] {
            out.push_str(&output);
            out.push('\n');
        }
    }
    print!("{out}");
    eprintln!(
        "{} texts, {} raw lines, {} output lines",
        texts.len(),
        raw.len(),
        texts.len() * 7 + raw.len() * 3
    );
}

/// Hand-picked input lines that exercise JSON reading rather than the analysis.
fn raw_lines() -> Vec<String> {
    let mut lines: Vec<String> = [
        r#"{"id": 1, "text": "I want a refund NOW!!!", "language": "en"}"#,
        r#"{"text": "no id here, still angry!!!"}"#,
        r#"{"id": null, "text": "null id"}"#,
        r#"{"id": -0, "text": "minus zero"}"#,
        r#"{"id": 1.0, "text": "float id"}"#,
        r#"{"id": 1.50, "text": "float id"}"#,
        r#"{"id": 1e3, "text": "exponent id"}"#,
        r#"{"id": 1E-2, "text": "exponent id"}"#,
        r#"{"id": 18446744073709551615, "text": "u64 max"}"#,
        r#"{"id": 18446744073709551616, "text": "past u64"}"#,
        r#"{"id": -9223372036854775808, "text": "i64 min"}"#,
        r#"{"id": 123456789012345678901234567890, "text": "big"}"#,
        r#"{"id": 0.1, "text": "tenth"}"#,
        r#"{"id": 3.141592653589793238, "text": "pi"}"#,
        r#"{"id": true, "text": "bool id"}"#,
        r#"{"id": [1, "a", {"b": null}], "text": "array id"}"#,
        r#"{"id": {"z": 1, "a": [true, false]}, "text": "object id"}"#,
        r#"{"id": "\u00e9\ud83d\ude21\n\t\"\\\/\b\f\r", "text": "escaped id"}"#,
        r#"{"id": "</script>\u0000\u001f\u007f", "text": "controls in id"}"#,
        r#"{"id": "x", "text": "caf\u00e9 \ud83d\ude21 angry \"quoted\" \\ back\/slash\nnew line\ttab"}"#,
        r#"{"id": "x", "text": "lone surrogate \ud83d here"}"#,
        r#"{"id": "x", "text": "bad escape \q"}"#,
        r#"{"id": "x", "text": "raw control 	 tab inside"}"#,
        r#"{"id": "x", "text": "unicode raw: 我很生气！ Είμαι θυμωμένος 😡"}"#,
        "  {\"id\" : 2 ,\n \"text\" :\r\n\"spaces around\" }  ",
        r#"{"id": 3, "text": "lang hint", "language": "tl"}"#,
        r#"{"id": 3, "text": "lang hint", "language": "und"}"#,
        r#"{"id": 3, "text": "lang hint", "language": "zh-Hans"}"#,
        r#"{"id": 3, "text": "lang hint", "language": "ZH-HANT"}"#,
        r#"{"id": 3, "text": "lang hint", "language": "fr"}"#,
        r#"{"id": 3, "text": "lang hint", "language": null}"#,
        r#"{"id": 3, "text": "lang hint", "language": 5}"#,
        r#"{"id": 3, "text": "lang hint", "language": "e\u006e"}"#,
        r#"{"id": 4, "text": "extra keys", "extra": {"deep": [1, 2, {"x": "y"}]}, "n": 1.5e10}"#,
        r#"{"id": 5, "id": 6, "text": "first", "text": "second, refund now"}"#,
        r#"{"id": 5, "text": "dup lang", "language": "en", "language": "el"}"#,
        r#"{"id": 7, "text": null}"#,
        r#"{"id": 7, "text": 5}"#,
        r#"{"id": 7, "text": ["a"]}"#,
        r#"{"id": 7}"#,
        r#"{}"#,
        r#"[]"#,
        r#"["I want a refund"]"#,
        r#"["I want a refund", "en"]"#,
        r#"[1, "x", "en"]"#,
        r#""just a string""#,
        r#"42"#,
        r#"null"#,
        r#"true"#,
        "",
        "   ",
        "not json",
        r#"{"id": 8, "text": "truncated"#,
        r#"{"id": 8, "text": "trailing comma",}"#,
        r#"{"id": 8, "text": "trailing garbage"} x"#,
        r#"{"id": 8, "text": "two objects"} {"id": 9}"#,
        r#"{'id': 8, 'text': 'single quotes'}"#,
        r#"{"id": 8 "text": "missing comma"}"#,
        r#"{"id": 01, "text": "leading zero"}"#,
        r#"{"id": +1, "text": "plus"}"#,
        r#"{"id": .5, "text": "bare fraction"}"#,
        r#"{"id": 1., "text": "bare point"}"#,
        r#"{"id": NaN, "text": "nan"}"#,
        r#"{"id": 9, "text": "ctx", "context": [{"from": "customer", "text": "I am furious, refund me"}]}"#,
        r#"{"id": 9, "text": "ctx", "context": [{"from": "robot", "text": "x"}]}"#,
        r#"{"id": 9, "text": "ctx", "context": {"from": "customer"}}"#,
        r#"{"id": 9, "text": "We will call you back tomorrow at 9am.", "reference_time": "2026-11-25T10:00:00Z"}"#,
        r#"{"id": 9, "text": "t", "reference_time": "tomorrow"}"#,
        r#"{"id": 9, "text": "t", "ui_language": "el"}"#,
        r#"{"id": 9, "ui_language": "zh-Hant"}"#,
        r#"{"id": 9, "ui_language": "xx"}"#,
        r#"["x", {"ui_language": "ro"}]"#,
        r#"{"id": 10, "turns": [{"from": "customer", "text": "Where is my parcel?!"}, {"from": "agent", "text": "Calm down."}]}"#,
        r#"{"id": 10, "turns": []}"#,
        r#"{"id": 10, "turns": "no"}"#,
        r#"{"id": 10, "turns": [{"from": "agent"}]}"#,
        r#"{"id":11,"text":"compact line, refund please","language":"en"}"#,
        "{\"id\":12,\"text\":\"nested \\\"quotes\\\" and unicode \u{2028} sep\"}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Every byte of the ASCII range and a few multi-byte chars, escaped and raw, as text and id.
    for c in (0u32..0x80).chain([0xe9, 0x2028, 0x2029, 0xfeff, 0xfffd, 0x1f621]) {
        let ch = char::from_u32(c).expect("valid char");
        lines.push(format!(r#"{{"id": "{ch}", "text": "a{ch}b"}}"#));
        lines.push(format!(r#"{{"id": "\u{c:04x}", "text": "a\u{c:04x}b"}}"#));
    }
    lines
}
