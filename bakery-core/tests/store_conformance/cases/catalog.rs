use bakery_core::domain::{Id, Money, Ratings};
use bakery_core::error::ConflictCode;
use bakery_core::ports::{ProductFilter, ProductSort};

use crate::fixtures::*;

// --- categories ---

pub async fn category_round_trips(store: Shared) {
    let category = category("Breads", 3, true);
    store.catalog.insert_category(&category).await.unwrap();
    assert_eq!(
        store.catalog.get_category(&category.id).await.unwrap(),
        Some(category)
    );
    assert_eq!(
        store.catalog.get_category(&Id::generate()).await.unwrap(),
        None
    );
}

pub async fn category_update_and_delete(store: Shared) {
    let mut category = stored_category(&store, "Cakes").await;
    category.name = "Celebration cakes".into();
    category.description = None;
    category.is_active = false;
    category.display_order = 9;
    category.updated_at = now();
    assert!(store.catalog.update_category(&category).await.unwrap());
    assert_eq!(
        store.catalog.get_category(&category.id).await.unwrap(),
        Some(category.clone())
    );

    let ghost = crate::fixtures::category("Ghost", 0, true);
    assert!(!store.catalog.update_category(&ghost).await.unwrap());
    assert_eq!(store.catalog.get_category(&ghost.id).await.unwrap(), None);

    assert!(store.catalog.delete_category(&category.id).await.unwrap());
    assert_eq!(
        store.catalog.get_category(&category.id).await.unwrap(),
        None
    );
    assert!(!store.catalog.delete_category(&category.id).await.unwrap());
}

pub async fn duplicate_category_name_conflicts(store: Shared) {
    let breads = stored_category(&store, "Breads").await;
    let cakes = stored_category(&store, "Cakes").await;

    let twin = category("Breads", 1, true);
    assert_conflict(
        store.catalog.insert_category(&twin).await,
        ConflictCode::DuplicateName,
    );
    assert_eq!(store.catalog.get_category(&twin.id).await.unwrap(), None);

    let mut renamed = cakes.clone();
    renamed.name = "Breads".into();
    assert_conflict(
        store.catalog.update_category(&renamed).await,
        ConflictCode::DuplicateName,
    );
    assert_eq!(
        store.catalog.get_category(&cakes.id).await.unwrap(),
        Some(cakes.clone())
    );

    // Keeping one's own name is not a collision.
    let mut same = breads.clone();
    same.display_order = 5;
    assert!(store.catalog.update_category(&same).await.unwrap());
    assert_eq!(store.catalog.list_categories(true).await.unwrap().len(), 2);
}

pub async fn categories_listed_by_display_order_then_name(store: Shared) {
    let c = category("Croissants", 2, true);
    let a = category("Artisan loaves", 2, true);
    let z = category("Zebra cakes", 1, true);
    let hidden = category("Hidden", 0, false);
    let b = category("Biscuits", 3, true);
    for cat in [&c, &a, &z, &hidden, &b] {
        store.catalog.insert_category(cat).await.unwrap();
    }

    let active: Vec<Id> = store
        .catalog
        .list_categories(false)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        active,
        vec![z.id.clone(), a.id.clone(), c.id.clone(), b.id.clone()]
    );

    let every = store.catalog.list_categories(true).await.unwrap();
    assert_eq!(
        every.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![hidden.id.clone(), z.id, a.id, c.id, b.id]
    );
    assert_eq!(every[0], hidden);
}

pub async fn category_in_use_cannot_be_deleted(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Croissant", 250, None).await;

    assert_conflict(
        store.catalog.delete_category(&category.id).await,
        ConflictCode::CategoryInUse,
    );
    assert_eq!(
        store.catalog.get_category(&category.id).await.unwrap(),
        Some(category.clone())
    );

    assert!(store.catalog.delete_product(&product.id).await.unwrap());
    assert!(store.catalog.delete_category(&category.id).await.unwrap());
    assert_eq!(
        store.catalog.get_category(&category.id).await.unwrap(),
        None
    );
}

// --- products ---

