//! `shop zones show|set|clear`: where the shop delivers and at what fee. `set` replaces the
//! whole set from a JSON file (the body of `PUT /admin/shop/zones`), because a zone's
//! postcode list is data to keep in a file, not to type.

use bakery_sdk::types;
use clap::{Args, Subcommand};

use crate::context::Ctx;
use crate::exit::{CliError, Result};
use crate::output;

#[derive(Subcommand, Debug)]
pub enum ZonesCmd {
    /// The zones in priority order, with their fees and minimums.
    #[command(after_help = "Example:\n  bakery shop zones show\n  bakery --json shop zones show")]
    Show,
    /// Replace the zones with a JSON file's (`shopLocation`, `zones`).
    #[command(after_help = r#"Example:
  bakery shop zones set --file zones.json

zones.json (amounts in minor units; the first zone an address is in wins):
  {"shopLocation": {"lat": 48.8566, "lng": 2.3522},
   "zones": [
     {"name": "Centre", "postcodes": ["75001", "75004"], "radiusMeters": 2000,
      "fee": 250, "freeDeliveryAbove": 3000, "minimumOrder": 1000},
     {"name": "Paris", "postcodes": ["750*"], "fee": 490, "minimumOrder": 2000,
      "extraMinutes": 15}]}"#)]
    Set(SetArgs),
    /// Remove every zone: the shop delivers anywhere at its flat fee again.
    Clear,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The whole document, as `PUT /admin/shop/zones` takes it.
    #[arg(long)]
    file: std::path::PathBuf,
}

fn document(args: &SetArgs) -> Result<types::DeliveryAreaInput> {
    let text = std::fs::read_to_string(&args.file)?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::invalid(format!(
            "{}: not a delivery-zones document: {e}",
            args.file.display()
        ))
    })
}

fn print_area(area: &types::DeliveryArea, currency: &str) {
    if area.delivers_anywhere {
        println!("No zones: every address is delivered at the flat fee (`bakery shop` terms).");
        return;
    }
    if let Some(shop) = &area.shop_location {
        println!("Radii from the shop at {:.5}, {:.5}.", shop.lat, shop.lng);
    }
    let mut table = output::table([
        "ZONE",
        "POSTCODES",
        "RADIUS",
        "FEE",
        "FREE FROM",
        "MINIMUM",
        "EXTRA",
    ]);
    for zone in &area.zones {
        let postcodes: Vec<&str> = zone.postcodes.iter().map(|p| p.as_str()).collect();
        table.add_row([
            zone.name.to_string(),
            if postcodes.is_empty() {
                "-".to_owned()
            } else {
                postcodes.join(" ")
            },
            zone.radius_meters.map_or("-".to_owned(), |m| {
                format!("{:.1} km", f64::from(m.get()) / 1000.0)
            }),
            output::money(zone.fee, currency),
            zone.free_delivery_above
                .map_or("never".to_owned(), |m| output::money(m, currency)),
            output::money(zone.minimum_order, currency),
            format!("+{} min", zone.extra_minutes),
        ]);
    }
    println!("{table}");
}

pub async fn run(ctx: &Ctx, cmd: &ZonesCmd) -> Result<()> {
    let area = match cmd {
        ZonesCmd::Show => {
            ctx.call_public(|api| async move { api.get_shop_zones().send().await })
                .await?
        }
        ZonesCmd::Set(args) => {
            let body = document(args)?;
            ctx.call(|api| {
                let body = body.clone();
                async move { api.admin_set_shop_zones().body(body).send().await }
            })
            .await?
        }
        ZonesCmd::Clear => {
            let body = types::DeliveryAreaInput {
                shop_location: None,
                zones: Vec::new(),
            };
            ctx.call(|api| {
                let body = body.clone();
                async move { api.admin_set_shop_zones().body(body).send().await }
            })
            .await?
        }
    };
    if ctx.json {
        return output::print_json(&area);
    }
    let shop = ctx
        .call_public(|api| async move { api.get_shop().send().await })
        .await?;
    print_area(&area, &shop.currency);
    Ok(())
}
