//! The bakery's HTTP API: poem-openapi operations over [`bakery_core`], the one error body,
//! bearer authentication and the middleware around them.
//!
//! Tests and embedders start it in-process with [`spawn`]; the `bakery-server` binary wraps
//! the same pieces with configuration and a CLI.

// Handlers return `Result<_, ApiError>`, whose variants each hold the error body; errors are
// the cold path, so boxing them would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod config;
pub mod controllers;
pub mod demo_data;
pub mod dto;
pub mod error;
pub mod middleware;
pub mod state;
pub mod store;
pub mod telemetry;

use std::net::SocketAddr;

use poem::endpoint::make_sync;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::middleware::CookieJarManager;
use poem::{Endpoint, EndpointExt, Route, Server};
use poem_openapi::OpenApiService;
use tokio::task::JoinHandle;

use crate::controllers::{
    admin::AdminApi, auth::AuthApi, catalog::CatalogApi, favorites::FavoritesApi,
    health::HealthApi, notifications::NotificationsApi, orders::OrdersApi,
    promotions::PromotionsApi, reviews::ReviewsApi, users::UsersApi,
};
pub use crate::state::AppState;

type Apis = (
    HealthApi,
    AuthApi,
    UsersApi,
    CatalogApi,
    FavoritesApi,
    ReviewsApi,
    OrdersApi,
    NotificationsApi,
    PromotionsApi,
    AdminApi,
);

fn service() -> OpenApiService<Apis, ()> {
    let apis = (
        HealthApi,
        AuthApi,
        UsersApi,
        CatalogApi,
        FavoritesApi,
        ReviewsApi,
        OrdersApi,
        NotificationsApi,
        PromotionsApi,
        AdminApi,
    );
    OpenApiService::new(apis, "Bakery API", "1.0.0")
        .description(
            "The bakery shop's API. Amounts are integers in the shop currency's minor unit; \
             ids are 24-hex strings; times are RFC 3339 UTC; every error has the body \
             `{code, message, details?}`.",
        )
        .server("/")
}

/// The OpenAPI document, exactly as committed in `openapi.json`.
pub fn api_spec() -> String {
    service().spec()
}

/// The whole HTTP application on `state`.
pub fn build_app(state: AppState) -> impl Endpoint {
    let service = service();
    let spec = service.spec();
    let docs = service.swagger_ui();
    Route::new()
        .nest("/", service)
        .at(
            "/api/v1/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .nest("/docs", docs)
        .with(CookieJarManager::new())
        .data(state)
        .catch_all_error(error::catch_all)
        .around(middleware::around)
}

/// A running server: where it listens and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: JoinHandle<std::io::Result<()>>,
}

/// Binds `addr` (port 0 picks a free one) and serves in the background.
pub async fn spawn(state: AppState, addr: SocketAddr) -> std::io::Result<Running> {
    let acceptor = TcpListener::bind(addr).into_acceptor().await?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("listener has no socket address"))?;
    let app = build_app(state);
    let handle = tokio::spawn(async move { Server::new_with_acceptor(acceptor).run(app).await });
    Ok(Running {
        addr: local,
        handle,
    })
}