pub async fn product_round_trips(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let mut product = product(&category.id, "Pain au chocolat", 320, Some(12));
    product.discount_price = Some(Money::from_minor(280));
    product.is_featured = true;
    product.allergens = vec!["gluten".into(), "milk".into(), "soy".into()];
    product.ratings = Ratings {
        average: 4.5,
        count: 2,
    };
    product.units_sold = 17;
    store.catalog.insert_product(&product).await.unwrap();
    assert_eq!(
        store.catalog.get_product(&product.id).await.unwrap(),
        Some(product.clone())
    );
    assert_eq!(
        store.catalog.get_product(&Id::generate()).await.unwrap(),
        None
    );

    let unlimited = stored_product(&store, &category.id, "Baguette", 150, None).await;
    assert_eq!(reload_product(&store, &unlimited.id).await, unlimited);
}

/// Option groups are kept exactly (kinds, deltas, the text group's length), and an edit
/// replaces them like any staff field.
pub async fn product_with_options_round_trips(store: Shared) {
    let category = stored_category(&store, "Cakes").await;
    let mut cake = product(&category.id, "Birthday cake", 2400, Some(3));
    cake.option_groups = cake_groups();
    store.catalog.insert_product(&cake).await.unwrap();
    assert_eq!(reload_product(&store, &cake.id).await, cake);
    let listed = store
        .catalog
        .get_products(std::slice::from_ref(&cake.id))
        .await
        .unwrap();
    assert_eq!(listed, vec![cake.clone()]);

    let mut edited = cake.clone();
    edited.option_groups.truncate(1);
    edited.option_groups[0].options[1].price_delta = Money::from_minor(1600);
    edited.updated_at = now();
    assert!(store.catalog.update_product(&edited).await.unwrap());
    assert_eq!(reload_product(&store, &cake.id).await, edited);
}

pub async fn get_products_returns_the_existing_ones(store: Shared) {
    let category = stored_category(&store, "Breads").await;
    let a = stored_product(&store, &category.id, "Rye", 400, None).await;
    let b = stored_product(&store, &category.id, "Spelt", 450, Some(3)).await;
    let _c = stored_product(&store, &category.id, "Sourdough", 500, None).await;

    let found = store
        .catalog
        .get_products(&[b.id.clone(), Id::generate(), a.id.clone()])
        .await
        .unwrap();
    let mut found_sorted = found.clone();
    found_sorted.sort_by(|x, y| x.id.cmp(&y.id));
    let mut expected = vec![a, b];
    expected.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(found_sorted, expected);

    assert!(store.catalog.get_products(&[]).await.unwrap().is_empty());
}

pub async fn update_product_keeps_ratings_and_units_sold(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let other = stored_category(&store, "Specials").await;
    let mut product = product(&category.id, "Eclair", 300, Some(5));
    product.ratings = Ratings {
        average: 3.5,
        count: 4,
    };
    product.units_sold = 42;
    store.catalog.insert_product(&product).await.unwrap();

    let mut edited = product.clone();
    edited.name = "Chocolate eclair".into();
    edited.price = Money::from_minor(350);
    edited.discount_price = Some(Money::from_minor(299));
    edited.category_id = other.id.clone();
    edited.stock = Some(8);
    edited.is_featured = true;
    edited.allergens = vec!["egg".into()];
    edited.updated_at = now();
    // What the caller holds about the aggregates must not overwrite the store's.
    edited.ratings = Ratings::default();
    edited.units_sold = 0;
    assert!(store.catalog.update_product(&edited).await.unwrap());

    let mut expected = edited.clone();
    expected.ratings = product.ratings;
    expected.units_sold = 42;
    assert_eq!(reload_product(&store, &product.id).await, expected);

    let ghost = crate::fixtures::product(&category.id, "Ghost", 100, None);
    assert!(!store.catalog.update_product(&ghost).await.unwrap());
    assert_eq!(store.catalog.get_product(&ghost.id).await.unwrap(), None);
}

pub async fn delete_product(store: Shared) {
    let category = stored_category(&store, "Pastries").await;
    let product = stored_product(&store, &category.id, "Danish", 280, None).await;
    let keep = stored_product(&store, &category.id, "Kouign-amann", 380, None).await;
    assert!(store.catalog.delete_product(&product.id).await.unwrap());
    assert_eq!(store.catalog.get_product(&product.id).await.unwrap(), None);
    assert!(!store.catalog.delete_product(&product.id).await.unwrap());
    assert_eq!(reload_product(&store, &keep.id).await, keep);
}

