//! Compiles the rule packs of one language into a trie of the folded pattern words and tries of
//! the literals (phrases) over those words, plus the per-rule logic (patterns as small trees of
//! literal ids, conditions).

use std::collections::{BTreeMap, HashMap};

use text::Lang;

use crate::error::CoachError;
use crate::pattern::{self, Item};
use crate::problem::PackProblem;
use crate::promises::PromiseGrammar;
use crate::spec::{Examples, PackFile, PromiseSpec, RuleKind, RuleSpec, Severity};
use crate::vocab;

pub(crate) const DEFAULT_GAP: usize = 6;

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Literal(u32),
    /// `(a|b|c)` or `[a|b]`: the alternatives that are one literal are kept as a sorted set, so
    /// a word list of fifty entries costs one lookup per hit, not fifty.
    Choice {
        literals: Vec<u32>,
        sequences: Vec<Vec<Node>>,
        optional: bool,
    },
    Gap(u32),
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub id: String,
    pub file: String,
    pub kind: RuleKind,
    pub category: String,
    pub seeds: Vec<String>,
    /// The JSON of this rule's own signal around its offsets: `{"category":…,"start":` and
    /// `,"seeds":[…],"rule":…}`, written once here instead of piece by piece on every line.
    pub signal_json: (String, String),
    pub severity: Severity,
    pub patterns: Vec<Vec<Node>>,
    /// Per pattern: ids of literal groups (`Engine::groups_of_literal`) of which at least one
    /// literal must occur somewhere in the text for the pattern to have a chance.
    pub requirements: Vec<Vec<u32>>,
    pub unless_followed_by: Vec<Vec<Node>>,
    pub unless_preceded_by: Vec<Vec<Node>>,
    /// Per `unless_preceded_by` pattern: the literal groups it cannot do without (its first
    /// node included), so a condition whose words are not in the text is not tried at the
    /// twelve starts before each match.
    pub unless_preceded_requirements: Vec<Vec<u32>>,
    pub requires_context: Vec<String>,
    pub min_count: Option<usize>,
    pub max_words: Option<usize>,
    pub clause_start: bool,
    pub in_question: bool,
    pub cancels: Vec<String>,
    pub suggestions: Vec<String>,
    pub explain: BTreeMap<Lang, String>,
    pub examples: Examples,
}

#[derive(Debug)]
pub(crate) struct Engine {
    pub lang: Lang,
    /// The words and literals of customer-message rules and of reply rules, separately, so
    /// each pass only looks up and reports what its rules can use.
    pub signal_phrases: Phrases,
    pub reply_phrases: Phrases,
    /// For each literal: the (rule, pattern) pairs that can begin with it, separately for the
    /// rules read on customer messages (signals) and on replies (findings and good moves).
    pub signal_triggers: Triggers,
    pub reply_triggers: Triggers,
    /// How many literals the packs have.
    pub literal_count: usize,
    /// A requirement group id past the others (`CompiledRule::requirements`), marked present
    /// in every text.
    pub always_present: u32,
    pub rules: Vec<CompiledRule>,
    /// The inverse: `groups_of_literal[literal_group_offsets[l]..literal_group_offsets[l + 1]]`
    /// are rows of the requirement groups literal `l` belongs to, so a found literal marks its
    /// groups. A row's unused places hold `always_present`: marking a literal's groups is then
    /// a fixed run of stores per row, and nearly every literal has one row, where a loop as long
    /// as its group count mispredicted its exit at most literals.
    pub literal_group_offsets: Vec<u32>,
    pub groups_of_literal: Vec<[u32; GROUP_ROW]>,
    pub question_marks: Vec<char>,
    pub promises: PromiseGrammar,
    /// Whether every rule's id, category and seeds are JSON text without escapes, so a batch
    /// line writes them without looking for characters to escape.
    pub rule_strings_plain: bool,
    /// Per literal: its words joined by spaces, whether the last is `word*`, and whether
    /// customer-message and reply rules use it (for the test that checks the tries).
    #[cfg(test)]
    pub literal_texts: Vec<(String, bool, bool, bool)>,
}

/// A (rule, pattern) that can begin with a literal, with the requirement groups the rest of the
/// pattern cannot do without, all in one place: most triggers of a text are ruled out by their
/// first requirement, read here without going to the list of the others.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trigger {
    pub rule: u32,
    pub pattern: u32,
    /// The first requirement group, or `Engine::always_present` for a pattern without any.
    pub first_requirement: u32,
    /// The others: `Triggers::other_requirements`.
    requirements: u32,
    requirements_end: u32,
}

/// Per literal, the patterns that can begin with it, in flat lists.
#[derive(Debug)]
pub(crate) struct Triggers {
    /// `triggers[offsets[literal]..offsets[literal + 1]]` begin with `literal`.
    offsets: Vec<u32>,
    triggers: Vec<Trigger>,
    requirements: Vec<u32>,
}

impl Triggers {
    /// `by_literal[literal]`: (rule, pattern, requirement groups) in matching order;
    /// `always_present`: a group id marked present in every text.
    fn build(by_literal: &[Vec<(u32, u32, &[u32])>], always_present: u32) -> Triggers {
        let mut built = Triggers {
            offsets: Vec::with_capacity(by_literal.len() + 1),
            triggers: Vec::new(),
            requirements: Vec::new(),
        };
        for triggers in by_literal {
            built.offsets.push(built.triggers.len() as u32);
            for &(rule, pattern, requirements) in triggers {
                let (first_requirement, requirements) = match requirements.split_first() {
                    Some((&first, others)) => (first, others),
                    None => (always_present, requirements),
                };
                built.triggers.push(Trigger {
                    rule,
                    pattern,
                    first_requirement,
                    requirements: built.requirements.len() as u32,
                    requirements_end: (built.requirements.len() + requirements.len()) as u32,
                });
                built.requirements.extend_from_slice(requirements);
            }
        }
        built.offsets.push(built.triggers.len() as u32);
        built
    }

