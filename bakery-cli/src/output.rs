//! What the commands print: tables for people, the API's JSON for scripts, money in the
//! currency's major unit (`4.50 EUR`).

use chrono::{DateTime, Local, Utc};
use comfy_table::{presets, ContentArrangement, Table, TableComponent};
use serde::Serialize;

use crate::exit::{CliError, Result};

/// Prints a value as the API's JSON (the generated types serialize to the wire format).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::local("JSON_ERROR", e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// A table with a header, sized to the terminal when there is one.
pub fn table<I, S>(header: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .remove_style(TableComponent::LeftBorderIntersections)
        .remove_style(TableComponent::RightBorderIntersections)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    table
}

/// Digits after the decimal point of an ISO 4217 currency.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `450, "eur"` -> `4.50 EUR`.
pub fn money(minor: i64, currency: &str) -> String {
    let code = currency.to_ascii_uppercase();
    let digits = minor_digits(&code);
    if digits == 0 {
        return format!("{minor} {code}");
    }
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$} {code}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

/// `"4.5"`, `"4.50"`, `"4"` -> minor units (450, 450, 400); no floats involved.
pub fn parse_money(text: &str, currency: &str) -> std::result::Result<i64, String> {
    let digits = minor_digits(currency) as usize;
    let t = text.trim();
    let t = t
        .strip_suffix(&currency.to_ascii_uppercase())
        .or_else(|| t.strip_suffix(&currency.to_ascii_lowercase()))
        .unwrap_or(t)
        .trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let t = t.replace(',', ".");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w.to_owned(), f.to_owned()),
        None => (t.clone(), String::new()),
    };
    let bad = || format!("{text:?} is not an amount like 4.50");
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > digits {
        return Err(format!(
            "{text:?} has more than {digits} decimals for {}",
            currency.to_ascii_uppercase()
        ));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    let scale = 10i64.pow(digits as u32);
    let frac_scaled = frac_value * 10i64.pow((digits - frac.len()) as u32);
    let value = whole
        .checked_mul(scale)
        .and_then(|v| v.checked_add(frac_scaled))
        .ok_or_else(|| format!("{text:?} is too large"))?;
    Ok(if negative { -value } else { value })
}

/// A time in the viewer's zone, to the minute.
pub fn when(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// `2025-06-01` (that day's local midnight; with `next_day`, the midnight after it) or a full
/// RFC 3339 time.
pub fn parse_time(text: &str, next_day: bool) -> std::result::Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date like 2025-06-01 or an RFC 3339 time"))?;
    let day = if next_day {
        day.succ_opt()
            .ok_or_else(|| format!("{text:?} is out of range"))?
    } else {
        day
    };
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    midnight
        .and_local_timezone(Local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{text:?} has no local midnight"))
}

/// `out_for_delivery` etc., as the API spells a serde enum.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::from("?"),
    }
}

pub fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// "3 of 12 (page 1)" under a paged listing.
pub fn page_footer(shown: usize, total: i64, page: u32, limit: u32) -> String {
    // The contract's totals are int64 (never negative).
    let total = u64::try_from(total).unwrap_or(0);
    let pages = if limit == 0 {
        1
    } else {
        total.div_ceil(u64::from(limit)).max(1)
    };
    format!("{shown} shown, {total} in all (page {page} of {pages})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_in_major_units() {
        assert_eq!(money(450, "eur"), "4.50 EUR");
        assert_eq!(money(5, "EUR"), "0.05 EUR");
        assert_eq!(money(-1250, "usd"), "-12.50 USD");
        assert_eq!(money(500, "jpy"), "500 JPY");
        assert_eq!(money(1500, "kwd"), "1.500 KWD");
    }

    #[test]
    fn parses_money_without_floats() {
        assert_eq!(parse_money("4.50", "eur"), Ok(450));
        assert_eq!(parse_money("4.5", "eur"), Ok(450));
        assert_eq!(parse_money("4", "eur"), Ok(400));
        assert_eq!(parse_money("4,50", "eur"), Ok(450));
        assert_eq!(parse_money("4.50 EUR", "eur"), Ok(450));
        assert_eq!(parse_money(".5", "eur"), Ok(50));
        assert!(parse_money("4.505", "eur").is_err());
        assert!(parse_money("abc", "eur").is_err());
        assert!(parse_money("", "eur").is_err());
        assert_eq!(parse_money("300", "jpy"), Ok(300));
    }
}
