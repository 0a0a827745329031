//! One conformance suite for the store ports, run against every backend.
//!
//! The cases (in `cases/`, one module per aggregate port) are written once against the wired
//! [`Store`]; `conformance!` turns
//! each into a `#[tokio::test]` inside a backend module, so `cargo test` lists every case once
//! as `sqlite::<aggregate>::<case>` and once as `mongo::<aggregate>::<case>`.
//!
//! The MongoDB half needs `BAKERY_TEST_MONGODB_URI` (scripts/test.sh starts a server and sets
//! it). Without it the tests fail, unless `BAKERY_SKIP_MONGO=1` opts out for a quick local run.

mod cases;
mod fixtures;

use std::any::Any;

use bakery_core::ports::Store;

/// A fresh store for one test, and whatever must live as long as it (a temp dir).
pub struct Provisioned {
    pub store: Store,
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

impl Provisioned {
    #[allow(dead_code)]
    pub fn new(store: Store) -> Self {
        Self { store, _keep: None }
    }

    #[allow(dead_code)]
    pub fn keeping(store: Store, keep: impl Any + Send + Sync) -> Self {
        Self {
            store,
            _keep: Some(Box::new(keep)),
        }
    }
}

/// Expands to one test per case for the backend whose `async fn $make() -> Option<Provisioned>`
/// is in scope (`None` means the backend was explicitly skipped; the function says so).
macro_rules! conformance {
    ($make:ident) => {
        conformance!(@expand $make;
            accounts {
                ping_answers,
                user_round_trips,
                missing_user_is_none,
                duplicate_phone_conflicts,
                update_user_is_optimistic,
                update_missing_user_is_false,
            }
            catalog {
                category_round_trips,
                category_update_and_delete,
                duplicate_category_name_conflicts,
                categories_listed_by_display_order_then_name,
                category_in_use_cannot_be_deleted,
                product_round_trips,
                product_with_options_round_trips,
                get_products_returns_the_existing_ones,
                update_product_keeps_ratings_and_units_sold,
                delete_product,
                list_products_filters,
                list_products_price_range_uses_effective_price,
                list_products_sorts,
                list_products_paginates,
                search_candidates_honours_the_filter,
                search_candidates_is_unpaged,
            }
            reviews {
                review_round_trips,
                ratings_stay_exact_through_every_write,
                ratings_average_is_not_rounded,
                duplicate_review_conflicts,
                missing_review_update_and_delete_are_false,
                reviews_listed_newest_first,
            }
            orders {
                place_order_decrements_limited_stock_only,
                order_lines_keep_their_options,
                place_order_counts_repeated_lines_together,
                stock_can_reach_exactly_zero,
                out_of_stock_changes_nothing,
                place_order_with_promotion_counts_it,
                list_orders_filters_and_orders_newest_first,
                transition_is_conditional_and_appends_history,
                cancel_gives_back_stock_units_and_promotion,
                staff_cancel_while_preparing_gives_back_stock,
                delivery_person_and_location,
                has_delivered_product_only_for_delivered_orders,
                promotion_uses_by_excludes_canceled,
                every_write_bumps_the_revision,
                orders_listed_by_courier,
                orders_due_in_a_window_by_id_without_canceled,
                pickup_orders_round_trip_and_filter_by_fulfilment,
            }
            payments {
                payment_intent_is_recorded_while_unpaid,
                payment_changes_only_on_what_was_read,
                payment_change_records_intent_and_refund_ids,
                payment_change_effects_commit_with_it,
                cancel_can_be_conditional_on_the_payment,
                order_found_by_payment_intent,
                awaiting_payment_lists_unpaid_card_orders,
                payment_events_are_recorded_once,
            }
            outbox {
                effects_commit_with_the_order_or_not_at_all,
                claims_lease_and_finish,
                a_notification_written_twice_is_kept_once,
                concurrent_claims_take_each_message_once,
            }
            promotions {
                promotion_round_trips,
                duplicate_code_conflicts,
                promotions_without_code_do_not_collide,
                update_promotion_keeps_used_count,
                delete_promotion,
                list_promotions_newest_first_and_active_window,
            }
            notifications {
                notifications_listed_newest_first_per_user,
                mark_read_only_by_owner,
                delete_only_by_owner,
            }
            auth_secrets {
                otp_attempts_are_counted,
                put_otp_replaces_the_older_one,
                consume_otp_succeeds_once,
                refresh_token_rotates_then_is_reused,
                unknown_refresh_token,
                revoke_token_family_spends_its_live_tokens,
                revoke_user_tokens_spends_all_of_theirs,
                a_session_is_live_until_its_family_is_revoked,
            }
            idempotency {
                a_completed_key_replays_its_answer,
                a_key_reused_for_another_request_is_a_mismatch,
                a_running_key_is_in_flight_until_its_lease_runs_out,
                an_abandoned_key_can_start_again,
                keys_expire_after_their_lifetime,
                keys_are_per_user,
                concurrent_claims_start_exactly_once,
            }
            shop {
                opening_hours_are_none_until_set_then_replaced,
                delivery_area_is_none_until_set_then_replaced,
            }
            bakes {
                orders_take_from_their_day_only,
                a_sold_out_day_refuses_and_takes_nothing,
                cancel_gives_back_to_the_same_day,
            }
            races {
                last_items_sell_exactly_once,
                last_of_the_days_bake_sells_exactly_once,
                promotion_usage_limit_holds,
                promotion_per_user_limit_holds,
                refresh_token_rotates_once,
                one_review_per_user_under_contention,
                cancel_gives_back_exactly_once,
                otp_consumed_by_exactly_one,
                otp_attempts_counted_atomically,
                optimistic_user_update_has_one_winner,
                payment_settles_exactly_once,
                cancel_and_payment_race_one_wins,
            }
        );
    };
    (@expand $make:ident; $( $module:ident { $( $name:ident ),* $(,)? } )*) => {
        $(
            mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        let Some(provisioned) = super::$make().await else {
                            return;
                        };
                        crate::cases::$module::$name(provisioned.store.clone()).await;
                        drop(provisioned);
                    }
                )*
            }
        )*
    };
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use bakery_core::adapters::sqlite::SqliteStore;
    use bakery_core::ports::Store;

    use crate::Provisioned;

    /// A fresh SQLite database in its own temp dir, removed when the test ends.
    async fn store() -> Option<Provisioned> {
        let dir = tempfile::Builder::new()
            .prefix("bakery-conformance-")
            .tempdir()
            .expect("create temp dir");
        let store = SqliteStore::open(dir.path().join("bakery.db"))
            .await
            .expect("open SQLite store");
        Some(Provisioned::keeping(Store::from_adapter(store), dir))
    }

    conformance!(store);
}

