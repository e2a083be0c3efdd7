//! A fleet as a plan: the CSV of migrations (`source_project,atlas_project,cluster`, and
//! optionally `source_cluster`, `migration_host`, `network`, `private_link_id`), checked whole
//! before anything is sent, every row validated, then started in file order while no two
//! active migrations share a migration host or a destination cluster and at most `per_org` run
//! per source organization; the rest are recorded as queued and started later by
//! [`start_queued`], which the CLI's `--queued` and the open app both call.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use crate::atlas::{AtlasClient, AvailableProject};
use crate::error::{Error, ErrorKind};
use crate::ids::ProjectId;
use crate::link_file::{BadLinkFile, csv_with_header};
use crate::migrate::{
    MigrationOptions, MigrationSpec, Polling, Prepared, patiently, prepare_from, record_of,
    refresh, save, validate,
};
use crate::migration::{
    AtlasCluster, MigrationRequest, MigrationStatus, Network, SourceAuth, SourcePassword,
};
use crate::migration_record::{MigrationRecord, Waiting, rfc3339, waiting_for};
use crate::validate::OrgId;
use crate::workbench::Persistence;

/// One row of a plan: its line in the file and what it asks for.
#[derive(Clone, Debug)]
pub struct PlanRow {
    /// The line number in the file (the header is line 1).
    pub line: usize,
    /// The migration.
    pub spec: MigrationSpec,
}

/// Parses a plan; every bad row is listed.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] when the header lacks a required column, a row is bad, or
/// there is no row.
pub fn parse_plan(
    text: &str,
    source: &str,
    defaults: &MigrationOptions,
) -> Result<Vec<PlanRow>, BadLinkFile> {
    let hint = "The plan needs a header row naming source_project, atlas_project and cluster \
                (optional: source_cluster, migration_host, network, private_link_id), such as:\n  \
                source_project,atlas_project,cluster\n  \
                5f1e2d3c4b5a697887766501,6b1c2d3e4f5a60718293a4c2,landing-1";
    let (mut reader, header) = csv_with_header(text, source, hint)?;
    let column = |name: &str| header.column(name);
    let (Some(sp), Some(ap), Some(cl)) = (
        column("source_project"),
        column("atlas_project"),
        column("cluster"),
    ) else {
        return Err(Error::invalid_input(
            format!("{source} has no header row naming source_project, atlas_project and cluster"),
            hint,
        )
        .into());
    };
    let optional = [
        "source_cluster",
        "migration_host",
        "network",
        "private_link_id",
    ]
    .map(column);
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i + 2, |p| p.line() as usize);
        let parsed = record
            .map_err(|e| Error::invalid_input(e.to_string(), hint))
            .and_then(|r| {
                let cell = |at: Option<usize>| {
                    at.and_then(|i| r.get(i))
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                };
                let [source_cluster, migration_host, network, link_id] = optional.map(cell);
                let network = match network {
                    None => defaults.network.clone(),
                    Some(n) => parse_network(&n, link_id)?,
                };
                Ok(MigrationSpec {
                    source_project: ProjectId::new(cell(Some(sp)).unwrap_or_default())?,
                    atlas_project: ProjectId::new(cell(Some(ap)).unwrap_or_default())?,
                    cluster: cell(Some(cl)).ok_or_else(|| {
                        Error::invalid_input(
                            "The cluster is empty",
                            "Name the destination cluster.",
                        )
                    })?,
                    source_cluster,
                    migration_host,
                    options: MigrationOptions {
                        network,
                        ..defaults.clone()
                    },
                })
            });
        match parsed {
            Ok(spec) => rows.push(PlanRow { line, spec }),
            Err(e) => bad.push(format!("line {line}: {}", e.message)),
        }
    }
    if !bad.is_empty() {
        return Err(bad_rows(source, bad));
    }
    if rows.is_empty() {
        return Err(Error::invalid_input(format!("{source} names no migration"), hint).into());
    }
    Ok(rows)
}

/// A plan refused whole: `rows` says what is wrong with each bad row.
fn bad_rows(source: &str, rows: Vec<String>) -> BadLinkFile {
    BadLinkFile {
        error: Error::invalid_input(
            format!("{source} has {} bad row(s); nothing was sent", rows.len()),
            "Fix the rows listed, then run again.",
        ),
        rows,
    }
}

/// `public`, `private-link` (with its endpoint id) or `vpc-peering`.
///
/// # Errors
/// [`ErrorKind::InvalidInput`].
pub fn parse_network(name: &str, private_link_id: Option<String>) -> Result<Network, Error> {
    match (name.to_ascii_lowercase().as_str(), private_link_id) {
        ("public", _) => Ok(Network::Public),
        ("vpc-peering", _) => Ok(Network::VpcPeering),
        ("private-link", Some(id)) => Ok(Network::PrivateLink { id }),
        ("private-link", None) => Err(Error::invalid_input(
            "A private-link network needs the private endpoint's id",
            "Give --private-link-id (in a plan: a private_link_id column).",
        )),
        (other, _) => Err(Error::invalid_input(
            format!("{other:?} is not a network"),
            "Use public, private-link or vpc-peering.",
        )),
    }
}

