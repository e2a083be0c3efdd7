//! The HTTP side: accepting connections, faults, digest, routing and Ops Manager's answers.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::atlas;
use crate::demo::{self, Role};
use crate::digest::{Refusal, challenge, malformed_challenge, parse_authorization};
use crate::{Faults, RecordedRequest, State, TlsIdentity, UnlinkedStatus, lock};

const API: &str = "/api/public/v1.0";
const CONTROL: &str = "/__sandbox/";
const MAX_REQUEST_BODY: usize = 1 << 20;

/// Every answer's body: most are [`Full`], the `resetMidBody` and `hugeBodyBytes` faults
/// stream.
pub(crate) type Body = UnsyncBoxBody<Bytes, io::Error>;

/// A body sent whole.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// The complete body the `resetMidBody` answer pretends to send (its `Content-Length`)…
const RESET_DECLARED: &[u8] = br#"{"status":"SYNCED"}"#;
/// …and the part of it actually sent before the connection is aborted.
const RESET_SENT: &[u8] = br#"{"status":"SYN"#;
/// How long the `resetMidBody` answer waits after its partial body, so that hyper flushes it
/// before the error aborts the connection.
const RESET_PAUSE: Duration = Duration::from_millis(50);

/// The `resetMidBody` body: one data frame, a pause, then an error, on which hyper aborts the
/// connection with less than the announced `Content-Length` sent.
struct ResetMidBody {
    sent: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl ResetMidBody {
    fn new() -> Self {
        Self {
            sent: Some(Bytes::from_static(RESET_SENT)),
            pause: Box::pin(tokio::time::sleep(RESET_PAUSE)),
        }
    }
}

impl hyper::body::Body for ResetMidBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(data) = self.sent.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection reset mid-body by the sandbox's resetMidBody fault",
            )))),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(RESET_DECLARED.len() as u64)
    }
}

/// The start of the `hugeBodyBytes` body, padded with spaces and never closed.
const HUGE_PREFIX: &[u8] = br#"{"results":["#;
/// The padding the `hugeBodyBytes` body is cut from, shared by every answer.
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// The `hugeBodyBytes` body: `remaining` bytes, sent in static chunks.
struct HugeBody {
    remaining: u64,
    prefix: &'static [u8],
}

