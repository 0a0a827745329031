//! What every handler shares: the bakery and the token keys.

use std::time::Duration;

use bakery_core::services::Bakery;

use crate::auth::TokenKeys;

/// Cheap to clone; one per process, attached to every request.
#[derive(Clone)]
pub struct AppState {
    pub bakery: Bakery,
    pub tokens: TokenKeys,
    /// How long the refresh token lives, for the cookie's Max-Age.
    pub refresh_ttl: Duration,
}

impl AppState {
    pub fn new(
        bakery: Bakery,
        jwt_secret: &[u8],
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Self {
        Self {
            bakery,
            tokens: TokenKeys::new(jwt_secret, access_ttl),
            refresh_ttl,
        }
    }
}
