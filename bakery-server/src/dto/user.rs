//! Accounts and address books.

use super::timestamp::Timestamp;
use bakery_core::domain;
use poem_openapi::{Enum, Object};

/// Who an account is to the shop.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Admin,
    Delivery,
}

impl From<domain::Role> for Role {
    fn from(r: domain::Role) -> Self {
        match r {
            domain::Role::Customer => Self::Customer,
            domain::Role::Admin => Self::Admin,
            domain::Role::Delivery => Self::Delivery,
        }
    }
}

/// A point on the map, as the app's map picker gives it.
#[derive(Object, Debug, Clone, Copy, PartialEq)]
pub struct LatLng {
    /// Degrees, -90..=90.
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    /// Degrees, -180..=180.
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
}

impl LatLng {
    /// The domain point; a refusal names `{field}.lat` or `{field}.lng`.
    pub fn to_domain(self, field: &str) -> Result<domain::GeoPoint, bakery_core::Error> {
        domain::GeoPoint::from_lat_lng(self.lat, self.lng).map_err(|e| e.in_field(field))
    }
}

impl From<domain::GeoPoint> for LatLng {
    fn from(p: domain::GeoPoint) -> Self {
        Self {
            lat: p.latitude(),
            lng: p.longitude(),
        }
    }
}

/// A saved delivery address.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct Address {
    pub id: String,
    pub title: String,
    pub address: String,
    pub landmark: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    pub is_default: bool,
    /// The door on the map; absent when the address was saved without one.
    pub location: Option<LatLng>,
}

impl From<domain::Address> for Address {
    fn from(a: domain::Address) -> Self {
        Self {
            id: a.id.into(),
            title: a.title,
            address: a.address,
            landmark: a.landmark,
            city: a.city,
            state: a.state,
            zip_code: a.zip_code,
            is_default: a.is_default,
            location: a.location.map(LatLng::from),
        }
    }
}

/// An address to save.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct AddressInput {
    /// e.g. "Home", "Work".
    #[oai(validator(min_length = 1, max_length = 40))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub address: String,
    #[oai(validator(max_length = 200))]
    pub landmark: Option<String>,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub city: String,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub state: String,
    #[oai(validator(min_length = 1, max_length = 12))]
    pub zip_code: String,
    #[oai(default)]
    pub is_default: bool,
    /// The door on the map (the app's map picker), so a courier's position gives a live
    /// ETA on orders to this address. Copy it into the order's `deliveryAddress`.
    pub location: Option<LatLng>,
}

impl AddressInput {
    pub fn to_domain(&self) -> Result<domain::AddressDraft, bakery_core::Error> {
        let location = self.location.map(|l| l.to_domain("location")).transpose()?;
        Ok(domain::AddressDraft::parse(
            &self.title,
            &self.address,
            self.landmark.as_deref(),
            &self.city,
            &self.state,
            &self.zip_code,
            self.is_default,
        )?
        .with_location(location))
    }
}

/// An account as its owner (or staff) sees it. Never includes the password hash.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct User {
    pub id: String,
    pub name: String,
    /// E.164, e.g. `+447700900123`.
    pub phone: String,
    pub email: Option<String>,
    pub role: Role,
    pub phone_verified: bool,
    /// Whether the account can sign in with a password (customers may use codes only).
    pub has_password: bool,
    pub addresses: Vec<Address>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<domain::User> for User {
    fn from(u: domain::User) -> Self {
        Self {
            id: u.id.into(),
            name: u.name,
            phone: u.phone.into(),
            email: u.email.map(String::from),
            role: u.role.into(),
            phone_verified: u.phone_verified,
            has_password: u.password_hash.is_some(),
            addresses: u.addresses.into_iter().map(Address::from).collect(),
            created_at: u.created_at.into(),
            updated_at: u.updated_at.into(),
        }
    }
}

/// Profile changes; absent fields stay as they are, an empty `email` clears it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ProfileUpdate {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: Option<String>,
}

/// A device's push token (FCM registration token).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct DeviceToken {
    #[oai(validator(min_length = 1, max_length = 4096))]
    pub token: String,
}
