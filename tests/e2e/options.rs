//! Product options through the SDK: staff give a cake sizes, add-ons and a message; a
//! customer orders it with choices the server prices; the order and the prep list show what
//! was chosen; choices that do not fit are 422 naming the group.

use bakery_e2e::errors::assert_invalid;
use bakery_e2e::fixtures::{
    category_input, create_category, create_product, create_promotion, line, order_request,
    place_order, product_input, promotion_input, seed_catalog,
};
use bakery_e2e::{types, BakeryClient, TestApp};
use chrono::{Duration, Timelike, Utc};
use serde_json::{json, Value};

/// The birthday cake's groups in the API's input shape: a required size, optional candles,
/// an optional message of 40 characters that costs 2.00.
fn cake_groups() -> Vec<types::OptionGroupInput> {
    serde_json::from_value(json!([
        {"key": "size", "label": "Size", "minChoices": 1, "maxChoices": 1, "options": [
            {"key": "6", "label": "6 portions"},
            {"key": "8", "label": "8 portions", "priceDelta": 800},
            {"key": "10", "label": "10 portions", "priceDelta": 1400}
        ]},
        {"key": "add-ons", "label": "Add-ons", "options": [
            {"key": "candles", "label": "Candles", "priceDelta": 150}
        ]},
        {"key": "message", "label": "Message on the cake", "kind": "text", "maxLength": 40,
         "priceDelta": 200}
    ]))
    .expect("option groups")
}

/// A cart line with options as an app sends them (`{"group": ..., "choices"|"text": ...}`).
fn cake_line(product: &str, quantity: u32, options: Value) -> types::CartLine {
    types::CartLine {
        options: serde_json::from_value(options).expect("cart options"),
        ..line(product, quantity)
    }
}

async fn cake(admin: &BakeryClient) -> types::Product {
    let cakes = create_category(admin, category_input("Cakes", 5)).await;
    let mut input = product_input(&cakes.id, "Birthday cake", 2400);
    input.option_groups = cake_groups();
    create_product(admin, input).await
}

/// `GET` as the server sends it, bypassing the SDK's types.
async fn raw(app: &TestApp, client: &BakeryClient, path: &str) -> Value {
    let token = client.tokens().expect("signed in").access_token;
    let answer = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.base_url))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status().as_u16(), 200, "{path}");
    answer.json().await.expect("json")
}

pub async fn a_cake_is_ordered_with_its_options(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let cake = cake(&admin).await;
    let ada = app.customer("Ada", "+447700900881").await;

    // The catalog shows the groups as staff wrote them, defaults filled in.
    let groups: Vec<_> = cake
        .option_groups
        .iter()
        .map(|g| {
            (
                g.key.as_str(),
                g.kind,
                g.min_choices,
                g.max_choices,
                g.options.len(),
                g.max_length,
                g.price_delta,
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("size", types::OptionKind::Choice, 1, 1, 3, None, 0),
            ("add-ons", types::OptionKind::Choice, 0, 1, 1, None, 0),
            ("message", types::OptionKind::Text, 0, 1, 0, Some(40), 200),
        ]
    );
    let listed = raw(app, &ada, &format!("/products/{}", cake.id)).await;
    assert_eq!(listed["optionGroups"][1]["options"][0]["priceDelta"], 150);
    assert!(
        listed["optionGroups"][0].get("maxLength").is_none(),
        "{listed}"
    );
    let croissant = raw(app, &ada, &format!("/products/{}", shop.croissant.id)).await;
    assert_eq!(croissant["optionGroups"], json!([]));

    // Scheduled at noon two days ahead, so the prep list of that day holds it.
    let noon = (Utc::now() + Duration::days(2))
        .with_hour(12)
        .and_then(|t| t.with_minute(0))
        .expect("noon");
    let mut request = order_request(vec![
        cake_line(
            &cake.id,
            1,
            json!([
                {"group": "message", "text": "Happy birthday Ada"},
                {"group": "size", "choices": ["8"]},
                {"group": "add-ons", "choices": ["candles"]}
            ]),
        ),
        cake_line(&cake.id, 2, json!([{"group": "size", "choices": ["10"]}])),
        line(&shop.croissant.id, 3),
    ]);
    request.scheduled_delivery_time = Some(noon);
    let order = place_order(&ada, request).await;
    // 24.00 + 8.00 + 1.50 + 2.00; 2 × (24.00 + 14.00); 3 × 1.50.
    let prices: Vec<i64> = order.items.iter().map(|i| i.price).collect();
    assert_eq!(prices, [3550, 3800, 150]);
    assert_eq!(order.subtotal, 3550 + 2 * 3800 + 3 * 150);
    let first: Vec<_> = order.items[0]
        .options
        .iter()
        .map(|o| {
            (
                o.group.as_str(),
                o.option.as_deref(),
                o.label.as_deref(),
                o.text.as_deref(),
                o.price_delta,
            )
        })
        .collect();
    assert_eq!(
        first,
        [
            ("size", Some("8"), Some("8 portions"), None, 800),
            ("add-ons", Some("candles"), Some("Candles"), None, 150),
            ("message", None, None, Some("Happy birthday Ada"), 200),
        ]
    );
    // On the wire: absent, not null, for what a choice or a text does not have.
    let wire = raw(app, &ada, &format!("/orders/{}", order.id)).await;
    let size = &wire["items"][0]["options"][0];
    assert_eq!(size["groupLabel"], "Size", "{wire}");
    assert!(size.get("text").is_none(), "{wire}");
    let message = &wire["items"][0]["options"][2];
    assert!(
        message.get("option").is_none() && message.get("label").is_none(),
        "{wire}"
    );
    assert_eq!(wire["items"][2]["options"], json!([]), "{wire}");

    // Editing the product later does not change the order.
    let mut edited = product_input(&cake.category, "Birthday cake", 2600);
    edited.option_groups = cake_groups().into_iter().take(1).collect();
    admin
        .api()
        .admin_update_product()
        .id(cake.id.as_str())
        .body(edited)
        .send()
        .await
        .expect("update");
    let again = ada
        .api()
        .get_order()
        .id(order.id.as_str())
        .send()
        .await
        .expect("order")
        .into_inner();
    assert_eq!(again.items[0].options.len(), 3);
    assert_eq!(again.items[0].price, 3550);

    // The prep list of that day: one line per size, the message on its line.
    let date = noon.format("%Y-%m-%d").to_string();
    let prep = admin
        .api()
        .admin_prep_list()
        .date(date.as_str())
        .send()
        .await
        .expect("prep list")
        .into_inner();
    let totals: Vec<_> = prep
        .totals
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.options
                    .iter()
                    .map(|o| o.label.as_str())
                    .collect::<Vec<_>>(),
                l.quantity,
                l.texts.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("Birthday cake", vec!["10 portions"], 2, vec![]),
            (
                "Birthday cake",
                vec!["8 portions", "Candles"],
                1,
                vec!["Happy birthday Ada"]
            ),
            ("Croissant", vec![], 3, vec![]),
        ]
    );
}

