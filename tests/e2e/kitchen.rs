//! The baker's prep list through the SDK: staff only, the date checked, and the sums of the
//! orders due on a day in the shop's time zone.

use bakery_core::ports::Clock;
use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{line, order_request, place_order, seed_catalog};
use bakery_e2e::{types, TestApp};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;

fn paris(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Paris
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("time"))
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

/// A slot as the kitchen reads it: local start, local end, and (product, quantity).
type Slot<'a> = (&'a str, &'a str, Vec<(&'a str, i64)>);

fn summary(lines: &[types::PrepLine]) -> Vec<(&str, i64)> {
    lines
        .iter()
        .map(|l| (l.name.as_str(), l.quantity))
        .collect()
}

pub async fn the_prep_list_sums_a_day_for_staff(app: &TestApp) {
    let clock = app.clock.as_ref().expect("a manual clock");
    let admin = app.admin().await;
    let catalog = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900960").await;
    // Two days ahead: no order placed now for as soon as possible can be due then.
    let day = clock.now().with_timezone(&Paris).date_naive() + Duration::days(2);
    let date = day.format("%Y-%m-%d").to_string();

    let result = ada.api().admin_prep_list().date(date.as_str()).send().await;
    assert_error(result, 403, "FORBIDDEN");
    let result = app
        .client()
        .api()
        .admin_prep_list()
        .date(date.as_str())
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    let result = admin
        .api()
        .admin_prep_list()
        .date("2026-02-30")
        .send()
        .await;
    assert_invalid(result, "date");
    let result = admin
        .api()
        .admin_prep_list()
        .date("1999-12-31")
        .send()
        .await;
    assert_invalid(result, "date");

    let scheduled = |items: Vec<types::CartLine>, at: DateTime<Utc>| {
        let mut request = order_request(items);
        request.scheduled_delivery_time = Some(at);
        request
    };
    place_order(
        &ada,
        scheduled(vec![line(&catalog.croissant.id, 2)], paris(day, 8, 10)),
    )
    .await;
    place_order(
        &ada,
        scheduled(
            vec![
                line(&catalog.croissant.id, 1),
                line(&catalog.baguette.id, 2),
            ],
            paris(day, 8, 29),
        ),
    )
    .await;
    place_order(
        &ada,
        scheduled(
            vec![line(&catalog.pain_au_chocolat.id, 3)],
            paris(day, 9, 0),
        ),
    )
    .await;
    let canceled = place_order(
        &ada,
        scheduled(vec![line(&catalog.croissant.id, 5)], paris(day, 8, 15)),
    )
    .await;
    ada.api()
        .cancel_order()
        .id(canceled.id.as_str())
        .send()
        .await
        .expect("cancel");
    // The next day, and an order for now: neither is due that day.
    place_order(
        &ada,
        scheduled(
            vec![line(&catalog.croissant.id, 7)],
            paris(day + Duration::days(1), 0, 0),
        ),
    )
    .await;
    place_order(&ada, order_request(vec![line(&catalog.baguette.id, 1)])).await;

    let list = admin
        .api()
        .admin_prep_list()
        .date(date.as_str())
        .send()
        .await
        .expect("the prep list")
        .into_inner();
    assert_eq!(list.date, date);
    assert_eq!(list.timezone, "Europe/Paris");
    assert_eq!(
        (list.from, list.to),
        (paris(day, 0, 0), paris(day + Duration::days(1), 0, 0))
    );
    assert_eq!(list.orders, 3);
    let slots: Vec<Slot> = list
        .slots
        .iter()
        .map(|s| {
            (
                s.local_start.as_str(),
                s.local_end.as_str(),
                summary(&s.lines),
            )
        })
        .collect();
    assert_eq!(
        slots,
        [
            ("08:00", "08:30", vec![("Baguette", 2), ("Croissant", 3)]),
            ("09:00", "09:30", vec![("Pain au chocolat", 3)]),
        ]
    );
    assert_eq!(list.slots[0].start, paris(day, 8, 0));
    assert_eq!(list.slots[0].end, paris(day, 8, 30));
    assert_eq!(
        summary(&list.totals),
        [("Baguette", 2), ("Croissant", 3), ("Pain au chocolat", 3)]
    );
    assert_eq!(list.totals[1].product_id, catalog.croissant.id);

    // Moving an order along keeps it on the list; the kitchen still makes it.
    let mine = ada
        .api()
        .list_my_orders()
        .send()
        .await
        .unwrap()
        .into_inner();
    let first = mine
        .items
        .iter()
        .find(|o| o.scheduled_delivery_time == Some(paris(day, 8, 10)))
        .expect("the 08:10 order");
    admin
        .api()
        .admin_update_order_status()
        .id(first.id.as_str())
        .body(types::StatusUpdate {
            status: types::OrderStatus::Preparing,
        })
        .send()
        .await
        .expect("preparing");
    let again = admin
        .api()
        .admin_prep_list()
        .date(date.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.orders, 3);

    // Each call reads the order book afresh: a new order shows at once.
    place_order(
        &ada,
        scheduled(vec![line(&catalog.croissant.id, 4)], paris(day, 9, 45)),
    )
    .await;
    let after = admin
        .api()
        .admin_prep_list()
        .date(date.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after.orders, 4);
    assert_eq!(
        summary(&after.totals),
        [("Baguette", 2), ("Croissant", 7), ("Pain au chocolat", 3)]
    );

    let empty = admin
        .api()
        .admin_prep_list()
        .date((day + Duration::days(3)).format("%Y-%m-%d").to_string())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((empty.orders, empty.slots.len()), (0, 0));
}
