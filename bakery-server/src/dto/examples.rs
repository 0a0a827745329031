//! Realistic examples of the main flows' bodies, shown in the spec (and so in every generated
//! client's docs and in `/docs`).

use poem_openapi::types::Example;

use chrono::{DateTime, Utc};

use super::auth::{LoginRequest, RefreshRequest, RegisterRequest, TokenResponse, VerifyOtpRequest};
use super::catalog::{NutritionalInfo, Product, Ratings};
use super::image::{Image, ImageStatus, ImageVariant};
use super::order::{
    CartLine, DeliveryAddress, DeliveryAddressInput, Fulfilment, Order, OrderItem, OrderStatus,
    PaymentDetails, PaymentInput, PaymentMethod, PaymentStatus, PlaceOrderRequest, StatusChange,
};
use super::payment::PaymentOrderRequest;
use super::promotion::Quote;
use super::timestamp::Timestamp;
use super::user::{Address, LatLng, Role, User};
use crate::error::{ErrorBody, ErrorCode, ErrorDetails};

const PHONE: &str = "+33612345678";

impl Example for RegisterRequest {
    fn example() -> Self {
        Self {
            name: "Chloé Martin".into(),
            phone: PHONE.into(),
        }
    }
}

impl Example for VerifyOtpRequest {
    fn example() -> Self {
        Self {
            phone: PHONE.into(),
            otp: "482913".into(),
        }
    }
}

impl Example for LoginRequest {
    fn example() -> Self {
        Self {
            phone: PHONE.into(),
            password: None,
            otp: Some("482913".into()),
        }
    }
}

impl Example for RefreshRequest {
    fn example() -> Self {
        Self {
            refresh_token: Some("3q2-7wEAAAB2c1Ghx0u9aFQ1bXlqc3Y4bWZ4cXJ6bWs".into()),
        }
    }
}

impl Example for PlaceOrderRequest {
    fn example() -> Self {
        Self {
            items: vec![
                CartLine {
                    product: "6752a1f0c3b2e41a2f9d0c11".into(),
                    quantity: 4,
                    options: vec![],
                },
                CartLine {
                    product: "6752a1f0c3b2e41a2f9d0c14".into(),
                    quantity: 1,
                    options: vec![],
                },
            ],
            fulfilment: Some(Fulfilment::Delivery),
            delivery_address: Some(DeliveryAddressInput {
                address: "12 rue des Boulangers".into(),
                landmark: Some("blue door, 3rd floor".into()),
                city: "Paris".into(),
                state: "Île-de-France".into(),
                zip_code: "75005".into(),
                location: Some(LatLng {
                    lat: 48.8462,
                    lng: 2.3464,
                }),
            }),
            payment_details: PaymentInput {
                method: PaymentMethod::Card,
            },
            promotion_code: Some("WELCOME10".into()),
            is_scheduled: None,
            scheduled_delivery_time: None,
            special_instructions: Some("Please ring twice".into()),
        }
    }
}

impl Example for PaymentOrderRequest {
    fn example() -> Self {
        Self {
            order_id: "6752a2b4c3b2e41a2f9d0c52".into(),
        }
    }
}

impl Example for ErrorBody {
    fn example() -> Self {
        Self {
            code: ErrorCode::ValidationFailed,
            message: "deliveryAddress.city: must not be empty".into(),
            details: Some(ErrorDetails::one(
                "deliveryAddress.city",
                "deliveryAddress.city: must not be empty",
            )),
        }
    }
}

/// A fixed instant, so the committed spec does not change from one generation to the next.
fn at(rfc3339: &str) -> Timestamp {
    Timestamp(
        rfc3339
            .parse::<DateTime<Utc>>()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
    )
}

impl Example for User {
    fn example() -> Self {
        Self {
            id: "6752a0d1c3b2e41a2f9d0b07".into(),
            name: "Chloé Martin".into(),
            phone: PHONE.into(),
            email: None,
            role: Role::Customer,
            phone_verified: true,
            has_password: false,
            addresses: vec![Address {
                id: "6752a0e8c3b2e41a2f9d0b09".into(),
                title: "Home".into(),
                address: "12 rue des Boulangers".into(),
                landmark: Some("blue door, 3rd floor".into()),
                city: "Paris".into(),
                state: "Île-de-France".into(),
                zip_code: "75005".into(),
                is_default: true,
                location: Some(LatLng {
                    lat: 48.8462,
                    lng: 2.3464,
                }),
            }],
            created_at: at("2026-11-02T08:14:03Z"),
            updated_at: at("2026-11-02T08:16:40Z"),
        }
    }
}

impl Example for TokenResponse {
    fn example() -> Self {
        Self {
            access_token:
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI2NzUyYTBkMSIsInNpZCI6ImYxIn0.c2lnbmF0dXJl".into(),
            refresh_token: "3q2-7wEAAAB2c1Ghx0u9aFQ1bXlqc3Y4bWZ4cXJ6bWs".into(),
            expires_in: 900,
            token_type: "Bearer".into(),
            user: User::example(),
        }
    }
}

