//! Starting one server per test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bakery_core::adapters::{LocalImages, RecordingSms};
use bakery_core::domain::{Id, Phone, Role};
use bakery_core::ports::{ImageStorage, ManualClock, Store};
use bakery_core::services::{Bakery, HashingLimits, HashingPool};
use bakery_sdk::{types, BakeryClient, Tokens};
use bakery_server::config::Config;
use bakery_server::state::{HttpPolicy, RateLimits};
use bakery_server::AppState;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where the server under test keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temp dir of its own (the embedded default).
    Sqlite,
    /// A database of its own (`e2e_<id>`) on the server at `BAKERY_TEST_MONGODB_URI`.
    Mongo,
}

/// The MongoDB server the Mongo half runs against.
pub const MONGO_URI_VAR: &str = "BAKERY_TEST_MONGODB_URI";
/// `1` skips the Mongo half (a quick local run; CI never sets it).
pub const SKIP_MONGO_VAR: &str = "BAKERY_SKIP_MONGO";

/// The secret the test server signs access tokens with.
pub const JWT_SECRET: &str = "e2e-secret-e2e-secret-e2e-secret-e2e!";

/// The shop every test app runs: prices in EUR cents, delivery 3.00 below 50.00, 10 % tax,
/// 30 minutes of delivery on top of preparation.
pub const DELIVERY_FEE: i64 = 300;
pub const FREE_DELIVERY_ABOVE: i64 = 5000;
pub const TAX_RATE_BPS: i64 = 1000;
pub const DELIVERY_MINUTES: i64 = 30;

/// What a test may change about the server it starts.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Lifetime of access tokens (`JWT_EXPIRES_IN`); the server allows
    /// [`bakery_server::auth::LEEWAY_SECS`] of clock leeway on top. Expiry follows the
    /// app's clock, so with [`AppOptions::manual_clock`] a test expires tokens by moving it.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens (`JWT_REFRESH_EXPIRES_IN`).
    pub refresh_ttl: Duration,
    /// Run the use cases on a [`ManualClock`] (starting now) that the test moves with
    /// [`TestApp::advance`]: OTPs, access and refresh tokens, promotion windows and scheduled
    /// times follow it.
    pub manual_clock: bool,
    /// The sign-in rate limits. `None` (the default): limits no test reaches, since every
    /// test client shares 127.0.0.1 and tests sign in often. `Some(RateLimits::default())`
    /// keeps the seed's (5 attempts per 15 minutes per IP, 3 codes per hour per phone).
    pub rate_limits: Option<RateLimits>,
    /// Proxy trust, CORS and the HTTPS redirect (`TRUST_PROXY`, `CORS_ORIGINS`,
    /// `BAKERY_FORCE_HTTPS`); the default trusts no proxy, sends no CORS headers and serves
    /// plain http.
    pub http: HttpPolicy,
    /// The shop currency (`SHOP_CURRENCY`), ISO 4217.
    pub currency: &'static str,
    /// More settings, as an operator would set them: e.g. a [`crate::saas::StripeFake`]'s
    /// or [`crate::saas::FcmFake`]'s `env()`, so the server takes cards and pushes through
    /// them with its production adapters.
    pub env: Vec<(&'static str, String)>,
    /// `OTP_COUNTRIES`: the calling codes codes may be texted to (`"33,44"`); `None` allows
    /// any.
    pub otp_countries: Option<&'static str>,
    /// How many password hashes run and wait at once; the default is the server's.
    pub hashing: HashingLimits,
    /// Pictures in a bucket of its own on the S3-compatible server at
    /// `BAKERY_TEST_S3_URL` instead of files in a temp dir (the embedded default).
    pub s3: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 86_400),
            manual_clock: false,
            rate_limits: None,
            http: HttpPolicy::default(),
            currency: "eur",
            env: Vec::new(),
            otp_countries: None,
            hashing: HashingLimits::default(),
            s3: false,
        }
    }
}

