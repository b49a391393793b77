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

fn rules(analysis: &Analysis) -> Vec<&str> {
    analysis.signals.iter().map(|s| s.rule.as_str()).collect()
}

#[test]
fn several_negations_that_reverse_nothing_are_complaint_evidence() {
    let coach = common::loadable_builtin();
    // No complaint word at all: only what did not happen.
    for (lang, text) in [
        (
            Lang::En,
            "They didn't call, and the technician never came to the flat.",
        ),
        (
            Lang::El,
            "Δεν πήραν τηλέφωνο και ο τεχνικός δεν εμφανίστηκε ποτέ στο σπίτι.",
        ),
        (
            Lang::Ro,
            "Nu m-a sunat nimeni și curierul nu a venit la adresă.",
        ),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(found.complaint, "{text}: {found:?}");
        // The Romanian negations are inside complaint phrases ("nu a venit"): counted there.
        if lang != Lang::Ro {
            assert!(
                rules(&found).contains(&"cue.negations"),
                "{text}: {found:?}"
            );
        }
    }
    // One negation is an ordinary question or request; a reversed one is already counted.
    for (lang, text) in [
        (
            Lang::En,
            "Can you not send the invoice by post, only by email?",
        ),
        (Lang::En, "No problem at all, not in a hurry, thanks!"),
        (Lang::El, "Δεν έχετε το μπλε σε μέγεθος 42;"),
        // Negations inside questions are part of asking; "no need" releases, it does not deny.
        (
            Lang::En,
            "Don't you have it in blue, and can't you ship it to Malta?",
        ),
        (Lang::En, "No need to call back, I don't mind either way."),
        (Lang::El, "Δεν χρειάζεται να έρθετε, δεν πειράζει."),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(!found.complaint, "{text}: {found:?}");
    }
}

#[test]
fn one_clause_negation_is_evidence_where_the_pack_says_so() {
    let coach = common::loadable_builtin();
    // English and Greek clause negators are severity medium: one negated statement is enough.
    for (lang, text) in [
        (Lang::En, "The lid doesn't close properly."),
        (Lang::En, "They didn't tell me about the extra fee."),
        (Lang::El, "Το καπάκι δεν κλείνει καλά."),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(found.complaint, "{text}: {found:?}");
    }
    // "never", "without" are low; idioms, conditions, questions and praise do not count; the
    // Romanian pack keeps every negation low, so one "nu" in a review is no complaint.
    for (lang, text) in [
        (Lang::En, "I never had to wait long."),
        (Lang::En, "A black coffee without sugar, please."),
        (
            Lang::En,
            "I don't know which size to take, the blue one maybe.",
        ),
        (Lang::En, "If it's not clear, I can send a photo."),
        (Lang::En, "Couldn't be happier with the new sofa."),
        (Lang::En, "Doesn't the blue one come in size 42?"),
        (Lang::En, "It doesn't matter, thanks for the quick answer!"),
        (Lang::El, "Έναν καφέ χωρίς ζάχαρη, παρακαλώ."),
        (Lang::El, "Δεν ξέρω ποιο μέγεθος να πάρω, ίσως το μπλε."),
        (
            Lang::Ro,
            "Nu am folosit încă toate funcțiile, dar arată bine.",
        ),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(!found.complaint, "{text}: {found:?}");
    }
}

#[test]
fn a_negation_inside_a_feeling_phrase_is_not_counted_again() {
    let coach = common::loadable_builtin();
    for (lang, text, phrase) in [
        (Lang::En, "The app doesn't work.", "en.complaint.1"),
        (Lang::En, "I can't wait to see it!", "en.praise.4"),
    ] {
        let found = analyze(&coach, lang, text);
        let rules = rules(&found);
        assert!(rules.contains(&phrase), "{text}: {found:?}");
        assert!(!rules.contains(&"cue.negations"), "{text}: {found:?}");
    }
}

