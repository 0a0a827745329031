//! The shop's delivery zones: reading and setting them, and the terms a delivery to an
//! address gets.

use std::sync::Arc;

use super::bakery::Bakery;
use super::remembered::Remembered;
use crate::domain::{Actor, DeliveryAddress, DeliveryArea, Fulfilment};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::CacheScope;
use crate::rules::zones::{self, Coverage, DeliveryTerms};

/// Like the hours: setting the zones bumps [`CacheScope::Catalog`] on every instance.
pub(super) fn remembered_area() -> Remembered<Option<DeliveryArea>> {
    Remembered::new(vec![CacheScope::Catalog])
}

impl Bakery {
    /// The zones staff drew; `None` when never set: the shop delivers anywhere.
    pub async fn delivery_area(&self) -> Result<Option<DeliveryArea>> {
        Ok(self.area().await?.as_ref().clone())
    }

    async fn area(&self) -> Result<Arc<Option<DeliveryArea>>> {
        self.delivery_area
            .get_or_read(self.catalog_cache.as_ref(), || {
                self.store.shop.delivery_area()
            })
            .await
    }

    /// Replaces the zones (staff only); they are checked when built ([`DeliveryArea::new`]).
    /// Orders already placed keep the fee they were charged.
    pub async fn set_delivery_area(&self, actor: &Actor, area: DeliveryArea) -> Result<()> {
        actor.require_staff()?;
        self.store.shop.set_delivery_area(&area).await
    }

    /// What delivering to `address` costs and takes, or why it cannot be delivered. A pickup
    /// has no address and no terms to look up.
    pub(crate) async fn delivery_terms(
        &self,
        fulfilment: Fulfilment,
        address: Option<&DeliveryAddress>,
    ) -> Result<DeliveryTerms> {
        let address = match (fulfilment, address) {
            (Fulfilment::Pickup, _) => return Ok(DeliveryTerms::pickup()),
            (Fulfilment::Delivery, Some(address)) => address,
            (Fulfilment::Delivery, None) => {
                return Err(Error::validation(
                    "deliveryAddress",
                    "required for delivery",
                ))
            }
        };
        let area = self.area().await?;
        match zones::coverage(area.as_ref().as_ref(), address) {
            Coverage::Anywhere => Ok(DeliveryTerms::flat(&self.settings.pricing)),
            Coverage::Zone(zone) => Ok(DeliveryTerms::of_zone(zone)),
            Coverage::Outside => Err(Error::conflict(
                ConflictCode::OutsideDeliveryArea,
                format!(
                    "the shop does not deliver to {} {}; see GET /shop/zones, or collect \
                     the order (fulfilment: pickup)",
                    address.zip_code, address.city
                ),
            )),
        }
    }
}
