//! One JSON Lines input line → one output line, for `calmdesk coach analyze|lint|score --jsonl`.
//! A bad line becomes `{"id": …, "error": "…"}`; nothing panics and no line is lost, so the
//! binary's loop only reads, calls and writes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use text::Lang;

use crate::Coach;

#[derive(Serialize)]
struct WithId<'a, T> {
    id: &'a Value,
    #[serde(flatten)]
    result: &'a T,
}

/// Why a batch line has no result. The line's output is `{"id", "error", "error_code"}`: `error`
/// in the screen language, `error_code` stable for programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not JSON at all; the parser's words.
    InvalidJson(String),
    /// JSON, but not an object.
    NotAnObject,
    /// An object, but a field is missing, of the wrong type or an unknown value.
    BadInput(String),
    /// The result could not be serialised.
    Unwritable(String),
    /// Line `line` (1-based) is not UTF-8 from byte `byte` on (found by the caller that reads
    /// bytes).
    NotUtf8 { line: usize, byte: usize },
}

impl LineProblem {
    /// The stable code, also the message key under `[errors]`.
    pub fn code(&self) -> &'static str {
        match self {
            LineProblem::InvalidJson(_) => "line_invalid_json",
            LineProblem::NotAnObject => "line_not_an_object",
            LineProblem::BadInput(_) => "line_bad_input",
            LineProblem::Unwritable(_) => "line_unwritable",
            LineProblem::NotUtf8 { .. } => "line_not_utf8",
        }
    }

    /// The problem in a screen language.
    pub fn message(&self, ui: Lang) -> String {
        let (line, byte);
        let values: Vec<(&str, &str)> = match self {
            LineProblem::InvalidJson(reason)
            | LineProblem::BadInput(reason)
            | LineProblem::Unwritable(reason) => vec![("reason", reason)],
            LineProblem::NotAnObject => Vec::new(),
            LineProblem::NotUtf8 { line: l, byte: b } => {
                (line, byte) = (l.to_string(), b.to_string());
                vec![("line", &line), ("byte", &byte)]
            }
        };
        crate::messages::error_text(ui, self.code(), &values)
    }
}

#[derive(Serialize)]
struct LineError<'a> {
    id: &'a Value,
    error: String,
    error_code: &'static str,
}

/// The output line for a line without a result.
pub fn error_line(id: &Value, problem: &LineProblem, ui: Lang) -> String {
    serde_json::to_string(&LineError {
        id,
        error: problem.message(ui),
        error_code: problem.code(),
    })
    .unwrap_or_else(|_| r#"{"id":null,"error":"unprintable error"}"#.to_owned())
}

/// The `id` of a line, read without building the rest of it.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Value,
}

/// A line that is a JSON object and reads as `I` directly, with its id: one pass into the input
/// type instead of building a JSON tree first. `None` for anything else (including duplicate
/// keys, which the tree reading accepts), which then takes the general path and its messages.
fn read_directly<I: DeserializeOwned>(line: &str) -> Option<(Value, I)> {
    if !line.trim_start().starts_with('{') {
        return None;
    }
    let input: I = serde_json::from_str(line).ok()?;
    let IdOnly { id } = serde_json::from_str(line).ok()?;
    Some((id, input))
}

/// A line's own `ui_language`, when it has a valid one, else the caller's.
fn screen_language(value: &Value, ui: Lang) -> Lang {
    value
        .get("ui_language")
        .and_then(Value::as_str)
        .and_then(|tag| tag.parse::<Lang>().ok())
        .filter(|lang| *lang != Lang::Und)
        .unwrap_or(ui)
}

fn process<I: DeserializeOwned, O: Serialize>(
    line: &str,
    ui: Lang,
    run: impl FnOnce(I) -> O,
) -> String {
    if let Some((id, input)) = read_directly(line) {
        return with_id(&id, &run(input), ui);
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return error_line(&Value::Null, &LineProblem::InvalidJson(e.to_string()), ui),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let ui = screen_language(&value, ui);
    if !value.is_object() {
        return error_line(&id, &LineProblem::NotAnObject, ui);
    }
    let input: I = match serde_json::from_value(value) {
        Ok(input) => input,
        Err(e) => return error_line(&id, &LineProblem::BadInput(e.to_string()), ui),
    };
    with_id(&id, &run(input), ui)
}

/// `{"id": …, <the result's fields>}` as `WithId` writes it, but straight: serde's `flatten`
/// goes through a map serialiser and was an eighth of a batch line's cost. `None` when the
/// result is not a JSON object with fields; `WithId` then decides, errors and all.
fn write_with_id<O: Serialize>(id: &Value, result: &O) -> Option<String> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut out, id).ok()?;
    let body = out.len();
    serde_json::to_writer(&mut out, result).ok()?;
    if out.get(body) != Some(&b'{') || out.get(body + 1) == Some(&b'}') {
        return None;
    }
    out[body] = b',';
    String::from_utf8(out).ok()
}

fn with_id<O: Serialize>(id: &Value, result: &O, ui: Lang) -> String {
    if let Some(line) = write_with_id(id, result) {
        return line;
    }
    serde_json::to_string(&WithId { id, result })
        .unwrap_or_else(|e| error_line(id, &LineProblem::Unwritable(e.to_string()), ui))
}

impl Coach {
    /// `coach analyze --jsonl`: `{"id", "text", "language"?}` → analysis. Errors in English.
    pub fn analyze_line(&self, line: &str) -> String {
        self.analyze_line_in(line, Lang::En)
    }

