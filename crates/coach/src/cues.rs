//! Anger cues that need no word list and work in every language: shouting in capitals, repeated
//! or full-width `!`/`?`, and stretched letters ("sooooo", "whyyyy", "啊啊啊").

use crate::tokens::{LetterCase, known_letter};

/// A cue with its weight towards the anger score and its char span in the original text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cue {
    pub name: &'static str,
    pub weight: f32,
    pub start: usize,
    pub end: usize,
}

const CAPITALS_WEIGHT: f32 = 0.3;
const SHOUTED_WORD_WEIGHT: f32 = 0.1;
const PUNCTUATION_RUN_WEIGHT: f32 = 0.15;
const FULL_WIDTH_WEIGHT: f32 = 0.05;
const ELONGATION_WEIGHT: f32 = 0.1;
/// Each kind of cue counts at most this much, so a wall of "!!!!!!" cannot reach "furious" alone.
const PER_KIND_CAP: f32 = 0.3;

fn is_emphasis(c: char) -> bool {
    matches!(c, '!' | '?' | '！' | '？')
}

/// Each kind of cue is capped at `PER_KIND_CAP`.
// Not inlined: inside `analyze` (with `feelings`) the scan compiled to ~200 more instructions
// per English text.
#[inline(never)]
pub(crate) fn anger_cues(text: &str) -> Vec<Cue> {
    latin_cues(text)
        .unwrap_or_else(|| scanned_cues(text))
        .cues()
}

/// One pass over the text, char by char (with runs of small letters at once).
fn scanned_cues(text: &str) -> Found {
    let mut scan = Scan::default();
    // One loop, compiled twice: for ASCII text (most English) without the decoding branch.
    let length = if text.is_ascii() {
        scan.text::<true>(text)
    } else {
        scan.text::<false>(text)
    };
    scan.char(length, ' ');
    scan.found.length = length;
    scan.found
}

/// [`scanned_cues`] for text whose letters are all ASCII and whose other chars are no `！`/`？`
/// (most English text, curly quotes and emoji included), `None` for other text. One pass over
/// blocks of bytes counts the capitals and small letters and marks where a run of four
/// capitals, three equal letters or two `!`/`?` starts (see [`Lanes`]); only such a block is
/// then looked at byte by byte (in one tweet of ten or fewer). Looking at every char was ~45
/// instructions a byte.
fn latin_cues(text: &str) -> Option<Found> {
    let bytes = text.as_bytes();
    let ascii = text.is_ascii();
    if !ascii && !non_ascii_chars_are_neutral(text) {
        return None;
    }
    let mut runs = Runs {
        text,
        ascii,
        found: Found {
            length: if ascii {
                bytes.len()
            } else {
                text.chars().count()
            },
            ..Found::default()
        },
        word_end: 0,
        letters_end: 0,
        marks_end: 0,
        counted: (0, 0),
    };
    let mut padded: Window;
    // Lane counts stay below 256: at most 255 blocks per chunk.
    for (chunk_start, chunk) in (0..).step_by(CHUNK).zip(bytes.chunks(CHUNK)) {
        let mut lanes = Lanes::default();
        for block_start in (chunk_start..chunk_start + chunk.len()).step_by(LANES) {
            let window: &Window = match bytes.get(block_start..block_start + WINDOW) {
                Some(window) => window.try_into().expect("a window's length"),
                None => {
                    padded = [0; WINDOW];
                    padded[..bytes.len() - block_start].copy_from_slice(&bytes[block_start..]);
                    &padded
                }
            };
            let kinds = lanes.add(window);
            if kinds != [0; LANES] {
                runs.look_at(block_start, &kinds);
            }
        }
        runs.found.upper += lane_sum(&lanes.upper);
        runs.found.lower += lane_sum(&lanes.lower);
    }
    Some(runs.found)
}

const LANES: usize = 16;
/// A block of `LANES` bytes and the three after it (zeros past the end of the text), so that
/// a run of four starting in the block is seen whole.
const WINDOW: usize = LANES + 3;
type Window = [u8; WINDOW];
/// Bytes of up to 255 blocks.
const CHUNK: usize = LANES * u8::MAX as usize;

