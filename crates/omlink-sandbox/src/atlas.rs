//! The Atlas look-alike: the OAuth token endpoint of a service account, and the Atlas Admin
//! API v2 calls omlink makes (organizations, link tokens, available projects), with Atlas's
//! error body and its versioned media type required. It shares the Ops Manager side's state,
//! so a token it mints links an Ops Manager organization, whose projects then appear in
//! `availableProjects`.

use std::net::IpAddr;
use std::time::Instant;

use base64::Engine as _;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::demo::{self, Role};
use crate::digest::Refusal;
use crate::response::{
    Body, Flags, api_error, digest_challenge, id_not_found, json_response, query_param,
    user_unauthorized,
};
use crate::{Faults, State, lock, migrations};

mod version;
use version::{requested_version, served_version};

/// The Atlas Admin API v2's path.
pub(crate) const ATLAS_API: &str = "/api/atlas/v2";
/// The OAuth token endpoint.
pub(crate) const OAUTH_TOKEN: &str = "/api/oauth/token";
/// The version every call here requires.
pub const ATLAS_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";

const NO_FLAGS: Flags = Flags {
    pretty: false,
    envelope: false,
};

/// `POST /api/oauth/token`: Basic client credentials, `grant_type=client_credentials`.
pub(crate) fn token(
    state: &State,
    method: &Method,
    authorization: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        json_response(
            status,
            Some(json!({"error": error, "error_description": description})),
            NO_FLAGS,
        )
    };
    if method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "Use POST.",
        );
    }
    let form = String::from_utf8_lossy(body);
    if !form
        .split('&')
        .any(|pair| pair.trim() == "grant_type=client_credentials")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported.",
        );
    }
    let credentials = authorization
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let valid = credentials.as_deref().is_some_and(|c| {
        c.split_once(':').is_some_and(|(id, secret)| {
            id == demo::SERVICE_ACCOUNT.client_id && secret == demo::SERVICE_ACCOUNT.client_secret
        })
    });
    if !valid {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials.",
        );
    }
    let access_token = format!(
        "sbx_at_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    );
    let lifetime = state.access_token_lifetime;
    lock(&state.atlas)
        .access_tokens
        .insert(access_token.clone(), Instant::now() + lifetime);
    json_response(
        StatusCode::OK,
        Some(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs().max(1),
        })),
        NO_FLAGS,
    )
}

/// Who an Atlas request comes from, or the answer refusing it.
pub(crate) fn authenticate(
    state: &State,
    faults: &Faults,
    method: &Method,
    uri: &str,
    authorization: Option<&str>,
) -> Result<(String, Role), Response<Body>> {
    if let Some(bearer) = authorization.and_then(|a| a.strip_prefix("Bearer ")) {
        let atlas = lock(&state.atlas);
        return match atlas.access_tokens.get(bearer.trim()) {
            Some(expires) if Instant::now() < *expires => {
                Ok((demo::SERVICE_ACCOUNT.client_id.to_owned(), Role::OrgOwner))
            }
            _ => Err(api_error(
                StatusCode::UNAUTHORIZED,
                Some("NOT_AUTHENTICATED"),
                "The access token is invalid or has expired.",
                &[],
                NO_FLAGS,
            )),
        };
    }
    let key_of = |user: &str| {
        demo::ATLAS_KEYS
            .iter()
            .find(|k| k.public_key == user)
            .map(|k| k.private_key.to_owned())
    };
    // The nonces' lock is released before a refusal issues a new challenge (it locks again).
    let verified = lock(&state.nonces).verify(authorization, method.as_str(), uri, key_of);
    match verified {
        Ok(user) => {
            let role = demo::ATLAS_KEYS
                .iter()
                .find(|k| k.public_key == user)
                .map_or(Role::OrgMember, |k| k.role);
            Ok((user, role))
        }
        Err(refusal) => Err(digest_challenge(
            state,
            refusal == Refusal::Stale,
            faults.malformed_challenge,
        )),
    }
}

