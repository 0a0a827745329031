//! HTTP itself: a 405 names what the route takes, and a request refused before its body
//! arrived does not break the keep-alive connection it came on.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::spawn_app;

#[tokio::test]
async fn method_not_allowed_names_the_allowed_methods() {
    let app = spawn_app().await;
    let answer = app
        .http
        .delete(app.url("/api/v1/users/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = answer
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut methods: Vec<&str> = allow.split(", ").collect();
    methods.sort_unstable();
    assert_eq!(methods, ["GET", "PUT"], "{allow:?}");
}

/// Reads one HTTP/1.1 response (headers and a `content-length` body) from `stream`.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer within 5 s")
            .expect("read");
        assert!(
            n > 0,
            "the server closed the connection: {}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&received).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn a_request_refused_before_its_body_keeps_the_connection_usable() {
    let app = spawn_app().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let body = r#"{"items":[],"deliveryAddress":{},"paymentDetails":{"method":"cash"}}"#;
    let head = format!(
        "POST /api/v1/orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer nope\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    // The body comes in a second packet, after the server could have answered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    let first = read_response(&mut stream).await;
    assert!(first.starts_with("HTTP/1.1 401"), "{first}");

    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let second = read_response(&mut stream).await;
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
}
