//! The function-word table. Every listed word is short ASCII, so it is packed into a `u128`
//! key (the word's bytes, zero above its length) and found in an open-addressing table by one
//! multiply and, most often, one integer compare: a `HashMap<&str, _>` lookup hashed the word
//! byte by byte and compared it with a `memcmp` call.

use super::latin::{CLASS_COUNT, Class, WORD_LISTS, class_index};

/// A word of at most [`Key::MAX_BYTES`] bytes, byte `i` at bits `8i..8i + 8` and zero above its
/// length. A word has no zero byte, so its key has one length, and no key is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key(u128);

/// The fold of an ASCII word byte (letter, digit, apostrophe) is the byte with bit 5 set:
/// 'A'..'Z' become 'a'..'z'; digits, the apostrophe and lowercase letters have it already.
const LOWERCASE_BITS: u128 = u128::from_le_bytes([0x20; 16]);

/// The bits of a key's bytes by the word's length (a table: a variable shift of a `u128`
/// compiles to a double shift and a select).
const KEY_BYTES: [u128; Key::MAX_BYTES + 1] = {
    let mut masks = [0; Key::MAX_BYTES + 1];
    let mut len = 1;
    while len <= Key::MAX_BYTES {
        masks[len] = u128::MAX >> (8 * (Key::MAX_BYTES - len));
        len += 1;
    }
    masks
};

impl Key {
    pub(super) const MAX_BYTES: usize = 16;

    /// The key of `word` as it is, if it is short enough to have one.
    pub(super) fn of(word: &[u8]) -> Option<Key> {
        if word.is_empty() || word.len() > Key::MAX_BYTES {
            return None;
        }
        let mut bytes = [0u8; Key::MAX_BYTES];
        for (to, &from) in bytes.iter_mut().zip(word) {
            *to = from;
        }
        Some(Key(u128::from_le_bytes(bytes)))
    }

    /// The key of the lowercased ASCII word `text[start..start + len]`, every byte of which is
    /// a letter, a digit or an apostrophe; `len` is 1..=[`Key::MAX_BYTES`]. Reads the 16 bytes
    /// at `start` at once (or the text's last 16, shifted, near its end).
    pub(super) fn of_ascii_word_lowercased(text: &[u8], start: usize, len: usize) -> Key {
        debug_assert!((1..=Key::MAX_BYTES).contains(&len));
        let raw = match text.get(start..start + Key::MAX_BYTES) {
            Some(bytes) => u128::from_le_bytes(bytes.try_into().expect("16 bytes")),
            None if text.len() >= Key::MAX_BYTES => {
                let tail = &text[text.len() - Key::MAX_BYTES..];
                let skipped = start + Key::MAX_BYTES - text.len();
                u128::from_le_bytes(tail.try_into().expect("16 bytes")) >> (8 * skipped)
            }
            None => {
                let mut bytes = [0u8; Key::MAX_BYTES];
                bytes[..text.len() - start].copy_from_slice(&text[start..]);
                u128::from_le_bytes(bytes)
            }
        };
        Key((raw | LOWERCASE_BITS) & KEY_BYTES[len])
    }

    /// The key of the lowercased ASCII word of `len` bytes (1..=[`Key::MAX_BYTES`]) whose
    /// first eight bytes are `low` and next eight `high` (as read from the text; bytes past
    /// the word are cleared), every byte a letter, a digit or an apostrophe.
    pub(super) fn of_ascii_halves_lowercased(low: u64, high: u64, len: usize) -> Key {
        let raw = u128::from(high) << 64 | u128::from(low);
        Key((raw | LOWERCASE_BITS) & KEY_BYTES[len])
    }

    pub(super) fn bytes(self) -> [u8; Key::MAX_BYTES] {
        self.0.to_le_bytes()
    }

    /// The key of the word without its last `count` bytes (`count` below its length).
    pub(super) fn without_last(self, len: usize, count: usize) -> Key {
        Key(self.0 & KEY_BYTES[len - count])
    }

    /// Slot of the key: the low and high halves mixed, multiplied, top bits.
    const fn slot(self) -> usize {
        let low = self.0 as u64;
        let high = (self.0 >> 64) as u64;
        ((low ^ high.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS))
            as usize
    }
}

/// A listed word's classes: bit `class_index` set for each class that lists it, in `strong`
/// too where it is a strong word there (weight [`STRONG_WEIGHT`], else [`COMMON_WEIGHT`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct WordClasses {
    pub(super) classes: u32,
    strong: u32,
}

pub(super) const STRONG_WEIGHT: f32 = 2.0;
pub(super) const COMMON_WEIGHT: f32 = 1.0;

/// Set in `strong` (above the class bits): a Tagalog word ending in a vowel, which can take
/// the linker -ng ("kong", "siyang").
const TAKES_LINKER: u32 = 1 << 31;
const _: () = assert!(CLASS_COUNT < 31);

