//! Where the shop delivers: zones staff draw by postcode and/or by distance from the shop,
//! each with its own fee, free-delivery threshold, minimum order and extra ride time.
//! `rules::zones` decides which zone an address falls in.
//!
//! No zones (never set, or set to an empty list) means the shop delivers anywhere at the
//! configured flat fee, which is what a shop had before zones existed.

use serde::{Deserialize, Serialize};

use super::text::required_text;
use super::{GeoPoint, Money};
use crate::error::Error;

/// More zones than this is a map, not a delivery area: a neighbourhood bakery has two or
/// three rings.
pub const MAX_ZONES: usize = 20;

/// Postcodes one zone lists: a city's worth.
pub const MAX_POSTCODES_PER_ZONE: usize = 500;

/// The widest radius a zone may have: 50 km is past any fresh-bread ride.
pub const MAX_RADIUS_METERS: u32 = 50_000;

/// Minutes a zone may add to the ride: four hours.
pub const MAX_EXTRA_MINUTES: u32 = 240;

/// A postcode as staff list it: upper case, no spaces, optionally ending in `*` to take
/// every code that starts with the rest (`750*` for Paris, `SW1*`).
pub const POSTCODE_PATTERN: &str = r"^\s*[A-Za-z0-9][A-Za-z0-9 \-]{0,11}\*?\s*$";

/// One postcode of a zone, normalised so `sw1a 1aa` and `SW1A1AA` are one code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostcodePattern {
    /// Without the `*`.
    code: String,
    prefix: bool,
}

/// Upper case without whitespace: how both sides of a postcode match are compared.
pub fn normalise_postcode(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

impl PostcodePattern {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let normalised = normalise_postcode(raw);
        let (code, prefix) = match normalised.strip_suffix('*') {
            Some(rest) => (rest.to_owned(), true),
            None => (normalised, false),
        };
        let well_formed = !code.is_empty()
            && code.chars().count() <= 12
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(Error::validation(
                field,
                "must be a postcode of letters, digits and dashes (at most 12), optionally \
                 ending in * for every code it starts",
            ));
        }
        Ok(Self { code, prefix })
    }

    /// Whether an address's postcode (normalised with [`normalise_postcode`]) is this one.
    pub fn matches(&self, postcode: &str) -> bool {
        if self.prefix {
            postcode.starts_with(&self.code)
        } else {
            postcode == self.code
        }
    }
}

impl TryFrom<String> for PostcodePattern {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self, Error> {
        Self::parse("postcode", &raw)
    }
}

impl From<PostcodePattern> for String {
    fn from(p: PostcodePattern) -> String {
        if p.prefix {
            format!("{}*", p.code)
        } else {
            p.code
        }
    }
}

impl std::fmt::Display for PostcodePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if self.prefix {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// One zone's terms. An address is in it when its postcode is listed, or when it has map
/// coordinates within `radius_meters` of the shop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryZone {
    pub name: String,
    pub postcodes: Vec<PostcodePattern>,
    pub radius_meters: Option<u32>,
    /// What a delivery here costs.
    pub fee: Money,
    /// A discounted subtotal reaching this is delivered free; `None`: never free.
    pub free_delivery_above: Option<Money>,
    /// The smallest subtotal (before discounts) delivered here; zero: no minimum.
    pub minimum_order: Money,
    /// Added to the ride time of the ETA: the far ring takes longer.
    pub extra_minutes: u32,
}

/// The zones as staff set them, with the shop's own position that radii are measured from.
/// Valid by construction ([`DeliveryArea::new`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryArea {
    shop_location: Option<GeoPoint>,
    /// In the order staff listed them: the first zone an address falls in is its zone, so
    /// an inner ring listed first wins over the outer one that also contains it.
    zones: Vec<DeliveryZone>,
}

