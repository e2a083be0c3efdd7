//! The ids of projects and live migrations: 24 hexadecimal characters like an organization's
//! ([`OrgId`](crate::OrgId)), each with its own name in messages so an error says which id is
//! wrong.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::validate::{object_id, string_newtype};

/// The id of a project: an Atlas project (`groupId`) or an Ops Manager / Cloud Manager one.
///
/// ```
/// let p: omlink::ProjectId = "6B1C2D3E4F5A60718293A4C1".parse().unwrap();
/// assert_eq!(p.as_str(), "6b1c2d3e4f5a60718293a4c1");
/// assert!(omlink::ProjectId::new("prod").unwrap_err().message.contains("project id"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct ProjectId(String);

impl ProjectId {
    /// Validates a project id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is exactly 24
    /// hexadecimal characters.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        object_id(
            "project id",
            "Copy the project id from the project's settings (or from `omlink atlas clusters` \
             and `omlink atlas projects`): 24 characters, 0-9 and a-f.",
            value.as_ref(),
        )
        .map(Self)
    }
}

/// The id Atlas gave a live migration when it was created.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(into = "String", try_from = "String")]
pub struct MigrationId(String);

impl MigrationId {
    /// Validates a migration id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) unless it is exactly 24
    /// hexadecimal characters.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        object_id(
            "migration id",
            "Use the id `omlink atlas migration start` printed (all are listed by \
             `omlink atlas migration status`): 24 characters, 0-9 and a-f.",
            value.as_ref(),
        )
        .map(Self)
    }
}

string_newtype!(ProjectId);
string_newtype!(MigrationId);