    #[inline]
    pub fn of(&self, literal: u32) -> &[Trigger] {
        let literal = literal as usize;
        &self.triggers[self.offsets[literal] as usize..self.offsets[literal + 1] as usize]
    }

    #[inline]
    pub fn other_requirements(&self, trigger: &Trigger) -> &[u32] {
        &self.requirements[trigger.requirements as usize..trigger.requirements_end as usize]
    }
}

/// How many requirement groups one row of `Engine::groups_of_literal` holds.
pub(crate) const GROUP_ROW: usize = 8;

/// Marks "no state", "no word", "no literal" in the tables below.
pub(crate) const NONE: u32 = u32::MAX;

/// Phrase-trie nodes with at most this many children search them one by one, wider ones by
/// halves.
const SPARSE_MAX: usize = 8;

/// Word-trie states with more children than this get a table of all 256 bytes: most lookups
/// pass through such states, and the tables of six languages' packs add about 2 MB.
const WORD_SPARSE_MAX: usize = 2;

/// Every word the patterns are written in, as a byte trie: one walk over a token's text gives
/// its word symbol (the token is exactly a pattern word) and the symbols of the `word*` prefixes
/// it begins with. Tokens that are no pattern word leave the trie after a byte or two.
#[derive(Debug, Default)]
pub(crate) struct WordTrie {
    /// The root's transitions by byte (`NONE`: no word begins with that byte).
    root: Vec<u32>,
    /// Per state, everything a walk reads about it in one place (one bounds check and one
    /// cache line instead of four tables: the walk runs on every byte of every token).
    states: Vec<WordState>,
    /// Per state with more than `WORD_SPARSE_MAX` children, its 256 transitions (indexed by a
    /// byte, so without a bounds check).
    dense: Vec<[u32; 256]>,
    child_bytes: Vec<u8>,
    child_states: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct WordState {
    /// Index into `dense`, or `NONE` for a state whose children are searched one by one:
    /// `children..children_end` index `child_bytes` (sorted) and `child_states`.
    dense: u32,
    children: u32,
    children_end: u32,
    /// The symbol of the word that ends here, and of the `word*` prefix that ends here.
    exact: u32,
    prefix: u32,
}

impl WordTrie {
    /// `words[symbol] = (text, is_prefix)`.
    fn build(words: &[(&str, bool)]) -> WordTrie {
        // Build with sorted maps, then flatten into arrays.
        let mut nodes: Vec<(BTreeMap<u8, u32>, u32, u32)> = vec![(BTreeMap::new(), NONE, NONE)];
        for (symbol, &(text, is_prefix)) in words.iter().enumerate() {
            let mut state = 0usize;
            for &b in text.as_bytes() {
                let next = nodes.len() as u32;
                let child = *nodes[state].0.entry(b).or_insert(next);
                if child == next {
                    nodes.push((BTreeMap::new(), NONE, NONE));
                }
                state = child as usize;
            }
            if is_prefix {
                nodes[state].2 = symbol as u32;
            } else {
                nodes[state].1 = symbol as u32;
            }
        }
        let mut trie = WordTrie {
            root: vec![NONE; 256],
            ..WordTrie::default()
        };
        for (&b, &child) in &nodes[0].0 {
            trie.root[b as usize] = child;
        }
        for (children, exact, prefix) in &nodes {
            let from = trie.child_bytes.len() as u32;
            for (&b, &child) in children {
                trie.child_bytes.push(b);
                trie.child_states.push(child);
            }
            let dense = if children.len() > WORD_SPARSE_MAX {
                let mut block = [NONE; 256];
                for (&b, &child) in children {
                    block[b as usize] = child;
                }
                trie.dense.push(block);
                trie.dense.len() as u32 - 1
            } else {
                NONE
            };
            trie.states.push(WordState {
                dense,
                children: from,
                children_end: trie.child_bytes.len() as u32,
                exact: *exact,
                prefix: *prefix,
            });
        }
        trie
    }

    #[inline]
    fn child(&self, state: &WordState, byte: u8) -> u32 {
        if state.dense != NONE {
            return self.dense[state.dense as usize][byte as usize];
        }
        let (from, to) = (state.children as usize, state.children_end as usize);
        self.child_bytes[from..to]
            .iter()
            .position(|&b| b == byte)
            .map_or(NONE, |i| self.child_states[from + i])
    }

