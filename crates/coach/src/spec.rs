//! The rule-pack file format as written by people (see playbooks/FORMAT.md). These types only
//! describe the TOML; `compile` turns them into the matcher.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub pack: PackHeader,
    #[serde(default)]
    pub words: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub promises: Option<PromiseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackHeader {
    pub language: String,
    #[serde(default)]
    pub gap: Option<usize>,
    #[serde(default)]
    pub question_marks: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RuleKind {
    Finding,
    GoodMove,
    Signal,
}

/// How bad a finding is, or how strongly a signal counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub id: String,
    pub kind: RuleKind,
    pub category: String,
    pub seeds: Vec<String>,
    pub severity: Severity,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub suggestions: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
    #[serde(default)]
    pub explain: BTreeMap<String, String>,
    #[serde(default)]
    pub unless_followed_by: Vec<String>,
    #[serde(default)]
    pub unless_preceded_by: Vec<String>,
    #[serde(default)]
    pub requires_context: Vec<String>,
    #[serde(default)]
    pub min_count: Option<usize>,
    #[serde(default)]
    pub max_words: Option<usize>,
    #[serde(default)]
    pub clause_start: bool,
    #[serde(default)]
    pub in_question: bool,
    #[serde(default)]
    pub cancels: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub positive: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
    #[serde(default)]
    pub context: Option<String>,
}

/// Words for the promise grammar ("within 10 minutes", "by tomorrow 9am"); the grammar itself is
/// in `promises.rs`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PromiseSpec {
    #[serde(default)]
    pub callback: Vec<String>,
    #[serde(default)]
    pub answer: Vec<String>,
    #[serde(default)]
    pub before_amount: Vec<String>,
    #[serde(default)]
    pub after_amount: Vec<String>,
    #[serde(default)]
    pub counters: Vec<String>,
    #[serde(default)]
    pub numbers: BTreeMap<String, f64>,
    #[serde(default)]
    pub units: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub fixed: BTreeMap<String, f64>,
    #[serde(default)]
    pub by: Vec<String>,
    #[serde(default)]
    pub days: BTreeMap<String, i64>,
    #[serde(default)]
    pub am: Vec<String>,
    #[serde(default)]
    pub pm: Vec<String>,
    #[serde(default)]
    pub end_of_day: Vec<String>,
}
