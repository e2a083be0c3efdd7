//! One signed request of a [`Client`]: HTTP Digest (the challenge fetched without the body,
//! nonces reused with the next `nc`, one re-challenge on a stale nonce) or an Atlas service
//! account's bearer token (renewed once when refused), over the one HTTP path; the secret sent
//! is scrubbed from every answer, and an envelope unwrapped.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderValue, WWW_AUTHENTICATE};
use url::Url;

use super::{Auth, Client, Flavor, MAX_IDLE_NONCES};
use crate::digest::{Challenge, ChallengeError, NonceState};
use crate::error::{Call, Error, ErrorKind, Operation};
use crate::http::{self, Answer, check, header_values};

/// One call's request, as it is sent (maybe more than once) whatever signs it.
struct Outgoing<'a> {
    call: Call<'a>,
    method: Method,
    url: Url,
    body: Option<Bytes>,
    /// Scrubbed from every answer body.
    secret: Option<&'a str>,
}

impl Client {
    /// Sends one request with digest authentication and reads the whole answer.
    ///
    /// With no idle nonce, the challenge is fetched first with the same method and URL but
    /// **no body**; then the request is sent once, authenticated. A nonce is reused with the
    /// next `nc` by later calls (one round trip). A 401 that says `stale=true`, or that answers
    /// a reused nonce, is re-challenged once with the challenge it carries. `secret` is scrubbed
    /// from every answer body before anything reads it.
    pub(crate) async fn send(
        &self,
        call: Call<'_>,
        method: Method,
        url: Url,
        body: Option<Bytes>,
        secret: Option<&str>,
    ) -> Result<Answer, Error> {
        let out = Outgoing {
            call,
            method,
            url,
            body,
            secret,
        };
        let (public_key, private_key) = match &self.auth {
            Auth::Digest {
                public_key,
                private_key,
            } => (public_key, private_key),
            Auth::Bearer(oauth) => return self.send_bearer(oauth, &out).await,
        };
        let url = &out.url;
        let uri = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let idle = crate::lock(&self.nonces).pop();
        let (mut nonce, mut reused) = match idle {
            Some(n) => (n, true),
            None => {
                let probe = self.round_trip(&out, None, None).await?;
                if probe.status != 401 {
                    if out.body.is_some() && (200..300).contains(&probe.status) {
                        return Err(Error::no_challenge(out.call, probe.status));
                    }
                    return Ok(probe);
                }
                (NonceState::new(challenge_of(&probe, out.call)?), false)
            }
        };
        let mut rechallenged = false;
        loop {
            let authorization = nonce.authorize(
                out.method.as_str(),
                &uri,
                public_key.as_str(),
                private_key.expose(),
            );
            let mut value = HeaderValue::from_str(&authorization).map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "Could not build the Authorization header",
                    "The public key holds characters a header cannot carry; check it.",
                )
            })?;
            value.set_sensitive(true);
            let answer = self.round_trip(&out, out.body.clone(), Some(value)).await?;
            if answer.status == 401 && !has_error_code(&answer.body) {
                // A rejected digest. Retry once with the fresh challenge when the nonce was
                // stale, or was a reused one the server may have forgotten.
                let fresh = Challenge::parse_any(header_values(&answer.headers, WWW_AUTHENTICATE));
                if let Ok(fresh) = fresh
                    && (fresh.stale || reused)
                    && !rechallenged
                {
                    nonce = NonceState::new(fresh);
                    reused = false;
                    rechallenged = true;
                    continue;
                }
                return Ok(answer);
            }
            let mut idle = crate::lock(&self.nonces);
            if idle.len() < MAX_IDLE_NONCES {
                idle.push(nonce);
            }
            return Ok(answer);
        }
    }

    /// Sends one request with an Atlas service account's bearer token. A 401 to a token that
    /// was cached (the server may have revoked it) fetches a fresh one and tries once more.
    async fn send_bearer(
        &self,
        oauth: &crate::oauth::OAuth,
        out: &Outgoing<'_>,
    ) -> Result<Answer, Error> {
        let mut renewed = false;
        loop {
            let (value, fresh) = oauth
                .authorization(&self.http, &self.base_url, out.call)
                .await?;
            let answer = self
                .round_trip(out, out.body.clone(), Some(value.clone()))
                .await?;
            if answer.status == 401 && !fresh && !renewed {
                oauth.forget(&value).await;
                renewed = true;
                continue;
            }
            return Ok(answer);
        }
    }

    /// One HTTP request of `out`, with `body` (none for a digest challenge's probe), and its
    /// whole answer (see [`http::exchange`]), the secret scrubbed from the body and an envelope
    /// unwrapped.
    async fn round_trip(
        &self,
        out: &Outgoing<'_>,
        body: Option<Bytes>,
        authorization: Option<HeaderValue>,
    ) -> Result<Answer, Error> {
        let media_type = match self.flavor {
            Flavor::OpsManager => "application/json",
            Flavor::Atlas => atlas_media_type(out.call.op),
        };
        let request = http::Request {
            method: out.method.clone(),
            url: out.url.clone(),
            media_type,
            content_type: None,
            body,
            authorization,
            basic: None,
        };
        let mut answer = http::exchange(&self.http, out.call, request).await?;
        if let Some(secret) = out.secret {
            answer.body = scrub(answer.body, secret);
        }
        if self.envelope
            && answer.status == 200
            && let Some((inner, content)) = unwrap_envelope(&answer.body)
        {
            answer.status = inner;
            answer.body = content;
        }
        Ok(answer)
    }
}

