//! The coach's own labelled suite: crates/coach/suite/<lang>/{messages,replies}.jsonl.

use std::fs;
use std::path::Path;

use coach::Turn;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use text::Lang;

use crate::error::EvalError;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SuiteMessage {
    pub id: String,
    pub text: String,
    pub complaint: bool,
    pub level: String,
    pub threat: bool,
    pub abuse: bool,
    pub churn_risk: bool,
    pub public_exposure: bool,
    #[serde(default)]
    pub demands: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct SuitePromise {
    pub kind: String,
    pub within_seconds: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SuiteReply {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub context: Vec<Turn>,
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default)]
    pub good_moves: Vec<String>,
    /// Absent means "not labelled for promises"; present (even empty) means exactly these.
    pub promises: Option<Vec<SuitePromise>>,
}

#[derive(Debug, Clone)]
pub(crate) struct LanguageSuite {
    pub lang: Lang,
    pub messages: Vec<SuiteMessage>,
    pub replies: Vec<SuiteReply>,
}

/// Reads every `<lang>/` folder whose name is a Calmdesk language tag; a missing file in a
/// folder reads as empty, other folders are ignored.
pub(crate) fn read_suites(dir: &Path) -> Result<Vec<LanguageSuite>, EvalError> {
    if !dir.is_dir() {
        return Err(EvalError::NotASuite {
            path: dir.to_owned(),
        });
    }
    let mut suites = Vec::new();
    for lang in Lang::ALL {
        let folder = dir.join(lang.as_str());
        if !folder.is_dir() {
            continue;
        }
        suites.push(LanguageSuite {
            lang,
            messages: read_lines(&folder.join("messages.jsonl"))?,
            replies: read_lines(&folder.join("replies.jsonl"))?,
        });
    }
    Ok(suites)
}

fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, EvalError> {
    let content = match fs::read_to_string(path) {
        Ok(content) => content,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(EvalError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    content
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|source| EvalError::Json {
                path: path.to_owned(),
                line: index + 1,
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_language_folders_and_ignores_others() {
        let dir = tempfile::tempdir().unwrap();
        let ro = dir.path().join("ro");
        fs::create_dir(&ro).unwrap();
        fs::create_dir(dir.path().join("notes")).unwrap();
        fs::write(
            ro.join("messages.jsonl"),
            r#"{"id": "ro-m-1", "text": "Vreau banii înapoi!", "language": "ro", "complaint": true, "level": "angry", "threat": false, "abuse": false, "churn_risk": false, "public_exposure": false, "demands": ["refund"]}"#,
        )
        .unwrap();
        fs::write(
            ro.join("replies.jsonl"),
            "{\"id\": \"ro-r-1\", \"text\": \"Îmi pare rău, dar nu se poate.\", \"findings\": [\"apology_but\"], \"good_moves\": []}\n\n\
             {\"id\": \"ro-r-2\", \"text\": \"Vă sun în 10 minute.\", \"findings\": [], \"good_moves\": [\"callback_promise\"], \"promises\": [{\"kind\": \"callback\", \"within_seconds\": 600}]}\n",
        )
        .unwrap();
        let suites = read_suites(dir.path()).unwrap();
        assert_eq!(suites.len(), 1);
        let suite = &suites[0];
        assert_eq!(suite.lang, Lang::Ro);
        assert_eq!(suite.messages[0].demands, ["refund"]);
        assert_eq!(suite.replies.len(), 2);
        assert!(suite.replies[0].promises.is_none());
        assert_eq!(
            suite.replies[1].promises.as_deref(),
            Some(
                &[SuitePromise {
                    kind: "callback".into(),
                    within_seconds: Some(600)
                }][..]
            )
        );
    }

    #[test]
    fn bad_line_is_reported_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("el");
        fs::create_dir(&el).unwrap();
        fs::write(
            el.join("replies.jsonl"),
            "{\"id\": \"x\", \"text\": \"ok\"}\n{\"id\": 5}\n",
        )
        .unwrap();
        let message = read_suites(dir.path()).unwrap_err().to_string();
        assert!(message.contains("replies.jsonl line 2"), "{message}");
    }

    #[test]
    fn a_file_instead_of_a_directory_is_refused() {
        let file = tempfile::NamedTempFile::new().unwrap();
        assert!(matches!(
            read_suites(file.path()),
            Err(EvalError::NotASuite { .. })
        ));
    }
}