    /// Pushes the symbols of `token`: each `word*` prefix it begins with, then the word it is.
    #[inline]
    pub fn symbols(&self, token: &[u8], out: &mut Vec<u32>) {
        let Some((&first, rest)) = token.split_first() else {
            return;
        };
        let root = self.root[first as usize];
        if root == NONE {
            return;
        }
        let mut state = &self.states[root as usize];
        for &b in rest {
            if state.prefix != NONE {
                out.push(state.prefix);
            }
            let next = self.child(state, b);
            if next == NONE {
                return;
            }
            state = &self.states[next as usize];
        }
        if state.prefix != NONE {
            out.push(state.prefix);
        }
        if state.exact != NONE {
            out.push(state.exact);
        }
    }
}

/// Words of at most this many bytes are looked up whole, as one 128-bit key whose last byte is
/// the length.
const PACKED_MAX: usize = 15;

/// Bits of [`WordIndex::prefix_starts`]: a few hundred `word*` starts leave most bits clear.
const PREFIX_START_BITS: usize = 1 << 14;

/// The longest start of a `word*` prefix the bitmap keeps. Keyed on the three bytes of
/// English's shortest prefix ("guy*"), "thie*" sent "this" and "think" to the trie.
const PREFIX_START_MAX: usize = 4;

/// Tries at a collision-free table before `WordIndex::place` gives up on it.
const PLACE_ATTEMPTS: usize = 32;

/// The word trie's answers without walking it byte by byte (`WordTrie::symbols` was a tenth of a
/// tweet's instructions, and most tokens are short pattern words). A token that is a pattern
/// word (or `word*` prefix) itself is found by one probe of a displacement hash table (no probe
/// loop, one data-dependent branch), which gives its symbols with every prefix symbol it begins
/// with. Any other token can only have prefix symbols: a bitmap of the `word*` prefixes' first
/// bytes rules those out for nearly every token, and the rest (and tokens longer than
/// [`PACKED_MAX`]) walk the trie.
#[derive(Debug, Default)]
pub(crate) struct WordIndex {
    trie: WordTrie,
    /// A power of two long; a free slot has `high == 0` (a key's length byte is never zero).
    table: Vec<WordEntry>,
    /// Per bucket (the top bits of a key's hash): what to XOR into the hash to find its slot,
    /// chosen so that no two words share one.
    displacements: Vec<u16>,
    bucket_shift: u32,
    /// The hash's multipliers for the key's two halves (odd), the first pair that gave every
    /// bucket a displacement. Each half is multiplied before they are combined: two keys whose
    /// halves XOR to the same value would otherwise share a hash under every multiplier, and
    /// no attempt could ever separate them.
    multipliers: (u64, u64),
    /// Symbols after an entry's first, `more >> 8` on, `more & 0xff` of them (a word of
    /// [`PACKED_MAX`] bytes has at most that many prefix symbols and its own).
    more_symbols: Vec<u32>,
    /// A set bit for the hash of the first `prefix_start` bytes of every token that may begin
    /// with a `word*` prefix: each prefix's own first bytes, or a shortest prefix followed by
    /// any byte.
    prefix_starts: Vec<u64>,
    /// One more than the shortest prefix's length, at most `PREFIX_START_MAX`.
    prefix_start: usize,
    /// The shortest prefix's length (`usize::MAX` without any): only longer tokens can begin
    /// with a prefix and not be one.
    prefix_shortest: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct WordEntry {
    low: u64,
    high: u64,
    first: u32,
    more: u32,
}

/// The slot in `PREFIX_START_BITS` of the first `len` bytes of a word (`packed_low`, the low
/// half of its packed key).
#[inline]
fn prefix_start_bit(packed_low: u64, len: usize) -> usize {
    let start = packed_low & ((1 << (8 * len)) - 1);
    (start.wrapping_mul(0xc4ce_b9fe_1a85_ec53) >> (64 - PREFIX_START_BITS.trailing_zeros()))
        as usize
}

/// `bytes[start..end]` (at most [`PACKED_MAX`] bytes, not empty) as a little-endian 128-bit
/// key, its length in the top byte. Reads the sixteen bytes that end at `end`, so no copy.
#[inline]
fn packed(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let len = end - start;
    let window = match end.checked_sub(16).and_then(|from| bytes.get(from..end)) {
        Some(sixteen) => {
            let mut block = [0u8; 16];
            block.copy_from_slice(sixteen);
            u128::from_le_bytes(block)
        }
        // Within the first sixteen bytes of the text: the token's bytes at the top.
        None => {
            let mut block = [0u8; 16];
            block[16 - len..].copy_from_slice(&bytes[start..end]);
            u128::from_le_bytes(block)
        }
    };
    let key = (window >> (8 * (16 - len))) | ((len as u128) << 120);
    (key as u64, (key >> 64) as u64)
}

impl WordIndex {
    /// `words[symbol] = (text, is_prefix)`.
    fn build(words: &[(&str, bool)]) -> WordIndex {
        let trie = WordTrie::build(words);
        let mut texts: Vec<&str> = words
            .iter()
            .map(|&(text, _)| text)
            .filter(|text| !text.is_empty() && text.len() <= PACKED_MAX)
            .collect();
        texts.sort_unstable();
        texts.dedup();
        let mut entries = Vec::with_capacity(texts.len());
        let mut more_symbols = Vec::new();
        let mut symbols = Vec::new();
        for text in texts {
            symbols.clear();
            trie.symbols(text.as_bytes(), &mut symbols);
            let (low, high) = packed(text.as_bytes(), 0, text.len());
            let more = ((more_symbols.len() as u32) << 8) | (symbols.len() as u32 - 1);
            more_symbols.extend_from_slice(&symbols[1..]);
            entries.push(WordEntry {
                low,
                high,
                first: symbols[0],
                more,
            });
        }
        let prefixes = || words.iter().filter(|&&(_, is_prefix)| is_prefix);
        let prefix_shortest = prefixes()
            .map(|(text, _)| text.len())
            .min()
            .unwrap_or(usize::MAX);
        let prefix_start = prefix_shortest.saturating_add(1).min(PREFIX_START_MAX);
        let mut prefix_starts = vec![0u64; PREFIX_START_BITS / 64];
        let mut set = |start: &[u8]| {
            let (low, _) = packed(start, 0, start.len());
            let bit = prefix_start_bit(low, start.len());
            prefix_starts[bit / 64] |= 1 << (bit % 64);
        };
        for &(text, _) in prefixes() {
            let text = text.as_bytes();
            if text.len() >= prefix_start {
                set(&text[..prefix_start]);
            } else {
                // A shortest prefix: tokens that begin with it have one more byte (written into
                // one buffer: 256 allocations per prefix showed in the packs' load time).
                let mut start = [0u8; PREFIX_START_MAX];
                start[..text.len()].copy_from_slice(text);
                for byte in 0..=u8::MAX {
                    start[text.len()] = byte;
                    set(&start[..=text.len()]);
                }
            }
        }
        let mut index = WordIndex {
            trie,
            more_symbols,
            prefix_starts,
            prefix_start,
            prefix_shortest,
            ..WordIndex::default()
        };
        index.place(&entries);
        index
    }

