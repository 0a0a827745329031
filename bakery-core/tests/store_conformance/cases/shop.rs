use bakery_core::domain::{DayException, OpeningHours, TimeRange};

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
