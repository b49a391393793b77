//! Search tokens: the same analysis for indexed documents and for queries, so they meet.

use crate::fold::fold_text;
use crate::script::is_han;

/// Folded words for alphabetic scripts; runs of Han characters as overlapping bigrams (a lone
/// Han character stays itself), so a two-character query such as `退款` matches inside
/// `我要退款` without a Chinese dictionary. Punctuation, symbols and emoji separate tokens.
///
/// ```
/// assert_eq!(text::search_tokens("我要退款!"), ["我要", "要退", "退款"]);
/// assert_eq!(text::search_tokens("Πληρωμή ÎNAPOI"), ["πληρωμη", "inapoi"]);
/// ```
pub fn search_tokens(text: &str) -> Vec<String> {
    let folded = fold_text(text);
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut han_run: Vec<char> = Vec::new();
    for c in folded.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut tokens);
            han_run.push(c);
        } else {
            flush_han_run(&mut han_run, &mut tokens);
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush_word(&mut word, &mut tokens);
            }
        }
    }
    flush_word(&mut word, &mut tokens);
    flush_han_run(&mut han_run, &mut tokens);
    tokens
}

fn flush_word(word: &mut String, tokens: &mut Vec<String>) {
    if !word.is_empty() {
        tokens.push(std::mem::take(word));
    }
}

fn flush_han_run(run: &mut Vec<char>, tokens: &mut Vec<String>) {
    match run.len() {
        0 => {}
        1 => tokens.push(run[0].to_string()),
        _ => tokens.extend(run.windows(2).map(|pair| pair.iter().collect())),
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, document: &str) -> bool {
        let document = search_tokens(document);
        let query = search_tokens(query);
        !query.is_empty() && query.iter().all(|q| document.contains(q))
    }

    #[test]
    fn han_runs_become_overlapping_bigrams() {
        assert_eq!(search_tokens("我要退款"), ["我要", "要退", "退款"]);
        assert_eq!(search_tokens("退"), ["退"]);
        assert_eq!(search_tokens("退，款"), ["退", "款"]);
    }

    #[test]
    fn chinese_two_character_word_is_found_inside_a_sentence() {
        assert!(finds("退款", "我要退款，谢谢"));
        assert!(finds("退款", "訂單123：我要退款!"));
    }

    #[test]
    fn simplified_query_does_not_match_traditional_text() {
        assert!(!finds("发票", "請開發票"));
        assert!(finds("發票", "請開發票"));
    }

    #[test]
    fn greek_with_and_without_accents_both_ways() {
        assert!(finds("πληρωμη", "Η πληρωμή δεν έγινε"));
        assert!(finds("πληρωμή", "η πληρωμη δεν εγινε"));
        assert!(finds("ΠΛΗΡΩΜΗ", "πληρωμή"));
        assert!(finds("λογαριασμός", "Ο ΛΟΓΑΡΙΑΣΜΌΣ ΣΑΣ"));
    }

    #[test]
    fn romanian_with_and_without_diacritics_both_ways() {
        assert!(finds("rambursare", "Vreau rambursare!"));
        assert!(finds("înapoi", "vreau banii inapoi"));
        assert!(finds("inapoi", "vreau banii înapoi"));
        assert!(finds("aştept", "încă aștept coletul"));
    }

    #[test]
    fn mixed_scripts_split_at_script_changes() {
        assert_eq!(search_tokens("我的iPhone坏了"), ["我的", "iphone", "坏了"]);
    }

    #[test]
    fn punctuation_and_emoji_separate_and_vanish() {
        assert_eq!(
            search_tokens("Hello, WORLD!! 😡 e-mail"),
            ["hello", "world", "e", "mail"]
        );
        assert!(search_tokens("😡👍 ...").is_empty());
        assert!(search_tokens("").is_empty());
    }

    #[test]
    fn full_width_latin_matches_ascii() {
        assert!(finds("iphone", "ＩＰＨＯＮＥ壞了"));
    }
}
