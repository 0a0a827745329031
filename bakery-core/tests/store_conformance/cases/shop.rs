use bakery_core::domain::{
    DayException, DeliveryArea, DeliveryZone, GeoPoint, Money, OpeningHours, PostcodePattern,
    TimeRange,
};

use crate::fixtures::*;

fn hours(saturday: &str) -> OpeningHours {
    let mut week: [Vec<TimeRange>; 7] = Default::default();
    week[0] = vec![
        TimeRange::parse("monday[0]", "08:00", "13:00").unwrap(),
        TimeRange::parse("monday[1]", "15:00", "19:00").unwrap(),
    ];
    week[5] = vec![TimeRange::parse("saturday[0]", "08:00", saturday).unwrap()];
    let exceptions = vec![
        DayException {
            date: "2026-12-25".parse().unwrap(),
            ranges: vec![],
        },
        DayException {
            date: "2026-12-24".parse().unwrap(),
            ranges: vec![TimeRange::parse("r", "08:00", "24:00").unwrap()],
        },
    ];
    OpeningHours::new(week, exceptions).unwrap()
}

pub async fn opening_hours_are_none_until_set_then_replaced(store: Shared) {
    assert_eq!(store.shop.opening_hours().await.unwrap(), None);
    let first = hours("12:00");
    store.shop.set_opening_hours(&first).await.unwrap();
    assert_eq!(store.shop.opening_hours().await.unwrap(), Some(first));
    let second = hours("13:30");
    store.shop.set_opening_hours(&second).await.unwrap();
    assert_eq!(store.shop.opening_hours().await.unwrap(), Some(second));
}

fn area(fee: i64) -> DeliveryArea {
    let zone = DeliveryZone {
        name: "Centre".into(),
        postcodes: vec![
            PostcodePattern::parse("p", "75001").unwrap(),
            PostcodePattern::parse("p", "751*").unwrap(),
        ],
        radius_meters: Some(2_500),
        fee: Money::from_minor(fee),
        free_delivery_above: Some(Money::from_minor(3000)),
        minimum_order: Money::from_minor(1000),
        extra_minutes: 10,
    };
    DeliveryArea::new(GeoPoint::from_lat_lng(48.8566, 2.3522).ok(), vec![zone]).unwrap()
}

pub async fn delivery_area_is_none_until_set_then_replaced(store: Shared) {
    assert_eq!(store.shop.delivery_area().await.unwrap(), None);
    let first = area(250);
    store.shop.set_delivery_area(&first).await.unwrap();
    assert_eq!(store.shop.delivery_area().await.unwrap(), Some(first));
    let second = area(300);
    store.shop.set_delivery_area(&second).await.unwrap();
    assert_eq!(store.shop.delivery_area().await.unwrap(), Some(second));
    // The two settings live side by side.
    let hours = hours("12:00");
    store.shop.set_opening_hours(&hours).await.unwrap();
    assert_eq!(store.shop.delivery_area().await.unwrap(), Some(area(300)));
    assert_eq!(store.shop.opening_hours().await.unwrap(), Some(hours));
    let cleared = DeliveryArea::new(None, vec![]).unwrap();
    store.shop.set_delivery_area(&cleared).await.unwrap();
    assert_eq!(store.shop.delivery_area().await.unwrap(), Some(cleared));
}
