//! The signed-in user's own account.

use bakery_e2e::errors::assert_error;
use bakery_e2e::fixtures::{address_input, v};
use bakery_e2e::{types, TestApp};

const UNKNOWN_ID: &str = "0123456789abcdef01234567";

pub async fn profile_update_and_password(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900201").await;
    let updated = ada
        .api()
        .update_profile()
        .body(types::ProfileUpdate {
            name: Some(v("Ada Lovelace")),
            email: Some(v("ada@example.com")),
            password: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name, "Ada Lovelace");
    assert_eq!(updated.email.as_deref(), Some("ada@example.com"));
    assert!(!updated.has_password);

    let me = ada.api().get_profile().send().await.unwrap();
    assert_eq!(me.name, "Ada Lovelace");
    assert_eq!(me.email.as_deref(), Some("ada@example.com"));

    // Setting a password lets the customer sign in with it too; other fields stay.
    let with_password = ada
        .api()
        .update_profile()
        .body(types::ProfileUpdate {
            name: None,
            email: None,
            password: Some(v("baguette-and-butter")),
        })
        .send()
        .await
        .unwrap();
    assert!(with_password.has_password);
    assert_eq!(with_password.name, "Ada Lovelace");
    let again = app
        .login_with_password("+447700900201", "baguette-and-butter")
        .await;
    assert_eq!(again.api().get_profile().send().await.unwrap().id, me.id);
}

pub async fn profile_update_validates_fields(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900202").await;
    // Both break the contract's patterns: the client refuses them before sending (the
    // server's own refusal: http::strict).
    assert!(types::ProfileUpdateEmail::try_from("not-an-email").is_err());
    assert!(types::ProfileUpdateName::try_from("   ").is_err());
    // Nothing changed.
    let me = ada.api().get_profile().send().await.unwrap();
    assert_eq!((me.name.as_str(), me.email.as_deref()), ("Ada", None));
}

pub async fn address_book(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900203").await;
    // The first address becomes the default even when not asked.
    let home = ada
        .api()
        .add_address()
        .body(address_input("Home", false))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status().as_u16(), 201);
    let home = home.into_inner();
    assert_eq!(home.title, "Home");
    assert_eq!(home.city, "Paris");
    assert_eq!(home.zip_code, "75002");
    assert_eq!(home.landmark.as_deref(), Some("Blue door"));
    assert!(home.is_default);
    assert_eq!(home.id.len(), 24);

    let work = ada
        .api()
        .add_address()
        .body(address_input("Work", false))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!work.is_default);

    // Making Work the default takes it from Home.
    let mut input = address_input("Office", true);
    input.city = v("Lyon");
    let office = ada
        .api()
        .update_address()
        .id(work.id.as_str())
        .body(input)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (office.id.as_str(), office.title.as_str()),
        (work.id.as_str(), "Office")
    );
    assert_eq!(office.city, "Lyon");
    assert!(office.is_default);

    let list = ada
        .api()
        .list_addresses()
        .send()
        .await
        .unwrap()
        .into_inner();
    let summary: Vec<(&str, bool)> = list
        .iter()
        .map(|a| (a.title.as_str(), a.is_default))
        .collect();
    assert_eq!(summary, [("Home", false), ("Office", true)]);
    let profile = ada.api().get_profile().send().await.unwrap();
    assert_eq!(profile.addresses.len(), 2);

    // Removing the default hands it to the first one left.
    let removed = ada
        .api()
        .delete_address()
        .id(office.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let list = ada
        .api()
        .list_addresses()
        .send()
        .await
        .unwrap()
        .into_inner();
    let summary: Vec<(&str, bool)> = list
        .iter()
        .map(|a| (a.title.as_str(), a.is_default))
        .collect();
    assert_eq!(summary, [("Home", true)]);

    // A blank title breaks the contract's pattern: refused before sending.
    assert!(types::AddressInputTitle::try_from("   ").is_err());
}

pub async fn unknown_address_is_404(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900204").await;
    let ben = app.customer("Ben", "+447700900205").await;
    let adas = ada
        .api()
        .add_address()
        .body(address_input("Home", true))
        .send()
        .await
        .unwrap()
        .into_inner();
    for id in [UNKNOWN_ID, adas.id.as_str()] {
        let result = ben
            .api()
            .update_address()
            .id(id)
            .body(address_input("Mine now", true))
            .send()
            .await;
        assert_error(result, 404, "NOT_FOUND");
        let result = ben.api().delete_address().id(id).send().await;
        assert_error(result, 404, "NOT_FOUND");
    }
    let list = ada
        .api()
        .list_addresses()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "Home");
}

pub async fn device_tokens(app: &TestApp) {
    let ada = app.customer("Ada", "+447700900206").await;
    let token = || types::DeviceToken {
        token: v("fcm-device-token-0001"),
    };
    for _ in 0..2 {
        // Registering the same device twice is fine.
        let added = ada
            .api()
            .add_device_token()
            .body(token())
            .send()
            .await
            .unwrap();
        assert_eq!(added.status().as_u16(), 204);
    }
    let removed = ada
        .api()
        .remove_device_token()
        .body(token())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let result = app
        .client()
        .api()
        .add_device_token()
        .body(token())
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
}

pub async fn user_routes_need_a_token(app: &TestApp) {
    let api = app.client().api();
    assert_error(api.get_profile().send().await, 401, "UNAUTHORIZED");
    let result = api
        .update_profile()
        .body(types::ProfileUpdate {
            name: Some(v("Nobody")),
            email: None,
            password: None,
        })
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    assert_error(api.list_addresses().send().await, 401, "UNAUTHORIZED");
    let result = api
        .add_address()
        .body(address_input("Home", true))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    let result = api
        .update_address()
        .id(UNKNOWN_ID)
        .body(address_input("Home", true))
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
    assert_error(
        api.delete_address().id(UNKNOWN_ID).send().await,
        401,
        "UNAUTHORIZED",
    );
    let result = api
        .remove_device_token()
        .body(types::DeviceToken {
            token: v("fcm-device-token-0001"),
        })
        .send()
        .await;
    assert_error(result, 401, "UNAUTHORIZED");
}
