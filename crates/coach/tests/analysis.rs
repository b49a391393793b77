//! Customer analysis decisions that are not one rule's examples: quotations that are the
//! writer's own words, emoji as evidence, and praise weighed against complaint evidence.

mod common;

use coach::{Analysis, AnalyzeInput, Coach};
use text::Lang;

fn analyze(coach: &Coach, lang: Lang, text: &str) -> Analysis {
    coach.analyze(&AnalyzeInput {
        text: text.to_owned(),
        language: Some(lang),
    })
}

#[test]
fn a_message_that_is_one_quotation_is_the_writers_own_words() {
    let coach = common::loadable_builtin();
    // Pasted in quotes as a whole: the complaint is the writer's.
    let whole = analyze(
        &coach,
        Lang::En,
        "\"The parcel arrived damaged and nobody answered my emails.\"",
    );
    assert!(whole.complaint, "{whole:?}");
    let greek = analyze(
        &coach,
        Lang::El,
        "«Μας λέτε ψέματα για την παράδοση εδώ και μήνες» #παράπονο",
    );
    assert!(greek.complaint, "{greek:?}");
    // A short quotation inside the writer's words stays reported speech.
    let reported = analyze(
        &coach,
        Lang::En,
        "The driver said \"you idiot\" to my neighbour, but the parcel is fine and on time.",
    );
    assert!(!reported.abuse, "{reported:?}");
}

#[test]
fn facepalm_and_rude_gesture_emoji_are_evidence() {
    let coach = common::loadable_builtin();
    let facepalm = analyze(&coach, Lang::En, "Order 4417 🤦");
    assert!(facepalm.complaint, "{facepalm:?}");
    let gesture = analyze(&coach, Lang::En, "Order 4417 🖕");
    assert!(gesture.anger > 0.0 && gesture.complaint, "{gesture:?}");
}

#[test]
fn more_praise_than_complaint_is_not_a_complaint() {
    let coach = common::loadable_builtin();
    let mixed = analyze(&coach, Lang::En, "Thanks, the parcel is still missing.");
    assert!(mixed.complaint, "{mixed:?}");
    let happy = analyze(
        &coach,
        Lang::En,
        "Great service and lovely staff, only the box was a bit damaged.",
    );
    assert!(!happy.complaint, "{happy:?}");
}
