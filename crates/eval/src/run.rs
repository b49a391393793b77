//! Running the coach over the outside sets and the suite, and counting.

use std::collections::BTreeMap;
use std::path::Path;

use coach::{Analysis, AnalyzeInput, Coach, Level, LintInput, LintReport, PromiseKind};
use text::Lang;

use crate::datasets::{DATA_SETS, DataSet, Task};
use crate::error::EvalError;
use crate::metrics::Counts;
use crate::report::{EvalReport, Measurement, Miss, SetUsage};
use crate::split::Half;
use crate::suite::{LanguageSuite, SuiteMessage, SuiteReply, read_suites};
use crate::table::{field_text, read_rows};

/// How much of the outside data a run uses and what it keeps besides the counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Caps the rows used from each outside set (evenly spaced over the file, so sorted files
    /// still give both labels).
    pub limit_per_set: Option<usize>,
    /// The development half, the test half, or every row of each outside set.
    pub half: Half,
    /// Keep every wrongly answered outside row (text and the rules that fired) in the report.
    pub misses: bool,
}

/// Runs the whole evaluation over every row; see [`run_with`].
pub fn run(
    evaldata_dir: &Path,
    suite_dir: &Path,
    coach: &Coach,
    limit_per_set: Option<usize>,
) -> Result<EvalReport, EvalError> {
    let options = Options {
        limit_per_set,
        ..Options::default()
    };
    run_with(evaldata_dir, suite_dir, coach, &options)
}

/// Runs the whole evaluation; the suite is always complete, the outside sets as `options` say.
/// Outside sets whose file is missing are skipped and listed in the report.
pub fn run_with(
    evaldata_dir: &Path,
    suite_dir: &Path,
    coach: &Coach,
    options: &Options,
) -> Result<EvalReport, EvalError> {
    let suites = read_suites(suite_dir)?;
    check_suite_categories(suite_dir, &suites)?;
    let outside = evaluate_outside_sets(evaldata_dir, coach, options)?;

    let mut suite_languages = LanguagePairs::default();
    let mut suite_messages = Vec::new();
    let mut suite_lint = Vec::new();
    for suite in &suites {
        suite_messages.extend(evaluate_messages(suite, coach, &mut suite_languages));
        suite_lint.extend(evaluate_replies(suite, coach, &mut suite_languages));
    }

    let mut language_id = outside.languages.measurements("outside sets");
    language_id.extend(suite_languages.measurements("suite"));
    language_id.extend(outside.per_set_languages);
    Ok(EvalReport {
        limit_per_set: options.limit_per_set,
        half: options.half,
        sets: outside.sets,
        language_id,
        detection: outside.detection,
        suite_messages,
        suite_lint,
        misses: outside.misses,
    })
}

struct OutsideResults {
    sets: Vec<SetUsage>,
    /// Per set, then a pooled `all sets` row after each language's sets.
    detection: Vec<Measurement>,
    languages: LanguagePairs,
    per_set_languages: Vec<Measurement>,
    misses: Vec<Miss>,
}

fn evaluate_outside_sets(
    evaldata_dir: &Path,
    coach: &Coach,
    options: &Options,
) -> Result<OutsideResults, EvalError> {
    let mut results = OutsideResults {
        sets: Vec::new(),
        detection: Vec::new(),
        languages: LanguagePairs::default(),
        per_set_languages: Vec::new(),
        misses: Vec::new(),
    };
    let mut pooled: BTreeMap<(Task, Lang), Counts> = BTreeMap::new();
    for set in DATA_SETS {
        let path = evaldata_dir.join(set.path);
        let mut usage = SetUsage {
            name: set.name.to_owned(),
            lang: set.lang,
            path: set.path.to_owned(),
            rows: None,
            evaluated: 0,
        };
        if path.is_file() {
            let rows = read_rows(&path, set.format)?;
            usage.rows = Some(rows.len());
            let rows: Vec<_> = rows
                .into_iter()
                .filter(|row| {
                    field_text(row, set.text_field).is_some_and(|t| options.half.keeps(&t))
                })
                .collect();
            let mut set_languages = LanguagePairs::default();
            let misses = options.misses.then_some(&mut results.misses);
            let (evaluated, counts) = evaluate_set(
                set,
                spread(&rows, options.limit_per_set),
                coach,
                &mut set_languages,
                misses,
            );
            usage.evaluated = evaluated;
            results
                .per_set_languages
                .extend(set_languages.measurements(set.name));
            results.languages.0.extend(set_languages.0);
            for ((task, _, mapping), counts) in set.labels.iter().zip(counts) {
                // A set with only positive gold (every CFPB narrative is a complaint) measures
                // recall alone; pooling it would inflate the language's precision.
                if counts.true_negative + counts.false_positive > 0 {
                    pooled.entry((*task, set.lang)).or_default().merge(&counts);
                }
                results.detection.push(Measurement::new(
                    set.lang,
                    task.as_str(),
                    set.name,
                    mapping,
                    counts,
                ));
            }
        }
        results.sets.push(usage);
    }
    let detection = &mut results.detection;
    detection.sort_by(|a, b| (&a.subject, a.lang, &a.set).cmp(&(&b.subject, b.lang, &b.set)));
    for ((task, lang), counts) in pooled {
        let at = detection
            .iter()
            .rposition(|m| m.subject == task.as_str() && m.lang == lang)
            .map_or(detection.len(), |i| i + 1);
        detection.insert(
            at,
            Measurement::new(lang, task.as_str(), "all sets", "", counts),
        );
    }
    Ok(results)
}

