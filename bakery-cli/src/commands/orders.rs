//! `orders list|show|advance|cancel|assign|board|watch`.

use std::num::NonZeroU32;

use bakery_sdk::types;
use clap::{Args, Subcommand, ValueEnum};

use crate::commands::board;
use crate::context::Ctx;
use crate::exit::{CliError, Result};
use crate::output::{self, money, parse_time, when, wire_name};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// The order book, newest first.
    #[command(
        after_help = "Examples:\n  bakery orders list --status placed,preparing\n  \
        bakery orders list --from 2025-06-01 --to 2025-06-30 --phone +33612345678\n  \
        bakery orders list --fulfilment pickup --status ready-for-pickup"
    )]
    List(ListArgs),
    /// One order: items, totals, delivery or pickup, history and courier.
    #[command(after_help = "Example:\n  bakery orders show 65f1c2a9e4b0a1b2c3d4e5f6")]
    Show {
        /// The order id.
        id: String,
    },
    /// Move an order to its next status (placed -> preparing -> out-for-delivery -> delivered;
    /// a pickup: placed -> preparing -> ready-for-pickup -> picked-up).
    #[command(
        after_help = "Examples:\n  bakery orders advance 65f1c2a9e4b0a1b2c3d4e5f6 preparing\n  \
        bakery orders advance 65f1c2a9e4b0a1b2c3d4e5f6 ready-for-pickup"
    )]
    Advance {
        /// The order id.
        id: String,
        #[arg(value_enum)]
        status: Status,
    },
    /// Cancel an order that has not left the shop.
    #[command(after_help = "Example:\n  bakery orders cancel 65f1c2a9e4b0a1b2c3d4e5f6")]
    Cancel {
        /// The order id.
        id: String,
    },
    /// Assign the courier of an open order.
    #[command(
        after_help = "Example:\n  bakery orders assign 65f1c2a9e4b0a1b2c3d4e5f6 --name Sam --phone +33698765432"
    )]
    Assign {
        /// The order id.
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: String,
    },
    /// Live kitchen board of open orders by status; q or Ctrl-C quits.
    #[command(
        after_help = "Examples:\n  bakery orders board\n  bakery orders board --interval 10\n  bakery orders board --once"
    )]
    Board(board::BoardArgs),
    /// Follow one order live until it is delivered, picked up or canceled.
    #[command(
        after_help = "Examples:\n  bakery orders watch 65f1c2a9e4b0a1b2c3d4e5f6\n  bakery --json orders watch 65f1c2a9e4b0a1b2c3d4e5f6   (one JSON message per line)"
    )]
    Watch {
        /// The order id.
        id: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Status {
    Placed,
    Preparing,
    #[value(alias = "out_for_delivery")]
    OutForDelivery,
    Delivered,
    #[value(alias = "ready_for_pickup")]
    ReadyForPickup,
    #[value(alias = "picked_up")]
    PickedUp,
    #[value(alias = "cancelled")]
    Canceled,
}

/// How the order reaches the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

impl From<Fulfilment> for types::Fulfilment {
    fn from(f: Fulfilment) -> Self {
        match f {
            Fulfilment::Delivery => types::Fulfilment::Delivery,
            Fulfilment::Pickup => types::Fulfilment::Pickup,
        }
    }
}

impl From<Status> for types::OrderStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Placed => types::OrderStatus::Placed,
            Status::Preparing => types::OrderStatus::Preparing,
            Status::OutForDelivery => types::OrderStatus::OutForDelivery,
            Status::Delivered => types::OrderStatus::Delivered,
            Status::ReadyForPickup => types::OrderStatus::ReadyForPickup,
            Status::PickedUp => types::OrderStatus::PickedUp,
            Status::Canceled => types::OrderStatus::Canceled,
        }
    }
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only these statuses, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub status: Vec<Status>,
    /// Placed on or after this day (2025-06-01) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Placed on or before this day, included, or before this time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only the orders of this customer.
    #[arg(long)]
    pub phone: Option<String>,
    /// Only deliveries, or only pickups.
    #[arg(long, value_enum)]
    pub fulfilment: Option<Fulfilment>,
    #[arg(long, default_value_t = NonZeroU32::MIN)]
    pub page: NonZeroU32,
    /// Items per page, up to 100.
    #[arg(long, default_value = "20")]
    pub limit: NonZeroU32,
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::List(args) => list(ctx, args).await,
        Cmd::Show { id } => {
            let order = get(ctx, id).await?;
            if ctx.json {
                return output::print_json(&order);
            }
            show(&order);
            Ok(())
        }
        Cmd::Advance { id, status } => set_status(ctx, id, (*status).into()).await,
        Cmd::Cancel { id } => cancel(ctx, id).await,
        Cmd::Assign { id, name, phone } => {
            let body = types::DeliveryPersonInput {
                name: types::DeliveryPersonInputName::try_from(name.as_str())
                    .map_err(|e| CliError::invalid(format!("name: {e}")))?,
                phone: types::DeliveryPersonInputPhone::try_from(phone.as_str()).map_err(|_| {
                    CliError::invalid(format!(
                        "phone: {phone:?} is not a phone in international form like +33612345678"
                    ))
                })?,
            };
            let id = id.clone();
            let order = ctx
                .call(|api| {
                    let (id, body) = (id.clone(), body.clone());
                    async move {
                        api.admin_assign_delivery_person()
                            .id(id)
                            .body(body)
                            .send()
                            .await
                    }
                })
                .await?;
            if ctx.json {
                return output::print_json(&order);
            }
            println!("Order {}: courier {name} ({phone}).", order.id);
            Ok(())
        }
        Cmd::Board(args) => board::run(ctx, args).await,
        Cmd::Watch { id } => crate::commands::watch::run(ctx, id).await,
    }
}

