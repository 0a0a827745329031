//! Sign-up and sign-in bodies, and the token answer.

use poem_openapi::Object;

use super::user::User;

/// Starts sign-up: a code is sent to the phone.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RegisterRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// International form: `+` and the country code.
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
}

/// Asks for a sign-in code for a registered phone.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct SendOtpRequest {
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
}

/// Proves a phone with the code it received.
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none, example)]
pub struct VerifyOtpRequest {
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
    /// Six digits.
    #[oai(validator(pattern = "^[0-9]{6}$"))]
    pub otp: String,
}

/// Signs in with a password or with a code from `send-otp`: exactly one of the two.
// Unknown fields are refused, so "the phone and one credential" is exactly two fields, as the
// contract says (`spec::one_credential`).
#[derive(Object, Debug, Clone)]
#[oai(skip_serializing_if_is_none, example, deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: Option<String>,
    #[oai(validator(pattern = "^[0-9]{6}$"))]
    pub otp: Option<String>,
}

/// A refresh token; may be omitted when the `refresh_token` cookie carries it.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct RefreshRequest {
    #[oai(validator(min_length = 1, max_length = 256))]
    pub refresh_token: Option<String>,
}

/// Sets a new password with a code sent to the phone; signs every device out.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none)]
pub struct ResetPasswordRequest {
    #[oai(validator(pattern = r"^\s*(\+|00)[ ().-]*[1-9]([ ().-]*[0-9]){7,14}[ ().-]*\s*$"))]
    pub phone: String,
    #[oai(validator(pattern = "^[0-9]{6}$"))]
    pub otp: String,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// A signed-in session.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", skip_serializing_if_is_none, example)]
pub struct TokenResponse {
    /// HS256 JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Single-use; exchange it at `/auth/refresh-token` for a new pair.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Always `Bearer`.
    pub token_type: String,
    pub user: User,
}