/// Six products that differ along every filter axis.
struct Catalog {
    breads: Id,
    /// breads, vegetarian, gluten, 400
    rye: Id,
    /// breads, vegetarian, gluten+sesame, price 600 but discounted to 300
    seeded: Id,
    /// breads, not vegetarian, no allergens, 500, unavailable
    bacon_roll: Id,
    /// cakes, vegetarian, gluten+egg, 800, featured
    gateau: Id,
    /// cakes, vegetarian, no allergens, 200, featured, unavailable
    meringue: Id,
    /// cakes, not vegetarian, gluten+milk, 350
    pie: Id,
}

async fn catalog(store: &Shared) -> Catalog {
    let breads = stored_category(store, "Breads").await;
    let cakes = stored_category(store, "Cakes").await;

    let rye = product(&breads.id, "Rye", 400, None);
    let mut seeded = product(&breads.id, "Seeded", 600, None);
    seeded.discount_price = Some(Money::from_minor(300));
    seeded.allergens = vec!["gluten".into(), "sesame".into()];
    let mut bacon_roll = product(&breads.id, "Bacon roll", 500, Some(4));
    bacon_roll.is_vegetarian = false;
    bacon_roll.allergens = vec![];
    bacon_roll.is_available = false;
    let mut gateau = product(&cakes.id, "Gateau", 800, Some(2));
    gateau.allergens = vec!["gluten".into(), "egg".into()];
    gateau.is_featured = true;
    let mut meringue = product(&cakes.id, "Meringue", 200, None);
    meringue.allergens = vec![];
    meringue.is_featured = true;
    meringue.is_available = false;
    let mut pie = product(&cakes.id, "Pie", 350, None);
    pie.is_vegetarian = false;

    for p in [&rye, &seeded, &bacon_roll, &gateau, &meringue, &pie] {
        store.catalog.insert_product(p).await.unwrap();
    }
    Catalog {
        breads: breads.id,
        rye: rye.id,
        seeded: seeded.id,
        bacon_roll: bacon_roll.id,
        gateau: gateau.id,
        meringue: meringue.id,
        pie: pie.id,
    }
}

async fn listed(store: &Shared, filter: ProductFilter) -> Vec<Id> {
    let (items, total) = store
        .catalog
        .list_products(&filter, ProductSort::Name, all())
        .await
        .unwrap();
    assert_eq!(total, items.len() as u64, "total for {filter:?}");
    ids(&items)
}

pub async fn list_products_filters(store: Shared) {
    let c = catalog(&store).await;

    // Sorted by name: Bacon roll, Gateau, Meringue, Pie, Rye, Seeded.
    assert_eq!(
        listed(&store, ProductFilter::default()).await,
        vec![
            c.bacon_roll.clone(),
            c.gateau.clone(),
            c.meringue.clone(),
            c.pie.clone(),
            c.rye.clone(),
            c.seeded.clone()
        ]
    );
    let by_category = ProductFilter {
        category: Some(c.breads.clone()),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, by_category).await,
        vec![c.bacon_roll.clone(), c.rye.clone(), c.seeded.clone()]
    );
    let vegetarian = ProductFilter {
        vegetarian: Some(true),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, vegetarian).await,
        vec![
            c.gateau.clone(),
            c.meringue.clone(),
            c.rye.clone(),
            c.seeded.clone()
        ]
    );
    let not_vegetarian = ProductFilter {
        vegetarian: Some(false),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, not_vegetarian).await,
        vec![c.bacon_roll.clone(), c.pie.clone()]
    );
    let no_gluten = ProductFilter {
        exclude_allergen: Some("gluten".into()),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, no_gluten).await,
        vec![c.bacon_roll.clone(), c.meringue.clone()]
    );
    let no_sesame = ProductFilter {
        exclude_allergen: Some("sesame".into()),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, no_sesame).await,
        vec![
            c.bacon_roll.clone(),
            c.gateau.clone(),
            c.meringue.clone(),
            c.pie.clone(),
            c.rye.clone()
        ]
    );
    let available = ProductFilter {
        available_only: true,
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, available).await,
        vec![
            c.gateau.clone(),
            c.pie.clone(),
            c.rye.clone(),
            c.seeded.clone()
        ]
    );
    let featured = ProductFilter {
        featured_only: true,
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, featured).await,
        vec![c.gateau.clone(), c.meringue.clone()]
    );
    let featured_available_cakes = ProductFilter {
        category: None,
        featured_only: true,
        available_only: true,
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, featured_available_cakes).await,
        vec![c.gateau.clone()]
    );
}

