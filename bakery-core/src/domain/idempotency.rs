//! What makes a retried write safe: the client's key for one logical request, and a digest of
//! what the request asked, so the same key with another request is caught.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The `Idempotency-Key` a client sends with a write it may retry: 1 to 255 visible ASCII
/// characters (`!`..=`~`), as Stripe accepts. Clients are told to send 128 random bits (a
/// UUID v4, 32 hex digits); the server does not insist, but keys are scoped to the user who
/// sent them, so a guessable key only collides with its own sender's requests.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The longest key accepted.
    pub const MAX_LEN: usize = 255;
    /// The header it travels in, named in errors so a client knows which input is at fault.
    pub const HEADER: &'static str = "Idempotency-Key";

    /// Parses the header's value; nothing is trimmed, since a key is compared byte for byte.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(Error::validation(
                Self::HEADER,
                format!("must be 1 to {} characters", Self::MAX_LEN),
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::validation(
                Self::HEADER,
                "must be visible ASCII characters only (no spaces)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keys may be secrets of a sort (a client's retry handle): logs show their length only.
impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({} chars)", self.0.len())
    }
}

/// A digest of what a request asks for (its operation, its target and its parsed body), so
/// that reusing a key for a different request is refused instead of answered with the first
/// request's outcome. Built from the parsed body, not its bytes: the same JSON with other
/// spacing or key order is the same request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestFingerprint(String);

impl RequestFingerprint {
    /// SHA-256 over the parts, each prefixed by its length so no two lists of parts hash
    /// alike by shifting bytes from one part to the next.
    pub fn of(parts: &[&[u8]]) -> Self {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        Self(hex::encode(hash.finalize()))
    }

    /// A fingerprint as a store kept it.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        for good in [
            "a",
            "0b1f7c9e-3d2a-4f4e-9c1b-2a3d4e5f6a7b",
            "!~",
            &"k".repeat(255),
        ] {
            assert!(IdempotencyKey::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["", " a", "a b", "a\t", "é", "a\u{0}", &"k".repeat(256)] {
            match IdempotencyKey::parse(bad) {
                Err(Error::Validation { field, .. }) => assert_eq!(field, "Idempotency-Key"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn fingerprints_tell_parts_apart() {
        let ab = RequestFingerprint::of(&[b"ab", b"c"]);
        assert_eq!(ab, RequestFingerprint::of(&[b"ab", b"c"]));
        assert_ne!(ab, RequestFingerprint::of(&[b"a", b"bc"]));
        assert_eq!(ab.as_str().len(), 64);
    }
}
