//! Runs a compiled engine over tokenised text: one trie lookup per token and a walk of the
//! literal trie from each token find every literal, then each rule whose pattern can start at a
//! hit is matched as a small tree, and its conditions checked.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::engine::{CompiledRule, Engine, LiteralNode, NONE, Node, WordIndex};
use crate::tokens::TokenizedText;

/// A literal found on tokens `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub literal: u32,
    pub start: u32,
    pub end: u32,
}

/// Literal hits grouped by start token: `at(token)` lists those that start there.
pub(crate) struct Hits {
    hits: Vec<Hit>,
    /// `offsets[t]..offsets[t + 1]` are the hits starting at token `t`.
    offsets: Vec<u32>,
}

impl Hits {
    fn at(&self, token: u32) -> &[Hit] {
        let t = (token as usize).min(self.offsets.len() - 2);
        &self.hits[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

/// Per-thread work space of `Engine::run`, reused from text to text: its tables are as long as
/// the pack has literals, and clearing or allocating them per text cost more than matching a
/// short message. An entry counts only when it carries the current `stamp`.
#[derive(Default)]
struct Scratch {
    stamp: u32,
    /// Per literal: `stamp` when it occurs in the text.
    literal_seen: Vec<u32>,
    /// Per requirement group: `stamp` when a literal of it occurs in the text.
    group_seen: Vec<u32>,
    symbols: Vec<u32>,
    symbol_offsets: Vec<u32>,
    /// The lists of one run, kept with their capacity for the next.
    hits: Vec<Hit>,
    hit_offsets: Vec<u32>,
    open: Vec<(LiteralNode, u32)>,
    matches: Vec<RuleMatch>,
    kept: Vec<RuleMatch>,
    ends: Vec<u32>,
    spare_lists: Vec<Vec<u32>>,
}

impl Scratch {
    fn next_stamp(&mut self, engine: &Engine) {
        let (literals, groups) = (engine.literal_count, engine.always_present as usize + 1);
        if self.literal_seen.len() < literals {
            self.literal_seen.resize(literals, 0);
        }
        if self.group_seen.len() < groups {
            self.group_seen.resize(groups, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.literal_seen.fill(0);
            self.group_seen.fill(0);
            self.stamp = 1;
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Which rules to run: those read on customer messages, or those read on agent replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    CustomerMessage,
    Reply,
}

/// One rule matched on tokens `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuleMatch {
    pub rule: u32,
    pub start: u32,
    pub end: u32,
}

struct Run<'a> {
    text: &'a TokenizedText,
    hits: Hits,
    /// Per requirement group: `stamp` when a literal of it occurs in the text.
    group_seen: &'a [u32],
    stamp: u32,
    /// Emptied position lists kept for reuse: matching needs short-lived lists at every nesting
    /// level and condition check, and allocating each anew was a large share of matching time.
    spare_lists: RefCell<Vec<Vec<u32>>>,
}

impl Engine {
    /// Every literal of `purpose`'s rules found in the text, by start token. Each token's text
    /// is looked up once in the word index; phrases are followed through the literal trie
    /// over the symbols of consecutive tokens of one sentence.
    // Not inlined into `run_with`: see `token_symbols`.
    #[inline(never)]
    fn hits(&self, text: &TokenizedText, purpose: Purpose, scratch: &mut Scratch) -> Hits {
        let phrases = match purpose {
            Purpose::CustomerMessage => &self.signal_phrases,
            Purpose::Reply => &self.reply_phrases,
        };
        let literals = &phrases.literals;
        let token_count = text.tokens.len();
        let mut hits = std::mem::take(&mut scratch.hits);
        let mut offsets = std::mem::take(&mut scratch.hit_offsets);
        let mut open = std::mem::take(&mut scratch.open);
        hits.clear();
        offsets.clear();
        open.clear();
        let Scratch {
            symbols,
            symbol_offsets,
            ..
        } = scratch;
        token_symbols(&phrases.words, text, symbols, symbol_offsets);
        let symbols_of =
            |t: usize| &symbols[symbol_offsets[t] as usize..symbol_offsets[t + 1] as usize];

        // `open`: nodes still open after the token before `at`, as (node, at). Start tokens are
        // walked in order (their symbol bounds in pairs, without bounds checks); the tokens an
        // open node reaches are looked up by index with `symbols_of`.
        let starts = text
            .tokens
            .iter()
            .zip(symbol_offsets.windows(2))
            .enumerate();
        for (start, (token, bounds)) in starts {
            offsets.push(hits.len() as u32);
            let sentence = token.sentence;
            for &symbol in &symbols[bounds[0] as usize..bounds[1] as usize] {
                let index = literals.root[symbol as usize];
                if index == NONE {
                    continue;
                }
                let node = literals.node(index);
                if node.literal != NONE {
                    hits.push(Hit {
                        literal: node.literal,
                        start: start as u32,
                        end: start as u32 + 1,
                    });
                }
                if node.inner() {
                    open.push((node, start as u32 + 1));
                }
            }
            while let Some((node, at)) = open.pop() {
                if at as usize >= token_count || text.tokens[at as usize].sentence != sentence {
                    continue;
                }
                for &symbol in symbols_of(at as usize) {
                    let index = literals.step(node, symbol);
                    if index == NONE {
                        continue;
                    }
                    let child = literals.node(index);
                    if child.literal != NONE {
                        hits.push(Hit {
                            literal: child.literal,
                            start: start as u32,
                            end: at + 1,
                        });
                    }
                    if child.inner() {
                        open.push((child, at + 1));
                    }
                }
            }
        }
        offsets.push(hits.len() as u32);
        offsets.push(hits.len() as u32);
        scratch.open = open;
        Hits { hits, offsets }
    }

    /// All matches of the rules for `purpose`, after their conditions.
    /// `context` holds the signal categories of the customer's last message.
    pub(crate) fn run(
        &self,
        text: &TokenizedText,
        purpose: Purpose,
        context: &BTreeSet<String>,
    ) -> Vec<RuleMatch> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.run_with(text, purpose, context, &mut scratch),
            Err(_) => self.run_with(text, purpose, context, &mut Scratch::default()),
        })
    }

    fn run_with(
        &self,
        text: &TokenizedText,
        purpose: Purpose,
        context: &BTreeSet<String>,
        scratch: &mut Scratch,
    ) -> Vec<RuleMatch> {
        scratch.next_stamp(self);
        let hits = self.hits(text, purpose, scratch);
        self.mark_groups(&hits, scratch);
        let run = Run {
            text,
            hits,
            group_seen: &scratch.group_seen,
            stamp: scratch.stamp,
            spare_lists: RefCell::new(std::mem::take(&mut scratch.spare_lists)),
        };
        let triggers = match purpose {
            Purpose::CustomerMessage => &self.signal_triggers,
            Purpose::Reply => &self.reply_triggers,
        };
        let mut matches = std::mem::take(&mut scratch.matches);
        let mut ends = std::mem::take(&mut scratch.ends);
        matches.clear();
        // A (rule, pattern, start) reached twice (two first words at one token) yields the same
        // match twice; the overlap pass below drops the copy.
        for hit in &run.hits.hits {
            let start = hit.start;
            for trigger in triggers.of(hit.literal) {
                if run.group_seen[trigger.first_requirement as usize] != run.stamp
                    || !run.all_present(triggers.other_requirements(trigger))
                {
                    continue;
                }
                let (rule_index, pattern) = (trigger.rule, trigger.pattern);
                let rule = &self.rules[rule_index as usize];
                ends.clear();
                run.sequence(&rule.patterns[pattern as usize], start, &mut ends);
                let Some(end) = ends
                    .iter()
                    .copied()
                    .filter(|&end| {
                        end > start && text.sentence_of(end - 1) == text.sentence_of(start)
                    })
                    .max()
                else {
                    continue;
                };
                if run.passes_local_conditions(rule, start, end) {
                    matches.push(RuleMatch {
                        rule: rule_index,
                        start,
                        end,
                    });
                }
            }
        }
        // Per rule: leftmost-longest, no overlaps. The key is the whole match, so an unstable
        // sort gives the same order.
        matches.sort_unstable_by_key(|m| (m.rule, m.start, std::cmp::Reverse(m.end)));
        let mut kept = std::mem::take(&mut scratch.kept);
        kept.clear();
        for &m in &matches {
            if let Some(last) = kept.last()
                && last.rule == m.rule
                && m.start < last.end
            {
                continue;
            }
            kept.push(m);
        }
        let out = self.apply_rule_conditions(text, &kept, context);
        scratch.kept = kept;
        scratch.matches = matches;
        scratch.ends = ends;
        scratch.spare_lists = run.spare_lists.into_inner();
        scratch.hits = run.hits.hits;
        scratch.hit_offsets = run.hits.offsets;
        out
    }

    /// Stamps the requirement groups of every literal found.
    fn mark_groups(&self, hits: &Hits, scratch: &mut Scratch) {
        let stamp = scratch.stamp;
        scratch.group_seen[self.always_present as usize] = stamp;
        for &Hit { literal, .. } in &hits.hits {
            let seen = &mut scratch.literal_seen[literal as usize];
            if *seen != stamp {
                *seen = stamp;
                let from = self.literal_group_offsets[literal as usize] as usize;
                let to = self.literal_group_offsets[literal as usize + 1] as usize;
                for row in &self.groups_of_literal[from..to] {
                    for &group in row {
                        scratch.group_seen[group as usize] = stamp;
                    }
                }
            }
        }
    }

    fn apply_rule_conditions(
        &self,
        text: &TokenizedText,
        matches: &[RuleMatch],
        context: &BTreeSet<String>,
    ) -> Vec<RuleMatch> {
        let mut out = Vec::with_capacity(matches.len());
        let mut i = 0;
        while i < matches.len() {
            let rule_index = matches[i].rule;
            let group_end = i + matches[i..]
                .iter()
                .take_while(|m| m.rule == rule_index)
                .count();
            let group = &matches[i..group_end];
            i = group_end;
            let rule = &self.rules[rule_index as usize];
            if !rule
                .requires_context
                .iter()
                .all(|needed| context.contains(needed))
            {
                continue;
            }
            match rule.min_count {
                None => out.extend_from_slice(group),
                Some(min) => {
                    let short_enough = rule.max_words.is_none_or(|max| text.tokens.len() <= max);
                    if group.len() >= min && short_enough {
                        out.push(RuleMatch {
                            rule: rule_index,
                            start: group[0].start,
                            end: group[group.len() - 1].end,
                        });
                    }
                }
            }
        }
        out.sort_unstable_by_key(|m| (m.start, m.end, m.rule));
        out
    }
}

/// The word symbols of every token: token `t`'s are `symbols[offsets[t]..offsets[t + 1]]`.
/// Kept out of `hits` (as `hits` is kept out of `run_with`): the separate loops compile to
/// tighter code, about a tenth fewer instructions for the matcher.
#[inline(never)]
fn token_symbols(
    words: &WordIndex,
    text: &TokenizedText,
    symbols: &mut Vec<u32>,
    offsets: &mut Vec<u32>,
) {
    symbols.clear();
    offsets.clear();
    let joined = text.joined.as_bytes();
    for token in &text.tokens {
        offsets.push(symbols.len() as u32);
        let (start, end) = (token.joined_start as usize, token.joined_end as usize);
        words.symbols(joined, start, end, symbols);
    }
    offsets.push(symbols.len() as u32);
}

/// Whether `literal` is in the sorted list `literals`. A word list's literals get their ids
/// together when the list is first compiled, so the range test settles most misses.
#[inline]
fn is_one_of(literals: &[u32], literal: u32) -> bool {
    match (literals.first(), literals.last()) {
        (Some(&low), Some(&high)) if (low..=high).contains(&literal) => {
            literals.binary_search(&literal).is_ok()
        }
        _ => false,
    }
}

impl Run<'_> {
    /// Whether a literal of each of these requirement groups occurs in the text.
    fn all_present(&self, groups: &[u32]) -> bool {
        groups
            .iter()
            .all(|&group| self.group_seen[group as usize] == self.stamp)
    }

