//! The typed Ops Manager / Cloud Manager client for the organization-link endpoints.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;
use zeroize::Zeroizing;

use crate::ca_file::load_ca_file;
use crate::digest::NonceState;
use crate::error::{Call, Error, ErrorKind, Operation};
use crate::http::{self, check, too_large};
use crate::ids::ProjectId;
use crate::model::{Host, LinkOutcome, LinkStatus, Organization, Page, Project};
use crate::secret::{LinkToken, PrivateKey};
use crate::validate::{BaseUrl, OrgId, PublicKey};
use link_answer::{means_no_link, parse_status, server_version};

/// Default time allowed to open a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, the digest challenge included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Page size used when listing organizations (the API's maximum).
pub const ORGS_PAGE_SIZE: usize = 500;
pub use crate::http::MAX_BODY_BYTES;
/// The most bytes `list_orgs` reads across all its pages.
pub const MAX_TOTAL_BYTES: usize = 64 << 20;
/// The most nonces kept for reuse (one per request running at the same time).
const MAX_IDLE_NONCES: usize = 64;
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
    /// Time allowed for a whole call: every round trip (challenge, answer, re-challenge, pages).
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

/// Where and how to connect, whatever the API and the credentials.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    pub(crate) base_url: BaseUrl,
    pub(crate) tls: TlsOptions,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) pretty: bool,
    pub(crate) envelope: bool,
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
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: BaseUrl,
    auth: Auth,
    flavor: Flavor,
    pretty: bool,
    envelope: bool,
    timeout: Duration,
    warnings: Vec<Warning>,
    /// Challenges not in use by a request, for reuse with the next `nc`.
    nonces: Mutex<Vec<NonceState>>,
}

/// How a client proves who it is.
#[derive(Debug)]
pub(crate) enum Auth {
    /// HTTP Digest with an API key pair (Ops Manager, Cloud Manager, Atlas API keys).
    Digest {
        public_key: PublicKey,
        private_key: PrivateKey,
    },
    /// An OAuth 2.0 bearer token of an Atlas service account, fetched and renewed as needed.
    Bearer(crate::oauth::OAuth),
}

/// Which API a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// Ops Manager's and Cloud Manager's Public API v1.0 (`application/json`).
    OpsManager,
    /// The Atlas Admin API v2, with its versioned media type on every request.
    Atlas,
}

