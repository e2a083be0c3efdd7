//! Before linking: does MongoDB still support push live migration from this organization's
//! deployments? MongoDB deprecates it from deployments managed or monitored by **Ops Manager**
//! (deprecated for MongoDB 5.0 and older, not supported for 6.0 and newer); deployments
//! monitored by **Cloud Manager** on 6.0 and newer are supported. A warning, never a block.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::profile::ServerKind;
use crate::validate::OrgId;

/// What MongoDB says about push live migration from a project's deployments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// Supported (Cloud Manager, MongoDB 6.0 and newer).
    Supported,
    /// Still works, but deprecated (Ops Manager, MongoDB 5.0 and older).
    Deprecated,
    /// Not supported (Ops Manager, MongoDB 6.0 and newer).
    NotSupported,
    /// omlink cannot tell (no versions found, or a case MongoDB's notes do not cover).
    Unknown,
}

/// One project's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProjectCheck {
    /// The project's id.
    pub project_id: String,
    /// Its name.
    pub name: String,
    /// The distinct MongoDB versions its hosts run, sorted.
    pub versions: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The verdict in one plain sentence.
    pub message: String,
}

/// The verdict for deployments running `versions` on `server`.
pub fn judge(server: ServerKind, versions: &[String]) -> (Verdict, String) {
    let majors: Vec<u32> = versions.iter().filter_map(|v| major(v)).collect();
    if majors.is_empty() {
        return (
            Verdict::Unknown,
            "No host with a MongoDB version was found in this project: check its deployments \
             before migrating."
                .to_owned(),
        );
    }
    let list = versions.join(", ");
    let newest = majors.iter().copied().max().unwrap_or(0);
    let oldest = majors.iter().copied().min().unwrap_or(0);
    match server {
        ServerKind::OpsManager if newest >= 6 => (
            Verdict::NotSupported,
            format!(
                "MongoDB {list}: push live migration from a deployment managed or monitored by \
                 Ops Manager is not supported for MongoDB 6.0 and later."
            ),
        ),
        ServerKind::OpsManager => (
            Verdict::Deprecated,
            format!(
                "MongoDB {list}: push live migration from a deployment managed or monitored by \
                 Ops Manager is deprecated for MongoDB 5.0 and earlier; it still works, but plan \
                 for its end."
            ),
        ),
        ServerKind::CloudManager if oldest >= 6 => (
            Verdict::Supported,
            format!(
                "MongoDB {list}: push live migration from a deployment monitored by Cloud Manager \
                 is supported for MongoDB 6.0 and later."
            ),
        ),
        ServerKind::CloudManager => (
            Verdict::Unknown,
            format!(
                "MongoDB {list}: MongoDB's notes cover Cloud Manager deployments on 6.0 and \
                 later; check its current documentation for older versions."
            ),
        ),
    }
}

/// The major version of `5.0.26`, `6.0.15-ent`, `7.0`.
fn major(version: &str) -> Option<u32> {
    version.trim().split('.').next()?.parse().ok()
}

/// Reads organization `org`'s projects and their hosts' versions, and judges each project.
///
/// # Errors
/// As [`Client::list_projects`] and [`Client::list_hosts`].
pub async fn preflight(
    client: &Client,
    server: ServerKind,
    org: &OrgId,
) -> Result<Vec<ProjectCheck>, Error> {
    let mut checks = Vec::new();
    for project in client.list_projects(org).await? {
        let Ok(id) = OrgId::new(&project.id) else {
            continue;
        };
        let mut versions: Vec<String> = client
            .list_hosts(org, &id)
            .await?
            .into_iter()
            .filter_map(|h| h.version)
            .filter(|v| !v.trim().is_empty())
            .collect();
        versions.sort_by(|a, b| {
            let key = |v: &str| {
                v.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse::<u32>().ok())
                    .collect::<Vec<_>>()
            };
            key(a).cmp(&key(b)).then_with(|| a.cmp(b))
        });
        versions.dedup();
        let (verdict, message) = judge(server, &versions);
        checks.push(ProjectCheck {
            project_id: project.id,
            name: project.name,
            versions,
            verdict,
            message,
        });
    }
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Each case's versions get its verdict from a `server`.
    fn assert_verdicts(server: ServerKind, cases: &[(&[&str], Verdict)]) {
        for (versions, expected) in cases {
            assert_eq!(
                &judge(server, &v(versions)).0,
                expected,
                "{server:?} {versions:?}"
            );
        }
    }

    #[test]
    fn ops_manager_is_deprecated_up_to_5_0_and_unsupported_from_6_0() {
        assert_verdicts(
            ServerKind::OpsManager,
            &[
                (&["4.4.29", "5.0.26"], Verdict::Deprecated),
                (&["5.0.26", "6.0.15-ent"], Verdict::NotSupported),
                (&["7.0.12"], Verdict::NotSupported),
            ],
        );
    }

    #[test]
    fn cloud_manager_is_supported_from_6_0_and_unknown_below() {
        assert_verdicts(
            ServerKind::CloudManager,
            &[
                (&["6.0.15", "7.0.12"], Verdict::Supported),
                (&["5.0.26", "7.0.12"], Verdict::Unknown),
            ],
        );
    }

    #[test]
    fn no_versions_is_unknown_and_every_message_names_the_versions() {
        assert_verdicts(
            ServerKind::OpsManager,
            &[(&[], Verdict::Unknown), (&["garbage"], Verdict::Unknown)],
        );
        let (_, message) = judge(ServerKind::OpsManager, &v(&["6.0.15"]));
        assert!(
            message.contains("6.0.15") && message.contains("not supported"),
            "{message}"
        );
    }
}