    fn take_list(&self) -> Vec<u32> {
        self.spare_lists.borrow_mut().pop().unwrap_or_default()
    }

    fn give_back(&self, mut list: Vec<u32>) {
        list.clear();
        self.spare_lists.borrow_mut().push(list);
    }

    /// Every token position where `nodes` can end when started at `pos`.
    fn sequence(&self, nodes: &[Node], pos: u32, out: &mut Vec<u32>) {
        let Some((first, rest)) = nodes.split_first() else {
            out.push(pos);
            return;
        };
        match first {
            Node::Literal(literal) => {
                for &Hit {
                    literal: found,
                    end,
                    ..
                } in self.hits.at(pos)
                {
                    if found == *literal {
                        if rest.is_empty() {
                            out.push(end);
                        } else {
                            self.sequence(rest, end, out);
                        }
                    }
                }
            }
            Node::Choice {
                literals,
                sequences,
                optional,
            } => {
                if sequences.is_empty() {
                    // The usual case (a word list): no intermediate list needed. Repeated ends
                    // only repeat work, the caller takes the longest.
                    if *optional {
                        self.sequence(rest, pos, out);
                    }
                    for &Hit {
                        literal: found,
                        end,
                        ..
                    } in self.hits.at(pos)
                    {
                        if is_one_of(literals, found) {
                            if rest.is_empty() {
                                out.push(end);
                            } else {
                                self.sequence(rest, end, out);
                            }
                        }
                    }
                    return;
                }
                self.choice_of_sequences(literals, sequences, *optional, rest, pos, out);
            }
            Node::Gap(max) => self.gap(*max, rest, pos, out),
        }
    }

