//! Two `bakery-server` processes on one MongoDB and one Redis, as a chain runs them: what one
//! instance writes, the other serves within 100 ms; limits are counted once for both; a
//! tracking socket on one sees the changes made on the other within a second.

use std::process::Stdio;
use std::time::{Duration, Instant};

use bakery_core::domain::Id;
use bakery_e2e::fixtures::{
    category_input, create_category, create_product, line, order_request, place_order,
    product_input, update_product, v,
};
use bakery_e2e::{error_of, BakeryClient, Tokens, MONGO_URI_VAR, SKIP_MONGO_VAR};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const REDIS_VAR: &str = "BAKERY_TEST_REDIS_URL";
const SKIP_REDIS_VAR: &str = "BAKERY_SKIP_REDIS";
const SERVER_BIN_VAR: &str = "BAKERY_SERVER_BIN";
const JWT_SECRET: &str = "fleet-secret-fleet-secret-fleet-secret";
const OTP_SECRET: &str = "fleet-otp-secret-0123";
const ADMIN_PHONE: &str = "+33612345670";
const ADMIN_PASSWORD: &str = "fleet-password-1";

/// What the two instances share; `None` when the developer opted out of Mongo or Redis.
struct Shared {
    mongo: String,
    redis: String,
    database: String,
    prefix: String,
    binary: String,
    data: tempfile::TempDir,
}

fn shared() -> Option<Shared> {
    let mongo = match std::env::var(MONGO_URI_VAR) {
        Ok(uri) => uri,
        Err(_) if std::env::var(SKIP_MONGO_VAR).as_deref() == Ok("1") => return None,
        Err(_) => panic!("{MONGO_URI_VAR} is not set: run scripts/test.sh"),
    };
    let redis = match std::env::var(REDIS_VAR) {
        Ok(url) => url,
        Err(_) if std::env::var(SKIP_REDIS_VAR).as_deref() == Ok("1") => return None,
        Err(_) => panic!("{REDIS_VAR} is not set: run scripts/test.sh"),
    };
    let binary = server_binary();
    let id = Id::generate();
    Some(Shared {
        mongo,
        redis,
        database: format!("fleet_{id}"),
        prefix: format!("fleet:{id}:"),
        binary,
        data: tempfile::tempdir().expect("temp dir"),
    })
}

