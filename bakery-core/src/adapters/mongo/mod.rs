//! The production store: MongoDB, one collection per aggregate.
//!
//! Single-document operations rely on conditional updates (the condition in the filter, the
//! change in the update) so that concurrent callers cannot both win. Operations that touch
//! several documents (placing and canceling orders, review writes and their product's rating,
//! deleting a category, replacing an OTP) run in multi-document transactions, which needs a
//! replica set (a one-node one is enough).

mod accounts;
mod auth_secrets;
mod catalog;
mod docs;
mod idempotency;
mod indexes;
mod notifications;
mod orders;
mod outbox;
mod payment_events;
mod promotions;
mod reviews;
mod shop;
mod table;
mod transfer;
mod tx;
mod uploads;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use bson::{doc, Document};
use mongodb::{Client, Collection, Database};

use self::docs::internal;
use crate::error::Error;
use crate::ports::{StoreHealth, StoreResult};

/// Collection names, one per aggregate.
mod coll {
    pub const USERS: &str = "users";
    pub const CATEGORIES: &str = "categories";
    pub const PRODUCTS: &str = "products";
    pub const REVIEWS: &str = "reviews";
    pub const ORDERS: &str = "orders";
    pub const NOTIFICATIONS: &str = "notifications";
    pub const PROMOTIONS: &str = "promotions";
    pub const OTPS: &str = "otps";
    pub const REFRESH_TOKENS: &str = "refreshTokens";
    /// One document per (promotion, user), written only to make concurrent redemptions by
    /// the same customer conflict.
    pub const PROMOTION_REDEMPTIONS: &str = "promotionRedemptions";
    pub const OUTBOX: &str = "outbox";
    pub const PAYMENT_EVENTS: &str = "paymentEvents";
    /// Where `bakery-server migrate` keeps its progress (one document).
    pub const TRANSFER_PROGRESS: &str = "transferProgress";
    /// One document per (user, Idempotency-Key): the first answer to a retried write.
    pub const IDEMPOTENCY_KEYS: &str = "idempotencyKeys";
    /// Upload slots not yet attached, swept with their objects once expired.
    pub const UPLOADS: &str = "uploads";
    /// Settings staff edit at run time, one document per key (`openingHours`).
    pub const SHOP_SETTINGS: &str = "shopSettings";
    /// Units taken from each product's daily bake, one document per product and local day
    /// (`_id` `<product id>:<YYYY-MM-DD>`, so the key itself is unique).
    pub const DAILY_BAKES: &str = "dailyBakes";
}

/// Every store port on a MongoDB database (wire it with [`crate::ports::Store::from_adapter`]). Cloning is cheap and shares the connection pool.
#[derive(Clone, Debug)]
pub struct MongoStore {
    client: Client,
    db: Database,
}

impl MongoStore {
    /// Connects, and creates the indexes idempotently.
    pub async fn connect(uri: &str, database: &str) -> Result<Self, Error> {
        let client = Client::with_uri_str(uri).await.map_err(internal)?;
        let db = client.database(database);
        indexes::create(&db).await.map_err(internal)?;
        Ok(Self { client, db })
    }

    pub(super) fn collection(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }
}

#[async_trait]
impl StoreHealth for MongoStore {
    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db
            .run_command(doc! { "ping": 1 })
            .await
            .map_err(internal)?;
        Ok(())
    }
}
