//! Password hashing off the async workers.
//!
//! An argon2 hash or check is tens of milliseconds of pure CPU. Run on an async worker it
//! holds that worker for all of it, and a handful of concurrent logins stall every other
//! request (health checks included) behind them. Here each one runs on tokio's blocking
//! threads, at most `parallel` at once; up to `queue` more wait their turn, and beyond that a
//! caller is refused at once with [`Error::Busy`]: a quick 503 the client can retry beats a
//! login that hangs while it drags every other request down with it.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};
use crate::secrets;

/// How many hashes may run and wait at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingLimits {
    /// Hashes running at once: more than the cores would only slow each of them down.
    pub parallel: usize,
    /// Hashes waiting for a turn; the next one is refused with [`Error::Busy`].
    pub queue: usize,
}

/// What a refused caller is told to wait: a hash takes tens of milliseconds, so by then the
/// queue has moved on many times over.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

impl Default for HashingLimits {
    /// One hash per core, and four times that waiting (on 2 cores: 2 running, 8 waiting,
    /// which is well under a second of wait for the last in line).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            parallel: cores,
            queue: 4 * cores,
        }
    }
}

/// Cheap to clone; every clone shares the same bounds.
#[derive(Clone, Debug)]
pub struct HashingPool {
    /// Turns to run: `parallel` permits.
    running: Arc<Semaphore>,
    /// Places in the building: `parallel + queue` permits, taken without waiting.
    admitted: Arc<Semaphore>,
    limits: HashingLimits,
}

impl Default for HashingPool {
    fn default() -> Self {
        Self::new(HashingLimits::default())
    }
}

impl HashingPool {
    /// A pool with at least one running place (zero would refuse every password).
    pub fn new(limits: HashingLimits) -> Self {
        let parallel = limits.parallel.max(1);
        Self {
            running: Arc::new(Semaphore::new(parallel)),
            admitted: Arc::new(Semaphore::new(parallel + limits.queue)),
            limits: HashingLimits {
                parallel,
                queue: limits.queue,
            },
        }
    }

    pub fn limits(&self) -> HashingLimits {
        self.limits
    }

    /// Hashes running or waiting right now, for metrics and for tests that need the pool
    /// full before they go on.
    pub fn in_use(&self) -> usize {
        self.limits.parallel + self.limits.queue - self.admitted.available_permits()
    }

    /// Runs `work` on a blocking thread once a turn is free, or refuses with
    /// [`Error::Busy`] when `parallel` are running and `queue` already wait.
    ///
    /// The permits travel with the work, so a caller that goes away (a client that hung up)
    /// frees its place in the queue at once but its running hash keeps its turn until it
    /// ends: the bound is on CPU actually in use, not on callers still listening.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| busy())?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| busy())?;
        tokio::task::spawn_blocking(move || {
            let _turn: (OwnedSemaphorePermit, OwnedSemaphorePermit) = (admitted, running);
            work()
        })
        .await
        .map_err(Error::internal)
    }

    /// [`secrets::hash_password`] in the pool; a password of the wrong length is refused
    /// before it takes a place.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        secrets::check_password(password)?;
        let password = password.to_owned();
        self.run(move || secrets::hash_password(&password)).await?
    }

    /// [`secrets::verify_password`] in the pool.
    pub async fn verify_password(&self, password: &str, stored: &str) -> Result<bool> {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        self.run(move || secrets::verify_password(&password, &stored))
            .await
    }
}

fn busy() -> Error {
    Error::Busy {
        retry_after_secs: BUSY_RETRY_AFTER_SECS,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refuses_beyond_the_queue_and_serves_the_queue_in_turn() {
        let pool = HashingPool::new(HashingLimits {
            parallel: 1,
            queue: 2,
        });
        let (release, held) = mpsc::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let running = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    let _ = started_tx.send(());
                    held.recv_timeout(Duration::from_secs(30)).is_ok()
                })
                .await
            }
        });
        started.await.unwrap();
        let waiting: Vec<_> = (0..2)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.run(move || i).await })
            })
            .collect();
        // Both are admitted (the queue holds two) and wait for the running one.
        while pool.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        match pool.run(|| ()).await {
            Err(Error::Busy { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
        release.send(()).unwrap();
        assert!(running.await.unwrap().unwrap());
        for (i, w) in waiting.into_iter().enumerate() {
            assert_eq!(w.await.unwrap().unwrap(), i);
        }
        // Everyone is through: the whole queue is free again.
        assert_eq!(pool.admitted.available_permits(), 3);
        pool.run(|| ()).await.unwrap();
    }

    #[tokio::test]
    async fn a_caller_that_leaves_the_queue_frees_its_place() {
        let pool = HashingPool::new(HashingLimits {
            parallel: 1,
            queue: 1,
        });
        let (release, held) = mpsc::channel::<()>();
        let running = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || held.recv_timeout(Duration::from_secs(30)).is_ok())
                    .await
            }
        });
        while pool.running.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let waiter = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| ()).await }
        });
        while pool.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(pool.run(|| ()).await, Err(Error::Busy { .. })));
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(pool.admitted.available_permits(), 1);
        release.send(()).unwrap();
        assert!(running.await.unwrap().unwrap());
    }

    #[tokio::test]
    async fn hashes_and_verifies_in_the_pool() {
        let pool = HashingPool::default();
        let hash = pool.hash_password("correct horse").await.unwrap();
        assert!(pool.verify_password("correct horse", &hash).await.unwrap());
        assert!(!pool.verify_password("wrong horse", &hash).await.unwrap());
        assert!(matches!(
            pool.hash_password("short").await,
            Err(Error::Validation { .. })
        ));
    }
}
