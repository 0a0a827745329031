//! Generating, hashing and checking the shop's secrets: OTP codes, refresh tokens, passwords.

use argon2::password_hash::{
    rand_core::OsRng as PhcRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::error::Error;

type HmacSha256 = Hmac<Sha256>;

/// A server-side key for hashing OTPs: without it, a copy of the database cannot be used to
/// brute-force the 10^6 possible codes offline.
#[derive(Clone)]
pub struct OtpKey(Vec<u8>);

impl OtpKey {
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < 16 {
            return Err(Error::validation("otpSecret", "must be at least 16 bytes"));
        }
        Ok(Self(secret.to_vec()))
    }

    /// A random key for a process that keeps no OTPs across restarts (tests, demos).
    pub fn random() -> Self {
        let mut key = vec![0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self(key)
    }

    fn mac(&self, phone: &str, code: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(phone.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        mac
    }

    /// The hash stored for a code; bound to the phone so codes cannot be swapped between rows.
    pub fn hash(&self, phone: &str, code: &str) -> String {
        hex::encode(self.mac(phone, code).finalize().into_bytes())
    }

    /// Constant-time comparison against a stored hash.
    pub fn verify(&self, phone: &str, code: &str, stored_hash: &str) -> bool {
        match hex::decode(stored_hash) {
            Ok(bytes) => self.mac(phone, code).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

impl std::fmt::Debug for OtpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpKey(..)")
    }
}

/// Six uniformly random digits from the operating system's CSPRNG.
pub fn new_otp_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// A refresh token: 256 random bits, hex, and the SHA-256 that is all the store keeps.
/// A fast hash is right here: the token has full entropy, unlike a password.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The length rule every new password follows, checked apart from the hash so that a
/// refusal costs no hashing time.
pub fn check_password(password: &str) -> Result<(), Error> {
    let chars = password.chars().count();
    if !(8..=128).contains(&chars) {
        return Err(Error::validation("password", "must be 8 to 128 characters"));
    }
    Ok(())
}

/// Staff and customers who choose a password get argon2id with a random salt. CPU-heavy:
/// the use cases call it through their hashing pool, never on an async worker.
pub fn hash_password(password: &str) -> Result<String, Error> {
    check_password(password)?;
    let salt = SaltString::generate(&mut PhcRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(e.to_string()))
}

/// CPU-heavy like [`hash_password`], and called the same way.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_otp_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn otp_hash_depends_on_key_phone_and_code() {
        let key = OtpKey::random();
        let h = key.hash("+441", "123456");
        assert!(key.verify("+441", "123456", &h));
        assert!(!key.verify("+441", "123457", &h));
        assert!(!key.verify("+442", "123456", &h));
        assert!(!OtpKey::random().verify("+441", "123456", &h));
        assert!(!key.verify("+441", "123456", "not hex"));
    }

    #[test]
    fn refresh_tokens_hash_consistently() {
        let (token, hash) = new_refresh_token();
        assert_eq!(hash_refresh_token(&token), hash);
        assert_ne!(new_refresh_token().0, token);
    }

    #[test]
    fn passwords_round_trip_and_are_bounded() {
        let stored = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("wrong horse", &stored));
        assert!(!verify_password("correct horse", "garbage"));
        assert!(hash_password("short").is_err());
    }
}
