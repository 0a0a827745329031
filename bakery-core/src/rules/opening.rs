//! Whether the shop is open at an instant, and when it next opens, from its local opening
//! hours and its IANA time zone.
//!
//! Local ranges become UTC intervals day by day, so daylight-saving changes fall out of the
//! zone database: a day with a spring-forward is an hour shorter. Local times the clock skips
//! (02:30 on the spring-forward night in Paris) are moved to the first instant that exists
//! (03:00); local times it passes twice (02:30 on the fall-back night) open at the first pass
//! and close at the second, so the shop is never open less than its staff wrote. Intervals that
//! touch are joined: `22:00-24:00` then `00:00-02:00` is one night, and 02:00 is no new
//! opening.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::OpeningHours;

/// How far ahead `next_opening` looks: a shop closed longer than two weeks has no opening
/// worth announcing.
pub const SEARCH_DAYS: i64 = 14;

/// What `GET /shop` says about the hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShopStatus {
    pub open_now: bool,
    /// The next time the shop opens after now (after the current opening, when open); `None`
    /// when always open or closed for the next [`SEARCH_DAYS`].
    pub next_opening: Option<DateTime<Utc>>,
    /// When the current opening ends, if open and it ends within [`SEARCH_DAYS`].
    pub closes_at: Option<DateTime<Utc>>,
}

/// The instant a local wall-clock time names: the first of two (fall-back), or the first
/// instant after a skipped one (spring-forward).
pub(crate) fn instant(tz: Tz, local: NaiveDateTime, latest: bool) -> DateTime<Utc> {
    let mut probe = local;
    // Gaps are at most a few hours in the zone database; minutes keep the answer exact.
    for _ in 0..=(3 * 60) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, second) => {
                return if latest { second } else { first }.with_timezone(&Utc)
            }
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    // Unreachable with real zones; reading the wall time as UTC is a bounded fallback.
    Utc.from_utc_datetime(&local)
}

/// The open intervals of the local dates `first..=last`, in UTC, sorted and joined.
fn intervals(
    hours: &OpeningHours,
    tz: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut date = first;
    while date <= last {
        let midnight = date.and_time(chrono::NaiveTime::MIN);
        for range in hours.ranges_on(date) {
            let start = midnight + Duration::minutes(i64::from(range.start_minutes()));
            let end = midnight + Duration::minutes(i64::from(range.end_minutes()));
            let (start, end) = (instant(tz, start, false), instant(tz, end, true));
            if start >= end {
                // A range wholly inside a skipped hour never happens that day.
                continue;
            }
            match out.last_mut() {
                Some(previous) if previous.1 >= start => previous.1 = previous.1.max(end),
                _ => out.push((start, end)),
            }
        }
        date += Duration::days(1);
    }
    out
}

fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Whether the hours have the shop open at `at`.
pub fn is_open(hours: &OpeningHours, tz: Tz, at: DateTime<Utc>) -> bool {
    let day = local_date(tz, at);
    intervals(hours, tz, day - Duration::days(1), day + Duration::days(1))
        .iter()
        .any(|(start, end)| *start <= at && at < *end)
}

/// The first opening strictly after `after`, within [`SEARCH_DAYS`].
pub fn next_opening(hours: &OpeningHours, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    status(Some(hours), tz, after).next_opening
}

