//! Saved Atlas connections, and how an Ops Manager profile names the one it links into.
//!
//! An [`AtlasConnection`] is kept beside the Ops Manager profiles in the same
//! [`ProfileBook`]: Atlas's address, how to sign in (a service account or an API key), TLS
//! options and a timeout. Its secret (the client secret or the private key) lives in the
//! keychain under [`atlas_secret_account`](crate::secret_store::atlas_secret_account), never in
//! the store file. An Ops Manager [`Profile`](crate::Profile) may carry an [`AtlasLink`]: its
//! Atlas connection, its default Atlas organization and the access-list addresses to mint
//! tokens with.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::atlas::{AtlasConfig, AtlasCredentials};
use crate::client::TlsOptions;
use crate::error::Error;
use crate::fields::{ProfileId, default_timeout_secs};
use crate::oauth::ClientId;
use crate::secret::PrivateKey;
use crate::validate::{BaseUrl, OrgId, PublicKey};

/// How an Atlas connection signs in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AtlasAuth {
    /// A service account: OAuth 2.0 client credentials (MongoDB's recommendation).
    #[default]
    ServiceAccount,
    /// An API key pair (HTTP Digest).
    ApiKey,
}

/// A saved Atlas connection. It never holds the secret: `has_secret` says whether the keychain
/// has one for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasConnection {
    /// Stable id; names the keychain entry.
    pub id: ProfileId,
    /// Unique display name (among Atlas connections).
    pub name: String,
    /// Atlas's address: [`ATLAS_URL`](crate::ATLAS_URL) unless a proxy or test server stands in.
    pub url: BaseUrl,
    /// Service account or API key.
    #[serde(default)]
    pub auth: AtlasAuth,
    /// The service account's client id, or the API key's public key.
    pub user: String,
    /// Certificate trust.
    #[serde(default)]
    pub tls: TlsOptions,
    /// Seconds allowed per request.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Whether the keychain holds this connection's secret.
    #[serde(default)]
    pub has_secret: bool,
    /// The built-in sandbox's Atlas look-alike: its URL is filled in when the sandbox starts.
    #[serde(default)]
    pub sandbox: bool,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What a person enters to create or edit an Atlas connection, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AtlasDraft {
    /// Display name.
    pub name: String,
    /// Atlas's address; empty means [`ATLAS_URL`](crate::ATLAS_URL).
    pub url: String,
    /// Service account or API key.
    pub auth: AtlasAuth,
    /// The client id or the public key.
    pub user: String,
    /// A PEM file of extra CA certificates.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification.
    pub skip_verify: bool,
    /// Seconds per request; 0 means the default.
    pub timeout_secs: u64,
}

/// The Atlas side of an Ops Manager profile: which connection mints its tokens, into which
/// Atlas organization by default, for which source addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasLink {
    /// The Atlas connection's id.
    pub connection: ProfileId,
    /// The Atlas organization to offer first.
    pub org: Option<OrgId>,
    /// Its name, when known.
    pub org_name: Option<String>,
    /// The source's external addresses as Atlas sees them (Cloud Manager needs none).
    #[serde(default)]
    pub access_list_ips: Vec<String>,
}

/// The Atlas organization to mint a token in, and the addresses the token admits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasTarget {
    /// The Atlas organization's id.
    pub org: OrgId,
    /// Its name, when known (for the history).
    pub org_name: Option<String>,
    /// The source's external addresses as Atlas sees them (Cloud Manager needs none).
    #[serde(default)]
    pub access_list_ips: Vec<String>,
}

impl AtlasTarget {
    /// Where a token minted for this target came from.
    pub fn origin(&self) -> AtlasOrigin {
        AtlasOrigin {
            org_id: self.org.clone(),
            org_name: self.org_name.clone(),
        }
    }
}

/// Where a minted token came from, as the history shows it: "generated in Atlas org X".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasOrigin {
    /// The Atlas organization's id.
    pub org_id: OrgId,
    /// Its name, when known.
    pub org_name: Option<String>,
}

impl std::fmt::Display for AtlasOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.org_name {
            Some(name) => write!(f, "{name} ({})", self.org_id),
            None => write!(f, "{}", self.org_id),
        }
    }
}

impl AtlasConnection {
    /// The client configuration with this connection's secret.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the saved user name no
    /// longer validates (an edited store file).
    pub fn config(&self, secret: PrivateKey) -> Result<AtlasConfig, Error> {
        let credentials = match self.auth {
            AtlasAuth::ServiceAccount => AtlasCredentials::ServiceAccount {
                client_id: ClientId::new(&self.user)?,
                client_secret: secret,
            },
            AtlasAuth::ApiKey => AtlasCredentials::ApiKey {
                public_key: PublicKey::new(&self.user)?,
                private_key: secret,
            },
        };
        let mut config = AtlasConfig::new(self.url.clone(), credentials);
        config.tls = self.tls.clone();
        config.timeout = Duration::from_secs(self.timeout_secs);
        config.connect_timeout = config.timeout.min(crate::DEFAULT_CONNECT_TIMEOUT);
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
