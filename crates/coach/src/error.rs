use thiserror::Error;

/// Why a rule pack or message file was refused. Every variant names the file, and the rule when
/// there is one, so a customer-service lead can find the line to fix.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoachError {
    #[error("{file}: {problem}")]
    Pack { file: String, problem: String },
    #[error("{file}: rule {rule}: {problem}")]
    Rule {
        file: String,
        rule: String,
        problem: String,
    },
    #[error("{file}: {problem}")]
    Messages { file: String, problem: String },
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
}
