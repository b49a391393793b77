//! Customer-message analysis: anger 0–1 and level, complaint, threat (TL-10), abuse (RO-2/RO-3),
//! churn risk (EL-1), public exposure (ZH-1) and demands, each with evidence spans.

use std::collections::BTreeSet;

use text::Lang;

use crate::cues::{Feeling, anger_cues, feelings};
use crate::engine::{CompiledRule, Engine};
use crate::matcher::{Purpose, RuleMatch};
use crate::model::{Analysis, Level, Signal};
use crate::spec::Severity;
use crate::tokens::{TokenizedText, tokenize};
use crate::vocab::DEMAND_PREFIX;

/// How far (in words) a negation or an intensifier reaches forward.
const NEGATION_REACH: u32 = 3;
const INTENSIFIER_REACH: u32 = 2;
const INTENSIFIER_FACTOR: f32 = 1.5;
/// "not happy" is mild anger as well as a complaint.
const NEGATED_PRAISE_ANGER: f32 = 0.15;
const ABUSE_ANGER: f32 = 0.4;
/// An angry face counts like an angry word of medium strength.
const EMOJI_ANGER: f32 = 0.3;
const THREAT_ANGER: f32 = 0.5;
/// Without any negative word, cues such as "!!!" mostly mean enthusiasm ("THANK YOU!!!").
const CUES_WITHOUT_NEGATIVE_WORDS: f32 = 0.25;
/// Negations that reverse nothing still mark a negative statement ("they didn't even call", "no
/// plan, no answer"): negation is far more frequent in negative than in positive texts (Potts 2011,
/// "On the negativity of negation"). From this many in one message they count as one piece of
/// complaint evidence; a single one only when its rule says so (severity medium or high), since
/// the packs differ: one "nu" is ordinary in a Romanian product review, one "doesn't" in an
/// English or Greek statement is mostly a complaint. Questions never count.
const FREE_NEGATIONS_FOR_EVIDENCE: usize = 2;
/// Weight of feeling words before and after a contrast ("but", «αλλά», "dar", "pero", 但是) in
/// the same sentence: the clause after the contrast is what the writer means. VADER's "but" rule
/// (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
/// Social Media Text", ICWSM) weighs sentiment before "but" × 0.5 and after it × 1.5; here only
/// one way. Praise before a contrast counts half ("friendly staff, but the room was filthy") and
/// a complaint after one × 1.5, but a complaint before a contrast keeps its full weight and
/// praise after one gets no bonus: "the lamp arrived broken, but the courier was friendly" is a
/// complaint (ISO 10002: an expression of dissatisfaction, however politely it ends).
const BEFORE_CONTRAST: f32 = 0.5;
const AFTER_CONTRAST: f32 = 1.5;
/// A message is a complaint when its negative evidence outweighs its praise ("thanks, but the
/// parcel is still missing"); with more praise than complaint it is a happy customer's aside.
const PRAISE_OUTWEIGHS: f32 = 1.0;

fn severity_weight(severity: Severity) -> f32 {
    match severity {
        Severity::Low => 0.15,
        Severity::Medium => 0.3,
        Severity::High => 0.5,
    }
}

pub(crate) fn level_of(anger: f32) -> Level {
    match anger {
        a if a >= 0.7 => Level::Furious,
        a if a >= 0.4 => Level::Angry,
        a if a >= 0.15 => Level::Annoyed,
        _ => Level::Calm,
    }
}

/// The earlier negation or intensifier that acts on a match, if any: close before it, same
/// clause (its index in `modifiers`). `modifiers` are sorted by end, so long texts stay linear.
fn reaching(
    modifiers: &[RuleMatch],
    text: &TokenizedText,
    target: &RuleMatch,
    reach: u32,
) -> Option<usize> {
    let from = modifiers.partition_point(|m| m.end + reach < target.start);
    modifiers[from..]
        .iter()
        .take_while(|m| m.end <= target.start)
        .position(|m| {
            !text.tokens[m.end as usize..=target.start as usize]
                .iter()
                .any(|t| t.clause_start)
        })
        .map(|at| from + at)
}

fn reaches(modifiers: &[RuleMatch], text: &TokenizedText, target: &RuleMatch, reach: u32) -> bool {
    reaching(modifiers, text, target, reach).is_some()
}

