//! Live migrations on the Atlas side: the destination projects and clusters, the destination
//! check made before anything is sent, the migration request (validate and create take the
//! same body) and what Atlas answers about validations and migrations.
//!
//! The request's source password is a [`SourcePassword`]: zeroized, redacted, written only
//! into the request body that goes to Atlas (itself wiped after sending).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::ProjectId;
use crate::validate::{check_no_control_chars, check_not_empty};

/// The hours Atlas keeps a migration ready for cutover before it expires.
pub const CUTOVER_WINDOW_HOURS: u64 = 120;

/// A project of an Atlas organization (`GET /orgs/{orgId}/groups`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasProject {
    /// Its id (24 hexadecimal characters).
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The Atlas organization it belongs to.
    #[serde(default)]
    pub org_id: String,
}

/// A cluster of an Atlas project, as the destination check needs it. Read from either shape
/// of `GET /groups/{groupId}/clusters`: 2024-08-05 (`replicationSpecs[].regionConfigs[]`) or
/// the older `providerSettings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AtlasCluster {
    /// Its name.
    pub name: String,
    /// The tier (`M40`, `M0`, `FLEX`, `SERVERLESS`…), when Atlas says it.
    pub tier: Option<String>,
    /// The cloud provider (`AWS`, `TENANT` for a shared tier…).
    pub provider: Option<String>,
    /// Its MongoDB version (`7.0.14`).
    #[serde(rename = "mongoDBVersion")]
    pub mongodb_version: Option<String>,
    /// `REPLICASET`, `SHARDED` or `GEOSHARDED`.
    pub cluster_type: Option<String>,
    /// `IDLE`, `CREATING`, `UPDATING`…
    pub state_name: Option<String>,
    /// Whether it is paused.
    pub paused: bool,
    /// Whether its BI Connector is on.
    pub bi_connector: bool,
}

impl<'de> Deserialize<'de> for AtlasCluster {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            name: String,
            #[serde(rename = "mongoDBVersion")]
            mongodb_version: Option<String>,
            cluster_type: Option<String>,
            state_name: Option<String>,
            #[serde(default)]
            paused: Option<bool>,
            bi_connector: Option<Enabled>,
            #[serde(default)]
            replication_specs: Vec<Spec>,
            provider_settings: Option<ProviderSettings>,
        }
        #[derive(Deserialize, Default)]
        struct Enabled {
            enabled: Option<bool>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Spec {
            #[serde(default)]
            region_configs: Vec<RegionConfig>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct RegionConfig {
            provider_name: Option<String>,
            electable_specs: Option<Size>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Size {
            instance_size: Option<String>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct ProviderSettings {
            provider_name: Option<String>,
            instance_size_name: Option<String>,
        }
        let w = Wire::deserialize(d)?;
        let region = w
            .replication_specs
            .into_iter()
            .flat_map(|s| s.region_configs)
            .next();
        let (provider, tier) = match (region, w.provider_settings) {
            (Some(r), _) => (
                r.provider_name,
                r.electable_specs.and_then(|s| s.instance_size),
            ),
            (None, Some(p)) => (p.provider_name, p.instance_size_name),
            (None, None) => (None, None),
        };
        Ok(Self {
            name: w.name,
            tier,
            provider,
            mongodb_version: w.mongodb_version,
            cluster_type: w.cluster_type,
            state_name: w.state_name,
            paused: w.paused.unwrap_or(false),
            bi_connector: w.bi_connector.and_then(|b| b.enabled).unwrap_or(false),
        })
    }
}

/// Whether a cluster can receive a live migration, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "fit", rename_all = "camelCase")]
pub enum DestinationFit {
    /// It can; `note` says what to know first (a version that differs, a small tier).
    Fit {
        /// Advice that does not block.
        note: Option<String>,
    },
    /// It cannot, for `reason` (which says what to do).
    Unfit {
        /// Why, and what to do.
        reason: String,
    },
}

impl DestinationFit {
    /// Whether the cluster can receive the migration.
    pub fn is_fit(&self) -> bool {
        matches!(self, Self::Fit { .. })
    }
}

/// The `major.minor` of a MongoDB version string (`7.0.14` → `(7, 0)`).
pub fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| {
        m.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    })?;
    Some((major, minor))
}

