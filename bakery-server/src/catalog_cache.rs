//! Public catalog reads answered from the catalog cache: the finished response bytes, keyed
//! by the normalised request, with an `ETag` and `If-None-Match` revalidation.
//!
//! It sits in front of the operations, so handlers and the contract stay as they are. What
//! each route depends on is declared here once ([`policy`]); the product ids of a listing
//! are read from the answer itself when it is computed (the miss path), so a sale of one
//! product invalidates the listings that show it and leaves the rest of the cache alone.
//!
//! `GET /shop` also says whether the shop is open now, which changes with the clock rather
//! than with a write. Its key carries the shop's state at the time of the request (open
//! until when, or closed until when), worked out from the opening hours the bakery keeps in
//! memory: the moment the shop opens or closes, requests ask for another key and the answer
//! is computed afresh, while in between every request is a hit.
//!
//! Products with a daily bake show what is left of today's (`leftToday`), which starts
//! again each local day of the shop without any write. Every answer that shows products
//! carries the shop's local date in its key, so the first request of a new day computes a
//! fresh answer; sales within a day bump the product's scope like stock does.

use std::sync::Arc;
use std::time::Duration;

use bakery_core::domain::Id;
use bakery_core::ports::{CacheHealth, CacheScope, CachedAnswer};
use bakery_core::rules::opening::ShopStatus;
use bakery_core::services::Bakery;
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
    /// The answer says whether the shop is open now: its key carries the shop's state.
    moves_with_opening: bool,
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
        moves_with_opening: false,
    };
    let ranked_sort = query
        .split('&')
        .any(|pair| matches!(pair, "sort=rating" | "sort=popularity"));
    match segments.as_slice() {
        // New hours bump the catalog; the rest of `/shop` is configuration.
        ["shop"] => Some(Policy {
            scopes: vec![CacheScope::Catalog],
            lists_products: false,
            ttl: SAFETY_NET_TTL,
            moves_with_opening: true,
        }),
        // New hours and new zones bump the catalog too.
        ["shop", "hours"] | ["shop", "zones"] | ["categories"] => Some(Policy {
            scopes: vec![CacheScope::Catalog],
            lists_products: false,
            ttl: SAFETY_NET_TTL,
            moves_with_opening: false,
        }),
        ["promotions"] | ["promotions", ""] => Some(Policy {
            scopes: vec![CacheScope::Promotions],
            lists_products: false,
            ttl: PROMOTIONS_TTL,
            moves_with_opening: false,
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

/// What a `GET /shop` answer says about now, as a key suffix: two requests with the same
/// suffix get the same bytes.
fn opening_key(status: &ShopStatus) -> String {
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or(0, |t| t.timestamp_millis());
    format!(
        "#open={}&next={}&closes={}",
        status.open_now,
        at(status.next_opening),
        at(status.closes_at)
    )
}

/// Which local day of the shop an answer showing products was computed for, as a key
/// suffix: `leftToday` counts that day's bake.
fn day_key(today: chrono::NaiveDate) -> String {
    format!("#day={today}")
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
///
/// This runs on every miss, over answers of 10 KB and more: the fast path reads only the
/// `id`s and skips everything else without building it. The slow path (a shape the fast
/// one does not take, such as an `id` that is not a string) reads the whole document.
fn product_ids(body: &[u8]) -> Vec<Id> {
    let fast = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => serde_json::from_slice::<Vec<WithId>>(body).ok(),
        Some(b'{') => serde_json::from_slice::<PageOrOne>(body)
            .ok()
            .map(|answer| match answer.items {
                Some(items) => items,
                None => vec![WithId { id: answer.id }],
            }),
        _ => return Vec::new(),
    };
    match fast {
        Some(items) => items
            .into_iter()
            .filter_map(|item| item.id.and_then(|id| Id::parse("id", &id).ok()))
            .collect(),
        None => product_ids_slowly(body),
    }
}

/// An entry of a listing, of which only the id matters; other fields are skipped.
#[derive(serde::Deserialize)]
struct WithId {
    id: Option<String>,
}

/// A page of products (`items`) or one product (`id`).
#[derive(serde::Deserialize)]
struct PageOrOne {
    id: Option<String>,
    items: Option<Vec<WithId>>,
}

fn product_ids_slowly(body: &[u8]) -> Vec<Id> {
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
pub async fn around<E: Endpoint>(next: E, req: Request, bakery: Arc<Bakery>) -> Result<Response> {
    let cache = bakery.catalog_cache();
    let policy = match req.method() {
        &Method::GET => policy(req.uri().path(), req.uri().query().unwrap_or("")),
        _ => None,
    };
    let Some(policy) = policy else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let mut key = cache_key(req.uri().path(), req.uri().query().unwrap_or(""));
    if policy.lists_products {
        key.push_str(&day_key(bakery.today()));
    }
    if policy.moves_with_opening {
        match bakery.shop_status().await {
            Ok(status) => key.push_str(&opening_key(&status)),
            // The handler reads the same hours and answers with the error.
            Err(_) => return next.call(req).await.map(IntoResponse::into_response),
        }
    }
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
            policy("/api/v1/shop", "").is_some_and(|p| p.moves_with_opening),
            "openNow moves with the clock"
        );
        assert!(policy("/api/v1/shop/hours", "").is_some_and(|p| !p.moves_with_opening));
        assert!(policy("/api/v1/shop/hours", "").is_some());
        assert!(policy("/api/v1/shop/zones", "").is_some_and(|p| !p.moves_with_opening));
        assert!(policy("/api/v1/promotions", "").is_some());
    }

    #[test]
    fn the_shop_key_changes_when_the_shop_opens_or_closes() {
        let at = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .map(|t| t.and_utc())
        };
        let open = ShopStatus {
            open_now: true,
            next_opening: at(20),
            closes_at: at(18),
        };
        let closed = ShopStatus {
            open_now: false,
            next_opening: at(20),
            closes_at: None,
        };
        assert_ne!(opening_key(&open), opening_key(&closed));
        let same = open;
        assert_eq!(opening_key(&open), opening_key(&same));
        let later = ShopStatus {
            closes_at: at(19),
            ..open
        };
        assert_ne!(opening_key(&open), opening_key(&later));
    }

    #[test]
    fn answers_showing_products_are_keyed_by_the_local_day() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        assert_ne!(day_key(day(1)), day_key(day(2)));
        assert_eq!(day_key(day(1)), day_key(day(1)));
        let product = "/api/v1/products/0123456789abcdef01234567";
        assert!(policy(product, "").is_some_and(|p| p.lists_products));
        assert!(policy("/api/v1/products", "").is_some_and(|p| p.lists_products));
        assert!(policy("/api/v1/shop", "").is_some_and(|p| !p.lists_products));
    }

    #[test]
    fn product_ids_come_from_pages_lists_and_single_products() {
        let a = Id::generate();
        let b = Id::generate();
        let page = format!(r#"{{"items":[{{"id":"{a}"}},{{"id":"{b}"}}],"page":1}}"#);
        assert_eq!(product_ids(page.as_bytes()), vec![a.clone(), b.clone()]);
        let one = format!(r#"{{"id":"{a}","name":"x"}}"#);
        assert_eq!(product_ids(one.as_bytes()), vec![a.clone()]);
        assert!(product_ids(b"not json").is_empty());
        // Nested ids (a category inside a product) are not the product's.
        let nested = format!(r#"[{{"category":{{"id":"{b}"}},"id":"{a}"}}]"#);
        assert_eq!(product_ids(nested.as_bytes()), vec![a.clone()]);
        // A shape the fast path refuses is read the slow way, with the same answer.
        let odd = format!(r#"{{"items":[{{"id":7}},{{"id":"{b}"}}]}}"#);
        assert_eq!(product_ids(odd.as_bytes()), vec![b.clone()]);
        assert_eq!(
            product_ids_slowly(page.as_bytes()),
            product_ids(page.as_bytes())
        );
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
