//! An Atlas service account's OAuth 2.0 access token (client credentials): fetched on first
//! use through the one HTTP path, kept in memory only, renewed before it expires, and dropped
//! when Atlas refuses it.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use url::Url;
use zeroize::Zeroizing;

use crate::error::{Call, Error, ErrorKind, Operation};
use crate::http;
use crate::secret::PrivateKey;
use crate::validate::BaseUrl;

/// A service account's client id: one word, no colon (it is the Basic user name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ClientId(String);

impl ClientId {
    /// Validates a client id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when it is empty, too long, or holds spaces, quotes, a
    /// colon or control characters.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref().trim();
        if value.is_empty()
            || value.len() > 256
            || value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '"' | '\\'))
        {
            return Err(Error::invalid_input(
                "The service account's client id is not valid: it must be one word without \
                 spaces, quotes or colons",
                "Copy the client id shown with the service account in Atlas (Organization \
                 Access → Applications → Service Accounts).",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

crate::validate::string_newtype!(ClientId);

/// A service account's access token, fetched on first use and renewed before it expires.
/// It lives in memory only, in a sensitive header value.
pub(crate) struct OAuth {
    client_id: ClientId,
    client_secret: PrivateKey,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    header: HeaderValue,
    renew_at: Instant,
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: secrecy::SecretString,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Renew this long before the token expires (or at half its life, if shorter).
const RENEW_MARGIN: Duration = Duration::from_secs(60);

impl OAuth {
    pub(crate) fn new(client_id: ClientId, client_secret: PrivateKey) -> Self {
        Self {
            client_id,
            client_secret,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The `Authorization` header to send, and whether the token was fetched just now.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        base: &BaseUrl,
        call: Call<'_>,
    ) -> Result<(HeaderValue, bool), Error> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.renew_at
        {
            return Ok((c.header.clone(), false));
        }
        let fresh = self.fetch(http, base, call).await?;
        let header = fresh.header.clone();
        *cached = Some(fresh);
        Ok((header, true))
    }

    /// Drops the cached token the server refused, unless another call has already replaced
    /// it with a fresh one.
    pub(crate) async fn forget(&self, refused: &HeaderValue) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.header == refused) {
            *cached = None;
        }
    }

    /// `POST {base}/api/oauth/token` with Basic `client_id:secret` and
    /// `grant_type=client_credentials`, through the one HTTP path.
    async fn fetch(
        &self,
        http: &reqwest::Client,
        base: &BaseUrl,
        call: Call<'_>,
    ) -> Result<Cached, Error> {
        let token_call = Call {
            op: Operation::AtlasAccessToken,
            org: call.org,
            host: call.host,
        };
        let url = Url::parse(&format!("{}/api/oauth/token", base.as_str()))
            .map_err(|e| Error::internal(format!("the token URL is not a URL: {e}")))?;
        let request = http::Request {
            method: Method::POST,
            url,
            media_type: "application/json",
            content_type: Some("application/x-www-form-urlencoded"),
            body: Some(Bytes::from_static(b"grant_type=client_credentials")),
            authorization: None,
            basic: Some((self.client_id.as_str(), self.client_secret.expose())),
        };
        let answer = http::check(http::exchange(http, token_call, request).await?, token_call)?;
        let body = Zeroizing::new(answer.body);
        let parsed: TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
            Error::new(
                ErrorKind::ServerError,
                format!(
                    "Could not {}: the answer held no access token",
                    token_call.op.verb()
                ),
                format!("Check that {} is Atlas.", token_call.host),
            )
        })?;
        let mut header = HeaderValue::from_str(&Zeroizing::new(format!(
            "Bearer {}",
            secrecy::ExposeSecret::expose_secret(&parsed.access_token)
        )))
        .map_err(|_| {
            Error::new(
                ErrorKind::ServerError,
                format!(
                    "Could not {}: the access token is not a valid header",
                    token_call.op.verb()
                ),
                format!("Check that {} is Atlas.", token_call.host),
            )
        })?;
        header.set_sensitive(true);
        Ok(Cached {
            header,
            renew_at: Instant::now() + renew_after(parsed.expires_in),
        })
    }
}

/// The longest an access token is kept before it is renewed, whatever `expires_in` says.
const MAX_TOKEN_LIFE: Duration = Duration::from_secs(24 * 3600);

/// How long after it arrives an access token is renewed: its `expires_in` (an hour when
/// absent) clamped to 1 s .. [`MAX_TOKEN_LIFE`], so a huge value cannot overflow the clock,
/// less a margin.
fn renew_after(expires_in: Option<u64>) -> Duration {
    let life = Duration::from_secs(expires_in.unwrap_or(3600))
        .clamp(Duration::from_secs(1), MAX_TOKEN_LIFE);
    life - RENEW_MARGIN.min(life / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_or_zero_expires_in_is_clamped_not_a_panic() {
        for huge in [u64::MAX, u64::MAX / 2, 10_u64.pow(15)] {
            let after = renew_after(Some(huge));
            assert!(after <= MAX_TOKEN_LIFE);
            let _ = Instant::now() + after;
        }
        assert!(renew_after(Some(0)) <= Duration::from_secs(1));
        assert_eq!(
            renew_after(None),
            Duration::from_secs(3600) - RENEW_MARGIN.min(Duration::from_secs(1800))
        );
    }
}
