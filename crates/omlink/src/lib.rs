//! # omlink
//!
//! Links a MongoDB Ops Manager or Cloud Manager organization to a MongoDB Atlas organization for
//! push live migration, through the Public API's `liveExport/migrationLink` endpoints.
//!
//! - [`Client`]: `link`, `link_status`, `unlink` and `list_orgs`, with HTTP Digest
//!   authentication, TLS trust options and typed errors.
//! - [`Error`] / [`ErrorKind`]: the one error type, with the server's `errorCode` and `detail`
//!   and a hint a person can act on.
//! - Validated input: [`OrgId`], [`BaseUrl`], [`PublicKey`]; secrets that never print:
//!   [`PrivateKey`], [`LinkToken`].
//! - Saved connections ([`ProfileBook`]), the link history ([`HistoryEntry`]) and the keychain
//!   ([`secret_store`]), shared by the app and the CLI.
//!
//! No GUI dependency is allowed here: the desktop app and the `omlink` CLI both build on it.

mod access_list;
pub mod atlas;
mod atlas_profile;
mod atomic;
pub mod batch;
mod book;
mod ca_file;
mod client;
pub mod digest;
mod error;
mod field_check;
mod fields;
#[doc(hidden)]
pub mod fuzzing;
mod history;
mod http;
mod ids;
mod link_file;
pub mod migrate;
pub mod migration;
pub mod migration_plan;
pub mod migration_record;
mod model;
mod oauth;
pub mod preflight;
mod profile;
mod secret;
pub mod secret_store;
pub mod store;
mod store_file;
mod validate;
mod workbench;

pub use access_list::{AccessListEntry, parse_access_list};
pub use atlas::{
    ATLAS_URL, AtlasClient, AtlasConfig, AtlasCredentials, AvailableProject, Deployment,
};
pub use atlas_profile::{
    AtlasAuth, AtlasConnection, AtlasDraft, AtlasLink, AtlasOrigin, AtlasTarget,
};
pub use atomic::write_atomically;
pub use book::ProfileBook;
pub use client::{
    ATLAS_MEDIA_TYPE, Client, ClientConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    MAX_BODY_BYTES, MAX_TOTAL_BYTES, ORGS_PAGE_SIZE, TlsOptions, Warning,
};
pub use error::{
    EXIT_SOME_FAILED, Error, ErrorKind, exit_code_table, exit_codes, mask_userinfo, sanitize,
};
pub use field_check::{Field, FieldCheck, check_field, parse_access_list_text};
pub use fields::{
    MAX_PROFILE_NAME_LEN, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, ProfileId, normalize_name,
};
pub use history::{
    HistoryEntry, HistoryId, Outcome, STORE_KEY_HISTORY, export_csv, export_json, filter_by_org,
    fingerprint, mask_token, neutralize_formula,
};
pub use ids::{MigrationId, ProjectId};
pub use link_file::{BadLinkFile, LinkFile, parse_link_file};
pub use model::{Host, LinkOutcome, LinkStatus, Organization, Project};
pub use oauth::ClientId;
pub use profile::{Profile, ProfileDraft, STORE_KEY_PROFILES, ServerKind, default_store_file};
pub use secret::{LinkToken, MAX_LINK_TOKEN_LEN, MAX_PRIVATE_KEY_LEN, PrivateKey};
pub use store::{Store, Updated};
pub use store_file::{Kept, StoreContents, StoreData, load_store_file, set_aside_files};
pub use validate::{API_PREFIX, BaseUrl, CLOUD_MANAGER_URL, OrgId, PublicKey};
pub use workbench::{
    BatchLinkItem, DestinationCluster, DestinationProject, ExportFormat, KeychainUpkeep,
    MigrationDraft, MigrationView, NoticeHook, Persistence, SandboxEndpoint, TokenSource,
    Workbench,
};

/// This build's version, shared by the library, the CLI and the app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The desktop app's identifier: names its data directory, shared with the CLI's `--profile`.
pub const APP_IDENTIFIER: &str = "dev.omlink.desktop";

/// The store file of profiles and history in the app's data directory (see [`Store`]).
pub const STORE_FILE_NAME: &str = "omlink.json";

/// Locks a mutex, ignoring poisoning: a panic elsewhere must not take every later call down.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
