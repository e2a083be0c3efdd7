//! The one error type of omlink, shared by the client, the CLI and the desktop app.
//!
//! Every failure is an [`Error`]: a [`ErrorKind`] saying what went wrong, the HTTP status and
//! the server's `errorCode`, `detail` and `parameters` when the server answered, and a one-line
//! `hint` a person can act on. It serializes as
//! `{"kind":"PermissionDenied","message":…,"httpStatus":401,"errorCode":…,"detail":…,"parameters":[…],"hint":…,"retryAfterSecs":null}`
//! so the app's web view can `switch` on `kind`.
//!
//! Non-2xx answers are turned into errors in exactly one place, [`Error::from_api_response`];
//! transport failures in [`Error::from_transport`].

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// What kind of failure an [`Error`] is. The CLI's exit code follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorKind {
    /// Input was rejected before any request was made (or a local file could not be used).
    InvalidInput,
    /// The server rejected the digest credentials: a 401 without an `errorCode`, answered
    /// with a fresh challenge. The public/private key pair is wrong or the key was deleted.
    AuthenticationFailed,
    /// The key authenticated but is not allowed: a 401 with an `errorCode` such as
    /// `USER_UNAUTHORIZED` or `NOT_ORG_ADMIN`, or any 403 such as `IP_ADDRESS_NOT_ON_ACCESS_LIST`.
    PermissionDenied,
    /// 404: the organization (or resource) does not exist for this key.
    NotFound,
    /// 400, 409 and other 4xx: the server understood and refused the request.
    Rejected,
    /// 429: too many requests; `retry_after_secs` says when to try again when the server said.
    RateLimited,
    /// 5xx, or an answer that is not what the API documents.
    ServerError,
    /// DNS failure, refused or dropped connection, timeout.
    Network,
    /// The TLS handshake failed, typically an untrusted or mismatched certificate.
    Tls,
    /// The OS keychain is missing, locked or refused access.
    Keychain,
    /// The person cancelled the request before it finished.
    Cancelled,
    /// omlink's own files (profiles, history) could not be read, written or locked.
    Storage,
    /// A bug in omlink: something that should not happen did.
    Internal,
}

impl ErrorKind {
    /// A short human name for the kind, as shown in the UI's badges and the CLI.
    pub fn label(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid input",
            Self::AuthenticationFailed => "authentication failed",
            Self::PermissionDenied => "permission denied",
            Self::NotFound => "not found",
            Self::Rejected => "rejected by the server",
            Self::RateLimited => "rate limited",
            Self::ServerError => "server error",
            Self::Network => "network error",
            Self::Tls => "TLS error",
            Self::Keychain => "keychain unavailable",
            Self::Cancelled => "cancelled",
            Self::Storage => "storage error",
            Self::Internal => "internal error",
        }
    }

    /// A badge's word or two for the kind, as the window shows it ("Wrong API key").
    pub fn badge_label(self) -> &'static str {
        match self {
            Self::InvalidInput => "Invalid input",
            Self::AuthenticationFailed => "Wrong API key",
            Self::PermissionDenied => "Permission denied",
            Self::NotFound => "Not found",
            Self::Rejected => "Rejected",
            Self::RateLimited => "Rate limited",
            Self::ServerError => "Server error",
            Self::Network => "Network error",
            Self::Tls => "TLS error",
            Self::Keychain => "Keychain unavailable",
            Self::Cancelled => "Cancelled",
            Self::Storage => "Storage error",
            Self::Internal => "Internal error",
        }
    }

    /// Every kind, in exit-code order.
    pub const ALL: [Self; 13] = [
        Self::InvalidInput,
        Self::Cancelled,
        Self::AuthenticationFailed,
        Self::PermissionDenied,
        Self::NotFound,
        Self::Rejected,
        Self::Network,
        Self::Tls,
        Self::ServerError,
        Self::RateLimited,
        Self::Keychain,
        Self::Storage,
        Self::Internal,
    ];

    /// The `omlink` CLI's exit code for a failure of this kind. Defined here, once: the CLI's
    /// help and the README's table are generated from (or tested against) it.
    ///
    /// ```
    /// assert_eq!(omlink::ErrorKind::AuthenticationFailed.exit_code(), 3);
    /// ```
    pub fn exit_code(self) -> u8 {
        match self {
            // The CLI has no cancel button (Ctrl-C ends the process): a cancel is a usage end.
            Self::InvalidInput | Self::Cancelled => 2,
            Self::AuthenticationFailed => 3,
            Self::PermissionDenied => 4,
            Self::NotFound => 5,
            Self::Rejected => 6,
            Self::Network | Self::Tls => 7,
            Self::ServerError | Self::RateLimited => 8,
            Self::Keychain => 9,
            // 10 is EXIT_SOME_FAILED: a batch in which some organizations failed.
            Self::Storage => 11,
            Self::Internal => 12,
        }
    }

    /// What an exit code means to a person, for the help text and the README.
    fn exit_meaning(code: u8) -> &'static str {
        match code {
            2 => "invalid input or usage (nothing was sent)",
            3 => "authentication failed: the key pair is wrong (401 with a fresh digest challenge)",
            4 => {
                "permission denied: no Organization Owner role (401 with an errorCode) or IP not \
                 on the access list (403)"
            }
            5 => "not found: no such organization (404)",
            6 => {
                "rejected by the server: bad or expired token (400), migration still running \
                 (409), …"
            }
            7 => "network or TLS failure",
            8 => {
                "server error (5xx, a proxy's page, a redirect, a malformed answer) or rate \
                 limited (429)"
            }
            9 => "the OS keychain is missing, locked or refused access",
            EXIT_SOME_FAILED => "some organizations of a batch failed (each on its own line)",
            11 => "omlink's profile and history file could not be read, written or locked",
            12 => "internal error (a bug: please report it)",
            _ => "",
        }
    }
}

