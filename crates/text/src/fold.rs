//! Folding: the form of text that matching and search compare, with a map back to the original.

use std::cell::Cell;
use std::sync::OnceLock;

use unicode_normalization::char::{compose, decompose_compatible, is_combining_mark};

use crate::swar;

/// Folded text plus, for every folded character, where it came from in the original.
///
/// Offsets are character offsets (Unicode scalar values), as the coach contract uses for spans.
#[derive(Debug, Clone, Eq)]
pub struct Folded {
    pub text: String,
    /// `origin[k]`: original char offset of folded char `k`; one extra entry holds the original
    /// char count, so a span ending at the end of `text` maps to the end of the original.
    /// Empty when `identity`.
    origin: Vec<u32>,
    /// `byte_starts[k]`: byte offset of folded char `k` in `text`; extra entry `text.len()`.
    /// Empty when `identity`.
    byte_starts: Vec<u32>,
    /// ASCII input: both tables are the identity (`origin[k] == byte_starts[k] == k`), so they
    /// are not built (most English messages; building them cost more than folding).
    identity: bool,
}

/// Equal when the texts and the offsets they map to are, however the tables are kept.
impl PartialEq for Folded {
    fn eq(&self, other: &Folded) -> bool {
        self.text == other.text
            && self.char_len() == other.char_len()
            && (0..=self.char_len()).all(|k| {
                self.origin_at(k) == other.origin_at(k)
                    && self.byte_start_at(k) == other.byte_start_at(k)
            })
    }
}

impl Folded {
    /// Number of characters in the folded text.
    pub fn char_len(&self) -> usize {
        if self.identity {
            self.text.len()
        } else {
            self.origin.len() - 1
        }
    }

    fn origin_at(&self, k: usize) -> u32 {
        if self.identity {
            k as u32
        } else {
            self.origin[k]
        }
    }

    fn byte_start_at(&self, k: usize) -> u32 {
        if self.identity {
            k as u32
        } else {
            self.byte_starts[k]
        }
    }

    /// The original char offset at which folded char `folded_char` starts (clamped to the end).
    pub fn original_offset(&self, folded_char: usize) -> usize {
        self.origin_at(folded_char.min(self.char_len())) as usize
    }

    /// Maps a char span `[start, end)` of the folded text to the char span of the original text
    /// it came from. The end includes marks that folding removed from the last character, and a
    /// span that ends inside an expansion (`ﬁ` → `fi`) still covers the whole original character.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let len = self.char_len();
        let start = start.min(len);
        let end = end.clamp(start, len);
        let original_start = self.origin_at(start) as usize;
        if end == start {
            return (original_start, original_start);
        }
        let last = self.origin_at(end - 1);
        let next = self.origin_at(end);
        let original_end = if next > last { next } else { last + 1 };
        (original_start, original_end as usize)
    }

    /// The folded char index at byte offset `byte` of `text` (rounded up to a char boundary).
    pub fn char_index_of_byte(&self, byte: usize) -> usize {
        if self.identity {
            // The entries `0..=len` below `byte`.
            return byte.min(self.text.len() + 1);
        }
        self.byte_starts.partition_point(|&b| (b as usize) < byte)
    }

    /// Like [`Folded::original_span`] for a byte span of `text`, as string searchers report.
    pub fn original_span_of_bytes(&self, start: usize, end: usize) -> (usize, usize) {
        self.original_span(self.char_index_of_byte(start), self.char_index_of_byte(end))
    }
}

/// Folds text for comparison: compatibility forms (full-width letters, ligatures) to their plain
/// form, lowercase, Latin and Greek diacritics removed (so Romanian ș/ş/s, ț/ţ/t and Greek ή/η
/// meet), Greek final sigma to σ, typographic quotes to ASCII ones. Simplified and traditional
/// Chinese are deliberately kept apart, and marks outside the Latin/Greek diacritic blocks
/// (Japanese voicing marks, Indic vowel signs) are kept because they change the letter.
///
/// ```
/// let folded = text::fold("Mulţumesc, ΛΌΓΟΣ!");
/// assert_eq!(folded.text, "multumesc, λογοσ!");
/// // "λογοσ" is folded chars 11..16 and came from original chars 11..16.
/// assert_eq!(folded.original_span(11, 16), (11, 16));
/// ```
pub fn fold(input: &str) -> Folded {
    if input.is_ascii() {
        // Every ASCII char folds to one one-byte char (its lowercase), so both offset tables are
        // the identity; most English messages take this path and skip the per-char work. The
        // buffer is the one last given back by `recycle` on this thread, if any.
        let mut text = SPARE_TEXT.try_with(Cell::take).unwrap_or_default();
        text.clear();
        text.push_str(input);
        text.make_ascii_lowercase();
        return Folded {
            text,
            origin: Vec::new(),
            byte_starts: Vec::new(),
            identity: true,
        };
    }
    fold_per_char(input)
}

