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

/// One pass over the text; each kind of cue is capped at `PER_KIND_CAP`.
// Not inlined: inside `analyze` (with `feelings`) the scan compiled to ~200 more instructions
// per English text.
#[inline(never)]
pub(crate) fn anger_cues(text: &str) -> Vec<Cue> {
    let mut scan = Scan::default();
    // One loop, compiled twice: for ASCII text (most English) without the decoding branch.
    let length = if text.is_ascii() {
        scan.text::<true>(text)
    } else {
        scan.text::<false>(text)
    };
    scan.char(length, ' ');
    scan.finish(length)
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

#[derive(Default)]
struct Scan {
    upper: usize,
    lower: usize,
    has_ideograph: bool,
    /// Current word: start and whether every letter so far is a capital.
    word: Option<(usize, bool)>,
    /// Current run of one repeated letter: letter, start.
    run: Option<(char, usize)>,
    /// Current run of `!`/`?`: start, and whether it began with a full-width `！`.
    emphasis: Option<(usize, bool)>,
    shouted: Vec<Cue>,
    elongated: Vec<Cue>,
    punctuation: Vec<(usize, usize, bool)>,
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
        self.lower += letters.len();
        self.word = Some((self.word.map_or(start, |(word_start, _)| word_start), false));
        if let Some((from, full_width)) = self.emphasis.take() {
            self.punctuation
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
            self.elongated
                .push(cue("cue.elongation", ELONGATION_WEIGHT, from, i));
        }
    }

    fn char(&mut self, i: usize, c: char) {
        let (letter, upper, lower) = letter_case(c);
        if upper {
            self.upper += 1;
        } else if lower {
            self.lower += 1;
        }
        if !self.has_ideograph && !c.is_ascii() && crate::tokens::is_ideograph(c) {
            self.has_ideograph = true;
        }
        match (self.word, letter) {
            (None, true) => self.word = Some((i, upper)),
            (Some((start, all_upper)), true) => self.word = Some((start, all_upper && upper)),
            (Some((start, all_upper)), false) => {
                if all_upper && i - start >= 4 {
                    self.shouted
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
                self.punctuation
                    .push((start, i, full_width && i - start == 1));
                self.emphasis = None;
            }
            _ => {}
        }
    }

    fn finish(mut self, length: usize) -> Vec<Cue> {
        let mut cues = Vec::new();
        if self.upper >= 8 && self.upper * 10 >= (self.upper + self.lower) * 6 {
            cues.push(cue("cue.capitals", CAPITALS_WEIGHT, 0, length));
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
pub(crate) fn feelings(text: &str) -> Vec<(usize, usize, Feeling)> {
    if text.is_ascii() {
        // Emoji are not ASCII and emoticons begin with `:` or `;`: bytes are chars, and only the
        // bytes from a `:` or `;` on need a look.
        let bytes = text.as_bytes();
        let at = |k: usize| bytes.get(k).map(|&b| char::from(b));
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(offset) = bytes[from..].iter().position(|&b| b == b':' || b == b';') {
            let i = from + offset;
            match emoticon(at, i) {
                Some((end, feeling)) => {
                    found.push((i, end, feeling));
                    from = end;
                }
                None => from = i + 1,
            }
        }
        return found;
    }
    let chars: Vec<char> = text.chars().collect();
    feelings_in(&chars)
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

    /// `anger_cues` without the run-at-a-time path for small letters (nor byte-wise ASCII).
    fn anger_cues_per_char(text: &str) -> Vec<Cue> {
        let mut scan = Scan::default();
        let mut length = 0;
        for (i, c) in text.chars().enumerate() {
            scan.char(i, c);
            length = i + 1;
        }
        scan.char(length, ' ');
        scan.finish(length)
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
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
        let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/suite");
        for lang in std::fs::read_dir(suite).expect("suite folder") {
            for file in std::fs::read_dir(lang.expect("entry").path()).expect("language folder") {
                let text = std::fs::read_to_string(file.expect("entry").path()).expect("file");
                texts.extend(text.lines().map(str::to_owned));
            }
        }
        for text in &texts {
            assert_eq!(anger_cues(text), anger_cues_per_char(text), "{text}");
        }
        for text in texts.iter().filter(|t| t.is_ascii()) {
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
