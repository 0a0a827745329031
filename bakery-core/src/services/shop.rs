//! The shop's opening hours: reading and setting them, and what they say about now.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::bakery::Bakery;
use super::remembered::Remembered;
use crate::domain::{Actor, OpeningHours};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::CacheScope;
use crate::rules::opening::{self, ShopStatus};

/// The hours go out of date with the catalog: setting them bumps [`CacheScope::Catalog`],
/// which also retires the cached `GET /shop/hours`.
pub(super) fn remembered_hours() -> Remembered<Option<OpeningHours>> {
    Remembered::new(vec![CacheScope::Catalog])
}

impl Bakery {
    /// The shop's time zone, in which every opening time is written.
    pub fn timezone(&self) -> Tz {
        self.settings.timezone
    }

    /// The hours staff set; `None` when never set: the shop is open always.
    pub async fn opening_hours(&self) -> Result<Option<OpeningHours>> {
        Ok(self.hours().await?.as_ref().clone())
    }

    /// The hours without a copy, from memory unless staff changed them since they were read.
    pub(super) async fn hours(&self) -> Result<Arc<Option<OpeningHours>>> {
        self.opening_hours
            .get_or_read(self.catalog_cache.as_ref(), || {
                self.store.shop.opening_hours()
            })
            .await
    }

    /// Replaces the hours (staff only). They are checked when built ([`OpeningHours::new`]).
    pub async fn set_opening_hours(&self, actor: &Actor, hours: OpeningHours) -> Result<()> {
        actor.require_staff()?;
        self.store.shop.set_opening_hours(&hours).await
    }

    /// Open now, when it next opens and when it closes, at the clock's now.
    pub async fn shop_status(&self) -> Result<ShopStatus> {
        let hours = self.hours().await?;
        Ok(opening::status(
            hours.as_ref().as_ref(),
            self.timezone(),
            self.now(),
        ))
    }

    /// Refuses an order the kitchen cannot take: an ASAP one while closed, a scheduled one
    /// for a time the shop is closed. The message says when it next opens, in the shop's
    /// local time and as an ISO time, so the app can offer to schedule.
    pub(crate) async fn check_open_for(
        &self,
        now: DateTime<Utc>,
        scheduled: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let hours = self.hours().await?;
        let Some(hours) = hours.as_ref() else {
            return Ok(());
        };
        let tz = self.timezone();
        let (at, what) = match scheduled {
            Some(at) => (at, "the shop is closed at the scheduledDeliveryTime"),
            None => (now, "the shop is closed now"),
        };
        if opening::is_open(hours, tz, at) {
            return Ok(());
        }
        let message = match opening::next_opening(hours, tz, at) {
            Some(next) => format!(
                "{what}; it next opens {} ({tz} time), {}",
                next.with_timezone(&tz).format("%A %-d %B %Y at %H:%M"),
                next.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            None => format!(
                "{what}, and does not open in the {} days after",
                opening::SEARCH_DAYS
            ),
        };
        Err(Error::conflict(ConflictCode::ShopClosed, message))
    }
}
