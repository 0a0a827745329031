//! `bakery-server demo-data`: a believable bakery in an empty store, so a new install (or a
//! mobile developer) has something to browse and order at once.

use anyhow::{bail, Context};
use bakery_core::domain::{
    DeliveryArea, DeliveryZone, DiscountType, GeoPoint, Id, Money, NutritionalInfo, OpeningHours,
    OptionGroup, OptionKind, PageRequest, PostcodePattern, ProductDraft, ProductOption,
    PromotionDraft, Role, TimeRange,
};
use bakery_core::services::{Actor, Bakery, CategoryInput};
use chrono::Duration;

/// What was created, for the operator's terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub categories: usize,
    pub products: usize,
    pub promotion_code: String,
    /// The week as a line (`closed Mon; Tue-Thu ...`), for the operator; `None` when left
    /// open always.
    pub hours: Option<&'static str>,
    /// The delivery zones as a line, for the operator; `None` when it delivers anywhere.
    pub zones: Option<&'static str>,
}

/// Whether the demo shop keeps a real shop's limits on when and where it delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// A neighbourhood bakery's week ([`WEEK_LINE`]) and two delivery zones
    /// ([`ZONES_LINE`]).
    Believable,
    /// No hours and no zones: orders are taken at any time to any address (benchmarks,
    /// fuzzing, tests that order whenever they run).
    Unrestricted,
}

/// A neighbourhood bakery's week, local time in `SHOP_TIMEZONE`: closed Mondays, a lunch
/// break midweek, short Sundays. Outside these hours the demo takes scheduled orders only.
const WEEK: [&[(&str, &str)]; 7] = [
    &[],
    &[("07:00", "13:30"), ("15:30", "19:30")],
    &[("07:00", "13:30"), ("15:30", "19:30")],
    &[("07:00", "13:30"), ("15:30", "19:30")],
    &[("07:00", "19:30")],
    &[("07:00", "19:30")],
    &[("07:30", "13:00")],
];
pub const WEEK_LINE: &str =
    "closed Mon; Tue-Thu 07:00-13:30 and 15:30-19:30; Fri-Sat 07:00-19:30; Sun 07:30-13:00";

fn demo_week() -> anyhow::Result<OpeningHours> {
    let mut weekly: [Vec<TimeRange>; 7] = Default::default();
    for (day, ranges) in weekly.iter_mut().zip(WEEK) {
        for (start, end) in ranges {
            day.push(TimeRange::parse("hours", start, end)?);
        }
    }
    Ok(OpeningHours::new(weekly, Vec::new())?)
}

/// Where the demo shop is: Paris, by the Hôtel de Ville.
const SHOP_AT: (f64, f64) = (48.8566, 2.3522);

pub const ZONES_LINE: &str = "Centre (75001-75004 or within 2 km: 2.00, free from 25.00, no \
     minimum); Paris (750*/751* or within 6 km: 4.50, free from 50.00, minimum 15.00, +15 min)";

/// Two rings around the shop: the centre, close and cheap, and the rest of Paris, further and
/// with a minimum.
fn demo_zones() -> anyhow::Result<DeliveryArea> {
    let postcodes = |codes: &[&str]| -> anyhow::Result<Vec<PostcodePattern>> {
        Ok(codes
            .iter()
            .map(|c| PostcodePattern::parse("postcodes", c))
            .collect::<Result<_, _>>()?)
    };
    let zones = vec![
        DeliveryZone {
            name: "Centre".into(),
            postcodes: postcodes(&["75001", "75002", "75003", "75004"])?,
            radius_meters: Some(2_000),
            fee: Money::from_minor(200),
            free_delivery_above: Some(Money::from_minor(2_500)),
            minimum_order: Money::ZERO,
            extra_minutes: 0,
        },
        DeliveryZone {
            name: "Paris".into(),
            postcodes: postcodes(&["750*", "751*"])?,
            radius_meters: Some(6_000),
            fee: Money::from_minor(450),
            free_delivery_above: Some(Money::from_minor(5_000)),
            minimum_order: Money::from_minor(1_500),
            extra_minutes: 15,
        },
    ];
    let shop = GeoPoint::from_lat_lng(SHOP_AT.0, SHOP_AT.1)?;
    Ok(DeliveryArea::new(Some(shop), zones)?)
}

