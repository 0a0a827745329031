//! The benchmark's yardstick: a bare poem server answering every GET with the same bytes,
//! so that `scripts/bench.sh` can say how close the real server comes to doing nothing at all.
//!
//! ```sh
//! cargo run --release -p examples --example yardstick -- --port 4000 --file products.json
//! ```
//!
//! The answer carries what a cached catalog answer carries: the body read from `--file`, the
//! same content type, an `ETag` of the same shape, `Cache-Control: public, no-cache` and
//! `X-Cache: hit`.
//! Anything but GET gets 405.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{bail, Context};
use poem::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use poem::http::{HeaderValue, Method, StatusCode};
use poem::listener::TcpListener;
use poem::{Request, Response, Server};

const USAGE: &str = "usage: yardstick --port PORT --file BODY.json";

struct Args {
    port: u16,
    file: String,
}

fn args() -> anyhow::Result<Args> {
    let mut port = None;
    let mut file = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().context(USAGE)?;
                port = Some(
                    value
                        .parse()
                        .with_context(|| format!("bad port {value:?}"))?,
                );
            }
            "--file" => file = Some(it.next().context(USAGE)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    match (port, file) {
        (Some(port), Some(file)) => Ok(Args { port, file }),
        _ => bail!(USAGE),
    }
}

/// A strong tag of the same length as the server's (32 hex digits), from the bytes.
fn etag_of(body: &[u8]) -> String {
    let half = |seed: u64| {
        let mut h = DefaultHasher::new();
        seed.hash(&mut h);
        body.hash(&mut h);
        h.finish()
    };
    format!("\"{:016x}{:016x}\"", half(1), half(2))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    // Read once and kept for the life of the process: every answer borrows the same bytes.
    let body: &'static [u8] =
        Vec::leak(std::fs::read(&args.file).with_context(|| format!("reading {}", args.file))?);
    let etag = HeaderValue::from_str(&etag_of(body))?;

    let app = poem::endpoint::make_sync(move |req: Request| {
        if req.method() != Method::GET {
            return Response::builder()
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .finish();
        }
        Response::builder()
            .header(ETAG, etag.clone())
            .header(CACHE_CONTROL, HeaderValue::from_static("public, no-cache"))
            .header("x-cache", HeaderValue::from_static("hit"))
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )
            .body(body)
    });

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    eprintln!("yardstick: {} bytes on http://{addr}/", body.len());
    Server::new(TcpListener::bind(addr)).run(app).await?;
    Ok(())
}