#[test]
fn requests_numbers_and_litotes_are_not_complaints() {
    let coach = common::loadable_builtin();
    for (lang, text) in [
        // "no" as the abbreviation of "number".
        (Lang::En, "My order no. 12345 arrived today."),
        (Lang::En, "Invoice no 5567 attached for your records."),
        // Requests: "please", a clause that opens with "don't", Greek «μη(ν)».
        (Lang::En, "Please don't send paper receipts."),
        (Lang::En, "Don't forget the extra napkins!"),
        (Lang::En, "No sugar in my coffee please."),
        (
            Lang::El,
            "Παρακαλώ μην χτυπήσετε το κουδούνι, κοιμάται το μωρό.",
        ),
        (Lang::El, "Όχι ζάχαρη στον καφέ, παρακαλώ."),
        (Lang::El, "Μην σας απασχολεί."),
        // Litotes: negating the negative is praise or reassurance.
        (Lang::En, "No issues at all."),
        (Lang::En, "Not too shabby."),
        (Lang::En, "Can't fault them."),
        (Lang::En, "I won't hesitate to order again."),
        (Lang::En, "It's not a big deal."),
        (Lang::En, "No one could have done it better."),
        (Lang::El, "Δεν έχω κανένα παράπονο."),
        (Lang::El, "Δεν είχα κανένα πρόβλημα."),
        (Lang::El, "Δεν έχει σημασία."),
        (Lang::El, "Δεν θα διστάσω να ξαναπαραγγείλω."),
        (Lang::El, "Oxi asxhma."),
        // Not yet, not sure, no idea, no preference.
        (Lang::En, "Not yet, I'll check tomorrow."),
        (Lang::En, "Not sure yet, I'll let you know."),
        (Lang::En, "I don't have a preference."),
        (Lang::El, "Όχι ακόμα, θα σας πω αύριο."),
        (Lang::El, "Δεν έχω ιδέα τι χρώμα να διαλέξω."),
        // Greeklish negators that are Latin words in Greek text.
        (Lang::El, "Το δέμα ήρθε σε 10 min."),
        (Lang::El, "Θα περάσω σε 5 min να το παραλάβω."),
        (Lang::El, "To paketo irthe se 15 min."),
        (Lang::El, "Το Xiaomi Mi Band μου ήρθε σήμερα."),
        (Lang::El, "Πήρα το Mi 11 από το κατάστημά σας."),
        (
            Lang::El,
            "Η παραγγελία μου από το Cafe de Paris ήρθε στις 9.",
        ),
        // Tasks still to do, changed plans, happy comparisons.
        (
            Lang::En,
            "I still need to pay the remaining balance, please send me the link.",
        ),
        (
            Lang::En,
            "I still have to pay for the second ticket, where do I do that?",
        ),
        (
            Lang::En,
            "We now need to return the spare part, could you email the label.",
        ),
        (
            Lang::En,
            "I was going to buy the blue one, but I went with the red in the end.",
        ),
        (
            Lang::En,
            "It's not as big as I expected, which is perfect for my tiny kitchen.",
        ),
        (Lang::El, "Δεν μας απογοήτευσαν, όπως πάντα!"),
        (Lang::El, "Δεν άργησε καθόλου, όπως πάντα."),
        (
            Lang::El,
            "Ήθελα να έρθω το Σάββατο, αλλά τελικά θα έρθω την Κυριακή.",
        ),
        (
            Lang::El,
            "Ακόμα πρέπει να πληρώσω το υπόλοιπο, στείλτε μου τον σύνδεσμο.",
        ),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(!found.complaint, "{text}: {found:?}");
    }
}