pub async fn get(ctx: &Ctx, id: &str) -> Result<types::Order> {
    let id = id.to_owned();
    ctx.call(|api| {
        let id = id.clone();
        async move { api.get_order().id(id).send().await }
    })
    .await
}

/// Cancels through the cancel operation rather than a status change, so the command runs
/// under an `Idempotency-Key`: a retry after a lost answer reports the cancel, not a 409.
async fn cancel(ctx: &Ctx, id: &str) -> Result<()> {
    let id = id.to_owned();
    let order = ctx
        .call_idempotent(|api, key| {
            let id = id.clone();
            async move { api.cancel_order().id(id).idempotency_key(key).send().await }
        })
        .await?;
    changed(ctx, &order)
}

async fn set_status(ctx: &Ctx, id: &str, status: types::OrderStatus) -> Result<()> {
    let body = types::StatusUpdate { status };
    let id = id.to_owned();
    let order = ctx
        .call(|api| {
            let (id, body) = (id.clone(), body.clone());
            async move {
                api.admin_update_order_status()
                    .id(id)
                    .body(body)
                    .send()
                    .await
            }
        })
        .await?;
    changed(ctx, &order)
}

fn changed(ctx: &Ctx, order: &types::Order) -> Result<()> {
    if ctx.json {
        return output::print_json(order);
    }
    println!(
        "Order {} is now {}.",
        order.id,
        wire_name(&order.order_status)
    );
    Ok(())
}

/// Which orders of the book to list; empty or `None` means any.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub statuses: Vec<types::OrderStatus>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub phone: Option<String>,
    pub fulfilment: Option<types::Fulfilment>,
}

/// The staff order list with the given filters.
pub async fn fetch(
    ctx: &Ctx,
    filter: &Filter,
    page: NonZeroU32,
    limit: NonZeroU32,
) -> Result<types::PageOrder> {
    ctx.call(|api| {
        let filter = filter.clone();
        async move {
            let mut b = api.admin_list_orders().page(page).limit(limit);
            if !filter.statuses.is_empty() {
                b = b.status(filter.statuses);
            }
            if let Some(f) = filter.from {
                b = b.from(f);
            }
            if let Some(t) = filter.to {
                b = b.to(t);
            }
            if let Some(p) = filter.phone {
                b = b.phone(p);
            }
            if let Some(f) = filter.fulfilment {
                b = b.fulfilment(f);
            }
            b.send().await
        }
    })
    .await
}

