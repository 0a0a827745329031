//! The built `bakery` binary against the real server, started in-process on a random loopback
//! port by the shared harness. Each test has its own server and its own config directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use bakery_e2e::fixtures::{self, line, order_request};
use bakery_e2e::{
    spawn_app, spawn_app_with, AppOptions, Backend, TestApp, ADMIN_PASSWORD, ADMIN_PHONE,
};
use bakery_e2e::{types, BakeryClient};
use tokio::io::AsyncWriteExt;

const BIN: &str = env!("CARGO_BIN_EXE_bakery");

/// What one run of the binary printed.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    #[track_caller]
    fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "{self:#?}");
        self
    }

    #[track_caller]
    fn failed(&self, code: i32, error_code: &str) -> &Self {
        assert_eq!(self.code, code, "{self:#?}");
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!("error: {error_code}: ")),
            "want `error: {error_code}: ...`, got {self:#?}"
        );
        // One clear line, never a Rust debug dump.
        assert!(!self.stderr.contains("ErrorResponse"), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("--json printed no JSON ({e}): {self:#?}"))
    }
}

impl From<std::process::Output> for Out {
    fn from(out: std::process::Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The `bakery` command for one user: its own XDG config dir and HOME.
struct Cli {
    home: tempfile::TempDir,
    server: String,
}

impl Cli {
    fn new(server: &str) -> Self {
        Self {
            home: tempfile::tempdir().expect("temp home"),
            server: server.to_owned(),
        }
    }

    fn for_app(app: &TestApp) -> Self {
        Self::new(&app.base_url)
    }

    fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    fn token_file(&self, profile: &str) -> PathBuf {
        self.config_dir()
            .join("bakery")
            .join(format!("{profile}.json"))
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env("HOME", self.home.path())
            .env("BAKERY_URL", &self.server)
            .env_remove("BAKERY_PROFILE")
            .env_remove("BAKERY_PASSWORD")
            .env_remove("BAKERY_CURRENCY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Out {
        let out = tokio::time::timeout(Duration::from_secs(60), self.command(args).output())
            .await
            .unwrap_or_else(|_| panic!("bakery {args:?} did not finish in 60 s"))
            .expect("run bakery");
        Out::from(out)
    }

    async fn login_admin(&self, app: &TestApp) {
        // Creates the admin in the store (the harness' create-admin) and checks the SDK login.
        app.admin().await;
        self.login().await;
    }

    /// `bakery login` as the admin, who must exist already.
    async fn login(&self) {
        self.run(&[
            "login",
            "--phone",
            ADMIN_PHONE,
            "--password",
            ADMIN_PASSWORD,
        ])
        .await
        .ok();
    }

    /// `bakery login --otp` for `phone`, typing the code the server texts while it waits.
    async fn login_with_otp(&self, app: &TestApp, phone: &str) -> Out {
        let sent_before = app.otps_sent_to(phone);
        let mut child = self
            .command(&["login", "--phone", phone, "--otp"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("start bakery");
        let mut waited = 0;
        while app.otps_sent_to(phone) == sent_before {
            assert!(waited < 200, "no code was sent");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        let code = app.otp_for(phone);
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{code}\n").as_bytes())
            .await
            .expect("type the code");
        drop(stdin);
        let out = child.wait_with_output().await.expect("bakery ends");
        Out::from(out)
    }

    fn saved(&self, profile: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.token_file(profile)).expect("token file");
        serde_json::from_str(&text).expect("token file is JSON")
    }

    fn write_file(&self, name: &str, text: &str) -> PathBuf {
        self.write_bytes(name, text.as_bytes())
    }

    fn write_bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }
}

/// A `width` x `height` picture with some detail, encoded as `format`.
fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, format)
        .expect("encode a test picture");
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, image::ImageFormat::Png)
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, image::ImageFormat::Jpeg)
}

/// The id and every variant URL of each picture in an API `photos` array.
fn photos_of(value: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    value
        .as_array()
        .expect("a photos array")
        .iter()
        .map(|p| {
            let urls = p["variants"]
                .as_array()
                .expect("variants")
                .iter()
                .map(|v| v["url"].as_str().expect("url").to_owned())
                .collect();
            (p["id"].as_str().expect("id").to_owned(), urls)
        })
        .collect()
}

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite)
        .await
        .expect("the SQLite app always starts")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A customer's cash order for two croissants and a baguette.
async fn an_order(
    app: &TestApp,
    admin: &BakeryClient,
    phone: &str,
) -> (fixtures::Catalog, types::Order) {
    let catalog = fixtures::seed_catalog(admin).await;
    let customer = app.customer("Chloe Client", phone).await;
    let order = fixtures::place_order(
        &customer,
        order_request(vec![
            line(&catalog.croissant.id, 2),
            line(&catalog.baguette.id, 1),
        ]),
    )
    .await;
    (catalog, order)
}