/// Checks a whole plan against Atlas before anything is written: each destination project's
/// organization, available projects and clusters (each read once), every row's source and
/// destination, and no destination cluster twice.
///
/// # Errors
/// Every bad row, listed; any error of the reads.
pub async fn check_plan(
    atlas: &AtlasClient,
    rows: &[PlanRow],
    source: &str,
) -> Result<Vec<Prepared>, BadLinkFile> {
    let mut orgs: HashMap<ProjectId, OrgId> = HashMap::new();
    let mut available: HashMap<OrgId, Vec<AvailableProject>> = HashMap::new();
    let mut clusters: HashMap<ProjectId, Vec<AtlasCluster>> = HashMap::new();
    for row in rows {
        let project = &row.spec.atlas_project;
        if orgs.contains_key(project) {
            continue;
        }
        let org = OrgId::new(atlas.project(project).await?.org_id)?;
        if !available.contains_key(&org) {
            available.insert(org.clone(), atlas.available_projects(&org).await?);
        }
        clusters.insert(project.clone(), atlas.list_clusters(project).await?);
        orgs.insert(project.clone(), org);
    }
    let (mut prepared, mut bad) = (Vec::new(), Vec::new());
    let mut destinations = HashSet::new();
    for row in rows {
        let project = &row.spec.atlas_project;
        let org = &orgs[project];
        match prepare_from(&row.spec, org, &available[org], &clusters[project]) {
            Ok(p) if !destinations.insert((project.clone(), p.request.cluster.clone())) => {
                bad.push(format!(
                    "line {}: destination cluster {} of project {project} is named twice",
                    row.line, p.request.cluster
                ));
            }
            Ok(p) => prepared.push(p),
            Err(e) => bad.push(format!("line {}: {} ({})", row.line, e.message, e.hint)),
        }
    }
    if !bad.is_empty() {
        return Err(bad_rows(source, bad));
    }
    Ok(prepared)
}

/// What became of one row.
#[derive(Clone, Debug, PartialEq)]
pub enum RowOutcome {
    /// Atlas started it: its migration id.
    Started(String),
    /// Recorded as queued (its record id), waiting.
    Queued(String, Waiting),
    /// Validation or the start failed: why.
    Failed(String),
}

/// The records of this Atlas, each started one that is still active read again (a read that
/// fails leaves its record as it was) and saved.
///
/// # Errors
/// [`ErrorKind::Storage`].
pub async fn refresh_active(
    atlas: &AtlasClient,
    store: &dyn Persistence,
) -> Result<Vec<MigrationRecord>, Error> {
    let url = atlas.base_url().as_str().to_owned();
    let mut records = store.load()?.data.migrations;
    for record in records
        .iter_mut()
        .filter(|r| r.atlas_url == url && !r.is_queued() && r.status.is_active())
    {
        if refresh(atlas, record).await.is_ok() {
            save(store, &record.id.clone(), record)?;
        }
    }
    Ok(records)
}

/// Validates every row, then starts them in order under the rules (see the module), queueing
/// the rest. `source_orgs` gives each source project's organization, where known.
///
/// # Errors
/// [`ErrorKind::Storage`]; a row's own failure is its [`RowOutcome::Failed`].
pub async fn start_plan(
    atlas: &AtlasClient,
    store: &dyn Persistence,
    rows: &[(usize, Prepared)],
    source_orgs: &HashMap<ProjectId, String>,
    per_org: u32,
    polling: Polling,
) -> Result<Vec<(usize, RowOutcome)>, Error> {
    let mut validated = Vec::new();
    for (_, p) in rows {
        validated.push(validate(atlas, &p.request, polling).await.err());
    }
    let url = atlas.base_url().as_str().to_owned();
    let mut records = refresh_active(atlas, store).await?;
    let mut outcomes = Vec::new();
    for ((line, p), failure) in rows.iter().zip(validated) {
        if let Some(e) = failure {
            outcomes.push((*line, RowOutcome::Failed(e.message)));
            continue;
        }
        let org = source_orgs
            .get(&p.request.source_project)
            .map(String::as_str);
        let mut record = record_of(p, &url, org, None, SystemTime::now());
        record.plan_row = u32::try_from(*line).ok();
        records.push(record);
        let index = records.len() - 1;
        let outcome = start_or_queue(
            atlas,
            store,
            &mut records,
            index,
            &p.request,
            per_org,
            polling,
        )
        .await?;
        outcomes.push((*line, outcome));
    }
    Ok(outcomes)
}