/// At most `limit` items, evenly spaced over the slice.
fn spread<T>(items: &[T], limit: Option<usize>) -> Vec<&T> {
    match limit {
        Some(limit) if limit < items.len() => (0..limit)
            .map(|i| &items[i * items.len() / limit])
            .collect(),
        _ => items.iter().collect(),
    }
}

fn evaluate_set(
    set: &DataSet,
    rows: Vec<&crate::table::Row>,
    coach: &Coach,
    languages: &mut LanguagePairs,
    mut misses: Option<&mut Vec<Miss>>,
) -> (usize, Vec<Counts>) {
    let mut counts = vec![Counts::default(); set.labels.len()];
    let mut evaluated = 0;
    for row in rows {
        let Some(text) = field_text(row, set.text_field).filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        evaluated += 1;
        let analysis = coach.analyze(&AnalyzeInput {
            text: text.clone().into_owned(),
            language: None,
        });
        if is_sentence_length(&text) {
            languages.add(set.lang, analysis.language);
        }
        for ((task, rule, _), counts) in set.labels.iter().zip(&mut counts) {
            if let Some(gold) = rule(row) {
                let answer = answers(*task, &analysis);
                counts.add(gold, answer);
                if let Some(misses) = misses.as_deref_mut().filter(|_| gold != answer) {
                    misses.push(Miss {
                        lang: set.lang,
                        set: set.name.to_owned(),
                        task: *task,
                        gold,
                        text: text.clone().into_owned(),
                        rules: analysis.signals.iter().map(|s| s.rule.clone()).collect(),
                    });
                }
            }
        }
    }
    (evaluated, counts)
}

fn answers(task: Task, analysis: &Analysis) -> bool {
    match task {
        Task::Complaint => analysis.complaint,
        Task::Anger => is_angry(analysis.level),
        Task::Abuse => analysis.abuse,
    }
}

fn is_angry(level: Level) -> bool {
    matches!(level, Level::Angry | Level::Furious)
}

/// At least 4 words and 20 characters, or 8 Han characters: a sentence, not a one-word line.
fn is_sentence_length(text: &str) -> bool {
    let han = text
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count();
    han >= 8 || (text.chars().count() >= 20 && text.split_whitespace().count() >= 4)
}

/// (gold, detected) language pairs, turned into one-vs-rest counts per language.
#[derive(Default)]
struct LanguagePairs(Vec<(Lang, Lang)>);

impl LanguagePairs {
    fn add(&mut self, gold: Lang, detected: Lang) {
        self.0.push((gold, detected));
    }

    fn measurements(&self, set: &str) -> Vec<Measurement> {
        Lang::ALL
            .into_iter()
            .filter(|lang| self.0.iter().any(|(gold, _)| gold == lang))
            .map(|lang| {
                let mut counts = Counts::default();
                for &(gold, detected) in &self.0 {
                    counts.add(gold == lang, detected == lang);
                }
                Measurement::new(lang, "language", set, "", counts)
            })
            .collect()
    }
}

type MessageField = (
    &'static str,
    fn(&SuiteMessage) -> bool,
    fn(&Analysis) -> bool,
);

