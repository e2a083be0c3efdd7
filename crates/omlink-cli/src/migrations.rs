//! `omlink atlas clusters` and `omlink atlas migration …`: printing over the core's journey
//! (`omlink::migrate`, `omlink::migration_plan`). The source password comes only from
//! OMLINK_SOURCE_PASSWORD or a prompt that does not echo; it is sent only to Atlas.

use std::io::IsTerminal;
use std::time::SystemTime;

use omlink::migrate::{self, MigrationOptions, MigrationSpec, Polling};
use omlink::migration::{DestinationFit, MigrationStatus, Network, SourceAuth, SourcePassword};
use omlink::migration_plan::{parse_network, refresh_active};
use omlink::migration_record::{MigrationRecord, waiting_for};
use omlink::{AtlasClient, Client, Error, OrgId, ProjectId, Store};
use serde_json::{Value, json};

use crate::args::Output;
use crate::output::{confirm, emit, print, warn};

mod fleet;
mod watch;

use crate::args::{MigrationCommand, MigrationFlags, NetworkArg, SourceFlags};

/// `omlink atlas clusters --atlas-org ID`: every project's clusters and their fit.
pub(crate) async fn clusters(
    atlas: &AtlasClient,
    org: &OrgId,
    output: Output,
) -> Result<u8, Error> {
    let mut rows = Vec::new();
    for project in atlas.list_projects(org).await? {
        let id = ProjectId::new(&project.id)?;
        for c in atlas.list_clusters(&id).await? {
            let fit = omlink::migration::check_destination(&c, None);
            rows.push((project.clone(), c, fit));
        }
    }
    let json_rows: Vec<Value> = rows
        .iter()
        .map(|(p, c, fit)| {
            let (fits, reason, note) = match fit {
                DestinationFit::Fit { note } => (true, None, note.clone()),
                DestinationFit::Unfit { reason } => (false, Some(reason.clone()), None),
            };
            json!({
                "projectId": p.id, "project": p.name, "cluster": c.name, "tier": c.tier,
                "mongoDBVersion": c.mongodb_version, "state": c.state_name, "paused": c.paused,
                "fit": fits, "reason": reason, "note": note,
            })
        })
        .collect();
    print(
        output,
        &json!({"atlasOrg": org, "clusters": json_rows}),
        || {
            if rows.is_empty() {
                return format!(
                    "Atlas organization {org} has no clusters these credentials can see"
                );
            }
            rows.iter()
                .map(|(p, c, fit)| {
                    let verdict = match fit {
                        DestinationFit::Fit { .. } => "fit".to_owned(),
                        DestinationFit::Unfit { reason } => reason.clone(),
                    };
                    format!(
                        "{}  {}  {}  {}  MongoDB {}  {}  {verdict}",
                        p.id,
                        p.name,
                        c.name,
                        c.tier.as_deref().unwrap_or("?"),
                        c.mongodb_version.as_deref().unwrap_or("?"),
                        c.state_name.as_deref().unwrap_or("?"),
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
    );
    Ok(0)
}

/// Runs an `omlink atlas migration …` command. `om` is the Ops Manager client, when the
/// command line or the environment gives one: it tells each source project's organization.
pub(crate) async fn run(
    command: MigrationCommand,
    atlas: AtlasClient,
    om: Option<Client>,
    output: Output,
) -> Result<u8, Error> {
    // Validating needs no store; every other command reads or writes the records.
    let store = || Store::open_default();
    let polling = Polling::from_env();
    match command {
        MigrationCommand::Validate(flags) => {
            let spec = spec_of(&flags)?;
            let prepared = migrate::prepare(&atlas, &spec).await?;
            if let Some(note) = &prepared.note {
                warn(note);
            }
            let v = migrate::validate(&atlas, &prepared.request, polling).await?;
            print(
                output,
                &json!({"validationId": v.id, "status": "SUCCESS"}),
                || "SUCCESS".to_owned(),
            );
            Ok(0)
        }
        MigrationCommand::Start(start) if start.queued => {
            fleet::start_queued(&atlas, &store()?, &start, polling, output).await
        }
        MigrationCommand::Start(start) => match &start.from {
            Some(path) => {
                fleet::start_plan(
                    &atlas,
                    om.as_ref(),
                    &store()?,
                    path,
                    &start,
                    polling,
                    output,
                )
                .await
            }
            None => {
                let spec = spec_of(&start.migration)?;
                let prepared = migrate::prepare(&atlas, &spec).await?;
                if let Some(note) = &prepared.note {
                    warn(note);
                }
                if spec.options.drop_destination_data && !start.yes {
                    confirm_drop(&[&prepared.request.cluster])?;
                }
                let org = source_org(om.as_ref(), &spec.source_project).await;
                let m = migrate::start(&atlas, &prepared.request, polling).await?;
                let record = migrate::record_of(
                    &prepared,
                    atlas.base_url().as_str(),
                    org.as_deref(),
                    Some(&m),
                    SystemTime::now(),
                );
                migrate::save(&store()?, &record.id, &record)?;
                // The id alone (or in its object), for a pipe.
                match output {
                    Output::Text => emit(&m.id),
                    Output::Json => emit(&json!({"id": m.id, "status": m.status}).to_string()),
                }
                Ok(0)
            }
        },
        MigrationCommand::Status { ids } => {
            let store = store()?;
            let records = chosen(refresh_active(&atlas, &store).await?, &atlas, &ids, false)?;
            let all = store.load()?.data.migrations;
            let rows: Vec<Value> = records.iter().map(|r| status_json(r, &all)).collect();
            print(output, &json!({"migrations": rows}), || {
                if rows.is_empty() {
                    return "No migration is recorded for this Atlas".to_owned();
                }
                records
                    .iter()
                    .map(|r| status_line(r, &all))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(0)
        }
        MigrationCommand::Watch { ids } => {
            let store = store()?;
            let records = chosen(store.load()?.data.migrations, &atlas, &ids, true)?;
            watch::watch(&atlas, &store, records, polling, output).await
        }
        MigrationCommand::Cutover { id, yes, no_wait } => {
            let store = store()?;
            let mut record = chosen(store.load()?.data.migrations, &atlas, &[id], false)?.remove(0);
            migrate::refresh(&atlas, &mut record).await?;
            migrate::save(&store, &record.id.clone(), &record)?;
            migrate::ready_for_cutover(&record)?;
            if !yes {
                confirm(&format!(
                    "Cut over migration {} to {}? Stop writes to the source ({} in project {}) \
                     first: after the cutover the Atlas cluster is the primary copy.",
                    record.id, record.cluster, record.source_cluster, record.source_project
                ))?;
            }
            migrate::cutover(&atlas, &mut record).await?;
            migrate::save(&store, &record.id.clone(), &record)?;
            if no_wait {
                print(output, &status_json(&record, &[]), || {
                    format!("{}  cutover requested", record.id)
                });
                return Ok(0);
            }
            watch::until_complete(&atlas, &store, record, polling, output).await
        }
    }
}

/// A spec from the flags: every id checked, the password read (never from a flag).
fn spec_of(flags: &MigrationFlags) -> Result<MigrationSpec, Error> {
    let required = |value: &Option<String>, flag: &str, what: &str| {
        value.clone().ok_or_else(|| {
            Error::invalid_input(
                format!("{flag} is required"),
                format!("Pass {flag} with {what}."),
            )
        })
    };
    let atlas_project = ProjectId::new(required(
        &flags.atlas_project,
        "--atlas-project",
        "the destination Atlas project's id",
    )?)?;
    let cluster = required(
        &flags.cluster,
        "--cluster",
        "the destination cluster's name",
    )?;
    let source_project = ProjectId::new(required(
        &flags.source_project,
        "--source-project",
        "the source project's id",
    )?)?;
    Ok(MigrationSpec {
        atlas_project,
        cluster,
        source_project,
        source_cluster: flags.source.source_cluster.clone(),
        migration_host: flags.source.migration_host.clone(),
        options: shared_of(&flags.source)?,
    })
}

/// What every migration of a command shares, from the flags.
fn shared_of(s: &SourceFlags) -> Result<MigrationOptions, Error> {
    let network = match s.network {
        NetworkArg::Public => Network::Public,
        NetworkArg::VpcPeering => Network::VpcPeering,
        NetworkArg::PrivateLink => parse_network("private-link", s.private_link_id.clone())?,
    };
    if s.source_ca_path.is_some() && !s.source_tls {
        return Err(Error::invalid_input(
            "--source-ca-path needs --source-tls",
            "Add --source-tls, or drop --source-ca-path.",
        ));
    }
    let source_auth = match &s.source_username {
        None => SourceAuth::Managed,
        Some(username) => SourceAuth::User {
            username: username.clone(),
            password: source_password(username)?,
        },
    };
    Ok(MigrationOptions {
        network,
        source_auth,
        source_tls: s.source_tls,
        source_ca_path: s.source_ca_path.clone(),
        drop_destination_data: s.drop_destination_data,
    })
}

/// The source password: OMLINK_SOURCE_PASSWORD, else a prompt that does not echo.
pub(crate) fn source_password(username: &str) -> Result<SourcePassword, Error> {
    if let Ok(value) = std::env::var("OMLINK_SOURCE_PASSWORD") {
        return SourcePassword::new(zeroize::Zeroizing::new(value).as_str());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            format!("No password for the source's migration user {username}"),
            "Export OMLINK_SOURCE_PASSWORD or run in a terminal to be asked (it is never a \
             flag, is sent only to Atlas and is stored nowhere).",
        ));
    }
    let value = rpassword::prompt_password(format!("Password of {username} (not shown): "))
        .map(zeroize::Zeroizing::new)
        .map_err(|e| {
            Error::invalid_input(
                format!("Could not read the password: {e}"),
                "Export OMLINK_SOURCE_PASSWORD instead.",
            )
        })?;
    SourcePassword::new(value.as_str())
}

fn confirm_drop(clusters: &[&str]) -> Result<(), Error> {
    confirm(&format!(
        "--drop-destination-data wipes every database on {} before the migration copies the \
         source. Go on?",
        clusters.join(", ")
    ))
}

/// The source project's organization, from Ops Manager when a connection is given.
pub(crate) async fn source_org(om: Option<&Client>, project: &ProjectId) -> Option<String> {
    let om = om?;
    match om.project(project).await {
        Ok(p) => p.org_id,
        Err(e) => {
            warn(&format!(
                "could not read the organization of source project {project}: {}",
                e.message
            ));
            None
        }
    }
}

/// The records of this Atlas named by `ids` (each must be recorded), or all of them; with
/// `running`, all the started ones still running.
fn chosen(
    records: Vec<MigrationRecord>,
    atlas: &AtlasClient,
    ids: &[String],
    running: bool,
) -> Result<Vec<MigrationRecord>, Error> {
    let url = atlas.base_url().as_str();
    let mine: Vec<MigrationRecord> = records.into_iter().filter(|r| r.atlas_url == url).collect();
    if ids.is_empty() {
        return Ok(if running {
            mine.into_iter()
                .filter(|r| !r.is_queued() && r.status.is_active())
                .collect()
        } else {
            mine
        });
    }
    ids.iter()
        .map(|id| {
            mine.iter().find(|r| r.id == id.trim()).cloned().ok_or_else(|| {
                Error::invalid_input(
                    format!("No migration {id} is recorded for {url}"),
                    "`omlink atlas migration status` lists the recorded ones (Atlas has no call \
                     that lists migrations: only those omlink started are known).",
                )
            })
        })
        .collect()
}

/// A record as `status --output json` prints it.
pub(crate) fn status_json(r: &MigrationRecord, all: &[MigrationRecord]) -> Value {
    let waiting = all
        .iter()
        .position(|x| x.id == r.id)
        .filter(|_| r.is_queued())
        .and_then(|i| waiting_for(all, i, 1));
    json!({
        "id": r.id,
        "atlasProject": r.atlas_project,
        "cluster": r.cluster,
        "sourceOrg": Some(&r.source_org).filter(|o| !o.is_empty()),
        "sourceProject": r.source_project,
        "migrationHost": r.migration_host,
        "status": r.status,
        "lagTimeSeconds": r.progress.lag_time_seconds,
        "readyForCutover": r.progress.ready_for_cutover,
        "cutoverDeadline": r.cutover_deadline_text(),
        "waitingFor": waiting,
        "lastError": r.last_error,
    })
}

/// A record in one line of text.
pub(crate) fn status_line(r: &MigrationRecord, all: &[MigrationRecord]) -> String {
    let mut line = format!("{}  {}", r.id, r.status);
    if let Some(lag) = r.progress.lag_time_seconds {
        line.push_str(&format!("  lag {lag:.0}s"));
    }
    if r.progress.ready_for_cutover {
        line.push_str("  ready for cutover");
    }
    if let Some(deadline) = r.cutover_deadline_text() {
        line.push_str(&format!("  cut over before {deadline}"));
    }
    line.push_str(&format!(
        "  {}/{} <- {} ({})",
        r.atlas_project, r.cluster, r.source_project, r.migration_host
    ));
    if r.status == MigrationStatus::Queued
        && let Some(i) = all.iter().position(|x| x.id == r.id)
        && let Some(w) = waiting_for(all, i, 1)
    {
        line.push_str(&format!("  waiting behind {} ({})", w.behind, w.reason));
    }
    line
}
