//! Saved connection profiles: everything needed to reach one server with one API key, except
//! the private key, which lives in the OS keychain (see [`crate::secret_store`]).
//!
//! The app and the CLI keep a [`ProfileBook`] in the core [`Store`](crate::Store) (atomic
//! writes under a cross-process lock); read-only commands use
//! [`ProfileBook::load_from_store_file`], which parses the same file the same way.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::atlas_profile::AtlasLink;
use crate::client::{ClientConfig, TlsOptions};
use crate::fields::{ProfileId, default_timeout_secs};
use crate::secret::PrivateKey;
use crate::validate::{BaseUrl, PublicKey};

/// The key under which the profile book is kept in the app's store file.
pub const STORE_KEY_PROFILES: &str = "profiles";

/// Which product a profile talks to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ServerKind {
    /// On-premises Ops Manager at its own URL.
    #[default]
    OpsManager,
    /// MongoDB Cloud Manager at `https://cloud.mongodb.com`.
    CloudManager,
}

/// A saved connection. It never holds the private key: `has_private_key` says whether the
/// keychain has one for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Stable id; names the keychain entry.
    pub id: ProfileId,
    /// Unique display name.
    pub name: String,
    /// Ops Manager or Cloud Manager.
    #[serde(default)]
    pub kind: ServerKind,
    /// The normalized base URL.
    pub url: BaseUrl,
    /// The public API key.
    pub public_key: PublicKey,
    /// Certificate trust.
    #[serde(default)]
    pub tls: TlsOptions,
    /// Seconds allowed per request.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Whether the keychain holds this profile's private key.
    #[serde(default)]
    pub has_private_key: bool,
    /// The built-in sandbox profile: its URL is filled in when the sandbox starts.
    #[serde(default)]
    pub sandbox: bool,
    /// The Atlas connection that mints this profile's link tokens, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub atlas: Option<AtlasLink>,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What a person enters to create or edit a profile, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileDraft {
    /// Display name.
    pub name: String,
    /// Ops Manager or Cloud Manager (which ignores `url`).
    pub kind: ServerKind,
    /// The Ops Manager URL.
    pub url: String,
    /// The public API key.
    pub public_key: String,
    /// A PEM file of extra CA certificates.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification.
    pub skip_verify: bool,
    /// Seconds per request; 0 means the default.
    pub timeout_secs: u64,
    /// The Atlas connection, organization and addresses to mint tokens with.
    pub atlas: Option<AtlasLink>,
}

impl Profile {
    /// The client configuration for this profile with its private key.
    pub fn client_config(&self, private_key: PrivateKey) -> ClientConfig {
        let mut config = ClientConfig::new(self.url.clone(), self.public_key.clone(), private_key);
        config.tls = self.tls.clone();
        config.timeout = Duration::from_secs(self.timeout_secs);
        config.connect_timeout = config.timeout.min(crate::DEFAULT_CONNECT_TIMEOUT);
        config
    }
}

/// Where the desktop app keeps its store file on this machine, found the way Tauri finds its
/// app data folder (the platform's data folder, then the app identifier):
/// - Linux and other Unix: `$XDG_DATA_HOME` (when absolute) or `~/.local/share`;
/// - macOS: `~/Library/Application Support`;
/// - Windows: `%APPDATA%` (the roaming application data folder).
///
/// The CLI and the app share this file.
pub fn default_store_file() -> Option<PathBuf> {
    store_file_for(std::env::consts::OS, &|name| std::env::var_os(name))
}

/// [`default_store_file`] for operating system `os` (as in `std::env::consts::OS`) with the
/// environment `env`.
pub(crate) fn store_file_for(
    os: &str,
    env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let absolute = |name: &str| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let data = match os {
        "windows" => absolute("APPDATA")?,
        "macos" => absolute("HOME")?
            .join("Library")
            .join("Application Support"),
        _ => absolute("XDG_DATA_HOME").or_else(|| Some(absolute("HOME")?.join(".local/share")))?,
    };
    Some(
        data.join(crate::APP_IDENTIFIER)
            .join(crate::STORE_FILE_NAME),
    )
}

#[cfg(test)]
pub(crate) mod tests;
