//! Saved Atlas connections, and how an Ops Manager profile names the one it links into.
//!
//! An [`AtlasConnection`] is kept beside the Ops Manager profiles in the same
//! [`ProfileBook`]: Atlas's address, how to sign in (a service account or an API key), TLS
//! options and a timeout. Its secret (the client secret or the private key) lives in the
//! keychain under [`atlas_secret_account`](crate::secret_store::atlas_secret_account), never in
//! the store file. An Ops Manager [`Profile`](crate::Profile) may carry an [`AtlasLink`]: its
//! Atlas connection, its default Atlas organization and the access-list addresses to mint
//! tokens with.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::atlas::{ATLAS_URL, AtlasConfig, AtlasCredentials, ClientId};
use crate::client::TlsOptions;
use crate::error::Error;
use crate::profile::{ProfileBook, ProfileId, check_name, checked_timeout, default_timeout_secs};
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
    /// Atlas's address: [`ATLAS_URL`] unless a proxy or test server stands in.
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
    /// Atlas's address; empty means [`ATLAS_URL`].
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
    #[serde(default)]
    pub org: Option<OrgId>,
    /// Its name, when known.
    #[serde(default)]
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
    #[serde(default)]
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
    #[serde(default)]
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

/// One entry of a link token's access list: an IP address, or a CIDR block of them (MongoDB
/// asks for "an external IP address or an external CIDR block" of the source).
///
/// Its [`Display`](std::fmt::Display) is the canonical text Atlas is sent: the address as the
/// standard library writes it (IPv6 compressed, lower case), then `/prefix` for a block, such
/// as `203.0.113.7`, `198.51.100.0/24` or `2001:db8::/32`. A block keeps its prefix even when
/// it admits one address (`203.0.113.7/32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccessListEntry {
    addr: IpAddr,
    /// The block's prefix length; `None` for a bare address.
    prefix: Option<u8>,
}

impl AccessListEntry {
    /// The address, or the block's network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The block's prefix length, or `None` for a bare address.
    pub fn prefix(&self) -> Option<u8> {
        self.prefix
    }

    /// Parses an address or a CIDR block (`addr/prefix`, decimal prefix without sign or
    /// leading zero). A block must be its network address: host bits set are refused, naming
    /// the block that holds the address.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let not_an_entry = || {
            Error::invalid_input(
                format!("\"{text}\" is not an IP address or CIDR block"),
                "Give the source's external IP address or CIDR block as Atlas sees it, such as \
                 203.0.113.7 or 198.51.100.0/24 (Cloud Manager needs none).",
            )
        };
        let Some((addr, prefix)) = text.split_once('/') else {
            let addr = text.parse::<IpAddr>().map_err(|_| not_an_entry())?;
            return Ok(Self { addr, prefix: None });
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| not_an_entry())?;
        // Only plain decimal: `u8::from_str` would take "+24", and "024" is nobody's spelling.
        if prefix.is_empty()
            || !prefix.bytes().all(|b| b.is_ascii_digit())
            || (prefix.len() > 1 && prefix.starts_with('0'))
        {
            return Err(not_an_entry());
        }
        let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
        let prefix = match prefix.parse::<u8>() {
            Ok(p) if p <= max => p,
            _ => {
                return Err(Error::invalid_input(
                    format!("\"{text}\" has a prefix longer than {max} bits"),
                    format!(
                        "An {family} block's prefix is 0 to {max}, such as {}.",
                        if addr.is_ipv4() {
                            "198.51.100.0/24"
                        } else {
                            "2001:db8::/32"
                        }
                    ),
                ));
            }
        };
        let network = match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(u32::from(32 - prefix)).unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(u32::from(128 - prefix)).unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        };
        if network != addr {
            let meant = Self {
                addr: network,
                prefix: Some(prefix),
            };
            return Err(Error::invalid_input(
                format!(
                    "\"{text}\" is not a CIDR block: its host bits are set (did you mean \
                     {meant}?)"
                ),
                format!(
                    "Give the block by its network address, such as {meant}, or the address \
                     alone, {addr}."
                ),
            ));
        }
        Ok(Self {
            addr,
            prefix: Some(prefix),
        })
    }
}

impl From<IpAddr> for AccessListEntry {
    fn from(addr: IpAddr) -> Self {
        Self { addr, prefix: None }
    }
}

