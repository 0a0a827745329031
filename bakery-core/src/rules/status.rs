//! Who may move an order from which status to which.
//!
//! ```text
//! placed -> preparing -> out_for_delivery -> delivered
//! placed -> canceled            (the customer, or staff)
//! preparing -> canceled         (staff only: the kitchen has started)
//! ```
//! A courier (role `delivery`) may pick up (`preparing -> out_for_delivery`) and deliver.
//! Everything else is a conflict.

use crate::domain::{OrderStatus, Role};
use crate::error::{ConflictCode, Error};

pub fn allowed(from: OrderStatus, to: OrderStatus, actor: Role) -> bool {
    use OrderStatus::*;
    match actor {
        Role::Admin => matches!(
            (from, to),
            (Placed, Preparing)
                | (Preparing, OutForDelivery)
                | (OutForDelivery, Delivered)
                | (Placed, Canceled)
                | (Preparing, Canceled)
        ),
        Role::Delivery => matches!(
            (from, to),
            (Preparing, OutForDelivery) | (OutForDelivery, Delivered)
        ),
        Role::Customer => matches!((from, to), (Placed, Canceled)),
    }
}

pub fn check_transition(from: OrderStatus, to: OrderStatus, actor: Role) -> Result<(), Error> {
    if allowed(from, to, actor) {
        Ok(())
    } else {
        Err(Error::conflict(
            ConflictCode::IllegalStatusChange,
            format!("an order that is {from} cannot become {to}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn every_pair_for_every_role() {
        let admin = [
            (Placed, Preparing),
            (Preparing, OutForDelivery),
            (OutForDelivery, Delivered),
            (Placed, Canceled),
            (Preparing, Canceled),
        ];
        let delivery = [(Preparing, OutForDelivery), (OutForDelivery, Delivered)];
        let customer = [(Placed, Canceled)];
        for (role, legal) in [
            (Role::Admin, &admin[..]),
            (Role::Delivery, &delivery[..]),
            (Role::Customer, &customer[..]),
        ] {
            for from in OrderStatus::ALL {
                for to in OrderStatus::ALL {
                    let expected = legal.contains(&(from, to));
                    assert_eq!(
                        allowed(from, to, role),
                        expected,
                        "{role:?}: {from} -> {to}"
                    );
                    assert_eq!(check_transition(from, to, role).is_ok(), expected);
                }
            }
        }
    }

    #[test]
    fn refusal_is_a_named_conflict() {
        let err = check_transition(Delivered, Placed, Role::Admin).unwrap_err();
        assert_eq!(err.code(), "ILLEGAL_STATUS_CHANGE");
        assert_eq!(
            err.to_string(),
            "an order that is delivered cannot become placed"
        );
    }
}
