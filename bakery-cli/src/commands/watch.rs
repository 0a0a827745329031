//! `orders watch ID`: one order live in the terminal, through the SDK's tracking client,
//! until it is delivered or canceled (exit 0). The client reconnects by itself; a refusal
//! (signed out, no such order) ends the command with the matching exit code.

use bakery_sdk::{types, LiveError, OrderTracker};

use crate::context::Ctx;
use crate::exit::{CliError, Exit, Result};
use crate::output::{self, wire_name};

pub async fn run(ctx: &Ctx, id: &str) -> Result<()> {
    if ctx.client.tokens().is_none() {
        return Err(CliError::not_signed_in());
    }
    let mut tracker = OrderTracker::new(&ctx.client, id);
    loop {
        let message = match tracker.next().await {
            Ok(Some(message)) => message,
            Ok(None) => {
                if !ctx.json {
                    println!("The order is finished.");
                }
                return Ok(());
            }
            Err(e) => return Err(live_error(e, id, &ctx.server)),
        };
        if ctx.json {
            // One message per line, as it arrives.
            let text = serde_json::to_string(&message)
                .map_err(|e| CliError::local("JSON_ERROR", e.to_string()))?;
            println!("{text}");
        } else {
            println!("{}", line(&message));
        }
    }
}

fn line(message: &types::TrackingMessage) -> String {
    use types::TrackingMessage::*;
    match message {
        Variant0(s) => format!(
            "{}  {}  ETA {}  courier: {}",
            s.order_id,
            wire_name(&s.status),
            output::when(&s.estimated_delivery_time),
            s.delivery_person.as_ref().map_or_else(
                || "none yet".to_owned(),
                |p| format!("{} ({})", p.name, p.phone)
            )
        ),
        Variant1(e) => format!(
            "{}  status {} by {}",
            output::when(&e.at),
            wire_name(&e.status),
            wire_name(&e.actor_role)
        ),
        Variant2(e) => format!(
            "{}  courier {} ({})",
            output::when(&e.at),
            e.delivery_person.name,
            e.delivery_person.phone
        ),
        Variant3(e) => format!(
            "{}  courier at {:.5}, {:.5}",
            output::when(&e.at),
            e.lat,
            e.lng
        ),
        Variant4(e) => format!(
            "{}  ETA now {}",
            output::when(&e.at),
            output::when(&e.estimated_delivery_time)
        ),
        Variant5(e) => format!(
            "{}  payment {}",
            output::when(&e.at),
            wire_name(&e.payment_status)
        ),
    }
}

fn live_error(e: LiveError, id: &str, server: &str) -> CliError {
    match e {
        LiveError::Refused(401) => CliError::not_signed_in(),
        LiveError::Refused(404) => CliError::not_found("order", id),
        LiveError::Refused(status) => CliError::new(
            Exit::Auth,
            "FORBIDDEN",
            format!("{server} does not let this account follow order {id} ({status})"),
        ),
        LiveError::Unreachable(why) => CliError::new(
            Exit::Server,
            "UNREACHABLE",
            format!("cannot follow order {id} on {server}: {why}"),
        ),
        LiveError::Protocol(why) => CliError::local("PROTOCOL", why),
    }
}