impl hyper::body::Body for HugeBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let source: &'static [u8] = if self.prefix.is_empty() {
            &PADDING
        } else {
            self.prefix
        };
        let len = usize::try_from(self.remaining).map_or(source.len(), |r| r.min(source.len()));
        let chunk = &source[..len];
        if !self.prefix.is_empty() {
            self.prefix = &[];
        }
        self.remaining -= len as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the sandbox's dropConnection fault")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) fn tls_acceptor(identity: &TlsIdentity) -> io::Result<TlsAcceptor> {
    let invalid = |what: &str, e: &dyn std::fmt::Display| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("sandbox TLS {what}: {e}"),
        )
    };
    let certs = CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("certificate", &e))?;
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
        .map_err(|e| invalid("key", &e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("versions", &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid("identity", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let state = Arc::clone(&state);
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&state), req));
            let http = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
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

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, MAX_REQUEST_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let uri = parts
        .uri
        .path_and_query()
        .map_or(path.clone(), |pq| pq.as_str().to_owned());
    if let Some(control) = path.strip_prefix(CONTROL) {
        return Ok(control_endpoint(&state, &parts.method, control, &body));
    }
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut record = RecordedRequest {
        method: parts.method.to_string(),
        uri: uri.clone(),
        content_type: header(header::CONTENT_TYPE),
        accept: header(header::ACCEPT),
        user: None,
        body: if state.record_bodies {
            body.clone()
        } else {
            Bytes::new()
        },
        body_len: body.len(),
        authorization: parts.headers.contains_key(header::AUTHORIZATION),
        status: 0,
    };
    let query = parts.uri.query().unwrap_or("");
    let flags = Flags {
        pretty: query_param(query, "pretty") == Some("true"),
        envelope: query_param(query, "envelope") == Some("true"),
    };

    let faults: Faults = lock(&state.faults).clone();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let response = if faults.drop_connection {
        lock(&state.requests).push(record);
        return Err(DropConnection);
    } else if let Some(code) = faults.server_error {
        html_error(code)
    } else if let Some(secs) = faults
        .rate_limit_retry_after
        .or_else(|| take_rate_limit(&state).then_some(0))
    {
        let mut r = api_error(
            StatusCode::TOO_MANY_REQUESTS,
            Some("RATE_LIMITED"),
            "Too many requests; slow down.",
            &[],
            flags,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        r
    } else if let Some(location) = &faults.redirect_to {
        redirect(location, flags)
    } else if path == atlas::OAUTH_TOKEN {
        atlas::token(
            &state,
            &parts.method,
            header(header::AUTHORIZATION).as_deref(),
            &body,
        )
    } else if let Some(route) = path.strip_prefix(atlas::ATLAS_API) {
        match atlas::authenticate(
            &state,
            &faults,
            &parts.method,
            &uri,
            header(header::AUTHORIZATION).as_deref(),
        ) {
            Err(refusal) => refusal,
            Ok((user, role)) => {
                record.user = Some(user);
                match damaged_answer(&faults, &parts.method) {
                    Some(damaged) => damaged,
                    None => {
                        let mut r = atlas::api(
                            &state,
                            &parts.method,
                            route,
                            query,
                            record.accept.as_deref(),
                            record.content_type.as_deref(),
                            &body,
                            role,
                        );
                        atlas::stamp(&mut r);
                        r
                    }
                }
            }
        }
    } else {
        let authorization = header(header::AUTHORIZATION);
        let verified = {
            let orgs_key = |user: &str| {
                demo::KEYS
                    .iter()
                    .find(|k| k.public_key == user)
                    .map(|k| k.private_key.to_owned())
            };
            lock(&state.nonces).verify(
                authorization.as_deref(),
                parts.method.as_str(),
                &uri,
                orgs_key,
            )
        };
        match verified {
            Err(refusal) => digest_challenge(
                &state,
                refusal == Refusal::Stale,
                faults.malformed_challenge,
            ),
            Ok(_) if take_stale_nonce(&state) => {
                if let Some(c) = authorization.as_deref().and_then(parse_authorization) {
                    lock(&state.nonces).revoke(&c.nonce);
                }
                digest_challenge(&state, true, faults.malformed_challenge)
            }
            Ok(user) => {
                let role = demo::KEYS
                    .iter()
                    .find(|k| k.public_key == user)
                    .map(|k| k.role);
                record.user = Some(user);
                if let Some(damaged) = damaged_answer(&faults, &parts.method) {
                    damaged
                } else {
                    match path.strip_prefix(API) {
                        Some(route) => api(
                            &state,
                            &parts.method,
                            route,
                            &body,
                            record.content_type.as_deref(),
                            role,
                            query,
                            flags,
                        ),
                        None => unexpected(&state, &parts.method, &uri, flags),
                    }
                }
            }
        }
    };
    let mut response = response;
    response.headers_mut().insert(
        "x-mongodb-service-version",
        HeaderValue::from_static(concat!(
            "gitHash=0000000000000000000000000000000000sandbox; versionString=omlink-sandbox-",
            env!("CARGO_PKG_VERSION")
        )),
    );
    response.headers_mut().insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=300"),
    );
    record.status = response.status().as_u16();
    lock(&state.requests).push(record);
    Ok(response)
}

/// Consumes one refusal of the `rateLimitCount` fault, if any is left.
fn take_rate_limit(state: &State) -> bool {
    let mut faults = lock(&state.faults);
    if faults.rate_limit_count > 0 {
        faults.rate_limit_count -= 1;
        true
    } else {
        false
    }
}

