//! The behaviours every store port must have: one module per port (`races` holds the
//! concurrent cases), one async function per case, each taking a fresh, empty store. `main.rs` instantiates them once per backend.

pub mod accounts;
pub mod auth_secrets;
pub mod bakes;
pub mod catalog;
pub mod idempotency;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod promotions;
pub mod races;
pub mod reviews;
pub mod shop;
