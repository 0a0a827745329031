//! Follows one order live through `bakery-sdk`'s tracking client, as an app's tracking screen
//! would: the snapshot first, then each change, until the order is delivered or canceled.
//! The client reconnects by itself (with back-off) and starts again from a fresh snapshot.
//!
//! ```text
//! BAKERY_TOKEN=<access token> cargo run -p examples --example follow_order -- ORDER_ID [SERVER_URL]
//! ```
//!
//! The token is a customer's (their own orders), staff's (any order) or the assigned
//! courier's, e.g. the `accessToken` from `POST /api/v1/auth/verify-otp`.

use anyhow::{bail, Context, Result};
use bakery_sdk::{types, BakeryClient, OrderTracker, Tokens};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(order) = args.next() else {
        bail!("usage: follow_order ORDER_ID [SERVER_URL]   (with BAKERY_TOKEN set)");
    };
    let server = args
        .next()
        .or_else(|| std::env::var("BAKERY_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let token = std::env::var("BAKERY_TOKEN").context("set BAKERY_TOKEN to an access token")?;
    let client = BakeryClient::with_tokens(
        &server,
        Tokens {
            access_token: token,
            refresh_token: String::new(),
        },
    );
    let mut tracker = OrderTracker::new(&client, &order);
    while let Some(message) = tracker.next().await? {
        use types::TrackingMessage::*;
        match message {
            Variant0(s) => println!(
                "now {} (ETA {}), courier: {}",
                s.status,
                s.estimated_delivery_time,
                s.delivery_person.map_or("none yet".into(), |p| p.name)
            ),
            Variant1(e) => println!("{}  status → {} (by {})", e.at, e.status, e.actor_role),
            Variant2(e) => println!("{}  courier: {}", e.at, e.delivery_person.name),
            Variant3(e) => println!("{}  courier at {:.5}, {:.5}", e.at, e.lat, e.lng),
            Variant4(e) => println!("{}  new ETA {}", e.at, e.estimated_delivery_time),
            Variant5(e) => println!("{}  payment {}", e.at, e.payment_status),
        }
    }
    println!("the order is finished");
    Ok(())
}
