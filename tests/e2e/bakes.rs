//! Daily bakes through the SDK: staff set a daily quantity, the catalog shows what is left
//! today (from cache, never stale), a sold-out day is a 409 naming the line and the next
//! bake, a scheduled order takes from its own day, and the next local day starts afresh.

use bakery_core::ports::Clock;
use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{
    category_input, create_category, create_product, line, order_request, place_order,
    product_input,
};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// `GET /products/{id}`, read twice so the second answer comes from the cache.
async fn product(client: &BakeryClient, id: &str) -> types::Product {
    let read = || async {
        client
            .api()
            .get_product()
            .id(id)
            .send()
            .await
            .expect("GET /products/{id}")
            .into_inner()
    };
    let first = read().await;
    let second = read().await;
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    second
}

async fn listed(client: &BakeryClient, id: &str) -> types::Product {
    client
        .api()
        .list_products()
        .send()
        .await
        .expect("GET /products")
        .into_inner()
        .items
        .into_iter()
        .find(|p| p.id == id)
        .expect("listed")
}

/// Local midnight starting the Paris day after the one `at` falls on.
fn next_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = at.with_timezone(&Paris).date_naive() + Duration::days(1);
    Paris
        .from_local_datetime(&tomorrow.and_time(NaiveTime::MIN))
        .earliest()
        .expect("midnight")
        .with_timezone(&Utc)
}

pub async fn croissants_sell_out_for_the_day(app: &TestApp) {
    let clock = app.clock.as_ref().expect("a manual clock");
    let admin = app.admin().await;
    let anonymous = app.client();
    let category = create_category(&admin, category_input("Viennoiseries", 0)).await;

    // Staff set the daily quantity; out of range is 422 naming the field.
    let mut input = product_input(&category.id, "Croissant", 180);
    input.daily_quantity = std::num::NonZeroU32::new(10_001);
    let result = admin
        .api()
        .admin_create_product()
        .body(input.clone())
        .send()
        .await;
    assert_invalid(result, "dailyQuantity");
    input.daily_quantity = std::num::NonZeroU32::new(3);
    let croissant = create_product(&admin, input).await;
    assert_eq!(
        (
            croissant.daily_quantity,
            croissant.left_today,
            croissant.next_available
        ),
        (Some(3), Some(3), None)
    );
    let plain = create_product(&admin, product_input(&category.id, "Baguette", 120)).await;
    let plain = product(&anonymous, &plain.id).await;
    assert_eq!((plain.daily_quantity, plain.left_today), (None, None));
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(3));

    // An ASAP order takes from today: the cached product follows at once.
    let ada = app.customer("Ada", "+447700900970").await;
    place_order(&ada, order_request(vec![line(&croissant.id, 2)])).await;
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(1));
    assert_eq!(listed(&anonymous, &croissant.id).await.left_today, Some(1));

    // More than is left: 409 naming the line and the next bake; nothing taken.
    let midnight = next_midnight(clock.now());
    let result = ada
        .api()
        .place_order()
        .body(order_request(vec![
            line(&plain.id, 1),
            line(&croissant.id, 2),
        ]))
        .send()
        .await;
    let body = assert_error(result, 409, "SOLD_OUT_FOR_THE_DAY");
    assert!(
        body.message
            .starts_with("items[1]: Croissant is sold out for "),
        "{}",
        body.message
    );
    let iso = midnight.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(body.message.contains(&iso), "{}", body.message);
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(1));

    // Tomorrow's bake is another: a scheduled order for tomorrow takes from it.
    let mut tomorrow = order_request(vec![line(&croissant.id, 2)]);
    tomorrow.scheduled_delivery_time = Some(midnight + Duration::hours(9));
    let scheduled = place_order(&ada, tomorrow).await;
    assert!(scheduled.is_scheduled);
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(1));

    // The last one of today: sold out, with when it is next available.
    place_order(&ada, order_request(vec![line(&croissant.id, 1)])).await;
    let sold_out = product(&anonymous, &croissant.id).await;
    assert_eq!(sold_out.left_today, Some(0));
    assert_eq!(sold_out.next_available, Some(midnight));
    assert_eq!(
        listed(&anonymous, &croissant.id).await.next_available,
        Some(midnight)
    );

    // Just past local midnight, the cached answers of yesterday are not served: the new
    // day's bake, less tomorrow's scheduled two, is on the shelf.
    clock.advance(midnight + Duration::minutes(5) - clock.now());
    let fresh = product(&anonymous, &croissant.id).await;
    assert_eq!((fresh.left_today, fresh.next_available), (Some(1), None));
    assert_eq!(listed(&anonymous, &croissant.id).await.left_today, Some(1));
    let ben = app.customer("Ben", "+447700900971").await;
    place_order(&ben, order_request(vec![line(&croissant.id, 1)])).await;
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(0));

    // Canceling the scheduled order gives its two back to today's (its own day's) bake.
    let staff = app.admin().await;
    staff
        .api()
        .admin_update_order_status()
        .id(scheduled.id.as_str())
        .body(types::StatusUpdate {
            status: types::OrderStatus::Canceled,
        })
        .send()
        .await
        .expect("cancel");
    assert_eq!(product(&anonymous, &croissant.id).await.left_today, Some(2));
}