    /// `coach lint --jsonl`: `{"id", "text", "language"?, "context"?, "reference_time"?, "ui_language"?}`.
    pub fn lint_line(&self, line: &str) -> String {
        self.lint_line_in(line, Lang::En)
    }

    /// `coach score --jsonl`: `{"id", "turns": [{"from", "text"}]}` → score report.
    pub fn score_line(&self, line: &str) -> String {
        self.score_line_in(line, Lang::En)
    }

    /// As [`Coach::analyze_line`], with a bad line's `error` in `ui` (or in the line's own
    /// `ui_language` when it has a valid one).
    pub fn analyze_line_in(&self, line: &str, ui: Lang) -> String {
        process(line, ui, |input| self.analyze(&input))
    }

    /// As [`Coach::lint_line`], with errors in `ui` or the line's `ui_language`.
    pub fn lint_line_in(&self, line: &str, ui: Lang) -> String {
        process(line, ui, |input| self.lint(&input))
    }

    /// As [`Coach::score_line`], with errors in `ui` or the line's `ui_language`.
    pub fn score_line_in(&self, line: &str, ui: Lang) -> String {
        process(line, ui, |input| self.score(&input))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use text::Lang;

    use super::{LineProblem, error_line};

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).expect("every output line is JSON")
    }

    #[test]
    fn a_good_line_keeps_its_id_and_has_the_contract_fields() {
        let coach = crate::test_support::english();
        let out = parse(
            &coach.analyze_line(r#"{"id": 7, "text": "I want a refund NOW!!!", "language": "en"}"#),
        );
        assert_eq!(out["id"], json!(7));
        for field in [
            "language",
            "anger",
            "level",
            "complaint",
            "threat",
            "abuse",
            "churn_risk",
            "public_exposure",
            "demands",
            "signals",
        ] {
            assert!(out.get(field).is_some(), "missing {field}: {out}");
        }
        assert_eq!(out["demands"], json!(["refund"]));
        let out = parse(&coach.lint_line(r#"{"id": "a", "text": "Calm down."}"#));
        assert_eq!(out["findings"][0]["category"], json!("rudeness"));
        let out = parse(&coach.score_line(
            r#"{"id": "s", "turns": [{"from": "agent", "text": "Hello, my name is Ana."}]}"#,
        ));
        assert!(out["qa_score"].is_u64());
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value() {
        let coach = crate::test_support::english();
        let out = parse(
            &coach
                .analyze_line(r#"{"id": 1, "id": 2, "text": "thanks", "text": "I want a refund"}"#),
        );
        assert_eq!(out["id"], json!(2));
        assert_eq!(out["demands"], json!(["refund"]));
    }

    #[test]
    fn bad_lines_become_error_objects() {
        let coach = crate::test_support::english();
        let cases = [
            ("not json", Value::Null, "invalid JSON"),
            ("", Value::Null, "invalid JSON"),
            ("[1, 2]", Value::Null, "expected a JSON object"),
            (r#"{"id": "x"}"#, json!("x"), "missing field `text`"),
            (r#"{"id": "y", "text": 5}"#, json!("y"), "bad input"),
            (
                r#"{"id": "z", "text": "hi", "language": "fr"}"#,
                json!("z"),
                "bad input",
            ),
        ];
        for (line, id, error) in cases {
            let out = parse(&coach.analyze_line(line));
            assert_eq!(out["id"], id, "{line}");
            assert!(
                out["error"].as_str().unwrap().contains(error),
                "{line}: {out}"
            );
        }
        // A struct also reads from an array; the contract wants objects.
        let out = parse(&coach.analyze_line(r#"["I want a refund"]"#));
        assert!(
            out["error"]
                .as_str()
                .unwrap()
                .contains("expected a JSON object")
        );
        let out =
            parse(&coach.lint_line(r#"{"id": 1, "text": "ok", "reference_time": "tomorrow"}"#));
        assert!(out["error"].as_str().unwrap().contains("RFC 3339"), "{out}");
        assert_eq!(out["error_code"], json!("line_bad_input"));
    }

    #[test]
    fn errors_speak_the_callers_or_the_lines_screen_language() {
        let coach = crate::test_support::english();
        let out = parse(&coach.analyze_line_in("not json", Lang::Ro));
        assert_eq!(out["error_code"], json!("line_invalid_json"));
        assert!(
            out["error"].as_str().unwrap().starts_with("JSON invalid"),
            "{out}"
        );
        let out = parse(&coach.analyze_line_in("[1]", Lang::ZhHant));
        assert_eq!(out["error_code"], json!("line_not_an_object"));
        assert!(
            out["error"].as_str().unwrap().contains("JSON 物件"),
            "{out}"
        );
        // The line's own ui_language wins over the caller's.
        let out = parse(&coach.lint_line_in(r#"{"id": 4, "ui_language": "el"}"#, Lang::Ro));
        assert_eq!(out["id"], json!(4));
        assert_eq!(out["error_code"], json!("line_bad_input"));
        assert!(
            out["error"].as_str().unwrap().contains("δεδομένα εισόδου"),
            "{out}"
        );
        let utf8 = LineProblem::NotUtf8 { line: 3, byte: 9 };
        assert_eq!(
            utf8.message(Lang::Tl),
            "ang linya 3 ay hindi wastong UTF-8 (byte 9)"
        );
        let line = parse(&error_line(&json!("a"), &utf8, Lang::En));
        assert_eq!(line["error"], json!("line 3 is not valid UTF-8 (byte 9)"));
    }
}