/// The digest challenge of a 401, or the typed error saying why there is none.
fn challenge_of(answer: &Answer, call: Call<'_>) -> Result<Challenge, Error> {
    let values = header_values(&answer.headers, WWW_AUTHENTICATE);
    Challenge::parse_any(values.iter().copied()).map_err(|why| match why {
        ChallengeError::NotDigest if has_error_code(&answer.body) => check(
            Answer {
                status: answer.status,
                headers: answer.headers.clone(),
                body: answer.body.clone(),
            },
            call,
        )
        .err()
        .unwrap_or_else(|| Error::bad_challenge(call, &why, None)),
        why => Error::bad_challenge(call, &why, values.first().copied()),
    })
}

/// Whether a body is Ops Manager's error JSON with an `errorCode` (a 401 "not allowed").
fn has_error_code(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("errorCode")
                .and_then(|c| c.as_str())
                .map(|c| !c.is_empty())
        })
        .unwrap_or(false)
}

/// Replaces every occurrence of `secret` (as sent, and JSON-escaped) with `<redacted>`.
pub(super) fn scrub(body: Vec<u8>, secret: &str) -> Vec<u8> {
    if secret.len() < 4 {
        return body;
    }
    let mut body = body;
    let escaped = serde_json::to_string(secret).unwrap_or_default();
    let escaped = escaped.trim_matches('"').to_owned();
    let slash_escaped = escaped.replace('/', "\\/");
    for needle in [secret, escaped.as_str(), slash_escaped.as_str()] {
        body = replace_bytes(&body, needle.as_bytes(), b"<redacted>");
    }
    body
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// `{"status": <code>, "content": <entity>}` (some versions name the entity `envelope`).
pub(super) fn unwrap_envelope(body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let serde_json::Value::Object(mut obj) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let status = u16::try_from(obj.get("status")?.as_u64()?).ok()?;
    let content = obj.remove("content").or_else(|| obj.remove("envelope"));
    let content = match content {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::to_vec(&v).ok()?,
    };
    Some((status, content))
}

/// The versioned media type an Atlas call asks for: each endpoint's own version (Atlas
/// answers with the newest one not later than the date asked for). Validate and create use
/// 2024-05-30 (their 2023-01-01 version is deprecated); clusters 2024-08-05.
fn atlas_media_type(op: Operation) -> &'static str {
    match op {
        Operation::ValidateMigration | Operation::CreateMigration => {
            "application/vnd.atlas.2024-05-30+json"
        }
        Operation::AtlasClusters => "application/vnd.atlas.2024-08-05+json",
        _ => super::ATLAS_MEDIA_TYPE,
    }
}
