//! Delivery zones: the fee, minimum and ride time an address gets, the addresses refused,
//! and the quote that tells the app all of it before the order.

use bakery_core::domain::{
    DeliveryAddress, DeliveryArea, DeliveryZone, Fulfilment, GeoPoint, Id, Money, PaymentMethod,
    PostcodePattern,
};
use bakery_core::error::ConflictCode;
use bakery_core::services::{CartLine, OrderRequest, QuoteRequest};
use bakery_core::Error;
use chrono::Duration;

use crate::support::{address, shop, TestShop};

/// Baker Street, where the test shop is.
const SHOP: (f64, f64) = (51.5237, -0.1585);

fn zone(name: &str, postcodes: &[&str], radius: Option<u32>, fee: i64) -> DeliveryZone {
    DeliveryZone {
        name: name.into(),
        postcodes: postcodes
            .iter()
            .map(|p| PostcodePattern::parse("postcodes", p).unwrap())
            .collect(),
        radius_meters: radius,
        fee: Money::from_minor(fee),
        free_delivery_above: None,
        minimum_order: Money::ZERO,
        extra_minutes: 0,
    }
}

/// Marylebone (NW1, or within 1.5 km) at 2.50; the rest of London north of the river by
/// postcode at 5.00 with a 20.00 minimum, free from 60.00, 25 minutes further.
fn london() -> DeliveryArea {
    let mut far = zone("North London", &["N*", "NW*", "W1*"], None, 500);
    far.minimum_order = Money::from_minor(2000);
    far.free_delivery_above = Some(Money::from_minor(6000));
    far.extra_minutes = 25;
    DeliveryArea::new(
        GeoPoint::from_lat_lng(SHOP.0, SHOP.1).ok(),
        vec![zone("Marylebone", &["NW1*"], Some(1_500), 250), far],
    )
    .unwrap()
}

fn to(zip: &str, at: Option<(f64, f64)>) -> DeliveryAddress {
    DeliveryAddress::parse("2 High Street", None, "London", "London", zip)
        .unwrap()
        .with_location(at.map(|(lat, lng)| GeoPoint::from_lat_lng(lat, lng).unwrap()))
}

fn order(product: &Id, quantity: u32, address: DeliveryAddress) -> OrderRequest {
    OrderRequest {
        items: vec![CartLine::new(product.clone(), quantity)],
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(address),
        payment_method: PaymentMethod::Cash,
        promotion_code: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    }
}

fn quote_of(request: &OrderRequest) -> QuoteRequest {
    QuoteRequest {
        items: request.items.clone(),
        fulfilment: request.fulfilment,
        delivery_address: request.delivery_address.clone(),
        promotion_code: request.promotion_code.clone(),
        scheduled_delivery_time: request.scheduled_delivery_time,
    }
}

async fn zoned_shop() -> (TestShop, Id) {
    let shop = shop().await;
    shop.bakery
        .set_delivery_area(&shop.admin, london())
        .await
        .unwrap();
    let cat = shop.category("Breads").await;
    let bread = shop.product(&cat, "Bloomer", 400, Some(50)).await;
    (shop, bread)
}

fn conflict_code(err: &Error) -> Option<ConflictCode> {
    match err {
        Error::Conflict { code, .. } => Some(*code),
        _ => None,
    }
}

