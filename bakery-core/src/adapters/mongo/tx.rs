//! Multi-document transactions with the retries MongoDB expects of its clients.
//!
//! Two transactions writing the same document do not wait for each other: the later one
//! fails with a write conflict labelled `TransientTransactionError`, and the whole transaction
//! must be run again. A commit whose outcome is unknown (`UnknownTransactionCommitResult`) is
//! safe to send again. The driver's `and_run` does this too, but its callback cannot borrow
//! the caller's arguments; this loop lends the session to an ordinary future instead.

use std::future::Future;
use std::time::Duration;

use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::ClientSession;
use rand::Rng;

use super::docs::internal;
use super::MongoStore;
use crate::error::Error;

/// Enough for a burst of customers racing for the same product: each round lets at least one
/// of them through, and the jittered back-off spreads the rest out.
const MAX_ATTEMPTS: u32 = 100;
const MAX_COMMIT_ATTEMPTS: u32 = 5;

/// Why a transaction body stopped.
pub(super) enum TxError {
    /// Retried when labelled transient, else internal.
    Driver(mongodb::error::Error),
    /// A domain outcome (out of stock, duplicate...): abort and return it as is.
    Domain(Error),
    /// A concurrent writer committed first in a way the server reports as a plain error
    /// (e.g. a duplicate key on a value that was free in this snapshot): run again.
    Raced(mongodb::error::Error),
}

impl From<mongodb::error::Error> for TxError {
    fn from(e: mongodb::error::Error) -> Self {
        Self::Driver(e)
    }
}

impl From<Error> for TxError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

pub(super) type TxResult<T> = Result<T, TxError>;

impl MongoStore {
    /// Runs `body` in a transaction until it commits, fails for a domain reason, or fails for
    /// a reason a retry cannot fix. The body receives the session by value and hands it back,
    /// so it may borrow anything the caller can.
    pub(super) async fn transaction<R, F, Fut>(&self, mut body: F) -> Result<R, Error>
    where
        F: FnMut(ClientSession) -> Fut,
        Fut: Future<Output = (ClientSession, TxResult<R>)>,
    {
        let mut session = self.client.start_session().await.map_err(internal)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            session.start_transaction().await.map_err(internal)?;
            let (returned, outcome) = body(session).await;
            session = returned;
            let (failure, retry) = match outcome {
                Ok(value) => match commit(&mut session).await {
                    Ok(()) => return Ok(value),
                    Err(e) => {
                        let transient = e.contains_label(TRANSIENT_TRANSACTION_ERROR);
                        (e, transient)
                    }
                },
                Err(e) => {
                    // The server may already have aborted it after a failed command; either
                    // way nothing of it is kept, so a failing abort changes nothing.
                    if let Err(abort) = session.abort_transaction().await {
                        tracing::debug!(error = %abort, "abort after a failed transaction");
                    }
                    match e {
                        TxError::Domain(e) => return Err(e),
                        TxError::Raced(e) => (e, true),
                        TxError::Driver(e) => {
                            let transient = e.contains_label(TRANSIENT_TRANSACTION_ERROR);
                            (e, transient)
                        }
                    }
                }
            };
            if !retry || attempt >= MAX_ATTEMPTS {
                return Err(internal(failure));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

async fn commit(session: &mut ClientSession) -> Result<(), mongodb::error::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match session.commit_transaction().await {
            Err(e)
                if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT)
                    && attempt < MAX_COMMIT_ATTEMPTS => {}
            other => return other,
        }
    }
}

/// Random, growing and capped, so that losers of a conflict do not collide again in lockstep.
fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = u64::from(attempt.min(20)) * 5;
    Duration::from_millis(rand::thread_rng().gen_range(1..=ceiling_ms))
}
