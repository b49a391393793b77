//! Runs a compiled engine over tokenised text: one automaton pass finds every literal, then each
//! rule whose pattern can start at a hit is matched as a small tree, and its conditions checked.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::engine::{CompiledRule, Engine, Node};
use crate::tokens::TokenizedText;

/// Literal hits grouped by start token: `at(token)` lists (literal, end token).
pub(crate) struct Hits {
    hits: Vec<(u32, u32)>,
    /// `offsets[t]..offsets[t + 1]` are the hits starting at token `t`.
    offsets: Vec<u32>,
}

impl Hits {
    /// Buckets the automaton's hits by start token (a counting sort: the automaton reports them
    /// by end, and each literal is reported once per position, so there is nothing to dedupe).
    fn new(found: Vec<(u32, u32, u32)>, token_count: usize) -> Hits {
        let mut offsets = vec![0u32; token_count + 2];
        for &(start, _, _) in &found {
            offsets[start as usize + 1] += 1;
        }
        for t in 1..offsets.len() {
            offsets[t] += offsets[t - 1];
        }
        let mut next = offsets.clone();
        let mut hits = vec![(0, 0); found.len()];
        for (start, literal, end) in found {
            let slot = &mut next[start as usize];
            hits[*slot as usize] = (literal, end);
            *slot += 1;
        }
        Hits { hits, offsets }
    }

    fn at(&self, token: u32) -> &[(u32, u32)] {
        let t = (token as usize).min(self.offsets.len() - 2);
        &self.hits[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
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
    /// Emptied position lists kept for reuse: matching needs short-lived lists at every nesting
    /// level and condition check, and allocating each anew was a large share of matching time.
    spare_lists: RefCell<Vec<Vec<u32>>>,
}

impl Engine {
    fn hits(&self, text: &TokenizedText, purpose: Purpose) -> Hits {
        let words = match purpose {
            Purpose::CustomerMessage => &self.signal_words,
            Purpose::Reply => &self.reply_words,
        };
        let mut hits = Vec::new();
        let Some(automaton) = &words.automaton else {
            return Hits::new(hits, text.tokens.len());
        };
        let bytes = text.joined.as_bytes();
        let separator = |b: u8| b == b' ' || b == b'\n';
        // Patterns begin with the space that precedes every token: matches start at word starts.
        for found in automaton.find_overlapping_iter(&text.joined) {
            let (start, end) = (found.start() + 1, found.end());
            let whole_word = end == bytes.len() || separator(bytes[end]);
            let start_token = text.token_of_byte[start];
            let end_token = text.token_of_byte[end - 1] + 1;
            for &(literal, prefix) in &words.literals[found.pattern().as_usize()] {
                if prefix || whole_word {
                    hits.push((start_token, literal, end_token));
                }
            }
        }
        Hits::new(hits, text.tokens.len())
    }

    /// All matches of the rules for `purpose`, after their conditions.
    /// `context` holds the signal categories of the customer's last message.
    pub(crate) fn run(
        &self,
        text: &TokenizedText,
        purpose: Purpose,
        context: &BTreeSet<String>,
    ) -> Vec<RuleMatch> {
        let run = Run {
            text,
            hits: self.hits(text, purpose),
            spare_lists: RefCell::default(),
        };
        let triggers = match purpose {
            Purpose::CustomerMessage => &self.signal_triggers,
            Purpose::Reply => &self.reply_triggers,
        };
        let mut matches: Vec<RuleMatch> = Vec::new();
        let mut ends = Vec::new();
        // A (rule, pattern, start) reached twice (two first words at one token) yields the same
        // match twice; the overlap pass below drops the copy.
        let mut present = vec![false; self.signal_triggers.len()];
        for &(literal, _) in &run.hits.hits {
            present[literal as usize] = true;
        }
        // Per requirement group: 0 not yet known, 1 some literal present, 2 none present.
        let mut group_state = vec![0u8; self.requirement_groups.len()];
        let mut group_present = |group: u32| {
            let state = &mut group_state[group as usize];
            if *state == 0 {
                let any = self.requirement_groups[group as usize]
                    .iter()
                    .any(|&l| present[l as usize]);
                *state = if any { 1 } else { 2 };
            }
            *state == 1
        };
        for start in 0..text.tokens.len() as u32 {
            for &(literal, _) in run.hits.at(start) {
                for &(rule_index, pattern) in &triggers[literal as usize] {
                    let rule = &self.rules[rule_index as usize];
                    let possible = rule.requirements[pattern as usize]
                        .iter()
                        .all(|&g| group_present(g));
                    if !possible {
                        continue;
                    }
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
        }
        // Per rule: leftmost-longest, no overlaps.
        matches.sort_by_key(|m| (m.rule, m.start, std::cmp::Reverse(m.end)));
        let mut kept: Vec<RuleMatch> = Vec::with_capacity(matches.len());
        for m in matches {
            if let Some(last) = kept.last()
                && last.rule == m.rule
                && m.start < last.end
            {
                continue;
            }
            kept.push(m);
        }
        self.apply_rule_conditions(text, kept, context)
    }

    fn apply_rule_conditions(
        &self,
        text: &TokenizedText,
        matches: Vec<RuleMatch>,
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
        out.sort_by_key(|m| (m.start, m.end, m.rule));
        out
    }
}

impl Run<'_> {
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
                for &(found, end) in self.hits.at(pos) {
                    if found == *literal {
                        self.sequence(rest, end, out);
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
                    for &(found, end) in self.hits.at(pos) {
                        if literals.binary_search(&found).is_ok() {
                            self.sequence(rest, end, out);
                        }
                    }
                    return;
                }
                let mut middles = self.take_list();
                if *optional {
                    middles.push(pos);
                }
                for &(found, end) in self.hits.at(pos) {
                    if literals.binary_search(&found).is_ok() {
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
            Node::Gap(max) => {
                let token_count = self.text.tokens.len() as u32;
                if pos == 0 || pos > token_count {
                    self.sequence(rest, pos, out);
                    return;
                }
                let sentence = self.text.sentence_of(pos - 1);
                for skip in 0..=*max {
                    let at = pos + skip;
                    if at > token_count || (skip > 0 && self.text.sentence_of(at - 1) != sentence) {
                        break;
                    }
                    self.sequence(rest, at, out);
                }
            }
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
        let preceded = rule.unless_preceded_by.iter().any(|nodes| {
            (from..start).any(|s| {
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
