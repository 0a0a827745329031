use bakery_core::domain::PageRequest;
use bakery_core::ports::{ProductFilter, ProductSort};
use bakery_core::services::ProductListing;
use bakery_core::Error;

use crate::support::{draft, shop};

#[tokio::test]
async fn search_forgives_typos_and_accents_and_ranks_names_first() {
    let shop = shop().await;
    let pastries = shop.category("Pastries").await;
    shop.product(&pastries, "Croissant", 250, None).await;
    shop.product(&pastries, "Crème brûlée", 450, None).await;
    shop.product(&pastries, "Pain au chocolat", 300, None).await;
    let mut tart = draft(&pastries, "Fruit tart", 500, None);
    tart.description = "Shortcrust with croissant crumbs".into();
    shop.bakery.create_product(&shop.admin, tart).await.unwrap();

    let names = |q: &'static str| {
        let bakery = shop.bakery.clone();
        async move {
            bakery
                .search_products(q, &ProductFilter::default(), PageRequest::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names("croisant").await,
        vec!["Croissant", "Fruit tart"],
        "name match first, description after"
    );
    assert_eq!(names("creme brulee").await, vec!["Crème brûlée"]);
    assert_eq!(names("CHOCOLAT").await, vec!["Pain au chocolat"]);
    assert!(names("baguette").await.is_empty());
    assert!(matches!(
        shop.bakery
            .search_products("  !! ", &ProductFilter::default(), PageRequest::default())
            .await,
        Err(Error::Validation { .. })
    ));
}

#[tokio::test]
async fn category_in_use_cannot_be_deleted() {
    let shop = shop().await;
    let breads = shop.category("Breads").await;
    let product = shop.product(&breads, "Baguette", 200, None).await;
    let err = shop
        .bakery
        .delete_category(&shop.admin, &breads)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CATEGORY_IN_USE");
    shop.bakery
        .delete_product(&shop.admin, &product)
        .await
        .unwrap();
    shop.bakery
        .delete_category(&shop.admin, &breads)
        .await
        .unwrap();
    assert!(matches!(
        shop.bakery.category(&breads).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn customers_cannot_edit_the_catalog() {
    let shop = shop().await;
    let customer = shop.customer(20).await;
    let breads = shop.category("Breads").await;
    let err = shop
        .bakery
        .create_product(&customer, draft(&breads, "Rye", 300, None))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden));
}

#[tokio::test]
async fn listing_filters_sorts_and_pages() {
    let shop = shop().await;
    let breads = shop.category("Breads").await;
    for (name, price) in [
        ("Rye", 300),
        ("Baguette", 200),
        ("Sourdough", 500),
        ("Brioche", 400),
    ] {
        shop.product(&breads, name, price, None).await;
    }
    let listing = ProductListing {
        filter: ProductFilter {
            min_price: Some(250),
            ..ProductFilter::default()
        },
        sort: ProductSort::PriceAsc,
        page: PageRequest::new(Some(2), Some(2)).unwrap(),
    };
    let page = shop
        .bakery
        .category_products(&breads, listing)
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.items
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Sourdough"]
    );
}
