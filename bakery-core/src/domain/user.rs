use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::{forbidden_class, is_forbidden};
use super::{optional_text, required_text, GeoPoint, Id, Phone};
use crate::error::{ConflictCode, Error};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Admin,
    Delivery,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Admin => "admin",
            Role::Delivery => "delivery",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Error> {
        match raw {
            "customer" => Ok(Role::Customer),
            "admin" => Ok(Role::Admin),
            "delivery" => Ok(Role::Delivery),
            _ => Err(Error::validation(
                "role",
                "must be customer, admin or delivery",
            )),
        }
    }
}

/// A lower-cased e-mail address with one `@` and a dotted domain. Deliverability is not our
/// business; obvious typos are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// [`Email::parse`]'s rule as an ECMA-262 regular expression, for the contract: white space
/// around it (as `str::trim` removes) is taken, inside it is not, and no forbidden character
/// anywhere (see the text rule's pattern for how white space and the forbidden characters
/// are written). Blank is matched too: where the field is optional, blank means "no address".
pub const EMAIL_PATTERN: &str = concat!(
    // white space around it
    r"^(?:(?=[^",
    forbidden_class!(),
    r"])\s)*(",
    // the local part
    r"(?:(?!\s)[^@",
    forbidden_class!(),
    r"])+",
    // `@`, then a domain that starts and ends with neither a dot nor `@`, and has a dot
    r"@(?:(?!\s)[^@.",
    forbidden_class!(),
    r"])(?:(?!\s)[^@",
    forbidden_class!(),
    r"])*\.(?:(?!\s)[^@",
    forbidden_class!(),
    r"])*(?:(?!\s)[^@.",
    forbidden_class!(),
    r"])",
    r"(?:(?=[^",
    forbidden_class!(),
    r"])\s)*)?$",
);