    /// Hash and displace: buckets of about two words, the fullest first, each given the first
    /// displacement that puts all its words in free slots of a table at most half full.
    /// After [`PLACE_ATTEMPTS`] failures (never seen: the first attempt places the built-in
    /// packs) every token walks the trie, so that no organisation's pack can stop the coach from
    /// loading.
    fn place(&mut self, entries: &[WordEntry]) {
        let mut slots = (entries.len() * 2).next_power_of_two().max(16);
        let mut multipliers: (u64, u64) = (0xff51_afd7_ed55_8ccd, 0x9e37_79b9_7f4a_7c15);
        for _ in 0..PLACE_ATTEMPTS {
            let buckets = (slots / 4).max(1);
            self.multipliers = multipliers;
            self.bucket_shift = 64 - buckets.trailing_zeros();
            self.displacements = vec![0; buckets];
            self.table = vec![WordEntry::default(); slots];
            // The words by bucket, the fullest buckets placed first.
            let shift = self.bucket_shift;
            let mut hashed: Vec<(u64, &WordEntry)> = entries
                .iter()
                .map(|entry| (self.hash(entry.low, entry.high), entry))
                .collect();
            hashed.sort_unstable_by_key(|&(hash, _)| hash >> shift);
            let mut groups: Vec<&[(u64, &WordEntry)]> = hashed
                .chunk_by(|a, b| a.0 >> shift == b.0 >> shift)
                .collect();
            groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
            let slot_of =
                |hash: u64, displacement: usize| (hash as usize ^ displacement) & (slots - 1);
            let placed = groups.iter().all(|group| {
                // Every word of the bucket in a free slot, and no two in one (no allocation per
                // try: a bucket holds a handful of words and thousands of tries can be needed).
                let Some(displacement) = (0..slots.min(1 << 16)).find(|&d| {
                    group.iter().enumerate().all(|(j, &(hash, _))| {
                        let slot = slot_of(hash, d);
                        self.table[slot].high == 0
                            && group[..j]
                                .iter()
                                .all(|&(other, _)| slot_of(other, d) != slot)
                    })
                }) else {
                    return false;
                };
                self.displacements[(group[0].0 >> shift) as usize] = displacement as u16;
                for &(hash, entry) in *group {
                    self.table[slot_of(hash, displacement)] = *entry;
                }
                true
            });
            if placed {
                return;
            }
            // Even steps keep both multipliers odd (a bijection of each half).
            multipliers = (
                multipliers.0.wrapping_add(0x9e37_79b9_7f4a_7c16),
                multipliers.1.wrapping_add(0xc4ce_b9fe_1a85_ec54),
            );
            if slots < 1 << 16 {
                slots *= 2;
            }
        }
        self.walk_trie_always();
    }

    /// No table: one empty slot that no key matches, and every token long enough to begin with
    /// a prefix sent to the trie, i.e. every token.
    fn walk_trie_always(&mut self) {
        self.table = vec![WordEntry::default()];
        self.bucket_shift = 63;
        self.displacements = vec![0; 2];
        self.prefix_starts = vec![u64::MAX; PREFIX_START_BITS / 64];
        self.prefix_shortest = 0;
    }

    /// Top bits: the bucket; low bits (mixed with the top ones): the slot before displacement.
    #[inline]
    fn hash(&self, low: u64, high: u64) -> u64 {
        let x = low.wrapping_mul(self.multipliers.0) ^ high.wrapping_mul(self.multipliers.1);
        x ^ (x >> 29)
    }

    /// Pushes the symbols of the token `bytes[start..end]`, exactly as `WordTrie::symbols`
    /// does: each `word*` prefix it begins with, then the word it is.
    #[inline]
    pub fn symbols(&self, bytes: &[u8], start: usize, end: usize, out: &mut Vec<u32>) {
        let len = end - start;
        if len == 0 || len > PACKED_MAX {
            self.trie.symbols(&bytes[start..end], out);
            return;
        }
        let (low, high) = packed(bytes, start, end);
        let hash = self.hash(low, high);
        let displacement = self.displacements[(hash >> self.bucket_shift) as usize];
        let slot = (hash as usize ^ usize::from(displacement)) & (self.table.len() - 1);
        let entry = &self.table[slot];
        if entry.low == low && entry.high == high {
            out.push(entry.first);
            if entry.more & 0xff != 0 {
                let from = (entry.more >> 8) as usize;
                out.extend_from_slice(
                    &self.more_symbols[from..from + (entry.more & 0xff) as usize],
                );
            }
            return;
        }
        // Not a word of the table: only a `word*` prefix shorter than the token can match, so
        // the token is at least `prefix_start` bytes long.
        if len > self.prefix_shortest {
            let bit = prefix_start_bit(low, self.prefix_start);
            if self.prefix_starts[bit / 64] & (1 << (bit % 64)) != 0 {
                self.trie.symbols(&bytes[start..end], out);
            }
        }
    }
}

/// The literals (phrases of pattern words, the last may be `word*`) of one purpose's rules as a
/// trie over word symbols: from each token, follow the symbols of it and of the tokens after it
/// in the same sentence.
#[derive(Debug)]
pub(crate) struct LiteralTrie {
    /// The root's transitions by symbol.
    pub root: Vec<u32>,
    /// Per node (0 is the root), what a walk reads about it, in one place.
    nodes: Vec<LiteralNode>,
    child_symbols: Vec<u32>,
    child_nodes: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct LiteralNode {
    /// `children..children_end` index `child_symbols` (sorted) and `child_nodes`.
    children: u32,
    children_end: u32,
    /// The literal that ends here, or `NONE`.
    pub literal: u32,
}

impl LiteralNode {
    /// Whether any phrase goes on after this node.
    #[inline]
    pub fn inner(&self) -> bool {
        self.children != self.children_end
    }
}

impl LiteralTrie {
    fn build(
        literals: &[(&(String, bool), u32)],
        symbols: &HashMap<(&str, bool), u32>,
    ) -> LiteralTrie {
        let mut root = vec![NONE; symbols.len()];
        let mut below: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new()];
        let mut literal = vec![NONE];
        for &((words, prefix), id) in literals {
            let last = words.split(' ').count() - 1;
            let mut node = 0u32;
            for (i, word) in words.split(' ').enumerate() {
                let symbol = symbols[&(word, *prefix && i == last)];
                let next = below.len() as u32;
                let slot = if node == 0 {
                    &mut root[symbol as usize]
                } else {
                    below[node as usize].entry(symbol).or_insert(NONE)
                };
                if *slot == NONE {
                    *slot = next;
                }
                node = *slot;
                if node == next {
                    below.push(BTreeMap::new());
                    literal.push(NONE);
                }
            }
            literal[node as usize] = id;
        }
        let mut trie = LiteralTrie {
            root,
            nodes: Vec::with_capacity(below.len()),
            child_symbols: Vec::new(),
            child_nodes: Vec::new(),
        };
        for (children, &literal) in below.iter().zip(&literal) {
            let from = trie.child_symbols.len() as u32;
            for (&symbol, &child) in children {
                trie.child_symbols.push(symbol);
                trie.child_nodes.push(child);
            }
            trie.nodes.push(LiteralNode {
                children: from,
                children_end: trie.child_symbols.len() as u32,
                literal,
            });
        }
        trie
    }