    /// A choice with alternatives longer than one literal: every end of any alternative, each
    /// once, continued with `rest`. Kept out of `sequence`, whose other arms run far more often
    /// and are cheaper to enter without this one's locals.
    #[inline(never)]
    fn choice_of_sequences(
        &self,
        literals: &[u32],
        sequences: &[Vec<Node>],
        optional: bool,
        rest: &[Node],
        pos: u32,
        out: &mut Vec<u32>,
    ) {
        let mut middles = self.take_list();
        if optional {
            middles.push(pos);
        }
        for &Hit {
            literal: found,
            end,
            ..
        } in self.hits.at(pos)
        {
            if is_one_of(literals, found) {
                middles.push(end);
            }
        }
        for sequence in sequences {
            self.sequence(sequence, pos, &mut middles);
        }
        middles.sort_unstable();
        middles.dedup();
        for &middle in &middles {
            self.sequence(rest, middle, out);
        }
        self.give_back(middles);
    }

    /// Up to `max` tokens of anything in the same sentence, then `rest`.
    #[inline(never)]
    fn gap(&self, max: u32, rest: &[Node], pos: u32, out: &mut Vec<u32>) {
        let token_count = self.text.tokens.len() as u32;
        if pos == 0 || pos > token_count {
            self.sequence(rest, pos, out);
            return;
        }
        let sentence = self.text.sentence_of(pos - 1);
        for skip in 0..=max {
            let at = pos + skip;
            if at > token_count || (skip > 0 && self.text.sentence_of(at - 1) != sentence) {
                break;
            }
            self.sequence(rest, at, out);
        }
    }

