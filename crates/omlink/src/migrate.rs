//! The live-migration journey over the Atlas client, for the CLI and the app alike: a request
//! completed and checked from what Atlas says (the source's deployment and migration host,
//! the destination's fit) before anything is written; the validation waited for; the start
//! recorded; a record refreshed from Atlas; the cutover refused unless Atlas says ready.
//!
//! Polling is polite: it starts fast and backs off, and a 429 waits for `Retry-After`.

use std::time::{Duration, SystemTime};

use crate::atlas::{AtlasClient, AvailableProject};
use crate::error::{Error, ErrorKind};
use crate::ids::{MigrationId, ProjectId};
use crate::migration::{
    AtlasCluster, DestinationFit, LiveMigration, MigrationRequest, MigrationStatus, Network,
    SourceAuth, Validation, ValidationStatus, check_destination,
};
use crate::migration_record::{MigrationRecord, Progress, rfc3339};
use crate::validate::OrgId;
use crate::workbench::Persistence;

/// What a person asks for: the destination, the source, and how to reach and sign in to it.
/// The source cluster and the migration host default to the source project's only ones.
#[derive(Clone, Debug)]
pub struct MigrationSpec {
    /// The destination Atlas project.
    pub atlas_project: ProjectId,
    /// The destination cluster's name.
    pub cluster: String,
    /// The source project (Ops Manager or Cloud Manager).
    pub source_project: ProjectId,
    /// The source deployment; `None`: the project's only one.
    pub source_cluster: Option<String>,
    /// The migration host; `None`: the project's only one.
    pub migration_host: Option<String>,
    /// How the source is reached and signed in to, and the destination treated.
    pub options: MigrationOptions,
}

/// What a migration's request says besides the source and the destination (one set for every
/// row of a plan, but the network a row may name).
#[derive(Clone, Debug)]
pub struct MigrationOptions {
    /// How Atlas reaches the destination.
    pub network: Network,
    /// How the source is signed in to.
    pub source_auth: SourceAuth,
    /// Whether the source uses TLS.
    pub source_tls: bool,
    /// A CA file on the migration host.
    pub source_ca_path: Option<String>,
    /// Wipe the destination first.
    pub drop_destination_data: bool,
}

/// The defaults the CLI's flags and the window start from: public network, managed
/// authentication, no TLS, the destination's data kept.
impl Default for MigrationOptions {
    fn default() -> Self {
        Self {
            network: Network::Public,
            source_auth: SourceAuth::Managed,
            source_tls: false,
            source_ca_path: None,
            drop_destination_data: false,
        }
    }
}

/// A request ready to send, and what was learnt on the way.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The request, every default filled in.
    pub request: MigrationRequest,
    /// The Atlas organization of the destination project.
    pub atlas_org: String,
    /// The source project's name, as Atlas lists it.
    pub source_name: String,
    /// The source deployment's MongoDB version, when Atlas says it.
    pub source_version: Option<String>,
    /// The destination cluster.
    pub destination: AtlasCluster,
    /// A note about the destination (a small tier, a different major version).
    pub note: Option<String>,
}

/// The source deployment and migration host of `project` among Atlas's available projects:
/// the ones named, or the project's only ones.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] when the project is not available (its organization is not
/// linked), a named one does not exist, or there is more than one to choose from (the error
/// lists them).
pub fn choose_source<'a>(
    available: &'a [AvailableProject],
    project: &ProjectId,
    cluster: Option<&str>,
    host: Option<&str>,
) -> Result<(&'a AvailableProject, &'a crate::atlas::Deployment, String), Error> {
    let Some(p) = available
        .iter()
        .find(|p| p.project_id.eq_ignore_ascii_case(project.as_str()))
    else {
        return Err(Error::invalid_input(
            format!(
                "Source project {project} is not among the projects this Atlas organization can migrate from"
            ),
            "Link the source project's organization to this Atlas organization first (`omlink link --atlas-org …`), then check `omlink atlas projects --atlas-org …`.",
        ));
    };
    let names: Vec<&str> = p.deployments.iter().map(|d| d.name.as_str()).collect();
    let deployment = match cluster {
        Some(name) => p
            .deployments
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| {
                Error::invalid_input(
                    format!("Source project {project} has no deployment {name:?}"),
                    format!("Its deployments: {}.", names.join(", ")),
                )
            })?,
        None => only_one(
            &p.deployments,
            &names,
            project,
            (
                "deployment",
                "deployment Atlas can migrate",
                "source-cluster",
            ),
            "Check the project in Ops Manager or Cloud Manager: its deployments must be monitored or managed.",
        )?,
    };
    let host = match host {
        Some(h) if p.migration_hosts.iter().any(|m| m == h) => h.to_owned(),
        Some(h) => {
            return Err(Error::invalid_input(
                format!("{h} is not a migration host of source project {project}"),
                format!("Its migration hosts: {}.", list_or_none(&p.migration_hosts)),
            ));
        }
        None => {
            let names: Vec<&str> = p.migration_hosts.iter().map(String::as_str).collect();
            only_one(
                &p.migration_hosts,
                &names,
                project,
                ("migration host", "migration host", "migration-host"),
                "Add a migration host to the project in Ops Manager or Cloud Manager (Deployment → Migration hosts), then try again.",
            )?
            .clone()
        }
    };
    Ok((p, deployment, host))
}

