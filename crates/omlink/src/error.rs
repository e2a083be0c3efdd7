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
                 (409), a failed validation, a migration not ready for cutover, …"
            }
            7 => "network or TLS failure",
            8 => {
                "server error (5xx, a proxy's page, a redirect, a malformed answer) or rate \
                 limited (429)"
            }
            9 => "the OS keychain is missing, locked or refused access",
            EXIT_SOME_FAILED => {
                "some organizations of a batch or rows of a plan failed (each on its own line), or a watched migration failed or expired"
            }
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
    /// `GET /groups/{id}`.
    GetProject,
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
    /// Atlas: `GET /orgs/{id}/groups`.
    AtlasProjects,
    /// Atlas: `GET /groups/{id}`.
    AtlasProject,
    /// Atlas: `GET /groups/{id}/clusters`.
    AtlasClusters,
    /// Atlas: `POST …/liveMigrations/validate`.
    ValidateMigration,
    /// Atlas: `GET …/liveMigrations/validate/{id}`.
    ValidationStatus,
    /// Atlas: `POST …/liveMigrations`.
    CreateMigration,
    /// Atlas: `GET …/liveMigrations/{id}`.
    MigrationStatus,
    /// Atlas: `PUT …/liveMigrations/{id}/cutover`.
    Cutover,
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
            Self::GetProject => "read the project",
            Self::AtlasAccessToken => "sign in to Atlas with the service account",
            Self::AtlasOrgs => "list Atlas organizations",
            Self::CreateLinkToken => "create a link token in Atlas",
            Self::RevokeLinkToken => "revoke the Atlas link token",
            Self::AvailableProjects => "read Atlas's available projects",
            Self::AtlasProjects => "list the Atlas organization's projects",
            Self::AtlasProject => "read the Atlas project",
            Self::AtlasClusters => "list the Atlas project's clusters",
            Self::ValidateMigration => "validate the live migration",
            Self::ValidationStatus => "read the validation",
            Self::CreateMigration => "start the live migration",
            Self::MigrationStatus => "read the live migration",
            Self::Cutover => "cut the live migration over",
        }
    }

    /// Whether the call's id names an Atlas project (else an organization).
    pub(crate) fn is_project_scoped(self) -> bool {
        matches!(
            self,
            Self::AtlasProject
                | Self::AtlasClusters
                | Self::ValidateMigration
                | Self::ValidationStatus
                | Self::CreateMigration
                | Self::MigrationStatus
                | Self::Cutover
        )
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
                | Self::GetProject
        )
    }
}

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

mod mapping;
mod text;

pub(crate) use text::is_format_char;
use text::scrub_value;
pub use text::{mask_userinfo, sanitize};

#[cfg(test)]
mod tests;
