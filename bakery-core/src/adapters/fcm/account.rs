//! The Google service-account key file (the JSON the Firebase console downloads under
//! Project settings → Service accounts → Generate new private key).

use std::fmt;

use jsonwebtoken::EncodingKey;

use crate::error::Error;

/// Google's OAuth2 token endpoint, used when the key file names none.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The parts of a service-account key file the adapter uses. The private key is kept out of
/// `Debug` and out of every log line and error message.
#[derive(Clone)]
pub struct ServiceAccount {
    /// The Firebase project the messages are sent for (it names the send URL).
    pub project_id: String,
    /// The account's address: the JWT's issuer.
    pub client_email: String,
    /// The RSA private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub private_key: String,
    /// Names the key; sent as the JWT's `kid` so Google picks the right public key at once.
    pub private_key_id: Option<String>,
    /// Where the JWT is exchanged for an access token; [`GOOGLE_TOKEN_URI`] when absent.
    pub token_uri: Option<String>,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .field("private_key", &"<redacted>")
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::validation("serviceAccount", message)
}

impl ServiceAccount {
    /// Parses a key file's JSON. Checks that it is a service account (not the `authorized_user`
    /// file `gcloud auth application-default login` writes), that the fields the adapter needs
    /// are there, that the project id can name a URL path and that the key is an RSA PEM key.
    /// Error messages name the field at fault, never a value.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's syntax errors give a line and column, never the text.
            invalid(format!(
                "not a service-account key file (invalid JSON: {e})"
            ))
        })?;
        let object = value
            .as_object()
            .ok_or_else(|| invalid("not a service-account key file (expected a JSON object)"))?;
        let text = |name: &str| -> Result<Option<String>, Error> {
            match object.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(_) => Err(invalid(format!("`{name}` must be a string"))),
            }
        };
        let required = |name: &str| -> Result<String, Error> {
            text(name)?.ok_or_else(|| invalid(format!("`{name}` is missing")))
        };
        match text("type")?.as_deref() {
            None | Some("service_account") => {}
            Some(other) => {
                return Err(invalid(format!(
                    "a `{other}` credential is not a service account: download a key for a \
                     service account of the Firebase project"
                )))
            }
        }
        let project_id = required("project_id")?;
        if !project_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'_'))
        {
            return Err(invalid("`project_id` is not a Google Cloud project id"));
        }
        let client_email = required("client_email")?;
        if !client_email.contains('@') {
            return Err(invalid("`client_email` is not an e-mail address"));
        }
        let account = Self {
            project_id,
            client_email,
            private_key: required("private_key")?,
            private_key_id: text("private_key_id")?,
            token_uri: text("token_uri")?,
        };
        account.signing_key()?;
        Ok(account)
    }

    /// The key that signs the JWT assertions.
    pub(crate) fn signing_key(&self) -> Result<EncodingKey, Error> {
        EncodingKey::from_rsa_pem(self.private_key.as_bytes())
            .map_err(|_| invalid("`private_key` is not an RSA private key in PEM form"))
    }
}

/// Reads the service account from what `FCM_SERVICE_ACCOUNT` or
/// `GOOGLE_APPLICATION_CREDENTIALS` holds: the key file's JSON itself (a value starting with
/// `{`), or the path of the key file. Returns the JSON, for
/// [`super::FcmPush::from_service_account`]. An unreadable file is an error naming the path
/// (never the contents).
pub fn load_service_account(value: &str) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(invalid("empty: give the key file's path or its JSON"));
    }
    if trimmed.starts_with('{') {
        return Ok(trimmed.to_owned());
    }
    std::fs::read_to_string(trimmed).map_err(|e| {
        invalid(format!(
            "the key file {trimmed} could not be read ({})",
            e.kind()
        ))
    })
}
