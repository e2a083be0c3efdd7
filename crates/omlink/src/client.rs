//! The typed Ops Manager / Cloud Manager client for the organization-link endpoints.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use diqwest::WithDigestAuth;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;
use zeroize::Zeroizing;

use crate::error::{Call, Error, ErrorKind, Operation};
use crate::model::{LinkOutcome, LinkStatus, OrgPage, Organization, StatusBody};
use crate::secret::{LinkToken, PrivateKey};
use crate::validate::{BaseUrl, OrgId, PublicKey};

/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, the digest challenge included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Page size used when listing organizations (the API's maximum).
pub const ORGS_PAGE_SIZE: usize = 500;
/// Answers larger than this are cut; no answer of this API comes near it.
const MAX_BODY_BYTES: usize = 16 << 20;
/// The most pages `list_orgs` reads, in case a server keeps answering full pages forever.
const MAX_ORG_PAGES: u32 = 1000;

/// The version header Ops Manager sends with its answers.
const SERVICE_VERSION_HEADER: &str = "x-mongodb-service-version";

/// How to trust the server's TLS certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct TlsOptions {
    /// A PEM file of extra CA certificates, trusted **in addition to** the system's roots
    /// (on-prem Ops Manager often has a certificate from a private CA).
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification entirely. Off unless explicitly set; reported as a
    /// [`Warning`] when on.
    pub skip_verify: bool,
}

/// Everything needed to talk to one Ops Manager or Cloud Manager server with one API key.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The server, such as `https://opsmanager.example.com:8443`.
    pub base_url: BaseUrl,
    /// The public API key (digest user name).
    pub public_key: PublicKey,
    /// The private API key (digest password).
    pub private_key: PrivateKey,
    /// Certificate trust.
    pub tls: TlsOptions,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request.
    pub timeout: Duration,
    /// Ask for indented JSON (`pretty=true`); answers are parsed the same either way.
    pub pretty: bool,
    /// Ask for enveloped answers (`envelope=true`); they are unwrapped and judged by their
    /// inner status.
    pub envelope: bool,
}

impl ClientConfig {
    /// A configuration with default TLS trust and timeouts.
    pub fn new(base_url: BaseUrl, public_key: PublicKey, private_key: PrivateKey) -> Self {
        Self {
            base_url,
            public_key,
            private_key,
            tls: TlsOptions::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            pretty: false,
            envelope: false,
        }
    }
}

/// Something about a connection the user should know, though it works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Warning {
    /// The URL is `http://`: the link token crosses the network unencrypted.
    InsecureHttp,
    /// TLS certificate verification is switched off.
    TlsVerificationDisabled,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InsecureHttp => {
                "the URL is http://: requests, link tokens included, cross the network unencrypted"
            }
            Self::TlsVerificationDisabled => {
                "TLS certificate verification is OFF: anyone on the network path can impersonate the server"
            }
        })
    }
}

/// A client for one server and one API key. Cheap to share; it keeps its connections alive
/// across calls.
///
/// ```no_run
/// # async fn demo() -> Result<(), omlink::Error> {
/// use omlink::{BaseUrl, Client, ClientConfig, LinkToken, OrgId, PrivateKey, PublicKey};
/// let config = ClientConfig::new(
///     BaseUrl::new("https://opsmanager.example.com:8443")?,
///     PublicKey::new("abcdefgh")?,
///     PrivateKey::new("8f9e6a2c-3b1d-4e7f-9a0b-5c6d7e8f9a01")?,
/// );
/// let client = Client::new(config)?;
/// let outcome = client.link(&OrgId::new("5f1e2d3c4b5a697887766554")?, &LinkToken::new("…")?).await?;
/// println!("{:?}", outcome.status);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base_url: BaseUrl,
    public_key: PublicKey,
    private_key: PrivateKey,
    pretty: bool,
    envelope: bool,
    warnings: Vec<Warning>,
}