    #[inline]
    pub fn node(&self, node: u32) -> LiteralNode {
        self.nodes[node as usize]
    }

    /// The node after `node` (not the root) on `symbol`, or `NONE`.
    #[inline]
    pub fn step(&self, node: LiteralNode, symbol: u32) -> u32 {
        let from = node.children as usize;
        let to = node.children_end as usize;
        let symbols = &self.child_symbols[from..to];
        let found = if symbols.len() <= SPARSE_MAX {
            symbols.iter().position(|&s| s == symbol)
        } else {
            symbols.binary_search(&symbol).ok()
        };
        found.map_or(NONE, |i| self.child_nodes[from + i])
    }
}

/// The words of one purpose's literals and the literals over them.
#[derive(Debug)]
pub(crate) struct Phrases {
    pub words: WordIndex,
    pub literals: LiteralTrie,
}

impl Phrases {
    fn build(literals: &HashMap<(String, bool), u32>, wanted: &[bool]) -> Phrases {
        // In literal order, so that symbols and trie nodes are numbered the same in every run
        // (and instruction counts repeat exactly).
        let mut in_order: Vec<(&(String, bool), u32)> = literals
            .iter()
            .filter(|(_, id)| wanted[**id as usize])
            .map(|(key, id)| (key, *id))
            .collect();
        in_order.sort_unstable_by_key(|(_, id)| *id);
        let mut symbols: HashMap<(&str, bool), u32> = HashMap::new();
        let mut symbol_words: Vec<(&str, bool)> = Vec::new();
        for ((words, prefix), _) in &in_order {
            let last = words.split(' ').count() - 1;
            for (i, word) in words.split(' ').enumerate() {
                let key = (word, *prefix && i == last);
                symbols.entry(key).or_insert_with(|| {
                    symbol_words.push(key);
                    symbol_words.len() as u32 - 1
                });
            }
        }
        Phrases {
            words: WordIndex::build(&symbol_words),
            literals: LiteralTrie::build(&in_order, &symbols),
        }
    }
}

fn collect_literals(nodes: &[Node], wanted: &mut [bool]) {
    for node in nodes {
        match node {
            Node::Literal(id) => wanted[*id as usize] = true,
            Node::Choice {
                literals,
                sequences,
                ..
            } => {
                for id in literals {
                    wanted[*id as usize] = true;
                }
                for sequence in sequences {
                    collect_literals(sequence, wanted);
                }
            }
            Node::Gap(_) => {}
        }
    }
}

#[derive(Default)]
struct Literals {
    ids: HashMap<(String, bool), u32>,
}

impl Literals {
    fn id(&mut self, words: &[String], prefix: bool) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry((words.join(" "), prefix)).or_insert(next)
    }
}

struct Compiler<'a> {
    literals: Literals,
    /// Distinct requirement groups, so each is tested once per text.
    groups: HashMap<Vec<u32>, u32>,
    words: &'a BTreeMap<String, (String, Vec<String>)>,
    lists: HashMap<String, Node>,
}

impl Compiler<'_> {
    fn group_id(&mut self, group: Vec<u32>) -> u32 {
        let next = self.groups.len() as u32;
        *self.groups.entry(group).or_insert(next)
    }

    fn compile_items(&mut self, items: &[Item], depth: usize) -> Result<Vec<Node>, PackProblem> {
        let mut nodes = Vec::new();
        let mut phrase: Vec<String> = Vec::new();
        for item in items {
            if let Item::Word { text, prefix } = item {
                phrase.push(text.clone());
                if *prefix {
                    nodes.push(Node::Literal(self.literals.id(&phrase, true)));
                    phrase.clear();
                }
                continue;
            }
            if !phrase.is_empty() {
                nodes.push(Node::Literal(self.literals.id(&phrase, false)));
                phrase.clear();
            }
            nodes.push(match item {
                Item::Word { .. } => unreachable!("handled above"),
                Item::Gap(n) => Node::Gap(*n as u32),
                Item::Group {
                    alternatives,
                    optional,
                } => {
                    let alternatives = alternatives
                        .iter()
                        .map(|alternative| self.compile_items(alternative, depth))
                        .collect::<Result<Vec<_>, _>>()?;
                    choice(alternatives, *optional)
                }
                Item::List(name) => self.list(name, depth)?,
            });
        }
        if !phrase.is_empty() {
            nodes.push(Node::Literal(self.literals.id(&phrase, false)));
        }
        Ok(nodes)
    }

    fn list(&mut self, name: &str, depth: usize) -> Result<Node, PackProblem> {
        if let Some(node) = self.lists.get(name) {
            return Ok(node.clone());
        }
        if depth > 4 {
            return Err(PackProblem::ListRefersToItself {
                name: name.to_owned(),
            });
        }
        let Some((_, entries)) = self.words.get(name) else {
            return Err(PackProblem::UnknownList {
                name: name.to_owned(),
            });
        };
        let mut alternatives = Vec::new();
        for entry in entries {
            let items =
                pattern::parse(entry, DEFAULT_GAP).map_err(|problem| PackProblem::InList {
                    name: name.to_owned(),
                    problem: Box::new(problem),
                })?;
            alternatives.push(self.compile_items(&items, depth + 1)?);
        }
        if alternatives.is_empty() {
            return Err(PackProblem::EmptyList {
                name: name.to_owned(),
            });
        }
        let node = choice(alternatives, false);
        self.lists.insert(name.to_owned(), node.clone());
        Ok(node)
    }
}

