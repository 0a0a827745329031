//! The outbox survives the process: `bakery-server` is killed with SIGKILL while pushes wait
//! for an FCM outage to end; after a restart every push is delivered, each exactly once.

use std::process::Stdio;
use std::time::{Duration, Instant};

use bakery_core::domain::{Id, Role};
use bakery_e2e::fixtures::{
    category_input, create_category, create_product, line, order_request, place_order,
    product_input, v,
};
use bakery_e2e::saas::FcmFake;
use bakery_e2e::{types, BakeryClient, Tokens};
use bakery_server::auth::TokenKeys;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::fleet::{listening_port, server_binary};

const JWT_SECRET: &str = "crash-secret-crash-secret-crash-secret";
const ORDERS: usize = 6;

struct Shop {
    binary: String,
    data: tempfile::TempDir,
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
            .env("RUST_LOG", "warn,bakery_server=info")
            .envs(self.fcm_env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// The server on the embedded store, on a port it picks; returns it with its URL.
    async fn start(&self) -> (Child, String) {
        let mut child = self.command().spawn().expect("start bakery-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read the server's log") {
                if line.contains("bakery-server listening") {
                    return listening_port(&line);
                }
            }
            panic!("bakery-server exited before listening");
        })
        .await
        .expect("bakery-server never logged that it listens");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        (child, format!("http://127.0.0.1:{port}"))
    }

    async fn admin_token(&self) -> String {
        let out = self
            .command()
            .args([
                "create-admin",
                "--name",
                "Crash Admin",
                "--phone",
                "+33612345671",
            ])
            .args(["--password", "crash-password-1"])
            .output()
            .await
            .expect("run create-admin");
        assert!(out.status.success(), "create-admin failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let id = text
            .split_whitespace()
            .last()
            .expect("create-admin prints the id");
        let id = Id::parse("id", id).expect("an id");
        TokenKeys::new(JWT_SECRET.as_bytes(), Duration::from_secs(900))
            .issue(&id, Role::Admin)
            .expect("token")
    }
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
    let token = shop.admin_token().await;

    // FCM is down: every push fails and waits in the outbox for its next attempt.
    fcm.set_up(false);
    let (mut first, url) = shop.start().await;
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
    // The kill lands while the first server is attempting a push (FCM's own retries take a
    // moment): that message is leased to the dead process and is taken again when its lease
    // ends (`services::outbox::LEASE`, 2 minutes); the others are due within seconds.
    let deadline = Instant::now() + Duration::from_secs(180);
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
            "{} of {ORDERS} pushes delivered 3 minutes after the restart",
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
