//! `orders board`: the open orders grouped by status, kept current by the server's board
//! stream (`GET /admin/orders/stream`, through the SDK's `BoardWatcher`), and refreshed by
//! polling every `--interval` seconds when the stream cannot be opened or stops (an older
//! server, a proxy without WebSocket, more open orders than its snapshot holds).
//!
//! On a terminal it takes the alternate screen in raw mode and quits on q, Esc or Ctrl-C; the
//! terminal is restored on every way out (quit, error, panic). `--once` prints one frame and
//! exits; when standard output is not a terminal, frames are printed one after another.

use std::io::{IsTerminal, Write};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bakery_sdk::{types, BoardWatcher};
use chrono::Local;
use clap::Args;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};

use crate::commands::orders;
use crate::context::{Ctx, MAX_LIMIT};
use crate::exit::{CliError, Exit, Result};
use crate::output::{self, money, wire_name};

#[derive(Args, Debug)]
pub struct BoardArgs {
    /// Seconds between refreshes.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// Print one frame and exit.
    #[arg(long)]
    pub once: bool,
}

const COLUMNS: [types::OrderStatus; 4] = [
    types::OrderStatus::Placed,
    types::OrderStatus::Preparing,
    types::OrderStatus::OutForDelivery,
    types::OrderStatus::ReadyForPickup,
];

pub async fn run(ctx: &Ctx, args: &BoardArgs) -> Result<()> {
    if args.once {
        let open = fetch_open(ctx).await?;
        if ctx.json {
            return output::print_json(&grouped_json(&open));
        }
        for line in frame(&open, None) {
            println!("{line}");
        }
        return Ok(());
    }
    if ctx.json {
        return Err(CliError::invalid("--json needs --once on the board"));
    }
    let interval = Duration::from_secs(args.interval);
    if !std::io::stdout().is_terminal() {
        let mut feed = Feed::start(ctx).await;
        loop {
            let (open, problem) = match &feed {
                Some(f) => {
                    let (open, failed) = f.wait_for_change().await;
                    let problem =
                        failed.map(|why| format!("live updates stopped ({why}); polling"));
                    if problem.is_some() {
                        feed = None;
                    }
                    (open, problem)
                }
                None => {
                    let open = fetch_open(ctx).await?;
                    (open, None)
                }
            };
            for line in frame(&open, problem.as_deref()) {
                println!("{line}");
            }
            println!();
            if feed.is_none() {
                tokio::time::sleep(interval).await;
            }
        }
    }
    live(ctx, interval).await
}

/// The open orders as the server's board stream keeps them, updated by a background task.
struct Feed {
    state: Arc<Mutex<FeedState>>,
    task: tokio::task::JoinHandle<()>,
}

struct FeedState {
    open: Vec<types::Order>,
    changed: bool,
    /// Why the stream stopped; the board then polls.
    failed: Option<String>,
}

impl Feed {
    /// `None` when the stream cannot be followed: the board polls instead.
    async fn start(ctx: &Ctx) -> Option<Self> {
        ctx.client.tokens()?;
        let mut watcher = BoardWatcher::new(&ctx.client);
        let first = tokio::time::timeout(Duration::from_secs(5), watcher.next())
            .await
            .ok()?
            .ok()?;
        let types::BoardMessage::Snapshot(first) = first else {
            return None;
        };
        // More open orders than one snapshot holds: only polling shows them all.
        if first.total > first.orders.len() as i64 {
            return None;
        }
        let mut open = Vec::new();
        for order in first.orders {
            apply(&mut open, order);
        }
        let state = Arc::new(Mutex::new(FeedState {
            open,
            changed: true,
            failed: None,
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let message = watcher.next().await;
                let mut st = shared.lock().unwrap_or_else(|p| p.into_inner());
                match message {
                    Ok(types::BoardMessage::Snapshot(snapshot)) => {
                        st.open.clear();
                        for order in snapshot.orders {
                            apply(&mut st.open, order);
                        }
                    }
                    Ok(types::BoardMessage::Order(changed)) => apply(&mut st.open, changed.order),
                    Err(e) => {
                        st.failed = Some(e.to_string());
                        st.changed = true;
                        return;
                    }
                }
                st.changed = true;
            }
        });
        Some(Self { state, task })
    }

