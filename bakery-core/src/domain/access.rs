//! Who may do what: the one vocabulary for roles, shared by the use cases and the server's
//! route guards, so that "staff" means the same thing everywhere.
//!
//! - a **customer** orders, reviews and follows their own orders;
//! - an **admin** is the shop's staff: catalog, promotions and every order;
//! - a **courier** (role `delivery` on the wire) delivers the orders assigned to them.

use super::{Id, Role};
use crate::error::{Error, Result};

/// The shop's staff: the catalog, promotions, every order.
pub const STAFF: &[Role] = &[Role::Admin];

/// Who works the order book: staff, and couriers moving their deliveries along.
pub const ORDER_BOOK: &[Role] = &[Role::Admin, Role::Delivery];

/// Anyone signed in.
pub const ANYONE: &[Role] = &[Role::Customer, Role::Admin, Role::Delivery];

/// Who is asking: the authenticated user and their role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Id,
    pub role: Role,
}

impl Actor {
    /// The shop itself, for what happens on its own (an unpaid order canceled at its
    /// deadline): staff rights, and the all-zero id, which no account ever has.
    pub fn shop() -> Self {
        Self {
            user_id: Id::parse("actor", "000000000000000000000000")
                .expect("24 zeros are a well-formed id"),
            role: Role::Admin,
        }
    }

    /// `Forbidden` unless the actor's role is one of `roles` (see [`STAFF`], [`ORDER_BOOK`]).
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// The shop's staff (role `admin`).
    pub fn is_staff(&self) -> bool {
        self.role == Role::Admin
    }

    /// A courier (role `delivery`).
    pub fn is_courier(&self) -> bool {
        self.role == Role::Delivery
    }

    pub fn is_customer(&self) -> bool {
        self.role == Role::Customer
    }

    pub fn require_staff(&self) -> Result<()> {
        self.require(STAFF)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Id::generate(),
            role,
        }
    }

    #[test]
    fn staff_means_admin_only() {
        assert!(actor(Role::Admin).require_staff().is_ok());
        assert!(actor(Role::Delivery).require_staff().is_err());
        assert!(actor(Role::Customer).require_staff().is_err());
    }

    #[test]
    fn the_order_book_is_staff_and_couriers() {
        assert!(actor(Role::Admin).require(ORDER_BOOK).is_ok());
        assert!(actor(Role::Delivery).require(ORDER_BOOK).is_ok());
        assert!(matches!(
            actor(Role::Customer).require(ORDER_BOOK),
            Err(Error::Forbidden)
        ));
    }
}