/// Bits of a kind of run that starts at a byte.
const FOUR_CAPITALS: u8 = 1;
const THREE_EQUAL_LETTERS: u8 = 2;
const TWO_MARKS: u8 = 4;

/// Counts of capitals and small letters at each position of a block, over the blocks so far:
/// fixed arrays the compiler turns into a few vector instructions per block.
#[derive(Default)]
struct Lanes {
    upper: [u8; LANES],
    lower: [u8; LANES],
}

impl Lanes {
    /// Counts a window's block; returns the kinds of run starting at each of its bytes.
    #[inline(always)]
    fn add(&mut self, window: &Window) -> [u8; LANES] {
        let mut kinds = [0; LANES];
        for k in 0..LANES {
            let [a, b, c, d] = [window[k], window[k + 1], window[k + 2], window[k + 3]];
            self.upper[k] += u8::from(a.is_ascii_uppercase());
            self.lower[k] += u8::from(a.is_ascii_lowercase());
            // All four are capitals when the least is at least `A` and the greatest at most `Z`.
            let four_capitals = (a.min(b).min(c).min(d) >= b'A') & (a.max(b).max(c).max(d) <= b'Z');
            let three_equal_letters = (a == b) & (b == c) & a.is_ascii_alphabetic();
            let two_marks = matches!(a, b'!' | b'?') & matches!(b, b'!' | b'?' | b'1');
            kinds[k] = (u8::from(four_capitals) * FOUR_CAPITALS)
                | (u8::from(three_equal_letters) * THREE_EQUAL_LETTERS)
                | (u8::from(two_marks) * TWO_MARKS);
        }
        kinds
    }
}

fn lane_sum(lanes: &[u8; LANES]) -> usize {
    lanes.iter().map(|&count| usize::from(count)).sum()
}

/// The cues of [`latin_cues`], found from where their runs start.
struct Runs<'t> {
    text: &'t str,
    ascii: bool,
    found: Found,
    /// Where the last word looked at, the last run of one letter and the last run of `!`/`?`
    /// end: a run is looked at from its first byte only.
    word_end: usize,
    letters_end: usize,
    marks_end: usize,
    /// The last byte offset turned into a char index, and that index: the next is counted from
    /// there (see [`Runs::at`]).
    counted: (usize, usize),
}

impl Runs<'_> {
    /// The runs starting in the block at byte `block_start`, whose kinds are `kinds`.
    #[inline(never)]
    fn look_at(&mut self, block_start: usize, kinds: &[u8; LANES]) {
        let bytes = self.text.as_bytes();
        for (i, &kind) in (block_start..).zip(kinds) {
            if kind & FOUR_CAPITALS != 0 && i >= self.word_end {
                // The whole word around the capitals: it is shouted if all of it is capitals.
                let start = bytes[..i]
                    .iter()
                    .rposition(|b| !b.is_ascii_alphabetic())
                    .map_or(0, |before| before + 1);
                let end = run_end(bytes, i, u8::is_ascii_alphabetic);
                if bytes[start..end].iter().all(u8::is_ascii_uppercase) {
                    let (start, end) = (self.at(start), self.at(end));
                    let cue = cue("cue.shouted_word", SHOUTED_WORD_WEIGHT, start, end);
                    self.found.shouted.push(cue);
                }
                self.word_end = end;
            }
            if kind & THREE_EQUAL_LETTERS != 0 && i >= self.letters_end {
                let letter = bytes[i];
                let end = run_end(bytes, i, |&b| b == letter);
                if !matches!(letter, b'w' | b'W' | b'x' | b'X' | b'z' | b'Z') {
                    let (start, end) = (self.at(i), self.at(end));
                    let cue = cue("cue.elongation", ELONGATION_WEIGHT, start, end);
                    self.found.elongated.push(cue);
                }
                self.letters_end = end;
            }
            if kind & TWO_MARKS != 0 && i >= self.marks_end {
                let end = run_end(bytes, i, |b| matches!(b, b'!' | b'?' | b'1'));
                let run = (self.at(i), self.at(end), false);
                self.found.punctuation.push(run);
                self.marks_end = end;
            }
        }
    }

    /// A byte offset of the text as a char index, counted from the last one asked for rather
    /// than from the start of the text (from the start, a long text with many cues took time
    /// quadratic in its length). Runs are met in text order and the count steps back at most
    /// over a run just measured, so the counting stays linear in the text.
    fn at(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        let (from_byte, from_char) = self.counted;
        let index = if byte >= from_byte {
            from_char + self.text[from_byte..byte].chars().count()
        } else {
            from_char - self.text[byte..from_byte].chars().count()
        };
        self.counted = (byte, index);
        index
    }
}

