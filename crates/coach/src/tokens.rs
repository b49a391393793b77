//! Splits folded text into the words the rule patterns are written in, remembering sentences,
//! clauses and quotations, and joins the words into one string (`token_text` slices it).
//!
//! The same function tokenises pattern words, so "I'm" in a pack and "Im" in a message meet.

use text::Folded;
use text::swar::{self, HIGH_BITS, zero_bytes};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    /// Folded char offsets `[start, end)`.
    pub start: u32,
    pub end: u32,
    /// Byte range of the token's text in `TokenizedText::joined`.
    pub joined_start: u32,
    pub joined_end: u32,
    pub sentence: u32,
    /// First token of a sentence or of a clause (after `, ; :`).
    pub clause_start: bool,
    /// Inside quotation marks: reported speech, not the writer's own words.
    pub quoted: bool,
    /// The character right after the token (`' '` at the end): tells `9:30` from `9, 30`.
    pub next_char: char,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Sentence {
    pub first_token: u32,
    pub end_token: u32,
    pub question: bool,
}

#[derive(Debug)]
pub(crate) struct TokenizedText {
    pub folded: Folded,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    /// Each token preceded by `' '`, and sentences separated by `'\n'`: `" a b\n c"`.
    pub joined: String,
}

impl TokenizedText {
    pub fn token_text(&self, index: usize) -> &str {
        let token = &self.tokens[index];
        &self.joined[token.joined_start as usize..token.joined_end as usize]
    }

    /// `token_text` as bytes, without the char-boundary checks of slicing a `str`.
    pub fn token_bytes(&self, index: usize) -> &[u8] {
        let token = &self.tokens[index];
        &self.joined.as_bytes()[token.joined_start as usize..token.joined_end as usize]
    }

    pub fn sentence_of(&self, token: u32) -> u32 {
        self.tokens[token as usize].sentence
    }

    /// Char span in the ORIGINAL text covered by tokens `[first, end)`.
    pub fn original_span(&self, first: u32, end: u32) -> (usize, usize) {
        let start = self.tokens[first as usize].start as usize;
        let stop = self.tokens[end as usize - 1].end as usize;
        self.folded.original_span(start, stop)
    }
}

/// Emptied lists of a dropped `TokenizedText`, kept per thread for the next text (allocating
/// and freeing them was a noticeable part of a short message's cost).
struct Spare {
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    joined: Vec<u8>,
}

/// Lists longer than these are freed rather than kept (a 1 MB paste should not stay resident).
const SPARE_MAX_BYTES: usize = 16 * 1024;
const SPARE_MAX_TOKENS: usize = 4096;

thread_local! {
    static SPARE: std::cell::RefCell<Option<Spare>> = const { std::cell::RefCell::new(None) };
}

impl Drop for TokenizedText {
    fn drop(&mut self) {
        text::recycle(std::mem::take(&mut self.folded.text));
        if self.joined.capacity() > SPARE_MAX_BYTES || self.tokens.capacity() > SPARE_MAX_TOKENS {
            return;
        }
        let mut spare = Spare {
            tokens: std::mem::take(&mut self.tokens),
            sentences: std::mem::take(&mut self.sentences),
            joined: std::mem::take(&mut self.joined).into_bytes(),
        };
        spare.tokens.clear();
        spare.sentences.clear();
        spare.joined.clear();
        // A thread that is exiting has no place to keep them.
        let _ = SPARE.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                *slot = Some(spare);
            }
        });
    }
}

/// Chinese, Japanese kana: every character is a word of its own.
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// The case of a non-ASCII letter of the scripts the packs mostly read (Greek, Han), by range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LetterCase {
    Upper,
    Lower,
    Caseless,
}

/// `Some` for letters whose class and case are known by range, so the frequent ones skip
/// `char::is_alphabetic` and friends, which search Unicode tables for every non-ASCII char
/// (Greek text spent a seventh of its time there). `None`: ask the tables. None of these
/// letters is numeric.
pub(crate) fn known_letter(c: char) -> Option<LetterCase> {
    if c.is_ascii() {
        // The standard library answers ASCII without tables, faster than the ranges below.
        return None;
    }
    match c as u32 {
        0x386 | 0x388..=0x38A | 0x38C | 0x38E..=0x38F | 0x391..=0x3A1 | 0x3A3..=0x3AB => {
            Some(LetterCase::Upper)
        }
        0x390 | 0x3AC..=0x3CE => Some(LetterCase::Lower),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF => Some(LetterCase::Caseless),
        _ => None,
    }
}

const fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '\u{00B4}')
}

const fn is_clause_mark(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '、' | '—' | '–' | '(' | ')' | '·')
}

