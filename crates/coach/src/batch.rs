//! One JSON Lines input line → one output line, for `calmdesk coach analyze|lint|score --jsonl`.
//! A bad line becomes `{"id": …, "error": "…"}`; nothing panics and no line is lost, so the
//! binary's loop only reads, calls and writes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Coach;

#[derive(Serialize)]
struct WithId<'a, T> {
    id: &'a Value,
    #[serde(flatten)]
    result: &'a T,
}

#[derive(Serialize)]
struct LineError<'a> {
    id: &'a Value,
    error: String,
}

fn error_line(id: &Value, error: String) -> String {
    serde_json::to_string(&LineError { id, error })
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

fn process<I: DeserializeOwned, O: Serialize>(line: &str, run: impl FnOnce(I) -> O) -> String {
    if let Some((id, input)) = read_directly(line) {
        return with_id(&id, &run(input));
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return error_line(&Value::Null, format!("invalid JSON: {e}")),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    if !value.is_object() {
        return error_line(
            &id,
            "expected a JSON object such as {\"id\": \"1\", \"text\": \"...\"}".into(),
        );
    }
    let input: I = match serde_json::from_value(value) {
        Ok(input) => input,
        Err(e) => return error_line(&id, format!("bad input: {e}")),
    };
    with_id(&id, &run(input))
}

fn with_id<O: Serialize>(id: &Value, result: &O) -> String {
    serde_json::to_string(&WithId { id, result })
        .unwrap_or_else(|e| error_line(id, format!("cannot write the result: {e}")))
}

impl Coach {
    /// `coach analyze --jsonl`: `{"id", "text", "language"?}` → analysis.
    pub fn analyze_line(&self, line: &str) -> String {
        process(line, |input| self.analyze(&input))
    }

    /// `coach lint --jsonl`: `{"id", "text", "language"?, "context"?, "reference_time"?, "ui_language"?}`.
    pub fn lint_line(&self, line: &str) -> String {
        process(line, |input| self.lint(&input))
    }

    /// `coach score --jsonl`: `{"id", "turns": [{"from", "text"}]}` → score report.
    pub fn score_line(&self, line: &str) -> String {
        process(line, |input| self.score(&input))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

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
    }
}