/// A complete answer: status (unwrapped from an envelope), headers and body.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkRequest<'a> {
    link_token: &'a str,
}

impl Client {
    /// Builds a client. No request is made.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the extra CA file cannot be read, is empty or holds no
    /// usable PEM certificate; [`ErrorKind::Tls`] when the system's TLS roots cannot be loaded.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let mut warnings = Vec::new();
        if config.base_url.is_insecure() {
            warnings.push(Warning::InsecureHttp);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("omlink/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60));
        if let Some(path) = &config.tls.ca_file {
            builder = builder.tls_certs_merge(load_ca_file(path)?);
        }
        if config.tls.skip_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
            warnings.push(Warning::TlsVerificationDisabled);
        }
        let http = builder.build().map_err(|e| match &config.tls.ca_file {
            Some(path) => Error::invalid_input(
                format!("The CA file {} could not be used: {e}", path.display()),
                "Use a PEM file of CA certificates (-----BEGIN CERTIFICATE-----).",
            ),
            None => Error::new(
                ErrorKind::Tls,
                format!("Could not set up TLS: {e}"),
                "Check that the system's CA certificates are installed (ca-certificates).",
            ),
        })?;
        Ok(Self {
            http,
            base_url: config.base_url,
            public_key: config.public_key,
            private_key: config.private_key,
            pretty: config.pretty,
            envelope: config.envelope,
            warnings,
        })
    }

    /// What the user should be told about this connection (plain http, skipped verification).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The server this client talks to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// Connects organization `org` to Atlas with `token`:
    /// `POST /orgs/{orgId}/liveExport/migrationLink` with exactly `{"linkToken":"…"}`.
    /// Any 2xx is success.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; the token never appears in the error.
    pub async fn link(&self, org: &OrgId, token: &LinkToken) -> Result<LinkOutcome, Error> {
        let call = self.call(Operation::Link, Some(org));
        let body = serde_json::to_vec(&LinkRequest {
            link_token: token.expose(),
        })
        .expect("a struct of one string always serializes");
        // The body is sent twice (challenge, then answer): built once, zeroized when the last
        // copy is dropped.
        let body = Bytes::from_owner(Zeroizing::new(body));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink"), &[]);
        let result = async {
            let answer = self.send(call, Method::POST, url, Some(body)).await?;
            let answer = check(answer, call)?;
            Ok(LinkOutcome {
                status: parse_status(&answer, call)?,
                server_version: server_version(&answer.headers),
            })
        }
        .await;
        result.map_err(|e: Error| e.redact(token.expose()))
    }

    /// Reads the link's status: `GET /orgs/{orgId}/liveExport/migrationLink/status`.
    /// A 404 that is not `ORG_NOT_FOUND` means the organization has no link and is reported
    /// as [`LinkStatus::NoLink`].
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn link_status(&self, org: &OrgId) -> Result<LinkOutcome, Error> {
        let call = self.call(Operation::Status, Some(org));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink/status"), &[]);
        let answer = self.send(call, Method::GET, url, None).await?;
        if answer.status == 404 && means_no_link(&answer.body) {
            return Ok(LinkOutcome {
                status: LinkStatus::NoLink,
                server_version: server_version(&answer.headers),
            });
        }
        let answer = check(answer, call)?;
        Ok(LinkOutcome {
            status: parse_status(&answer, call)?,
            server_version: server_version(&answer.headers),
        })
    }

    /// Removes the link: `DELETE /orgs/{orgId}/liveExport/migrationLink` (answered 204).
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; [`ErrorKind::Rejected`] with
    /// `CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT` while a migration runs.
    pub async fn unlink(&self, org: &OrgId) -> Result<(), Error> {
        let call = self.call(Operation::Unlink, Some(org));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink"), &[]);
        check(self.send(call, Method::DELETE, url, None).await?, call)?;
        Ok(())
    }

