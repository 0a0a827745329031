use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::hashing::HashingPool;
use crate::adapters::{invalidating, LogPush, LogSms, MemoryCache, MemoryEvents, NoPayments};
pub use crate::domain::Actor;
use crate::domain::{Currency, DeliveryArea, Id, Money, OpeningHours, User};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::{
    CatalogCache, Clock, EventStream, ImageStorage, NoImages, OrderChange, OrderEvent, OrderEvents,
    PaymentProvider, PushSender, SmsSender, Store, SystemClock,
};
use crate::rules::pricing::PricingSettings;
use crate::secrets::OtpKey;

/// The shop's configuration as the use cases need it.
#[derive(Clone, Debug)]
pub struct Settings {
    pub shop_name: String,
    pub pricing: PricingSettings,
    /// Minutes a courier needs, added to preparation time for the ETA.
    pub delivery_minutes: u32,
    /// Km/h a courier is assumed to ride at when their phone reports no plausible speed; the
    /// live ETA divides the distance left by it.
    pub courier_speed_kmh: f64,
    pub otp_key: OtpKey,
    pub otp_ttl: Duration,
    /// Wrong codes allowed before the OTP is burnt.
    pub otp_max_attempts: u32,
    pub refresh_token_ttl: Duration,
    /// How long a card order may stay unpaid before the shop cancels it, giving back its
    /// stock and promotion use.
    pub card_payment_timeout: Duration,
    /// Calling codes (`33`, `44`, without `+`) of the numbers sign-in codes may be texted to;
    /// `None` texts any. A shop that only delivers in two countries has no customer anywhere
    /// else, but toll-fraud rings do: texts to premium ranges abroad are how they earn.
    pub otp_countries: Option<Vec<String>>,
    /// The shop's IANA time zone (`SHOP_TIMEZONE`): its opening hours are local times there.
    pub timezone: chrono_tz::Tz,
}

impl Settings {
    /// `shop_name`'s settings with the documented defaults, the ones the server uses when
    /// nothing is configured: prices in EUR with no delivery fee, no free-delivery threshold
    /// and no tax; 30 minutes of delivery; codes valid 10 minutes with 5 tries; refresh tokens
    /// valid 7 days; couriers assumed to ride at 20 km/h; unpaid card orders canceled after 30 minutes; codes texted to any country;
    /// opening hours read in UTC.
    /// Change fields after for anything else.
    pub fn new(shop_name: impl Into<String>, otp_key: OtpKey) -> Self {
        Self {
            shop_name: shop_name.into(),
            pricing: PricingSettings {
                currency: Currency::parse("eur").expect("eur is an ISO 4217 code"),
                delivery_fee: Money::ZERO,
                free_delivery_above: None,
                tax_rate_bps: 0,
            },
            delivery_minutes: 30,
            courier_speed_kmh: 20.0,
            otp_key,
            otp_ttl: Duration::minutes(10),
            otp_max_attempts: 5,
            refresh_token_ttl: Duration::days(7),
            card_payment_timeout: Duration::minutes(30),
            otp_countries: None,
            timezone: chrono_tz::UTC,
        }
    }
}

/// Names of the adapters a [`Bakery`] runs on (`sqlite`, `redis`, `twilio`, `fcm`, `stripe`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Adapters {
    pub store: &'static str,
    pub cache: &'static str,
    pub sms: &'static str,
    pub push: &'static str,
    pub payments: &'static str,
    pub events: &'static str,
    pub images: &'static str,
}

/// The application: every use case is a method, split over this module's files by area.
/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Bakery {
    /// The store as the use cases see it: its writes invalidate `catalog_cache`.
    pub(crate) store: Store,
    /// The store as given, kept to re-wrap it when the cache changes.
    plain_store: Store,
    pub(crate) catalog_cache: Arc<dyn CatalogCache>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sms: Arc<dyn SmsSender>,
    pub(crate) push: Arc<dyn PushSender>,
    pub(crate) payments: Arc<dyn PaymentProvider>,
    /// Where committed order changes are announced to trackers.
    pub(crate) events: Arc<dyn OrderEvents>,
    pub(crate) settings: Arc<Settings>,
    /// Poked after a change commits outbox messages, so this process's worker delivers them
    /// at once instead of at its next poll.
    pub(crate) outbox_wakeup: Arc<tokio::sync::Notify>,
    /// Where passwords are hashed and checked: never on the async workers.
    pub(crate) hashing: HashingPool,
    /// Live sessions already checked (see [`Bakery::authenticate`]).
    pub(crate) sessions: Arc<super::sessions::SessionCache>,
    /// Where picture bytes live.
    pub(crate) images: Arc<dyn ImageStorage>,
    /// Turns to decode and resize a picture (see `services::images`).
    pub(crate) image_jobs: Arc<tokio::sync::Semaphore>,
    /// The opening hours, checked by every order, kept while no instance changed them.
    pub(crate) opening_hours: Arc<super::remembered::Remembered<Option<OpeningHours>>>,
    /// The delivery zones, checked by every delivery, kept the same way.
    pub(crate) delivery_area: Arc<super::remembered::Remembered<Option<DeliveryArea>>>,
}