/// The CLI's exit code when a batch ran to its end but some organizations failed (each failure
/// is on its own line).
pub const EXIT_SOME_FAILED: u8 = 10;

/// Every exit code of the CLI but 0, in order, with its meaning and the kinds that end in it
/// ([`EXIT_SOME_FAILED`] has none).
pub fn exit_codes() -> Vec<(u8, &'static str, Vec<ErrorKind>)> {
    let mut codes: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.exit_code()).collect();
    codes.push(EXIT_SOME_FAILED);
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .map(|code| {
            let kinds = ErrorKind::ALL
                .iter()
                .copied()
                .filter(|k| k.exit_code() == code)
                .collect();
            (code, ErrorKind::exit_meaning(code), kinds)
        })
        .collect()
}

/// The exit-code table of the CLI's help, generated from [`ErrorKind::exit_code`]: one line
/// per code, `  0  success` first. The README's table is tested against [`exit_codes`].
pub fn exit_code_table() -> String {
    let mut out = String::from("  0  success\n");
    for (code, meaning, _) in exit_codes() {
        let _ = writeln!(out, "{code:>3}  {meaning}");
    }
    out
}

/// An omlink failure: kind, what the server said, and a hint.
///
/// ```
/// let err = omlink::OrgId::new("nope").unwrap_err();
/// assert_eq!(err.kind, omlink::ErrorKind::InvalidInput);
/// assert!(!err.hint.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct Error {
    /// What kind of failure this is.
    pub kind: ErrorKind,
    /// One line saying what happened.
    pub message: String,
    /// The HTTP status the server answered with (the inner one for an enveloped answer).
    pub http_status: Option<u16>,
    /// The server's `errorCode`, such as `ORG_NOT_FOUND`.
    pub error_code: Option<String>,
    /// The server's `detail`, or a short excerpt of a body that was not Ops Manager's JSON.
    pub detail: Option<String>,
    /// The server's `parameters` (for a 409 on unlink: the projects with a running migration).
    pub parameters: Vec<serde_json::Value>,
    /// One line a person can act on.
    pub hint: String,
    /// For [`ErrorKind::RateLimited`]: the server's `Retry-After`, in seconds.
    pub retry_after_secs: Option<u64>,
}

/// What was being done when an error happened: the operation and the organization, for hints.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call<'a> {
    pub op: Operation,
    pub org: Option<&'a str>,
    pub host: &'a str,
}

