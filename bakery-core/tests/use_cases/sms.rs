//! A text message the SMS provider did not take: the use case answers `SMS_UNAVAILABLE` and
//! leaves no code behind that could still sign someone in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bakery_core::adapters::sqlite::SqliteStore;
use bakery_core::domain::Phone;
use bakery_core::ports::{SmsSender, Store};
use bakery_core::services::Bakery;
use bakery_core::Error;

use crate::support::{phone, settings};

/// Sees every code the use case tries to send; fails while `down` is set, as a provider
/// outage would (the adapter turns those into `SmsUnavailable`).
#[derive(Default)]
struct FlakySms {
    down: AtomicBool,
    tried: Mutex<Vec<String>>,
}

impl FlakySms {
    fn last_tried(&self) -> String {
        self.tried
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a code was tried")
    }
}

#[async_trait]
impl SmsSender for FlakySms {
    async fn send_otp(&self, _to: &Phone, code: &str, _valid_minutes: u32) -> Result<(), Error> {
        self.tried.lock().unwrap().push(code.to_owned());
        if self.down.load(Ordering::SeqCst) {
            Err(Error::SmsUnavailable)
        } else {
            Ok(())
        }
    }
}

async fn bakery(sms: Arc<FlakySms>) -> (Bakery, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bakery.db"))
        .await
        .unwrap();
    let bakery = Bakery::new(Store::from_adapter(store), settings()).with_sms(sms);
    (bakery, dir)
}

#[tokio::test]
async fn a_code_the_provider_did_not_take_cannot_be_used() {
    let sms = Arc::new(FlakySms::default());
    let (bakery, _dir) = bakery(sms.clone()).await;
    let p = phone(40);

    sms.down.store(true, Ordering::SeqCst);
    let err = bakery.register("Ada", &p).await.unwrap_err();
    assert!(matches!(err, Error::SmsUnavailable), "{err:?}");
    assert_eq!(err.code(), "SMS_UNAVAILABLE");
    let unsent = sms.last_tried();
    assert!(
        matches!(
            bakery.verify_otp(&p, &unsent).await,
            Err(Error::Unauthorized(_))
        ),
        "the unsent code was discarded"
    );

    // Once the provider is back, a new code works as usual.
    sms.down.store(false, Ordering::SeqCst);
    bakery.register("Ada", &p).await.unwrap();
    let session = bakery.verify_otp(&p, &sms.last_tried()).await.unwrap();
    assert_eq!(session.user.name, "Ada");

    // The same for a registered phone asking to sign in.
    sms.down.store(true, Ordering::SeqCst);
    let err = bakery.send_otp(&p).await.unwrap_err();
    assert!(matches!(err, Error::SmsUnavailable), "{err:?}");
    let unsent = sms.last_tried();
    assert!(matches!(
        bakery.login_with_otp(&p, &unsent).await,
        Err(Error::Unauthorized(_))
    ));
}