impl WordClasses {
    pub(super) fn weight(self, index: usize) -> f32 {
        if self.strong >> index & 1 != 0 {
            STRONG_WEIGHT
        } else {
            COMMON_WEIGHT
        }
    }

    pub(super) fn is_english(self) -> bool {
        self.classes & 1 << class_index(Class::En) != 0
    }

    pub(super) fn takes_linker(self) -> bool {
        self.strong & TAKES_LINKER != 0
    }
}

/// 1,432 words in 4,096 slots (a third full): most lookups, found or not, read one or two slots.
const SLOT_BITS: u32 = 12;

pub(super) struct WordTable {
    keys: [Key; SLOTS],
    classes: [WordClasses; SLOTS],
}

const SLOTS: usize = 1 << SLOT_BITS;

/// No word has this key (see [`Key`]): marks an empty slot.
const EMPTY: Key = Key(0);

impl WordTable {
    pub(super) fn get(&self, key: Key) -> Option<WordClasses> {
        let mask = self.keys.len() - 1;
        let mut slot = key.slot();
        loop {
            let found = self.keys[slot];
            if found == key {
                return Some(self.classes[slot]);
            }
            if found == EMPTY {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Lists `word` (ASCII, at most [`Key::MAX_BYTES`] bytes) for the class at `index`.
    const fn insert(&mut self, word: &[u8], index: usize, strong: bool, takes_linker: bool) {
        assert!(!word.is_empty() && word.len() <= Key::MAX_BYTES);
        let mut packed = 0u128;
        let mut i = word.len();
        while i > 0 {
            i -= 1;
            packed = packed << 8 | word[i] as u128;
        }
        let key = Key(packed);
        let mut slot = key.slot();
        while self.keys[slot].0 != key.0 && self.keys[slot].0 != EMPTY.0 {
            slot = (slot + 1) % SLOTS;
        }
        self.keys[slot] = key;
        let entry = &mut self.classes[slot];
        entry.classes |= 1 << index;
        if strong {
            entry.strong |= 1 << index;
        }
        if takes_linker {
            entry.strong |= TAKES_LINKER;
        }
    }

    /// Lists every word of `words` (separated by ASCII whitespace).
    const fn insert_all(&mut self, words: &str, class: Class, strong: bool) {
        let bytes = words.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            while start < bytes.len() && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
            let mut end = start;
            while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
                end += 1;
            }
            if start < end {
                let (_, rest) = bytes.split_at(start);
                let (word, _) = rest.split_at(end - start);
                let ends_in_vowel =
                    matches!(word[word.len() - 1], b'a' | b'e' | b'i' | b'o' | b'u');
                let takes_linker = matches!(class, Class::Tl) && ends_in_vowel;
                self.insert(word, class as usize, strong, takes_linker);
            }
            start = end;
        }
    }
}

/// Built at compile time: no work, and no initialisation check, when the first text comes.
static TABLE: WordTable = {
    let mut table = WordTable {
        keys: [EMPTY; SLOTS],
        classes: [WordClasses {
            classes: 0,
            strong: 0,
        }; SLOTS],
    };
    let mut i = 0;
    while i < WORD_LISTS.len() {
        let list = &WORD_LISTS[i];
        table.insert_all(list.strong, list.class, true);
        table.insert_all(list.common, list.class, false);
        i += 1;
    }
    table
};

pub(super) fn word_table() -> &'static WordTable {
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_from_the_text_are_the_keys_of_the_lowercased_words() {
        // Every word of every length at every place, near the end and in texts under 16 bytes.
        let text = b"It'S a Don'T 8elW x9'y ABCDEFGHIJKLMNOP q' 'Z''";
        for end in 1..=text.len() {
            let text = &text[..end];
            for start in 0..text.len() {
                for len in 1..=Key::MAX_BYTES.min(text.len() - start) {
                    let word = &text[start..start + len];
                    if !word
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || *b == b'\'')
                    {
                        continue;
                    }
                    let key = Key::of_ascii_word_lowercased(text, start, len);
                    assert_eq!(Some(key), Key::of(&word.to_ascii_lowercase()));
                    assert_eq!(&key.bytes()[..len], word.to_ascii_lowercase());
                }
            }
        }
    }

    #[test]
    fn every_listed_word_is_found_and_others_are_not() {
        let table = word_table();
        for list in WORD_LISTS {
            for word in list
                .strong
                .split_whitespace()
                .chain(list.common.split_whitespace())
            {
                let classes = table.get(Key::of(word.as_bytes()).unwrap()).unwrap();
                assert!(
                    classes.classes & 1 << class_index(list.class) != 0,
                    "{word}"
                );
            }
        }
        assert!(Key::of(b"").is_none(), "the empty word has no key");
        for word in [
            "x",
            "thee",
            "zzzzzzzzzzzzzzzz",
            "the'",
            "'the",
            "dumneavoastr",
        ] {
            let key = Key::of(word.as_bytes()).expect("a key");
            assert!(table.get(key).is_none(), "{word}");
        }
    }
}