/// Checks `cluster` as the destination of a live migration from a source running
/// `source_version` (when known): not a shared, Flex or serverless tier, not a Global Cluster,
/// BI Connector off, not paused, idle, and a MongoDB version the source can migrate to
/// (not older; from 6.0 on, MongoDB's published page asks for the same major version, its
/// documentation source does not, so a different one is a note, not a refusal).
pub fn check_destination(cluster: &AtlasCluster, source_version: Option<&str>) -> DestinationFit {
    let unfit = |reason: String| DestinationFit::Unfit { reason };
    let tier = cluster.tier.as_deref().unwrap_or("").to_ascii_uppercase();
    let provider = cluster
        .provider
        .as_deref()
        .unwrap_or("")
        .to_ascii_uppercase();
    if matches!(tier.as_str(), "M0" | "M2" | "M5") || provider == "TENANT" {
        return unfit(format!(
            "{} is a shared tier ({}): live migration needs a dedicated cluster (M10 or larger; M40+ recommended). Scale it up in Atlas first.",
            cluster.name,
            if tier.is_empty() { "TENANT" } else { &tier }
        ));
    }
    if tier == "FLEX" || provider == "FLEX" {
        return unfit(format!(
            "{} is a Flex cluster: live migration needs a dedicated cluster (M10 or larger). Create or upgrade to a dedicated one.",
            cluster.name
        ));
    }
    if tier.starts_with("SERVERLESS") || provider == "SERVERLESS" {
        return unfit(format!(
            "{} is a serverless instance: live migration needs a dedicated cluster (M10 or larger).",
            cluster.name
        ));
    }
    if cluster.cluster_type.as_deref() == Some("GEOSHARDED") {
        return unfit(format!(
            "{} is a Global Cluster: live migration cannot target one. Pick a replica set or sharded cluster.",
            cluster.name
        ));
    }
    if cluster.bi_connector {
        return unfit(format!(
            "{} has the BI Connector on: turn it off in the cluster's settings, then check again.",
            cluster.name
        ));
    }
    if cluster.paused {
        return unfit(format!(
            "{} is paused: resume it in Atlas, then check again.",
            cluster.name
        ));
    }
    if let Some(state) = cluster.state_name.as_deref().filter(|s| *s != "IDLE") {
        return unfit(format!(
            "{} is {state}, not IDLE: wait until Atlas has finished changing it.",
            cluster.name
        ));
    }
    let source = source_version.and_then(major_minor);
    let destination = cluster.mongodb_version.as_deref().and_then(major_minor);
    if let (Some(s), Some(d)) = (source, destination) {
        if d < s {
            return unfit(format!(
                "{} runs MongoDB {}.{}, older than the source's {}.{}: a migration cannot go to an older version. Upgrade the cluster first.",
                cluster.name, d.0, d.1, s.0, s.1
            ));
        }
        if s.0 >= 6 && d.0 != s.0 {
            return DestinationFit::Fit {
                note: Some(format!(
                    "The source runs {}.{} and {} runs {}.{}: MongoDB's page for 6.0+ sources asks for the same major version. Validation will tell.",
                    s.0, s.1, cluster.name, d.0, d.1
                )),
            };
        }
    }
    let small = tier
        .strip_prefix('M')
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n < 40);
    DestinationFit::Fit {
        note: small.then(|| {
            format!(
                "{} is {tier}: MongoDB recommends M40 or larger for live migration.",
                cluster.name
            )
        }),
    }
}

/// The password of the source's migration user: sent only to Atlas, in the request body.
#[derive(Clone)]
pub struct SourcePassword(SecretString);

impl SourcePassword {
    /// Wraps a password: not empty, no control characters (kept as typed, not trimmed).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), never echoing the value.
    pub fn new(value: impl AsRef<str>) -> Result<Self, Error> {
        let value = value.as_ref();
        check_not_empty("source password", value.trim())?;
        check_no_control_chars("source password", value)?;
        Ok(Self(SecretString::from(value)))
    }
}

impl fmt::Debug for SourcePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SourcePassword(<redacted>)")
    }
}

/// How the source is signed in to.
#[derive(Clone, Debug)]
pub enum SourceAuth {
    /// The source's automation manages the migration user (`managedAuthentication: true`).
    Managed,
    /// A SCRAM user with `backup` and `readAnyDatabase` (and `clusterMonitor` when sharded).
    User {
        /// Its name.
        username: String,
        /// Its password.
        password: SourcePassword,
    },
}

/// How Atlas reaches the migration host's destination (`hostnameSchemaType`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Network {
    /// Public hostnames (`PUBLIC`).
    Public,
    /// A private endpoint (`PRIVATE_LINK`, with its id).
    PrivateLink {
        /// The private endpoint's id.
        id: String,
    },
    /// VPC or VNet peering (`VPC_PEERING`).
    VpcPeering,
}

