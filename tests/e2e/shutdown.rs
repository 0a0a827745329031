//! A stopping server says goodbye: on SIGTERM, a real `bakery-server` process sends its open
//! tracking and board sockets a close frame 1001 (going away) before it exits, so apps
//! reconnect instead of seeing a dropped connection.

use std::time::Duration;

use bakery_e2e::fixtures::{
    category_input, create_category, create_product, line, order_request, place_order,
    product_input, v,
};
use bakery_e2e::{BakeryClient, Tokens};
use futures::StreamExt;
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::fleet::{server_binary, spawn_listening};
use crate::tracking::{connect, next, open_at, Socket};

const ADMIN_PHONE: &str = "+33612345672";
const ADMIN_PASSWORD: &str = "shutdown-password-1";

fn command(binary: &str, data: &std::path::Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PORT", "0")
        .env("BAKERY_DATA_DIR", data)
        .env("JWT_SECRET", "shutdown-secret-shutdown-secret-shutdown")
        .env("OTP_SECRET", "shutdown-otp-secret-0123")
        .kill_on_drop(true);
    command
}

/// The next frame that is not a ping or pong: what the server sends after its messages.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the socket ends within 10 s of SIGTERM");
        match frame {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(close))) => return close.map(|c| u16::from(c.code)),
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_get_1001_when_the_server_stops() {
    let binary = server_binary();
    let data = tempfile::tempdir().expect("temp dir");
    let out = command(&binary, data.path())
        .args([
            "create-admin",
            "--name",
            "Stop Admin",
            "--phone",
            ADMIN_PHONE,
        ])
        .args(["--password", ADMIN_PASSWORD])
        .output()
        .await
        .expect("run create-admin");
    assert!(out.status.success(), "create-admin failed: {out:?}");

    let (mut server, port) = spawn_listening(command(&binary, data.path())).await;
    let url = format!("http://127.0.0.1:{port}");
    let token = BakeryClient::new(&url)
        .api()
        .login()
        .body_map(|body| body.phone(ADMIN_PHONE).password(Some(v(ADMIN_PASSWORD))))
        .send()
        .await
        .expect("the admin signs in")
        .into_inner()
        .access_token;
    let staff = BakeryClient::with_tokens(
        &url,
        Tokens {
            access_token: token.clone(),
            refresh_token: String::new(),
        },
    );
    let category = create_category(&staff, category_input("Breads", 1)).await;
    let bread = create_product(&staff, product_input(&category.id, "Baguette", 120)).await;
    let order = place_order(&staff, order_request(vec![line(&bread.id, 1)])).await;

    let mut tracking = open_at(&url, &order.id, Some(&token))
        .await
        .expect("tracking socket opened");
    next(&mut tracking).await;
    let mut request = format!("ws://127.0.0.1:{port}/api/v1/admin/orders/stream")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let mut board = connect(request).await.expect("board socket opened");
    let snapshot = tokio::time::timeout(Duration::from_secs(5), board.next())
        .await
        .expect("the board's snapshot within 5 s");
    assert!(
        matches!(snapshot, Some(Ok(Message::Text(_)))),
        "{snapshot:?}"
    );

    let pid = server.id().expect("the server runs").to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("run kill");
    assert!(killed.success());

    assert_eq!(
        close_code(&mut tracking).await,
        Some(1001),
        "tracking socket"
    );
    assert_eq!(close_code(&mut board).await, Some(1001), "board socket");
    let status = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("the server exits after its goodbyes")
        .expect("reaped");
    assert!(status.success(), "graceful exit: {status:?}");
}
