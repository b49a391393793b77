//! One JSON Lines input line → one output line, for `calmdesk coach analyze|lint|score --jsonl`.
//! A bad line becomes `{"id": …, "error": "…"}`; nothing panics and no line is lost, so the
//! binary's loop only reads, calls and writes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;
use text::Lang;

use crate::Coach;
use crate::analyze::{AnalysisParts, RuleName, Seeds};
use crate::model::Level;

#[derive(Serialize)]
struct WithId<'a, T> {
    id: &'a Value,
    #[serde(flatten)]
    result: &'a T,
}

/// Why a batch line has no result. The line's output is `{"id", "error", "error_code"}`: `error`
/// in the screen language, `error_code` stable for programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not JSON at all; the parser's words.
    InvalidJson(String),
    /// JSON, but not an object.
    NotAnObject,
    /// An object, but a field is missing, of the wrong type or an unknown value.
    BadInput(String),
    /// The result could not be serialised.
    Unwritable(String),
    /// Line `line` (1-based) is not UTF-8 from byte `byte` on (found by the caller that reads
    /// bytes).
    NotUtf8 { line: usize, byte: usize },
}

impl LineProblem {
    /// The stable code, also the message key under `[errors]`.
    pub fn code(&self) -> &'static str {
        match self {
            LineProblem::InvalidJson(_) => "line_invalid_json",
            LineProblem::NotAnObject => "line_not_an_object",
            LineProblem::BadInput(_) => "line_bad_input",
            LineProblem::Unwritable(_) => "line_unwritable",
            LineProblem::NotUtf8 { .. } => "line_not_utf8",
        }
    }

    /// The problem in a screen language.
    pub fn message(&self, ui: Lang) -> String {
        let (line, byte);
        let values: Vec<(&str, &str)> = match self {
            LineProblem::InvalidJson(reason)
            | LineProblem::BadInput(reason)
            | LineProblem::Unwritable(reason) => vec![("reason", reason)],
            LineProblem::NotAnObject => Vec::new(),
            LineProblem::NotUtf8 { line: l, byte: b } => {
                (line, byte) = (l.to_string(), b.to_string());
                vec![("line", &line), ("byte", &byte)]
            }
        };
        crate::messages::error_text(ui, self.code(), &values)
    }
}

#[derive(Serialize)]
struct LineError<'a> {
    id: &'a Value,
    error: String,
    error_code: &'static str,
}

/// The output line for a line without a result.
pub fn error_line(id: &Value, problem: &LineProblem, ui: Lang) -> String {
    serde_json::to_string(&LineError {
        id,
        error: problem.message(ui),
        error_code: problem.code(),
    })
    .unwrap_or_else(|_| r#"{"id":null,"error":"unprintable error"}"#.to_owned())
}

/// The `id` of a line, read without building the rest of it.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Value,
}

/// A line that is a JSON object and reads as `I` directly, with its id: one pass into the input
/// type instead of building a JSON tree first. `None` for anything else (including duplicate
/// keys, which the tree reading accepts), which then takes the general path and its messages.
fn read_directly<I: DeserializeOwned>(line: &str) -> Option<(Value, I)> {
    if !line.trim_start().starts_with('{') {
        return None;
    }
    let input: I = serde_json::from_str(line).ok()?;
    let IdOnly { id } = serde_json::from_str(line).ok()?;
    Some((id, input))
}

/// A line's own `ui_language`, when it has a valid one, else the caller's.
fn screen_language(value: &Value, ui: Lang) -> Lang {
    value
        .get("ui_language")
        .and_then(Value::as_str)
        .and_then(|tag| tag.parse::<Lang>().ok())
        .filter(|lang| *lang != Lang::Und)
        .unwrap_or(ui)
}

fn process<I: DeserializeOwned, O: Serialize>(
    line: &str,
    ui: Lang,
    run: impl FnOnce(I) -> O,
) -> String {
    if let Some((id, input)) = read_directly(line) {
        return with_id(&id, &run(input), ui);
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return error_line(&Value::Null, &LineProblem::InvalidJson(e.to_string()), ui),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let ui = screen_language(&value, ui);
    if !value.is_object() {
        return error_line(&id, &LineProblem::NotAnObject, ui);
    }
    let input: I = match serde_json::from_value(value) {
        Ok(input) => input,
        Err(e) => return error_line(&id, &LineProblem::BadInput(e.to_string()), ui),
    };
    with_id(&id, &run(input), ui)
}

/// `{"id": …, <the result's fields>}` as `WithId` writes it, but straight: serde's `flatten`
/// goes through a map serialiser and was an eighth of a batch line's cost. `None` when the
/// result is not a JSON object with fields; `WithId` then decides, errors and all.
fn write_with_id<O: Serialize>(id: &Value, result: &O) -> Option<String> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut out, id).ok()?;
    let body = out.len();
    serde_json::to_writer(&mut out, result).ok()?;
    if out.get(body) != Some(&b'{') || out.get(body + 1) == Some(&b'}') {
        return None;
    }
    out[body] = b',';
    String::from_utf8(out).ok()
}

