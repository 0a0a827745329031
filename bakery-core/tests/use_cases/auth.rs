use std::time::Duration as StdDuration;

use bakery_core::domain::Phone;
use bakery_core::services::{HashingLimits, HashingPool};
use bakery_core::Error;
use chrono::Duration;

use crate::support::{phone, settings, shop, shop_with};

fn is_unauthorized<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Unauthorized(_)))
}

#[tokio::test]
async fn register_verify_creates_a_verified_customer_once() {
    let shop = shop().await;
    let p = phone(10);
    shop.bakery.register("Ada", &p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    let session = shop.bakery.verify_otp(&p, &code).await.unwrap();
    assert_eq!(session.user.name, "Ada");
    assert!(session.user.phone_verified);
    assert!(
        is_unauthorized(shop.bakery.verify_otp(&p, &code).await),
        "a code is consumed by success"
    );

    // Registering again with the same phone is answered the same way and signs the same
    // account in: nobody learns the phone was registered, nobody gets a second account.
    shop.bakery.register("Impostor", &p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    let again = shop.bakery.verify_otp(&p, &code).await.unwrap();
    assert_eq!(again.user.id, session.user.id);
    assert_eq!(again.user.name, "Ada");
}

#[tokio::test]
async fn send_otp_to_an_unknown_phone_sends_nothing_but_says_the_same() {
    let shop = shop().await;
    shop.bakery.send_otp(&phone(11)).await.unwrap();
    assert!(shop.sms.last_code_for(&phone(11)).is_none());
}

#[tokio::test]
async fn codes_expire_burn_after_five_wrong_tries_and_are_replaced() {
    let shop = shop().await;
    let p = phone(12);
    shop.bakery.register("Bo", &p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    shop.clock.advance(Duration::minutes(10));
    assert!(
        is_unauthorized(shop.bakery.verify_otp(&p, &code).await),
        "expired at 10 minutes"
    );

    shop.bakery.register("Bo", &p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert!(is_unauthorized(shop.bakery.verify_otp(&p, wrong).await));
    }
    assert!(
        is_unauthorized(shop.bakery.verify_otp(&p, &code).await),
        "burnt after 5 wrong attempts"
    );

    shop.bakery.register("Bo", &p).await.unwrap();
    let old = shop.sms.last_code_for(&p).unwrap();
    shop.bakery.register("Bo", &p).await.unwrap();
    let new = shop.sms.last_code_for(&p).unwrap();
    if old != new {
        assert!(
            is_unauthorized(shop.bakery.verify_otp(&p, &old).await),
            "a newer code replaces the old"
        );
    }
    assert!(shop.bakery.verify_otp(&p, &new).await.is_ok());
    assert!(matches!(
        shop.bakery.verify_otp(&p, "12ab56").await,
        Err(Error::Validation { .. })
    ));
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_revokes_the_family() {
    let shop = shop().await;
    let p = phone(13);
    shop.bakery.register("Cy", &p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    let first = shop.bakery.verify_otp(&p, &code).await.unwrap();
    let second = shop.bakery.refresh(&first.refresh_token).await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert!(
        is_unauthorized(shop.bakery.refresh(&first.refresh_token).await),
        "replay refused"
    );
    assert!(
        is_unauthorized(shop.bakery.refresh(&second.refresh_token).await),
        "family revoked by the replay"
    );
    assert!(is_unauthorized(shop.bakery.refresh("not-a-token").await));
}

#[tokio::test]
async fn refresh_tokens_expire_and_logout_ends_the_session() {
    let shop = shop().await;
    let p = phone(14);
    shop.bakery.register("Di", &p).await.unwrap();
    let session = shop
        .bakery
        .verify_otp(&p, &shop.sms.last_code_for(&p).unwrap())
        .await
        .unwrap();
    shop.clock.advance(Duration::days(7));
    assert!(is_unauthorized(
        shop.bakery.refresh(&session.refresh_token).await
    ));

    shop.bakery.send_otp(&p).await.unwrap();
    let session = shop
        .bakery
        .login_with_otp(&p, &shop.sms.last_code_for(&p).unwrap())
        .await
        .unwrap();
    shop.bakery.logout(&session.refresh_token).await.unwrap();
    assert!(is_unauthorized(
        shop.bakery.refresh(&session.refresh_token).await
    ));
    shop.bakery.logout(&session.refresh_token).await.unwrap();
}

#[tokio::test]
async fn password_login_after_reset_signs_other_devices_out() {
    let shop = shop().await;
    let p = phone(15);
    shop.bakery.register("Ed", &p).await.unwrap();
    let session = shop
        .bakery
        .verify_otp(&p, &shop.sms.last_code_for(&p).unwrap())
        .await
        .unwrap();
    assert!(
        is_unauthorized(shop.bakery.login_with_password(&p, "anything-at-all").await),
        "no password set yet"
    );

    shop.bakery.send_otp(&p).await.unwrap();
    let code = shop.sms.last_code_for(&p).unwrap();
    assert!(matches!(
        shop.bakery.reset_password(&p, &code, "short").await,
        Err(Error::Validation { .. })
    ));
    shop.bakery
        .reset_password(&p, &code, "sourdough-starter")
        .await
        .unwrap();
    assert!(
        is_unauthorized(shop.bakery.refresh(&session.refresh_token).await),
        "old sessions revoked"
    );

    assert!(shop
        .bakery
        .login_with_password(&p, "sourdough-starter")
        .await
        .is_ok());
    assert!(is_unauthorized(
        shop.bakery
            .login_with_password(&p, "sourdough-startex")
            .await
    ));
    assert!(is_unauthorized(
        shop.bakery
            .login_with_password(&phone(99), "sourdough-starter")
            .await
    ));
}

#[tokio::test]
async fn codes_go_only_to_the_allowed_countries_and_refusals_cost_nothing() {
    let mut settings = settings();
    settings.otp_countries = Some(vec!["33".into(), "44".into()]);
    let shop = shop_with(settings).await;
    let far = Phone::parse("+1 202 555 0100").unwrap();
    let refused = |r: Result<(), Error>| {
        matches!(r, Err(Error::Validation { ref field, ref message })
            if field == "phone" && message.contains("+33, +44"))
    };
    assert!(refused(shop.bakery.register("Pump", &far).await));
    assert!(refused(shop.bakery.send_otp(&far).await));
    // A number with an account abroad (staff can have one) is refused the same way.
    let staff_abroad = Phone::parse("+1 202 555 0101").unwrap();
    shop.bakery
        .create_staff(
            "Sam",
            &staff_abroad,
            "kneading-dough",
            bakery_core::domain::Role::Delivery,
        )
        .await
        .unwrap();
    assert!(refused(shop.bakery.send_otp(&staff_abroad).await));
    assert!(shop.sms.sent().is_empty(), "nothing texted");
    for p in [&far, &staff_abroad] {
        let stored = shop
            .bakery
            .store()
            .auth_secrets
            .attempt_otp(p)
            .await
            .unwrap();
        assert!(stored.is_none(), "no code kept for {p}");
    }
    shop.bakery.register("Ada", &phone(20)).await.unwrap();
    assert_eq!(shop.sms.sent().len(), 1, "+44 is allowed");
}

/// Password checks wait in a bounded queue: with the one running place held and the one
/// waiting place taken, the next login is refused at once with BUSY, not left to stall.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_logins_beyond_the_hashing_queue_are_refused_busy() {
    let shop = shop().await;
    let p = phone(30);
    shop.bakery
        .create_staff(
            "Cook",
            &p,
            "sourdough-starter",
            bakery_core::domain::Role::Delivery,
        )
        .await
        .unwrap();
    let bakery = shop
        .bakery
        .clone()
        .with_hashing(HashingPool::new(HashingLimits {
            parallel: 1,
            queue: 1,
        }));
    let (release, held) = std::sync::mpsc::channel::<()>();
    let pool = bakery.hashing().clone();
    let holder = tokio::spawn(async move {
        pool.run(move || held.recv_timeout(StdDuration::from_secs(60)).is_ok())
            .await
    });
    let queued = {
        let bakery = bakery.clone();
        let p = p.clone();
        async move {
            while bakery.hashing().in_use() < 1 {
                tokio::task::yield_now().await;
            }
            bakery.login_with_password(&p, "sourdough-starter").await
        }
    };
    let queued = tokio::spawn(queued);
    while bakery.hashing().in_use() < 2 {
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    for (who, password) in [(&p, "sourdough-starter"), (&phone(31), "no-such-account")] {
        match bakery.login_with_password(who, password).await {
            Err(Error::Busy { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
    }
    match bakery.reset_password(&p, "123456", "a-new-password").await {
        Err(Error::Busy { .. }) => {}
        other => panic!("{other:?}"),
    }
    release.send(()).unwrap();
    assert!(holder.await.unwrap().unwrap());
    let session = queued.await.unwrap().unwrap();
    assert_eq!(session.user.phone, p, "the queued login got its turn");
}