/// A running server and what a test needs to look behind it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`: the server itself, for raw-HTTP tests.
    pub base_url: String,
    /// The contract-checking proxy in front of the server ([`crate::contract`]): the URL the
    /// harness's SDK clients use.
    pub sdk_url: String,
    /// What the proxy found that `openapi.json` does not say; the test fails on any.
    contract_violations: Arc<Mutex<Vec<String>>>,
    /// The address the server listens on.
    pub addr: SocketAddr,
    /// Every code the server "texted".
    pub sms: Arc<RecordingSms>,
    /// The application the server runs, for harness-level setup only (the first admin).
    pub bakery: Bakery,
    pub backend: Backend,
    /// The use cases' clock when started with [`AppOptions::manual_clock`].
    pub clock: Option<Arc<ManualClock>>,
    pub options: AppOptions,
    /// Where the server keeps pictures, to check what is left in it.
    pub images: Arc<dyn ImageStorage>,
    /// Starts the graceful shutdown; see [`TestApp::shut_down`].
    stop: Mutex<Option<oneshot::Sender<()>>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _data_dir: Option<tempfile::TempDir>,
    _media_dir: tempfile::TempDir,
}

/// Starts the server on `backend` with the default options; `None` only when the MongoDB half
/// is explicitly skipped with `BAKERY_SKIP_MONGO=1`.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, AppOptions::default()).await
}

/// Starts the server on `backend` with `options`.
pub async fn spawn_app_with(backend: Backend, options: AppOptions) -> Option<TestApp> {
    let (store, data_dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("bakery-e2e-")
                .tempdir()
                .expect("create a temp dir for the SQLite store");
            let store =
                bakery_core::adapters::sqlite::SqliteStore::open(dir.path().join("bakery.db"))
                    .await
                    .expect("open the SQLite store");
            (Store::from_adapter(store), Some(dir))
        }
        Backend::Mongo => {
            let uri = mongo_uri()?;
            let database = format!("e2e_{}", Id::generate());
            let store = bakery_core::adapters::mongo::MongoStore::connect(&uri, &database)
                .await
                .unwrap_or_else(|e| panic!("connect to {MONGO_URI_VAR}={uri}: {e:?}"));
            (Store::from_adapter(store), None)
        }
    };
    let config = config(&options);
    let media_dir = tempfile::Builder::new()
        .prefix("bakery-media-")
        .tempdir()
        .expect("create a temp dir for pictures");
    let (images, media): (Arc<dyn ImageStorage>, _) = if options.s3 {
        (Arc::new(s3_images().await), None)
    } else {
        let files = Arc::new(LocalImages::new(
            media_dir.path().join("media"),
            JWT_SECRET.as_bytes(),
            None,
        ));
        (files.clone(), Some(files))
    };
    let rate_limits = options.rate_limits.unwrap_or(config.rate_limits);
    let sms = Arc::new(RecordingSms::default());
    let mut bakery = Bakery::new(store, config.settings.clone())
        .with_sms(sms.clone())
        .with_push(config.push_sender().expect("the push settings are valid"))
        .with_payments(
            config
                .payment_provider()
                .expect("the payment settings are valid"),
        )
        .with_hashing(HashingPool::new(options.hashing))
        .with_images(images.clone());
    let clock = options.manual_clock.then(|| {
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        bakery = bakery.clone().with_clock(clock.clone());
        clock
    });
    let state = AppState::new(bakery.clone(), &config.jwt_secret, config.access_token_ttl)
        .with_rate_limits(rate_limits)
        .with_http_policy(options.http.clone())
        .with_media(media);
    // As the binary runs it: until a shutdown signal, then in-flight requests finish.
    let (stop, stopped) = oneshot::channel::<()>();
    let running = bakery_server::spawn_until(
        state,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        async move {
            let _ = stopped.await;
        },
        bakery_server::SHUTDOWN_GRACE,
    )
    .await
    .expect("start the server on 127.0.0.1:0");
    let (sdk_url, contract_violations) = crate::proxy::start(running.addr).await;
    Some(TestApp {
        base_url: format!("http://{}", running.addr),
        sdk_url,
        contract_violations,
        addr: running.addr,
        sms,
        bakery,
        backend,
        clock,
        options,
        images,
        stop: Mutex::new(Some(stop)),
        server: Some(running.handle),
        _data_dir: data_dir,
        _media_dir: media_dir,
    })
}

