//! The durable record of every live migration omlink starts or queues: Atlas has no call that
//! lists them, so whatever is not written here is lost. Each read from Atlas updates its
//! record (status, lag, ready for cutover) and the **cutover deadline**: 120 hours after the
//! last time omlink saw the migration *not* ready. Atlas's own timer started somewhere between
//! that moment and the first time omlink saw it ready, so the deadline shown is never later
//! than Atlas's.
//!
//! Queued rows of a plan are records too (status `QUEUED`), and [`waiting_for`] says which of
//! them may start under Atlas's one-at-a-time rules.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::migration::{CUTOVER_WINDOW_HOURS, LiveMigration, MigrationStatus, Network};

/// The key under which the migration records are kept in the store file.
pub const STORE_KEY_MIGRATIONS: &str = "migrations";

/// How many lag readings a record keeps (the newest), for the window's chart.
pub const LAG_HISTORY_LEN: usize = 120;

/// The cutover window, as a duration.
pub const CUTOVER_WINDOW: Duration = Duration::from_secs(CUTOVER_WINDOW_HOURS * 3600);

/// One lag reading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LagPoint {
    /// When, in RFC 3339 UTC.
    pub at: String,
    /// The lag, in seconds.
    pub seconds: f64,
}

/// A migration omlink started (or queued), and what it last heard of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MigrationRecord {
    /// Atlas's migration id; for a queued row, omlink's own (`queued-…`) until it starts.
    pub id: String,
    /// The Atlas the migration runs in (scheme, host and port).
    pub atlas_url: String,
    /// The saved Atlas connection used, when the app started it.
    pub atlas_connection: Option<String>,
    /// The destination Atlas project.
    pub atlas_project: String,
    /// The destination cluster.
    pub cluster: String,
    /// The source organization (Ops Manager or Cloud Manager).
    pub source_org: String,
    /// The source project.
    pub source_project: String,
    /// The source deployment.
    pub source_cluster: String,
    /// The migration host.
    pub migration_host: String,
    /// How the destination is reached.
    pub network: Network,
    /// The source's migration user; `None` for managed authentication. Its password is
    /// never recorded.
    pub source_username: Option<String>,
    /// Whether the source uses TLS.
    #[serde(default)]
    pub source_tls: bool,
    /// A CA file on the migration host.
    pub source_ca_path: Option<String>,
    /// Whether the destination is wiped first.
    #[serde(default)]
    pub drop_destination_data: bool,
    /// When it was queued or started, in RFC 3339 UTC.
    pub created_at: String,
    /// When Atlas accepted it; `None` while queued.
    pub started_at: Option<String>,
    /// What Atlas last said (`QUEUED` before it starts).
    pub status: MigrationStatus,
    /// What omlink has seen of its progress (nothing yet while queued).
    #[serde(flatten)]
    pub progress: Progress,
    /// A queued row's plan line, for the result line and the window.
    pub plan_row: Option<u32>,
    /// Why the last start of a queued row failed, if it did.
    pub last_error: Option<String>,
    /// Fields a newer omlink wrote that this version does not know: kept as they are.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What omlink has seen of a migration's progress, read after read (all empty before the
/// first). Kept in the record's own JSON object, beside its other fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Progress {
    /// The last lag Atlas reported.
    pub lag_time_seconds: Option<f64>,
    /// Whether Atlas last said it is ready for cutover.
    pub ready_for_cutover: bool,
    /// The last time omlink saw it not ready (the deadline counts from here).
    pub last_not_ready_at: Option<String>,
    /// The first time omlink saw it ready.
    pub first_ready_at: Option<String>,
    /// When omlink asked for the cutover.
    pub cutover_at: Option<String>,
    /// When it was last read from Atlas.
    pub updated_at: Option<String>,
    /// The newest lag readings, oldest first.
    pub lag_history: Vec<LagPoint>,
}

impl Progress {
    /// Takes in what Atlas answered at `at` for a migration that is (`active`) or is not
    /// still running: the lag (kept for the chart) and the readiness times.
    fn observe(&mut self, answer: &LiveMigration, active: bool, at: String) {
        self.lag_time_seconds = answer.lag_time_seconds;
        if answer.ready_for_cutover {
            self.first_ready_at.get_or_insert_with(|| at.clone());
        } else if active {
            self.last_not_ready_at = Some(at.clone());
        }
        self.ready_for_cutover = answer.ready_for_cutover;
        if let Some(seconds) = answer.lag_time_seconds {
            self.lag_history.push(LagPoint {
                at: at.clone(),
                seconds,
            });
            let extra = self.lag_history.len().saturating_sub(LAG_HISTORY_LEN);
            self.lag_history.drain(..extra);
        }
        self.updated_at = Some(at);
    }
}

