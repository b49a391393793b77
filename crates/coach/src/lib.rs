//! The Calmdesk coach: reads a customer's message and an agent's draft and says what will calm
//! the customer and what will escalate them, in en, ro, zh-Hans, zh-Hant, tl and el.
//!
//! Everything about wording lives in rule packs (playbooks/*.toml, format in
//! playbooks/FORMAT.md), compiled at load time into word and phrase tries per language.
//! Pure: no I/O, no async. The binary reads extra pack files and hands their text to
//! [`Coach::with_extra`].

mod analyze;
mod batch;
mod cues;
mod engine;
mod error;
mod lint;
mod matcher;
mod messages;
mod model;
mod pattern;
mod problem;
mod promises;
mod render;
mod score;
mod spec;
mod tokens;
pub mod vocab;

use std::collections::{BTreeMap, BTreeSet};

use text::Lang;

pub use batch::{LineProblem, error_line};
pub use error::{CoachError, MessagesProblem};
pub use messages::MessageText;
pub use model::{
    Analysis, AnalyzeInput, Finding, GoodMove, Level, LintInput, LintReport, Signal, Speaker,
    Transcript, Turn,
};
pub use problem::{PackProblem, PatternProblem};
pub use promises::{Promise, PromiseKind, ReferenceTime};
pub use score::{Criterion, Evidence, ScoreReport, StageCheck, TurnFinding};
pub use spec::{Examples, Severity};

use engine::Engine;
use lint::LintRequest;
use messages::Catalog;
use spec::{PackFile, RuleKind};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// The built-in packs and message files as (file name, TOML text).
pub fn builtin_packs() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_PACKS
}

pub fn builtin_messages() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_MESSAGES
}

/// One rule's examples, for tests and for tools that check an organisation's own packs.
#[derive(Debug, Clone)]
pub struct RuleExamples {
    pub file: String,
    pub rule: String,
    pub language: Lang,
    pub kind: &'static str,
    pub category: String,
    pub seeds: Vec<String>,
    pub examples: Examples,
}

#[derive(Debug)]
pub struct Coach {
    engines: BTreeMap<Lang, Engine>,
    messages: Catalog,
}

impl Coach {
    /// The packs shipped with Calmdesk.
    pub fn builtin() -> Result<Coach, CoachError> {
        Coach::from_sources(builtin_packs(), builtin_messages())
    }

    /// Only the given packs (file name, TOML text), with the built-in message files.
    pub fn from_packs(packs: &[(&str, &str)]) -> Result<Coach, CoachError> {
        Coach::from_sources(packs, builtin_messages())
    }

    /// The built-in packs plus an organisation's own packs and message files, read by the caller
    /// from a directory. Their rules add to the built-in rules of the same language.
    pub fn with_extra(
        packs: &[(&str, &str)],
        messages: &[(&str, &str)],
    ) -> Result<Coach, CoachError> {
        let all_packs: Vec<(&str, &str)> = builtin_packs().iter().chain(packs).copied().collect();
        let all_messages: Vec<(&str, &str)> =
            builtin_messages().iter().chain(messages).copied().collect();
        Coach::from_sources(&all_packs, &all_messages)
    }

    pub fn from_sources(
        packs: &[(&str, &str)],
        messages: &[(&str, &str)],
    ) -> Result<Coach, CoachError> {
        let mut parsed: Vec<(&str, Lang, PackFile)> = Vec::with_capacity(packs.len());
        let mut ids = BTreeSet::new();
        for (file, source) in packs {
            let pack: PackFile =
                toml::from_str(source).map_err(|e| CoachError::pack(file, e.to_string()))?;
            let lang: Lang = pack.pack.language.parse().map_err(|_| {
                CoachError::pack(
                    file,
                    format!(
                        "[pack] language {:?} is not one of en, ro, el, zh-Hans, zh-Hant, tl",
                        pack.pack.language
                    ),
                )
            })?;
            if lang == Lang::Und {
                return Err(CoachError::pack(file, "[pack] language cannot be und"));
            }
            if let Some(rule) = pack.rules.iter().find(|rule| !ids.insert(rule.id.clone())) {
                return Err(CoachError::rule(file, &rule.id, "this id is used twice"));
            }
            parsed.push((file, lang, pack));
        }
        let mut engines = BTreeMap::new();
        for lang in Lang::ALL {
            let files: Vec<(&str, &PackFile)> = parsed
                .iter()
                .filter(|(_, l, _)| *l == lang)
                .map(|(f, _, p)| (*f, p))
                .collect();
            if !files.is_empty() {
                engines.insert(lang, Engine::compile(lang, &files)?);
            }
        }
        Ok(Coach {
            engines,
            messages: Catalog::load(messages)?,
        })
    }

