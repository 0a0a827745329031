//! Daily bakes: each product's count per local day, taken with the order in one atomic step
//! and given back to the same day on cancel.

use bakery_core::domain::{Id, OrderStatus, Role};
use bakery_core::error::ConflictCode;
use bakery_core::ports::TransitionOrder;
use chrono::NaiveDate;

use crate::fixtures::*;

fn day(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn cancel(order: &Id, user: &Id) -> TransitionOrder {
    TransitionOrder {
        payment: None,
        order_id: order.clone(),
        from: OrderStatus::Placed,
        change: change(OrderStatus::Canceled, user, Role::Customer),
        effects: Vec::new(),
    }
}

pub async fn orders_take_from_their_day_only(store: Shared) {
    let category = stored_category(&store, "Viennoiseries").await;
    let croissant = stored_product(&store, &category.id, "Croissant", 180, None).await;
    let bread = stored_product(&store, &category.id, "Baguette", 120, None).await;
    let user = stored_user(&store, "Early bird").await;
    let (today, tomorrow) = (day("2026-12-01"), day("2026-12-02"));

    let first = order(&user.id, &[(&croissant, 3), (&croissant, 2)]);
    store
        .orders
        .place_order(&place_from_bake(first.clone(), today, 120))
        .await
        .expect("place");
    store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 7)]),
            tomorrow,
            120,
        ))
        .await
        .expect("place for tomorrow");

    assert_eq!(taken(&store, &croissant.id, today).await, 5, "lines add up");
    assert_eq!(taken(&store, &croissant.id, tomorrow).await, 7);
    assert_eq!(taken(&store, &bread.id, today).await, 0);
    let both = store
        .orders
        .bakes_taken(today, &[croissant.id.clone(), bread.id.clone()])
        .await
        .expect("bakes_taken");
    assert_eq!(
        both,
        vec![(croissant.id.clone(), 5)],
        "only counted products"
    );
    assert!(store
        .orders
        .bakes_taken(today, &[])
        .await
        .expect("none asked")
        .is_empty());
    // The order keeps the day each line took from.
    let stored = reload_order(&store, &first.id).await;
    assert!(stored.items.iter().all(|i| i.bake_day == Some(today)));
    // Units sold count as for any order; stock stays unlimited.
    let after = reload_product(&store, &croissant.id).await;
    assert_eq!((after.stock, after.units_sold), (None, 12));
}

pub async fn a_sold_out_day_refuses_and_takes_nothing(store: Shared) {
    let category = stored_category(&store, "Viennoiseries").await;
    let croissant = stored_product(&store, &category.id, "Croissant", 180, Some(50)).await;
    let bread = stored_product(&store, &category.id, "Baguette", 120, Some(50)).await;
    let user = stored_user(&store, "Late riser").await;
    let today = day("2026-12-01");
    store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 8)]),
            today,
            10,
        ))
        .await
        .expect("place 8 of 10");

    // Three more than the two left: refused, naming the line, and nothing of it is kept.
    let greedy = order(&user.id, &[(&bread, 1), (&croissant, 3)]);
    let refused = store
        .orders
        .place_order(&place_from_bake(greedy.clone(), today, 10))
        .await;
    match refused {
        Err(bakery_core::Error::Conflict { code, message }) => {
            assert_eq!(code, ConflictCode::SoldOutForTheDay);
            assert!(
                message.starts_with("items[1]: Croissant is sold out for Tuesday 1 December 2026"),
                "{message}"
            );
        }
        other => panic!("expected SOLD_OUT_FOR_THE_DAY, got {other:?}"),
    }
    assert_eq!(taken(&store, &croissant.id, today).await, 8);
    assert_eq!(taken(&store, &bread.id, today).await, 0);
    assert_eq!(reload_product(&store, &bread.id).await.stock, Some(50));
    assert_eq!(reload_product(&store, &croissant.id).await.stock, Some(42));
    assert!(store.orders.get_order(&greedy.id).await.unwrap().is_none());

    // More than a whole day's bake is refused even on a fresh day.
    let too_many = store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 11)]),
            day("2026-12-05"),
            10,
        ))
        .await;
    assert!(is_conflict(&too_many, ConflictCode::SoldOutForTheDay));
    assert_eq!(taken(&store, &croissant.id, day("2026-12-05")).await, 0);

    // The last two, exactly.
    store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 2)]),
            today,
            10,
        ))
        .await
        .expect("the last two");
    assert_eq!(taken(&store, &croissant.id, today).await, 10);
}

pub async fn cancel_gives_back_to_the_same_day(store: Shared) {
    let category = stored_category(&store, "Viennoiseries").await;
    let croissant = stored_product(&store, &category.id, "Croissant", 180, None).await;
    let user = stored_user(&store, "Fickle").await;
    let (today, friday) = (day("2026-12-01"), day("2026-12-04"));
    store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 4)]),
            today,
            10,
        ))
        .await
        .expect("today");
    let scheduled = order(&user.id, &[(&croissant, 6)]);
    store
        .orders
        .place_order(&place_from_bake(scheduled.clone(), friday, 10))
        .await
        .expect("friday");

    let canceled = store
        .orders
        .transition_order(&cancel(&scheduled.id, &user.id))
        .await
        .expect("cancel")
        .expect("applies");
    assert_eq!(canceled.order_status, OrderStatus::Canceled);
    assert_eq!(taken(&store, &croissant.id, friday).await, 0);
    assert_eq!(
        taken(&store, &croissant.id, today).await,
        4,
        "today untouched"
    );
    assert_eq!(reload_product(&store, &croissant.id).await.units_sold, 4);
    // What was given back can be ordered again: the whole of Friday's bake.
    store
        .orders
        .place_order(&place_from_bake(
            order(&user.id, &[(&croissant, 10)]),
            friday,
            10,
        ))
        .await
        .expect("friday again");
    assert_eq!(taken(&store, &croissant.id, friday).await, 10);
}
