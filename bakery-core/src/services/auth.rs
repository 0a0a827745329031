//! Signing up and in with a phone: OTPs, passwords and rotating refresh tokens.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};

use super::Bakery;
use crate::domain::{required_text, Id, OtpRecord, Phone, RefreshTokenRecord, Role, User};
use crate::error::{ConflictCode, Error, Result};
use crate::ports::RefreshOutcome;
use crate::secrets;

/// What a successful sign-in yields. The server wraps it with a short-lived access token.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    /// The refresh-token family: access tokens name it, and end when it is revoked.
    pub family: Id,
    /// Shown once, never stored in clear.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

const BAD_CODE: &str = "invalid or expired code";
const BAD_LOGIN: &str = "wrong phone number or password";
const BAD_REFRESH: &str = "invalid or expired refresh token";

impl Bakery {
    /// Starts sign-up. The answer is the same whether or not the phone already has an
    /// account (then the code simply signs that account in), so nobody can probe numbers.
    #[tracing::instrument(skip(self, name))]
    pub async fn register(&self, name: &str, phone: &Phone) -> Result<()> {
        self.check_otp_destination(phone)?;
        let name = required_text("name", name, 100)?;
        self.issue_otp(phone, Some(name)).await
    }

    /// Sends a sign-in code to a registered phone; for an unknown phone it quietly sends
    /// nothing and answers the same.
    #[tracing::instrument(skip(self))]
    pub async fn send_otp(&self, phone: &Phone) -> Result<()> {
        self.check_otp_destination(phone)?;
        if self
            .store
            .accounts
            .find_user_by_phone(phone)
            .await?
            .is_some()
        {
            self.issue_otp(phone, None).await?;
        }
        Ok(())
    }

    /// Refuses a number outside the shop's calling codes ([`Settings::otp_countries`])
    /// before anything is looked up, stored or sent, so the refusal costs nothing and reads
    /// the same for a registered number as for an unknown one. Callers that count codes
    /// (rate limits) check it before counting.
    ///
    /// [`Settings::otp_countries`]: super::Settings::otp_countries
    pub fn check_otp_destination(&self, phone: &Phone) -> Result<()> {
        let Some(codes) = &self.settings.otp_countries else {
            return Ok(());
        };
        if codes.iter().any(|code| phone.has_calling_code(code)) {
            return Ok(());
        }
        let allowed: Vec<String> = codes.iter().map(|code| format!("+{code}")).collect();
        Err(Error::validation(
            "phone",
            format!(
                "this shop sends codes only to numbers starting with {}",
                allowed.join(", ")
            ),
        ))
    }

    async fn issue_otp(&self, phone: &Phone, pending_name: Option<String>) -> Result<()> {
        let code = secrets::new_otp_code();
        let now = self.now();
        let record = OtpRecord {
            id: Id::generate(),
            phone: phone.clone(),
            code_hash: self.settings.otp_key.hash(phone.as_str(), &code),
            attempts: 0,
            pending_name,
            expires_at: now + self.settings.otp_ttl,
            created_at: now,
        };
        self.store.auth_secrets.put_otp(&record).await?;
        let minutes = u32::try_from(self.settings.otp_ttl.num_minutes()).unwrap_or(u32::MAX);
        if let Err(send_error) = self.sms.send_otp(phone, &code, minutes).await {
            // Stored before sending, so a code cannot arrive before it verifies; a code that
            // never left must not stay behind to be guessed at.
            if let Err(e) = self.store.auth_secrets.consume_otp(&record.id).await {
                tracing::error!(error = ?e, "could not discard a sign-in code that was not sent");
            }
            return Err(send_error);
        }
        Ok(())
    }

    /// Proves the phone with its code: creates the account on first sign-up, else signs in.
    #[tracing::instrument(skip(self, code))]
    pub async fn verify_otp(&self, phone: &Phone, code: &str) -> Result<Session> {
        let otp = self.consume_code(phone, code).await?;
        let user = match self.store.accounts.find_user_by_phone(phone).await? {
            Some(user) => self.mark_phone_verified(user).await?,
            None => {
                let name = otp.pending_name.ok_or(Error::Unauthorized(BAD_CODE))?;
                let mut user = User::new(&name, phone.clone(), Role::Customer, self.now())?;
                user.phone_verified = true;
                match self.store.accounts.insert_user(&user).await {
                    Ok(()) => user,
                    // Two verifications of two codes raced; the other one created the account.
                    Err(Error::Conflict {
                        code: ConflictCode::DuplicatePhone,
                        ..
                    }) => self
                        .store
                        .accounts
                        .find_user_by_phone(phone)
                        .await?
                        .ok_or(Error::Unauthorized(BAD_CODE))?,
                    Err(e) => return Err(e),
                }
            }
        };
        self.start_session(user).await
    }