/// The only one of a source project's `items` (its deployments or its migration hosts, named
/// `names`). `what` names one in the error for several, `missing` in the error for none, and
/// `flag` is how a person picks one; `hint` says what to do about none.
fn only_one<'a, T>(
    items: &'a [T],
    names: &[&str],
    project: &ProjectId,
    (what, missing, flag): (&str, &str, &str),
    hint: &str,
) -> Result<&'a T, Error> {
    match items {
        [only] => Ok(only),
        [] => Err(Error::invalid_input(
            format!("Source project {project} has no {missing}"),
            hint,
        )),
        _ => Err(Error::invalid_input(
            format!("Source project {project} has more than one {what}"),
            format!("Pass --{flag} with one of: {}.", names.join(", ")),
        )),
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// The destination cluster named `name` among `clusters`, checked against the source.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] when there is no such cluster (the error lists them) or it
/// cannot receive a live migration (the reason).
pub fn choose_destination<'a>(
    clusters: &'a [AtlasCluster],
    project: &ProjectId,
    name: &str,
    source_version: Option<&str>,
) -> Result<(&'a AtlasCluster, Option<String>), Error> {
    let Some(cluster) = clusters.iter().find(|c| c.name == name) else {
        let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
        return Err(Error::invalid_input(
            format!("Atlas project {project} has no cluster {name:?}"),
            if names.is_empty() {
                "Create the destination cluster in Atlas first (M10 or larger; M40+ recommended)."
                    .to_owned()
            } else {
                format!("Its clusters: {}.", names.join(", "))
            },
        ));
    };
    match check_destination(cluster, source_version) {
        DestinationFit::Fit { note } => Ok((cluster, note)),
        DestinationFit::Unfit { reason } => Err(Error::invalid_input(
            format!("{name} cannot receive a live migration"),
            reason,
        )),
    }
}

/// Completes and checks `spec` from Atlas (reads only: nothing is written): the destination
/// project's organization, the source among its available projects, the destination cluster
/// and its fit.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] from [`choose_source`] and [`choose_destination`]; any error
/// of the reads.
pub async fn prepare(atlas: &AtlasClient, spec: &MigrationSpec) -> Result<Prepared, Error> {
    let project = atlas.project(&spec.atlas_project).await?;
    let org = OrgId::new(&project.org_id)?;
    let available = atlas.available_projects(&org).await?;
    let clusters = atlas.list_clusters(&spec.atlas_project).await?;
    prepare_from(spec, &org, &available, &clusters)
}

/// [`prepare`] from answers already read (a plan reads each project once).
///
/// # Errors
/// As [`prepare`].
pub fn prepare_from(
    spec: &MigrationSpec,
    atlas_org: &OrgId,
    available: &[AvailableProject],
    clusters: &[AtlasCluster],
) -> Result<Prepared, Error> {
    let (source, deployment, host) = choose_source(
        available,
        &spec.source_project,
        spec.source_cluster.as_deref(),
        spec.migration_host.as_deref(),
    )?;
    let version = deployment.mongodb_version.clone();
    let (destination, note) = choose_destination(
        clusters,
        &spec.atlas_project,
        &spec.cluster,
        version.as_deref(),
    )?;
    Ok(Prepared {
        request: MigrationRequest {
            source_project: spec.source_project.clone(),
            source_cluster: deployment.name.clone(),
            source_auth: spec.options.source_auth.clone(),
            source_tls: spec.options.source_tls,
            source_ca_path: spec.options.source_ca_path.clone(),
            atlas_project: spec.atlas_project.clone(),
            cluster: destination.name.clone(),
            network: spec.options.network.clone(),
            migration_host: host,
            drop_destination_data: spec.options.drop_destination_data,
        },
        atlas_org: atlas_org.to_string(),
        source_name: source.name.clone(),
        source_version: version,
        destination: destination.clone(),
        note,
    })
}

/// Asks Atlas to validate `request` and waits for the answer.
///
/// # Errors
/// [`ErrorKind::Rejected`] with Atlas's `errorMessage` when the validation fails; any error
/// of the calls.
pub async fn validate(
    atlas: &AtlasClient,
    request: &MigrationRequest,
    polling: Polling,
) -> Result<Validation, Error> {
    let mut v = patiently(polling.first, || atlas.validate_migration(request)).await?;
    let mut wait = polling.first;
    while v.status == ValidationStatus::Pending {
        tokio::time::sleep(wait).await;
        let id = MigrationId::new(&v.id)?;
        v = patiently(wait, || atlas.validation(&request.atlas_project, &id)).await?;
        wait = polling.next(wait);
    }
    match v.status {
        ValidationStatus::Success => Ok(v),
        _ => Err(validation_failed(&v)),
    }
}

