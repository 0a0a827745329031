//! `shop hours show|set`: the opening hours ASAP orders are taken in, local to the shop's
//! time zone. `set` replaces the whole week and its exceptions, as the API does: a weekday
//! left out is closed. `shop zones` is in [`super::zones`].

use bakery_sdk::types;
use clap::{Args, Subcommand};

use crate::context::Ctx;
use crate::exit::{CliError, Result};
use crate::output;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Opening hours: show or set them.
    #[command(subcommand, after_help = "Example:\n  bakery shop hours show")]
    Hours(HoursCmd),
    /// Delivery zones: show, set or clear them.
    #[command(subcommand, after_help = "Example:\n  bakery shop zones show")]
    Zones(super::zones::ZonesCmd),
}

#[derive(Subcommand, Debug)]
pub enum HoursCmd {
    /// The week, its closures and special hours, and the time zone they are in.
    #[command(after_help = "Example:\n  bakery shop hours show\n  bakery --json shop hours show")]
    Show,
    /// Replace the opening hours (a weekday left out is closed).
    #[command(after_help = "Examples:
  bakery shop hours set --mon 08:00-13:00,15:00-19:00 --tue 08:00-19:00 \\
      --closed 2026-12-25 --special 2026-12-24=08:00-12:00
  bakery shop hours set --file hours.json   (the body of PUT /admin/shop/hours)")]
    Set(Box<SetArgs>),
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// A JSON file with the whole document (`monday`..`sunday`, `exceptions`).
    #[arg(long, conflicts_with_all = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "closed", "special"])]
    file: Option<std::path::PathBuf>,
    /// Monday's ranges, `HH:MM-HH:MM` separated by commas (`closed` for none).
    #[arg(long)]
    mon: Option<String>,
    #[arg(long)]
    tue: Option<String>,
    #[arg(long)]
    wed: Option<String>,
    #[arg(long)]
    thu: Option<String>,
    #[arg(long)]
    fri: Option<String>,
    #[arg(long)]
    sat: Option<String>,
    #[arg(long)]
    sun: Option<String>,
    /// A date the shop is closed (`YYYY-MM-DD`); repeat for several.
    #[arg(long)]
    closed: Vec<String>,
    /// A date with its own hours, `YYYY-MM-DD=HH:MM-HH:MM[,...]`; repeat for several.
    #[arg(long)]
    special: Vec<String>,
}

/// `08:00-13:00,15:00-19:00` (or `closed`, or nothing) as ranges.
fn parse_ranges(flag: &str, text: &str) -> Result<Vec<types::TimeRange>> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let bad =
                || CliError::invalid(format!("{flag}: {part:?} is not a range like 08:00-13:00"));
            let (start, end) = part.trim().split_once('-').ok_or_else(bad)?;
            Ok(types::TimeRange {
                start: start.trim().parse().map_err(|_| bad())?,
                end: end.trim().parse().map_err(|_| bad())?,
            })
        })
        .collect()
}

fn parse_date(flag: &str, text: &str) -> Result<types::DayExceptionDate> {
    text.trim()
        .parse()
        .map_err(|_| CliError::invalid(format!("{flag}: {text:?} is not a date like 2026-12-25")))
}

fn document(args: &SetArgs) -> Result<types::OpeningHoursInput> {
    if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path)?;
        return serde_json::from_str(&text).map_err(|e| {
            CliError::invalid(format!(
                "{}: not an opening-hours document: {e}",
                path.display()
            ))
        });
    }
    let day = |flag: &str, value: &Option<String>| match value {
        Some(text) => parse_ranges(flag, text),
        None => Ok(Vec::new()),
    };
    let mut exceptions = Vec::new();
    for date in &args.closed {
        exceptions.push(types::DayException {
            date: parse_date("--closed", date)?,
            ranges: Vec::new(),
        });
    }
    for special in &args.special {
        let (date, ranges) = special.split_once('=').ok_or_else(|| {
            CliError::invalid(format!(
                "--special: {special:?} is not DATE=RANGES, like 2026-12-24=08:00-12:00"
            ))
        })?;
        exceptions.push(types::DayException {
            date: parse_date("--special", date)?,
            ranges: parse_ranges("--special", ranges)?,
        });
    }
    Ok(types::OpeningHoursInput {
        monday: day("--mon", &args.mon)?,
        tuesday: day("--tue", &args.tue)?,
        wednesday: day("--wed", &args.wed)?,
        thursday: day("--thu", &args.thu)?,
        friday: day("--fri", &args.fri)?,
        saturday: day("--sat", &args.sat)?,
        sunday: day("--sun", &args.sun)?,
        exceptions,
    })
}

fn ranges_text(ranges: &[types::TimeRange]) -> String {
    if ranges.is_empty() {
        return "closed".into();
    }
    ranges
        .iter()
        .map(|r| format!("{}-{}", *r.start, *r.end))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_hours(hours: &types::OpeningHours) {
    if hours.always_open {
        println!("Open always (no hours set); times in {}.", hours.timezone);
        return;
    }
    println!("Times in {}.", hours.timezone);
    let mut table = output::table(["DAY", "HOURS"]);
    let days = [
        ("Monday", &hours.monday),
        ("Tuesday", &hours.tuesday),
        ("Wednesday", &hours.wednesday),
        ("Thursday", &hours.thursday),
        ("Friday", &hours.friday),
        ("Saturday", &hours.saturday),
        ("Sunday", &hours.sunday),
    ];
    for (name, ranges) in days {
        table.add_row([name.to_owned(), ranges_text(ranges)]);
    }
    for exception in &hours.exceptions {
        table.add_row([exception.date.to_string(), ranges_text(&exception.ranges)]);
    }
    println!("{table}");
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    let cmd = match cmd {
        Cmd::Hours(cmd) => cmd,
        Cmd::Zones(cmd) => return super::zones::run(ctx, cmd).await,
    };
    let hours = match cmd {
        HoursCmd::Show => {
            ctx.call_public(|api| async move { api.get_shop_hours().send().await })
                .await?
        }
        HoursCmd::Set(args) => {
            let body = document(args)?;
            ctx.call(|api| {
                let body = body.clone();
                async move { api.admin_set_shop_hours().body(body).send().await }
            })
            .await?
        }
    };
    if ctx.json {
        return output::print_json(&hours);
    }
    print_hours(&hours);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_from_the_flag_syntax() {
        let ranges = parse_ranges("--mon", "08:00-13:00, 15:00-19:00").unwrap();
        assert_eq!(ranges_text(&ranges), "08:00-13:00, 15:00-19:00");
        assert!(parse_ranges("--mon", "closed").unwrap().is_empty());
        assert!(parse_ranges("--mon", "8-13").is_err());
        assert!(parse_date("--closed", "2026-12-25").is_ok());
        assert!(parse_date("--closed", "25/12/2026").is_err());
    }
}
