//! Callback and answer promises ("I'll call you back within 10 minutes", "10分钟内给您回电",
//! "by tomorrow 9am"), CLEAR-C. The grammar — marker, number, counter word, unit, day, clock — is
//! here; the words of each language come from the `[promises]` table of its packs.

use std::collections::HashMap;

use jiff::civil::Time;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::pattern::{self, Item};
use crate::spec::PromiseSpec;
use crate::tokens::TokenizedText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseKind {
    Callback,
    Answer,
}

/// A promise found in a reply. `within_seconds` is absent for "by tomorrow 9am" when no reference
/// time was given; `due_at` is present whenever a reference time was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub kind: PromiseKind,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub within_seconds: Option<u64>,
    pub start: usize,
    pub end: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub due_at: Option<String>,
}

/// "Now" for resolving "by tomorrow 9am": an RFC 3339 instant with its UTC offset, whose local
/// calendar day "tomorrow" refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferenceTime {
    pub instant: Timestamp,
    pub offset: Offset,
}

impl std::str::FromStr for ReferenceTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let problem = || {
            format!(
                "reference time {s:?} is not an RFC 3339 time such as 2026-11-25T10:00:00+02:00"
            )
        };
        let instant: Timestamp = s.parse().map_err(|_| problem())?;
        let offset = parse_offset(s).ok_or_else(problem)?;
        Ok(ReferenceTime { instant, offset })
    }
}

fn parse_offset(s: &str) -> Option<Offset> {
    if s.ends_with(['Z', 'z']) {
        return Some(Offset::UTC);
    }
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = tail.get(1..3)?.parse().ok()?;
    let minutes: i32 = tail.get(4..6)?.parse().ok()?;
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

impl<'de> Deserialize<'de> for ReferenceTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for ReferenceTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.instant.display_with_offset(self.offset))
    }
}

/// Word sequences (each word possibly a `word*` prefix), found longest-first at a token.
#[derive(Debug)]
struct PhraseSet<T> {
    /// Asked for every token of a reply, with words from the packs as keys: a fast hash.
    by_first_word: HashMap<String, Vec<usize>, text::FxBuildHasher>,
    prefix_first: Vec<usize>,
    phrases: Vec<(Vec<(String, bool)>, T)>,
}

impl<T> Default for PhraseSet<T> {
    fn default() -> Self {
        PhraseSet {
            by_first_word: HashMap::default(),
            prefix_first: Vec::new(),
            phrases: Vec::new(),
        }
    }
}

impl<T: Copy> PhraseSet<T> {
    fn add(&mut self, source: &str, value: T) -> Result<(), String> {
        let items = pattern::parse(source, 0).map_err(|problem| problem.to_string())?;
        for words in expand(&items)? {
            let index = self.phrases.len();
            match words.first() {
                Some((first, false)) => self
                    .by_first_word
                    .entry(first.clone())
                    .or_default()
                    .push(index),
                Some((_, true)) => self.prefix_first.push(index),
                None => continue,
            }
            self.phrases.push((words, value));
        }
        Ok(())
    }

    fn longest_at(&self, text: &TokenizedText, at: usize, limit: usize) -> Option<(usize, T)> {
        if at >= limit {
            return None;
        }
        let candidates = self
            .by_first_word
            .get(text.token_text(at))
            .into_iter()
            .flatten();
        candidates
            .chain(&self.prefix_first)
            .filter_map(|&index| {
                let (words, value) = &self.phrases[index];
                let end = at + words.len();
                let fits = end <= limit
                    && words.iter().enumerate().all(|(k, (word, prefix))| {
                        let token = text.token_text(at + k);
                        if *prefix {
                            token.starts_with(word.as_str())
                        } else {
                            token == word
                        }
                    });
                fits.then_some((end, *value))
            })
            .max_by_key(|&(end, _)| end)
    }

    /// A phrase of this set that ends exactly at `end` (for markers written before an amount).
    fn ends_at(&self, text: &TokenizedText, from: usize, end: usize) -> Option<usize> {
        (from..end).find(|&start| {
            self.longest_at(text, start, end)
                .is_some_and(|(e, _)| e == end)
        })
    }
}