/// Literals a match of `nodes` can begin with, or an error if it could begin with a gap or an
/// optional part (the automaton needs a word to start from).
fn first_literals(nodes: &[Node], out: &mut Vec<u32>) -> Result<(), PackProblem> {
    match nodes.first() {
        Some(Node::Literal(id)) => {
            out.push(*id);
            Ok(())
        }
        Some(Node::Choice {
            literals,
            sequences,
            optional: false,
        }) => {
            out.extend_from_slice(literals);
            sequences
                .iter()
                .try_for_each(|sequence| first_literals(sequence, out))
        }
        Some(Node::Choice { optional: true, .. }) => Err(PackProblem::BeginsOptional),
        Some(Node::Gap(_)) => Err(PackProblem::BeginsWithGap),
        None => Err(PackProblem::EmptyPattern),
    }
}

/// The literal groups a match of `nodes` cannot do without.
fn requirements(nodes: &[Node]) -> Vec<Vec<u32>> {
    nodes
        .iter()
        .filter_map(|node| match node {
            Node::Literal(id) => Some(vec![*id]),
            Node::Choice {
                literals,
                sequences,
                optional: false,
            } if sequences.is_empty() => Some(literals.clone()),
            _ => None,
        })
        .collect()
}

fn choice(alternatives: Vec<Vec<Node>>, optional: bool) -> Node {
    let mut literals = Vec::new();
    let mut sequences = Vec::new();
    for alternative in alternatives {
        match alternative.as_slice() {
            [Node::Literal(id)] => literals.push(*id),
            _ => sequences.push(alternative),
        }
    }
    literals.sort_unstable();
    literals.dedup();
    Node::Choice {
        literals,
        sequences,
        optional,
    }
}

fn validate_category(spec: &RuleSpec) -> Result<(), PackProblem> {
    let valid = match spec.kind {
        RuleKind::Finding => vocab::FINDINGS.contains(&spec.category.as_str()),
        RuleKind::GoodMove => vocab::GOOD_MOVES.contains(&spec.category.as_str()),
        RuleKind::Signal => vocab::is_signal(&spec.category),
    };
    if valid {
        Ok(())
    } else {
        Err(PackProblem::Category {
            category: spec.category.clone(),
            kind: format!("{:?}", spec.kind),
        })
    }
}

fn validate_rule(spec: &RuleSpec) -> Result<(), PackProblem> {
    validate_category(spec)?;
    if spec.seeds.is_empty() {
        return Err(PackProblem::NoSeeds);
    }
    if spec.patterns.is_empty() {
        return Err(PackProblem::NoPatterns);
    }
    if spec.kind == RuleKind::Finding && spec.suggestions.is_empty() {
        return Err(PackProblem::NoSuggestion);
    }
    if spec.examples.positive.is_empty() {
        return Err(PackProblem::NoPositiveExample);
    }
    if spec.min_count == Some(0) {
        return Err(PackProblem::MinCountZero);
    }
    if let Some(name) = spec
        .requires_context
        .iter()
        .find(|name| !vocab::is_signal(name))
    {
        return Err(PackProblem::ContextNotSignal { name: name.clone() });
    }
    if let Some(name) = spec
        .cancels
        .iter()
        .find(|name| !vocab::GOOD_MOVES.contains(&name.as_str()))
    {
        return Err(PackProblem::CancelsNotGoodMove { name: name.clone() });
    }
    Ok(())
}

impl Engine {
    /// Compiles every pack file of `lang` (built-in and the organisation's own) into one engine.
    pub fn compile(lang: Lang, files: &[(&str, &PackFile)]) -> Result<Engine, CoachError> {
        let mut words: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        let mut question_marks = Vec::new();
        for (file, pack) in files {
            for (name, entries) in &pack.words {
                let list = words
                    .entry(name.clone())
                    .or_insert_with(|| (file.to_string(), Vec::new()));
                list.1.extend(entries.iter().cloned());
            }
            for mark in &pack.pack.question_marks {
                let folded = text::fold(mark).text;
                let mut chars = folded.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => question_marks.push(c),
                    _ => {
                        return Err(CoachError::pack(
                            file,
                            PackProblem::QuestionMark { mark: mark.clone() }.to_string(),
                        ));
                    }
                }
            }
        }
        let mut compiler = Compiler {
            literals: Literals::default(),
            words: &words,
            lists: HashMap::new(),
            groups: HashMap::new(),
        };
        let mut rules = Vec::new();
        for (file, pack) in files {
            let gap = pack.pack.gap.unwrap_or(DEFAULT_GAP);
            for spec in &pack.rules {
                let rule = compile_rule(&mut compiler, file, spec, gap)
                    .map_err(|problem| CoachError::rule(file, &spec.id, problem.to_string()))?;
                rules.push(rule);
            }
        }
        let promise_specs: Vec<&PromiseSpec> = files
            .iter()
            .filter_map(|(_, pack)| pack.promises.as_ref())
            .collect();
        let promises = PromiseGrammar::compile(&promise_specs).map_err(|problem| {
            // Name the file the problem is in.
            let file = files
                .iter()
                .find(|(_, pack)| {
                    pack.promises
                        .as_ref()
                        .is_some_and(|spec| PromiseGrammar::compile(&[spec]).is_err())
                })
                .map_or("?", |(file, _)| *file);
            CoachError::pack(file, problem)
        })?;

