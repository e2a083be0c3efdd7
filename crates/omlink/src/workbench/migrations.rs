//! Live migrations from the window: the destinations an Atlas organization offers (each
//! cluster with its fit), validate and start from a linked organization's deployment, the
//! records across every Atlas connection refreshed (queued rows started when their turn
//! comes), and the cutover. The source password crosses once, to Atlas, and is kept nowhere.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::atlas::AtlasClient;
use crate::atlas_profile::AtlasLink;
use crate::error::Error;
use crate::fields::ProfileId;
use crate::ids::ProjectId;
use crate::migrate::{self, MigrationOptions, MigrationSpec, Polling, Prepared};
use crate::migration::{
    AtlasCluster, DestinationFit, MigrationStatus, Network, SourceAuth, SourcePassword, Validation,
    check_destination,
};
use crate::migration_plan::{refresh_active, start_queued};
use crate::migration_record::{DeadlineWarning, MigrationRecord, Waiting, waiting_for};
use crate::validate::OrgId;

use super::Workbench;

/// What the Migrate… dialog asks for.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MigrationDraft {
    /// The Atlas organization the source is linked to.
    pub atlas_org: OrgId,
    /// The source organization (the one the window shows).
    pub source_org: OrgId,
    /// The source project.
    pub source_project: ProjectId,
    /// The source deployment.
    pub source_cluster: String,
    /// The migration host.
    pub migration_host: String,
    /// The destination Atlas project.
    pub atlas_project: ProjectId,
    /// The destination cluster.
    pub cluster: String,
    /// How Atlas reaches the destination.
    pub network: Network,
    /// The source's migration user; `None`: managed authentication.
    pub source_username: Option<String>,
    /// Its password (sent only to Atlas; never kept).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub source_password: Option<String>,
    /// Whether the source uses TLS.
    #[serde(default)]
    pub source_tls: bool,
    /// A CA file on the migration host.
    pub source_ca_path: Option<String>,
    /// Wipe the destination first.
    #[serde(default)]
    pub drop_destination_data: bool,
}

/// A destination project and its clusters, each with whether it can receive the migration.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DestinationProject {
    /// The project's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its clusters.
    pub clusters: Vec<DestinationCluster>,
}

/// A cluster and its fit.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DestinationCluster {
    /// The cluster.
    pub cluster: AtlasCluster,
    /// Whether it can receive it, and why not.
    pub fit: DestinationFit,
}

/// A record as the Migrations view shows it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MigrationView {
    /// The record.
    pub record: MigrationRecord,
    /// Its cutover deadline, RFC 3339.
    pub cutover_deadline: Option<String>,
    /// The deadline's warning now.
    pub warning: Option<DeadlineWarning>,
    /// What a queued row waits for.
    pub waiting: Option<Waiting>,
    /// The Atlas connection's name, when one serves it.
    pub connection_name: Option<String>,
}

/// Something worth a desktop notification, from one refresh to the next.
pub fn notable(before: &[MigrationRecord], after: &[MigrationRecord]) -> Vec<String> {
    let now = SystemTime::now();
    let mut said = Vec::new();
    for r in after {
        let old = before.iter().find(|b| b.id == r.id);
        let was = |f: &dyn Fn(&MigrationRecord) -> bool| old.is_some_and(f);
        let what = format!("{} → {}", r.source_cluster, r.cluster);
        if r.progress.ready_for_cutover && !was(&|b| b.progress.ready_for_cutover) {
            said.push(format!("{what} is ready for cutover"));
        }
        if r.status != MigrationStatus::Queued
            && old.is_some_and(|b| b.status != r.status)
            && matches!(
                r.status,
                MigrationStatus::Complete | MigrationStatus::Failed | MigrationStatus::Expired
            )
        {
            said.push(format!("{what}: {}", r.status));
        }
        let warning = r.deadline_warning(now);
        if warning.is_some() && old.map(|b| b.deadline_warning(now)) != Some(warning) {
            said.push(format!(
                "{what} must be cut over before {}",
                r.cutover_deadline_text().unwrap_or_default()
            ));
        }
    }
    said
}

