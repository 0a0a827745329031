//! Public catalog reads answered from the catalog cache: the finished response bytes, keyed
//! by the normalised request, with an `ETag` and `If-None-Match` revalidation.
//!
//! It sits in front of the operations, so handlers and the contract stay as they are. What
//! each route depends on is declared here once ([`policy`]); the product ids of a listing
//! are read from the answer itself when it is computed (the miss path), so a sale of one
//! product invalidates the listings that show it and leaves the rest of the cache alone.

use std::sync::Arc;
use std::time::Duration;

use bakery_core::domain::Id;
use bakery_core::ports::{CacheHealth, CacheScope, CachedAnswer, CatalogCache};
use bytes::Bytes;
use poem::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use poem::http::{HeaderMap, HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response, Result};
use sha2::{Digest, Sha256};

/// The seed's TTL: a safety net only, answers go out of date through their generations.
pub const SAFETY_NET_TTL: Duration = Duration::from_secs(600);

/// "Running now" changes with the clock as well as with writes: promotions start and end
/// without anyone writing, so their answer is kept briefly.
const PROMOTIONS_TTL: Duration = Duration::from_secs(15);

/// Apps and CDNs may keep a copy but must revalidate it (a 304 costs a few bytes).
const CACHE_CONTROL_VALUE: &str = "public, no-cache";

const JSON: &str = "application/json; charset=utf-8";

/// What a cached route's answer depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Policy {
    scopes: Vec<CacheScope>,
    /// The answer lists products (or is one): each one's counters matter.
    lists_products: bool,
    ttl: Duration,
}

fn policy(path: &str, query: &str) -> Option<Policy> {
    let rest = path.strip_prefix("/api/v1/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let catalog = |ranking: bool| Policy {
        scopes: if ranking {
            vec![CacheScope::Catalog, CacheScope::Ranking]
        } else {
            vec![CacheScope::Catalog]
        },
        lists_products: true,
        ttl: SAFETY_NET_TTL,
    };
    let ranked_sort = query
        .split('&')
        .any(|pair| matches!(pair, "sort=rating" | "sort=popularity"));
    match segments.as_slice() {
        // `/shop` is not here: its `openNow` changes with the clock, not with a write.
        ["shop", "hours"] | ["categories"] => Some(Policy {
            scopes: vec![CacheScope::Catalog],
            lists_products: false,
            ttl: SAFETY_NET_TTL,
        }),
        ["promotions"] | ["promotions", ""] => Some(Policy {
            scopes: vec![CacheScope::Promotions],
            lists_products: false,
            ttl: PROMOTIONS_TTL,
        }),
        ["products"] | ["products", "featured"] | ["products", "search"] => {
            Some(catalog(ranked_sort))
        }
        ["products", "popular"] => Some(catalog(true)),
        ["categories", _, "products"] => Some(catalog(ranked_sort)),
        // Reviews of a product are not a catalog read: they change with every review.
        ["products", id] if id.len() == 24 => Some(catalog(false)),
        _ => None,
    }
}

/// The key: path plus the query pairs in a fixed order, so that `?a=1&b=2` and `?b=2&a=1`
/// share one entry.
fn cache_key(path: &str, query: &str) -> String {
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    let mut key = String::with_capacity(path.len() + query.len() + 1);
    key.push_str(path);
    key.push('?');
    key.push_str(&pairs.join("&"));
    key
}

/// A strong tag derived from the bytes, so every instance tags the same answer alike.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `If-None-Match` holds `*` or a list of (possibly weak) tags.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// The ids of the products an answer shows: a page (`items`), a list, or one product.
fn product_ids(body: &[u8]) -> Vec<Id> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let id_of = |item: &serde_json::Value| {
        item.get("id")
            .and_then(|id| id.as_str())
            .and_then(|id| Id::parse("id", id).ok())
    };
    match &value {
        serde_json::Value::Array(items) => items.iter().filter_map(id_of).collect(),
        serde_json::Value::Object(fields) => match fields.get("items") {
            Some(serde_json::Value::Array(items)) => items.iter().filter_map(id_of).collect(),
            _ => id_of(&value).into_iter().collect(),
        },
        _ => Vec::new(),
    }
}

/// `X-Cache: hit` or `miss`, so operators and the benchmark can see the hit rate.
const X_CACHE: &str = "x-cache";