/// An Atlas Admin API v2 call, already authenticated.
#[allow(clippy::too_many_arguments)] // the parts of one request, as the Ops Manager side's `api`
pub(crate) fn api(
    state: &State,
    method: &Method,
    route: &str,
    query: &str,
    accept: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    role: Role,
) -> Response<Body> {
    // Every Atlas call names its version: any date from 2023-01-01 on, answered with the
    // newest version of the resource not later than it.
    let Some(date) = requested_version(accept) else {
        return refuse_media_type(&ACCEPT);
    };
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let served = served_version(&segments, method, date);
    let mut r = match (method, segments.as_slice()) {
        (&Method::GET, ["orgs", org, "groups"]) => {
            if !lock(&state.atlas).orgs.contains_key(*org) {
                return id_not_found("ORG_NOT_FOUND", "organization", org, NO_FLAGS);
            }
            migrations::projects(org)
        }
        (&Method::GET, ["groups", group]) => migrations::project(group),
        (&Method::GET, ["groups", group, "clusters"]) => {
            migrations::clusters(group, served == "2024-08-05")
        }
        (_, ["groups", group, "liveMigrations", rest @ ..]) => {
            if *method == Method::POST
                && let Some(refusal) = wrong_media_type(content_type, &CONTENT_TYPE)
            {
                return refusal;
            }
            migrations::route(state, method, group, rest, body, role)
        }
        _ => api_v2(
            state,
            method,
            &segments,
            route,
            query,
            content_type,
            body,
            role,
        ),
    };
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("application/vnd.atlas.{served}+json"))
            .expect("a date is a valid header value"),
    );
    r
}

/// The organization-level calls (organizations, link tokens, available projects).
#[allow(clippy::too_many_arguments)] // the parts of one request
fn api_v2(
    state: &State,
    method: &Method,
    segments: &[&str],
    route: &str,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
    role: Role,
) -> Response<Body> {
    match (method, segments) {
        (&Method::GET, ["orgs"]) => list_orgs(state, query),
        (_, ["orgs", org, "liveMigrations", what]) => {
            if !lock(&state.atlas).orgs.contains_key(*org) {
                return id_not_found("ORG_NOT_FOUND", "organization", org, NO_FLAGS);
            }
            if role != Role::OrgOwner {
                return user_unauthorized(NO_FLAGS);
            }
            match (method, *what) {
                (&Method::POST, "linkTokens") => create_token(state, org, content_type, body),
                (&Method::DELETE, "linkTokens") => revoke_token(state, org),
                (&Method::GET, "availableProjects") => available_projects(state, org),
                _ => not_found(method, route),
            }
        }
        _ => not_found(method, route),
    }
}

/// A request header that must name [`ATLAS_MEDIA_TYPE`], and how a request is refused when
/// it does not.
struct MediaTypeHeader {
    name: &'static str,
    status: StatusCode,
    code: &'static str,
}

/// Every Atlas call names the version it wants.
const ACCEPT: MediaTypeHeader = MediaTypeHeader {
    name: "Accept",
    status: StatusCode::NOT_ACCEPTABLE,
    code: "INVALID_VERSION_DATE",
};

/// A body is sent in the versioned media type.
const CONTENT_TYPE: MediaTypeHeader = MediaTypeHeader {
    name: "Content-Type",
    status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
    code: "UNSUPPORTED_MEDIA_TYPE",
};

/// The refusal of a request whose `header` (its value `value`) does not name an Atlas
/// version; `None` when it names one.
fn wrong_media_type(value: Option<&str>, header: &MediaTypeHeader) -> Option<Response<Body>> {
    requested_version(value)
        .is_none()
        .then(|| refuse_media_type(header))
}

fn refuse_media_type(header: &MediaTypeHeader) -> Response<Body> {
    api_error(
        header.status,
        Some(header.code),
        &format!(
            "Send {}: {ATLAS_MEDIA_TYPE} (or a later version date).",
            header.name
        ),
        &[],
        NO_FLAGS,
    )
}

fn not_found(method: &Method, route: &str) -> Response<Body> {
    eprintln!("omlink-sandbox: unexpected Atlas request {method} {ATLAS_API}{route}");
    api_error(
        StatusCode::NOT_FOUND,
        Some("RESOURCE_NOT_FOUND"),
        &format!("omlink-sandbox has no Atlas endpoint {method} {ATLAS_API}{route}"),
        &[],
        NO_FLAGS,
    )
}

fn list_orgs(state: &State, query: &str) -> Response<Body> {
    let page: usize = query_param(query, "pageNum")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let per_page: usize = query_param(query, "itemsPerPage")
        .and_then(|p| p.parse().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let atlas = lock(&state.atlas);
    let results: Vec<Value> = atlas
        .orgs
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(id, (name, _))| json!({"id": id, "name": name, "isDeleted": false}))
        .collect();
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": atlas.orgs.len()})),
        NO_FLAGS,
    )
}

