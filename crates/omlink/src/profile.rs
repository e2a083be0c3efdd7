//! Saved connection profiles: everything needed to reach one server with one API key, except
//! the private key, which lives in the OS keychain (see [`crate::secret_store`]).
//!
//! The app and the CLI keep a [`ProfileBook`] in the core [`Store`](crate::Store) (atomic
//! writes under a cross-process lock); read-only commands use
//! [`ProfileBook::load_from_store_file`], which parses the same file the same way.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::atlas_profile::{AtlasConnection, AtlasLink};
use crate::client::{ClientConfig, DEFAULT_TIMEOUT, TlsOptions};
use crate::error::Error;
use crate::secret::PrivateKey;
use crate::validate::{BaseUrl, CLOUD_MANAGER_URL, PublicKey};

/// The key under which the profile book is kept in the app's store file.
pub const STORE_KEY_PROFILES: &str = "profiles";

/// The shortest timeout a profile or the CLI accepts, in seconds.
pub const MIN_TIMEOUT_SECS: u64 = 1;
/// The longest timeout a profile or the CLI accepts, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// The longest profile name accepted.
pub const MAX_PROFILE_NAME_LEN: usize = 100;

/// A profile's stable id: 1 to 64 characters of `a-z`, `0-9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct ProfileId(String);

