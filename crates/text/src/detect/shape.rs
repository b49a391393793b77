//! Word shapes for words no list knows: inflections and affixes typical of one language.
//!
//! An unknown word's evidence is a set of rules that hold for it, found with a few table
//! lookups (an affix list is looked up by the word's last or first two letters, so a word tests
//! at most three affixes per end instead of every affix of every language), then added in rule
//! order: the scores are float sums, and the order of the additions decides their last bit.

use super::latin::Class;

/// The rules, in the order their evidence is added (the order of the old `if` chain).
const RULES: [(Class, f32); 17] = [
    (Class::En, 0.6),        // -ing, -tion, -ould, or "ght" inside
    (Class::En, 0.5),        // wh-, -ly, -ness, -ment
    (Class::En, 0.3),        // -ed, or th, ck, ee, oo inside
    (Class::Ro, 1.0),        // case endings -ului, -ilor, -rile; -ele in a word of 6+ bytes
    (Class::Ro, 0.6),        // verb endings
    (Class::Ro, 0.4),        // -ul, -ii, -tie, -tiei, -ati, or "oa" inside
    (Class::Ro, 0.3),        // -ti, -iei, or "ua" inside
    (Class::Ro, 0.4),        // participles -at, -it, -ut in a word of 5+ bytes; nouns -tia, -area
    (Class::Tl, 0.6),        // verb prefixes
    (Class::Tl, 0.4),        // the -um-/-in- infix
    (Class::Tl, 0.6),        // a reduplicated first syllable
    (Class::Tl, 0.3),        // "ng" not after an i, or "aa"
    (Class::Greeklish, 1.0), // final w after a consonant (ω)
    (Class::Greeklish, 1.0), // 8 or 3 among letters (θ, ξ)
    (Class::Greeklish, 0.5), // final h (η) not after t, g, s, c, p
    (Class::Greeklish, 0.5), // verb endings
    (Class::Greeklish, 0.5), // prefixes mp-, nt-, gk-, ts-, ps-, ks-
];

const EN_STRONG: u32 = 1;
const EN: u32 = 1 << 1;
const EN_WEAK: u32 = 1 << 2;
const RO_CASE: u32 = 1 << 3;
const RO_VERB: u32 = 1 << 4;
const RO: u32 = 1 << 5;
const RO_WEAK: u32 = 1 << 6;
const RO_NOUN: u32 = 1 << 7;
const TL_PREFIX: u32 = 1 << 8;
const TL_INFIX: u32 = 1 << 9;
const TL_REDUPLICATION: u32 = 1 << 10;
const TL_PAIR: u32 = 1 << 11;
const GREEKLISH_FINAL_W: u32 = 1 << 12;
const GREEKLISH_DIGIT: u32 = 1 << 13;
const GREEKLISH_FINAL_H: u32 = 1 << 14;
const GREEKLISH_ENDING: u32 = 1 << 15;
const GREEKLISH_PREFIX: u32 = 1 << 16;
/// Conditions that become a rule only with the word's length: -ele is a case ending in a word
/// of more than 5 bytes, -at/-it/-ut a participle in a word of 5 or more.
const RO_CASE_IF_LONG: u32 = 1 << 17;
const RO_PARTICIPLE: u32 = 1 << 18;
const RULE_BITS: u32 = (1 << RULES.len()) - 1;

const SUFFIXES: &[(&[u8], u32)] = &[
    (b"ing", EN_STRONG),
    (b"tion", EN_STRONG),
    (b"ould", EN_STRONG),
    (b"ly", EN),
    (b"ness", EN),
    (b"ment", EN),
    (b"ed", EN_WEAK),
    (b"ului", RO_CASE),
    (b"ilor", RO_CASE),
    (b"rile", RO_CASE),
    (b"ele", RO_CASE_IF_LONG),
    (b"esc", RO_VERB),
    (b"este", RO_VERB),
    (b"asca", RO_VERB),
    (b"eaza", RO_VERB),
    (b"eze", RO_VERB),
    (b"ul", RO),
    (b"ii", RO),
    (b"tie", RO),
    (b"tiei", RO),
    (b"ati", RO),
    (b"ti", RO_WEAK),
    (b"iei", RO_WEAK),
    (b"at", RO_PARTICIPLE),
    (b"it", RO_PARTICIPLE),
    (b"ut", RO_PARTICIPLE),
    (b"tia", RO_NOUN),
    (b"area", RO_NOUN),
    (b"ou", GREEKLISH_ENDING),
    (b"oy", GREEKLISH_ENDING),
    (b"eis", GREEKLISH_ENDING),
    (b"oume", GREEKLISH_ENDING),
    (b"ete", GREEKLISH_ENDING),
    (b"ousa", GREEKLISH_ENDING),
];

