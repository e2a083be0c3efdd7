//! The ids and field rules that profiles, Atlas connections and history entries share: stable
//! ids, display names, timeouts and TLS options, each checked the same way everywhere.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::client::{DEFAULT_TIMEOUT, TlsOptions};
use crate::error::Error;

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

pub(crate) fn default_timeout_secs() -> u64 {
    DEFAULT_TIMEOUT.as_secs()
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
    crate::ca_file::load_ca_file(path).map(drop)
}
