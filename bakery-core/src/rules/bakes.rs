//! Daily bakes: which local day of the shop an order takes from, and when a day's bake that
//! is sold out can next be ordered.
//!
//! A day is the shop's calendar day in its time zone (`SHOP_TIMEZONE`), so a bake resets at
//! local midnight, before any opening of the day, whatever daylight saving does: an ASAP
//! order takes from the local day of the moment it is placed, a scheduled one from the local
//! day of the time chosen.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::opening;
use crate::domain::OpeningHours;

/// The local day whose bake an order takes from: the scheduled time's, else now's.
pub fn bake_day(tz: Tz, now: DateTime<Utc>, scheduled: Option<DateTime<Utc>>) -> NaiveDate {
    scheduled.unwrap_or(now).with_timezone(&tz).date_naive()
}

/// The first instant of a local day (local midnight, or the first instant after it on a
/// day whose midnight the clock skips).
pub fn day_starts(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    opening::instant(tz, day.and_time(NaiveTime::MIN), false)
}

/// The first time a bake of a day after `day` can be ordered as soon as possible: the start
/// of the next day when the shop is open then (or has no hours), else its next opening.
/// `None` when the shop does not open in the days [`opening::next_opening`] searches.
pub fn next_available(
    hours: Option<&OpeningHours>,
    tz: Tz,
    day: NaiveDate,
) -> Option<DateTime<Utc>> {
    let next_day = day_starts(tz, day + Duration::days(1));
    match hours {
        None => Some(next_day),
        Some(hours) if opening::is_open(hours, tz, next_day) => Some(next_day),
        Some(hours) => opening::next_opening(hours, tz, next_day),
    }
}

/// Units of a day's bake still to be ordered; never below zero, even when staff lowered the
/// daily quantity under what was already taken.
pub fn left(daily_quantity: u32, taken: u32) -> u32 {
    daily_quantity.saturating_sub(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DayException, TimeRange};
    use chrono_tz::Europe::Paris;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    /// Every day 07:00-19:00, closed on the given dates.
    fn days(closed: &[&str]) -> OpeningHours {
        let day = vec![TimeRange::parse("r", "07:00", "19:00").expect("range")];
        let exceptions = closed
            .iter()
            .map(|d| DayException {
                date: date(d),
                ranges: vec![],
            })
            .collect();
        OpeningHours::new(std::array::from_fn(|_| day.clone()), exceptions).expect("hours")
    }

    #[test]
    fn asap_takes_from_the_local_day_of_now() {
        // 23:30 UTC on 1 December is 00:30 on 2 December in Paris.
        assert_eq!(
            bake_day(Paris, utc("2026-12-01T23:30:00Z"), None),
            date("2026-12-02")
        );
        assert_eq!(
            bake_day(Paris, utc("2026-12-01T22:59:59Z"), None),
            date("2026-12-01")
        );
    }

    #[test]
    fn scheduled_takes_from_the_local_day_of_the_time_chosen() {
        let now = utc("2026-12-01T10:00:00Z");
        assert_eq!(
            bake_day(Paris, now, Some(utc("2026-12-03T08:00:00Z"))),
            date("2026-12-03")
        );
        // Summer time: 22:30 UTC is 00:30 the next day in Paris.
        assert_eq!(
            bake_day(Paris, now, Some(utc("2026-07-03T22:30:00Z"))),
            date("2026-07-04")
        );
    }

    #[test]
    fn days_start_at_local_midnight_across_daylight_saving() {
        // The spring-forward day (29 March 2026) starts at 23:00 UTC the day before, in
        // winter time; the day after it starts at 22:00 UTC, in summer time.
        assert_eq!(
            day_starts(Paris, date("2026-03-29")),
            utc("2026-03-28T23:00:00Z")
        );
        assert_eq!(
            day_starts(Paris, date("2026-03-30")),
            utc("2026-03-29T22:00:00Z")
        );
        // 00:30 local on the 30th is that day; 23:30 local on the 29th is not.
        assert_eq!(
            bake_day(Paris, utc("2026-03-29T22:30:00Z"), None),
            date("2026-03-30")
        );
        assert_eq!(
            bake_day(Paris, utc("2026-03-29T21:30:00Z"), None),
            date("2026-03-29")
        );
        // The fall-back day (25 October) is 25 hours long: 23:30 local, after the clocks
        // went back, is still the 25th.
        assert_eq!(
            bake_day(Paris, utc("2026-10-25T22:30:00Z"), None),
            date("2026-10-25")
        );
    }

    #[test]
    fn next_available_is_the_next_opening_on_a_later_day() {
        let hours = days(&[]);
        // Sold out on 1 December: 07:00 Paris on the 2nd.
        assert_eq!(
            next_available(Some(&hours), Paris, date("2026-12-01")),
            Some(utc("2026-12-02T06:00:00Z"))
        );
        // Closed on the 2nd: the 3rd.
        let closed = days(&["2026-12-02"]);
        assert_eq!(
            next_available(Some(&closed), Paris, date("2026-12-01")),
            Some(utc("2026-12-03T06:00:00Z"))
        );
        // No hours: the next local midnight.
        assert_eq!(
            next_available(None, Paris, date("2026-12-01")),
            Some(utc("2026-12-01T23:00:00Z"))
        );
        // Open around the clock: midnight too.
        let always = OpeningHours::new(
            std::array::from_fn(|_| vec![TimeRange::parse("r", "00:00", "24:00").expect("range")]),
            vec![],
        )
        .expect("hours");
        assert_eq!(
            next_available(Some(&always), Paris, date("2026-07-01")),
            Some(utc("2026-07-01T22:00:00Z"))
        );
    }

    #[test]
    fn left_never_goes_below_zero() {
        assert_eq!(left(120, 20), 100);
        assert_eq!(left(120, 120), 0);
        assert_eq!(left(100, 120), 0);
    }
}