const PREFIXES: &[(&[u8], u32)] = &[
    (b"wh", EN),
    (b"nag", TL_PREFIX),
    (b"mag", TL_PREFIX),
    (b"pag", TL_PREFIX),
    (b"nak", TL_PREFIX),
    (b"mak", TL_PREFIX),
    (b"nap", TL_PREFIX),
    (b"map", TL_PREFIX),
    (b"ipa", TL_PREFIX),
    (b"ika", TL_PREFIX),
    (b"pina", TL_PREFIX),
    (b"kina", TL_PREFIX),
    (b"pang", TL_PREFIX),
    (b"mp", GREEKLISH_PREFIX),
    (b"nt", GREEKLISH_PREFIX),
    (b"gk", GREEKLISH_PREFIX),
    (b"ts", GREEKLISH_PREFIX),
    (b"ps", GREEKLISH_PREFIX),
    (b"ks", GREEKLISH_PREFIX),
];

/// A byte's class in the pair tables: `a`..`z` are 0..25 (the rules name only lowercase
/// letters), then four classes for the other bytes.
const UPPERCASE: u8 = 26;
/// '8' and '3', Greeklish θ and ξ.
const THETA_XI: u8 = 27;
const OTHER_ASCII: u8 = 28;
const NOT_ASCII: u8 = 29;

const BYTE_CLASS: [u8; 256] = {
    let mut table = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            byte @ b'a'..=b'z' => byte - b'a',
            b'A'..=b'Z' => UPPERCASE,
            b'8' | b'3' => THETA_XI,
            _ => OTHER_ASCII,
        };
        b += 1;
    }
    table
};

// Every class is below 32, so the mask in `pair_of_classes` and `pair_rules` changes no
// index: it only spares the bounds checks. A class of 32 or more would be a wrong rule, not a
// panic, hence the check here.
const _: () = {
    let mut b = 0;
    while b < 256 {
        assert!(BYTE_CLASS[b] < 32);
        b += 1;
    }
};

/// Index of a pair of byte classes in the pair tables.
const fn pair_of_classes(first: u8, second: u8) -> usize {
    // Classes are below 32 (checked above): the mask changes no index.
    ((first as usize) << 5 | second as usize) & (PAIRS - 1)
}

const fn pair_index(first: u8, second: u8) -> usize {
    pair_of_classes(BYTE_CLASS[first as usize], BYTE_CLASS[second as usize])
}

const PAIRS: usize = 32 * 32;

/// The affixes of one end of a word, by the pair of bytes at that end (the last two bytes for
/// suffixes, the first two for prefixes): `rules` has the rules that the pair alone decides (the
/// two-letter affixes), `longer` up to `N` longer affixes to compare (at `slots[pair]`, 0 for
/// none), each as (mask, value, rules) on the word's first or last four bytes packed big-endian.
struct AffixTable<const N: usize> {
    rules: [u32; PAIRS],
    slots: [u8; PAIRS],
    longer: [[(u32, u32, u32); N]; 32],
}

/// A comparison that no word passes (a zero mask with a nonzero value).
const NO_AFFIX: (u32, u32, u32) = (0, 1, 0);

/// (mask, value) that the first four bytes (big-endian) match when the word starts with
/// `affix`, or that the last four match when it ends with it.
const fn packed_affix(affix: &[u8], at_start: bool) -> (u32, u32) {
    let mut value = 0u32;
    let mut mask = 0u32;
    let mut i = 0;
    while i < affix.len() {
        value = (value << 8) | affix[i] as u32;
        mask = (mask << 8) | 0xFF;
        i += 1;
    }
    if at_start {
        let shift = 8 * (4 - affix.len() as u32);
        (mask << shift, value << shift)
    } else {
        (mask, value)
    }
}

