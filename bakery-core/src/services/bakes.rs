//! Daily bakes: what is left of a product's bake today, as the catalog shows it, and what an
//! order takes from which day's bake.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::Bakery;
use crate::domain::{Id, Order, Product, TodaysBake};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::DailyTake;
use crate::rules::{bakes, opening};

impl Bakery {
    /// The shop's local calendar day now: the day an ASAP order takes from, and the one the
    /// catalog's `leftToday` counts.
    pub fn today(&self) -> NaiveDate {
        bakes::bake_day(self.timezone(), self.now(), None)
    }

    /// Fills [`Product::today`] for the products with a daily quantity, from one read of the
    /// day's counts (none when no product has one).
    pub(crate) async fn with_bakes(&self, products: &mut [Product]) -> Result<()> {
        let ids: Vec<Id> = products
            .iter()
            .filter(|p| p.daily_quantity.is_some())
            .map(|p| p.id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let day = self.today();
        let taken = self.store.orders.bakes_taken(day, &ids).await?;
        let mut next_available: Option<Option<DateTime<Utc>>> = None;
        for product in products.iter_mut() {
            let Some(quantity) = product.daily_quantity else {
                continue;
            };
            let taken = taken
                .iter()
                .find(|(id, _)| id == &product.id)
                .map_or(0, |(_, t)| *t);
            let left = bakes::left(quantity, taken);
            let next = if left == 0 {
                match next_available {
                    Some(next) => next,
                    None => {
                        let next = self.next_bake_after(day).await?;
                        next_available = Some(next);
                        next
                    }
                }
            } else {
                None
            };
            product.today = Some(TodaysBake {
                day,
                left,
                next_available: next,
            });
        }
        Ok(())
    }

    /// When a bake of a day after `day` can next be ordered, from the opening hours.
    async fn next_bake_after(&self, day: NaiveDate) -> Result<Option<DateTime<Utc>>> {
        let hours = self.hours().await?;
        Ok(bakes::next_available(
            hours.as_ref().as_ref(),
            self.timezone(),
            day,
        ))
    }

    /// What `order` takes from the daily bakes of `products` (the lines carry their day).
    pub(crate) fn daily_takes(order: &Order, products: &[Product]) -> Vec<DailyTake> {
        let quantities: Vec<(Id, u32)> = products
            .iter()
            .filter_map(|p| p.daily_quantity.map(|q| (p.id.clone(), q)))
            .collect();
        DailyTake::of(order, &quantities)
    }

    /// Adds to a store's sold-out refusal when the product is next available, in the shop's
    /// local time and as an ISO time, so the app can offer a later day; other errors pass.
    pub(crate) async fn explain_sold_out(&self, error: Error, day: NaiveDate) -> Error {
        let Error::Conflict {
            code: ConflictCode::SoldOutForTheDay,
            message,
        } = error
        else {
            return error;
        };
        let tz = self.timezone();
        let next = match self.next_bake_after(day).await {
            Ok(Some(next)) => format!(
                "; next available {} ({tz} time), {}",
                next.with_timezone(&tz).format("%A %-d %B %Y at %H:%M"),
                next.to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
            Ok(None) => format!(
                "; the shop does not open in the {} days after",
                opening::SEARCH_DAYS
            ),
            // The refusal stands without its hint.
            Err(_) => String::new(),
        };
        Error::conflict(ConflictCode::SoldOutForTheDay, format!("{message}{next}"))
    }
}
