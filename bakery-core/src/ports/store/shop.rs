//! The shop's own settings that staff edit at run time (its opening hours, its delivery
//! zones), one document each: configuration that lives in the store so every instance of a
//! fleet reads the same.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{DeliveryArea, OpeningHours};

#[async_trait]
pub trait ShopStore: Send + Sync {
    /// The hours staff last set; `None` when never set (the shop is open always).
    async fn opening_hours(&self) -> StoreResult<Option<OpeningHours>>;

    /// Replaces the hours as a whole (last write wins: one staff screen edits them).
    async fn set_opening_hours(&self, hours: &OpeningHours) -> StoreResult<()>;

    /// The zones staff last drew; `None` when never set (the shop delivers anywhere).
    async fn delivery_area(&self) -> StoreResult<Option<DeliveryArea>>;

    /// Replaces the zones as a whole (last write wins, like the hours).
    async fn set_delivery_area(&self, area: &DeliveryArea) -> StoreResult<()>;
}
