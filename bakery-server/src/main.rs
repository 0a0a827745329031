//! `bakery-server`: serve the API (default), create the first admin or a courier, or print
//! the spec.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;
use bakery_core::domain::{Phone, Role};
use bakery_core::services::Bakery;
use bakery_server::config::Config;
use bakery_server::demo_data::Terms;
use bakery_server::fleet::Fleet;
use bakery_server::{api_spec, spawn_until, store, telemetry, AppState, SHUTDOWN_GRACE};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bakery-server",
    version,
    about = "The bakery shop's API server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Configured by environment variables and `.env`.
    Serve,
    /// Create an admin account, or promote an existing one, in the configured store.
    CreateAdmin {
        #[arg(long)]
        name: String,
        /// International form, e.g. +33612345678.
        #[arg(long)]
        phone: String,
        /// At least 8 characters.
        #[arg(long, env = "BAKERY_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Create a courier account (role delivery), or make an existing account one, in the
    /// configured store.
    CreateCourier {
        #[arg(long)]
        name: String,
        /// International form, e.g. +33612345678.
        #[arg(long)]
        phone: String,
        /// At least 8 characters.
        #[arg(long, env = "BAKERY_COURIER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Fill an empty store with a believable bakery: categories, products, a promotion code,
    /// a week of opening hours and two delivery zones.
    DemoData {
        /// Leave the hours and zones unset (open always, delivering anywhere), for load tests
        /// and fuzzing that order at any hour to any address.
        #[arg(long, alias = "open-always")]
        unrestricted: bool,
    },
    /// Copy a whole shop from its SQLite file into MongoDB (a chain's store), every record
    /// with its id, then verify the copy. Resumable: run it again after an interruption.
    /// Stop the server using the source first. Exits 3 when paused by --max-batches.
    Migrate {
        /// `sqlite:PATH`: the SQLite file, or the data directory holding `bakery.db`.
        #[arg(long)]
        from: String,
        /// `mongodb://HOST/DATABASE` (`mongodb:` in front is accepted); without a database in
        /// the URI, MONGODB_DATABASE or `bakery`.
        #[arg(long)]
        to: String,
        /// Write into a target that is not empty or was already migrated into.
        #[arg(long)]
        force: bool,
        /// Records per batch (one progress write each).
        #[arg(long, default_value_t = bakery_core::migrate::DEFAULT_BATCH_SIZE)]
        batch_size: u32,
        /// Stop after this many batches (resume by running again), e.g. to spread a large
        /// copy over quiet hours.
        #[arg(long)]
        max_batches: Option<u64>,
    },
    /// Print the OpenAPI document (what `openapi.json` holds) to stdout.
    Openapi {
        /// Only what customer apps call (what `openapi.customer.json` holds).
        #[arg(long)]
        customer: bool,
    },
}

#[tokio::main]
async fn main() {
    // Configuration mistakes are the operator's to fix: say what is wrong, no backtrace.
    if let Err(e) = run().await {
        eprintln!("bakery-server: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    // A missing .env is normal; a broken one is worth stopping for.
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(e) if e.not_found() => {}
        Err(e) => return Err(e).context("reading .env"),
    }
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { customer } => {
            let spec = if customer {
                bakery_server::customer_api_spec()
            } else {
                api_spec()
            };
            println!("{spec}");
            Ok(())
        }
        Command::Serve => serve().await,
        Command::DemoData { unrestricted } => demo_data(unrestricted).await,
        Command::Migrate {
            from,
            to,
            force,
            batch_size,
            max_batches,
        } => migrate(&from, &to, force, batch_size, max_batches).await,
        Command::CreateAdmin {
            name,
            phone,
            password,
        } => create_staff(&name, &phone, &password, Role::Admin).await,
        Command::CreateCourier {
            name,
            phone,
            password,
        } => create_staff(&name, &phone, &password, Role::Delivery).await,
    }
}

fn load_config() -> anyhow::Result<Config> {
    let production = std::env::var("BAKERY_ENV").is_ok_and(|v| v.trim() == "production");
    telemetry::init(production);
    Config::from_env()
}

async fn serve() -> anyhow::Result<()> {
    let mut config = load_config()?;
    config.keep_generated_secrets()?;
    let store = store::open(&config.store).await?;
    let fleet = Fleet::connect(config.redis.as_ref()).await?;
    let sms = config.sms_sender()?;
    let push = config.push_sender()?;
    let payments = config.payment_provider()?;
    let (images, media) = config.image_storage().await?;
    let bakery = Bakery::new(store, config.settings.clone())
        .with_images(images)
        .with_catalog_cache(fleet.cache.clone())
        .with_events(fleet.events.clone())
        .with_sms(sms)
        .with_push(push)
        .with_payments(payments);
    let adapters = bakery.adapters();
    tracing::info!(
        store = adapters.store,
        cache = adapters.cache,
        rate_limits = if config.redis.is_some() {
            "redis"
        } else {
            "in-process"
        },
        sms = adapters.sms,
        push = adapters.push,
        payments = adapters.payments,
        events = adapters.events,
        images = adapters.images,
        "adapters"
    );
    let state = AppState::new(bakery, &config.jwt_secret, config.access_token_ttl)
        .with_rate_limits(config.rate_limits)
        .with_rate_limiter(fleet.limiter)
        .with_http_policy(config.http.clone())
        .with_media(media);
    let addr = SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port));
    let running = spawn_until(state, addr, shutdown_signal(), SHUTDOWN_GRACE)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    tracing::info!(addr = %running.addr, "bakery-server listening");
    running
        .handle
        .await
        .context("server task")?
        .context("server")?;
    tracing::info!("bakery-server stopped");
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM (orchestrators) starts a graceful shutdown.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!(
        grace_secs = SHUTDOWN_GRACE.as_secs(),
        "shutting down: no new connections, finishing in-flight requests"
    );
}

