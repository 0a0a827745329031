//! Realistic examples of the main flows' bodies, shown in the spec (and so in every generated
//! client's docs and in `/docs`).

use poem_openapi::types::Example;

use super::auth::{LoginRequest, RefreshRequest, RegisterRequest, VerifyOtpRequest};
use super::order::{
    CartLine, DeliveryAddressInput, PaymentInput, PaymentMethod, PlaceOrderRequest,
};
use super::payment::PaymentOrderRequest;
use super::user::LatLng;
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
                },
                CartLine {
                    product: "6752a1f0c3b2e41a2f9d0c14".into(),
                    quantity: 1,
                },
            ],
            delivery_address: DeliveryAddressInput {
                address: "12 rue des Boulangers".into(),
                landmark: Some("blue door, 3rd floor".into()),
                city: "Paris".into(),
                state: "Île-de-France".into(),
                zip_code: "75005".into(),
                location: Some(LatLng {
                    lat: 48.8462,
                    lng: 2.3464,
                }),
            },
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
            details: Some(ErrorDetails {
                field: "deliveryAddress.city".into(),
            }),
        }
    }
}