/// A folded text's buffer is kept for the next [`fold`] up to this size (a 1 MB paste should not
/// stay resident).
const SPARE_TEXT_MAX_BYTES: usize = 16 * 1024;

thread_local! {
    static SPARE_TEXT: Cell<String> = const { Cell::new(String::new()) };
}

/// Gives the buffer of a folded text that is no longer needed back to [`fold`] on this thread:
/// a caller that folds text after text (the coach's batch) then allocates no new buffer each
/// time.
pub fn recycle(text: String) {
    if text.capacity() <= SPARE_TEXT_MAX_BYTES {
        // A thread that is exiting has no place to keep it.
        let _ = SPARE_TEXT.try_with(|cell| cell.set(text));
    }
}

fn fold_per_char(input: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(input.len()),
        origin: Vec::with_capacity(input.len() + 1),
        byte_starts: Vec::with_capacity(input.len() + 1),
        identity: false,
    };
    let mut index = 0u32;
    let mut rest = input;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii() {
            // A run of ASCII chars is copied lowercased in one go (most of a Romanian or
            // Tagalog message): nothing composes with an ASCII char (no combining mark lies below
            // U+0300), and each folds to one one-byte char.
            let run = ascii_prefix_len(rest.as_bytes());
            let start = folded.text.len();
            folded.origin.extend(index..index + run as u32);
            folded
                .byte_starts
                .extend(start as u32..(start + run) as u32);
            folded.text.push_str(&rest[..run]);
            folded.text[start..].make_ascii_lowercase();
            index += run as u32;
            rest = &rest[run..];
        } else {
            fold_char(c, |f| folded.push(f, index));
            index += 1;
            rest = &rest[c.len_utf8()..];
        }
    }
    folded.origin.push(index);
    folded.byte_starts.push(folded.text.len() as u32);
    folded
}

/// The number of ASCII bytes `bytes` starts with, read eight at a time (as a `u64`): the ASCII
/// stretches of a message are most of its bytes.
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    let mut length = 0;
    for eight in bytes.chunks_exact(8) {
        let high = u64::from_le_bytes(eight.try_into().expect("eight bytes")) & swar::HIGH_BITS;
        if high != 0 {
            return length + (high.trailing_zeros() / 8) as usize;
        }
        length += 8;
    }
    length + bytes[length..].iter().take_while(|b| b.is_ascii()).count()
}

impl Folded {
    fn push(&mut self, c: char, original: u32) {
        let start = self.text.len() as u32;
        if push_composed(&mut self.text, c) {
            self.origin.push(original);
            self.byte_starts.push(start);
        }
    }
}

/// Only the folded text, for callers that need no offsets (search tokens): same result as
/// `fold(input).text` without the offset tables.
pub(crate) fn fold_text(input: &str) -> String {
    if input.is_ascii() {
        return input.to_ascii_lowercase();
    }
    let mut text = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_ascii() {
            text.push(c.to_ascii_lowercase());
        } else {
            fold_char(c, |f| {
                push_composed(&mut text, f);
            });
        }
    }
    text
}

/// Appends a folded char and says whether it became a new char. A kept combining mark
/// (Japanese voicing, ...) is composed with the char before it when Unicode defines the pair,
/// as NFKC does (か + ゛ → が, also across the two original half-width characters ｶﾞ).
fn push_composed(text: &mut String, c: char) -> bool {
    // No combining mark lies below U+0300, and the ranges that fold to themselves hold none; both
    // checks are much cheaper than the table lookup behind `is_combining_mark`.
    if c >= '\u{0300}'
        && !folds_to_itself(c)
        && is_combining_mark(c)
        && let Some(composed) = text.chars().next_back().and_then(|last| compose(last, c))
    {
        text.pop();
        text.push(composed);
        return false;
    }
    text.push(c);
    true
}

