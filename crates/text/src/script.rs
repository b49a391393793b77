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

pub(crate) fn script_of(c: char) -> Script {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::None
        };
    }
    // Explicit ranges first: `char::is_alphabetic` is a table search, kept for rare scripts.
    match c {
        '\u{00D7}' | '\u{00F7}' => Script::None,
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Script::Latin,
        '\u{0386}' | '\u{0388}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
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
