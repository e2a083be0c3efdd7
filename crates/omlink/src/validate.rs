//! Validated input: organization ids, the server's base URL and the public API key.
//!
//! Everything a request is built from is checked here, before any request is made, so a typo
//! becomes an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) with a hint instead
//! of a confusing answer from the server.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::Error;

/// The path of the Public API under the server's base URL.
pub const API_PREFIX: &str = "/api/public/v1.0";

/// The base URL of Cloud Manager, whose Public API is the same as Ops Manager's.
pub const CLOUD_MANAGER_URL: &str = "https://cloud.mongodb.com";

/// `as_str`, `FromStr`, `Display` and the `String` conversions serde uses, for a validated string
/// newtype whose `new` checks its input.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> Result<Self, $crate::Error> {
                Self::new(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::Error;
            fn try_from(value: String) -> Result<Self, $crate::Error> {
                Self::new(value)
            }
        }
    };
}
pub(crate) use string_newtype;

string_newtype!(OrgId);
string_newtype!(BaseUrl);
string_newtype!(PublicKey);

pub(crate) fn check_not_empty(what: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(
            format!("The {what} is empty"),
            format!("Enter the {what}."),
        ));
    }
    Ok(())
}

pub(crate) fn check_no_control_chars(what: &str, value: &str) -> Result<(), Error> {
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            format!("The {what} contains control characters (such as a line break or tab)"),
            format!("Paste the {what} again as a single line."),
        ));
    }
    Ok(())
}

/// The id of an Ops Manager / Cloud Manager organization: 24 hexadecimal characters.
///
/// Surrounding whitespace is trimmed and letters are lower-cased.
///
/// ```
/// let org: omlink::OrgId = " 5F1E2D3C4B5A697887766554 ".parse().unwrap();
/// assert_eq!(org.as_str(), "5f1e2d3c4b5a697887766554");
/// assert!("5f1e".parse::<omlink::OrgId>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct OrgId(String);

impl OrgId {
    /// Validates an organization id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is exactly 24
    /// hexadecimal characters.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        object_id(
            "organization id",
            "Copy the organization id from Ops Manager (Organization → Settings): \
             24 characters, 0-9 and a-f.",
            value.as_ref(),
        )
        .map(Self)
    }
}