/// A product line: name, description, price, discount price, ingredients, allergens,
/// (kcal, fat, carbs, protein), vegetarian, preparation minutes, featured, stock.
type Line = (
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'static [&'static str],
    &'static [&'static str],
    (f64, f64, f64, f64),
    bool,
    u32,
    bool,
    Option<u32>,
);

#[rustfmt::skip]
const CATALOG: &[(&str, &str, &[Line])] = &[
    ("Breads", "Long-fermented loaves baked before dawn", &[
        ("Baguette", "Crisp crust, open crumb, 24-hour poolish", 150, None, &["wheat flour", "water", "salt", "yeast"], &["gluten"], (250.0, 1.0, 52.0, 9.0), true, 10, true, None),
        ("Sourdough loaf", "Country loaf with a 48-hour wild starter", 550, None, &["wheat flour", "rye flour", "water", "salt"], &["gluten"], (230.0, 1.2, 46.0, 8.0), true, 15, false, None),
        ("Rye bread", "Dense Nordic rye with sunflower seeds", 480, None, &["rye flour", "sunflower seeds", "water", "salt"], &["gluten"], (210.0, 3.0, 40.0, 6.5), true, 15, false, None),
        ("Brioche loaf", "Rich, buttery and golden", 620, Some(540), &["wheat flour", "butter", "eggs", "sugar", "milk"], &["gluten", "eggs", "milk"], (350.0, 16.0, 44.0, 9.0), true, 15, false, None),
        ("Focaccia", "Olive oil, rosemary and flaky salt", 450, None, &["wheat flour", "olive oil", "rosemary", "salt"], &["gluten"], (270.0, 9.0, 40.0, 7.0), true, 20, false, None),
    ]),
    ("Viennoiserie", "Laminated pastries, best before noon", &[
        ("Croissant", "Pure butter, 27 layers", 180, None, &["wheat flour", "butter", "milk", "sugar", "yeast"], &["gluten", "milk"], (320.0, 18.0, 34.0, 6.0), true, 10, true, None),
        ("Pain au chocolat", "Two bars of dark chocolate", 210, None, &["wheat flour", "butter", "dark chocolate", "milk"], &["gluten", "milk", "soy"], (380.0, 21.0, 40.0, 7.0), true, 10, true, None),
        ("Almond croissant", "Twice-baked with frangipane", 290, None, &["wheat flour", "butter", "almonds", "sugar", "eggs"], &["gluten", "milk", "nuts", "eggs"], (450.0, 27.0, 42.0, 9.0), true, 10, false, None),
        ("Cinnamon roll", "Swirled, glazed, sticky", 260, None, &["wheat flour", "butter", "cinnamon", "brown sugar"], &["gluten", "milk"], (400.0, 17.0, 55.0, 6.0), true, 15, false, None),
        ("Pain aux raisins", "Custard and rum-soaked raisins", 240, Some(200), &["wheat flour", "butter", "raisins", "custard"], &["gluten", "milk", "eggs"], (360.0, 15.0, 50.0, 6.0), true, 10, false, None),
    ]),
    ("Cakes & Tarts", "Whole cakes need a day's notice", &[
        ("Crème brûlée", "Vanilla custard under burnt sugar", 450, None, &["cream", "egg yolks", "sugar", "vanilla"], &["milk", "eggs"], (340.0, 26.0, 22.0, 5.0), true, 30, true, Some(12)),
        ("Lemon tart", "Sharp curd in sweet pastry", 420, None, &["wheat flour", "butter", "lemons", "eggs", "sugar"], &["gluten", "milk", "eggs"], (390.0, 22.0, 43.0, 6.0), true, 20, false, None),
        ("Chocolate fondant cake", "Whole cake for eight", 3200, None, &["dark chocolate", "butter", "eggs", "sugar"], &["milk", "eggs", "soy"], (450.0, 30.0, 38.0, 6.0), true, 240, false, None),
        ("Strawberry tart", "Seasonal berries on crème pâtissière", 480, None, &["wheat flour", "strawberries", "milk", "eggs"], &["gluten", "milk", "eggs"], (300.0, 14.0, 38.0, 5.0), true, 20, false, Some(8)),
        ("Carrot cake", "Walnuts and cream-cheese frosting", 390, None, &["carrots", "wheat flour", "walnuts", "cream cheese"], &["gluten", "milk", "nuts", "eggs"], (420.0, 24.0, 45.0, 5.0), true, 20, false, None),
    ]),
    ("Savoury", "Lunch from the oven", &[
        ("Quiche lorraine", "Bacon, gruyère, nutmeg", 520, None, &["wheat flour", "bacon", "gruyère", "eggs", "cream"], &["gluten", "milk", "eggs"], (430.0, 30.0, 25.0, 15.0), false, 25, true, None),
        ("Spinach & feta roll", "Flaky pastry, lemony filling", 380, None, &["wheat flour", "spinach", "feta", "butter"], &["gluten", "milk"], (350.0, 22.0, 28.0, 11.0), true, 20, false, None),
        ("Ham & cheese croissant", "Our croissant, filled and baked again", 420, None, &["wheat flour", "butter", "ham", "emmental"], &["gluten", "milk"], (460.0, 28.0, 34.0, 18.0), false, 15, false, None),
        ("Sausage roll", "Free-range pork, fennel seed", 350, None, &["wheat flour", "pork", "butter", "fennel"], &["gluten", "milk"], (480.0, 32.0, 30.0, 14.0), false, 20, false, None),
        ("Mushroom pithivier", "Wild mushrooms and thyme in puff pastry", 560, None, &["wheat flour", "mushrooms", "butter", "thyme"], &["gluten", "milk"], (410.0, 27.0, 33.0, 9.0), true, 30, false, None),
    ]),
];

