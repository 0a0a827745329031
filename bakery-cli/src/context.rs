//! What every command runs with: the chosen server and profile, the SDK client resuming the
//! profile's session, and the output mode.

use std::future::Future;
use std::num::NonZeroU32;

use bakery_sdk::{ApiError, BakeryClient, Client, ResponseValue};

use crate::config::{Profile, ProfileFile};
use crate::exit::{CliError, Exit, Result};

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:3000";

/// The largest page the API serves (`limit` <= 100): fewest round trips when reading it all.
pub const MAX_LIMIT: NonZeroU32 = NonZeroU32::new(100).unwrap();

/// Global options, shared by every command.
#[derive(clap::Args, Clone, Debug)]
pub struct Global {
    /// The API server (default: the profile's server, else http://127.0.0.1:3000).
    #[arg(long, global = true, env = "BAKERY_URL", value_name = "URL")]
    pub server: Option<String>,
    /// Which saved sign-in to use; each profile has its own token file.
    #[arg(
        long,
        global = true,
        env = "BAKERY_PROFILE",
        default_value = "default",
        value_name = "NAME"
    )]
    pub profile: String,
    /// Print the API's JSON instead of tables (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// Currency for showing and entering catalog prices (default: the shop's, read at login
    /// from GET /shop, else EUR).
    #[arg(long, global = true, env = "BAKERY_CURRENCY", value_name = "ISO4217")]
    pub currency: Option<String>,
}

pub struct Ctx {
    pub server: String,
    pub json: bool,
    pub profile_name: String,
    pub file: ProfileFile,
    pub profile: Profile,
    pub client: BakeryClient,
    currency_flag: Option<String>,
}

impl Ctx {
    pub fn new(global: &Global) -> Result<Self> {
        let file = ProfileFile::for_profile(&global.profile)?;
        let profile = file.load()?;
        let server = global
            .server
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| profile.server.clone())
            .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let server = server.trim().trim_end_matches('/').to_owned();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(CliError::new(
                Exit::Validation,
                "INVALID_SERVER",
                format!("--server must be an http:// or https:// URL (got {server:?})"),
            ));
        }
        // A session belongs to the server that issued it.
        let same_server = profile.server.as_deref() == Some(server.as_str());
        let client = match (&profile.tokens, same_server) {
            (Some(tokens), true) => BakeryClient::with_tokens(&server, tokens.clone()),
            _ => BakeryClient::new(&server),
        };
        let persist = file.clone();
        let client = client.on_tokens_changed(move |tokens| {
            let tokens = tokens.cloned();
            if let Err(e) = persist.update(|p| {
                if tokens.is_none() {
                    p.user = None;
                }
                p.tokens = tokens;
            }) {
                eprintln!("warning: could not save the session: {e}");
            }
        });
        Ok(Self {
            server,
            json: global.json,
            profile_name: global.profile.clone(),
            file,
            profile,
            client,
            currency_flag: global.currency.clone(),
        })
    }

    /// The currency prices are shown and entered in.
    pub fn currency(&self) -> String {
        self.currency_flag
            .clone()
            .or_else(|| self.profile.currency.clone())
            .unwrap_or_else(|| "EUR".to_owned())
            .to_ascii_uppercase()
    }

    /// A call that needs a signed-in staff member; refreshes an expired token once.
    pub async fn call<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
    {
        self.signed_in()?;
        self.client
            .call(op)
            .await
            .map(ResponseValue::into_inner)
            .map_err(|e| self.error(e))
    }

    /// [`Ctx::call`] for a write that must happen at most once (a cancel): `op` sends the
    /// `Idempotency-Key` it is given, fresh for this command and reused on the SDK's retries
    /// (connection errors, 503, the first attempt still running).
    pub async fn call_idempotent<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(Client, String) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
    {
        self.signed_in()?;
        self.client
            .call_idempotent(op)
            .await
            .map(ResponseValue::into_inner)
            .map_err(|e| self.error(e))
    }

    /// Fails unless this profile holds a session for this server.
    pub fn signed_in(&self) -> Result<()> {
        if self.client.tokens().is_none() {
            return Err(match &self.profile.tokens {
                Some(_) => CliError::new(
                    Exit::Auth,
                    "NOT_SIGNED_IN",
                    format!(
                        "profile {:?} is signed in to {}, not {}: log in again or pick another --profile",
                        self.profile_name,
                        self.profile.server.as_deref().unwrap_or("?"),
                        self.server
                    ),
                ),
                None => CliError::not_signed_in(),
            });
        }
        Ok(())
    }

    /// A call made without the session (sign-in, sign-out): a 401 there is an answer, not an
    /// expired token to refresh.
    pub async fn call_public<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
    {
        BakeryClient::new(&self.server)
            .call(op)
            .await
            .map(ResponseValue::into_inner)
            .map_err(|e| CliError::from_api(e, &self.server))
    }

    pub fn error(&self, e: ApiError) -> CliError {
        let status = e.status().map(|s| s.as_u16());
        let mut err = CliError::from_api(e, &self.server);
        match status {
            Some(401) => {
                err.message = format!("{}; run `bakery login` again", err.message);
            }
            Some(403) => {
                err.message = format!("{} (this needs a staff account)", err.message);
            }
            _ => {}
        }
        err
    }
}