/// All plain word sequences a pattern without gaps or lists stands for.
fn expand(items: &[Item]) -> Result<Vec<Vec<(String, bool)>>, String> {
    let mut sequences: Vec<Vec<(String, bool)>> = vec![Vec::new()];
    for item in items {
        let options: Vec<Vec<(String, bool)>> = match item {
            Item::Word { text, prefix } => vec![vec![(text.clone(), *prefix)]],
            Item::Group {
                alternatives,
                optional,
            } => {
                let mut options = Vec::new();
                if *optional {
                    options.push(Vec::new());
                }
                for alternative in alternatives {
                    options.extend(expand(alternative)?);
                }
                options
            }
            Item::List(_) | Item::Gap(_) => {
                return Err("promise words cannot use {lists} or gaps (...)".into());
            }
        };
        sequences = sequences
            .iter()
            .flat_map(|prefix| {
                options.iter().map(move |option| {
                    let mut joined = prefix.clone();
                    joined.extend(option.iter().cloned());
                    joined
                })
            })
            .collect();
        if sequences.len() > 4096 {
            return Err("too many combinations in one promise phrase".into());
        }
    }
    Ok(sequences)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

#[derive(Debug, Default)]
pub(crate) struct PromiseGrammar {
    kinds: PhraseSet<PromiseKind>,
    before_amount: PhraseSet<()>,
    after_amount: PhraseSet<()>,
    counters: PhraseSet<()>,
    numbers: PhraseSet<f64>,
    units: PhraseSet<u64>,
    fixed: PhraseSet<u64>,
    by: PhraseSet<()>,
    days: PhraseSet<i64>,
    meridiem: PhraseSet<Meridiem>,
    end_of_day: PhraseSet<()>,
}

fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 604_800,
        _ => return None,
    })
}

impl PromiseGrammar {
    pub fn compile(specs: &[&PromiseSpec]) -> Result<Self, String> {
        let mut g = PromiseGrammar::default();
        let plain = |set: &mut PhraseSet<()>, words: &[String], field: &str| {
            words.iter().try_for_each(|w| {
                set.add(w, ())
                    .map_err(|e| format!("[promises] {field}: {e}"))
            })
        };
        for spec in specs {
            for phrase in &spec.callback {
                g.kinds
                    .add(phrase, PromiseKind::Callback)
                    .map_err(|e| format!("[promises] callback: {e}"))?;
            }
            for phrase in &spec.answer {
                g.kinds
                    .add(phrase, PromiseKind::Answer)
                    .map_err(|e| format!("[promises] answer: {e}"))?;
            }
            plain(&mut g.before_amount, &spec.before_amount, "before_amount")?;
            plain(&mut g.after_amount, &spec.after_amount, "after_amount")?;
            plain(&mut g.counters, &spec.counters, "counters")?;
            plain(&mut g.by, &spec.by, "by")?;
            plain(&mut g.end_of_day, &spec.end_of_day, "end_of_day")?;
            for (word, value) in &spec.numbers {
                g.numbers
                    .add(word, *value)
                    .map_err(|e| format!("[promises] numbers: {e}"))?;
            }
            for (unit, words) in &spec.units {
                let seconds = unit_seconds(unit).ok_or_else(|| {
                    format!(
                        "[promises] units: unknown unit {unit:?} (second, minute, hour, day, week)"
                    )
                })?;
                for word in words {
                    g.units
                        .add(word, seconds)
                        .map_err(|e| format!("[promises] units: {e}"))?;
                }
            }
            for (phrase, seconds) in &spec.fixed {
                g.fixed
                    .add(phrase, *seconds as u64)
                    .map_err(|e| format!("[promises] fixed: {e}"))?;
            }
            for (word, offset) in &spec.days {
                g.days
                    .add(word, *offset)
                    .map_err(|e| format!("[promises] days: {e}"))?;
            }
            for word in &spec.am {
                g.meridiem
                    .add(word, Meridiem::Am)
                    .map_err(|e| format!("[promises] am: {e}"))?;
            }
            for word in &spec.pm {
                g.meridiem
                    .add(word, Meridiem::Pm)
                    .map_err(|e| format!("[promises] pm: {e}"))?;
            }
        }
        Ok(g)
    }

