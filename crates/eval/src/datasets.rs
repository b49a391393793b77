//! The outside data sets under evaldata/ and how each one's labels map onto the coach's
//! questions. Mappings follow each folder's SOURCE.md.

use serde::{Deserialize, Serialize};
use text::Lang;

use crate::table::{Format, Row, field_int, field_text};

/// A question the coach answers about a customer message, measured against outside labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// `complaint`: dissatisfaction (low stars, negative sentiment).
    Complaint,
    /// `level` angry or furious.
    Anger,
    /// `abuse`: insult, slur or profanity.
    Abuse,
}

impl Task {
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Complaint => "complaint",
            Task::Anger => "anger",
            Task::Abuse => "abuse",
        }
    }
}

/// Gold label of one row for one task; None when the row does not take part (3 stars, neutral,
/// empty label).
pub(crate) type LabelRule = fn(&Row) -> Option<bool>;

pub(crate) struct DataSet {
    pub name: &'static str,
    pub lang: Lang,
    pub path: &'static str,
    pub format: Format,
    pub text_field: &'static str,
    pub labels: &'static [(Task, LabelRule, &'static str)],
}

const XED_COLUMNS: Format = Format::Tsv {
    columns: &["text", "labels"],
    header: false,
};
const GLEAN_COLUMNS: Format = Format::Tsv {
    columns: &["text", "label"],
    header: true,
};

fn int_label(row: &Row, field: &str, positive: &[i64], negative: &[i64]) -> Option<bool> {
    let value = field_int(row, field)?;
    if positive.contains(&value) {
        Some(true)
    } else if negative.contains(&value) {
        Some(false)
    } else {
        None
    }
}

fn text_label(
    row: &Row,
    field: &str,
    positive: &[&str],
    negative: Option<&[&str]>,
) -> Option<bool> {
    let value = field_text(row, field)?;
    let value = value.trim();
    if positive.contains(&value) {
        Some(true)
    } else if negative.is_none_or(|negative| negative.contains(&value)) && !value.is_empty() {
        Some(false)
    } else {
        None
    }
}

fn stars_1_2_vs_4_5(row: &Row) -> Option<bool> {
    int_label(row, "starRating", &[1, 2], &[4, 5])
}

fn label_0_is_negative(row: &Row) -> Option<bool> {
    int_label(row, "label", &[0], &[1])
}

/// Shopee labels 0..4 are one to five stars.
fn shopee_stars(row: &Row) -> Option<bool> {
    int_label(row, "label", &[0, 1], &[3, 4])
}

fn greek_negative_vs_positive(row: &Row) -> Option<bool> {
    int_label(row, "label", &[-1], &[1])
}

const GOEMOTIONS_NEGATIVE: &[&str] = &[
    "anger",
    "annoyance",
    "disappointment",
    "disapproval",
    "disgust",
    "sadness",
    "grief",
    "remorse",
    "embarrassment",
    "fear",
    "nervousness",
];
const GOEMOTIONS_POSITIVE: &[&str] = &[
    "admiration",
    "amusement",
    "approval",
    "caring",
    "excitement",
    "gratitude",
    "joy",
    "love",
    "optimism",
    "pride",
    "relief",
];
const ED_NEGATIVE: &[&str] = &[
    "annoyed",
    "angry",
    "furious",
    "disappointed",
    "disgusted",
    "devastated",
    "sad",
    "lonely",
    "jealous",
    "embarrassed",
    "ashamed",
    "guilty",
    "afraid",
    "terrified",
    "anxious",
    "apprehensive",
];
const ED_POSITIVE: &[&str] = &[
    "impressed",
    "excited",
    "proud",
    "joyful",
    "content",
    "confident",
    "hopeful",
    "caring",
    "grateful",
    "trusting",
    "faithful",
];

fn goemotions_negative(row: &Row) -> Option<bool> {
    text_label(row, "label", GOEMOTIONS_NEGATIVE, Some(GOEMOTIONS_POSITIVE))
}

fn goemotions_anger(row: &Row) -> Option<bool> {
    text_label(row, "label", &["anger"], None)
}

