//! The behaviours every `Store` must have, one async function per case, each taking a fresh,
//! empty store. `main.rs` instantiates them once per backend.

pub mod auth_tokens;
pub mod catalog;
pub mod notifications;
pub mod orders;
pub mod promotions;
pub mod races;
pub mod reviews;
pub mod users;