    /// Promises in the text; `reference` resolves "by tomorrow 9am" and yields `due_at`.
    pub fn extract(&self, text: &TokenizedText, reference: Option<ReferenceTime>) -> Vec<Promise> {
        let mut promises = Vec::new();
        for sentence in &text.sentences {
            let (first, end) = (sentence.first_token as usize, sentence.end_token as usize);
            let mut verbs = Vec::new();
            let mut at = first;
            while at < end {
                match self.kinds.longest_at(text, at, end) {
                    Some((stop, kind)) => {
                        verbs.push((at, stop, kind));
                        at = stop;
                    }
                    None => at += 1,
                }
            }
            if verbs.is_empty() {
                continue;
            }
            let Some(time) = self
                .relative(text, first, end)
                .or_else(|| self.absolute(text, first, end))
            else {
                continue;
            };
            let (verb_start, verb_end, kind) = verbs[0];
            let token_start = verb_start.min(time.start);
            let token_end = verb_end.max(time.end);
            let (start, stop) = text.original_span(token_start as u32, token_end as u32);
            let (within_seconds, due_at) = time.resolve(reference);
            promises.push(Promise {
                kind,
                within_seconds,
                start,
                end: stop,
                due_at,
            });
        }
        promises
    }

    fn number(&self, text: &TokenizedText, at: usize, end: usize) -> Option<(usize, f64)> {
        let token = text.token_text(at);
        if token.bytes().all(|b| b.is_ascii_digit()) {
            return token.parse::<f64>().ok().map(|n| (at + 1, n));
        }
        // Number words compose: "twenty four" = 20 + 4; 二十五 = 2 × 10 + 5.
        let mut value = 0.0;
        let mut stop = at;
        while let Some((next, n)) = self.numbers.longest_at(text, stop, end) {
            if value == 0.0 {
                value = n;
            } else if (n == 10.0 || n == 100.0 || n == 1000.0) && value < n {
                value *= n;
            } else if n < value {
                value += n;
            } else {
                break;
            }
            stop = next;
        }
        (stop > at).then_some((stop, value))
    }

    /// "within 10 minutes", "în 10 minute", "10分钟内", "sa loob ng isang oras", "within the hour".
    fn relative(&self, text: &TokenizedText, first: usize, end: usize) -> Option<TimeExpr> {
        for at in first..end {
            let amount = if let Some((stop, seconds)) = self.fixed.longest_at(text, at, end) {
                Some((stop, seconds))
            } else if let Some((stop, n)) = self.number(text, at, end) {
                let stop = self
                    .counters
                    .longest_at(text, stop, end)
                    .map_or(stop, |(s, _)| s);
                self.units
                    .longest_at(text, stop, end)
                    .map(|(unit_end, seconds)| (unit_end, (n * seconds as f64).round() as u64))
            } else {
                None
            };
            let Some((stop, seconds)) = amount else {
                continue;
            };
            let marker_start =
                self.before_amount
                    .ends_at(text, at.saturating_sub(4).max(first), at);
            let marker_end = self
                .after_amount
                .longest_at(text, stop, end)
                .map(|(e, _)| e);
            if marker_start.is_some() || marker_end.is_some() {
                return Some(TimeExpr {
                    start: marker_start.unwrap_or(at),
                    end: marker_end.unwrap_or(stop),
                    when: When::Within(seconds),
                });
            }
        }
        None
    }

    /// "by tomorrow 9am", "mâine la ora 9", "明天上午9点前", "by end of day".
    fn absolute(&self, text: &TokenizedText, first: usize, end: usize) -> Option<TimeExpr> {
        let mut day: Option<(usize, usize, i64)> = None;
        let mut end_of_day: Option<(usize, usize)> = None;
        let mut meridiem: Option<(usize, usize, Meridiem)> = None;
        let mut by: Option<(usize, usize)> = None;
        let mut at = first;
        while at < end {
            if let Some((stop, offset)) = self.days.longest_at(text, at, end) {
                day.get_or_insert((at, stop, offset));
                at = stop;
            } else if let Some((stop, ())) = self.end_of_day.longest_at(text, at, end) {
                end_of_day.get_or_insert((at, stop));
                at = stop;
            } else if let Some((stop, m)) = self.meridiem.longest_at(text, at, end) {
                meridiem.get_or_insert((at, stop, m));
                at = stop;
            } else if let Some((stop, ())) = self.by.longest_at(text, at, end) {
                by.get_or_insert((at, stop));
                at = stop;
            } else {
                at += 1;
            }
        }
        let clock = self.clock(text, first, end, meridiem, by);
        if day.is_none() && end_of_day.is_none() && clock.is_none() {
            return None;
        }
        let spans = [
            day.map(|(s, e, _)| (s, e)),
            end_of_day,
            clock.map(|c| (c.start, c.end)),
            by.filter(|_| clock.is_some() || end_of_day.is_some() || day.is_some()),
        ];
        let start = spans.iter().flatten().map(|s| s.0).min()?;
        let stop = spans.iter().flatten().map(|s| s.1).max()?;
        let time = match clock {
            Some(c) => Time::new(c.hour, c.minute, 0, 0).ok()?,
            None => Time::new(17, 0, 0, 0).ok()?,
        };
        Some(TimeExpr {
            start,
            end: stop,
            when: When::At {
                day_offset: day.map(|(_, _, offset)| offset),
                time,
            },
        })
    }