/// Folds one non-ASCII char, emitting zero or more folded chars.
pub(crate) fn fold_char(c: char, mut emit: impl FnMut(char)) {
    if folds_to_itself(c) {
        emit(c);
        return;
    }
    if let Some(folded) = accented_letter(c) {
        emit(folded);
        return;
    }
    fold_by_tables(c, emit);
}

fn fold_by_tables(c: char, mut emit: impl FnMut(char)) {
    decompose_compatible(c, |part| {
        if is_diacritic(part) {
            return;
        }
        // Lowercasing can itself produce a mark (İ → i + U+0307).
        for lower in part.to_lowercase() {
            if !is_diacritic(lower) {
                emit(fold_lowercase(lower));
            }
        }
    });
}

/// First and last char of the Latin-1 letters, Latin Extended-A/B, IPA and Greek blocks.
const ACCENTED_FIRST: u32 = 0xC0;
const ACCENTED_LAST: u32 = 0x3FF;

/// The fold of a Latin or Greek char (Romanian ș, ă, Greek ή, Ω...) that folds to exactly one
/// char, from a table filled once by [`fold_by_tables`] itself, so it cannot disagree with it:
/// decomposing every accented letter of a Romanian or Greek message was a sixth of the work.
fn accented_letter(c: char) -> Option<char> {
    static TABLE: OnceLock<Vec<Option<char>>> = OnceLock::new();
    let index = (c as u32).checked_sub(ACCENTED_FIRST)?;
    if c as u32 > ACCENTED_LAST {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        (ACCENTED_FIRST..=ACCENTED_LAST)
            .map(|code| {
                let mut out = Vec::new();
                if let Some(c) = char::from_u32(code) {
                    fold_by_tables(c, |f| out.push(f));
                }
                match out.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            })
            .collect()
    });
    table[index as usize]
}

/// Characters that folding leaves unchanged, recognised by range so that most characters of
/// Chinese and Greek text skip the decomposition tables: CJK Unified Ideographs, Extension A and
/// unaccented lowercase Greek letters (final sigma aside) have no compatibility decomposition, no
/// other lowercase and are no marks (the compatibility ideographs, which do decompose, lie outside
/// these ranges). Hangul syllables would decompose into jamo, but carry no removable marks, so
/// they are kept whole.
fn folds_to_itself(c: char) -> bool {
    matches!(c,
        'α'..='ρ'
        | 'σ'..='ω'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7A3}')
}

fn fold_lowercase(c: char) -> char {
    match c {
        'ς' => 'σ',
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        other => other,
    }
}