/// What a punctuation char does to the tokeniser: bits of [`marks_of`].
const APOSTROPHE: u8 = 1;
/// Ends a sentence wherever it stands.
const SENTENCE_END: u8 = 2;
/// `.`: ends a sentence unless a letter or digit follows.
const DOT: u8 = 4;
const QUESTION: u8 = 8;
const CLAUSE: u8 = 16;
/// Opens or closes a quotation.
const QUOTE: u8 = 32;

const fn marks_by_match(c: char) -> u8 {
    let marks = [
        (is_apostrophe(c), APOSTROPHE),
        (
            matches!(c, '!' | '?' | '。' | '…' | '\n' | '\r' | '｡'),
            SENTENCE_END,
        ),
        (c == '.', DOT),
        (c == '?', QUESTION),
        (is_clause_mark(c), CLAUSE),
        (
            matches!(
                c,
                '"' | '«' | '「' | '『' | '《' | '»' | '」' | '』' | '》' | '\n'
            ),
            QUOTE,
        ),
    ];
    let mut bits = 0;
    let mut k = 0;
    while k < marks.len() {
        if marks[k].0 {
            bits |= marks[k].1;
        }
        k += 1;
    }
    bits
}

/// [`marks_by_match`] of the ASCII chars, so an ASCII punctuation byte takes one load rather
/// than a match of jumps (the tokeniser's most mispredicted branch).
static ASCII_MARKS: [u8; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = marks_by_match(byte as u8 as char);
        byte += 1;
    }
    table
};

fn marks_of(c: char) -> u8 {
    match ASCII_MARKS.get(c as usize) {
        Some(&marks) => marks,
        None => marks_by_match(c),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Digit,
    Letter,
}

/// What a character is to the tokeniser.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharKind {
    /// A word of its own (Chinese, kana).
    Ideograph,
    Word(WordClass),
    Other,
}

/// ASCII first (most text, and all folded Romanian and Tagalog), then the ranges of
/// `known_letter`, and only then the Unicode tables.
#[inline(always)]
fn char_kind(c: char) -> CharKind {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            CharKind::Word(WordClass::Letter)
        } else if c.is_ascii_digit() {
            CharKind::Word(WordClass::Digit)
        } else {
            CharKind::Other
        };
    }
    // No ideograph lies below U+3040: Greek and accented Latin letters skip those ranges.
    if c >= '\u{3040}' && is_ideograph(c) {
        CharKind::Ideograph
    } else if known_letter(c).is_some() {
        CharKind::Word(WordClass::Letter)
    } else if text::is_known_punctuation(c) {
        CharKind::Other
    } else if c.is_alphanumeric() {
        CharKind::Word(if c.is_numeric() {
            WordClass::Digit
        } else {
            WordClass::Letter
        })
    } else {
        CharKind::Other
    }
}

struct Builder {
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    /// `TokenizedText::joined` as bytes until the end: a word's bytes are copied and cut back
    /// without the char-boundary checks of `String` (only whole chars are ever pushed).
    joined: Vec<u8>,
    sentence_break: bool,
    clause_break: bool,
    question: bool,
    quote_depth: u32,
    /// The class of the open token, if one is open.
    open: Option<WordClass>,
    /// Folded char offset of the last char pushed into the open token.
    last_at: u32,
    /// The letter being repeated in the open token and how often.
    run: (char, u32),
}

impl Builder {
    #[inline(always)]
    fn start_token(&mut self, at: u32, class: WordClass) {
        if self.sentence_break || self.sentences.is_empty() {
            self.start_sentence();
        }
        // Every token is preceded by a space.
        self.joined.push(b' ');
        self.tokens.push(Token {
            start: at,
            end: at,
            joined_start: self.joined.len() as u32,
            joined_end: self.joined.len() as u32,
            sentence: self.sentences.len() as u32 - 1,
            clause_start: self.clause_break,
            quoted: self.quote_depth > 0,
            next_char: ' ',
        });
        self.clause_break = false;
        self.open = Some(class);
        self.run = ('\0', 0);
    }

    /// Before the first token of a sentence: closes the last one (a newline separates them in
    /// the joined text) and opens a new one, whose first token starts a clause.
    fn start_sentence(&mut self) {
        if self.sentence_break && !self.tokens.is_empty() {
            self.close_sentence();
        }
        if !self.sentences.is_empty() {
            self.joined.push(b'\n');
        }
        self.sentences.push(Sentence {
            first_token: self.tokens.len() as u32,
            end_token: self.tokens.len() as u32,
            question: false,
        });
        self.sentence_break = false;
        self.clause_break = true;
    }

