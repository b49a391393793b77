//! What is wrong with a rule of a pack, as a type: the pattern parser and the rule checks return
//! these, each with a stable [`PackProblem::code`] and its placeholder values, so the sentence can
//! be said in any screen language. `Display` is the English wording the packs' authors have seen
//! so far.

use thiserror::Error;

/// A problem of one pattern's syntax (the pattern is named by [`PackProblem::Pattern`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatternProblem {
    #[error("unexpected {0:?}")]
    Unexpected(char),
    #[error("unclosed \"{{\"")]
    UnclosedListName,
    #[error("empty word-list name \"{{}}\"")]
    EmptyListName,
    #[error("\"*\" must follow a word directly, as in apologi*")]
    StarWithoutWord,
    #[error("gap too large")]
    GapTooLarge,
    #[error("\"}}\" without \"{{\"")]
    CloseWithoutOpen,
    #[error("{found:?} where {close:?} was expected")]
    Expected { found: char, close: char },
    #[error("unclosed {:?}", .open.to_string())]
    Unclosed { open: char },
    #[error("an empty choice inside ( ) or [ ] — use [word] for optional words")]
    EmptyChoice,
    #[error("{0:?} is not pattern syntax: write [word] for an optional word, (a|b) for choices")]
    NotSyntax(String),
    #[error("{0:?} contains no letters or digits")]
    NoLetters(String),
}

impl PatternProblem {
    pub fn code(&self) -> &'static str {
        match self {
            PatternProblem::Unexpected(_) => "pattern_unexpected",
            PatternProblem::UnclosedListName => "pattern_unclosed_list_name",
            PatternProblem::EmptyListName => "pattern_empty_list_name",
            PatternProblem::StarWithoutWord => "pattern_star_without_word",
            PatternProblem::GapTooLarge => "pattern_gap_too_large",
            PatternProblem::CloseWithoutOpen => "pattern_close_without_open",
            PatternProblem::Expected { .. } => "pattern_expected",
            PatternProblem::Unclosed { .. } => "pattern_unclosed",
            PatternProblem::EmptyChoice => "pattern_empty_choice",
            PatternProblem::NotSyntax(_) => "pattern_not_syntax",
            PatternProblem::NoLetters(_) => "pattern_no_letters",
        }
    }

    fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            PatternProblem::Unexpected(c) => vec![("found", c.to_string())],
            PatternProblem::Expected { found, close } => {
                vec![
                    ("found", found.to_string()),
                    ("expected", close.to_string()),
                ]
            }
            PatternProblem::Unclosed { open } => vec![("open", open.to_string())],
            PatternProblem::NotSyntax(text) | PatternProblem::NoLetters(text) => {
                vec![("text", text.clone())]
            }
            PatternProblem::UnclosedListName
            | PatternProblem::EmptyListName
            | PatternProblem::StarWithoutWord
            | PatternProblem::GapTooLarge
            | PatternProblem::CloseWithoutOpen
            | PatternProblem::EmptyChoice => Vec::new(),
        }
    }
}

/// Why a rule (or a pack setting) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackProblem {
    #[error("pattern {pattern:?}: {problem}")]
    Pattern {
        pattern: String,
        problem: PatternProblem,
    },
    #[error("word list {{{name}}} refers to itself")]
    ListRefersToItself { name: String },
    #[error("unknown word list {{{name}}} (add it under [words])")]
    UnknownList { name: String },
    #[error("word list {{{name}}}: {problem}")]
    InList {
        name: String,
        problem: Box<PackProblem>,
    },
    #[error("word list {{{name}}} is empty")]
    EmptyList { name: String },
    #[error("a pattern cannot begin with an optional part [ ]")]
    BeginsOptional,
    #[error("a pattern cannot begin with a gap (...)")]
    BeginsWithGap,
    #[error("empty pattern")]
    EmptyPattern,
    /// `kind`: `Finding`, `GoodMove` or `Signal`.
    #[error("category {category:?} is not a {kind} category of COACH-CONTRACT.md / FORMAT.md")]
    Category { category: String, kind: String },
    #[error("needs at least one seed ID (where does this advice come from?)")]
    NoSeeds,
    #[error("needs at least one pattern")]
    NoPatterns,
    #[error("a finding needs at least one suggestion")]
    NoSuggestion,
    #[error("needs at least one positive example")]
    NoPositiveExample,
    #[error("min_count must be at least 1")]
    MinCountZero,
    #[error("requires_context: {name:?} is not a signal category")]
    ContextNotSignal { name: String },
    #[error("cancels: {name:?} is not a good-move category")]
    CancelsNotGoodMove { name: String },
    #[error("explain.{tag}: unknown screen language (use en, ro, el, zh-Hans, zh-Hant, tl)")]
    ExplainLanguage { tag: String },
    #[error("question_marks: {mark:?} must be a single character")]
    QuestionMark { mark: String },
}

