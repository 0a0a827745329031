//! Many tasks doing the same contested thing at the same instant: the store's atomicity, not
//! luck, must decide who wins. Every task waits at a barrier so they truly overlap.

use std::future::Future;
use std::sync::Arc;

use bakery_core::domain::{Id, OrderStatus, Ratings, Role};
use bakery_core::error::{ConflictCode, Error};
use bakery_core::ports::{OrderQuery, RefreshOutcome, TransitionOrder};
use tokio::sync::Barrier;

use crate::fixtures::*;

const TASKS: usize = 50;

/// Runs `TASKS` copies of `op` (given their index) on separate tasks, all released at once,
/// and returns their results in index order.
async fn race<T, F, Fut>(op: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(TASKS));
    let handles: Vec<_> = (0..TASKS)
        .map(|i| {
            let barrier = barrier.clone();
            let work = op(i);
            tokio::spawn(async move {
                barrier.wait().await;
                work.await
            })
        })
        .collect();
    futures::future::join_all(handles)
        .await
        .into_iter()
        .map(|joined| joined.expect("task panicked"))
        .collect()
}

/// Splits results into successes and the conflicts with `code`; anything else fails the test.
#[track_caller]
fn tally<T: std::fmt::Debug>(results: &[Result<T, Error>], code: ConflictCode) -> (usize, usize) {
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let refused = results.iter().filter(|r| is_conflict(r, code)).count();
    let other: Vec<_> = results
        .iter()
        .filter(|r| r.is_err() && !is_conflict(r, code))
        .collect();
    assert!(
        other.is_empty(),
        "{} of {} results were neither Ok nor {code}: {other:?}",
        other.len(),
        results.len()
    );
    (ok, refused)
}

pub async fn last_items_sell_exactly_once(store: Shared) {
    const STOCK: u32 = 10;
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, Some(STOCK)).await;
    let mut users = Vec::new();
    for _ in 0..TASKS {
        users.push(stored_user(&store, "Hungry").await.id);
    }

    let results = race(|i| {
        let store = store.clone();
        let request = place(order(&users[i], &[(&product, 1)]));
        async move { store.orders.place_order(&request).await }
    })
    .await;

    let (ok, refused) = tally(&results, ConflictCode::OutOfStock);
    assert_eq!((ok, refused), (STOCK as usize, TASKS - STOCK as usize));
    let after = reload_product(&store, &product.id).await;
    assert_eq!(after.stock, Some(0));
    assert_eq!(after.units_sold, u64::from(STOCK));
    let (orders, total) = store
        .orders
        .list_orders(&OrderQuery::default(), all())
        .await
        .unwrap();
    assert_eq!(total, u64::from(STOCK));
    assert_eq!(orders.len(), STOCK as usize);
}

/// The last units of a day's bake, raced for by orders of that day (and, to show days are
/// apart, a few for the next day): exactly the units left are sold, the rest refused.
pub async fn last_of_the_days_bake_sells_exactly_once(store: Shared) {
    const DAILY: u32 = 120;
    const LEFT: u32 = 10;
    let today: chrono::NaiveDate = "2026-12-01".parse().expect("date");
    let tomorrow = today.succ_opt().expect("a next day");
    let category = stored_category(&store, "Viennoiseries").await;
    let product = stored_product(&store, &category.id, "Croissant", 180, None).await;
    let mut users = Vec::new();
    for _ in 0..TASKS {
        users.push(stored_user(&store, "Hungry").await.id);
    }
    store
        .orders
        .place_order(&place_from_bake(
            order(&users[0], &[(&product, DAILY - LEFT)]),
            today,
            DAILY,
        ))
        .await
        .unwrap();

    // Every fifth task orders for tomorrow, whose bake is untouched.
    let results = race(|i| {
        let store = store.clone();
        let day = if i % 5 == 4 { tomorrow } else { today };
        let request = place_from_bake(order(&users[i], &[(&product, 1)]), day, DAILY);
        async move { (day, store.orders.place_order(&request).await) }
    })
    .await;

    let (todays, tomorrows): (Vec<_>, Vec<_>) = results.into_iter().partition(|(d, _)| *d == today);
    let todays: Vec<_> = todays.into_iter().map(|(_, r)| r).collect();
    let (ok, refused) = tally(&todays, ConflictCode::SoldOutForTheDay);
    assert_eq!((ok, refused), (LEFT as usize, todays.len() - LEFT as usize));
    assert!(tomorrows.iter().all(|(_, r)| r.is_ok()), "{tomorrows:?}");
    assert_eq!(taken(&store, &product.id, today).await, DAILY);
    assert_eq!(
        taken(&store, &product.id, tomorrow).await,
        tomorrows.len() as u32
    );
    let (_, total) = store
        .orders
        .list_orders(&OrderQuery::default(), all())
        .await
        .unwrap();
    assert_eq!(total, 1 + LEFT as u64 + tomorrows.len() as u64);
    assert_eq!(
        reload_product(&store, &product.id).await.units_sold,
        u64::from(DAILY - LEFT + LEFT) + tomorrows.len() as u64,
        "refused orders sold nothing"
    );
}