#[tokio::test]
async fn a_delivery_pays_its_zone_fee_and_rides_its_extra_minutes() {
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(70).await;

    // NW1 6XE: Marylebone by postcode.
    let near = shop
        .bakery
        .place_order(&customer, order(&bread, 2, address()))
        .await
        .unwrap();
    assert_eq!(near.delivery_fee.minor(), 250);
    assert_eq!(near.delivery_zone.as_deref(), Some("Marylebone"));
    // 20 minutes of baking and the configured 30 of riding.
    assert_eq!(
        near.estimated_delivery_time,
        near.created_at + Duration::minutes(50)
    );

    // N7: North London, by prefix; its 25 extra minutes and its own fee.
    let far = shop
        .bakery
        .place_order(&customer, order(&bread, 5, to("n7 9aa", None)))
        .await
        .unwrap();
    assert_eq!(far.delivery_fee.minor(), 500);
    assert_eq!(far.delivery_zone.as_deref(), Some("North London"));
    assert_eq!(
        far.estimated_delivery_time,
        far.created_at + Duration::minutes(75)
    );
    assert_eq!(far.total.minor(), 2000 + 500 + 200);

    // Free from 60.00 in that zone.
    let big = shop
        .bakery
        .place_order(&customer, order(&bread, 15, to("N7 9AA", None)))
        .await
        .unwrap();
    assert_eq!(big.delivery_fee, Money::ZERO);

    // The stored order keeps its zone.
    let read = shop.bakery.order(&customer, &far.id).await.unwrap();
    assert_eq!(read.delivery_zone.as_deref(), Some("North London"));
}

#[tokio::test]
async fn a_radius_takes_an_address_by_its_map_point_whatever_its_postcode() {
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(71).await;
    // ~1.1 km east of the shop with an SE postcode typed by mistake: inside Marylebone's
    // 1.5 km.
    let close = to("SE1 7PB", Some((SHOP.0, SHOP.1 + 0.016)));
    let placed = shop
        .bakery
        .place_order(&customer, order(&bread, 1, close))
        .await
        .unwrap();
    assert_eq!(placed.delivery_zone.as_deref(), Some("Marylebone"));
    // ~7 km away, same postcode: no zone takes it.
    let away = to("SE1 7PB", Some((SHOP.0, SHOP.1 + 0.1)));
    let err = shop
        .bakery
        .place_order(&customer, order(&bread, 1, away))
        .await
        .unwrap_err();
    assert_eq!(conflict_code(&err), Some(ConflictCode::OutsideDeliveryArea));
}

#[tokio::test]
async fn an_address_outside_every_zone_is_refused_and_takes_nothing() {
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(72).await;
    let err = shop
        .bakery
        .place_order(&customer, order(&bread, 3, to("E1 6AN", None)))
        .await
        .unwrap_err();
    assert_eq!(conflict_code(&err), Some(ConflictCode::OutsideDeliveryArea));
    assert!(err.to_string().contains("E1 6AN"), "{err}");
    assert_eq!(shop.bakery.product(&bread).await.unwrap().stock, Some(50));
    // The quote says the same before checkout.
    let quoted = shop
        .bakery
        .quote_order(&customer, &quote_of(&order(&bread, 3, to("E1 6AN", None))))
        .await
        .unwrap_err();
    assert_eq!(
        conflict_code(&quoted),
        Some(ConflictCode::OutsideDeliveryArea)
    );
    // The customer can still collect it: zones are about deliveries.
    let mut pickup = order(&bread, 3, address());
    pickup.fulfilment = Fulfilment::Pickup;
    pickup.delivery_address = None;
    let collected = shop.bakery.place_order(&customer, pickup).await.unwrap();
    assert_eq!(collected.delivery_zone, None);
    assert_eq!(collected.delivery_fee, Money::ZERO);
}

#[tokio::test]
async fn a_cart_under_the_zone_minimum_is_quoted_then_refused() {
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(73).await;
    let small = order(&bread, 4, to("N1 9GU", None));

    let quote = shop
        .bakery
        .quote_order(&customer, &quote_of(&small))
        .await
        .unwrap();
    assert_eq!(quote.delivery_zone.as_deref(), Some("North London"));
    assert_eq!(quote.minimum_order.minor(), 2000);
    assert_eq!(quote.short_of_minimum(), Some(Money::from_minor(400)));
    assert_eq!(quote.quote.delivery_fee.minor(), 500);

    let err = shop.bakery.place_order(&customer, small).await.unwrap_err();
    assert_eq!(conflict_code(&err), Some(ConflictCode::BelowMinimumOrder));
    assert_eq!(shop.bakery.product(&bread).await.unwrap().stock, Some(50));

    // At the minimum, the quote is the order to the cent.
    let enough = order(&bread, 5, to("N1 9GU", None));
    let quote = shop
        .bakery
        .quote_order(&customer, &quote_of(&enough))
        .await
        .unwrap();
    assert_eq!(quote.short_of_minimum(), None);
    let placed = shop.bakery.place_order(&customer, enough).await.unwrap();
    assert_eq!(quote.quote.total, placed.total);
    assert_eq!(quote.quote.delivery_fee, placed.delivery_fee);
    assert_eq!(quote.quote.taxes, placed.taxes);
    assert_eq!(quote.delivery_zone, placed.delivery_zone);
    assert_eq!(
        quote.estimated_delivery_time,
        placed.estimated_delivery_time
    );
}

