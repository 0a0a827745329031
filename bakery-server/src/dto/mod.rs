//! The API's JSON shapes, kept apart from the domain types: camelCase, money in integer minor
//! units, ids as 24-hex strings, times as RFC 3339 UTC. Each converts from its domain type.

pub mod auth;
pub mod board;
pub mod catalog;
pub mod checkout;
pub mod common;
mod examples;
pub mod image;
pub mod notification;
pub mod order;
pub mod outbox;
pub mod params;
pub mod payment;
pub mod prep;
pub mod promotion;
pub mod review;
pub mod shop;
pub mod timestamp;
pub mod tracking;
pub mod user;
pub mod zones;
