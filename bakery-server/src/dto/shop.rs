//! The opening hours on the wire: a key per weekday (so generated clients get named fields,
//! not an array whose index means a day), times as `HH:MM` local to the shop, dates as
//! `YYYY-MM-DD`.

use bakery_core::domain::{self, TimeRange as DomainRange};
use bakery_core::Error;
use chrono::NaiveDate;
use poem_openapi::Object;

/// One opening within a day, local time: from `start` (included) to `end` (excluded). A range
/// ends by `24:00`; a night past midnight is two ranges, one each day.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct TimeRange {
    /// `HH:MM`, 24-hour clock.
    #[oai(validator(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))]
    pub start: String,
    /// `HH:MM`, after `start`; `24:00` is midnight at the end of the day.
    #[oai(validator(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))]
    pub end: String,
}

/// A date whose ranges replace its weekday's: none closes the shop that day (a holiday),
/// others are that day's special hours.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct DayException {
    /// The local date, `YYYY-MM-DD` (a calendar date: `2026-02-30` is refused).
    #[oai(validator(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub date: String,
    /// Empty: closed all day.
    #[oai(validator(max_items = 4))]
    pub ranges: Vec<TimeRange>,
}

/// The week and its exceptions as staff set them. An empty weekday is closed.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct OpeningHoursInput {
    #[oai(validator(max_items = 4))]
    pub monday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub tuesday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub wednesday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub thursday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub friday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub saturday: Vec<TimeRange>,
    #[oai(validator(max_items = 4))]
    pub sunday: Vec<TimeRange>,
    /// Closures and special hours by date, at most 200.
    #[oai(default, validator(max_items = 200))]
    pub exceptions: Vec<DayException>,
}

/// The opening hours as `GET /shop/hours` publishes them.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub struct OpeningHours {
    /// The IANA time zone every time here is local to (`Europe/Paris`).
    pub timezone: String,
    /// True when staff never set hours: the shop takes orders at any time (every day then
    /// reads `00:00`-`24:00`).
    pub always_open: bool,
    pub monday: Vec<TimeRange>,
    pub tuesday: Vec<TimeRange>,
    pub wednesday: Vec<TimeRange>,
    pub thursday: Vec<TimeRange>,
    pub friday: Vec<TimeRange>,
    pub saturday: Vec<TimeRange>,
    pub sunday: Vec<TimeRange>,
    /// Sorted by date.
    pub exceptions: Vec<DayException>,
}

fn ranges_to_domain(field: &str, ranges: &[TimeRange]) -> Result<Vec<DomainRange>, Error> {
    ranges
        .iter()
        .enumerate()
        .map(|(i, r)| DomainRange::parse(&format!("{field}[{i}]"), &r.start, &r.end))
        .collect()
}

fn ranges_from_domain(ranges: &[DomainRange]) -> Vec<TimeRange> {
    ranges
        .iter()
        .map(|r| TimeRange {
            start: r.start_text(),
            end: r.end_text(),
        })
        .collect()
}

impl OpeningHoursInput {
    /// The checked domain value; errors name the field (`friday[1].end`).
    pub fn to_domain(&self) -> Result<domain::OpeningHours, Error> {
        let days = [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ];
        let mut weekly: [Vec<DomainRange>; 7] = Default::default();
        for ((slot, ranges), name) in weekly.iter_mut().zip(days).zip(domain::WEEKDAYS) {
            *slot = ranges_to_domain(name, ranges)?;
        }
        let exceptions = self
            .exceptions
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").map_err(|_| {
                    Error::validation(format!("exceptions[{i}].date"), "not a calendar date")
                })?;
                Ok(domain::DayException {
                    date,
                    ranges: ranges_to_domain(&format!("exceptions[{i}].ranges"), &e.ranges)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        domain::OpeningHours::new(weekly, exceptions)
    }
}

impl OpeningHours {
    /// `None` (never set) reads as open around the clock every day.
    pub fn new(timezone: chrono_tz::Tz, hours: Option<&domain::OpeningHours>) -> Self {
        let all_day = || {
            vec![TimeRange {
                start: "00:00".into(),
                end: "24:00".into(),
            }]
        };
        let day = |i: usize| match hours {
            Some(hours) => ranges_from_domain(&hours.weekly()[i]),
            None => all_day(),
        };
        Self {
            timezone: timezone.name().to_owned(),
            always_open: hours.is_none(),
            monday: day(0),
            tuesday: day(1),
            wednesday: day(2),
            thursday: day(3),
            friday: day(4),
            saturday: day(5),
            sunday: day(6),
            exceptions: hours
                .map(|h| {
                    h.exceptions()
                        .iter()
                        .map(|e| DayException {
                            date: e.date.format("%Y-%m-%d").to_string(),
                            ranges: ranges_from_domain(&e.ranges),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
