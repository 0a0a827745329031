//! Reads and writes shared by every table: each is `id` plus `doc`, the domain struct as
//! serde writes it.

use serde::de::DeserializeOwned;
use sqlx::{QueryBuilder, Sqlite};

use super::codec::{decode_all, decode_opt, internal};
use super::SqliteStore;
use crate::domain::{Id, PageRequest};
use crate::error::Error;
use crate::ports::StoreResult;

/// Newest first, ties broken by id so pages are stable.
pub(super) const NEWEST_FIRST: &str = "created_at DESC, id DESC";

impl SqliteStore {
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        table: &str,
        id: &Id,
    ) -> StoreResult<Option<T>> {
        let doc: Option<String> =
            sqlx::query_scalar(&format!("SELECT doc FROM {table} WHERE id = ?1"))
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(internal)?;
        decode_opt(doc)
    }

    /// Leaves mapping the error to the caller, which knows what a unique violation means.
    pub(super) async fn insert(
        &self,
        table: &str,
        id: &Id,
        doc: String,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("INSERT INTO {table} (id, doc) VALUES (?1, ?2)"))
            .bind(id.as_str())
            .bind(doc)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn delete(&self, table: &str, id: &Id) -> StoreResult<bool> {
        let deleted = sqlx::query(&format!("DELETE FROM {table} WHERE id = ?1"))
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        Ok(deleted.rows_affected() == 1)
    }

    /// One page and the size of the whole list. `filter` pushes the WHERE clause into both
    /// queries, so they cannot disagree, and one read transaction gives both the same snapshot.
    pub(super) async fn fetch_page<'a, T, F>(
        &self,
        table: &str,
        filter: F,
        order_by: &str,
        page: PageRequest,
    ) -> StoreResult<(Vec<T>, u64)>
    where
        T: DeserializeOwned,
        F: Fn(&mut QueryBuilder<'a, Sqlite>),
    {
        let mut tx = self.pool.begin().await.map_err(internal)?;

        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM {table}"));
        filter(&mut count);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;

        let mut rows = QueryBuilder::new(format!("SELECT doc FROM {table}"));
        filter(&mut rows);
        rows.push(" ORDER BY ")
            .push(order_by)
            .push(" LIMIT ")
            .push_bind(i64::from(page.limit()))
            .push(" OFFSET ")
            .push_bind(i64::try_from(page.offset()).map_err(Error::internal)?);
        let docs: Vec<String> = rows
            .build_query_scalar()
            .fetch_all(&mut *tx)
            .await
            .map_err(internal)?;

        tx.commit().await.map_err(internal)?;
        Ok((
            decode_all(docs)?,
            u64::try_from(total).map_err(Error::internal)?,
        ))
    }
}
