//! Sign-up, sign-in, token rotation, and the SDK's transparent refresh.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::{
    types, ApiError, AppOptions, RateLimits, ResponseValue, TestApp, Tokens, ADMIN_PHONE,
};

/// Access tokens live one second (plus the server's leeway) on a clock the test moves.
pub fn short_access_ttl() -> AppOptions {
    AppOptions {
        access_ttl: Duration::from_secs(1),
        manual_clock: true,
        ..AppOptions::default()
    }
}

/// The seed's limits: 5 sign-in attempts per 15 minutes per IP, 3 codes per hour per phone.
pub fn seed_rate_limits() -> AppOptions {
    AppOptions {
        rate_limits: Some(RateLimits::default()),
        ..AppOptions::default()
    }
}

pub async fn register_verify_and_read_the_profile(app: &TestApp) {
    let (ada, session) = app.customer_session("Ada", "+447700900101").await;
    assert_eq!(session.token_type, "Bearer");
    assert_eq!(session.expires_in, 900);
    assert_eq!(session.user.name, "Ada");
    assert_eq!(session.user.phone, "+447700900101");
    assert_eq!(session.user.role, types::Role::Customer);
    assert!(session.user.phone_verified);
    assert!(!session.user.has_password);
    assert_eq!(session.user.id.len(), 24);
    assert_eq!(app.otps_sent_to("+447700900101"), 1);

    let me = ada.api().get_profile().send().await.unwrap();
    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(me.id, session.user.id);
    assert_eq!(me.name, "Ada");
    assert_eq!(me.email, None);
    assert!(me.addresses.is_empty());

    // Registering the same phone again answers the same (numbers cannot be probed), and the
    // new code signs the same account in.
    let api = app.client().api();
    let again = api
        .register()
        .body_map(|b| b.name("Someone Else").phone("+447700900101"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.message,
        "if this number can receive it, a code is on its way"
    );
    let code = app.otp_for("+447700900101");
    let second = api
        .verify_otp()
        .body_map(|b| b.phone("+447700900101").otp(code.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(second.user.id, session.user.id);
    assert_eq!(second.user.name, "Ada");
}

pub async fn register_refuses_an_impossible_phone(app: &TestApp) {
    let api = app.client().api();
    // No country code starts with 0: the contract's pattern says so, and a generated client
    // refuses it before sending anything.
    let result = api
        .register()
        .body_map(|b| b.name("Ada").phone("+0441234567"))
        .send()
        .await;
    assert!(
        matches!(result, Err(bakery_sdk::Error::InvalidRequest(ref why)) if why.contains("phone")),
        "{result:?}"
    );
    // Sent anyway (as a hand-written client could), the server says the same.
    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/register", app.base_url))
        .json(&serde_json::json!({"name": "Ada", "phone": "+0441234567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 422);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["details"]["field"], "phone", "{body}");
    assert!(app.sms.sent().is_empty());
}

pub async fn a_wrong_code_is_refused_and_the_right_one_still_works(app: &TestApp) {
    let phone = "+447700900102";
    let api = app.client().api();
    api.register()
        .body_map(|b| b.name("Ben").phone(phone))
        .send()
        .await
        .unwrap();
    let code = app.otp_for(phone);
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let result = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(wrong))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    // A phone that never asked for a code.
    let result = api
        .verify_otp()
        .body_map(|b| b.phone("+447700900199").otp(code.as_str()))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");

    let ok = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(code.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.user.name, "Ben");
    // A code works once.
    let result = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(code.as_str()))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn send_otp_then_login_with_the_code(app: &TestApp) {
    let phone = "+447700900103";
    let (_, first) = app.customer_session("Cleo", phone).await;
    let api = app.client().api();
    let sent = api
        .send_otp()
        .body_map(|b| b.phone(phone))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    assert_eq!(app.otps_sent_to(phone), 2);
    let code = app.otp_for(phone);
    let session = api
        .login()
        .body_map(|b| b.phone(phone).otp(Some(code.as_str().try_into().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(session.user.id, first.user.id);
    assert_ne!(session.refresh_token, first.refresh_token);

    // Unknown phones get the same answer and no text.
    let unknown = api
        .send_otp()
        .body_map(|b| b.phone("+447700900198"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.message, sent.message);
    assert_eq!(app.otps_sent_to("+447700900198"), 0);
}

pub async fn password_login_and_its_errors(app: &TestApp) {
    let admin = app.admin().await;
    let me = admin.api().get_profile().send().await.unwrap();
    assert_eq!(me.role, types::Role::Admin);
    assert!(me.has_password);
    assert_eq!(me.phone, ADMIN_PHONE);

    let api = app.client().api();
    let result = api
        .login()
        .body_map(|b| {
            b.phone(ADMIN_PHONE)
                .password(Some("not-the-password".try_into().unwrap()))
        })
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    // A customer without a password cannot log in with one.
    app.customer("Dora", "+447700900104").await;
    let result = api
        .login()
        .body_map(|b| {
            b.phone("+447700900104")
                .password(Some("whatever-it-is".try_into().unwrap()))
        })
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    // Exactly one of password and otp.
    let result = api
        .login()
        .body_map(|b| {
            b.phone("+447700900104")
                .password(Some("whatever-it-is".try_into().unwrap()))
                .otp(Some("123456".try_into().unwrap()))
        })
        .send()
        .await;
    assert_invalid(result, "password");
    let result = api
        .login()
        .body_map(|b| b.phone("+447700900104"))
        .send()
        .await;
    assert_invalid(result, "password");
}

pub async fn refresh_rotates_and_a_replay_revokes_the_family(app: &TestApp) {
    let (_ada, session) = app.customer_session("Ada", "+447700900105").await;
    let next = spend_refresh_token(app, &session.refresh_token)
        .await
        .unwrap()
        .into_inner();
    assert_ne!(next.refresh_token, session.refresh_token);
    assert_eq!(next.user.id, session.user.id);
    // The new access token works.
    let with_next = app.client();
    with_next.set_tokens(Some(Tokens::from(&next)));
    assert_eq!(
        with_next.api().get_profile().send().await.unwrap().name,
        "Ada"
    );

    // Replaying the spent token is refused and signs the whole family out.
    assert_error(
        spend_refresh_token(app, &session.refresh_token).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        spend_refresh_token(app, &next.refresh_token).await,
        401,
        "UNAUTHORIZED",
    );
    // Unknown tokens, and none at all.
    assert_error(
        spend_refresh_token(app, "not-a-token").await,
        401,
        "UNAUTHORIZED",
    );
    let result = app
        .client()
        .api()
        .refresh_token()
        .body(types::RefreshRequest {
            refresh_token: None,
        })
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn logout_revokes_the_refresh_token(app: &TestApp) {
    let (ada, session) = app.customer_session("Ada", "+447700900106").await;
    let body = || types::RefreshRequest {
        refresh_token: Some(session.refresh_token.as_str().try_into().unwrap()),
    };
    let out = ada.api().logout().body(body()).send().await.unwrap();
    assert_eq!(out.status().as_u16(), 204);
    let result = app.client().api().refresh_token().body(body()).send().await;
    assert_error(result, 401, "UNAUTHORIZED");
    // Logging out twice is not an error.
    let again = ada.api().logout().body(body()).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 204);
}

/// An access token ends with its session, on the very next request, and carries the
/// account's current role rather than the one it was issued with.
pub async fn access_tokens_end_with_their_session(app: &TestApp) {
    let phone = "+447700900108";
    let (ada, session) = app.customer_session("Ada", phone).await;
    let (other_device, _) = app.customer_session("Ada", phone).await;
    assert!(ada.api().get_profile().send().await.is_ok());
    let staff_only = ada.api().admin_list_orders().send().await;
    assert_error(staff_only, 403, "FORBIDDEN");

    // Promoted by the operator: the same token has staff rights at once.
    app.create_staff_for(phone).await;
    assert!(
        ada.api().admin_list_orders().send().await.is_ok(),
        "the account's current role counts, not the token's"
    );

    let body = types::RefreshRequest {
        refresh_token: Some(session.refresh_token.as_str().try_into().unwrap()),
    };
    ada.api().logout().body(body).send().await.unwrap();
    // Without refresh tokens of its own, the client cannot renew: it stays signed out.
    let bare = bakery_e2e::BakeryClient::with_tokens(
        &app.sdk_url,
        bakery_e2e::Tokens {
            access_token: ada.tokens().expect("tokens").access_token,
            refresh_token: String::new(),
        },
    );
    assert_error(bare.api().get_profile().send().await, 401, "UNAUTHORIZED");
    assert!(
        other_device.api().get_profile().send().await.is_ok(),
        "the other device's session goes on"
    );
}

pub async fn reset_password_signs_every_device_out(app: &TestApp) {
    let phone = "+447700900107";
    let (_, session) = app.customer_session("Eve", phone).await;
    let api = app.client().api();
    api.send_otp()
        .body_map(|b| b.phone(phone))
        .send()
        .await
        .unwrap();
    let code = app.otp_for(phone);
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let result = api
        .reset_password()
        .body_map(|b| b.phone(phone).otp(wrong).new_password("croissant-lover-9"))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    let done = api
        .reset_password()
        .body_map(|b| {
            b.phone(phone)
                .otp(code.as_str())
                .new_password("croissant-lover-9")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);

    let eve = app.login_with_password(phone, "croissant-lover-9").await;
    let me = eve.api().get_profile().send().await.unwrap();
    assert!(me.has_password);
    let result = spend_refresh_token(app, &session.refresh_token).await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn missing_and_bad_access_tokens_are_401(app: &TestApp) {
    let (_, ada) = app.customer_session("Ada", "+447700900108").await;
    let (_, ben) = app.customer_session("Ben", "+447700900109").await;

    let anonymous = app.client();
    assert_error(
        anonymous.api().get_profile().send().await,
        401,
        "UNAUTHORIZED",
    );

    let with_access = |access: String| {
        let client = app.client();
        client.set_tokens(Some(Tokens {
            access_token: access,
            refresh_token: "unused".into(),
        }));
        client
    };
    let garbage = with_access("garbage".into());
    assert_error(
        garbage.api().get_profile().send().await,
        401,
        "UNAUTHORIZED",
    );

    // Ada's claims with Ben's signature: a forged token.
    let mut parts: Vec<&str> = ada.access_token.split('.').collect();
    let ben_signature = ben.access_token.rsplit('.').next().unwrap();
    parts[2] = ben_signature;
    let forged = with_access(parts.join("."));
    assert_error(forged.api().get_profile().send().await, 401, "UNAUTHORIZED");

    // The same claims unsigned, `alg: none`.
    let unsigned = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        ada.access_token.split('.').nth(1).unwrap()
    );
    let unsigned = with_access(unsigned);
    assert_error(
        unsigned.api().get_profile().send().await,
        401,
        "UNAUTHORIZED",
    );

    // The genuine token works.
    let genuine = with_access(ada.access_token.clone());
    assert_eq!(
        genuine.api().get_profile().send().await.unwrap().name,
        "Ada"
    );
}

/// Presents `token` to the refresh endpoint directly, as a client without a session would.
async fn spend_refresh_token(
    app: &TestApp,
    token: &str,
) -> Result<ResponseValue<types::TokenResponse>, ApiError> {
    app.client()
        .api()
        .refresh_token()
        .body(types::RefreshRequest {
            refresh_token: Some(
                token
                    .try_into()
                    .expect("a refresh token the contract accepts"),
            ),
        })
        .send()
        .await
}

/// Records every token change the client reports.
fn recorded(
    client: bakery_e2e::BakeryClient,
) -> (bakery_e2e::BakeryClient, Arc<Mutex<Vec<Option<Tokens>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client.on_tokens_changed(move |t| sink.lock().unwrap().push(t.cloned()));
    (client, seen)
}

pub async fn sdk_refreshes_an_expired_access_token(app: &TestApp) {
    let (ada, session) = app.customer_session("Ada", "+447700900110").await;
    assert_eq!(session.expires_in, 1);
    let (ada, seen) = recorded(ada);
    assert_eq!(ada.api().get_profile().send().await.unwrap().name, "Ada");
    // Within the leeway the token still works; past 1 s of lifetime plus the leeway it
    // does not.
    let leeway = bakery_server::auth::LEEWAY_SECS;
    app.advance(chrono::Duration::seconds(leeway));
    assert_eq!(ada.api().get_profile().send().await.unwrap().name, "Ada");
    app.advance(chrono::Duration::seconds(1));
    assert_error(ada.api().get_profile().send().await, 401, "UNAUTHORIZED");

    let me = ada
        .call(|api| async move { api.get_profile().send().await })
        .await
        .expect("the SDK refreshes and retries");
    assert_eq!(me.name, "Ada");
    let now = ada.tokens().unwrap();
    assert_ne!(now.access_token, session.access_token);
    assert_ne!(now.refresh_token, session.refresh_token);
    assert_eq!(seen.lock().unwrap().as_slice(), &[Some(now.clone())]);
    // The old refresh token is spent.
    let replay = spend_refresh_token(app, &session.refresh_token).await;
    assert_error(replay, 401, "UNAUTHORIZED");
}

pub async fn sdk_refreshes_once_for_concurrent_calls(app: &TestApp) {
    let (_, session) = app.customer_session("Ada", "+447700900111").await;
    let client = app.client();
    client.set_tokens(Some(Tokens {
        access_token: "expired-or-invalid".into(),
        refresh_token: session.refresh_token.clone(),
    }));
    let (client, seen) = recorded(client);
    // Refresh tokens are single-use: were both calls to refresh, the second would replay the
    // spent token and sign the session out.
    let (a, b) = tokio::join!(
        client.call(|api| async move { api.get_profile().send().await }),
        client.call(|api| async move { api.list_addresses().send().await }),
    );
    assert_eq!(a.expect("first call").name, "Ada");
    assert!(b.expect("second call").is_empty());
    assert_eq!(seen.lock().unwrap().len(), 1, "exactly one refresh");
    let tokens = client.tokens().unwrap();
    assert_ne!(tokens.refresh_token, session.refresh_token);
    // And the session still refreshes afterwards.
    let again = client.refresh().await.expect("refresh");
    assert_ne!(again.refresh_token, tokens.refresh_token);
}

pub async fn sdk_gives_up_when_the_refresh_token_is_refused(app: &TestApp) {
    app.customer("Ada", "+447700900112").await;
    let client = app.client();
    client.set_tokens(Some(Tokens {
        access_token: "invalid".into(),
        refresh_token: "also-invalid".into(),
    }));
    let (client, seen) = recorded(client);
    let result = client
        .call(|api| async move { api.get_profile().send().await })
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    assert_eq!(
        client.tokens(),
        None,
        "a refused refresh signs the client out"
    );
    assert_eq!(seen.lock().unwrap().as_slice(), &[None]);
}

pub async fn sign_ins_and_codes_are_rate_limited(app: &TestApp) {
    let phone = "+447700900113";
    // Signing up spends one code (register) and one sign-in attempt (verify-otp).
    app.customer("Fay", phone).await;
    let api = app.client().api();
    // Codes: two more sends pass, the fourth code is refused (per phone).
    for _ in 0..2 {
        api.send_otp()
            .body_map(|b| b.phone(phone))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(app.otps_sent_to(phone), 3);
    let result = api.send_otp().body_map(|b| b.phone(phone)).send().await;
    let retry_after = match &result {
        Err(bakery_sdk::Error::ErrorResponse(body)) => body
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok()),
        _ => None,
    };
    assert_error(result, 429, "RATE_LIMITED");
    assert!(
        retry_after.is_some_and(|s| (1..=3600).contains(&s)),
        "{retry_after:?}"
    );
    assert_eq!(app.otps_sent_to(phone), 3, "no fourth text");
    // Another phone is counted apart.
    api.send_otp()
        .body_map(|b| b.phone("+447700900114"))
        .send()
        .await
        .unwrap();

    // Sign-in attempts: after verify-otp, four wrong passwords are 401; the sixth attempt
    // is refused even with the right code (per client address).
    let code = app.otp_for(phone);
    let wrong = if code == "123456" { "654321" } else { "123456" };
    for _ in 0..4 {
        let result = api
            .login()
            .body_map(|b| {
                b.phone(ADMIN_PHONE)
                    .password(Some("not-it-at-all".try_into().unwrap()))
            })
            .send()
            .await;
        assert_error(result, 401, "UNAUTHORIZED");
    }
    let result = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(code.as_str()))
        .send()
        .await;
    assert_error(result, 429, "RATE_LIMITED");
    let result = api
        .verify_otp()
        .body_map(|b| b.phone(phone).otp(wrong))
        .send()
        .await;
    assert_error(result, 429, "RATE_LIMITED");
}