pub async fn choices_that_do_not_fit_are_422_naming_the_group(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let cake = cake(&admin).await;
    let ada = app.customer("Ada", "+447700900882").await;
    let send = |items: Vec<types::CartLine>| {
        let api = ada.api();
        async move { api.place_order().body(order_request(items)).send().await }
    };
    let cases = [
        (vec![line(&cake.id, 1)], "items[0].options.size"),
        (
            vec![
                line(&shop.croissant.id, 1),
                cake_line(&cake.id, 1, json!([{"group": "size", "choices": ["12"]}])),
            ],
            "items[1].options.size",
        ),
        (
            vec![cake_line(
                &cake.id,
                1,
                json!([{"group": "size", "choices": ["6", "8"]}]),
            )],
            "items[0].options.size",
        ),
        (
            vec![cake_line(
                &cake.id,
                1,
                json!([
                    {"group": "size", "choices": ["6"]},
                    {"group": "message", "text": "x".repeat(41)}
                ]),
            )],
            "items[0].options.message",
        ),
        (
            vec![cake_line(
                &shop.croissant.id,
                1,
                json!([{"group": "filling", "choices": ["jam"]}]),
            )],
            "items[0].options.filling",
        ),
    ];
    for (items, field) in cases {
        assert_invalid(send(items).await, field);
    }
    // The checkout preview checks the same.
    create_promotion(
        &admin,
        promotion_input(Some("CAKE10"), types::DiscountType::Percentage, 10),
    )
    .await;
    let preview = ada
        .api()
        .apply_promotion()
        .code("CAKE10")
        .body(types::ApplyPromotionRequest {
            items: vec![line(&cake.id, 1)],
            fulfilment: None,
            delivery_address: None,
        })
        .send()
        .await;
    assert_invalid(preview, "items[0].options.size");
    let quote = ada
        .api()
        .apply_promotion()
        .code("CAKE10")
        .body(types::ApplyPromotionRequest {
            items: vec![cake_line(
                &cake.id,
                1,
                json!([{"group": "size", "choices": ["10"]}]),
            )],
            fulfilment: None,
            delivery_address: None,
        })
        .send()
        .await
        .expect("quote")
        .into_inner();
    assert_eq!((quote.subtotal, quote.discount), (3800, 380));

    // Staff's groups are checked as well, naming the field.
    let mut broken = product_input(&cake.category, "Layer cake", 2000);
    broken.option_groups = serde_json::from_value(json!([
        {"key": "size", "label": "Size", "minChoices": 2, "maxChoices": 1,
         "options": [{"key": "6", "label": "6 portions"}]}
    ]))
    .expect("groups");
    let refused = admin.api().admin_create_product().body(broken).send().await;
    assert_invalid(refused, "optionGroups[0].minChoices");
}
