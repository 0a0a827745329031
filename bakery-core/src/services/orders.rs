//! Placing orders, following them, and moving them through the kitchen.

use chrono::{DateTime, Utc};

use super::checkout::{check_address_given, Cart, Checkout};
use super::{Actor, Bakery};
use crate::domain::{
    access, normalise_code, optional_text, DeliveryAddress, DeliveryPerson, Fulfilment, GeoPoint,
    Id, NotificationKind, OptionChoice, Order, OrderItem, OrderStatus, Page, PageRequest,
    PaymentDetails, PaymentMethod, Phone, Product, Promotion, Role, StatusChange,
};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::{
    OrderChange, OrderEvent, OrderQuery, PlaceOrder, PromotionRedemption, TransitionOrder,
};
use crate::rules::pricing::{self, PricedLine, Quote};
use crate::rules::zones::DeliveryTerms;
use crate::rules::{bakes, eta, options, promotion, status};

/// A cart line as the customer sends it: what, how many and which options, never a price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartLine {
    pub product: Id,
    pub quantity: u32,
    /// One entry per option group the customer filled in; a required group left out is
    /// refused. The same product with other options is another line.
    pub options: Vec<OptionChoice>,
}

impl CartLine {
    /// A line of a product without options.
    pub fn new(product: Id, quantity: u32) -> Self {
        Self {
            product,
            quantity,
            options: Vec::new(),
        }
    }
}

/// Everything a customer decides when ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRequest {
    pub items: Vec<CartLine>,
    pub fulfilment: Fulfilment,
    /// Required for a delivery, refused for a pickup.
    pub delivery_address: Option<DeliveryAddress>,
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
    /// Only deliveries, or only pickups; `None` for both.
    pub fulfilment: Option<Fulfilment>,
}

/// A position report from the courier's phone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocationReport {
    pub location: GeoPoint,
    /// Degrees clockwise from north, 0..360.
    pub heading: Option<f64>,
    /// 0..=300.
    pub speed_kmh: Option<f64>,
    /// Radius of the phone's uncertainty in metres, 0..=10,000.
    pub accuracy_m: Option<f64>,
}

impl LocationReport {
    pub fn at(location: GeoPoint) -> Self {
        Self {
            location,
            heading: None,
            speed_kmh: None,
            accuracy_m: None,
        }
    }

    fn check(&self) -> Result<()> {
        let within = |field: &str, value: Option<f64>, range: std::ops::Range<f64>| match value {
            Some(v) if !v.is_finite() || !range.contains(&v) => Err(Error::validation(
                field,
                format!("must be at least {} and below {}", range.start, range.end),
            )),
            _ => Ok(()),
        };
        within("heading", self.heading, 0.0..360.0)?;
        within("speedKmh", self.speed_kmh, 0.0..300.000_001)?;
        within("accuracyM", self.accuracy_m, 0.0..10_000.000_001)
    }
}

/// What a customer's tracking screen shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracking {
    pub order_id: Id,
    /// The order's revision: events with a `seq` at or below it are included.
    pub seq: u64,
    /// Which steps the screen shows: a ride to the door, or the counter.
    pub fulfilment: Fulfilment,
    pub status: OrderStatus,
    pub history: Vec<crate::domain::StatusChange>,
    pub estimated_delivery_time: DateTime<Utc>,
    pub delivery_person: Option<DeliveryPerson>,
}

const MAX_LINES: usize = 50;
const MAX_QUANTITY: u32 = 99;