/// The path of the Atlas Admin API v2.
pub(crate) const ATLAS_API_PREFIX: &str = "/api/atlas/v2";
/// The version of the Atlas Admin API every call here uses.
pub const ATLAS_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";

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
        Self::build(
            &Transport {
                base_url: config.base_url,
                tls: config.tls,
                connect_timeout: config.connect_timeout,
                timeout: config.timeout,
                pretty: config.pretty,
                envelope: config.envelope,
            },
            Auth::Digest {
                public_key: config.public_key,
                private_key: config.private_key,
            },
            Flavor::OpsManager,
        )
    }

    pub(crate) fn build(config: &Transport, auth: Auth, flavor: Flavor) -> Result<Self, Error> {
        let config = config.clone();
        let mut warnings = Vec::new();
        if config.base_url.is_insecure() {
            warnings.push(Warning::InsecureHttp);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            // No per-request timeout: one deadline covers the whole call (`within_deadline`), so
            // a slow answer is always reported the same way.
            .user_agent(concat!("omlink/", env!("CARGO_PKG_VERSION")))
            // A redirect would resend the request, and a link token with it, to wherever the
            // Location points: every 3xx is reported instead (see `Error::redirected`).
            .redirect(reqwest::redirect::Policy::none())
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
            auth,
            flavor,
            pretty: config.pretty,
            envelope: config.envelope,
            timeout: config.timeout,
            warnings,
            nonces: Mutex::new(Vec::new()),
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
        // Zeroized when the last copy is dropped (a stale nonce sends it a second time).
        let body = Bytes::from_owner(Zeroizing::new(body));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink"), &[]);
        let result = self
            .within_deadline(call, async {
                let answer = self
                    .send(call, Method::POST, url, Some(body), Some(token.expose()))
                    .await?;
                let answer = check(answer, call)?;
                Ok(LinkOutcome {
                    status: parse_status(&answer, call)?,
                    server_version: server_version(&answer.headers),
                })
            })
            .await;
        result.map_err(|e: Error| e.redact(token.expose()))
    }

    /// Reads the link's status: `GET /orgs/{orgId}/liveExport/migrationLink/status`.
    /// A 404 that is Ops Manager's own (its error JSON or its version header) and not
    /// `ORG_NOT_FOUND` means the organization has no link: [`LinkStatus::NoLink`]. Any other
    /// 404 (a proxy's, a wrong path's) stays an error.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn link_status(&self, org: &OrgId) -> Result<LinkOutcome, Error> {
        let call = self.call(Operation::Status, Some(org));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink/status"), &[]);
        self.within_deadline(call, async {
            let answer = self.send(call, Method::GET, url, None, None).await?;
            if answer.status == 404 && means_no_link(&answer.headers, &answer.body) {
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
        })
        .await
    }

    /// Removes the link: `DELETE /orgs/{orgId}/liveExport/migrationLink` (answered 204).
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; [`ErrorKind::Rejected`] with
    /// `CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT` while a migration runs.
    pub async fn unlink(&self, org: &OrgId) -> Result<(), Error> {
        let call = self.call(Operation::Unlink, Some(org));
        let url = self.url(&format!("/orgs/{org}/liveExport/migrationLink"), &[]);
        self.within_deadline(call, async {
            check(
                self.send(call, Method::DELETE, url, None, None).await?,
                call,
            )?;
            Ok(())
        })
        .await
    }

    /// Lists every organization the key can see: `GET /orgs`, following pages of
    /// [`ORGS_PAGE_SIZE`] until all are read.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn list_orgs(&self) -> Result<Vec<Organization>, Error> {
        self.paged_orgs(self.call(Operation::ListOrgs, None)).await
    }

    /// `GET /orgs`, page after page (Ops Manager and Atlas page it the same way).
    pub(crate) async fn paged_orgs(&self, call: Call<'_>) -> Result<Vec<Organization>, Error> {
        self.paged(call, "/orgs", "a list of organizations").await
    }

    /// The projects of organization `org`: `GET /orgs/{orgId}/groups`, page after page.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn list_projects(&self, org: &OrgId) -> Result<Vec<Project>, Error> {
        let call = self.call(Operation::ListProjects, Some(org));
        self.paged(call, &format!("/orgs/{org}/groups"), "a list of projects")
            .await
    }

    /// The hosts of project `project`: `GET /groups/{groupId}/hosts`, page after page (each
    /// with its MongoDB version).
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; `project` must be 24 hexadecimal characters.
    pub async fn list_hosts(&self, org: &OrgId, project: &OrgId) -> Result<Vec<Host>, Error> {
        let call = self.call(Operation::ListHosts, Some(org));
        self.paged(call, &format!("/groups/{project}/hosts"), "a list of hosts")
            .await
    }

    /// One project, with the organization it belongs to: `GET /groups/{groupId}`.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn project(&self, project: &ProjectId) -> Result<Project, Error> {
        let call = self.call_on(Operation::GetProject, project);
        let url = self.url(&format!("/groups/{project}"), &[]);
        self.within_deadline(call, async {
            let answer = check(self.send(call, Method::GET, url, None, None).await?, call)?;
            serde_json::from_slice(&answer.body)
                .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, "a project"))
        })
        .await
    }

    /// A `{"results":[…],"totalCount":n}` list, page after page, under one deadline and a cap
    /// on the bytes read.
    pub(crate) async fn paged<T: serde::de::DeserializeOwned>(
        &self,
        call: Call<'_>,
        path: &str,
        what: &str,
    ) -> Result<Vec<T>, Error> {
        self.within_deadline(call, async {
            let mut items: Vec<T> = Vec::new();
            let mut total_bytes = 0usize;
            for page_num in 1..=MAX_ORG_PAGES {
                let page_num = page_num.to_string();
                let page_size = ORGS_PAGE_SIZE.to_string();
                let url = self.url(
                    path,
                    &[("pageNum", &page_num), ("itemsPerPage", &page_size)],
                );
                let answer = check(self.send(call, Method::GET, url, None, None).await?, call)?;
                total_bytes += answer.body.len();
                if total_bytes > MAX_TOTAL_BYTES {
                    return Err(too_large(call, MAX_TOTAL_BYTES, "across its pages"));
                }
                let page: Page<T> = serde_json::from_slice(&answer.body)
                    .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, what))?;
                let received = page.results.len();
                items.extend(page.results);
                let total = page.total_count.and_then(|t| usize::try_from(t).ok());
                if received < ORGS_PAGE_SIZE || total.is_some_and(|t| items.len() >= t) {
                    break;
                }
            }
            Ok(items)
        })
        .await
    }

    /// Runs one call's round trips under one deadline ([`ClientConfig::timeout`]).
    pub(crate) async fn within_deadline<T>(
        &self,
        call: Call<'_>,
        work: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        http::within(self.timeout, call, work).await
    }

    pub(crate) fn call<'a>(&'a self, op: Operation, org: Option<&'a OrgId>) -> Call<'a> {
        Call {
            op,
            org: org.map(OrgId::as_str),
            host: self.base_url.host(),
        }
    }

    /// A call on a project (the error names its id where it would name an organization's).
    pub(crate) fn call_on<'a>(&'a self, op: Operation, project: &'a ProjectId) -> Call<'a> {
        Call {
            op,
            org: Some(project.as_str()),
            host: self.base_url.host(),
        }
    }

    pub(crate) fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let full = match self.flavor {
            Flavor::OpsManager => self.base_url.api(path),
            Flavor::Atlas => format!("{}{ATLAS_API_PREFIX}{path}", self.base_url.as_str()),
        };
        let mut url = Url::parse(&full).expect("a validated base URL");
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
}

mod link_answer;
mod send;

#[cfg(test)]
mod tests;