impl Workbench {
    /// The projects of Atlas organization `atlas_org` and their clusters, each checked
    /// against a source running `source_version`, through the profile's Atlas connection.
    ///
    /// # Errors
    /// Any [`ErrorKind`](crate::ErrorKind).
    pub async fn destinations(
        &self,
        id: &ProfileId,
        atlas_org: &OrgId,
        source_version: Option<String>,
    ) -> Result<Vec<DestinationProject>, Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, atlas) = self.atlas_client(&link.connection).await?;
        let mut out = Vec::new();
        for p in atlas.list_projects(atlas_org).await? {
            let clusters = atlas.list_clusters(&ProjectId::new(&p.id)?).await?;
            out.push(DestinationProject {
                id: p.id,
                name: p.name,
                clusters: clusters
                    .into_iter()
                    .map(|c| DestinationCluster {
                        fit: check_destination(&c, source_version.as_deref()),
                        cluster: c,
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Validates the draft with Atlas and waits for the answer.
    ///
    /// # Errors
    /// `InvalidInput` for an unfit destination (nothing sent); `Rejected` with Atlas's message
    /// when the validation fails; any other kind.
    pub async fn validate_migration(
        &self,
        id: &ProfileId,
        draft: MigrationDraft,
    ) -> Result<Validation, Error> {
        let (_, atlas, prepared) = self.prepare_draft(id, draft).await?;
        migrate::validate(&atlas, &prepared.request, polling()).await
    }

    /// The profile's Atlas link, the client of its Atlas connection, and the draft prepared
    /// with it (completed and checked; nothing sent).
    async fn prepare_draft(
        &self,
        id: &ProfileId,
        draft: MigrationDraft,
    ) -> Result<(AtlasLink, Arc<AtlasClient>, Prepared), Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, atlas) = self.atlas_client(&link.connection).await?;
        let prepared = migrate::prepare(&atlas, &spec_of(draft)?).await?;
        Ok((link, atlas, prepared))
    }

    /// Validates and starts the draft, and records it.
    ///
    /// # Errors
    /// As [`validate_migration`](Self::validate_migration); the start's (a 409 when the
    /// migration host or the cluster is busy); `Storage`.
    pub async fn start_migration(
        &self,
        id: &ProfileId,
        draft: MigrationDraft,
    ) -> Result<MigrationView, Error> {
        let source_org = draft.source_org.to_string();
        let (link, atlas, prepared) = self.prepare_draft(id, draft).await?;
        let m = migrate::start(&atlas, &prepared.request, polling()).await?;
        let url = atlas.base_url().as_str();
        let mut record = migrate::record_of(
            &prepared,
            url,
            Some(&source_org),
            Some(&m),
            SystemTime::now(),
        );
        record.atlas_connection = Some(link.connection.to_string());
        migrate::save(&*self.persist, &record.id, &record)?;
        Ok(self.view_of(&record, &[record.clone()]))
    }

    /// Every recorded migration, as saved.
    ///
    /// # Errors
    /// `Storage`.
    pub fn migrations(&self) -> Result<Vec<MigrationView>, Error> {
        let records = self.persist.load()?.data.migrations;
        Ok(records.iter().map(|r| self.view_of(r, &records)).collect())
    }

    /// Reads every running migration again through the Atlas connection that serves it (its
    /// own, or one at the same address), starts the queued rows whose turn has come, and
    /// returns every record with what is worth a notification.
    ///
    /// # Errors
    /// `Storage`; a connection that fails leaves its records as they were.
    pub async fn refresh_migrations(&self) -> Result<(Vec<MigrationView>, Vec<String>), Error> {
        let before = self.persist.load()?.data.migrations;
        for connection in self.connections_of(&before) {
            let Ok((_, atlas)) = self.atlas_client(&connection).await else {
                continue;
            };
            if refresh_active(&atlas, &*self.persist).await.is_ok() {
                let _ = start_queued(&atlas, &*self.persist, 1, polling(), None).await;
            }
        }
        let after = self.persist.load()?.data.migrations;
        let views = after.iter().map(|r| self.view_of(r, &after)).collect();
        Ok((views, notable(&before, &after)))
    }

    /// Cuts migration `id` over (refused unless Atlas says it is ready).
    ///
    /// # Errors
    /// `Rejected` when not ready; `InvalidInput` for an unknown id or no Atlas connection;
    /// any other kind.
    pub async fn cutover_migration(&self, id: &str) -> Result<MigrationView, Error> {
        let records = self.persist.load()?.data.migrations;
        let mut record = records
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| {
                Error::invalid_input(
                    format!("No migration {id} is recorded"),
                    "Reload the Migrations view.",
                )
            })?;
        let connection = self.connections_of(std::slice::from_ref(&record)).pop().ok_or_else(|| {
            Error::invalid_input(
                format!("No saved Atlas connection serves {}", record.atlas_url),
                "Add an Atlas connection for that Atlas, or cut over with `omlink atlas migration cutover`.",
            )
        })?;
        let (_, atlas) = self.atlas_client(&connection).await?;
        migrate::cutover(&atlas, &mut record).await?;
        migrate::save(&*self.persist, &record.id.clone(), &record)?;
        Ok(self.view_of(&record, &records))
    }

    /// The Atlas connections that serve `records`: each one's own, else one at its address.
    fn connections_of(&self, records: &[MigrationRecord]) -> Vec<ProfileId> {
        let book = self.profiles();
        let mut found = BTreeSet::new();
        for r in records {
            let own = r
                .atlas_connection
                .as_deref()
                .and_then(|id| book.atlas.iter().find(|c| c.id.as_str() == id));
            let at_url = || {
                book.atlas.iter().find(|c| {
                    !c.sandbox && c.url.as_str() == r.atlas_url
                        || c.sandbox && self.sandbox_url().as_deref() == Some(r.atlas_url.as_str())
                })
            };
            if let Some(c) = own.or_else(at_url) {
                found.insert(c.id.clone());
            }
        }
        found.into_iter().collect()
    }

    fn sandbox_url(&self) -> Option<String> {
        self.running_sandbox().ok().map(|s| s.url.to_string())
    }

    fn view_of(&self, r: &MigrationRecord, all: &[MigrationRecord]) -> MigrationView {
        let book = self.profiles();
        MigrationView {
            cutover_deadline: r.cutover_deadline_text(),
            warning: r.deadline_warning(SystemTime::now()),
            waiting: all
                .iter()
                .position(|x| x.id == r.id)
                .filter(|_| r.is_queued())
                .and_then(|i| waiting_for(all, i, 1)),
            connection_name: r
                .atlas_connection
                .as_deref()
                .and_then(|id| book.atlas.iter().find(|c| c.id.as_str() == id))
                .map(|c| c.name.clone()),
            record: r.clone(),
        }
    }
}

/// The app polls the sandbox quickly and a real Atlas politely.
fn polling() -> Polling {
    Polling::from_env()
}

fn spec_of(d: MigrationDraft) -> Result<MigrationSpec, Error> {
    let password = zeroize::Zeroizing::new(d.source_password.unwrap_or_default());
    let source_auth = match d.source_username.filter(|u| !u.trim().is_empty()) {
        None => SourceAuth::Managed,
        Some(username) => SourceAuth::User {
            username: username.trim().to_owned(),
            password: SourcePassword::new(password.as_str())?,
        },
    };
    Ok(MigrationSpec {
        atlas_project: d.atlas_project,
        cluster: d.cluster,
        source_project: d.source_project,
        source_cluster: Some(d.source_cluster),
        migration_host: Some(d.migration_host),
        options: MigrationOptions {
            network: d.network,
            source_auth,
            source_tls: d.source_tls,
            source_ca_path: d.source_ca_path.filter(|p| !p.trim().is_empty()),
            drop_destination_data: d.drop_destination_data,
        },
    })
}