    #[inline(always)]
    fn push_char(&mut self, c: char, at: u32) {
        self.run = if self.run.0 == c {
            (c, self.run.1 + 1)
        } else {
            (c, 1)
        };
        // "sooo" → "so", "incredibiiil" → "incredibil": a run of three or more of one letter
        // collapses to one, so stretched words still meet the word lists (the cue counts apart).
        let mut utf8 = [0; 4];
        match self.run.1 {
            1 | 2 => self.push_whole_char(c, &mut utf8),
            3 if c.is_alphabetic() => {
                // The last char pushed is `c`.
                self.joined.truncate(self.joined.len() - c.len_utf8());
            }
            _ if c.is_alphabetic() => {}
            _ => self.push_whole_char(c, &mut utf8),
        }
        self.last_at = at;
    }

    fn push_whole_char(&mut self, c: char, utf8: &mut [u8; 4]) {
        self.joined
            .extend_from_slice(c.encode_utf8(utf8).as_bytes());
    }

    /// `Builder::char` for each byte of `text[start..end]`, ASCII chars of `class` from char
    /// offset `at` on: the same tokens, joined text and run-length state. `tripled`: one letter
    /// of them is repeated three times in a row.
    // Inlined into both compilations of `runs` (once per word; out of line it cost ~2,000
    // more instructions per tweet).
    #[inline(always)]
    fn word(&mut self, text: &str, (start, end): (usize, usize), at: u32, word: (WordClass, bool)) {
        let (class, tripled) = word;
        let run = &text.as_bytes()[start..end];
        let first = char::from(run[0]);
        if self.open != Some(class) {
            self.end_token(first);
            self.start_token(at, class);
        }
        // Letters repeated three times (or continuing the repeat before the run) collapse: char
        // by char. Otherwise every char is pushed and only the run's tail is remembered (digits
        // never collapse, and a digit token ends with its run).
        if class == WordClass::Letter && (tripled || self.run.0 == first) {
            for (at, &byte) in (at..).zip(run) {
                self.push_char(char::from(byte), at);
            }
            return;
        }
        match text.as_bytes().get(start..start + EIGHT) {
            // Eight bytes and a cut back: one store rather than a call to `memcpy`.
            Some(eight) if run.len() < EIGHT => {
                self.joined.extend_from_slice(eight);
                self.joined
                    .truncate(self.joined.len() - (EIGHT - run.len()));
            }
            _ => self.joined.extend_from_slice(run),
        }
        let last = run[run.len() - 1];
        let repeated = run.len() >= 2 && run[run.len() - 2] == last;
        self.run = (char::from(last), if repeated { 2 } else { 1 });
        self.last_at = at + run.len() as u32 - 1;
    }

    /// Closes the open token, if any: its ends are written once here rather than per char.
    fn end_token(&mut self, next: char) {
        if self.open.take().is_some() {
            self.finish_token(next);
        }
    }

    fn finish_token(&mut self, next: char) {
        let token = self.tokens.last_mut().expect("a token is open");
        token.end = self.last_at + 1;
        token.joined_end = self.joined.len() as u32;
        token.next_char = next;
    }

    fn close_sentence(&mut self) {
        if let Some(sentence) = self.sentences.last_mut() {
            sentence.end_token = self.tokens.len() as u32;
            sentence.question = self.question;
        }
        self.question = false;
    }

    /// One char of the folded text at char offset `at`, between `prev` and `next` (`' '` at
    /// either end of the text).
    #[inline(always)]
    fn char(&mut self, c: char, at: u32, prev: char, next: char, question_marks: &[char]) {
        let class = match char_kind(c) {
            CharKind::Ideograph => {
                self.end_token(c);
                self.start_token(at, WordClass::Letter);
                self.push_char(c, at);
                self.end_token(next);
                return;
            }
            CharKind::Word(class) => class,
            CharKind::Other => {
                self.punctuation(c, prev, next, question_marks.contains(&c));
                return;
            }
        };
        if self.open != Some(class) {
            self.end_token(c);
            self.start_token(at, class);
        }
        self.push_char(c, at);
    }

