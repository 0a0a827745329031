//! Who may move an order from which status to which.
//!
//! A delivery:
//! ```text
//! placed -> preparing -> out_for_delivery -> delivered
//! placed -> canceled            (the customer, or staff)
//! preparing -> canceled         (staff only: the kitchen has started)
//! ```
//! A courier (role `delivery`) may pick up (`preparing -> out_for_delivery`) and deliver.
//!
//! A pickup:
//! ```text
//! placed -> preparing -> ready_for_pickup -> picked_up      (staff)
//! placed -> canceled            (the customer, or staff)
//! preparing -> canceled         (staff only)
//! ```
//! No courier is involved, so couriers move none of it; once the order waits on the counter
//! it is the customer's, and only handing it over closes it.
//!
//! Everything else is a conflict.

use crate::domain::{Fulfilment, OrderStatus, Role};
use crate::error::{ConflictCode, Error};

pub fn allowed(fulfilment: Fulfilment, from: OrderStatus, to: OrderStatus, actor: Role) -> bool {
    use OrderStatus::*;
    let cancel = match actor {
        Role::Admin => matches!((from, to), (Placed | Preparing, Canceled)),
        Role::Customer => matches!((from, to), (Placed, Canceled)),
        Role::Delivery => false,
    };
    let step = match (fulfilment, actor) {
        (Fulfilment::Delivery, Role::Admin) => matches!(
            (from, to),
            (Placed, Preparing) | (Preparing, OutForDelivery) | (OutForDelivery, Delivered)
        ),
        (Fulfilment::Delivery, Role::Delivery) => matches!(
            (from, to),
            (Preparing, OutForDelivery) | (OutForDelivery, Delivered)
        ),
        (Fulfilment::Pickup, Role::Admin) => matches!(
            (from, to),
            (Placed, Preparing) | (Preparing, ReadyForPickup) | (ReadyForPickup, PickedUp)
        ),
        (Fulfilment::Pickup, Role::Delivery) | (_, Role::Customer) => false,
    };
    cancel || step
}

pub fn check_transition(
    fulfilment: Fulfilment,
    from: OrderStatus,
    to: OrderStatus,
    actor: Role,
) -> Result<(), Error> {
    if allowed(fulfilment, from, to, actor) {
        Ok(())
    } else if is_for_the_other(fulfilment, to) {
        Err(Error::conflict(
            ConflictCode::IllegalStatusChange,
            format!("a {fulfilment} order never becomes {to}"),
        ))
    } else {
        Err(Error::conflict(
            ConflictCode::IllegalStatusChange,
            format!("an order that is {from} cannot become {to}"),
        ))
    }
}

/// Whether `status` belongs only to the other way of handing an order over.
fn is_for_the_other(fulfilment: Fulfilment, status: OrderStatus) -> bool {
    use OrderStatus::*;
    match fulfilment {
        Fulfilment::Delivery => matches!(status, ReadyForPickup | PickedUp),
        Fulfilment::Pickup => matches!(status, OutForDelivery | Delivered),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn every_pair_for_every_role_and_fulfilment() {
        let delivery_admin = [
            (Placed, Preparing),
            (Preparing, OutForDelivery),
            (OutForDelivery, Delivered),
            (Placed, Canceled),
            (Preparing, Canceled),
        ];
        let delivery_courier = [(Preparing, OutForDelivery), (OutForDelivery, Delivered)];
        let pickup_admin = [
            (Placed, Preparing),
            (Preparing, ReadyForPickup),
            (ReadyForPickup, PickedUp),
            (Placed, Canceled),
            (Preparing, Canceled),
        ];
        let customer = [(Placed, Canceled)];
        for (fulfilment, role, legal) in [
            (Fulfilment::Delivery, Role::Admin, &delivery_admin[..]),
            (Fulfilment::Delivery, Role::Delivery, &delivery_courier[..]),
            (Fulfilment::Delivery, Role::Customer, &customer[..]),
            (Fulfilment::Pickup, Role::Admin, &pickup_admin[..]),
            (Fulfilment::Pickup, Role::Delivery, &[][..]),
            (Fulfilment::Pickup, Role::Customer, &customer[..]),
        ] {
            for from in OrderStatus::ALL {
                for to in OrderStatus::ALL {
                    let expected = legal.contains(&(from, to));
                    assert_eq!(
                        allowed(fulfilment, from, to, role),
                        expected,
                        "{fulfilment} {role:?}: {from} -> {to}"
                    );
                    assert_eq!(
                        check_transition(fulfilment, from, to, role).is_ok(),
                        expected
                    );
                }
            }
        }
    }

    #[test]
    fn final_statuses_are_closed_and_open_ones_are_not() {
        for status in OrderStatus::ALL {
            let leads_somewhere = Fulfilment::ALL.into_iter().any(|fulfilment| {
                OrderStatus::ALL.into_iter().any(|to| {
                    [Role::Admin, Role::Delivery, Role::Customer]
                        .into_iter()
                        .any(|role| allowed(fulfilment, status, to, role))
                })
            });
            assert_eq!(status.is_open(), leads_somewhere, "{status}");
        }
    }

    #[test]
    fn refusal_is_a_named_conflict() {
        let err =
            check_transition(Fulfilment::Delivery, Delivered, Placed, Role::Admin).unwrap_err();
        assert_eq!(err.code(), "ILLEGAL_STATUS_CHANGE");
        assert_eq!(
            err.to_string(),
            "an order that is delivered cannot become placed"
        );
    }

    #[test]
    fn a_status_of_the_other_fulfilment_says_so() {
        let err = check_transition(Fulfilment::Pickup, Preparing, OutForDelivery, Role::Admin)
            .unwrap_err();
        assert_eq!(err.code(), "ILLEGAL_STATUS_CHANGE");
        assert_eq!(
            err.to_string(),
            "a pickup order never becomes out_for_delivery"
        );
        let err = check_transition(Fulfilment::Delivery, Preparing, ReadyForPickup, Role::Admin)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a delivery order never becomes ready_for_pickup"
        );
    }
}
