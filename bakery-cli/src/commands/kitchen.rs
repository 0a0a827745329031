//! `kitchen prep`: what to bake for a day (`GET /admin/prep`), as a table, the API's JSON
//! (`--json`) or CSV for a spreadsheet (`--csv`). `--watch` redraws it whenever an order is
//! placed or changes (the staff board stream, `GET /admin/orders/stream`), and every
//! `--interval` seconds as well, so a missed or refused stream only slows it down.
//!
//! `today` and `tomorrow` are the shop's days, not the terminal's: a list printed at 23:30
//! in London for a Paris shop is already tomorrow's in the kitchen. The shop's time zone
//! comes from `GET /shop`.

use std::io::IsTerminal;
use std::time::Duration;

use bakery_sdk::{types, BoardWatcher};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use crossterm::{cursor, execute, terminal};

use crate::context::Ctx;
use crate::exit::{CliError, Exit, Result};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// What to make for a day, per product and half-hour slot, from the orders due that day.
    #[command(after_help = "Examples:
  bakery kitchen prep --date tomorrow
  bakery kitchen prep --date 2026-12-24 --csv > christmas-eve.csv
  bakery kitchen prep --watch")]
    Prep(PrepArgs),
}

#[derive(Args, Debug)]
pub struct PrepArgs {
    /// `today`, `tomorrow` (in the shop's time zone) or a date as YYYY-MM-DD.
    #[arg(long, default_value = "today", value_name = "DAY")]
    pub date: String,
    /// One row per slot and product, comma-separated, with a header row (`--json`, the
    /// global flag, prints the API's JSON instead).
    #[arg(long)]
    pub csv: bool,
    /// Print the list again as orders come in, until interrupted (Ctrl-C).
    #[arg(long)]
    pub watch: bool,
    /// With --watch: seconds between refreshes when no order event arrives.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
}

/// How a list is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

/// The day asked for, before the shop's time zone turns a relative one into a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Day {
    Today,
    Tomorrow,
    On(NaiveDate),
}

impl Day {
    fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "today" => Ok(Self::Today),
            "tomorrow" => Ok(Self::Tomorrow),
            other => NaiveDate::parse_from_str(other, "%Y-%m-%d")
                .map(Self::On)
                .map_err(|_| format!("{text:?} is not today, tomorrow or a date like 2026-12-24")),
        }
    }

    /// The shop's date for this day, at `now`.
    fn date_in(self, timezone: chrono_tz::Tz, now: chrono::DateTime<Utc>) -> Option<NaiveDate> {
        let today = now.with_timezone(&timezone).date_naive();
        match self {
            Self::Today => Some(today),
            Self::Tomorrow => today.succ_opt(),
            Self::On(date) => Some(date),
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::Prep(args) => prep(ctx, args).await,
    }
}

async fn prep(ctx: &Ctx, args: &PrepArgs) -> Result<()> {
    let day = Day::parse(&args.date).map_err(|e| CliError::invalid(format!("--date: {e}")))?;
    let format = match (args.csv, ctx.json) {
        (true, true) => return Err(CliError::invalid("--csv and --json exclude each other")),
        (true, false) => Format::Csv,
        (false, true) => Format::Json,
        (false, false) => Format::Table,
    };
    ctx.signed_in()?;
    let timezone = match day {
        Day::On(_) => None,
        Day::Today | Day::Tomorrow => Some(shop_timezone(ctx).await?),
    };
    if !args.watch {
        let list = fetch(ctx, day, timezone).await?;
        return print(&list, format, None);
    }
    watch(
        ctx,
        day,
        timezone,
        format,
        Duration::from_secs(args.interval),
    )
    .await
}

/// The shop's time zone, as `GET /shop` names it.
async fn shop_timezone(ctx: &Ctx) -> Result<chrono_tz::Tz> {
    let shop = ctx
        .call_public(|api| async move { api.get_shop().send().await })
        .await?;
    shop.timezone.parse().map_err(|_| {
        CliError::new(
            Exit::Other,
            "UNKNOWN_TIMEZONE",
            format!(
                "the shop's time zone {:?} is unknown to this bakery CLI; pass --date YYYY-MM-DD",
                shop.timezone
            ),
        )
    })
}

async fn fetch(ctx: &Ctx, day: Day, timezone: Option<chrono_tz::Tz>) -> Result<types::PrepList> {
    let date = match (day, timezone) {
        (Day::On(date), _) => Some(date),
        (_, Some(tz)) => day.date_in(tz, Utc::now()),
        (_, None) => None,
    }
    .ok_or_else(|| CliError::invalid("--date: no such day"))?;
    let date = date.format("%Y-%m-%d").to_string();
    ctx.call(|api| {
        let date = date.clone();
        async move { api.admin_prep_list().date(date).send().await }
    })
    .await
}

fn print(list: &types::PrepList, format: Format, problem: Option<&str>) -> Result<()> {
    match format {
        Format::Json => crate::output::print_json(list),
        Format::Csv => {
            let text = csv(list)?;
            print!("{text}");
            Ok(())
        }
        Format::Table => {
            for line in frame(list, problem) {
                println!("{line}");
            }
            Ok(())
        }
    }
}