/// Open now, the next opening and the current closing; `None` hours is open always.
pub fn status(hours: Option<&OpeningHours>, tz: Tz, now: DateTime<Utc>) -> ShopStatus {
    let Some(hours) = hours else {
        return ShopStatus {
            open_now: true,
            next_opening: None,
            closes_at: None,
        };
    };
    let day = local_date(tz, now);
    let last = day + Duration::days(SEARCH_DAYS);
    let all = intervals(hours, tz, day - Duration::days(1), last);
    // An interval reaching past the searched days may go on: its end is not a closing.
    let horizon = instant(
        tz,
        (last + Duration::days(1)).and_time(chrono::NaiveTime::MIN),
        true,
    );
    let current = all.iter().find(|(start, end)| *start <= now && now < *end);
    ShopStatus {
        open_now: current.is_some(),
        next_opening: all
            .iter()
            .map(|(start, _)| *start)
            .find(|start| *start > now),
        closes_at: current.map(|(_, end)| *end).filter(|end| *end < horizon),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DayException, TimeRange};
    use chrono_tz::Europe::Paris;

    fn range(start: &str, end: &str) -> TimeRange {
        TimeRange::parse("r", start, end).expect("range")
    }

    /// Every day `08:00-13:00` and `15:00-19:00`, plus the given exceptions.
    fn split_days(exceptions: Vec<DayException>) -> OpeningHours {
        let day = vec![range("08:00", "13:00"), range("15:00", "19:00")];
        OpeningHours::new(std::array::from_fn(|_| day.clone()), exceptions).expect("hours")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    #[test]
    fn no_hours_is_open_always() {
        let status = status(None, Paris, utc("2026-07-01T03:00:00Z"));
        assert!(status.open_now);
        assert_eq!((status.next_opening, status.closes_at), (None, None));
    }

    #[test]
    fn several_ranges_a_day_in_local_time() {
        let hours = split_days(vec![]);
        // 10:00 in Paris in summer is 08:00 UTC.
        assert!(is_open(&hours, Paris, utc("2026-07-01T08:00:00Z")));
        // The lunch break: 13:30 local.
        let lunch = utc("2026-07-01T11:30:00Z");
        assert!(!is_open(&hours, Paris, lunch));
        assert_eq!(
            next_opening(&hours, Paris, lunch),
            Some(utc("2026-07-01T13:00:00Z"))
        );
        let s = status(Some(&hours), Paris, utc("2026-07-01T08:00:00Z"));
        assert_eq!(s.closes_at, Some(utc("2026-07-01T11:00:00Z")));
        assert_eq!(s.next_opening, Some(utc("2026-07-01T13:00:00Z")));
        // Winter: 08:00 local is 07:00 UTC.
        assert_eq!(
            next_opening(&hours, Paris, utc("2026-01-10T20:00:00Z")),
            Some(utc("2026-01-11T07:00:00Z"))
        );
    }

    #[test]
    fn closures_and_special_hours_replace_the_weekday() {
        let hours = split_days(vec![
            DayException {
                date: date("2026-12-25"),
                ranges: vec![],
            },
            DayException {
                date: date("2026-12-24"),
                ranges: vec![range("08:00", "12:00")],
            },
        ]);
        // 12:30 local on Christmas Eve: closed early, next opening on the 26th.
        let eve = utc("2026-12-24T11:30:00Z");
        assert!(!is_open(&hours, Paris, eve));
        assert_eq!(
            next_opening(&hours, Paris, eve),
            Some(utc("2026-12-26T07:00:00Z"))
        );
        assert!(!is_open(&hours, Paris, utc("2026-12-25T09:00:00Z")));
    }

    #[test]
    fn daylight_saving_changes_in_paris() {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST. Opening at 02:30 opens at 03:00.
        let mut week: [Vec<TimeRange>; 7] = Default::default();
        week[6] = vec![range("02:30", "04:00")];
        let hours = OpeningHours::new(week, vec![]).expect("hours");
        let saturday_night = utc("2026-03-28T20:00:00Z");
        assert_eq!(
            next_opening(&hours, Paris, saturday_night),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        // Open until 04:00 CEST = 02:00 UTC.
        assert!(is_open(&hours, Paris, utc("2026-03-29T01:59:00Z")));
        assert!(!is_open(&hours, Paris, utc("2026-03-29T02:00:00Z")));

        // 25 October 2026: 03:00 CEST goes back to 02:00 CET; 08:00 is then UTC+1.
        let hours = split_days(vec![]);
        assert_eq!(
            next_opening(&hours, Paris, utc("2026-10-24T20:00:00Z")),
            Some(utc("2026-10-25T07:00:00Z"))
        );
        // The day before, 08:00 was UTC+2.
        assert_eq!(
            next_opening(&hours, Paris, utc("2026-10-23T20:00:00Z")),
            Some(utc("2026-10-24T06:00:00Z"))
        );
    }

    #[test]
    fn nights_split_at_midnight_read_as_one_opening() {
        let mut week: [Vec<TimeRange>; 7] = Default::default();
        week[4] = vec![range("22:00", "24:00")]; // Friday
        week[5] = vec![range("00:00", "02:00")]; // Saturday
        let hours = OpeningHours::new(week, vec![]).expect("hours");
        // Friday 3 July 2026, 23:00 local = 21:00 UTC.
        let s = status(Some(&hours), Paris, utc("2026-07-03T21:00:00Z"));
        assert!(s.open_now);
        assert_eq!(s.closes_at, Some(utc("2026-07-04T00:00:00Z")));
        assert_eq!(s.next_opening, Some(utc("2026-07-10T20:00:00Z")));
    }

    #[test]
    fn closed_for_weeks_has_no_next_opening() {
        let hours = OpeningHours::new(Default::default(), vec![]).expect("hours");
        let s = status(Some(&hours), Paris, utc("2026-07-01T08:00:00Z"));
        assert!(!s.open_now);
        assert_eq!(s.next_opening, None);
    }

    #[test]
    fn open_around_the_clock_has_no_closing_in_range() {
        let all_day = vec![range("00:00", "24:00")];
        let hours =
            OpeningHours::new(std::array::from_fn(|_| all_day.clone()), vec![]).expect("hours");
        let s = status(Some(&hours), Paris, utc("2026-03-29T01:30:00Z"));
        assert!(s.open_now);
        assert_eq!((s.next_opening, s.closes_at), (None, None));
    }
}
