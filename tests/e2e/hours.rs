//! Opening hours: staff set them, ASAP orders are refused while closed (with the next
//! opening, and nothing taken), scheduled ones for a closed time too, and `GET /shop` follows
//! the clock.

use bakery_core::ports::Clock;
use bakery_e2e::errors::{assert_error, assert_invalid};
use bakery_e2e::fixtures::{line, order_request, place_order, seed_catalog};
use bakery_e2e::{types, AppOptions, BakeryClient, TestApp};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// A manual clock, and hours read in Paris time.
pub fn paris_with_manual_clock() -> AppOptions {
    AppOptions {
        manual_clock: true,
        env: vec![("SHOP_TIMEZONE", "Europe/Paris".into())],
        ..AppOptions::default()
    }
}

fn range(start: &str, end: &str) -> types::TimeRange {
    types::TimeRange {
        start: start.parse().expect("start"),
        end: end.parse().expect("end"),
    }
}

/// Closed every weekday; open only on `date`, 10:00-12:00 and 14:00-16:00.
fn only_on(date: NaiveDate) -> types::OpeningHoursInput {
    types::OpeningHoursInput {
        monday: vec![],
        tuesday: vec![],
        wednesday: vec![],
        thursday: vec![],
        friday: vec![],
        saturday: vec![],
        sunday: vec![],
        exceptions: vec![types::DayException {
            date: date.to_string().parse().expect("date"),
            ranges: vec![range("14:00", "16:00"), range("10:00", "12:00")],
        }],
    }
}

fn paris(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Paris
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("time"))
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

async fn shop(app: &TestApp) -> types::ShopInfo {
    app.client()
        .api()
        .get_shop()
        .send()
        .await
        .expect("GET /shop")
        .into_inner()
}

async fn set_hours(admin: &BakeryClient, hours: types::OpeningHoursInput) -> types::OpeningHours {
    admin
        .api()
        .admin_set_shop_hours()
        .body(hours)
        .send()
        .await
        .expect("PUT /admin/shop/hours")
        .into_inner()
}

pub async fn asap_orders_wait_for_the_shop_to_open(app: &TestApp) {
    let clock = app.clock.as_ref().expect("a manual clock");
    let admin = app.admin().await;
    let catalog = seed_catalog(&admin).await;
    let ada = app.customer("Ada", "+447700900950").await;

    // Never set: open always, and published as such (this answer is now cached).
    let info = shop(app).await;
    assert!(info.open_now);
    assert_eq!((info.next_opening, info.closes_at), (None, None));
    assert_eq!(info.timezone, "Europe/Paris");
    let published = app.client().api().get_shop_hours().send().await.unwrap();
    assert!(published.always_open);

    // Open only in two days' time, in Paris.
    let day = clock.now().with_timezone(&Paris).date_naive() + Duration::days(2);
    let set = set_hours(&admin, only_on(day)).await;
    assert!(!set.always_open);
    assert_eq!(set.exceptions[0].ranges[0].start.to_string(), "10:00");
    // The cached hours were retired by the write.
    let published = app.client().api().get_shop_hours().send().await.unwrap();
    assert!(!published.always_open);
    assert_eq!(published.exceptions.len(), 1);
    assert_eq!(published.exceptions[0].date.to_string(), day.to_string());

    let opens = paris(day, 10, 0);
    let info = shop(app).await;
    assert!(!info.open_now);
    assert_eq!(info.next_opening, Some(opens));
    assert_eq!(info.closes_at, None);

    // An ASAP order now is refused, names the next opening, and takes no stock.
    let result = ada
        .api()
        .place_order()
        .body(order_request(vec![line(&catalog.galette.id, 1)]))
        .send()
        .await;
    let body = assert_error(result, 409, "SHOP_CLOSED");
    let iso = opens.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(body.message.contains(&iso), "{}", body.message);
    assert!(body.message.contains("10:00"), "{}", body.message);
    let galette = app
        .client()
        .api()
        .get_product()
        .id(catalog.galette.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(galette.stock, Some(2));
    assert_eq!(ada.api().list_my_orders().send().await.unwrap().total, 0);

    // Scheduled for the lunch break: refused; for an opening: taken while closed.
    let mut scheduled = order_request(vec![line(&catalog.baguette.id, 1)]);
    scheduled.scheduled_delivery_time = Some(paris(day, 13, 0));
    let result = ada.api().place_order().body(scheduled.clone()).send().await;
    let body = assert_error(result, 409, "SHOP_CLOSED");
    assert!(
        body.message.contains("scheduledDeliveryTime"),
        "{}",
        body.message
    );
    scheduled.scheduled_delivery_time = Some(paris(day, 11, 0));
    let order = place_order(&ada, scheduled).await;
    assert!(order.is_scheduled);

    // The clock reaches the opening: `GET /shop` flips, and ASAP orders are taken. (Two
    // days on, Ada's session is over: Ben signs in.)
    clock.advance(opens + Duration::minutes(1) - clock.now());
    let ben = app.customer("Ben", "+447700900952").await;
    let info = shop(app).await;
    assert!(info.open_now);
    assert_eq!(info.closes_at, Some(paris(day, 12, 0)));
    assert_eq!(info.next_opening, Some(paris(day, 14, 0)));
    place_order(&ben, order_request(vec![line(&catalog.galette.id, 1)])).await;

    // Past the last range the shop is closed, with nothing ahead within two weeks.
    clock.advance(Duration::hours(7));
    let info = shop(app).await;
    assert!(!info.open_now);
    assert_eq!(info.next_opening, None);
    let cleo = app.customer("Cleo", "+447700900953").await;
    let result = cleo
        .api()
        .place_order()
        .body(order_request(vec![line(&catalog.baguette.id, 1)]))
        .send()
        .await;
    assert_error(result, 409, "SHOP_CLOSED");
}

pub async fn only_staff_set_valid_hours(app: &TestApp) {
    let admin = app.admin().await;
    let ada = app.customer("Ada", "+447700900951").await;
    let day = NaiveDate::from_ymd_opt(2030, 12, 25).expect("date");
    let result = ada
        .api()
        .admin_set_shop_hours()
        .body(only_on(day))
        .send()
        .await;
    assert_error(result, 403, "FORBIDDEN");

    let mut overlapping = only_on(day);
    overlapping.tuesday = vec![range("08:00", "13:00"), range("12:00", "19:00")];
    let result = admin
        .api()
        .admin_set_shop_hours()
        .body(overlapping)
        .send()
        .await;
    assert_invalid(result, "tuesday[1]");

    let mut backwards = only_on(day);
    backwards.friday = vec![range("19:00", "08:00")];
    let result = admin
        .api()
        .admin_set_shop_hours()
        .body(backwards)
        .send()
        .await;
    assert_invalid(result, "friday[0].end");

    let mut twice = only_on(day);
    twice.exceptions.push(twice.exceptions[0].clone());
    let result = admin.api().admin_set_shop_hours().body(twice).send().await;
    assert_invalid(result, "exceptions[1].date");

    // Nothing was stored by the refusals.
    let published = app.client().api().get_shop_hours().send().await.unwrap();
    assert!(published.always_open);
    assert_eq!(published.timezone, "UTC");
}
