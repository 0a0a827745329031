//! The indexes the store relies on. Unique ones enforce the contract (duplicate phones, names,
//! codes, reviews, token hashes become 11000 errors, mapped to conflicts); the rest serve the
//! listings' filters and sorts. Creating an index that exists with the same options is a no-op,
//! so this runs at every connect.

use std::time::Duration;

use bson::{doc, Document};
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};

use super::coll;

fn index(keys: Document) -> IndexModel {
    IndexModel::builder().keys(keys).build()
}

fn unique(keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().unique(true).build())
        .build()
}

pub(super) async fn create(db: &Database) -> mongodb::error::Result<()> {
    let plan: [(&str, Vec<IndexModel>); 14] = [
        (coll::USERS, vec![unique(doc! { "phone": 1 })]),
        // `nameKey` is the lower-cased name: "Bread" and "bread" are one category. A
        // case-insensitive collation would do the same on mongod, but a plain field works on
        // every server that speaks the protocol.
        (coll::CATEGORIES, vec![unique(doc! { "nameKey": 1 })]),
        (
            coll::PRODUCTS,
            vec![
                index(doc! { "categoryId": 1 }),
                index(doc! { "isAvailable": 1 }),
                index(doc! { "isFeatured": 1 }),
                index(doc! { "createdAt": -1 }),
                index(doc! { "effectivePrice": 1 }),
                index(doc! { "unitsSold": -1 }),
            ],
        ),
        (
            coll::REVIEWS,
            vec![
                unique(doc! { "productId": 1, "userId": 1 }),
                index(doc! { "productId": 1, "createdAt": -1 }),
            ],
        ),
        (
            coll::ORDERS,
            vec![
                index(doc! { "userId": 1 }),
                index(doc! { "orderStatus": 1 }),
                index(doc! { "createdAt": -1 }),
                // The prep list: orders due on a day, scheduled ones by the time chosen,
                // ASAP ones by their estimate (see `orders_due`).
                index(doc! { "scheduledDeliveryTime": 1 }),
                index(doc! { "estimatedDeliveryTime": 1 }),
                // Webhook events name the intent, not the order.
                IndexModel::builder()
                    .keys(doc! { "paymentDetails.transactionId": 1 })
                    .options(
                        IndexOptions::builder()
                            .partial_filter_expression(
                                doc! { "paymentDetails.transactionId": { "$type": "string" } },
                            )
                            .build(),
                    )
                    .build(),
            ],
        ),
        // Handled provider events, kept 30 days (Stripe retries for 3).
        (
            coll::PAYMENT_EVENTS,
            vec![IndexModel::builder()
                .keys(doc! { "receivedAt": 1 })
                .options(
                    IndexOptions::builder()
                        .expire_after(Duration::from_secs(30 * 24 * 3600))
                        .build(),
                )
                .build()],
        ),
        // A key is per user; kept 24 hours. Expiry is checked in code, as TTL deletion lags.
        (
            coll::IDEMPOTENCY_KEYS,
            vec![
                unique(doc! { "userId": 1, "key": 1 }),
                IndexModel::builder()
                    .keys(doc! { "expireAt": 1 })
                    .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
                    .build(),
            ],
        ),
        // Upload slots: the sweep takes expired ones (and deletes their objects); the TTL
        // on `purgeAt` (a day after expiry) is only a backstop for a sweep that never ran.
        (
            coll::UPLOADS,
            vec![
                index(doc! { "expiresAt": 1 }),
                IndexModel::builder()
                    .keys(doc! { "purgeAt": 1 })
                    .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
                    .build(),
            ],
        ),
        (
            coll::NOTIFICATIONS,
            vec![index(doc! { "userId": 1, "createdAt": -1 })],
        ),
        // Due messages, and the staff's list by state.
        (
            coll::OUTBOX,
            vec![
                index(doc! { "state": 1, "nextAttemptAt": 1 }),
                index(doc! { "state": 1, "createdAt": -1 }),
            ],
        ),
        (
            coll::PROMOTIONS,
            vec![
                // Promotions without a code (applied automatically) are many; only codes
                // must be unique.
                IndexModel::builder()
                    .keys(doc! { "code": 1 })
                    .options(
                        IndexOptions::builder()
                            .unique(true)
                            .partial_filter_expression(doc! { "code": { "$type": "string" } })
                            .build(),
                    )
                    .build(),
                index(doc! { "createdAt": -1 }),
            ],
        ),
        (
            coll::OTPS,
            vec![
                unique(doc! { "phone": 1 }),
                // Only housekeeping: expiry is checked in code, as TTL deletion lags.
                IndexModel::builder()
                    .keys(doc! { "expireAt": 1 })
                    .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
                    .build(),
            ],
        ),
        (
            coll::REFRESH_TOKENS,
            vec![
                unique(doc! { "tokenHash": 1 }),
                index(doc! { "familyId": 1 }),
                index(doc! { "userId": 1 }),
            ],
        ),
        // Also creates the collection up front: `place_order` upserts into it inside a
        // transaction, and creating a collection there needs a recent mongod.
        (
            coll::PROMOTION_REDEMPTIONS,
            vec![index(doc! { "promotionId": 1, "userId": 1 })],
        ),
    ];
    for (name, models) in plan {
        db.collection::<Document>(name)
            .create_indexes(models)
            .await?;
    }
    Ok(())
}
