//! `outbox list|retry`: what the shop still has to send (pushes), and the messages that gave
//! up, which staff put back in line once the cause is fixed.

use std::num::NonZeroU32;

use bakery_sdk::types;
use clap::{Subcommand, ValueEnum};

use crate::context::Ctx;
use crate::exit::Result;
use crate::output::{self, page_footer, when, wire_name};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// List outbox messages, newest first.
    #[command(
        after_help = "Example:\n  bakery outbox list --state failed\n  bakery --json outbox list"
    )]
    List {
        /// Only messages in this state.
        #[arg(long, value_enum)]
        state: Option<State>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Put a failed message back in line, due now.
    #[command(after_help = "Example:\n  bakery outbox retry 65f1c2a9e4b0a1b2c3d4e5f6")]
    Retry {
        /// The message id.
        id: String,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum State {
    Pending,
    Delivered,
    Failed,
}

impl From<State> for types::OutboxState {
    fn from(s: State) -> Self {
        match s {
            State::Pending => Self::Pending,
            State::Delivered => Self::Delivered,
            State::Failed => Self::Failed,
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::List { state, page, limit } => {
            let state = state.map(types::OutboxState::from);
            let (page, limit) = (
                NonZeroU32::new(*page).unwrap_or(NonZeroU32::MIN),
                NonZeroU32::new((*limit).clamp(1, 100)).unwrap_or(NonZeroU32::MIN),
            );
            let answer = ctx
                .call(|api| async move {
                    let mut call = api.admin_list_outbox().page(page).limit(limit);
                    if let Some(state) = state {
                        call = call.state(state);
                    }
                    call.send().await
                })
                .await?;
            if ctx.json {
                return output::print_json(&answer);
            }
            let mut table = output::table([
                "ID",
                "KIND",
                "STATE",
                "ATTEMPTS",
                "NEXT",
                "ORDER",
                "LAST ERROR",
            ]);
            for m in &answer.items {
                table.add_row([
                    m.id.clone(),
                    m.kind.clone(),
                    wire_name(&m.state),
                    m.attempts.to_string(),
                    when(&m.next_attempt_at),
                    m.order_id.clone().unwrap_or_default(),
                    m.last_error.clone().unwrap_or_default(),
                ]);
            }
            println!("{table}");
            println!(
                "{}",
                page_footer(answer.items.len(), answer.total, answer.page, answer.limit)
            );
            Ok(())
        }
        Cmd::Retry { id } => {
            let id = id.clone();
            let message = ctx
                .call(|api| {
                    let id = id.clone();
                    async move { api.admin_retry_outbox_message().id(id).send().await }
                })
                .await?;
            if ctx.json {
                return output::print_json(&message);
            }
            println!("Message {} is pending again, due now.", message.id);
            Ok(())
        }
    }
}