    /// Languages with at least one pack.
    pub fn languages(&self) -> Vec<Lang> {
        self.engines.keys().copied().collect()
    }

    /// The engine for `lang`, falling back to the other Chinese script, then English.
    fn engine(&self, lang: Lang) -> Option<&Engine> {
        let fallback = match lang {
            Lang::ZhHans => Lang::ZhHant,
            Lang::ZhHant => Lang::ZhHans,
            _ => Lang::En,
        };
        self.engines
            .get(&lang)
            .or_else(|| self.engines.get(&fallback))
            .or_else(|| self.engines.get(&Lang::En))
            .or_else(|| self.engines.values().next())
    }

    fn detect(text: &str, hint: Option<Lang>) -> Lang {
        text::detect_with_hint(text, hint.filter(|&l| l != Lang::Und)).lang
    }

    pub fn analyze(&self, input: &AnalyzeInput) -> Analysis {
        self.analyze_in(Coach::detect(&input.text, input.language), &input.text)
    }

    /// Analysis with the language already decided (the rule-example tests use this).
    pub fn analyze_in(&self, language: Lang, text: &str) -> Analysis {
        self.analysis_parts(language, text).into_analysis()
    }

    /// [`Coach::analyze_in`] with the strings borrowed from the rules (the batch writes its line
    /// from these).
    fn analysis_parts(&self, language: Lang, text: &str) -> analyze::AnalysisParts<'_> {
        match self.engine(language) {
            Some(engine) => analyze::analyze(engine, text, language),
            None => analyze::AnalysisParts::empty(language),
        }
    }

    pub fn lint(&self, input: &LintInput) -> LintReport {
        let language = Coach::detect(&input.text, input.language);
        self.lint_in(language, input)
    }

    /// Lint with the reply's language already decided.
    pub fn lint_in(&self, language: Lang, input: &LintInput) -> LintReport {
        let context = match input
            .context
            .iter()
            .rev()
            .find(|turn| turn.from == Speaker::Customer)
        {
            Some(turn) => analyze::context_signals(&self.analyze(&AnalyzeInput {
                text: turn.text.clone(),
                language: input.language,
            })),
            None => BTreeSet::new(),
        };
        let ui =
            input
                .ui_language
                .filter(|&l| l != Lang::Und)
                .unwrap_or(if language == Lang::Und {
                    Lang::En
                } else {
                    language
                });
        match self.engine(language) {
            Some(engine) => lint::lint(
                engine,
                &self.messages,
                &LintRequest {
                    text: &input.text,
                    language,
                    ui,
                    context: &context,
                    reference_time: input.reference_time,
                },
            ),
            None => LintReport {
                language,
                findings: Vec::new(),
                good_moves: Vec::new(),
                promises: Vec::new(),
            },
        }
    }

    /// Title and explanation of a category (`section`: finding, good_move, signal, level,
    /// criterion, stage) in a screen language, falling back to English.
    pub fn message(&self, ui: Lang, section: &str, name: &str) -> Option<&MessageText> {
        self.messages.text(ui, section, name)
    }

    /// A short UI label (`[ui]` table of the message files).
    pub fn ui_text(&self, ui: Lang, key: &str) -> String {
        self.messages.ui(ui, key)
    }

    /// Every rule with its examples, for tests that run them.
    pub fn rule_examples(&self) -> Vec<RuleExamples> {
        self.engines
            .values()
            .flat_map(|engine| {
                engine.rules.iter().map(|rule| RuleExamples {
                    file: rule.file.clone(),
                    rule: rule.id.clone(),
                    language: engine.lang,
                    kind: match rule.kind {
                        RuleKind::Finding => "finding",
                        RuleKind::GoodMove => "good_move",
                        RuleKind::Signal => "signal",
                    },
                    category: rule.category.clone(),
                    seeds: rule.seeds.clone(),
                    examples: rule.examples.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// The English pack alone, so unit tests do not depend on packs being written concurrently.
    pub fn english() -> Coach {
        let en: Vec<(&str, &str)> = builtin_packs()
            .iter()
            .filter(|(file, _)| *file == "en.toml")
            .copied()
            .collect();
        Coach::from_packs(&en).expect("the English pack loads")
    }
}
