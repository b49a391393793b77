//! Runs the coach over every labelled suite file present (crates/coach/suite/<lang>/) and prints
//! per-language, per-category precision and recall. Thresholds (precision ≥ 0.95, recall ≥ 0.90)
//! are asserted only where a category has at least MIN_SUPPORT labelled positives in that
//! language: with fewer, one example moves recall by more than the allowed 10 points.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use coach::{AnalyzeInput, Coach, LintInput, Turn};
use serde::Deserialize;
use text::Lang;

const MIN_SUPPORT: usize = 5;
const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.90;

#[derive(Deserialize)]
struct ReplyCase {
    id: String,
    text: String,
    #[serde(default)]
    context: Vec<Turn>,
    #[serde(default)]
    findings: Vec<String>,
    #[serde(default)]
    good_moves: Vec<String>,
    #[serde(default)]
    promises: Vec<ExpectedPromise>,
}

#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct ExpectedPromise {
    kind: String,
    within_seconds: Option<u64>,
}

#[derive(Deserialize)]
struct MessageCase {
    id: String,
    text: String,
    #[serde(default)]
    language: Option<Lang>,
    complaint: bool,
    level: String,
    threat: bool,
    abuse: bool,
    churn_risk: bool,
    public_exposure: bool,
    #[serde(default)]
    demands: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Count {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Count {
    fn add(&mut self, expected: bool, found: bool) {
        match (expected, found) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    fn support(&self) -> usize {
        self.tp + self.fn_
    }
}

fn suite_dirs() -> Vec<(Lang, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("suite");
    let mut dirs: Vec<(Lang, PathBuf)> = fs::read_dir(&root)
        .expect("suite folder exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let lang: Lang = path.file_name()?.to_str()?.parse().ok()?;
            Some((lang, path))
        })
        .collect();
    dirs.sort();
    dirs
}

fn lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Vec<T> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}

type Table = BTreeMap<(Lang, String), Count>;

fn run_replies(coach: &Coach, lang: Lang, dir: &Path, table: &mut Table, misses: &mut Vec<String>) {
    for case in lines::<ReplyCase>(&dir.join("replies.jsonl")) {
        let report = coach.lint(&LintInput {
            text: case.text.clone(),
            language: Some(lang),
            context: case.context.clone(),
            ..LintInput::default()
        });
        let expected: BTreeSet<&str> = case
            .findings
            .iter()
            .chain(&case.good_moves)
            .map(String::as_str)
            .collect();
        let found: BTreeSet<&str> = report
            .findings
            .iter()
            .map(|f| f.category.as_str())
            .chain(report.good_moves.iter().map(|g| g.category.as_str()))
            .collect();
        for category in expected.union(&found) {
            let (e, f) = (expected.contains(category), found.contains(category));
            table
                .entry((lang, category.to_string()))
                .or_default()
                .add(e, f);
            if e != f {
                misses.push(format!(
                    "{} {}: {category}: {}",
                    case.id,
                    if e { "MISSED" } else { "FALSE" },
                    case.text
                ));
            }
        }
        let mut want: Vec<ExpectedPromise> = case.promises;
        want.sort();
        let mut got: Vec<ExpectedPromise> = report
            .promises
            .iter()
            .map(|p| ExpectedPromise {
                kind: serde_json::to_value(p.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
                within_seconds: p.within_seconds,
            })
            .collect();
        got.sort();
        let count = table
            .entry((lang, "promise (kind+duration)".into()))
            .or_default();
        for p in &got {
            count.add(want.contains(p), true);
        }
        for p in &want {
            if !got.contains(p) {
                count.add(true, false);
                misses.push(format!("{} MISSED promise {p:?}: {}", case.id, case.text));
            }
        }
    }
}

fn run_messages(
    coach: &Coach,
    lang: Lang,
    dir: &Path,
    table: &mut Table,
    misses: &mut Vec<String>,
) {
    for case in lines::<MessageCase>(&dir.join("messages.jsonl")) {
        let analysis = coach.analyze(&AnalyzeInput {
            text: case.text.clone(),
            language: Some(lang),
        });
        let mut check = |name: &str, expected: bool, found: bool| {
            table
                .entry((lang, name.to_owned()))
                .or_default()
                .add(expected, found);
            if expected != found {
                misses.push(format!(
                    "{} {}: {name}: {}",
                    case.id,
                    if expected { "MISSED" } else { "FALSE" },
                    case.text
                ));
            }
        };
        check("msg:complaint", case.complaint, analysis.complaint);
        check("msg:threat", case.threat, analysis.threat);
        check("msg:abuse", case.abuse, analysis.abuse);
        check("msg:churn_risk", case.churn_risk, analysis.churn_risk);
        check(
            "msg:public_exposure",
            case.public_exposure,
            analysis.public_exposure,
        );
        check(
            "msg:angry_or_furious",
            matches!(case.level.as_str(), "angry" | "furious"),
            analysis.level >= coach::Level::Angry,
        );
        let language_ok = case.language.is_none_or(|l| l == analysis.language);
        check("msg:language", true, language_ok);
        for demand in coach::vocab::DEMANDS {
            let (e, f) = (
                case.demands.iter().any(|d| d == demand),
                analysis.demands.iter().any(|d| d == demand),
            );
            if e || f {
                check(&format!("msg:demand:{demand}"), e, f);
            }
        }
    }
}

#[test]
fn suite_precision_and_recall() {
    let coach = common::loadable_builtin();
    let languages = coach.languages();
    let mut table = Table::new();
    let mut misses = Vec::new();
    for (lang, dir) in suite_dirs() {
        if !languages.contains(&lang) {
            println!("suite/{lang}: no pack for this language yet, skipped");
            continue;
        }
        run_replies(&coach, lang, &dir, &mut table, &mut misses);
        run_messages(&coach, lang, &dir, &mut table, &mut misses);
    }
    println!(
        "{:<8} {:<34} {:>7} {:>9} {:>6}  asserted",
        "lang", "category", "support", "precision", "recall"
    );
    let mut failures = Vec::new();
    for ((lang, category), count) in &table {
        let asserted = count.support() >= MIN_SUPPORT;
        println!(
            "{:<8} {:<34} {:>7} {:>9.2} {:>6.2}  {}",
            lang.as_str(),
            category,
            count.support(),
            count.precision(),
            count.recall(),
            if asserted { "yes" } else { "no (support < 5)" }
        );
        if asserted && (count.precision() < MIN_PRECISION || count.recall() < MIN_RECALL) {
            failures.push(format!(
                "{lang} {category}: precision {:.2}, recall {:.2}",
                count.precision(),
                count.recall()
            ));
        }
    }
    println!("\nmisclassified:\n{}", misses.join("\n"));
    assert!(
        failures.is_empty(),
        "below threshold:\n{}",
        failures.join("\n")
    );
}