const MESSAGE_FIELDS: &[MessageField] = &[
    ("complaint", |m| m.complaint, |a| a.complaint),
    (
        "anger (angry or furious)",
        |m| m.level == "angry" || m.level == "furious",
        |a| is_angry(a.level),
    ),
    (
        "annoyed or worse",
        |m| m.level != "calm",
        |a| a.level != Level::Calm,
    ),
    ("threat", |m| m.threat, |a| a.threat),
    ("abuse", |m| m.abuse, |a| a.abuse),
    ("churn_risk", |m| m.churn_risk, |a| a.churn_risk),
    (
        "public_exposure",
        |m| m.public_exposure,
        |a| a.public_exposure,
    ),
];

/// Customer messages are analysed without a language hint, as a message arriving from outside.
fn evaluate_messages(
    suite: &LanguageSuite,
    coach: &Coach,
    languages: &mut LanguagePairs,
) -> Vec<Measurement> {
    let analyses: Vec<Analysis> = suite
        .messages
        .iter()
        .map(|message| {
            coach.analyze(&AnalyzeInput {
                text: message.text.clone(),
                language: None,
            })
        })
        .collect();
    for analysis in &analyses {
        languages.add(suite.lang, analysis.language);
    }
    let pairs = || suite.messages.iter().zip(&analyses);
    let mut measurements: Vec<Measurement> = MESSAGE_FIELDS
        .iter()
        .map(|(name, gold, predicted)| {
            let mut counts = Counts::default();
            for (message, analysis) in pairs() {
                counts.add(gold(message), predicted(analysis));
            }
            Measurement::new(suite.lang, name, "suite", "", counts)
        })
        .collect();
    for demand in coach::vocab::DEMANDS {
        let mut counts = Counts::default();
        for (message, analysis) in pairs() {
            counts.add(
                message.demands.iter().any(|d| d == demand),
                analysis.demands.iter().any(|d| d == demand),
            );
        }
        if counts.positives() + counts.false_positive > 0 {
            measurements.push(Measurement::new(
                suite.lang,
                &format!("demand: {demand}"),
                "suite",
                "",
                counts,
            ));
        }
    }
    measurements
}

/// Findings or good moves: the vocabulary and the coach's answer. The suite's labels are read
/// as one set per reply (findings and good moves together), because the category names are
/// unique across both lists and a category filed under the wrong list still names what must be
/// found.
struct LintKind {
    name: &'static str,
    categories: &'static [&'static str],
    found: fn(&LintReport) -> Vec<&str>,
}

const LINT_KINDS: [LintKind; 2] = [
    LintKind {
        name: "finding",
        categories: coach::vocab::FINDINGS,
        found: |report| {
            report
                .findings
                .iter()
                .map(|f| f.category.as_str())
                .collect()
        },
    },
    LintKind {
        name: "good_move",
        categories: coach::vocab::GOOD_MOVES,
        found: |report| {
            report
                .good_moves
                .iter()
                .map(|g| g.category.as_str())
                .collect()
        },
    },
];

fn labelled(reply: &SuiteReply) -> impl Iterator<Item = &String> {
    reply.findings.iter().chain(&reply.good_moves)
}

/// Replies are linted with the suite's language as the hint, as the app knows the conversation's
/// language; the detected language still counts for language id.
fn evaluate_replies(
    suite: &LanguageSuite,
    coach: &Coach,
    languages: &mut LanguagePairs,
) -> Vec<Measurement> {
    let reports: Vec<LintReport> = suite
        .replies
        .iter()
        .map(|reply| {
            languages.add(suite.lang, text::detect(&reply.text).lang);
            coach.lint(&LintInput {
                text: reply.text.clone(),
                language: Some(suite.lang),
                context: reply.context.clone(),
                ..LintInput::default()
            })
        })
        .collect();
    let pairs = || suite.replies.iter().zip(&reports);
    let mut measurements = Vec::new();
    for kind in LINT_KINDS {
        for category in kind.categories {
            let mut counts = Counts::default();
            for (reply, report) in pairs() {
                counts.add(
                    labelled(reply).any(|c| c == category),
                    (kind.found)(report).contains(category),
                );
            }
            measurements.push(Measurement::new(
                suite.lang, category, "suite", kind.name, counts,
            ));
        }
    }
    let mut promises = Counts::default();
    for (reply, report) in pairs() {
        if let Some(expected) = &reply.promises {
            count_promises(expected, report, &mut promises);
        }
    }
    measurements.push(Measurement::new(
        suite.lang,
        "promises (kind and duration)",
        "suite",
        "promise",
        promises,
    ));
    measurements
}

