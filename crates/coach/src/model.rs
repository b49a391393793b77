//! The public JSON shapes of COACH-CONTRACT.md (inputs and outputs). Fields are only ever added.

use serde::{Deserialize, Serialize};
use text::Lang;

use crate::promises::{Promise, ReferenceTime};
use crate::spec::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Agent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub from: Speaker,
    pub text: String,
}

/// `coach analyze` input: a customer message; `language` is only a hint.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnalyzeInput {
    pub text: String,
    #[serde(default)]
    pub language: Option<Lang>,
}

/// `coach lint` input: an agent's draft, optionally with the conversation so far.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LintInput {
    pub text: String,
    #[serde(default)]
    pub language: Option<Lang>,
    #[serde(default)]
    pub context: Vec<Turn>,
    /// Resolves "by tomorrow 9am" and gives promises a `due_at`.
    #[serde(default)]
    pub reference_time: Option<ReferenceTime>,
    /// Language of the explanations; default: the reply's language.
    #[serde(default)]
    pub ui_language: Option<Lang>,
}

/// `coach score` input: one conversation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Transcript {
    pub turns: Vec<Turn>,
    #[serde(default)]
    pub language: Option<Lang>,
    #[serde(default)]
    pub ui_language: Option<Lang>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Calm,
    Annoyed,
    Angry,
    Furious,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Calm => "calm",
            Level::Annoyed => "annoyed",
            Level::Angry => "angry",
            Level::Furious => "furious",
        }
    }
}

/// Evidence in a customer message: character offsets into the original text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub category: String,
    pub start: usize,
    pub end: usize,
    pub seeds: Vec<String>,
    /// The rule or built-in cue that produced it.
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub language: Lang,
    pub anger: f32,
    pub level: Level,
    pub complaint: bool,
    pub threat: bool,
    pub abuse: bool,
    pub churn_risk: bool,
    pub public_exposure: bool,
    pub demands: Vec<String>,
    pub signals: Vec<Signal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub category: String,
    pub rule: String,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub seeds: Vec<String>,
    pub title: String,
    pub message: String,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodMove {
    pub category: String,
    pub start: usize,
    pub end: usize,
    pub seeds: Vec<String>,
    pub rule: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LintReport {
    pub language: Lang,
    pub findings: Vec<Finding>,
    pub good_moves: Vec<GoodMove>,
    pub promises: Vec<Promise>,
}