// ---------------------------------------------------------------- sign-in

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_whoami_logout_and_a_private_token_file() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;

    let file = cli.token_file("default");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("token file exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "token file mode {mode:o}");
        let dir_mode = std::fs::metadata(file.parent().expect("dir"))
            .expect("dir")
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o077, 0, "config dir mode {dir_mode:o}");
    }
    let saved = cli.saved("default");
    assert_eq!(saved["server"], app.base_url.as_str());
    assert!(saved["tokens"]["access_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));

    let who = cli.run(&["whoami"]).await;
    who.ok();
    assert!(
        who.stdout.contains("Olga Owner") && who.stdout.contains("admin"),
        "{who:#?}"
    );
    let who = cli.run(&["--json", "whoami"]).await;
    assert_eq!(who.ok().json()["phone"], ADMIN_PHONE);

    // Profiles are separate sessions.
    cli.run(&["--profile", "other", "whoami"])
        .await
        .failed(3, "NOT_SIGNED_IN");

    cli.run(&["logout"]).await.ok();
    assert!(cli.saved("default").get("tokens").is_none());
    let after = cli.run(&["whoami"]).await;
    after.failed(3, "NOT_SIGNED_IN");
    assert!(after.stderr.contains("bakery login"), "{after:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_exit_3() {
    let app = app().await;
    app.admin().await;
    let cli = Cli::for_app(&app);
    let out = cli
        .run(&[
            "login",
            "--phone",
            ADMIN_PHONE,
            "--password",
            "not-the-password",
        ])
        .await;
    out.failed(3, "UNAUTHORIZED");
    assert!(out.stderr.contains("password"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    assert!(!cli.token_file("default").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_a_code_sent_by_sms() {
    let app = app().await;
    app.admin().await;
    let cli = Cli::for_app(&app);
    cli.login_with_otp(&app, ADMIN_PHONE).await.ok();
    cli.run(&["whoami"]).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_access_token_is_refreshed_transparently() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let before = cli.saved("default");
    let mut broken = before.clone();
    broken["tokens"]["access_token"] = "not.a.jwt".into();
    std::fs::write(cli.token_file("default"), broken.to_string()).expect("break the token");

    cli.run(&["whoami"]).await.ok();
    let after = cli.saved("default");
    assert_ne!(after["tokens"]["access_token"], "not.a.jwt");
    // Refresh tokens are single-use: the new pair was saved.
    assert_ne!(
        after["tokens"]["refresh_token"],
        before["tokens"]["refresh_token"]
    );
    cli.run(&["whoami"]).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_access_token_is_refreshed_transparently() {
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            access_ttl: Duration::from_secs(1),
            manual_clock: true,
            ..AppOptions::default()
        },
    )
    .await
    .expect("app");
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let before = cli.saved("default");
    // Past 1 s of lifetime plus the server's leeway, on the app's clock.
    app.expire_access_tokens();
    cli.run(&["whoami"]).await.ok();
    let after = cli.saved("default");
    assert_ne!(
        after["tokens"]["access_token"],
        before["tokens"]["access_token"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_is_reported_with_exit_7() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    drop(app);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = cli.run(&["whoami"]).await;
    out.failed(7, "CANNOT_CONNECT");
    assert!(out.stderr.contains("is it running"), "{out:#?}");
    // The session survives a server that is down.
    assert!(cli.saved("default")["tokens"].is_object());

    let nowhere = Cli::new("http://127.0.0.1:9");
    nowhere
        .run(&[
            "login",
            "--phone",
            ADMIN_PHONE,
            "--password",
            "whatever-it-is",
        ])
        .await
        .failed(7, "CANNOT_CONNECT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_are_not_staff() {
    let app = app().await;
    app.customer("Chloe Client", "+447700900001").await;
    let cli = Cli::for_app(&app);
    let login = cli.login_with_otp(&app, "+447700900001").await;
    assert!(login.ok().stderr.contains("not staff"), "{login:#?}");
    let refused = cli.run(&["orders", "list"]).await;
    assert_eq!(refused.code, 3, "{refused:#?}");
    assert!(refused.stderr.contains("staff"), "{refused:#?}");
}

// ---------------------------------------------------------------- catalog

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_list_create_update_delete() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;

    let created = cli
        .run(&[
            "--json",
            "categories",
            "create",
            "--name",
            "Breads",
            "--description",
            "Daily",
            "--order",
            "2",
        ])
        .await;
    let id = created.ok().json()["id"].as_str().expect("id").to_owned();
    let list = cli.run(&["categories", "list"]).await;
    assert!(list.ok().stdout.contains("Breads"), "{list:#?}");
    cli.run(&[
        "categories",
        "update",
        &id,
        "--name",
        "Loaves",
        "--order",
        "5",
    ])
    .await
    .ok();
    let list = cli.run(&["--json", "categories", "list"]).await;
    let items = list.ok().json();
    let found = items
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["id"] == id.as_str())
        .expect("listed")
        .clone();
    assert_eq!(
        (found["name"].as_str(), found["displayOrder"].as_i64()),
        (Some("Loaves"), Some(5))
    );
    assert_eq!(found["description"], "Daily");

    cli.run(&["categories", "create", "--name", ""])
        .await
        .failed(6, "INVALID_INPUT");

    // A hidden category is not listed, so an update has nothing to keep: every field must be
    // given, and it stays hidden.
    let hidden = cli
        .run(&[
            "--json",
            "categories",
            "create",
            "--name",
            "Staff meals",
            "--inactive",
        ])
        .await
        .ok()
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    cli.run(&["categories", "update", &hidden, "--name", "Staff lunch"])
        .await
        .failed(4, "NOT_FOUND");
    let renamed = cli
        .run(&[
            "--json",
            "categories",
            "update",
            &hidden,
            "--name",
            "Staff lunch",
            "--description",
            "",
            "--order",
            "9",
        ])
        .await
        .ok()
        .json();
    assert_eq!(
        (renamed["name"].as_str(), renamed["isActive"].as_bool()),
        (Some("Staff lunch"), Some(false))
    );
    cli.run(&["categories", "delete", &id]).await.ok();
    cli.run(&["categories", "delete", &id])
        .await
        .failed(4, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_list_show_create_update_delete() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    cli.run(&["categories", "create", "--name", "Viennoiseries"])
        .await
        .ok();

    let created = cli
        .run(&[
            "--json",
            "products",
            "create",
            "--name",
            "Croissant",
            "--category",
            "viennoiseries",
            "--price",
            "1.20",
            "--allergens",
            "gluten,milk",
            "--vegetarian",
            "true",
            "--stock",
            "30",
        ])
        .await;
    let product = created.ok().json();
    assert_eq!(product["price"], 120);
    assert_eq!(product["stock"], 30);
    let id = product["id"].as_str().expect("id").to_owned();
    cli.run(&[
        "products",
        "create",
        "--name",
        "Ham roll",
        "--category",
        "Viennoiseries",
        "--price",
        "4",
    ])
    .await
    .ok();

    let list = cli.run(&["products", "list", "--sort", "price-asc"]).await;
    list.ok();
    assert!(
        list.stdout.contains("1.20 EUR") && list.stdout.contains("4.00 EUR"),
        "{list:#?}"
    );
    let cheap = cli
        .run(&["--json", "products", "list", "--max-price", "2"])
        .await
        .ok()
        .json();
    assert_eq!(cheap["total"], 1);
    let veg = cli
        .run(&[
            "--json",
            "products",
            "list",
            "--vegetarian",
            "--exclude-allergen",
            "milk",
        ])
        .await
        .ok()
        .json();
    assert_eq!(veg["total"], 0, "{veg}");
    let found = cli
        .run(&["--json", "products", "list", "--search", "croisant"])
        .await
        .ok()
        .json();
    assert_eq!(found["items"][0]["name"], "Croissant", "{found}");
    let paged = cli
        .run(&["--json", "products", "list", "--limit", "1", "--page", "2"])
        .await
        .ok()
        .json();
    assert_eq!(
        (
            paged["page"].as_u64(),
            paged["items"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );

    let shown = cli.run(&["products", "show", &id]).await;
    assert!(shown.ok().stdout.contains("gluten, milk"), "{shown:#?}");
    cli.run(&[
        "products",
        "update",
        &id,
        "--price",
        "1.35",
        "--discount-price",
        "1.10",
    ])
    .await
    .ok();
    let shown = cli
        .run(&["--json", "products", "show", &id])
        .await
        .ok()
        .json();
    assert_eq!(
        (shown["price"].as_i64(), shown["discountPrice"].as_i64()),
        (Some(135), Some(110))
    );
    assert_eq!(
        shown["stock"], 30,
        "an update keeps what it does not change"
    );
    // A daily bake: set, shown with what is left today, then removed.
    cli.run(&["products", "update", &id, "--daily", "120"])
        .await
        .ok();
    let shown = cli
        .run(&["--json", "products", "show", &id])
        .await
        .ok()
        .json();
    assert_eq!(
        (shown["dailyQuantity"].as_u64(), shown["leftToday"].as_u64()),
        (Some(120), Some(120))
    );
    let shown = cli.run(&["products", "show", &id]).await;
    assert!(
        shown.ok().stdout.contains("120 a day, 120 left today"),
        "{shown:#?}"
    );
    cli.run(&["products", "update", &id, "--daily", "0"])
        .await
        .failed(6, "INVALID_INPUT");
    cli.run(&["products", "update", &id, "--daily", "none"])
        .await
        .ok();
    let shown = cli
        .run(&["--json", "products", "show", &id])
        .await
        .ok()
        .json();
    assert!(shown.get("dailyQuantity").is_none(), "{shown}");

    cli.run(&["products", "update", &id, "--price", "abc"])
        .await
        .failed(6, "INVALID_INPUT");
    cli.run(&[
        "products",
        "create",
        "--name",
        "X",
        "--category",
        "Nope",
        "--price",
        "1",
    ])
    .await
    .failed(4, "NOT_FOUND");
    cli.run(&["products", "delete", &id]).await.ok();
    cli.run(&["products", "show", &id])
        .await
        .failed(4, "NOT_FOUND");
    // A category still in use cannot go.
    cli.run(&[
        "categories",
        "delete",
        product["category"].as_str().expect("cat"),
    ])
    .await
    .failed(5, "CATEGORY_IN_USE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_prices_are_shown_in_the_shops_currency() {
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            currency: "gbp",
            ..AppOptions::default()
        },
    )
    .await
    .expect("app");
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    assert_eq!(
        cli.saved("default")["currency"],
        "GBP",
        "read from GET /shop at login"
    );
    cli.run(&["categories", "create", "--name", "Breads"])
        .await
        .ok();
    cli.run(&[
        "products",
        "create",
        "--name",
        "Bloomer",
        "--category",
        "Breads",
        "--price",
        "2.35",
    ])
    .await
    .ok();
    let list = cli.run(&["products", "list"]).await;
    list.ok();
    assert!(list.stdout.contains("2.35 GBP"), "{list:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_the_example_twice_updates_instead_of_duplicating() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/catalog.csv");

    let first = cli.run(&["products", "import", example]).await;
    assert!(
        first
            .ok()
            .stdout
            .contains("15 created, 0 updated, 0 failed"),
        "{first:#?}"
    );
    let second = cli.run(&["--json", "products", "import", example]).await;
    let summary = second.ok().json();
    assert_eq!(
        (summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(0), Some(15))
    );

    let all = cli
        .run(&["--json", "products", "list", "--limit", "100"])
        .await
        .ok()
        .json();
    assert_eq!(all["total"], 15);
    let cats = cli.run(&["--json", "categories", "list"]).await.ok().json();
    assert_eq!(cats.as_array().map(Vec::len), Some(4));

    // A JSON file in the API's spelling updates one and adds one.
    let json = cli.write_file(
        "more.json",
        r#"[{"name":"croissant","category":"viennoiseries","price":"1.25","isVegetarian":true,"allergens":["gluten","milk"]},
            {"name":"Kouign-amann","category":"Viennoiseries","price":2.8,"description":"Caramelised butter layers"}]"#,
    );
    let out = cli.run(&["products", "import", path_str(&json)]).await;
    assert!(
        out.ok().stdout.contains("1 created, 1 updated, 0 failed"),
        "{out:#?}"
    );
    let croissant = cli
        .run(&[
            "--json",
            "products",
            "list",
            "--search",
            "croissant",
            "--limit",
            "5",
        ])
        .await
        .ok()
        .json();
    let prices: Vec<_> = croissant["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("croissant"))
        })
        .map(|p| p["price"].as_i64())
        .collect();
    assert_eq!(prices, [Some(125)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_reported_by_number_and_field_and_strict_imports_nothing() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let file = cli.write_file(
        "bad.csv",
        "name,category,price,vegetarian,stock\n\
         Baguette,Breads,1.30,yes,\n\
         Rye,Breads,abc,yes,\n\
         ,Breads,2.00,maybe,\n\
         Brioche,Breads,5.50,no,-4\n\
         Sourdough,Breads,4.20,no,10\n",
    );

    let strict = cli
        .run(&["products", "import", path_str(&file), "--strict"])
        .await;
    strict.failed(6, "IMPORT_INVALID");
    for expected in [
        "row 2: price",
        "row 3: name",
        "row 3: vegetarian",
        "row 4: stock",
    ] {
        assert!(
            strict.stderr.contains(expected),
            "missing {expected:?}: {strict:#?}"
        );
    }
    let none = cli.run(&["--json", "products", "list"]).await.ok().json();
    assert_eq!(none["total"], 0, "--strict imported something");

    let lenient = cli.run(&["products", "import", path_str(&file)]).await;
    lenient.failed(6, "IMPORT_INCOMPLETE");
    assert!(
        lenient.stdout.contains("2 created, 0 updated, 3 failed"),
        "{lenient:#?}"
    );
    assert!(lenient.stderr.contains("row 2: price"), "{lenient:#?}");
    let some = cli.run(&["--json", "products", "list"]).await.ok().json();
    assert_eq!(some["total"], 2);

    let dry = cli
        .run(&["products", "import", path_str(&file), "--dry-run"])
        .await;
    assert!(dry.stdout.contains("2 valid row(s), 3 invalid"), "{dry:#?}");
    let txt = cli.write_file("catalog.txt", "x");
    cli.run(&["products", "import", path_str(&txt)])
        .await
        .failed(6, "INVALID_INPUT");
    let no_price = cli.write_file("cols.csv", "name,category\nA,B\n");
    cli.run(&["products", "import", path_str(&no_price)])
        .await
        .failed(6, "INVALID_INPUT");
}

// ---------------------------------------------------------------- pictures

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_pictures_are_added_listed_and_removed_and_a_category_gets_one() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let category = cli
        .run(&["--json", "categories", "create", "--name", "Viennoiseries"])
        .await
        .ok()
        .json()["id"]
        .as_str()
        .expect("category id")
        .to_owned();
    let product = cli
        .run(&[
            "--json",
            "products",
            "create",
            "--name",
            "Croissant",
            "--category",
            "Viennoiseries",
            "--price",
            "1.20",
        ])
        .await
        .ok()
        .json()["id"]
        .as_str()
        .expect("product id")
        .to_owned();
    let png_file = cli.write_bytes("croissant.png", &png(800, 600));
    let jpeg_file = cli.write_bytes("croissant-cut.jpg", &jpeg(300, 200));

    let added = cli
        .run(&[
            "products",
            "image",
            "add",
            &product,
            path_str(&png_file),
            path_str(&jpeg_file),
        ])
        .await;
    added.ok();
    // Each picture's sizes, width x height: 400 px on the long side, or the picture's own
    // size when it is smaller.
    for size in ["400x300", "800x600", "300x200"] {
        assert!(added.stdout.contains(size), "no {size}: {added:#?}");
    }
    assert!(added.stdout.contains("2 picture(s)"), "{added:#?}");

    let shown = cli
        .run(&["--json", "products", "show", &product])
        .await
        .ok()
        .json();
    let photos = photos_of(&shown["photos"]);
    assert_eq!(photos.len(), 2, "{shown:#}");
    for (id, urls) in &photos {
        assert!(added.stdout.contains(id.as_str()), "{added:#?}");
        assert!(!urls.is_empty());
        for url in urls {
            assert!(url.contains("/media/images/"), "{url}");
            // Printed in full, on the server when the API gave a path.
            let full = if url.starts_with('/') {
                format!("{}{url}", app.base_url.trim_end_matches('/'))
            } else {
                url.clone()
            };
            assert!(
                added.stdout.contains(&full),
                "{full} not printed: {added:#?}"
            );
        }
    }
    let table = cli.run(&["products", "show", &product]).await;
    assert!(table.ok().stdout.contains("pictures:"), "{table:#?}");

    // Remove the first; the second stays.
    let (first, second) = (photos[0].0.clone(), photos[1].0.clone());
    let removed = cli
        .run(&["products", "image", "rm", &product, &first])
        .await;
    assert!(removed.ok().stdout.contains(&first), "{removed:#?}");
    let left = cli
        .run(&["--json", "products", "show", &product])
        .await
        .ok()
        .json();
    let left: Vec<String> = photos_of(&left["photos"])
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(left, std::slice::from_ref(&second));
    cli.run(&["products", "image", "rm", &product, &first])
        .await
        .failed(4, "NOT_FOUND");

    // A text file named .png is sent, judged by the server and refused with its message.
    let fake = cli.write_file("notes.png", "this is not a picture, only words\n");
    let refused = cli
        .run(&["products", "image", "add", &product, path_str(&fake)])
        .await;
    refused.failed(6, "UNSUPPORTED_IMAGE");
    assert!(
        refused.stderr.contains("not a JPEG, PNG or WebP picture"),
        "{refused:#?}"
    );
    assert!(refused.stderr.contains("notes.png"), "{refused:#?}");
    // A file that is not there: nothing is sent, even for the good file before it.
    let missing = cli.home.path().join("nowhere.jpg");
    cli.run(&[
        "products",
        "image",
        "add",
        &product,
        path_str(&jpeg_file),
        path_str(&missing),
    ])
    .await
    .failed(1, "FILE_ERROR");
    let after = cli
        .run(&["--json", "products", "show", &product])
        .await
        .ok()
        .json();
    assert_eq!(photos_of(&after["photos"]).len(), 1, "{after:#}");
    // Adding to a product that has pictures prints only the new one.
    let one_more = cli
        .run(&["products", "image", "add", &product, path_str(&png_file)])
        .await;
    assert!(
        one_more.ok().stdout.contains("2 picture(s)"),
        "{one_more:#?}"
    );
    assert!(!one_more.stdout.contains(&second), "{one_more:#?}");
    cli.run(&[
        "products",
        "image",
        "add",
        "ffffffffffffffffffffffff",
        path_str(&png_file),
    ])
    .await
    .failed(4, "NOT_FOUND");
    let no_file = cli.run(&["products", "image", "add", &product]).await;
    assert_eq!(no_file.code, 2, "FILE is required: {no_file:#?}");

    // The category's one picture, replaced by the next.
    let set = cli
        .run(&["categories", "image", "set", &category, path_str(&png_file)])
        .await;
    assert!(set.ok().stdout.contains("400x300"), "{set:#?}");
    let category_photo = |list: serde_json::Value| {
        list.as_array()
            .expect("categories")
            .iter()
            .find(|c| c["id"] == category.as_str())
            .map(|c| c["photo"].clone())
            .expect("the category is listed")
    };
    let first_photo = category_photo(cli.run(&["--json", "categories", "list"]).await.ok().json());
    let again = cli
        .run(&[
            "--json",
            "categories",
            "image",
            "set",
            &category,
            path_str(&jpeg_file),
        ])
        .await
        .ok()
        .json();
    let second_photo = category_photo(cli.run(&["--json", "categories", "list"]).await.ok().json());
    assert_ne!(first_photo["id"], second_photo["id"]);
    assert_eq!(
        photos_of(&again),
        photos_of(&serde_json::json!([second_photo]))
    );
    cli.run(&["categories", "image", "set", &category, path_str(&fake)])
        .await
        .failed(6, "UNSUPPORTED_IMAGE");
    cli.run(&["categories", "image", "rm", &category])
        .await
        .ok();
    let none = category_photo(cli.run(&["--json", "categories", "list"]).await.ok().json());
    assert!(none.is_null(), "{none:#}");

    // A promotion's banner, the same way.
    let today = chrono::Local::now().date_naive();
    let (from, to) = (
        today.to_string(),
        (today + chrono::Days::new(30)).to_string(),
    );
    let promotion = cli
        .run(&[
            "--json",
            "promotions",
            "create",
            "--title",
            "Spring",
            "--type",
            "percentage",
            "--value",
            "10",
            "--from",
            &from,
            "--to",
            &to,
        ])
        .await
        .ok()
        .json()["id"]
        .as_str()
        .expect("promotion id")
        .to_owned();
    let banner = cli
        .run(&[
            "--json",
            "promotions",
            "image",
            "set",
            &promotion,
            path_str(&png_file),
        ])
        .await
        .ok()
        .json();
    assert_eq!(photos_of(&banner).len(), 1, "{banner:#}");
    cli.run(&["promotions", "image", "rm", &promotion])
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_uploads_picture_files_once_and_keeps_urls() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    cli.write_bytes("eclair.png", &png(500, 250));
    cli.write_bytes("eclair-top.jpg", &jpeg(120, 90));
    let file = cli.write_file(
        "pictures.csv",
        "name,category,price,images\n\
         Eclair,Pastries,2.40,eclair.png|https://cdn.example.com/eclair.jpg;eclair-top.jpg\n\
         Tart,Pastries,3.10,\n",
    );
    let first = cli.run(&["products", "import", path_str(&file)]).await;
    assert!(
        first
            .ok()
            .stdout
            .contains("2 created, 0 updated, 0 failed; 2 picture(s) uploaded, 0 refused"),
        "{first:#?}"
    );
    let eclair = |list: serde_json::Value| {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|p| p["name"] == "Eclair")
            .cloned()
            .expect("the eclair")
    };
    let listed = eclair(cli.run(&["--json", "products", "list"]).await.ok().json());
    assert_eq!(
        listed["images"],
        serde_json::json!(["https://cdn.example.com/eclair.jpg"])
    );
    assert_eq!(photos_of(&listed["photos"]).len(), 2, "{listed:#}");

    // Again: updated, the pictures not sent twice.
    let second = cli.run(&["products", "import", path_str(&file)]).await;
    assert!(
        second
            .ok()
            .stdout
            .contains("0 created, 2 updated, 0 failed."),
        "{second:#?}"
    );
    let listed = eclair(cli.run(&["--json", "products", "list"]).await.ok().json());
    assert_eq!(photos_of(&listed["photos"]).len(), 2, "{listed:#}");

    // A missing file is a row error found before anything is imported; a file that is not
    // a picture is refused by the server after its product is created.
    cli.write_file("menu.png", "words, not pixels");
    let bad = cli.write_file(
        "bad-pictures.csv",
        "name,category,price,images\n\
         Financier,Pastries,1.90,nowhere.png\n\
         Madeleine,Pastries,1.50,menu.png\n",
    );
    let strict = cli
        .run(&["products", "import", path_str(&bad), "--strict"])
        .await;
    strict.failed(6, "IMPORT_INVALID");
    assert!(strict.stderr.contains("row 1: images"), "{strict:#?}");
    let lenient = cli.run(&["products", "import", path_str(&bad)]).await;
    lenient.failed(6, "IMPORT_INCOMPLETE");
    assert!(
        lenient
            .stdout
            .contains("1 created, 0 updated, 1 failed; 0 picture(s) uploaded, 1 refused"),
        "{lenient:#?}"
    );
    assert!(
        lenient.stderr.contains("row 2: images") && lenient.stderr.contains("UNSUPPORTED_IMAGE"),
        "{lenient:#?}"
    );
}

// ---------------------------------------------------------------- promotions

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promotions_list_create_update_delete() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let today = chrono::Local::now().date_naive();
    let from = today.to_string();
    let to = (today + chrono::Days::new(30)).to_string();
    let created = cli
        .run(&[
            "--json",
            "promotions",
            "create",
            "--title",
            "Spring",
            "--description",
            "10% off everything",
            "--code",
            "SPRING10",
            "--type",
            "percentage",
            "--value",
            "10",
            "--from",
            &from,
            "--to",
            &to,
            "--usage-limit",
            "100",
        ])
        .await;
    let promo = created.ok().json();
    assert_eq!(
        (promo["code"].as_str(), promo["discountValue"].as_i64()),
        (Some("SPRING10"), Some(10))
    );
    let id = promo["id"].as_str().expect("id").to_owned();
    cli.run(&[
        "promotions",
        "create",
        "--title",
        "Two off",
        "--type",
        "fixed",
        "--value",
        "2.00",
        "--min-order",
        "15",
        "--from",
        &from,
        "--to",
        &to,
    ])
    .await
    .ok();

    let list = cli.run(&["promotions", "list"]).await;
    list.ok();
    assert!(
        list.stdout.contains("SPRING10") && list.stdout.contains("10%"),
        "{list:#?}"
    );
    assert!(
        list.stdout.contains("2.00 EUR") && list.stdout.contains("15.00 EUR"),
        "{list:#?}"
    );

    cli.run(&["promotions", "update", &id, "--value", "15", "--inactive"])
        .await
        .ok();
    let all = cli.run(&["--json", "promotions", "list"]).await.ok().json();
    let updated = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["id"] == id.as_str())
        .expect("listed")
        .clone();
    assert_eq!(
        (
            updated["discountValue"].as_i64(),
            updated["isActive"].as_bool()
        ),
        (Some(15), Some(false))
    );
    assert_eq!(updated["usageLimit"], 100);
    // The kept value would mean something else under another type (15 % -> 0.15 EUR).
    cli.run(&["promotions", "update", &id, "--type", "fixed"])
        .await
        .failed(6, "INVALID_INPUT");

    cli.run(&[
        "promotions",
        "create",
        "--title",
        "Bad",
        "--type",
        "percentage",
        "--value",
        "150",
        "--from",
        &from,
        "--to",
        &to,
    ])
    .await
    .failed(6, "INVALID_INPUT");
    cli.run(&["promotions", "delete", &id]).await.ok();
    cli.run(&["promotions", "update", &id, "--value", "5"])
        .await
        .failed(4, "NOT_FOUND");
}

// ---------------------------------------------------------------- orders

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_list_show_advance_assign_cancel() {
    let app = app().await;
    let admin = app.admin().await;
    let (catalog, order) = an_order(&app, &admin, "+447700900002").await;
    let cli = Cli::for_app(&app);
    cli.login().await;

    let list = cli.run(&["orders", "list"]).await;
    list.ok();
    assert!(
        list.stdout.contains(&order.id) && list.stdout.contains("placed"),
        "{list:#?}"
    );
    let by_status = cli
        .run(&["--json", "orders", "list", "--status", "placed,preparing"])
        .await
        .ok()
        .json();
    assert_eq!(by_status["total"], 1);
    let delivered = cli
        .run(&["--json", "orders", "list", "--status", "delivered"])
        .await
        .ok()
        .json();
    assert_eq!(delivered["total"], 0);
    let today = chrono::Local::now().date_naive();
    let by_day = cli
        .run(&[
            "--json",
            "orders",
            "list",
            "--from",
            &today.to_string(),
            "--to",
            &today.to_string(),
        ])
        .await
        .ok()
        .json();
    assert_eq!(by_day["total"], 1);
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let later = cli
        .run(&["--json", "orders", "list", "--from", &tomorrow])
        .await
        .ok()
        .json();
    assert_eq!(later["total"], 0);
    let by_phone = cli
        .run(&["--json", "orders", "list", "--phone", "+447700900002"])
        .await
        .ok()
        .json();
    assert_eq!(by_phone["total"], 1);
    let other_phone = cli
        .run(&["--json", "orders", "list", "--phone", "+447700900099"])
        .await
        .ok()
        .json();
    assert_eq!(other_phone["total"], 0);
    cli.run(&["orders", "list", "--from", "yesterday"])
        .await
        .failed(6, "INVALID_INPUT");

    let shown = cli.run(&["orders", "show", &order.id]).await;
    shown.ok();
    for expected in [
        "Croissant",
        "Baguette",
        "3.00 EUR",
        "total:",
        "history:",
        "placed",
        "courier:   not assigned",
    ] {
        assert!(
            shown.stdout.contains(expected),
            "missing {expected:?}: {shown:#?}"
        );
    }
    // 2 x 1.50 + 1.20 = 4.20, + 3.00 delivery + 10 % tax on the goods.
    assert!(shown.stdout.contains("4.20 EUR"), "{shown:#?}");
    let total = format!("{}.{:02} EUR", order.total / 100, order.total % 100);
    assert!(shown.stdout.contains(&total), "{shown:#?}");

    cli.run(&["orders", "advance", &order.id, "preparing"])
        .await
        .ok();
    // preparing -> delivered skips a step: the server's 409, shown clearly.
    let illegal = cli
        .run(&["orders", "advance", &order.id, "delivered"])
        .await;
    illegal.failed(5, "ILLEGAL_STATUS_CHANGE");
    cli.run(&[
        "orders",
        "assign",
        &order.id,
        "--name",
        "Sam Rider",
        "--phone",
        "+33698765432",
    ])
    .await
    .ok();
    cli.run(&["orders", "advance", &order.id, "out-for-delivery"])
        .await
        .ok();
    let shown = cli
        .run(&["--json", "orders", "show", &order.id])
        .await
        .ok()
        .json();
    assert_eq!(shown["orderStatus"], "out_for_delivery");
    assert_eq!(shown["deliveryPerson"]["name"], "Sam Rider");
    assert_eq!(shown["statusHistory"].as_array().map(Vec::len), Some(3));
    // Too late to cancel once it left the shop.
    cli.run(&["orders", "cancel", &order.id])
        .await
        .failed(5, "ILLEGAL_STATUS_CHANGE");

    let customer = app.customer("Dan Diner", "+447700900003").await;
    let second = fixtures::place_order(
        &customer,
        order_request(vec![line(&catalog.croissant.id, 1)]),
    )
    .await;
    let canceled = cli.run(&["orders", "cancel", &second.id]).await;
    assert!(canceled.ok().stdout.contains("canceled"), "{canceled:#?}");
    cli.run(&["orders", "show", "0123456789abcdef01234567"])
        .await
        .failed(4, "NOT_FOUND");
    assert_eq!(
        cli.run(&["orders", "advance", &second.id, "sideways"])
            .await
            .code,
        2
    );
}

/// Staff see which orders are collected at the counter, list them apart and move them
/// through the pickup statuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_show_and_move_a_pickup() {
    let app = app().await;
    let admin = app.admin().await;
    let (catalog, delivery) = an_order(&app, &admin, "+447700900021").await;
    let customer = app.customer("Pia Pickup", "+447700900022").await;
    let pickup = fixtures::place_order(
        &customer,
        types::PlaceOrderRequest {
            fulfilment: Some(types::Fulfilment::Pickup),
            delivery_address: None,
            ..order_request(vec![line(&catalog.croissant.id, 1)])
        },
    )
    .await;
    let cli = Cli::for_app(&app);
    cli.login().await;

    let pickups = cli
        .run(&["--json", "orders", "list", "--fulfilment", "pickup"])
        .await
        .ok()
        .json();
    assert_eq!(pickups["total"], 1);
    assert_eq!(pickups["items"][0]["id"], pickup.id.as_str());
    let list = cli.run(&["orders", "list"]).await;
    list.ok();
    assert!(list.stdout.contains("pickup at the counter"), "{list:#?}");
    assert!(list.stdout.contains("12 Rue de la Paix"), "{list:#?}");
    let deliveries = cli
        .run(&["--json", "orders", "list", "--fulfilment", "delivery"])
        .await
        .ok()
        .json();
    assert_eq!(deliveries["items"][0]["id"], delivery.id.as_str());

    let shown = cli.run(&["orders", "show", &pickup.id]).await;
    shown.ok();
    assert!(
        shown.stdout.contains("handover:  pickup at the counter"),
        "{shown:#?}"
    );
    assert!(!shown.stdout.contains("courier:"), "{shown:#?}");

    cli.run(&["orders", "advance", &pickup.id, "preparing"])
        .await
        .ok();
    cli.run(&["orders", "advance", &pickup.id, "out-for-delivery"])
        .await
        .failed(5, "ILLEGAL_STATUS_CHANGE");
    let ready = cli
        .run(&["orders", "advance", &pickup.id, "ready-for-pickup"])
        .await;
    assert!(ready.ok().stdout.contains("ready_for_pickup"), "{ready:#?}");
    let board = cli.run(&["orders", "board", "--once"]).await;
    board.ok();
    assert!(board.stdout.contains("READY FOR PICKUP (1)"), "{board:#?}");
    assert!(board.stdout.contains("[pickup]"), "{board:#?}");
    let done = cli
        .run(&["--json", "orders", "advance", &pickup.id, "picked_up"])
        .await
        .ok()
        .json();
    assert_eq!(done["orderStatus"], "picked_up");
    assert_eq!(done["fulfilment"], "pickup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kitchen_board_groups_open_orders_by_status() {
    let app = app().await;
    let admin = app.admin().await;
    let (catalog, first) = an_order(&app, &admin, "+447700900004").await;
    let customer = app.customer("Eve Eater", "+447700900005").await;
    let second = fixtures::place_order(
        &customer,
        order_request(vec![line(&catalog.creme_brulee.id, 3)]),
    )
    .await;
    let delivered = fixtures::place_order(
        &customer,
        order_request(vec![line(&catalog.baguette.id, 1)]),
    )
    .await;
    fixtures::advance(&admin, &second.id, &[types::OrderStatus::Preparing]).await;
    fixtures::deliver(&admin, &delivered.id).await;

    let cli = Cli::for_app(&app);
    cli.login().await;
    let board = cli.run(&["orders", "board", "--once"]).await;
    board.ok();
    let text = &board.stdout;
    let placed = text.find("PLACED (1)").expect("placed column");
    let preparing = text.find("PREPARING (1)").expect("preparing column");
    let out = text
        .find("OUT FOR DELIVERY (0)")
        .expect("out-for-delivery column");
    assert!(placed < preparing && preparing < out, "{text}");
    assert!(text[placed..preparing].contains("2x Croissant"), "{text}");
    assert!(text[preparing..out].contains("3x Crème brûlée"), "{text}");
    assert!(
        !text.contains(&delivered.id[delivered.id.len() - 6..]),
        "{text}"
    );
    assert!(text.contains(&first.id[first.id.len() - 6..]), "{text}");

    let json = cli
        .run(&["--json", "orders", "board", "--once"])
        .await
        .ok()
        .json();
    assert_eq!(json["placed"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["preparing"][0]["id"], second.id.as_str());
}

/// `orders watch` follows the order live and exits 0 once it is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_watch_follows_an_order_until_it_is_delivered() {
    let app = app().await;
    let admin = app.admin().await;
    let (_, order) = an_order(&app, &admin, "+447700900006").await;
    let cli = Cli::for_app(&app);
    cli.login().await;

    let child = cli
        .command(&["--json", "orders", "watch", &order.id])
        .spawn()
        .expect("start bakery");
    // The snapshot comes first; give the socket a moment to open before the changes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    fixtures::deliver(&admin, &order.id).await;
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("watch ends once the order is delivered")
        .expect("bakery ends");
    let out = Out::from(out);
    out.ok();
    let types: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON message per line");
            format!(
                "{}:{}",
                v["type"].as_str().unwrap_or("?"),
                v["status"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            "snapshot:placed",
            "status:preparing",
            "status:out_for_delivery",
            "status:delivered"
        ],
        "{out:#?}"
    );

    // Not a known order: exit 4.
    cli.run(&["orders", "watch", "0123456789abcdef01234567"])
        .await
        .failed(4, "NOT_FOUND");
}

/// Without a terminal the board prints a frame for each change the stream brings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_the_stream() {
    let app = app().await;
    let admin = app.admin().await;
    let (catalog, _) = an_order(&app, &admin, "+447700900007").await;
    let cli = Cli::for_app(&app);
    cli.login().await;
    // A long interval: only the stream can show the new order in time.
    let mut child = cli
        .command(&["orders", "board", "--interval", "3600"])
        .spawn()
        .expect("start bakery");
    let mut stdout = child.stdout.take().expect("stdout");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let customer = app.customer("Eve Eater", "+447700900008").await;
    fixtures::place_order(
        &customer,
        order_request(vec![line(&catalog.creme_brulee.id, 3)]),
    )
    .await;
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        loop {
            let n = stdout.read(&mut buf).await.expect("read the board");
            if n == 0 {
                return false;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if seen.contains("3x Crème brûlée") {
                return true;
            }
        }
    })
    .await;
    let _ = child.kill().await;
    assert_eq!(found, Ok(true), "{seen}");
    assert!(seen.contains("PLACED (2)"), "{seen}");
}

// ---------------------------------------------------------------- the kitchen

/// Tomorrow (the test shop's time zone is UTC) at `hour:minute`.
fn tomorrow_at(hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    (chrono::Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(hour, minute, 0)
        .expect("a time")
        .and_utc()
}

async fn schedule(
    customer: &BakeryClient,
    items: Vec<types::CartLine>,
    at: chrono::DateTime<chrono::Utc>,
) {
    let mut request = order_request(items);
    request.scheduled_delivery_time = Some(at);
    fixtures::place_order(customer, request).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prep_list_as_a_table_json_and_csv() {
    let app = app().await;
    let admin = app.admin().await;
    let catalog = fixtures::seed_catalog(&admin).await;
    let tart = fixtures::create_product(
        &admin,
        fixtures::product_input(&catalog.pastry.id, "Tarte \"maison\", 6 parts", 1800),
    )
    .await;
    let customer = app.customer("Paul Pastry", "+447700900011").await;
    schedule(
        &customer,
        vec![line(&catalog.croissant.id, 2)],
        tomorrow_at(10, 10),
    )
    .await;
    schedule(
        &customer,
        vec![
            line(&catalog.croissant.id, 1),
            line(&catalog.creme_brulee.id, 1),
        ],
        tomorrow_at(10, 20),
    )
    .await;
    schedule(
        &customer,
        vec![line(&catalog.baguette.id, 3), line(&tart.id, 1)],
        tomorrow_at(11, 0),
    )
    .await;
    let date = tomorrow_at(0, 0).format("%Y-%m-%d").to_string();
    let cli = Cli::for_app(&app);
    cli.login().await;

    let table = cli.run(&["kitchen", "prep", "--date", "tomorrow"]).await;
    table.ok();
    for expected in [
        format!("Prep list for {date} (UTC time): 3 order(s)"),
        "10:00-10:30".to_owned(),
        "11:00-11:30".to_owned(),
        "Crème brûlée".to_owned(),
        "Day total".to_owned(),
    ] {
        assert!(
            table.stdout.contains(&expected),
            "missing {expected:?}: {table:#?}"
        );
    }
    let croissants = table
        .stdout
        .lines()
        .filter(|l| l.contains("Croissant"))
        .map(|l| l.split_whitespace().last().unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(
        croissants,
        ["3", "3"],
        "the slot's and the day's: {table:#?}"
    );

    let json = cli
        .run(&["--json", "kitchen", "prep", "--date", &date])
        .await
        .ok()
        .json();
    assert_eq!(json["date"], date.as_str());
    assert_eq!(json["orders"], 3);
    assert_eq!(json["slots"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["totals"][1]["name"], "Croissant");
    assert_eq!(json["totals"][1]["quantity"], 3);

    let csv = cli
        .run(&["kitchen", "prep", "--date", &date, "--csv"])
        .await;
    csv.ok();
    let rows: Vec<&str> = csv.stdout.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(
        rows[0],
        "date,slot_start,slot_end,local_start,local_end,product_id,product,quantity,options,texts"
    );
    assert_eq!(rows.len(), 1 + 4, "one row per slot and product: {csv:#?}");
    assert!(
        rows[1].starts_with(&format!(
            "{date},{date}T10:00:00Z,{date}T10:30:00Z,10:00,10:30,"
        )),
        "{csv:#?}"
    );
    assert!(
        rows[1].ends_with(",Croissant,3,,") || rows[2].ends_with(",Croissant,3,,"),
        "{csv:#?}"
    );
    let quoted = format!("{},\"Tarte \"\"maison\"\", 6 parts\",1,,", tart.id);
    assert!(rows[4].ends_with(&quoted), "RFC 4180 quoting: {csv:#?}");

    cli.run(&["kitchen", "prep", "--date", "someday"])
        .await
        .failed(6, "INVALID_INPUT");
    cli.run(&["kitchen", "prep", "--date", "1999-12-31"])
        .await
        .failed(6, "VALIDATION_FAILED");
    cli.run(&["--json", "kitchen", "prep", "--csv"])
        .await
        .failed(6, "INVALID_INPUT");
}

/// Without a terminal, `--watch` prints the list again when an order comes in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prep_list_follows_the_orders_as_they_come() {
    let app = app().await;
    let admin = app.admin().await;
    let catalog = fixtures::seed_catalog(&admin).await;
    let customer = app.customer("Wanda Watcher", "+447700900012").await;
    schedule(
        &customer,
        vec![line(&catalog.croissant.id, 2)],
        tomorrow_at(9, 0),
    )
    .await;
    let cli = Cli::for_app(&app);
    cli.login().await;
    // A long interval: only the order stream can show the new order in time.
    let mut child = cli
        .command(&[
            "kitchen",
            "prep",
            "--date",
            "tomorrow",
            "--watch",
            "--interval",
            "3600",
        ])
        .spawn()
        .expect("start bakery");
    let mut stdout = child.stdout.take().expect("stdout");
    tokio::time::sleep(Duration::from_millis(500)).await;
    schedule(
        &customer,
        vec![line(&catalog.pain_au_chocolat.id, 4)],
        tomorrow_at(9, 40),
    )
    .await;
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        loop {
            let n = stdout.read(&mut buf).await.expect("read the list");
            if n == 0 {
                return false;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if seen.contains("Pain au chocolat") {
                return true;
            }
        }
    })
    .await;
    let _ = child.kill().await;
    assert_eq!(found, Ok(true), "{seen}");
    assert!(seen.contains("1 order(s)"), "the first list: {seen}");
    assert!(seen.contains("2 order(s)"), "the list again: {seen}");
}

// ---------------------------------------------------------------- the command itself

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_for_bash_zsh_and_fish() {
    let cli = Cli::new("http://127.0.0.1:9");
    for shell in ["bash", "zsh", "fish"] {
        let out = cli.run(&["completions", shell]).await;
        out.ok();
        assert!(
            out.stdout.contains("bakery") && out.stdout.contains("import"),
            "{shell}: {out:#?}"
        );
    }
    let bad = cli.run(&["completions", "powershell-ish"]).await;
    assert_eq!(bad.code, 2, "{bad:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_has_help_with_an_example() {
    let cli = Cli::new("http://127.0.0.1:9");
    let commands: &[&[&str]] = &[
        &[],
        &["login"],
        &["logout"],
        &["whoami"],
        &["categories"],
        &["categories", "list"],
        &["categories", "create"],
        &["categories", "update"],
        &["categories", "delete"],
        &["products"],
        &["products", "list"],
        &["products", "show"],
        &["products", "create"],
        &["products", "update"],
        &["products", "delete"],
        &["products", "import"],
        &["products", "image"],
        &["products", "image", "add"],
        &["products", "image", "rm"],
        &["categories", "image"],
        &["categories", "image", "set"],
        &["categories", "image", "rm"],
        &["promotions", "image"],
        &["promotions", "image", "set"],
        &["promotions", "image", "rm"],
        &["promotions"],
        &["promotions", "list"],
        &["promotions", "create"],
        &["promotions", "update"],
        &["promotions", "delete"],
        &["orders"],
        &["orders", "list"],
        &["orders", "show"],
        &["orders", "advance"],
        &["orders", "cancel"],
        &["orders", "assign"],
        &["orders", "board"],
        &["orders", "watch"],
        &["kitchen"],
        &["kitchen", "prep"],
        &["completions"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = cli.run(&args).await;
        out.ok();
        assert!(
            out.stdout.contains("Example"),
            "{command:?} --help has no example: {out:#?}"
        );
    }
    let top = cli.run(&["--help"]).await;
    assert!(top.stdout.contains("Exit codes"), "{top:#?}");
    // Usage errors are clap's exit code 2.
    assert_eq!(cli.run(&["orders", "advance"]).await.code, 2);
    assert_eq!(cli.run(&["frobnicate"]).await.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_show_the_card_payment_and_its_refund() {
    let stripe = bakery_e2e::saas::StripeFake::start().await;
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            env: stripe.env(),
            ..AppOptions::default()
        },
    )
    .await
    .expect("the SQLite app always starts");
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    let admin = app.admin().await;
    let catalog = fixtures::seed_catalog(&admin).await;
    let customer = app.customer("Carla Card", "+447700900911").await;
    let mut request = order_request(vec![line(&catalog.croissant.id, 2)]);
    request.payment_details.method = types::PaymentMethod::Card;
    let order = fixtures::place_order(&customer, request).await;
    let body = || types::PaymentOrderRequest {
        order_id: fixtures::v(&order.id),
    };
    let intent = customer
        .api()
        .create_payment_intent()
        .body(body())
        .send()
        .await
        .expect("intent")
        .into_inner();
    stripe.succeed(&intent.payment_intent_id);
    customer
        .api()
        .confirm_payment()
        .body(body())
        .send()
        .await
        .expect("confirm");

    let paid = cli.run(&["orders", "show", &order.id]).await;
    paid.ok();
    assert!(
        paid.stdout.contains("payment:   card (completed)"),
        "{paid:#?}"
    );
    assert!(
        paid.stdout
            .contains(&format!("intent:    {}", intent.payment_intent_id)),
        "{paid:#?}"
    );

    cli.run(&["orders", "cancel", &order.id]).await.ok();
    let mut waited = 0;
    let shown = loop {
        let shown = cli.run(&["orders", "show", &order.id]).await;
        if shown.stdout.contains("(refunded)") {
            break shown;
        }
        assert!(waited < 100, "no refund after 10 s: {shown:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    };
    assert!(shown.stdout.contains("refund:    re_"), "{shown:#?}");
    assert_eq!(stripe.refunds(), [(intent.payment_intent_id, order.total)]);
}

// ---------------------------------------------------------------- shop hours

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_hours_show_and_set() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    // Public: shown before anyone signs in.
    let shown = cli.run(&["shop", "hours", "show"]).await;
    assert!(shown.ok().stdout.contains("Open always"), "{shown:#?}");

    cli.login_admin(&app).await;
    let set = cli
        .run(&[
            "shop",
            "hours",
            "set",
            "--mon",
            "08:00-13:00,15:00-19:00",
            "--sat",
            "08:00-12:00",
            "--closed",
            "2030-12-25",
            "--special",
            "2030-12-24=08:00-12:00",
        ])
        .await;
    let out = &set.ok().stdout;
    assert!(out.contains("08:00-13:00, 15:00-19:00"), "{set:#?}");
    assert!(out.contains("2030-12-25"), "{set:#?}");

    let json = cli.run(&["--json", "shop", "hours", "show"]).await;
    let hours = json.ok().json();
    assert_eq!(hours["alwaysOpen"], false);
    assert_eq!(hours["tuesday"], serde_json::json!([]));
    assert_eq!(hours["exceptions"][0]["date"], "2030-12-24");

    // The whole document from a file; the server names a bad range.
    let file = cli.write_file(
        "hours.json",
        r#"{"monday": [{"start": "13:00", "end": "08:00"}], "tuesday": [], "wednesday": [],
            "thursday": [], "friday": [], "saturday": [], "sunday": []}"#,
    );
    let refused = cli
        .run(&["shop", "hours", "set", "--file", path_str(&file)])
        .await;
    refused.failed(6, "VALIDATION_FAILED");
    assert!(refused.stderr.contains("monday[0].end"), "{refused:#?}");
    let bad = cli.run(&["shop", "hours", "set", "--mon", "8-13"]).await;
    bad.failed(6, "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_zones_show_set_and_clear() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    let shown = cli.run(&["shop", "zones", "show"]).await;
    assert!(shown.ok().stdout.contains("No zones"), "{shown:#?}");

    cli.login_admin(&app).await;
    let file = cli.write_file(
        "zones.json",
        r#"{"shopLocation": {"lat": 48.8566, "lng": 2.3522},
            "zones": [{"name": "Centre", "postcodes": ["75001", "75002"], "radiusMeters": 2000,
                       "fee": 250, "freeDeliveryAbove": 3000},
                      {"name": "Paris", "postcodes": ["750*"], "fee": 490,
                       "minimumOrder": 2000, "extraMinutes": 15}]}"#,
    );
    let set = cli
        .run(&["shop", "zones", "set", "--file", path_str(&file)])
        .await;
    let out = &set.ok().stdout;
    assert!(
        out.contains("Centre") && out.contains("75001 75002"),
        "{set:#?}"
    );
    assert!(
        out.contains("2.0 km") && out.contains("2.50 EUR"),
        "{set:#?}"
    );
    assert!(
        out.contains("20.00 EUR") && out.contains("+15 min"),
        "{set:#?}"
    );

    let json = cli.run(&["--json", "shop", "zones", "show"]).await;
    let area = json.ok().json();
    assert_eq!(area["deliversAnywhere"], false);
    assert_eq!(area["zones"][1]["postcodes"][0], "750*");

    // The server names what cannot hold: a radius with no shop to measure it from.
    let file = cli.write_file(
        "ring.json",
        r#"{"zones": [{"name": "Ring", "radiusMeters": 1000, "fee": 100}]}"#,
    );
    let refused = cli
        .run(&["shop", "zones", "set", "--file", path_str(&file)])
        .await;
    refused.failed(6, "VALIDATION_FAILED");
    assert!(refused.stderr.contains("shopLocation"), "{refused:#?}");

    let cleared = cli.run(&["shop", "zones", "clear"]).await;
    assert!(cleared.ok().stdout.contains("No zones"), "{cleared:#?}");
}

/// A cake's options come from a file, survive an update that does not name them and a
/// re-import, and show on the product, the order and the prep list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_options_from_a_file_show_on_the_order_and_the_prep_list() {
    let app = app().await;
    let cli = Cli::for_app(&app);
    cli.login_admin(&app).await;
    cli.run(&["categories", "create", "--name", "Cakes"])
        .await
        .ok();
    let options = cli.write_file(
        "cake-options.json",
        r#"[{"key": "size", "label": "Size", "minChoices": 1, "maxChoices": 1,
             "options": [{"key": "6", "label": "6 portions"},
                         {"key": "10", "label": "10 portions", "priceDelta": 1400}]},
            {"key": "message", "label": "Message on the cake", "kind": "text", "maxLength": 40}]"#,
    );
    let created = cli
        .run(&[
            "--json",
            "products",
            "create",
            "--name",
            "Birthday cake",
            "--category",
            "Cakes",
            "--price",
            "24",
            "--options-file",
            path_str(&options),
        ])
        .await
        .ok()
        .json();
    assert_eq!(created["optionGroups"][0]["options"][1]["priceDelta"], 1400);
    let id = created["id"].as_str().expect("id").to_owned();
    let updated = cli
        .run(&["--json", "products", "update", &id, "--price", "26"])
        .await
        .ok()
        .json();
    assert_eq!(
        updated["optionGroups"], created["optionGroups"],
        "an update keeps them"
    );
    let csv = cli.write_file("cakes.csv", "name,category,price\nBirthday cake,Cakes,25\n");
    cli.run(&["products", "import", path_str(&csv)]).await.ok();
    let shown = cli.run(&["products", "show", &id]).await;
    shown.ok();
    assert!(
        shown
            .stdout
            .contains("Size (size, required, pick 1): 6 portions [6], 10 portions [10] +14.00")
            && shown
                .stdout
                .contains("Message on the cake (message, optional, text up to 40 characters)"),
        "the import kept them: {shown:#?}"
    );
    let broken = cli.write_file("broken.json", r#"{"key": "size"}"#);
    cli.run(&[
        "products",
        "update",
        &id,
        "--options-file",
        path_str(&broken),
    ])
    .await
    .failed(6, "INVALID_INPUT");

    let customer = app.customer("Cake Lover", "+447700900031").await;
    let mut cake = line(&id, 1);
    cake.options = serde_json::from_value(serde_json::json!([
        {"group": "size", "choices": ["10"]},
        {"group": "message", "text": "Happy birthday"}
    ]))
    .expect("options");
    let mut request = order_request(vec![cake]);
    request.scheduled_delivery_time = Some(tomorrow_at(15, 0));
    let order = fixtures::place_order(&customer, request).await;
    assert_eq!(order.items[0].price, 2500 + 1400);
    let shown = cli.run(&["orders", "show", &order.id]).await;
    shown.ok();
    assert!(
        shown.stdout.contains("Size: 10 portions (+14.00")
            && shown
                .stdout
                .contains("Message on the cake: \"Happy birthday\""),
        "{shown:#?}"
    );
    let prep = cli.run(&["kitchen", "prep", "--date", "tomorrow"]).await;
    prep.ok();
    assert!(
        prep.stdout.contains("Birthday cake (10 portions)")
            && prep
                .stdout
                .contains("1x Message on the cake: \"Happy birthday\""),
        "{prep:#?}"
    );
    let csv = cli
        .run(&["kitchen", "prep", "--date", "tomorrow", "--csv"])
        .await;
    csv.ok();
    assert!(
        csv.stdout.contains(
            ",Birthday cake,1,Size: 10 portions,\"1x Message on the cake: \"\"Happy birthday\"\"\""
        ),
        "{csv:#?}"
    );
}