    fn passes_local_conditions(&self, rule: &CompiledRule, start: u32, end: u32) -> bool {
        let text = self.text;
        let first = &text.tokens[start as usize];
        if first.quoted {
            return false;
        }
        if rule.clause_start && !first.clause_start {
            return false;
        }
        let sentence = text.sentences[first.sentence as usize];
        if rule.in_question && !sentence.question {
            return false;
        }
        if self.followed_by_any(&rule.unless_followed_by, end) {
            return false;
        }
        let from = start.saturating_sub(12).max(sentence.first_token);
        // One list for every try: up to twelve starts per pattern, for each candidate match.
        let mut ends = self.take_list();
        let conditions = rule
            .unless_preceded_by
            .iter()
            .zip(&rule.unless_preceded_requirements);
        let preceded = conditions.into_iter().any(|(nodes, requirements)| {
            self.all_present(requirements)
                && (from..start).any(|s| {
                    ends.clear();
                    self.sequence(nodes, s, &mut ends);
                    ends.contains(&start)
                })
        });
        self.give_back(ends);
        !preceded
    }

    fn followed_by_any(&self, patterns: &[Vec<Node>], end: u32) -> bool {
        let text = self.text;
        if patterns.is_empty()
            || end as usize >= text.tokens.len()
            || text.sentence_of(end) != text.sentence_of(end - 1)
        {
            return false;
        }
        let sentence = text.sentence_of(end - 1);
        let mut ends = self.take_list();
        let followed = patterns.iter().any(|nodes| {
            ends.clear();
            self.sequence(nodes, end, &mut ends);
            ends.iter()
                .any(|&e| e > end && text.sentence_of(e - 1) == sentence)
        });
        self.give_back(ends);
        followed
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::*;
    use crate::Coach;
    use crate::tokens::tokenize;

    /// The literals found the slow way: every literal compared word by word at every token.
    fn reference_hits(
        engine: &Engine,
        text: &TokenizedText,
        purpose: Purpose,
    ) -> BTreeSet<(u32, u32, u32)> {
        type Phrase<'a> = (u32, Vec<&'a str>, bool);
        let mut by_first: HashMap<&str, Vec<Phrase>> = HashMap::new();
        let mut single_prefixes = Vec::new();
        for (id, (words, prefix, signal, reply)) in engine.literal_texts.iter().enumerate() {
            let wanted = match purpose {
                Purpose::CustomerMessage => *signal,
                Purpose::Reply => *reply,
            };
            if !wanted {
                continue;
            }
            let words: Vec<&str> = words.split(' ').collect();
            if *prefix && words.len() == 1 {
                single_prefixes.push((id as u32, words[0]));
            } else {
                by_first
                    .entry(words[0])
                    .or_default()
                    .push((id as u32, words, *prefix));
            }
        }
        let mut found = BTreeSet::new();
        let n = text.tokens.len();
        for start in 0..n {
            let first = text.token_text(start);
            for &(id, word) in &single_prefixes {
                if first.starts_with(word) {
                    found.insert((start as u32, id, start as u32 + 1));
                }
            }
            for (id, words, prefix) in by_first.get(first).into_iter().flatten() {
                let end = start + words.len();
                if end > n || text.tokens[end - 1].sentence != text.tokens[start].sentence {
                    continue;
                }
                let all = words.iter().enumerate().all(|(k, word)| {
                    let token = text.token_text(start + k);
                    if *prefix && k == words.len() - 1 {
                        token.starts_with(word)
                    } else {
                        token == *word
                    }
                });
                if all {
                    found.insert((start as u32, *id, end as u32));
                }
            }
        }
        found
    }