/// The products baked in a fixed batch each day: croissants, 120 a day.
fn daily_quantity(name: &str) -> Option<u32> {
    (name == "Croissant").then_some(120)
}

/// Fills an empty store. Refuses when the catalog already has categories: demo data must
/// never mix with a real shop's.
pub async fn fill(bakery: &Bakery, terms: Terms) -> anyhow::Result<DemoSummary> {
    let existing = bakery
        .categories(true, PageRequest::first(1))
        .await
        .context("reading categories")?;
    if existing.total > 0 {
        bail!("the store already has a catalog; demo-data only fills an empty store");
    }
    // The operator at the server's console acts as staff without an account of their own.
    let operator = Actor {
        user_id: Id::generate(),
        role: Role::Admin,
    };
    let mut products = Vec::new();
    for (order, (name, description, lines)) in CATALOG.iter().enumerate() {
        let input = CategoryInput {
            name: (*name).into(),
            description: Some((*description).into()),
            image: None,
            is_active: true,
            display_order: i32::try_from(order).unwrap_or(i32::MAX),
        };
        let category = bakery
            .create_category(&operator, input)
            .await
            .with_context(|| format!("creating {name}"))?;
        for line in *lines {
            let (
                name,
                description,
                price,
                discount,
                ingredients,
                allergens,
                (kcal, fat, carbs, protein),
                veg,
                prep,
                featured,
                stock,
            ) = *line;
            let draft = ProductDraft {
                name: name.into(),
                description: description.into(),
                category_id: category.id.clone(),
                price: Money::from_minor(price),
                discount_price: discount.map(Money::from_minor),
                images: vec![],
                ingredients: ingredients.iter().map(|s| (*s).into()).collect(),
                nutritional_info: NutritionalInfo {
                    calories: Some(kcal),
                    fat: Some(fat),
                    carbs: Some(carbs),
                    protein: Some(protein),
                },
                is_vegetarian: veg,
                allergens: allergens.iter().map(|s| (*s).into()).collect(),
                preparation_time: prep,
                is_available: true,
                is_featured: featured,
                stock,
                option_groups: vec![],
                daily_quantity: daily_quantity(name),
            };
            let product = bakery
                .create_product(&operator, draft)
                .await
                .with_context(|| format!("creating {name}"))?;
            products.push(product);
        }
        if *name == "Cakes & Tarts" {
            let cake = bakery
                .create_product(&operator, birthday_cake(category.id.clone()))
                .await
                .context("creating the birthday cake")?;
            products.push(cake);
        }
    }
    let now = chrono::Utc::now();
    let promotion = PromotionDraft {
        title: "Welcome to the bakery".into(),
        description: "10% off your order of 10.00 or more".into(),
        image: None,
        discount_type: DiscountType::Percentage,
        discount_value: 10,
        code: Some("WELCOME10".into()),
        minimum_order_value: Money::from_minor(1000),
        start_date: now - Duration::minutes(1),
        end_date: now + Duration::days(90),
        is_active: true,
        applicable_products: vec![],
        usage_limit: Some(1000),
        per_user_limit: Some(1),
    };
    let promotion = bakery
        .create_promotion(&operator, promotion)
        .await
        .context("creating the promotion")?;
    if terms == Terms::Believable {
        bakery
            .set_opening_hours(&operator, demo_week()?)
            .await
            .context("setting the opening hours")?;
        bakery
            .set_delivery_area(&operator, demo_zones()?)
            .await
            .context("setting the delivery zones")?;
    }
    Ok(DemoSummary {
        categories: CATALOG.len(),
        products: products.len(),
        promotion_code: promotion.code.unwrap_or_default(),
        hours: (terms == Terms::Believable).then_some(WEEK_LINE),
        zones: (terms == Terms::Believable).then_some(ZONES_LINE),
    })
}