pub async fn list_products_price_range_uses_effective_price(store: Shared) {
    let c = catalog(&store).await;
    // Effective prices: Rye 400, Seeded 300 (600 discounted), Bacon roll 500, Gateau 800,
    // Meringue 200, Pie 350.
    let at_least_350 = ProductFilter {
        min_price: Some(350),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, at_least_350).await,
        vec![
            c.bacon_roll.clone(),
            c.gateau.clone(),
            c.pie.clone(),
            c.rye.clone()
        ],
        "Seeded costs 300 after its discount, so min 350 excludes it"
    );
    let at_most_350 = ProductFilter {
        max_price: Some(350),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, at_most_350).await,
        vec![c.meringue.clone(), c.pie.clone(), c.seeded.clone()],
        "Seeded costs 300 after its discount, so max 350 includes it"
    );
    let between = ProductFilter {
        min_price: Some(300),
        max_price: Some(500),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, between).await,
        vec![
            c.bacon_roll.clone(),
            c.pie.clone(),
            c.rye.clone(),
            c.seeded.clone()
        ],
        "bounds are inclusive"
    );
    let breads_under_450 = ProductFilter {
        category: Some(c.breads.clone()),
        max_price: Some(450),
        vegetarian: Some(true),
        ..ProductFilter::default()
    };
    assert_eq!(
        listed(&store, breads_under_450).await,
        vec![c.rye.clone(), c.seeded.clone()]
    );
}

pub async fn list_products_sorts(store: Shared) {
    let category = stored_category(&store, "Mixed").await;
    let base = base_time();
    // name, price, ratings (average, count), units sold, minutes after base
    let rows: [(&str, i64, f64, u32, u64, i64); 5] = [
        ("Brioche", 300, 4.0, 10, 5, 0),
        ("Almond tart", 500, 4.5, 2, 20, 10),
        ("Croissant", 200, 4.0, 3, 20, 20),
        ("Doughnut", 150, 3.0, 8, 50, 30),
        ("Eclair", 400, 5.0, 1, 0, 40),
    ];
    let mut made = Vec::new();
    for (name, price, average, count, sold, offset) in rows {
        let mut p = product(&category.id, name, price, None);
        p.ratings = Ratings { average, count };
        p.units_sold = sold;
        p.created_at = base + minutes(offset);
        p.updated_at = p.created_at;
        store.catalog.insert_product(&p).await.unwrap();
        made.push(p.id);
    }
    let [brioche, almond, croissant, doughnut, eclair] =
        <[Id; 5]>::try_from(made).expect("five products");

    let sorted_by = |sort: ProductSort| {
        let store = store.clone();
        async move {
            let (items, total) = store
                .catalog
                .list_products(&ProductFilter::default(), sort, all())
                .await
                .unwrap();
            assert_eq!(total, 5);
            ids(&items)
        }
    };

    assert_eq!(
        sorted_by(ProductSort::Newest).await,
        vec![
            eclair.clone(),
            doughnut.clone(),
            croissant.clone(),
            almond.clone(),
            brioche.clone()
        ],
        "newest"
    );
    assert_eq!(
        sorted_by(ProductSort::PriceAsc).await,
        vec![
            doughnut.clone(),
            croissant.clone(),
            brioche.clone(),
            eclair.clone(),
            almond.clone()
        ],
        "price ascending"
    );
    assert_eq!(
        sorted_by(ProductSort::PriceDesc).await,
        vec![
            almond.clone(),
            eclair.clone(),
            brioche.clone(),
            croissant.clone(),
            doughnut.clone()
        ],
        "price descending"
    );
    // Rating: 5.0, 4.5, then the two 4.0s by review count (Brioche 10 before Croissant 3).
    assert_eq!(
        sorted_by(ProductSort::Rating).await,
        vec![
            eclair.clone(),
            almond.clone(),
            brioche.clone(),
            croissant.clone(),
            doughnut.clone()
        ],
        "rating"
    );
    // Popularity: 50 sold, then the two 20s by rating (Almond 4.5 before Croissant 4.0).
    assert_eq!(
        sorted_by(ProductSort::Popularity).await,
        vec![
            doughnut.clone(),
            almond.clone(),
            croissant.clone(),
            brioche.clone(),
            eclair.clone()
        ],
        "popularity"
    );
    assert_eq!(
        sorted_by(ProductSort::Name).await,
        vec![almond, brioche, croissant, doughnut, eclair],
        "name"
    );
}

