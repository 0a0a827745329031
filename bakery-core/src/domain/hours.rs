//! The shop's opening hours: a week of time ranges per weekday, and dated exceptions
//! (closures, holiday hours) that replace a weekday's ranges on one date. Times are local to
//! the shop (`SHOP_TIMEZONE`); `rules::opening` turns them into instants.
//!
//! A range ends on its own day: `24:00` is the latest end. A shop open past midnight writes
//! two ranges (`22:00-24:00` and `00:00-02:00` the next day); the rules join them, so the
//! night reads as one opening. Overnight ranges are refused rather than guessed at.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// `HH:MM`, 00:00 to 23:59, or `24:00` (the end of the day, for an end only).
pub const TIME_PATTERN: &str = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

/// A day split into more ranges than this is a typing mistake, not a timetable.
pub const MAX_RANGES_PER_DAY: usize = 4;

/// Exceptions kept at once: a few years of holidays; past ones can be pruned.
pub const MAX_EXCEPTIONS: usize = 200;

/// The weekdays, Monday first, as the API names them.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Minutes in a day: the `24:00` end.
const DAY_MINUTES: u16 = 24 * 60;

/// One opening within a day, from `start` (included) to `end` (excluded), in minutes since
/// local midnight. Built only by [`TimeRange::new`] or [`TimeRange::parse`]: `start < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRange", into = "RawRange")]
pub struct TimeRange {
    start: u16,
    end: u16,
}

/// The stored and wire shape: `{"start": "08:00", "end": "13:00"}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RawRange {
    start: String,
    end: String,
}

impl TryFrom<RawRange> for TimeRange {
    type Error = Error;
    fn try_from(raw: RawRange) -> Result<Self, Error> {
        TimeRange::parse("range", &raw.start, &raw.end)
    }
}

impl From<TimeRange> for RawRange {
    fn from(range: TimeRange) -> Self {
        RawRange {
            start: range.start_text(),
            end: range.end_text(),
        }
    }
}

fn minutes_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `HH:MM` (or `24:00`) to minutes since midnight.
fn parse_time(field: &str, text: &str) -> Result<u16, Error> {
    let bad = || Error::validation(field, "must be a time as HH:MM (00:00 to 24:00)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl TimeRange {
    /// From minutes since midnight; `field` names the range in errors.
    pub fn new(field: &str, start: u16, end: u16) -> Result<Self, Error> {
        if end > DAY_MINUTES || start >= DAY_MINUTES {
            return Err(Error::validation(field, "times must lie within the day"));
        }
        if start >= end {
            return Err(Error::validation(
                format!("{field}.end"),
                "must be after the start (a range ends by 24:00; split a night in two)",
            ));
        }
        Ok(Self { start, end })
    }

    /// From `HH:MM` texts.
    pub fn parse(field: &str, start: &str, end: &str) -> Result<Self, Error> {
        let start_min = parse_time(&format!("{field}.start"), start)?;
        if start_min == DAY_MINUTES {
            return Err(Error::validation(
                format!("{field}.start"),
                "a range cannot start at 24:00",
            ));
        }
        let end_min = parse_time(&format!("{field}.end"), end)?;
        Self::new(field, start_min, end_min)
    }

    /// Minutes since local midnight.
    pub fn start_minutes(&self) -> u16 {
        self.start
    }

    /// Minutes since local midnight; 1440 is the end of the day.
    pub fn end_minutes(&self) -> u16 {
        self.end
    }

    pub fn start_text(&self) -> String {
        minutes_text(self.start)
    }

    pub fn end_text(&self) -> String {
        minutes_text(self.end)
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start_text(), self.end_text())
    }
}

/// One date whose ranges replace its weekday's: none is a closure, others are special hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayException {
    pub date: NaiveDate,
    pub ranges: Vec<TimeRange>,
}

/// The shop's week and its exceptions, valid by construction ([`OpeningHours::new`]).
/// No document at all means open always (see `rules::opening`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpeningHours {
    /// Monday first; an empty day is closed.
    weekly: [Vec<TimeRange>; 7],
    /// Sorted by date, one per date.
    exceptions: Vec<DayException>,
}

/// Ranges of one day sorted, bounded in number and apart from each other.
fn check_day(field: &str, ranges: &mut [TimeRange]) -> Result<(), Error> {
    if ranges.len() > MAX_RANGES_PER_DAY {
        return Err(Error::validation(
            field,
            format!("at most {MAX_RANGES_PER_DAY} ranges a day"),
        ));
    }
    ranges.sort_by_key(|r| r.start);
    for (i, pair) in ranges.windows(2).enumerate() {
        if pair[1].start < pair[0].end {
            return Err(Error::validation(
                format!("{field}[{}]", i + 1),
                format!("overlaps {}", pair[0]),
            ));
        }
    }
    Ok(())
}

