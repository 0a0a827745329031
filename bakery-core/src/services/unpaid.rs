//! Card orders nobody paid: canceled at their deadline so their stock and promotion use go
//! back on sale, on whichever instance gets there first.

use std::future::Future;
use std::time::Duration;

use super::{Actor, Bakery};
use crate::domain::OrderStatus;
use crate::error::Result;

/// How often each instance looks for orders past their deadline; an order is canceled at
/// most this long after it.
const SWEEP_EVERY: Duration = Duration::from_secs(15);

/// Orders canceled per read.
const BATCH: u32 = 50;

impl Bakery {
    /// Cancels unpaid card orders at their deadline until `shutdown` completes. Run one per
    /// process; several processes may run theirs on the same store.
    pub async fn run_payment_deadlines(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.cancel_unpaid_orders().await {
                tracing::warn!(error = ?e, "could not cancel unpaid orders; will try again");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    }

    /// Cancels card orders left unpaid past [`Settings::card_payment_timeout`], giving back
    /// their stock and promotion use. Safe to run on every instance at once: each cancel is
    /// conditional on the order still being placed and unpaid, so one instance wins each.
    /// Returns how many this call canceled.
    ///
    /// [`Settings::card_payment_timeout`]: super::Settings::card_payment_timeout
    pub async fn cancel_unpaid_orders(&self) -> Result<usize> {
        let deadline = self.now() - self.settings.card_payment_timeout;
        let shop = Actor::shop();
        let mut canceled = 0;
        loop {
            let due = self.store.orders.awaiting_payment(deadline, BATCH).await?;
            let batch = due.len();
            let mut moved = 0;
            for order in due {
                let reason =
                    "We did not receive your card payment in time, so the order was canceled.";
                let request = self.transition(&order, &shop, OrderStatus::Canceled, Some(reason));
                if let Some(updated) = self.store.orders.transition_order(&request).await? {
                    self.committed(&request.effects);
                    self.publish(&updated, super::orders::status_change(&updated))
                        .await;
                    tracing::info!(order = %order.id, "unpaid card order canceled at its deadline");
                    moved += 1;
                }
            }
            canceled += moved;
            // A full batch that moved nothing was all taken by another instance; the next
            // round would read the same orders.
            if batch < BATCH as usize || moved == 0 {
                return Ok(canceled);
            }
        }
    }
}
