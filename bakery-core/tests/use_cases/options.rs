//! Product options through the use cases: staff give a cake its sizes, add-ons and message;
//! customers order it with their choices, priced by the server; the order keeps what was
//! chosen at what price; the prep list splits by size.

use bakery_core::domain::{
    Fulfilment, Id, Money, OptionChoice, OptionGroup, OptionKind, PaymentMethod, ProductOption,
};
use bakery_core::services::{CartLine, OrderRequest};
use bakery_core::Error;

use crate::support::{draft, settings, shop, shop_at, TestShop};

fn option(key: &str, label: &str, delta: i64) -> ProductOption {
    ProductOption {
        key: key.into(),
        label: label.into(),
        price_delta: Money::from_minor(delta),
    }
}

fn cake_groups() -> Vec<OptionGroup> {
    vec![
        OptionGroup {
            key: "size".into(),
            label: "Size".into(),
            kind: OptionKind::Choice,
            min_choices: 1,
            max_choices: 1,
            options: vec![
                option("6", "6 portions", 0),
                option("8", "8 portions", 800),
                option("10", "10 portions", 1400),
            ],
            max_length: None,
            price_delta: Money::ZERO,
        },
        OptionGroup {
            key: "add-ons".into(),
            label: "Add-ons".into(),
            kind: OptionKind::Choice,
            min_choices: 0,
            max_choices: 1,
            options: vec![option("candles", "Candles", 150)],
            max_length: None,
            price_delta: Money::ZERO,
        },
        OptionGroup {
            key: "message".into(),
            label: "Message on the cake".into(),
            kind: OptionKind::Text,
            min_choices: 0,
            max_choices: 1,
            options: vec![],
            max_length: Some(40),
            price_delta: Money::ZERO,
        },
    ]
}

async fn cake(shop: &TestShop, stock: Option<u32>) -> Id {
    let category = shop.category("Cakes").await;
    let mut cake = draft(&category, "Birthday cake", 2400, stock);
    cake.option_groups = cake_groups();
    shop.bakery
        .create_product(&shop.admin, cake)
        .await
        .unwrap()
        .id
}

fn pick(group: &str, choices: &[&str]) -> OptionChoice {
    OptionChoice {
        group: group.into(),
        choices: choices.iter().map(|c| (*c).to_owned()).collect(),
        text: None,
    }
}

fn write(group: &str, text: &str) -> OptionChoice {
    OptionChoice {
        group: group.into(),
        choices: vec![],
        text: Some(text.into()),
    }
}

fn line(product: &Id, quantity: u32, options: Vec<OptionChoice>) -> CartLine {
    CartLine {
        options,
        ..CartLine::new(product.clone(), quantity)
    }
}

fn request(items: Vec<CartLine>) -> OrderRequest {
    OrderRequest {
        items,
        fulfilment: Fulfilment::Pickup,
        delivery_address: None,
        payment_method: PaymentMethod::Cash,
        promotion_code: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    }
}

#[tokio::test]
async fn the_options_are_priced_by_the_server_and_kept_on_the_order() {
    // 10:00 UTC, so the ASAP orders are due the same day.
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-15T10:00:00Z")
        .unwrap()
        .to_utc();
    let shop = shop_at(settings(), start).await;
    let customer = shop.customer(61).await;
    let cake = cake(&shop, Some(5)).await;

    let order = shop
        .bakery
        .place_order(
            &customer,
            request(vec![
                line(
                    &cake,
                    1,
                    vec![
                        write("message", "Happy birthday Ada"),
                        pick("add-ons", &["candles"]),
                        pick("size", &["8"]),
                    ],
                ),
                line(&cake, 2, vec![pick("size", &["10"])]),
            ]),
        )
        .await
        .unwrap();
    // 24.00 + 8.00 + 1.50, then twice 24.00 + 14.00.
    let prices: Vec<i64> = order.items.iter().map(|i| i.price.minor()).collect();
    assert_eq!(prices, [3350, 3800]);
    assert_eq!(order.subtotal, Money::from_minor(3350 + 2 * 3800));
    let first: Vec<(&str, Option<&str>, Option<&str>, i64)> = order.items[0]
        .options
        .iter()
        .map(|o| {
            (
                o.group.as_str(),
                o.label.as_deref(),
                o.text.as_deref(),
                o.price_delta.minor(),
            )
        })
        .collect();
    assert_eq!(
        first,
        [
            ("size", Some("8 portions"), None, 800),
            ("add-ons", Some("Candles"), None, 150),
            ("message", None, Some("Happy birthday Ada"), 0),
        ]
    );
    // As stored: read back the same, and the product's stock counts both lines.
    let stored = shop.bakery.order(&customer, &order.id).await.unwrap();
    assert_eq!(stored.items, order.items);
    let product = shop.bakery.product(&cake).await.unwrap();
    assert_eq!(product.stock, Some(2));
    assert_eq!(product.option_groups, cake_groups());

    // The prep list: one line per size, the message listed on its line.
    let today = start.date_naive();
    let prep = shop.bakery.prep_list(&shop.admin, today).await.unwrap();
    let lines: Vec<(Vec<&str>, u64, usize)> = prep
        .totals
        .iter()
        .map(|l| {
            (
                l.options.iter().map(|o| o.label.as_str()).collect(),
                l.quantity,
                l.texts.len(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (vec!["10 portions"], 2, 0),
            (vec!["8 portions", "Candles"], 1, 1)
        ]
    );
}

#[tokio::test]
async fn invalid_choices_are_refused_naming_the_group_and_change_nothing() {
    let shop = shop().await;
    let customer = shop.customer(62).await;
    let cake = cake(&shop, Some(5)).await;
    let category = shop.category("Bread").await;
    let baguette = shop.product(&category, "Baguette", 120, None).await;

    let cases = [
        (vec![line(&cake, 1, vec![])], "items[0].options.size"),
        (
            vec![
                line(&baguette, 1, vec![]),
                line(&cake, 1, vec![pick("size", &["12"])]),
            ],
            "items[1].options.size",
        ),
        (
            vec![line(
                &cake,
                1,
                vec![pick("size", &["6"]), write("message", &"x".repeat(41))],
            )],
            "items[0].options.message",
        ),
        (
            vec![line(&baguette, 1, vec![pick("size", &["6"])])],
            "items[0].options.size",
        ),
        (
            vec![line(
                &cake,
                1,
                vec![
                    pick("size", &["6"]),
                    pick("add-ons", &["candles", "sparkler"]),
                ],
            )],
            "items[0].options.add-ons",
        ),
    ];
    for (items, field) in cases {
        let refused = shop
            .bakery
            .place_order(&customer, request(items))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, Error::Validation { field: ref f, .. } if f == field),
            "{field}: {refused:?}"
        );
    }
    let product = shop.bakery.product(&cake).await.unwrap();
    assert_eq!(product.stock, Some(5), "a refused order takes no stock");

    // Staff's groups are checked too.
    let mut broken = draft(&category, "Layer cake", 2000, None);
    broken.option_groups = cake_groups();
    broken.option_groups[1].key = "size".into();
    let refused = shop
        .bakery
        .create_product(&shop.admin, broken)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Validation { ref field, .. } if field == "optionGroups[1].key"),
        "{refused:?}"
    );
}