/// The end of the run of bytes from `start` on that pass `test`.
fn run_end(bytes: &[u8], start: usize, test: impl Fn(&u8) -> bool) -> usize {
    bytes[start..]
        .iter()
        .position(|b| !test(b))
        .map_or(bytes.len(), |length| start + length)
}

/// Whether every non-ASCII char of `text` is to the scan what a space is: no letter, no
/// capital or small char, no ideograph, no `！`/`？`. Checked 16 bytes at a time; only blocks
/// with a non-ASCII byte are decoded.
fn non_ascii_chars_are_neutral(text: &str) -> bool {
    const BLOCK: usize = 16;
    let bytes = text.as_bytes();
    (0..bytes.len()).step_by(BLOCK).all(|start| {
        let block = &bytes[start..bytes.len().min(start + BLOCK)];
        if block.iter().fold(0, |all, &b| all | b).is_ascii() {
            return true;
        }
        (start..).zip(block).all(|(i, &b)| {
            // Only the first byte of a non-ASCII char is 0b11xx_xxxx.
            b < 0xC0
                || text[i..].chars().next().is_none_or(|c| {
                    letter_case(c) == (false, false, false)
                        && !is_emphasis(c)
                        && !crate::tokens::is_ideograph(c)
                })
        })
    })
}

/// Whether `c` is a letter, a capital, a small letter. Most letters' class and case are known by
/// range, and so is Chinese and typographic punctuation (neither letter nor cased), sparing
/// searches of the Unicode tables.
fn letter_case(c: char) -> (bool, bool, bool) {
    if c.is_ascii() {
        return (
            c.is_ascii_alphabetic(),
            c.is_ascii_uppercase(),
            c.is_ascii_lowercase(),
        );
    }
    match known_letter(c) {
        Some(case) => (true, case == LetterCase::Upper, case == LetterCase::Lower),
        None if text::is_known_punctuation(c) => (false, false, false),
        None => (c.is_alphabetic(), c.is_uppercase(), c.is_lowercase()),
    }
}

/// What a scan of a text finds, before the cap per kind.
#[derive(Default)]
struct Found {
    /// The text's length in chars.
    length: usize,
    upper: usize,
    lower: usize,
    has_ideograph: bool,
    shouted: Vec<Cue>,
    elongated: Vec<Cue>,
    /// Runs of `!`/`?`: start, end, and whether the run is a lone full-width `！`.
    punctuation: Vec<(usize, usize, bool)>,
}

#[derive(Default)]
struct Scan {
    found: Found,
    /// Current word: start and whether every letter so far is a capital.
    word: Option<(usize, bool)>,
    /// Current run of one repeated letter: letter, start.
    run: Option<(char, usize)>,
    /// Current run of `!`/`?`: start, and whether it began with a full-width `！`.
    emphasis: Option<(usize, bool)>,
}

impl Scan {
    /// Scans `text` (all of it ASCII when `ASCII`); returns its length in chars. Cues are placed
    /// by char index; `i` walks the bytes. Most bytes are small letters, taken a run at a time
    /// (in text with a curly apostrophe or an emoji as well: a quarter of real tweets); other
    /// ASCII bytes are chars without decoding.
    fn text<const ASCII: bool>(&mut self, text: &str) -> usize {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Bytes beyond one per char so far: the char index is `i - extra` (always `i` in ASCII
        // text, where the compiler then drops it).
        let mut extra = 0;
        while i < bytes.len() {
            let run = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_lowercase())
                .unwrap_or(bytes.len() - i);
            if run > 0 {
                self.lowercase_run(i - extra, &bytes[i..i + run]);
                i += run;
            } else if ASCII || bytes[i].is_ascii() {
                self.char(i - extra, char::from(bytes[i]));
                i += 1;
            } else {
                // `i` is at a char boundary: every step above moves by whole chars.
                let c = text[i..]
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                self.char(i - extra, c);
                i += c.len_utf8();
                extra += c.len_utf8() - 1;
            }
        }
        i - extra
    }

