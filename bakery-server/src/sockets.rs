//! The open WebSockets (tracking, board), so that a stopping server says goodbye.
//!
//! An upgraded connection runs in its own task, outside what the HTTP server's graceful
//! shutdown waits for: without this, SIGTERM would end the process under open sockets and
//! every app would see a dropped TCP connection instead of a close frame. Each socket holds a
//! [`SocketGuard`]; when shutdown starts, [`Sockets::close_all`] tells them all, each sends
//! `1001` (going away: reconnect, to another instance or to this one once it is back) and
//! ends, and shutdown waits (bounded) until they have.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

/// How long shutdown waits for sockets to send their close frames; a peer that does not
/// read is not worth holding the process for.
pub const CLOSE_WAIT: Duration = Duration::from_secs(3);

/// Every open socket of this server. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Sockets {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    stopping: watch::Sender<bool>,
    open: AtomicUsize,
    closed: Notify,
}

impl Default for Sockets {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                stopping: watch::Sender::new(false),
                open: AtomicUsize::new(0),
                closed: Notify::new(),
            }),
        }
    }
}

impl Sockets {
    /// Registers a socket for as long as the guard lives.
    pub fn open(&self) -> SocketGuard {
        self.inner.open.fetch_add(1, Ordering::SeqCst);
        SocketGuard {
            inner: self.inner.clone(),
            stopping: self.inner.stopping.subscribe(),
        }
    }

    /// How many sockets are open now.
    pub fn count(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }

    /// Tells every socket (and any opened from now on) to close with 1001, and waits until
    /// all have ended or `within` has passed.
    pub async fn close_all(&self, within: Duration) {
        self.inner.stopping.send_replace(true);
        let all_closed = async {
            loop {
                let closed = self.inner.closed.notified();
                if self.count() == 0 {
                    return;
                }
                closed.await;
            }
        };
        if tokio::time::timeout(within, all_closed).await.is_err() {
            tracing::warn!(
                open = self.count(),
                "some sockets did not close in time; stopping anyway"
            );
        }
    }
}

/// One open socket's registration: ask it whether the server is stopping; dropping it
/// counts the socket closed.
#[derive(Debug)]
pub struct SocketGuard {
    inner: Arc<Inner>,
    stopping: watch::Receiver<bool>,
}

impl SocketGuard {
    /// Completes when the server starts stopping (at once if it already has).
    pub async fn stopping(&mut self) {
        if self.stopping.wait_for(|stopping| *stopping).await.is_err() {
            // The registry cannot go away while a guard holds it; never stop on that.
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.inner.open.fetch_sub(1, Ordering::SeqCst);
        self.inner.closed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn close_all_tells_every_socket_and_waits_for_them() {
        let sockets = Sockets::default();
        let mut guards: Vec<_> = (0..3).map(|_| sockets.open()).collect();
        assert_eq!(sockets.count(), 3);
        let tasks: Vec<_> = guards
            .drain(..)
            .map(|mut guard| {
                tokio::spawn(async move {
                    guard.stopping().await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                })
            })
            .collect();
        tokio::time::timeout(Duration::from_secs(2), sockets.close_all(CLOSE_WAIT))
            .await
            .expect("returns once all closed");
        assert_eq!(sockets.count(), 0);
        for task in tasks {
            task.await.unwrap();
        }
        // A socket opened after shutdown started is told at once.
        let mut late = sockets.open();
        tokio::time::timeout(Duration::from_secs(1), late.stopping())
            .await
            .expect("already stopping");
    }

    #[tokio::test]
    async fn a_socket_that_never_closes_does_not_hold_shutdown() {
        let sockets = Sockets::default();
        let _stuck = sockets.open();
        let started = std::time::Instant::now();
        sockets.close_all(Duration::from_millis(100)).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(sockets.count(), 1);
    }
}