/// The API operations omlink performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Link,
    Status,
    Unlink,
    ListOrgs,
    /// `GET /orgs/{id}/groups`.
    ListProjects,
    /// `GET /groups/{id}/hosts`.
    ListHosts,
    /// Atlas: the service account's access token (`POST /api/oauth/token`).
    AtlasAccessToken,
    /// Atlas: `GET /orgs`.
    AtlasOrgs,
    /// Atlas: `POST …/liveMigrations/linkTokens`.
    CreateLinkToken,
    /// Atlas: `DELETE …/liveMigrations/linkTokens`.
    RevokeLinkToken,
    /// Atlas: `GET …/liveMigrations/availableProjects`.
    AvailableProjects,
}

impl Operation {
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Self::Link => "link the organization",
            Self::Status => "read the link status",
            Self::Unlink => "remove the link",
            Self::ListOrgs => "list organizations",
            Self::ListProjects => "list the organization's projects",
            Self::ListHosts => "list a project's hosts",
            Self::AtlasAccessToken => "sign in to Atlas with the service account",
            Self::AtlasOrgs => "list Atlas organizations",
            Self::CreateLinkToken => "create a link token in Atlas",
            Self::RevokeLinkToken => "revoke the Atlas link token",
            Self::AvailableProjects => "read Atlas's available projects",
        }
    }

    /// Whether the call goes to Atlas (the Ops Manager side is every other one).
    pub(crate) fn is_atlas(self) -> bool {
        !matches!(
            self,
            Self::Link
                | Self::Status
                | Self::Unlink
                | Self::ListOrgs
                | Self::ListProjects
                | Self::ListHosts
        )
    }
}

/// Ops Manager's error body. Every field may be missing; `parameters` may be `null`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiErrorBody {
    detail: Option<String>,
    error_code: Option<String>,
    parameters: Option<Vec<serde_json::Value>>,
    reason: Option<String>,
}

/// Atlas errorCodes that mean "your credentials are fine, your role is not".
fn is_role_code(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        c == "USER_UNAUTHORIZED"
            || c.starts_with("NOT_ORG_")
            || c.starts_with("INSUFFICIENT_")
            || c.contains("ACCESS_LIST")
            || c.contains("WHITELIST")
    })
}

/// The hints for the Atlas side: they name Atlas's settings, not Ops Manager's.
fn atlas_hint(kind: ErrorKind, code: &str, call: Call<'_>, status: u16) -> Option<String> {
    if !call.op.is_atlas() {
        return None;
    }
    let org = call.org.unwrap_or("this organization");
    Some(match kind {
        ErrorKind::AuthenticationFailed if call.op == Operation::AtlasAccessToken => format!(
            "Check the service account's client id and secret: {} did not accept them. The secret may have expired or been revoked (Atlas → Organization Access → Service Accounts).",
            call.host
        ),
        ErrorKind::AuthenticationFailed => format!(
            "Check the Atlas credentials: {} did not accept them (a deleted or mistyped API key, or a revoked service account).",
            call.host
        ),
        ErrorKind::PermissionDenied if code.contains("ACCESS_LIST") || code.contains("WHITELIST") => {
            "Add this machine's IP address to the Atlas API access list of the service account or API key (Atlas → Organization Access)."
                .to_owned()
        }
        ErrorKind::PermissionDenied if call.op == Operation::AtlasOrgs => {
            "These Atlas credentials may not list organizations; give them a role in the organization."
                .to_owned()
        }
        ErrorKind::PermissionDenied => format!(
            "The Atlas credentials need the Organization Owner role on Atlas organization {org}."
        ),
        ErrorKind::NotFound if call.op == Operation::AtlasOrgs => format!(
            "{} has no Atlas Admin API at this address: check the Atlas URL.",
            call.host
        ),
        ErrorKind::NotFound => format!(
            "Check the Atlas organization id: {} has no organization {org} these credentials can see.",
            call.host
        ),
        ErrorKind::Rejected if status == 406 || code.contains("VERSION") => {
            "Atlas did not accept the API version omlink asks for: this may need a newer omlink."
                .to_owned()
        }
        ErrorKind::Rejected if call.op == Operation::CreateLinkToken => {
            "Check the access-list addresses: each must be an IP address (the source's external one as Atlas sees it)."
                .to_owned()
        }
        ErrorKind::Rejected => format!("Atlas refused to {}.", call.op.verb()),
        ErrorKind::ServerError => format!(
            "Atlas ({}) failed to {}; try again in a few minutes.",
            call.host,
            call.op.verb()
        ),
        _ => return None,
    })
}

