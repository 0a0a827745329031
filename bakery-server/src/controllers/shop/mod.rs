//! What an app needs to know about the shop before showing a price: the currency, delivery
//! fee, tax rate, whether cards are taken, and whether it is open now.
//!
//! Both answers are kept in the catalog cache. `GET /shop/hours` changes only when staff set
//! the hours, and that write retires it. `GET /shop` also changes when the shop opens or
//! closes, so its cache key carries the shop's state (see `crate::catalog_cache`).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::dto::shop::OpeningHours;
use crate::dto::timestamp::Timestamp;
use crate::dto::zones::DeliveryArea;
use crate::error::ApiError;
use crate::state::AppState;

pub struct ShopApi;

/// The shop's terms, as the checkout shows them.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ShopInfo {
    pub name: String,
    /// ISO 4217, lower case; every amount in the API is in its minor unit.
    pub currency: String,
    /// Flat delivery fee, minor units: what every delivery pays when the shop draws no
    /// zones (`GET /shop/zones`); otherwise the address's zone decides.
    pub delivery_fee: i64,
    /// Orders whose discounted subtotal reaches this are delivered free; absent: never.
    pub free_delivery_above: Option<i64>,
    /// Tax on the discounted subtotal, in basis points (1000 = 10 %).
    pub tax_rate_bps: u32,
    /// Minutes a courier needs, on top of preparation.
    pub delivery_minutes: u32,
    /// Whether card payments are taken; cash always is.
    pub card_payments: bool,
    /// The key the app's Stripe SDK is initialised with (`pk_...`); absent without card
    /// payments.
    pub stripe_publishable_key: Option<String>,
    /// Minutes a card order may stay unpaid before the shop cancels it.
    pub card_payment_minutes: u32,
    /// The IANA time zone of the opening hours (`Europe/Paris`).
    pub timezone: String,
    /// Whether ASAP orders are taken now (true at any time when no hours are set).
    pub open_now: bool,
    /// The next time the shop opens (after the current opening when open now); absent when
    /// it is open always or does not open in the next 14 days.
    pub next_opening: Option<Timestamp>,
    /// When the current opening ends; absent when closed, or open past the next 14 days.
    pub closes_at: Option<Timestamp>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Shop")]
impl ShopApi {
    /// The shop's currency, fees, tax rate and payment methods
    ///
    /// What an app needs before showing prices: the currency (amounts are in its minor unit),
    /// delivery fee and free-delivery threshold, tax rate, accepted payment methods (card only when
    /// a provider is configured), the Stripe publishable key, and whether the shop is open now
    /// with its next opening (ASAP orders are refused while closed).
    #[oai(path = "/shop", method = "get", operation_id = "get_shop")]
    async fn get_shop(&self, state: Data<&AppState>) -> Result<Json<ShopInfo>, ApiError> {
        let settings = state.bakery.settings();
        let status = state.bakery.shop_status().await?;
        Ok(Json(ShopInfo {
            name: settings.shop_name.clone(),
            currency: settings.pricing.currency.as_str().to_owned(),
            delivery_fee: settings.pricing.delivery_fee.minor(),
            free_delivery_above: settings.pricing.free_delivery_above.map(|m| m.minor()),
            tax_rate_bps: settings.pricing.tax_rate_bps,
            delivery_minutes: settings.delivery_minutes,
            card_payments: state.bakery.card_payments_enabled(),
            stripe_publishable_key: state.bakery.payment_publishable_key(),
            card_payment_minutes: u32::try_from(settings.card_payment_timeout.num_minutes())
                .unwrap_or(u32::MAX),
            timezone: state.bakery.timezone().name().to_owned(),
            open_now: status.open_now,
            next_opening: status.next_opening.map(Timestamp),
            closes_at: status.closes_at.map(Timestamp),
        }))
    }

    /// Where the shop delivers
    ///
    /// The delivery zones in priority order, each with its postcodes and/or radius around
    /// `shopLocation`, fee, free-delivery threshold, minimum order and extra minutes. An
    /// address is in the first zone that lists its postcode or whose radius contains its map
    /// point. `deliversAnywhere` when staff drew none: every address pays `GET /shop`'s flat
    /// fee. Cached until staff change them.
    #[oai(path = "/shop/zones", method = "get", operation_id = "get_shop_zones")]
    async fn get_shop_zones(&self, state: Data<&AppState>) -> Result<Json<DeliveryArea>, ApiError> {
        let area = state.bakery.delivery_area().await?;
        Ok(Json(DeliveryArea::new(area.as_ref())))
    }

    /// The shop's opening hours
    ///
    /// The week (ranges per weekday, local time in `timezone`) and the dated exceptions
    /// (closures, special hours). `alwaysOpen` when staff never set hours. Cached until staff
    /// change them.
    #[oai(path = "/shop/hours", method = "get", operation_id = "get_shop_hours")]
    async fn get_shop_hours(&self, state: Data<&AppState>) -> Result<Json<OpeningHours>, ApiError> {
        let hours = state.bakery.opening_hours().await?;
        Ok(Json(OpeningHours::new(
            state.bakery.timezone(),
            hours.as_ref(),
        )))
    }
}
