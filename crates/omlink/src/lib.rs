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
//!
//! No GUI dependency is allowed here: the desktop app and the `omlink` CLI both build on it.

mod client;
mod error;
mod model;
mod secret;
mod validate;

pub use client::{
    Client, ClientConfig, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ORGS_PAGE_SIZE, TlsOptions,
    Warning,
};
pub use error::{Error, ErrorKind};
pub use model::{LinkOutcome, LinkStatus, Organization};
pub use secret::{LinkToken, MAX_LINK_TOKEN_LEN, MAX_PRIVATE_KEY_LEN, PrivateKey};
pub use validate::{API_PREFIX, BaseUrl, CLOUD_MANAGER_URL, OrgId, PublicKey};

/// This build's version, shared by the library, the CLI and the app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