impl Shared {
    fn command(&self, port: u16) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .env_clear()
            .env("PORT", port.to_string())
            .env("BAKERY_DATA_DIR", self.data.path())
            .env("MONGODB_URI", &self.mongo)
            .env("MONGODB_DATABASE", &self.database)
            .env("REDIS_URL", &self.redis)
            .env("REDIS_PREFIX", &self.prefix)
            .env("JWT_SECRET", JWT_SECRET)
            .env("OTP_SECRET", OTP_SECRET)
            .env("AUTH_RATE_LIMIT", "5/15m")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true);
        command
    }

    /// A server on a port it picks itself (`PORT=0`), answering `/readyz`. The port comes
    /// from its "listening" log line: a port picked here and handed over could be taken by
    /// another test's server before the child binds it, and `/readyz` would then be answered
    /// by the wrong server.
    async fn start(&self) -> Instance {
        let (child, port) = spawn_listening(self.command(0)).await;
        let url = format!("http://127.0.0.1:{port}");
        let client = BakeryClient::new(&url);
        let deadline = Instant::now() + Duration::from_secs(60);
        while client.api().readyz().send().await.is_err() {
            assert!(
                Instant::now() < deadline,
                "bakery-server on {port} never got ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Instance { url, _child: child }
    }

    /// Staff created with the server's own command, signed in with the password on `url`
    /// (one sign-in attempt, counted by the limits tested below).
    async fn admin_token(&self, url: &str) -> String {
        self.staff_token(url, "create-admin", "Fleet Admin", ADMIN_PHONE)
            .await
    }

    /// Like [`Shared::admin_token`], for any staff command (`create-courier`...).
    async fn staff_token(&self, url: &str, command: &str, name: &str, phone: &str) -> String {
        let out = self
            .command(0)
            .args([command, "--name", name, "--phone", phone])
            .args(["--password", ADMIN_PASSWORD])
            .stdout(Stdio::piped())
            .output()
            .await
            .expect("run create-admin");
        assert!(out.status.success(), "{command} failed: {out:?}");
        BakeryClient::new(url)
            .api()
            .login()
            .body_map(|body| body.phone(phone).password(Some(v(ADMIN_PASSWORD))))
            .send()
            .await
            .expect("the staff member signs in")
            .into_inner()
            .access_token
    }
}

/// The `bakery-server` binary: scripts/test.sh builds it and says where; next to the test
/// binary otherwise.
pub(crate) fn server_binary() -> String {
    let binary = std::env::var(SERVER_BIN_VAR).unwrap_or_else(|_| {
        let exe = std::env::current_exe().expect("test binary path");
        let dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target dir");
        dir.join("bakery-server").to_string_lossy().into_owned()
    });
    assert!(
        std::path::Path::new(&binary).exists(),
        "{binary} does not exist: run scripts/test.sh (it builds bakery-server), or \
         `cargo build -p bakery-server` first"
    );
    binary
}

/// Starts `command` (a `bakery-server` on `PORT=0`) and returns it with the port it bound,
/// read from its "listening" log line: a port picked by the test and handed over could be
/// taken by another test's server before the child binds it.
pub(crate) async fn spawn_listening(mut command: Command) -> (Child, u16) {
    let mut child = command
        .env("RUST_LOG", "warn,bakery_server=info")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start bakery-server");
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
    // Keep draining the log so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, port)
}

/// The port in `... bakery-server listening addr=0.0.0.0:PORT`.
fn listening_port(line: &str) -> u16 {
    line.split_whitespace()
        .find_map(|field| field.strip_prefix("addr="))
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in the listening line: {line}"))
}

struct Instance {
    url: String,
    _child: Child,
}

impl Instance {
    fn client(&self, access_token: &str) -> BakeryClient {
        BakeryClient::with_tokens(
            &self.url,
            Tokens {
                access_token: access_token.to_owned(),
                refresh_token: String::new(),
            },
        )
    }
}

/// Polls `check` every 5 ms until it holds or `within` has passed since `since`.
async fn within<F, Fut>(since: Instant, within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        if check().await {
            return true;
        }
        if since.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

const FRESH_WITHIN: Duration = Duration::from_millis(100);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_agree() {
    let Some(shared) = shared() else { return };
    let (a, b) = tokio::join!(shared.start(), shared.start());
    let token = shared.admin_token(&a.url).await;
    let (staff_a, staff_b) = (a.client(&token), b.client(&token));

    let category = create_category(&staff_a, category_input("Breads", 1)).await;
    let mut input = product_input(&category.id, "Baguette", 120);
    let baguette = create_product(&staff_a, input.clone()).await;
    let mut limited = product_input(&category.id, "Galette des rois", 2400);
    limited.stock = Some(1);
    let galette = create_product(&staff_a, limited).await;

    // B caches the product and the listing first.
    let price_on = |client: BakeryClient, id: String| async move {
        client
            .api()
            .get_product()
            .id(id.as_str())
            .send()
            .await
            .expect("get product")
            .into_inner()
            .price
    };
    assert_eq!(price_on(staff_b.clone(), baguette.id.clone()).await, 120);

    // A staff price change made on A is served by B within 100 ms.
    input.price = std::num::NonZeroU64::new(135).expect("price");
    update_product(&staff_a, &baguette.id, input).await;
    let changed = Instant::now();
    assert!(
        within(changed, FRESH_WITHIN, || {
            let (client, id) = (staff_b.clone(), baguette.id.clone());
            async move { price_on(client, id).await == 135 }
        })
        .await,
        "B still serves the old price 100 ms after the change on A"
    );

    // The last item sold on B shows as sold out on A.
    let stock_on_a = || {
        let client = staff_a.clone();
        let id = galette.id.clone();
        async move {
            client
                .api()
                .get_product()
                .id(id.as_str())
                .send()
                .await
                .expect("get product")
                .into_inner()
                .stock
        }
    };
    assert_eq!(stock_on_a().await, Some(1));
    let order = place_order(&staff_b, order_request(vec![line(&galette.id, 1)])).await;
    let sold = Instant::now();
    assert!(
        within(sold, FRESH_WITHIN, || {
            let check = stock_on_a();
            async move { check.await == Some(0) }
        })
        .await,
        "A still shows the galette in stock 100 ms after B sold the last one"
    );

    // An order placed on B is visible on A.
    let seen = staff_a
        .api()
        .get_order()
        .id(order.id.as_str())
        .send()
        .await
        .expect("order on A")
        .into_inner();
    assert_eq!(seen.id, order.id);

    // The admin's sign-in and four failed ones spread over A and B make the sixth 429 on
    // either.
    let anonymous = [BakeryClient::new(&a.url), BakeryClient::new(&b.url)];
    for attempt in 0..4 {
        let result = anonymous[attempt % 2]
            .api()
            .login()
            .body_map(|body| {
                body.phone(ADMIN_PHONE)
                    .password(Some(v("wrong-password-1")))
            })
            .send()
            .await;
        assert_eq!(error_of(result).0, 401, "attempt {attempt}");
    }
    for client in &anonymous {
        let result = client
            .api()
            .login()
            .body_map(|body| body.phone(ADMIN_PHONE).password(Some(v(ADMIN_PASSWORD))))
            .send()
            .await;
        assert_eq!(error_of(result).0, 429);
    }
}

/// A socket held by instance A sees what is done on instance B (status changes, the
/// courier's assignment and position) within a second: events cross instances through
/// Redis pub/sub.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_socket_on_one_instance_sees_changes_made_on_the_other() {
    use bakery_e2e::types;

    use crate::tracking::{next, open_at, summary};

    let Some(shared) = shared() else { return };
    let (a, b) = tokio::join!(shared.start(), shared.start());
    let token = shared.admin_token(&b.url).await;
    let courier_token = shared
        .staff_token(&b.url, "create-courier", "Fleet Courier", "+33612345671")
        .await;
    let staff_b = b.client(&token);
    let courier_b = b.client(&courier_token);
    let courier_id = courier_b
        .api()
        .get_profile()
        .send()
        .await
        .expect("courier profile")
        .into_inner()
        .id;
    let category = create_category(&staff_b, category_input("Breads", 1)).await;
    let baguette = create_product(&staff_b, product_input(&category.id, "Baguette", 120)).await;
    let order = place_order(&staff_b, order_request(vec![line(&baguette.id, 1)])).await;

    let mut socket = open_at(&a.url, &order.id, Some(&token))
        .await
        .expect("socket on A");
    assert_eq!(summary(&next(&mut socket).await).0, "snapshot");

    // When a step starts, and what it is: its event must reach A within a second.
    let seen_within_a_second = |what: &'static str| (Instant::now(), what);
    let expect = async |socket: &mut _, (started, what): (Instant, &str), kind: &str| {
        let message = next(socket).await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{what} reached A after {:?}",
            started.elapsed()
        );
        assert_eq!(summary(&message).0, kind, "{what}: {message:?}");
        message
    };

    let step = seen_within_a_second("preparing on B");
    staff_b
        .api()
        .admin_update_order_status()
        .id(order.id.as_str())
        .body(types::StatusUpdate {
            status: types::OrderStatus::Preparing,
        })
        .send()
        .await
        .expect("preparing");
    expect(&mut socket, step, "status").await;

    let step = seen_within_a_second("assigned on B");
    staff_b
        .api()
        .admin_assign_courier()
        .id(order.id.as_str())
        .body(types::CourierInput {
            courier_id: courier_id.parse().expect("id"),
        })
        .send()
        .await
        .expect("assign");
    expect(&mut socket, step, "assigned").await;

    let step = seen_within_a_second("picked up on B");
    courier_b
        .api()
        .courier_pick_up()
        .id(order.id.as_str())
        .send()
        .await
        .expect("picked up");
    expect(&mut socket, step, "status").await;

    let step = seen_within_a_second("location posted on B");
    courier_b
        .api()
        .courier_report_location()
        .id(order.id.as_str())
        .body(types::CourierLocation {
            lat: 48.8566,
            lng: 2.3522,
            heading: None,
            speed_kmh: None,
            accuracy_m: None,
        })
        .send()
        .await
        .expect("location");
    let located = expect(&mut socket, step, "location").await;
    assert_eq!(summary(&located).1, "48.8566,2.3522");
}
