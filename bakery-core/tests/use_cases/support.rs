use std::sync::Arc;

use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::adapters::RecordingSms;
use bakery_core::domain::{DeliveryAddress, Id, Money, NutritionalInfo, Phone, ProductDraft, Role};
use bakery_core::ports::{ManualClock, Store};
use bakery_core::secrets::OtpKey;
use bakery_core::services::{Actor, Bakery, CategoryInput, Settings};
use chrono::Utc;

pub struct TestShop {
    pub bakery: Bakery,
    pub sms: Arc<RecordingSms>,
    pub clock: Arc<ManualClock>,
    pub admin: Actor,
    _dir: TempDir,
}

/// A directory removed when the test ends.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test shop: [`Settings::new`]'s defaults with prices in EUR cents, delivery 3.00 below
/// 50.00 and 10 % tax (the e2e harness runs the same shop).
pub fn settings() -> Settings {
    let mut settings = Settings::new("Test Bakery", OtpKey::random());
    settings.pricing.delivery_fee = Money::from_minor(300);
    settings.pricing.free_delivery_above = Some(Money::from_minor(5000));
    settings.pricing.tax_rate_bps = 1000;
    settings
}

pub async fn shop() -> TestShop {
    shop_with(settings()).await
}

/// The test shop with other settings.
pub async fn shop_with(settings: Settings) -> TestShop {
    shop_at(settings, Utc::now()).await
}

/// The test shop with other settings, its clock starting at `start`.
pub async fn shop_at(settings: Settings, start: chrono::DateTime<Utc>) -> TestShop {
    let dir = std::env::temp_dir().join(format!("bakery-use-cases-{}", Id::generate()));
    let store = SqliteStore::open(dir.join("bakery.db"))
        .await
        .expect("open sqlite store");
    let sms = Arc::new(RecordingSms::default());
    let clock = Arc::new(ManualClock::new(start));
    let bakery = Bakery::new(Store::from_adapter(store), settings)
        .with_sms(sms.clone())
        .with_clock(clock.clone());
    let admin_user = bakery
        .create_staff("Olga Owner", &phone(1), "kneading-dough", Role::Admin)
        .await
        .expect("admin");
    let admin = Actor {
        user_id: admin_user.id,
        role: Role::Admin,
    };
    TestShop {
        bakery,
        sms,
        clock,
        admin,
        _dir: TempDir(dir),
    }
}

pub fn phone(n: u32) -> Phone {
    Phone::parse(&format!("+4477009{n:05}")).unwrap()
}

impl TestShop {
    /// Registers and verifies a customer, returning them as an actor.
    pub async fn customer(&self, n: u32) -> Actor {
        let phone = phone(n);
        self.bakery
            .register(&format!("Customer {n}"), &phone)
            .await
            .unwrap();
        let code = self.sms.last_code_for(&phone).unwrap();
        let session = self.bakery.verify_otp(&phone, &code).await.unwrap();
        Actor {
            user_id: session.user.id,
            role: session.user.role,
        }
    }

    /// A courier account (role `delivery`), created by the operator as staff accounts are.
    pub async fn courier(&self, name: &str, n: u32) -> Actor {
        let user = self
            .bakery
            .create_staff(name, &phone(n), "pedal-fast-1", Role::Delivery)
            .await
            .unwrap();
        Actor {
            user_id: user.id,
            role: Role::Delivery,
        }
    }

    pub async fn category(&self, name: &str) -> Id {
        let input = CategoryInput {
            name: name.into(),
            is_active: true,
            ..CategoryInput::default()
        };
        self.bakery
            .create_category(&self.admin, input)
            .await
            .unwrap()
            .id
    }

    pub async fn product(&self, category: &Id, name: &str, price: i64, stock: Option<u32>) -> Id {
        let draft = draft(category, name, price, stock);
        self.bakery
            .create_product(&self.admin, draft)
            .await
            .unwrap()
            .id
    }
}

pub fn draft(category: &Id, name: &str, price: i64, stock: Option<u32>) -> ProductDraft {
    ProductDraft {
        name: name.into(),
        description: format!("Freshly baked {name}"),
        category_id: category.clone(),
        price: Money::from_minor(price),
        discount_price: None,
        images: vec![],
        ingredients: vec!["flour".into(), "butter".into()],
        nutritional_info: NutritionalInfo::default(),
        is_vegetarian: true,
        allergens: vec!["gluten".into()],
        preparation_time: 20,
        is_available: true,
        is_featured: false,
        stock,
        option_groups: Vec::new(),
        daily_quantity: None,
    }
}

pub fn address() -> DeliveryAddress {
    DeliveryAddress::parse("1 Baker Street", None, "London", "London", "NW1 6XE").unwrap()
}
