//! The end-to-end harness: the real Bakery server in-process on a random loopback port, on a
//! fresh SQLite file or a fresh MongoDB database, with the SMS port recorded so tests can read
//! the codes a phone would receive.
//!
//! Tests drive the server only through [`bakery_sdk`]; the harness itself touches bakery-core
//! for the two things no public API offers: creating the first admin and reading sent codes.
//! (Raw-HTTP tests, in the e2e crate's `http` module, use the same [`TestApp`] with a plain
//! HTTP client.) The e2e test `harness_example` runs this example (doc tests are off here):
//!
//! ```no_run
//! # async fn demo() {
//! use bakery_e2e::{spawn_app, Backend};
//! let Some(app) = spawn_app(Backend::Sqlite).await else { return };
//! let ada = app.customer("Ada", "+447700900001").await;
//! let me = ada.api().get_profile().send().await.unwrap();
//! assert_eq!(me.name, "Ada");
//! # }
//! ```
//!
//! MongoDB needs a server: `BAKERY_TEST_MONGODB_URI` (scripts/test.sh starts one and sets it).
//! Without it [`spawn_app`] panics with instructions, unless `BAKERY_SKIP_MONGO=1` opts out of
//! the MongoDB half for a quick local run (then it returns `None` and says so).

mod app;
pub mod contract;
pub mod errors;
pub mod fixtures;
mod proxy;
pub mod saas;

pub use app::{s3_available, S3_ACCESS_KEY_VAR, S3_SECRET_KEY_VAR, S3_URL_VAR, SKIP_S3_VAR};
pub use app::{
    spawn_app, spawn_app_with, AppOptions, Backend, TestApp, ADMIN_PASSWORD, ADMIN_PHONE,
    COURIER_NAME, DELIVERY_FEE, FREE_DELIVERY_ABOVE, JWT_SECRET, MONGO_URI_VAR, SKIP_MONGO_VAR,
    TAX_RATE_BPS,
};
pub use bakery_sdk::ResponseValue;
pub use bakery_sdk::{
    types, ApiError, BakeryClient, BoardWatcher, LiveError, OrderTracker, Tokens,
};
pub use bakery_server::state::{CorsOrigins, HttpPolicy, RateLimits};
pub use errors::{assert_error, assert_invalid, error_of};
