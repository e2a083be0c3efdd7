//! # omlink-sandbox
//!
//! A faithful Ops Manager look-alike over real HTTP(S) for omlink's tests, benchmarks and the
//! app's "try the sandbox" mode. It serves the Public API's organization-link endpoints and
//! `GET /orgs` exactly as Ops Manager documents them:
//!
//! - HTTP Digest authentication, challenged like Ops Manager
//!   (`Digest realm="MMS Public API", domain="", nonce="…", algorithm=MD5, qop="auth", stale=false`)
//!   and verified for real: user, realm, a nonce it issued and that has not expired (else
//!   `stale=true`), `uri` (path and query), increasing `nc`, `cnonce` and the response hash;
//! - Ops Manager's error JSON (`detail`, `error`, `errorCode`, `parameters`, `reason`);
//! - `pretty` and `envelope`;
//! - demo organizations and keys ([`demo`]);
//! - fault knobs ([`Faults`]): latency, dropped connections, 500/502 with an HTML body, 429
//!   with `Retry-After`, a proxy's redirect, a garbled digest challenge, stale nonces, and
//!   damaged answers (reset mid-body, malformed JSON, a huge body). They can be changed while it
//!   runs, in-process ([`Sandbox::set_faults`]) or over HTTP (`PUT /__sandbox/faults`).
//!
//! Any other request gets a 404 with errorCode `SANDBOX_UNEXPECTED_REQUEST` and is counted
//! ([`Sandbox::unexpected_requests`]), so a stray call fails loudly.
//!
//! ```
//! let sandbox = omlink_sandbox::Sandbox::start(Default::default()).unwrap();
//! assert!(sandbox.url().starts_with("http://127.0.0.1:"));
//! ```

mod atlas;
pub mod demo;
pub mod digest;
mod faults;
pub mod migrations;
mod ops_manager;
#[cfg(feature = "pki")]
pub mod pki;
mod response;
mod server;

pub use atlas::ATLAS_MEDIA_TYPE;

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::digest::Nonces;

/// Faults to inject into API requests (never into the `/__sandbox/…` control endpoints).
/// Serialized in camelCase for `PUT /__sandbox/faults`; absent fields take their defaults.
///
/// They apply in this order, the first that matches answering the request:
///
/// 1. before authentication: [`latency_ms`](Self::latency_ms), then
///    [`drop_connection`](Self::drop_connection), [`server_error`](Self::server_error),
///    [`rate_limit_retry_after`](Self::rate_limit_retry_after), [`rate_limit_count`](Self::rate_limit_count),
///    [`redirect_to`](Self::redirect_to);
/// 2. authentication: [`malformed_challenge`](Self::malformed_challenge) replaces the challenge
///    of an unauthenticated request, [`stale_nonce_count`](Self::stale_nonce_count) refuses a
///    valid digest;
/// 3. after authentication (only requests whose digest was accepted):
///    [`reset_mid_body`](Self::reset_mid_body), then
///    [`malformed_json`](Self::malformed_json), then
///    [`huge_body_bytes`](Self::huge_body_bytes). These answer in place of the endpoint, which
///    is not run: a link or unlink does not happen and an unknown path is not counted as
///    unexpected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Faults {
    /// Delay before each answer, the digest challenge included, in milliseconds.
    pub latency_ms: u64,
    /// Close the connection without answering.
    pub drop_connection: bool,
    /// Answer this 5xx status (500 or 502 typically) with an HTML page, as a proxy would.
    pub server_error: Option<u16>,
    /// Answer 429 `RATE_LIMITED` with this `Retry-After`, in seconds.
    pub rate_limit_retry_after: Option<u64>,
    /// Answer the next this-many requests, before authentication, 429 `RATE_LIMITED` with
    /// `Retry-After: 0` (a storm that passes); each refusal decrements the count.
    pub rate_limit_count: u32,
    /// Answer every request, before authentication, `307 Temporary Redirect` with this
    /// `Location` and an empty body, as a misconfigured proxy would. A value that is not a
    /// valid header value is refused by `PUT /__sandbox/faults` (400) and, when set in-process,
    /// answered with a 500 `SANDBOX_INVALID_FAULT`.
    pub redirect_to: Option<String>,
    /// Answer an authenticated request `200` with `Content-Type: application/json` and
    /// `Content-Length: 19` (the length of `{"status":"SYNCED"}`), send only
    /// `{"status":"SYN`, then abort the connection: the client gets the head and fails while
    /// reading the body.
    pub reset_mid_body: bool,
    /// Answer an authenticated request with its usual success status (201 for a `POST`, 200
    /// for anything else) and `Content-Type: application/json`, but the truncated, invalid
    /// body `{"status":"SYNCED"`.
    pub malformed_json: bool,
    /// Answer an authenticated request `200` with `Content-Type: application/json`, a
    /// `Content-Length` of this many bytes and as many bytes of body: `{"results":[` followed
    /// by spaces, never valid JSON. Streamed from a static buffer, so any size costs the
    /// sandbox no memory.
    pub huge_body_bytes: Option<u64>,
    /// Answer an unauthenticated request 401 with a `WWW-Authenticate` no client can answer:
    /// `Digest realm="MMS Public API, nonce=` followed by 5000 `x` and no closing quote. No
    /// nonce is issued, so no request can authenticate while this is set (unless it answers a
    /// nonce issued before).
    pub malformed_challenge: bool,
    /// Refuse the next this-many requests that carry a valid digest as if their nonce had
    /// expired: 401 with a fresh challenge carrying `stale=true`, and the nonce is forgotten.
    /// Each refusal decrements the count (visible in [`Sandbox::faults`] and
    /// `GET /__sandbox/faults`), so `1` is a single expired nonce the client must recover from.
    /// [`SandboxConfig::nonce_lifetime`] expires nonces by time instead; both apply.
    pub stale_nonce_count: u32,
}

