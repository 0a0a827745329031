//! Daily bakes through the use cases: ASAP orders take from today's bake, scheduled ones from
//! their day's, a sold-out day refuses with when it is next available, canceling gives back,
//! and a new local day brings a fresh bake.

use bakery_core::domain::{
    DayException, Fulfilment, Id, OpeningHours, PaymentMethod, Product, TimeRange,
};
use bakery_core::error::ConflictCode;
use bakery_core::services::{Actor, CartLine, OrderRequest, ProductListing};
use bakery_core::Error;
use chrono::{DateTime, NaiveDate, Utc};

use crate::support::{address, draft, settings, shop_at, TestShop};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn order_of(product: &Id, quantity: u32, at: Option<&str>) -> OrderRequest {
    OrderRequest {
        items: vec![CartLine::new(product.clone(), quantity)],
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(address()),
        payment_method: PaymentMethod::Cash,
        promotion_code: None,
        scheduled_delivery_time: at.map(utc),
        special_instructions: None,
    }
}

/// A Paris shop whose clock starts on Tuesday 1 December 2026 at 10:00 local time, with
/// croissants baked `daily` a day.
async fn paris_shop(daily: u32) -> (TestShop, Id) {
    let mut settings = settings();
    settings.timezone = chrono_tz::Europe::Paris;
    let shop = shop_at(settings, utc("2026-12-01T09:00:00Z")).await;
    let category = shop.category("Viennoiseries").await;
    let mut croissant = draft(&category, "Croissant", 180, None);
    croissant.daily_quantity = Some(daily);
    let id = shop
        .bakery
        .create_product(&shop.admin, croissant)
        .await
        .expect("create")
        .id;
    (shop, id)
}

async fn today_of(shop: &TestShop, product: &Id) -> (u32, Option<DateTime<Utc>>) {
    let product: Product = shop.bakery.product(product).await.expect("product");
    let today = product.today.expect("a daily product shows today's bake");
    (today.left, today.next_available)
}

#[track_caller]
fn sold_out_message(result: Result<bakery_core::domain::Order, Error>) -> String {
    match result {
        Err(Error::Conflict {
            code: ConflictCode::SoldOutForTheDay,
            message,
        }) => message,
        other => panic!("expected SOLD_OUT_FOR_THE_DAY, got {other:?}"),
    }
}

async fn place(
    shop: &TestShop,
    customer: &Actor,
    request: OrderRequest,
) -> Result<bakery_core::domain::Order, Error> {
    shop.bakery.place_order(customer, request).await
}

#[tokio::test]
async fn todays_bake_sells_out_while_tomorrows_stays_and_a_new_day_starts_fresh() {
    let (shop, croissant) = paris_shop(5).await;
    let customer = shop.customer(1).await;
    assert_eq!(today_of(&shop, &croissant).await, (5, None));

    let first = place(&shop, &customer, order_of(&croissant, 3, None))
        .await
        .expect("3 of 5");
    assert_eq!(first.items[0].bake_day, Some(date("2026-12-01")));
    assert_eq!(today_of(&shop, &croissant).await, (2, None));

    // Three more than today's two: refused, naming the line and the next bake (no hours:
    // the next local midnight).
    let message = sold_out_message(place(&shop, &customer, order_of(&croissant, 3, None)).await);
    assert_eq!(
        message,
        "items[0]: Croissant is sold out for Tuesday 1 December 2026; next available \
         Wednesday 2 December 2026 at 00:00 (Europe/Paris time), 2026-12-01T23:00:00Z"
    );
    assert_eq!(today_of(&shop, &croissant).await, (2, None), "took nothing");

    // Tomorrow's bake is another count: a scheduled order takes from it.
    let scheduled = place(
        &shop,
        &customer,
        order_of(&croissant, 3, Some("2026-12-02T08:00:00Z")),
    )
    .await
    .expect("tomorrow");
    assert_eq!(scheduled.items[0].bake_day, Some(date("2026-12-02")));
    // Scheduled for later today takes from today.
    let tonight = place(
        &shop,
        &customer,
        order_of(&croissant, 2, Some("2026-12-01T18:00:00Z")),
    )
    .await
    .expect("the last two of today");
    assert_eq!(tonight.items[0].bake_day, Some(date("2026-12-01")));
    assert_eq!(
        today_of(&shop, &croissant).await,
        (0, Some(utc("2026-12-01T23:00:00Z"))),
        "sold out, with when it is next available"
    );
    let listing = shop
        .bakery
        .products(&ProductListing::default())
        .await
        .expect("listing");
    assert_eq!(listing.items[0].today.map(|t| t.left), Some(0));

    // Canceling gives back to the day the order took from.
    shop.bakery
        .cancel_order(&customer, &first.id)
        .await
        .expect("cancel");
    assert_eq!(today_of(&shop, &croissant).await, (3, None));

    // 00:30 in Paris on Wednesday: ASAP orders take from the new day, of which the
    // scheduled order holds three.
    shop.clock.advance(chrono::Duration::minutes(14 * 60 + 30));
    assert_eq!(today_of(&shop, &croissant).await, (2, None));
    let after_midnight = place(&shop, &customer, order_of(&croissant, 2, None))
        .await
        .expect("a fresh day");
    assert_eq!(after_midnight.items[0].bake_day, Some(date("2026-12-02")));
    let message = sold_out_message(place(&shop, &customer, order_of(&croissant, 1, None)).await);
    assert!(
        message.starts_with("items[0]: Croissant is sold out for Wednesday 2 December 2026"),
        "{message}"
    );
}

#[tokio::test]
async fn next_available_is_the_next_opening_on_a_later_day() {
    let (shop, croissant) = paris_shop(2).await;
    let customer = shop.customer(2).await;
    let day = vec![TimeRange::parse("r", "07:00", "19:00").expect("range")];
    // Closed on Wednesday 2 December: the next bake to order is Thursday's.
    let hours = OpeningHours::new(
        std::array::from_fn(|_| day.clone()),
        vec![DayException {
            date: date("2026-12-02"),
            ranges: vec![],
        }],
    )
    .expect("hours");
    shop.bakery
        .set_opening_hours(&shop.admin, hours)
        .await
        .expect("hours");
    place(&shop, &customer, order_of(&croissant, 2, None))
        .await
        .expect("the whole bake");
    assert_eq!(
        today_of(&shop, &croissant).await,
        (0, Some(utc("2026-12-03T06:00:00Z")))
    );
    let message = sold_out_message(place(&shop, &customer, order_of(&croissant, 1, None)).await);
    assert!(
        message.ends_with(
            "next available Thursday 3 December 2026 at 07:00 (Europe/Paris time), \
             2026-12-03T06:00:00Z"
        ),
        "{message}"
    );
    // Products without a daily quantity show no bake.
    let category = shop.category("Breads").await;
    let bread = shop.product(&category, "Baguette", 120, None).await;
    assert!(shop.bakery.product(&bread).await.unwrap().today.is_none());
}