        let literal_count = compiler.literals.ids.len();
        let mut requirement_groups = vec![Vec::new(); compiler.groups.len()];
        for (group, id) in compiler.groups.drain() {
            requirement_groups[id as usize] = group;
        }
        let mut literal_groups: Vec<Vec<u32>> = vec![Vec::new(); literal_count];
        for (group, literals) in requirement_groups.iter().enumerate() {
            for &literal in literals {
                literal_groups[literal as usize].push(group as u32);
            }
        }
        let always_present = requirement_groups.len() as u32;
        let mut literal_group_offsets = Vec::with_capacity(literal_count + 1);
        let mut groups_of_literal = Vec::new();
        for groups in &mut literal_groups {
            groups.dedup();
            literal_group_offsets.push(groups_of_literal.len() as u32);
            for groups in groups.chunks(GROUP_ROW) {
                let mut row = [always_present; GROUP_ROW];
                row[..groups.len()].copy_from_slice(groups);
                groups_of_literal.push(row);
            }
        }
        literal_group_offsets.push(groups_of_literal.len() as u32);
        let mut signal_literals = vec![false; literal_count];
        let mut reply_literals = vec![false; literal_count];
        for rule in &rules {
            let wanted = if rule.kind == RuleKind::Signal {
                &mut signal_literals
            } else {
                &mut reply_literals
            };
            for nodes in rule
                .patterns
                .iter()
                .chain(&rule.unless_followed_by)
                .chain(&rule.unless_preceded_by)
            {
                collect_literals(nodes, wanted);
            }
        }
        #[cfg(test)]
        let literal_texts = {
            let mut texts = vec![(String::new(), false, false, false); literal_count];
            for ((words, prefix), &id) in &compiler.literals.ids {
                let id = id as usize;
                texts[id] = (
                    words.clone(),
                    *prefix,
                    signal_literals[id],
                    reply_literals[id],
                );
            }
            texts
        };
        let signal_phrases = Phrases::build(&compiler.literals.ids, &signal_literals);
        let reply_phrases = Phrases::build(&compiler.literals.ids, &reply_literals);
        let mut signal_triggers: Vec<Vec<(u32, u32, &[u32])>> = vec![Vec::new(); literal_count];
        let mut reply_triggers: Vec<Vec<(u32, u32, &[u32])>> = vec![Vec::new(); literal_count];
        for (rule_index, rule) in rules.iter().enumerate() {
            for (pattern_index, nodes) in rule.patterns.iter().enumerate() {
                let mut firsts = Vec::new();
                first_literals(nodes, &mut firsts).map_err(|problem| {
                    CoachError::rule(&rule.file, &rule.id, problem.to_string())
                })?;
                firsts.sort_unstable();
                firsts.dedup();
                let triggers = if rule.kind == RuleKind::Signal {
                    &mut signal_triggers
                } else {
                    &mut reply_triggers
                };
                let requirements = &rule.requirements[pattern_index];
                for literal in firsts {
                    triggers[literal as usize].push((
                        rule_index as u32,
                        pattern_index as u32,
                        requirements,
                    ));
                }
            }
        }
        let rule_strings_plain = rules.iter().all(|rule| {
            [&rule.id, &rule.category]
                .into_iter()
                .chain(&rule.seeds)
                .all(|text| !crate::batch::needs_escape(text))
        });
        let signal_triggers = Triggers::build(&signal_triggers, always_present);
        let reply_triggers = Triggers::build(&reply_triggers, always_present);
        Ok(Engine {
            #[cfg(test)]
            literal_texts,
            lang,
            signal_phrases,
            reply_phrases,
            signal_triggers,
            reply_triggers,
            literal_count,
            always_present,
            rules,
            literal_group_offsets,
            groups_of_literal,
            question_marks,
            promises,
            rule_strings_plain,
        })
    }
}

fn compile_rule(
    compiler: &mut Compiler,
    file: &str,
    spec: &RuleSpec,
    gap: usize,
) -> Result<CompiledRule, PackProblem> {
    validate_rule(spec)?;
    let mut compile_all = |sources: &[String]| -> Result<Vec<Vec<Node>>, PackProblem> {
        sources
            .iter()
            .map(|source| {
                let items = pattern::parse(source, gap)?;
                compiler.compile_items(&items, 0)
            })
            .collect()
    };
    let patterns = compile_all(&spec.patterns)?;
    let unless_followed_by = compile_all(&spec.unless_followed_by)?;
    let unless_preceded_by = compile_all(&spec.unless_preceded_by)?;
    let mut group_ids = |nodes: &[Node]| -> Vec<u32> {
        requirements(nodes)
            .into_iter()
            .map(|group| compiler.group_id(group))
            .collect()
    };
    // A pattern's first node is its trigger, present by definition.
    let requirements = patterns
        .iter()
        .map(|nodes| group_ids(nodes.get(1..).unwrap_or_default()))
        .collect();
    let unless_preceded_requirements = unless_preceded_by
        .iter()
        .map(|nodes| group_ids(nodes))
        .collect();
    let mut explain = BTreeMap::new();
    for (tag, text) in &spec.explain {
        let lang: Lang = tag
            .parse()
            .map_err(|_| PackProblem::ExplainLanguage { tag: tag.clone() })?;
        explain.insert(lang, text.clone());
    }
    Ok(CompiledRule {
        id: spec.id.clone(),
        file: file.to_owned(),
        kind: spec.kind,
        category: spec.category.clone(),
        seeds: spec.seeds.clone(),
        signal_json: crate::batch::signal_json(&spec.category, &spec.seeds, &spec.id),
        severity: spec.severity,
        patterns,
        requirements,
        unless_preceded_requirements,
        unless_followed_by,
        unless_preceded_by,
        requires_context: spec.requires_context.clone(),
        min_count: spec.min_count,
        max_words: spec.max_words,
        clause_start: spec.clause_start,
        in_question: spec.in_question,
        cancels: spec.cancels.clone(),
        suggestions: spec.suggestions.clone(),
        explain,
        examples: spec.examples.clone(),
    })
}

#[cfg(test)]
mod tests {
    use crate::Coach;