/// Starts the record at `index` if its turn has come, else leaves it queued; saves it.
async fn start_or_queue(
    atlas: &AtlasClient,
    store: &dyn Persistence,
    records: &mut [MigrationRecord],
    index: usize,
    request: &MigrationRequest,
    per_org: u32,
    polling: Polling,
) -> Result<RowOutcome, Error> {
    let queued_id = records[index].id.clone();
    if let Some(waiting) = waiting_for(records, index, per_org) {
        save(store, &queued_id, &records[index])?;
        return Ok(RowOutcome::Queued(queued_id, waiting));
    }
    let record = &mut records[index];
    match patiently(polling.first, || atlas.create_migration(request)).await {
        Ok(m) => {
            let now = SystemTime::now();
            record.id = m.id.clone();
            record.started_at = Some(rfc3339(now));
            record.last_error = None;
            record.observe(&m, now);
            save(store, &queued_id, record)?;
            Ok(RowOutcome::Started(m.id))
        }
        // Atlas enforces a rule this machine's records did not know of: wait, as queued.
        Err(e) if e.http_status == Some(409) => {
            record.last_error = Some(e.detail.clone().unwrap_or(e.message.clone()));
            save(store, &queued_id, record)?;
            let behind = e
                .parameters
                .first()
                .and_then(|v| v.as_str())
                .unwrap_or("another migration")
                .to_owned();
            let reason = e.detail.unwrap_or(e.message);
            Ok(RowOutcome::Queued(queued_id, Waiting { behind, reason }))
        }
        Err(e) => {
            record.last_error = Some(e.message.clone());
            save(store, &queued_id, record)?;
            Ok(RowOutcome::Failed(e.message))
        }
    }
}

/// Starts the queued rows of this Atlas whose turn has come, in the order they were queued
/// (idempotent: a row started once is no longer queued). `password` serves the rows whose
/// source has a migration user.
///
/// # Errors
/// [`ErrorKind::Storage`]; a row's own failure is its outcome (it stays queued).
pub async fn start_queued(
    atlas: &AtlasClient,
    store: &dyn Persistence,
    per_org: u32,
    polling: Polling,
    password: Option<&SourcePassword>,
) -> Result<Vec<(MigrationRecord, RowOutcome)>, Error> {
    let url = atlas.base_url().as_str().to_owned();
    let mut records = refresh_active(atlas, store).await?;
    let mut outcomes = Vec::new();
    for index in 0..records.len() {
        if !(records[index].is_queued() && records[index].atlas_url == url) {
            continue;
        }
        let request = match request_of(&records[index], password) {
            Ok(r) => r,
            Err(e) => {
                outcomes.push((records[index].clone(), RowOutcome::Failed(e.message)));
                continue;
            }
        };
        if waiting_for(&records, index, per_org).is_none()
            && let Err(e) = validate(atlas, &request, polling).await
        {
            records[index].last_error = Some(e.message.clone());
            save(store, &records[index].id.clone(), &records[index])?;
            outcomes.push((records[index].clone(), RowOutcome::Failed(e.message)));
            continue;
        }
        let outcome = start_or_queue(
            atlas,
            store,
            &mut records,
            index,
            &request,
            per_org,
            polling,
        )
        .await?;
        outcomes.push((records[index].clone(), outcome));
    }
    Ok(outcomes)
}

/// The request a queued record stands for.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] when its source has a migration user and no password is
/// given, or an id in it is not valid.
pub fn request_of(
    record: &MigrationRecord,
    password: Option<&SourcePassword>,
) -> Result<MigrationRequest, Error> {
    let source_auth = match (&record.source_username, password) {
        (None, _) => SourceAuth::Managed,
        (Some(username), Some(password)) => SourceAuth::User {
            username: username.clone(),
            password: password.clone(),
        },
        (Some(username), None) => {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("The source's migration user {username} needs its password"),
                "Set OMLINK_SOURCE_PASSWORD (it is sent only to Atlas and stored nowhere).",
            ));
        }
    };
    Ok(MigrationRequest {
        source_project: ProjectId::new(&record.source_project)?,
        source_cluster: record.source_cluster.clone(),
        source_auth,
        source_tls: record.source_tls,
        source_ca_path: record.source_ca_path.clone(),
        atlas_project: ProjectId::new(&record.atlas_project)?,
        cluster: record.cluster.clone(),
        network: record.network.clone(),
        migration_host: record.migration_host.clone(),
        drop_destination_data: record.drop_destination_data,
    })
}

/// Whether every record in `records` has ended well or is ready (for `watch`'s exit).
pub fn all_ready_or_complete(records: &[&MigrationRecord]) -> bool {
    records
        .iter()
        .all(|r| r.status == MigrationStatus::Complete || r.progress.ready_for_cutover)
}
