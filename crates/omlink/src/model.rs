//! What the API answers: link status and organizations.

use serde::{Deserialize, Serialize, Serializer};

/// The state of an organization's link to Atlas, as the server reports it.
///
/// Only `SYNCED` and `NOT_SYNCED` are documented; any other string is kept as
/// [`Other`](Self::Other), never treated as a parse failure. It serializes as the server's
/// string, `"NO_LINK"` for [`NoLink`](Self::NoLink) and `null` for [`Unreported`](Self::Unreported).
///
/// ```
/// use omlink::LinkStatus;
/// assert_eq!(LinkStatus::from_server(Some("SYNCED")), LinkStatus::Synced);
/// assert_eq!(LinkStatus::from_server(Some("PAUSED")), LinkStatus::Other("PAUSED".into()));
/// assert_eq!(LinkStatus::from_server(None), LinkStatus::Unreported);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
// In TypeScript: the documented values, then any other string the server may send (the
// `string & {}` keeps the named ones from collapsing into `string`), then unreported.
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(type = "\"SYNCED\" | \"NOT_SYNCED\" | \"NO_LINK\" | (string & {}) | null")
)]
pub enum LinkStatus {
    /// `SYNCED`: the organization is connected to Atlas.
    Synced,
    /// `NOT_SYNCED`: no working connection to Atlas.
    NotSynced,
    /// The status call answered 404 without `ORG_NOT_FOUND`: the organization has no link.
    NoLink,
    /// A status string the documentation does not list.
    Other(String),
    /// The server answered success without a `status`.
    Unreported,
}

impl LinkStatus {
    /// Interprets the `status` field of a link or status answer.
    pub fn from_server(status: Option<&str>) -> Self {
        match status.map(str::trim) {
            None => Self::Unreported,
            Some("SYNCED") => Self::Synced,
            Some("NOT_SYNCED") => Self::NotSynced,
            Some(other) => Self::Other(other.to_owned()),
        }
    }

    /// The status as the server spells it; `None` when unreported.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Synced => Some("SYNCED"),
            Self::NotSynced => Some("NOT_SYNCED"),
            Self::NoLink => Some("NO_LINK"),
            Self::Other(s) => Some(s),
            Self::Unreported => None,
        }
    }
}

impl Serialize for LinkStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(s) => serializer.serialize_str(s),
            None => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for LinkStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Option::<String>::deserialize(deserializer)?;
        Ok(match raw.as_deref() {
            Some("NO_LINK") => Self::NoLink,
            other => Self::from_server(other),
        })
    }
}

/// The outcome of a link or status call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LinkOutcome {
    /// The link's status.
    pub status: LinkStatus,
    /// The server's `X-MongoDB-Service-Version` header, when it sent one.
    pub server_version: Option<String>,
}

/// An Ops Manager / Cloud Manager organization, as `GET /orgs` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// 24 hexadecimal characters.
    pub id: String,
    /// The organization's display name.
    pub name: String,
}

/// One page of a list (`GET /orgs`, `/orgs/{id}/groups`, `/groups/{id}/hosts`, Atlas's
/// `GET /orgs`). Unknown fields (`links`, `isDeleted`, …) are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    pub total_count: Option<u64>,
}

/// A project (group) of an Ops Manager / Cloud Manager organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// 24 hexadecimal characters.
    pub id: String,
    /// The project's name.
    #[serde(default)]
    pub name: String,
    /// The organization it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org_id: Option<String>,
}

/// A host of a project, as `GET /groups/{id}/hosts` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Its host name.
    #[serde(default)]
    pub hostname: String,
    /// Its port.
    pub port: Option<u32>,
    /// The MongoDB version it runs, such as `5.0.26`.
    pub version: Option<String>,
    /// `REPLICA_PRIMARY`, `SHARD_MONGOS`, …
    pub type_name: Option<String>,
    /// Its replica set.
    pub replica_set_name: Option<String>,
}

/// The body of a link or status answer: `{"status":"SYNCED"}`, maybe with more fields.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatusBody {
    pub status: Option<serde_json::Value>,
}

impl StatusBody {
    pub fn link_status(&self) -> LinkStatus {
        match &self.status {
            None | Some(serde_json::Value::Null) => LinkStatus::Unreported,
            Some(serde_json::Value::String(s)) => LinkStatus::from_server(Some(s)),
            Some(other) => LinkStatus::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_as_the_server_string() {
        for status in [
            LinkStatus::Synced,
            LinkStatus::NotSynced,
            LinkStatus::NoLink,
            LinkStatus::Other("PAUSED".into()),
            LinkStatus::Unreported,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(
                serde_json::from_str::<LinkStatus>(&json).unwrap(),
                status,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&LinkStatus::Synced).unwrap(),
            "\"SYNCED\""
        );
        assert_eq!(
            serde_json::to_string(&LinkStatus::Unreported).unwrap(),
            "null"
        );
    }

    #[test]
    fn status_body_is_lenient() {
        let parse = |s: &str| serde_json::from_str::<StatusBody>(s).unwrap().link_status();
        assert_eq!(parse(r#"{"status":"SYNCED"}"#), LinkStatus::Synced);
        assert_eq!(
            parse(r#"{"status":"NOT_SYNCED","extra":1}"#),
            LinkStatus::NotSynced
        );
        assert_eq!(
            parse(r#"{"sourceOrgId":"x","status":"SYNCING","createdAt":"2022-01-01T00:00:00Z"}"#),
            LinkStatus::Other("SYNCING".into())
        );
        assert_eq!(parse(r#"{"status":3}"#), LinkStatus::Other("3".into()));
        assert_eq!(parse(r#"{"status":null}"#), LinkStatus::Unreported);
        assert_eq!(parse("{}"), LinkStatus::Unreported);
    }
}
