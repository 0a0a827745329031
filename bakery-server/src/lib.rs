//! The bakery's HTTP API: poem-openapi operations over [`bakery_core`], the one error body,
//! bearer authentication and the middleware around them.
//!
//! Tests and embedders start it in-process with [`spawn`]; the `bakery-server` binary wraps
//! the same pieces with configuration and a CLI.

// Handlers return `Result<_, ApiError>`, whose variants each hold the error body; errors are
// the cold path, so boxing them would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod catalog_cache;
pub mod config;
pub mod controllers;
pub mod demo_data;
#[cfg(test)]
mod deploy_check;
pub mod dto;
pub mod error;
pub mod error_code;
mod error_responses;
pub mod fleet;
pub mod idempotency;
pub mod middleware;
pub mod migrate;
pub mod sockets;
pub mod spec;
pub mod state;
pub mod store;
pub mod strict_json;
pub mod telemetry;
pub mod tickets;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::make_sync;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::CookieJarManager;
use poem::{Endpoint, EndpointExt, Route, Server};
use poem_openapi::{ContactObject, LicenseObject, OpenApiService, ServerObject};
use tokio::task::JoinHandle;

use crate::controllers::{
    admin::AdminApi, auth::AuthApi, board::BoardApi, catalog::CatalogApi, delivery::DeliveryApi,
    favorites::FavoritesApi, health::HealthApi, images::ImagesApi, kitchen::KitchenApi,
    notifications::NotificationsApi, orders::OrdersApi, payments::PaymentsApi,
    promotions::PromotionsApi, reviews::ReviewsApi, shop::ShopApi, tracking::TrackingApi,
    users::UsersApi,
};
pub use crate::state::AppState;

type Apis = (
    HealthApi,
    ShopApi,
    AuthApi,
    UsersApi,
    CatalogApi,
    FavoritesApi,
    ReviewsApi,
    OrdersApi,
    TrackingApi,
    PaymentsApi,
    NotificationsApi,
    PromotionsApi,
    AdminApi,
    // poem-openapi implements `OpenApi` for tuples of up to 16: the kitchen's views share one.
    (BoardApi, KitchenApi),
    DeliveryApi,
    ImagesApi,
);

/// `public_base_url` is the deployment's `PUBLIC_BASE_URL`; without one (the committed file,
/// a local run) the server is a template whose default is the local address.
fn service(public_base_url: Option<&str>) -> OpenApiService<Apis, ()> {
    let apis = (
        HealthApi,
        ShopApi,
        AuthApi,
        UsersApi,
        CatalogApi,
        FavoritesApi,
        ReviewsApi,
        OrdersApi,
        TrackingApi,
        PaymentsApi,
        NotificationsApi,
        PromotionsApi,
        AdminApi,
        (BoardApi, KitchenApi),
        DeliveryApi,
        ImagesApi,
    );
    let server = match public_base_url {
        Some(url) => ServerObject::new(url).description("This deployment"),
        None => spec::local_server(),
    };
    OpenApiService::new(apis, "Bakery API", "1.0.0")
        .description(include_str!("spec_description.md"))
        .contact(
            ContactObject::new()
                .name("Bakery engineering")
                .email("engineering@bakery.example"),
        )
        .license(LicenseObject::new("MIT OR Apache-2.0").url("https://spdx.org/licenses/MIT.html"))
        .server(server)
}

/// The OpenAPI document, exactly as committed in `openapi.json`.
pub fn api_spec() -> String {
    spec::finish(&service(None).spec())
}

/// The customer apps' OpenAPI document, exactly as committed in `openapi.customer.json`.
pub fn customer_api_spec() -> String {
    spec::customer_spec(&api_spec())
}