    /// Suite texts (every fifth) and a few tricky ones.
    fn test_texts() -> Vec<String> {
        let suite = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suite");
        let mut texts: Vec<String> = vec![
            String::new(),
            "Sorry sorry SORRY, apologies. I apologise; I'm sooo sorry!!! Don't blame me".into(),
            "not not not happy. happy happy. 对不起对不起，我们 很抱歉。 συγγνώμη συγγνωμη".into(),
        ];
        for entry in std::fs::read_dir(&suite)
            .expect("the suite is there")
            .flatten()
        {
            for file in std::fs::read_dir(entry.path())
                .expect("a language folder")
                .flatten()
            {
                let content = std::fs::read_to_string(file.path()).unwrap_or_default();
                // Every fifth line keeps the test quick in debug builds.
                for line in content.lines().step_by(5) {
                    if let Ok(value) = serde_json::from_str::<serde_json::Value>(line)
                        && let Some(text) = value["text"].as_str()
                    {
                        texts.push(text.to_owned());
                    }
                }
            }
        }
        texts
    }

    /// Calls `check` with every built-in engine, each of `texts` tokenised for it, and both
    /// purposes.
    fn for_each_run(
        texts: &[String],
        mut check: impl FnMut(&Engine, &str, &TokenizedText, Purpose),
    ) {
        let coach = Coach::builtin().expect("built-in packs load");
        for engine in coach.engines.values() {
            for text in texts {
                let tokenized = tokenize(text::fold(text), &engine.question_marks);
                for purpose in [Purpose::CustomerMessage, Purpose::Reply] {
                    check(engine, text, &tokenized, purpose);
                }
            }
        }
    }