/// One row per slot and product, RFC 4180 quoting (a product named `Tarte "maison", 6p`
/// stays one cell).
fn csv(list: &types::PrepList) -> Result<String> {
    let failed = |e: csv::Error| CliError::local("CSV_ERROR", e.to_string());
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record([
        "date",
        "slot_start",
        "slot_end",
        "local_start",
        "local_end",
        "product_id",
        "product",
        "quantity",
        "options",
        "texts",
    ])
    .map_err(failed)?;
    for slot in &list.slots {
        for line in &slot.lines {
            out.write_record([
                list.date.clone(),
                slot.start
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                slot.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                slot.local_start.clone(),
                slot.local_end.clone(),
                line.product_id.clone(),
                line.name.clone(),
                line.quantity.to_string(),
                options_text(line),
                line.texts
                    .iter()
                    .map(text_note)
                    .collect::<Vec<_>>()
                    .join(" | "),
            ])
            .map_err(failed)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| CliError::local("CSV_ERROR", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CliError::local("CSV_ERROR", e.to_string()))
}

/// The list for people: the slots, then the day's totals.
fn frame(list: &types::PrepList, problem: Option<&str>) -> Vec<String> {
    let mut lines = vec![format!(
        "Prep list for {} ({} time): {} order(s)",
        list.date, list.timezone, list.orders
    )];
    if let Some(p) = problem {
        lines.push(format!("! {p}"));
    }
    if list.slots.is_empty() {
        lines.push("Nothing is due that day.".to_owned());
        return lines;
    }
    let mut slots = crate::output::table(["Slot", "Product", "Quantity"]);
    for slot in &list.slots {
        for (i, line) in slot.lines.iter().enumerate() {
            let label = if i == 0 {
                format!("{}-{}", slot.local_start, slot.local_end)
            } else {
                String::new()
            };
            slots.add_row([label, line_text(line), line.quantity.to_string()]);
        }
    }
    lines.push(String::new());
    lines.extend(slots.to_string().lines().map(str::to_owned));
    let mut totals = crate::output::table(["Day total", "Quantity"]);
    for line in &list.totals {
        totals.add_row([line_text(line), line.quantity.to_string()]);
    }
    lines.push(String::new());
    lines.extend(totals.to_string().lines().map(str::to_owned));
    lines
}

/// `Size: 8 portions; Add-ons: Candles`: what a line is made with.
fn options_text(line: &types::PrepLine) -> String {
    line.options
        .iter()
        .map(|o| format!("{}: {}", o.group_label, o.label))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `2x Message on the cake: "Joyeux anniversaire"`.
fn text_note(t: &types::PrepText) -> String {
    format!("{}x {}: {:?}", t.quantity, t.group_label, t.text)
}

/// A line for people: the name with its options, then the texts to write below it.
fn line_text(line: &types::PrepLine) -> String {
    let mut text = line.name.clone();
    if !line.options.is_empty() {
        let labels: Vec<&str> = line.options.iter().map(|o| o.label.as_str()).collect();
        text.push_str(&format!(" ({})", labels.join(", ")));
    }
    for t in &line.texts {
        text.push_str(&format!("\n  {}", text_note(t)));
    }
    text
}

/// Redraws on every board event (a burst of them counts once) and at least every
/// `interval`; the stream failing leaves the interval alone.
async fn watch(
    ctx: &Ctx,
    day: Day,
    timezone: Option<chrono_tz::Tz>,
    format: Format,
    interval: Duration,
) -> Result<()> {
    let (events, mut changed) = tokio::sync::mpsc::unbounded_channel::<Option<String>>();
    let mut watcher = BoardWatcher::new(&ctx.client);
    let follower = tokio::spawn(async move {
        loop {
            match watcher.next().await {
                Ok(_) => {
                    if events.send(None).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = events.send(Some(e.to_string()));
                    return;
                }
            }
        }
    });
    let _stop_following = AbortOnDrop(follower);
    let on_terminal = format == Format::Table && std::io::stdout().is_terminal();
    let mut problem: Option<String> = None;
    let mut live = true;
    loop {
        match fetch(ctx, day, timezone).await {
            Ok(list) => {
                if on_terminal {
                    let _ = execute!(
                        std::io::stdout(),
                        terminal::Clear(terminal::ClearType::All),
                        cursor::MoveTo(0, 0)
                    );
                }
                print(&list, format, problem.as_deref())?;
                if !on_terminal && format == Format::Table {
                    println!();
                }
            }
            // Signed out, not staff or a refused date: waiting will not fix it.
            Err(e) if matches!(e.exit, Exit::Auth | Exit::Validation) => return Err(e),
            Err(e) => eprintln!("refresh failed: {e}"),
        }
        if !live {
            tokio::time::sleep(interval).await;
            continue;
        }
        match tokio::time::timeout(interval, changed.recv()).await {
            Ok(Some(None)) => {
                // A burst of orders (the snapshot after a reconnect, a busy minute) is one
                // redraw.
                while let Ok(Some(None)) =
                    tokio::time::timeout(Duration::from_millis(300), changed.recv()).await
                {
                }
            }
            Ok(Some(Some(why))) => {
                problem = Some(format!(
                    "live updates stopped ({why}); refreshing every {} s",
                    interval.as_secs()
                ));
                live = false;
            }
            Ok(None) => live = false,
            Err(_) => {}
        }
    }
}

/// Stops the stream's task when the command ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn relative_days_are_the_shops() {
        // 23:30 UTC on 1 December is already 2 December in Paris.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let paris = chrono_tz::Europe::Paris;
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Day::Today.date_in(paris, now), Some(date("2026-12-02")));
        assert_eq!(Day::Tomorrow.date_in(paris, now), Some(date("2026-12-03")));
        assert_eq!(
            Day::Today.date_in(chrono_tz::America::New_York, now),
            Some(date("2026-12-01"))
        );
        assert_eq!(Day::parse("Tomorrow"), Ok(Day::Tomorrow));
        assert_eq!(Day::parse("2026-12-24"), Ok(Day::On(date("2026-12-24"))));
        assert!(Day::parse("2026-02-30").is_err());
        assert!(Day::parse("next week").is_err());
    }
}
