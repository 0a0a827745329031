//! The shop's settings: one row of `shop_settings` per document.

use async_trait::async_trait;

use super::codec::{decode_opt, encode, internal};
use super::SqliteStore;
use crate::domain::OpeningHours;
use crate::ports::{ShopStore, StoreResult, OPENING_HOURS_ID};

#[async_trait]
impl ShopStore for SqliteStore {
    async fn opening_hours(&self) -> StoreResult<Option<OpeningHours>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM shop_settings WHERE id = ?1")
            .bind(OPENING_HOURS_ID)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    async fn set_opening_hours(&self, hours: &OpeningHours) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO shop_settings (id, doc) VALUES (?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(OPENING_HOURS_ID)
        .bind(encode(hours)?)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        Ok(())
    }
}
