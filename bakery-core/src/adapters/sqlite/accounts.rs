//! Accounts: one document per user, written whole under an optimistic version check.

use async_trait::async_trait;

use super::codec::{decode_opt, encode, internal, or_duplicate};
use super::SqliteStore;
use crate::domain::{Id, Phone, User};
use crate::error::Error;
use crate::ports::{AccountStore, StoreResult, Unique};

#[async_trait]
impl AccountStore for SqliteStore {
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.insert("users", &user.id, encode(user)?)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(())
    }

    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>> {
        self.get("users", id).await
    }

    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM users WHERE phone = ?1")
            .bind(phone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?;
        decode_opt(doc)
    }

    async fn update_user(&self, user: &User) -> StoreResult<bool> {
        let expected = i64::try_from(user.version).map_err(Error::internal)?;
        let next = User {
            version: user.version + 1,
            ..user.clone()
        };
        let updated = sqlx::query("UPDATE users SET doc = ?1 WHERE id = ?2 AND version = ?3")
            .bind(encode(&next)?)
            .bind(user.id.as_str())
            .bind(expected)
            .execute(&self.pool)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(updated.rows_affected() == 1)
    }
}