#[cfg(feature = "mongodb")]
mod mongo {
    use bakery_core::adapters::mongo::MongoStore;
    use bakery_core::ports::Store;

    use crate::Provisioned;

    const URI_VAR: &str = "BAKERY_TEST_MONGODB_URI";
    const SKIP_VAR: &str = "BAKERY_SKIP_MONGO";

    /// A connection to a database of its own (`conf_<random hex>`) on the test server.
    async fn store() -> Option<Provisioned> {
        let uri = match std::env::var(URI_VAR) {
            Ok(uri) if !uri.trim().is_empty() => uri,
            _ if std::env::var(SKIP_VAR).as_deref() == Ok("1") => {
                println!(
                    "SKIPPED: {URI_VAR} is not set and {SKIP_VAR}=1; this MongoDB test did not run"
                );
                return None;
            }
            _ => panic!(
                "{URI_VAR} is not set, so the MongoDB store cannot be tested. Run \
                 scripts/test.sh, which installs and starts a MongoDB-compatible server, or set \
                 {URI_VAR}=mongodb://127.0.0.1:PORT (set {SKIP_VAR}=1 to skip these tests in a \
                 quick local run; CI never does)"
            ),
        };
        let database = format!("conf_{}", crate::fixtures::random_hex(8));
        let store = MongoStore::connect(&uri, &database)
            .await
            .unwrap_or_else(|e| panic!("connect to {URI_VAR}={uri}: {e:?}"));
        Some(Provisioned::new(Store::from_adapter(store)))
    }

    conformance!(store);
}