/// Matches expected promises to found ones by kind and duration, each found promise once.
fn count_promises(
    expected: &[crate::suite::SuitePromise],
    report: &LintReport,
    counts: &mut Counts,
) {
    let mut unmatched: Vec<(&str, Option<u64>)> = report
        .promises
        .iter()
        .map(|p| (promise_kind(p.kind), p.within_seconds))
        .collect();
    for promise in expected {
        match unmatched
            .iter()
            .position(|&(kind, within)| kind == promise.kind && within == promise.within_seconds)
        {
            Some(index) => {
                unmatched.swap_remove(index);
                counts.true_positive += 1;
            }
            None => counts.false_negative += 1,
        }
    }
    counts.false_positive += unmatched.len() as u64;
}

fn promise_kind(kind: PromiseKind) -> &'static str {
    match kind {
        PromiseKind::Callback => "callback",
        PromiseKind::Answer => "answer",
    }
}

/// A category the coach does not know can never be found: refuse it rather than report a
/// silent zero recall.
fn check_suite_categories(suite_dir: &Path, suites: &[LanguageSuite]) -> Result<(), EvalError> {
    for suite in suites {
        let file = suite_dir.join(suite.lang.as_str()).join("replies.jsonl");
        for reply in &suite.replies {
            for category in labelled(reply) {
                let known = coach::vocab::FINDINGS
                    .iter()
                    .chain(coach::vocab::GOOD_MOVES)
                    .any(|c| c == category);
                if !known {
                    return Err(EvalError::UnknownCategory {
                        path: file,
                        id: reply.id.clone(),
                        category: category.clone(),
                    });
                }
            }
        }
        let file = suite_dir.join(suite.lang.as_str()).join("messages.jsonl");
        for message in &suite.messages {
            if let Some(demand) = message
                .demands
                .iter()
                .find(|d| !coach::vocab::DEMANDS.contains(&d.as_str()))
            {
                return Err(EvalError::UnknownCategory {
                    path: file,
                    id: message.id.clone(),
                    category: demand.clone(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::SuitePromise;

    #[test]
    fn spread_takes_evenly_spaced_items() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(spread(&items, Some(5)), [&0, &2, &4, &6, &8]);
        assert_eq!(spread(&items, None).len(), 10);
        assert_eq!(spread(&items, Some(50)).len(), 10);
        assert!(spread(&items, Some(0)).is_empty());
    }

    #[test]
    fn sentence_length_rule() {
        assert!(is_sentence_length("I have been waiting for weeks"));
        assert!(!is_sentence_length("ok thanks"));
        assert!(is_sentence_length("我要退款这个订单还没"));
        assert!(!is_sentence_length("我要退款"));
    }

    #[test]
    fn language_pairs_are_one_vs_rest_per_gold_language() {
        let mut pairs = LanguagePairs::default();
        pairs.add(Lang::Ro, Lang::Ro);
        pairs.add(Lang::Ro, Lang::En);
        pairs.add(Lang::En, Lang::En);
        let measurements = pairs.measurements("x");
        assert_eq!(measurements.len(), 2);
        let en = measurements.iter().find(|m| m.lang == Lang::En).unwrap();
        assert_eq!(en.counts.true_positive, 1);
        assert_eq!(en.counts.false_positive, 1);
        let ro = measurements.iter().find(|m| m.lang == Lang::Ro).unwrap();
        assert_eq!(ro.counts.false_negative, 1);
        assert_eq!(ro.scores.precision, Some(1.0));
    }

    fn promise(kind: PromiseKind, within_seconds: Option<u64>) -> coach::Promise {
        coach::Promise {
            kind,
            within_seconds,
            start: 0,
            end: 1,
            due_at: None,
        }
    }

    #[test]
    fn promises_match_by_kind_and_duration_once_each() {
        let report = LintReport {
            language: Lang::En,
            findings: vec![],
            good_moves: vec![],
            promises: vec![
                promise(PromiseKind::Callback, Some(600)),
                promise(PromiseKind::Answer, Some(3600)),
            ],
        };
        let expected = [
            SuitePromise {
                kind: "callback".into(),
                within_seconds: Some(600),
            },
            SuitePromise {
                kind: "callback".into(),
                within_seconds: Some(600),
            },
        ];
        let mut counts = Counts::default();
        count_promises(&expected, &report, &mut counts);
        assert_eq!(
            (
                counts.true_positive,
                counts.false_negative,
                counts.false_positive
            ),
            (1, 1, 1)
        );
    }
}
