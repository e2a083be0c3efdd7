//! The one HTTP path of omlink: every request to Ops Manager, Cloud Manager or Atlas (the
//! API calls and the OAuth token request) goes through [`exchange`], which sends it, refuses
//! any redirect (it would resend the request, a token with it, wherever `Location` points),
//! caps the answer at [`MAX_BODY_BYTES`] (checked against `Content-Length` first, then while
//! reading) and maps transport failures to typed errors; [`check`] is the one place that
//! judges statuses, and [`within`] the one deadline per call.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION,
    RETRY_AFTER,
};
use url::Url;

use crate::error::{Call, Error, ErrorKind};

/// The largest answer read, in bytes; a larger one is a [`ErrorKind::ServerError`] (a page of
/// 500 organizations is ~100 KB).
pub const MAX_BODY_BYTES: usize = 4 << 20;

/// A complete answer: status, headers and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// One request to send.
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The media type asked for, and that of the body.
    pub(crate) media_type: &'a str,
    /// The body's own media type when it differs (a form).
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: Option<Bytes>,
    pub(crate) authorization: Option<HeaderValue>,
    /// Basic credentials (user, password) instead, sent as a sensitive header.
    pub(crate) basic: Option<(&'a str, &'a str)>,
}

/// Sends `request` and reads its whole answer; a 3xx is an error.
///
/// # Errors
/// [`ErrorKind::Network`] / [`ErrorKind::Tls`] from the transport; [`ErrorKind::ServerError`]
/// for a redirect or an answer over [`MAX_BODY_BYTES`].
pub(crate) async fn exchange(
    http: &reqwest::Client,
    call: Call<'_>,
    request: Request<'_>,
) -> Result<Answer, Error> {
    let is_post = request.method == Method::POST;
    let mut builder = http
        .request(request.method, request.url)
        .header(ACCEPT, request.media_type);
    if let Some(value) = request.authorization {
        builder = builder.header(AUTHORIZATION, value);
    }
    if let Some((user, password)) = request.basic {
        builder = builder.basic_auth(user, Some(password));
    }
    match request.body {
        Some(body) => {
            let content_type = request.content_type.unwrap_or(request.media_type);
            builder = builder.header(CONTENT_TYPE, content_type).body(body);
        }
        None if is_post => builder = builder.header(CONTENT_LENGTH, 0),
        None => {}
    }
    let mut response = builder
        .send()
        .await
        .map_err(|e| Error::from_transport(&e, call))?;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        return Err(Error::redirected(
            call,
            status,
            response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok()),
        ));
    }
    let headers = response.headers().clone();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large(call, MAX_BODY_BYTES, "in one answer"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::from_transport(&e, call))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large(call, MAX_BODY_BYTES, "in one answer"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Runs one call's round trips under one deadline.
///
/// # Errors
/// The work's error; [`ErrorKind::Network`] when the deadline passes first.
pub(crate) async fn within<T>(
    timeout: Duration,
    call: Call<'_>,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(Error::timed_out(call, timeout)),
    }
}

/// Every value of header `name` that is text.
pub(crate) fn header_values(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Vec<&str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

pub(crate) fn too_large(call: Call<'_>, limit: usize, where_: &str) -> Error {
    Error::new(
        ErrorKind::ServerError,
        format!(
            "Could not {}: the server's answer is larger than {} MiB {where_}",
            call.op.verb(),
            limit >> 20
        ),
        format!(
            "Check that {} is an Ops Manager or Cloud Manager address, not another site.",
            call.host
        ),
    )
}

/// Turns a non-2xx answer into the typed error; the one place that judges statuses.
pub(crate) fn check(answer: Answer, call: Call<'_>) -> Result<Answer, Error> {
    if (200..300).contains(&answer.status) {
        return Ok(answer);
    }
    let retry_after = answer
        .headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    Err(Error::from_api_response(
        answer.status,
        retry_after,
        &answer.body,
        call,
    ))
}
