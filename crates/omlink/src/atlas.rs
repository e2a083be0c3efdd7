//! The Atlas Admin API v2 client: organizations, link tokens and available projects, signed in
//! with a service account (OAuth 2.0 client credentials) or an API key (HTTP Digest).
//!
//! It shares the Ops Manager client's transport: TLS options, one deadline per call, no
//! redirects, capped answers, typed errors with the same kinds (the hints name Atlas's
//! settings), and the versioned media type [`ATLAS_MEDIA_TYPE`](crate::ATLAS_MEDIA_TYPE) on every request.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::access_list::AccessListEntry;
use crate::client::{
    Auth, Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Flavor, TlsOptions, Transport, Warning,
};
use crate::error::{Call, Error, ErrorKind, Operation};
use crate::http::{Answer, check};
use crate::model::Organization;
use crate::oauth::ClientId;
use crate::secret::{LinkToken, PrivateKey};
use crate::validate::{BaseUrl, OrgId, PublicKey};

mod migrations;

/// Atlas's own address.
pub const ATLAS_URL: &str = "https://cloud.mongodb.com";

/// How omlink signs in to Atlas. Secrets stay in [`PrivateKey`]s (zeroized, redacted).
#[derive(Clone, Debug)]
pub enum AtlasCredentials {
    /// A service account: OAuth 2.0 client credentials (MongoDB's recommendation).
    ServiceAccount {
        /// The client id.
        client_id: ClientId,
        /// The client secret.
        client_secret: PrivateKey,
    },
    /// An API key pair: HTTP Digest, as on Ops Manager.
    ApiKey {
        /// The public key.
        public_key: PublicKey,
        /// The private key.
        private_key: PrivateKey,
    },
}

/// Everything needed to talk to Atlas with one set of credentials.
#[derive(Clone, Debug)]
pub struct AtlasConfig {
    /// Atlas's address ([`ATLAS_URL`], or a proxy or test server standing in).
    pub base_url: BaseUrl,
    /// Who signs in.
    pub credentials: AtlasCredentials,
    /// Certificate trust.
    pub tls: TlsOptions,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole call, the access token included.
    pub timeout: Duration,
}

