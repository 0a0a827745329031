//! The live delivery ETA: how long the courier still needs, from where their phone says they
//! are to the door the customer picked on the map.
//!
//! Straight-line (haversine) distance at the courier's speed, with no map or routing service
//! (out of scope): good enough to say "about 12 minutes" and to move when the courier does.
//! A phone's reported speed is used when it is plausible for a courier in town; standing at a
//! light (0 km/h) or a GPS glitch (250 km/h) would otherwise swing the estimate wildly, so
//! those fall back to the shop's configured courier speed.
//!
//! Trackers are told only when the estimate moves by a minute or more from the last one they
//! were told, so a courier reporting every second does not flood every customer's screen
//! with ETA changes of a few seconds.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};

use crate::domain::{time, GeoPoint};

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Reported speeds believed for a courier (walking bike to scooter on a ring road), km/h.
pub const PLAUSIBLE_SPEED_KMH: RangeInclusive<f64> = 3.0..=130.0;

/// How far the estimate must move before trackers are told.
pub fn min_change() -> Duration {
    Duration::minutes(1)
}

/// Great-circle distance between two points, metres.
pub fn haversine_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.latitude().to_radians(), b.latitude().to_radians());
    let d_lat = lat2 - lat1;
    let d_lng = (b.longitude() - a.longitude()).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lng / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The speed to count on: the reported one when plausible, else the configured default.
pub fn speed_kmh(reported: Option<f64>, default_kmh: f64) -> f64 {
    match reported {
        Some(v) if v.is_finite() && PLAUSIBLE_SPEED_KMH.contains(&v) => v,
        _ => default_kmh,
    }
}

/// When the courier at `courier` reaches `destination`, leaving `now`; at the precision the
/// stores keep, so what trackers are told and what is stored are equal.
pub fn arrival(
    now: DateTime<Utc>,
    courier: GeoPoint,
    destination: GeoPoint,
    reported_speed_kmh: Option<f64>,
    default_speed_kmh: f64,
) -> DateTime<Utc> {
    let metres_per_second = speed_kmh(reported_speed_kmh, default_speed_kmh) / 3.6;
    let seconds = haversine_m(courier, destination) / metres_per_second;
    // Half the Earth's circumference at 3 km/h is about 9 months: far inside i64 seconds.
    time::truncate(now + Duration::seconds(seconds.round() as i64))
}

/// The new estimate, if it moved at least [`min_change`] from the one trackers were last
/// told (`last`); `None` keeps the old one.
pub fn moved(last: DateTime<Utc>, estimate: DateTime<Utc>) -> Option<DateTime<Utc>> {
    ((estimate - last).abs() >= min_change()).then_some(estimate)
}

/// Both steps: the ETA to store and announce after a position report, if any.
pub fn recompute(
    now: DateTime<Utc>,
    last: DateTime<Utc>,
    courier: GeoPoint,
    destination: GeoPoint,
    reported_speed_kmh: Option<f64>,
    default_speed_kmh: f64,
) -> Option<DateTime<Utc>> {
    moved(
        last,
        arrival(
            now,
            courier,
            destination,
            reported_speed_kmh,
            default_speed_kmh,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(lng: f64, lat: f64) -> GeoPoint {
        GeoPoint::parse(lng, lat).unwrap()
    }

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 5, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn haversine_matches_known_distances() {
        // Paris (Notre-Dame) to London (Charing Cross): about 343.5 km.
        let d = haversine_m(at(2.3499, 48.8530), at(-0.1276, 51.5073));
        assert!((d - 343_500.0).abs() < 1_500.0, "{d}");
        // One degree of latitude: about 111.2 km.
        let d = haversine_m(at(0.0, 0.0), at(0.0, 1.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        assert_eq!(haversine_m(at(2.0, 48.0), at(2.0, 48.0)), 0.0);
        // Antipodes do not overflow asin.
        let d = haversine_m(at(0.0, 0.0), at(180.0, 0.0));
        assert!(
            (d - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0,
            "{d}"
        );
    }

    #[test]
    fn implausible_speeds_fall_back_to_the_default() {
        assert_eq!(speed_kmh(Some(25.0), 20.0), 25.0);
        assert_eq!(speed_kmh(None, 20.0), 20.0);
        assert_eq!(speed_kmh(Some(0.0), 20.0), 20.0, "stopped at a light");
        assert_eq!(speed_kmh(Some(250.0), 20.0), 20.0, "GPS glitch");
        assert_eq!(speed_kmh(Some(f64::NAN), 20.0), 20.0);
        assert_eq!(speed_kmh(Some(3.0), 20.0), 3.0);
        assert_eq!(speed_kmh(Some(130.0), 20.0), 130.0);
    }

    #[test]
    fn arrival_is_distance_over_speed() {
        // 1° of latitude ≈ 111.195 km at 20 km/h ≈ 5.56 h.
        let eta = arrival(noon(), at(0.0, 0.0), at(0.0, 1.0), None, 20.0);
        let seconds = (eta - noon()).num_seconds();
        assert!((seconds - 20_015).abs() <= 2, "{seconds}");
        // At the door: now.
        assert_eq!(
            arrival(noon(), at(2.0, 48.0), at(2.0, 48.0), Some(30.0), 20.0),
            noon()
        );
        // Reported 40 km/h halves the time of 20.
        let fast = arrival(noon(), at(0.0, 0.0), at(0.0, 0.1), Some(40.0), 20.0);
        let slow = arrival(noon(), at(0.0, 0.0), at(0.0, 0.1), Some(0.5), 20.0);
        assert!(((slow - noon()).num_seconds() - 2 * (fast - noon()).num_seconds()).abs() <= 1);
    }

    #[test]
    fn only_moves_of_a_minute_or_more_are_announced() {
        let last = noon();
        assert_eq!(moved(last, last + Duration::seconds(59)), None);
        assert_eq!(moved(last, last - Duration::seconds(59)), None);
        assert_eq!(
            moved(last, last + Duration::seconds(60)),
            Some(last + Duration::seconds(60))
        );
        assert_eq!(
            moved(last, last - Duration::minutes(5)),
            Some(last - Duration::minutes(5))
        );
    }

    #[test]
    fn recompute_combines_both() {
        let door = at(2.3522, 48.8566);
        // ~1.11 km north of the door at 20 km/h: 200 s.
        let courier = at(2.3522, 48.8666);
        let expected = noon() + Duration::seconds(200);
        let eta = recompute(
            noon(),
            noon() + Duration::hours(1),
            courier,
            door,
            None,
            20.0,
        )
        .expect("an hour off: announced");
        assert!((eta - expected).num_seconds().abs() <= 1, "{eta}");
        // The same position a few seconds later: under a minute of change, nothing new.
        assert_eq!(
            recompute(
                noon() + Duration::seconds(5),
                eta,
                courier,
                door,
                None,
                20.0
            ),
            None
        );
    }
}
