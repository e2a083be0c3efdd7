//! The Atlas look-alike's destination side and the live-migration lifecycle, played over time:
//! Atlas projects and clusters of several tiers, validations (`PENDING` → `SUCCESS` or
//! `FAILED` with an `errorMessage`) and migrations (`NEW` → `WORKING` with a falling lag →
//! ready for cutover → cutover → `COMPLETE`; or `FAILED`, or `EXPIRED`). A second active
//! migration on one migration host or one destination cluster is refused with 409.
//!
//! [`MigrationKnobs`] set the speed (one *step* is the time between phases; tests use a few
//! milliseconds) and the failures. Each migration keeps the knobs it was created with.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hyper::{Method, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::demo::{self, Role};
use crate::response::{
    Body, Flags, api_error, id_not_found, json_response, one_page, user_unauthorized,
};
use crate::{State, lock};

mod check;
use check::check_request;

const NO_FLAGS: Flags = Flags {
    pretty: false,
    envelope: false,
};

/// The migration user a source accepts when the request is not managed: its name.
pub const SOURCE_USERNAME: &str = "migrator";
/// … and its password.
pub const SOURCE_PASSWORD: &str = "sandbox-source-password-7d2e";

/// How fast the lifecycle runs and what goes wrong. Settable with
/// [`Sandbox::set_migration_knobs`](crate::Sandbox::set_migration_knobs) or
/// `PUT /__sandbox/migrations` (JSON, these field names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MigrationKnobs {
    /// Milliseconds per step: a validation ends after one step; a migration is `NEW` for one,
    /// then `WORKING` with its lag falling for four, then ready; `COMPLETE` one step after
    /// the cutover.
    pub step_ms: u64,
    /// Validations created from now on fail with this `errorMessage`.
    pub validation_error: Option<String>,
    /// Migrations created from now on fail after this many steps.
    pub fail_after_steps: Option<u32>,
    /// Migrations created from now on expire this many milliseconds after becoming ready
    /// (Atlas: 120 hours).
    pub expire_after_ready_ms: Option<u64>,
}

impl Default for MigrationKnobs {
    fn default() -> Self {
        Self {
            step_ms: 4000,
            validation_error: None,
            fail_after_steps: None,
            expire_after_ready_ms: None,
        }
    }
}

/// A cluster of an Atlas project.
#[derive(Clone, Copy, Debug)]
pub struct DemoCluster {
    /// Its name.
    pub name: &'static str,
    /// Its tier (`M40`, `M0`…).
    pub tier: &'static str,
    /// The provider (`AWS`; `TENANT` for shared tiers, `FLEX`).
    pub provider: &'static str,
    /// Its MongoDB version.
    pub version: &'static str,
    /// `REPLICASET`, `SHARDED` or `GEOSHARDED`.
    pub cluster_type: &'static str,
    /// Paused.
    pub paused: bool,
    /// BI Connector on.
    pub bi_connector: bool,
}

/// A project of an Atlas organization.
#[derive(Clone, Copy, Debug)]
pub struct DemoAtlasProject {
    /// Its id.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The Atlas organization it belongs to.
    pub org_id: &'static str,
    /// Its clusters.
    pub clusters: &'static [DemoCluster],
}

const fn fit(name: &'static str, tier: &'static str, version: &'static str) -> DemoCluster {
    DemoCluster {
        name,
        tier,
        provider: "AWS",
        version,
        cluster_type: "REPLICASET",
        paused: false,
        bi_connector: false,
    }
}

impl DemoCluster {
    const fn sharded(self) -> Self {
        Self {
            cluster_type: "SHARDED",
            ..self
        }
    }

    const fn with_bi_connector(self) -> Self {
        Self {
            bi_connector: true,
            ..self
        }
    }

    const fn paused(self) -> Self {
        Self {
            paused: true,
            ..self
        }
    }

    const fn on(self, provider: &'static str) -> Self {
        Self { provider, ..self }
    }
}

