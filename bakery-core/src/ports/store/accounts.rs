//! Customer, staff and courier accounts. Addresses, favorites and device tokens live inside
//! the user document, so they change through [`AccountStore::update_user`].

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Id, Phone, User};

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// `DUPLICATE_PHONE` when the phone is taken.
    async fn insert_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, id: &Id) -> StoreResult<Option<User>>;
    async fn find_user_by_phone(&self, phone: &Phone) -> StoreResult<Option<User>>;
    /// Writes `user` with `version + 1` if the stored version is still `user.version`;
    /// `false` when someone else wrote first (the caller re-reads and retries).
    async fn update_user(&self, user: &User) -> StoreResult<bool>;
}
