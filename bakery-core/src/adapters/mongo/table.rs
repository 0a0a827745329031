//! Reads and writes shared by every collection.

use bson::{doc, Document};
use futures::TryStreamExt;
use serde::de::DeserializeOwned;

use super::docs::{from_doc, internal, oid};
use super::MongoStore;
use crate::domain::{Id, PageRequest};
use crate::ports::StoreResult;

/// Newest first, ties broken by id so pages are stable.
pub(super) fn newest_first() -> Document {
    doc! { "createdAt": -1, "_id": -1 }
}

impl MongoStore {
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        name: &str,
        id: &Id,
    ) -> StoreResult<Option<T>> {
        self.find_one(name, doc! { "_id": oid(id)? }).await
    }

    pub(super) async fn find_one<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
    ) -> StoreResult<Option<T>> {
        self.collection(name)
            .find_one(filter)
            .await
            .map_err(internal)?
            .map(from_doc)
            .transpose()
    }

    pub(super) async fn find_all<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
        sort: Document,
    ) -> StoreResult<Vec<T>> {
        let docs: Vec<Document> = self
            .collection(name)
            .find(filter)
            .sort(sort)
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        docs.into_iter().map(from_doc).collect()
    }

    /// One page and the size of the whole list, counted with the same filter.
    pub(super) async fn find_page<T: DeserializeOwned>(
        &self,
        name: &str,
        filter: Document,
        sort: Document,
        page: PageRequest,
    ) -> StoreResult<(Vec<T>, u64)> {
        let collection = self.collection(name);
        let total = collection
            .count_documents(filter.clone())
            .await
            .map_err(internal)?;
        let docs: Vec<Document> = collection
            .find(filter)
            .sort(sort)
            .skip(page.offset())
            .limit(i64::from(page.limit()))
            .await
            .map_err(internal)?
            .try_collect()
            .await
            .map_err(internal)?;
        let items = docs.into_iter().map(from_doc).collect::<StoreResult<_>>()?;
        Ok((items, total))
    }

    pub(super) async fn delete(&self, name: &str, filter: Document) -> StoreResult<bool> {
        let deleted = self
            .collection(name)
            .delete_one(filter)
            .await
            .map_err(internal)?;
        Ok(deleted.deleted_count == 1)
    }
}
