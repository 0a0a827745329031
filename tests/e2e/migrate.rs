//! `bakery-server migrate`: a shop that ran on SQLite (the demo catalog, customers with
//! addresses and favorites, orders with a promotion, a review, live sessions) is copied into
//! MongoDB by the real binary; a server on the copy serves the same data and the customers
//! stay signed in. A second run refuses without `--force`; a run stopped by its batch limit
//! resumes to the same result.

use std::process::Output;

use bakery_core::domain::Id;
use bakery_e2e::fixtures::{address_input, line, order_request, place_order, v};
use bakery_e2e::{types, Backend, BakeryClient, Tokens, MONGO_URI_VAR, SKIP_MONGO_VAR};
use serde_json::Value;
use tokio::process::Command;

use crate::fleet::{server_binary, spawn_listening};

/// The target URI for a fresh database of its own.
fn target(base: &str, database: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        panic!("{MONGO_URI_VAR}={base} is not a MongoDB URI");
    };
    let (hosts, query) = rest.split_once('/').unwrap_or((rest, ""));
    let query = query.split_once('?').map_or("", |(_, q)| q);
    format!("{scheme}://{hosts}/{database}?{query}")
}

async fn migrate(binary: &str, from: &str, to: &str, extra: &[&str]) -> Output {
    Command::new(binary)
        .env_clear()
        .env("RUST_LOG", "warn")
        .args(["migrate", "--from", from, "--to", to])
        .args(extra)
        .output()
        .await
        .expect("run bakery-server migrate")
}

/// The summary a finished run prints (counts and totals), without the batch count.
fn summary(out: &Output) -> Vec<String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("migrated and verified"),
        "migrate failed: {out:?}"
    );
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("migrated and verified"))
        .skip(1)
        .map(str::to_owned)
        .collect()
}

async fn products(client: &BakeryClient) -> Value {
    serde_json::to_value(
        client
            .api()
            .list_products()
            .sort(types::SortBy::Name)
            .limit(100)
            .send()
            .await
            .expect("list products")
            .into_inner()
            .items,
    )
    .expect("serialisable")
}

