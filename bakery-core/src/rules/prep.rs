//! The baker's prep list: what the kitchen must make for one day, summed from the orders due
//! that day and split into half-hour slots, so the first batch of croissants is in the oven
//! before the first deliveries leave.
//!
//! The day is the shop's calendar day (`SHOP_TIMEZONE`), not UTC's: a Paris bakery's Sunday
//! starts at 23:00 UTC on Saturday in winter. On the days the clocks change it lasts 23 or 25
//! hours; slots follow the wall clock, so the repeated hour of an autumn night shows as two
//! slots that both read `02:00` locally but start an hour apart.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use super::opening::instant;
use crate::domain::{Id, Order, OrderItem, OrderStatus};
use crate::error::Error;

/// A slot is half an hour of the shop's wall clock: short enough to batch a bake, long
/// enough that a day fits on one screen.
pub const SLOT_MINUTES: u32 = 30;

/// One shop-local calendar day as the instants it spans: `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrepDay {
    pub date: NaiveDate,
    pub timezone: Tz,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl PrepDay {
    /// The day `date` in `timezone`. Dates outside the years 2000 to 2200 are typing
    /// mistakes (`20266-12-25`), refused naming `date`.
    pub fn new(date: NaiveDate, timezone: Tz) -> Result<Self, Error> {
        if !(2000..=2200).contains(&date.year()) {
            return Err(Error::validation(
                "date",
                "must be a date between the years 2000 and 2200",
            ));
        }
        let next = date
            .succ_opt()
            .ok_or_else(|| Error::validation("date", "has no next day"))?;
        Ok(Self {
            date,
            timezone,
            from: instant(timezone, date.and_time(NaiveTime::MIN), false),
            to: instant(timezone, next.and_time(NaiveTime::MIN), false),
        })
    }

    /// Whether `at` falls on this day.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The start of the slot `at` falls in: the last time the shop's clock read a whole or
    /// half hour. Counted back from `at` rather than rebuilt from the wall time, so an hour
    /// the clock repeats maps to the right one of its two instants. Clocks change on a
    /// half-hour boundary in every zone in use, so no slot straddles a change.
    pub fn slot_start(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let local = at.with_timezone(&self.timezone);
        let into_slot = Duration::minutes(i64::from(local.minute() % SLOT_MINUTES))
            + Duration::seconds(i64::from(local.second()))
            + Duration::nanoseconds(i64::from(local.nanosecond()));
        (at - into_slot).max(self.from)
    }

    /// `HH:MM` on the shop's clock.
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.timezone).format("%H:%M").to_string()
    }
}

/// What one prep line counts: a product with the options picked from its choice groups, so
/// an 8-portion and a 10-portion birthday cake are two lines. Written texts (the message on a
/// cake) do not split a line: each cake is made the same way and the message goes on at the
/// end, so the line lists them instead ([`PrepLine::texts`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrepKey {
    pub product_id: Id,
    /// `(group key, option key)` in the product's order, as the order line recorded them.
    pub options: Vec<(String, String)>,
}

impl PrepKey {
    /// The line `item` counts on.
    pub fn of(item: &OrderItem) -> Self {
        Self {
            product_id: item.product_id.clone(),
            options: item
                .options
                .iter()
                .filter_map(|o| Some((o.group.clone(), o.option.clone()?)))
                .collect(),
        }
    }
}

/// A chosen option of a prep line, named as the newest order counted named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepChoice {
    pub group: String,
    pub group_label: String,
    pub option: String,
    pub label: String,
}

/// A text to write on what a line counts: which group (`Message on the cake`), what, and on
/// how many units.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PrepText {
    pub group_label: String,
    pub text: String,
    pub quantity: u64,
}

/// How many of one thing to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepLine {
    pub key: PrepKey,
    /// The name as the newest order counted spelled it: a product renamed since still
    /// reads as the customers ordered it, and the one line keeps one name.
    pub name: String,
    /// The key's options with their labels (from the same newest order as the name).
    pub options: Vec<PrepChoice>,
    pub quantity: u64,
    /// The texts to write on some of the units, in the order the orders are counted.
    pub texts: Vec<PrepText>,
}

