//! The bakery's whole business, without HTTP.
//!
//! `domain` holds the values the shop talks about, each impossible to build in an invalid state;
//! `rules` holds pure functions (pricing, promotions, status flow, timing, search ranking) that
//! are tested without I/O; `services` holds the use cases every API operation calls, written
//! against the `ports` traits; `adapters` holds the embedded and production implementations of
//! those ports, each behind a cargo feature.
//!
//! An application embeds the bakery by building a [`services::Bakery`] from its ports:
//! see `examples/embedded_shop.rs`.

pub mod adapters;
pub mod domain;
pub mod error;
pub mod migrate;
pub mod ports;
pub mod rules;
pub mod secrets;
pub mod services;

pub use error::{Error, Result};