pub async fn list_products_paginates(store: Shared) {
    let category = stored_category(&store, "Breads").await;
    let mut names = Vec::new();
    for name in ["Anadama", "Bagel", "Ciabatta", "Damper", "Focaccia"] {
        names.push(
            stored_product(&store, &category.id, name, 300, None)
                .await
                .id,
        );
    }
    let filter = ProductFilter::default();

    let (second, total) = store
        .catalog
        .list_products(&filter, ProductSort::Name, page(2, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(ids(&second), vec![names[2].clone(), names[3].clone()]);

    let (third, total) = store
        .catalog
        .list_products(&filter, ProductSort::Name, page(3, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(ids(&third), vec![names[4].clone()]);

    let (beyond, total) = store
        .catalog
        .list_products(&filter, ProductSort::Name, page(4, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert!(beyond.is_empty());

    // The total counts what the filter admits, not the whole table.
    let _other = stored_product(
        &store,
        &stored_category(&store, "Cakes").await.id,
        "Torte",
        900,
        None,
    )
    .await;
    let by_category = ProductFilter {
        category: Some(category.id.clone()),
        ..ProductFilter::default()
    };
    let (first, total) = store
        .catalog
        .list_products(&by_category, ProductSort::Name, page(1, 2))
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(ids(&first), vec![names[0].clone(), names[1].clone()]);
}

pub async fn search_candidates_honours_the_filter(store: Shared) {
    let c = catalog(&store).await;
    let all_ids = sorted(ids(&store
        .catalog
        .search_candidates(&ProductFilter::default())
        .await
        .unwrap()));
    assert_eq!(
        all_ids,
        sorted(vec![
            c.rye.clone(),
            c.seeded.clone(),
            c.bacon_roll.clone(),
            c.gateau.clone(),
            c.meringue.clone(),
            c.pie.clone()
        ])
    );

    let filter = ProductFilter {
        vegetarian: Some(true),
        available_only: true,
        max_price: Some(500),
        ..ProductFilter::default()
    };
    let found = store.catalog.search_candidates(&filter).await.unwrap();
    assert_eq!(
        sorted(ids(&found)),
        sorted(vec![c.rye.clone(), c.seeded.clone()])
    );
    // Full products come back, not projections.
    for p in &found {
        assert_eq!(*p, reload_product(&store, &p.id).await);
    }

    let no_gluten_cakes = ProductFilter {
        exclude_allergen: Some("gluten".into()),
        category: Some(reload_product(&store, &c.meringue).await.category_id),
        ..ProductFilter::default()
    };
    assert_eq!(
        ids(&store
            .catalog
            .search_candidates(&no_gluten_cakes)
            .await
            .unwrap()),
        vec![c.meringue.clone()]
    );
}

pub async fn search_candidates_is_unpaged(store: Shared) {
    let category = stored_category(&store, "Rolls").await;
    let mut made = Vec::new();
    for i in 0..120 {
        made.push(
            stored_product(&store, &category.id, &format!("Roll {i:03}"), 100 + i, None)
                .await
                .id,
        );
    }
    let found = store
        .catalog
        .search_candidates(&ProductFilter::default())
        .await
        .unwrap();
    assert_eq!(sorted(ids(&found)), sorted(made));
}
