//! Browsing: categories, listings with filters, sorts and pages, search, probes.

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{names, seed_catalog, update_category, update_product};
use bakery_e2e::{types, TestApp};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

pub async fn health_probes_answer(app: &TestApp) {
    let api = app.client().api();
    assert_eq!(api.healthz().send().await.unwrap().status, "ok");
    assert_eq!(api.readyz().send().await.unwrap().status, "ok");
}

pub async fn shop_terms_for_the_checkout(app: &TestApp) {
    use bakery_e2e::{DELIVERY_FEE, FREE_DELIVERY_ABOVE, TAX_RATE_BPS};
    // Public: an app shows prices before anyone signs in.
    let shop = app
        .client()
        .api()
        .get_shop()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(shop.name, "E2E Bakery");
    assert_eq!(shop.currency, "eur");
    assert_eq!(shop.delivery_fee, DELIVERY_FEE);
    assert_eq!(shop.free_delivery_above, Some(FREE_DELIVERY_ABOVE));
    assert_eq!(i64::from(shop.tax_rate_bps), TAX_RATE_BPS);
    assert_eq!(shop.delivery_minutes, 30);
    // No payment provider is configured: cash only.
    assert!(!shop.card_payments);
}

pub async fn categories_in_display_order(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();
    let page = api.list_categories().send().await.unwrap().into_inner();
    let listed: Vec<(&str, i32)> = page
        .items
        .iter()
        .map(|c| (c.name.as_str(), c.display_order))
        .collect();
    assert_eq!(listed, [("Bread", 1), ("Pastry", 2)]);
    assert_eq!((page.page, page.limit, page.total), (1, 20, 2));
    assert_eq!(page.items[0].id, shop.bread.id);
    assert_eq!(page.items[0].description.as_deref(), Some("All our bread"));
    assert!(page.items.iter().all(|c| c.is_active));

    // Inactive categories are not listed to customers.
    let mut hidden = bakery_e2e::fixtures::category_input("Pastry", 2);
    hidden.is_active = false;
    update_category(&admin, &shop.pastry.id, hidden).await;
    let page = api.list_categories().send().await.unwrap().into_inner();
    let listed: Vec<&str> = page.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(listed, ["Bread"]);
    assert_eq!(page.total, 1);
}

pub async fn product_filters_sorts_and_pages(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();

    let all = api
        .list_products()
        .sort(types::SortBy::Name)
        .send()
        .await
        .unwrap()
        .into_inner();
    // By name. Where "Crème brûlée" sorts next to "Croissant" depends on accent-aware
    // collation, which the stores do not promise: it is only required to be listed.
    let plain: Vec<&str> = names(&all.items)
        .into_iter()
        .filter(|n| *n != "Crème brûlée")
        .collect();
    assert_eq!(
        plain,
        [
            "Baguette",
            "Croissant",
            "Galette des rois",
            "Ham sandwich",
            "Pain au chocolat"
        ]
    );
    assert!(names(&all.items).contains(&"Crème brûlée"));
    assert_eq!((all.page, all.limit, all.total), (1, 20, 6));
    let galette = all.items.iter().find(|p| p.id == shop.galette.id).unwrap();
    assert_eq!(galette.stock, Some(2));
    let croissant = all
        .items
        .iter()
        .find(|p| p.id == shop.croissant.id)
        .unwrap();
    assert_eq!(croissant.stock, None);
    assert_eq!(croissant.price, 150);
    assert_eq!(croissant.allergens, ["gluten", "milk"]);
    assert_eq!(croissant.ratings.count, 0);

    // Cheapest first; the crème brûlée counts at its discounted 400.
    let by_price = api
        .list_products()
        .sort(types::SortBy::PriceAsc)
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&by_price.items),
        [
            "Baguette",
            "Croissant",
            "Pain au chocolat",
            "Crème brûlée",
            "Ham sandwich",
            "Galette des rois"
        ]
    );
    let by_price_desc = api
        .list_products()
        .sort(types::SortBy::PriceDesc)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&by_price_desc.items),
        ["Galette des rois", "Ham sandwich"]
    );

    let vegetarian_without_milk = api
        .list_products()
        .vegetarian(true)
        .exclude_allergen("Milk")
        .sort(types::SortBy::Name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&vegetarian_without_milk.items),
        ["Baguette", "Galette des rois"]
    );

    let price_range = api
        .list_products()
        .min_price(150)
        .max_price(400)
        .sort(types::SortBy::PriceAsc)
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&price_range.items),
        ["Croissant", "Pain au chocolat", "Crème brûlée"]
    );

    let bread = api
        .list_products()
        .category(shop.bread.id.as_str())
        .sort(types::SortBy::Name)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&bread.items), ["Baguette", "Ham sandwich"]);

    let featured = api
        .list_products()
        .featured(true)
        .sort(types::SortBy::Name)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&featured.items), ["Croissant", "Pain au chocolat"]);

    // Pages: 6 products by name, 4 per page.
    let second = api
        .list_products()
        .sort(types::SortBy::Name)
        .limit(4)
        .page(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(&second.items), ["Ham sandwich", "Pain au chocolat"]);
    assert_eq!((second.page, second.limit, second.total), (2, 4, 6));

    // Unavailable products are listed unless only available ones are asked for.
    let mut input = bakery_e2e::fixtures::product_input(&shop.bread.id, "Ham sandwich", 550);
    input.is_available = false;
    input.is_vegetarian = false;
    input.allergens = vec!["gluten".parse().unwrap()];
    update_product(&admin, &shop.ham_sandwich.id, input).await;
    let available = api
        .list_products()
        .available(true)
        .category(shop.bread.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(names(&available.items), ["Baguette"]);
}

