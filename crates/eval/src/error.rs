use std::path::PathBuf;

/// Why an evaluation could not be run. Every variant names the file (and line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: malformed CSV: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path} line {line}: invalid JSON: {source}")]
    Json {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{path}: no column named {column:?}")]
    MissingColumn { path: PathBuf, column: String },
    #[error("{path}: suite item {id} names unknown category {category:?}")]
    UnknownCategory {
        path: PathBuf,
        id: String,
        category: String,
    },
    #[error(
        "{path}: is not a directory of suites (expected <lang>/messages.jsonl and replies.jsonl)"
    )]
    NotASuite { path: PathBuf },
}