    use super::*;

    /// Tokens around every pattern word: the word, its beginnings, longer words it begins, and
    /// odd neighbours (case, digits, apostrophes, non-ASCII, emoji, 16 and 17 bytes).
    fn tricky_tokens(engine: &Engine) -> Vec<String> {
        let mut tokens: Vec<String> = [
            "",
            "a",
            "i",
            "x",
            "0",
            "9am",
            "don't",
            "dont",
            "it’s",
            "ｆｕｌｌ",
            "！",
            "😡",
            "😡😡",
            "https",
            "t.co",
            "@user",
            "#tag",
            "sorry",
            "sorryyyyyyyyyyyyyyyy",
            "αβγδεζηθικλμνξο",
            "对不起",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "\0",
            "a\0",
            "\0a",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for (words, _, _, _) in &engine.literal_texts {
            for word in words.split(' ') {
                let cut = word.char_indices().map(|(i, _)| i).skip(1);
                tokens.extend(cut.map(|i| word[..i].to_owned()));
                for suffix in ["", "s", "ing", "'", "0", "é", "😡", "xxxxxxxxxxxxxxxx"] {
                    tokens.push(format!("{word}{suffix}"));
                }
                tokens.push(word.to_uppercase());
                tokens.push(format!("x{word}"));
            }
        }
        tokens.sort_unstable();
        tokens.dedup();
        tokens
    }

    /// Asserts that `index` gives each token the symbols the trie walk gives it, wherever the
    /// token stands; returns how many tokens have any.
    fn assert_answers_as_the_trie_walk(index: &WordIndex, tokens: &[String], what: &str) -> usize {
        let mut with_symbols = 0;
        for token in tokens {
            let mut walked = Vec::new();
            index.trie.symbols(token.as_bytes(), &mut walked);
            // First in the text or after sixteen bytes and more (the key is read differently),
            // before more text or last.
            for before in [" ", " words before it, \u{0}\u{0} "] {
                for after in ["", " next", "\u{0}\u{0}"] {
                    let joined = format!("{before}{token}{after}");
                    let (start, end) = (before.len(), before.len() + token.len());
                    let mut found = vec![7];
                    index.symbols(joined.as_bytes(), start, end, &mut found);
                    assert_eq!(found[1..], walked, "{what}: {joined:?}");
                }
            }
            with_symbols += usize::from(!walked.is_empty());
        }
        with_symbols
    }

    #[test]
    fn the_word_index_answers_as_the_trie_walk() {
        let coach = Coach::builtin().expect("built-in packs load");
        let mut checked = 0;
        for engine in coach.engines.values() {
            let tokens = tricky_tokens(engine);
            for phrases in [&engine.signal_phrases, &engine.reply_phrases] {
                let what = format!("{:?}", engine.lang);
                checked += assert_answers_as_the_trie_walk(&phrases.words, &tokens, &what);
            }
        }
        assert!(
            checked > 1_000,
            "the tokens include pattern words ({checked})"
        );
    }

    #[test]
    fn words_whose_key_halves_combine_alike_get_their_own_slots() {
        // Found by brute force (review of the word index): with the halves combined before the
        // multiplier, these two shared a hash under every multiplier and loading never ended.
        let pair = ["iwpkgclbflwjcaq", "refundrequested"];
        let combined = |word: &str| {
            let (low, high) = packed(word.as_bytes(), 0, word.len());
            low ^ high.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        };
        assert_eq!(combined(pair[0]), combined(pair[1]));
        let index = WordIndex::build(&[(pair[0], false), (pair[1], false)]);
        assert!(index.table.len() > 1, "placed in a table, not the fallback");
        let tokens: Vec<String> = pair.iter().map(|w| w.to_string()).collect();
        assert_eq!(assert_answers_as_the_trie_walk(&index, &tokens, "pair"), 2);
    }

    #[test]
    fn without_a_table_every_token_walks_the_trie() {
        let words = [
            ("sorry", false),
            ("apologi", true),
            ("refund", false),
            ("ref", true),
            ("understand", false),
            ("a", false),
        ];
        let mut index = WordIndex::build(&words);
        index.walk_trie_always();
        assert_eq!(index.table.len(), 1);
        let tokens: Vec<String> = [
            "sorry",
            "apologise",
            "apologies",
            "refund",
            "refunds",
            "ref",
            "re",
            "a",
            "understand",
            "understanding",
            "x",
            "averyveryverylongtokenbeyondpacking",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        assert_eq!(
            assert_answers_as_the_trie_walk(&index, &tokens, "fallback"),
            8
        );
    }

    /// The padded rows hold each literal's groups once, in order, and every group a rule
    /// requires belongs to some literal: padding only ever repeats `always_present`.
    #[test]
    fn group_rows_hold_each_literals_groups_once() {
        let coach = Coach::builtin().expect("built-in packs load");
        let mut wide = 0;
        for engine in coach.engines.values() {
            let mut belongs = vec![false; engine.always_present as usize + 1];
            for literal in 0..engine.literal_count {
                let from = engine.literal_group_offsets[literal] as usize;
                let to = engine.literal_group_offsets[literal + 1] as usize;
                let rows = &engine.groups_of_literal[from..to];
                let groups: Vec<u32> = rows
                    .iter()
                    .flatten()
                    .copied()
                    .filter(|&group| group != engine.always_present)
                    .collect();
                assert!(groups.windows(2).all(|pair| pair[0] < pair[1]));
                assert_eq!(rows.len(), groups.len().div_ceil(GROUP_ROW));
                wide += usize::from(rows.len() > 1);
                for group in groups {
                    belongs[group as usize] = true;
                }
            }
            for rule in &engine.rules {
                for group in rule
                    .requirements
                    .iter()
                    .chain(&rule.unless_preceded_requirements)
                    .flatten()
                {
                    assert!(belongs[*group as usize], "{}: group {group}", rule.id);
                }
            }
        }
        assert!(wide > 0, "some literal has more than one row");
    }
}