/// The shop's configuration through the server's own reader, as an operator would set it.
fn config(options: &AppOptions) -> Config {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("JWT_SECRET", JWT_SECRET.to_owned()),
        (
            "JWT_EXPIRES_IN",
            format!("{}s", options.access_ttl.as_secs()),
        ),
        (
            "JWT_REFRESH_EXPIRES_IN",
            format!("{}s", options.refresh_ttl.as_secs()),
        ),
        ("SHOP_NAME", "E2E Bakery".to_owned()),
        ("SHOP_CURRENCY", options.currency.to_owned()),
        ("DELIVERY_FEE", DELIVERY_FEE.to_string()),
        ("FREE_DELIVERY_ABOVE", FREE_DELIVERY_ABOVE.to_string()),
        ("TAX_RATE_BPS", TAX_RATE_BPS.to_string()),
        ("DELIVERY_MINUTES", DELIVERY_MINUTES.to_string()),
    ]);
    vars.extend(options.env.iter().cloned());
    if options.rate_limits.is_none() {
        vars.insert("AUTH_RATE_LIMIT", "10000/1m".to_owned());
        vars.insert("OTP_RATE_LIMIT", "10000/1m".to_owned());
        vars.insert("OTP_GLOBAL_LIMIT", "10000/1m".to_owned());
    }
    if let Some(countries) = options.otp_countries {
        vars.insert("OTP_COUNTRIES", countries.to_owned());
    }
    Config::from_lookup(|key| vars.get(key).cloned()).expect("the e2e configuration is valid")
}

/// The S3-compatible server (s3s-fs, which checks SigV4 signatures) the S3 tests run against,
/// and its keys; scripts/test.sh starts one and sets all three.
pub const S3_URL_VAR: &str = "BAKERY_TEST_S3_URL";
pub const S3_ACCESS_KEY_VAR: &str = "BAKERY_TEST_S3_ACCESS_KEY";
pub const S3_SECRET_KEY_VAR: &str = "BAKERY_TEST_S3_SECRET_KEY";
/// `1` skips the S3 tests (a quick local run; CI never sets it).
pub const SKIP_S3_VAR: &str = "BAKERY_SKIP_S3";

/// Whether the S3 tests can run: panics with instructions when the server is missing, unless
/// skipped explicitly (never under CI).
pub fn s3_available() -> bool {
    match std::env::var(S3_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => true,
        _ if std::env::var(SKIP_S3_VAR).as_deref() == Ok("1")
            && std::env::var("CI").as_deref() != Ok("true") =>
        {
            println!(
                "SKIPPED: {S3_URL_VAR} is not set and {SKIP_S3_VAR}=1; this S3 test did not run"
            );
            false
        }
        _ => panic!(
            "{S3_URL_VAR} is not set, so the picture tests cannot run on S3. Run scripts/test.sh, \
             which installs and starts s3s-fs, or start an S3-compatible server and set \
             {S3_URL_VAR}, {S3_ACCESS_KEY_VAR} and {S3_SECRET_KEY_VAR} (set {SKIP_S3_VAR}=1 to \
             skip them in a quick local run; CI never does)"
        ),
    }
}

/// A bucket of its own on the test S3 server.
async fn s3_images() -> bakery_core::adapters::s3_images::S3Images {
    use bakery_core::adapters::s3_images::{S3Images, S3Settings};
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set for the S3 tests"))
    };
    let settings = S3Settings {
        bucket: format!("e2e-{}", Id::generate()),
        region: Some("us-east-1".into()),
        endpoint: Some(var(S3_URL_VAR)),
        public_base_url: None,
    };
    let images = S3Images::with_static_credentials(
        &settings,
        &var(S3_ACCESS_KEY_VAR),
        &var(S3_SECRET_KEY_VAR),
    );
    images
        .ensure_bucket()
        .await
        .unwrap_or_else(|e| panic!("create the test bucket: {e:?}"));
    images
}