#[tokio::test]
async fn only_staff_draw_zones_and_an_empty_set_delivers_anywhere_again() {
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(74).await;
    let err = shop
        .bakery
        .set_delivery_area(&customer, DeliveryArea::new(None, vec![]).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden), "{err:?}");
    assert_eq!(shop.bakery.delivery_area().await.unwrap(), Some(london()));

    shop.bakery
        .set_delivery_area(&shop.admin, DeliveryArea::new(None, vec![]).unwrap())
        .await
        .unwrap();
    // The shop's flat fee (3.00) anywhere, no zone recorded.
    let anywhere = shop
        .bakery
        .place_order(&customer, order(&bread, 1, to("E1 6AN", None)))
        .await
        .unwrap();
    assert_eq!(anywhere.delivery_fee.minor(), 300);
    assert_eq!(anywhere.delivery_zone, None);
}

#[tokio::test]
async fn the_promotion_preview_prices_the_way_the_order_goes() {
    use bakery_core::domain::{DiscountType, PromotionDraft};
    let (shop, bread) = zoned_shop().await;
    let customer = shop.customer(75).await;
    let now = chrono::Utc::now();
    shop.bakery
        .create_promotion(
            &shop.admin,
            PromotionDraft {
                title: "Tenner".into(),
                description: "1.00 off".into(),
                image: None,
                discount_type: DiscountType::Fixed,
                discount_value: 100,
                code: Some("ONE".into()),
                minimum_order_value: Money::ZERO,
                start_date: now - Duration::days(1),
                end_date: now + Duration::days(1),
                is_active: true,
                applicable_products: vec![],
                usage_limit: None,
                per_user_limit: None,
            },
        )
        .await
        .unwrap();
    let items = vec![CartLine::new(bread.clone(), 2)];
    let preview = |fulfilment, address: Option<DeliveryAddress>| {
        let (shop, customer, items) = (&shop, &customer, &items);
        async move {
            shop.bakery
                .preview_promotion(customer, "ONE", items, fulfilment, address.as_ref())
                .await
        }
    };
    // Without an address, the flat fee, as apps built before zones expect.
    let flat = preview(Fulfilment::Delivery, None).await.unwrap();
    assert_eq!(flat.delivery_fee.minor(), 300);
    let zoned = preview(Fulfilment::Delivery, Some(to("N7 9AA", None)))
        .await
        .unwrap();
    assert_eq!(zoned.delivery_fee.minor(), 500);
    let collected = preview(Fulfilment::Pickup, None).await.unwrap();
    assert_eq!(collected.delivery_fee, Money::ZERO);
    assert_eq!(collected.discount.minor(), 100);
    let outside = preview(Fulfilment::Delivery, Some(to("E1 6AN", None)))
        .await
        .unwrap_err();
    assert_eq!(
        conflict_code(&outside),
        Some(ConflictCode::OutsideDeliveryArea)
    );
    let mixed = preview(Fulfilment::Pickup, Some(address()))
        .await
        .unwrap_err();
    assert!(
        matches!(&mixed, Error::Validation { field, .. } if field == "deliveryAddress"),
        "{mixed:?}"
    );
}