fn empathetic_negative(row: &Row) -> Option<bool> {
    text_label(row, "label", ED_NEGATIVE, Some(ED_POSITIVE))
}

fn empathetic_anger(row: &Row) -> Option<bool> {
    text_label(row, "label", &["angry", "furious"], None)
}

/// Every CFPB narrative is a complaint: only recall is defined.
fn cfpb_is_complaint(row: &Row) -> Option<bool> {
    field_text(row, "Consumer complaint narrative")
        .filter(|text| !text.trim().is_empty())
        .map(|_| true)
}

/// XED labels are comma-separated numbers; 1 is anger.
fn xed_anger(row: &Row) -> Option<bool> {
    let labels = field_text(row, "labels")?;
    let numbers: Vec<&str> = labels.split(',').map(str::trim).collect();
    if numbers
        .iter()
        .any(|n| n.is_empty() || n.parse::<u8>().is_err())
    {
        return None;
    }
    Some(numbers.contains(&"1"))
}

fn red_v1_anger(row: &Row) -> Option<bool> {
    text_label(row, "Emotion", &["Furie"], None)
}

fn red_v2_anger(row: &Row) -> Option<bool> {
    let names = row.get("agreed_label_names")?.as_array()?;
    Some(names.iter().any(|name| name.as_str() == Some("Anger")))
}

fn clue_anger(row: &Row) -> Option<bool> {
    text_label(row, "label", &["anger"], None)
}

fn ro_offense_abusive(row: &Row) -> Option<bool> {
    text_label(
        row,
        "label",
        &["INSULT", "ABUSE", "PROFANITY"],
        Some(&["OTHER"]),
    )
}

fn news_ro_offensive(row: &Row) -> Option<bool> {
    int_label(row, "LABEL", &[1, 2, 3, 4], &[0])
}

fn label_1_is_positive(row: &Row) -> Option<bool> {
    int_label(row, "label", &[1], &[0])
}

fn toxicn_toxic(row: &Row) -> Option<bool> {
    int_label(row, "toxic", &[1], &[0])
}