fn with_id<O: Serialize>(id: &Value, result: &O, ui: Lang) -> String {
    if let Some(line) = write_with_id(id, result) {
        return line;
    }
    serde_json::to_string(&WithId { id, result })
        .unwrap_or_else(|e| error_line(id, &LineProblem::Unwritable(e.to_string()), ui))
}

/// The output line for a result whose id is `id`, JSON text that serde_json writes back
/// unchanged.
fn with_raw_id(id: &str, result: AnalysisParts, ui: Lang) -> String {
    // Room for a line with a dozen signals, so the line rarely grows while it is written.
    let mut out = String::with_capacity(1024);
    out.push_str("{\"id\":");
    out.push_str(id);
    if write_fields(&result, &mut out) {
        return out;
    }
    let id: Value = serde_json::from_str(id).unwrap_or(Value::Null);
    with_id(&id, &result.into_analysis(), ui)
}

/// An analyze line of the common shape, read without serde: about a tenth of an English batch
/// line's work went into reading it twice (the input, then the id). The text is borrowed from
/// the line when it has no escapes.
struct PlainAnalyzeLine<'a> {
    /// The id exactly as serde_json would write it back.
    id: &'a str,
    text: Cow<'a, str>,
    language: Option<Lang>,
}

impl<'a> PlainAnalyzeLine<'a> {
    /// `{"id": <id>, "text": "…", "language": "<tag>" | null}`, keys in any order, each at
    /// most once and no other key; `id` optional (null), a non-negative integer of up to 19
    /// digits or a string without escapes (serde_json writes both back unchanged). `None` for
    /// anything else, which then goes the serde way (same results, same messages).
    fn read(line: &'a str) -> Option<PlainAnalyzeLine<'a>> {
        let mut reader = Reader {
            line,
            bytes: line.as_bytes(),
            at: 0,
        };
        reader.skip_space();
        reader.eat(b'{')?;
        let (mut id, mut text, mut language) = (None, None, None);
        reader.skip_space();
        if reader.peek()? != b'}' {
            loop {
                reader.skip_space();
                let key = reader.one_of(&[b"\"id\"", b"\"text\"", b"\"language\""])?;
                reader.skip_space();
                reader.eat(b':')?;
                reader.skip_space();
                match key {
                    0 if id.is_none() => id = Some(reader.plain_id()?),
                    1 if text.is_none() => text = Some(reader.string()?),
                    2 if language.is_none() => language = Some(reader.language()?),
                    _ => return None,
                }
                reader.skip_space();
                match reader.next()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return None,
                }
            }
        } else {
            reader.at += 1;
        }
        reader.skip_space();
        if reader.at != reader.bytes.len() {
            return None;
        }
        Some(PlainAnalyzeLine {
            id: id.unwrap_or("null"),
            text: text?,
            language: language.flatten(),
        })
    }
}

