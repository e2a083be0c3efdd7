//! Secret values: the private API key and the Atlas link token.
//!
//! Both are held in [`secrecy::SecretString`], so their memory is zeroized on drop, and neither
//! implements `Serialize`. `Debug` and `Display` print `<redacted>`: a secret cannot reach a log
//! line or an error message by accident. Reading one takes an explicit [`expose`](PrivateKey::expose).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::validate::{check_no_control_chars, check_not_empty};

/// `Debug` as `Name(<redacted>)` and `Display` as `<redacted>`, for a secret type `Name`.
macro_rules! redacted {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
    };
}

/// The longest link token accepted, in bytes. Atlas does not document the token's format or
/// length (real ones are a few hundred characters); this bound only stops a pasted file or log
/// from being sent as a token.
pub const MAX_LINK_TOKEN_LEN: usize = 4096;

/// The longest private API key accepted, in bytes (Ops Manager's are 36-character UUIDs).
pub const MAX_PRIVATE_KEY_LEN: usize = 256;

/// `value` trimmed and checked as a `what`: not empty, free of control characters, and at
/// most `max` bytes long (`too_long` gets its length and says what is wrong otherwise).
fn checked(
    value: &str,
    what: &str,
    max: usize,
    too_long: impl FnOnce(usize) -> Error,
) -> Result<SecretString, Error> {
    let value = value.trim();
    check_not_empty(what, value)?;
    check_no_control_chars(what, value)?;
    if value.len() > max {
        return Err(too_long(value.len()));
    }
    Ok(SecretString::from(value))
}

/// The private half of an Ops Manager programmatic API key: the digest password.
///
/// ```
/// let key = omlink::PrivateKey::new("8f9e6a2c-3b1d-4e7f-9a0b-5c6d7e8f9a01").unwrap();
/// assert_eq!(format!("{key:?}"), "PrivateKey(<redacted>)");
/// ```
#[derive(Clone)]
pub struct PrivateKey(SecretString);

impl PrivateKey {
    /// Validates and wraps a private key: surrounding whitespace is trimmed; it must not be
    /// empty, longer than [`MAX_PRIVATE_KEY_LEN`] or hold control characters.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), naming what is wrong but
    /// never echoing the value.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        checked(value.as_ref(), "private API key", MAX_PRIVATE_KEY_LEN, |_| {
            Error::invalid_input(
                format!("The private API key is longer than {MAX_PRIVATE_KEY_LEN} characters"),
                "Paste only the private key that Ops Manager showed when the API key was created.",
            )
        })
        .map(Self)
    }

    /// The key itself, for the digest computation and the keychain only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

redacted!(PrivateKey);

/// An Atlas link token: it embeds an Atlas API key and Atlas shows it only once.
///
/// Its structure is not documented, so it is not decoded: it is trimmed, must be non-empty, at
/// most [`MAX_LINK_TOKEN_LEN`] bytes and free of control characters.
///
/// ```
/// let token = omlink::LinkToken::new("  eyJ0eXAi...  \n").unwrap();
/// assert_eq!(token.to_string(), "<redacted>");
/// assert!(omlink::LinkToken::new("   ").is_err());
/// ```
#[derive(Clone)]
pub struct LinkToken(SecretString);

impl LinkToken {
    /// Validates and wraps a link token.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when it is empty, too long or
    /// holds control characters; the message never echoes the token.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        checked(value.as_ref(), "link token", MAX_LINK_TOKEN_LEN, |len| {
            Error::invalid_input(
                format!("The link token is {len} bytes long; at most {MAX_LINK_TOKEN_LEN} are accepted"),
                "Copy only the link token that Atlas generated (Organization Settings → Live Migration).",
            )
        })
        .map(Self)
    }

    /// The token itself, for the request body and the keychain only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// From the window: validated as it is parsed, so a bad token is refused before any command
/// runs, and the error never echoes it. There is no `Serialize`: a token never goes back.
impl<'de> serde::Deserialize<'de> for LinkToken {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = zeroize::Zeroizing::new(<String as serde::Deserialize>::deserialize(d)?);
        Self::new(raw.as_str()).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(feature = "ts")]
impl ts_rs::TS for LinkToken {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &ts_rs::Config) -> String {
        "string".to_owned()
    }
    fn inline(_: &ts_rs::Config) -> String {
        "string".to_owned()
    }
}

redacted!(LinkToken);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_token_from_the_window_is_validated_as_it_is_parsed_and_never_echoed() {
        let token: LinkToken = serde_json::from_str("\"  window-token-1234 \"").unwrap();
        assert_eq!(token.expose(), "window-token-1234");
        let err = serde_json::from_str::<LinkToken>("\"bad\\u0007CANARY-token\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("control"), "{err}");
        assert!(!err.contains("CANARY"), "{err}");
        assert!(serde_json::from_str::<LinkToken>("\"   \"").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug_and_display() {
        let key = PrivateKey::new("s3cr3t-private").unwrap();
        let token = LinkToken::new("t0k3n-value").unwrap();
        for shown in [
            format!("{key:?}"),
            format!("{key}"),
            format!("{token:?}"),
            format!("{token}"),
        ] {
            assert!(
                !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
                "{shown}"
            );
            assert!(shown.contains("<redacted>"));
        }
    }

    #[test]
    fn token_is_trimmed_and_bounded() {
        assert_eq!(LinkToken::new(" \tabc\n").unwrap().expose(), "abc");
        assert_eq!(
            LinkToken::new("").unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            LinkToken::new(" \n ").unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert!(LinkToken::new("a".repeat(MAX_LINK_TOKEN_LEN)).is_ok());
        let too_long = LinkToken::new("a".repeat(MAX_LINK_TOKEN_LEN + 1)).unwrap_err();
        assert_eq!(too_long.kind, ErrorKind::InvalidInput);
        let control = LinkToken::new("abc\u{7}def").unwrap_err();
        assert_eq!(control.kind, ErrorKind::InvalidInput);
        assert!(!control.message.contains("abc"));
    }

    #[test]
    fn private_key_rejects_empty_and_control_characters() {
        assert!(PrivateKey::new("  ").is_err());
        assert!(PrivateKey::new("ab\ncd").is_err());
        assert!(PrivateKey::new("x".repeat(MAX_PRIVATE_KEY_LEN + 1)).is_err());
        assert_eq!(PrivateKey::new(" k ").unwrap().expose(), "k");
    }
}
