//! The API end to end: the real server on a random loopback port, driven only through
//! bakery-sdk, once on SQLite and once on MongoDB; and, in [`http`], the same server driven
//! with raw HTTP for what the SDK hides (status codes, headers, CORS, redirects, shutdown).
//!
//! Each case (in the area modules) is written once against a [`TestApp`]; `e2e!` turns it into
//! a `#[tokio::test]` per backend, so `cargo test -p bakery-e2e` lists every case as
//! `sqlite::<area>::<case>` and `mongo::<area>::<case>`. A case may name a function returning
//! the [`bakery_e2e::AppOptions`] its server needs (`case => options`).
//!
//! The MongoDB half needs `BAKERY_TEST_MONGODB_URI` (scripts/test.sh starts a server and sets
//! it); without it those tests fail with instructions unless `BAKERY_SKIP_MONGO=1`.

mod admin;
mod auth;
mod bakes;
mod board;
mod cache;
mod catalog;
mod crash;
mod favorites;
mod fleet;
mod hours;
mod http;
mod idempotency;
mod images;
mod journey;
mod kitchen;
mod migrate;
mod notifications;
mod options;
mod orders;
mod payments;
mod pickup;
mod promotions;
mod reviews;
mod shutdown;
mod tracking;
mod users;
mod zones;

macro_rules! e2e {
    ($backend:expr) => {
        e2e!(@expand $backend;
            cache {
                reads_follow_every_write,
            }
            auth {
                register_verify_and_read_the_profile,
                register_refuses_an_impossible_phone,
                a_wrong_code_is_refused_and_the_right_one_still_works,
                send_otp_then_login_with_the_code,
                password_login_and_its_errors,
                refresh_rotates_and_a_replay_revokes_the_family,
                logout_revokes_the_refresh_token,
                access_tokens_end_with_their_session,
                reset_password_signs_every_device_out,
                missing_and_bad_access_tokens_are_401,
                sdk_refreshes_an_expired_access_token => crate::auth::short_access_ttl,
                sdk_refreshes_once_for_concurrent_calls,
                sdk_gives_up_when_the_refresh_token_is_refused,
                sign_ins_and_codes_are_rate_limited => crate::auth::seed_rate_limits,
            }
            users {
                profile_update_and_password,
                profile_update_validates_fields,
                address_book,
                unknown_address_is_404,
                device_tokens,
                user_routes_need_a_token,
            }
            catalog {
                health_probes_answer,
                shop_terms_for_the_checkout,
                categories_in_display_order,
                product_filters_sorts_and_pages,
                category_products_and_unknown_category,
                featured_and_popular,
                search_tolerates_typos_and_accents,
                product_by_id_and_unknown_id,
                listing_parameters_are_validated,
            }
            hours {
                asap_orders_wait_for_the_shop_to_open => crate::hours::paris_with_manual_clock,
                only_staff_set_valid_hours,
            }
            kitchen {
                the_prep_list_sums_a_day_for_staff => crate::hours::paris_with_manual_clock,
            }
            bakes {
                croissants_sell_out_for_the_day => crate::hours::paris_with_manual_clock,
            }
            favorites {
                add_list_and_remove_favorites,
                favorites_errors,
            }
            reviews {
                only_customers_who_received_a_product_may_review,
                review_lifecycle,
                review_errors,
            }
            orders {
                cash_order_is_priced_by_the_server,
                list_get_and_track_my_orders,
                another_customers_order_is_404,
                customer_cancels_a_placed_order,
                limited_stock_sells_out,
                card_orders_are_refused_without_a_provider,
                order_validation_names_the_field,
                unavailable_product_is_a_conflict,
                order_routes_need_a_token,
                courier_picks_up_and_reports_the_location,
                couriers_cannot_cancel_nor_manage_the_catalog,
                customers_cannot_report_a_location,
                location_needs_an_order_out_for_delivery,
            }
            options {
                a_cake_is_ordered_with_its_options,
                choices_that_do_not_fit_are_422_naming_the_group,
            }
            pickup {
                a_pickup_goes_from_the_kitchen_to_the_counter,
                the_address_goes_with_a_delivery_only,
            }
            zones {
                staff_draw_zones_and_deliveries_pay_theirs,
                zones_that_cannot_hold_are_refused,
            }
            idempotency {
                twenty_duplicates_place_one_order,
                a_key_reused_for_another_request_is_refused,
                a_retried_cancel_replays_its_answer,
                keys_are_per_user,
                keys_are_forgotten_after_a_day => crate::idempotency::manual_clock,
            }
            notifications {
                order_notifications_can_be_read_and_deleted,
                notifications_of_others_are_404,
            }
            promotions {
                only_running_promotions_are_listed,
                apply_prices_a_cart,
                apply_errors,
                usage_limit_is_enforced,
                per_customer_limit_is_enforced,
            }
            admin {
                customers_are_403_on_admin_routes,
                admin_routes_need_a_token,
                product_crud,
                category_crud_and_conflicts,
                order_book_and_status_flow,
                delivery_person_and_tracking,
                promotion_crud_and_conflicts,
            }
            journey {
                the_whole_story,
            }
            images {
                upload_attach_serve_and_delete,
                refusals_leave_nothing_behind,
                expired_upload_urls_are_refused_and_swept => crate::images::manual_clock,
                the_limit_holds_under_concurrent_attaches,
                removed_while_processing_leaves_nothing,
            }
            board {
                staff_see_orders_placed_and_changed_live,
            }
            tracking {
                a_customer_follows_an_order_from_placed_to_delivered,
                addresses_keep_their_point_on_the_map,
                who_may_not_see_the_order_is_refused_before_the_upgrade,
                a_ticket_opens_the_socket_once_within_a_minute => crate::tracking::manual_clock,
                couriers_see_and_touch_only_their_orders,
                the_sdk_tracker_follows_an_order_to_the_end,
            }
        );
    };
    (@options) => { bakery_e2e::AppOptions::default() };
    (@options $options:path) => { $options() };
    (@expand $backend:expr; $( $area:ident { $( $case:ident $(=> $options:path)? ),* $(,)? } )*) => {
        $(
            mod $area {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let options = e2e!(@options $($options)?);
                        let Some(app) = bakery_e2e::spawn_app_with($backend, options).await else {
                            return;
                        };
                        crate::$area::$case(&app).await;
                    }
                )*
            }
        )*
    };
}

