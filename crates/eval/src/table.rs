//! Reading labelled rows from the three file shapes the data sets use: JSON Lines, CSV with a
//! header, and tab-separated lines. Every row becomes a JSON object so label rules read fields
//! the same way whatever the file shape.

use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::EvalError;

pub(crate) type Row = Map<String, Value>;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Format {
    Jsonl,
    /// CSV with a header line; quoted fields may span lines.
    Csv,
    /// Tab-separated without quoting; `columns` names the fields in order. With `header`, the
    /// first line is skipped (the names given here are used either way).
    Tsv {
        columns: &'static [&'static str],
        header: bool,
    },
}

pub(crate) fn read_rows(path: &Path, format: Format) -> Result<Vec<Row>, EvalError> {
    match format {
        Format::Jsonl => read_jsonl(path),
        Format::Csv => read_csv(path),
        Format::Tsv { columns, header } => read_tsv(path, columns, header),
    }
}

fn read_to_string(path: &Path) -> Result<String, EvalError> {
    fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_owned(),
        source,
    })
}

fn read_jsonl(path: &Path) -> Result<Vec<Row>, EvalError> {
    let content = read_to_string(path)?;
    let mut rows = Vec::new();
    for (index, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|source| EvalError::Json {
            path: path.to_owned(),
            line: index + 1,
            source,
        })?;
        if let Value::Object(object) = value {
            rows.push(object);
        }
    }
    Ok(rows)
}

fn read_csv(path: &Path) -> Result<Vec<Row>, EvalError> {
    let csv_error = |source| EvalError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(csv_error)?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let row = headers
            .iter()
            .zip(record.iter())
            .map(|(name, value)| (name.clone(), Value::String(value.to_owned())))
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

fn read_tsv(path: &Path, columns: &[&str], header: bool) -> Result<Vec<Row>, EvalError> {
    let content = read_to_string(path)?;
    let lines = content.lines().skip(usize::from(header));
    Ok(lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            columns
                .iter()
                .zip(line.split('\t'))
                .map(|(name, value)| ((*name).to_owned(), Value::String(value.to_owned())))
                .collect()
        })
        .collect())
}

/// A field as text, whether the file stored it as a string or a number.
pub(crate) fn field_text<'r>(row: &'r Row, name: &str) -> Option<std::borrow::Cow<'r, str>> {
    match row.get(name)? {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// A field as an integer, from a JSON number or a numeric string.
pub(crate) fn field_int(row: &Row, name: &str) -> Option<i64> {
    match row.get(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn csv_with_bom_quotes_and_newlines_in_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.csv",
            "\u{feff}text,label\n\"line one\nline two, with comma\",1\nplain,0\n",
        );
        let rows = read_rows(&path, Format::Csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            field_text(&rows[0], "text").unwrap(),
            "line one\nline two, with comma"
        );
        assert_eq!(field_int(&rows[0], "label"), Some(1));
        assert_eq!(field_int(&rows[1], "label"), Some(0));
    }

    #[test]
    fn jsonl_keeps_numbers_and_skips_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.jsonl",
            "{\"content\": \"bun\", \"starRating\": 5}\n\n{\"content\": \"rau\", \"starRating\": \"1\"}\n",
        );
        let rows = read_rows(&path, Format::Jsonl).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(field_int(&rows[0], "starRating"), Some(5));
        assert_eq!(field_int(&rows[1], "starRating"), Some(1));
    }

    #[test]
    fn jsonl_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "bad.jsonl", "{\"a\": 1}\n{not json\n");
        let message = read_rows(&path, Format::Jsonl).unwrap_err().to_string();
        assert!(message.contains("bad.jsonl line 2"), "{message}");
    }

    #[test]
    fn tsv_names_columns_and_skips_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.tsv",
            "text\tlabel\nhello\tanger\nno tab here\n",
        );
        let rows = read_rows(
            &path,
            Format::Tsv {
                columns: &["text", "label"],
                header: true,
            },
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(field_text(&rows[0], "label").unwrap(), "anger");
        // A malformed line keeps the fields it has; label rules then skip it.
        assert!(rows[1].get("label").is_none());
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let message = read_rows(Path::new("/nonexistent/x.csv"), Format::Csv)
            .unwrap_err()
            .to_string();
        assert!(message.contains("/nonexistent/x.csv"), "{message}");
    }
}