pub async fn promotion_usage_limit_holds(store: Shared) {
    const LIMIT: u32 = 7;
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let promotion = stored_promotion(&store, "FIRST7", Some(LIMIT), None).await;
    let mut users = Vec::new();
    for _ in 0..TASKS {
        users.push(stored_user(&store, "Bargain hunter").await.id);
    }

    let results = race(|i| {
        let store = store.clone();
        let request = place_with(order(&users[i], &[(&product, 1)]), &promotion);
        async move { store.orders.place_order(&request).await }
    })
    .await;

    let (ok, refused) = tally(&results, ConflictCode::PromotionUsedUp);
    assert_eq!((ok, refused), (LIMIT as usize, TASKS - LIMIT as usize));
    assert_eq!(
        reload_promotion(&store, &promotion.id).await.used_count,
        LIMIT
    );
    let (_, total) = store
        .orders
        .list_orders(&OrderQuery::default(), all())
        .await
        .unwrap();
    assert_eq!(total, u64::from(LIMIT));
    assert_eq!(
        reload_product(&store, &product.id).await.units_sold,
        u64::from(LIMIT),
        "refused orders sold nothing"
    );
}

pub async fn promotion_per_user_limit_holds(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;
    let promotion = stored_promotion(&store, "ONCE", Some(1000), Some(1)).await;
    let user = stored_user(&store, "Greedy").await;

    let results = race(|_| {
        let store = store.clone();
        let request = place_with(order(&user.id, &[(&product, 1)]), &promotion);
        async move { store.orders.place_order(&request).await }
    })
    .await;

    let (ok, refused) = tally(&results, ConflictCode::PromotionUsedUp);
    assert_eq!((ok, refused), (1, TASKS - 1));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&user.id, &promotion.id)
            .await
            .unwrap(),
        1
    );
    let mine = OrderQuery {
        user: Some(user.id.clone()),
        ..OrderQuery::default()
    };
    let (_, total) = store.orders.list_orders(&mine, all()).await.unwrap();
    assert_eq!(total, 1);
}

pub async fn refresh_token_rotates_once(store: Shared) {
    let user = Id::generate();
    let family = Id::generate();
    let token = refresh_token(&user, &family);
    store
        .auth_secrets
        .insert_refresh_token(&token)
        .await
        .unwrap();

    let results = race(|_| {
        let store = store.clone();
        let hash = token.token_hash.clone();
        async move { store.auth_secrets.use_refresh_token(&hash, now()).await }
    })
    .await;

    let mut rotated = 0;
    let mut reused = 0;
    for result in results {
        match result.expect("use_refresh_token") {
            RefreshOutcome::Rotated(record) => {
                assert_eq!(record.id, token.id);
                rotated += 1;
            }
            RefreshOutcome::Reused(record) => {
                assert_eq!(record.family_id, family);
                reused += 1;
            }
            RefreshOutcome::Unknown => panic!("the token exists"),
        }
    }
    assert_eq!((rotated, reused), (1, TASKS - 1));

    // What the service does on a replay: revoke the family. Its successor is dead too.
    let successor = refresh_token(&user, &family);
    store
        .auth_secrets
        .insert_refresh_token(&successor)
        .await
        .unwrap();
    store
        .auth_secrets
        .revoke_token_family(&family)
        .await
        .unwrap();
    match store
        .auth_secrets
        .use_refresh_token(&successor.token_hash, now())
        .await
        .unwrap()
    {
        RefreshOutcome::Reused(record) => assert_eq!(record.id, successor.id),
        other => panic!("expected the revoked successor to be Reused, got {other:?}"),
    }
}

