//! Bad and extreme input: every public function answers, never panics, and keeps its promises.

use text::{Lang, detect, detect_with_hint, fold, search_tokens};

fn odd_inputs() -> Vec<String> {
    let mixed = "Ο πελάτης 我要退款 vreau banii înapoi ang order ko 😡 ＡＢＣ ";
    vec![
        String::new(),
        "\u{0}\u{1}\u{7}\u{1b}[31m\r\n\t".to_owned(),
        "\u{200B}\u{FEFF}\u{202E}reversed\u{202C}".to_owned(),
        "\u{301}\u{308}\u{327}".to_owned(),
        "🇷🇴👍🏽👨‍👩‍👧".repeat(100),
        "!!!!!!!!!!!!!!!!!!!!!?????????".to_owned(),
        "a".repeat(100_000),
        "退".repeat(50_000),
        mixed.repeat(20_000),
    ]
}

#[test]
fn every_function_answers_on_odd_input() {
    for input in odd_inputs() {
        let detection = detect(&input);
        assert!((0.0..=1.0).contains(&detection.confidence));
        let hinted = detect_with_hint(&input, Some(Lang::El));
        assert!((0.0..=1.0).contains(&hinted.confidence));
        let folded = fold(&input);
        let original_len = input.chars().count();
        let (start, end) = folded.original_span(0, folded.char_len());
        assert!(start <= end && end <= original_len);
        for token in search_tokens(&input) {
            assert!(!token.is_empty());
            assert!(token.chars().all(char::is_alphanumeric), "{token:?}");
        }
    }
}

#[test]
fn a_megabyte_of_mixed_text_is_read_by_its_beginning() {
    let long = format!(
        "{}{}",
        "Aștept de două săptămâni coletul și nimeni nu îmi răspunde. ".repeat(20),
        "我要退款".repeat(250_000)
    );
    assert!(long.len() > 1_000_000);
    assert_eq!(detect(&long).lang, Lang::Ro);
}

#[test]
fn text_without_letters_is_und_even_with_a_hint() {
    for input in ["", "😡😡", "123 456", "!!! ???"] {
        assert_eq!(detect_with_hint(input, Some(Lang::Ro)).lang, Lang::Und);
    }
}