    /// A char that is neither a letter nor a digit. `extra_question_mark`: the pack makes it
    /// a question mark.
    fn punctuation(&mut self, c: char, prev: char, next: char, extra_question_mark: bool) {
        let marks = marks_of(c);
        // An apostrophe inside a word joins it: "don't" and "dont" are the same word.
        if marks & APOSTROPHE != 0
            && self.open.is_some()
            && prev.is_alphabetic()
            && next.is_alphabetic()
        {
            return;
        }
        self.end_token(c);
        let sentence_end = if marks & DOT != 0 {
            // "9.30", "a.m.", "example.com": a dot followed by a letter or digit ends nothing.
            !next.is_alphanumeric()
        } else {
            marks & SENTENCE_END != 0 || extra_question_mark
        };
        if marks & QUESTION != 0 || extra_question_mark {
            self.question = true;
        }
        if sentence_end {
            self.sentence_break = true;
            self.clause_break = true;
        } else if marks & CLAUSE != 0 {
            self.clause_break = true;
        }
        if marks & QUOTE != 0 {
            match c {
                '"' => self.quote_depth = if self.quote_depth > 0 { 0 } else { 1 },
                '«' | '「' | '『' | '《' => self.quote_depth += 1,
                '»' | '」' | '』' | '》' => {
                    self.quote_depth = self.quote_depth.saturating_sub(1)
                }
                _ => self.quote_depth = 0,
            }
        }
    }
}

/// Tokenises folded text. `question_marks` are the pack's extra question marks (Greek `;`).
pub(crate) fn tokenize(folded: Folded, question_marks: &[char]) -> TokenizedText {
    tokenize_with(folded, question_marks, chars_in_runs)
}

/// How the chars of a text are given to the [`Builder`]: [`chars_in_runs`] (or, in tests, one
/// by one to check that both ways give the same result).
type Walk = fn(&mut Builder, &str, &[char]);

fn tokenize_with(folded: Folded, question_marks: &[char], walk: Walk) -> TokenizedText {
    // The lists of the last text this thread dropped, emptied, or new ones with room for a token
    // every few bytes, so they rarely grow while tokenising.
    let mut spare = SPARE
        .with(|cell| cell.borrow_mut().take())
        .unwrap_or_else(|| Spare {
            tokens: Vec::with_capacity(folded.text.len() / 4 + 1),
            sentences: Vec::with_capacity(folded.text.len() / 64 + 1),
            joined: Vec::with_capacity(folded.text.len() + 16),
        });
    spare.tokens.reserve(folded.text.len() / 4 + 1);
    spare.sentences.reserve(folded.text.len() / 64 + 1);
    spare.joined.reserve(folded.text.len() + 16);
    let mut b = Builder {
        tokens: spare.tokens,
        sentences: spare.sentences,
        joined: spare.joined,
        sentence_break: false,
        clause_break: false,
        question: false,
        quote_depth: 0,
        open: None,
        last_at: 0,
        run: ('\0', 0),
    };
    walk(&mut b, &folded.text, question_marks);
    if b.open.is_some() {
        // The last token ends with the text; its `next_char` stays `' '`.
        b.finish_token(' ');
    }
    b.close_sentence();
    if b.sentences.is_empty() {
        b.sentences.push(Sentence {
            first_token: 0,
            end_token: 0,
            question: false,
        });
    }
    TokenizedText {
        folded,
        tokens: b.tokens,
        sentences: b.sentences,
        // Whole chars only were pushed, and every word copied ends where the text's run of
        // ASCII letters or digits does.
        joined: String::from_utf8(b.joined).expect("the joined text is whole chars"),
    }
}

/// The chars of folded text, with a run of ASCII letters or digits taken at once (see
/// [`word_end`]; copied whole unless a letter repeats three times) and other ASCII bytes
/// without decoding; non-ASCII chars (in a few English messages) go through
/// [`Builder::char`]. Per char, decoding, the run-length bookkeeping and pushing one char at a
/// time were most of the tokeniser's cost.
fn chars_in_runs(b: &mut Builder, text: &str, question_marks: &[char]) {
    // One loop, compiled twice: for ASCII text (most English) without the decoding branches.
    if text.is_ascii() {
        runs::<true>(b, text, question_marks);
    } else {
        runs::<false>(b, text, question_marks);
    }
}

