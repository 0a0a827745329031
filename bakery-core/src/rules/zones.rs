//! Which delivery zone an address is in, and the terms a delivery there is priced on.

use crate::domain::{normalise_postcode, DeliveryAddress, DeliveryArea, DeliveryZone, Money};
use crate::rules::eta::haversine_m;
use crate::rules::pricing::{DeliveryCharge, PricingSettings};

/// Where an address stands against the shop's delivery area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Coverage<'a> {
    /// No zones are drawn: delivered at the shop's flat fee.
    Anywhere,
    /// In this zone (the first one listed that contains it).
    Zone(&'a DeliveryZone),
    /// In no zone: not delivered.
    Outside,
}

/// The first listed zone the address is in, by postcode or by its map point's distance from
/// the shop. An address without a map point is matched by postcode only.
pub fn coverage<'a>(area: Option<&'a DeliveryArea>, address: &DeliveryAddress) -> Coverage<'a> {
    let Some(area) = area.filter(|a| !a.delivers_anywhere()) else {
        return Coverage::Anywhere;
    };
    let postcode = normalise_postcode(&address.zip_code);
    let distance_m = match (area.shop_location(), address.location) {
        (Some(shop), Some(door)) => Some(haversine_m(shop, door)),
        _ => None,
    };
    area.zones()
        .iter()
        .find(|zone| {
            let by_postcode = zone.postcodes.iter().any(|p| p.matches(&postcode));
            let by_radius = matches!(
                (zone.radius_meters, distance_m),
                (Some(radius), Some(d)) if d <= f64::from(radius)
            );
            by_postcode || by_radius
        })
        .map_or(Coverage::Outside, Coverage::Zone)
}

/// What a delivery costs and takes where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryTerms {
    pub charge: DeliveryCharge,
    /// The smallest subtotal taken; zero: none.
    pub minimum_order: Money,
    /// Added to the courier's ride for the ETA.
    pub extra_minutes: u32,
    /// The zone's name; `None` when the shop draws no zones (or for a pickup).
    pub zone: Option<String>,
}

impl DeliveryTerms {
    /// A pickup: no fee, no minimum, no ride.
    pub fn pickup() -> Self {
        Self {
            charge: DeliveryCharge::NONE,
            minimum_order: Money::ZERO,
            extra_minutes: 0,
            zone: None,
        }
    }

    /// Anywhere, at the shop's configured flat fee.
    pub fn flat(settings: &PricingSettings) -> Self {
        Self {
            charge: DeliveryCharge {
                fee: settings.delivery_fee,
                free_above: settings.free_delivery_above,
            },
            minimum_order: Money::ZERO,
            extra_minutes: 0,
            zone: None,
        }
    }

    pub fn of_zone(zone: &DeliveryZone) -> Self {
        Self {
            charge: DeliveryCharge {
                fee: zone.fee,
                free_above: zone.free_delivery_above,
            },
            minimum_order: zone.minimum_order,
            extra_minutes: zone.extra_minutes,
            zone: Some(zone.name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{test_zone as zone, GeoPoint};

    fn address(zip: &str, at: Option<(f64, f64)>) -> DeliveryAddress {
        DeliveryAddress::parse("1 rue de la Paix", None, "Paris", "IDF", zip)
            .unwrap()
            .with_location(at.map(|(lng, lat)| GeoPoint::parse(lng, lat).unwrap()))
    }

    fn shop() -> Option<GeoPoint> {
        GeoPoint::parse(2.3522, 48.8566).ok()
    }

    #[test]
    fn no_zones_deliver_anywhere() {
        assert_eq!(coverage(None, &address("99999", None)), Coverage::Anywhere);
        let empty = DeliveryArea::new(shop(), vec![]).unwrap();
        assert_eq!(
            coverage(Some(&empty), &address("99999", None)),
            Coverage::Anywhere
        );
    }

    #[test]
    fn the_first_listed_zone_that_contains_the_address_wins() {
        let area = DeliveryArea::new(
            shop(),
            vec![
                zone("Inner", &["75004"], Some(1_500)),
                zone("Outer", &["750*"], Some(6_000)),
            ],
        )
        .unwrap();
        let named = |a: &DeliveryAddress| match coverage(Some(&area), a) {
            Coverage::Zone(z) => z.name.clone(),
            other => format!("{other:?}"),
        };
        // By postcode, exactly and by prefix, whatever its spacing and case.
        assert_eq!(named(&address("75004", None)), "Inner");
        assert_eq!(named(&address(" 75 011", None)), "Outer");
        // By distance: ~1.1 km east of the shop is inner, ~4.4 km is outer, whatever the
        // postcode typed; ~11 km is in neither ring.
        assert_eq!(named(&address("93100", Some((2.3672, 48.8566)))), "Inner");
        assert_eq!(named(&address("93100", Some((2.4122, 48.8566)))), "Outer");
        assert_eq!(
            coverage(Some(&area), &address("93100", Some((2.5022, 48.8566)))),
            Coverage::Outside
        );
        // Without a map point, only the postcode counts.
        assert_eq!(
            coverage(Some(&area), &address("93100", None)),
            Coverage::Outside
        );
    }

    #[test]
    fn a_zone_prices_with_its_own_terms() {
        let mut z = zone("Far", &["77*"], None);
        z.fee = Money::from_minor(590);
        z.free_delivery_above = Some(Money::from_minor(5000));
        z.minimum_order = Money::from_minor(2500);
        z.extra_minutes = 20;
        let terms = DeliveryTerms::of_zone(&z);
        assert_eq!(terms.charge.fee.minor(), 590);
        assert_eq!(terms.charge.free_above, Some(Money::from_minor(5000)));
        assert_eq!(terms.minimum_order.minor(), 2500);
        assert_eq!(terms.extra_minutes, 20);
        assert_eq!(terms.zone.as_deref(), Some("Far"));
        assert_eq!(DeliveryTerms::pickup().charge, DeliveryCharge::NONE);
    }
}
