//! A customer's own account: profile, address book, devices and favorites.

use super::{Actor, Bakery};
use crate::domain::{
    required_text, Address, AddressDraft, Email, Id, Page, PageRequest, Product, User,
};
use crate::error::{Error, Result};

impl Bakery {
    pub async fn profile(&self, actor: &Actor) -> Result<User> {
        self.user(&actor.user_id).await
    }

    /// Changes what is given; `Some("")` for the e-mail clears it.
    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn update_profile(
        &self,
        actor: &Actor,
        name: Option<&str>,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<User> {
        let name = name.map(|n| required_text("name", n, 100)).transpose()?;
        let email = email.map(Email::parse_optional).transpose()?;
        let password_hash = match password {
            Some(password) => Some(self.hashing.hash_password(password).await?),
            None => None,
        };
        let (user, ()) = self
            .modify_user(&actor.user_id, |u| {
                if let Some(name) = &name {
                    u.name = name.clone();
                }
                if let Some(email) = &email {
                    u.email = email.clone();
                }
                if let Some(hash) = &password_hash {
                    u.password_hash = Some(hash.clone());
                }
                Ok(())
            })
            .await?;
        Ok(user)
    }

    pub async fn addresses(&self, actor: &Actor) -> Result<Vec<Address>> {
        Ok(self.user(&actor.user_id).await?.addresses)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn add_address(&self, actor: &Actor, draft: AddressDraft) -> Result<Address> {
        let (_, address) = self
            .modify_user(&actor.user_id, |u| u.add_address(draft.clone()).cloned())
            .await?;
        Ok(address)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn update_address(
        &self,
        actor: &Actor,
        id: &Id,
        draft: AddressDraft,
    ) -> Result<Address> {
        let (_, address) = self
            .modify_user(&actor.user_id, |u| {
                u.update_address(id, draft.clone()).cloned()
            })
            .await?;
        Ok(address)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn remove_address(&self, actor: &Actor, id: &Id) -> Result<()> {
        self.modify_user(&actor.user_id, |u| u.remove_address(id))
            .await?;
        Ok(())
    }

    /// Registers a phone for pushes; signing in on a new phone adds to the set.
    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn add_device_token(&self, actor: &Actor, token: &str) -> Result<()> {
        self.modify_user(&actor.user_id, |u| u.add_device_token(token))
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn remove_device_token(&self, actor: &Actor, token: &str) -> Result<()> {
        // The rule of the token it was registered with: nothing else could be on the list.
        let token = required_text("token", token, 4096)?;
        self.modify_user(&actor.user_id, |u| {
            u.remove_device_token(&token);
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Favorites in the order they were added; products deleted since are left out. The
    /// list lives on the user (bounded), so it is read whole and the page is cut here.
    pub async fn favorites(&self, actor: &Actor, page: PageRequest) -> Result<Page<Product>> {
        let user = self.user(&actor.user_id).await?;
        let mut products = self.store.catalog.get_products(&user.favorites).await?;
        products.sort_by_key(|p| user.favorites.iter().position(|f| f == &p.id));
        let mut favorites = Page::slice(products, page);
        self.with_bakes(&mut favorites.items).await?;
        Ok(favorites)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn add_favorite(&self, actor: &Actor, product: &Id) -> Result<()> {
        if self.store.catalog.get_product(product).await?.is_none() {
            return Err(Error::NotFound {
                resource: "product",
            });
        }
        self.modify_user(&actor.user_id, |u| u.add_favorite(product.clone()))
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %actor.user_id))]
    pub async fn remove_favorite(&self, actor: &Actor, product: &Id) -> Result<()> {
        self.modify_user(&actor.user_id, |u| {
            u.remove_favorite(product);
            Ok(())
        })
        .await?;
        Ok(())
    }
}