/// How much a feeling word counts given the contrasts of its sentence: praise before one counts
/// less, a complaint after one more (see [`BEFORE_CONTRAST`]). A contrast that opens a sentence
/// ("The food was great. But the wait!") turns the sentence before it too. `contrasts` are
/// sorted by end.
fn contrast_weight(
    contrasts: &[RuleMatch],
    text: &TokenizedText,
    m: &RuleMatch,
    praise: bool,
) -> f32 {
    if contrasts.is_empty() {
        return 1.0;
    }
    let sentence = text.sentence_of(m.start);
    for c in contrasts {
        let at = text.sentence_of(c.start);
        let before = (at == sentence && c.start >= m.end)
            || (at == sentence + 1 && text.sentences[at as usize].first_token == c.start);
        if before {
            return if praise { BEFORE_CONTRAST } else { 1.0 };
        }
        if at == sentence && c.end <= m.start && !praise {
            return AFTER_CONTRAST;
        }
        if at > sentence + 1 {
            break;
        }
    }
    1.0
}

/// A negation word used as the abbreviation of "number" ("order no. 12345", "invoice no 5567"):
/// the word right after it is a number.
fn before_number(text: &TokenizedText, m: &RuleMatch) -> bool {
    let last = m.end as usize - 1;
    let next = m.end as usize;
    next < text.tokens.len()
        && text
            .token_bytes(next)
            .first()
            .is_some_and(u8::is_ascii_digit)
        && (text.tokens[last].next_char == '.' || text.token_bytes(last) == b"no")
}

/// Share of a message's words inside quotation marks from which the quotation is the writer's
/// own text (a pasted letter, a post quoting its author, a whole message in quotes), not
/// reported speech set off inside it.
const OWN_WORDS_QUOTED_SHARE: usize = 80;

fn own_words_when_all_quoted(text: &mut TokenizedText) {
    let quoted = text.tokens.iter().filter(|t| t.quoted).count();
    if quoted > 0 && quoted * 100 >= text.tokens.len() * OWN_WORDS_QUOTED_SHARE {
        for token in &mut text.tokens {
            token.quoted = false;
        }
    }
}

/// The longest quotation, in words, read as scare quotes rather than reported speech.
const SCARE_QUOTE_WORDS: u32 = 3;

/// Token ranges of the quotations left after [`own_words_when_all_quoted`].
fn quotations(text: &TokenizedText) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < text.tokens.len() {
        if !text.tokens[i].quoted {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.tokens.len() && text.tokens[i].quoted {
            i += 1;
        }
        runs.push((start as u32, i as u32));
    }
    runs
}

/// The rules' matches over the whole text, quotations included (they are unquoted for the run
/// and marked again after it). What a quotation may say is decided by [`QuotedUse`].
fn run_with_quotations(
    engine: &Engine,
    text: &mut TokenizedText,
    quotes: &[(u32, u32)],
) -> Vec<RuleMatch> {
    let set_quoted = |text: &mut TokenizedText, quoted: bool| {
        for &(start, end) in quotes {
            for token in &mut text.tokens[start as usize..end as usize] {
                token.quoted = quoted;
            }
        }
    };
    set_quoted(text, false);
    let matches = engine.run(text, Purpose::CustomerMessage, &BTreeSet::new());
    set_quoted(text, true);
    matches
}

/// How a match inside quotation marks counts. Reported speech is someone else's words: never the
/// writer's abuse, threat, churn, exposure, demand or anger, and a quotation that holds abuse or a
/// threat is reported hostility, which says nothing about the writer. But what is reported — "the agent
/// said «we can do nothing»", an MP quoting their own statement — still tells what the message
/// is about, so its complaint and praise words weigh in the complaint decision. Praise in scare
/// quotes (at most three words) is irony: the «διάφανη» government, the "express" delivery that
/// took a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuotedUse {
    NotQuoted,
    /// Complaint evidence only (not anger, not a flag).
    Evidence,
    Irony,
    Dropped,
}

fn quoted_use(quotes: &[(u32, u32)], category: &str, m: &RuleMatch) -> QuotedUse {
    let Some(&(start, end)) = quotes.iter().find(|(s, e)| *s <= m.start && m.start < *e) else {
        return QuotedUse::NotQuoted;
    };
    match category {
        "praise" if end - start <= SCARE_QUOTE_WORDS && m.end <= end => QuotedUse::Irony,
        "praise" | "negation" | "intensifier" => QuotedUse::NotQuoted,
        "complaint" => QuotedUse::Evidence,
        _ => QuotedUse::Dropped,
    }
}

