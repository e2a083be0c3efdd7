//! What crosses IPC besides the core's types. TypeScript declarations for all of them are
//! generated with ts-rs into `ui/src/bindings/` (see the `bindings` test).

use omlink::{HistoryEntry, LinkOutcome, Organization, Profile, ProfileId, Warning};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The profiles, the one to open, and any problem with the store file.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesView {
    /// Every saved profile (never with its private key).
    pub profiles: Vec<Profile>,
    /// The profile to open on start.
    pub last_used: Option<ProfileId>,
    /// Set when a corrupt store file was moved aside at start.
    pub store_warning: Option<String>,
    /// What the start-up keychain sweep did (orphaned entries removed), once.
    pub keychain_notice: Option<String>,
}

/// The organizations a profile's key can see, and warnings about its connection.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationsView {
    /// Sorted by name.
    pub organizations: Vec<Organization>,
    /// Plain http, skipped TLS verification.
    pub warnings: Vec<Warning>,
    /// The warnings as sentences.
    pub warning_texts: Vec<String>,
}

/// A link request from the window. Its `Debug` leaves the token out.
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequest {
    /// Chosen by the window; `cancel_request` takes it.
    pub request_id: String,
    /// The profile to link with.
    pub profile_id: ProfileId,
    /// The organization id as typed or picked.
    pub org_id: String,
    /// Its name, when picked from the list.
    pub org_name: Option<String>,
    /// A new token, or…
    pub token: Option<String>,
    /// …the history entry whose saved token to use again.
    pub history_id: Option<String>,
}

impl std::fmt::Debug for LinkRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkRequest")
            .field("request_id", &self.request_id)
            .field("profile_id", &self.profile_id)
            .field("org_id", &self.org_id)
            .field("org_name", &self.org_name)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("history_id", &self.history_id)
            .finish()
    }
}

/// A link that the server accepted, and its history entry.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkResponse {
    /// The status the server reported.
    pub outcome: LinkOutcome,
    /// The recorded attempt.
    pub entry: Option<HistoryEntry>,
}

/// Whether the OS keychain could be opened at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum KeychainState {
    /// It answered.
    Available,
    /// It could not be opened: why, and what to do.
    Unavailable {
        /// What went wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// About this build.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The version shared by the app, the CLI and the packages.
    pub version: String,
    /// The app identifier.
    pub identifier: String,
    /// Where profiles and history are saved.
    pub store_file: String,
    /// Whether the OS keychain answered at start.
    pub keychain: KeychainState,
}
