//! When an order can arrive.

use chrono::{DateTime, Duration, Utc};

use crate::error::Error;

/// How far ahead a customer may schedule; beyond that the menu and prices may well change.
pub const MAX_SCHEDULE_DAYS: i64 = 30;

/// An ASAP order arrives after the slowest item is made plus the ride.
pub fn estimate_delivery(
    now: DateTime<Utc>,
    longest_preparation_minutes: u32,
    delivery_minutes: u32,
) -> DateTime<Utc> {
    now + Duration::minutes(i64::from(longest_preparation_minutes) + i64::from(delivery_minutes))
}

/// A scheduled time must leave the kitchen at least the preparation time and lie within
/// [`MAX_SCHEDULE_DAYS`].
pub fn check_scheduled_time(
    now: DateTime<Utc>,
    requested: DateTime<Utc>,
    longest_preparation_minutes: u32,
) -> Result<(), Error> {
    const FIELD: &str = "scheduledDeliveryTime";
    if requested <= now {
        return Err(Error::validation(FIELD, "must be in the future"));
    }
    let earliest = now + Duration::minutes(i64::from(longest_preparation_minutes));
    if requested < earliest {
        return Err(Error::validation(
            FIELD,
            format!("must be at least {longest_preparation_minutes} minutes from now (preparation time)"),
        ));
    }
    if requested > now + Duration::days(MAX_SCHEDULE_DAYS) {
        return Err(Error::validation(
            FIELD,
            format!("must be within {MAX_SCHEDULE_DAYS} days"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_adds_preparation_and_ride() {
        let now = Utc::now();
        assert_eq!(estimate_delivery(now, 25, 30), now + Duration::minutes(55));
    }

    #[test]
    fn scheduled_time_bounds() {
        let now = Utc::now();
        let field_of = |r: Result<(), Error>| match r {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of(check_scheduled_time(now, now, 0)),
            "scheduledDeliveryTime"
        );
        assert_eq!(
            field_of(check_scheduled_time(now, now - Duration::minutes(5), 0)),
            "scheduledDeliveryTime"
        );
        assert!(check_scheduled_time(now, now + Duration::minutes(19), 20).is_err());
        assert!(check_scheduled_time(now, now + Duration::minutes(20), 20).is_ok());
        assert!(check_scheduled_time(now, now + Duration::days(31), 20).is_err());
    }
}