    /// `char` for each of `letters` (ASCII `a`–`z`, starting at char index `start`), with what a
    /// small letter does done once for the run: it counts as lower case, opens or continues a
    /// word that is then not all capitals, and closes an open `!`/`?` run. Only the tracking of
    /// repeated letters stays per letter.
    #[inline(always)]
    fn lowercase_run(&mut self, start: usize, letters: &[u8]) {
        self.found.lower += letters.len();
        self.word = Some((self.word.map_or(start, |(word_start, _)| word_start), false));
        if let Some((from, full_width)) = self.emphasis.take() {
            self.found
                .punctuation
                .push((from, start, full_width && start - from == 1));
        }
        for (i, &b) in (start..).zip(letters) {
            let c = char::from(b);
            match self.run {
                Some((repeated, _)) if repeated == c => {}
                Some((repeated, from)) => {
                    self.close_repetition(repeated, from, i);
                    self.run = Some((c, i));
                }
                None => self.run = Some((c, i)),
            }
        }
    }

    /// A run of one letter from `from` ends at `i`: three or more is a stretched word.
    fn close_repetition(&mut self, repeated: char, from: usize, i: usize) {
        // Three identical letters in a row do not occur in ordinary words of these languages
        // ("www", "xxx", "zzz" aside).
        if i - from >= 3 && !matches!(repeated, 'w' | 'W' | 'x' | 'X' | 'z' | 'Z') {
            self.found
                .elongated
                .push(cue("cue.elongation", ELONGATION_WEIGHT, from, i));
        }
    }

    fn char(&mut self, i: usize, c: char) {
        let (letter, upper, lower) = letter_case(c);
        if upper {
            self.found.upper += 1;
        } else if lower {
            self.found.lower += 1;
        }
        if !self.found.has_ideograph && !c.is_ascii() && crate::tokens::is_ideograph(c) {
            self.found.has_ideograph = true;
        }
        match (self.word, letter) {
            (None, true) => self.word = Some((i, upper)),
            (Some((start, all_upper)), true) => self.word = Some((start, all_upper && upper)),
            (Some((start, all_upper)), false) => {
                if all_upper && i - start >= 4 {
                    self.found
                        .shouted
                        .push(cue("cue.shouted_word", SHOUTED_WORD_WEIGHT, start, i));
                }
                self.word = None;
            }
            (None, false) => {}
        }
        match self.run {
            Some((repeated, _)) if repeated == c => {}
            Some((repeated, start)) => {
                self.close_repetition(repeated, start, i);
                self.run = letter.then_some((c, i));
            }
            None => self.run = letter.then_some((c, i)),
        }
        let emphasis = is_emphasis(c) || (c == '1' && self.emphasis.is_some());
        match (self.emphasis, emphasis) {
            (None, true) => self.emphasis = Some((i, c == '！')),
            (Some((start, full_width)), false) => {
                self.found
                    .punctuation
                    .push((start, i, full_width && i - start == 1));
                self.emphasis = None;
            }
            _ => {}
        }
    }
}

impl Found {
    /// Capitals make up most of the text.
    fn all_capitals(&self) -> bool {
        self.upper >= 8 && self.upper * 10 >= (self.upper + self.lower) * 6
    }

    fn cues(mut self) -> Vec<Cue> {
        let mut cues = Vec::new();
        if self.all_capitals() {
            cues.push(cue("cue.capitals", CAPITALS_WEIGHT, 0, self.length));
        } else {
            cues.extend(capped(std::mem::take(&mut self.shouted)));
        }
        let punctuation = self
            .punctuation
            .iter()
            .filter_map(|&(start, end, lone_full_width)| {
                if end - start >= 2 {
                    Some(cue(
                        "cue.repeated_punctuation",
                        PUNCTUATION_RUN_WEIGHT,
                        start,
                        end,
                    ))
                } else if lone_full_width && !self.has_ideograph {
                    // Full-width "！" is ordinary in Chinese text, a cue elsewhere.
                    Some(cue(
                        "cue.full_width_punctuation",
                        FULL_WIDTH_WEIGHT,
                        start,
                        end,
                    ))
                } else {
                    None
                }
            });
        cues.extend(capped(punctuation.collect()));
        cues.extend(capped(self.elongated));
        cues
    }
}

