//! Browsing the catalog, and staff keeping it.

use super::{Actor, Bakery};
use crate::domain::{Category, Id, ImageOwner, Page, PageRequest, Product, ProductDraft};
use crate::error::{Error, Result};
use crate::ports::{ProductFilter, ProductSort};
use crate::rules::search;

/// Staff input for a category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryInput {
    pub name: String,
    pub description: Option<String>,
    pub image: Option<String>,
    pub is_active: bool,
    pub display_order: i32,
}

/// A listing request as the API receives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductListing {
    pub filter: ProductFilter,
    pub sort: ProductSort,
    pub page: PageRequest,
}

impl Bakery {
    /// Customers see active categories; staff (`include_inactive`) see all. A shop has few
    /// categories, so the store returns them all in display order and the page is cut here.
    pub async fn categories(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<Category>> {
        let all = self.store.catalog.list_categories(include_inactive).await?;
        Ok(Page::slice(all, page))
    }

    pub async fn category(&self, id: &Id) -> Result<Category> {
        self.store
            .catalog
            .get_category(id)
            .await?
            .ok_or(Error::NotFound {
                resource: "category",
            })
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_category(&self, actor: &Actor, input: CategoryInput) -> Result<Category> {
        actor.require_staff()?;
        let (name, description, image) = Category::check(
            &input.name,
            input.description.as_deref(),
            input.image.as_deref(),
        )?;
        let now = self.now();
        let category = Category {
            id: Id::generate(),
            name,
            description,
            image,
            photos: Vec::new(),
            is_active: input.is_active,
            display_order: input.display_order,
            created_at: now,
            updated_at: now,
        };
        self.store.catalog.insert_category(&category).await?;
        Ok(category)
    }

    #[tracing::instrument(skip_all, fields(category = %id))]
    pub async fn update_category(
        &self,
        actor: &Actor,
        id: &Id,
        input: CategoryInput,
    ) -> Result<Category> {
        actor.require_staff()?;
        let (name, description, image) = Category::check(
            &input.name,
            input.description.as_deref(),
            input.image.as_deref(),
        )?;
        let mut category = self.category(id).await?;
        category.name = name;
        category.description = description;
        category.image = image;
        category.is_active = input.is_active;
        category.display_order = input.display_order;
        category.updated_at = self.now();
        if !self.store.catalog.update_category(&category).await? {
            return Err(Error::NotFound {
                resource: "category",
            });
        }
        Ok(category)
    }

    /// Refused with `CATEGORY_IN_USE` while products are filed under it.
    #[tracing::instrument(skip_all, fields(category = %id))]
    pub async fn delete_category(&self, actor: &Actor, id: &Id) -> Result<()> {
        actor.require_staff()?;
        self.before_deleting_owner(&ImageOwner::Category(id.clone()))
            .await?;
        if self.store.catalog.delete_category(id).await? {
            self.outbox_wakeup.notify_one();
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "category",
            })
        }
    }

    pub async fn products(&self, listing: &ProductListing) -> Result<Page<Product>> {
        let (mut items, total) = self
            .store
            .catalog
            .list_products(&listing.filter, listing.sort, listing.page)
            .await?;
        self.with_bakes(&mut items).await?;
        Ok(Page::new(items, listing.page, total))
    }

    /// Products of one category; 404 for a category that does not exist, so a typo in an id
    /// is not mistaken for an empty shelf.
    pub async fn category_products(
        &self,
        category: &Id,
        mut listing: ProductListing,
    ) -> Result<Page<Product>> {
        self.category(category).await?;
        listing.filter.category = Some(category.clone());
        self.products(&listing).await
    }

    pub async fn featured_products(&self, page: PageRequest) -> Result<Page<Product>> {
        let filter = ProductFilter {
            featured_only: true,
            available_only: true,
            ..ProductFilter::default()
        };
        self.products(&ProductListing {
            filter,
            sort: ProductSort::Newest,
            page,
        })
        .await
    }

    /// Best sellers (units in orders not canceled), then best rated.
    pub async fn popular_products(&self, page: PageRequest) -> Result<Page<Product>> {
        let filter = ProductFilter {
            available_only: true,
            ..ProductFilter::default()
        };
        self.products(&ProductListing {
            filter,
            sort: ProductSort::Popularity,
            page,
        })
        .await
    }

    /// One product, with what is left of today's bake.
    pub async fn product(&self, id: &Id) -> Result<Product> {
        let mut product = self
            .store
            .catalog
            .get_product(id)
            .await?
            .ok_or(Error::NotFound {
                resource: "product",
            })?;
        self.with_bakes(std::slice::from_mut(&mut product)).await?;
        Ok(product)
    }

    /// Typo- and accent-tolerant search, name matches first, within the listing's filter.
    #[tracing::instrument(skip(self, filter))]
    pub async fn search_products(
        &self,
        query: &str,
        filter: &ProductFilter,
        page: PageRequest,
    ) -> Result<Page<Product>> {
        let words = search::fold_words(query);
        if words.is_empty() || query.chars().count() > 100 {
            return Err(Error::validation(
                "q",
                "must contain 1 to 100 characters of words",
            ));
        }
        let mut ranked: Vec<(f64, Product)> = self
            .store
            .catalog
            .search_candidates(filter)
            .await?
            .into_iter()
            .filter_map(|p| {
                search::relevance(&words, &p.name, &p.description).map(|score| (score, p))
            })
            .collect();
        ranked.sort_by(|(a, pa), (b, pb)| b.total_cmp(a).then_with(|| pa.name.cmp(&pb.name)));
        let ranked = ranked.into_iter().map(|(_, p)| p).collect();
        let mut found = Page::slice(ranked, page);
        self.with_bakes(&mut found.items).await?;
        Ok(found)
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_product(&self, actor: &Actor, draft: ProductDraft) -> Result<Product> {
        actor.require_staff()?;
        let draft = draft.check()?;
        self.require_category(&draft.category_id).await?;
        let mut product = Product::create(draft, self.now());
        self.store.catalog.insert_product(&product).await?;
        self.with_bakes(std::slice::from_mut(&mut product)).await?;
        Ok(product)
    }

    #[tracing::instrument(skip_all, fields(product = %id))]
    pub async fn update_product(
        &self,
        actor: &Actor,
        id: &Id,
        draft: ProductDraft,
    ) -> Result<Product> {
        actor.require_staff()?;
        let draft = draft.check()?;
        self.require_category(&draft.category_id).await?;
        let mut product = self.product(id).await?;
        product.apply(draft, self.now());
        if !self.store.catalog.update_product(&product).await? {
            return Err(Error::NotFound {
                resource: "product",
            });
        }
        self.product(id).await
    }

    /// Past orders keep their own copy of name and price, so deleting is safe for history.
    #[tracing::instrument(skip_all, fields(product = %id))]
    pub async fn delete_product(&self, actor: &Actor, id: &Id) -> Result<()> {
        actor.require_staff()?;
        self.before_deleting_owner(&ImageOwner::Product(id.clone()))
            .await?;
        if self.store.catalog.delete_product(id).await? {
            self.outbox_wakeup.notify_one();
            Ok(())
        } else {
            Err(Error::NotFound {
                resource: "product",
            })
        }
    }

    async fn require_category(&self, id: &Id) -> Result<()> {
        match self.store.catalog.get_category(id).await? {
            Some(_) => Ok(()),
            // A well-formed id naming nothing: the category is what is missing, as for
            // `GET /categories/{id}`.
            None => Err(Error::NotFound {
                resource: "category",
            }),
        }
    }
}
