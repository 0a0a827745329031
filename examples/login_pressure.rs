//! Does a burst of password logins slow everything else down? One run, two phases, the same
//! probes: `/healthz` and the cached catalog page, first alone, then while 32 clients log in
//! with a password in a loop. Prints each probe's p50/p99 in both phases and the ratio.
//!
//! ```sh
//! cargo run --release -p examples --example login_pressure -- --seconds 10
//! ```
//!
//! The server is the real one (`bakery_server::spawn`, demo catalog on SQLite in a temp dir)
//! on a runtime of its own, default size; the probes and the logins run on a second runtime
//! in the same process, so they share the cores with the server as wrk does in
//! `scripts/bench.sh`. Absolute numbers move with the machine; the ratios are the result.
//! Not part of the tests: performance claims live in bench/results.md.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::domain::{Phone, Role};
use bakery_core::ports::{RateLimit, Store};
use bakery_core::secrets::OtpKey;
use bakery_core::services::{Bakery, Settings};
use bakery_server::state::RateLimits;
use bakery_server::AppState;

const USAGE: &str = "usage: login_pressure [--seconds N] [--logins N] [--probes N]";
const PHONE: &str = "+33600000042";
const PASSWORD: &str = "bench-password-42";
const LISTING: &str = "/api/v1/products?limit=20";

struct Args {
    seconds: u64,
    logins: usize,
    /// Concurrent probe loops per probed route.
    probes: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        seconds: 10,
        logins: 32,
        probes: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = || -> anyhow::Result<u64> {
            let value = it.next().context(USAGE)?;
            value
                .parse()
                .with_context(|| format!("{arg}: not a number: {value:?}"))
        };
        match arg.as_str() {
            "--seconds" => args.seconds = number()?.max(1),
            "--logins" => args.logins = usize::try_from(number()?)?,
            "--probes" => args.probes = usize::try_from(number()?)?.max(1),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    Ok(args)
}

/// The embedded server with the demo catalog and one staff account with a password, on its
/// own runtime so the probes do not borrow its workers.
fn start_server(dir: &std::path::Path) -> anyhow::Result<(tokio::runtime::Runtime, SocketAddr)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()?;
    let db = dir.join("bakery.db");
    let addr = runtime.block_on(async move {
        let store = SqliteStore::open(db).await.context("opening SQLite")?;
        let bakery = Bakery::new(
            Store::from_adapter(store),
            Settings::new("Bench Bakery", OtpKey::random()),
        );
        bakery_server::demo_data::fill(&bakery, bakery_server::demo_data::Terms::Unrestricted)
            .await?;
        bakery
            .create_staff("Bench", &Phone::parse(PHONE)?, PASSWORD, Role::Admin)
            .await?;
        // Nothing here measures the limiter.
        let open = RateLimit::parse("bench", "1000000/1m")?;
        let state = AppState::new(bakery, &[7u8; 32], Duration::from_secs(3600)).with_rate_limits(
            RateLimits {
                auth: open,
                otp: open,
                otp_global: open,
            },
        );
        let running = bakery_server::spawn(state, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        // Detached: the server lives as long as its runtime.
        drop(running.handle);
        anyhow::Ok(running.addr)
    })?;
    Ok((runtime, addr))
}

/// Latencies in microseconds.
#[derive(Default)]
struct Samples(Vec<u64>);

impl Samples {
    fn quantile(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1] as f64 / 1000.0
    }
}

/// `probes` loops GETting `path` one request after the other until `stop`.
async fn probe(
    http: reqwest::Client,
    url: String,
    probes: usize,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Samples> {
    let loops: Vec<_> = (0..probes)
        .map(|_| {
            let (http, url, stop) = (http.clone(), url.clone(), stop.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let resp = http.get(&url).send().await?;
                    let status = resp.status();
                    resp.bytes().await?;
                    if !status.is_success() {
                        bail!("GET {url}: {status}");
                    }
                    samples.push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
                }
                anyhow::Ok(samples)
            })
        })
        .collect();
    let mut all = Samples::default();
    for l in loops {
        all.0.extend(l.await??);
    }
    Ok(all)
}