/// Complaint evidence that is not a complaint rule's own match (negated praise, quoted words,
/// irony, free negations): one unit towards the decision, shown as a `complaint` signal.
fn push_evidence<'e>(
    tally: &mut Tally,
    signals: &mut Vec<SignalParts<'e>>,
    text: &TokenizedText,
    m: &RuleMatch,
    seeds: Seeds<'e>,
    rule: RuleName<'e>,
) {
    tally.negative += 1.0;
    let (start, end) = text.original_span(m.start, m.end);
    signals.push(SignalParts {
        category: "complaint",
        start,
        end,
        seeds,
        rule,
    });
}

/// A signal's seeds: its rule's, or one seed of a built-in cue.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seeds<'e> {
    Rule(&'e [String]),
    One(&'static str),
}

/// A signal's rule name: a rule id or one of this file's cue names, a rule id with a suffix
/// (" (negated)"), or the name of a cue of `cues` (whose text this file does not see).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleName<'e> {
    /// The rule's own signal: its category, seeds and id, written from `signal_json`.
    Own(&'e CompiledRule),
    Plain(&'e str),
    Suffixed(&'e str, &'static str),
    Cue(&'static str),
}

/// A [`Signal`] whose strings are borrowed from the engine's rules or static: the batch writes
/// its line from these without building and dropping the strings (about 30 per English text).
#[derive(Debug, Clone)]
pub(crate) struct SignalParts<'e> {
    pub category: &'e str,
    pub start: usize,
    pub end: usize,
    pub seeds: Seeds<'e>,
    pub rule: RuleName<'e>,
}

/// An [`Analysis`] with borrowed strings (see [`SignalParts`]); `into_analysis` gives the
/// public, owned one.
#[derive(Debug, Clone)]
pub(crate) struct AnalysisParts<'e> {
    /// Everything but the demands and signals, whose lists stay empty here (no allocation).
    pub head: Analysis,
    pub demands: Vec<&'e str>,
    pub signals: Vec<SignalParts<'e>>,
    /// Whether every string but the `RuleName::Cue` names is JSON text without escapes: the
    /// engine's rule ids, categories and seeds are (`Engine::rule_strings_plain`), and this
    /// file's own strings are.
    pub plain_strings: bool,
}

impl AnalysisParts<'_> {
    /// Nothing found, for a language without a pack.
    pub(crate) fn empty(language: Lang) -> AnalysisParts<'static> {
        AnalysisParts {
            head: head(language, 0.0, false, Flags::default()),
            demands: Vec::new(),
            signals: Vec::new(),
            plain_strings: true,
        }
    }

    pub(crate) fn into_analysis(self) -> Analysis {
        Analysis {
            demands: self.demands.into_iter().map(str::to_owned).collect(),
            signals: self
                .signals
                .into_iter()
                .map(|signal| Signal {
                    category: signal.category.to_owned(),
                    start: signal.start,
                    end: signal.end,
                    seeds: match signal.seeds {
                        Seeds::Rule(seeds) => seeds.to_vec(),
                        Seeds::One(seed) => vec![seed.to_owned()],
                    },
                    rule: match signal.rule {
                        RuleName::Own(rule) => rule.id.clone(),
                        RuleName::Plain(name) => name.to_owned(),
                        RuleName::Suffixed(name, suffix) => format!("{name}{suffix}"),
                        RuleName::Cue(name) => name.to_owned(),
                    },
                })
                .collect(),
            ..self.head
        }
    }
}

/// The analysis but for its demands and signals.
fn head(language: Lang, anger: f32, complaint: bool, flags: Flags) -> Analysis {
    Analysis {
        language,
        anger,
        level: level_of(anger),
        complaint,
        threat: flags.threat,
        abuse: flags.abuse,
        churn_risk: flags.churn,
        public_exposure: flags.public_exposure,
        demands: Vec::new(),
        signals: Vec::new(),
    }
}

/// The flag categories a message's rules matched.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    threat: bool,
    abuse: bool,
    churn: bool,
    public_exposure: bool,
}

impl Flags {
    /// Raises the flag of a flag category ("abuse", "threat", "churn", "public_exposure").
    fn raise(&mut self, category: &str) {
        let flag = match category {
            "abuse" => &mut self.abuse,
            "threat" => &mut self.threat,
            "churn" => &mut self.churn,
            _ => &mut self.public_exposure,
        };
        *flag = true;
    }
}

#[derive(Default)]
struct Tally {
    anger_words: f32,
    negative: f32,
    positive: f32,
    negated_praise: usize,
}