impl Network {
    fn schema_type(&self) -> &'static str {
        match self {
            Self::Public => "PUBLIC",
            Self::PrivateLink { .. } => "PRIVATE_LINK",
            Self::VpcPeering => "VPC_PEERING",
        }
    }
}

/// A live migration to ask for (`validate` and `create` take the same body, version
/// 2024-05-30).
#[derive(Clone, Debug)]
pub struct MigrationRequest {
    /// The source project (Ops Manager or Cloud Manager).
    pub source_project: ProjectId,
    /// The source deployment (from `availableProjects`).
    pub source_cluster: String,
    /// How the source is signed in to.
    pub source_auth: SourceAuth,
    /// Whether the source uses TLS.
    pub source_tls: bool,
    /// A CA file on the migration host (not on this machine).
    pub source_ca_path: Option<String>,
    /// The destination Atlas project (the one in the path).
    pub atlas_project: ProjectId,
    /// The destination cluster.
    pub cluster: String,
    /// How the destination is reached.
    pub network: Network,
    /// The one migration host.
    pub migration_host: String,
    /// Wipe the destination first.
    pub drop_destination_data: bool,
}

impl MigrationRequest {
    /// The JSON body: the password appears here and nowhere else. The caller wipes it after
    /// sending.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut source = serde_json::json!({
            "clusterName": self.source_cluster,
            "groupId": self.source_project,
            "managedAuthentication": matches!(self.source_auth, SourceAuth::Managed),
            "ssl": self.source_tls,
        });
        if let SourceAuth::User { username, password } = &self.source_auth {
            source["username"] = username.clone().into();
            source["password"] = password.0.expose_secret().into();
        }
        if let Some(ca) = &self.source_ca_path {
            source["caCertificatePath"] = ca.clone().into();
        }
        let mut destination = serde_json::json!({
            "clusterName": self.cluster,
            "groupId": self.atlas_project,
            "hostnameSchemaType": self.network.schema_type(),
        });
        if let Network::PrivateLink { id } = &self.network {
            destination["privateLinkId"] = id.clone().into();
        }
        let body = serde_json::json!({
            "source": source,
            "destination": destination,
            "migrationHosts": [self.migration_host],
            "dropDestinationData": self.drop_destination_data,
        });
        serde_json::to_vec(&body).expect("JSON values always serialize")
    }
}

/// A validation's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValidationStatus {
    /// Still running.
    Pending,
    /// The migration can start.
    Success,
    /// It cannot: see the `errorMessage`.
    Failed,
    /// A state this omlink does not know.
    #[serde(untagged)]
    Other(String),
}

/// A validation, as Atlas answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// Its id.
    #[serde(rename = "_id")]
    pub id: String,
    /// Its state.
    pub status: ValidationStatus,
    /// Why it failed (free text from Atlas).
    pub error_message: Option<String>,
}

/// A migration's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MigrationStatus {
    /// Planned by omlink, waiting for its turn (never an Atlas state).
    Queued,
    /// Scheduled.
    New,
    /// Connecting, copying, applying changes, or (after cutover) stopping replication.
    Working,
    /// Done: the destination is the new primary copy.
    Complete,
    /// Failed: it must start again.
    Failed,
    /// The cutover window ran out: it must start again.
    Expired,
    /// A state this omlink does not know.
    #[serde(untagged)]
    Other(String),
}

impl MigrationStatus {
    /// Whether the migration still occupies its migration host and destination cluster.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::New | Self::Working | Self::Other(_))
    }

    /// Whether it failed or expired.
    pub fn is_lost(&self) -> bool {
        matches!(self, Self::Failed | Self::Expired)
    }
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Queued => "QUEUED",
            Self::New => "NEW",
            Self::Working => "WORKING",
            Self::Complete => "COMPLETE",
            Self::Failed => "FAILED",
            Self::Expired => "EXPIRED",
            Self::Other(s) => s,
        })
    }
}

/// A migration, as Atlas answers it (it does not echo the source or destination).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LiveMigration {
    /// Its id.
    #[serde(rename = "_id")]
    pub id: String,
    /// Its state.
    pub status: MigrationStatus,
    /// How far the destination trails the source, while `WORKING`.
    pub lag_time_seconds: Option<f64>,
    /// Whether it can be cut over (starts the 120-hour window).
    #[serde(default)]
    pub ready_for_cutover: bool,
    /// Its migration hosts.
    #[serde(default)]
    pub migration_hosts: Vec<String>,
}

#[cfg(test)]
mod tests;
