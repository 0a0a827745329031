//! `bakery`: the shop's staff run the catalog, promotions and the day's orders from a terminal,
//! through the published API (bakery-sdk) like any outside client.

mod commands;
mod config;
mod context;
mod exit;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::{
    auth, categories, completions, kitchen, orders, outbox, products, promotions, shop,
};
use context::{Ctx, Global};

const AFTER_HELP: &str = "Examples:
  bakery login --phone +33612345678
  bakery products import bakery-cli/examples/catalog.csv
  bakery orders board

Exit codes:
  0 success    2 usage          3 authentication    4 not found
  5 conflict   6 validation     7 server or network failure    1 other

Errors print as one line: `error: <CODE>: <message>`.
Tokens are kept in $XDG_CONFIG_HOME/bakery/<profile>.json (mode 0600).";

#[derive(Parser, Debug)]
#[command(
    name = "bakery",
    version,
    about = "Run the bakery from a terminal: catalog, promotions and the day's orders",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign in with your phone and password (or a code sent by SMS).
    Login(auth::LoginArgs),
    /// Sign out and forget this profile's tokens.
    #[command(after_help = "Example:\n  bakery logout\n  bakery --profile shop2 logout")]
    Logout,
    /// Who is signed in, on which server.
    Whoami(auth::WhoamiArgs),
    /// Catalog categories.
    #[command(subcommand, after_help = "Example:\n  bakery categories list")]
    Categories(categories::Cmd),
    /// Catalog products, and bulk import from CSV or JSON.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery products list --search croissant"
    )]
    Products(products::Cmd),
    /// Discounts and promotion codes.
    #[command(subcommand, after_help = "Example:\n  bakery promotions list")]
    Promotions(promotions::Cmd),
    /// The order book, status changes, couriers and the kitchen board.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery orders list --status placed"
    )]
    Orders(orders::Cmd),
    /// What the kitchen must make: the day's prep list.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery kitchen prep --date tomorrow"
    )]
    Kitchen(kitchen::Cmd),
    /// Pushes and other messages still to send, and the ones that gave up.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery outbox list --state failed"
    )]
    Outbox(outbox::Cmd),
    /// The shop's opening hours.
    #[command(subcommand, after_help = "Example:\n  bakery shop hours show")]
    Shop(shop::Cmd),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    if let Command::Completions(args) = &cli.command {
        completions::run(args);
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return exit::CliError::local("RUNTIME_ERROR", e.to_string()).report();
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

async fn run(cli: Cli) -> exit::Result<()> {
    let ctx = Ctx::new(&cli.global)?;
    match &cli.command {
        Command::Login(args) => auth::login(&ctx, args).await,
        Command::Logout => auth::logout(&ctx).await,
        Command::Whoami(_) => auth::whoami(&ctx).await,
        Command::Categories(cmd) => categories::run(&ctx, cmd).await,
        Command::Products(cmd) => products::run(&ctx, cmd).await,
        Command::Promotions(cmd) => promotions::run(&ctx, cmd).await,
        Command::Orders(cmd) => orders::run(&ctx, cmd).await,
        Command::Kitchen(cmd) => kitchen::run(&ctx, cmd).await,
        Command::Outbox(cmd) => outbox::run(&ctx, cmd).await,
        Command::Shop(cmd) => shop::run(&ctx, cmd).await,
        Command::Completions(args) => {
            completions::run(args);
            Ok(())
        }
    }
}

/// `bakery orders list | head` closes the pipe early. Rust ignores SIGPIPE, so the next
/// `println!` would panic; like other Unix tools, the command should simply end instead.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists; it only resets the
    // disposition of one signal to the operating system's default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