    /// The board now and whether the stream stopped, if anything changed since last asked.
    fn take_change(&self) -> Option<(Vec<types::Order>, Option<String>)> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !st.changed {
            return None;
        }
        st.changed = false;
        Some((st.open.clone(), st.failed.clone()))
    }

    async fn wait_for_change(&self) -> (Vec<types::Order>, Option<String>) {
        loop {
            if let Some(change) = self.take_change() {
                return change;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Puts `order` on the board as it now reads (or off it, once it is no longer open),
/// unless the board already shows a newer revision; oldest first.
fn apply(open: &mut Vec<types::Order>, order: types::Order) {
    if let Some(shown) = open.iter().find(|o| o.id == order.id) {
        if shown.revision > order.revision {
            return;
        }
    }
    open.retain(|o| o.id != order.id);
    if COLUMNS.contains(&order.order_status) {
        open.push(order);
    }
    open.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
}

/// Every open order, oldest first. The list comes newest first, so one page alone would drop
/// the oldest orders of a busy day: the ones the kitchen needs most.
async fn fetch_open(ctx: &Ctx) -> Result<Vec<types::Order>> {
    let mut items = Vec::new();
    let mut page = NonZeroU32::MIN;
    loop {
        let filter = orders::Filter {
            statuses: COLUMNS.to_vec(),
            ..orders::Filter::default()
        };
        let answer = orders::fetch(ctx, &filter, page, MAX_LIMIT).await?;
        let got = answer.items.len();
        items.extend(answer.items);
        if got == 0 || items.len() as i64 >= answer.total {
            break;
        }
        page = page.saturating_add(1);
    }
    // An order placed between two pages shifts the rest: it may come twice.
    items.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    items.dedup_by(|a, b| a.id == b.id);
    Ok(items)
}

fn grouped_json(open: &[types::Order]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for status in COLUMNS {
        let orders: Vec<&types::Order> = open.iter().filter(|o| o.order_status == status).collect();
        map.insert(
            wire_name(&status),
            serde_json::to_value(orders).unwrap_or_default(),
        );
    }
    serde_json::Value::Object(map)
}

/// The board as lines of text; `problem` shows a failed refresh without leaving the board.
fn frame(open: &[types::Order], problem: Option<&str>) -> Vec<String> {
    let mut lines = vec![format!(
        "Kitchen board  {}  {} open order(s)",
        Local::now().format("%H:%M:%S"),
        open.len()
    )];
    if let Some(p) = problem {
        lines.push(format!("! {p}"));
    }
    for status in COLUMNS {
        let column: Vec<&types::Order> = open.iter().filter(|o| o.order_status == status).collect();
        lines.push(String::new());
        lines.push(format!(
            "{} ({})",
            wire_name(&status).replace('_', " ").to_uppercase(),
            column.len()
        ));
        if column.is_empty() {
            lines.push("  -".to_owned());
        }
        for o in column {
            let items = o
                .items
                .iter()
                .map(|i| {
                    // Choices show (a cake's size); texts are for the order's own page.
                    let choices: Vec<&str> = i
                        .options
                        .iter()
                        .filter_map(|o| o.label.as_deref())
                        .collect();
                    if choices.is_empty() {
                        format!("{}x {}", i.quantity, i.name)
                    } else {
                        format!("{}x {} ({})", i.quantity, i.name, choices.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let age = (chrono::Utc::now() - o.created_at).num_minutes().max(0);
            let mut line = format!(
                "  {}  {:>3} min  {}  {}  {}",
                short_id(&o.id),
                age,
                money(o.total, &o.currency),
                wire_name(&o.payment_details.method),
                items
            );
            if o.fulfilment == types::Fulfilment::Pickup {
                line.push_str("  [pickup]");
            }
            if o.is_scheduled {
                if let Some(t) = &o.scheduled_delivery_time {
                    line.push_str(&format!("  [for {}]", output::when(t)));
                }
            }
            if let Some(d) = &o.delivery_person {
                line.push_str(&format!("  courier {}", d.name));
            }
            if let Some(note) = &o.special_instructions {
                line.push_str(&format!("  note: {note}"));
            }
            lines.push(line);
        }
    }
    lines
}

fn short_id(id: &str) -> &str {
    id.get(id.len().saturating_sub(6)..).unwrap_or(id)
}

/// Raw mode + alternate screen for as long as it lives.
struct Screen;

impl Screen {
    fn enter() -> Result<Self> {
        terminal::enable_raw_mode().map_err(term_error)?;
        // From here on the guard restores, whatever happens next.
        let screen = Screen;
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )
        .map_err(term_error)?;
        Ok(screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = execute!(
        std::io::stdout(),
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
    let _ = terminal::disable_raw_mode();
}

fn term_error(e: std::io::Error) -> CliError {
    CliError::new(Exit::Other, "TERMINAL_ERROR", e.to_string())
}

fn draw(lines: &[String]) -> Result<()> {
    let (width, height) = terminal::size().unwrap_or((80, 24));
    let mut out = std::io::stdout().lock();
    execute!(
        out,
        cursor::MoveTo(0, 0),
        terminal::Clear(terminal::ClearType::All)
    )
    .map_err(term_error)?;
    let room = usize::from(height).saturating_sub(1);
    let mut shown: Vec<String> = lines
        .iter()
        .take(room)
        .map(|l| l.chars().take(usize::from(width)).collect())
        .collect();
    if lines.len() > room && room > 0 {
        shown.truncate(room - 1);
        shown.push(format!("  ... {} more line(s)", lines.len() - shown.len()));
    }
    shown.push("q: quit".to_owned());
    // Raw mode: lines need an explicit carriage return.
    write!(out, "{}", shown.join("\r\n")).map_err(term_error)?;
    out.flush().map_err(term_error)
}

enum Wait {
    Quit,
    Refresh,
}

/// Waits for the next refresh (the interval, or a change the stream brought), watching the
/// keyboard.
fn wait(interval: Duration, feed: Option<&Feed>) -> Result<Wait> {
    let deadline = Instant::now() + interval;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || feed.is_some_and(|f| f.state.lock().is_ok_and(|st| st.changed)) {
            return Ok(Wait::Refresh);
        }
        if event::poll(left.min(Duration::from_millis(200))).map_err(term_error)? {
            match event::read().map_err(term_error)? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL)
                        && matches!(k.code, KeyCode::Char('c') | KeyCode::Char('d'));
                    if ctrl_c
                        || matches!(
                            k.code,
                            KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc
                        )
                    {
                        return Ok(Wait::Quit);
                    }
                    if matches!(k.code, KeyCode::Char('r') | KeyCode::Char(' ')) {
                        return Ok(Wait::Refresh);
                    }
                }
                Event::Resize(_, _) => return Ok(Wait::Refresh),
                _ => {}
            }
        }
    }
}

async fn live(ctx: &Ctx, interval: Duration) -> Result<()> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous_hook(info);
    }));
    let mut feed = Feed::start(ctx).await;
    let screen = Screen::enter()?;
    let mut last: Vec<types::Order> = Vec::new();
    let mut stopped: Option<String> = None;
    let outcome = loop {
        let streamed = feed.as_ref().map(|f| f.take_change());
        let lines = match streamed {
            // Live: redraw what the stream keeps (also each half-minute, for the ages).
            Some(change) => {
                if let Some((open, failed)) = change {
                    last = open;
                    if let Some(why) = failed {
                        stopped = Some(format!("live updates stopped ({why}); polling"));
                        feed = None;
                    }
                }
                frame(&last, stopped.as_deref())
            }
            None => match fetch_open(ctx).await {
                Ok(open) => {
                    last = open;
                    frame(&last, stopped.as_deref())
                }
                // Signed out or not staff: the board cannot recover by itself.
                Err(e) if e.exit == Exit::Auth => break Err(e),
                Err(e) => frame(&last, Some(&format!("refresh failed: {e}"))),
            },
        };
        if let Err(e) = draw(&lines) {
            break Err(e);
        }
        let every = if feed.is_some() {
            Duration::from_secs(30)
        } else {
            interval
        };
        match wait(every, feed.as_ref()) {
            Ok(Wait::Quit) => break Ok(()),
            Ok(Wait::Refresh) => {}
            Err(e) => break Err(e),
        }
    };
    drop(screen);
    outcome
}