impl Email {
    /// An address where the field may be cleared: blank (white space only) means none.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Error> {
        if raw.trim().is_empty() && !raw.chars().any(is_forbidden) {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.chars().any(is_forbidden) {
            return Err(Error::validation("email", "must be an e-mail address"));
        }
        let trimmed = raw.trim();
        // Counted as sent (before lower-casing, which may change the length), as the
        // contract's `maxLength` counts.
        let valid = trimmed.chars().count() <= 254
            && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
            && trimmed.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(trimmed.to_lowercase()))
        } else {
            Err(Error::validation("email", "must be an e-mail address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

/// A delivery address as the customer keeps it in their address book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub id: Id,
    pub title: String,
    pub address: String,
    pub landmark: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    pub is_default: bool,
    /// Where the door is, from the app's map picker: what a courier's ETA is computed
    /// against. Absent on addresses typed without a map (and on ones saved before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
}

/// The checked fields of an address, before it has an id.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressDraft {
    pub title: String,
    pub address: String,
    pub landmark: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    pub is_default: bool,
    /// Set with [`AddressDraft::with_location`].
    pub location: Option<GeoPoint>,
}

impl AddressDraft {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        title: &str,
        address: &str,
        landmark: Option<&str>,
        city: &str,
        state: &str,
        zip_code: &str,
        is_default: bool,
    ) -> Result<Self, Error> {
        Ok(Self {
            title: required_text("title", title, 40)?,
            address: required_text("address", address, 200)?,
            landmark: optional_text("landmark", landmark, 200)?,
            city: required_text("city", city, 80)?,
            state: required_text("state", state, 80)?,
            zip_code: required_text("zipCode", zip_code, 12)?,
            is_default,
            location: None,
        })
    }

    /// The address's point on the map, if the app picked one.
    pub fn with_location(mut self, location: Option<GeoPoint>) -> Self {
        self.location = location;
        self
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Id,
    pub name: String,
    pub phone: Phone,
    pub email: Option<Email>,
    /// argon2 PHC string; `None` for customers who only ever sign in with an OTP.
    pub password_hash: Option<String>,
    pub addresses: Vec<Address>,
    pub favorites: Vec<Id>,
    /// FCM registration tokens, one per device the customer signed in on.
    pub device_tokens: Vec<String>,
    pub role: Role,
    /// Whether the phone number has been proven with an OTP.
    pub phone_verified: bool,
    #[serde(with = "super::time")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "super::time")]
    pub updated_at: DateTime<Utc>,
    /// Bumped on every write so concurrent edits of one profile are detected, not lost.
    pub version: u64,
}

impl User {
    pub const MAX_ADDRESSES: usize = 20;
    pub const MAX_DEVICES: usize = 10;
    pub const MAX_FAVORITES: usize = 500;

    pub fn new(name: &str, phone: Phone, role: Role, now: DateTime<Utc>) -> Result<Self, Error> {
        Ok(Self {
            id: Id::generate(),
            name: required_text("name", name, 100)?,
            phone,
            email: None,
            password_hash: None,
            addresses: Vec::new(),
            favorites: Vec::new(),
            device_tokens: Vec::new(),
            role,
            phone_verified: false,
            created_at: now,
            updated_at: now,
            version: 0,
        })
    }

    /// Adds an address; the first one, or one marked default, becomes the only default.
    pub fn add_address(&mut self, draft: AddressDraft) -> Result<&Address, Error> {
        if self.addresses.len() >= Self::MAX_ADDRESSES {
            return Err(Error::conflict(
                ConflictCode::AddressLimitReached,
                "an account keeps at most 20 addresses; delete one first",
            ));
        }
        let make_default = draft.is_default || self.addresses.is_empty();
        if make_default {
            self.addresses.iter_mut().for_each(|a| a.is_default = false);
        }
        self.addresses.push(Address {
            id: Id::generate(),
            title: draft.title,
            address: draft.address,
            landmark: draft.landmark,
            city: draft.city,
            state: draft.state,
            zip_code: draft.zip_code,
            is_default: make_default,
            location: draft.location,
        });
        Ok(self.addresses.last().expect("just pushed"))
    }

    /// Replaces an address. Un-defaulting the only default is ignored: exactly one stays.
    pub fn update_address(&mut self, id: &Id, draft: AddressDraft) -> Result<&Address, Error> {
        let index = self
            .addresses
            .iter()
            .position(|a| &a.id == id)
            .ok_or(Error::NotFound {
                resource: "address",
            })?;
        if draft.is_default {
            self.addresses.iter_mut().for_each(|a| a.is_default = false);
        }
        let was_default = self.addresses[index].is_default;
        let slot = &mut self.addresses[index];
        slot.title = draft.title;
        slot.address = draft.address;
        slot.landmark = draft.landmark;
        slot.city = draft.city;
        slot.state = draft.state;
        slot.zip_code = draft.zip_code;
        slot.is_default = draft.is_default || was_default;
        slot.location = draft.location;
        Ok(&self.addresses[index])
    }

    /// Removes an address; if it was the default, the oldest remaining one takes over.
    pub fn remove_address(&mut self, id: &Id) -> Result<(), Error> {
        let index = self
            .addresses
            .iter()
            .position(|a| &a.id == id)
            .ok_or(Error::NotFound {
                resource: "address",
            })?;
        let removed = self.addresses.remove(index);
        if removed.is_default {
            if let Some(first) = self.addresses.first_mut() {
                first.is_default = true;
            }
        }
        Ok(())
    }

    pub fn default_address(&self) -> Option<&Address> {
        self.addresses.iter().find(|a| a.is_default)
    }

    /// Remembers a device; the newest devices win when the list is full.
    pub fn add_device_token(&mut self, token: &str) -> Result<(), Error> {
        let token = required_text("token", token, 4096)?;
        self.device_tokens.retain(|t| t != &token);
        self.device_tokens.push(token);
        if self.device_tokens.len() > Self::MAX_DEVICES {
            self.device_tokens.remove(0);
        }
        Ok(())
    }

    pub fn remove_device_token(&mut self, token: &str) {
        self.device_tokens.retain(|t| t != token.trim());
    }

    pub fn add_favorite(&mut self, product: Id) -> Result<(), Error> {
        if self.favorites.contains(&product) {
            return Ok(());
        }
        if self.favorites.len() >= Self::MAX_FAVORITES {
            return Err(Error::validation("productId", "at most 500 favorites"));
        }
        self.favorites.push(product);
        Ok(())
    }

    pub fn remove_favorite(&mut self, product: &Id) {
        self.favorites.retain(|p| p != product);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_keeps_at_most_twenty_addresses() {
        let mut user = user();
        for i in 0..User::MAX_ADDRESSES {
            user.add_address(draft(&format!("Home {i}"), false))
                .unwrap();
        }
        let refused = user.add_address(draft("One more", false)).unwrap_err();
        assert!(
            matches!(
                refused,
                Error::Conflict {
                    code: ConflictCode::AddressLimitReached,
                    ..
                }
            ),
            "{refused:?}"
        );
        assert_eq!(user.addresses.len(), User::MAX_ADDRESSES);
    }

    /// The contract's e-mail pattern takes exactly what the profile update takes: blank (no
    /// address) or an address [`Email::parse`] accepts.
    #[test]
    fn the_email_pattern_agrees_with_the_rule() {
        let pattern = regress::Regex::new(EMAIL_PATTERN).unwrap();
        let mut samples: Vec<String> = [
            "",
            " ",
            "ada@example.com",
            " Ada@Example.COM ",
            "ada@example",
            "@example.com",
            "ada@.example.com",
            "ada@example.com.",
            "ada@@example.com",
            "a@b@c.d",
            "a b@c.d",
            "a@b..c",
            "a@b.c",
            "a\u{1}@b.c",
            "a@b.c\u{85}",
            "\u{3000}a@b.c",
            "é@ü.fr",
            "a@b.c\u{2028}",
            "a\u{A0}b@c.d",
            "a.b@c-d.e",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in (0u32..0x3100).filter_map(char::from_u32) {
            samples.push(format!("a{c}@b.c"));
            samples.push(format!("a@b{c}c.d"));
            samples.push(format!("{c}a@b.c"));
        }
        for sample in &samples {
            let taken = Email::parse_optional(sample).is_ok();
            assert_eq!(pattern.find(sample).is_some(), taken, "{sample:?}");
        }
    }

    fn user() -> User {
        User::new(
            "Ada",
            Phone::parse("+447700900123").unwrap(),
            Role::Customer,
            Utc::now(),
        )
        .unwrap()
    }

    fn draft(title: &str, is_default: bool) -> AddressDraft {
        AddressDraft::parse(
            title,
            "1 Baker St",
            None,
            "London",
            "London",
            "NW1",
            is_default,
        )
        .unwrap()
    }

    fn defaults(u: &User) -> usize {
        u.addresses.iter().filter(|a| a.is_default).count()
    }

    #[test]
    fn exactly_one_default_address_through_every_edit() {
        let mut u = user();
        let home = u.add_address(draft("Home", false)).unwrap().id.clone();
        assert!(u.addresses[0].is_default, "first address becomes default");
        let work = u.add_address(draft("Work", true)).unwrap().id.clone();
        assert_eq!(defaults(&u), 1);
        assert_eq!(u.default_address().unwrap().id, work);
        u.update_address(&work, draft("Work", false)).unwrap();
        assert_eq!(defaults(&u), 1, "the only default cannot be switched off");
        u.update_address(&home, draft("Home", true)).unwrap();
        assert_eq!(u.default_address().unwrap().id, home);
        u.remove_address(&home).unwrap();
        assert_eq!(u.default_address().unwrap().id, work);
        assert!(matches!(
            u.remove_address(&home),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn names_and_emails_are_checked() {
        assert!(User::new(
            "  ",
            Phone::parse("+447700900123").unwrap(),
            Role::Customer,
            Utc::now()
        )
        .is_err());
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in ["ada", "ada@", "@x.io", "a@b", "a b@c.io", "a@@c.io"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn device_tokens_are_a_bounded_set() {
        let mut u = user();
        u.add_device_token("a").unwrap();
        u.add_device_token("a").unwrap();
        assert_eq!(u.device_tokens, vec!["a"]);
        for i in 0..20 {
            u.add_device_token(&format!("t{i}")).unwrap();
        }
        assert_eq!(u.device_tokens.len(), User::MAX_DEVICES);
        assert_eq!(u.device_tokens.last().unwrap(), "t19");
    }
}