impl Bakery {
    /// Prices a cart from the catalog and checks it can be ordered, without ordering.
    pub(super) async fn price_cart(
        &self,
        items: &[CartLine],
    ) -> Result<(Vec<PricedLine>, Vec<Product>)> {
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
                    // The cart is well formed; the catalog moved on (the product was
                    // deleted), exactly as when it is withdrawn: the app updates the cart.
                    Error::conflict(
                        ConflictCode::ProductUnavailable,
                        format!("items[{i}].product is no longer sold"),
                    )
                })?;
            if !product.is_available {
                return Err(Error::conflict(
                    ConflictCode::ProductUnavailable,
                    format!("{} is not available", product.name),
                ));
            }
            let chosen = options::choose(
                &product.option_groups,
                &line.options,
                &format!("items[{i}].options"),
            )?;
            lines.push(PricedLine {
                product_id: product.id.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                unit_price: product.effective_price() + options::options_delta(&chosen),
                options: chosen,
            });
        }
        Ok((lines, products))
    }

    /// Looks a code up and checks it against this cart and customer.
    pub(super) async fn eligible_promotion(
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
    /// Without an address a delivery is priced at the shop's flat fee (what apps built
    /// before zones send); with one, at its zone's. `POST /orders/quote` is the full check.
    #[tracing::instrument(skip(self, items, delivery_address))]
    pub async fn preview_promotion(
        &self,
        actor: &Actor,
        code: &str,
        items: &[CartLine],
        fulfilment: Fulfilment,
        delivery_address: Option<&DeliveryAddress>,
    ) -> Result<Quote> {
        if fulfilment == Fulfilment::Pickup && delivery_address.is_some() {
            return Err(Error::validation(
                "deliveryAddress",
                "must be absent for pickup",
            ));
        }
        let (lines, _) = self.price_cart(items).await?;
        let promotion =
            self.eligible_promotion(actor, code, &lines)
                .await?
                .ok_or(Error::NotFound {
                    resource: "promotion",
                })?;
        let charge = match delivery_address {
            None if fulfilment == Fulfilment::Delivery => {
                DeliveryTerms::flat(&self.settings.pricing).charge
            }
            address => self.delivery_terms(fulfilment, address).await?.charge,
        };
        Ok(pricing::quote(
            &lines,
            Some(&promotion),
            charge,
            &self.settings.pricing,
        ))
    }

    /// Places an order at today's catalog prices. Stock, daily bakes (of the scheduled day,
    /// else today), the promotion's use and the order itself are written together or not at
    /// all.
    #[tracing::instrument(skip(self, request), fields(user = %actor.user_id))]
    pub async fn place_order(&self, actor: &Actor, request: OrderRequest) -> Result<Order> {
        // A shop without a card provider is a lasting choice (`GET /shop` lists the methods
        // it takes): a well-formed request that conflicts with the shop's settings, not an
        // outage.
        if request.payment_method == PaymentMethod::Card && !self.payments.enabled() {
            return Err(Error::conflict(
                ConflictCode::CardsNotTaken,
                "this shop takes no cards; choose cash",
            ));
        }
        check_address_given(request.fulfilment, request.delivery_address.as_ref())?;
        let special_instructions = optional_text(
            "specialInstructions",
            request.special_instructions.as_deref(),
            500,
        )?;
        // Before anything is written: a refused order takes no stock and no promotion use.
        let checkout = self
            .checkout(
                actor,
                Cart {
                    items: &request.items,
                    fulfilment: request.fulfilment,
                    delivery_address: request.delivery_address.as_ref(),
                    promotion_code: request.promotion_code.as_deref(),
                    scheduled_delivery_time: request.scheduled_delivery_time,
                },
            )
            .await?;
        checkout.check_minimum()?;
        let Checkout {
            lines,
            products,
            promotion,
            quote,
            terms,
            now,
            estimated_delivery_time,
        } = checkout;
        // The day whose bakes the lines of daily-baked products take from.
        let bake_day = bakes::bake_day(self.timezone(), now, request.scheduled_delivery_time);
        let bake_day_of = |product: &Id| {
            products
                .iter()
                .find(|p| &p.id == product)
                .and_then(|p| p.daily_quantity)
                .map(|_| bake_day)
        };
        let order = Order {
            id: Id::generate(),
            user_id: actor.user_id.clone(),
            items: lines
                .into_iter()
                .map(|l| OrderItem {
                    bake_day: bake_day_of(&l.product_id),
                    product_id: l.product_id,
                    name: l.name,
                    quantity: l.quantity,
                    price: l.unit_price,
                    options: l.options,
                })
                .collect(),
            fulfilment: request.fulfilment,
            delivery_address: request.delivery_address,
            delivery_zone: terms.zone,
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
            revision: 1,
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
        let placed = self
            .store
            .orders
            .place_order(&PlaceOrder {
                bakes: Self::daily_takes(&order, &products),
                order: order.clone(),
                promotion: redemption,
                effects: effects.clone(),
            })
            .await;
        if let Err(e) = placed {
            return Err(self.explain_sold_out(e, bake_day).await);
        }
        self.committed(&effects);
        self.publish(
            &order,
            OrderChange::Placed {
                status: order.order_status,
            },
        )
        .await;
        Ok(order)
    }

    /// A customer sees their own orders, a courier the ones assigned to them, staff any.
    /// Someone else's order is a 404, not a 403, so ids cannot be probed. The tracking socket
    /// authorises with this too.
    pub async fn order(&self, actor: &Actor, id: &Id) -> Result<Order> {
        let order = self
            .store
            .orders
            .get_order(id)
            .await?
            .ok_or(Error::NotFound { resource: "order" })?;
        let visible = match actor.role {
            Role::Admin => true,
            Role::Customer => order.user_id == actor.user_id,
            Role::Delivery => self.is_assigned_to(&order, actor).await?,
        };
        if !visible {
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
        // A courier's book is the orders assigned to them.
        let courier = actor.is_courier().then(|| actor.user_id.clone());
        let query = OrderQuery {
            user,
            courier,
            statuses: query.statuses,
            created_from: query.created_from,
            created_to: query.created_to,
            fulfilment: query.fulfilment,
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
            status::check_transition(order.fulfilment, order.order_status, to, actor.role)?;
            let request = self.transition(&order, actor, to, None);
            if let Some(updated) = self.store.orders.transition_order(&request).await? {
                self.committed(&request.effects);
                self.publish(&updated, status_change(&updated)).await;
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

    /// Assigns a courier by name and phone, for couriers without an account. Deprecated
    /// beside [`Bakery::assign_courier`]: such an order can be moved along by a courier only
    /// when their account's phone matches.
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
        let person = DeliveryPerson {
            courier_id: None,
            name,
            phone,
            location: None,
            location_updated_at: None,
        };
        self.set_courier(actor, id, person).await
    }

    /// Staff give an open order to a courier's account (role `delivery`); the name and phone
    /// the customer sees are the account's.
    #[tracing::instrument(skip(self))]
    pub async fn assign_courier(&self, actor: &Actor, id: &Id, courier: &Id) -> Result<Order> {
        actor.require_staff()?;
        let account = match self.store.accounts.get_user(courier).await? {
            Some(user) if user.role == Role::Delivery => user,
            // Any other account is no courier: the courier asked for does not exist.
            _ => {
                return Err(Error::NotFound {
                    resource: "courier",
                })
            }
        };
        let person = DeliveryPerson {
            courier_id: Some(account.id),
            name: account.name,
            phone: account.phone,
            location: None,
            location_updated_at: None,
        };
        self.set_courier(actor, id, person).await
    }

    async fn set_courier(&self, actor: &Actor, id: &Id, person: DeliveryPerson) -> Result<Order> {
        let order = self.order(actor, id).await?;
        order.require_delivery()?;
        if !order.order_status.is_open() {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                format!("the order is already {}", order.order_status),
            ));
        }
        let order = self
            .store
            .orders
            .set_delivery_person(id, &person, self.now())
            .await?
            .ok_or(Error::NotFound { resource: "order" })?;
        if let Some(courier) = order.delivery_person.clone() {
            self.publish(&order, OrderChange::Assigned { courier })
                .await;
        }
        Ok(order)
    }

    /// The courier's app reports where it is while the order is on its way; it gets back
    /// what a tracker sees. Couriers report only the orders assigned to them.
    #[tracing::instrument(level = "debug", skip(self, report), fields(actor = %actor.user_id))]
    pub async fn report_location(
        &self,
        actor: &Actor,
        id: &Id,
        report: LocationReport,
    ) -> Result<Tracking> {
        actor.require(access::ORDER_BOOK)?;
        report.check()?;
        let order = self.order(actor, id).await?;
        order.require_delivery()?;
        if order.order_status != OrderStatus::OutForDelivery {
            return Err(Error::conflict(
                ConflictCode::IllegalStatusChange,
                "the order is not out for delivery",
            ));
        }
        let now = self.now();
        // With the door on the map, the position gives a live ETA; trackers hear of it only
        // when it moves by a minute or more from what they were last told (the stored one).
        let door = order.delivery_address.as_ref().and_then(|a| a.location);
        let eta = door.and_then(|door| {
            eta::recompute(
                now,
                order.estimated_delivery_time,
                report.location,
                door,
                report.speed_kmh,
                self.settings.courier_speed_kmh,
            )
        });
        let order = self
            .store
            .orders
            .update_delivery_location(id, report.location, eta, now)
            .await?
            .ok_or_else(|| {
                Error::conflict(
                    ConflictCode::IllegalStatusChange,
                    "no delivery person is assigned",
                )
            })?;
        let location = OrderEvent::of(
            &order,
            OrderChange::Location {
                location: report.location,
                heading: report.heading,
                speed_kmh: report.speed_kmh,
                accuracy_m: report.accuracy_m,
            },
            now,
        );
        match eta {
            // The store counted two changes: the location is the first, the ETA the second.
            Some(estimated_delivery_time) => {
                self.events
                    .publish(OrderEvent {
                        seq: order.revision.saturating_sub(1),
                        ..location
                    })
                    .await;
                self.publish(
                    &order,
                    OrderChange::Eta {
                        estimated_delivery_time,
                    },
                )
                .await;
            }
            None => self.events.publish(location).await,
        }
        Ok(order.into())
    }

    /// The orders assigned to the signed-in courier, newest first.
    pub async fn courier_orders(
        &self,
        actor: &Actor,
        statuses: Vec<OrderStatus>,
        page: PageRequest,
    ) -> Result<Page<Order>> {
        if !actor.is_courier() {
            return Err(Error::Forbidden);
        }
        let query = OrderQuery {
            courier: Some(actor.user_id.clone()),
            statuses,
            ..OrderQuery::default()
        };
        let (items, total) = self.store.orders.list_orders(&query, page).await?;
        Ok(Page::new(items, page, total))
    }

    /// Whether `actor` is the courier this order is assigned to: by account, or, for orders
    /// assigned by name and phone (the deprecated route), by the account's phone.
    async fn is_assigned_to(&self, order: &Order, actor: &Actor) -> Result<bool> {
        let Some(person) = &order.delivery_person else {
            return Ok(false);
        };
        match &person.courier_id {
            Some(courier) => Ok(courier == &actor.user_id),
            None => Ok(self.user(&actor.user_id).await?.phone == person.phone),
        }
    }

    pub async fn track_order(&self, actor: &Actor, id: &Id) -> Result<Tracking> {
        Ok(self.order(actor, id).await?.into())
    }
}

/// The status event of an order that just moved: its newest history entry.
pub(crate) fn status_change(order: &Order) -> OrderChange {
    let (actor_id, actor_role) = order
        .status_history
        .last()
        .map(|c| (c.actor_id.clone(), c.actor_role))
        .unwrap_or_else(|| {
            let shop = Actor::shop();
            (shop.user_id, shop.role)
        });
    OrderChange::Status {
        status: order.order_status,
        actor_id,
        actor_role,
        payment_status: order.payment_details.status,
    }
}

impl From<Order> for Tracking {
    fn from(order: Order) -> Self {
        Self {
            order_id: order.id,
            seq: order.revision,
            fulfilment: order.fulfilment,
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
        OrderStatus::Placed if order.fulfilment == Fulfilment::Pickup => (
            "Order placed",
            format!("We received your pickup order {id}."),
        ),
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
        OrderStatus::ReadyForPickup => (
            "Ready for pickup",
            format!("Your order {id} is ready for pickup at the counter."),
        ),
        OrderStatus::PickedUp => (
            "Order picked up",
            format!("You picked up your order {id}. Enjoy!"),
        ),
        OrderStatus::Canceled => ("Order canceled", format!("Your order {id} was canceled.")),
    }
}
