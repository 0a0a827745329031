//! Tracking tickets: how a browser, which cannot put a bearer header on a WebSocket, opens
//! the tracking socket. `POST /orders/{id}/track/ticket` (with the bearer header) gives a
//! ticket; the socket takes it once as `?ticket=`, within 60 seconds.
//!
//! A ticket is self-contained and signed (HMAC-SHA256 under a key derived from the JWT
//! secret, which every instance shares): `order.user.role.expiry.nonce.mac`. So any instance
//! can check it without a lookup. Single use is the one shared fact: the first redemption
//! counts the nonce in the rate limiter (`ticket:<nonce>`, at most 1 per window), which is
//! Redis for a fleet, so a second use is refused on every instance. Tickets are not access
//! tokens: they open only the socket of their order, and the token keys refuse them.

use std::time::Duration;

use bakery_core::domain::{Id, Role};
use bakery_core::ports::RateLimit;
use bakery_core::services::Actor;
use bakery_core::Error;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// How long a ticket may wait before it is used.
pub const TICKET_TTL: Duration = Duration::from_secs(60);

/// The single-use window: longer than the ticket lives, so the count outlives the ticket.
const REDEEMED_FOR: Duration = Duration::from_secs(2 * 60);

#[derive(Clone)]
pub struct Tickets {
    key: [u8; 32],
}

impl Tickets {
    /// Keys derived from the JWT secret, so instances that accept each other's tokens accept
    /// each other's tickets, and a ticket's MAC can never pass as a token's signature.
    pub fn new(jwt_secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"bakery tracking ticket v1\0");
        hasher.update(jwt_secret);
        Self {
            key: hasher.finalize().into(),
        }
    }

    fn mac(&self, payload: &str) -> String {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC accepts a 32-byte key");
        mac.update(payload.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A ticket for `actor` to open `order`'s socket until `now + TICKET_TTL`.
    pub fn issue(&self, actor: &Actor, order: &Id, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let expires = now + chrono::Duration::seconds(TICKET_TTL.as_secs() as i64);
        let mut nonce = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut nonce);
        let payload = format!(
            "{order}.{}.{}.{}.{}",
            actor.user_id,
            actor.role.as_str(),
            expires.timestamp(),
            hex::encode(nonce)
        );
        let mac = self.mac(&payload);
        (format!("{payload}.{mac}"), expires)
    }

    /// Who the ticket is for and its nonce, when it is genuine, for `order` and not expired.
    /// Does not spend it (see [`spend`]).
    pub fn check(
        &self,
        ticket: &str,
        order: &Id,
        now: DateTime<Utc>,
    ) -> Result<(Actor, String), ApiError> {
        let bad = || ApiError::unauthorized("invalid or expired tracking ticket");
        let (payload, mac) = ticket.rsplit_once('.').ok_or_else(bad)?;
        let expected = self.mac(payload);
        // Constant-time comparison of the two hex strings.
        let same = expected.len() == mac.len()
            && expected
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return Err(bad());
        }
        let parts: Vec<&str> = payload.split('.').collect();
        let [for_order, user, role, expires, nonce] = parts[..] else {
            return Err(bad());
        };
        if for_order != order.as_str() {
            return Err(bad());
        }
        let expires: i64 = expires.parse().map_err(|_| bad())?;
        if expires <= now.timestamp() {
            return Err(bad());
        }
        let actor = Actor {
            user_id: Id::parse("ticket", user).map_err(|_| bad())?,
            role: Role::parse(role).map_err(|_| bad())?,
        };
        Ok((actor, nonce.to_owned()))
    }
}

/// Spends a checked ticket: the first call for a nonce passes, every later one (on any
/// instance sharing the limiter) is refused.
pub async fn spend(
    limiter: &dyn bakery_core::ports::RateLimiter,
    nonce: &str,
) -> Result<(), ApiError> {
    let once = RateLimit {
        max: 1,
        window: REDEEMED_FOR,
    };
    match limiter.hit(&format!("ticket:{nonce}"), once).await {
        Ok(()) => Ok(()),
        Err(Error::RateLimited { .. }) => Err(ApiError::unauthorized(
            "this tracking ticket was already used",
        )),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            user_id: Id::generate(),
            role: Role::Customer,
        }
    }

    #[test]
    fn a_ticket_opens_its_order_until_it_expires() {
        let tickets = Tickets::new(b"0123456789abcdef0123456789abcdef");
        let who = actor();
        let order = Id::generate();
        let now = Utc::now();
        let (ticket, expires) = tickets.issue(&who, &order, now);
        assert_eq!((expires - now).num_seconds(), 60);
        let (actor, _) = tickets.check(&ticket, &order, now).unwrap();
        assert_eq!(actor, who);
        assert!(tickets.check(&ticket, &Id::generate(), now).is_err());
        assert!(tickets
            .check(&ticket, &order, now + chrono::Duration::seconds(60))
            .is_err());
        let other = Tickets::new(b"another-secret-another-secret-xx");
        assert!(other.check(&ticket, &order, now).is_err());
        let tampered = ticket.replacen("customer", "admin", 1);
        assert!(tickets.check(&tampered, &order, now).is_err());
    }

    #[tokio::test]
    async fn a_ticket_is_spent_once() {
        let limiter = bakery_core::adapters::MemoryRateLimiter::default();
        spend(&limiter, "abc").await.unwrap();
        assert!(spend(&limiter, "abc").await.is_err());
        spend(&limiter, "def").await.unwrap();
    }
}