/// A MongoDB object id as the APIs use for organizations, projects and migrations: trimmed,
/// 24 hexadecimal characters, lower-cased. `what` names it in the message.
pub(crate) fn object_id(what: &str, hint: &str, value: &str) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_input(format!("The {what} is empty"), hint));
    }
    if let Some(bad) = value.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(Error::invalid_input(
            format!("The {what} contains {bad:?}, which is not a hexadecimal digit"),
            hint,
        ));
    }
    if value.len() != 24 {
        return Err(Error::invalid_input(
            format!("The {what} has {} characters; it must have 24", value.len()),
            hint,
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// The base URL of an Ops Manager or Cloud Manager server, such as `https://opsmanager.example.com:8443`.
///
/// Accepted with or without a trailing slash, and with the Public API path
/// (`/api/public/v1.0`) already on the end. A path prefix before it is kept, for servers behind a
/// reverse proxy. `http://` is allowed for labs; [`is_insecure`](Self::is_insecure) reports it.
///
/// ```
/// let url = omlink::BaseUrl::new("https://om.example.com:8443/api/public/v1.0/").unwrap();
/// assert_eq!(url.as_str(), "https://om.example.com:8443");
/// assert!(omlink::BaseUrl::new("om.example.com").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Validates and normalizes a base URL.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it does not parse, is
    /// not `http`/`https`, has no host, or carries credentials, a query or a fragment.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let raw = value.as_ref().trim();
        let hint = "Enter the address you open Ops Manager at, such as \
                    https://opsmanager.example.com:8443 (Cloud Manager: https://cloud.mongodb.com).";
        if raw.is_empty() {
            return Err(Error::invalid_input("The server URL is empty", hint));
        }
        if !raw.contains("://") {
            return Err(Error::invalid_input(
                format!("The server URL {raw:?} has no scheme"),
                "Start the URL with https:// (or http:// for a lab server without TLS).",
            ));
        }
        let url = Url::parse(raw).map_err(|e| {
            Error::invalid_input(format!("The server URL {raw:?} is not valid: {e}"), hint)
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid_input(
                format!(
                    "The server URL uses {}://; only https:// and http:// work",
                    url.scheme()
                ),
                hint,
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid_input("The server URL has no host", hint));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_input(
                "The server URL contains a user name or password",
                "Remove them from the URL: the API key pair is entered separately.",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_input(
                "The server URL contains a query (?…) or fragment (#…)",
                hint,
            ));
        }
        let mut path = url.path().trim_end_matches('/');
        if let Some(prefix) = strip_suffix_ignore_case(path, API_PREFIX) {
            path = prefix.trim_end_matches('/');
        }
        let mut origin = url.clone();
        origin.set_path("");
        let origin = origin.as_str().trim_end_matches('/');
        Ok(Self(format!("{origin}{path}")))
    }

    /// The host (and port, when the URL names one) the URL points at, for messages.
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or(self.0.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// The scheme, host and port (`https://om.example.com:8443`): what a saved secret is bound
    /// to. A different path on the same origin is the same server.
    pub fn origin(&self) -> &str {
        let scheme_end = self.0.find("://").map_or(0, |i| i + 3);
        match self.0[scheme_end..].find('/') {
            Some(i) => &self.0[..scheme_end + i],
            None => &self.0,
        }
    }

    /// True for `http://`: the link token would cross the network unencrypted.
    pub fn is_insecure(&self) -> bool {
        self.0.starts_with("http://")
    }

    /// The full URL of a Public API resource, `path` starting with `/`.
    pub(crate) fn api(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.0)
    }
}

fn strip_suffix_ignore_case<'a>(value: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = value.len().checked_sub(suffix.len())?;
    (value.is_char_boundary(cut) && value[cut..].eq_ignore_ascii_case(suffix))
        .then(|| &value[..cut])
}

/// The public half of an API key: the digest user name. Not a secret, but validated: it is
/// sent inside a quoted header field.
///
/// ```
/// assert!(omlink::PublicKey::new("abcdefgh").is_ok());
/// assert!(omlink::PublicKey::new("has space").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct PublicKey(String);

impl PublicKey {
    /// The longest public key accepted (Ops Manager's are 8 characters; older user-name keys
    /// are e-mail addresses).
    pub const MAX_LEN: usize = 256;

    /// Validates a public API key.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it is empty, too long,
    /// or holds spaces, quotes, backslashes or control characters.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref().trim();
        check_not_empty("public API key", value)?;
        check_no_control_chars("public API key", value)?;
        if value.len() > Self::MAX_LEN
            || value
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '\\')
        {
            return Err(Error::invalid_input(
                "The public API key is not valid: it must be one word without quotes or spaces",
                "Copy the public key shown beside the API key in Ops Manager \
                 (Organization → Access Manager → API Keys).",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn org_id_accepts_24_hex_and_normalizes() {
        let id = OrgId::new("\t5F1E2D3C4B5A697887766554\n").unwrap();
        assert_eq!(id.as_str(), "5f1e2d3c4b5a697887766554");
        for bad in [
            "",
            "5f1e",
            "5f1e2d3c4b5a6978877665540",
            "5f1e2d3c4b5a69788776655g",
            "5f1e2d3c 4b5a697887766554",
        ] {
            let err = OrgId::new(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad:?}");
            assert!(!err.hint.is_empty());
        }
    }

    #[test]
    fn org_id_error_says_what_is_wrong() {
        assert!(
            OrgId::new("5f1e")
                .unwrap_err()
                .message
                .contains("has 4 characters")
        );
        assert!(OrgId::new("zz").unwrap_err().message.contains("'z'"));
    }

    #[test]
    fn base_url_normalizes_trailing_slash_and_api_path() {
        for (input, want) in [
            ("https://om.example.com:8443", "https://om.example.com:8443"),
            (
                "https://om.example.com:8443/",
                "https://om.example.com:8443",
            ),
            (
                "https://om.example.com:8443/api/public/v1.0",
                "https://om.example.com:8443",
            ),
            (
                "https://om.example.com:8443/api/public/v1.0/",
                "https://om.example.com:8443",
            ),
            (
                "https://om.example.com:8443/API/Public/v1.0",
                "https://om.example.com:8443",
            ),
            ("  http://10.0.0.5:8080 ", "http://10.0.0.5:8080"),
            (
                "https://proxy.example.com/opsmanager/api/public/v1.0",
                "https://proxy.example.com/opsmanager",
            ),
            ("https://cloud.mongodb.com", "https://cloud.mongodb.com"),
            ("https://[::1]:8443/", "https://[::1]:8443"),
        ] {
            assert_eq!(BaseUrl::new(input).unwrap().as_str(), want, "{input}");
        }
    }

    #[test]
    fn base_url_rejects_what_cannot_work() {
        for bad in [
            "",
            "om.example.com:8443",
            "ftp://om.example.com",
            "https://",
            "https://user:pw@om.example.com",
            "https://om.example.com/?pretty=true",
            "https://om.example.com/#x",
            "https://exa mple.com",
        ] {
            assert_eq!(
                BaseUrl::new(bad).unwrap_err().kind,
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn base_url_reports_host_insecurity_and_api_paths() {
        let url = BaseUrl::new("http://127.0.0.1:8080/").unwrap();
        assert!(url.is_insecure());
        assert_eq!(url.host(), "127.0.0.1:8080");
        assert_eq!(
            url.api("/orgs"),
            "http://127.0.0.1:8080/api/public/v1.0/orgs"
        );
        assert!(!BaseUrl::new(CLOUD_MANAGER_URL).unwrap().is_insecure());
    }

    #[test]
    fn public_key_is_one_word() {
        assert_eq!(PublicKey::new(" abcdefgh ").unwrap().as_str(), "abcdefgh");
        assert!(PublicKey::new("user@example.com").is_ok());
        for bad in ["", "a b", "a\"b", "a\\b", "a\tb"] {
            assert!(PublicKey::new(bad).is_err(), "{bad:?}");
        }
    }
}
