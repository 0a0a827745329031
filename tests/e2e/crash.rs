//! What survives a `kill -9`: pushes waiting in the outbox are delivered after the restart,
//! each exactly once; and on either store, every order the server acknowledged is there
//! exactly once, with stock and promotion use matching the orders, nothing half-written.

use std::time::{Duration, Instant};

use bakery_core::domain::Id;
use bakery_e2e::fixtures::{
    category_input, create_category, create_product, line, order_request, place_order,
    product_input, v,
};
use bakery_e2e::saas::FcmFake;
use bakery_e2e::{types, BakeryClient, Tokens};
use tokio::process::{Child, Command};

use crate::fleet::{server_binary, spawn_listening};

const JWT_SECRET: &str = "crash-secret-crash-secret-crash-secret";
const ORDERS: usize = 6;
const ADMIN_PHONE: &str = "+33612345671";
const ADMIN_PASSWORD: &str = "crash-password-1";

struct Shop {
    binary: String,
    data: tempfile::TempDir,
    /// FCM's or MongoDB's settings, as an operator sets them.
    fcm_env: Vec<(&'static str, String)>,
}

impl Shop {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .env_clear()
            .env("PORT", "0")
            .env("BAKERY_DATA_DIR", self.data.path())
            .env("JWT_SECRET", JWT_SECRET)
            .env("OTP_SECRET", "crash-otp-secret-0123")
            .envs(self.fcm_env.iter().map(|(k, v)| (*k, v.as_str())))
            .kill_on_drop(true);
        command
    }

    /// The server, on a port it picks; returns it with its URL.
    async fn start(&self) -> (Child, String) {
        let (child, port) = spawn_listening(self.command()).await;
        (child, format!("http://127.0.0.1:{port}"))
    }

    /// Staff created with the server's own command (before it starts).
    async fn create_admin(&self) {
        let out = self
            .command()
            .args([
                "create-admin",
                "--name",
                "Crash Admin",
                "--phone",
                ADMIN_PHONE,
            ])
            .args(["--password", ADMIN_PASSWORD])
            .output()
            .await
            .expect("run create-admin");
        assert!(out.status.success(), "create-admin failed: {out:?}");
    }
}

/// The admin, signed in on the server at `url`.
async fn admin_token(url: &str) -> String {
    BakeryClient::new(url)
        .api()
        .login()
        .body_map(|body| body.phone(ADMIN_PHONE).password(Some(v(ADMIN_PASSWORD))))
        .send()
        .await
        .expect("the admin signs in")
        .into_inner()
        .access_token
}

