//! Delivery zones through the SDK: staff draw them, `GET /shop/zones` publishes them, the
//! quote and the order price a delivery by its zone, and addresses outside are refused.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{delivery_address, line, order_request, place_order, seed_catalog, v};
use bakery_e2e::{types, BakeryClient, TestApp};
use serde_json::{json, Value};

/// The centre (75001-75004, or 2 km around the shop) at 2.00; the rest of Paris at 4.50
/// with a 15.00 minimum, free from 50.00, 15 minutes further.
fn paris() -> Value {
    json!({
        "shopLocation": {"lat": 48.8566, "lng": 2.3522},
        "zones": [
            {"name": "Centre", "postcodes": ["75001", "75002", " 75003", "75004"],
             "radiusMeters": 2000, "fee": 200},
            {"name": "Paris", "postcodes": ["750*", "751 *"], "fee": 450,
             "freeDeliveryAbove": 5000, "minimumOrder": 1500, "extraMinutes": 15}
        ]
    })
}

async fn set_zones(
    client: &BakeryClient,
    body: Value,
) -> Result<bakery_e2e::ResponseValue<types::DeliveryArea>, bakery_e2e::ApiError> {
    let body: types::DeliveryAreaInput = serde_json::from_value(body).expect("schema-valid");
    client.api().admin_set_shop_zones().body(body).send().await
}

fn to(zip: &str) -> types::DeliveryAddressInput {
    types::DeliveryAddressInput {
        zip_code: v(zip),
        ..delivery_address()
    }
}

fn quote_request(
    items: Vec<types::CartLine>,
    address: Option<types::DeliveryAddressInput>,
) -> types::QuoteOrderRequest {
    types::QuoteOrderRequest {
        items,
        fulfilment: address.is_none().then_some(types::Fulfilment::Pickup),
        delivery_address: address,
        promotion_code: None,
        is_scheduled: None,
        scheduled_delivery_time: None,
    }
}

pub async fn staff_draw_zones_and_deliveries_pay_theirs(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900801").await;

    // Before any zone: anywhere, at the flat fee.
    let area = ada
        .api()
        .get_shop_zones()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(area.delivers_anywhere && area.zones.is_empty(), "{area:?}");

    assert_error(set_zones(&ada, paris()).await, 403, "FORBIDDEN");
    let saved = set_zones(&admin, paris()).await.unwrap().into_inner();
    assert!(!saved.delivers_anywhere);
    // Published as stored: postcodes normalised, absent fields absent (not null).
    let raw: Value = reqwest::get(format!("{}/api/v1/shop/zones", app.base_url))
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(raw["zones"][0]["postcodes"][2], "75003", "{raw}");
    assert_eq!(raw["zones"][1]["postcodes"][1], "751*", "{raw}");
    assert!(raw["zones"][0].get("freeDeliveryAbove").is_none(), "{raw}");
    assert!(raw["zones"][1].get("radiusMeters").is_none(), "{raw}");
    assert_eq!(raw["zones"][0]["minimumOrder"], 0, "{raw}");
    assert_eq!(raw["shopLocation"]["lat"], 48.8566, "{raw}");

    // The quote: 75011 is Paris, 2 × 150 = 300 is 1200 short of its minimum.
    let quote = ada
        .api()
        .quote_order()
        .body(quote_request(
            vec![line(&shop.croissant.id, 2)],
            Some(to("75011")),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.delivery_zone.as_deref(), Some("Paris"));
    assert_eq!(
        (quote.subtotal, quote.delivery_fee, quote.minimum_order),
        (300, 450, 1500)
    );
    assert_eq!(quote.short_of_minimum, Some(1200));
    // ... and the order is refused until the cart gets there; nothing is taken.
    let mut small = order_request(vec![line(&shop.croissant.id, 2)]);
    small.delivery_address = Some(to("75011"));
    assert_error(
        ada.api().place_order().body(small).send().await,
        409,
        "BELOW_MINIMUM_ORDER",
    );
    let mut enough = order_request(vec![line(&shop.croissant.id, 10)]);
    enough.delivery_address = Some(to("75011"));
    let quote = ada
        .api()
        .quote_order()
        .body(quote_request(
            vec![line(&shop.croissant.id, 10)],
            Some(to("75011")),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.short_of_minimum, None);
    let order = place_order(&ada, enough).await;
    assert_eq!(order.delivery_zone.as_deref(), Some("Paris"));
    assert_eq!(
        (order.delivery_fee, order.total),
        (quote.delivery_fee, quote.total)
    );
    // 10 minutes of baking, 30 of riding and the zone's 15.
    assert_eq!(
        (order.estimated_delivery_time - order.created_at).num_minutes(),
        55
    );

    // The centre, by postcode: its own fee, no minimum.
    let near = place_order(&ada, order_request(vec![line(&shop.baguette.id, 1)])).await;
    assert_eq!(
        (near.delivery_zone.as_deref(), near.delivery_fee),
        (Some("Centre"), 200)
    );

    // Lyon is in no zone: refused by the quote, the order and the promotion preview alike.
    let mut lyon = order_request(vec![line(&shop.croissant.id, 20)]);
    lyon.delivery_address = Some(to("69001"));
    assert_error(
        ada.api().place_order().body(lyon).send().await,
        409,
        "OUTSIDE_DELIVERY_AREA",
    );
    assert_error(
        ada.api()
            .quote_order()
            .body(quote_request(
                vec![line(&shop.croissant.id, 20)],
                Some(to("69001")),
            ))
            .send()
            .await,
        409,
        "OUTSIDE_DELIVERY_AREA",
    );
    // A pickup is quoted without a fee or a zone.
    let counter = ada
        .api()
        .quote_order()
        .body(quote_request(vec![line(&shop.croissant.id, 2)], None))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            counter.delivery_fee,
            counter.minimum_order,
            counter.delivery_zone
        ),
        (0, 0, None)
    );

    // Staff clear the zones: anywhere again, at the flat fee.
    set_zones(&admin, json!({"zones": []})).await.unwrap();
    let mut anywhere = order_request(vec![line(&shop.croissant.id, 1)]);
    anywhere.delivery_address = Some(to("69001"));
    let order = place_order(&ada, anywhere).await;
    assert_eq!((order.delivery_fee, order.delivery_zone), (300, None));
}

pub async fn zones_that_cannot_hold_are_refused(app: &TestApp) {
    let admin = app.admin().await;
    let radius_alone = json!({"zones": [{"name": "Ring", "radiusMeters": 1000, "fee": 100}]});
    assert_invalid(set_zones(&admin, radius_alone).await, "shopLocation");
    let twice = json!({"zones": [
        {"name": "Centre", "postcodes": ["75001"], "fee": 100},
        {"name": "centre", "postcodes": ["75002"], "fee": 100}
    ]});
    assert_invalid(set_zones(&admin, twice).await, "zones[1].name");
    let nowhere = json!({"zones": [{"name": "Void", "fee": 100}]});
    assert_invalid(set_zones(&admin, nowhere).await, "zones[0].postcodes");
    // Nothing was saved by the refusals.
    let area = admin
        .api()
        .get_shop_zones()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(area.delivers_anywhere, "{area:?}");
}