    /// A clock time near an am/pm word, after "by", or written `9:30`.
    fn clock(
        &self,
        text: &TokenizedText,
        first: usize,
        end: usize,
        meridiem: Option<(usize, usize, Meridiem)>,
        by: Option<(usize, usize)>,
    ) -> Option<Clock> {
        for at in first..end {
            let token = text.token_text(at);
            if !token.bytes().all(|b| b.is_ascii_digit()) || token.len() > 2 {
                continue;
            }
            let hour: i8 = token.parse().ok()?;
            let has_minutes = text.tokens[at].next_char == ':'
                && at + 1 < end
                && text.token_text(at + 1).len() == 2
                && text.token_text(at + 1).bytes().all(|b| b.is_ascii_digit());
            let minute: i8 = if has_minutes {
                text.token_text(at + 1).parse().ok()?
            } else {
                0
            };
            let near_meridiem = meridiem.filter(|&(s, e, _)| e + 2 >= at && s <= at + 3);
            let after_by = by.is_some_and(|(_, e)| e == at);
            if !(near_meridiem.is_some() || has_minutes || after_by) || hour > 24 || minute > 59 {
                continue;
            }
            let hour = match near_meridiem.map(|m| m.2) {
                Some(Meridiem::Pm) if hour < 12 => hour + 12,
                Some(Meridiem::Am) if hour == 12 => 0,
                None if (1..=7).contains(&hour) => hour + 12,
                _ => hour,
            } % 24;
            let stop = if has_minutes { at + 2 } else { at + 1 };
            let (start, stop) = match near_meridiem {
                Some((s, e, _)) => (s.min(at), e.max(stop)),
                None => (at, stop),
            };
            return Some(Clock {
                hour,
                minute,
                start,
                end: stop,
            });
        }
        None
    }
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: i8,
    minute: i8,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy)]
enum When {
    Within(u64),
    At { day_offset: Option<i64>, time: Time },
}

#[derive(Debug, Clone, Copy)]
struct TimeExpr {
    start: usize,
    end: usize,
    when: When,
}

