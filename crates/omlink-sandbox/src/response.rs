//! The answers both look-alikes build: JSON with the right headers, Ops Manager's and
//! Atlas's error bodies, the digest challenge, a proxy's HTML page.

use std::io;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use std::sync::atomic::Ordering;

use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::digest::{challenge, malformed_challenge};
use crate::{State, lock};

/// Every answer's body: most are [`Full`], the `resetMidBody` and `hugeBodyBytes` faults
/// stream.
pub(crate) type Body = UnsyncBoxBody<Bytes, io::Error>;

/// A body sent whole.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Query flags Ops Manager honours on every endpoint.
#[derive(Clone, Copy, Default)]
pub(crate) struct Flags {
    pub(crate) pretty: bool,
    pub(crate) envelope: bool,
}

pub(crate) fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

/// A 401 with a fresh digest challenge, or with a garbled one and no nonce for the
/// `malformedChallenge` fault.
pub(crate) fn digest_challenge(state: &State, stale: bool, malformed: bool) -> Response<Body> {
    let www_authenticate = if malformed {
        malformed_challenge()
    } else {
        challenge(&lock(&state.nonces).issue(), stale)
    };
    let body = json!({"detail": "You are not authorized for this resource.", "error": 401, "reason": "Unauthorized"});
    let mut r = Response::new(full(body.to_string()));
    *r.status_mut() = StatusCode::UNAUTHORIZED;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=ISO-8859-1"),
    );
    h.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_str(&www_authenticate).expect("an ASCII challenge"),
    );
    r
}

/// `200` with every one of `results` on one page, as Ops Manager and Atlas list them.
pub(crate) fn one_page(results: Vec<Value>, flags: Flags) -> Response<Body> {
    let total = results.len();
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": total})),
        flags,
    )
}

pub(crate) fn json_response(
    status: StatusCode,
    value: Option<Value>,
    flags: Flags,
) -> Response<Body> {
    let (status, value) = if flags.envelope {
        let mut envelope = json!({"status": status.as_u16()});
        if let Some(v) = value {
            envelope["content"] = v;
        }
        (StatusCode::OK, Some(envelope))
    } else {
        (status, value)
    };
    let body = match &value {
        Some(v) if flags.pretty => serde_json::to_vec_pretty(v).expect("JSON"),
        Some(v) => serde_json::to_vec(v).expect("JSON"),
        None => Vec::new(),
    };
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    if value.is_some() {
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    r
}

/// Ops Manager's error JSON (Atlas's has the same shape).
pub(crate) fn api_error(
    status: StatusCode,
    code: Option<&str>,
    detail: &str,
    parameters: &[String],
    flags: Flags,
) -> Response<Body> {
    let mut body = json!({
        "detail": detail,
        "error": status.as_u16(),
        "parameters": parameters,
        "reason": status.canonical_reason().unwrap_or(""),
    });
    if let Some(code) = code {
        body["errorCode"] = json!(code);
    }
    json_response(status, Some(body), flags)
}

/// A 404 for an id that names nothing: `No {what} with ID {id} exists.`, with the id as its
/// parameter.
pub(crate) fn id_not_found(code: &str, what: &str, id: &str, flags: Flags) -> Response<Body> {
    api_error(
        StatusCode::NOT_FOUND,
        Some(code),
        &format!("No {what} with ID {id} exists."),
        &[id.to_owned()],
        flags,
    )
}

/// The 401 `USER_UNAUTHORIZED` of a key without the Organization Owner role.
pub(crate) fn user_unauthorized(flags: Flags) -> Response<Body> {
    api_error(
        StatusCode::UNAUTHORIZED,
        Some("USER_UNAUTHORIZED"),
        "Current user is not authorized to perform this action.",
        &[],
        flags,
    )
}

pub(crate) fn html_error(code: u16) -> Response<Body> {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut r = Response::new(full(page));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}

pub(crate) fn unexpected(
    state: &State,
    method: &Method,
    uri: &str,
    flags: Flags,
) -> Response<Body> {
    state.unexpected.fetch_add(1, Ordering::SeqCst);
    eprintln!("omlink-sandbox: unexpected request {method} {uri}");
    api_error(
        StatusCode::NOT_FOUND,
        Some("SANDBOX_UNEXPECTED_REQUEST"),
        &format!("omlink-sandbox has no endpoint {method} {uri}"),
        &[],
        flags,
    )
}