/// [`chars_in_runs`] of a text that is all ASCII if `ASCII`.
// Not inlined into `tokenize`: on its own the loop compiles to fewer instructions per byte.
#[inline(never)]
fn runs<const ASCII: bool>(b: &mut Builder, text: &str, question_marks: &[char]) {
    let bytes = text.as_bytes();
    // A space only ends the open token (unless a pack made it a question mark): the commonest
    // char after letters skips the punctuation checks.
    let plain_space = !question_marks.contains(&' ');
    let extra_question_marks = question_marks
        .iter()
        .filter(|c| c.is_ascii())
        .fold(0u128, |marks, &c| marks | (1 << u32::from(c)));
    // The chars before and at a byte offset that starts a char (`' '` past either end).
    let char_before = |i: usize| match i.checked_sub(1).map(|last| bytes[last]) {
        None => ' ',
        Some(byte) if ASCII || byte.is_ascii() => char::from(byte),
        _ => text[..i].chars().next_back().unwrap_or(' '),
    };
    let char_at = |i: usize| match bytes.get(i) {
        None => ' ',
        Some(&byte) if ASCII || byte.is_ascii() => char::from(byte),
        _ => text[i..].chars().next().unwrap_or(' '),
    };
    // Most texts have no letter three times in a row: one pass spares looking for one in
    // every word.
    let any_tripled = any_tripled_letter(bytes);
    let mut i = 0;
    // Bytes so far that continue a non-ASCII char: the char offset of byte `i` is `i - extra`.
    let mut extra = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let at = (i - extra) as u32;
        let class = if byte.is_ascii_alphabetic() {
            Some(WordClass::Letter)
        } else if byte.is_ascii_digit() {
            Some(WordClass::Digit)
        } else {
            None
        };
        if let Some(class) = class {
            let (end, tripled) = word_end(bytes, i, class, any_tripled);
            b.word(text, (i, end), at, (class, tripled));
            i = end;
            // Most words are followed by a space: it closes the word here, rather than after
            // another turn of the loop that tells what the byte is.
            if plain_space && bytes.get(i) == Some(&b' ') {
                b.end_token(' ');
                i += 1;
            }
            continue;
        }
        if byte == b' ' && plain_space {
            b.end_token(' ');
        } else if ASCII || byte.is_ascii() {
            // Neither a letter nor a digit: punctuation, or a space that a pack made a question
            // mark.
            let extra_question_mark = (extra_question_marks >> byte) & 1 == 1;
            b.punctuation(
                char::from(byte),
                char_before(i),
                char_at(i + 1),
                extra_question_mark,
            );
        } else {
            let c = char_at(i);
            let length = c.len_utf8();
            b.char(c, at, char_before(i), char_at(i + length), question_marks);
            i += length;
            extra += length - 1;
            continue;
        }
        i += 1;
    }
}

const EIGHT: usize = 8;
/// Whether an ASCII letter of `bytes` is repeated three times in a row: eight starts at a time
/// from three overlapping `u64` reads, the last few from a copy padded with zeros (not
/// letters). A vectorised byte pass ended in a byte loop whose exit, at a different count
/// in every short text, was often mispredicted.
fn any_tripled_letter(bytes: &[u8]) -> bool {
    let tripled_starts = |ten: &[u8]| {
        let read =
            |by: usize| u64::from_le_bytes(ten[by..by + EIGHT].try_into().expect("eight bytes"));
        let (first, second, third) = (read(0), read(1), read(2));
        zero_bytes(first ^ second)
            & zero_bytes(second ^ third)
            & class_bytes(first, WordClass::Letter)
    };
    let mut found = 0;
    let mut from = 0;
    while let Some(ten) = bytes.get(from..from + EIGHT + 2) {
        found |= tripled_starts(ten);
        from += EIGHT;
    }
    let mut padded = [0; EIGHT + 2];
    padded[..bytes.len() - from].copy_from_slice(&bytes[from..]);
    found |= tripled_starts(&padded);
    found != 0
}

/// The end of the run of ASCII chars of `class` from byte `start` of `bytes`, and whether a
/// letter repeats three times in it (looked for only if `any_tripled`). The run is read eight
/// bytes at a time (as a `u64`), without a branch per byte: most words take one read.
// Inlined into both compilations of `runs`, like `Builder::word`.
#[inline(always)]
fn word_end(bytes: &[u8], start: usize, class: WordClass, any_tripled: bool) -> (usize, bool) {
    // Reads overlap by two bytes, so that three equal bytes starting in the first six bytes of
    // a read are seen whole.
    const STEP: usize = EIGHT - 2;
    let mut tripled = false;
    let mut from = start;
    while let Some(eight) = bytes.get(from..from + EIGHT) {
        let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        let outside = !class_bytes(eight, class) & HIGH_BITS;
        let inside = (outside.trailing_zeros() / 8) as usize;
        // Bytes of this read that can start three in the run: all but its last two.
        let starts = inside.saturating_sub(2).min(STEP);
        if any_tripled {
            let equal_to_next = zero_bytes(eight ^ (eight >> 8));
            tripled |= equal_to_next & (equal_to_next >> 8) & ((1 << (8 * starts)) - 1) != 0;
        }
        if outside != 0 {
            return (from + inside, tripled);
        }
        from += STEP;
    }
    // The last few bytes of the text, one by one.
    let length = bytes[from..]
        .iter()
        .position(|&byte| class_bytes(u64::from(byte), class) & 0x80 == 0)
        .unwrap_or(bytes.len() - from);
    let rest = &bytes[from..from + length];
    tripled |= any_tripled && rest.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
    (from + length, tripled)
}