fn client(url: &str, token: &str) -> BakeryClient {
    BakeryClient::with_tokens(
        url,
        Tokens {
            access_token: token.to_owned(),
            refresh_token: String::new(),
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_pushes_survive_a_sigkill() {
    let fcm = FcmFake::start().await;
    let shop = Shop {
        binary: server_binary(),
        data: tempfile::tempdir().expect("temp dir"),
        fcm_env: fcm.env(),
    };
    shop.create_admin().await;

    // FCM is down: every push fails and waits in the outbox for its next attempt.
    fcm.set_up(false);
    let (mut first, url) = shop.start().await;
    let token = admin_token(&url).await;
    let staff = client(&url, &token);
    staff
        .api()
        .add_device_token()
        .body(types::DeviceToken {
            token: v("fcm-crash-device"),
        })
        .send()
        .await
        .expect("register the device");
    let category = create_category(&staff, category_input("Breads", 1)).await;
    let bread = create_product(&staff, product_input(&category.id, "Baguette", 120)).await;
    let mut orders = Vec::new();
    for _ in 0..ORDERS {
        orders.push(
            place_order(&staff, order_request(vec![line(&bread.id, 1)]))
                .await
                .id,
        );
    }

    first.start_kill().expect("SIGKILL");
    first.wait().await.expect("the killed server is reaped");
    assert!(
        fcm.pushes().await.is_empty(),
        "nothing got through the outage"
    );

    // FCM is back; so is the shop, on the same data.
    fcm.set_up(true);
    let (_second, _url) = shop.start().await;
    // The kill lands while the first server is attempting pushes (FCM's own retries take a
    // moment): those are leased to the dead process and are taken again when the lease ends
    // (`services::outbox::LEASE`, 2 minutes); the others are due when their backoff ends,
    // which on a loaded machine (a long outage, more attempts) can be minutes too.
    let deadline = Instant::now() + Duration::from_secs(420);
    loop {
        let delivered = fcm.pushes().await;
        let placed: Vec<_> = delivered
            .iter()
            .filter(|p| p.title == "Order placed")
            .collect();
        if placed.len() >= ORDERS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {ORDERS} pushes delivered 7 minutes after the restart",
            placed.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a duplicate the time to show up, then count each order's push.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered = fcm.pushes().await;
    for order in &orders {
        let count = delivered
            .iter()
            .filter(|p| p.title == "Order placed" && p.data["orderId"] == order.as_str())
            .count();
        assert_eq!(count, 1, "order {order}: {count} pushes");
        assert!(delivered.iter().all(|p| p.token == "fcm-crash-device"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_orders_survive_a_sigkill_on_sqlite() {
    acknowledged_orders_survive_a_sigkill(Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_orders_survive_a_sigkill_on_mongodb() {
    let Ok(uri) = std::env::var(bakery_e2e::MONGO_URI_VAR) else {
        assert_eq!(
            std::env::var(bakery_e2e::SKIP_MONGO_VAR).as_deref(),
            Ok("1"),
            "{} is not set: run scripts/test.sh",
            bakery_e2e::MONGO_URI_VAR
        );
        return;
    };
    let database = format!("crash_{}", Id::generate());
    acknowledged_orders_survive_a_sigkill(vec![
        ("MONGODB_URI", uri),
        ("MONGODB_DATABASE", database),
    ])
    .await;
}

const STOCK: u32 = 5_000;

/// What the server said yes to before it died.
#[derive(Default)]
struct Acknowledged {
    placed: Vec<String>,
    canceled: Vec<String>,
}

async fn acknowledged_orders_survive_a_sigkill(store_env: Vec<(&'static str, String)>) {
    use bakery_e2e::fixtures::{create_promotion, promotion_input};
    let shop = Shop {
        binary: server_binary(),
        data: tempfile::tempdir().expect("temp dir"),
        fcm_env: store_env,
    };
    shop.create_admin().await;
    let (mut first, url) = shop.start().await;
    let token = admin_token(&url).await;
    let staff = client(&url, &token);
    let category = create_category(&staff, category_input("Pastry", 1)).await;
    let mut input = product_input(&category.id, "Croissant", 150);
    input.stock = Some(STOCK);
    let croissant = create_product(&staff, input).await;
    let mut promotion = promotion_input(Some("CRASH10"), types::DiscountType::Percentage, 10);
    promotion.code = Some(v("CRASH10"));
    create_promotion(&staff, promotion).await;

    // Eight clients place (a third with the code) and cancel, until the server dies.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Acknowledged::default()));
    let mut clients = Vec::new();
    for worker in 0..8_u32 {
        let (staff, acknowledged, product) =
            (staff.clone(), acknowledged.clone(), croissant.id.clone());
        clients.push(tokio::spawn(async move {
            for round in 0_u32.. {
                let mut request = order_request(vec![line(&product, 1 + (round + worker) % 3)]);
                if (round + worker) % 3 == 0 {
                    request.promotion_code = Some(v("CRASH10"));
                }
                let placed = staff.api().place_order().body(request).send().await;
                let order = match placed {
                    Ok(order) => order.into_inner(),
                    Err(bakery_e2e::ApiError::ErrorResponse(_)) => continue,
                    Err(_) => return, // The server is gone.
                };
                acknowledged.lock().unwrap().placed.push(order.id.clone());
                if round % 2 == 1 {
                    match staff
                        .api()
                        .cancel_order()
                        .id(order.id.as_str())
                        .send()
                        .await
                    {
                        Ok(_) => acknowledged.lock().unwrap().canceled.push(order.id),
                        Err(bakery_e2e::ApiError::ErrorResponse(_)) => {}
                        Err(_) => return,
                    }
                }
            }
        }));
    }
    // Kill it mid-stream, once a fair number of orders went through.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().placed.len() < 40 {
        assert!(Instant::now() < deadline, "too few orders before the kill");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.start_kill().expect("SIGKILL");
    first.wait().await.expect("the killed server is reaped");
    for client in clients {
        client.await.expect("client task");
    }

    let (_second, url) = shop.start().await;
    let staff = client(&url, &token);
    let mut stored: Vec<types::Order> = Vec::new();
    for page in 1.. {
        let batch = staff
            .api()
            .admin_list_orders()
            .page(std::num::NonZeroU32::new(page).expect("page"))
            .limit(std::num::NonZeroU32::new(100).expect("limit"))
            .send()
            .await
            .expect("list orders after the restart")
            .into_inner();
        let done = batch.items.len() < 100;
        stored.extend(batch.items);
        if done {
            break;
        }
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    let mut ids: Vec<&str> = stored.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "an order stored twice");
    for id in &acknowledged.placed {
        assert!(
            ids.binary_search(&id.as_str()).is_ok(),
            "acknowledged order {id} is lost"
        );
    }
    for id in &acknowledged.canceled {
        let order = stored.iter().find(|o| &o.id == id).expect("stored");
        assert_eq!(order.order_status, types::OrderStatus::Canceled, "{id}");
    }
    // Every counter equals what the stored orders say, wherever the kill landed.
    let live: Vec<&types::Order> = stored
        .iter()
        .filter(|o| o.order_status != types::OrderStatus::Canceled)
        .collect();
    let units: u32 = live
        .iter()
        .flat_map(|o| &o.items)
        .map(|item| item.quantity)
        .sum();
    let product = staff
        .api()
        .get_product()
        .id(croissant.id.as_str())
        .send()
        .await
        .expect("product")
        .into_inner();
    assert_eq!(
        product.stock,
        Some(STOCK - units),
        "stock vs {} live orders",
        live.len()
    );
    let used = live
        .iter()
        .filter(|o| o.promotion_code.as_deref() == Some("CRASH10"))
        .count();
    let promotions = staff
        .api()
        .admin_list_promotions()
        .send()
        .await
        .expect("promotions")
        .into_inner();
    let crash10 = promotions
        .items
        .iter()
        .find(|p| p.code.as_deref() == Some("CRASH10"))
        .expect("the promotion");
    assert_eq!(crash10.used_count as usize, used, "promotion use vs orders");
    println!(
        "{} acknowledged, {} stored, {} canceled before the kill",
        acknowledged.placed.len(),
        stored.len(),
        acknowledged.canceled.len()
    );
}
