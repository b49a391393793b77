//! API tokens: random secrets handed out once, stored only as SHA-256 hashes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::Actor;
use sha2::{Digest, Sha256};

/// Printed in front of every secret so a leaked token is recognisable in logs and scanners.
const SECRET_PREFIX: &str = "cdk_";
const SECRET_BYTES: usize = 32;

/// A freshly generated token secret; the only moment it exists in clear text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// 32 bytes from the operating system's CSPRNG, hex encoded.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("{SECRET_PREFIX}{}", hex::encode(bytes))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> [u8; 32] {
        hash_secret(&self.0)
    }
}

/// The value stored and looked up; the same function serves creation and every request.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Remembers recently authenticated token hashes so that a busy client does not cost a database
/// read per request. Entries expire, so a token removed from the database (by another replica or
/// by hand) stops working within `ttl`.
pub(crate) struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], (Actor, Instant)>>,
}

/// Bounds memory if someone sprays distinct valid tokens; clearing is cheap and rare.
const CACHE_CAPACITY: usize = 10_000;

impl TokenCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        TokenCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn get(&self, hash: &[u8; 32]) -> Option<Actor> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|(_, stored)| stored.elapsed() < self.ttl)
            .map(|(actor, _)| actor.clone())
    }

    pub(crate) fn put(&self, hash: [u8; 32], actor: Actor) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(hash, (actor, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Role;

    fn actor() -> Actor {
        Actor {
            name: "ana".into(),
            role: Role::Agent,
            agent_id: None,
        }
    }

    #[test]
    fn cached_tokens_expire() {
        let cache = TokenCache::new(Duration::from_millis(30));
        let hash = hash_secret("cdk_x");
        assert_eq!(cache.get(&hash), None);
        cache.put(hash, actor());
        assert_eq!(cache.get(&hash), Some(actor()));
        assert_eq!(cache.get(&hash_secret("cdk_y")), None);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&hash), None);
    }

    #[test]
    fn secrets_are_prefixed_hex_of_32_random_bytes() {
        let a = TokenSecret::generate().unwrap();
        let b = TokenSecret::generate().unwrap();
        assert_ne!(a, b);
        let hex_part = a.as_str().strip_prefix(SECRET_PREFIX).unwrap();
        assert_eq!(hex_part.len(), 64);
        assert!(hex_part.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn hash_is_sha256_of_the_whole_secret() {
        // Known SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(
            hex::encode(hash_secret("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let secret = TokenSecret::generate().unwrap();
        assert_eq!(secret.hash(), hash_secret(secret.as_str()));
    }
}