fn mongo_uri() -> Option<String> {
    match std::env::var(MONGO_URI_VAR) {
        Ok(uri) if !uri.trim().is_empty() => Some(uri),
        _ if std::env::var(SKIP_MONGO_VAR).as_deref() == Ok("1") => {
            println!(
                "SKIPPED: {MONGO_URI_VAR} is not set and {SKIP_MONGO_VAR}=1; this MongoDB test did not run"
            );
            None
        }
        _ => panic!(
            "{MONGO_URI_VAR} is not set, so the end-to-end tests cannot run on MongoDB. Run \
             scripts/test.sh, which installs and starts a MongoDB-compatible server, or start one \
             and set {MONGO_URI_VAR}=mongodb://127.0.0.1:PORT/?directConnection=true (set \
             {SKIP_MONGO_VAR}=1 to skip the MongoDB half in a quick local run; CI never does)"
        ),
    }
}

/// The phone and password of the admin [`TestApp::admin`] signs in as.
pub const ADMIN_PHONE: &str = "+33612345678";
pub const ADMIN_PASSWORD: &str = "rolling-pin-42";

/// The name, phone and password of the courier [`TestApp::courier`] signs in as.
pub const COURIER_NAME: &str = "Paul Courier";
pub const COURIER_PHONE: &str = "+33698765432";
pub const COURIER_PASSWORD: &str = "saddle-bag-77";