impl PackProblem {
    /// A stable name for the kind of problem (the message key a screen language would use).
    pub fn code(&self) -> &'static str {
        match self {
            PackProblem::Pattern { problem, .. } => problem.code(),
            PackProblem::ListRefersToItself { .. } => "list_refers_to_itself",
            PackProblem::UnknownList { .. } => "list_unknown",
            PackProblem::InList { .. } => "list_entry",
            PackProblem::EmptyList { .. } => "list_empty",
            PackProblem::BeginsOptional => "pattern_begins_optional",
            PackProblem::BeginsWithGap => "pattern_begins_with_gap",
            PackProblem::EmptyPattern => "pattern_empty",
            PackProblem::Category { .. } => "rule_category",
            PackProblem::NoSeeds => "rule_no_seeds",
            PackProblem::NoPatterns => "rule_no_patterns",
            PackProblem::NoSuggestion => "rule_no_suggestion",
            PackProblem::NoPositiveExample => "rule_no_positive_example",
            PackProblem::MinCountZero => "rule_min_count_zero",
            PackProblem::ContextNotSignal { .. } => "rule_context_not_signal",
            PackProblem::CancelsNotGoodMove { .. } => "rule_cancels_not_good_move",
            PackProblem::ExplainLanguage { .. } => "rule_explain_language",
            PackProblem::QuestionMark { .. } => "pack_question_mark",
        }
    }

    /// The values of the message's placeholders (a nested problem as its English sentence
    /// under `problem`, with its own code under `problem_code`).
    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            PackProblem::Pattern { pattern, problem } => {
                let mut values = vec![("pattern", pattern.clone())];
                values.extend(problem.values());
                values
            }
            PackProblem::ListRefersToItself { name }
            | PackProblem::UnknownList { name }
            | PackProblem::EmptyList { name } => vec![("list", name.clone())],
            PackProblem::InList { name, problem } => vec![
                ("list", name.clone()),
                ("problem", problem.to_string()),
                ("problem_code", problem.code().to_owned()),
            ],
            PackProblem::Category { category, kind } => {
                vec![("category", category.clone()), ("kind", kind.clone())]
            }
            PackProblem::ContextNotSignal { name } | PackProblem::CancelsNotGoodMove { name } => {
                vec![("name", name.clone())]
            }
            PackProblem::ExplainLanguage { tag } => vec![("tag", tag.clone())],
            PackProblem::QuestionMark { mark } => vec![("mark", mark.clone())],
            PackProblem::BeginsOptional
            | PackProblem::BeginsWithGap
            | PackProblem::EmptyPattern
            | PackProblem::NoSeeds
            | PackProblem::NoPatterns
            | PackProblem::NoSuggestion
            | PackProblem::NoPositiveExample
            | PackProblem::MinCountZero => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::pattern::parse;

    fn pattern_error(source: &str) -> String {
        parse(source, 6).unwrap_err().to_string()
    }

    #[test]
    fn pattern_problems_read_as_before() {
        assert_eq!(pattern_error("a)"), r#"pattern "a)": unexpected ')'"#);
        assert_eq!(pattern_error("{x"), r#"pattern "{x": unclosed "{""#);
        assert_eq!(
            pattern_error("{ }"),
            r#"pattern "{ }": empty word-list name "{}""#
        );
        assert_eq!(
            pattern_error("a *"),
            r#"pattern "a *": "*" must follow a word directly, as in apologi*"#
        );
        assert_eq!(
            pattern_error("a ...99999999999999999999999 b"),
            r#"pattern "a ...99999999999999999999999 b": gap too large"#
        );
        assert_eq!(pattern_error("a }"), r#"pattern "a }": "}" without "{""#);
        assert_eq!(
            pattern_error("(a]"),
            r#"pattern "(a]": ']' where ')' was expected"#
        );
        assert_eq!(pattern_error("(a"), r#"pattern "(a": unclosed "(""#);
        assert_eq!(
            pattern_error("(a|)"),
            r#"pattern "(a|)": an empty choice inside ( ) or [ ] — use [word] for optional words"#
        );
        assert_eq!(
            pattern_error("(a|?)"),
            r#"pattern "(a|?)": "?" is not pattern syntax: write [word] for an optional word, (a|b) for choices"#
        );
        assert_eq!(
            pattern_error("(a|!!)"),
            r#"pattern "(a|!!)": "!!" contains no letters or digits"#
        );
    }

    #[test]
    fn rule_problems_read_as_before_and_codes_are_distinct() {
        let inner = parse("(a", 6).unwrap_err();
        let all = [
            PackProblem::ListRefersToItself { name: "x".into() },
            PackProblem::UnknownList { name: "x".into() },
            PackProblem::InList {
                name: "x".into(),
                problem: Box::new(inner),
            },
            PackProblem::EmptyList { name: "x".into() },
            PackProblem::BeginsOptional,
            PackProblem::BeginsWithGap,
            PackProblem::EmptyPattern,
            PackProblem::Category {
                category: "c".into(),
                kind: "Finding".into(),
            },
            PackProblem::NoSeeds,
            PackProblem::NoPatterns,
            PackProblem::NoSuggestion,
            PackProblem::NoPositiveExample,
            PackProblem::MinCountZero,
            PackProblem::ContextNotSignal { name: "n".into() },
            PackProblem::CancelsNotGoodMove { name: "n".into() },
            PackProblem::ExplainLanguage { tag: "xx".into() },
            PackProblem::QuestionMark { mark: ";;".into() },
        ];
        let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "word list {x} refers to itself",
                "unknown word list {x} (add it under [words])",
                r#"word list {x}: pattern "(a": unclosed "(""#,
                "word list {x} is empty",
                "a pattern cannot begin with an optional part [ ]",
                "a pattern cannot begin with a gap (...)",
                "empty pattern",
                r#"category "c" is not a Finding category of COACH-CONTRACT.md / FORMAT.md"#,
                "needs at least one seed ID (where does this advice come from?)",
                "needs at least one pattern",
                "a finding needs at least one suggestion",
                "needs at least one positive example",
                "min_count must be at least 1",
                r#"requires_context: "n" is not a signal category"#,
                r#"cancels: "n" is not a good-move category"#,
                "explain.xx: unknown screen language (use en, ro, el, zh-Hans, zh-Hant, tl)",
                r#"question_marks: ";;" must be a single character"#,
            ]
        );
        let codes: BTreeSet<&str> = all.iter().map(PackProblem::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(
            all[2]
                .values()
                .contains(&("problem_code", "pattern_unclosed".to_owned()))
        );
    }
}
