//! Reading the link endpoints' answers: the status, whether a 404 means "no link", the
//! server's version.

use reqwest::header::HeaderMap;

use super::SERVICE_VERSION_HEADER;
use crate::error::{Call, Error};
use crate::http::Answer;
use crate::model::{LinkStatus, StatusBody};

pub(super) fn parse_status(answer: &Answer, call: Call<'_>) -> Result<LinkStatus, Error> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(LinkStatus::Unreported);
    }
    serde_json::from_slice::<StatusBody>(&answer.body)
        .map(|b| b.link_status())
        .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, "a link status"))
}

/// A 404 from the status endpoint means "no link" only when it is Ops Manager's own (its
/// version header, or its error JSON with `"error": 404`) and not about the organization: a
/// proxy's or a wrong path's 404 must stay an error.
pub(super) fn means_no_link(headers: &HeaderMap, body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(body) else {
        return false;
    };
    if obj.get("errorCode").and_then(|c| c.as_str()) == Some("ORG_NOT_FOUND") {
        return false;
    }
    let ops_manager_shape = obj.get("error").and_then(serde_json::Value::as_u64) == Some(404)
        && (obj.contains_key("detail") || obj.contains_key("reason"));
    ops_manager_shape || headers.contains_key(SERVICE_VERSION_HEADER)
}

pub(super) fn server_version(headers: &HeaderMap) -> Option<String> {
    headers
        .get(SERVICE_VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