async fn demo_data(unrestricted: bool) -> anyhow::Result<()> {
    let config = load_config()?;
    let store = store::open(&config.store).await?;
    let fleet = Fleet::connect(config.redis.as_ref()).await?;
    let bakery = Bakery::new(store, config.settings).with_catalog_cache(fleet.cache);
    let terms = if unrestricted {
        Terms::Unrestricted
    } else {
        Terms::Believable
    };
    let summary = bakery_server::demo_data::fill(&bakery, terms).await?;
    println!(
        "demo bakery ready: {} categories, {} products, promotion code {}\nopening hours ({} time): {}\ndelivery zones: {}",
        summary.categories,
        summary.products,
        summary.promotion_code,
        bakery.timezone(),
        summary.hours.unwrap_or("open always"),
        summary.zones.unwrap_or("anywhere, at the flat fee"),
    );
    Ok(())
}

async fn migrate(
    from: &str,
    to: &str,
    force: bool,
    batch_size: u32,
    max_batches: Option<u64>,
) -> anyhow::Result<()> {
    use bakery_server::migrate::{Source, Target, EXIT_PAUSED};
    telemetry::init(false);
    let source = Source::parse(from)?;
    let default_database = std::env::var("MONGODB_DATABASE").unwrap_or_else(|_| "bakery".into());
    let target = Target::parse(to, &default_database)?;
    let options = bakery_core::migrate::Options {
        source: source.name(),
        batch_size,
        max_batches,
        force,
    };
    if !bakery_server::migrate::run(&source, &target, options).await? {
        std::process::exit(EXIT_PAUSED);
    }
    Ok(())
}

async fn create_staff(name: &str, phone: &str, password: &str, role: Role) -> anyhow::Result<()> {
    let config = load_config()?;
    let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = store::open(&config.store).await?;
    let bakery = Bakery::new(store, config.settings);
    let user = bakery
        .create_staff(name, &phone, password, role)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let what = match role {
        Role::Delivery => "courier",
        _ => "admin",
    };
    println!(
        "{what} {} ({}) ready, id {}",
        user.name, user.phone, user.id
    );
    Ok(())
}