#[derive(Default)]
struct LoginTally {
    ok: AtomicU64,
    busy: AtomicU64,
    other: AtomicU64,
}

/// `n` clients logging in with the password, one login after the other, until `stop`; a
/// client told BUSY waits the `Retry-After` it was given, as a well-behaved app does.
fn logins(
    http: &reqwest::Client,
    base: &str,
    n: usize,
    stop: &Arc<AtomicBool>,
    tally: &Arc<LoginTally>,
) -> Vec<tokio::task::JoinHandle<anyhow::Result<()>>> {
    (0..n)
        .map(|_| {
            let (http, stop, tally) = (http.clone(), stop.clone(), tally.clone());
            let url = format!("{base}/api/v1/auth/login");
            tokio::spawn(async move {
                let body = format!(r#"{{"phone":"{PHONE}","password":"{PASSWORD}"}}"#);
                while !stop.load(Ordering::Relaxed) {
                    let resp = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await?;
                    let status = resp.status().as_u16();
                    resp.bytes().await?;
                    match status {
                        200 => tally.ok.fetch_add(1, Ordering::Relaxed),
                        503 => {
                            tally.busy.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            0
                        }
                        _ => tally.other.fetch_add(1, Ordering::Relaxed),
                    };
                }
                anyhow::Ok(())
            })
        })
        .collect()
}

struct Phase {
    healthz: Samples,
    listing: Samples,
}

async fn phase(
    http: &reqwest::Client,
    base: &str,
    args: &Args,
    with_logins: usize,
) -> anyhow::Result<(Phase, Arc<LoginTally>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(LoginTally::default());
    let login_tasks = logins(http, base, with_logins, &stop, &tally);
    if with_logins > 0 {
        // Let the logins fill the pool before measuring.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let healthz = tokio::spawn(probe(
        http.clone(),
        format!("{base}/healthz"),
        args.probes,
        stop.clone(),
    ));
    let listing = tokio::spawn(probe(
        http.clone(),
        format!("{base}{LISTING}"),
        args.probes,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let phase = Phase {
        healthz: healthz.await??,
        listing: listing.await??,
    };
    for task in login_tasks {
        task.await??;
    }
    Ok((phase, tally))
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    let dir = std::env::temp_dir().join(format!("bakery-login-pressure-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (server, addr) = start_server(&dir)?;
    let base = format!("http://{addr}");
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("client")
        .build()?;
    let result = client.block_on(async {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?;
        // Warm-up: the catalog page is in the cache from here on.
        for _ in 0..50 {
            http.get(format!("{base}{LISTING}"))
                .send()
                .await?
                .bytes()
                .await?;
        }
        let (idle, _) = phase(&http, &base, &args, 0).await?;
        let (busy, tally) = phase(&http, &base, &args, args.logins).await?;
        anyhow::Ok((idle, busy, tally))
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let (idle, busy, tally) = result?;

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "{} s per phase, {} probe loops per route, {} password logins in the second phase, {cores} cores",
        args.seconds, args.probes, args.logins
    );
    println!();
    println!("| probe | requests alone | p50 ms alone | p99 ms alone | requests with logins | p50 ms with logins | p99 ms with logins | p99 ratio |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, a, b) in [
        ("GET /healthz", &idle.healthz, &busy.healthz),
        (
            "GET /api/v1/products?limit=20 (cached)",
            &idle.listing,
            &busy.listing,
        ),
    ] {
        println!(
            "| {name} | {} | {:.2} | {:.2} | {} | {:.2} | {:.2} | {:.1} × |",
            a.0.len(),
            a.quantile(0.5),
            a.quantile(0.99),
            b.0.len(),
            b.quantile(0.5),
            b.quantile(0.99),
            b.quantile(0.99) / a.quantile(0.99)
        );
    }
    println!();
    println!(
        "logins during the second phase: {} signed in, {} answered 503 BUSY, {} other",
        tally.ok.load(Ordering::Relaxed),
        tally.busy.load(Ordering::Relaxed),
        tally.other.load(Ordering::Relaxed)
    );
    Ok(())
}
