//! Server answers and transport failures mapped to [`Error`]s: the one place that reads Ops
//! Manager's and Atlas's error statuses and bodies, redirects, deadlines, digest challenges and
//! TLS failures, and gives each the hint a person can act on.

use serde::Deserialize;

use std::fmt::Write as _;

use super::text::{
    clip, clip_to, excerpt, join_parameters, mask_userinfo, one_line, sanitize, sanitize_value,
};
use super::{Call, Error, ErrorKind, Operation};

impl Error {
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
            (ErrorKind::NotFound, _) if call.op == Operation::GetProject => format!(
                "Check the source project id: {} has no project {org} that this API key can see.",
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
        ErrorKind::PermissionDenied if call.op.is_project_scoped() => format!(
            "The Atlas credentials need the Project Owner role on Atlas project {org} (reading a migration needs only membership)."
        ),
        ErrorKind::PermissionDenied => format!(
            "The Atlas credentials need the Organization Owner role on Atlas organization {org}."
        ),
        ErrorKind::NotFound if call.op == Operation::AtlasOrgs => format!(
            "{} has no Atlas Admin API at this address: check the Atlas URL.",
            call.host
        ),
        ErrorKind::NotFound if call.op.is_project_scoped() => format!(
            "Check the Atlas project id, the cluster name and the migration id: {} has none of them in project {org} for these credentials.",
            call.host
        ),
        ErrorKind::NotFound => format!(
            "Check the Atlas organization id: {} has no organization {org} these credentials can see.",
            call.host
        ),
        ErrorKind::Rejected if status == 409 && call.op == Operation::CreateMigration => {
            "Another live migration is using this migration host or destination cluster: wait until it ends (or cut it over), then start this one."
                .to_owned()
        }
        ErrorKind::Rejected if call.op == Operation::Cutover => {
            "Atlas cuts over only a migration that is ready for cutover: check its status, then try again."
                .to_owned()
        }
        ErrorKind::Rejected
            if matches!(call.op, Operation::ValidateMigration | Operation::CreateMigration) =>
        {
            "Atlas refused the migration request: the detail above names the field, the source or the destination to fix."
                .to_owned()
        }
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

/// The most `parameters` kept from an error body.
const MAX_PARAMETERS: usize = 50;

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