impl Bakery {
    /// A bakery on the given store with the embedded defaults for everything else: system
    /// clock, OTPs to the log, pushes to the log, cash payments only.
    pub fn new(store: Store, settings: Settings) -> Self {
        let catalog_cache: Arc<dyn CatalogCache> = Arc::new(MemoryCache::new());
        Self {
            store: invalidating(store.clone(), catalog_cache.clone()),
            plain_store: store,
            catalog_cache,
            clock: Arc::new(SystemClock),
            sms: Arc::new(LogSms),
            push: Arc::new(LogPush),
            payments: Arc::new(NoPayments),
            events: Arc::new(MemoryEvents::new()),
            settings: Arc::new(settings),
            outbox_wakeup: Arc::new(tokio::sync::Notify::new()),
            hashing: HashingPool::default(),
            sessions: Arc::default(),
            images: Arc::new(NoImages),
            image_jobs: Arc::new(tokio::sync::Semaphore::new(super::images::IMAGE_JOBS)),
            opening_hours: Arc::new(super::shop::remembered_hours()),
            delivery_area: Arc::new(super::zones::remembered_area()),
        }
    }

    /// The cache whose answers this bakery's writes invalidate (in-process by default; a
    /// shared one for a fleet), so every write that changes what the catalog shows is
    /// followed by the bump, whoever serves the cached answers.
    pub fn with_catalog_cache(mut self, cache: Arc<dyn CatalogCache>) -> Self {
        self.store = invalidating(self.plain_store.clone(), cache.clone());
        self.catalog_cache = cache;
        // What was kept was read at the old cache's generations.
        self.opening_hours = Arc::new(super::shop::remembered_hours());
        self.delivery_area = Arc::new(super::zones::remembered_area());
        self
    }

    pub fn catalog_cache(&self) -> &Arc<dyn CatalogCache> {
        &self.catalog_cache
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> Self {
        self.sms = sms;
        self
    }

    pub fn with_push(mut self, push: Arc<dyn PushSender>) -> Self {
        self.push = push;
        self
    }

    pub fn with_payments(mut self, payments: Arc<dyn PaymentProvider>) -> Self {
        self.payments = payments;
        self
    }

    /// Where pictures are uploaded and served from (none by default: uploads are refused).
    pub fn with_images(mut self, images: Arc<dyn ImageStorage>) -> Self {
        self.images = images;
        self
    }

    pub fn images(&self) -> &Arc<dyn ImageStorage> {
        &self.images
    }

    /// A pool of other bounds than one hash per core with four times that waiting.
    pub fn with_hashing(mut self, hashing: HashingPool) -> Self {
        self.hashing = hashing;
        self
    }

    pub fn hashing(&self) -> &HashingPool {
        &self.hashing
    }

    /// The bus order changes are published on (in-process by default; Redis for a fleet).
    pub fn with_events(mut self, events: Arc<dyn OrderEvents>) -> Self {
        self.events = events;
        self
    }

    /// Every order change committed from now on, by any instance sharing the bus. Callers
    /// filter by order and check who may see what (see `Bakery::may_track`).
    pub fn subscribe_events(&self) -> EventStream {
        self.events.subscribe()
    }

    /// Announces a committed change of `order` (as it reads after the change). Called after
    /// the store commit, never before: a tracker must not see what may still roll back.
    pub(crate) async fn publish(&self, order: &crate::domain::Order, change: OrderChange) {
        self.events
            .publish(OrderEvent::of(order, change, self.now()))
            .await;
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether a payment provider takes cards; apps hide the card option otherwise.
    pub fn card_payments_enabled(&self) -> bool {
        self.payments.enabled()
    }

    /// The adapter behind each outgoing port, for start-up logs and readiness.
    pub fn adapters(&self) -> Adapters {
        Adapters {
            store: self.store.health.backend(),
            cache: self.catalog_cache.backend(),
            sms: self.sms.backend(),
            push: self.push.backend(),
            payments: self.payments.name(),
            events: self.events.backend(),
            images: self.images.backend(),
        }
    }

    /// The key the app's payment SDK starts with (`GET /shop`); `None` without card payments.
    pub fn payment_publishable_key(&self) -> Option<String> {
        self.payments.publishable_key()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The time the use cases see: the system clock, or the one given to
    /// [`Bakery::with_clock`]. Servers stamp their own tokens with it too.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Readiness: the store answers.
    pub async fn ping(&self) -> Result<()> {
        self.store.health.ping().await
    }

    pub(crate) async fn user(&self, id: &Id) -> Result<User> {
        self.store
            .accounts
            .get_user(id)
            .await?
            .ok_or(Error::NotFound { resource: "user" })
    }

    /// Read-modify-write of a user that retries when another request wrote in between, so
    /// two phones editing one account never lose an edit.
    pub(crate) async fn modify_user<T>(
        &self,
        id: &Id,
        mut change: impl FnMut(&mut User) -> Result<T>,
    ) -> Result<(User, T)> {
        for _ in 0..8 {
            let mut user = self.user(id).await?;
            let out = change(&mut user)?;
            user.updated_at = self.now();
            if self.store.accounts.update_user(&user).await? {
                user.version += 1;
                return Ok((user, out));
            }
        }
        Err(Error::conflict(
            ConflictCode::ConcurrentUpdate,
            "the account changed too often at once; try again",
        ))
    }
}
