//! The shop's rules as pure functions: same input, same answer, no I/O, so every edge can be
//! unit-tested and every store gets identical behaviour.

pub mod bakes;
pub mod eta;
pub mod opening;
pub mod options;
pub mod picture;
pub mod prep;
pub mod pricing;
pub mod promotion;
pub mod schedule;
pub mod search;
pub mod status;
pub mod zones;
