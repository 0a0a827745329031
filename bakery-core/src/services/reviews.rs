//! Verified-purchase reviews.

use super::{Actor, Bakery};
use crate::domain::{optional_text, Id, ImageOwner, Page, PageRequest, Rating, Review};
use crate::error::{ConflictCode, Error, Result};

impl Bakery {
    pub async fn reviews(&self, product: &Id, page: PageRequest) -> Result<Page<Review>> {
        self.product(product).await?;
        let (items, total) = self.store.reviews.list_reviews(product, page).await?;
        Ok(Page::new(items, page, total))
    }

    /// Only a customer who received the product may review it, once.
    #[tracing::instrument(skip(self, comment))]
    pub async fn create_review(
        &self,
        actor: &Actor,
        product: &Id,
        rating: Rating,
        comment: Option<&str>,
    ) -> Result<Review> {
        let comment = optional_text("comment", comment, 2000)?;
        self.product(product).await?;
        if !self
            .store
            .orders
            .has_delivered_product(&actor.user_id, product)
            .await?
        {
            return Err(Error::conflict(
                ConflictCode::NotPurchased,
                "only customers who received this product can review it",
            ));
        }
        let user = self.user(&actor.user_id).await?;
        let now = self.now();
        let review = Review {
            id: Id::generate(),
            product_id: product.clone(),
            user_id: actor.user_id.clone(),
            user_name: user.name,
            rating,
            comment,
            images: Vec::new(),
            photos: Vec::new(),
            is_approved: true,
            likes: 0,
            created_at: now,
            updated_at: now,
        };
        self.store.reviews.insert_review(&review).await?;
        Ok(review)
    }

    /// The author edits their own review; anyone else gets 404, as if it did not exist.
    #[tracing::instrument(skip(self, comment))]
    pub async fn update_review(
        &self,
        actor: &Actor,
        id: &Id,
        rating: Rating,
        comment: Option<&str>,
    ) -> Result<Review> {
        let comment = optional_text("comment", comment, 2000)?;
        let mut review = self.own_review(actor, id, false).await?;
        review.rating = rating;
        review.comment = comment;
        review.updated_at = self.now();
        if !self.store.reviews.update_review(&review).await? {
            return Err(Error::NotFound { resource: "review" });
        }
        Ok(review)
    }

    /// The author, or staff moderating, removes a review.
    #[tracing::instrument(skip(self))]
    pub async fn delete_review(&self, actor: &Actor, id: &Id) -> Result<()> {
        self.own_review(actor, id, true).await?;
        self.before_deleting_owner(&ImageOwner::Review(id.clone()))
            .await?;
        if self.store.reviews.delete_review(id).await? {
            self.outbox_wakeup.notify_one();
            Ok(())
        } else {
            Err(Error::NotFound { resource: "review" })
        }
    }

    async fn own_review(&self, actor: &Actor, id: &Id, staff_may: bool) -> Result<Review> {
        let review = self
            .store
            .reviews
            .get_review(id)
            .await?
            .ok_or(Error::NotFound { resource: "review" })?;
        if review.user_id == actor.user_id || (staff_may && actor.is_staff()) {
            Ok(review)
        } else {
            Err(Error::NotFound { resource: "review" })
        }
    }
}
