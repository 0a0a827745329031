//! The kitchen's view of the order book: what to make, rather than what to deliver.

use chrono::NaiveDate;

use super::{Actor, Bakery};
use crate::error::Result;
use crate::rules::prep::{PrepDay, PrepList, PrepTally};

/// Orders read per store call: a bakery day is a few thousand orders at most, so a handful
/// of pages, none of which holds the whole day in one driver buffer.
const PREP_PAGE: u32 = 500;

impl Bakery {
    /// What must be made on `date`, the shop's local calendar day (staff only): every order
    /// due that day and not canceled, summed per product and split by half-hour slot.
    #[tracing::instrument(skip(self), fields(actor = %actor.user_id))]
    pub async fn prep_list(&self, actor: &Actor, date: NaiveDate) -> Result<PrepList> {
        actor.require_staff()?;
        let day = PrepDay::new(date, self.timezone())?;
        let mut tally = PrepTally::new(day);
        let mut after = None;
        loop {
            let page = self
                .store
                .orders
                .orders_due(day.from, day.to, after.as_ref(), PREP_PAGE)
                .await?;
            for order in &page {
                tally.add(order);
            }
            let full = page.len() >= PREP_PAGE as usize;
            match page.into_iter().next_back() {
                Some(last) if full => after = Some(last.id),
                _ => break,
            }
        }
        Ok(tally.finish())
    }
}