pub async fn one_review_per_user_under_contention(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let product = stored_product(&store, &category.id, "Gateau", 800, None).await;
    let user = stored_user(&store, "Eager").await;

    let results = race(|i| {
        let store = store.clone();
        // Different ratings, so a second insert that slipped through would move the average.
        let review = review(&product.id, &user.id, 1 + (i % 5) as i64);
        async move { store.reviews.insert_review(&review).await.map(|()| review) }
    })
    .await;

    let (ok, refused) = tally(&results, ConflictCode::DuplicateReview);
    assert_eq!((ok, refused), (1, TASKS - 1));
    let winner = results
        .into_iter()
        .find_map(Result::ok)
        .expect("one winner");
    assert_eq!(
        reload_product(&store, &product.id).await.ratings,
        Ratings {
            average: f64::from(winner.rating.get()),
            count: 1
        }
    );
    let (reviews, total) = store
        .reviews
        .list_reviews(&product.id, all())
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(reviews, vec![winner]);
}

pub async fn cancel_gives_back_exactly_once(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, Some(10)).await;
    let promotion = stored_promotion(&store, "CANCEL", Some(5), None).await;
    let user = stored_user(&store, "Fickle").await;
    let order = order(&user.id, &[(&product, 3)]);
    store
        .orders
        .place_order(&place_with(order.clone(), &promotion))
        .await
        .unwrap();
    let before = reload_product(&store, &product.id).await;
    assert_eq!((before.stock, before.units_sold), (Some(7), 3));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 1);

    let results = race(|_| {
        let store = store.clone();
        let request = TransitionOrder {
            payment: None,
            order_id: order.id.clone(),
            from: OrderStatus::Placed,
            change: change(OrderStatus::Canceled, &user.id, Role::Customer),
            effects: Vec::new(),
        };
        async move { store.orders.transition_order(&request).await }
    })
    .await;

    let applied: Vec<_> = results
        .into_iter()
        .flat_map(|r| r.expect("transition_order"))
        .collect();
    assert_eq!(applied.len(), 1, "exactly one cancel applies");
    assert_eq!(applied[0].order_status, OrderStatus::Canceled);
    let stored = reload_order(&store, &order.id).await;
    assert_eq!(stored.order_status, OrderStatus::Canceled);
    assert_eq!(stored.status_history.len(), 2, "one cancel in the history");

    let after = reload_product(&store, &product.id).await;
    assert_eq!((after.stock, after.units_sold), (Some(10), 0));
    assert_eq!(reload_promotion(&store, &promotion.id).await.used_count, 0);
    assert_eq!(
        store
            .orders
            .promotion_uses_by(&user.id, &promotion.id)
            .await
            .unwrap(),
        0
    );
}

pub async fn otp_consumed_by_exactly_one(store: Shared) {
    let phone = unique_phone();
    let record = otp(&phone);
    store.auth_secrets.put_otp(&record).await.unwrap();

    let results = race(|_| {
        let store = store.clone();
        let id = record.id.clone();
        async move { store.auth_secrets.consume_otp(&id).await }
    })
    .await;

    let won = results
        .into_iter()
        .map(|r| r.expect("consume_otp"))
        .filter(|&consumed| consumed)
        .count();
    assert_eq!(won, 1);
    assert_eq!(store.auth_secrets.attempt_otp(&phone).await.unwrap(), None);
}

