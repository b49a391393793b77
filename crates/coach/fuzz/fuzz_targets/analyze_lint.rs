//! Any bytes through every coach entry point: analyze, lint (with the input also as context and a
//! reference time), score, and the JSONL line functions. Nothing may panic.

#![no_main]

use std::sync::OnceLock;

use coach::{AnalyzeInput, Coach, LintInput, Speaker, Transcript, Turn};
use libfuzzer_sys::fuzz_target;
use text::Lang;

fn coach() -> &'static Coach {
    static COACH: OnceLock<Coach> = OnceLock::new();
    COACH.get_or_init(|| Coach::builtin().expect("built-in packs load"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let lang = Lang::ALL[selector as usize % Lang::ALL.len()];
    let coach = coach();
    coach.analyze(&AnalyzeInput {
        text: text.clone(),
        language: Some(lang),
    });
    let turn = Turn {
        from: Speaker::Customer,
        text: text.clone(),
    };
    let report = coach.lint_in(
        lang,
        &LintInput {
            text: text.clone(),
            language: Some(lang),
            context: vec![turn.clone()],
            reference_time: "2026-11-25T23:59:59+14:00".parse().ok(),
            ui_language: Some(lang),
        },
    );
    coach.render_lint(&text, &report, lang, selector % 2 == 0);
    coach.score(&Transcript {
        turns: vec![turn, Turn { from: Speaker::Agent, text: text.clone() }],
        ..Transcript::default()
    });
    coach.analyze_line(&text);
    coach.lint_line(&text);
    coach.score_line(&text);
});