impl OpeningHours {
    /// Checks every day and exception; errors name the field as the API spells it
    /// (`tuesday[1]`, `exceptions[3].date`).
    pub fn new(
        mut weekly: [Vec<TimeRange>; 7],
        mut exceptions: Vec<DayException>,
    ) -> Result<Self, Error> {
        for (day, ranges) in WEEKDAYS.iter().zip(weekly.iter_mut()) {
            check_day(day, ranges)?;
        }
        if exceptions.len() > MAX_EXCEPTIONS {
            return Err(Error::validation(
                "exceptions",
                format!("at most {MAX_EXCEPTIONS} dates; remove past ones"),
            ));
        }
        for (i, exception) in exceptions.iter_mut().enumerate() {
            // Dates far outside a shop's planning are typing mistakes (20266-12-25).
            if !(2000..=2200).contains(&exception.date.year()) {
                return Err(Error::validation(
                    format!("exceptions[{i}].date"),
                    "must be a date between the years 2000 and 2200",
                ));
            }
            check_day(&format!("exceptions[{i}].ranges"), &mut exception.ranges)?;
        }
        let mut dates: Vec<(NaiveDate, usize)> = exceptions
            .iter()
            .enumerate()
            .map(|(i, e)| (e.date, i))
            .collect();
        dates.sort();
        for pair in dates.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(Error::validation(
                    format!("exceptions[{}].date", pair[1].1),
                    format!("{} is listed twice", pair[1].0),
                ));
            }
        }
        exceptions.sort_by_key(|e| e.date);
        Ok(Self { weekly, exceptions })
    }

    /// The week, Monday first.
    pub fn weekly(&self) -> &[Vec<TimeRange>; 7] {
        &self.weekly
    }

    pub fn exceptions(&self) -> &[DayException] {
        &self.exceptions
    }

    /// The ranges that apply on `date`: its exception's, else its weekday's.
    pub fn ranges_on(&self, date: NaiveDate) -> &[TimeRange] {
        match self.exceptions.binary_search_by_key(&date, |e| e.date) {
            Ok(i) => &self.exceptions[i].ranges,
            Err(_) => &self.weekly[date.weekday().num_days_from_monday() as usize],
        }
    }
}

/// An IANA zone name (`Europe/Paris`); anything else names `field` in the error.
pub fn parse_timezone(field: &str, name: &str) -> Result<Tz, Error> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::validation(
            field,
            format!("{name:?} is not an IANA time zone name (e.g. Europe/Paris, UTC)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: &str, end: &str) -> TimeRange {
        TimeRange::parse("r", start, end).expect("valid range")
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn times_parse_and_print() {
        let r = range("08:05", "24:00");
        assert_eq!((r.start_minutes(), r.end_minutes()), (485, 1440));
        assert_eq!(r.to_string(), "08:05-24:00");
        for bad in ["8:00", "24:01", "12:60", "ab:cd", "1200", ""] {
            assert!(TimeRange::parse("r", bad, "23:00").is_err(), "{bad}");
        }
        assert_eq!(
            field_of(TimeRange::parse("monday[0]", "13:00", "08:00").unwrap_err()),
            "monday[0].end"
        );
        assert!(TimeRange::parse("r", "24:00", "24:00").is_err());
    }

    #[test]
    fn days_are_sorted_and_may_not_overlap() {
        let mut week: [Vec<TimeRange>; 7] = Default::default();
        week[1] = vec![range("15:00", "19:00"), range("08:00", "13:00")];
        let hours = OpeningHours::new(week.clone(), vec![]).expect("valid");
        assert_eq!(hours.weekly()[1][0], range("08:00", "13:00"));
        week[2] = vec![range("08:00", "13:00"), range("12:00", "19:00")];
        assert_eq!(
            field_of(OpeningHours::new(week.clone(), vec![]).unwrap_err()),
            "wednesday[1]"
        );
        week[2] = vec![range("08:00", "09:00"); 5];
        assert_eq!(
            field_of(OpeningHours::new(week, vec![]).unwrap_err()),
            "wednesday"
        );
    }

    #[test]
    fn exceptions_replace_their_weekday_once_per_date() {
        let mut week: [Vec<TimeRange>; 7] = Default::default();
        week[4] = vec![range("08:00", "19:00")];
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).expect("date");
        let closed = DayException {
            date: christmas,
            ranges: vec![],
        };
        let hours = OpeningHours::new(week.clone(), vec![closed.clone()]).expect("valid");
        assert!(hours.ranges_on(christmas).is_empty());
        assert_eq!(
            hours.ranges_on(christmas + chrono::Duration::days(7)).len(),
            1
        );
        assert_eq!(
            field_of(OpeningHours::new(week.clone(), vec![closed.clone(), closed]).unwrap_err()),
            "exceptions[1].date"
        );
        let absurd = DayException {
            date: NaiveDate::from_ymd_opt(1900, 1, 1).expect("date"),
            ranges: vec![],
        };
        assert_eq!(
            field_of(OpeningHours::new(week, vec![absurd]).unwrap_err()),
            "exceptions[0].date"
        );
    }

    #[test]
    fn stored_shape_round_trips() {
        let mut week: [Vec<TimeRange>; 7] = Default::default();
        week[0] = vec![range("08:00", "13:00")];
        let hours = OpeningHours::new(week, vec![]).expect("valid");
        let json = serde_json::to_string(&hours).expect("json");
        assert!(
            json.contains(r#"{"start":"08:00","end":"13:00"}"#),
            "{json}"
        );
        let back: OpeningHours = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, hours);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            parse_timezone("SHOP_TIMEZONE", "Europe/Paris").expect("zone"),
            chrono_tz::Europe::Paris
        );
        assert!(parse_timezone("SHOP_TIMEZONE", "Mars/Olympus").is_err());
    }
}