    #[test]
    fn the_tries_find_exactly_the_literals_a_word_by_word_comparison_finds() {
        let mut checked = 0;
        for_each_run(&test_texts(), |engine, text, tokenized, purpose| {
            let mut scratch = Scratch::default();
            let hits = engine.hits(tokenized, purpose, &mut scratch);
            let mut fast = BTreeSet::new();
            for start in 0..tokenized.tokens.len() as u32 {
                for &Hit { literal, end, .. } in hits.at(start) {
                    assert!(
                        fast.insert((start, literal, end)),
                        "a hit reported twice in {text:?}"
                    );
                }
            }
            assert_eq!(fast.len(), hits.hits.len(), "{text:?}");
            let slow = reference_hits(engine, tokenized, purpose);
            assert_eq!(fast, slow, "{:?} {purpose:?}: {text:?}", engine.lang);
            checked += slow.len();
        });
        assert!(checked > 2_000, "the texts contain literals ({checked})");
    }

    /// The shortcut of `passes_local_conditions`: an `unless_preceded_by` condition whose
    /// required words are not all in the text is not tried. Wherever one matches, they are.
    #[test]
    fn a_condition_that_matches_has_its_required_words_in_the_text() {
        let mut texts = test_texts();
        texts.push("I'm not sure it's not bad, not that it is not really good".into());
        let mut matched = 0;
        for_each_run(&texts, |engine, text, tokenized, purpose| {
            let mut scratch = Scratch::default();
            scratch.next_stamp(engine);
            let hits = engine.hits(tokenized, purpose, &mut scratch);
            engine.mark_groups(&hits, &mut scratch);
            let run = Run {
                text: tokenized,
                hits,
                group_seen: &scratch.group_seen,
                stamp: scratch.stamp,
                spare_lists: RefCell::default(),
            };
            let rules = engine.rules.iter().filter(|rule| {
                (rule.kind == crate::spec::RuleKind::Signal)
                    == (purpose == Purpose::CustomerMessage)
            });
            for rule in rules {
                let conditions = rule
                    .unless_preceded_by
                    .iter()
                    .zip(&rule.unless_preceded_requirements);
                for (nodes, requirements) in conditions {
                    for start in 0..tokenized.tokens.len() as u32 {
                        let mut ends = Vec::new();
                        run.sequence(nodes, start, &mut ends);
                        if !ends.is_empty() {
                            assert!(run.all_present(requirements), "{}: {text:?}", rule.id);
                            matched += 1;
                        }
                    }
                }
            }
        });
        assert!(matched > 50, "the conditions matched somewhere ({matched})");
    }
}
