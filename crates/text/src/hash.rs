//! FxHash (the hash rustc uses for its own tables): a few instructions per byte, against the
//! standard library's SipHash, which resists collision attacks and costs far more on short keys.
//! For maps whose keys are fixed word lists (rule packs, message files), where nobody
//! outside chooses what goes in.

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// For `HashMap<K, V, FxBuildHasher>` (created with `HashMap::default()`).
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;