/// Half an hour of the day and what is due in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepSlot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// By name, then product id.
    pub lines: Vec<PrepLine>,
}

/// The day's list: only slots with something due, in time order, and the day's totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepList {
    pub day: PrepDay,
    pub slots: Vec<PrepSlot>,
    /// Per line over the whole day, by name then product id.
    pub totals: Vec<PrepLine>,
    /// Orders counted.
    pub orders: u64,
}

/// What is counted on one key: units, and the texts to write on some of them.
#[derive(Clone, Debug, Default)]
struct Count {
    quantity: u64,
    texts: Vec<PrepText>,
}

/// Sums orders into a [`PrepList`] as they come, so a busy day can be read page by page.
#[derive(Debug)]
pub struct PrepTally {
    day: PrepDay,
    slots: BTreeMap<DateTime<Utc>, BTreeMap<PrepKey, Count>>,
    /// The name and option labels for each key, with the creation time of the order they
    /// came from.
    names: HashMap<PrepKey, (DateTime<Utc>, String, Vec<PrepChoice>)>,
    orders: u64,
}

impl PrepTally {
    pub fn new(day: PrepDay) -> Self {
        Self {
            day,
            slots: BTreeMap::new(),
            names: HashMap::new(),
            orders: 0,
        }
    }

    /// Counts `order` if it is due on the day and not canceled; anything else is ignored, so
    /// the list is right whatever a store hands over.
    pub fn add(&mut self, order: &Order) {
        let due = order.due_at();
        if order.order_status == OrderStatus::Canceled || !self.day.contains(due) {
            return;
        }
        self.orders += 1;
        let slot = self.slots.entry(self.day.slot_start(due)).or_default();
        for item in &order.items {
            let key = PrepKey::of(item);
            let count = slot.entry(key.clone()).or_default();
            count.quantity += u64::from(item.quantity);
            count.texts.extend(item.options.iter().filter_map(|o| {
                Some(PrepText {
                    group_label: o.group_label.clone(),
                    text: o.text.clone()?,
                    quantity: u64::from(item.quantity),
                })
            }));
            let newer = self
                .names
                .get(&key)
                .is_none_or(|(seen, _, _)| *seen <= order.created_at);
            if newer {
                let choices = item
                    .options
                    .iter()
                    .filter_map(|o| {
                        Some(PrepChoice {
                            group: o.group.clone(),
                            group_label: o.group_label.clone(),
                            option: o.option.clone()?,
                            label: o.label.clone().unwrap_or_default(),
                        })
                    })
                    .collect();
                self.names
                    .insert(key, (order.created_at, item.name.clone(), choices));
            }
        }
    }