/// Consumes one refusal of the `staleNonceCount` fault, if any is left.
fn take_stale_nonce(state: &State) -> bool {
    let mut faults = lock(&state.faults);
    if faults.stale_nonce_count > 0 {
        faults.stale_nonce_count -= 1;
        true
    } else {
        false
    }
}

/// The `redirectTo` fault's answer: `307` to `location`, empty body.
fn redirect(location: &str, flags: Flags) -> Response<Body> {
    let Ok(value) = HeaderValue::from_str(location) else {
        return api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("SANDBOX_INVALID_FAULT"),
            "The redirectTo fault is not a valid header value.",
            &[],
            flags,
        );
    };
    let mut r = Response::new(full(Bytes::new()));
    *r.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    r.headers_mut().insert(header::LOCATION, value);
    r
}

/// The answer of the faults that damage an authenticated request's answer, if one is set:
/// `resetMidBody`, `malformedJson` or `hugeBodyBytes`, in that order.
fn damaged_answer(faults: &Faults, method: &Method) -> Option<Response<Body>> {
    let (status, body) = if faults.reset_mid_body {
        (StatusCode::OK, ResetMidBody::new().boxed_unsync())
    } else if faults.malformed_json {
        let status = if *method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        (status, full(Bytes::from_static(br#"{"status":"SYNCED""#)))
    } else if let Some(len) = faults.huge_body_bytes {
        let body = HugeBody {
            remaining: len,
            prefix: HUGE_PREFIX,
        };
        (StatusCode::OK, body.boxed_unsync())
    } else {
        return None;
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(r)
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

fn html_error(code: u16) -> Response<Body> {
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

fn unexpected(state: &State, method: &Method, uri: &str, flags: Flags) -> Response<Body> {
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

#[allow(clippy::too_many_arguments)]
fn api(
    state: &State,
    method: &Method,
    route: &str,
    body: &[u8],
    content_type: Option<&str>,
    role: Option<Role>,
    query: &str,
    flags: Flags,
) -> Response<Body> {
    if role == Some(Role::NotOnAccessList) {
        return api_error(
            StatusCode::FORBIDDEN,
            Some("IP_ADDRESS_NOT_ON_ACCESS_LIST"),
            "IP address 127.0.0.1 is not allowed to access this resource.",
            &["127.0.0.1".to_owned()],
            flags,
        );
    }
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["orgs"]) => list_orgs(state, query, flags),
        (&Method::GET, ["orgs", org, "groups"]) => list_groups(state, org, flags),
        (&Method::GET, ["groups", group, "hosts"]) => list_hosts(state, group, flags),
        (_, ["orgs", org, "liveExport", "migrationLink", rest @ ..]) => {
            let known = lock(&state.orgs).contains_key(*org);
            if !known {
                return api_error(
                    StatusCode::NOT_FOUND,
                    Some("ORG_NOT_FOUND"),
                    &format!("No organization with ID {org} exists."),
                    &[(*org).to_owned()],
                    flags,
                );
            }
            if role != Some(Role::OrgOwner) {
                return api_error(
                    StatusCode::UNAUTHORIZED,
                    Some("USER_UNAUTHORIZED"),
                    "Current user is not authorized to perform this action.",
                    &[],
                    flags,
                );
            }
            match (method, rest) {
                (&Method::POST, []) => link(state, org, body, content_type, flags),
                (&Method::DELETE, []) => unlink(state, org, flags),
                (&Method::GET, ["status"]) => status(state, org, flags),
                _ => unexpected(state, method, &format!("{API}{route}"), flags),
            }
        }
        _ => unexpected(state, method, &format!("{API}{route}"), flags),
    }
}

/// `GET /orgs/{id}/groups`: the organization's projects (all on one page).
fn list_groups(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let orgs = lock(&state.orgs);
    let Some(entry) = orgs.get(org) else {
        return api_error(
            StatusCode::NOT_FOUND,
            Some("ORG_NOT_FOUND"),
            &format!("No organization with ID {org} exists."),
            &[org.to_owned()],
            flags,
        );
    };
    let results: Vec<Value> = demo::projects_of(org, &entry.name)
        .into_iter()
        .map(|p| json!({"id": p.id, "name": p.name, "orgId": org}))
        .collect();
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": results.len()})),
        flags,
    )
}

/// `GET /groups/{id}/hosts`: three members per deployment, each with its version.
fn list_hosts(state: &State, group: &str, flags: Flags) -> Response<Body> {
    let project = lock(&state.orgs)
        .iter()
        .flat_map(|(id, o)| demo::projects_of(id, &o.name))
        .find(|p| p.id == group);
    let Some(project) = project else {
        return api_error(
            StatusCode::NOT_FOUND,
            Some("GROUP_NOT_FOUND"),
            &format!("No group with ID {group} exists."),
            &[group.to_owned()],
            flags,
        );
    };
    let mut results = Vec::new();
    for d in &project.deployments {
        for (i, type_name) in ["REPLICA_PRIMARY", "REPLICA_SECONDARY", "REPLICA_SECONDARY"]
            .iter()
            .enumerate()
        {
            results.push(json!({
                "hostname": format!("{}-{i}.{group}.sandbox.internal", d.name),
                "port": 27017,
                "version": d.version,
                "typeName": type_name,
                "replicaSetName": d.name,
                "groupId": group,
            }));
        }
    }
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": results.len()})),
        flags,
    )
}

fn list_orgs(state: &State, query: &str, flags: Flags) -> Response<Body> {
    let number = |name: &str, default: usize| {
        query_param(query, name).map_or(Ok(default), |v| {
            v.parse::<usize>().map_err(|_| v.to_owned())
        })
    };
    let (Ok(page_num), Ok(items)) = (number("pageNum", 1), number("itemsPerPage", 100)) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            Some("INVALID_QUERY_PARAMETER"),
            "Invalid paging parameters.",
            &[],
            flags,
        );
    };
    if page_num == 0 || items == 0 || items > 500 {
        return api_error(
            StatusCode::BAD_REQUEST,
            Some("INVALID_QUERY_PARAMETER"),
            "pageNum must be at least 1 and itemsPerPage between 1 and 500.",
            &[],
            flags,
        );
    }
    let orgs = lock(&state.orgs);
    let results: Vec<Value> = orgs
        .iter()
        .skip((page_num - 1) * items)
        .take(items)
        .map(|(id, o)| json!({"id": id, "name": o.name, "isDeleted": false, "links": []}))
        .collect();
    json_response(
        StatusCode::OK,
        Some(json!({"results": results, "totalCount": orgs.len(), "links": []})),
        flags,
    )
}

fn link(
    state: &State,
    org: &str,
    body: &[u8],
    content_type: Option<&str>,
    flags: Flags,
) -> Response<Body> {
    if !content_type.is_some_and(|c| c.starts_with("application/json")) {
        return api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("UNSUPPORTED_MEDIA_TYPE"),
            "The request must have Content-Type: application/json.",
            &[],
            flags,
        );
    }
    let bad = |code: &str, detail: String, params: &[String]| {
        api_error(StatusCode::BAD_REQUEST, Some(code), &detail, params, flags)
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return bad("INVALID_JSON", "Received JSON is malformed.".into(), &[]);
    };
    if let Some(extra) = fields.keys().find(|k| *k != "linkToken") {
        return bad(
            "INVALID_ATTRIBUTE",
            format!("Invalid attribute {extra} specified."),
            std::slice::from_ref(extra),
        );
    }
    let token = match fields.get("linkToken") {
        None => {
            return bad(
                "MISSING_ATTRIBUTE",
                "The required attribute linkToken was not specified.".into(),
                &["linkToken".into()],
            );
        }
        Some(Value::String(t)) if !t.trim().is_empty() => t,
        Some(_) => {
            return bad(
                "INVALID_ATTRIBUTE",
                "Invalid attribute linkToken specified.".into(),
                &["linkToken".into()],
            );
        }
    };
    if token.contains(demo::EXPIRED_TOKEN_MARKER) {
        // Ops Manager documents no errorCode for a bad or expired token.
        return api_error(
            StatusCode::BAD_REQUEST,
            None,
            "The link token is invalid or has expired.",
            &[],
            flags,
        );
    }
    // A token this sandbox's Atlas minted links the organization to that Atlas organization;
    // one it minted and then revoked is refused like an expired one.
    // The Atlas state stays locked until the organization is linked, so a revoke cannot
    // slip in between (the same order as a revoke: Atlas, then the organizations).
    let atlas_state = lock(&state.atlas);
    let atlas_org = atlas::minted_by(&atlas_state, token);
    if atlas_org.is_none() && token.starts_with("sbxlink") {
        return api_error(
            StatusCode::BAD_REQUEST,
            None,
            "The link token is invalid or has expired.",
            &[],
            flags,
        );
    }
    let mut orgs = lock(&state.orgs);
    let entry = orgs.get_mut(org).expect("checked by the caller");
    entry.linked = true;
    entry.link_token = Some(token.clone());
    entry.atlas_org = atlas_org;
    drop(orgs);
    drop(atlas_state);
    json_response(
        StatusCode::CREATED,
        Some(json!({"status": "SYNCED"})),
        flags,
    )
}

