//! The use cases end to end on the embedded SQLite store: the flows a customer and the staff
//! go through, with the clock and the SMS port under the test's control.

mod auth;
mod bakes;
mod catalog;
mod images;
mod kitchen;
mod options;
mod orders;
mod payments;
mod sms;
mod support;
mod zones;