impl TimeExpr {
    fn resolve(&self, reference: Option<ReferenceTime>) -> (Option<u64>, Option<String>) {
        match (self.when, reference) {
            (When::Within(seconds), None) => (Some(seconds), None),
            (When::Within(seconds), Some(now)) => {
                let due = now.instant.checked_add((seconds as i64).seconds()).ok();
                (
                    Some(seconds),
                    due.map(|due| due.display_with_offset(now.offset).to_string()),
                )
            }
            (When::At { .. }, None) => (None, None),
            (When::At { day_offset, time }, Some(now)) => {
                let zone = TimeZone::fixed(now.offset);
                let local = now.instant.to_zoned(zone.clone());
                let day = local
                    .date()
                    .checked_add(day_offset.unwrap_or(0).days())
                    .ok();
                let due = day.and_then(|d| d.to_datetime(time).to_zoned(zone.clone()).ok());
                let due = match (due, day_offset) {
                    // "by 5pm" said after 5pm means tomorrow.
                    (Some(due), None) if due.timestamp() <= now.instant => {
                        due.checked_add(1.day()).ok()
                    }
                    (due, _) => due,
                };
                match due {
                    Some(due) => {
                        let seconds =
                            (due.timestamp().as_second() - now.instant.as_second()).max(0) as u64;
                        (
                            Some(seconds),
                            Some(due.timestamp().display_with_offset(now.offset).to_string()),
                        )
                    }
                    None => (None, None),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use text::Lang;

    use super::PromiseKind;
    use crate::{Coach, LintInput, Promise};

    fn promises(coach: &Coach, lang: Lang, text: &str, now: Option<&str>) -> Vec<Promise> {
        coach
            .lint_in(
                lang,
                &LintInput {
                    text: text.into(),
                    reference_time: now.map(|n| n.parse().unwrap()),
                    ..LintInput::default()
                },
            )
            .promises
    }

    #[test]
    fn relative_durations_in_english() {
        let coach = crate::test_support::english();
        let cases = [
            (
                "I'll call you back within 10 minutes.",
                PromiseKind::Callback,
                600,
            ),
            (
                "We will reply in the next 24 hours.",
                PromiseKind::Answer,
                86_400,
            ),
            (
                "I'll get back to you in half an hour.",
                PromiseKind::Callback,
                1800,
            ),
            (
                "I'll update you within the hour.",
                PromiseKind::Answer,
                3600,
            ),
            (
                "I will email you within two business days.",
                PromiseKind::Answer,
                172_800,
            ),
            (
                "I'll ring you back twenty four hours from now.",
                PromiseKind::Callback,
                86_400,
            ),
        ];
        for (text, kind, seconds) in cases {
            let found = promises(&coach, Lang::En, text, None);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(
                (found[0].kind, found[0].within_seconds),
                (kind, Some(seconds)),
                "{text}"
            );
        }
        assert!(promises(&coach, Lang::En, "I'll call you back.", None).is_empty());
        assert!(promises(&coach, Lang::En, "Your parcel arrives within 3 days.", None).is_empty());
    }

    #[test]
    fn absolute_times_need_a_reference_and_resolve_in_its_offset() {
        let coach = crate::test_support::english();
        let text = "I'll let you know by tomorrow 9am.";
        let unresolved = promises(&coach, Lang::En, text, None);
        assert_eq!(unresolved[0].within_seconds, None);
        assert_eq!(unresolved[0].due_at, None);
        let found = promises(&coach, Lang::En, text, Some("2026-11-25T22:30:00+02:00"));
        assert_eq!(
            found[0].due_at.as_deref(),
            Some("2026-11-26T09:00:00+02:00")
        );
        assert_eq!(found[0].within_seconds, Some(37_800));
        // "by 5pm" said at 18:00 means tomorrow at 17:00.
        let late = promises(
            &coach,
            Lang::En,
            "I'll call you back by 5pm.",
            Some("2026-11-25T18:00:00Z"),
        );
        assert_eq!(late[0].due_at.as_deref(), Some("2026-11-26T17:00:00+00:00"));
        let clock = promises(
            &coach,
            Lang::En,
            "I'll reply before 9:30 tomorrow.",
            Some("2026-11-25T08:00:00Z"),
        );
        assert_eq!(
            clock[0].due_at.as_deref(),
            Some("2026-11-26T09:30:00+00:00")
        );
        let relative = promises(
            &coach,
            Lang::En,
            "I'll call you back within 10 minutes.",
            Some("2026-11-25T08:00:00Z"),
        );
        assert_eq!(
            relative[0].due_at.as_deref(),
            Some("2026-11-25T08:10:00+00:00")
        );
    }

    /// The grammar composes number words the way Chinese writes them (二十 = 2 × 10) and takes
    /// markers after the amount (分钟内); a small pack is enough to show it.
    #[test]
    fn number_words_compose_and_markers_may_follow_the_amount() {
        let pack = r#"
            [pack]
            language = "zh-Hans"
            [promises]
            callback = ["给您回电", "回电"]
            after_amount = ["内", "之内"]
            counters = ["个"]
            numbers = { "一" = 1, "二" = 2, "两" = 2, "三" = 3, "五" = 5, "十" = 10, "半" = 0.5 }
            units = { minute = ["分钟"], hour = ["小时"] }
            days = { "明天" = 1 }
            am = ["上午"]
        "#;
        let coach = Coach::from_packs(&[("mini.toml", pack)]).unwrap();
        let cases = [
            ("我们会在二十分钟内给您回电。", 1200),
            ("两个小时之内回电", 7200),
            ("十五分钟内回电", 900),
            ("半小时内给您回电", 1800),
        ];
        for (text, seconds) in cases {
            let found = promises(&coach, Lang::ZhHans, text, None);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].within_seconds, Some(seconds), "{text}");
        }
        let found = promises(
            &coach,
            Lang::ZhHans,
            "明天上午9点前给您回电",
            Some("2026-11-25T15:00:00+08:00"),
        );
        assert_eq!(
            found[0].due_at.as_deref(),
            Some("2026-11-26T09:00:00+08:00")
        );
    }

    #[test]
    fn bad_promise_words_name_the_table() {
        let pack =
            "[pack]\nlanguage = \"en\"\n[promises]\nunits = { fortnight = [\"fortnight\"] }\n";
        let error = Coach::from_packs(&[("bad.toml", pack)])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("bad.toml") && error.contains("unknown unit \"fortnight\""),
            "{error}"
        );
    }
}