/// A byte cursor over one JSON line, for the plain shape [`PlainAnalyzeLine`] reads.
struct Reader<'a> {
    line: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's whitespace (serde_json skips exactly these four).
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters, without its quotes.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        self.at = find_special(self.bytes, start);
        self.eat(b'"')?;
        // Quotes are ASCII, so both ends are char boundaries of the line.
        self.line.get(start..self.at - 1)
    }

    /// The id's JSON text when serde_json writes its value back byte for byte.
    fn plain_id(&mut self) -> Option<&'a str> {
        let start = self.at;
        match self.peek()? {
            b'"' => {
                self.plain_string()?;
            }
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.at += 1;
                }
                // Up to 19 digits always fits a u64, written back as the same digits.
                if self.at - start > 19 {
                    return None;
                }
            }
            b'n' => {
                for &byte in b"null" {
                    self.eat(byte)?;
                }
            }
            _ => return None,
        }
        if let Some(b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            return None;
        }
        self.line.get(start..self.at)
    }

    /// `"en"` … `"und"` exactly as `Lang`'s serde names (case and all), or `null`.
    fn language(&mut self) -> Option<Option<Lang>> {
        if self.peek()? == b'n' {
            for &byte in b"null" {
                self.eat(byte)?;
            }
            return Some(None);
        }
        // Lang::ALL's tags in its order, then `und`.
        const TAGS: [&[u8]; 7] = [
            b"\"en\"",
            b"\"ro\"",
            b"\"zh-Hans\"",
            b"\"zh-Hant\"",
            b"\"tl\"",
            b"\"el\"",
            b"\"und\"",
        ];
        let index = self.one_of(&TAGS)?;
        Some(Some(Lang::ALL.get(index).copied().unwrap_or(Lang::Und)))
    }

    /// The index of the one of `choices` (quoted strings) the cursor is at, stepping over it:
    /// byte compares, where reading the string and matching it as a `str` cost more.
    fn one_of(&mut self, choices: &[&[u8]]) -> Option<usize> {
        let rest = &self.bytes[self.at..];
        let index = choices.iter().position(|choice| rest.starts_with(choice))?;
        self.at += choices[index].len();
        Some(index)
    }

    /// A JSON string, escapes decoded as serde_json decodes them; `None` for anything serde
    /// would reject (control characters, unknown escapes, unpaired surrogates).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let mut run = self.at;
        self.at = find_special(self.bytes, run);
        if self.peek()? == b'"' {
            self.at += 1;
            return self.line.get(run..self.at - 1).map(Cow::Borrowed);
        }
        let mut out = String::new();
        loop {
            // Every stop is an ASCII byte, so `run..self.at` lies on char boundaries.
            out.push_str(self.line.get(run..self.at)?);
            match self.next()? {
                b'"' => return Some(Cow::Owned(out)),
                b'\\' => {}
                _ => return None,
            }
            let escaped = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let first = self.hex4()?;
                    match first {
                        0xd800..=0xdbff => {
                            self.eat(b'\\')?;
                            self.eat(b'u')?;
                            let second = self.hex4()?;
                            if !(0xdc00..=0xdfff).contains(&second) {
                                return None;
                            }
                            char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))?
                        }
                        0xdc00..=0xdfff => return None,
                        _ => char::from_u32(first)?,
                    }
                }
                _ => return None,
            };
            out.push(escaped);
            run = self.at;
            self.at = find_special(self.bytes, run);
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = (self.next()? as char).to_digit(16)?;
            value = value * 16 + digit;
        }
        Some(value)
    }
}