/// The longest excerpt of a non-JSON error body kept in an error.
const EXCERPT_LEN: usize = 200;
/// The longest server text (`detail`, `reason`, `errorCode`, a parameter) kept in an error.
const SERVER_TEXT_LEN: usize = 1000;
/// The most `parameters` kept from an error body.
const MAX_PARAMETERS: usize = 50;

impl Error {
    /// An error of `kind` that did not come from a server answer: `message` says what
    /// happened, `hint` what to do.
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            http_status: None,
            error_code: None,
            detail: None,
            parameters: Vec::new(),
            hint: hint.into(),
            retry_after_secs: None,
        }
    }

    /// An [`ErrorKind::Storage`] error: omlink's own file could not be used.
    pub fn storage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ErrorKind::Storage, message, hint)
    }

    /// An [`ErrorKind::Internal`] error: a bug.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Internal,
            message,
            "This is an omlink bug; please report it with what you were doing.",
        )
    }

    /// An [`ErrorKind::InvalidInput`] error: `message` says what is wrong, `hint` how to fix it.
    pub fn invalid_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message, hint)
    }

    /// Maps a non-2xx answer into an error. This is the only place that interprets Ops
    /// Manager's error statuses and bodies.
    pub(crate) fn from_api_response(
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
        call: Call<'_>,
    ) -> Self {
        let parsed = serde_json::from_slice::<ApiErrorBody>(body).ok();
        let (detail, error_code, parameters, reason) = match parsed {
            Some(b) => (
                b.detail
                    .map(|d| clip(&sanitize(&d)))
                    .filter(|d| !d.trim().is_empty()),
                b.error_code
                    .map(|c| clip(&sanitize(&c)))
                    .filter(|c| !c.trim().is_empty()),
                b.parameters
                    .unwrap_or_default()
                    .into_iter()
                    .take(MAX_PARAMETERS)
                    .map(sanitize_value)
                    .collect(),
                b.reason.map(|r| clip(&sanitize(&r))),
            ),
            None => (excerpt(body), None, Vec::new(), None),
        };
        let code = error_code.as_deref().unwrap_or("");
        let org = call.org.unwrap_or("this organization");
        let kind = match status {
            // The service account's secret was refused (OAuth answers 400 invalid_client).
            400 | 401 if call.op == Operation::AtlasAccessToken => ErrorKind::AuthenticationFailed,
            // Atlas answers a wrong key or token with 401 and an errorCode of its own; only
            // a role it lacks is a permission problem.
            401 if call.op.is_atlas() && !is_role_code(error_code.as_deref()) => {
                ErrorKind::AuthenticationFailed
            }
            401 if error_code.is_some() => ErrorKind::PermissionDenied,
            401 => ErrorKind::AuthenticationFailed,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::Rejected,
            _ => ErrorKind::ServerError,
        };
        let retry_after_secs = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
        let hint = match atlas_hint(kind, code, call, status) {
            Some(hint) => hint,
            None => match (kind, code) {
            (ErrorKind::AuthenticationFailed, _) => format!(
                "Check the public and private API key pair: {} did not accept them. \
                 The key may have been deleted, or the private key mistyped.",
                call.host
            ),
            (
                ErrorKind::PermissionDenied,
                "IP_ADDRESS_NOT_ON_ACCESS_LIST" | "IP_ADDRESS_NOT_ON_WHITELIST",
            ) => "Add this machine's IP address to the API key's access list in Ops Manager \
                 (Organization → Access Manager → API Keys → Edit)."
                .to_owned(),
            (ErrorKind::PermissionDenied, _) if call.op == Operation::ListOrgs => {
                "This API key may not list organizations; give it a role in the organization."
                    .to_owned()
            }
            (ErrorKind::PermissionDenied, _) => {
                format!("This API key needs the Organization Owner role on organization {org}.")
            }
            (ErrorKind::NotFound, _) if call.op == Operation::ListOrgs => format!(
                "{} has no Public API at this address: check the URL (and any path before /api).",
                call.host
            ),
            (ErrorKind::NotFound, _) => format!(
                "Check the organization id: {} has no organization {org} that this API key can see.",
                call.host
            ),
            (ErrorKind::Rejected, "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT") => {
                let projects = join_parameters(&parameters);
                if projects.is_empty() {
                    "A live migration is still running in this organization: let it finish or \
                     cancel it in Atlas, then remove the link."
                        .to_owned()
                } else {
                    format!(
                        "A live migration is still running (projects {projects}): let it finish \
                         or cancel it in Atlas, then remove the link."
                    )
                }
            }
            (ErrorKind::Rejected, "INVALID_JSON" | "MISSING_ATTRIBUTE" | "INVALID_ATTRIBUTE") => {
                "The server did not accept the request body; this is likely an omlink bug or an \
                 unsupported server version: please report it with the detail above."
                    .to_owned()
            }
            (ErrorKind::Rejected, _) if call.op == Operation::Link => {
                "If the link token is expired, was revoked or belongs to another organization, \
                 generate a new one in Atlas (Organization Settings → Live Migration)."
                    .to_owned()
            }
            (ErrorKind::Rejected, _) => format!("The server refused to {}.", call.op.verb()),
            (ErrorKind::RateLimited, _) => match retry_after_secs {
                Some(s) => format!("Wait {s} seconds, then try again."),
                None => "Wait a minute, then try again.".to_owned(),
            },
            (ErrorKind::ServerError, _) if status == 502 || status == 503 || status == 504 => {
                format!(
                    "A proxy or load balancer in front of {} answered {status}: check that Ops \
                 Manager is running, then try again.",
                    call.host
                )
            }
            (ErrorKind::ServerError, _) => format!(
                "{} failed to {}; try again later, and check the Ops Manager logs if it persists.",
                call.host,
                call.op.verb()
            ),
            (
                ErrorKind::InvalidInput
                | ErrorKind::Network
                | ErrorKind::Tls
                | ErrorKind::Keychain
                | ErrorKind::Cancelled
                | ErrorKind::Storage
                | ErrorKind::Internal,
                _,
            ) => String::new(),
            },
        };
        let mut message = format!(
            "Could not {}: {} (HTTP {status})",
            call.op.verb(),
            kind.label()
        );
        if let Some(text) = detail.as_deref().or(reason.as_deref()) {
            let _ = write!(message, ": {}", one_line(text));
        }
        Self {
            kind,
            message,
            http_status: Some(status),
            error_code,
            detail,
            parameters,
            hint,
            retry_after_secs,
        }
    }

    /// An answer with a 2xx status whose body is not what the API documents.
    pub(crate) fn unexpected_body(status: u16, body: &[u8], call: Call<'_>, what: &str) -> Self {
        Self {
            http_status: Some(status),
            detail: excerpt(body),
            ..Self::new(
                ErrorKind::ServerError,
                format!(
                    "Could not {}: the server's answer is not {what}",
                    call.op.verb()
                ),
                format!(
                    "Check that {} is an Ops Manager or Cloud Manager address, not another site.",
                    call.host
                ),
            )
        }
    }

    /// A call that did not finish within its overall deadline (all its round trips).
    pub(crate) fn timed_out(call: Call<'_>, limit: std::time::Duration) -> Self {
        Self::new(
            ErrorKind::Network,
            format!(
                "Could not {}: the request timed out (no complete answer within {} seconds)",
                call.op.verb(),
                limit.as_secs_f32()
            ),
            format!(
                "{} did not answer in time: check that it is up, or raise the timeout.",
                call.host
            ),
        )
    }

    /// A 3xx answer: omlink follows no redirect, since that would resend the request (and a
    /// link token) to wherever `Location` points.
    pub(crate) fn redirected(call: Call<'_>, status: u16, location: Option<&str>) -> Self {
        let target = location.map_or_else(
            || "no Location".to_owned(),
            |l| clip_to(&mask_userinfo(&sanitize(l)), 300),
        );
        Self {
            http_status: Some(status),
            detail: location.map(|_| target.clone()),
            ..Self::new(
                ErrorKind::ServerError,
                format!(
                    "Could not {}: the server redirected the request (HTTP {status}) to {target}; \
                     omlink does not follow redirects",
                    call.op.verb()
                ),
                format!(
                    "Use the final address as the URL (check https:// and any path before /api); \
                     nothing was resent to the new address. {} may sit behind a proxy that \
                     redirects.",
                    call.host
                ),
            )
        }
    }

    /// A 401 whose digest challenge cannot be answered, or no challenge at all.
    pub(crate) fn bad_challenge(
        call: Call<'_>,
        why: &dyn std::fmt::Display,
        header: Option<&str>,
    ) -> Self {
        Self {
            http_status: Some(401),
            detail: header.map(|h| clip_to(&sanitize(h), 120)),
            ..Self::new(
                ErrorKind::ServerError,
                format!("Could not {}: {why}", call.op.verb()),
                format!(
                    "Check that {} is an Ops Manager or Cloud Manager address (its Public API \
                     uses HTTP Digest authentication).",
                    call.host
                ),
            )
        }
    }

    /// A request with a body whose body-less challenge request was answered with success:
    /// the server did not ask for authentication, so the body (a link token) was not sent.
    pub(crate) fn no_challenge(call: Call<'_>, status: u16) -> Self {
        Self {
            http_status: Some(status),
            ..Self::new(
                ErrorKind::ServerError,
                format!(
                    "Could not {}: the server did not ask for digest authentication (HTTP \
                     {status}); the link token was not sent",
                    call.op.verb()
                ),
                format!(
                    "Check that {} is an Ops Manager or Cloud Manager address, not another site.",
                    call.host
                ),
            )
        }
    }

    /// Maps a failure to send a request or read its answer (DNS, connection, TLS, timeout).
    pub(crate) fn from_transport(err: &(dyn std::error::Error + 'static), call: Call<'_>) -> Self {
        let verb = call.op.verb();
        let host = call.host;
        if let Some(tls) = find_tls_error(err) {
            let (reason, hint) = describe_tls(&tls);
            return Self::new(
                ErrorKind::Tls,
                format!("Could not {verb}: TLS failure with {host}: {reason}"),
                hint,
            );
        }
        let reason = mask_userinfo(&sanitize(&root_cause(err)));
        let (reason, hint) = match err.downcast_ref::<reqwest::Error>() {
            Some(e) if e.is_timeout() => (
                "the request timed out".to_owned(),
                format!(
                    "{host} did not answer in time: check that it is up, or raise the timeout."
                ),
            ),
            Some(e) if e.is_connect() => (
                format!("cannot connect ({reason})"),
                format!(
                    "Check the URL, that {host} is reachable from this machine (VPN, firewall), \
                     and the HTTPS_PROXY / NO_PROXY settings."
                ),
            ),
            _ => (
                reason,
                format!(
                    "The connection to {host} failed mid-request; try again. A proxy or load \
                     balancer may have closed it."
                ),
            ),
        };
        Self::new(
            ErrorKind::Network,
            format!("Could not {verb}: {reason}"),
            hint,
        )
    }

    /// Replaces every occurrence of `secret` in the error's texts with `<redacted>`, in case a
    /// server echoes a value it was sent.
    pub(crate) fn redact(mut self, secret: &str) -> Self {
        if secret.len() < 4 {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "<redacted>");
            }
        };
        scrub(&mut self.message);
        scrub(&mut self.hint);
        if let Some(d) = self.detail.as_mut() {
            scrub(d);
        }
        for p in &mut self.parameters {
            scrub_value(p, &scrub);
        }
        self
    }
}