const fn affix_table<const N: usize>(list: &[(&[u8], u32)], at_start: bool) -> AffixTable<N> {
    let mut table = AffixTable {
        rules: [0; PAIRS],
        slots: [0; PAIRS],
        longer: [[NO_AFFIX; N]; 32],
    };
    let mut used = 1;
    let mut i = 0;
    while i < list.len() {
        let (affix, rules) = list[i];
        assert!(affix.len() >= 2 && affix.len() <= 4);
        let pair = if at_start {
            pair_index(affix[0], affix[1])
        } else {
            pair_index(affix[affix.len() - 2], affix[affix.len() - 1])
        };
        if affix.len() == 2 {
            table.rules[pair] |= rules;
        } else {
            if table.slots[pair] == 0 {
                table.slots[pair] = used;
                used += 1;
            }
            let longer = &mut table.longer[table.slots[pair] as usize];
            let mut k = 0;
            while longer[k].2 != 0 {
                k += 1;
            }
            let (mask, value) = packed_affix(affix, at_start);
            longer[k] = (mask, value, rules);
        }
        i += 1;
    }
    table
}

/// Suffixes; the last pair also decides the Greeklish final w (ω after a consonant) and final
/// h (η, unless the h belongs to th, gh, sh, ch or ph).
static SUFFIX_TABLE: AffixTable<2> = {
    let mut table = affix_table(SUFFIXES, false);
    let mut class = 0;
    while class <= NOT_ASCII {
        let is_vowel = matches!(class, 0 | 4 | 8 | 14 | 20);
        if !is_vowel && class != b'w' - b'a' {
            table.rules[pair_of_classes(class, b'w' - b'a')] |= GREEKLISH_FINAL_W;
        }
        let ends_digraph = matches!(class, 2 | 6 | 15 | 18 | 19);
        if !ends_digraph {
            table.rules[pair_of_classes(class, b'h' - b'a')] |= GREEKLISH_FINAL_H;
        }
        class += 1;
    }
    table
};
static PREFIX_TABLE: AffixTable<3> = affix_table(PREFIXES, true);

impl<const N: usize> AffixTable<N> {
    /// The rules of the affixes `packed` (a word's first or last four bytes) has, `pair` being
    /// the index of its bytes at that end. Branch-free: which comparison holds is data.
    fn rules(&self, pair: usize, packed: u32) -> u32 {
        let mut rules = self.rules[pair];
        let slot = usize::from(self.slots[pair]) % self.longer.len();
        for (mask, value, bits) in self.longer[slot] {
            rules |= bits & 0u32.wrapping_sub(u32::from(packed & mask == value));
        }
        rules
    }
}

/// Bits of the pairs inside a word beside the rules: "gh" counts only before a 't' and "ng"
/// only at the start or after a byte other than 'i' (both are checked afterwards for the few
/// words that have them), a letter, an '8' or '3', a byte that is not ASCII.
const GH_PENDING: u32 = 1 << 27;
const NG_PENDING: u32 = 1 << 28;
const HAS_LETTER: u32 = 1 << 29;
const HAS_THETA_XI: u32 = 1 << 30;
const HAS_NOT_ASCII: u32 = 1 << 31;

/// The rules and bits of each pair of byte classes inside a word, by [`pair_of_classes`].
static PAIR_RULES: [u32; PAIRS] = {
    let pairs: [(&[u8; 2], u32); 9] = [
        (b"th", EN_WEAK),
        (b"ck", EN_WEAK),
        (b"gh", GH_PENDING),
        (b"ee", EN_WEAK),
        (b"oo", EN_WEAK),
        (b"oa", RO),
        (b"ua", RO_WEAK),
        (b"aa", TL_PAIR),
        (b"ng", NG_PENDING),
    ];
    let mut table = [0u32; PAIRS];
    let mut i = 0;
    while i < pairs.len() {
        let (pair, rules) = pairs[i];
        table[pair_index(pair[0], pair[1])] |= rules;
        i += 1;
    }
    let mut first = 0;
    while first <= NOT_ASCII {
        let mut second = 0;
        while second <= NOT_ASCII {
            let bits = &mut table[pair_of_classes(first, second)];
            if first <= UPPERCASE || second <= UPPERCASE {
                *bits |= HAS_LETTER;
            }
            if first == THETA_XI || second == THETA_XI {
                *bits |= HAS_THETA_XI;
            }
            if first == NOT_ASCII || second == NOT_ASCII {
                *bits |= HAS_NOT_ASCII;
            }
            second += 1;
        }
        first += 1;
    }
    table
};