async fn list(ctx: &Ctx, args: &ListArgs) -> Result<()> {
    let from = args
        .from
        .as_deref()
        .map(|t| parse_time(t, false).map_err(|e| CliError::invalid(format!("--from: {e}"))))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|t| parse_time(t, true).map_err(|e| CliError::invalid(format!("--to: {e}"))))
        .transpose()?;
    let filter = Filter {
        statuses: args.status.iter().map(|s| (*s).into()).collect(),
        from,
        to,
        phone: args.phone.clone(),
        fulfilment: args.fulfilment.map(Into::into),
    };
    let answer = fetch(ctx, &filter, args.page, args.limit).await?;
    if ctx.json {
        return output::print_json(&answer);
    }
    let mut table = output::table([
        "ID",
        "PLACED",
        "STATUS",
        "ITEMS",
        "TOTAL",
        "PAYMENT",
        "DELIVER TO / PICKUP",
    ]);
    for o in &answer.items {
        table.add_row([
            o.id.clone(),
            when(&o.created_at),
            wire_name(&o.order_status),
            o.items.iter().map(|i| i.quantity).sum::<u32>().to_string(),
            money(o.total, &o.currency),
            format!(
                "{} ({})",
                wire_name(&o.payment_details.method),
                wire_name(&o.payment_details.status)
            ),
            handover(o),
        ]);
    }
    println!("{table}");
    println!(
        "{}",
        output::page_footer(answer.items.len(), answer.total, answer.page, answer.limit)
    );
    Ok(())
}

/// Where the order goes, in a word or two: the street and city, or the counter.
fn handover(o: &types::Order) -> String {
    match (&o.fulfilment, &o.delivery_address) {
        (types::Fulfilment::Pickup, _) => "pickup at the counter".to_owned(),
        (_, Some(a)) => format!("{}, {}", a.address, a.city),
        (other, None) => wire_name(other),
    }
}

fn show(o: &types::Order) {
    let c = &o.currency;
    println!("Order {}  [{}]", o.id, wire_name(&o.order_status));
    println!("placed:    {}", when(&o.created_at));
    match (&o.scheduled_delivery_time, o.is_scheduled) {
        (Some(t), true) => println!("scheduled: {}", when(t)),
        _ => println!("expected:  {}", when(&o.estimated_delivery_time)),
    }
    match &o.delivery_address {
        Some(a) => println!(
            "deliver:   {}, {} {}, {}{}",
            a.address,
            a.zip_code,
            a.city,
            a.state,
            a.landmark
                .as_deref()
                .map(|l| format!(" (near {l})"))
                .unwrap_or_default()
        ),
        None => println!("{:<11}{}", "handover:", handover(o)),
    }
    let p = &o.payment_details;
    println!(
        "payment:   {} ({})",
        wire_name(&p.method),
        wire_name(&p.status)
    );
    if let Some(intent) = &p.transaction_id {
        println!("intent:    {intent}");
    }
    if let Some(refund) = &p.refund_id {
        println!("refund:    {refund}");
    }
    match (&o.delivery_person, &o.fulfilment) {
        (Some(d), _) => println!("courier:   {} ({})", d.name, d.phone),
        (None, types::Fulfilment::Pickup) => {}
        (None, _) => println!("courier:   not assigned"),
    }
    if let Some(note) = &o.special_instructions {
        println!("note:      {note}");
    }
    let mut items = output::table(["QTY", "ITEM", "UNIT", "AMOUNT"]);
    for i in &o.items {
        items.add_row([
            i.quantity.to_string(),
            item_text(i, c),
            money(i.price, c),
            money(i.price * i64::from(i.quantity), c),
        ]);
    }
    println!("{items}");
    println!("subtotal:     {:>14}", money(o.subtotal, c));
    if o.discount != 0 {
        let code = o
            .promotion_code
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        println!("discount:     {:>14}{code}", money(-o.discount, c));
    }
    println!("delivery fee: {:>14}", money(o.delivery_fee, c));
    println!("taxes:        {:>14}", money(o.taxes, c));
    println!("total:        {:>14}", money(o.total, c));
    println!("history:");
    for h in &o.status_history {
        println!(
            "  {}  {:<17} by {} ({})",
            when(&h.at),
            wire_name(&h.status),
            h.actor,
            wire_name(&h.actor_role)
        );
    }
}

/// An order line's name with its options, one per line below it: `Birthday cake` then
/// `  Size: 8 portions (+8.00)` and `  Message on the cake: "Happy birthday"`.
pub fn item_text(i: &types::OrderItem, currency: &str) -> String {
    let mut text = i.name.clone();
    for o in &i.options {
        let what = match (&o.label, &o.text) {
            (Some(label), _) => label.clone(),
            (None, Some(written)) => format!("{written:?}"),
            (None, None) => String::new(),
        };
        text.push_str(&format!("\n  {}: {what}", o.group_label));
        if o.price_delta != 0 {
            text.push_str(&format!(" (+{})", money(o.price_delta, currency)));
        }
    }
    text
}
