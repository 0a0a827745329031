//! Accounts: one document per user, replaced whole under an optimistic version check.

use async_trait::async_trait;
use bson::doc;

use super::docs::{oid, or_duplicate, to_doc};
use super::{coll, MongoStore};
use crate::domain::{Id, Phone, User};
use crate::error::Error;
use crate::ports::{AccountStore, StoreResult, Unique};

#[async_trait]
impl AccountStore for MongoStore {
    async fn insert_user(&self, user: &User) -> StoreResult<()> {
        self.collection(coll::USERS)
            .insert_one(to_doc(user)?)
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(())
    }

    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>> {
        self.get(coll::USERS, id).await
    }

    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>> {
        self.find_one(coll::USERS, doc! { "phone": phone.as_str() })
            .await
    }

    async fn update_user(&self, user: &User) -> StoreResult<bool> {
        let expected = i64::try_from(user.version).map_err(Error::internal)?;
        let next = User {
            version: user.version + 1,
            ..user.clone()
        };
        let replaced = self
            .collection(coll::USERS)
            .replace_one(
                doc! { "_id": oid(&user.id)?, "version": expected },
                to_doc(&next)?,
            )
            .await
            .map_err(or_duplicate(Unique::Phone))?;
        Ok(replaced.matched_count == 1)
    }
}
