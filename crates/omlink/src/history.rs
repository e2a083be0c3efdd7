//! The per-organization history of link attempts.
//!
//! An entry records when, with which profile, for which organization, the token **masked**
//! (first and last four characters) with a short SHA-256 fingerprint, and the outcome. The
//! token itself is only ever in the keychain (see [`crate::secret_store::link_token_account`]),
//! so exports carry no token.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::fields::{ProfileId, random_id};
use crate::model::LinkStatus;
use crate::secret::LinkToken;
use crate::validate::OrgId;

/// The key under which the history is kept in the app's store file.
pub const STORE_KEY_HISTORY: &str = "history";

/// How a link attempt ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum Outcome {
    /// The server accepted the link.
    #[serde(rename_all = "camelCase")]
    Linked {
        /// The status it reported.
        status: LinkStatus,
    },
    /// The attempt failed.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// What kind of failure.
        kind: ErrorKind,
        /// The HTTP status, when the server answered.
        http_status: Option<u16>,
        /// The server's errorCode.
        error_code: Option<String>,
    },
    /// The person cancelled the request before it finished.
    Cancelled,
    /// omlink generated the token in Atlas and has not sent it yet (or the link was interrupted
    /// before it was sent): it can be linked later, or revoked in Atlas.
    Minted,
}

impl Outcome {
    /// The outcome of a failed attempt.
    pub fn failed(error: &Error) -> Self {
        Self::Failed {
            kind: error.kind,
            http_status: error.http_status,
            error_code: error.error_code.clone(),
        }
    }

    /// One short word or phrase for tables and CSV: `SYNCED`, `PermissionDenied USER_UNAUTHORIZED`, …
    pub fn summary(&self) -> String {
        match self {
            Self::Linked { status } => status.as_str().unwrap_or("linked").to_owned(),
            Self::Failed {
                kind, error_code, ..
            } => match error_code {
                Some(code) => format!("{kind:?} {code}"),
                None => format!("{kind:?}"),
            },
            Self::Cancelled => "cancelled".to_owned(),
            Self::Minted => "not linked yet".to_owned(),
        }
    }
}

/// A history entry's stable id: 1 to 64 characters of `a-z`, `0-9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct HistoryId(String);

impl HistoryId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(random_id())
    }

    /// Validates an id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for anything but 1–64 of
    /// `a-z0-9-`.
    pub fn new(value: impl AsRef<str>) -> Result<Self, crate::Error> {
        let value = value.as_ref();
        if !crate::fields::is_stable_id(value) {
            return Err(crate::Error::invalid_input(
                "Not a valid history entry id",
                "Choose the entry from the history again.",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

crate::validate::string_newtype!(HistoryId);

/// One link attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Stable id.
    pub id: HistoryId,
    /// When, in RFC 3339 UTC.
    pub at: String,
    /// The profile used.
    pub profile_id: ProfileId,
    /// Its name at the time.
    pub profile_name: String,
    /// The organization.
    pub org_id: OrgId,
    /// Its name, when known.
    pub org_name: Option<String>,
    /// The token's first and last four characters.
    pub token_mask: String,
    /// The first 12 hexadecimal characters of the token's SHA-256.
    pub token_fingerprint: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Whether the keychain still holds the token (for "Use this token again").
    #[serde(default)]
    pub has_token: bool,
    /// Something the person should know about this entry (it could not be saved to disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<String>,
    /// The Atlas organization omlink generated the token in, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub generated_in: Option<crate::AtlasOrigin>,
    /// The scheme, host and port of the Ops Manager the token was first sent to (or was minted
    /// for): the saved token is only ever sent there again. `None` in entries of omlink 0.1,
    /// whose tokens are therefore not reused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub server: Option<String>,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl HistoryEntry {
    /// A new entry, stamped now.
    pub fn new(
        profile_id: ProfileId,
        profile_name: String,
        org_id: OrgId,
        org_name: Option<String>,
        token: &LinkToken,
        outcome: Outcome,
    ) -> Self {
        Self {
            id: HistoryId::generate(),
            at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            profile_id,
            profile_name,
            org_id,
            org_name,
            token_mask: mask_token(token.expose()),
            token_fingerprint: fingerprint(token.expose()),
            outcome,
            has_token: false,
            note: None,
            generated_in: None,
            server: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// The token's first and last four characters around an ellipsis; a token of 12 characters
/// or fewer shows nothing but its length, as four-and-four would give most of it away.
///
/// ```
/// assert_eq!(omlink::mask_token("abcdEFGHijklMNOP"), "abcd…MNOP");
/// assert_eq!(omlink::mask_token("short"), "•••• (5 characters)");
/// ```
pub fn mask_token(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 12 {
        return format!("•••• ({} characters)", chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// The first 12 hexadecimal characters of the token's SHA-256: enough to tell tokens apart,
/// useless to recover one.
pub fn fingerprint(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entries for one organization (all when `org` is `None`), newest first.
pub fn filter_by_org<'a>(
    entries: &'a [HistoryEntry],
    org: Option<&OrgId>,
) -> Vec<&'a HistoryEntry> {
    let mut picked: Vec<&HistoryEntry> = entries
        .iter()
        .filter(|e| org.is_none_or(|o| &e.org_id == o))
        .collect();
    picked.sort_by(|a, b| b.at.cmp(&a.at));
    picked
}

/// The entries as a JSON array (no token: entries hold none).
pub fn export_json(entries: &[&HistoryEntry]) -> String {
    serde_json::to_string_pretty(entries).expect("history entries serialize")
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or
/// carriage return) gets a leading `'`, so opening an export never executes server-chosen text.
///
/// ```
/// assert_eq!(omlink::neutralize_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(omlink::neutralize_formula("Prod"), "Prod");
/// ```
pub fn neutralize_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// The entries as CSV with a header row (no token); formula-like cells are neutralized.
pub fn export_csv(entries: &[&HistoryEntry]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "time",
        "profile",
        "org_id",
        "org_name",
        "token_mask",
        "token_fingerprint",
        "outcome",
        "http_status",
        "generated_in_atlas_org",
    ]);
    for e in entries {
        let http = match &e.outcome {
            Outcome::Failed {
                http_status: Some(s),
                ..
            } => s.to_string(),
            _ => String::new(),
        };
        let _ = out.write_record(
            [
                e.at.as_str(),
                &e.profile_name,
                e.org_id.as_str(),
                e.org_name.as_deref().unwrap_or(""),
                &e.token_mask,
                &e.token_fingerprint,
                &e.outcome.summary(),
                &http,
                &e.generated_in
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ]
            .map(neutralize_formula),
        );
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("CSV of UTF-8 fields")
}

#[cfg(test)]
mod tests;
