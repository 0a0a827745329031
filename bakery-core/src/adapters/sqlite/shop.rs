//! The shop's settings: one row of `shop_settings` per document, under its name.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::{decode_opt, encode, internal};
use super::SqliteStore;
use crate::domain::{DeliveryArea, OpeningHours};
use crate::ports::{ShopStore, StoreResult, DELIVERY_AREA_ID, OPENING_HOURS_ID};

impl SqliteStore {
    async fn setting<T: DeserializeOwned>(&self, id: &str) -> StoreResult<Option<T>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM shop_settings WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    async fn set_setting<T: Serialize>(&self, id: &str, value: &T) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO shop_settings (id, doc) VALUES (?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(id)
        .bind(encode(value)?)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }
}

#[async_trait]
impl ShopStore for SqliteStore {
    async fn opening_hours(&self) -> StoreResult<Option<OpeningHours>> {
        self.setting(OPENING_HOURS_ID).await
    }

    async fn set_opening_hours(&self, hours: &OpeningHours) -> StoreResult<()> {
        self.set_setting(OPENING_HOURS_ID, hours).await
    }

    async fn delivery_area(&self) -> StoreResult<Option<DeliveryArea>> {
        self.setting(DELIVERY_AREA_ID).await
    }

    async fn set_delivery_area(&self, area: &DeliveryArea) -> StoreResult<()> {
        self.set_setting(DELIVERY_AREA_ID, area).await
    }
}
