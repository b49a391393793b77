//! The evaluation result: JSON via serde, and Markdown tables for docs/COACH.md.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use text::Lang;

use crate::datasets::Task;
use crate::metrics::{Counts, Scores};
use crate::split::Half;

/// One binary measurement: how well the coach answered `subject` for `lang` on `set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub lang: Lang,
    /// The task, field or category measured (`complaint`, `abuse`, `apology_but`, ...).
    pub subject: String,
    /// The data set, `all sets` for a per-language pool, or `suite`.
    pub set: String,
    /// How the set's labels were mapped to yes/no.
    pub mapping: String,
    pub counts: Counts,
    pub scores: Scores,
}

impl Measurement {
    pub fn new(lang: Lang, subject: &str, set: &str, mapping: &str, counts: Counts) -> Self {
        Measurement {
            lang,
            subject: subject.to_owned(),
            set: set.to_owned(),
            mapping: mapping.to_owned(),
            scores: Scores::from(&counts),
            counts,
        }
    }
}

/// A data set the run looked for, and how many labelled rows it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetUsage {
    pub name: String,
    pub lang: Lang,
    pub path: String,
    /// Rows read from the file (None: the file is not there, the set was skipped).
    pub rows: Option<usize>,
    /// Rows evaluated after `limit_per_set`.
    pub evaluated: usize,
}

/// An outside row the coach answered wrongly, for reading errors on the development half.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Miss {
    pub lang: Lang,
    pub set: String,
    pub task: Task,
    /// The gold label; the coach answered the opposite.
    pub gold: bool,
    pub text: String,
    /// Rule ids of the signals the coach found (cues included).
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub limit_per_set: Option<usize>,
    /// The half of each outside set the numbers come from.
    #[serde(default)]
    pub half: Half,
    pub sets: Vec<SetUsage>,
    /// Per language, over the outside sets (sentence-length texts) and over the suite.
    pub language_id: Vec<Measurement>,
    /// Complaint, anger and abuse on outside data: per set and pooled per language.
    pub detection: Vec<Measurement>,
    /// Customer-message fields on the coach's suite.
    pub suite_messages: Vec<Measurement>,
    /// Every finding, good-move category and promises on the coach's suite.
    pub suite_lint: Vec<Measurement>,
    /// Wrongly answered outside rows, when the run was asked to keep them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub misses: Vec<Miss>,
}

/// VADER reference points from issue 3 (compound < 0.05 counted as negative), English only.
pub const VADER_AIRLINE_NEGATIVE_F1: f64 = 0.67;
pub const VADER_COMPLAINT_TWEETS_F1: f64 = 0.55;

impl EvalReport {
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let limit = match self.limit_per_set {
            Some(limit) => format!("at most {limit} rows per set (evenly spaced)"),
            None => "every row".to_owned(),
        };
        let half = match self.half {
            Half::All => "",
            Half::Dev => ", development half only (rows whose text has an even FNV-1a hash)",
            Half::Test => ", test half only (rows whose text has an odd FNV-1a hash)",
        };
        let _ = writeln!(out, "Rows used: {limit}{half}.\n");

        let _ = writeln!(out, "#### Summary per language\n");
        self.write_summary(&mut out);

        let _ = writeln!(out, "#### Language identification\n");
        let _ = writeln!(
            out,
            "Outside sets: texts of at least 4 words and 20 characters, or 8 Han characters; the \
             gold language is the set's language, so English lines inside a Tagalog or Greek set \
             count against the detector. In per-set rows, recall is the share of the set's \
             texts detected as the set's language.\n"
        );
        table(&mut out, &self.language_id, false);

        let _ = writeln!(out, "\n#### Complaint, anger and abuse on outside data\n");
        let _ = writeln!(
            out,
            "Complaint = the coach's `complaint`; anger = `level` angry or furious; abuse = `abuse`. \
             Rows with set `all sets` pool every set of that language that has both labels. English complaint F1 \
             compares with VADER (compound < 0.05 as negative): {VADER_AIRLINE_NEGATIVE_F1} on \
             airline-tweet negatives, {VADER_COMPLAINT_TWEETS_F1} on complaint tweets.\n"
        );
        table(&mut out, &self.detection, true);

        let _ = writeln!(out, "\n#### Customer messages on the coach's suite\n");
        table(&mut out, &self.suite_messages, false);

        let _ = writeln!(
            out,
            "\n#### Reply lint on the coach's suite (per category)\n"
        );
        let measured: Vec<Measurement> = self
            .suite_lint
            .iter()
            .filter(|m| m.counts.positives() + m.counts.false_positive > 0)
            .cloned()
            .collect();
        table(&mut out, &measured, false);

        let missing: Vec<&str> = self
            .sets
            .iter()
            .filter(|s| s.rows.is_none())
            .map(|s| s.path.as_str())
            .collect();
        if !missing.is_empty() {
            let _ = writeln!(out, "\nSets not found (skipped): {}", missing.join(", "));
        }
        out
    }
}

