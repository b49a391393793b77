//! A fixed development / test split of every outside set, so rules can be tuned by looking at
//! one half while the other half stays unseen until the final measurement.

use serde::{Deserialize, Serialize};

/// Which rows of each outside set a run uses. A row's half depends only on its text (FNV-1a
/// hash, even = development), so it is the same in every run, in every order of the file and
/// with any `--limit`, and needs no list of row numbers kept anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    #[default]
    All,
    /// Rows whose text hash is even: the half to read errors from while writing rules.
    Dev,
    /// Rows whose text hash is odd: measured, never read.
    Test,
}

impl Half {
    pub fn as_str(self) -> &'static str {
        match self {
            Half::All => "all",
            Half::Dev => "dev",
            Half::Test => "test",
        }
    }

    pub fn parse(name: &str) -> Option<Half> {
        match name {
            "all" => Some(Half::All),
            "dev" => Some(Half::Dev),
            "test" => Some(Half::Test),
            _ => None,
        }
    }

    pub(crate) fn keeps(self, text: &str) -> bool {
        match self {
            Half::All => true,
            Half::Dev => fnv1a(text).is_multiple_of(2),
            Half::Test => !fnv1a(text).is_multiple_of(2),
        }
    }
}

/// 64-bit FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_partition_the_rows() {
        let texts: Vec<String> = (0..1000).map(|i| format!("row number {i}")).collect();
        let dev = texts.iter().filter(|t| Half::Dev.keeps(t)).count();
        let test = texts.iter().filter(|t| Half::Test.keeps(t)).count();
        assert_eq!(dev + test, texts.len());
        assert!((400..600).contains(&dev), "{dev}");
        assert!(texts.iter().all(|t| Half::All.keeps(t)));
    }

    #[test]
    fn hash_is_the_published_fnv1a() {
        // Reference values of 64-bit FNV-1a: a row's half must never change between versions.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert!(Half::Dev.keeps("a"));
    }

    #[test]
    fn names_round_trip() {
        for half in [Half::All, Half::Dev, Half::Test] {
            assert_eq!(Half::parse(half.as_str()), Some(half));
        }
        assert_eq!(Half::parse("train"), None);
    }
}
