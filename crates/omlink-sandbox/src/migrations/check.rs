//! How the sandbox's Atlas checks a live-migration request before it validates or creates
//! it: the required fields (400 naming them), the destination and the source.

use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use super::{ATLAS_PROJECTS, NO_FLAGS, SOURCE_PASSWORD, SOURCE_USERNAME, migration_host_of};
use crate::demo;
use crate::response::{Body, api_error, id_not_found, json_response};
use crate::{State, lock};

/// The parts of a migration request this sandbox checks.
pub(super) struct Checked {
    pub source_group: String,
    pub cluster: String,
    pub host: String,
    /// Why validation will fail (wrong password, older destination…).
    pub failure: Option<String>,
}

/// Checks a migration request as Atlas would: the fields it requires (400), the destination
/// (the project in the path, a cluster that can receive it) and the source (a project of a
/// source organization linked to this Atlas organization, one of its deployments, its
/// migration host).
pub(super) fn check_request(
    state: &State,
    group: &str,
    body: &[u8],
) -> Result<Checked, Response<Body>> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            Some("INVALID_JSON"),
            "Received JSON is malformed.",
            &[],
            NO_FLAGS,
        ));
    };
    let text = |path: &str| v.pointer(path).and_then(Value::as_str).map(str::to_owned);
    let required = [
        "/source/clusterName",
        "/source/groupId",
        "/destination/clusterName",
        "/destination/groupId",
        "/destination/hostnameSchemaType",
    ];
    let missing: Vec<&str> = required
        .iter()
        .filter(|p| text(p).is_none_or(|t| t.is_empty()))
        .map(|p| &p[1..])
        .collect();
    let bools = ["/source/managedAuthentication", "/source/ssl"];
    let missing_bools: Vec<&str> = bools
        .iter()
        .filter(|p| v.pointer(p).and_then(Value::as_bool).is_none())
        .map(|p| &p[1..])
        .collect();
    if !missing.is_empty() || !missing_bools.is_empty() {
        let all: Vec<&str> = missing.iter().chain(&missing_bools).copied().collect();
        return Err(bad_request(
            &format!("Required fields are missing: {}.", all.join(", ")),
            &all,
        ));
    }
    let schema = text("/destination/hostnameSchemaType").unwrap_or_default();
    if !matches!(schema.as_str(), "PUBLIC" | "PRIVATE_LINK" | "VPC_PEERING") {
        return Err(bad_request(
            &format!("Invalid hostnameSchemaType {schema}."),
            &["destination.hostnameSchemaType"],
        ));
    }
    if schema == "PRIVATE_LINK" && text("/destination/privateLinkId").is_none() {
        return Err(bad_request(
            "A PRIVATE_LINK destination needs a privateLinkId.",
            &["destination.privateLinkId"],
        ));
    }
    let hosts = v.get("migrationHosts").and_then(Value::as_array);
    let Some([host]) = hosts.map(Vec::as_slice) else {
        return Err(bad_request(
            "Exactly one migration host must be specified.",
            &["migrationHosts"],
        ));
    };
    let host = host.as_str().unwrap_or_default().to_owned();
    if text("/destination/groupId").as_deref() != Some(group) {
        return Err(bad_request(
            "The destination groupId must be the project of the request path.",
            &["destination.groupId"],
        ));
    }
    let project = ATLAS_PROJECTS.iter().find(|p| p.id == group);
    let Some(project) = project else {
        return Err(id_not_found("GROUP_NOT_FOUND", "group", group, NO_FLAGS));
    };
    let cluster_name = text("/destination/clusterName").unwrap_or_default();
    let Some(cluster) = project.clusters.iter().find(|c| c.name == cluster_name) else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            Some("CLUSTER_NOT_FOUND"),
            &format!("No cluster named {cluster_name} exists in group {group}."),
            &[cluster_name.clone(), group.to_owned()],
            NO_FLAGS,
        ));
    };
    if cluster.provider == "TENANT"
        || cluster.provider == "FLEX"
        || cluster.bi_connector
        || cluster.paused
    {
        return Err(bad_request(
            &format!(
                "Cluster {cluster_name} cannot be the destination of a live migration (shared or Flex tier, BI Connector on, or paused)."
            ),
            &["destination.clusterName"],
        ));
    }
    let source_group = text("/source/groupId").unwrap_or_default();
    let source_cluster = text("/source/clusterName").unwrap_or_default();
    let source = lock(&state.orgs)
        .iter()
        .filter(|(_, o)| o.linked && o.atlas_org.as_deref() == Some(project.org_id))
        .flat_map(|(id, o)| demo::projects_of(id, &o.name))
        .find(|p| p.id == source_group);
    let Some(source) = source else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            Some("RESOURCE_NOT_FOUND"),
            &format!(
                "Source project {source_group} is not available to this organization: link its organization first."
            ),
            std::slice::from_ref(&source_group),
            NO_FLAGS,
        ));
    };
    let Some(deployment) = source.deployments.iter().find(|d| d.name == source_cluster) else {
        return Err(bad_request(
            &format!("Source project {source_group} has no deployment {source_cluster}."),
            &["source.clusterName"],
        ));
    };
    if host != migration_host_of(&source.id) {
        return Err(bad_request(
            &format!("Migration host {host} does not serve source project {source_group}."),
            &["migrationHosts"],
        ));
    }
    let managed = v.pointer("/source/managedAuthentication") == Some(&Value::Bool(true));
    let mut failure = None;
    if !managed
        && (text("/source/username").as_deref() != Some(SOURCE_USERNAME)
            || text("/source/password").as_deref() != Some(SOURCE_PASSWORD))
    {
        failure = Some("The username or password is not correct.".to_owned());
    }
    let major = |v: &str| {
        v.split('.')
            .take(2)
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    if major(cluster.version) < major(&deployment.version) {
        failure = Some(format!(
            "The destination cluster's MongoDB version {} is lower than the source's {}.",
            cluster.version, deployment.version
        ));
    }
    Ok(Checked {
        source_group,
        cluster: cluster_name,
        host,
        failure,
    })
}

/// A 400 `VALIDATION_ERROR`; Atlas names the offending fields in `badRequestDetail`.
fn bad_request(detail: &str, fields: &[&str]) -> Response<Body> {
    let mut r = api_error(
        StatusCode::BAD_REQUEST,
        Some("VALIDATION_ERROR"),
        detail,
        &[],
        NO_FLAGS,
    );
    if !fields.is_empty() {
        let body = json!({
            "detail": detail,
            "error": 400,
            "errorCode": "VALIDATION_ERROR",
            "parameters": [],
            "reason": "Bad Request",
            "badRequestDetail": {"fields": fields.iter().map(|f| json!({"field": f, "description": detail})).collect::<Vec<_>>()},
        });
        r = json_response(StatusCode::BAD_REQUEST, Some(body), NO_FLAGS);
    }
    r
}