pub(crate) const DATA_SETS: &[DataSet] = &[
    DataSet {
        name: "laroseda",
        lang: Lang::Ro,
        path: "laroseda_ro/laroseda_train.jsonl",
        format: Format::Jsonl,
        text_field: "content",
        labels: &[(Task::Complaint, stars_1_2_vs_4_5, "1–2 stars vs 4–5 stars")],
    },
    DataSet {
        name: "red_v1_train",
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv1/train.csv",
        format: Format::Csv,
        text_field: "Tweet",
        labels: &[(Task::Anger, red_v1_anger, "Furie vs other emotions")],
    },
    DataSet {
        name: "red_v1_val",
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv1/val.csv",
        format: Format::Csv,
        text_field: "Tweet",
        labels: &[(Task::Anger, red_v1_anger, "Furie vs other emotions")],
    },
    DataSet {
        name: "red_v1_test",
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv1/test.csv",
        format: Format::Csv,
        text_field: "Tweet",
        labels: &[(Task::Anger, red_v1_anger, "Furie vs other emotions")],
    },
    DataSet {
        name: "red_v2_valid",
        lang: Lang::Ro,
        path: "red_ro_emotions/REDv2/valid.jsonl",
        format: Format::Jsonl,
        text_field: "text",
        labels: &[(Task::Anger, red_v2_anger, "agreed label Anger vs not")],
    },
    DataSet {
        name: "ro_offense",
        lang: Lang::Ro,
        path: "romanian_offensive/ro_offense_train.csv",
        format: Format::Csv,
        text_field: "text",
        labels: &[(
            Task::Abuse,
            ro_offense_abusive,
            "INSULT/ABUSE/PROFANITY vs OTHER",
        )],
    },
    DataSet {
        name: "news_ro_offense",
        lang: Lang::Ro,
        path: "romanian_offensive/news_ro_offense_comments.csv",
        format: Format::Csv,
        text_field: "comment_text",
        labels: &[(Task::Abuse, news_ro_offensive, "LABEL 1–4 vs 0")],
    },
    DataSet {
        name: "xed_ro",
        lang: Lang::Ro,
        path: "xed_emotions/ro-projections.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "projected label 1 (anger) vs not")],
    },
    DataSet {
        name: "greek_mp_tweets",
        lang: Lang::El,
        path: "greek_sentiment_mp_tweets/cardiffnlp_gr_900.csv",
        format: Format::Csv,
        text_field: "full_text",
        labels: &[(
            Task::Complaint,
            greek_negative_vs_positive,
            "−1 vs 1 (neutral and x left out)",
        )],
    },
    DataSet {
        name: "xed_el",
        lang: Lang::El,
        path: "xed_emotions/el-projections.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "projected label 1 (anger) vs not")],
    },
    DataSet {
        name: "waimai",
        lang: Lang::ZhHans,
        path: "chinese_sophonplus/waimai_10k.csv",
        format: Format::Csv,
        text_field: "review",
        labels: &[(Task::Complaint, label_0_is_negative, "label 0 vs 1")],
    },
    DataSet {
        name: "clue_emotion",
        lang: Lang::ZhHans,
        path: "chinese_emotion_clue/valid.jsonl",
        format: Format::Jsonl,
        text_field: "content",
        labels: &[(Task::Anger, clue_anger, "anger vs other emotions")],
    },
    DataSet {
        name: "cold_dev",
        lang: Lang::ZhHans,
        path: "chinese_offensive/COLD_dev.csv",
        format: Format::Csv,
        text_field: "TEXT",
        labels: &[(Task::Abuse, label_1_is_positive, "offensive 1 vs 0")],
    },
    DataSet {
        name: "toxicn",
        lang: Lang::ZhHans,
        path: "chinese_offensive/ToxiCN_1.0.csv",
        format: Format::Csv,
        text_field: "content",
        labels: &[(Task::Abuse, toxicn_toxic, "toxic 1 vs 0")],
    },
    DataSet {
        name: "xed_cn",
        lang: Lang::ZhHans,
        path: "xed_emotions/cn-projections.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "projected label 1 (anger) vs not")],
    },
    DataSet {
        name: "xed_tw",
        lang: Lang::ZhHant,
        path: "xed_emotions/tw-projections.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "projected label 1 (anger) vs not")],
    },
    DataSet {
        name: "xed_zh",
        lang: Lang::ZhHant,
        path: "xed_emotions/zh-projections.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "projected label 1 (anger) vs not")],
    },
    DataSet {
        name: "shopee",
        lang: Lang::Tl,
        path: "filipino_shopee_reviews/shopee_reviews_train.csv",
        format: Format::Csv,
        text_field: "text",
        labels: &[(
            Task::Complaint,
            shopee_stars,
            "1–2 stars vs 4–5 stars (3 left out)",
        )],
    },
    DataSet {
        name: "filipino_hate_train",
        lang: Lang::Tl,
        path: "filipino_hatespeech/train.csv",
        format: Format::Csv,
        text_field: "text",
        labels: &[(
            Task::Abuse,
            label_1_is_positive,
            "hate/offensive 1 vs 0 (empty dropped)",
        )],
    },
    DataSet {
        name: "filipino_hate_valid",
        lang: Lang::Tl,
        path: "filipino_hatespeech/valid.csv",
        format: Format::Csv,
        text_field: "text",
        labels: &[(
            Task::Abuse,
            label_1_is_positive,
            "hate/offensive 1 vs 0 (empty dropped)",
        )],
    },
    DataSet {
        name: "goemotions_dev",
        lang: Lang::En,
        path: "goemotions_ed_glean/goemotions_dev.tsv",
        format: GLEAN_COLUMNS,
        text_field: "text",
        labels: &[
            (
                Task::Complaint,
                goemotions_negative,
                "negative emotions vs positive emotions (ambiguous left out)",
            ),
            (Task::Anger, goemotions_anger, "anger vs other emotions"),
        ],
    },
    DataSet {
        name: "empathetic_dialogues_dev",
        lang: Lang::En,
        path: "goemotions_ed_glean/empatheticdialogues_dev.tsv",
        format: GLEAN_COLUMNS,
        text_field: "text",
        labels: &[
            (
                Task::Complaint,
                empathetic_negative,
                "negative emotions vs positive emotions (ambiguous left out)",
            ),
            (
                Task::Anger,
                empathetic_anger,
                "angry/furious vs other emotions",
            ),
        ],
    },
    DataSet {
        name: "cfpb_narratives",
        lang: Lang::En,
        path: "cfpb_complaints/cfpb_sample_product_narrative.csv",
        format: Format::Csv,
        text_field: "Consumer complaint narrative",
        labels: &[(
            Task::Complaint,
            cfpb_is_complaint,
            "every narrative is a complaint (recall only, not pooled)",
        )],
    },
    DataSet {
        name: "xed_en",
        lang: Lang::En,
        path: "xed_emotions/en-annotated.tsv",
        format: XED_COLUMNS,
        text_field: "text",
        labels: &[(Task::Anger, xed_anger, "label 1 (anger) vs not")],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Runs `rule` on one-field rows and compares each answer with the expected one.
    fn check(rule: LabelRule, field: &str, cases: &[(Value, Option<bool>)]) {
        for (value, expected) in cases {
            let row = json!({ field: value }).as_object().unwrap().clone();
            assert_eq!(rule(&row), *expected, "{field} = {value}");
        }
    }

    #[test]
    fn star_ratings_leave_out_the_middle() {
        check(
            stars_1_2_vs_4_5,
            "starRating",
            &[
                (json!(2), Some(true)),
                (json!(4), Some(false)),
                (json!(3), None),
            ],
        );
        check(
            shopee_stars,
            "label",
            &[
                (json!("1"), Some(true)),
                (json!("2"), None),
                (json!("3"), Some(false)),
            ],
        );
    }

    #[test]
    fn greek_neutral_and_discarded_are_left_out() {
        check(
            greek_negative_vs_positive,
            "label",
            &[
                (json!("-1"), Some(true)),
                (json!("1"), Some(false)),
                (json!("0"), None),
                (json!("x"), None),
            ],
        );
    }

    #[test]
    fn xed_multi_labels_and_malformed_lines() {
        check(
            xed_anger,
            "labels",
            &[
                (json!("1, 4, 7"), Some(true)),
                (json!("6, 7"), Some(false)),
                (json!("oops"), None),
            ],
        );
        check(xed_anger, "text", &[(json!("no labels column"), None)]);
    }

    #[test]
    fn emotion_groups_leave_out_ambiguous_labels() {
        check(
            goemotions_negative,
            "label",
            &[
                (json!("annoyance"), Some(true)),
                (json!("gratitude"), Some(false)),
                (json!("curiosity"), None),
            ],
        );
        check(
            goemotions_anger,
            "label",
            &[(json!("curiosity"), Some(false))],
        );
        check(empathetic_anger, "label", &[(json!("furious"), Some(true))]);
    }

    #[test]
    fn empty_labels_are_dropped() {
        check(
            label_1_is_positive,
            "label",
            &[(json!(""), None), (json!("1"), Some(true))],
        );
        check(
            ro_offense_abusive,
            "label",
            &[(json!("OTHER"), Some(false)), (json!("INSULT"), Some(true))],
        );
        check(red_v1_anger, "Emotion", &[(json!(""), None)]);
    }

    #[test]
    fn red_v2_reads_agreed_label_names() {
        check(
            red_v2_anger,
            "agreed_label_names",
            &[
                (json!(["Sadness", "Anger"]), Some(true)),
                (json!([]), Some(false)),
            ],
        );
    }

    #[test]
    fn every_set_names_a_distinct_file_and_has_a_label_rule() {
        let mut paths: Vec<&str> = DATA_SETS.iter().map(|s| s.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), DATA_SETS.len());
        assert!(DATA_SETS.iter().all(|s| !s.labels.is_empty()));
    }
}
