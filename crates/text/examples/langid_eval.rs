//! Measures language-id accuracy on real, outsider-written text in /work/shared/evaldata.
//!
//! cargo run --release -p text --example langid_eval -- [EVALDATA_DIR] [--errors N] [--all-lengths]
//!
//! "Sentence-length" sample: each text is cut to its first 300 characters (at a space) and kept
//! only if it then has at least 20 characters and at least 4 words (Latin/Greek) or 8 Han
//! characters. `--all-lengths` also reports every text, however short.
//!
//! Columns: accuracy over all texts; "sure" = share of texts detected with confidence >= 0.5
//! (below that, callers fall back on the hint), "sure-acc" = accuracy on those.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use text::{Detection, Lang, detect};

enum Format {
    /// JSON Lines, text in this field.
    Jsonl(&'static str),
    /// CSV with a header, text in this column.
    Csv(&'static str),
    /// Tab-separated, no quoting; text in this column index; skip a header line if present.
    Tsv { column: usize, header: bool },
}

struct Source {
    lang: Lang,
    path: &'static str,
    format: Format,
}

const SOURCES: &[Source] = &[
    Source {
        lang: Lang::Ro,
        path: "laroseda_ro/laroseda_train.jsonl",
        format: Format::Jsonl("content"),
    },
    Source {
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv1/train.csv",
        format: Format::Csv("Tweet"),
    },
    Source {
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv2/valid.jsonl",
        format: Format::Jsonl("text"),
    },
    Source {
        lang: Lang::Ro,
        path: "romanian_offensive/ro_offense_train.csv",
        format: Format::Csv("text"),
    },
    Source {
        lang: Lang::Ro,
        path: "xed_emotions/ro-projections.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
    Source {
        lang: Lang::El,
        path: "greek_sentiment_mp_tweets/cardiffnlp_gr_900.csv",
        format: Format::Csv("full_text"),
    },
    Source {
        lang: Lang::El,
        path: "xed_emotions/el-projections.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
    Source {
        lang: Lang::ZhHans,
        path: "chinese_sophonplus/waimai_10k.csv",
        format: Format::Csv("review"),
    },
    Source {
        lang: Lang::ZhHans,
        path: "chinese_emotion_clue/valid.jsonl",
        format: Format::Jsonl("content"),
    },
    Source {
        lang: Lang::ZhHans,
        path: "chinese_offensive/COLD_dev.csv",
        format: Format::Csv("TEXT"),
    },
    Source {
        lang: Lang::ZhHans,
        path: "xed_emotions/cn-projections.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
    Source {
        lang: Lang::ZhHant,
        path: "xed_emotions/tw-projections.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
    Source {
        lang: Lang::ZhHant,
        path: "xed_emotions/zh-projections.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
    Source {
        lang: Lang::Tl,
        path: "filipino_shopee_reviews/shopee_reviews_train.csv",
        format: Format::Csv("text"),
    },
    Source {
        lang: Lang::Tl,
        path: "filipino_hatespeech/train.csv",
        format: Format::Csv("text"),
    },
    Source {
        lang: Lang::En,
        path: "goemotions_ed_glean/goemotions_dev.tsv",
        format: Format::Tsv {
            column: 0,
            header: true,
        },
    },
    Source {
        lang: Lang::En,
        path: "goemotions_ed_glean/empatheticdialogues_dev.tsv",
        format: Format::Tsv {
            column: 0,
            header: true,
        },
    },
    Source {
        lang: Lang::En,
        path: "cfpb_complaints/cfpb_sample_product_narrative.csv",
        format: Format::Csv("Consumer complaint narrative"),
    },
    Source {
        lang: Lang::En,
        path: "xed_emotions/en-annotated.tsv",
        format: Format::Tsv {
            column: 0,
            header: false,
        },
    },
];

const MAX_CHARS: usize = 300;
const MIN_CHARS: usize = 20;

fn read_texts(path: &Path, format: &Format) -> Result<Vec<String>, Box<dyn Error>> {
    let mut texts = Vec::new();
    match format {
        Format::Jsonl(field) => {
            for line in BufReader::new(File::open(path)?).lines() {
                let value: serde_json::Value = serde_json::from_str(&line?)?;
                if let Some(text) = value.get(*field).and_then(|v| v.as_str()) {
                    texts.push(text.to_owned());
                }
            }
        }
        Format::Csv(column) => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
            let headers = reader.headers()?.clone();
            let index = headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == *column)
                .ok_or_else(|| format!("{}: no column {column}", path.display()))?;
            for record in reader.records() {
                if let Some(text) = record?.get(index) {
                    texts.push(text.to_owned());
                }
            }
        }
        Format::Tsv { column, header } => {
            for (number, line) in BufReader::new(File::open(path)?).lines().enumerate() {
                let line = line?;
                if *header && number == 0 {
                    continue;
                }
                if let Some(text) = line.split('\t').nth(*column) {
                    texts.push(text.to_owned());
                }
            }
        }
    }
    Ok(texts)
}

/// The first `MAX_CHARS` characters, cut at a space so no word is split.
fn sentence_window(text: &str) -> &str {
    match text.char_indices().nth(MAX_CHARS) {
        None => text,
        Some((end, _)) => {
            let head = &text[..end];
            head.rfind(char::is_whitespace)
                .map_or(head, |space| &head[..space])
        }
    }
}

fn is_sentence_length(text: &str) -> bool {
    let han = text
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count();
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    han >= 8 || (text.chars().count() >= MIN_CHARS && words >= 4)
}

#[derive(Default)]
struct Tally {
    total: usize,
    correct: usize,
    /// Detections the detector itself was sure of (confidence >= CONFIDENT).
    confident: usize,
    confident_correct: usize,
    predicted: BTreeMap<&'static str, usize>,
}

/// The confidence below which callers are told to fall back on what they know (the hint).
const CONFIDENT: f32 = 0.5;

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl Tally {
    fn add(&mut self, expected: Lang, got: Detection) {
        self.total += 1;
        let correct = expected == got.lang;
        self.correct += usize::from(correct);
        if got.confidence >= CONFIDENT {
            self.confident += 1;
            self.confident_correct += usize::from(correct);
        }
        *self.predicted.entry(got.lang.as_str()).or_default() += 1;
    }

    fn line(&self) -> String {
        let predicted: Vec<String> = self
            .predicted
            .iter()
            .map(|(l, n)| format!("{l}:{n}"))
            .collect();
        format!(
            "{:>6} {:>7.2}%  {:>6.1}% {:>7.2}%  {}",
            self.total,
            percent(self.correct, self.total),
            percent(self.confident, self.total),
            percent(self.confident_correct, self.confident),
            predicted.join(" ")
        )
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut dir = PathBuf::from("/work/shared/evaldata");
    let mut show_errors = 0usize;
    let mut all_lengths = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--errors" => show_errors = args.next().ok_or("--errors needs a number")?.parse()?,
            "--all-lengths" => all_lengths = true,
            _ => dir = PathBuf::from(arg),
        }
    }
    let mut per_lang: BTreeMap<Lang, Tally> = BTreeMap::new();
    let mut per_lang_all: BTreeMap<Lang, Tally> = BTreeMap::new();
    println!(
        "{:<52} {:>6} {:>8}  {:>7} {:>8}  predicted",
        "source (sentence-length)", "n", "accuracy", "sure", "sure-acc"
    );
    for source in SOURCES {
        let path = dir.join(source.path);
        let texts = match read_texts(&path, &source.format) {
            Ok(texts) => texts,
            Err(error) => {
                println!("{:<52} skipped: {error}", source.path);
                continue;
            }
        };
        let mut tally = Tally::default();
        let mut errors = Vec::new();
        for text in &texts {
            let window = sentence_window(text.trim());
            let got = detect(window);
            per_lang_all
                .entry(source.lang)
                .or_default()
                .add(source.lang, got);
            if !is_sentence_length(window) {
                continue;
            }
            tally.add(source.lang, got);
            per_lang
                .entry(source.lang)
                .or_default()
                .add(source.lang, got);
            if got.lang != source.lang && errors.len() < show_errors {
                errors.push(format!(
                    "    [{} {:.2}] {}",
                    got.lang,
                    got.confidence,
                    window.replace('\n', " ")
                ));
            }
        }
        println!("{:<52} {}", source.path, tally.line());
        for error in errors {
            println!("{error}");
        }
    }
    println!("\nper language (sentence-length, pooled over sources)");
    for (lang, tally) in &per_lang {
        println!("{:<10} {}", lang.as_str(), tally.line());
    }
    if all_lengths {
        println!("\nper language (all lengths, including one-word lines)");
        for (lang, tally) in &per_lang_all {
            println!("{:<10} {}", lang.as_str(), tally.line());
        }
    }
    Ok(())
}