/// What the status endpoint answers for an organization without a link. Ops Manager's
/// behaviour is not documented; the client must handle both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnlinkedStatus {
    /// `200 {"status":"NOT_SYNCED"}`.
    #[default]
    NotSynced,
    /// `404` with Ops Manager's error JSON (no `errorCode`).
    NotFound,
}

/// A certificate chain and private key in PEM, to serve HTTPS.
#[derive(Clone, Debug)]
pub struct TlsIdentity {
    /// The server certificate first, then any intermediates.
    pub cert_chain_pem: String,
    /// The server's private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

/// How to start a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one. Default `127.0.0.1:0`.
    pub bind: SocketAddr,
    /// Serve HTTPS with this identity instead of plain HTTP.
    pub tls: Option<TlsIdentity>,
    /// How long an issued nonce is accepted. Default five minutes.
    pub nonce_lifetime: Duration,
    /// What the status endpoint answers for an organization without a link.
    pub unlinked_status: UnlinkedStatus,
    /// Generated organizations added after the demo ones (to exercise paging).
    pub extra_orgs: usize,
    /// Faults in force from the start.
    pub faults: Faults,
    /// Keep request bodies in [`RecordedRequest::body`]. Default `true`, for tests; the desktop
    /// app's in-process sandbox sets it to `false` so that no link token a user typed stays in
    /// memory (the body is then empty and only [`RecordedRequest::body_len`] is kept).
    pub record_bodies: bool,
    /// How long an access token of the Atlas look-alike's service account lasts. Default one
    /// hour, as Atlas.
    pub access_token_lifetime: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls: None,
            nonce_lifetime: Duration::from_secs(300),
            unlinked_status: UnlinkedStatus::default(),
            extra_orgs: 0,
            faults: Faults::default(),
            record_bodies: true,
            access_token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// One request the sandbox received, for tests to inspect.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query as sent.
    pub uri: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Accept` header.
    pub accept: Option<String>,
    /// The authenticated public key, when the digest was accepted.
    pub user: Option<String>,
    /// The raw body; empty when [`SandboxConfig::record_bodies`] is `false`.
    pub body: Bytes,
    /// The length of the body received, in bytes (0 when it exceeded the sandbox's 1 MiB limit
    /// and was discarded), recorded even when the body is not.
    pub body_len: usize,
    /// Whether the request carried an `Authorization` header (its value is not recorded).
    pub authorization: bool,
    /// The status answered (0 when the connection was dropped).
    pub status: u16,
}

#[derive(Clone, Debug)]
pub(crate) struct OrgState {
    pub name: String,
    pub linked: bool,
    pub running_migrations: Vec<String>,
    pub link_token: Option<String>,
    /// The Atlas organization whose token (minted by this sandbox) linked it.
    pub atlas_org: Option<String>,
}

/// The Atlas look-alike's state.
#[derive(Default)]
pub(crate) struct AtlasState {
    /// Atlas organizations: id → (name, the link tokens minted for it: one per source
    /// organization).
    pub orgs: BTreeMap<String, (String, Vec<String>)>,
    /// Access tokens handed out by `/api/oauth/token`, and when each expires.
    pub access_tokens: std::collections::HashMap<String, std::time::Instant>,
}

pub(crate) struct State {
    pub nonces: Mutex<Nonces>,
    pub orgs: Mutex<BTreeMap<String, OrgState>>,
    pub faults: Mutex<Faults>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub unexpected: AtomicUsize,
    pub unlinked_status: UnlinkedStatus,
    pub record_bodies: bool,
    pub atlas: Mutex<AtlasState>,
    pub access_token_lifetime: Duration,
    pub migrations: Mutex<migrations::Migrations>,
}

/// Locks a mutex, ignoring poisoning: a panicking test thread must not take the sandbox down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    fn new(config: &SandboxConfig) -> Self {
        let mut orgs = BTreeMap::new();
        for org in demo::ORGS {
            orgs.insert(
                org.id.to_owned(),
                OrgState {
                    name: org.name.to_owned(),
                    linked: org.linked,
                    running_migrations: org
                        .running_migrations
                        .iter()
                        .map(|p| (*p).to_owned())
                        .collect(),
                    link_token: None,
                    atlas_org: None,
                },
            );
        }
        for i in 0..config.extra_orgs {
            orgs.insert(
                format!("{:024x}", 0xa000_0000_u64 + i as u64),
                OrgState {
                    name: format!("Generated organization {:05}", i + 1),
                    linked: false,
                    running_migrations: Vec::new(),
                    link_token: None,
                    atlas_org: None,
                },
            );
        }
        let atlas = AtlasState {
            orgs: demo::ATLAS_ORGS
                .iter()
                .map(|o| (o.id.to_owned(), (o.name.to_owned(), Vec::new())))
                .collect(),
            access_tokens: std::collections::HashMap::new(),
        };
        Self {
            nonces: Mutex::new(Nonces::new(config.nonce_lifetime)),
            orgs: Mutex::new(orgs),
            faults: Mutex::new(config.faults.clone()),
            requests: Mutex::new(Vec::new()),
            unexpected: AtomicUsize::new(0),
            unlinked_status: config.unlinked_status,
            record_bodies: config.record_bodies,
            atlas: Mutex::new(atlas),
            access_token_lifetime: config.access_token_lifetime,
            migrations: Mutex::default(),
        }
    }
}

/// A running sandbox. It stops when dropped.
#[derive(Debug)]
pub struct Sandbox {
    url: String,
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Binds and starts serving on a thread of its own (with its own Tokio runtime), so it
    /// works from synchronous tests, async tests and the app alike.
    ///
    /// # Errors
    /// When the address cannot be bound or the TLS identity is not valid PEM.
    pub fn start(config: SandboxConfig) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind(config.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let acceptor = config.tls.as_ref().map(server::tls_acceptor).transpose()?;
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let host = if addr.ip().is_loopback() && addr.is_ipv4() && acceptor.is_some() {
            "localhost".to_owned()
        } else if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        let url = format!("{scheme}://{host}:{}", addr.port());
        let state = Arc::new(State::new(&config));
        let (shutdown, stop) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("omlink-sandbox".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a Tokio runtime for the sandbox");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("a listener bound by std");
                    tokio::select! {
                        () = server::accept_loop(listener, acceptor, thread_state) => {}
                        _ = stop => {}
                    }
                });
            })?;
        Ok(Self {
            url,
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The base URL to give a client, such as `http://127.0.0.1:41234` (`https://localhost:…`
    /// with TLS, so the certificate's name matches).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        lock(&self.state.faults).clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// Sets the live-migration lifecycle's speed and failures for what is created from now on.
    pub fn set_migration_knobs(&self, knobs: migrations::MigrationKnobs) {
        lock(&self.state.migrations).knobs = knobs;
    }