mod sqlite {
    e2e!(bakery_e2e::Backend::Sqlite);
}

mod mongo {
    e2e!(bakery_e2e::Backend::Mongo);
}

/// The picture flow, its refusals and removals while processing with pictures on an
/// S3-compatible server (s3s-fs, which checks the presigned URLs' signatures); the store is
/// SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_pictures_the_whole_flow() {
    if !bakery_e2e::s3_available() {
        return;
    }
    let app = bakery_e2e::spawn_app_with(bakery_e2e::Backend::Sqlite, images::on_s3())
        .await
        .expect("a SQLite app");
    images::the_whole_flow_on_s3(&app).await;
    assert!(
        app.contract_violations().is_empty(),
        "{:?}",
        app.contract_violations()
    );
    let app = bakery_e2e::spawn_app_with(bakery_e2e::Backend::Sqlite, images::on_s3())
        .await
        .expect("a SQLite app");
    images::refusals_on_s3(&app).await;
    assert!(
        app.contract_violations().is_empty(),
        "{:?}",
        app.contract_violations()
    );
    let app = bakery_e2e::spawn_app_with(bakery_e2e::Backend::Sqlite, images::on_s3())
        .await
        .expect("a SQLite app");
    images::removed_while_processing_leaves_nothing(&app).await;
}

/// The harness's doc example (tests/src/lib.rs), run for real.
#[tokio::test]
async fn harness_example() {
    use bakery_e2e::{spawn_app, Backend};
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let ada = app.customer("Ada", "+447700900001").await;
    let me = ada.api().get_profile().send().await.unwrap();
    assert_eq!(me.name, "Ada");
}