    pub fn finish(self) -> PrepList {
        let named = |key: &PrepKey| {
            self.names
                .get(key)
                .map(|(_, name, choices)| (name.clone(), choices.clone()))
                .unwrap_or_default()
        };
        let lines = |counts: &BTreeMap<PrepKey, Count>| {
            let mut lines: Vec<PrepLine> = counts
                .iter()
                .map(|(key, count)| {
                    let (name, options) = named(key);
                    PrepLine {
                        key: key.clone(),
                        name,
                        options,
                        quantity: count.quantity,
                        texts: count.texts.clone(),
                    }
                })
                .collect();
            // By name, then by the options' keys, so a cake's sizes follow one another.
            lines.sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
            lines
        };
        let mut day_counts: BTreeMap<PrepKey, Count> = BTreeMap::new();
        for counts in self.slots.values() {
            for (key, count) in counts {
                let day = day_counts.entry(key.clone()).or_default();
                day.quantity += count.quantity;
                day.texts.extend(count.texts.iter().cloned());
            }
        }
        let slot_length = Duration::minutes(i64::from(SLOT_MINUTES));
        let slots = self
            .slots
            .iter()
            .map(|(start, counts)| PrepSlot {
                start: *start,
                end: (*start + slot_length).min(self.day.to),
                lines: lines(counts),
            })
            .collect();
        PrepList {
            day: self.day,
            slots,
            totals: lines(&day_counts),
            orders: self.orders,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{
        ChosenOption, Currency, DeliveryAddress, Fulfilment, Money, PaymentDetails, PaymentMethod,
    };

    const CROISSANT: &str = "65f0c0ffee0000000000c001";
    const BAGUETTE: &str = "65f0c0ffee0000000000c002";

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn paris(day: &str) -> PrepDay {
        PrepDay::new(date(day), chrono_tz::Europe::Paris).unwrap()
    }

    fn item(product: &str, name: &str, quantity: u32) -> OrderItem {
        OrderItem {
            product_id: Id::parse("productId", product).unwrap(),
            name: name.into(),
            quantity,
            price: Money::from_minor(150),
            options: Vec::new(),
            bake_day: None,
        }
    }

    /// An ASAP order arriving at `due` (its estimate).
    fn order(due: &str, items: Vec<OrderItem>) -> Order {
        let at = utc(due) - Duration::hours(1);
        Order {
            id: Id::generate(),
            user_id: Id::generate(),
            items,
            fulfilment: Fulfilment::Delivery,
            delivery_address: Some(
                DeliveryAddress::parse("1 Rue", None, "Paris", "IDF", "75001").unwrap(),
            ),
            delivery_zone: None,
            payment_details: PaymentDetails::new(PaymentMethod::Cash),
            order_status: OrderStatus::Placed,
            status_history: Vec::new(),
            subtotal: Money::ZERO,
            delivery_fee: Money::ZERO,
            taxes: Money::ZERO,
            discount: Money::ZERO,
            total: Money::ZERO,
            currency: Currency::parse("eur").unwrap(),
            promotion_id: None,
            promotion_code: None,
            is_scheduled: false,
            scheduled_delivery_time: None,
            estimated_delivery_time: utc(due),
            delivery_person: None,
            special_instructions: None,
            created_at: at,
            updated_at: at,
            revision: 1,
        }
    }

    fn tally(day: PrepDay, orders: &[Order]) -> PrepList {
        let mut tally = PrepTally::new(day);
        for o in orders {
            tally.add(o);
        }
        tally.finish()
    }

    fn summary(lines: &[PrepLine]) -> Vec<(String, u64)> {
        lines.iter().map(|l| (l.name.clone(), l.quantity)).collect()
    }

    #[test]
    fn a_day_is_the_shops_calendar_day() {
        let winter = paris("2026-01-15");
        assert_eq!(winter.from, utc("2026-01-14T23:00:00Z"));
        assert_eq!(winter.to, utc("2026-01-15T23:00:00Z"));
        let summer = paris("2026-07-15");
        assert_eq!(summer.from, utc("2026-07-14T22:00:00Z"));
        assert_eq!(summer.to - summer.from, Duration::hours(24));
    }

    #[test]
    fn the_days_the_clocks_change_last_23_and_25_hours() {
        let spring = paris("2026-03-29");
        assert_eq!(spring.to - spring.from, Duration::hours(23));
        let autumn = paris("2026-10-25");
        assert_eq!(autumn.from, utc("2026-10-24T22:00:00Z"));
        assert_eq!(autumn.to - autumn.from, Duration::hours(25));
    }

    #[test]
    fn a_day_without_a_midnight_starts_when_the_clock_resumes() {
        // Santiago skipped from 00:00 to 01:00 on 2022-09-11.
        let day = PrepDay::new(date("2022-09-11"), chrono_tz::America::Santiago).unwrap();
        assert_eq!(day.from, utc("2022-09-11T04:00:00Z"));
    }

    #[test]
    fn far_dates_are_refused_naming_date() {
        let err = PrepDay::new(date("1999-12-31"), chrono_tz::UTC).unwrap_err();
        assert!(matches!(err, Error::Validation { ref field, .. } if field == "date"));
    }

    #[test]
    fn sums_per_product_over_orders_and_slots() {
        let list = tally(
            paris("2026-01-15"),
            &[
                order(
                    "2026-01-15T07:05:00Z",
                    vec![
                        item(CROISSANT, "Croissant", 3),
                        item(BAGUETTE, "Baguette", 1),
                    ],
                ),
                order(
                    "2026-01-15T07:29:59Z",
                    vec![item(CROISSANT, "Croissant", 2)],
                ),
                order(
                    "2026-01-15T07:30:00Z",
                    vec![item(CROISSANT, "Croissant", 4)],
                ),
            ],
        );
        assert_eq!(list.orders, 3);
        assert_eq!(list.slots.len(), 2);
        // 08:00 to 08:30 in Paris.
        assert_eq!(list.slots[0].start, utc("2026-01-15T07:00:00Z"));
        assert_eq!(list.slots[0].end, utc("2026-01-15T07:30:00Z"));
        assert_eq!(
            summary(&list.slots[0].lines),
            [("Baguette".into(), 1), ("Croissant".into(), 5)]
        );
        assert_eq!(list.slots[1].start, utc("2026-01-15T07:30:00Z"));
        assert_eq!(summary(&list.slots[1].lines), [("Croissant".into(), 4)]);
        assert_eq!(
            summary(&list.totals),
            [("Baguette".into(), 1), ("Croissant".into(), 9)]
        );
    }

    #[test]
    fn canceled_orders_and_the_neighbouring_days_are_left_out() {
        let mut canceled = order(
            "2026-01-15T10:00:00Z",
            vec![item(CROISSANT, "Croissant", 7)],
        );
        canceled.order_status = OrderStatus::Canceled;
        let list = tally(
            paris("2026-01-15"),
            &[
                canceled,
                // 23:59 the evening before and 00:00 the next day, in Paris.
                order(
                    "2026-01-14T22:59:00Z",
                    vec![item(CROISSANT, "Croissant", 1)],
                ),
                order(
                    "2026-01-15T23:00:00Z",
                    vec![item(CROISSANT, "Croissant", 1)],
                ),
                // Midnight in Paris, and the last minute of the day.
                order(
                    "2026-01-14T23:00:00Z",
                    vec![item(CROISSANT, "Croissant", 2)],
                ),
                order("2026-01-15T22:59:59Z", vec![item(BAGUETTE, "Baguette", 1)]),
            ],
        );
        assert_eq!(list.orders, 2);
        assert_eq!(
            summary(&list.totals),
            [("Baguette".into(), 1), ("Croissant".into(), 2)]
        );
        assert_eq!(list.slots[0].start, list.day.from);
        assert_eq!(list.slots[1].end, list.day.to);
    }

    #[test]
    fn a_scheduled_order_counts_on_its_chosen_day_whatever_the_estimate() {
        let mut scheduled = order(
            "2026-01-16T09:00:00Z",
            vec![item(CROISSANT, "Croissant", 5)],
        );
        scheduled.is_scheduled = true;
        scheduled.scheduled_delivery_time = Some(utc("2026-01-15T09:00:00Z"));
        let list = tally(paris("2026-01-15"), &[scheduled]);
        assert_eq!(summary(&list.totals), [("Croissant".into(), 5)]);
        assert_eq!(list.slots[0].start, utc("2026-01-15T09:00:00Z"));
    }

    #[test]
    fn the_repeated_autumn_hour_is_two_slots() {
        let day = paris("2026-10-25");
        // 02:10 CEST (00:10Z) and 02:10 CET (01:10Z).
        let list = tally(
            day,
            &[
                order(
                    "2026-10-25T00:10:00Z",
                    vec![item(CROISSANT, "Croissant", 1)],
                ),
                order(
                    "2026-10-25T01:10:00Z",
                    vec![item(CROISSANT, "Croissant", 2)],
                ),
            ],
        );
        assert_eq!(list.slots.len(), 2);
        assert_eq!(list.slots[0].start, utc("2026-10-25T00:00:00Z"));
        assert_eq!(list.slots[1].start, utc("2026-10-25T01:00:00Z"));
        assert_eq!(day.local_time(list.slots[0].start), "02:00");
        assert_eq!(day.local_time(list.slots[1].start), "02:00");
        assert_eq!(summary(&list.totals), [("Croissant".into(), 3)]);
    }

    #[test]
    fn slots_in_spring_skip_the_missing_hour() {
        let day = paris("2026-03-29");
        // 01:45 CET is 00:45Z; 03:05 CEST is 01:05Z, twenty minutes later.
        assert_eq!(
            day.slot_start(utc("2026-03-29T00:45:00Z")),
            utc("2026-03-29T00:30:00Z")
        );
        assert_eq!(
            day.slot_start(utc("2026-03-29T01:05:00Z")),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(day.local_time(utc("2026-03-29T01:00:00Z")), "03:00");
    }

    #[test]
    fn slots_follow_a_half_hour_offset() {
        // India is UTC+05:30: the slot of 10:40 local starts at 10:30 local, 05:00Z.
        let day = PrepDay::new(date("2026-01-15"), chrono_tz::Asia::Kolkata).unwrap();
        assert_eq!(
            day.slot_start(utc("2026-01-15T05:10:00Z")),
            Utc.with_ymd_and_hms(2026, 1, 15, 5, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_renamed_product_reads_as_the_newest_order_named_it() {
        let old = order(
            "2026-01-15T08:00:00Z",
            vec![item(CROISSANT, "Croissant", 1)],
        );
        let mut new = order(
            "2026-01-15T08:10:00Z",
            vec![item(CROISSANT, "Butter croissant", 1)],
        );
        new.created_at = old.created_at + Duration::minutes(1);
        let list = tally(paris("2026-01-15"), &[new, old]);
        assert_eq!(summary(&list.totals), [("Butter croissant".into(), 2)]);
    }

    fn cake(size: &str, quantity: u32, message: Option<&str>) -> OrderItem {
        let mut line = item(BAGUETTE, "Birthday cake", quantity);
        line.options.push(ChosenOption {
            group: "size".into(),
            group_label: "Size".into(),
            option: Some(size.into()),
            label: Some(format!("{size} portions")),
            text: None,
            price_delta: Money::ZERO,
        });
        if let Some(text) = message {
            line.options.push(ChosenOption {
                group: "message".into(),
                group_label: "Message on the cake".into(),
                option: None,
                label: None,
                text: Some(text.into()),
                price_delta: Money::ZERO,
            });
        }
        line
    }

    #[test]
    fn chosen_options_split_a_line_and_messages_are_listed_on_it() {
        let list = tally(
            paris("2026-01-15"),
            &[
                order(
                    "2026-01-15T09:05:00Z",
                    vec![
                        cake("8", 1, Some("Happy birthday Ada")),
                        cake("10", 1, None),
                    ],
                ),
                order(
                    "2026-01-15T09:10:00Z",
                    vec![
                        cake("8", 2, Some("Joyeux anniversaire")),
                        cake("8", 1, None),
                    ],
                ),
            ],
        );
        let lines: Vec<_> = list
            .totals
            .iter()
            .map(|l| {
                let options: Vec<_> = l.options.iter().map(|o| o.label.as_str()).collect();
                (l.name.as_str(), options, l.quantity, l.texts.len())
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("Birthday cake", vec!["10 portions"], 1, 0),
                ("Birthday cake", vec!["8 portions"], 4, 2),
            ]
        );
        let eight = &list.totals[1];
        assert_eq!(eight.options[0].group, "size");
        assert_eq!(
            eight.texts,
            [
                PrepText {
                    group_label: "Message on the cake".into(),
                    text: "Happy birthday Ada".into(),
                    quantity: 1
                },
                PrepText {
                    group_label: "Message on the cake".into(),
                    text: "Joyeux anniversaire".into(),
                    quantity: 2
                },
            ]
        );
        assert_eq!(list.slots[0].lines, list.totals);
    }
}