    /// Signs a registered user in with a code from [`Bakery::send_otp`].
    #[tracing::instrument(skip(self, code))]
    pub async fn login_with_otp(&self, phone: &Phone, code: &str) -> Result<Session> {
        self.consume_code(phone, code).await?;
        let user = self
            .store
            .accounts
            .find_user_by_phone(phone)
            .await?
            .ok_or(Error::Unauthorized(BAD_CODE))?;
        let user = self.mark_phone_verified(user).await?;
        self.start_session(user).await
    }

    #[tracing::instrument(skip(self, password))]
    pub async fn login_with_password(&self, phone: &Phone, password: &str) -> Result<Session> {
        let user = self.store.accounts.find_user_by_phone(phone).await?;
        let stored = user.as_ref().and_then(|u| u.password_hash.clone());
        let has_password = stored.is_some();
        // Hash even when there is no account, so the answer takes as long either way.
        let password = password.to_owned();
        let ok = self
            .hashing
            .run(move || {
                let stored: &str = match &stored {
                    Some(hash) => hash,
                    None => dummy_hash(),
                };
                secrets::verify_password(&password, stored)
            })
            .await?;
        match user {
            Some(user) if ok && has_password => self.start_session(user).await,
            _ => Err(Error::Unauthorized(BAD_LOGIN)),
        }
    }

    /// Sets a new password with a code sent to the phone, and signs every device out.
    #[tracing::instrument(skip(self, code, new_password))]
    pub async fn reset_password(
        &self,
        phone: &Phone,
        code: &str,
        new_password: &str,
    ) -> Result<()> {
        let hash = self.hashing.hash_password(new_password).await?;
        self.consume_code(phone, code).await?;
        let user = self
            .store
            .accounts
            .find_user_by_phone(phone)
            .await?
            .ok_or(Error::Unauthorized(BAD_CODE))?;
        self.modify_user(&user.id, |u| {
            u.password_hash = Some(hash.clone());
            u.phone_verified = true;
            Ok(())
        })
        .await?;
        self.store.auth_secrets.revoke_user_tokens(&user.id).await?;
        self.sessions_changed(&user.id).await;
        Ok(())
    }

