//! One module per command area.

pub mod auth;
pub mod board;
pub mod categories;
pub mod completions;
pub mod images;
pub mod import;
pub mod kitchen;
pub mod orders;
pub mod outbox;
pub mod products;
pub mod promotions;
pub mod shop;
pub mod watch;
pub mod zones;