impl TestApp {
    /// The SQLite app's data directory (its `bakery.db`); `None` on MongoDB.
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self._data_dir.as_ref().map(tempfile::TempDir::path)
    }

    /// A fresh client without a session.
    pub fn client(&self) -> BakeryClient {
        BakeryClient::new(&self.sdk_url)
    }

    /// The answers so far that `openapi.json` does not describe (also checked when the app
    /// is dropped).
    pub fn contract_violations(&self) -> Vec<String> {
        self.contract_violations.lock().expect("violations").clone()
    }

    /// The newest code texted to `phone`; panics when none was sent.
    pub fn otp_for(&self, phone: &str) -> String {
        let phone = Phone::parse(phone).unwrap_or_else(|e| panic!("{phone}: {e}"));
        self.sms
            .last_code_for(&phone)
            .unwrap_or_else(|| panic!("no code was texted to {}", phone.as_str()))
    }

    /// How many codes were texted to `phone` so far.
    pub fn otps_sent_to(&self, phone: &str) -> usize {
        let phone = Phone::parse(phone).unwrap_or_else(|e| panic!("{phone}: {e}"));
        self.sms.sent().iter().filter(|(p, _)| *p == phone).count()
    }

    /// Signs a new customer up through the SDK (register, the texted code, verify-otp) and
    /// returns a client holding their tokens.
    pub async fn customer(&self, name: &str, phone: &str) -> BakeryClient {
        self.customer_session(name, phone).await.0
    }

    /// Like [`TestApp::customer`], also returning the token answer (user, expiry).
    pub async fn customer_session(
        &self,
        name: &str,
        phone: &str,
    ) -> (BakeryClient, types::TokenResponse) {
        let client = self.client();
        let api = client.api();
        api.register()
            .body_map(|b| b.name(name).phone(phone))
            .send()
            .await
            .unwrap_or_else(|e| panic!("register {phone}: {e:?}"));
        let otp = self.otp_for(phone);
        let answer = api
            .verify_otp()
            .body_map(|b| b.phone(phone).otp(otp.as_str()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("verify-otp {phone}: {e:?}"))
            .into_inner();
        client.set_tokens(Some(Tokens::from(&answer)));
        (client, answer)
    }

    /// Creates (or promotes) the shop's admin in the app's bakery — the `create-admin`
    /// command's use case — and signs in with the password through the SDK.
    pub async fn admin(&self) -> BakeryClient {
        self.create_admin().await;
        self.login_with_password(ADMIN_PHONE, ADMIN_PASSWORD).await
    }

    /// Creates (or promotes) the shop's admin, [`ADMIN_PHONE`] with [`ADMIN_PASSWORD`], in
    /// the app's bakery without signing in.
    pub async fn create_admin(&self) {
        let phone = Phone::parse(ADMIN_PHONE).expect("admin phone");
        self.bakery
            .create_staff("Olga Owner", &phone, ADMIN_PASSWORD, Role::Admin)
            .await
            .expect("create the admin");
    }

    /// Makes the account with `phone` an admin, as the operator's `create-admin` does for an
    /// existing customer.
    pub async fn create_staff_for(&self, phone: &str) {
        let phone = Phone::parse(phone).expect("phone");
        self.bakery
            .create_staff(
                "Promoted Customer",
                &phone,
                "promoted-password-1",
                Role::Admin,
            )
            .await
            .expect("promote the account");
    }

    /// Creates (or re-creates) the shop's courier, [`COURIER_NAME`] (role `delivery`), in the
    /// app's bakery — the `create-courier` command's use case — and signs in with the password
    /// through the SDK.
    pub async fn courier(&self) -> BakeryClient {
        let phone = Phone::parse(COURIER_PHONE).expect("courier phone");
        self.bakery
            .create_staff(COURIER_NAME, &phone, COURIER_PASSWORD, Role::Delivery)
            .await
            .expect("create the courier");
        self.login_with_password(COURIER_PHONE, COURIER_PASSWORD)
            .await
    }

    /// Signs in with a password through the SDK; panics when refused.
    pub async fn login_with_password(&self, phone: &str, password: &str) -> BakeryClient {
        let client = self.client();
        let answer = client
            .api()
            .login()
            .body_map(|b| {
                b.phone(phone)
                    .password(Some(password.try_into().expect("password")))
            })
            .send()
            .await
            .unwrap_or_else(|e| panic!("login {phone}: {e:?}"))
            .into_inner();
        client.set_tokens(Some(Tokens::from(&answer)));
        client
    }

    /// Moves the use cases' clock forward; panics unless started with a manual clock.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock
            .as_ref()
            .expect("start the app with AppOptions { manual_clock: true, .. } to move time")
            .advance(by);
    }

    /// Moves the clock just past the access tokens' lifetime plus the server's leeway, so
    /// every access token issued so far is refused; panics unless started with a manual clock.
    pub fn expire_access_tokens(&self) {
        let ttl = i64::try_from(self.options.access_ttl.as_secs()).expect("access ttl");
        self.advance(chrono::Duration::seconds(
            ttl + bakery_server::auth::LEEWAY_SECS,
        ));
    }

    /// Starts the graceful shutdown, as SIGTERM does to the binary: the server stops
    /// accepting connections and lets in-flight requests finish. Await
    /// [`TestApp::stopped`] for the end. Panics when called twice.
    pub fn shut_down(&self) {
        let stop = self.stop.lock().expect("stop sender").take();
        stop.expect("the server is shut down once")
            .send(())
            .expect("the server waits for its shutdown signal");
    }

    /// Waits for the server task to end (after [`TestApp::shut_down`]) and returns how it
    /// ended; panics when called twice.
    pub async fn stopped(&mut self) -> Result<std::io::Result<()>, tokio::task::JoinError> {
        self.server
            .take()
            .expect("the server task is awaited once")
            .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
        // A test that already failed says why itself; one that passed fails here when the
        // server answered something the contract does not describe.
        if !std::thread::panicking() {
            let violations = self.contract_violations();
            assert!(
                violations.is_empty(),
                "answers that openapi.json does not describe:\n{}",
                violations.join("\n")
            );
        }
    }
}