pub async fn category_products_and_unknown_category(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();
    let pastry = api
        .list_category_products()
        .id(shop.pastry.id.as_str())
        .sort(types::SortBy::PriceAsc)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        names(&pastry.items),
        [
            "Croissant",
            "Pain au chocolat",
            "Crème brûlée",
            "Galette des rois"
        ]
    );
    assert_eq!(pastry.total, 4);
    let vegetarian_bread = api
        .list_category_products()
        .id(shop.bread.id.as_str())
        .vegetarian(true)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&vegetarian_bread.items), ["Baguette"]);

    let result = api.list_category_products().id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn featured_and_popular(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();
    let featured = api
        .list_featured_products()
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut featured_names = names(&featured.items);
    featured_names.sort_unstable();
    assert_eq!(featured_names, ["Croissant", "Pain au chocolat"]);
    assert_eq!(featured.total, 2);

    // Popularity is units sold: three baguettes beat one croissant.
    let ada = app.customer("Ada", "+447700900301").await;
    let order = bakery_e2e::fixtures::order_request(vec![
        bakery_e2e::fixtures::line(&shop.baguette.id, 3),
        bakery_e2e::fixtures::line(&shop.croissant.id, 1),
    ]);
    bakery_e2e::fixtures::place_order(&ada, order).await;
    let popular = api.list_popular_products().limit(2).send().await.unwrap();
    assert_eq!(names(&popular.items), ["Baguette", "Croissant"]);
    assert_eq!(popular.total, 6);
}

pub async fn search_tolerates_typos_and_accents(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();
    let found = api.search_products().q("croisant").send().await.unwrap();
    assert_eq!(
        found.items.first().map(|p| p.name.as_str()),
        Some("Croissant")
    );
    let found = api
        .search_products()
        .q("creme brulee")
        .send()
        .await
        .unwrap();
    assert_eq!(
        found.items.first().map(|p| p.name.as_str()),
        Some("Crème brûlée")
    );
    let found = api.search_products().q("BAGUETTE").send().await.unwrap();
    assert_eq!(names(&found.items), ["Baguette"]);
    // Filters narrow a search.
    let found = api
        .search_products()
        .q("sandwich")
        .vegetarian(true)
        .send()
        .await
        .unwrap();
    assert!(names(&found.items).is_empty(), "{:?}", names(&found.items));
    let found = api
        .search_products()
        .q("croissant")
        .category(shop.bread.id.as_str())
        .send()
        .await
        .unwrap();
    assert!(!names(&found.items).contains(&"Croissant"));
    let found = api.search_products().q("xylophone").send().await.unwrap();
    assert_eq!(found.total, 0);
}

pub async fn product_by_id_and_unknown_id(app: &TestApp) {
    let admin = app.admin().await;
    let shop = seed_catalog(&admin).await;
    let api = app.client().api();
    let creme = api
        .get_product()
        .id(shop.creme_brulee.id.as_str())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(creme.name, "Crème brûlée");
    assert_eq!((creme.price, creme.discount_price), (450, Some(400)));
    assert_eq!(creme.category, shop.pastry.id);
    assert_eq!(creme.allergens, ["milk", "egg"]);
    assert_eq!(creme.description, "Crème brûlée, baked this morning");
    assert!(creme.is_vegetarian && creme.is_available && !creme.is_featured);

    let result = api.get_product().id(UNKNOWN_ID).send().await;
    assert_error(result, 404, "NOT_FOUND");
}

pub async fn listing_parameters_are_validated(app: &TestApp) {
    let api = app.client().api();
    assert_invalid(api.list_products().limit(1000).send().await, "limit");
    assert_invalid(api.list_products().min_price(-1).send().await, "minPrice");
    assert_invalid(
        api.list_featured_products().limit(101).send().await,
        "limit",
    );
    assert_invalid(
        api.search_products().q("bread").limit(500).send().await,
        "limit",
    );
}