impl DeliveryArea {
    /// Checks the rules the zones must keep together; errors name the field
    /// (`zones[1].radiusMeters`).
    pub fn new(shop_location: Option<GeoPoint>, zones: Vec<DeliveryZone>) -> Result<Self, Error> {
        if zones.len() > MAX_ZONES {
            return Err(Error::validation(
                "zones",
                format!("at most {MAX_ZONES} zones"),
            ));
        }
        let mut checked: Vec<DeliveryZone> = Vec::with_capacity(zones.len());
        for (i, mut zone) in zones.into_iter().enumerate() {
            let field = |name: &str| format!("zones[{i}].{name}");
            zone.name = required_text(&field("name"), &zone.name, 60)?;
            if let Some(j) = checked
                .iter()
                .position(|z| z.name.to_lowercase() == zone.name.to_lowercase())
            {
                return Err(Error::validation(
                    field("name"),
                    format!("zones[{j}] already has this name"),
                ));
            }
            if zone.postcodes.len() > MAX_POSTCODES_PER_ZONE {
                return Err(Error::validation(
                    field("postcodes"),
                    format!("at most {MAX_POSTCODES_PER_ZONE} postcodes a zone"),
                ));
            }
            match zone.radius_meters {
                Some(r) if r == 0 || r > MAX_RADIUS_METERS => {
                    return Err(Error::validation(
                        field("radiusMeters"),
                        format!("must be between 1 and {MAX_RADIUS_METERS}"),
                    ))
                }
                Some(_) if shop_location.is_none() => {
                    return Err(Error::validation(
                        "shopLocation",
                        format!("required: zones[{i}] is drawn by radius around the shop"),
                    ))
                }
                None if zone.postcodes.is_empty() => {
                    return Err(Error::validation(
                        field("postcodes"),
                        "a zone needs postcodes, a radiusMeters, or both",
                    ))
                }
                _ => {}
            }
            if zone.extra_minutes > MAX_EXTRA_MINUTES {
                return Err(Error::validation(
                    field("extraMinutes"),
                    format!("must be at most {MAX_EXTRA_MINUTES}"),
                ));
            }
            zone.postcodes.dedup();
            checked.push(zone);
        }
        Ok(Self {
            shop_location,
            zones: checked,
        })
    }

    pub fn shop_location(&self) -> Option<GeoPoint> {
        self.shop_location
    }

    pub fn zones(&self) -> &[DeliveryZone] {
        &self.zones
    }

    /// No zones drawn: the shop delivers anywhere at its flat fee.
    pub fn delivers_anywhere(&self) -> bool {
        self.zones.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn zone(name: &str, postcodes: &[&str], radius: Option<u32>) -> DeliveryZone {
        DeliveryZone {
            name: name.into(),
            postcodes: postcodes
                .iter()
                .map(|p| PostcodePattern::parse("postcode", p).unwrap())
                .collect(),
            radius_meters: radius,
            fee: Money::from_minor(300),
            free_delivery_above: None,
            minimum_order: Money::ZERO,
            extra_minutes: 0,
        }
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn postcodes_are_normalised_and_prefixes_match_what_they_start() {
        let exact = PostcodePattern::parse("p", " sw1a 1aa ").unwrap();
        assert_eq!(exact.to_string(), "SW1A1AA");
        assert!(exact.matches(&normalise_postcode("Sw1A 1aA")));
        assert!(!exact.matches("SW1A1AB"));
        let prefix = PostcodePattern::parse("p", "750*").unwrap();
        assert!(prefix.matches("75011"));
        assert!(!prefix.matches("77500"));
        for bad in ["", "*", "75*0", "a_b", "1234567890123", "é75"] {
            assert!(PostcodePattern::parse("p", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn postcode_round_trips_through_its_stored_text() {
        let p = PostcodePattern::parse("p", "75 0*").unwrap();
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(text, "\"750*\"");
        assert_eq!(serde_json::from_str::<PostcodePattern>(&text).unwrap(), p);
    }

    #[test]
    fn the_area_names_the_field_it_refuses() {
        let shop = GeoPoint::parse(2.35, 48.85).ok();
        let radius_without_shop = DeliveryArea::new(None, vec![zone("Near", &[], Some(2000))]);
        assert_eq!(field_of(radius_without_shop.unwrap_err()), "shopLocation");
        let nothing = DeliveryArea::new(shop, vec![zone("Near", &[], None)]);
        assert_eq!(field_of(nothing.unwrap_err()), "zones[0].postcodes");
        let twice = DeliveryArea::new(
            shop,
            vec![
                zone("Near", &["75011"], None),
                zone(" near ", &["75012"], None),
            ],
        );
        assert_eq!(field_of(twice.unwrap_err()), "zones[1].name");
        let far = DeliveryArea::new(shop, vec![zone("Far", &[], Some(MAX_RADIUS_METERS + 1))]);
        assert_eq!(field_of(far.unwrap_err()), "zones[0].radiusMeters");
        let mut slow = zone("Slow", &["75011"], None);
        slow.extra_minutes = MAX_EXTRA_MINUTES + 1;
        assert_eq!(
            field_of(DeliveryArea::new(shop, vec![slow]).unwrap_err()),
            "zones[0].extraMinutes"
        );
        let many = (0..=MAX_ZONES)
            .map(|i| zone(&format!("z{i}"), &["1"], None))
            .collect();
        assert_eq!(
            field_of(DeliveryArea::new(shop, many).unwrap_err()),
            "zones"
        );
    }

    #[test]
    fn an_empty_area_delivers_anywhere() {
        let area = DeliveryArea::new(None, vec![]).unwrap();
        assert!(area.delivers_anywhere());
        let area = DeliveryArea::new(None, vec![zone("Paris", &["750*"], None)]).unwrap();
        assert!(!area.delivers_anywhere());
        assert_eq!(area.zones()[0].name, "Paris");
    }
}
