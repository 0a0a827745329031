//! A single shop embedded in your own program: bakery-core on a SQLite file, no server.
//!
//! Creates a category and products, a promotion, a customer (through the real OTP flow),
//! then places an order with the promotion code and prints the priced order.
//!
//! Run: `cargo run -p examples --example embedded_shop`

use std::sync::Arc;

use anyhow::Context;
use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::adapters::RecordingSms;
use bakery_core::domain::{
    Currency, DeliveryAddress, DiscountType, Fulfilment, Money, NutritionalInfo, PaymentMethod,
    Phone, ProductDraft, PromotionDraft, Role,
};
use bakery_core::rules::pricing::PricingSettings;
use bakery_core::secrets::OtpKey;
use bakery_core::services::{Actor, Bakery, CartLine, CategoryInput, OrderRequest, Settings};
use chrono::{Duration, Utc};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("bakery-example-{}", std::process::id()));
    let store = SqliteStore::open(dir.join("shop.db"))
        .await
        .context("opening the SQLite store")?;
    // The example reads the OTP it "sent" instead of texting a phone.
    let sms = Arc::new(RecordingSms::default());
    // The defaults (codes valid 10 minutes, refresh tokens 7 days, …) with our own prices.
    let settings = Settings {
        pricing: PricingSettings {
            currency: Currency::parse("eur")?,
            delivery_fee: Money::from_minor(250),
            free_delivery_above: Some(Money::from_minor(3000)),
            tax_rate_bps: 700,
        },
        delivery_minutes: 25,
        ..Settings::new("Corner Bakery", OtpKey::random())
    };
    let bakery =
        Bakery::new(bakery_core::ports::Store::from_adapter(store), settings).with_sms(sms.clone());

    let owner = bakery
        .create_staff(
            "Olga",
            &Phone::parse("+33 6 12 34 56 78")?,
            "rolling-pin-42",
            Role::Admin,
        )
        .await?;
    let staff = Actor {
        user_id: owner.id,
        role: owner.role,
    };

    let viennoiserie = bakery
        .create_category(
            &staff,
            CategoryInput {
                name: "Viennoiserie".into(),
                is_active: true,
                ..Default::default()
            },
        )
        .await?;
    let product = |name: &str, price: i64, stock: Option<u32>| ProductDraft {
        name: name.into(),
        description: format!("{name}, baked this morning"),
        category_id: viennoiserie.id.clone(),
        price: Money::from_minor(price),
        discount_price: None,
        images: vec![],
        ingredients: vec!["flour".into(), "butter".into(), "milk".into()],
        nutritional_info: NutritionalInfo {
            calories: Some(320.0),
            ..Default::default()
        },
        is_vegetarian: true,
        allergens: vec!["gluten".into(), "milk".into()],
        preparation_time: 15,
        is_available: true,
        is_featured: true,
        stock,
        option_groups: vec![],
        daily_quantity: None,
    };
    let croissant = bakery
        .create_product(&staff, product("Croissant", 180, Some(24)))
        .await?;
    let pain = bakery
        .create_product(&staff, product("Pain au chocolat", 210, None))
        .await?;
    bakery
        .create_promotion(
            &staff,
            PromotionDraft {
                title: "Breakfast club".into(),
                description: "15% off viennoiserie".into(),
                image: None,
                discount_type: DiscountType::Percentage,
                discount_value: 15,
                code: Some("MORNING15".into()),
                minimum_order_value: Money::from_minor(500),
                start_date: Utc::now() - Duration::hours(1),
                end_date: Utc::now() + Duration::days(7),
                is_active: true,
                applicable_products: vec![],
                usage_limit: Some(100),
                per_user_limit: Some(1),
            },
        )
        .await?;

    let phone = Phone::parse("+33 6 98 76 54 32")?;
    bakery.register("Camille", &phone).await?;
    let code = sms.last_code_for(&phone).context("no OTP was sent")?;
    let session = bakery.verify_otp(&phone, &code).await?;
    let customer = Actor {
        user_id: session.user.id,
        role: session.user.role,
    };

    let order = bakery
        .place_order(
            &customer,
            OrderRequest {
                items: vec![
                    CartLine::new(croissant.id.clone(), 4),
                    CartLine::new(pain.id.clone(), 2),
                ],
                fulfilment: Fulfilment::Delivery,
                delivery_address: Some(DeliveryAddress::parse(
                    "12 rue des Boulangers",
                    None,
                    "Paris",
                    "IDF",
                    "75011",
                )?),
                payment_method: PaymentMethod::Cash,
                promotion_code: Some("morning15".into()),
                scheduled_delivery_time: None,
                special_instructions: None,
            },
        )
        .await?;

    let money = |m: Money| {
        format!(
            "{}.{:02} {}",
            m.minor() / 100,
            m.minor() % 100,
            order.currency.as_str().to_uppercase()
        )
    };
    println!("Order {} for {}", order.id, session.user.name);
    for item in &order.items {
        println!(
            "  {:>2} × {:<18} {:>12}",
            item.quantity,
            item.name,
            money(item.price.times(item.quantity))
        );
    }
    println!("  {:<23} {:>12}", "subtotal", money(order.subtotal));
    println!(
        "  {:<23} {:>12}",
        format!(
            "discount ({})",
            order.promotion_code.as_deref().unwrap_or("-")
        ),
        money(order.discount)
    );
    println!("  {:<23} {:>12}", "delivery", money(order.delivery_fee));
    println!("  {:<23} {:>12}", "taxes", money(order.taxes));
    println!("  {:<23} {:>12}", "total", money(order.total));
    println!(
        "  arriving around {}",
        order.estimated_delivery_time.format("%H:%M UTC")
    );
    println!(
        "Croissants left today: {:?}",
        bakery.product(&croissant.id).await?.stock
    );

    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
