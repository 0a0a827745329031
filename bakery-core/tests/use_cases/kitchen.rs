//! The prep list over real orders: the shop's day in its own time zone, on a day the clocks
//! go back.

use bakery_core::domain::{Fulfilment, Id, PaymentMethod};
use bakery_core::services::{CartLine, OrderRequest};
use bakery_core::Error;
use chrono::{DateTime, NaiveDate, Utc};

use crate::support::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn request(items: Vec<(Id, u32)>, at: Option<&str>) -> OrderRequest {
    OrderRequest {
        items: items
            .into_iter()
            .map(|(product, quantity)| CartLine::new(product, quantity))
            .collect(),
        fulfilment: Fulfilment::Delivery,
        delivery_address: Some(address()),
        payment_method: PaymentMethod::Cash,
        promotion_code: None,
        scheduled_delivery_time: at.map(utc),
        special_instructions: None,
    }
}

#[tokio::test]
async fn the_prep_list_sums_the_shops_day_for_staff_only() {
    let mut settings = settings();
    settings.timezone = chrono_tz::Europe::Paris;
    // Saturday 24 October 2026, 10:00 in Paris; the clocks go back that night.
    let shop = shop_at(settings, utc("2026-10-24T08:00:00Z")).await;
    let bread = shop.category("Bread").await;
    let croissant = shop.product(&bread, "Croissant", 150, None).await;
    let baguette = shop.product(&bread, "Baguette", 120, None).await;
    let customer = shop.customer(2).await;
    let place = |items, at| shop.bakery.place_order(&customer, request(items, at));

    // 02:10 summer time, then 02:10 winter time, then 09:05: all on Sunday the 25th.
    place(vec![(croissant.clone(), 2)], Some("2026-10-25T00:10:00Z"))
        .await
        .unwrap();
    place(
        vec![(croissant.clone(), 3), (baguette.clone(), 1)],
        Some("2026-10-25T01:10:00Z"),
    )
    .await
    .unwrap();
    place(vec![(baguette.clone(), 4)], Some("2026-10-25T08:05:00Z"))
        .await
        .unwrap();
    // Canceled, and as soon as possible (due today): neither counts on Sunday.
    let canceled = place(vec![(croissant.clone(), 9)], Some("2026-10-25T08:10:00Z"))
        .await
        .unwrap();
    shop.bakery
        .cancel_order(&customer, &canceled.id)
        .await
        .unwrap();
    place(vec![(croissant.clone(), 5)], None).await.unwrap();
    // 00:00 in Paris on Monday: the next day.
    place(vec![(croissant.clone(), 7)], Some("2026-10-25T23:00:00Z"))
        .await
        .unwrap();

    let sunday = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
    let list = shop.bakery.prep_list(&shop.admin, sunday).await.unwrap();
    assert_eq!(list.day.from, utc("2026-10-24T22:00:00Z"));
    assert_eq!(list.day.to, utc("2026-10-25T23:00:00Z"), "25 hours");
    assert_eq!(list.orders, 3);
    let slots: Vec<(String, Vec<(String, u64)>)> = list
        .slots
        .iter()
        .map(|s| {
            (
                list.day.local_time(s.start),
                s.lines
                    .iter()
                    .map(|l| (l.name.clone(), l.quantity))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        slots,
        [
            ("02:00".into(), vec![("Croissant".into(), 2)]),
            (
                "02:00".into(),
                vec![("Baguette".into(), 1), ("Croissant".into(), 3)]
            ),
            ("09:00".into(), vec![("Baguette".into(), 4)]),
        ]
    );
    let totals: Vec<(String, u64)> = list
        .totals
        .iter()
        .map(|l| (l.name.clone(), l.quantity))
        .collect();
    assert_eq!(totals, [("Baguette".into(), 5), ("Croissant".into(), 5)]);
    assert_eq!(list.totals[1].key.product_id, croissant);

    // Saturday holds the ASAP order only.
    let saturday = shop
        .bakery
        .prep_list(&shop.admin, sunday.pred_opt().unwrap())
        .await
        .unwrap();
    assert_eq!(saturday.orders, 1);
    assert_eq!(saturday.totals[0].quantity, 5);

    let refused = shop.bakery.prep_list(&customer, sunday).await.unwrap_err();
    assert!(matches!(refused, Error::Forbidden), "{refused:?}");
}