/// Combining marks that only add accents to Latin/Greek letters.
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_buffer_folds_like_a_new_one() {
        let fresh = fold("Where IS my Refund?");
        let mut used = String::with_capacity(100);
        used.push_str("OLD CONTENT that is longer than the text");
        recycle(used);
        assert_eq!(fold("Where IS my Refund?"), fresh);
        assert_eq!(fold("Where IS my Refund?").text, "where is my refund?");
        // Too large to keep: dropped, and folding still works.
        recycle(String::with_capacity(SPARE_TEXT_MAX_BYTES + 1));
        assert_eq!(fold("OK").text, "ok");
    }

    #[test]
    fn the_accented_letter_table_folds_like_the_decomposition_tables() {
        for c in (ACCENTED_FIRST..=ACCENTED_LAST + 1).filter_map(char::from_u32) {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            fold_char(c, |f| fast.push(f));
            fold_by_tables(c, |f| slow.push(f));
            assert_eq!(fast, slow, "{c:?}");
        }
        assert_eq!(accented_letter('ș'), Some('s'));
        assert_eq!(accented_letter('Ή'), Some('η'));
        assert_eq!(accented_letter('\u{0400}'), None);
    }

    fn folded(s: &str) -> String {
        fold(s).text
    }

    #[test]
    fn lowercases_and_removes_latin_accents() {
        assert_eq!(folded("Café CRÈME"), "cafe creme");
    }

    #[test]
    fn romanian_comma_and_cedilla_forms_meet() {
        assert_eq!(folded("Rambursare înapoi"), "rambursare inapoi");
        assert_eq!(folded("ȘȚșțŞŢşţ"), "stststst");
        assert_eq!(folded("ăâî ĂÂÎ"), "aai aai");
        assert_eq!(folded("mulţumesc"), folded("mulțumesc"));
    }

    #[test]
    fn greek_accents_dialytika_and_final_sigma() {
        assert_eq!(folded("Πληρωμή"), "πληρωμη");
        assert_eq!(folded("ΪΫϊϋΐΰ"), "ιυιυιυ");
        assert_eq!(folded("λόγος ΛΟΓΟΣ"), "λογοσ λογοσ");
    }

    #[test]
    fn full_width_forms_become_plain() {
        assert_eq!(folded("ＡＢＣ１２３！？"), "abc123!?");
        assert_eq!(folded("ﬁne"), "fine");
    }

    #[test]
    fn simplified_and_traditional_chinese_stay_apart() {
        assert_eq!(folded("退款 發票 发票"), "退款 發票 发票");
    }

    #[test]
    fn japanese_voicing_and_korean_syllables_survive() {
        assert_eq!(folded("が"), "が");
        assert_eq!(folded("ｶﾞｷﾞ"), "ガギ");
        assert_eq!(folded("환불"), "환불");
    }

    #[test]
    fn chars_taken_as_unchanged_really_have_nothing_to_fold() {
        let hangul = '\u{AC00}'..='\u{D7A3}';
        let claimed = ('\0'..=char::MAX).filter(|&c| folds_to_itself(c) && !hangul.contains(&c));
        for c in claimed {
            let mut parts = Vec::new();
            decompose_compatible(c, |part| parts.push(part));
            assert_eq!(parts, [c], "{c:?} decomposes");
            assert!(c.to_lowercase().eq([c]), "{c:?} has a lowercase");
            assert!(!is_combining_mark(c), "{c:?} is a mark");
        }
        assert!(
            !folds_to_itself('\u{F900}'),
            "compatibility ideographs decompose"
        );
        assert!(!folds_to_itself('ς'), "final sigma becomes σ");
        assert!(folds_to_itself('λ') && folds_to_itself('中'));
    }

    #[test]
    fn ascii_shortcut_folds_like_the_per_char_path() {
        for input in [
            "",
            "Hello, WORLD! It's 9:30.\n\tTab~",
            "\u{0}\u{7F} ABC xyz 0123",
        ] {
            let (fast, slow) = (fold(input), fold_per_char(input));
            assert_eq!(fast, slow, "{input:?}");
            assert_eq!(fold_text(input), slow.text, "{input:?}");
            // The identity tables answer every query as the built ones do, past the end too.
            let len = input.len();
            for start in 0..=len + 2 {
                assert_eq!(fast.original_offset(start), slow.original_offset(start));
                assert_eq!(
                    fast.char_index_of_byte(start),
                    slow.char_index_of_byte(start)
                );
                for end in 0..=len + 2 {
                    assert_eq!(
                        fast.original_span(start, end),
                        slow.original_span(start, end)
                    );
                    assert_eq!(
                        fast.original_span_of_bytes(start, end),
                        slow.original_span_of_bytes(start, end)
                    );
                }
            }
        }
        let all_ascii: String = (0u8..=127).map(char::from).collect();
        assert_eq!(fold(&all_ascii), fold_per_char(&all_ascii));
        assert_ne!(fold("ab"), fold_per_char("abc"));
        assert_ne!(fold("abc"), fold_per_char("ab"));
    }

    #[test]
    fn ascii_prefixes_are_counted_like_byte_by_byte() {
        let text = "abcdefgh’ijklmnopq€rstuvwxyz0123456789😡.é";
        for start in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            for end in (start..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let bytes = &text.as_bytes()[start..end];
                let expected = bytes.iter().take_while(|b| b.is_ascii()).count();
                assert_eq!(ascii_prefix_len(bytes), expected, "{start}..{end}");
            }
        }
    }

    #[test]
    fn typographic_quotes_become_ascii() {
        assert_eq!(folded("don’t “now”"), "don't \"now\"");
    }

    #[test]
    fn offsets_point_at_the_original_characters() {
        let f = fold("Ünïcode café");
        assert_eq!(f.text, "unicode cafe");
        // "cafe" in folded text is chars 8..12 and maps to "café" in the original.
        assert_eq!(f.original_span(8, 12), (8, 12));
        let original: Vec<char> = "Ünïcode café".chars().collect();
        let (s, e) = f.original_span(8, 12);
        assert_eq!(original[s..e].iter().collect::<String>(), "café");
    }

    #[test]
    fn span_includes_separate_combining_marks_of_the_original() {
        let input = "cafe\u{301} ok";
        let f = fold(input);
        assert_eq!(f.text, "cafe ok");
        assert_eq!(f.original_span(0, 4), (0, 5));
        assert_eq!(f.original_span(5, 7), (6, 8));
    }

    #[test]
    fn span_inside_an_expansion_covers_the_whole_original_character() {
        let f = fold("ﬁx");
        assert_eq!(f.text, "fix");
        assert_eq!(f.original_span(0, 1), (0, 1));
        assert_eq!(f.original_span(1, 3), (0, 2));
    }

    #[test]
    fn byte_spans_map_like_char_spans() {
        let f = fold("Ο ΠΕΛΆΤΗΣ πλήρωσε");
        let byte_start = f.text.find("πληρωσε").unwrap();
        let byte_end = byte_start + "πληρωσε".len();
        assert_eq!(f.original_span_of_bytes(byte_start, byte_end), (10, 17));
    }

    #[test]
    fn text_only_fold_matches_fold() {
        for input in [
            "Ünïcode café",
            "ｶﾞｷﾞ",
            "ΛΌΓΟΣ",
            "ＡＢＣ！",
            "ﬁx",
            "e\u{301}",
            "",
        ] {
            assert_eq!(fold_text(input), fold(input).text, "{input:?}");
        }
    }

    #[test]
    fn empty_input_folds_to_empty() {
        let f = fold("");
        assert_eq!(f.text, "");
        assert_eq!(f.char_len(), 0);
        assert_eq!(f.original_span(0, 0), (0, 0));
        assert_eq!(f.original_offset(5), 0);
    }

    /// Every folded span, over inputs mixing all the cases folding handles, must map to a valid,
    /// ordered span of the original, and spans must cover the original monotonically.
    #[test]
    fn every_span_maps_inside_the_original() {
        let pieces = [
            "a", "É", "ș", "Ş", "ή", "ΐ", "Σ", "ς", "退", "發", "Ａ", "！", "ﬁ", "ﬃ", "İ", "ß",
            "e\u{301}", "\u{301}", "😡", "👍🏽", " ", "\n", "\u{0}", "が", "ｶﾞ", "한", "①", "㎏", "’",
            "\u{200B}", "ǅ", "ᾳ", "µ", "\u{FEFF}", "🇷🇴",
        ];
        let mut inputs: Vec<String> = Vec::new();
        // All ordered pairs and a deterministic pseudo-random set of longer mixtures.
        for a in pieces {
            for b in pieces {
                inputs.push(format!("{a}{b}"));
            }
        }
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            inputs.push(s);
        }
        for input in &inputs {
            let original_len = input.chars().count();
            let f = fold(input);
            let n = f.char_len();
            assert_eq!(n, f.text.chars().count(), "{input:?}");
            let mut previous_start = 0;
            for start in 0..=n {
                let offset = f.original_offset(start);
                assert!(offset <= original_len, "{input:?} start {start}");
                assert!(offset >= previous_start, "{input:?} not monotonic");
                previous_start = offset;
                for end in start..=n {
                    let (s, e) = f.original_span(start, end);
                    assert!(
                        s <= e && e <= original_len,
                        "{input:?} [{start},{end}) -> [{s},{e})"
                    );
                    if end > start {
                        assert!(e > s, "{input:?} non-empty span maps to empty");
                    }
                }
            }
            for (byte, _) in f.text.char_indices() {
                let k = f.char_index_of_byte(byte);
                assert_eq!(f.text[byte..].chars().next(), f.text.chars().nth(k));
            }
            if n > 0 {
                assert_eq!(f.original_span(0, n).1, original_len, "{input:?}");
            }
        }
    }
}