    /// How many live migrations are active (`NEW` or `WORKING`) now.
    pub fn active_migrations(&self) -> usize {
        migrations::active_count(&lock(&self.state.migrations))
    }

    /// Every API request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
    }

    /// How many requests matched no endpoint.
    pub fn unexpected_requests(&self) -> usize {
        self.state.unexpected.load(Ordering::SeqCst)
    }

    /// Whether organization `org` is linked; `None` for an unknown organization.
    pub fn is_linked(&self, org: &str) -> Option<bool> {
        lock(&self.state.orgs).get(org).map(|o| o.linked)
    }

    /// The Atlas organization whose sandbox-minted token linked Ops Manager organization `org`.
    pub fn atlas_org_of(&self, org: &str) -> Option<String> {
        lock(&self.state.orgs)
            .get(org)
            .and_then(|o| o.atlas_org.clone())
    }

    /// Whether the Atlas look-alike holds a link token for Atlas organization `org`.
    pub fn has_link_token(&self, atlas_org: &str) -> bool {
        lock(&self.state.atlas)
            .orgs
            .get(atlas_org)
            .is_some_and(|(_, t)| !t.is_empty())
    }

    /// Forgets every access token handed out, as if they had all expired.
    pub fn expire_access_tokens(&self) {
        lock(&self.state.atlas).access_tokens.clear();
    }

    /// The link token organization `org` was last linked with.
    pub fn link_token(&self, org: &str) -> Option<String> {
        lock(&self.state.orgs)
            .get(org)
            .and_then(|o| o.link_token.clone())
    }

    /// Blocks until the sandbox stops (it runs until the process ends).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