fn cue(name: &'static str, weight: f32, start: usize, end: usize) -> Cue {
    Cue {
        name,
        weight,
        start,
        end,
    }
}

fn capped(cues: Vec<Cue>) -> Vec<Cue> {
    let mut total = 0.0;
    cues.into_iter()
        .take_while(|c| {
            total += c.weight;
            total <= PER_KIND_CAP + 1e-6
        })
        .collect()
}

/// What an emoji or emoticon says about the writer's feeling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feeling {
    Angry,
    Negative,
    Positive,
}

fn emoji_feeling(c: char) -> Option<Feeling> {
    Some(match c {
        '😠' | '😡' | '🤬' | '😤' | '👿' | '💢' | '🖕' => Feeling::Angry,
        '😢' | '😭' | '😞' | '😔' | '☹' | '🙁' | '💔' | '👎' | '🤮' | '🤢' | '😩' | '😫' | '😖'
        | '😣' | '😒' | '🙄' | '😑' | '😓' | '😰' | '😨' | '😱' | '😟' | '😕' | '🤦' | '😥'
        | '😪' | '😿' | '🥺' | '🤡' | '💩' | '😬' | '😳' | '🙃' | '😐' | '🤥' | '😾' => {
            Feeling::Negative
        }
        '😀' | '😃' | '😄' | '😁' | '😆' | '😊' | '🙂' | '😍' | '🥰' | '😘' | '👍' | '❤' | '💕'
        | '💖' | '🙏' | '🎉' | '👏' | '🤗' | '😇' | '😻' | '💯' | '🥳' | '😂' | '🤣' | '😉'
        | '😎' | '🤩' | '😋' | '😜' | '😛' | '😝' | '☺' | '😌' | '🙌' | '💪' | '✨' | '♥'
        | '💙' | '💚' | '💛' | '💜' | '🧡' | '🤍' | '😺' | '😸' => {
            Feeling::Positive
        }
        _ => return None,
    })
}

/// Emoji and emoticons (":(", ":-)", ":'(") with their char spans: evidence of feeling that
/// needs no word list, in every language.
///
/// Emoji are not ASCII and emoticons begin with `:` or `;`, so only those bytes need a look:
/// blocks of 16 bytes without one are passed over at once (most of a text), and char indexes
/// are counted only for what is found. Collecting the chars of non-ASCII text and looking up
/// each was a quarter of the tweets' cost here.
pub(crate) fn feelings(text: &str) -> Vec<(usize, usize, Feeling)> {
    const BLOCK: usize = 16;
    let bytes = text.as_bytes();
    let ascii = text.is_ascii();
    let may_begin_one = |b: u8| (b == b':') | (b == b';') | (b >= FIRST_BYTE_OF_NON_ASCII);
    let mut found = Vec::new();
    // The char index of byte `counted`, for the char index of the next find.
    let (mut counted, mut chars_before) = (0, 0);
    let mut char_index = |byte: usize| {
        if ascii {
            return byte;
        }
        chars_before += text[counted..byte].chars().count();
        counted = byte;
        chars_before
    };
    let mut i = 0;
    while i < bytes.len() {
        let end = bytes.len().min(i + BLOCK);
        if let Some(block) = bytes.get(i..i + BLOCK) {
            let block: &[u8; BLOCK] = block.try_into().expect("a block's length");
            if !block.iter().fold(false, |any, &b| any | may_begin_one(b)) {
                i = end;
                continue;
            }
        }
        let Some(offset) = bytes[i..end].iter().position(|&b| may_begin_one(b)) else {
            i = end;
            continue;
        };
        i += offset;
        if bytes[i] >= FIRST_BYTE_OF_NON_ASCII {
            let c = text[i..].chars().next().expect("a char starts here");
            if let Some(feeling) = emoji_feeling(c) {
                let at = char_index(i);
                found.push((at, at + 1, feeling));
            }
            i += c.len_utf8();
        } else if let Some((chars, feeling, length)) = emoticon_at(&text[i..]) {
            let at = char_index(i);
            found.push((at, at + chars, feeling));
            i += length;
        } else {
            i += 1;
        }
    }
    found
}