/// Applies `scrub` to every string in a JSON value, however deeply nested.
fn scrub_value(value: &mut serde_json::Value, scrub: &impl Fn(&mut String)) {
    match value {
        serde_json::Value::String(s) => scrub(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, scrub)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_value(v, scrub)),
        _ => {}
    }
}

/// [`sanitize`]s every string in a parameter, object keys included, however deeply nested.
fn sanitize_value(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(clip(&sanitize(&s))),
        Value::Array(items) => Value::Array(items.into_iter().map(sanitize_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (clip(&sanitize(&k)), sanitize_value(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Server text made safe for a terminal: ANSI escape sequences removed, other control
/// characters turned into spaces, and bidirectional/format characters (which can reorder
/// what a person reads) removed.
///
/// ```
/// assert_eq!(omlink::sanitize("\u{1b}[31mred\u{1b}[0m\u{202e}x\ty"), "redx y");
/// ```
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                // CSI: ESC [ parameters… final byte in @..~
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, …: up to BEL or ESC \ (string terminator)
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            },
            c if is_format_char(c) => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional controls and other invisible format characters (Unicode category Cf that
/// terminals and text fields render as nothing, or use to reorder text).
pub(crate) fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Masks the `user:password@` part of any URL in `text` as `***@`.
///
/// ```
/// assert_eq!(
///     omlink::mask_userinfo("see https://bob:pw@evil.example/x and http://a@b/"),
///     "see https://***@evil.example/x and http://***@b/"
/// );
/// ```
pub fn mask_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        // Resume right after the authority's last `@` (or at its start): the host part may
        // itself hold the next URL, as in `x://https://user:pw@host`.
        match tail[..authority_end].rfind('@') {
            Some(at) => {
                out.push_str("***@");
                rest = &tail[at + 1..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// Cuts server text to [`SERVER_TEXT_LEN`] characters.
fn clip(text: &str) -> String {
    clip_to(text, SERVER_TEXT_LEN)
}

fn clip_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

fn join_parameters(parameters: &[serde_json::Value]) -> String {
    parameters
        .iter()
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short, single-line excerpt of a body that is not Ops Manager's JSON error, such as an
/// HTML page from a proxy: its `<title>` when it has one, else its text without tags.
fn excerpt(body: &[u8]) -> Option<String> {
    let text = sanitize(&String::from_utf8_lossy(body));
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start + "<title>".len();
        lower[from..]
            .find("</title>")
            .map(|end| text[from..from + end].to_string())
    });
    let text = match title {
        Some(t) if !t.trim().is_empty() => t,
        _ => strip_tags(&text),
    };
    let line = one_line(&text);
    if line.is_empty() {
        return None;
    }
    if line.chars().count() <= EXCERPT_LEN {
        return Some(line);
    }
    let cut: String = line.chars().take(EXCERPT_LEN).collect();
    Some(format!("{cut}…"))
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Walks an error's sources for a rustls error. `io::Error` hides its payload from `source()`,
/// so it is unwrapped with `get_ref()`.
fn find_tls_error(err: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            // The payload may itself be an io::Error wrapping the rustls error.
            current = Some(inner);
            continue;
        }
        current = e.source();
    }
    None
}

fn describe_tls(err: &rustls::Error) -> (String, String) {
    use rustls::CertificateError as C;
    let trust_hint = "If the server uses a certificate from a private CA, add that CA's PEM file \
                      as the extra CA bundle; skip verification only in a lab.";
    match err {
        rustls::Error::InvalidCertificate(cert) => {
            let reason = match cert {
                C::UnknownIssuer => "the certificate is signed by an unknown authority".to_owned(),
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "the certificate is not valid for this host name".to_owned()
                }
                C::Expired | C::ExpiredContext { .. } => "the certificate has expired".to_owned(),
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    "the certificate is not valid yet (check this machine's clock)".to_owned()
                }
                C::Revoked => "the certificate has been revoked".to_owned(),
                C::BadSignature => "the certificate's signature is invalid".to_owned(),
                other => format!("the certificate was refused ({other:?})"),
            };
            let hint = match cert {
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "Use the host name the certificate was issued for (not an IP address or alias)."
                        .to_owned()
                }
                _ => trust_hint.to_owned(),
            };
            (reason, hint)
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => (
            format!("the server did not speak TLS ({err})"),
            "The server may expect http:// rather than https:// on this port.".to_owned(),
        ),
        other => (other.to_string(), trust_hint.to_owned()),
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    // The outermost message repeats the URL; the innermost says what happened.
    parts.last().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests;
