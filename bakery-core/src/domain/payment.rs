//! How an order is paid, and the one table of how its payment may move.
//!
//! Payments only move forward, and every writer (the app's confirm, the provider's webhook,
//! a cancel that refunds, the refund worker) moves them through [`PaymentStatus::can_become`]
//! with the status it read as a condition, so racing writers take effect once.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    Cash,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Cash => "cash",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Nothing taken yet (cash orders stay here; they are paid at the door).
    Pending,
    /// The money was taken.
    Completed,
    /// The last attempt was declined or the intent was canceled; the customer may still pay
    /// with another card while the order is open.
    Failed,
    /// The order was canceled after it was paid; the refund is on its way to the provider.
    RefundPending,
    /// The money went back.
    Refunded,
    /// The provider did not take the refund yet; the outbox keeps trying (and staff see it
    /// once it gives up).
    RefundFailed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::RefundPending => "refund_pending",
            Self::Refunded => "refunded",
            Self::RefundFailed => "refund_failed",
        }
    }

    /// Whether a payment in `self` may move to `next`. A declined card can still be paid;
    /// money taken can only go back; a refund only settles.
    pub fn can_become(self, next: Self) -> bool {
        use PaymentStatus::*;
        matches!(
            (self, next),
            (Pending, Completed | Failed)
                | (Failed, Completed)
                // Paid after the order was canceled: straight to its refund.
                | (Pending | Failed, RefundPending)
                | (Completed, RefundPending | Refunded)
                | (RefundPending, Refunded | RefundFailed)
                | (RefundFailed, Refunded)
        )
    }

    /// Money is (or was) with the shop and has not gone back.
    pub fn is_paid(self) -> bool {
        matches!(self, Self::Completed)
    }

    /// Nothing was ever taken: the payment can still happen, or never will.
    pub fn is_unpaid(self) -> bool {
        matches!(self, Self::Pending | Self::Failed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    pub method: PaymentMethod,
    /// The Stripe PaymentIntent id for card payments.
    pub transaction_id: Option<String>,
    pub status: PaymentStatus,
    /// The provider's refund id once the money went back.
    pub refund_id: Option<String>,
}

impl PaymentDetails {
    /// A new order's payment: nothing taken yet.
    pub fn new(method: PaymentMethod) -> Self {
        Self {
            method,
            transaction_id: None,
            status: PaymentStatus::Pending,
            refund_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentStatus::*;

    #[test]
    fn payments_only_move_forward() {
        assert!(Pending.can_become(Completed));
        assert!(Failed.can_become(Completed), "another card after a decline");
        assert!(Completed.can_become(RefundPending));
        assert!(RefundFailed.can_become(Refunded));
        for status in [
            Pending,
            Completed,
            Failed,
            RefundPending,
            Refunded,
            RefundFailed,
        ] {
            assert!(
                !status.can_become(status),
                "{status:?} to itself is no move"
            );
            assert!(!status.can_become(Pending), "nothing goes back to pending");
            assert!(!Refunded.can_become(status), "refunded is final");
        }
        assert!(
            !Completed.can_become(Failed),
            "a late decline does not undo a payment"
        );
    }
}