/// The whole HTTP application on `state`.
pub fn build_app(state: AppState) -> impl Endpoint {
    let service = service(state.http.public_base_url.as_deref());
    let spec = spec::finish(&service.spec());
    let docs = service.swagger_ui();
    let policy = Arc::new(state.http.clone());
    let cors = middleware::cors(&state.http.cors);
    let cors_enabled = cors.is_some();
    // One shared handle: the cache layer runs on every request, and a `Bakery` clone is some
    // thirty reference counts.
    let bakery = Arc::new(state.bakery.clone());
    let operations = Arc::new(spec::Operations::from_spec(&spec));
    let strict = Arc::new(strict_json::StrictJson::new(operations.clone()));
    Route::new()
        .nest("/", service)
        // The tracking socket beside the OpenAPI operations: OpenAPI 3.0 has no WebSocket.
        .at(
            "/api/v1/orders/:id/track/ws",
            poem::get(controllers::tracking::socket::track_socket),
        )
        .at(
            "/api/v1/admin/orders/stream",
            poem::get(controllers::board::socket::board_socket),
        )
        // Pictures stored by this server itself (no S3): uploads and their variants.
        .at(
            "/media/uploads/:id",
            poem::put(controllers::images::media::upload),
        )
        .at(
            "/media/images/*rest",
            poem::get(controllers::images::media::serve),
        )
        .at(
            "/api/v1/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .nest("/docs", docs)
        .around(move |next, req| strict_json::around(next, req, strict.clone()))
        .around(move |next, req| catalog_cache::around(next, req, bakery.clone()))
        .with(CookieJarManager::new())
        .data(state)
        .catch_all_error(error::catch_all)
        .around(move |next, req| spec::allow_on_405(next, req, operations.clone()))
        .with_if(cors_enabled, cors.unwrap_or_default())
        .around(middleware::same_origin)
        // CORS refusals, in the one error body.
        .catch_all_error(error::catch_all)
        .around(move |next, req| middleware::around(next, req, policy.clone()))
}

/// Ends a background task when its owner ends, however it ends (returned or aborted).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A running server: where it listens and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: JoinHandle<std::io::Result<()>>,
}

/// How long in-flight requests may take to finish once shutdown starts.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Binds `addr` (port 0 picks a free one) and serves in the background, with the outbox
/// worker beside it, until the task is dropped or aborted.
pub async fn spawn(state: AppState, addr: SocketAddr) -> std::io::Result<Running> {
    spawn_until(state, addr, std::future::pending(), SHUTDOWN_GRACE).await
}

/// Like [`spawn`], but when `signal` completes the server stops accepting connections and
/// lets in-flight requests finish for up to `grace`; then the task ends.
pub async fn spawn_until(
    state: AppState,
    addr: SocketAddr,
    signal: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<Running> {
    let acceptor = TcpListener::bind(addr).into_acceptor().await?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("listener has no socket address"))?;
    let bakery = state.bakery.clone();
    // Open sockets get their close frame (1001) before the HTTP server stops: they run
    // outside the connections its graceful shutdown waits for.
    let sockets = state.sockets.clone();
    let signal = async move {
        signal.await;
        sockets.close_all(sockets::CLOSE_WAIT).await;
    };
    let app = build_app(state);
    let handle = tokio::spawn(async move {
        // The outbox worker lives as long as the server: what is left undelivered at shutdown
        // stays in the store for the next start (or another instance).
        let outbox = bakery.clone();
        let _worker = AbortOnDrop(tokio::spawn(async move {
            outbox.run_outbox(std::future::pending()).await
        }));
        // Unpaid card orders are canceled at their deadline by whichever instance sees it
        // first; without card payments there is nothing to watch.
        // Upload slots nobody attached are swept with their files, by every instance.
        let sweeper = bakery.clone();
        let _sweeper = AbortOnDrop(tokio::spawn(async move {
            sweeper.run_upload_sweeper(std::future::pending()).await
        }));
        let _deadlines = bakery.card_payments_enabled().then(|| {
            AbortOnDrop(tokio::spawn(async move {
                bakery.run_payment_deadlines(std::future::pending()).await
            }))
        });
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, signal, Some(grace))
            .await
    });
    Ok(Running {
        addr: local,
        handle,
    })
}
