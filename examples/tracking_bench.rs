//! The live-tracking benchmark (not a test): N sockets follow one order on a running
//! `bakery-server`, staff move the order, and we time how long the broadcast takes to reach
//! the last socket. `scripts/bench_tracking.sh` starts the server and runs this; see
//! `bench/tracking.md` for the results and the machine.
//!
//! ```text
//! tracking_bench URL PHONE PASSWORD SERVER_PID [SOCKETS] [ORDERS]
//! ```
//!
//! Signs in as staff (PHONE, PASSWORD), places ORDERS orders (default 10) one after another
//! and, for each, opens SOCKETS sockets (default 2000) on it, then moves it placed →
//! preparing → out_for_delivery → delivered: three broadcasts per order. For each broadcast
//! it records the time from just before the status request until the last socket has the
//! event. It reads the server's resident memory before the sockets and with them open, and
//! its CPU time over the broadcasts, from `/proc/SERVER_PID`. Prints a markdown table.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bakery_sdk::{types, BakeryClient, Tokens};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, phone, password, pid, rest @ ..] = &args[..] else {
        bail!("usage: tracking_bench URL PHONE PASSWORD SERVER_PID [SOCKETS] [ORDERS]");
    };
    let sockets: usize = rest.first().map_or(Ok(2000), |n| n.parse())?;
    let orders: usize = rest.get(1).map_or(Ok(10), |n| n.parse())?;
    let pid: u32 = pid.parse().context("SERVER_PID")?;

    let staff = sign_in(url, phone, password).await?;
    let token = staff.tokens().context("signed in")?.access_token;
    let product = staff
        .api()
        .list_products()
        .available(true)
        .limit(std::num::NonZeroU32::new(20).context("20")?)
        .send()
        .await
        .context("list products (run `bakery-server demo-data` first)")?
        .into_inner()
        .items
        .into_iter()
        // One that needs no choice on the cart line (a cake's size).
        .find(|p| p.option_groups.iter().all(|g| g.min_choices == 0))
        .context("no product: run `bakery-server demo-data` first")?;

    let mut last_arrivals = Vec::new();
    let mut all_arrivals = Vec::new();
    // Memory freed after one round is reused by the next without RSS shrinking, so the
    // honest figure is the largest RSS with sockets open over the RSS before the first.
    let baseline = rss_kib(pid)?;
    let mut peak_with_sockets = baseline;
    let mut cpu_per_broadcast = Vec::new();
    for round in 0..orders {
        let order = staff
            .api()
            .place_order()
            .body(order_request(&product.id)?)
            .send()
            .await
            .context("place an order")?
            .into_inner();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
        let mut tasks = Vec::with_capacity(sockets);
        // Connect in batches so the listen backlog never overflows.
        for batch in (0..sockets).collect::<Vec<_>>().chunks(100) {
            let opened =
                futures::future::join_all(batch.iter().map(|_| open(url, &order.id, &token))).await;
            for socket in opened {
                let mut socket = socket?;
                let tx = tx.clone();
                tasks.push(tokio::spawn(async move {
                    // Three status events, then the close.
                    let mut seen = 0;
                    while let Some(Ok(frame)) = socket.next().await {
                        match frame {
                            Message::Text(_) => {
                                let _ = tx.send(Instant::now());
                                seen += 1;
                                if seen == 3 {
                                    break;
                                }
                            }
                            Message::Ping(p) => {
                                let _ = socket.send(Message::Pong(p)).await;
                            }
                            _ => {}
                        }
                    }
                }));
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        peak_with_sockets = peak_with_sockets.max(rss_kib(pid)?);
        let cpu_before = cpu_ticks(pid)?;
        for status in [
            types::OrderStatus::Preparing,
            types::OrderStatus::OutForDelivery,
            types::OrderStatus::Delivered,
        ] {
            let started = Instant::now();
            staff
                .api()
                .admin_update_order_status()
                .id(order.id.as_str())
                .body(types::StatusUpdate { status })
                .send()
                .await
                .context("move the order")?;
            let mut last = Duration::ZERO;
            for _ in 0..sockets {
                let at = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                    .await
                    .context("a socket did not get the event within 30 s")?
                    .context("channel closed")?;
                let took = at.saturating_duration_since(started);
                all_arrivals.push(took);
                last = last.max(took);
            }
            last_arrivals.push(last);
        }
        let cpu = cpu_ticks(pid)?.saturating_sub(cpu_before);
        cpu_per_broadcast.push(cpu as f64 * 1000.0 / ticks_per_second() / 3.0);
        for task in tasks {
            let _ = task.await;
        }
        eprintln!("order {}/{orders} done", round + 1);
    }

    last_arrivals.sort();
    all_arrivals.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |v: &[Duration], p: f64| ms(v[((v.len() as f64 - 1.0) * p).round() as usize]);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!("| measure | value |");
    println!("|---|---|");
    println!("| sockets on one order | {sockets} |");
    println!(
        "| broadcasts measured | {} ({orders} orders × 3 status changes) |",
        last_arrivals.len()
    );
    println!(
        "| until the last socket has it, p50 | {:.1} ms |",
        pct(&last_arrivals, 0.5)
    );
    println!(
        "| until the last socket has it, p99 | {:.1} ms |",
        pct(&last_arrivals, 0.99)
    );
    println!(
        "| until the last socket has it, max | {:.1} ms |",
        pct(&last_arrivals, 1.0)
    );
    println!(
        "| any socket, p50 / p99 | {:.1} / {:.1} ms |",
        pct(&all_arrivals, 0.5),
        pct(&all_arrivals, 0.99)
    );
    println!(
        "| server memory per open socket ((peak RSS with sockets - RSS before) / sockets) | {:.1} KiB |",
        peak_with_sockets.saturating_sub(baseline) as f64 / sockets as f64
    );
    println!(
        "| server CPU per broadcast (user + system, mean) | {:.1} ms |",
        mean(&cpu_per_broadcast)
    );
    Ok(())
}

async fn sign_in(url: &str, phone: &str, password: &str) -> Result<BakeryClient> {
    let client = BakeryClient::new(url);
    let answer = client
        .api()
        .login()
        .body_map(|b| {
            b.phone(phone)
                .password(Some(password.try_into().expect("password")))
        })
        .send()
        .await
        .context("sign in")?
        .into_inner();
    client.set_tokens(Some(Tokens {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token,
    }));
    Ok(client)
}

fn order_request(product: &str) -> Result<types::PlaceOrderRequest> {
    Ok(types::PlaceOrderRequest {
        items: vec![types::CartLine {
            product: v(product)?,
            quantity: std::num::NonZeroU32::MIN,
            options: Vec::new(),
        }],
        fulfilment: None,
        delivery_address: Some(types::DeliveryAddressInput {
            address: v("12 Rue de la Paix")?,
            landmark: None,
            city: v("Paris")?,
            state: v("Île-de-France")?,
            zip_code: v("75002")?,
            location: None,
        }),
        payment_details: types::PaymentInput {
            method: types::PaymentMethod::Cash,
        },
        promotion_code: None,
        is_scheduled: None,
        scheduled_delivery_time: None,
        special_instructions: None,
    })
}

/// A validated string of the generated types.
fn v<T>(s: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Debug,
{
    s.parse().map_err(|e| anyhow::anyhow!("{s:?}: {e:?}"))
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens one socket and reads its snapshot.
async fn open(url: &str, order: &str, token: &str) -> Result<Socket> {
    let ws = url.replacen("http://", "ws://", 1);
    let mut request = format!("{ws}/api/v1/orders/{order}/track/ws").into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    match socket.next().await {
        Some(Ok(Message::Text(_))) => Ok(socket),
        other => bail!("expected the snapshot, got {other:?}"),
    }
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

/// utime + stime of the process, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let after = stat.rsplit_once(')').context("stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after ')'.
    let utime: u64 = fields.get(11).context("utime")?.parse()?;
    let stime: u64 = fields.get(12).context("stime")?.parse()?;
    Ok(utime + stime)
}

fn ticks_per_second() -> f64 {
    // Linux's USER_HZ is 100 on every architecture this runs on.
    100.0
}
