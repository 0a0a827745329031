//! A recording reverse proxy in front of the server under test: the SDK clients the harness
//! hands out talk through it, and it checks every answer against the contract
//! ([`crate::contract`]), keeping what does not match for the test to fail on.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use poem::http::{HeaderMap, StatusCode};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{handler, Body, EndpointExt, Request, Response, Route, Server};

struct Upstream {
    base: String,
    client: reqwest::Client,
    violations: Arc<Mutex<Vec<String>>>,
}

/// Starts the proxy for `server` on a loopback port; returns its URL and where the contract
/// violations it saw are kept.
pub async fn start(server: SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let violations = Arc::new(Mutex::new(Vec::new()));
    let upstream = Arc::new(Upstream {
        base: format!("http://{server}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("proxy client"),
        violations: violations.clone(),
    });
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind the proxy");
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .expect("proxy address");
    let app = Route::new().at("/*path", forward).data(upstream);
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    (format!("http://{addr}"), violations)
}

#[handler]
async fn forward(req: &Request, body: Body, upstream: Data<&Arc<Upstream>>) -> Response {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let body = body.into_bytes().await.unwrap_or_default();
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in req.headers() {
        if name != "host" && name != "content-length" {
            headers.append(name.clone(), value.clone());
        }
    }
    let sent = upstream
        .client
        .request(
            req.method().clone(),
            format!("{}{path_and_query}", upstream.base),
        )
        .headers(headers)
        .body(body.to_vec())
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(format!("proxy: {e}"))
        }
    };
    let status = answer.status();
    let answer_headers: HeaderMap = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    let content_type = answer_headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(violation) = crate::contract::check(
        req.method().as_str(),
        req.uri().path(),
        status.as_u16(),
        content_type,
        &bytes,
    ) {
        upstream.violations.lock().unwrap().push(violation);
    }
    let mut response = Response::builder().status(status);
    for (name, value) in &answer_headers {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response = response.header(name.clone(), value.clone());
        }
    }
    response.body(bytes.to_vec())
}