const fn atlas_project(
    id: &'static str,
    name: &'static str,
    org: usize,
    clusters: &'static [DemoCluster],
) -> DemoAtlasProject {
    DemoAtlasProject {
        id,
        name,
        org_id: demo::ATLAS_ORGS[org].id,
        clusters,
    }
}

/// Production: clusters that fit, and one of each kind that cannot receive a migration.
const PRODUCTION: &[DemoCluster] = &[
    fit("prod-main", "M40", "7.0.14"),
    fit("prod-next", "M50", "8.0.4"),
    fit("prod-sharded", "M40", "7.0.14").sharded(),
    fit("prod-analytics", "M30", "7.0.14").with_bi_connector(),
    fit("prod-archive", "M40", "7.0.14").paused(),
    fit("prod-legacy", "M40", "5.0.28"),
    fit("prod-free", "M0", "8.0.4").on("TENANT"),
];

/// Landing clusters for a fleet plan: one per source.
const LANDING: &[DemoCluster] = &[
    fit("landing-1", "M40", "7.0.14"),
    fit("landing-2", "M40", "7.0.14"),
    fit("landing-3", "M40", "7.0.14"),
];

/// Staging: a small dedicated tier and a Flex cluster.
const STAGING: &[DemoCluster] = &[
    fit("stage", "M10", "7.0.14"),
    fit("stage-flex", "FLEX", "8.0.4").on("FLEX"),
];

/// The Atlas projects, with clusters that fit and clusters that cannot receive a migration.
pub const ATLAS_PROJECTS: [DemoAtlasProject; 3] = [
    atlas_project("6b1c2d3e4f5a60718293a4c1", "Production", 0, PRODUCTION),
    atlas_project("6b1c2d3e4f5a60718293a4c2", "Migration landing", 0, LANDING),
    atlas_project("6b1c2d3e4f5a60718293a4c3", "Staging", 1, STAGING),
];

/// The migration host that serves source project `project_id` (one per project).
pub fn migration_host_of(project_id: &str) -> String {
    format!("mh-{project_id}.sandbox.internal")
}

struct Validation {
    group: String,
    source_group: String,
    created: Instant,
    step: Duration,
    error: Option<String>,
}

struct Migration {
    group: String,
    cluster: String,
    host: String,
    created: Instant,
    knobs: MigrationKnobs,
    cutover: Option<Instant>,
}

/// The validations and migrations Atlas knows, and the knobs.
#[derive(Default)]
pub(crate) struct Migrations {
    pub knobs: MigrationKnobs,
    validations: BTreeMap<String, Validation>,
    migrations: BTreeMap<String, Migration>,
}

/// What a migration looks like at `now`: status, lag, ready.
fn phase(m: &Migration, now: Instant) -> (&'static str, Option<f64>, bool) {
    let step = Duration::from_millis(m.knobs.step_ms.max(1));
    let steps =
        |since: Instant| now.saturating_duration_since(since).as_secs_f64() / step.as_secs_f64();
    let s = steps(m.created);
    if let Some(cut) = m.cutover {
        return if steps(cut) >= 1.0 {
            ("COMPLETE", None, false)
        } else {
            ("WORKING", Some(0.0), false)
        };
    }
    if m.knobs.fail_after_steps.is_some_and(|n| s >= f64::from(n)) {
        return ("FAILED", None, false);
    }
    if s < 1.0 {
        return ("NEW", None, false);
    }
    if s < 5.0 {
        // 600 s, then a third each step.
        let lag = (600.0 / 3f64.powi((s - 1.0).floor() as i32)).round();
        return ("WORKING", Some(lag), false);
    }
    let ready_at = m.created + step * 5;
    if m.knobs
        .expire_after_ready_ms
        .is_some_and(|ms| now.saturating_duration_since(ready_at) >= Duration::from_millis(ms))
    {
        return ("EXPIRED", None, false);
    }
    ("WORKING", Some(2.0), true)
}