/// `time` in RFC 3339 UTC, to the second.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

fn parse(time: Option<&str>) -> Option<SystemTime> {
    time.and_then(|t| humantime::parse_rfc3339(t).ok())
}

/// How close a migration is to the end of its cutover window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DeadlineWarning {
    /// Less than 24 hours left.
    Within24Hours,
    /// Less than 2 hours left.
    Within2Hours,
    /// The deadline has passed (Atlas will say `EXPIRED` if it has not yet).
    Passed,
}

impl MigrationRecord {
    /// Whether the row waits for its turn (never sent to Atlas yet).
    pub fn is_queued(&self) -> bool {
        self.status == MigrationStatus::Queued
    }

    /// Takes in what Atlas answered at `now`: the status, the lag (kept for the chart), and
    /// the readiness times the deadline is counted from.
    pub fn observe(&mut self, answer: &LiveMigration, now: SystemTime) {
        self.status = answer.status.clone();
        self.progress
            .observe(answer, self.status.is_active(), rfc3339(now));
    }

    /// When the cutover window ends, at the latest: 120 hours after the last time omlink saw
    /// the migration not ready (its start, when it never saw it so). `None` unless it is
    /// ready and not yet cut over or ended.
    pub fn cutover_deadline(&self) -> Option<SystemTime> {
        let p = &self.progress;
        if !p.ready_for_cutover || p.cutover_at.is_some() || !self.status.is_active() {
            return None;
        }
        let from = parse(p.last_not_ready_at.as_deref())
            .or_else(|| parse(self.started_at.as_deref()))
            .or_else(|| parse(Some(&self.created_at)))?;
        Some(from + CUTOVER_WINDOW)
    }

    /// [`cutover_deadline`](Self::cutover_deadline) in RFC 3339 UTC.
    pub fn cutover_deadline_text(&self) -> Option<String> {
        self.cutover_deadline().map(rfc3339)
    }

    /// The warning due at `now`: under 24 hours, under 2 hours, or past the deadline.
    pub fn deadline_warning(&self, now: SystemTime) -> Option<DeadlineWarning> {
        let deadline = self.cutover_deadline()?;
        let left = deadline.duration_since(now).unwrap_or(Duration::ZERO);
        if left.is_zero() {
            Some(DeadlineWarning::Passed)
        } else if left < Duration::from_secs(2 * 3600) {
            Some(DeadlineWarning::Within2Hours)
        } else if left < Duration::from_secs(24 * 3600) {
            Some(DeadlineWarning::Within24Hours)
        } else {
            None
        }
    }
}

/// What a queued row waits for: the active migration it is queued behind, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Waiting {
    /// The id of the migration it waits for (the first of them).
    pub behind: String,
    /// Why, in a few words: the migration host, the destination cluster, or the source
    /// organization it shares with it.
    pub reason: String,
}

/// Why the queued record at `index` cannot start now, or `None` when its turn has come: no
/// active migration in the same Atlas shares its migration host or destination cluster, and
/// fewer than `per_org` (at least 1) run from its source organization (an unknown
/// organization counts as one: the careful reading). A caller starting rows in order updates
/// each record as it starts, so a row started a moment ago counts.
pub fn waiting_for(records: &[MigrationRecord], index: usize, per_org: u32) -> Option<Waiting> {
    let row = &records[index];
    let running: Vec<&MigrationRecord> = records
        .iter()
        .filter(|r| r.status.is_active() && r.atlas_url == row.atlas_url)
        .collect();
    blocker(&running, row, per_org)
}

fn blocker(running: &[&MigrationRecord], row: &MigrationRecord, per_org: u32) -> Option<Waiting> {
    if let Some(r) = running
        .iter()
        .find(|r| r.migration_host == row.migration_host)
    {
        return Some(Waiting {
            behind: r.id.clone(),
            reason: format!("migration host {} is busy", row.migration_host),
        });
    }
    if let Some(r) = running
        .iter()
        .find(|r| r.atlas_project == row.atlas_project && r.cluster == row.cluster)
    {
        return Some(Waiting {
            behind: r.id.clone(),
            reason: format!("destination cluster {} is busy", row.cluster),
        });
    }
    let same_org: Vec<&&MigrationRecord> = running
        .iter()
        .filter(|r| r.source_org == row.source_org)
        .collect();
    if same_org.len() >= per_org.max(1) as usize {
        let org = if row.source_org.is_empty() {
            "unknown".to_owned()
        } else {
            row.source_org.clone()
        };
        return Some(Waiting {
            behind: same_org[0].id.clone(),
            reason: format!(
                "source organization {org} has {} running (at most {} at a time)",
                same_org.len(),
                per_org.max(1)
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests;