    /// Spends a refresh token for a new one of the same family. A token presented twice is
    /// taken as stolen: the whole family is revoked and every holder must sign in again.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session> {
        let hash = secrets::hash_refresh_token(refresh_token.trim());
        match self
            .store
            .auth_secrets
            .use_refresh_token(&hash, self.now())
            .await?
        {
            RefreshOutcome::Rotated(record) => {
                if record.expires_at <= self.now() {
                    return Err(Error::Unauthorized(BAD_REFRESH));
                }
                let user = self
                    .store
                    .accounts
                    .get_user(&record.user_id)
                    .await?
                    .ok_or(Error::Unauthorized(BAD_REFRESH))?;
                self.issue_refresh(user, record.family_id).await
            }
            RefreshOutcome::Reused(record) => {
                tracing::warn!(family = %record.family_id, user = %record.user_id, "refresh token replayed; revoking its family");
                self.store
                    .auth_secrets
                    .revoke_token_family(&record.family_id)
                    .await?;
                self.sessions_changed(&record.user_id).await;
                Err(Error::Unauthorized(BAD_REFRESH))
            }
            RefreshOutcome::Unknown => Err(Error::Unauthorized(BAD_REFRESH)),
        }
    }

    /// Ends the session the token belongs to. Unknown tokens are ignored: logging out twice
    /// is not an error.
    #[tracing::instrument(skip_all)]
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let hash = secrets::hash_refresh_token(refresh_token.trim());
        match self
            .store
            .auth_secrets
            .use_refresh_token(&hash, self.now())
            .await?
        {
            RefreshOutcome::Rotated(record) | RefreshOutcome::Reused(record) => {
                self.store
                    .auth_secrets
                    .revoke_token_family(&record.family_id)
                    .await?;
                self.sessions_changed(&record.user_id).await;
                Ok(())
            }
            RefreshOutcome::Unknown => Ok(()),
        }
    }

    /// The user behind an access token, if the account still exists.
    pub async fn authenticated_user(&self, id: &Id) -> Result<User> {
        self.store
            .accounts
            .get_user(id)
            .await?
            .ok_or(Error::Unauthorized("account no longer exists"))
    }

    /// Creates a staff account (`admin` or `delivery`), or gives an existing one that role,
    /// with a password. For the operator's command line, never the public API.
    #[tracing::instrument(skip(self, name, password))]
    pub async fn create_staff(
        &self,
        name: &str,
        phone: &Phone,
        password: &str,
        role: Role,
    ) -> Result<User> {
        if role == Role::Customer {
            return Err(Error::validation("role", "must be admin or delivery"));
        }
        let hash = self.hashing.hash_password(password).await?;
        if let Some(existing) = self.store.accounts.find_user_by_phone(phone).await? {
            let name = required_text("name", name, 100)?;
            let (user, ()) = self
                .modify_user(&existing.id, |u| {
                    u.role = role;
                    u.name = name.clone();
                    u.password_hash = Some(hash.clone());
                    Ok(())
                })
                .await?;
            self.sessions_changed(&user.id).await;
            return Ok(user);
        }
        let mut user = User::new(name, phone.clone(), role, self.now())?;
        user.password_hash = Some(hash);
        user.phone_verified = true;
        self.store.accounts.insert_user(&user).await?;
        Ok(user)
    }

    /// Counts the attempt first, then checks expiry, attempts and the code, then consumes it;
    /// under concurrency at most one caller consumes a code.
    async fn consume_code(&self, phone: &Phone, code: &str) -> Result<OtpRecord> {
        let valid_shape = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if !valid_shape {
            return Err(Error::validation("otp", "must be 6 digits"));
        }
        let otp = self
            .store
            .auth_secrets
            .attempt_otp(phone)
            .await?
            .ok_or(Error::Unauthorized(BAD_CODE))?;
        if otp.expires_at <= self.now() {
            self.store.auth_secrets.consume_otp(&otp.id).await?;
            return Err(Error::Unauthorized(BAD_CODE));
        }
        if otp.attempts > self.settings.otp_max_attempts {
            self.store.auth_secrets.consume_otp(&otp.id).await?;
            return Err(Error::Unauthorized(BAD_CODE));
        }
        if !self
            .settings
            .otp_key
            .verify(phone.as_str(), code, &otp.code_hash)
        {
            if otp.attempts == self.settings.otp_max_attempts {
                self.store.auth_secrets.consume_otp(&otp.id).await?;
            }
            return Err(Error::Unauthorized(BAD_CODE));
        }
        if !self.store.auth_secrets.consume_otp(&otp.id).await? {
            return Err(Error::Unauthorized(BAD_CODE));
        }
        Ok(otp)
    }

    async fn mark_phone_verified(&self, user: User) -> Result<User> {
        if user.phone_verified {
            return Ok(user);
        }
        let (user, ()) = self
            .modify_user(&user.id, |u| {
                u.phone_verified = true;
                Ok(())
            })
            .await?;
        Ok(user)
    }

    async fn start_session(&self, user: User) -> Result<Session> {
        self.issue_refresh(user, Id::generate()).await
    }

    async fn issue_refresh(&self, user: User, family_id: Id) -> Result<Session> {
        let (token, token_hash) = secrets::new_refresh_token();
        let now = self.now();
        let record = RefreshTokenRecord {
            id: Id::generate(),
            family_id,
            user_id: user.id.clone(),
            token_hash,
            expires_at: now + self.settings.refresh_token_ttl,
            used_at: None,
            revoked: false,
            created_at: now,
        };
        self.store
            .auth_secrets
            .insert_refresh_token(&record)
            .await?;
        Ok(Session {
            family: record.family_id.clone(),
            user,
            refresh_token: token,
            refresh_expires_at: record.expires_at,
        })
    }
}

/// A real argon2 hash of a random password, computed once, to spend the same time on a
/// login for an unknown phone as for a known one. Computed, the first time, on the hashing
/// pool's thread that needs it.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let (random, _) = secrets::new_refresh_token();
        secrets::hash_password(&random[..32]).unwrap_or_default()
    })
}
