//! The whole evaluation over a tiny evaldata folder and suite written here, with the real
//! built-in coach: every file shape is read, labels are mapped, missing sets are listed.

use std::fs;
use std::path::Path;

fn write(root: &Path, relative: &str, content: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

#[test]
fn evaluates_small_sets_and_suite() {
    let evaldata = tempfile::tempdir().unwrap();
    let suite = tempfile::tempdir().unwrap();
    write(
        evaldata.path(),
        "laroseda_ro/laroseda_train.jsonl",
        "{\"content\": \"Produsul a venit stricat si nimeni nu raspunde la telefon, sunt foarte nemultumit\", \"starRating\": 1}\n\
         {\"content\": \"Sunt foarte multumit de produs, a ajuns repede si functioneaza perfect\", \"starRating\": 5}\n\
         {\"content\": \"Nici bun, nici rau, pretul este corect pentru ce ofera\", \"starRating\": 3}\n",
    );
    write(
        evaldata.path(),
        "filipino_shopee_reviews/shopee_reviews_train.csv",
        "text,label,__split\n\"Ang ganda ng tela, sulit na sulit po, salamat seller!\",4,train\n\
         \"Hindi pa rin dumarating yung order ko, sobrang tagal naman\",0,train\n",
    );
    write(
        evaldata.path(),
        "xed_emotions/el-projections.tsv",
        "Δεν θέλω να σε ξαναδώ ποτέ, φύγε από εδώ.\t1\nΕίναι πολύ όμορφη μέρα σήμερα.\t5\nmalformed line\n",
    );
    write(
        suite.path(),
        "en/messages.jsonl",
        r#"{"id": "en-m-1", "text": "My parcel is two weeks late and nobody answers. I want a refund.", "language": "en", "complaint": true, "level": "annoyed", "threat": false, "abuse": false, "churn_risk": false, "public_exposure": false, "demands": ["refund"]}"#,
    );
    write(
        suite.path(),
        "en/replies.jsonl",
        r#"{"id": "en-r-1", "text": "I'm sorry, but that is our policy.", "findings": ["apology_but"], "good_moves": []}"#,
    );

    let coach = coach::Coach::builtin().unwrap();
    let report = eval::run(evaldata.path(), suite.path(), &coach, None).unwrap();

    let used = |name: &str| report.sets.iter().find(|s| s.name == name).unwrap();
    assert_eq!(used("laroseda").rows, Some(3));
    assert_eq!(used("shopee").evaluated, 2);
    assert_eq!(used("xed_el").rows, Some(3));
    assert_eq!(
        used("waimai").rows,
        None,
        "a missing file is skipped, not an error"
    );

    let laroseda = report
        .detection
        .iter()
        .find(|m| m.set == "laroseda" && m.subject == "complaint")
        .unwrap();
    assert_eq!(laroseda.counts.total(), 2, "3 stars is left out");
    assert_eq!(laroseda.counts.positives(), 1);
    let xed = report
        .detection
        .iter()
        .find(|m| m.set == "xed_el" && m.subject == "anger")
        .unwrap();
    assert_eq!(xed.counts.total(), 2, "the malformed line has no label");
    assert!(
        report
            .detection
            .iter()
            .any(|m| m.set == "all sets" && m.subject == "complaint" && m.lang == text::Lang::Tl)
    );

    let apology_but = report
        .suite_lint
        .iter()
        .find(|m| m.lang == text::Lang::En && m.subject == "apology_but")
        .unwrap();
    assert_eq!(apology_but.counts.positives(), 1);
    assert!(
        report
            .suite_messages
            .iter()
            .any(|m| m.subject == "demand: refund")
    );
    assert!(
        report
            .language_id
            .iter()
            .any(|m| m.set == "suite" && m.lang == text::Lang::En)
    );

    let markdown = report.to_markdown();
    assert!(
        markdown.contains("| ro | complaint | laroseda | 2 | 1 |"),
        "{markdown}"
    );
    assert!(markdown.contains("chinese_sophonplus/waimai_10k.csv"));
}

#[test]
fn unknown_suite_category_is_refused_with_its_id() {
    let evaldata = tempfile::tempdir().unwrap();
    let suite = tempfile::tempdir().unwrap();
    write(
        suite.path(),
        "ro/replies.jsonl",
        r#"{"id": "ro-r-9", "text": "Îmi pare rău.", "findings": ["apology_buut"], "good_moves": []}"#,
    );
    let coach = coach::Coach::builtin().unwrap();
    let error = eval::run(evaldata.path(), suite.path(), &coach, None).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("ro-r-9") && message.contains("apology_buut"),
        "{message}"
    );
}