async fn my_orders(client: &BakeryClient) -> Value {
    serde_json::to_value(
        client
            .api()
            .list_my_orders()
            .send()
            .await
            .expect("list my orders")
            .into_inner()
            .items,
    )
    .expect("serialisable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_shop_moves_to_mongodb_and_its_customers_stay_signed_in() {
    let base = match std::env::var(MONGO_URI_VAR) {
        Ok(uri) => uri,
        Err(_) if std::env::var(SKIP_MONGO_VAR).as_deref() == Ok("1") => return,
        Err(_) => panic!("{MONGO_URI_VAR} is not set: run scripts/test.sh"),
    };
    let binary = server_binary();

    // The shop on SQLite: the demo catalog, then a few weeks of business.
    let mut app = bakery_e2e::spawn_app(Backend::Sqlite)
        .await
        .expect("the SQLite app always starts");
    let demo =
        bakery_server::demo_data::fill(&app.bakery, bakery_server::demo_data::Terms::Believable)
            .await
            .expect("demo data");
    let admin = app.admin().await;
    // Opening hours staff set over the demo's week (open around the clock, so the orders
    // below are taken at any hour the test runs), with a holiday far ahead.
    let all_day = || {
        vec![types::TimeRange {
            start: "00:00".parse().expect("time"),
            end: "24:00".parse().expect("time"),
        }]
    };
    admin
        .api()
        .admin_set_shop_hours()
        .body(types::OpeningHoursInput {
            monday: all_day(),
            tuesday: all_day(),
            wednesday: all_day(),
            thursday: all_day(),
            friday: all_day(),
            saturday: all_day(),
            sunday: all_day(),
            exceptions: vec![types::DayException {
                date: "2099-12-25".parse().expect("date"),
                ranges: vec![],
            }],
        })
        .send()
        .await
        .expect("opening hours");
    let ada = app.customer("Ada", "+447700900801").await;
    let ben = app.customer("Ben", "+447700900802").await;
    let catalog = products(&admin).await;
    let first = catalog[0]["id"].as_str().expect("an id").to_owned();
    let second = catalog[1]["id"].as_str().expect("an id").to_owned();
    let mut home = address_input("Home", true);
    home.location = Some(types::LatLng {
        lat: 48.8566,
        lng: 2.3522,
    });
    ada.api()
        .add_address()
        .body(home)
        .send()
        .await
        .expect("address");
    ada.api()
        .add_favorite()
        .product_id(first.as_str())
        .send()
        .await
        .expect("favorite");
    let mut with_code = order_request(vec![line(&first, 4), line(&second, 2)]);
    with_code.promotion_code = Some(v(&demo.promotion_code));
    let delivered = place_order(&ada, with_code).await;
    bakery_e2e::fixtures::deliver(&admin, &delivered.id).await;
    ada.api()
        .create_review()
        .id(first.as_str())
        .body(types::ReviewInput {
            rating: std::num::NonZeroU8::new(4).expect("rating"),
            comment: Some(v("Crisp and warm")),
        })
        .send()
        .await
        .expect("review");
    // Today's croissants (the demo bakes 120 a day): the count travels, so the moved shop
    // shows the same `leftToday`.
    let croissant = catalog
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "Croissant"))
        .and_then(|p| p["id"].as_str())
        .expect("the demo's croissant")
        .to_owned();
    place_order(
        &ben,
        order_request(vec![line(&second, 3), line(&croissant, 5)]),
    )
    .await;
    let hours = serde_json::to_value(
        admin
            .api()
            .get_shop_hours()
            .send()
            .await
            .expect("hours")
            .into_inner(),
    )
    .expect("serialisable");

    let catalog = products(&admin).await;
    let ada_orders = my_orders(&ada).await;
    let ada_tokens: Tokens = ada.tokens().expect("signed in");
    let sqlite = app
        .data_dir()
        .expect("the SQLite app has a data dir")
        .join("bakery.db");
    app.shut_down();
    app.stopped().await.expect("server task").expect("server");
    let from = format!("sqlite:{}", sqlite.display());

    // The move.
    let database = format!("migrate_{}", Id::generate());
    let to = target(&base, &database);
    let first_run = migrate(&binary, &from, &to, &[]).await;
    let verified = summary(&first_run);
    assert!(
        verified
            .iter()
            .any(|l| l.trim_start().starts_with("reviews") && l.ends_with(" 1")),
        "{verified:?}"
    );

    // Once moved, not again by accident; on purpose, it rewrites the same data.
    let again = migrate(&binary, &from, &to, &[]).await;
    assert!(
        !again.status.success(),
        "a second run must refuse: {again:?}"
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("--force"),
        "{again:?}"
    );
    assert_eq!(
        summary(&migrate(&binary, &from, &to, &["--force"]).await),
        verified
    );

    // A server on the copy serves the same shop, and Ada is still signed in.
    let mut server = Command::new(&binary);
    server
        .env_clear()
        .env("PORT", "0")
        .env("MONGODB_URI", &base)
        .env("MONGODB_DATABASE", &database)
        .env("JWT_SECRET", bakery_e2e::JWT_SECRET)
        .env("OTP_SECRET", "migrate-otp-secret-0123")
        .kill_on_drop(true);
    let (_server, port) = spawn_listening(server).await;
    let url = format!("http://127.0.0.1:{port}");
    let moved_ada = BakeryClient::with_tokens(&url, ada_tokens.clone());
    assert_eq!(products(&BakeryClient::new(&url)).await, catalog);
    assert!(
        catalog
            .as_array()
            .is_some_and(|all| all.iter().any(|p| p["leftToday"] == 115)),
        "{catalog}"
    );
    let moved_hours = BakeryClient::new(&url)
        .api()
        .get_shop_hours()
        .send()
        .await
        .expect("hours")
        .into_inner();
    assert_eq!(
        serde_json::to_value(moved_hours).expect("serialisable"),
        hours
    );
    assert_eq!(my_orders(&moved_ada).await, ada_orders);
    let profile = moved_ada
        .api()
        .get_profile()
        .send()
        .await
        .expect("the old access token still works")
        .into_inner();
    assert_eq!(profile.name, "Ada");
    let home = profile.addresses[0]
        .location
        .clone()
        .expect("the map point");
    assert_eq!((home.lat, home.lng), (48.8566, 2.3522));
    let favorites = serde_json::to_value(
        moved_ada
            .api()
            .list_favorites()
            .send()
            .await
            .expect("favorites")
            .into_inner(),
    )
    .expect("serialisable");
    assert!(favorites.to_string().contains(&first), "{favorites}");
    let renewed = moved_ada
        .refresh()
        .await
        .expect("the refresh token from SQLite works on MongoDB");
    assert_ne!(renewed.refresh_token, ada_tokens.refresh_token);
    let reviews = BakeryClient::new(&url)
        .api()
        .list_product_reviews()
        .id(first.as_str())
        .send()
        .await
        .expect("reviews")
        .into_inner();
    assert_eq!(reviews.items.len(), 1);

    // Interrupted after two batches of three, then resumed: the same shop.
    let database = format!("migrate_{}", Id::generate());
    let to = target(&base, &database);
    let paused = migrate(
        &binary,
        &from,
        &to,
        &["--batch-size", "3", "--max-batches", "2"],
    )
    .await;
    assert_eq!(paused.status.code(), Some(3), "{paused:?}");
    assert!(String::from_utf8_lossy(&paused.stdout).contains("paused after 2 batches"));
    let resumed = migrate(&binary, &from, &to, &["--batch-size", "3"]).await;
    assert_eq!(summary(&resumed), verified);
}
