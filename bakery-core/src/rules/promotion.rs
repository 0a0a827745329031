//! Whether a promotion code may be used on a cart.

use chrono::{DateTime, Utc};

use crate::domain::{Id, Money, Promotion};
use crate::error::{ConflictCode, Error};

/// The facts about a cart and a customer that eligibility depends on.
#[derive(Clone, Copy, Debug)]
pub struct CartFacts<'a> {
    pub now: DateTime<Utc>,
    pub subtotal: Money,
    pub product_ids: &'a [Id],
    /// How often this customer has already redeemed the promotion (orders not canceled).
    pub uses_by_customer: u32,
}

/// Checks every condition; the first failure says which, in words a customer understands.
/// Limits are checked here for a clear answer and enforced again by the store atomically.
pub fn check_eligible(promotion: &Promotion, cart: CartFacts<'_>) -> Result<(), Error> {
    let not_applicable = |message: &str| {
        Err(Error::conflict(
            ConflictCode::PromotionNotApplicable,
            message,
        ))
    };
    if !promotion.is_active {
        return not_applicable("this promotion is not active");
    }
    if cart.now < promotion.start_date {
        return not_applicable("this promotion has not started yet");
    }
    if cart.now >= promotion.end_date {
        return not_applicable("this promotion has ended");
    }
    if cart.subtotal < promotion.minimum_order_value {
        return Err(Error::conflict(
            ConflictCode::PromotionNotApplicable,
            format!(
                "this promotion needs an order of at least {} (minor units)",
                promotion.minimum_order_value.minor()
            ),
        ));
    }
    if !promotion.applicable_products.is_empty()
        && !cart
            .product_ids
            .iter()
            .any(|p| promotion.applicable_products.contains(p))
    {
        return not_applicable("this promotion does not apply to any product in the cart");
    }
    if promotion
        .usage_limit
        .is_some_and(|limit| promotion.used_count >= limit)
    {
        return Err(Error::conflict(
            ConflictCode::PromotionUsedUp,
            "this promotion has been used up",
        ));
    }
    if promotion
        .per_user_limit
        .is_some_and(|limit| cart.uses_by_customer >= limit)
    {
        return Err(Error::conflict(
            ConflictCode::PromotionUsedUp,
            "you have already used this promotion",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::DiscountType;
    use crate::rules::pricing::tests::promo;

    fn facts(ids: &[Id]) -> CartFacts<'_> {
        CartFacts {
            now: Utc::now(),
            subtotal: Money::from_minor(1000),
            product_ids: ids,
            uses_by_customer: 0,
        }
    }

    fn code_of(r: Result<(), Error>) -> &'static str {
        r.err().map_or("OK", |e| e.code())
    }

    #[test]
    fn every_condition_is_checked() {
        let a = Id::generate();
        let ids = [a.clone()];
        let base = promo(DiscountType::Percentage, 10, vec![]);
        assert_eq!(code_of(check_eligible(&base, facts(&ids))), "OK");

        let mut p = base.clone();
        p.is_active = false;
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_NOT_APPLICABLE"
        );

        let mut p = base.clone();
        p.start_date = Utc::now() + Duration::hours(1);
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_NOT_APPLICABLE"
        );

        let mut p = base.clone();
        p.end_date = Utc::now() - Duration::seconds(1);
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_NOT_APPLICABLE"
        );

        let mut p = base.clone();
        p.minimum_order_value = Money::from_minor(1001);
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_NOT_APPLICABLE"
        );
        p.minimum_order_value = Money::from_minor(1000);
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "OK",
            "the minimum itself qualifies"
        );

        let mut p = base.clone();
        p.applicable_products = vec![Id::generate()];
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_NOT_APPLICABLE"
        );
        p.applicable_products.push(a.clone());
        assert_eq!(code_of(check_eligible(&p, facts(&ids))), "OK");

        let mut p = base.clone();
        p.usage_limit = Some(3);
        p.used_count = 3;
        assert_eq!(
            code_of(check_eligible(&p, facts(&ids))),
            "PROMOTION_USED_UP"
        );
        p.used_count = 2;
        assert_eq!(code_of(check_eligible(&p, facts(&ids))), "OK");

        let mut p = base;
        p.per_user_limit = Some(1);
        let mut f = facts(&ids);
        f.uses_by_customer = 1;
        assert_eq!(code_of(check_eligible(&p, f)), "PROMOTION_USED_UP");
    }
}
