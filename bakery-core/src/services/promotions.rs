//! Promotions: what customers see, and staff keeping them.

use super::{Actor, Bakery};
use crate::domain::{Id, ImageOwner, Page, PageRequest, Promotion, PromotionDraft};
use crate::error::{Error, Result};

impl Bakery {
    /// Promotions running now, for the app's banner.
    pub async fn active_promotions(&self, page: PageRequest) -> Result<Page<Promotion>> {
        let (items, total) = self
            .store
            .promotions
            .list_promotions(Some(self.now()), page)
            .await?;
        Ok(Page::new(items, page, total))
    }

    /// Every promotion, past and future, for staff.
    pub async fn all_promotions(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Promotion>> {
        actor.require_staff()?;
        let (items, total) = self.store.promotions.list_promotions(None, page).await?;
        Ok(Page::new(items, page, total))
    }

    pub async fn promotion(&self, actor: &Actor, id: &Id) -> Result<Promotion> {
        actor.require_staff()?;
        self.store
            .promotions
            .get_promotion(id)
            .await?
            .ok_or(Error::NotFound {
                resource: "promotion",
            })
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_promotion(
        &self,
        actor: &Actor,
        draft: PromotionDraft,
    ) -> Result<Promotion> {
        actor.require_staff()?;
        let draft = draft.check()?;
        self.require_products(&draft.applicable_products).await?;
        let promotion = Promotion::create(draft, self.now());
        self.store.promotions.insert_promotion(&promotion).await?;
        Ok(promotion)
    }

    #[tracing::instrument(skip_all, fields(promotion = %id))]
    pub async fn update_promotion(
        &self,
        actor: &Actor,
        id: &Id,
        draft: PromotionDraft,
    ) -> Result<Promotion> {
        let mut promotion = self.promotion(actor, id).await?;
        let draft = draft.check()?;
        self.require_products(&draft.applicable_products).await?;
        promotion.apply(draft, self.now());
        if !self.store.promotions.update_promotion(&promotion).await? {
            return Err(Error::NotFound {
                resource: "promotion",
            });
        }
        self.promotion(actor, id).await
    }

    /// Orders that used it keep their discount and code.
    #[tracing::instrument(skip_all, fields(promotion = %id))]
    pub async fn delete_promotion(&self, actor: &Actor, id: &Id) -> Result<()> {
        actor.require_staff()?;
        self.before_deleting_owner(&ImageOwner::Promotion(id.clone()))
            .await?;
        if self.store.promotions.delete_promotion(id).await? {
            self.outbox_wakeup.notify_one();
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "promotion",
            })
        }
    }

    async fn require_products(&self, ids: &[Id]) -> Result<()> {
        let found = self.store.catalog.get_products(ids).await?;
        if ids.iter().all(|id| found.iter().any(|p| &p.id == id)) {
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "product",
            })
        }
    }
}
