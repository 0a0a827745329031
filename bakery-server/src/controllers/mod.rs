//! The API's operations, one module per area. Handlers parse, authorise, call one
//! [`bakery_core::services::Bakery`] method and map the result; no business rule lives here.

pub mod admin;
pub mod auth;
pub mod board;
pub mod catalog;
pub mod delivery;
pub mod favorites;
pub mod health;
pub mod images;
pub mod kitchen;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod promotions;
pub mod reviews;
pub mod shop;
pub mod tracking;
pub mod users;

use poem_openapi::Tags;

/// One tag per area.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness.
    Health,
    /// The shop's currency, fees and payment methods.
    Shop,
    /// Sign-up, sign-in and tokens.
    Auth,
    /// The signed-in customer's account.
    Users,
    /// Categories and products.
    Catalog,
    /// The customer's favorite products.
    Favorites,
    /// Verified-purchase product reviews.
    Reviews,
    /// Placing and following orders.
    Orders,
    /// Card payments and the payment provider's webhook.
    Payments,
    /// The customer's inbox.
    Notifications,
    /// Running promotions and price quotes.
    Promotions,
    /// Staff: catalog, promotions and the order book.
    Admin,
    /// Couriers: their assigned orders, pick-up, delivery and position reports.
    Delivery,
}