fn status(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let linked = lock(&state.orgs).get(org).is_some_and(|o| o.linked);
    match (linked, state.unlinked_status) {
        (true, _) => json_response(StatusCode::OK, Some(json!({"status": "SYNCED"})), flags),
        (false, UnlinkedStatus::NotSynced) => {
            json_response(StatusCode::OK, Some(json!({"status": "NOT_SYNCED"})), flags)
        }
        (false, UnlinkedStatus::NotFound) => api_error(
            StatusCode::NOT_FOUND,
            None,
            &format!("No migration link exists for organization {org}."),
            &[],
            flags,
        ),
    }
}

fn unlink(state: &State, org: &str, flags: Flags) -> Response<Body> {
    let mut orgs = lock(&state.orgs);
    let entry = orgs.get_mut(org).expect("checked by the caller");
    if entry.linked && !entry.running_migrations.is_empty() {
        return api_error(
            StatusCode::CONFLICT,
            Some("CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT"),
            "Cannot delete organization link while there are active live export jobs.",
            &entry.running_migrations.clone(),
            flags,
        );
    }
    entry.linked = false;
    entry.link_token = None;
    entry.atlas_org = None;
    json_response(StatusCode::NO_CONTENT, None, flags)
}

fn control_endpoint(state: &State, method: &Method, path: &str, body: &[u8]) -> Response<Body> {
    let plain = Flags::default();
    match (method, path) {
        (&Method::GET, "faults") => {
            json_response(StatusCode::OK, Some(json!(*lock(&state.faults))), plain)
        }
        (&Method::PUT, "faults") => match serde_json::from_slice::<Faults>(body) {
            Ok(Faults {
                redirect_to: Some(location),
                ..
            }) if HeaderValue::from_str(&location).is_err() => api_error(
                StatusCode::BAD_REQUEST,
                Some("INVALID_ATTRIBUTE"),
                "redirectTo must be a valid header value.",
                &["redirectTo".to_owned()],
                plain,
            ),
            Ok(faults) => {
                *lock(&state.faults) = faults.clone();
                json_response(StatusCode::OK, Some(json!(faults)), plain)
            }
            Err(e) => api_error(
                StatusCode::BAD_REQUEST,
                Some("INVALID_JSON"),
                &e.to_string(),
                &[],
                plain,
            ),
        },
        _ => api_error(
            StatusCode::NOT_FOUND,
            Some("SANDBOX_UNEXPECTED_REQUEST"),
            "Unknown sandbox control endpoint.",
            &[],
            plain,
        ),
    }
}