fn validation_failed(v: &Validation) -> Error {
    let reason = v
        .error_message
        .clone()
        .unwrap_or_else(|| "Atlas gave no reason".to_owned());
    Error::new(
        ErrorKind::Rejected,
        format!("Atlas's validation failed: {reason}"),
        "Fix what Atlas names (the source's user and password, TLS options, the migration host, the destination's version or disk), then validate again.",
    )
}

/// Validates, then starts the migration.
///
/// # Errors
/// As [`validate`]; the create call's (a 409 when another migration uses the migration host
/// or the destination cluster).
pub async fn start(
    atlas: &AtlasClient,
    request: &MigrationRequest,
    polling: Polling,
) -> Result<LiveMigration, Error> {
    validate(atlas, request, polling).await?;
    patiently(polling.first, || atlas.create_migration(request)).await
}

/// A record of `prepared`, started as `migration` (or queued when `None`), at `now`.
pub fn record_of(
    prepared: &Prepared,
    atlas_url: &str,
    source_org: Option<&str>,
    migration: Option<&LiveMigration>,
    now: SystemTime,
) -> MigrationRecord {
    let r = &prepared.request;
    let at = rfc3339(now);
    let mut record = MigrationRecord {
        id: migration.map_or_else(queued_id, |m| m.id.clone()),
        atlas_url: atlas_url.to_owned(),
        atlas_connection: None,
        atlas_project: r.atlas_project.to_string(),
        cluster: r.cluster.clone(),
        source_org: source_org.unwrap_or_default().to_owned(),
        source_project: r.source_project.to_string(),
        source_cluster: r.source_cluster.clone(),
        migration_host: r.migration_host.clone(),
        network: r.network.clone(),
        source_username: match &r.source_auth {
            SourceAuth::Managed => None,
            SourceAuth::User { username, .. } => Some(username.clone()),
        },
        source_tls: r.source_tls,
        source_ca_path: r.source_ca_path.clone(),
        drop_destination_data: r.drop_destination_data,
        created_at: at.clone(),
        started_at: migration.map(|_| at.clone()),
        status: MigrationStatus::Queued,
        progress: Progress::default(),
        plan_row: None,
        last_error: None,
        extra: serde_json::Map::new(),
    };
    if let Some(m) = migration {
        record.observe(m, now);
    }
    record
}

fn queued_id() -> String {
    let bytes: [u8; 8] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("queued-{hex}")
}

/// Reads a started migration from Atlas and takes the answer into its record.
///
/// # Errors
/// The read's error (the record is unchanged); [`ErrorKind::InvalidInput`] for a queued
/// record.
pub async fn refresh(atlas: &AtlasClient, record: &mut MigrationRecord) -> Result<(), Error> {
    let (project, id) = ids_of(record)?;
    let answer = patiently(Duration::from_secs(2), || atlas.migration(&project, &id)).await?;
    record.observe(&answer, SystemTime::now());
    Ok(())
}

fn ids_of(record: &MigrationRecord) -> Result<(ProjectId, MigrationId), Error> {
    if record.is_queued() {
        return Err(Error::invalid_input(
            format!("{} is queued: Atlas has not started it yet", record.id),
            "Start it with `omlink atlas migration start --queued` when its turn comes.",
        ));
    }
    Ok((
        ProjectId::new(&record.atlas_project)?,
        MigrationId::new(&record.id)?,
    ))
}

/// Cuts a migration over: read first, and refused (nothing sent) unless Atlas says it is
/// ready; then `PUT …/cutover`, noted in the record.
///
/// # Errors
/// [`ErrorKind::Rejected`] when it is not ready for cutover; any error of the calls.
pub async fn cutover(atlas: &AtlasClient, record: &mut MigrationRecord) -> Result<(), Error> {
    refresh(atlas, record).await?;
    ready_for_cutover(record)?;
    let (project, id) = ids_of(record)?;
    patiently(Duration::from_secs(2), || atlas.cutover(&project, &id)).await?;
    record.progress.cutover_at = Some(rfc3339(SystemTime::now()));
    Ok(())
}

/// Whether Atlas last said `record` is ready for cutover.
///
/// # Errors
/// [`ErrorKind::Rejected`] when it is not (nothing was sent).
pub fn ready_for_cutover(record: &MigrationRecord) -> Result<(), Error> {
    if record.progress.ready_for_cutover {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Rejected,
        format!(
            "Migration {} is not ready for cutover (Atlas says {}); nothing was sent",
            record.id, record.status
        ),
        "Wait until it is ready (`omlink atlas migration watch`), then cut over.",
    ))
}

/// Puts `record` in the store in place of the one with id `previous` (a queued row that
/// started) or its own, else at the end.
///
/// # Errors
/// [`ErrorKind::Storage`].
pub fn save(
    store: &dyn Persistence,
    previous: &str,
    record: &MigrationRecord,
) -> Result<(), Error> {
    store
        .update(&mut |data| {
            match data
                .migrations
                .iter_mut()
                .find(|r| r.id == previous || r.id == record.id)
            {
                Some(slot) => *slot = record.clone(),
                None => data.migrations.push(record.clone()),
            }
            Ok(())
        })
        .map(|_| ())
}

mod polling;
pub use polling::{Polling, patiently};

#[cfg(test)]
mod tests;
