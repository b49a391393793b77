//! Bad and strange input never panics: empty text, 1 MB, control characters, mixed scripts,
//! emoji only, and a few thousand generated strings of awkward characters through every entry
//! point (analyze, lint with context, score, the JSONL line functions and the renderer).

mod common;

use coach::{AnalyzeInput, Coach, LintInput, Speaker, Transcript, Turn};
use text::Lang;

fn exercise(coach: &Coach, text: &str, languages: &[Lang]) {
    let analysis = coach.analyze(&AnalyzeInput {
        text: text.to_owned(),
        language: None,
    });
    assert!((0.0..=1.0).contains(&analysis.anger));
    let length = text.chars().count();
    for signal in &analysis.signals {
        assert!(
            signal.start <= signal.end && signal.end <= length,
            "{signal:?} in {length} chars"
        );
    }
    for &lang in languages {
        let input = LintInput {
            text: text.to_owned(),
            language: Some(lang),
            context: vec![Turn {
                from: Speaker::Customer,
                text: text.to_owned(),
            }],
            reference_time: "2026-11-25T10:00:00+02:00".parse().ok(),
            ui_language: Some(lang),
        };
        let report = coach.lint_in(lang, &input);
        for (start, end) in report
            .findings
            .iter()
            .map(|f| (f.start, f.end))
            .chain(report.good_moves.iter().map(|g| (g.start, g.end)))
            .chain(report.promises.iter().map(|p| (p.start, p.end)))
        {
            assert!(start <= end && end <= length);
        }
        coach.render_lint(text, &report, lang, true);
    }
    let line = serde_json::json!({"id": 1, "text": text}).to_string();
    for out in [coach.analyze_line(&line), coach.lint_line(&line)] {
        let value: serde_json::Value = serde_json::from_str(&out).expect("output is JSON");
        assert!(value.get("error").is_none(), "{out}");
    }
}

#[test]
fn edge_cases_give_results() {
    let coach = common::loadable_builtin();
    let megabyte =
        "I'm sorry, but THIS is unacceptable!!! 我很生气。Λυπάμαι, αλλά. ".repeat(16_000);
    let cases = [
        String::new(),
        " ".into(),
        "\u{0}\u{1}\u{7}\u{1b}[31m\u{7f}\r\n\t".into(),
        "😡😡😡🤬🤬".into(),
        "👍".into(),
        "Sorry 对不起 Λυπάμαι îmi pare rău pasensya na po!!!".into(),
        "\u{202e}reversed\u{200b}zero\u{feff}width".into(),
        "a".repeat(100_000),
        "!!!???！！！？？？".repeat(1000),
        "\u{301}\u{308}\u{0345}".into(),
        "İstanbul ΣΊΣΥΦΟΣ ﬁnance ｆｕｌｌ ｗｉｄｔｈ".into(),
    ];
    for case in &cases {
        exercise(&coach, case, &Lang::ALL);
    }
    exercise(&coach, &megabyte, &[Lang::En]);
    let transcript = Transcript {
        turns: cases
            .iter()
            .enumerate()
            .map(|(i, text)| Turn {
                from: if i % 2 == 0 {
                    Speaker::Customer
                } else {
                    Speaker::Agent
                },
                text: text.chars().take(5000).collect(),
            })
            .collect(),
        ..Transcript::default()
    };
    let report = coach.score(&transcript);
    assert!(report.qa_score <= 100);
}

/// A small deterministic generator (xorshift), so the test needs no extra crate and always
/// checks the same strings.
struct Strings(u64);

impl Strings {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "sorry",
            " but ",
            "I understand",
            ".",
            "?",
            "!",
            "！",
            "？",
            ";",
            ",",
            "\"",
            "«",
            "」",
            "'",
            "’",
            "...",
            "10",
            "9:30",
            "am",
            " within ",
            "分钟内",
            "十",
            "点",
            "明天",
            "λεπτά",
            "μέσα σε",
            "în",
            "minute",
            "sa loob ng",
            "minuto",
            "you idiot",
            "calm down",
            "\n",
            " ",
            "é",
            "\u{301}",
            "ς",
            "😡",
            "\u{0}",
            "ｓｏｒｒｙ",
            "İ",
            "ß",
            "ﬁ",
            "tomorrow",
            "by",
            "pm",
            "cancel",
            "refund",
            "SHOUT",
            "sooooo",
            "对不起",
            "但是",
            "Λυπάμαι",
            "αλλά",
            "po",
        ];
        let length = self.next() % 40;
        (0..length)
            .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn generated_strings_never_panic() {
    let coach = common::loadable_builtin();
    let mut strings = Strings(0x9E37_79B9_7F4A_7C15);
    for _ in 0..800 {
        exercise(&coach, &strings.string(), &Lang::ALL);
    }
}
