use std::fmt;

use text::Lang;
use thiserror::Error;

/// Why a rule pack or message file was refused. Every variant names the file, and the rule when
/// there is one, so a customer-service lead can find the line to fix.
///
/// `Display` is English; [`CoachError::message`] says the same in any of the six screen languages
/// (the sentences live in `playbooks/messages/<language>.toml`, section `[errors]`). A
/// `problem` found by the pattern parser or the rule checks is quoted as it was found.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoachError {
    Pack {
        file: String,
        problem: String,
    },
    Rule {
        file: String,
        rule: String,
        problem: String,
    },
    Messages {
        file: String,
        problem: MessagesProblem,
    },
}

/// What is wrong with a message file (`messages/<screen language>.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessagesProblem {
    /// The file name is not a screen language.
    FileName,
    /// Not valid TOML; the parser's own words.
    Toml(String),
    NotATable {
        section: String,
    },
    NotText {
        section: String,
        key: String,
    },
    UnknownSection {
        section: String,
        expected: String,
    },
    MissingField {
        key: String,
        field: String,
    },
}

impl CoachError {
    pub(crate) fn pack(file: &str, problem: impl Into<String>) -> Self {
        CoachError::Pack {
            file: file.to_owned(),
            problem: problem.into(),
        }
    }

    pub(crate) fn rule(file: &str, rule: &str, problem: impl Into<String>) -> Self {
        CoachError::Rule {
            file: file.to_owned(),
            rule: rule.to_owned(),
            problem: problem.into(),
        }
    }

    /// A stable name for the kind of error, for programs (`pack`, `rule`, `messages_toml`, …);
    /// it is also the message key under `[errors]`.
    pub fn code(&self) -> &'static str {
        match self {
            CoachError::Pack { .. } => "pack",
            CoachError::Rule { .. } => "rule",
            CoachError::Messages { problem, .. } => match problem {
                MessagesProblem::FileName => "messages_file_name",
                MessagesProblem::Toml(_) => "messages_toml",
                MessagesProblem::NotATable { .. } => "messages_not_a_table",
                MessagesProblem::NotText { .. } => "messages_not_text",
                MessagesProblem::UnknownSection { .. } => "messages_unknown_section",
                MessagesProblem::MissingField { .. } => "messages_missing_field",
            },
        }
    }

    /// The values of the message's placeholders.
    fn values(&self) -> Vec<(&'static str, &str)> {
        match self {
            CoachError::Pack { file, problem } => vec![("file", file), ("problem", problem)],
            CoachError::Rule {
                file,
                rule,
                problem,
            } => vec![("file", file), ("rule", rule), ("problem", problem)],
            CoachError::Messages { file, problem } => {
                let mut values = vec![("file", file.as_str())];
                match problem {
                    MessagesProblem::FileName => {}
                    MessagesProblem::Toml(reason) => values.push(("reason", reason)),
                    MessagesProblem::NotATable { section } => values.push(("section", section)),
                    MessagesProblem::NotText { section, key } => {
                        values.extend([("section", section.as_str()), ("key", key)]);
                    }
                    MessagesProblem::UnknownSection { section, expected } => {
                        values.extend([("section", section.as_str()), ("expected", expected)]);
                    }
                    MessagesProblem::MissingField { key, field } => {
                        values.extend([("key", key.as_str()), ("field", field)]);
                    }
                }
                values
            }
        }
    }

    /// The error in a screen language (the built-in wording).
    pub fn message(&self, ui: Lang) -> String {
        crate::messages::error_text(ui, self.code(), &self.values())
    }
}

impl fmt::Display for CoachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}
