//! The promise phrasings of the coach issue, in all six languages, through the built-in packs.

mod common;

use coach::{LintInput, PromiseKind};
use text::Lang;

#[test]
fn ten_minute_callbacks_in_all_six_languages() {
    let coach = common::loadable_builtin();
    let cases = [
        (
            Lang::En,
            "I need to check this; I'll call you back within 10 minutes.",
        ),
        (Lang::Ro, "Trebuie să verific; vă sun înapoi în 10 minute."),
        (Lang::ZhHans, "我需要核实一下，10分钟内给您回电。"),
        (Lang::ZhHant, "我需要查一下，10分鐘內給您回電。"),
        (Lang::Tl, "Tatawagan ko po kayo sa loob ng 10 minuto."),
        (Lang::El, "Θα σας καλέσω ξανά μέσα σε 10 λεπτά."),
    ];
    let mut problems = Vec::new();
    for (lang, text) in cases {
        let report = coach.lint_in(
            lang,
            &LintInput {
                text: text.into(),
                reference_time: "2026-11-25T10:00:00+02:00".parse().ok(),
                ..LintInput::default()
            },
        );
        let found: Vec<_> = report
            .promises
            .iter()
            .map(|p| (p.kind, p.within_seconds, p.due_at.clone()))
            .collect();
        let expected = (
            PromiseKind::Callback,
            Some(600),
            Some("2026-11-25T10:10:00+02:00".to_owned()),
        );
        if found != [expected] {
            problems.push(format!("{lang}: {text}: {found:?}"));
        }
        if !report
            .good_moves
            .iter()
            .any(|g| g.category == "callback_promise")
        {
            problems.push(format!("{lang}: no callback_promise good move"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn by_tomorrow_morning_in_english() {
    let coach = common::loadable_builtin();
    let report = coach.lint(&LintInput {
        text: "I'll get back to you by tomorrow 9am with the courier's answer.".into(),
        language: Some(Lang::En),
        reference_time: "2026-11-25T16:00:00+00:00".parse().ok(),
        ..LintInput::default()
    });
    assert_eq!(report.promises.len(), 1);
    assert_eq!(
        report.promises[0].due_at.as_deref(),
        Some("2026-11-26T09:00:00+00:00")
    );
    assert_eq!(report.promises[0].within_seconds, Some(17 * 3600));
}