/// What [`find_special`] looks for, byte by byte (the tests' reference).
#[cfg(test)]
fn is_special(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The index of the first byte from `at` on that ends a plain run of a JSON string (`"`, `\` or
/// a control character; `bytes.len()` if none), eight bytes at a time: a byte-by-byte loop was
/// most of the cost of reading a line.
fn find_special(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // A byte of `x` is zero where the lowest set high bit of `(x - ONES) & !x` is; bits above the
    // first hit may be false, so only the lowest one is used.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let first_hit = |word: [u8; 8]| {
        let word = u64::from_le_bytes(word);
        let hits = (zero(word ^ (ONES * u64::from(b'"')))
            | zero(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGH;
        (hits != 0).then(|| (hits.trailing_zeros() / 8) as usize)
    };
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if let Some(hit) = first_hit(word) {
            return at + hit;
        }
        at += 8;
    }
    // The last (up to) seven bytes, padded with spaces, which are not special.
    let tail = bytes.get(at..).unwrap_or_default();
    let mut word = [b' '; 8];
    word[..tail.len()].copy_from_slice(tail);
    first_hit(word).map_or(bytes.len(), |hit| at + hit)
}

/// Whether serde_json escapes something in `text`.
pub(crate) fn needs_escape(text: &str) -> bool {
    find_special(text.as_bytes(), 0) < text.len()
}

/// Appends an analysis's JSON fields after `{"id":…`: `,"language":…}`, exactly the bytes
/// serde_json writes (serde's generic serialiser cost an English batch line as much as matching
/// its rules). `false`, with nothing appended, for an anger score it has no text for.
fn write_fields(analysis: &AnalysisParts, out: &mut String) -> bool {
    let Some(anger) = anger_text(analysis.head.anger) else {
        return false;
    };
    out.push_str(",\"language\":\"");
    out.push_str(analysis.head.language.as_str());
    out.push_str("\",\"anger\":");
    out.push_str(anger);
    let head = &analysis.head;
    let flags = [
        head.complaint,
        head.threat,
        head.abuse,
        head.churn_risk,
        head.public_exposure,
    ];
    out.push_str(level_and_flags(head.level, flags));
    let plain = analysis.plain_strings;
    out.push_str(",\"demands\":");
    write_strings(out, &analysis.demands, plain);
    out.push_str(",\"signals\":[");
    for (n, signal) in analysis.signals.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        if let RuleName::Own(rule) = signal.rule {
            let (head, tail) = &rule.signal_json;
            out.push_str(head);
            write_usize(out, signal.start);
            out.push_str(",\"end\":");
            write_usize(out, signal.end);
            out.push_str(tail);
            continue;
        }
        out.push_str("{\"category\":");
        write_str(out, signal.category, plain);
        out.push_str(",\"start\":");
        write_usize(out, signal.start);
        out.push_str(",\"end\":");
        write_usize(out, signal.end);
        out.push_str(",\"seeds\":");
        match signal.seeds {
            Seeds::Rule(seeds) => write_strings(out, seeds, plain),
            Seeds::One(seed) => write_strings(out, &[seed], plain),
        }
        out.push_str(",\"rule\":");
        match signal.rule {
            RuleName::Own(rule) => write_str(out, &rule.id, plain),
            RuleName::Plain(name) => write_str(out, name, plain),
            RuleName::Suffixed(name, suffix) => write_joined(out, name, suffix, plain),
            RuleName::Cue(name) => write_str(out, name, false),
        }
        out.push('}');
    }
    out.push_str("]}");
    true
}

/// A rule's `CompiledRule::signal_json`: what `write_fields` writes of its own signal before
/// the start offset and after the end offset.
pub(crate) fn signal_json(category: &str, seeds: &[String], id: &str) -> (String, String) {
    let mut head = String::from("{\"category\":");
    write_str(&mut head, category, false);
    head.push_str(",\"start\":");
    let mut tail = String::from(",\"seeds\":");
    write_strings(&mut tail, seeds, false);
    tail.push_str(",\"rule\":");
    write_str(&mut tail, id, false);
    tail.push('}');
    (head, tail)
}

/// `,"level":…,"complaint":…` up to `"public_exposure"`'s value, from a table of every level and
/// flag combination: one copy instead of eleven (each a `memcpy` call).
fn level_and_flags(level: Level, flags: [bool; 5]) -> &'static str {
    const NAMES: [&str; 5] = [
        ",\"complaint\":",
        ",\"threat\":",
        ",\"abuse\":",
        ",\"churn_risk\":",
        ",\"public_exposure\":",
    ];
    const LEVELS: [Level; 4] = [Level::Calm, Level::Annoyed, Level::Angry, Level::Furious];
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        let mut texts = Vec::with_capacity(LEVELS.len() << NAMES.len());
        for level in LEVELS {
            for bits in 0..1usize << NAMES.len() {
                let mut text = format!(",\"level\":\"{}\"", level.as_str());
                for (n, name) in NAMES.iter().enumerate() {
                    text.push_str(name);
                    text.push_str(if bits >> n & 1 == 1 { "true" } else { "false" });
                }
                texts.push(text);
            }
        }
        texts
    });
    // `LEVELS` is in declaration order, so a level's discriminant is its place there.
    let level = level as usize;
    let bits = flags
        .iter()
        .enumerate()
        .fold(0, |bits, (n, &flag)| bits | usize::from(flag) << n);
    &texts[level << NAMES.len() | bits]
}

/// serde_json's text of an anger score. Scores are whole hundredths (`analyze` rounds them),
/// whose texts are taken once from serde_json itself; anything else declines.
fn anger_text(anger: f32) -> Option<&'static str> {
    static TEXTS: OnceLock<Vec<(u32, String)>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        (0..=100u16)
            .map(|hundredths| {
                let value = f32::from(hundredths) / 100.0;
                (
                    value.to_bits(),
                    serde_json::to_string(&value).unwrap_or_default(),
                )
            })
            .collect()
    });
    let hundredths = (anger * 100.0).round();
    if !(0.0..=100.0).contains(&hundredths) {
        return None;
    }
    let (bits, text) = texts.get(hundredths as usize)?;
    (*bits == anger.to_bits() && !text.is_empty()).then_some(text.as_str())
}

fn write_strings<S: AsRef<str>>(out: &mut String, strings: &[S], plain: bool) {
    out.push('[');
    for (n, string) in strings.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_str(out, string.as_ref(), plain);
    }
    out.push(']');
}

/// A JSON string as serde_json writes it: only `"`, `\` and control characters are escaped
/// (those go through serde_json itself). `plain`: known to need none, not looked at.
fn write_str(out: &mut String, string: &str, plain: bool) {
    if !plain && needs_escape(string) {
        // Serialising a str cannot fail.
        out.push_str(&serde_json::to_string(string).unwrap_or_default());
        return;
    }
    out.push('"');
    out.push_str(string);
    out.push('"');
}

/// `write_str` of `first` followed by `second`.
fn write_joined(out: &mut String, first: &str, second: &str, plain: bool) {
    if !plain && (needs_escape(first) || needs_escape(second)) {
        write_str(out, &format!("{first}{second}"), false);
        return;
    }
    out.push('"');
    out.push_str(first);
    out.push_str(second);
    out.push('"');
}

fn write_usize(out: &mut String, value: usize) {
    let digit = |d: usize| char::from(b'0' + (d % 10) as u8);
    // Offsets in short texts: most have one to three digits.
    match value {
        0..=9 => out.push(digit(value)),
        10..=99 => {
            out.push(digit(value / 10));
            out.push(digit(value));
        }
        100..=999 => {
            out.push(digit(value / 100));
            out.push(digit(value / 10));
            out.push(digit(value));
        }
        _ => {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = value;
            while rest > 0 {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            for &d in &digits[at..] {
                out.push(char::from(d));
            }
        }
    }
}

impl Coach {
    /// `coach analyze --jsonl`: `{"id", "text", "language"?}` → analysis. Errors in English.
    pub fn analyze_line(&self, line: &str) -> String {
        self.analyze_line_in(line, Lang::En)
    }

    /// `coach lint --jsonl`: `{"id", "text", "language"?, "context"?, "reference_time"?, "ui_language"?}`.
    pub fn lint_line(&self, line: &str) -> String {
        self.lint_line_in(line, Lang::En)
    }

    /// `coach score --jsonl`: `{"id", "turns": [{"from", "text"}]}` → score report.
    pub fn score_line(&self, line: &str) -> String {
        self.score_line_in(line, Lang::En)
    }

    /// As [`Coach::analyze_line`], with a bad line's `error` in `ui` (or in the line's own
    /// `ui_language` when it has a valid one).
    pub fn analyze_line_in(&self, line: &str, ui: Lang) -> String {
        if let Some(plain) = PlainAnalyzeLine::read(line) {
            // As `Coach::analyze`, on the borrowed text.
            let language = Coach::detect(&plain.text, plain.language);
            return with_raw_id(plain.id, self.analysis_parts(language, &plain.text), ui);
        }
        process(line, ui, |input| self.analyze(&input))
    }

    /// As [`Coach::lint_line`], with errors in `ui` or the line's `ui_language`.
    pub fn lint_line_in(&self, line: &str, ui: Lang) -> String {
        process(line, ui, |input| self.lint(&input))
    }

    /// As [`Coach::score_line`], with errors in `ui` or the line's `ui_language`.
    pub fn score_line_in(&self, line: &str, ui: Lang) -> String {
        process(line, ui, |input| self.score(&input))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use text::Lang;

    use super::{
        LineProblem, PlainAnalyzeLine, error_line, find_special, is_special, signal_json,
        write_fields, write_usize,
    };
    use crate::analyze::{AnalysisParts, RuleName, Seeds, SignalParts};
    use crate::model::Level;
    use crate::{AnalyzeInput, Coach};

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).expect("every output line is JSON")
    }

    #[test]
    fn a_good_line_keeps_its_id_and_has_the_contract_fields() {
        let coach = crate::test_support::english();
        let out = parse(
            &coach.analyze_line(r#"{"id": 7, "text": "I want a refund NOW!!!", "language": "en"}"#),
        );
        assert_eq!(out["id"], json!(7));
        for field in [
            "language",
            "anger",
            "level",
            "complaint",
            "threat",
            "abuse",
            "churn_risk",
            "public_exposure",
            "demands",
            "signals",
        ] {
            assert!(out.get(field).is_some(), "missing {field}: {out}");
        }
        assert_eq!(out["demands"], json!(["refund"]));
        let out = parse(&coach.lint_line(r#"{"id": "a", "text": "Calm down."}"#));
        assert_eq!(out["findings"][0]["category"], json!("rudeness"));
        let out = parse(&coach.score_line(
            r#"{"id": "s", "turns": [{"from": "agent", "text": "Hello, my name is Ana."}]}"#,
        ));
        assert!(out["qa_score"].is_u64());
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value() {
        let coach = crate::test_support::english();
        let out = parse(
            &coach
                .analyze_line(r#"{"id": 1, "id": 2, "text": "thanks", "text": "I want a refund"}"#),
        );
        assert_eq!(out["id"], json!(2));
        assert_eq!(out["demands"], json!(["refund"]));
    }

    #[test]
    fn bad_lines_become_error_objects() {
        let coach = crate::test_support::english();
        let cases = [
            ("not json", Value::Null, "invalid JSON"),
            ("", Value::Null, "invalid JSON"),
            ("[1, 2]", Value::Null, "expected a JSON object"),
            (r#"{"id": "x"}"#, json!("x"), "missing field `text`"),
            (r#"{"id": "y", "text": 5}"#, json!("y"), "bad input"),
            (
                r#"{"id": "z", "text": "hi", "language": "fr"}"#,
                json!("z"),
                "bad input",
            ),
        ];
        for (line, id, error) in cases {
            let out = parse(&coach.analyze_line(line));
            assert_eq!(out["id"], id, "{line}");
            assert!(
                out["error"].as_str().unwrap().contains(error),
                "{line}: {out}"
            );
        }
        // A struct also reads from an array; the contract wants objects.
        let out = parse(&coach.analyze_line(r#"["I want a refund"]"#));
        assert!(
            out["error"]
                .as_str()
                .unwrap()
                .contains("expected a JSON object")
        );
        let out =
            parse(&coach.lint_line(r#"{"id": 1, "text": "ok", "reference_time": "tomorrow"}"#));
        assert!(out["error"].as_str().unwrap().contains("RFC 3339"), "{out}");
        assert_eq!(out["error_code"], json!("line_bad_input"));
    }

    #[test]
    fn errors_speak_the_callers_or_the_lines_screen_language() {
        let coach = crate::test_support::english();
        let out = parse(&coach.analyze_line_in("not json", Lang::Ro));
        assert_eq!(out["error_code"], json!("line_invalid_json"));
        assert!(
            out["error"].as_str().unwrap().starts_with("JSON invalid"),
            "{out}"
        );
        let out = parse(&coach.analyze_line_in("[1]", Lang::ZhHant));
        assert_eq!(out["error_code"], json!("line_not_an_object"));
        assert!(
            out["error"].as_str().unwrap().contains("JSON 物件"),
            "{out}"
        );
        // The line's own ui_language wins over the caller's.
        let out = parse(&coach.lint_line_in(r#"{"id": 4, "ui_language": "el"}"#, Lang::Ro));
        assert_eq!(out["id"], json!(4));
        assert_eq!(out["error_code"], json!("line_bad_input"));
        assert!(
            out["error"].as_str().unwrap().contains("δεδομένα εισόδου"),
            "{out}"
        );
        let utf8 = LineProblem::NotUtf8 { line: 3, byte: 9 };
        assert_eq!(
            utf8.message(Lang::Tl),
            "ang linya 3 ay hindi wastong UTF-8 (byte 9)"
        );
        let line = parse(&error_line(&json!("a"), &utf8, Lang::En));
        assert_eq!(line["error"], json!("line 3 is not valid UTF-8 (byte 9)"));
    }

    #[test]
    fn the_special_byte_search_agrees_with_a_byte_loop() {
        let mut bytes: Vec<u8> = (0u8..=255).collect();
        bytes.extend_from_slice("plain é 😡 text \\ and \" quote".as_bytes());
        for start in 0..bytes.len() {
            for end in start..bytes.len().min(start + 40) {
                let slice = &bytes[start..end];
                for at in 0..=slice.len() {
                    let expected = (at..slice.len())
                        .find(|&i| is_special(slice[i]))
                        .unwrap_or(slice.len());
                    assert_eq!(find_special(slice, at), expected, "{slice:?} from {at}");
                }
            }
        }
    }

    /// What the serde path reads from a line: the id as serde_json writes it back, and the input.
    fn serde_reading(line: &str) -> Option<(String, String, Option<text::Lang>)> {
        let input: AnalyzeInput = serde_json::from_str(line).ok()?;
        let value: Value = serde_json::from_str(line).ok()?;
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        Some((id.to_string(), input.text, input.language))
    }

    #[test]
    fn the_fast_reading_agrees_with_serde_or_declines() {
        let mut lines: Vec<String> = [
            r#"{"id": 1, "text": "plain"}"#,
            r#"{"text": "no id", "language": "el"}"#,
            r#"{"id": "a b", "text": "caf\u00e9 \ud83d\ude21 \"q\" \\ \/ \b\f\n\r\t", "language": null}"#,
            r#"  {"language":"zh-Hant","text":"","id":0}  "#,
            r#"{"id": 1.5, "text": "float"}"#,
            r#"{"id": -1, "text": "negative"}"#,
            r#"{"id": 01, "text": "leading zero"}"#,
            r#"{"id": 12345678901234567890, "text": "twenty digits"}"#,
            r#"{"id": "\u0041", "text": "escaped id"}"#,
            r#"{"id": 1, "text": "lone \ud83d"}"#,
            r#"{"id": 1, "text": "low \ude21 first"}"#,
            r#"{"id": 1, "text": "bad \x"}"#,
            r#"{"id": 1, "text": "short \u12"}"#,
            r#"{"id": 1, "text": "a", "text": "b"}"#,
            r#"{"id": 1, "text": "a", "other": 2}"#,
            r#"{"id": 1, "text": "a", "language": "EN"}"#,
            r#"{"id": 1, "text": "a",}"#,
            r#"{"id": 1, "text": "a"} x"#,
            r#"{"id": 1 "text": "a"}"#,
            r#"{"id": nul, "text": "a"}"#,
            r#"{"text": "a""#,
            "{\"id\": 1, \"text\": \"raw\ttab\"}",
            "{}",
            "[]",
            "",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for c in (0u32..0x80).chain([0xe9, 0x2028, 0xfeff, 0x1f621]) {
            let ch = char::from_u32(c).unwrap();
            lines.push(format!(r#"{{"id": "{ch}", "text": "a{ch}b"}}"#));
            lines.push(format!(r#"{{"id": 2, "text": "a\\u{c:04x}b"}}"#));
        }
        for lang in Lang::ALL.into_iter().chain([Lang::Und]) {
            let line = format!(r#"{{"id": 3, "text": "x", "language": "{lang}"}}"#);
            assert_eq!(PlainAnalyzeLine::read(&line).unwrap().language, Some(lang));
            lines.push(line);
        }
        let mut fast = 0;
        for line in &lines {
            let Some(plain) = PlainAnalyzeLine::read(line) else {
                continue;
            };
            fast += 1;
            let expected = serde_reading(line).expect("the fast path reads only what serde reads");
            assert_eq!(
                (plain.id.to_owned(), plain.text.into_owned(), plain.language),
                expected,
                "{line}"
            );
        }
        assert!(fast >= 100, "the fast path read only {fast} lines");
    }

    /// Every truncation and every one-char replacement or insertion of some valid lines: the
    /// fast reading must agree with serde or decline, and no line may panic.
    #[test]
    fn the_fast_reading_agrees_with_serde_on_every_edit() {
        let seeds = [
            r#"{"id": 12, "text": "caf\u00e9 \ud83d\ude21 \"q\" \\ x", "language": "en"}"#,
            r#"{"text":"plain","id":"a-b","language":null}"#,
        ];
        let inserts = [
            '"', '\\', '{', '}', ',', ':', 'u', 'd', '0', '9', ' ', '\n', 'é', 'n', '.',
        ];
        let mut lines = Vec::new();
        for seed in seeds {
            let chars: Vec<char> = seed.chars().collect();
            for at in 0..=chars.len() {
                lines.push(chars[..at].iter().collect::<String>());
                for &c in &inserts {
                    let mut replaced = chars.clone();
                    if at < replaced.len() {
                        replaced[at] = c;
                        lines.push(replaced.iter().collect());
                    }
                    let mut inserted = chars.clone();
                    inserted.insert(at, c);
                    lines.push(inserted.iter().collect());
                }
            }
        }
        let coach = crate::test_support::english();
        let mut fast = 0;
        for line in &lines {
            if let Some(plain) = PlainAnalyzeLine::read(line) {
                fast += 1;
                let expected =
                    serde_reading(line).expect("the fast path reads only what serde reads");
                assert_eq!(
                    (plain.id.to_owned(), plain.text.into_owned(), plain.language),
                    expected,
                    "{line}"
                );
            }
        }
        assert!(
            fast > 200,
            "the fast path read only {fast} of {} lines",
            lines.len()
        );
        for line in lines.iter().step_by(7) {
            parse(&coach.analyze_line(line));
        }
    }

    #[test]
    fn offsets_are_written_as_decimal() {
        for value in [0, 1, 9, 10, 42, 99, 100, 507, 999, 1000, 40_000, usize::MAX] {
            let mut out = String::new();
            write_usize(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn the_fast_writing_agrees_with_serde() {
        let coach = crate::test_support::english();
        let texts = [
            "I want a refund NOW!!! This is the worst service, I'm going to post a review 😡",
            "thanks, all good",
            "",
            "Why?! Why is my parcel STILL missing? I will cancel and go to a competitor.",
            "I am not happy. He said \"you are useless\" and it's \"fast\" delivery, they don't care, no answer",
        ];
        let written_as_serde = |parts: &AnalysisParts| {
            let mut fast = String::new();
            let written = write_fields(parts, &mut fast);
            let serde = serde_json::to_string(&parts.clone().into_analysis()).unwrap();
            if written {
                assert_eq!(format!("{{{}", &fast[1..]), serde);
            } else {
                assert!(fast.is_empty() && parts.head.anger == 0.123);
            }
            // Strings taken as plain are written as when each is looked at.
            let mut checked = parts.clone();
            checked.plain_strings = false;
            let mut slow = String::new();
            write_fields(&checked, &mut slow);
            assert_eq!(fast, slow);
        };
        let rules = ["en.plain", "en.\"odd\\rule\u{2}"];
        for text in texts {
            let parts = coach.analysis_parts(Coach::detect(text, None), text);
            let mut variants = vec![parts.clone()];
            assert!(
                parts.plain_strings,
                "the built-in rules' strings need no escapes"
            );
            let mut escaped = parts.clone();
            escaped.plain_strings = false;
            escaped.demands.push("quote \" back \\ control \u{1}");
            for rule in rules {
                for suffix in [" (negated)", " \"q\""] {
                    escaped.signals.push(SignalParts {
                        category: "complaint",
                        start: 3,
                        end: 1234,
                        seeds: Seeds::One("RO-1"),
                        rule: RuleName::Suffixed(rule, suffix),
                    });
                }
                escaped.signals.push(SignalParts {
                    category: "anger",
                    start: 5,
                    end: 6,
                    seeds: Seeds::One("RO-1"),
                    rule: RuleName::Cue(if rule == "en.plain" {
                        "cue.x"
                    } else {
                        "cue.\"x\""
                    }),
                });
                escaped.signals.push(SignalParts {
                    category: "anger\n",
                    start: 0,
                    end: 0,
                    seeds: Seeds::One("\"X\""),
                    rule: RuleName::Plain(rule),
                });
            }
            variants.push(escaped);
            // A cue's name is looked at even when the rules' strings are plain.
            let mut odd_cue = parts.clone();
            odd_cue.signals.push(SignalParts {
                category: "anger",
                start: 1,
                end: 2,
                seeds: Seeds::One("RO-1"),
                rule: RuleName::Cue("cue.\"odd\""),
            });
            variants.push(odd_cue);
            let mut odd = parts.clone();
            odd.head.anger = 0.123;
            variants.push(odd);
            for parts in &variants {
                written_as_serde(parts);
            }
        }
        let mut parts = coach.analysis_parts(Lang::En, "");
        // Every level with every flag combination (the table of `level_and_flags`).
        for level in [Level::Calm, Level::Annoyed, Level::Angry, Level::Furious] {
            for bits in 0..32 {
                let head = &mut parts.head;
                head.level = level;
                head.complaint = bits & 1 != 0;
                head.threat = bits & 2 != 0;
                head.abuse = bits & 4 != 0;
                head.churn_risk = bits & 8 != 0;
                head.public_exposure = bits & 16 != 0;
                written_as_serde(&parts);
            }
        }
        for hundredths in 0..=100 {
            parts.head.anger = (hundredths as f32 / 100.0 * 100.0).round() / 100.0;
            let mut fast = String::new();
            assert!(write_fields(&parts, &mut fast), "{}", parts.head.anger);
            written_as_serde(&parts);
        }
    }

    /// A rule's own signal, written from its precomputed pieces, has the bytes of the same
    /// signal written piece by piece, for every built-in rule and offsets of any width.
    #[test]
    fn own_signals_write_as_their_pieces() {
        let coach = Coach::builtin().expect("built-in packs load");
        let mut parts = coach.analysis_parts(Lang::En, "");
        for engine in coach.engines.values() {
            for rule in &engine.rules {
                for (start, end) in [(0, 0), (9, 10), (99, 100), (999, 1000), (12_345, 123_456)] {
                    let signal = |name| SignalParts {
                        category: &rule.category,
                        start,
                        end,
                        seeds: Seeds::Rule(&rule.seeds),
                        rule: name,
                    };
                    let mut own = String::new();
                    let mut by_pieces = String::new();
                    parts.signals = vec![signal(RuleName::Own(rule)); 2];
                    write_fields(&parts, &mut own);
                    parts.signals = vec![signal(RuleName::Plain(&rule.id)); 2];
                    write_fields(&parts, &mut by_pieces);
                    assert_eq!(own, by_pieces);
                }
            }
        }
        // Strings that need escapes get them in the pieces too.
        let (category, id) = ("anger\n", "en.\"odd\\rule\u{2}");
        let seeds = ["\"X\"".to_owned(), "RO-1".to_owned()];
        let (head, tail) = signal_json(category, &seeds, id);
        parts.plain_strings = false;
        parts.signals = vec![SignalParts {
            category,
            start: 5,
            end: 17,
            seeds: Seeds::Rule(&seeds),
            rule: RuleName::Plain(id),
        }];
        let mut by_pieces = String::new();
        write_fields(&parts, &mut by_pieces);
        assert!(by_pieces.contains(&format!("[{head}5,\"end\":17{tail}]")));
    }
}
