//! What crosses IPC besides the core's types. TypeScript declarations for all of them are
//! generated with ts-rs into `ui/src/bindings/` (see the `bindings` test).

use omlink::batch::BatchReport;
use omlink::{
    AtlasConnection, BatchLinkItem, Error, HistoryEntry, LinkOutcome, OrgId, Organization, Profile,
    ProfileId, TokenSource,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The profiles, the one to open, and any problem with the store file.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesView {
    /// Every saved profile (never with its private key).
    pub profiles: Vec<Profile>,
    /// Every saved Atlas connection (never with its secret).
    pub atlas_connections: Vec<AtlasConnection>,
    /// The profile to open on start.
    pub last_used: Option<ProfileId>,
    /// Set when a corrupt store file was moved aside at start.
    pub store_warning: Option<String>,
}

/// The organizations a profile's key can see, and what to know about its connection.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationsView {
    /// Sorted by name.
    pub organizations: Vec<Organization>,
    /// Plain http, skipped TLS verification: as sentences.
    pub warnings: Vec<String>,
}

/// A link request from the window: one organization and where its token comes from.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequest {
    /// Chosen by the window; `cancel_request` takes it.
    pub request_id: String,
    /// The profile to link with.
    pub profile_id: ProfileId,
    /// The organization, as typed or picked.
    pub org_id: OrgId,
    /// Its name, when picked from the list.
    pub org_name: Option<String>,
    /// A pasted token (validated, redacted in `Debug`, never serialized back), the history
    /// entry whose saved token to use again, or the Atlas organization to generate one in.
    pub source: TokenSource,
}

/// What every batch from the window says first: its id, the profile, and how wide it runs.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchOf {
    /// Chosen by the window; `cancel_batch` takes it.
    pub batch_id: String,
    /// The profile to work with.
    pub profile_id: ProfileId,
    /// Organizations worked on at the same time (default 8, 1–64).
    pub concurrency: Option<usize>,
}

/// A batch link from the window.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchLinkRequest {
    /// Which batch, with which profile, how wide.
    #[serde(flatten)]
    pub batch: BatchOf,
    /// The organizations and where each one's token comes from.
    pub items: Vec<BatchLinkItem>,
    /// Link organizations that are already `SYNCED` again.
    pub force: bool,
}

/// A status read of many organizations from the window.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusBatchRequest {
    /// Which batch, with which profile, how wide.
    #[serde(flatten)]
    pub batch: BatchOf,
    /// The organizations (as listed), with their names.
    pub orgs: Vec<Organization>,
}

/// How a batch ended (each organization's result also went through the progress channel as
/// it finished), and how many of them failed.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    /// The core's report: every result, why it stopped early, whether it was cancelled.
    #[serde(flatten)]
    pub report: BatchReport,
    /// How many organizations failed.
    pub failed: usize,
}

impl From<BatchReport> for BatchSummary {
    fn from(report: BatchReport) -> Self {
        Self {
            failed: report.failed(),
            report,
        }
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

/// A link file (`org,token` or `org,atlas_org` CSV) read by the core's one parser for the
/// batch panel: every row, or why the whole file was refused (nothing is half-applied).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum LinkFileView {
    /// Every row was good.
    #[serde(rename_all = "camelCase")]
    Read {
        /// The rows in file order.
        rows: Vec<LinkFileRow>,
    },
    /// The file was refused whole.
    #[serde(rename_all = "camelCase")]
    Refused {
        /// What is wrong with the file, and what to do.
        error: Error,
        /// `line N: what is wrong`, one per bad row (never quoting a token).
        problems: Vec<String>,
    },
}

/// One row of a link file.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkFileRow {
    /// The organization.
    pub org: OrgId,
    /// Its `name` column, when the file has one.
    pub name: Option<String>,
    /// The row's token, handed back to the window that pasted or picked the file a moment
    /// ago, for the row's token field (it goes nowhere else from here).
    pub token: Option<String>,
    /// How the token is shown ([`omlink::mask_token`]).
    pub token_shown: Option<String>,
    /// The Atlas organization to generate the row's token in, for an `atlas_org` row.
    pub atlas_org: Option<OrgId>,
}

impl From<Result<omlink::LinkFile, omlink::BadLinkFile>> for LinkFileView {
    fn from(read: Result<omlink::LinkFile, omlink::BadLinkFile>) -> Self {
        match read {
            Ok(file) => Self::Read {
                rows: file
                    .items
                    .into_iter()
                    .map(|item| LinkFileRow {
                        atlas_org: file.mint.get(&item.org).cloned(),
                        token_shown: item.token.as_ref().map(|t| omlink::mask_token(t.expose())),
                        token: item.token.map(|t| t.expose().to_owned()),
                        org: item.org,
                        name: item.name,
                    })
                    .collect(),
            },
            Err(bad) => Self::Refused {
                error: bad.error,
                problems: bad.rows,
            },
        }
    }
}
