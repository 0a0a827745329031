//! Placing orders, following them, and moving them through the kitchen.

use chrono::{DateTime, Utc};

use super::{Actor, Bakery};
use crate::domain::{
    access, normalise_code, optional_text, DeliveryAddress, DeliveryPerson, GeoPoint, Id,
    NotificationKind, Order, OrderItem, OrderStatus, Page, PageRequest, PaymentDetails,
    PaymentMethod, Phone, Product, Promotion, StatusChange,
};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::{OrderQuery, PlaceOrder, PromotionRedemption, TransitionOrder};
use crate::rules::pricing::{self, PricedLine, Quote};
use crate::rules::{promotion, schedule, status};

/// A cart line as the customer sends it: what and how many, never a price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartLine {
    pub product: Id,
    pub quantity: u32,
}

/// Everything a customer decides when ordering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub items: Vec<CartLine>,
    pub delivery_address: DeliveryAddress,
    pub payment_method: PaymentMethod,
    pub promotion_code: Option<String>,
    /// `None` for as soon as possible.
    pub scheduled_delivery_time: Option<DateTime<Utc>>,
    pub special_instructions: Option<String>,
}

/// Staff's view of the order book.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffOrderQuery {
    pub statuses: Vec<OrderStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub customer_phone: Option<Phone>,
}

/// What a customer's tracking screen shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracking {
    pub order_id: Id,
    pub status: OrderStatus,
    pub history: Vec<crate::domain::StatusChange>,
    pub estimated_delivery_time: DateTime<Utc>,
    pub delivery_person: Option<DeliveryPerson>,
}

const MAX_LINES: usize = 50;
const MAX_QUANTITY: u32 = 99;