fn is_active(m: &Migration, now: Instant) -> bool {
    matches!(phase(m, now).0, "NEW" | "WORKING")
}

fn migration_json(id: &str, m: &Migration, now: Instant) -> Value {
    let (status, lag, ready) = phase(m, now);
    json!({
        "_id": id,
        "status": status,
        "lagTimeSeconds": lag,
        "readyForCutover": ready,
        "migrationHosts": [m.host],
    })
}

fn validation_json(id: &str, v: &Validation, now: Instant) -> Value {
    let done = now.saturating_duration_since(v.created) >= v.step;
    let (status, message) = match (&v.error, done) {
        (_, false) => ("PENDING", None),
        (None, true) => ("SUCCESS", None),
        (Some(e), true) => ("FAILED", Some(e.clone())),
    };
    json!({
        "_id": id,
        "groupId": v.group,
        "sourceGroupId": v.source_group,
        "status": status,
        "errorMessage": message,
    })
}

fn new_id() -> String {
    rand::random::<[u8; 12]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /orgs/{orgId}/groups`: the Atlas organization's projects.
pub(crate) fn projects(org: &str) -> Response<Body> {
    let results: Vec<Value> = ATLAS_PROJECTS
        .iter()
        .filter(|p| p.org_id == org)
        .map(project_json)
        .collect();
    one_page(results, NO_FLAGS)
}

fn project_json(p: &DemoAtlasProject) -> Value {
    json!({"id": p.id, "name": p.name, "orgId": p.org_id,
           "clusterCount": p.clusters.len(), "created": "2025-03-01T09:00:00Z"})
}

/// `GET /groups/{groupId}`: one project, with its organization.
pub(crate) fn project(group: &str) -> Response<Body> {
    match ATLAS_PROJECTS.iter().find(|p| p.id == group) {
        Some(p) => json_response(StatusCode::OK, Some(project_json(p)), NO_FLAGS),
        None => id_not_found("GROUP_NOT_FOUND", "group", group, NO_FLAGS),
    }
}

/// `GET /groups/{groupId}/clusters`, in the 2024-08-05 shape when `current`, else the older
/// one (`providerSettings`).
pub(crate) fn clusters(group: &str, current: bool) -> Response<Body> {
    let Some(project) = ATLAS_PROJECTS.iter().find(|p| p.id == group) else {
        return id_not_found("GROUP_NOT_FOUND", "group", group, NO_FLAGS);
    };
    let results: Vec<Value> = project
        .clusters
        .iter()
        .map(|c| {
            let mut v = json!({
                "name": c.name, "groupId": project.id, "mongoDBVersion": c.version,
                "clusterType": c.cluster_type, "stateName": "IDLE", "paused": c.paused,
                "biConnector": {"enabled": c.bi_connector, "readPreference": "secondary"},
            });
            if current {
                v["replicationSpecs"] = json!([{"regionConfigs": [{
                    "providerName": c.provider, "regionName": "US_EAST_1",
                    "electableSpecs": {"instanceSize": c.tier, "nodeCount": 3}}]}]);
            } else {
                v["providerSettings"] =
                    json!({"providerName": c.provider, "instanceSizeName": c.tier});
            }
            v
        })
        .collect();
    one_page(results, NO_FLAGS)
}

/// `groups/{groupId}/liveMigrations…`, authenticated: validate, read a validation, create,
/// read, cut over. `segments` is what follows `liveMigrations`.
pub(crate) fn route(
    state: &State,
    method: &Method,
    group: &str,
    segments: &[&str],
    body: &[u8],
    role: Role,
) -> Response<Body> {
    let now = Instant::now();
    let writes = *method != Method::GET;
    if writes && role != Role::OrgOwner {
        return user_unauthorized(NO_FLAGS);
    }
    match (method, segments) {
        (&Method::POST, ["validate"]) => match check_request(state, group, body) {
            Err(refusal) => refusal,
            Ok(c) => {
                let mut m = lock(&state.migrations);
                let error = m.knobs.validation_error.clone().or(c.failure);
                let v = Validation {
                    group: group.to_owned(),
                    source_group: c.source_group,
                    created: now,
                    step: Duration::from_millis(m.knobs.step_ms.max(1)),
                    error,
                };
                let id = new_id();
                let answer = validation_json(&id, &v, now);
                m.validations.insert(id, v);
                json_response(StatusCode::OK, Some(answer), NO_FLAGS)
            }
        },
        (&Method::GET, ["validate", id]) => {
            let m = lock(&state.migrations);
            match m.validations.get(*id).filter(|v| v.group == group) {
                Some(v) => {
                    json_response(StatusCode::OK, Some(validation_json(id, v, now)), NO_FLAGS)
                }
                None => id_not_found("VALIDATION_NOT_FOUND", "validation", id, NO_FLAGS),
            }
        }
        (&Method::POST, []) => match check_request(state, group, body) {
            Err(refusal) => refusal,
            Ok(c) => {
                let mut m = lock(&state.migrations);
                let busy = m.migrations.iter().find(|(_, other)| {
                    is_active(other, now)
                        && (other.host == c.host
                            || (other.group == group && other.cluster == c.cluster))
                });
                if let Some((other_id, other)) = busy {
                    let what = if other.host == c.host {
                        format!("migration host {}", c.host)
                    } else {
                        format!("destination cluster {}", c.cluster)
                    };
                    return api_error(
                        StatusCode::CONFLICT,
                        Some("LIVE_MIGRATION_IN_PROGRESS"),
                        &format!("Live migration {other_id} is already using {what}."),
                        std::slice::from_ref(other_id),
                        NO_FLAGS,
                    );
                }
                let migration = Migration {
                    group: group.to_owned(),
                    cluster: c.cluster,
                    host: c.host,
                    created: now,
                    knobs: m.knobs.clone(),
                    cutover: None,
                };
                let id = new_id();
                let answer = migration_json(&id, &migration, now);
                m.migrations.insert(id, migration);
                json_response(StatusCode::CREATED, Some(answer), NO_FLAGS)
            }
        },
        (&Method::GET, [id]) => {
            let m = lock(&state.migrations);
            match m.migrations.get(*id).filter(|x| x.group == group) {
                Some(x) => {
                    json_response(StatusCode::OK, Some(migration_json(id, x, now)), NO_FLAGS)
                }
                None => id_not_found("LIVE_MIGRATION_NOT_FOUND", "live migration", id, NO_FLAGS),
            }
        }
        (&Method::PUT, [id, "cutover"]) => {
            let mut m = lock(&state.migrations);
            let Some(x) = m.migrations.get_mut(*id).filter(|x| x.group == group) else {
                return id_not_found("LIVE_MIGRATION_NOT_FOUND", "live migration", id, NO_FLAGS);
            };
            if !phase(x, now).2 {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    Some("LIVE_MIGRATION_NOT_READY_FOR_CUTOVER"),
                    &format!("Live migration {id} is not ready for cutover."),
                    &[(*id).to_owned()],
                    NO_FLAGS,
                );
            }
            x.cutover = Some(now);
            let mut r = Response::new(crate::response::full(Vec::new()));
            *r.status_mut() = StatusCode::ACCEPTED;
            r
        }
        _ => api_error(
            StatusCode::NOT_FOUND,
            Some("RESOURCE_NOT_FOUND"),
            &format!(
                "omlink-sandbox has no Atlas endpoint {method} /groups/{group}/liveMigrations/{}",
                segments.join("/")
            ),
            &[],
            NO_FLAGS,
        ),
    }
}

/// Whether a migration of the sandbox is still active (for tests: no two on one host).
pub(crate) fn active_count(migrations: &Migrations) -> usize {
    let now = Instant::now();
    migrations
        .migrations
        .values()
        .filter(|m| is_active(m, now))
        .count()
}
