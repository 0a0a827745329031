use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A resource id: 24 lower-case hex digits laid out like a MongoDB ObjectId (4 bytes of
/// seconds, 5 random bytes fixed per process, a 3-byte counter), on every store, so clients
/// cannot tell which store served them. Ids from one process sort in creation order, which
/// the stores use to break ties between equal timestamps.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(String);

static COUNTER: AtomicU32 = AtomicU32::new(0);
static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();

impl Id {
    pub fn generate() -> Self {
        let secs = chrono::Utc::now().timestamp() as u32;
        let process = PROCESS.get_or_init(|| {
            let mut random = [0u8; 5];
            rand::thread_rng().fill_bytes(&mut random);
            random
        });
        let count = COUNTER.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&secs.to_be_bytes());
        bytes[4..9].copy_from_slice(process);
        bytes[9..].copy_from_slice(&count.to_be_bytes()[1..]);
        Self(hex::encode(bytes))
    }

    /// Parses a client-supplied id; `field` names the input in the error.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        if raw.len() == 24 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(raw.to_ascii_lowercase()))
        } else {
            Err(Error::validation(
                field,
                "must be a 24-character hexadecimal id",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Id {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse("id", &value)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_unique_hex_in_creation_order() {
        let ids: Vec<Id> = (0..1000).map(|_| Id::generate()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(Id::parse("id", ids[0].as_str()).is_ok());
    }

    #[test]
    fn rejects_non_hex_and_wrong_length() {
        assert!(Id::parse("product", "zz").is_err());
        assert!(Id::parse("product", "0123456789abcdef0123456g").is_err());
        let upper = Id::parse("product", "0123456789ABCDEF01234567").unwrap();
        assert_eq!(upper.as_str(), "0123456789abcdef01234567");
    }
}