impl Bakery {
    /// Prices a cart from the catalog and checks it can be ordered, without ordering.
    async fn price_cart(&self, items: &[CartLine]) -> Result<(Vec<PricedLine>, Vec<Product>)> {
        if items.is_empty() {
            return Err(Error::validation(
                "items",
                "must contain at least one product",
            ));
        }
        if items.len() > MAX_LINES {
            return Err(Error::validation(
                "items",
                format!("at most {MAX_LINES} lines"),
            ));
        }
        for (i, line) in items.iter().enumerate() {
            if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                return Err(Error::validation(
                    format!("items[{i}].quantity"),
                    format!("must be between 1 and {MAX_QUANTITY}"),
                ));
            }
        }
        // The cap is per product, however the cart splits it into lines: fifty lines of 99
        // croissants are 4,950 croissants.
        for (i, line) in items.iter().enumerate() {
            let total: u32 = items
                .iter()
                .filter(|other| other.product == line.product)
                .map(|other| other.quantity)
                .sum();
            if total > MAX_QUANTITY {
                return Err(Error::validation(
                    format!("items[{i}].quantity"),
                    format!(
                        "at most {MAX_QUANTITY} of one product per order ({total} across its lines)"
                    ),
                ));
            }
        }
        let ids: Vec<Id> = items.iter().map(|l| l.product.clone()).collect();
        let products = self.store.catalog.get_products(&ids).await?;
        let mut lines = Vec::with_capacity(items.len());
        for (i, line) in items.iter().enumerate() {
            let product = products
                .iter()
                .find(|p| p.id == line.product)
                .ok_or_else(|| {
                    Error::validation(format!("items[{i}].product"), "no such product")
                })?;
            if !product.is_available {
                return Err(Error::conflict(
                    ConflictCode::ProductUnavailable,
                    format!("{} is not available", product.name),
                ));
            }
            lines.push(PricedLine {
                product_id: product.id.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                unit_price: product.effective_price(),
            });
        }
        Ok((lines, products))
    }

    /// Looks a code up and checks it against this cart and customer.
    async fn eligible_promotion(
        &self,
        actor: &Actor,
        code: &str,
        lines: &[PricedLine],
    ) -> Result<Option<Promotion>> {
        let code = normalise_code(code).map_err(|e| match e {
            Error::Validation { message, .. } => Error::validation("promotionCode", message),
            other => other,
        })?;
        let Some(promotion) = self.store.promotions.find_promotion_by_code(&code).await? else {
            return Ok(None);
        };
        let uses = self
            .store
            .orders
            .promotion_uses_by(&actor.user_id, &promotion.id)
            .await?;
        let product_ids: Vec<Id> = lines.iter().map(|l| l.product_id.clone()).collect();
        promotion::check_eligible(
            &promotion,
            promotion::CartFacts {
                now: self.now(),
                subtotal: lines.iter().map(PricedLine::total).sum(),
                product_ids: &product_ids,
                uses_by_customer: uses,
            },
        )?;
        Ok(Some(promotion))
    }

    /// What a cart would cost with a promotion code: the numbers the checkout screen shows.
    #[tracing::instrument(skip(self, items))]
    pub async fn preview_promotion(
        &self,
        actor: &Actor,
        code: &str,
        items: &[CartLine],
    ) -> Result<Quote> {
        let (lines, _) = self.price_cart(items).await?;
        let promotion =
            self.eligible_promotion(actor, code, &lines)
                .await?
                .ok_or(Error::NotFound {
                    resource: "promotion",
                })?;
        Ok(pricing::quote(
            &lines,
            Some(&promotion),
            &self.settings.pricing,
        ))
    }

    /// Places an order at today's catalog prices. Stock, the promotion's use and the order
    /// itself are written together or not at all.
    #[tracing::instrument(skip(self, request), fields(user = %actor.user_id))]
    pub async fn place_order(&self, actor: &Actor, request: OrderRequest) -> Result<Order> {
        if request.payment_method == PaymentMethod::Card && !self.payments.enabled() {
            return Err(Error::Unavailable(
                "card payments are not available at this shop; choose cash".into(),
            ));
        }
        let special_instructions = optional_text(
            "specialInstructions",
            request.special_instructions.as_deref(),
            500,
        )?;
        let (lines, products) = self.price_cart(&request.items).await?;
        let promotion = match request.promotion_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(
                self.eligible_promotion(actor, code, &lines)
                    .await?
                    .ok_or_else(|| Error::validation("promotionCode", "no such promotion code"))?,
            ),
        };
        let quote = pricing::quote(&lines, promotion.as_ref(), &self.settings.pricing);
        let now = self.now();
        let longest_preparation = products
            .iter()
            .map(|p| p.preparation_time)
            .max()
            .unwrap_or(0);
        let estimated_delivery_time = match request.scheduled_delivery_time {
            Some(at) => {
                schedule::check_scheduled_time(now, at, longest_preparation)?;
                at
            }
            None => schedule::estimate_delivery(
                now,
                longest_preparation,
                self.settings.delivery_minutes,
            ),
        };
        let order = Order {
            id: Id::generate(),
            user_id: actor.user_id.clone(),
            items: lines
                .into_iter()
                .map(|l| OrderItem {
                    product_id: l.product_id,
                    name: l.name,
                    quantity: l.quantity,
                    price: l.unit_price,
                })
                .collect(),
            delivery_address: request.delivery_address,
            payment_details: PaymentDetails::new(request.payment_method),
            order_status: OrderStatus::Placed,
            status_history: vec![StatusChange {
                status: OrderStatus::Placed,
                at: now,
                actor_id: actor.user_id.clone(),
                actor_role: actor.role,
            }],
            subtotal: quote.subtotal,
            delivery_fee: quote.delivery_fee,
            taxes: quote.taxes,
            discount: quote.discount,
            total: quote.total,
            currency: quote.currency,
            promotion_id: promotion.as_ref().map(|p| p.id.clone()),
            promotion_code: promotion.as_ref().and_then(|p| p.code.clone()),
            is_scheduled: request.scheduled_delivery_time.is_some(),
            scheduled_delivery_time: request.scheduled_delivery_time,
            estimated_delivery_time,
            delivery_person: None,
            special_instructions,
            created_at: now,
            updated_at: now,
        };
        let redemption = promotion.map(|p| PromotionRedemption {
            promotion_id: p.id,
            usage_limit: p.usage_limit,
            per_user_limit: p.per_user_limit,
        });
        let (title, message) = status_message(&order);
        let effects = vec![self.announce(
            &order.user_id,
            NotificationKind::Order,
            title,
            message,
            Some((&order.id, order.order_status)),
        )];
        self.store
            .orders
            .place_order(&PlaceOrder {
                order: order.clone(),
                promotion: redemption,
                effects: effects.clone(),
            })
            .await?;
        self.committed(&effects);
        Ok(order)
    }

    /// A customer sees their own orders; staff and couriers see any. Someone else's order is
    /// a 404, not a 403, so ids cannot be probed.
    pub async fn order(&self, actor: &Actor, id: &Id) -> Result<Order> {
        let order = self
            .store
            .orders
            .get_order(id)
            .await?
            .ok_or(Error::NotFound { resource: "order" })?;
        if actor.is_customer() && order.user_id != actor.user_id {
            return Err(Error::NotFound { resource: "order" });
        }
        Ok(order)
    }

    pub async fn my_orders(
        &self,
        actor: &Actor,
        statuses: Vec<OrderStatus>,
        page: PageRequest,
    ) -> Result<Page<Order>> {
        let query = OrderQuery {
            user: Some(actor.user_id.clone()),
            statuses,
            ..OrderQuery::default()
        };
        let (items, total) = self.store.orders.list_orders(&query, page).await?;
        Ok(Page::new(items, page, total))
    }

    pub async fn staff_orders(
        &self,
        actor: &Actor,
        query: StaffOrderQuery,
        page: PageRequest,
    ) -> Result<Page<Order>> {
        actor.require(access::ORDER_BOOK)?;
        let user = match &query.customer_phone {
            Some(phone) => match self.store.accounts.find_user_by_phone(phone).await? {
                Some(user) => Some(user.id),
                None => return Ok(Page::new(Vec::new(), page, 0)),
            },
            None => None,
        };
        let query = OrderQuery {
            user,
            statuses: query.statuses,
            created_from: query.created_from,
            created_to: query.created_to,
        };
        let (items, total) = self.store.orders.list_orders(&query, page).await?;
        Ok(Page::new(items, page, total))
    }

    /// The customer cancels while the kitchen has not started.
    pub async fn cancel_order(&self, actor: &Actor, id: &Id) -> Result<Order> {
        self.advance_status(actor, id, OrderStatus::Canceled).await
    }

    /// Moves an order one step along the status flow (see [`crate::rules::status`]), records
    /// who did it, gives back stock and promotion use on cancel (and the money, for a paid
    /// card order), and tells the customer.
    #[tracing::instrument(skip(self), fields(actor = %actor.user_id))]
    pub async fn advance_status(&self, actor: &Actor, id: &Id, to: OrderStatus) -> Result<Order> {
        let mut order = self.order(actor, id).await?;
        // A cancel is decided on the payment too; if a payment lands in between, decide again.
        for _ in 0..4 {
            status::check_transition(order.order_status, to, actor.role)?;
            let request = self.transition(&order, actor, to, None);
            if let Some(updated) = self.store.orders.transition_order(&request).await? {
                self.committed(&request.effects);
                return Ok(updated);
            }
            let now_is = self.order(actor, id).await?;
            if now_is.order_status != order.order_status {
                return Err(Error::conflict(
                    ConflictCode::IllegalStatusChange,
                    format!(
                        "the order is now {}; it cannot become {to}",
                        now_is.order_status
                    ),
                ));
            }
            order = now_is;
        }
        Err(Error::conflict(
            ConflictCode::ConcurrentUpdate,
            "the order keeps changing; please try again",
        ))
    }

    /// The conditional change that moves `order` to `to`, with what it announces and, on a
    /// cancel, what it does to the payment.
    pub(crate) fn transition(
        &self,
        order: &Order,
        actor: &Actor,
        to: OrderStatus,
        message: Option<&str>,
    ) -> TransitionOrder {
        let announced = Order {
            order_status: to,
            ..order.clone()
        };
        let (title, default_message) = status_message(&announced);
        let mut effects = vec![self.announce(
            &order.user_id,
            NotificationKind::Order,
            title,
            message.map_or(default_message, str::to_owned),
            Some((&order.id, to)),
        )];
        let payment = if to == OrderStatus::Canceled {
            let (step, payment_effects) = self.cancel_payment(order);
            effects.extend(payment_effects);
            step
        } else {
            None
        };
        TransitionOrder {
            order_id: order.id.clone(),
            from: order.order_status,
            change: StatusChange {
                status: to,
                at: self.now(),
                actor_id: actor.user_id.clone(),
                actor_role: actor.role,
            },
            payment,
            effects,
        }
    }

    #[tracing::instrument(skip(self, name))]
    pub async fn assign_delivery_person(
        &self,
        actor: &Actor,
        id: &Id,
        name: &str,
        phone: Phone,
    ) -> Result<Order> {
        actor.require_staff()?;
        let name = crate::domain::required_text("name", name, 100)?;
        let order = self.order(actor, id).await?;
        if !order.order_status.is_open() {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                format!("the order is already {}", order.order_status),
            ));
        }
        let person = DeliveryPerson {
            name,
            phone,
            location: None,
            location_updated_at: None,
        };
        self.store
            .orders
            .set_delivery_person(id, &person, self.now())
            .await?
            .ok_or(Error::NotFound { resource: "order" })
    }

    /// The courier's app reports where it is while the order is on its way; it gets back
    /// what a tracker sees.
    #[tracing::instrument(level = "debug", skip(self, location), fields(actor = %actor.user_id))]
    pub async fn report_location(
        &self,
        actor: &Actor,
        id: &Id,
        location: GeoPoint,
    ) -> Result<Tracking> {
        actor.require(access::ORDER_BOOK)?;
        let order = self.order(actor, id).await?;
        if order.order_status != OrderStatus::OutForDelivery {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "the order is not out for delivery",
            ));
        }
        // A courier reports only the deliveries assigned to them (matched by phone, which
        // is how staff assign them); staff may correct any.
        if actor.is_courier() {
            let courier = self.user(&actor.user_id).await?;
            let assigned = order
                .delivery_person
                .as_ref()
                .is_some_and(|p| p.phone == courier.phone);
            if !assigned {
                return Err(Error::Forbidden);
            }
        }
        let order = self
            .store
            .orders
            .update_delivery_location(id, location, self.now())
            .await?
            .ok_or_else(|| {
                Error::conflict(
                    ConflictCode::IllegalStatusChange,
                    "no delivery person is assigned",
                )
            })?;
        Ok(order.into())
    }

    pub async fn track_order(&self, actor: &Actor, id: &Id) -> Result<Tracking> {
        Ok(self.order(actor, id).await?.into())
    }
}

impl From<Order> for Tracking {
    fn from(order: Order) -> Self {
        Self {
            order_id: order.id,
            status: order.order_status,
            history: order.status_history,
            estimated_delivery_time: order.estimated_delivery_time,
            delivery_person: order.delivery_person,
        }
    }
}

/// The last six characters identify an order to a person; the full id is in the payload.
fn short(id: &Id) -> &str {
    &id.as_str()[18..]
}

fn status_message(order: &Order) -> (&'static str, String) {
    let id = short(&order.id);
    match order.order_status {
        OrderStatus::Placed => ("Order placed", format!("We received your order {id}.")),
        OrderStatus::Preparing => (
            "Order in the oven",
            format!("Your order {id} is being prepared."),
        ),
        OrderStatus::OutForDelivery => (
            "Order on its way",
            format!("Your order {id} is out for delivery."),
        ),
        OrderStatus::Delivered => (
            "Order delivered",
            format!("Your order {id} has been delivered. Enjoy!"),
        ),
        OrderStatus::Canceled => ("Order canceled", format!("Your order {id} was canceled.")),
    }
}
