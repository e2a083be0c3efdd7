//! The HTTP side: accepting connections, faults, digest, routing and Ops Manager's answers.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::atlas;
use crate::demo::{self};
use crate::digest::{Refusal, parse_authorization};
use crate::faults::{DropConnection, damaged_answer};
use crate::ops_manager::{API, api};
use crate::response::{
    Body, Flags, api_error, digest_challenge, full, html_error, json_response, query_param,
    unexpected,
};
use crate::{Faults, RecordedRequest, State, TlsIdentity, lock};

const CONTROL: &str = "/__sandbox/";
const MAX_REQUEST_BODY: usize = 1 << 20;

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
        .or_else(|| take_one(&state, |f| &mut f.rate_limit_count).then_some(0))
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
            Ok(_) if take_one(&state, |f| &mut f.stale_nonce_count) => {
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

/// Consumes one refusal of a counted fault (`rateLimitCount`, `staleNonceCount`), if any is
/// left.
fn take_one(state: &State, count: fn(&mut Faults) -> &mut u32) -> bool {
    let mut faults = lock(&state.faults);
    let left = count(&mut faults);
    if *left > 0 {
        *left -= 1;
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

fn invalid_json(e: &serde_json::Error) -> Response<Body> {
    api_error(
        StatusCode::BAD_REQUEST,
        Some("INVALID_JSON"),
        &e.to_string(),
        &[],
        Flags::default(),
    )
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
            Err(e) => invalid_json(&e),
        },
        (&Method::GET, "migrations") => json_response(
            StatusCode::OK,
            Some(json!(lock(&state.migrations).knobs)),
            plain,
        ),
        (&Method::PUT, "migrations") => {
            match serde_json::from_slice::<crate::migrations::MigrationKnobs>(body) {
                Ok(knobs) => {
                    lock(&state.migrations).knobs = knobs.clone();
                    json_response(StatusCode::OK, Some(json!(knobs)), plain)
                }
                Err(e) => invalid_json(&e),
            }
        }
        _ => api_error(
            StatusCode::NOT_FOUND,
            Some("SANDBOX_UNEXPECTED_REQUEST"),
            "Unknown sandbox control endpoint.",
            &[],
            plain,
        ),
    }
}