fn create_token(
    state: &State,
    org: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    if let Some(refusal) = wrong_media_type(content_type, &CONTENT_TYPE) {
        return refusal;
    }
    let bad = |code: &str, detail: &str, params: &[String]| {
        api_error(
            StatusCode::BAD_REQUEST,
            Some(code),
            detail,
            params,
            NO_FLAGS,
        )
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return bad("INVALID_JSON", "Received JSON is malformed.", &[]);
    };
    if let Some(extra) = fields.keys().find(|k| *k != "accessListIps") {
        return bad(
            "INVALID_ATTRIBUTE",
            &format!("Invalid attribute {extra} specified."),
            std::slice::from_ref(extra),
        );
    }
    if let Some(ips) = fields.get("accessListIps") {
        let Some(ips) = ips.as_array() else {
            return bad(
                "INVALID_ATTRIBUTE",
                "Invalid attribute accessListIps specified.",
                &["accessListIps".into()],
            );
        };
        for ip in ips {
            if !ip.as_str().is_some_and(is_ip_or_cidr) {
                return bad(
                    "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
                    &format!("The address {ip} must be in valid IP address or CIDR notation."),
                    &[ip.to_string()],
                );
            }
        }
    }
    let token = format!(
        "sbxlink{}",
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 96]>())
    );
    if let Some(entry) = lock(&state.atlas).orgs.get_mut(org) {
        entry.1.push(token.clone());
    }
    // The recorded answer of Atlas is 201 (the specification says 200).
    json_response(
        StatusCode::CREATED,
        Some(json!({"linkToken": token})),
        NO_FLAGS,
    )
}

/// An IP address, or a CIDR block `addr/prefix` whose prefix fits the address (0-32 for IPv4,
/// 0-128 for IPv6), as Atlas's `accessListIps` takes them.
fn is_ip_or_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (s, None),
    };
    let Ok(addr) = addr.parse::<IpAddr>() else {
        return false;
    };
    prefix.is_none_or(|p| {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok_and(|p| p <= max)
    })
}

fn revoke_token(state: &State, org: &str) -> Response<Body> {
    let revoked = lock(&state.atlas)
        .orgs
        .get_mut(org)
        .map(|entry| std::mem::take(&mut entry.1))
        .unwrap_or_default();
    // The link and the API key it carried are gone: Ops Manager organizations linked with its
    // tokens lose their link.
    for om in lock(&state.orgs).values_mut() {
        if om.link_token.as_ref().is_some_and(|t| revoked.contains(t)) {
            om.linked = false;
            om.link_token = None;
            om.atlas_org = None;
        }
    }
    let mut r = Response::new(crate::response::full(Vec::new()));
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

fn available_projects(state: &State, org: &str) -> Response<Body> {
    let projects: Vec<Value> = lock(&state.orgs)
        .iter()
        .filter(|(_, o)| o.linked && o.atlas_org.as_deref() == Some(org))
        .flat_map(|(id, o)| demo::projects_of(id, &o.name))
        .map(|p| {
            json!({
                "name": p.name,
                "projectId": p.id,
                "migrationHosts": [migrations::migration_host_of(&p.id)],
                "deployments": p.deployments.iter().map(|d| json!({
                    "clusterId": format!("{}-{}", p.id, d.name),
                    "name": d.name,
                    "mongoDBVersion": d.version,
                    "featureCompatibilityVersion": d.version.rsplit_once('.').map_or(d.version.as_str(), |(fcv, _)| fcv),
                    "managed": d.managed,
                    "sharded": d.sharded,
                    "tlsEnabled": false,
                    "agentVersion": "13.20.0.9070-1",
                    "dbSizeBytes": d.size_bytes,
                    "oplogSizeMB": 1024,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(StatusCode::OK, Some(Value::Array(projects)), NO_FLAGS)
}

/// The Atlas organization whose link token this is, if this sandbox minted it.
pub(crate) fn minted_by(atlas: &crate::AtlasState, token: &str) -> Option<String> {
    atlas
        .orgs
        .iter()
        .find(|(_, (_, tokens))| tokens.iter().any(|t| t == token))
        .map(|(id, _)| id.clone())
}

/// Atlas's answers carry the version they were made with (the API's own answers are stamped
/// with the version served already).
pub(crate) fn stamp(response: &mut Response<Body>) {
    let stamped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/vnd.atlas."));
    if !stamped {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ATLAS_MEDIA_TYPE),
        );
    }
}