#[test]
fn a_defect_before_but_stays_a_complaint_however_polite_the_rest() {
    let coach = common::loadable_builtin();
    for (lang, text) in [
        (
            Lang::En,
            "The lamp arrived broken, but the courier was very friendly.",
        ),
        (Lang::En, "My order was wrong, but thanks anyway."),
        (
            Lang::El,
            "Το λάπτοπ ήρθε σπασμένο, αλλά ο κούριερ ήταν πολύ ευγενικός.",
        ),
        (
            Lang::Ro,
            "Produsul a venit defect, dar curierul a fost foarte amabil.",
        ),
        (Lang::Ro, "Comanda a fost greșită, dar mulțumesc oricum."),
        (
            Lang::Tl,
            "Basag yung baso pagdating, pero mabilis ang delivery.",
        ),
        (Lang::ZhHans, "菜是凉的，但是骑手态度很好。"),
        (Lang::ZhHant, "菜是涼的，但是外送員態度很好。"),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(found.complaint, "{text}: {found:?}");
    }
}

#[test]
fn the_clause_after_a_contrast_weighs_more() {
    let coach = common::loadable_builtin();
    // Praise then "but" and a complaint: the complaint is what the customer means.
    for (lang, text) in [
        (
            Lang::En,
            "Thanks for the quick reply, but the heater is still broken.",
        ),
        (
            Lang::Ro,
            "Mulțumesc pentru răspuns, dar aparatul tot defect este.",
        ),
        (
            Lang::Tl,
            "Salamat po sa mabilis na sagot pero sira pa rin ang heater.",
        ),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(found.complaint, "{text}: {found:?}");
    }
    // A small complaint then "but" and more praise than complaint: a happy customer.
    for (lang, text) in [
        (
            Lang::En,
            "The box was a bit damaged, but the lamp is lovely, thank you.",
        ),
        (
            Lang::Ro,
            "Cutia era puțin deteriorată, dar lampa e superbă, mulțumesc.",
        ),
        (
            Lang::El,
            "Το κουτί ήταν λίγο χτυπημένο, αλλά η λάμπα είναι υπέροχη.",
        ),
        (Lang::ZhHans, "包装有点破损，但是菜很好吃，谢谢。"),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(!found.complaint, "{text}: {found:?}");
    }
}

#[test]
fn praise_in_scare_quotes_is_irony() {
    let coach = common::loadable_builtin();
    for (lang, text) in [
        (
            Lang::En,
            "So much for the \"fast\" delivery option I paid for.",
        ),
        (Lang::El, "Αυτή λοιπόν είναι η «γρήγορη» παράδοσή σας."),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(
            rules(&found).contains(&"cue.scare_quotes"),
            "{text}: {found:?}"
        );
        assert!(found.complaint, "{text}: {found:?}");
    }
    // A long quotation stays reported speech, and praise outside quotes stays praise.
    let reported = analyze(
        &coach,
        Lang::En,
        "My son said \"this is the best pizza we ever had in this town\" — thank you!",
    );
    assert!(!reported.complaint, "{reported:?}");
}

#[test]
fn reported_words_weigh_in_the_complaint_but_reported_hostility_does_not() {
    let coach = common::loadable_builtin();
    for (lang, text) in [
        (
            Lang::En,
            "The agent told me \"your refund was refused and the case is closed\".",
        ),
        (
            Lang::El,
            "Η δήλωσή μας: «Η εταιρεία αρνείται την επιστροφή χρημάτων εδώ και μήνες».",
        ),
    ] {
        let found = analyze(&coach, lang, text);
        assert!(found.complaint, "{text}: {found:?}");
        assert!(
            rules(&found).iter().any(|r| r.ends_with("(quoted)")),
            "{text}: {found:?}"
        );
        // Evidence, not the writer's own anger or demands.
        assert_eq!(found.anger, 0.0, "{text}: {found:?}");
    }
    let hostile = analyze(
        &coach,
        Lang::En,
        "He shouted \"you useless idiot\" at the courier, but my parcel arrived fine.",
    );
    assert!(!hostile.complaint && !hostile.abuse, "{hostile:?}");
}
