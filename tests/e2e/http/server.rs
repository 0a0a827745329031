//! The server as a whole: the committed OpenAPI document and the graceful shutdown.

use std::time::Duration;

use bakery_e2e::Backend;

#[tokio::test]
async fn openapi_json_is_up_to_date() {
    let generated = bakery_server::api_spec();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi.json differs from what the server generates; rewrite it with:\n\n    \
         cargo run -p bakery-server -- openapi > openapi.json\n"
    );
}

#[tokio::test]
async fn openapi_customer_json_is_up_to_date() {
    let generated = bakery_server::customer_api_spec();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.customer.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi.customer.json differs from what the server generates; rewrite it with:\n\n    \
         cargo run -p bakery-server -- openapi --customer > openapi.customer.json\n"
    );
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut app = bakery_e2e::spawn_app(Backend::Sqlite)
        .await
        .expect("the SQLite app always starts");

    // A request whose body is still on its way when the shutdown starts.
    let body = r#"{"name":"Ada","phone":"+447700900123"}"#;
    let mut conn = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body.as_bytes()[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.shut_down();
    tokio::time::sleep(Duration::from_millis(100)).await;
    conn.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // Then the server is gone.
    tokio::time::timeout(Duration::from_secs(5), app.stopped())
        .await
        .expect("the server stops after its last request")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(app.addr).await.is_err());
}
