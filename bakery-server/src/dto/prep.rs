//! The baker's prep list on the wire: slots as UTC instants (the API's one time format) with
//! their wall-clock reading beside them, so a client needs no time-zone database to print
//! `08:00–08:30`, and the repeated autumn hour stays two distinct slots.

use bakery_core::rules::prep;
use poem_openapi::Object;

use super::timestamp::Timestamp;

/// How many of one product to make, with the options picked in its `choice` groups: an
/// 8-portion and a 10-portion cake are two lines. Texts (a message on a cake) do not split a
/// line; they are listed on it, each with how many units carry it.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct PrepLine {
    pub product_id: String,
    /// As the newest order counted named it.
    pub name: String,
    /// The options this line is made with, in the product's order; empty for a product
    /// without options.
    pub options: Vec<PrepOption>,
    /// Units to make, summed over the orders.
    pub quantity: i64,
    /// Texts to write on some of the units, in the order the orders were counted.
    pub texts: Vec<PrepText>,
}

/// An option a prep line is made with.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct PrepOption {
    /// The group's key.
    pub group: String,
    pub group_label: String,
    /// The option's key.
    pub option: String,
    pub label: String,
}

/// A text to write, on how many units of its line.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct PrepText {
    /// The group's label (`Message on the cake`).
    pub group_label: String,
    pub text: String,
    pub quantity: i64,
}

impl From<&prep::PrepLine> for PrepLine {
    fn from(line: &prep::PrepLine) -> Self {
        Self {
            product_id: line.key.product_id.to_string(),
            name: line.name.clone(),
            options: line
                .options
                .iter()
                .map(|o| PrepOption {
                    group: o.group.clone(),
                    group_label: o.group_label.clone(),
                    option: o.option.clone(),
                    label: o.label.clone(),
                })
                .collect(),
            quantity: i64::try_from(line.quantity).unwrap_or(i64::MAX),
            texts: line
                .texts
                .iter()
                .map(|t| PrepText {
                    group_label: t.group_label.clone(),
                    text: t.text.clone(),
                    quantity: i64::try_from(t.quantity).unwrap_or(i64::MAX),
                })
                .collect(),
        }
    }
}

/// Half an hour of the shop's clock and what is due in it.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct PrepSlot {
    pub start: Timestamp,
    /// 30 minutes after `start` (the end of the day for its last slot).
    pub end: Timestamp,
    /// `start` on the shop's clock, `HH:MM`.
    pub local_start: String,
    /// `end` on the shop's clock, `HH:MM` (`00:00` at the end of the day).
    pub local_end: String,
    /// By name.
    pub lines: Vec<PrepLine>,
}

/// What the kitchen must make for one day.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct PrepList {
    /// The shop-local day, `YYYY-MM-DD`.
    pub date: String,
    /// The IANA time zone the day and the slots' local times are in (`SHOP_TIMEZONE`).
    pub timezone: String,
    /// The day's first instant (local midnight).
    pub from: Timestamp,
    /// The next day's first instant: 23 or 25 hours after `from` when the clocks change.
    pub to: Timestamp,
    /// Orders counted: due that day (at the time chosen, else the estimate), not canceled.
    pub orders: i64,
    /// Per product and options over the whole day, by name.
    pub totals: Vec<PrepLine>,
    /// The slots with something due, in time order.
    pub slots: Vec<PrepSlot>,
}

impl From<&prep::PrepList> for PrepList {
    fn from(list: &prep::PrepList) -> Self {
        let day = &list.day;
        Self {
            date: day.date.format("%Y-%m-%d").to_string(),
            timezone: day.timezone.name().to_owned(),
            from: day.from.into(),
            to: day.to.into(),
            orders: i64::try_from(list.orders).unwrap_or(i64::MAX),
            totals: list.totals.iter().map(PrepLine::from).collect(),
            slots: list
                .slots
                .iter()
                .map(|slot| PrepSlot {
                    start: slot.start.into(),
                    end: slot.end.into(),
                    local_start: day.local_time(slot.start),
                    local_end: day.local_time(slot.end),
                    lines: slot.lines.iter().map(PrepLine::from).collect(),
                })
                .collect(),
        }
    }
}
