//! The delivery zones on the wire: amounts in minor units, postcodes as staff type them
//! (normalised on the way in), the shop's position as `{lat, lng}`.

use bakery_core::domain::{self, Money, PostcodePattern};
use bakery_core::Error;
use poem_openapi::Object;

use super::user::LatLng;

/// One zone: an address is in it when its postcode is listed (`750*` takes every code
/// starting `750`) or its map point lies within `radiusMeters` of the shop.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryZone {
    /// Unique among the zones (case aside), shown to couriers and on the order.
    #[oai(validator(min_length = 1, max_length = 60))]
    pub name: String,
    /// Upper case, without spaces once stored; a trailing `*` matches every code it starts.
    #[oai(
        default,
        validator(
            max_items = 500,
            pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9 \-]{0,11}\*?\s*$"
        )
    )]
    pub postcodes: Vec<String>,
    /// Metres from `shopLocation`, which it then requires; addresses without a map point
    /// are matched by postcode only.
    #[oai(validator(minimum(value = "1"), maximum(value = "50000")))]
    pub radius_meters: Option<u32>,
    /// The delivery fee here, minor units.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub fee: i64,
    /// A discounted subtotal reaching this is delivered free; absent: never free.
    #[oai(validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub free_delivery_above: Option<i64>,
    /// The smallest subtotal (before discounts) delivered here, minor units; 0: none.
    #[oai(default, validator(minimum(value = "0"), maximum(value = "100000000")))]
    pub minimum_order: i64,
    /// Minutes added to the ride for the ETA.
    #[oai(default, validator(maximum(value = "240")))]
    pub extra_minutes: u32,
}

/// The zones as staff send them: the whole set each time.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryAreaInput {
    /// Where the shop is: what `radiusMeters` is measured from (required by any zone with
    /// one).
    pub shop_location: Option<LatLng>,
    /// In priority order: an address in several zones is in the first. Empty: the shop
    /// delivers anywhere at its flat fee (`GET /shop`).
    #[oai(validator(max_items = 20))]
    pub zones: Vec<DeliveryZone>,
}

/// Where the shop delivers, as `GET /shop/zones` publishes it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct DeliveryArea {
    /// True when no zones are drawn: every address is delivered at the flat fee of
    /// `GET /shop`.
    pub delivers_anywhere: bool,
    pub shop_location: Option<LatLng>,
    /// In priority order.
    pub zones: Vec<DeliveryZone>,
}

impl DeliveryZone {
    fn to_domain(&self, i: usize) -> Result<domain::DeliveryZone, Error> {
        let field = |name: &str| format!("zones[{i}].{name}");
        let postcodes = self
            .postcodes
            .iter()
            .enumerate()
            .map(|(j, p)| PostcodePattern::parse(&format!("zones[{i}].postcodes[{j}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(domain::DeliveryZone {
            name: self.name.clone(),
            postcodes,
            radius_meters: self.radius_meters,
            fee: Money::parse(&field("fee"), self.fee)?,
            free_delivery_above: self
                .free_delivery_above
                .map(|m| Money::parse(&field("freeDeliveryAbove"), m))
                .transpose()?,
            minimum_order: Money::parse(&field("minimumOrder"), self.minimum_order)?,
            extra_minutes: self.extra_minutes,
        })
    }
}

impl From<&domain::DeliveryZone> for DeliveryZone {
    fn from(z: &domain::DeliveryZone) -> Self {
        Self {
            name: z.name.clone(),
            postcodes: z.postcodes.iter().map(ToString::to_string).collect(),
            radius_meters: z.radius_meters,
            fee: z.fee.minor(),
            free_delivery_above: z.free_delivery_above.map(Money::minor),
            minimum_order: z.minimum_order.minor(),
            extra_minutes: z.extra_minutes,
        }
    }
}

impl DeliveryAreaInput {
    /// The checked domain value; errors name the field (`zones[1].postcodes[0]`).
    pub fn to_domain(&self) -> Result<domain::DeliveryArea, Error> {
        let shop_location = self
            .shop_location
            .map(|l| l.to_domain("shopLocation"))
            .transpose()?;
        let zones = self
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| z.to_domain(i))
            .collect::<Result<Vec<_>, _>>()?;
        domain::DeliveryArea::new(shop_location, zones)
    }
}

impl DeliveryArea {
    /// `None` (never set) reads as delivering anywhere.
    pub fn new(area: Option<&domain::DeliveryArea>) -> Self {
        Self {
            delivers_anywhere: area.is_none_or(domain::DeliveryArea::delivers_anywhere),
            shop_location: area.and_then(|a| a.shop_location()).map(Into::into),
            zones: area
                .map(|a| a.zones().iter().map(Into::into).collect())
                .unwrap_or_default(),
        }
    }
}
