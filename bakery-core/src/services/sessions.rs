//! Who is behind an access token, now: the account's current role, and only while the session
//! (refresh-token family) the token names is live. So logout, a replayed refresh token, a
//! password reset, a role change or a deleted account take effect on the very next request.
//!
//! One store round trip per session at most, then cached in the process under the account's
//! [`CacheScope::Session`] generation: the use cases that end sessions or change roles bump it,
//! and with Redis the bump reaches every instance. An entry also expires after
//! [`SESSION_CACHE_TTL`], which bounds what a change made outside every server (the operator's
//! `create-admin` on a shop without Redis) can take to show.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Actor, Bakery};
use crate::domain::{Id, Role};
use crate::error::{Error, Result};
use crate::ports::CacheScope;

/// See the module doc.
pub const SESSION_CACHE_TTL: Duration = Duration::from_secs(30);

/// Entries kept before the cache starts over; an entry is a few dozen bytes.
const CAPACITY: usize = 50_000;

const ENDED: &str = "this session has ended; sign in again";

#[derive(Clone, Copy)]
struct Entry {
    role: Role,
    generation: u64,
    at: Instant,
}

/// The live sessions this process has checked, by (account, family).
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<(Id, Id), Entry>>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").finish_non_exhaustive()
    }
}

impl Bakery {
    /// The actor an access token for `user` in session `family` stands for, with the role
    /// the account has now; `Unauthorized` when the session or the account is gone.
    pub async fn authenticate(&self, user: &Id, family: &Id) -> Result<Actor> {
        let scope = [CacheScope::Session(user.clone())];
        let snapshot = self.catalog_cache.snapshot();
        let key = (user.clone(), family.clone());
        let current = self
            .catalog_cache
            .generations(&scope, snapshot)
            .and_then(|g| g.first().map(|(_, n)| *n));
        if let Some(generation) = current {
            let cached = self
                .sessions
                .entries
                .lock()
                .ok()
                .and_then(|e| e.get(&key).copied());
            if let Some(entry) =
                cached.filter(|e| e.generation == generation && e.at.elapsed() < SESSION_CACHE_TTL)
            {
                return Ok(Actor {
                    user_id: user.clone(),
                    role: entry.role,
                });
            }
        }
        let account = self
            .store
            .accounts
            .get_user(user)
            .await?
            .ok_or(Error::Unauthorized(ENDED))?;
        if !self
            .store
            .auth_secrets
            .session_is_live(user, family)
            .await?
        {
            return Err(Error::Unauthorized(ENDED));
        }
        // Cached only when nothing about the account moved while it was read.
        let generation = self
            .catalog_cache
            .generations(&scope, snapshot)
            .and_then(|g| g.first().map(|(_, n)| *n));
        if let (Some(generation), Ok(mut entries)) = (generation, self.sessions.entries.lock()) {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    role: account.role,
                    generation,
                    at: Instant::now(),
                },
            );
        }
        Ok(Actor {
            user_id: user.clone(),
            role: account.role,
        })
    }

    /// After a session ended or the account's role changed: every instance forgets what it
    /// cached about the account.
    pub(crate) async fn sessions_changed(&self, user: &Id) {
        if let Ok(mut entries) = self.sessions.entries.lock() {
            entries.retain(|(account, _), _| account != user);
        }
        self.catalog_cache
            .bump(&[CacheScope::Session(user.clone())])
            .await;
    }
}