impl std::fmt::Display for AccessListEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix {
            Some(prefix) => write!(f, "{}/{prefix}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

impl std::str::FromStr for AccessListEntry {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

/// Checks access-list entries (IP addresses and CIDR blocks) before anything is sent, and
/// writes them the one way Atlas reads them. Blank entries are skipped.
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the first bad entry: not
/// an address or block, a block with host bits set (naming the block meant), or a prefix
/// longer than 32 (IPv4) or 128 (IPv6).
pub fn parse_access_list(raw: &[String]) -> Result<Vec<AccessListEntry>, Error> {
    raw.iter()
        .map(|entry| entry.trim())
        .filter(|entry| !entry.is_empty())
        .map(AccessListEntry::parse)
        .collect()
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

impl ProfileBook {
    /// The Atlas connection with this id.
    pub fn get_atlas(&self, id: &ProfileId) -> Option<&AtlasConnection> {
        self.atlas.iter().find(|c| &c.id == id)
    }

    /// The Atlas connection with this name (case-insensitive, Unicode NFC).
    pub fn find_atlas_by_name(&self, name: &str) -> Option<&AtlasConnection> {
        let name = crate::profile::normalize_name(name);
        self.atlas
            .iter()
            .find(|c| crate::profile::normalize_name(&c.name).eq_ignore_ascii_case(&name))
    }

    /// Validates `draft` into an Atlas connection: a new one when `id` is `None`, else an edit
    /// of `id` (keeping its keychain state). Nothing is stored: see
    /// [`upsert_atlas`](Self::upsert_atlas).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad or duplicate name,
    /// URL, client id or public key, CA file or timeout, or an unknown `id`.
    pub fn validate_atlas(
        &self,
        id: Option<&ProfileId>,
        draft: &AtlasDraft,
    ) -> Result<AtlasConnection, Error> {
        let existing = match id {
            Some(id) => Some(self.get_atlas(id).ok_or_else(|| {
                Error::invalid_input(
                    "That Atlas connection no longer exists",
                    "Reload the list of connections.",
                )
            })?),
            None => None,
        };
        let name = check_name(
            &draft.name,
            "Name the connection after its Atlas account, such as \"Atlas\".",
        )?;
        if let Some(other) = self.find_atlas_by_name(&name)
            && Some(&other.id) != id
        {
            return Err(Error::invalid_input(
                format!(
                    "An Atlas connection named \"{}\" already exists",
                    other.name
                ),
                "Choose another name.",
            ));
        }
        let url = BaseUrl::new(if draft.url.trim().is_empty() {
            ATLAS_URL
        } else {
            draft.url.trim()
        })?;
        let user = match draft.auth {
            AtlasAuth::ServiceAccount => ClientId::new(&draft.user)?.to_string(),
            AtlasAuth::ApiKey => PublicKey::new(&draft.user)?.to_string(),
        };
        let tls = crate::profile::checked_tls(draft.ca_file.as_ref(), draft.skip_verify)?;
        // The saved secret is bound to where and as whom it signs in: a new origin, sign-in
        // method, client id or public key, or TLS setting clears it (the caller removes it
        // from the keychain), unless the save enters it again.
        let keeps_secret = |c: &AtlasConnection| {
            c.has_secret
                && c.url.origin() == url.origin()
                && c.auth == draft.auth
                && c.user == user
                && c.tls == tls
        };
        Ok(AtlasConnection {
            id: existing.map_or_else(ProfileId::generate, |c| c.id.clone()),
            name,
            has_secret: existing.is_some_and(keeps_secret),
            url,
            auth: draft.auth,
            user,
            tls,
            timeout_secs: checked_timeout(draft.timeout_secs)?,
            sandbox: existing.is_some_and(|c| c.sandbox),
            extra: existing.map(|c| c.extra.clone()).unwrap_or_default(),
        })
    }

    /// Inserts or replaces an Atlas connection (matched by id).
    pub fn upsert_atlas(&mut self, connection: AtlasConnection) {
        match self.atlas.iter_mut().find(|c| c.id == connection.id) {
            Some(slot) => *slot = connection,
            None => self.atlas.push(connection),
        }
    }

    /// Removes Atlas connection `id` and every profile's link to it; returns it, or `None`
    /// when it was not there.
    pub fn remove_atlas(&mut self, id: &ProfileId) -> Option<AtlasConnection> {
        let index = self.atlas.iter().position(|c| &c.id == id)?;
        for profile in &mut self.profiles {
            if profile.atlas.as_ref().is_some_and(|l| &l.connection == id) {
                profile.atlas = None;
            }
        }
        Some(self.atlas.remove(index))
    }

    /// Checks an Ops Manager profile's Atlas link: its connection exists and its access-list
    /// entries are IP addresses or CIDR blocks (written back normalized).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn validate_atlas_link(&self, link: &AtlasLink) -> Result<AtlasLink, Error> {
        if self.get_atlas(&link.connection).is_none() {
            return Err(Error::invalid_input(
                "That Atlas connection no longer exists",
                "Choose an Atlas connection from the list, or add one.",
            ));
        }
        let org_name = link
            .org_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| crate::error::sanitize(n).chars().take(200).collect());
        Ok(AtlasLink {
            connection: link.connection.clone(),
            org: link.org.clone(),
            org_name: link.org.as_ref().and(org_name),
            access_list_ips: parse_access_list(&link.access_list_ips)?
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests;