/// The cake that shows product options: a required size (6, 8 or 10 portions), optional
/// add-ons and an optional message of up to 40 characters.
fn birthday_cake(category_id: Id) -> ProductDraft {
    let option = |key: &str, label: &str, delta: i64| ProductOption {
        key: key.into(),
        label: label.into(),
        price_delta: Money::from_minor(delta),
    };
    ProductDraft {
        name: "Birthday cake".into(),
        description: "Vanilla sponge, raspberry and whipped cream; order it a day ahead".into(),
        category_id,
        price: Money::from_minor(2400),
        discount_price: None,
        images: vec![],
        ingredients: ["wheat flour", "eggs", "cream", "raspberries", "sugar"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        nutritional_info: NutritionalInfo {
            calories: Some(380.0),
            fat: Some(20.0),
            carbs: Some(44.0),
            protein: Some(5.0),
        },
        is_vegetarian: true,
        allergens: ["gluten", "milk", "eggs"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        preparation_time: 240,
        is_available: true,
        is_featured: false,
        stock: None,
        daily_quantity: None,
        option_groups: vec![
            OptionGroup {
                key: "size".into(),
                label: "Size".into(),
                kind: OptionKind::Choice,
                min_choices: 1,
                max_choices: 1,
                options: vec![
                    option("6", "6 portions", 0),
                    option("8", "8 portions", 800),
                    option("10", "10 portions", 1400),
                ],
                max_length: None,
                price_delta: Money::ZERO,
            },
            OptionGroup {
                key: "add-ons".into(),
                label: "Add-ons".into(),
                kind: OptionKind::Choice,
                min_choices: 0,
                max_choices: 1,
                options: vec![option("candles", "Candles", 150)],
                max_length: None,
                price_delta: Money::ZERO,
            },
            OptionGroup {
                key: "message".into(),
                label: "Message on the cake".into(),
                kind: OptionKind::Text,
                min_choices: 0,
                max_choices: 1,
                options: vec![],
                max_length: Some(40),
                price_delta: Money::ZERO,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_birthday_cake_is_a_valid_product() {
        let cake = birthday_cake(Id::generate()).check().expect("valid");
        assert_eq!(cake.option_groups.len(), 3);
    }

    #[test]
    fn the_demo_week_is_valid_and_matches_its_description() {
        let week = demo_week().expect("valid hours");
        let described: Vec<String> = week
            .weekly()
            .iter()
            .map(|day| {
                day.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(described[0], "");
        assert_eq!(described[1], "07:00-13:30 15:30-19:30");
        assert_eq!(described[6], "07:30-13:00");
        assert!(WEEK_LINE.contains("closed Mon"));
    }

    #[test]
    fn the_demo_zones_are_valid_and_match_their_description() {
        let area = demo_zones().expect("valid zones");
        let names: Vec<&str> = area.zones().iter().map(|z| z.name.as_str()).collect();
        assert_eq!(names, ["Centre", "Paris"]);
        assert!(ZONES_LINE.starts_with("Centre (75001-75004 or within 2 km: 2.00"));
        assert_eq!(area.zones()[1].minimum_order.minor(), 1_500);
    }
}