pub async fn otp_attempts_counted_atomically(store: Shared) {
    let phone = unique_phone();
    store.auth_secrets.put_otp(&otp(&phone)).await.unwrap();

    let results = race(|_| {
        let store = store.clone();
        let phone = phone.clone();
        async move { store.auth_secrets.attempt_otp(&phone).await }
    })
    .await;

    // Each caller saw its own count: 1..=50, each exactly once.
    let mut counts: Vec<u32> = results
        .into_iter()
        .map(|r| r.expect("attempt_otp").expect("otp exists").attempts)
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=TASKS as u32).collect::<Vec<_>>());
    assert_eq!(
        store
            .auth_secrets
            .attempt_otp(&phone)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        TASKS as u32 + 1
    );
}

pub async fn optimistic_user_update_has_one_winner(store: Shared) {
    let user = stored_user(&store, "Contested").await;

    let results = race(|i| {
        let store = store.clone();
        let mut edit = user.clone();
        edit.name = format!("Writer {i}");
        async move {
            store
                .accounts
                .update_user(&edit)
                .await
                .map(|won| won.then_some(edit.name))
        }
    })
    .await;

    let winners: Vec<String> = results
        .into_iter()
        .flat_map(|r| r.expect("update_user"))
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one writer holding version 0 wins"
    );
    let stored = store.accounts.get_user(&user.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.name, winners[0]);
}

/// The app's confirm and the provider's webhooks (delivered more than once) racing for one
/// payment: exactly one moves it.
pub async fn payment_settles_exactly_once(store: Shared) {
    use bakery_core::domain::{PaymentMethod, PaymentStatus};
    let category = stored_category(&store, "Cakes").await;
    let cake = stored_product(&store, &category.id, "Cake", 3000, None).await;
    let user = stored_user(&store, "Payer").await;
    let mut order = order(&user.id, &[(&cake, 1)]);
    order.payment_details.method = PaymentMethod::Card;
    store
        .orders
        .place_order(&place(order.clone()))
        .await
        .expect("place");
    let results = race(|_| {
        let store = store.clone();
        let id = order.id.clone();
        async move {
            store
                .orders
                .change_payment(&pay(&id, PaymentStatus::Pending, PaymentStatus::Completed))
                .await
        }
    })
    .await;
    let moved = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count();
    let unchanged = results.iter().filter(|r| matches!(r, Ok(None))).count();
    assert_eq!((moved, unchanged), (1, TASKS - 1));
    assert_eq!(
        reload_order(&store, &order.id).await.payment_details.status,
        PaymentStatus::Completed
    );
}

/// A customer's cancel (decided on an unpaid order) racing the provider's payment (decided on
/// a placed order): exactly one applies, so money is never taken for a canceled order
/// without the loser seeing it and deciding again.
pub async fn cancel_and_payment_race_one_wins(store: Shared) {
    use bakery_core::domain::PaymentStatus::{Completed, Pending};
    use bakery_core::ports::PaymentStep;
    let order = card_order(&store).await;
    let results = race(|i| {
        let store = store.clone();
        let id = order.id.clone();
        let user = order.user_id.clone();
        async move {
            if i % 2 == 0 {
                store
                    .orders
                    .change_payment(&pay(&id, Pending, Completed))
                    .await
                    .map(|moved| moved.is_some())
            } else {
                store
                    .orders
                    .transition_order(&TransitionOrder {
                        order_id: id,
                        from: OrderStatus::Placed,
                        change: change(OrderStatus::Canceled, &user, Role::Customer),
                        payment: Some(PaymentStep {
                            from: Pending,
                            to: Pending,
                        }),
                        effects: Vec::new(),
                    })
                    .await
                    .map(|moved| moved.is_some())
            }
        }
    })
    .await;
    let applied = results
        .into_iter()
        .filter(|r| *r.as_ref().expect("no store error"))
        .count();
    assert_eq!(
        applied, 1,
        "the first writer wins, every other one finds it moved"
    );
    let stored = reload_order(&store, &order.id).await;
    let paid = stored.payment_details.status == Completed;
    let canceled = stored.order_status == OrderStatus::Canceled;
    assert!(paid != canceled, "paid or canceled, never both: {stored:?}");
}