/// The rules and bits of the pairs inside `bytes` (at least two): one table lookup per byte,
/// OR-ed with no branch per byte (a `match` on the pair compiled to a jump table whose target
/// changed from byte to byte, a mispredicted indirect jump every few letters).
fn pair_rules(bytes: &[u8]) -> u32 {
    let mut rules = 0u32;
    let mut previous = usize::from(BYTE_CLASS[usize::from(bytes[0])]) << 5;
    for &byte in &bytes[1..] {
        let class = usize::from(BYTE_CLASS[usize::from(byte)]);
        rules |= PAIR_RULES[(previous | class) & (PAIRS - 1)];
        previous = class << 5;
    }
    if rules & GH_PENDING != 0 && bytes.windows(3).any(|w| w == b"ght") {
        rules |= EN_STRONG;
    }
    if rules & NG_PENDING != 0
        && (bytes.starts_with(b"ng") || bytes.windows(3).any(|w| w[0] != b'i' && w[1..] == *b"ng"))
    {
        rules |= TL_PAIR;
    }
    rules
}

const VOWEL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'a' as usize] = true;
    table[b'e' as usize] = true;
    table[b'i' as usize] = true;
    table[b'o' as usize] = true;
    table[b'u' as usize] = true;
    table
};

/// The rules that hold for an unknown word of at least four bytes with no apostrophe (none
/// for a word with a byte that is not ASCII).
fn rules_of(bytes: &[u8]) -> u32 {
    let len = bytes.len();
    let first = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let last = u32::from_be_bytes([
        bytes[len - 4],
        bytes[len - 3],
        bytes[len - 2],
        bytes[len - 1],
    ]);
    let inside = pair_rules(bytes);
    if inside & HAS_NOT_ASCII != 0 {
        return 0;
    }
    let mut rules = inside
        | SUFFIX_TABLE.rules(pair_index(bytes[len - 2], bytes[len - 1]), last)
        | PREFIX_TABLE.rules(pair_index(bytes[0], bytes[1]), first);
    // Length conditions.
    rules |= u32::from(rules & RO_CASE_IF_LONG != 0 && len > 5) * RO_CASE;
    rules |= u32::from(rules & RO_PARTICIPLE != 0 && len >= 5) * RO_NOUN;
    rules |= u32::from(inside & (HAS_LETTER | HAS_THETA_XI) == HAS_LETTER | HAS_THETA_XI)
        * GREEKLISH_DIGIT;
    // Tagalog infix (consonant, "um" or "in", vowel) and reduplication ("baba", "susu").
    let vowel = |b: u8| VOWEL[usize::from(b)];
    let consonant_first = !vowel(bytes[0]);
    let infix = first >> 8 & 0xFFFF;
    let has_infix = infix == u32::from_be_bytes([0, 0, b'u', b'm'])
        || infix == u32::from_be_bytes([0, 0, b'i', b'n']);
    rules |= u32::from(consonant_first & has_infix & vowel(bytes[3])) * TL_INFIX;
    rules |= u32::from(consonant_first & vowel(bytes[1]) & (first >> 16 == first & 0xFFFF))
        * TL_REDUPLICATION;
    rules & RULE_BITS
}