/// The first byte of a non-ASCII char in UTF-8 is at least this.
const FIRST_BYTE_OF_NON_ASCII: u8 = 0xC0;

/// The emoticon at the start of `text`, if any: its length in chars, feeling, length in bytes.
fn emoticon_at(text: &str) -> Option<(usize, Feeling, usize)> {
    let b = *text.as_bytes().first()?;
    if b != b':' && b != b';' {
        return None;
    }
    // An emoticon and the char after it: at most five chars.
    let mut chars = [None; 5];
    for (slot, c) in chars.iter_mut().zip(text.chars()) {
        *slot = Some(c);
    }
    let (end, feeling) = emoticon(|k| chars.get(k).copied().flatten(), 0)?;
    let length = chars[..end].iter().flatten().map(|c| c.len_utf8()).sum();
    Some((end, feeling, length))
}

/// The emoticon starting at char `i` (`:(`, `:-)`, `;)`, `:'(`), if any: its end and feeling.
fn emoticon(at: impl Fn(usize) -> Option<char>, i: usize) -> Option<(usize, Feeling)> {
    let eyes = at(i).filter(|&c| c == ':' || c == ';')?;
    let mut j = i + 1;
    while j <= i + 2 && at(j).is_some_and(|c| matches!(c, '-' | '\'' | '’')) {
        j += 1;
    }
    let mouth = at(j);
    let feeling = match mouth {
        Some('(' | '[' | '<') => Feeling::Negative,
        Some(')' | ']' | 'D') if eyes == ':' || mouth == Some(')') => Feeling::Positive,
        _ => return None,
    };
    // ":(" but not "(see note: (a))": the mouth must not open a longer bracket.
    at(j + 1)
        .is_none_or(|c| !c.is_alphanumeric())
        .then_some((j + 1, feeling))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        anger_cues(text).into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn finds_each_cue() {
        assert_eq!(names("WHERE IS MY ORDER"), ["cue.capitals"]);
        assert_eq!(names("This is NEVER acceptable"), ["cue.shouted_word"]);
        assert_eq!(names("Why?!?"), ["cue.repeated_punctuation"]);
        assert_eq!(names("Sooooo slow"), ["cue.elongation"]);
        assert_eq!(names("Stop！"), ["cue.full_width_punctuation"]);
    }

    #[test]
    fn ordinary_text_has_no_cues() {
        assert!(names("Hello, my parcel is late. Can you check? Thanks!").is_empty());
        assert!(names("包裹还没到！请帮我查一下。").is_empty());
        assert!(names("www.example.com, DHL, USB").is_empty());
    }

    #[test]
    fn emoji_and_emoticons_carry_feelings() {
        let kinds: Vec<Feeling> = feelings("ok 😡 then 😢 :( :-) ❤️ 10:30 (a)")
            .into_iter()
            .map(|f| f.2)
            .collect();
        assert_eq!(
            kinds,
            [
                Feeling::Angry,
                Feeling::Negative,
                Feeling::Negative,
                Feeling::Positive,
                Feeling::Positive
            ]
        );
    }

    /// `feelings` over a text's chars, looking at each.
    fn feelings_in(chars: &[char]) -> Vec<(usize, usize, Feeling)> {
        let at = |k: usize| chars.get(k).copied();
        let mut found = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if let Some(feeling) = emoji_feeling(chars[i]) {
                found.push((i, i + 1, feeling));
                i += 1;
                continue;
            }
            if let Some((end, feeling)) = emoticon(at, i) {
                found.push((i, end, feeling));
                i = end;
                continue;
            }
            i += 1;
        }
        found
    }

    /// `anger_cues` without the run-at-a-time path for small letters (nor byte-wise ASCII).
    fn anger_cues_per_char(text: &str) -> Vec<Cue> {
        let mut scan = Scan::default();
        let mut length = 0;
        for (i, c) in text.chars().enumerate() {
            scan.char(i, c);
            length = i + 1;
        }
        scan.char(length, ' ');
        scan.found.length = length;
        scan.found.cues()
    }

    #[test]
    fn fast_paths_agree_with_looking_at_every_char() {
        let mut texts: Vec<String> = [
            "sooo",
            "WWW",
            "aaa!!!1",
            "NOOO way",
            "x!!!y",
            "whyyyy?!?",
            "zzz www xxx aaaa",
            "Wow!!!so slowww",
            "ok :( fine :-) ;) :'( :D (see note: (a)) 10:30 a:b ;;)",
            "THIS IS NOT OK!!!",
            "Mostly lower, SOME SHOUTED WORDS here!!",
            "",
            "a",
            "!",
            "bbbAAAbbb",
            "eeeE",
            "hello!!!!!!!!!!!! again!!! and!!! again!!!",
            // Non-ASCII chars between runs of small letters (char index ≠ byte index).
            "it’s sooo slow!!! 😡😡😡 WHY’S IT DOWN",
            "NOOO’ way ççç aaaé Ωωωω!!!",
            "x！！！y ！？ zzz",
            "ü",
            "é!!!aaa",
            "😡",
            // Capitals, stretched letters and marks next to chars that are no letters, and
            // non-ASCII letters (which the scan must look at).
            "“WHERE” is MY—ORDER… ok “NOOO” 👍👍 😡!!! ¿qué? ÉÉÉ",
            "ABCD éABCD ABCDé ABCD1 1ABCD AB’CD ＡＢＣＤ abcD",
            "www. zzz xxx WWWW aaaAAA aaab baaa AAAA!",
            "?1 !1 1! 11!! !?!?1x ?？ ！ ！！",
            "THIS IS ALL SHOUTED, NO DOUBT AT ALL ’",
            "Σ ΣΣΣΣ ωωω ΑΑΑα 中中中！",
            "\u{a0}\u{200b}\u{2003}AAAA\u{a0}BBBB",
            "🅰🅰🅰🅰 Ⓐⓑⓒⓓ ⅠⅡⅢⅣ",
            // Emoticons and emoji at and across the ends of 16-byte blocks, after multi-byte
            // chars, with curly noses.
            ":(",
            ";)",
            "0123456789abcd:(",
            "0123456789abcde:-) 😡",
            "0123456789abcdef:’( :’-( ;’) :-’) :--) :’’(",
            "é€😡 :( 😢😢:(:):-(;-)😡 ❤️ ♥ ☺:D :Da ;D 1:(a :((",
            "😀😀😀😀:(ok😭😭😭😭:)😭😭😭😭😭;(",
            "’’’’’’’’’’’’’’’’’’:(",
            // Runs that overlap in text order (a shouted word around stretched letters), so
            // that char indexes are counted back from a run's end.
            "😀 aaaAAAAbbbCCCC!!!? 😀 eeeEEEE ‘zzzZZZZ’ ooo!!1 😀",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .chain(["ABCD 😀 ".repeat(2_000), "aaa x 😀 NOOO!! ".repeat(1_000)])
        .collect();
        let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/suite");
        for lang in std::fs::read_dir(suite).expect("suite folder") {
            for file in std::fs::read_dir(lang.expect("entry").path()).expect("language folder") {
                let text = std::fs::read_to_string(file.expect("entry").path()).expect("file");
                texts.extend(text.lines().map(str::to_owned));
            }
        }
        let mut latin = 0;
        for text in &texts {
            let per_char = anger_cues_per_char(text);
            assert_eq!(anger_cues(text), per_char, "{text}");
            assert_eq!(scanned_cues(text).cues(), per_char, "{text}");
            if let Some(found) = latin_cues(text) {
                latin += 1;
                assert_eq!(found.cues(), per_char, "{text}");
            }
        }
        assert!(latin > 200, "only {latin} texts take the Latin path");
        for text in &texts {
            let chars: Vec<char> = text.chars().collect();
            assert_eq!(feelings(text), feelings_in(&chars), "{text}");
        }
    }

    #[test]
    fn cues_are_capped() {
        let total: f32 = anger_cues("!!! ??? !!! ??? !!! ???")
            .iter()
            .map(|c| c.weight)
            .sum();
        assert!(total <= PER_KIND_CAP + 1e-6);
    }
}