impl AtlasConfig {
    /// A configuration with default TLS trust and timeouts.
    pub fn new(base_url: BaseUrl, credentials: AtlasCredentials) -> Self {
        Self {
            base_url,
            credentials,
            tls: TlsOptions::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// One project Atlas can migrate from, as `availableProjects` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AvailableProject {
    /// The project's name.
    #[serde(default)]
    pub name: String,
    /// Its id (in Ops Manager or Cloud Manager).
    #[serde(default)]
    pub project_id: String,
    /// The migration hosts that serve it.
    #[serde(default)]
    pub migration_hosts: Vec<String>,
    /// Its deployments.
    #[serde(default)]
    pub deployments: Vec<Deployment>,
}

/// A deployment of an available project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The cluster or replica set name.
    #[serde(default)]
    pub name: String,
    /// Its MongoDB version.
    #[serde(rename = "mongoDBVersion", default)]
    pub mongodb_version: Option<String>,
    /// Whether Ops Manager or Cloud Manager manages it (automation).
    pub managed: Option<bool>,
    /// Whether it is sharded.
    pub sharded: Option<bool>,
    /// Its data size, in bytes.
    pub db_size_bytes: Option<f64>,
}

/// A client for the Atlas Admin API v2. Cheap to share; it keeps its connections and its
/// service account's access token (in memory only) across calls.
#[derive(Debug)]
pub struct AtlasClient {
    inner: Client,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkTokenRequest {
    access_list_ips: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkTokenAnswer {
    /// Validated as it is parsed; never serialized.
    link_token: LinkToken,
}

impl AtlasClient {
    /// Builds a client. No request is made.
    ///
    /// # Errors
    /// As [`Client::new`]: a CA file that cannot be used, TLS roots that cannot be loaded.
    pub fn new(config: AtlasConfig) -> Result<Self, Error> {
        let auth = match config.credentials {
            AtlasCredentials::ServiceAccount {
                client_id,
                client_secret,
            } => Auth::Bearer(crate::oauth::OAuth::new(client_id, client_secret)),
            AtlasCredentials::ApiKey {
                public_key,
                private_key,
            } => Auth::Digest {
                public_key,
                private_key,
            },
        };
        let transport = Transport {
            base_url: config.base_url,
            tls: config.tls,
            connect_timeout: config.connect_timeout,
            timeout: config.timeout,
            pretty: false,
            envelope: false,
        };
        Ok(Self {
            inner: Client::build(&transport, auth, Flavor::Atlas)?,
        })
    }

    /// What the user should be told about this connection.
    pub fn warnings(&self) -> &[Warning] {
        self.inner.warnings()
    }

    /// Atlas's address.
    pub fn base_url(&self) -> &BaseUrl {
        self.inner.base_url()
    }

    /// Every Atlas organization the credentials can see: `GET /orgs`, page after page.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn list_orgs(&self) -> Result<Vec<Organization>, Error> {
        self.inner
            .paged_orgs(self.inner.call(Operation::AtlasOrgs, None))
            .await
    }

    /// Creates the link token of Atlas organization `org`:
    /// `POST /orgs/{orgId}/liveMigrations/linkTokens` with `{"accessListIps":[…]}` (IP
    /// addresses and CIDR blocks); any 2xx with `{"linkToken"}` is success. The token is a
    /// [`LinkToken`] from the moment it is read: never in an error, never logged.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; a 2xx without a token is a `ServerError`.
    pub async fn create_link_token(
        &self,
        org: &OrgId,
        access_list: &[AccessListEntry],
    ) -> Result<LinkToken, Error> {
        let call = self.inner.call(Operation::CreateLinkToken, Some(org));
        let body = serde_json::to_vec(&LinkTokenRequest {
            access_list_ips: access_list.iter().map(ToString::to_string).collect(),
        })
        .expect("a list of strings always serializes");
        let url = self
            .inner
            .url(&format!("/orgs/{org}/liveMigrations/linkTokens"), &[]);
        self.inner
            .within_deadline(call, async {
                let answer = self
                    .inner
                    .send(call, Method::POST, url, Some(Bytes::from(body)), None)
                    .await?;
                let answer = check(answer, call)?;
                let status = answer.status;
                // The body holds the token: it is parsed, then wiped, and never excerpted.
                let body = Zeroizing::new(answer.body);
                serde_json::from_slice::<LinkTokenAnswer>(&body)
                    .map(|a| a.link_token)
                    .map_err(|_| no_token(call, status))
            })
            .await
    }

    /// Revokes the link token of Atlas organization `org` (and the link and API key it
    /// carries): `DELETE /orgs/{orgId}/liveMigrations/linkTokens`, answered 204.
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`.
    pub async fn revoke_link_token(&self, org: &OrgId) -> Result<(), Error> {
        let call = self.inner.call(Operation::RevokeLinkToken, Some(org));
        let path = format!("/orgs/{org}/liveMigrations/linkTokens");
        self.exchange(call, Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// The projects Atlas organization `org` can migrate from, as the API's JSON array
    /// (`GET /orgs/{orgId}/liveMigrations/availableProjects`).
    ///
    /// # Errors
    /// Any [`ErrorKind`] but `InvalidInput`; an answer that is not an array is a `ServerError`.
    pub async fn available_projects_json(&self, org: &OrgId) -> Result<serde_json::Value, Error> {
        let call = self.inner.call(Operation::AvailableProjects, Some(org));
        let path = format!("/orgs/{org}/liveMigrations/availableProjects");
        let answer = self.exchange(call, Method::GET, &path, None).await?;
        match serde_json::from_slice::<serde_json::Value>(&answer.body) {
            Ok(value @ serde_json::Value::Array(_)) => Ok(value),
            _ => Err(Error::unexpected_body(
                answer.status,
                &answer.body,
                call,
                "a list of projects",
            )),
        }
    }

    /// [`available_projects_json`](Self::available_projects_json), typed.
    ///
    /// # Errors
    /// As `available_projects_json`.
    pub async fn available_projects(&self, org: &OrgId) -> Result<Vec<AvailableProject>, Error> {
        let value = self.available_projects_json(org).await?;
        let call = self.inner.call(Operation::AvailableProjects, Some(org));
        serde_json::from_value(value.clone()).map_err(|_| {
            Error::unexpected_body(
                200,
                value.to_string().as_bytes(),
                call,
                "a list of projects",
            )
        })
    }

    /// One call within the deadline: sent, its status checked (an error mapped), its answer
    /// returned for the caller to read.
    pub(crate) async fn exchange(
        &self,
        call: Call<'_>,
        method: Method,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<Answer, Error> {
        let url = self.inner.url(path, &[]);
        self.inner
            .within_deadline(call, async {
                check(self.inner.send(call, method, url, body, None).await?, call)
            })
            .await
    }

    /// [`exchange`](Self::exchange), the answer read as `T` (`what` names it in the error).
    pub(crate) async fn exchange_json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        what: &str,
    ) -> Result<T, Error> {
        let answer = self.exchange(call, method, path, body).await?;
        serde_json::from_slice(&answer.body)
            .map_err(|_| Error::unexpected_body(answer.status, &answer.body, call, what))
    }
}

fn no_token(call: Call<'_>, status: u16) -> Error {
    Error::new(
        ErrorKind::ServerError,
        format!(
            "Could not {}: Atlas answered {status} without a link token",
            call.op.verb()
        ),
        format!(
            "Check that {} is Atlas (or a proxy that passes its answers through unchanged).",
            call.host
        ),
    )
}