/// A picture as attaching answers it: its variants are still being made.
impl Example for Image {
    fn example() -> Self {
        Self {
            id: "6752a3c0c3b2e41a2f9d0d02".into(),
            status: ImageStatus::Processing,
            variants: Vec::new(),
        }
    }
}

impl Example for Product {
    fn example() -> Self {
        let variant = |side: u32, height: u32| ImageVariant {
            url: format!(
                "https://bakery.example/media/images/6752a3c0c3b2e41a2f9d0d01/{side}.webp"
            ),
            width: side,
            height,
        };
        Self {
            id: "6752a1f0c3b2e41a2f9d0c11".into(),
            name: "Croissant au beurre".into(),
            description: "Laminated by hand with AOP Charentes butter, baked every morning.".into(),
            category: "6752a1a2c3b2e41a2f9d0c02".into(),
            price: 150,
            discount_price: None,
            images: Vec::new(),
            photos: vec![Image {
                id: "6752a3c0c3b2e41a2f9d0d01".into(),
                status: ImageStatus::Ready,
                variants: vec![variant(400, 300), variant(1200, 900)],
            }],
            ingredients: vec![
                "wheat flour".into(),
                "butter".into(),
                "milk".into(),
                "sugar".into(),
                "yeast".into(),
                "salt".into(),
            ],
            nutritional_info: NutritionalInfo {
                calories: Some(231.0),
                fat: Some(12.0),
                carbs: Some(26.0),
                protein: Some(5.0),
            },
            is_vegetarian: true,
            allergens: vec!["gluten".into(), "milk".into()],
            preparation_time: 10,
            is_available: true,
            is_featured: true,
            stock: None,
            option_groups: vec![],
            daily_quantity: Some(120),
            left_today: Some(37),
            next_available: None,
            ratings: Ratings {
                average: 4.7,
                count: 38,
            },
            created_at: at("2026-10-01T06:00:00Z"),
            updated_at: at("2026-11-29T05:45:12Z"),
        }
    }
}

impl Example for Quote {
    fn example() -> Self {
        Self {
            subtotal: 1150,
            discount: 115,
            delivery_fee: 250,
            taxes: 57,
            total: 1342,
            currency: "eur".into(),
        }
    }
}

impl Example for Order {
    fn example() -> Self {
        Self {
            id: "6752a2b4c3b2e41a2f9d0c52".into(),
            user: "6752a0d1c3b2e41a2f9d0b07".into(),
            items: vec![
                OrderItem {
                    product: "6752a1f0c3b2e41a2f9d0c11".into(),
                    name: "Croissant au beurre".into(),
                    quantity: 4,
                    price: 150,
                    options: vec![],
                },
                OrderItem {
                    product: "6752a1f0c3b2e41a2f9d0c14".into(),
                    name: "Tarte aux fraises".into(),
                    quantity: 1,
                    price: 550,
                    options: vec![],
                },
            ],
            fulfilment: Fulfilment::Delivery,
            delivery_address: Some(DeliveryAddress {
                address: "12 rue des Boulangers".into(),
                landmark: Some("blue door, 3rd floor".into()),
                city: "Paris".into(),
                state: "Île-de-France".into(),
                zip_code: "75005".into(),
                location: Some(LatLng {
                    lat: 48.8462,
                    lng: 2.3464,
                }),
            }),
            delivery_zone: Some("Paris".into()),
            payment_details: PaymentDetails {
                method: PaymentMethod::Card,
                transaction_id: Some("pi_3QK8c2LkdIwHu7ix0Xp1Yh2Z".into()),
                status: PaymentStatus::Completed,
                refund_id: None,
            },
            order_status: OrderStatus::Preparing,
            status_history: vec![
                StatusChange {
                    status: OrderStatus::Placed,
                    at: at("2026-11-30T07:58:21Z"),
                    actor: "6752a0d1c3b2e41a2f9d0b07".into(),
                    actor_role: Role::Customer,
                },
                StatusChange {
                    status: OrderStatus::Preparing,
                    at: at("2026-11-30T08:03:02Z"),
                    actor: "6752a0aac3b2e41a2f9d0b01".into(),
                    actor_role: Role::Admin,
                },
            ],
            subtotal: 1150,
            delivery_fee: 250,
            taxes: 57,
            discount: 115,
            total: 1342,
            currency: "eur".into(),
            promotion_code: Some("WELCOME10".into()),
            is_scheduled: false,
            scheduled_delivery_time: None,
            estimated_delivery_time: at("2026-11-30T08:45:00Z"),
            delivery_person: None,
            special_instructions: Some("Please ring twice".into()),
            created_at: at("2026-11-30T07:58:21Z"),
            updated_at: at("2026-11-30T08:03:02Z"),
            revision: 3,
        }
    }
}
