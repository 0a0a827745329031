//! A Rust program talking to a running Bakery server through `bakery-sdk`, as an integrator
//! would: sign in with a code texted to the phone, browse the catalog, place a cash order and
//! follow it until it is delivered.
//!
//! ```text
//! cargo run -p bakery-server                       # in one terminal (logs the codes it "texts")
//! cargo run -p examples --example sdk_client -- http://127.0.0.1:3000 +33611223344
//! ```
//!
//! Arguments (or environment): the server URL (`BAKERY_URL`, default http://127.0.0.1:3000)
//! and the phone (`BAKERY_PHONE`). Set `BAKERY_NAME` to sign up a new customer; without it the
//! phone must already have an account. The code is read from standard input.

use std::io::{BufRead, Write};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use bakery_sdk::{types, ApiError, BakeryClient, Tokens};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let server = args
        .next()
        .or_else(|| std::env::var("BAKERY_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let Some(phone) = args.next().or_else(|| std::env::var("BAKERY_PHONE").ok()) else {
        bail!("usage: sdk_client [SERVER_URL] PHONE   (or set BAKERY_URL and BAKERY_PHONE)");
    };
    let name = std::env::var("BAKERY_NAME").ok();

    // The wrapper keeps the tokens and refreshes them once when the access token expires; a
    // real app would persist them where this prints.
    let client = BakeryClient::new(&server).on_tokens_changed(|tokens| match tokens {
        Some(_) => eprintln!("(session tokens updated)"),
        None => eprintln!("(signed out)"),
    });

    // 1. Sign in with a code sent by SMS.
    let api = client.api();
    let tokens = match &name {
        Some(name) => {
            api.register()
                .body_map(|b| b.name(name.as_str()).phone(phone.as_str()))
                .send()
                .await
                .map_err(explain)?;
            let otp = read_code(&phone)?;
            api.verify_otp()
                .body_map(|b| b.phone(phone.as_str()).otp(otp.as_str()))
                .send()
                .await
                .map_err(explain)?
                .into_inner()
        }
        None => {
            api.send_otp()
                .body_map(|b| b.phone(phone.as_str()))
                .send()
                .await
                .map_err(explain)?;
            let otp = read_code(&phone)?;
            let otp = types::LoginRequestOtp::try_from(otp.as_str())
                .map_err(|e| anyhow::anyhow!("the code: {e}"))?;
            api.login()
                .body_map(|b| b.phone(phone.as_str()).otp(Some(otp)))
                .send()
                .await
                .map_err(explain)?
                .into_inner()
        }
    };
    client.set_tokens(Some(Tokens::from(&tokens)));
    println!("Signed in as {} ({}).", tokens.user.name, tokens.user.phone);

    // 2. Browse: categories, then the first available products.
    let categories = client
        .call(|api| async move { api.list_categories().limit(50).send().await })
        .await
        .map_err(explain)?
        .into_inner();
    println!("\n{} categories:", categories.total);
    for c in &categories.items {
        println!("  - {}", c.name);
    }
    let products = client
        .call(|api| async move {
            api.list_products()
                .available(true)
                .sort(types::SortBy::Popularity)
                .limit(5)
                .send()
                .await
        })
        .await
        .map_err(explain)?
        .into_inner();
    println!("\nPopular now:");
    for p in &products.items {
        let price = p.discount_price.unwrap_or(p.price);
        println!("  - {} at {}.{:02}", p.name, price / 100, price % 100);
    }
    // A product with a required choice (a cake's size) needs it on the cart line; this
    // example orders one that needs none.
    let Some(product) = products
        .items
        .iter()
        .find(|p| p.option_groups.iter().all(|g| g.min_choices == 0))
    else {
        bail!("the shop has nothing to order yet (try `bakery-server demo-data`)");
    };

    // 3. Place a cash order for one of it; prices come from the catalog, never the client.
    let request = types::PlaceOrderRequest {
        items: vec![types::CartLine {
            product: types::CartLineProduct::try_from(product.id.as_str())
                .map_err(|e| anyhow::anyhow!("product id: {e}"))?,
            quantity: std::num::NonZeroU32::MIN,
            options: Vec::new(),
        }],
        fulfilment: Some(types::Fulfilment::Delivery),
        delivery_address: Some(types::DeliveryAddressInput {
            address: "12 Rue de la Paix"
                .try_into()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            landmark: None,
            city: "Paris".try_into().map_err(|e| anyhow::anyhow!("{e}"))?,
            state: "Ile-de-France"
                .try_into()
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            zip_code: "75002".try_into().map_err(|e| anyhow::anyhow!("{e}"))?,
            location: None,
        }),
        payment_details: types::PaymentInput {
            method: types::PaymentMethod::Cash,
        },
        promotion_code: None,
        is_scheduled: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    };
    // Under a fresh Idempotency-Key, retried with it: a lost answer never places two orders.
    let order = client
        .place_order(request)
        .await
        .map_err(explain)?
        .into_inner();
    println!(
        "\nOrder {} placed: total {}.{:02} {}, expected around {}.",
        order.id,
        order.total / 100,
        order.total % 100,
        order.currency.to_uppercase(),
        order.estimated_delivery_time.format("%H:%M UTC")
    );

    // 4. Follow it (the WebSocket beside /track streams the same events; polling is enough here).
    let mut last = None;
    for _ in 0..720 {
        let id = order.id.clone();
        let tracking = client
            .call(|api| {
                let id = id.clone();
                async move { api.track_order().id(id).send().await }
            })
            .await
            .map_err(explain)?
            .into_inner();
        if last.as_ref() != Some(&tracking.status) {
            let courier = tracking
                .delivery_person
                .as_ref()
                .map(|d| format!(" (courier {})", d.name))
                .unwrap_or_default();
            println!("  status: {:?}{courier}", tracking.status);
            last = Some(tracking.status.clone());
        }
        if matches!(
            tracking.status,
            types::OrderStatus::Delivered
                | types::OrderStatus::PickedUp
                | types::OrderStatus::Canceled
        ) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    println!("Stopped following after an hour.");
    Ok(())
}

fn read_code(phone: &str) -> Result<String> {
    print!("Code texted to {phone}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("read the code from standard input")?;
    Ok(line.trim().to_owned())
}

/// The server's `{code, message}` in one line.
fn explain(e: ApiError) -> anyhow::Error {
    match e {
        bakery_sdk::Error::ErrorResponse(body) => {
            let status = body.status();
            let body = body.into_inner();
            anyhow::anyhow!("{} {}: {}", status.as_u16(), body.code, body.message)
        }
        other => anyhow::anyhow!("{other}"),
    }
}