    /// Lists every organization the key can see: `GET /orgs`, following pages of
    /// [`ORGS_PAGE_SIZE`] until all are read.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn list_orgs(&self) -> Result<Vec<Organization>, Error> {
        let call = self.call(Operation::ListOrgs, None);
        let mut orgs: Vec<Organization> = Vec::new();
        for page_num in 1..=MAX_ORG_PAGES {
            let page_num = page_num.to_string();
            let page_size = ORGS_PAGE_SIZE.to_string();
            let url = self.url(
                "/orgs",
                &[("pageNum", &page_num), ("itemsPerPage", &page_size)],
            );
            let answer = check(self.send(call, Method::GET, url, None).await?, call)?;
            let page: OrgPage = serde_json::from_slice(&answer.body).map_err(|_| {
                Error::unexpected_body(answer.status, &answer.body, call, "a list of organizations")
            })?;
            let received = page.results.len();
            orgs.extend(page.results);
            let total = page.total_count.and_then(|t| usize::try_from(t).ok());
            if received < ORGS_PAGE_SIZE || total.is_some_and(|t| orgs.len() >= t) {
                break;
            }
        }
        Ok(orgs)
    }

    fn call<'a>(&'a self, op: Operation, org: Option<&'a OrgId>) -> Call<'a> {
        Call {
            op,
            org: org.map(OrgId::as_str),
            host: self.base_url.host(),
        }
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = Url::parse(&self.base_url.api(path)).expect("a validated base URL");
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            if self.pretty {
                pairs.append_pair("pretty", "true");
            }
            if self.envelope {
                pairs.append_pair("envelope", "true");
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        url
    }

    /// Sends one request with digest authentication and reads the whole answer. The digest
    /// `uri` is the path with its query string (diqwest signs everything after the port).
    async fn send(
        &self,
        call: Call<'_>,
        method: Method,
        url: Url,
        body: Option<Bytes>,
    ) -> Result<Answer, Error> {
        let mut request = self
            .http
            .request(method, url)
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let credentials = (self.public_key.as_str(), self.private_key.expose());
        let mut response = request
            .send_digest_auth(credentials)
            .await
            .map_err(|e| digest_error(e, call))?;
        // A nonce that expired between challenge and answer: challenge once more, then give up.
        if response.status() == StatusCode::UNAUTHORIZED && is_stale(response.headers()) {
            response = request
                .send_digest_auth(credentials)
                .await
                .map_err(|e| digest_error(e, call))?;
        }
        let mut status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::from_transport(&e, call))?
        {
            let room = MAX_BODY_BYTES.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        if self.envelope
            && status == 200
            && let Some((inner, content)) = unwrap_envelope(&body)
        {
            status = inner;
            body = content;
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// Turns a non-2xx answer into the typed error; the one place that judges statuses.
fn check(answer: Answer, call: Call<'_>) -> Result<Answer, Error> {
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

fn parse_status(answer: &Answer, call: Call<'_>) -> Result<LinkStatus, Error> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(LinkStatus::Unreported);
    }
    serde_json::from_slice::<StatusBody>(&answer.body)
        .map(|b| b.link_status())
        .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, "a link status"))
}

/// A 404 from the status endpoint means "no link" only when it is Ops Manager's own JSON and
/// not about the organization: an HTML 404 from a wrong URL must stay an error.
fn means_no_link(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(body) else {
        return false;
    };
    obj.get("errorCode").and_then(|c| c.as_str()) != Some("ORG_NOT_FOUND")
}

fn server_version(headers: &HeaderMap) -> Option<String> {
    headers
        .get(SERVICE_VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_stale(headers: &HeaderMap) -> bool {
    headers.get_all(WWW_AUTHENTICATE).iter().any(|v| {
        v.to_str().is_ok_and(|s| {
            let s: String = s.chars().filter(|c| !matches!(c, ' ' | '"')).collect();
            s.to_ascii_lowercase().contains("stale=true")
        })
    })
}

/// `{"status": <code>, "content": <entity>}` (some versions name the entity `envelope`).
fn unwrap_envelope(body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let serde_json::Value::Object(mut obj) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let status = u16::try_from(obj.get("status")?.as_u64()?).ok()?;
    let content = obj.remove("content").or_else(|| obj.remove("envelope"));
    let content = match content {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(v) => serde_json::to_vec(&v).ok()?,
    };
    Some((status, content))
}

fn digest_error(err: diqwest::error::Error, call: Call<'_>) -> Error {
    use diqwest::error::Error as D;
    match err {
        D::Reqwest(e) => Error::from_transport(&e, call),
        D::DigestAuth(_) | D::ToStr(_) | D::AuthHeaderMissing => Error {
            http_status: Some(401),
            ..Error::new(
                ErrorKind::ServerError,
                format!("The server's digest challenge could not be understood: {err}"),
                format!(
                    "Check that {} is an Ops Manager or Cloud Manager address.",
                    call.host
                ),
            )
        },
        other => Error::invalid_input(
            format!("Could not build the request: {other}"),
            "This is an omlink bug; please report it.",
        ),
    }
}

/// Reads a PEM bundle of extra CA certificates; a missing, empty or certificate-less file is an
/// error, never silently ignored.
fn load_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, Error> {
    let hint = "Choose a PEM file of CA certificates (it starts with -----BEGIN CERTIFICATE-----).";
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid_input(
            format!("Cannot read the CA file {}: {e}", path.display()),
            hint,
        )
    })?;
    if pem.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid_input(
            format!("The CA file {} is empty", path.display()),
            hint,
        ));
    }
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Error::invalid_input(
            format!("The CA file {} is not valid PEM: {e}", path.display()),
            hint,
        )
    })?;
    if certs.is_empty() {
        return Err(Error::invalid_input(
            format!("The CA file {} holds no PEM certificate", path.display()),
            hint,
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_unwrapped_with_either_field_name() {
        let (s, b) = unwrap_envelope(br#"{"status":201,"content":{"status":"SYNCED"}}"#).unwrap();
        assert_eq!(
            (s, b.as_slice()),
            (201, br#"{"status":"SYNCED"}"#.as_slice())
        );
        let (s, b) =
            unwrap_envelope(br#"{"status":404,"envelope":{"errorCode":"ORG_NOT_FOUND"}}"#).unwrap();
        assert_eq!(s, 404);
        assert!(String::from_utf8(b).unwrap().contains("ORG_NOT_FOUND"));
        assert_eq!(
            unwrap_envelope(br#"{"status":204}"#).unwrap(),
            (204, Vec::new())
        );
        assert!(unwrap_envelope(br#"{"status":"SYNCED"}"#).is_none());
        assert!(unwrap_envelope(b"<html>").is_none());
    }

    #[test]
    fn stale_challenges_are_recognized() {
        let mut h = HeaderMap::new();
        h.insert(
            WWW_AUTHENTICATE,
            "Digest realm=\"MMS Public API\", nonce=\"n\", stale=true"
                .parse()
                .unwrap(),
        );
        assert!(is_stale(&h));
        h.insert(
            WWW_AUTHENTICATE,
            "Digest realm=\"MMS Public API\", nonce=\"n\", stale=false"
                .parse()
                .unwrap(),
        );
        assert!(!is_stale(&h));
    }

    #[test]
    fn no_link_needs_ops_managers_json() {
        assert!(means_no_link(br#"{"detail":"No link","error":404}"#));
        assert!(!means_no_link(
            br#"{"errorCode":"ORG_NOT_FOUND","error":404}"#
        ));
        assert!(!means_no_link(b"<html><title>404 Not Found</title></html>"));
    }

    #[test]
    fn ca_file_problems_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = load_ca_file(&missing).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("Cannot read"));

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "\n").unwrap();
        assert!(load_ca_file(&empty).unwrap_err().message.contains("empty"));

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "this is not a certificate\n").unwrap();
        assert_eq!(
            load_ca_file(&garbage).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
}
