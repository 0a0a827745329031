//! The token exchange, through the generated operation.

use crate::generated::{types, Client, Error};
use crate::session::{ApiError, Tokens};

/// Spends `refresh_token` for a new pair.
pub(crate) async fn exchange(api: &Client, refresh_token: &str) -> Result<Tokens, ApiError> {
    let token = types::RefreshRequestRefreshToken::try_from(refresh_token.to_owned())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let answer = api
        .refresh_token()
        .body(types::RefreshRequest {
            refresh_token: Some(token),
        })
        .send()
        .await?;
    Ok(Tokens::from(&*answer))
}
