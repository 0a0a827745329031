//! The whole story, as a customer's phone and the shop's staff live it.

use bakery_e2e::errors::assert_error;
use bakery_e2e::fixtures::{
    address_input, create_promotion, deliver, line, promotion_input, seed_catalog, v,
};
use bakery_e2e::{types, TestApp, Tokens};

pub async fn the_whole_story(app: &TestApp) {
    let staff = app.admin().await;
    let shop = seed_catalog(&staff).await;
    create_promotion(
        &staff,
        promotion_input(Some("WELCOME10"), types::DiscountType::Percentage, 10),
    )
    .await;

    // Register; the code arrives by SMS; verify.
    let phone = "+447700900001";
    let phone_app = app.client();
    let api = phone_app.api();
    api.register()
        .body_map(|b| b.name("Zoé").phone(phone))
        .send()
        .await
        .unwrap();
    let code = app.otp_for(phone);
    assert_eq!(code.len(), 6);
    let session = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(code.as_str()))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (session.user.name.as_str(), session.user.role),
        ("Zoé", types::Role::Customer)
    );
    phone_app.set_tokens(Some(Tokens::from(&session)));
    let me = phone_app.api();

    // Browse, search (with a typo), filter.
    let categories = me.list_categories().send().await.unwrap();
    let names: Vec<&str> = categories.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Bread", "Pastry"]);
    let pastry = me
        .list_category_products()
        .id(shop.pastry.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(pastry.total, 4);
    let found = me.search_products().q("croisant").send().await.unwrap();
    let croissant = found.items.first().expect("a result").clone();
    assert_eq!(
        (croissant.name.as_str(), croissant.id.as_str()),
        ("Croissant", shop.croissant.id.as_str())
    );
    let no_milk = me
        .list_products()
        .vegetarian(true)
        .exclude_allergen("milk")
        .sort(types::SortBy::PriceAsc)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = no_milk.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Baguette", "Galette des rois"]);

    // Favorite it; save an address.
    me.add_favorite()
        .product_id(croissant.id.as_str())
        .send()
        .await
        .unwrap();
    let favorites = me.list_favorites().send().await.unwrap();
    assert_eq!(
        favorites
            .items
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        [croissant.id.as_str()]
    );
    let home = me
        .add_address()
        .body(address_input("Home", true))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(home.is_default);

    // Check the promotion, then order with it to the saved address.
    let cart = || vec![line(&croissant.id, 4), line(&shop.baguette.id, 5)];
    let quote = me
        .apply_promotion()
        .code("WELCOME10")
        .body(types::ApplyPromotionRequest {
            items: cart(),
            fulfilment: None,
            delivery_address: None,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    // 4 × 150 + 5 × 120 = 1200; 120 off; 1080 taxed 108; delivery 300.
    assert_eq!(
        (
            quote.subtotal,
            quote.discount,
            quote.delivery_fee,
            quote.taxes,
            quote.total
        ),
        (1200, 120, 300, 108, 1488)
    );
    let request = types::PlaceOrderRequest {
        items: cart(),
        fulfilment: None,
        delivery_address: Some(types::DeliveryAddressInput {
            address: v(home.address.as_str()),
            landmark: home.landmark.as_deref().map(v),
            city: v(home.city.as_str()),
            state: v(home.state.as_str()),
            zip_code: v(home.zip_code.as_str()),
            location: home.location.clone(),
        }),
        payment_details: types::PaymentInput {
            method: types::PaymentMethod::Cash,
        },
        promotion_code: Some(v("WELCOME10")),
        is_scheduled: None,
        scheduled_delivery_time: None,
        special_instructions: Some(v("Leave with the concierge")),
    };
    let order = me
        .place_order()
        .body(request)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((order.discount, order.total), (quote.discount, quote.total));
    assert_eq!(order.promotion_code.as_deref(), Some("WELCOME10"));
    assert_eq!(
        order
            .delivery_address
            .as_ref()
            .and_then(|a| a.landmark.as_deref()),
        Some("Blue door")
    );

    // Staff take it all the way.
    let book = staff
        .api()
        .admin_list_orders()
        .status(vec![types::OrderStatus::Placed])
        .send()
        .await
        .unwrap();
    assert_eq!(
        book.items.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [order.id.as_str()]
    );
    let delivered = deliver(&staff, &order.id).await;
    assert_eq!(delivered.order_status, types::OrderStatus::Delivered);
    let tracking = me.track_order().id(order.id.as_str()).send().await.unwrap();
    let statuses: Vec<types::OrderStatus> =
        tracking.history.iter().map(|c| c.status.clone()).collect();
    use types::OrderStatus::*;
    assert_eq!(statuses, [Placed, Preparing, OutForDelivery, Delivered]);

    // Review what arrived.
    let review = me
        .create_review()
        .id(croissant.id.as_str())
        .body(types::ReviewInput {
            rating: std::num::NonZeroU8::new(5).unwrap(),
            comment: Some(v("Best croissant in town")),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.user_name, "Zoé");
    let croissant_now = me
        .get_product()
        .id(croissant.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (croissant_now.ratings.average, croissant_now.ratings.count),
        (5.0, 1)
    );

    // Every status change is in the inbox, newest first.
    let inbox = me.list_notifications().send().await.unwrap().into_inner();
    let titles: Vec<&str> = inbox.items.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Order delivered",
            "Order on its way",
            "Order in the oven",
            "Order placed"
        ]
    );
    assert!(inbox
        .items
        .iter()
        .all(|n| n.reference_id.as_deref() == Some(order.id.as_str()) && !n.is_read));

    // The refresh token rotates; replaying the old one is refused and ends the session.
    let before = phone_app.tokens().unwrap();
    let after = phone_app.refresh().await.expect("refresh");
    assert_ne!(after.refresh_token, before.refresh_token);
    assert_eq!(
        me.get_profile().send().await.unwrap().name,
        "Zoé",
        "the old client still holds a valid access token"
    );
    assert_eq!(
        phone_app.api().get_profile().send().await.unwrap().name,
        "Zoé"
    );
    let replay = app
        .client()
        .api()
        .refresh_token()
        .body(types::RefreshRequest {
            refresh_token: Some(before.refresh_token.as_str().try_into().unwrap()),
        })
        .send()
        .await;
    assert_error(replay, 401, "UNAUTHORIZED");
    // The replay revoked the family: the current refresh token is spent too.
    let result = phone_app.refresh().await;
    assert_error(result, 401, "UNAUTHORIZED");
    assert_eq!(phone_app.tokens(), None);
}