fn respond(answer: &CachedAnswer, headers: &HeaderMap, hit: bool) -> Response {
    let builder = Response::builder()
        .header(X_CACHE, if hit { "hit" } else { "miss" })
        .header(ETAG, answer.etag.as_str())
        .header(CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE));
    if matches_etag(headers, &answer.etag) {
        builder.status(StatusCode::NOT_MODIFIED).finish()
    } else {
        builder
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON))
            .body(answer.body.clone())
    }
}

/// Serves a cached catalog read, or computes it through `next` and keeps it.
pub async fn around<E: Endpoint>(
    next: E,
    req: Request,
    cache: Arc<dyn CatalogCache>,
) -> Result<Response> {
    let policy = match req.method() {
        &Method::GET => policy(req.uri().path(), req.uri().query().unwrap_or("")),
        _ => None,
    };
    let Some(policy) = policy else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let key = cache_key(req.uri().path(), req.uri().query().unwrap_or(""));
    let usable = cache.health() == CacheHealth::Up;
    if usable {
        if let Some(answer) = cache.get(&key).await {
            return Ok(respond(&answer, req.headers(), true));
        }
    }
    // The request goes to the handler; only its `If-None-Match` is needed afterwards.
    let mut headers = HeaderMap::new();
    for tag in req.headers().get_all(IF_NONE_MATCH) {
        headers.append(IF_NONE_MATCH, tag.clone());
    }

    let snapshot = cache.snapshot();
    let mut resp = next.call(req).await?.into_response();
    if resp.status() != StatusCode::OK {
        return Ok(resp);
    }
    let body: Bytes = resp.take_body().into_bytes().await?;
    let mut scopes = policy.scopes.clone();
    if policy.lists_products {
        scopes.extend(product_ids(&body).into_iter().map(CacheScope::Product));
    }
    let answer = CachedAnswer {
        etag: etag_of(&body),
        body,
        depends_on: Vec::new(),
    };
    let reply = respond(&answer, &headers, false);
    if usable {
        if let Some(depends_on) = cache.generations(&scopes, snapshot) {
            cache
                .put(
                    &key,
                    CachedAnswer {
                        depends_on,
                        ..answer
                    },
                    policy.ttl,
                )
                .await;
        }
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_the_order_of_query_pairs() {
        assert_eq!(
            cache_key("/api/v1/products", "limit=20&sort=name"),
            cache_key("/api/v1/products", "sort=name&limit=20")
        );
        assert_ne!(
            cache_key("/api/v1/products", "limit=20"),
            cache_key("/api/v1/products", "limit=21")
        );
    }

    #[test]
    fn routes_declare_what_they_depend_on() {
        let product = "/api/v1/products/0123456789abcdef01234567";
        assert_eq!(
            policy(product, "").map(|p| p.scopes),
            Some(vec![CacheScope::Catalog])
        );
        assert!(policy("/api/v1/products", "sort=popularity")
            .is_some_and(|p| p.scopes.contains(&CacheScope::Ranking)));
        assert!(policy("/api/v1/products", "sort=name")
            .is_some_and(|p| !p.scopes.contains(&CacheScope::Ranking)));
        assert!(policy("/api/v1/products/popular", "")
            .is_some_and(|p| p.scopes.contains(&CacheScope::Ranking)));
        assert!(policy("/api/v1/products/0123456789abcdef01234567/reviews", "").is_none());
        assert!(policy("/api/v1/orders", "").is_none());
        assert!(
            policy("/api/v1/shop", "").is_none(),
            "openNow moves with the clock"
        );
        assert!(policy("/api/v1/shop/hours", "").is_some());
        assert!(policy("/api/v1/promotions", "").is_some());
    }

    #[test]
    fn product_ids_come_from_pages_lists_and_single_products() {
        let a = Id::generate();
        let b = Id::generate();
        let page = format!(r#"{{"items":[{{"id":"{a}"}},{{"id":"{b}"}}],"page":1}}"#);
        assert_eq!(product_ids(page.as_bytes()), vec![a.clone(), b.clone()]);
        let one = format!(r#"{{"id":"{a}","name":"x"}}"#);
        assert_eq!(product_ids(one.as_bytes()), vec![a]);
        assert!(product_ids(b"not json").is_empty());
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(matches_etag(&headers, "\"abc\""));
        assert!(!matches_etag(&headers, "\"abd\""));
        headers.insert(IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches_etag(&headers, "\"anything\""));
    }
}
