//! Which writing system a character belongs to, for routing detection and tokenising.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Greek,
    Han,
    /// Hiragana and katakana: their presence marks Japanese, which Calmdesk does not support.
    Kana,
    /// Any other letter (Cyrillic, Hangul, Arabic, ...).
    OtherLetter,
    /// Digits, punctuation, symbols, emoji, spaces.
    None,
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}'
        | '\u{3007}')
}

/// Punctuation and symbols that Chinese and typographic text use between words: General
/// Punctuation (dashes, curly quotes, `…`), CJK punctuation (`、。「」`) and the full-width forms
/// of ASCII punctuation (`，！？：`). None is a letter, digit or cased char, so callers can skip
/// the Unicode table searches for them (a test checks every char of these ranges).
pub fn is_known_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

pub(crate) fn script_of(c: char) -> Script {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::None
        };
    }
    // Explicit ranges first: `char::is_alphabetic` is a table search, kept for rare scripts.
    // The main Han block and the Greek letters come first (most non-ASCII text is one of
    // them); no later arm covers any of their chars, so the order changes no answer.
    match c {
        '\u{4E00}'..='\u{9FFF}' => Script::Han,
        '\u{0386}' | '\u{0388}'..='\u{03FF}' => Script::Greek,
        '\u{00D7}' | '\u{00F7}' => Script::None,
        _ if is_known_punctuation(c) => Script::None,
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Script::Latin,
        '\u{1F00}'..='\u{1FFF}' => Script::Greek,
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}' => Script::Kana,
        _ if is_han(c) => Script::Han,
        _ if c.is_alphabetic() => Script::OtherLetter,
        _ => Script::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_punctuation_is_no_letter_digit_or_cased_char() {
        let known: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_known_punctuation(c))
            .collect();
        assert!(known.len() > 150);
        for c in known {
            assert!(!c.is_alphanumeric(), "{c:?}");
            assert!(!c.is_uppercase() && !c.is_lowercase(), "{c:?}");
        }
        for c in ['，', '。', '！', '？', '、', '「', '—', '“', '…'] {
            assert!(is_known_punctuation(c), "{c:?}");
        }
    }

    /// `script_of` as it was before the Han and Greek arms moved to the front.
    fn script_in_declared_order(c: char) -> Script {
        if c.is_ascii() {
            return if c.is_ascii_alphabetic() {
                Script::Latin
            } else {
                Script::None
            };
        }
        match c {
            '\u{00D7}' | '\u{00F7}' => Script::None,
            _ if is_known_punctuation(c) => Script::None,
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
            '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Script::Latin,
            '\u{0386}' | '\u{0388}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}' => {
                Script::Kana
            }
            _ if is_han(c) => Script::Han,
            _ if c.is_alphabetic() => Script::OtherLetter,
            _ => Script::None,
        }
    }

    #[test]
    fn the_fast_arms_change_no_script() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(script_of(c), script_in_declared_order(c), "{c:?}");
        }
    }

    #[test]
    fn scripts_of_sample_characters() {
        assert_eq!(script_of('a'), Script::Latin);
        assert_eq!(script_of('ș'), Script::Latin);
        assert_eq!(script_of('Ａ'), Script::Latin);
        assert_eq!(script_of('ή'), Script::Greek);
        assert_eq!(script_of('退'), Script::Han);
        assert_eq!(script_of('の'), Script::Kana);
        assert_eq!(script_of('я'), Script::OtherLetter);
        assert_eq!(script_of('한'), Script::OtherLetter);
        assert_eq!(script_of('7'), Script::None);
        assert_eq!(script_of('😡'), Script::None);
        assert_eq!(script_of('；'), Script::None);
        assert_eq!(script_of('×'), Script::None);
    }
}