impl ProfileId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(random_id())
    }

    /// Validates an id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for anything but 1–64 of
    /// `a-z0-9-`.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref();
        if !is_stable_id(value) {
            return Err(Error::invalid_input(
                "Not a valid profile id",
                "Choose the profile from the list again.",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

crate::validate::string_newtype!(ProfileId);

/// The shape of omlink's own ids (profiles, history entries): 1 to 64 of `a-z0-9-`.
pub(crate) fn is_stable_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(crate) fn random_id() -> String {
    rand::random::<[u8; 8]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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

pub(crate) fn default_timeout_secs() -> u64 {
    DEFAULT_TIMEOUT.as_secs()
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

/// All saved profiles and which one was used last.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileBook {
    /// The profiles, in creation order.
    pub profiles: Vec<Profile>,
    /// The profile to open on start.
    pub last_used: Option<ProfileId>,
    /// The saved Atlas connections, in creation order.
    pub atlas: Vec<AtlasConnection>,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ProfileBook {
    /// The profile with this id.
    pub fn get(&self, id: &ProfileId) -> Option<&Profile> {
        self.profiles.iter().find(|p| &p.id == id)
    }

    /// The profile with this name (case-insensitive, Unicode NFC).
    pub fn find_by_name(&self, name: &str) -> Option<&Profile> {
        let name = normalize_name(name);
        self.profiles
            .iter()
            .find(|p| normalize_name(&p.name).eq_ignore_ascii_case(&name))
    }

    /// Validates `draft` into a profile: a new one when `id` is `None`, else an edit of `id`
    /// (keeping its keychain state). Nothing is stored: see [`upsert`](Self::upsert).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty, overlong or
    /// duplicate name, a bad URL, public key, CA file or timeout, or an unknown `id`.
    pub fn validate(&self, id: Option<&ProfileId>, draft: &ProfileDraft) -> Result<Profile, Error> {
        let existing = match id {
            Some(id) => Some(self.get(id).ok_or_else(|| {
                Error::invalid_input("That profile no longer exists", "Reload the profile list.")
            })?),
            None => None,
        };
        let name = check_name(
            &draft.name,
            "Name the profile after its server, such as \"Ops Manager prod\".",
        )?;
        let name = name.as_str();
        if let Some(other) = self.find_by_name(name)
            && Some(&other.id) != id
        {
            return Err(Error::invalid_input(
                format!("A profile named \"{}\" already exists", other.name),
                "Choose another name.",
            ));
        }
        let url = match draft.kind {
            ServerKind::CloudManager => BaseUrl::new(CLOUD_MANAGER_URL)?,
            ServerKind::OpsManager => BaseUrl::new(&draft.url)?,
        };
        let timeout_secs = checked_timeout(draft.timeout_secs)?;
        let tls = checked_tls(draft.ca_file.as_ref(), draft.skip_verify)?;
        let atlas = draft
            .atlas
            .as_ref()
            .map(|link| self.validate_atlas_link(link))
            .transpose()?;
        let public_key = PublicKey::new(&draft.public_key)?;
        // A saved key is bound to the server and the key pair it was saved for: a new origin,
        // public key or TLS setting clears it (the caller removes it from the keychain), unless
        // the save enters the key again.
        let keeps_key = |p: &Profile| {
            p.has_private_key
                && p.url.origin() == url.origin()
                && p.public_key == public_key
                && p.tls == tls
        };
        Ok(Profile {
            id: existing.map_or_else(ProfileId::generate, |p| p.id.clone()),
            name: name.to_owned(),
            kind: draft.kind,
            has_private_key: existing.is_some_and(keeps_key),
            url,
            public_key,
            tls,
            timeout_secs,
            sandbox: existing.is_some_and(|p| p.sandbox),
            atlas,
            extra: existing.map(|p| p.extra.clone()).unwrap_or_default(),
        })
    }

    /// Inserts or replaces a profile (matched by id).
    pub fn upsert(&mut self, profile: Profile) {
        match self.profiles.iter_mut().find(|p| p.id == profile.id) {
            Some(slot) => *slot = profile,
            None => self.profiles.push(profile),
        }
    }

    /// A copy of profile `id` under a new id and a free name ("… (copy)", "… (copy 2)", …),
    /// without a private key: the caller copies the keychain entry.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an unknown id.
    pub fn duplicate(&self, id: &ProfileId) -> Result<Profile, Error> {
        let original = self.get(id).ok_or_else(|| {
            Error::invalid_input("That profile no longer exists", "Reload the profile list.")
        })?;
        let mut name = format!("{} (copy)", original.name);
        let mut n = 2;
        while self.find_by_name(&name).is_some() {
            name = format!("{} (copy {n})", original.name);
            n += 1;
        }
        Ok(Profile {
            id: ProfileId::generate(),
            name,
            has_private_key: false,
            ..original.clone()
        })
    }

    /// Removes profile `id`; returns it, or `None` when it was not there.
    pub fn remove(&mut self, id: &ProfileId) -> Option<Profile> {
        let index = self.profiles.iter().position(|p| &p.id == id)?;
        if self.last_used.as_ref() == Some(id) {
            self.last_used = None;
        }
        Some(self.profiles.remove(index))
    }

    /// Reads the profile book from the desktop app's store file (a JSON object whose
    /// [`STORE_KEY_PROFILES`] key holds the book). A missing file is an empty book.
    ///
    /// # Errors
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage) when the file cannot be read or is not
    /// valid: it is never rewritten here.
    pub fn load_from_store_file(path: &Path) -> Result<Self, Error> {
        crate::store_file::read_store_file(path).map(|contents| contents.profiles)
    }
}

/// A display name checked and as stored (see [`normalize_name`]): 1 to
/// [`MAX_PROFILE_NAME_LEN`] characters on one line, without invisible formatting characters.
pub(crate) fn check_name(raw: &str, example: &str) -> Result<String, Error> {
    let name = normalize_name(raw);
    if name.chars().any(crate::error::is_format_char) {
        return Err(Error::invalid_input(
            "A name may not contain invisible formatting characters (such as right-to-left \
             overrides)",
            "Type the name again rather than pasting it.",
        ));
    }
    if name.is_empty()
        || name.chars().count() > MAX_PROFILE_NAME_LEN
        || name.chars().any(char::is_control)
    {
        return Err(Error::invalid_input(
            format!("A name must be 1 to {MAX_PROFILE_NAME_LEN} characters on one line"),
            example,
        ));
    }
    Ok(name)
}

/// A timeout in seconds checked: 0 means the default.
pub(crate) fn checked_timeout(secs: u64) -> Result<u64, Error> {
    match secs {
        0 => Ok(default_timeout_secs()),
        t @ MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS => Ok(t),
        _ => Err(Error::invalid_input(
            format!(
                "The timeout must be between {MIN_TIMEOUT_SECS} and {MAX_TIMEOUT_SECS} seconds"
            ),
            "30 seconds suits most servers.",
        )),
    }
}

/// TLS options checked: a CA file, when given, must be readable.
pub(crate) fn checked_tls(
    ca_file: Option<&PathBuf>,
    skip_verify: bool,
) -> Result<TlsOptions, Error> {
    let ca_file = ca_file.filter(|p| !p.as_os_str().is_empty()).cloned();
    if let Some(path) = &ca_file {
        check_readable(path)?;
    }
    Ok(TlsOptions {
        ca_file,
        skip_verify,
    })
}

/// A profile name as stored: trimmed and in Unicode NFC, so that "é" typed and "é" pasted
/// (e + combining accent) are one name.
pub fn normalize_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim().nfc().collect()
}

fn check_readable(path: &Path) -> Result<(), Error> {
    crate::client::load_ca_file(path).map(drop)
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
mod tests;