/// Adds the shape evidence of an unknown word (folded, no apostrophe): nothing for a word
/// shorter than four bytes or with a byte that is not ASCII.
pub(super) fn shape_evidence(bytes: &[u8], mut add: impl FnMut(Class, f32)) {
    if bytes.len() < 4 {
        return;
    }
    let mut rules = rules_of(bytes);
    while rules != 0 {
        let (class, weight) = RULES[rules.trailing_zeros() as usize];
        rules &= rules - 1;
        add(class, weight);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::detect::latin::{CLASS_COUNT, CLASSES, class_index};

    /// The shape evidence by the plain definition (string affix tests in the order of the
    /// rules), for comparison with the table-driven one.
    pub(in super::super) fn plain_shape_evidence(word: &str, mut add: impl FnMut(Class, f32)) {
        let bytes = word.as_bytes();
        let len = bytes.len();
        if len < 4 || !word.is_ascii() {
            return;
        }
        let ends = |list: &[&str]| list.iter().any(|suffix| word.ends_with(suffix));
        let starts = |list: &[&str]| list.iter().any(|prefix| word.starts_with(prefix));
        let has = |pair: &str| word.contains(pair);
        let is_vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u');
        let ng_not_ing =
            word.starts_with("ng") || bytes.windows(3).any(|w| w[0] != b'i' && w[1..] == *b"ng");

        if ends(&["ing", "tion", "ould"]) || has("ght") {
            add(Class::En, 0.6);
        }
        if starts(&["wh"]) || ends(&["ly", "ness", "ment"]) {
            add(Class::En, 0.5);
        }
        if ends(&["ed"]) || has("th") || has("ck") || has("ee") || has("oo") {
            add(Class::En, 0.3);
        }
        if ends(&["ului", "ilor", "rile"]) || ends(&["ele"]) && len > 5 {
            add(Class::Ro, 1.0);
        }
        if ends(&["esc", "este", "asca", "eaza", "eze"]) {
            add(Class::Ro, 0.6);
        }
        if ends(&["ul", "ii", "tie", "tiei", "ati"]) || has("oa") {
            add(Class::Ro, 0.4);
        }
        if ends(&["ti", "iei"]) || has("ua") {
            add(Class::Ro, 0.3);
        }
        if len >= 5 && ends(&["at", "it", "ut"]) || ends(&["tia", "area"]) {
            add(Class::Ro, 0.4);
        }
        let tagalog_prefixes = [
            "nag", "mag", "pag", "nak", "mak", "nap", "map", "ipa", "ika", "pina", "kina", "pang",
        ];
        if starts(&tagalog_prefixes) {
            add(Class::Tl, 0.6);
        }
        if !is_vowel(bytes[0])
            && (&bytes[1..3] == b"um" || &bytes[1..3] == b"in")
            && is_vowel(bytes[3])
        {
            add(Class::Tl, 0.4);
        }
        if !is_vowel(bytes[0]) && is_vowel(bytes[1]) && bytes[0..2] == bytes[2..4] {
            add(Class::Tl, 0.6);
        }
        if ng_not_ing || has("aa") {
            add(Class::Tl, 0.3);
        }
        let last = bytes[len - 1];
        let before_last = bytes[len - 2];
        if last == b'w' && !is_vowel(before_last) && before_last != b'w' {
            add(Class::Greeklish, 1.0);
        }
        if bytes.iter().any(|&b| b == b'8' || b == b'3')
            && bytes.iter().any(u8::is_ascii_alphabetic)
        {
            add(Class::Greeklish, 1.0);
        }
        if last == b'h' && !matches!(before_last, b't' | b'g' | b's' | b'c' | b'p') {
            add(Class::Greeklish, 0.5);
        }
        if ends(&["ou", "oy", "eis", "oume", "ete", "ousa"]) {
            add(Class::Greeklish, 0.5);
        }
        if starts(&["mp", "nt", "gk", "ts", "ps", "ks"]) {
            add(Class::Greeklish, 0.5);
        }
    }

    fn evidence(word: &str, shape: fn(&str, &mut dyn FnMut(Class, f32))) -> Vec<(Class, u32)> {
        let mut added = Vec::new();
        shape(word, &mut |class, weight| {
            added.push((class, weight.to_bits()))
        });
        added
    }

    #[test]
    fn shapes_match_the_plain_definition() {
        // Every word of four bytes over letters the rules name (and a digit, an uppercase
        // letter and a byte no rule names), and every affix with short stems around it.
        let alphabet = b"aeioutnghwlsdrcmkpyz8Tx";
        let mut words: Vec<String> = Vec::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        words.push(String::from_utf8(vec![*a, *b, *c, *d]).unwrap());
                    }
                }
            }
        }
        let stems = ["", "a", "x", "ng", "ing", "ght", "ele", "um", "3", "wh"];
        for (affix, _) in SUFFIXES.iter().chain(PREFIXES) {
            let affix = std::str::from_utf8(affix).unwrap();
            for stem in stems {
                for other in stems {
                    words.push(format!("{other}{stem}{affix}"));
                    words.push(format!("{affix}{stem}{other}"));
                }
            }
        }
        words.extend(
            [
                "thinking",
                "nagbabayad",
                "produsului",
                "thelw",
                "8elw",
                "ümlaut",
            ]
            .map(String::from),
        );
        for word in &words {
            assert_eq!(
                evidence(word, |w, add| shape_evidence(w.as_bytes(), add)),
                evidence(word, |w, add| plain_shape_evidence(w, add)),
                "{word}"
            );
        }
    }

    #[test]
    fn shapes_point_at_the_right_language() {
        let best = |word: &str| {
            let mut scores = [0.0f32; CLASS_COUNT];
            shape_evidence(word.as_bytes(), |class, weight| {
                scores[class_index(class)] += weight;
            });
            let (index, _) = scores
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap();
            CLASSES[index]
        };
        assert_eq!(best("thinking"), Class::En);
        assert_eq!(best("produsului"), Class::Ro);
        assert_eq!(best("nagbabayad"), Class::Tl);
        assert_eq!(best("thelw"), Class::Greeklish);
    }
}