/// The high bit of each byte of `eight` that is an ASCII letter or digit, as `class` says.
fn class_bytes(eight: u64, class: WordClass) -> u64 {
    let ascii = eight & !HIGH_BITS;
    let in_class = match class {
        WordClass::Letter => swar::letters(ascii),
        WordClass::Digit => swar::bytes_in(ascii, b'0', b'9'),
    };
    in_class & !eight
}

/// The folded words of a piece of pattern text, as the matcher will see them in messages.
pub(crate) fn pattern_words(raw: &str) -> Vec<String> {
    if raw.is_ascii() {
        return ascii_words(raw);
    }
    let tokenized = tokenize(text::fold(raw), &[]);
    (0..tokenized.tokens.len())
        .map(|i| tokenized.token_text(i).to_owned())
        .collect()
}

/// `pattern_words` for ASCII text without the offset bookkeeping: most pattern text is ASCII,
/// and loading the packs is dominated by it. Same rules as `tokenize`: lowercase, an apostrophe
/// between letters joins, digits and letters are separate words.
fn ascii_words(raw: &str) -> Vec<String> {
    let bytes = raw.as_bytes();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_is_digit = false;
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            let is_digit = b.is_ascii_digit();
            if !current.is_empty() && is_digit != current_is_digit {
                words.push(std::mem::take(&mut current));
            }
            current_is_digit = is_digit;
            let c = b.to_ascii_lowercase() as char;
            run = if current.ends_with(c) { run + 1 } else { 1 };
            match run {
                1 | 2 => current.push(c),
                3 if c.is_alphabetic() => {
                    current.pop();
                }
                _ if c.is_alphabetic() => {}
                _ => current.push(c),
            }
            continue;
        }
        let between_letters = i > 0
            && bytes[i - 1].is_ascii_alphabetic()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        if is_apostrophe(b as char) && between_letters && !current.is_empty() {
            continue;
        }
        if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        pattern_words(s)
    }

    #[test]
    fn known_letters_agree_with_the_unicode_tables() {
        let mut known = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let Some(case) = known_letter(c) else {
                continue;
            };
            known += 1;
            assert!(c.is_alphabetic() && !c.is_numeric(), "{c:?}");
            assert_eq!(c.is_uppercase(), case == LetterCase::Upper, "{c:?}");
            assert_eq!(c.is_lowercase(), case == LetterCase::Lower, "{c:?}");
        }
        assert!(known > 27_000, "Greek and Han letters are all known");
        assert_eq!(
            known_letter('\u{0387}'),
            None,
            "the Greek ano teleia is punctuation"
        );
    }

    /// The chars of folded text, one by one.
    fn all_chars(b: &mut Builder, text: &str, question_marks: &[char]) {
        let mut chars = text.chars();
        let mut current = chars.next();
        let mut prev = ' ';
        let mut at = 0u32;
        // A space only ends the open token (unless a pack made it a question mark): the commonest
        // char after letters skips the punctuation checks.
        let plain_space = !question_marks.contains(&' ');
        while let Some(c) = current {
            let following = chars.next();
            if c == ' ' && plain_space {
                b.end_token(' ');
            } else {
                b.char(c, at, prev, following.unwrap_or(' '), question_marks);
            }
            prev = c;
            current = following;
            at += 1;
        }
    }

    /// Everything `tokenize` produces, as comparable text.
    fn tokenized_parts(text: &TokenizedText) -> String {
        let tokens: Vec<String> = text
            .tokens
            .iter()
            .map(|t| {
                format!(
                    "{}-{} {}-{} s{} c{} q{} n{:?}",
                    t.start,
                    t.end,
                    t.joined_start,
                    t.joined_end,
                    t.sentence,
                    t.clause_start,
                    t.quoted,
                    t.next_char
                )
            })
            .collect();
        let sentences: Vec<String> = text
            .sentences
            .iter()
            .map(|s| format!("{}-{} {}", s.first_token, s.end_token, s.question))
            .collect();
        format!("{:?} | {tokens:?} | {sentences:?}", text.joined)
    }

    #[test]
    fn runs_of_ascii_chars_tokenize_like_char_by_char() {
        let mut samples: Vec<String> = [
            "",
            "a",
            "aa",
            "aaa",
            "sooo angry!!! NOOOO",
            "o'o o'oo oo'o aa'a don't can''t 'quoted' it's'",
            "abc123def 9:30 a.m. example.com x1y2z3",
            "zzz... \"you idiot\" he said; «no» (maybe) — fine?",
            "   leading and trailing   ",
            "tab\there\nnew line\r\nend",
            "I'm SORRY, don't WAIT!!!! Why?? aaaah bbb cc d",
            "incredibiiil heyyy yyy y'yy",
            // Words around eight bytes long, and runs of three at the edges of a read.
            "abcdefg abcdefgh abcdefghi abcdefghijklmno aaab abcdeeef abcdefggg abcdefghhh",
            "aa'a 000 1234567 12345678 123456789 a1234567b www.xxx.com/zzz?q=aaa&p=999",
            "oooooooooooooooo a'aaaaaaaaaaa x''''y end",
            // Non-ASCII chars between ASCII runs (char offsets behind byte offsets).
            "é'a a'é naïve café's e\u{301}e coöperate Ωmega 10分钟内 abc中def",
            "ok 😡😡 then! «quoted» 「引用」 — fine… ¿no? ＡＢＣ！ x·y 、z",
            "eeé éee ééé aaaé Σσς 1²3 ½ Ⅻ l’été ’tis",
            // Repeated non-ASCII letters collapse by whole chars (the joined text is bytes).
            "ΩΩΩΩ ωωω xéééééy 中中中 ½½½½ 😡😡😡😡 aaaéééaaa",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // Every ASCII char between letters, digits and spaces, and doubled.
        samples.extend(
            (0u8..128)
                .map(char::from)
                .map(|c| format!("a{c}b a{c} {c}1 1{c}a. {c}{c}x \"q{c}\" y{c}")),
        );
        let suite = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suite");
        for lang in ["en", "ro", "tl", "el", "zh-Hans", "zh-Hant"] {
            for file in ["messages.jsonl", "replies.jsonl"] {
                let content =
                    std::fs::read_to_string(suite.join(lang).join(file)).unwrap_or_default();
                for line in content.lines() {
                    let value: serde_json::Value = serde_json::from_str(line).unwrap();
                    if let Some(text) = value["text"].as_str() {
                        samples.push(text.to_owned());
                    }
                }
            }
        }
        let mut ascii = 0;
        for sample in &samples {
            let folded = text::fold(sample);
            ascii += usize::from(folded.text.is_ascii());
            for marks in [&[][..], &[';'][..], &[' '][..], &['.', '"', '\n'][..]] {
                assert_eq!(
                    tokenized_parts(&tokenize_with(folded.clone(), marks, chars_in_runs)),
                    tokenized_parts(&tokenize_with(folded.clone(), marks, all_chars)),
                    "{sample:?} {marks:?}"
                );
            }
        }
        assert!(ascii > 200, "only {ascii} ASCII samples");
        let others = samples.len() - ascii;
        assert!(others > 200, "only {others} non-ASCII samples");
    }

    #[test]
    fn eight_bytes_at_a_time_agree_with_one_at_a_time() {
        let is_in = |byte: u8, class: WordClass| match class {
            WordClass::Letter => byte.is_ascii_alphabetic(),
            WordClass::Digit => byte.is_ascii_digit(),
        };
        // Every byte value in every position of a read, among neighbours at the edges of the
        // classes.
        let neighbours = [
            0x00, 0x2F, 0x30, 0x39, 0x3A, 0x40, b'A', b'Z', 0x5B, 0x60, b'a', b'z', 0x7B, 0x80,
            0xFF,
        ];
        for byte in 0..=u8::MAX {
            for lane in 0..EIGHT {
                for (n, &neighbour) in neighbours.iter().enumerate() {
                    let mut read = [neighbour; EIGHT];
                    read[(lane + n) % EIGHT] = neighbours[(n + 5) % neighbours.len()];
                    read[lane] = byte;
                    let eight = u64::from_le_bytes(read);
                    for class in [WordClass::Letter, WordClass::Digit] {
                        let lanes = class_bytes(eight, class);
                        for (k, &b) in read.iter().enumerate() {
                            let inside = (lanes >> (8 * k + 7)) & 1 == 1;
                            assert_eq!(inside, is_in(b, class), "{read:?}");
                        }
                    }
                }
            }
        }
        let samples = [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "aaab baaa abaaa abcdaaa abcdeaaa abcdefaaa abcdefgaaa abcdefghaaa",
            "xxxxxxxxxxxxxxxxxxxxxxx",
            "123456789 000 0000000000 1a2b",
            "don't stop-me NOW",
            "https://www.example.com/aaa/123456789012345?q=zzz",
            "supercalifragilisticexpialidocious",
            "zz\u{80}zzz é",
        ];
        for sample in samples {
            let bytes = sample.as_bytes();
            for start in 0..bytes.len() {
                for class in [WordClass::Letter, WordClass::Digit] {
                    if !is_in(bytes[start], class) {
                        continue;
                    }
                    let length = bytes[start..]
                        .iter()
                        .take_while(|&&b| is_in(b, class))
                        .count();
                    let run = &bytes[start..start + length];
                    let tripled = run.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
                    assert_eq!(
                        word_end(bytes, start, class, true),
                        (start + length, tripled),
                        "{sample:?} {start}"
                    );
                    let untested = word_end(bytes, start, class, false);
                    assert_eq!(untested, (start + length, false), "{sample:?} {start}");
                }
            }
        }
    }

    #[test]
    fn the_ascii_shortcut_agrees_with_the_tokenizer() {
        let samples = [
            "I'm SORRY, don't",
            "by 9am",
            "a.m. 9:30",
            "it's 'quoted' 'x",
            "follow-up e-mail",
            "x''y",
            "'yung po",
            "MP3 players",
            "   ",
            "... ? !",
            "don`t",
            "l33t h4x0r",
            "O'Neil's",
        ];
        for sample in samples {
            let slow = tokenize(text::fold(sample), &[]);
            let slow: Vec<String> = (0..slow.tokens.len())
                .map(|i| slow.token_text(i).to_owned())
                .collect();
            assert_eq!(ascii_words(sample), slow, "{sample:?}");
        }
    }

    #[test]
    fn apostrophes_inside_words_join_and_case_and_accents_fold() {
        assert_eq!(words("I'm SORRY, don’t"), ["im", "sorry", "dont"]);
        assert_eq!(words("Înțeleg"), ["inteleg"]);
    }

    #[test]
    fn stretched_letters_collapse_but_doubles_and_digits_stay() {
        assert_eq!(
            words("Sooooo whyyy incredibiiil too 1000"),
            ["so", "why", "incredibil", "too", "1000"]
        );
    }

    #[test]
    fn han_characters_are_single_words_and_digits_split_from_letters() {
        assert_eq!(words("10分钟内"), ["10", "分", "钟", "内"]);
        assert_eq!(words("by 9am"), ["by", "9", "am"]);
    }

    #[test]
    fn sentences_questions_clauses_and_quotes_are_tracked() {
        let t = tokenize(text::fold("Sorry. Is it \"you idiot\", right?"), &[]);
        assert_eq!(t.sentences.len(), 2);
        assert!(!t.sentences[0].question);
        assert!(t.sentences[1].question);
        let quoted: Vec<bool> = t.tokens.iter().map(|tok| tok.quoted).collect();
        assert_eq!(quoted, [false, false, false, true, true, false]);
        assert!(t.tokens[5].clause_start);
        assert_eq!(t.joined, " sorry\n is it you idiot right");
    }

    #[test]
    fn greek_question_mark_comes_from_the_pack() {
        let t = tokenize(text::fold("Τι έγινε; Ευχαριστώ"), &[';']);
        assert_eq!(t.sentences.len(), 2);
        assert!(t.sentences[0].question);
    }

    #[test]
    fn a_decimal_point_does_not_end_a_sentence() {
        let t = tokenize(text::fold("At 9.30 today."), &[]);
        assert_eq!(t.sentences.len(), 1);
    }

    #[test]
    fn tripled_letters_are_found_like_byte_by_byte() {
        let plain = |bytes: &[u8]| {
            bytes
                .windows(3)
                .any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_ascii_alphabetic())
        };
        let mut texts: Vec<String> = [
            "",
            "a",
            "aa",
            "aaa",
            "AAA",
            "aaA",
            "111",
            "...",
            "!!!",
            "   ",
            "sooo good",
            "so good, really",
            "noooo",
            "e\u{301}\u{301}\u{301}",
            "ééé",
            "😀😀😀",
            "\0\0\0",
            "http://www.x.com",
            "don't",
            "1999 was 2000",
            "ＡＡＡ",
            "abcdefghaaa",
            "abcdefgaaa",
            "abcdefghijaaa",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // A tripled letter at every offset of texts of every length up to 30, and in none.
        for len in 0..30 {
            texts.push("ab".repeat(15)[..len].to_owned());
            for at in 0..len.saturating_sub(2) {
                let mut text = "ab".repeat(15)[..len].to_owned();
                text.replace_range(at..at + 3, "zzz");
                texts.push(text);
            }
        }
        for text in texts {
            let bytes = text.as_bytes();
            assert_eq!(any_tripled_letter(bytes), plain(bytes), "{text:?}");
        }
    }
}