/// The analysis of a customer message in `language`.
pub(crate) fn analyze<'e>(engine: &'e Engine, original: &str, language: Lang) -> AnalysisParts<'e> {
    let mut text = tokenize(text::fold(original), &engine.question_marks);
    own_words_when_all_quoted(&mut text);
    let mut quotes = quotations(&text);
    let category = |m: &RuleMatch| engine.rules[m.rule as usize].category.as_str();
    let mut matches = if quotes.is_empty() {
        engine.run(&text, Purpose::CustomerMessage, &BTreeSet::new())
    } else {
        run_with_quotations(engine, &mut text, &quotes)
    };
    if !quotes.is_empty() {
        // Reported hostility ("he shouted «you idiot»"): nothing in that quotation counts.
        let hostile: Vec<(u32, u32)> = quotes
            .iter()
            .copied()
            .filter(|&(start, end)| {
                matches.iter().any(|m| {
                    matches!(category(m), "abuse" | "threat") && start <= m.start && m.start < end
                })
            })
            .collect();
        quotes.retain(|q| !hostile.contains(q));
        matches.retain(|m| {
            !hostile.iter().any(|&(s, e)| s <= m.start && m.start < e)
                && quoted_use(&quotes, category(m), m) != QuotedUse::Dropped
        });
    }
    // The modifiers, each kind sorted by end, from one pass over the matches.
    let (mut negations, mut contrasts, mut intensifiers) = (Vec::new(), Vec::new(), Vec::new());
    for m in &matches {
        match category(m) {
            "negation" => negations.push(*m),
            "contrast" => contrasts.push(*m),
            "intensifier" => intensifiers.push(*m),
            _ => {}
        }
    }
    for modifiers in [&mut negations, &mut contrasts, &mut intensifiers] {
        modifiers.sort_by_key(|m| m.end);
    }

    let mut tally = Tally::default();
    // The cues' signals come last, but knowing them first sizes the list once: growing it
    // from empty cost more than the allocation itself.
    let feelings = feelings(original);
    let cues = anger_cues(original);
    let free_negation = usize::from(!negations.is_empty());
    let mut signals =
        Vec::with_capacity(matches.len() + free_negation + feelings.len() + cues.len());
    let mut flags = Flags::default();
    let mut demands: Vec<&str> = Vec::new();
    // Negations that reversed a word; the others are "free".
    let mut used = vec![false; negations.len()];
    for m in &matches {
        let rule = &engine.rules[m.rule as usize];
        let cat = rule.category.as_str();
        let quoted = quoted_use(&quotes, cat, m);
        let negation = reaching(&negations, &text, m, NEGATION_REACH);
        let negated = negation.is_some();
        let negatable =
            matches!(cat, "anger" | "complaint" | "praise") || cat.starts_with(DEMAND_PREFIX);
        if negatable && negated {
            if let Some(at) = negation {
                used[at] = true;
            }
            if cat == "praise" {
                // Negated praise is complaint evidence: weighed as a complaint.
                let weight = contrast_weight(&contrasts, &text, m, false);
                // "not happy" is dissatisfaction: shown as complaint evidence.
                tally.negated_praise += 1;
                let name = RuleName::Suffixed(&rule.id, " (negated)");
                push_evidence(
                    &mut tally,
                    &mut signals,
                    &text,
                    m,
                    Seeds::Rule(&rule.seeds),
                    name,
                );
                tally.negative += weight - 1.0;
            }
            continue;
        }
        if quoted != QuotedUse::NotQuoted {
            let (name, seeds) = if quoted == QuotedUse::Irony {
                (RuleName::Plain("cue.scare_quotes"), Seeds::One("ZH-3"))
            } else {
                (
                    RuleName::Suffixed(&rule.id, " (quoted)"),
                    Seeds::Rule(&rule.seeds),
                )
            };
            push_evidence(&mut tally, &mut signals, &text, m, seeds, name);
            continue;
        }
        if matches!(cat, "anger" | "complaint" | "praise") {
            // A negation inside a feeling phrase ("doesn't work", "no one cares", "can't wait")
            // is part of that phrase, counted with it: not a second, free negation.
            for (n, used) in negations.iter().zip(used.iter_mut()) {
                if m.start <= n.start && n.end <= m.end {
                    *used = true;
                }
            }
        }
        let weight = contrast_weight(&contrasts, &text, m, cat == "praise");
        match cat {
            "anger" => {
                let factor = if reaches(&intensifiers, &text, m, INTENSIFIER_REACH) {
                    INTENSIFIER_FACTOR
                } else {
                    1.0
                };
                tally.anger_words += severity_weight(rule.severity) * factor;
                tally.negative += weight;
            }
            "complaint" => tally.negative += 1.5 * weight,
            "praise" => tally.positive += weight,
            "abuse" | "threat" | "churn" | "public_exposure" => {
                tally.negative += 1.0;
                flags.raise(cat);
            }
            demand if demand.starts_with(DEMAND_PREFIX) => {
                tally.negative += 1.0;
                let name = &demand[DEMAND_PREFIX.len()..];
                if !demands.contains(&name) {
                    demands.push(name);
                }
            }
            _ => {}
        }
        let (start, end) = text.original_span(m.start, m.end);
        signals.push(SignalParts {
            category: cat,
            start,
            end,
            seeds: Seeds::Rule(&rule.seeds),
            rule: RuleName::Own(rule),
        });
    }

    // Free negations of statements: in a question ("don't you have it in blue?") a "not" is
    // part of asking.
    // Walked, not collected: read twice at most, and most texts have none.
    let mut free = negations
        .iter()
        .zip(&used)
        .filter(|(m, used)| {
            let sentence = text.tokens[m.start as usize].sentence as usize;
            !**used && !text.sentences[sentence].question && !before_number(&text, m)
        })
        .map(|(m, _)| m);
    // A negation rule of severity medium or high (the packs' clause negators: "doesn't", «δεν»)
    // is evidence on its own; low ones ("never", "without", or every negation of a pack that
    // keeps them all low) from two.
    let clause_negation = free
        .clone()
        .find(|m| engine.rules[m.rule as usize].severity != Severity::Low);
    if let Some(nth) = clause_negation.or_else(|| free.nth(FREE_NEGATIONS_FOR_EVIDENCE - 1)) {
        let (seeds, name) = (Seeds::One("CLEAR-L"), RuleName::Plain("cue.negations"));
        push_evidence(&mut tally, &mut signals, &text, nth, seeds, name);
    }
    for (start, end, feeling) in feelings {
        let category = match feeling {
            Feeling::Angry => {
                tally.anger_words += EMOJI_ANGER;
                tally.negative += 1.0;
                "anger"
            }
            Feeling::Negative => {
                tally.negative += 1.0;
                "complaint"
            }
            Feeling::Positive => {
                tally.positive += 1.0;
                "praise"
            }
        };
        signals.push(SignalParts {
            category,
            start,
            end,
            seeds: Seeds::One("RO-1"),
            rule: RuleName::Plain("cue.emoji"),
        });
    }
    let cue_total: f32 = cues.iter().map(|c| c.weight).sum();
    let cue_factor = if tally.negative > 0.0 || tally.positive == 0.0 {
        1.0
    } else {
        CUES_WITHOUT_NEGATIVE_WORDS
    };
    for cue in &cues {
        signals.push(SignalParts {
            category: "anger",
            start: cue.start,
            end: cue.end,
            seeds: Seeds::One("RO-1"),
            rule: RuleName::Cue(cue.name),
        });
    }
    let mut anger = tally.anger_words
        + tally.negated_praise as f32 * NEGATED_PRAISE_ANGER
        + cue_total * cue_factor;
    if flags.abuse {
        anger += ABUSE_ANGER;
    }
    if flags.threat {
        anger += THREAT_ANGER;
    }
    let anger = (anger.min(1.0) * 100.0).round() / 100.0;
    signals.sort_by_key(|s| (s.start, s.end));

    let complaint = tally.negative > 0.0 && tally.positive < PRAISE_OUTWEIGHS * tally.negative;
    AnalysisParts {
        head: head(language, anger, complaint, flags),
        demands,
        signals,
        plain_strings: engine.rule_strings_plain,
    }
}

/// The signal categories of an analysis, as rule conditions (`requires_context`) name them.
pub(crate) fn context_signals(analysis: &Analysis) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = analysis
        .signals
        .iter()
        .map(|s| s.category.clone())
        .collect();
    // Negated words were dropped from `signals`; the flags are the final word.
    for (flag, name) in [
        (analysis.abuse, "abuse"),
        (analysis.threat, "threat"),
        (analysis.complaint, "complaint"),
        (analysis.churn_risk, "churn"),
        (analysis.public_exposure, "public_exposure"),
    ] {
        if flag {
            set.insert(name.to_owned());
        }
    }
    set
}