impl EvalReport {
    /// One line per language: F1 of language id (outside sets, suite), F1 of complaint, anger
    /// and abuse pooled over outside sets, and the suite lint: summed counts over all categories
    /// and how many categories with gold examples meet precision ≥ 0.95 and recall ≥ 0.90.
    fn write_summary(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "| lang | language F1 (outside / suite) | complaint F1 | anger F1 | abuse F1 | lint P / R (all categories) | lint categories at P≥0.95, R≥0.90 |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---|---:|");
        for lang in Lang::ALL {
            let language =
                |set: &str| find(&self.language_id, lang, "language", set).map(|m| m.scores.f1);
            let pooled = |task: &str| {
                find(&self.detection, lang, task, "all sets")
                    .map_or("–".to_owned(), |m| score(m.scores.f1))
            };
            let lint: Vec<&Measurement> =
                self.suite_lint.iter().filter(|m| m.lang == lang).collect();
            let mut total = Counts::default();
            for m in lint.iter().filter(|m| m.mapping != "promise") {
                total.merge(&m.counts);
            }
            let with_gold: Vec<&&Measurement> =
                lint.iter().filter(|m| m.counts.positives() > 0).collect();
            let meeting = with_gold
                .iter()
                .filter(|m| {
                    m.scores.precision.unwrap_or(0.0) >= 0.95
                        && m.scores.recall.unwrap_or(0.0) >= 0.90
                })
                .count();
            let _ = writeln!(
                out,
                "| {lang} | {} / {} | {} | {} | {} | {} / {} | {meeting} of {} |",
                language("outside sets").map_or("–".to_owned(), score),
                language("suite").map_or("–".to_owned(), score),
                pooled("complaint"),
                pooled("anger"),
                pooled("abuse"),
                score(total.precision()),
                score(total.recall()),
                with_gold.len(),
            );
        }
        let _ = writeln!(out);
    }
}

fn find<'m>(
    rows: &'m [Measurement],
    lang: Lang,
    subject: &str,
    set: &str,
) -> Option<&'m Measurement> {
    rows.iter()
        .find(|m| m.lang == lang && m.subject == subject && m.set == set)
}

fn table(out: &mut String, rows: &[Measurement], with_mapping: bool) {
    let mapping_head = if with_mapping { " labels |" } else { "" };
    let mapping_rule = if with_mapping { "---|" } else { "" };
    let _ = writeln!(
        out,
        "| lang | measure | set | n | gold yes | precision | recall | F1 |{mapping_head}"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---:|{mapping_rule}");
    for row in rows {
        let mapping = if with_mapping {
            format!(" {} |", row.mapping)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |{mapping}",
            row.lang,
            row.subject,
            row.set,
            row.counts.total(),
            row.counts.positives(),
            score(row.scores.precision),
            score(row.scores.recall),
            score(row.scores.f1),
        );
    }
}

fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> EvalReport {
        let mut counts = Counts::default();
        counts.add(true, true);
        counts.add(false, true);
        EvalReport {
            limit_per_set: Some(100),
            half: Half::Test,
            sets: vec![SetUsage {
                name: "x".into(),
                lang: Lang::Ro,
                path: "x/held_out.csv".into(),
                rows: None,
                evaluated: 0,
            }],
            language_id: vec![Measurement::new(
                Lang::Ro,
                "language",
                "outside sets",
                "",
                counts,
            )],
            detection: vec![Measurement::new(
                Lang::Ro,
                "complaint",
                "laroseda",
                "1–2 stars vs 4–5 stars",
                counts,
            )],
            suite_messages: vec![],
            suite_lint: vec![Measurement::new(
                Lang::El,
                "apology_but",
                "suite",
                "finding",
                Counts::default(),
            )],
            misses: vec![Miss {
                lang: Lang::Ro,
                set: "laroseda".into(),
                task: Task::Complaint,
                gold: true,
                text: "nu a venit".into(),
                rules: vec![],
            }],
        }
    }

    #[test]
    fn markdown_has_rows_scores_and_skipped_sets() {
        let markdown = report().to_markdown();
        assert!(markdown.contains("| ro | complaint | laroseda | 2 | 1 | 0.500 | 1.000 | 0.667 | 1–2 stars vs 4–5 stars |"), "{markdown}");
        assert!(markdown.contains("at most 100 rows per set (evenly spaced), test half only"));
        assert!(
            markdown.contains("| ro | 0.667 / – | – | – | – | – / – | 0 of 0 |"),
            "{markdown}"
        );
        assert!(markdown.contains("Sets not found (skipped): x/held_out.csv"));
        // A category with no gold and no predictions has nothing to show.
        assert!(!markdown.contains("apology_but"));
    }

    #[test]
    fn json_round_trip() {
        let report = report();
        let json = serde_json::to_string(&report).unwrap();
        let back: EvalReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        assert!(json.contains("\"lang\":\"ro\""));
    }
}
