//! `omlink atlas migration start --from PLAN.csv` and `--queued`: one result line per row.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use omlink::migrate::Polling;
use omlink::migration_plan::{self, RowOutcome, check_plan, parse_plan};
use omlink::migration_record::MigrationRecord;
use omlink::{AtlasClient, Client, EXIT_SOME_FAILED, Error, ProjectId, Store};
use serde_json::{Value, json};

use super::{confirm_drop, shared_of, source_org, source_password};
use crate::args::Output;
use crate::args::StartFlags;
use crate::output::{emit, json_safe, terminal_safe, warn};

/// Checks the whole plan, validates every row, then starts what the rules allow.
pub(crate) async fn start_plan(
    atlas: &AtlasClient,
    om: Option<&Client>,
    store: &Store,
    path: &Path,
    start: &StartFlags,
    polling: Polling,
    output: Output,
) -> Result<u8, Error> {
    let text = read(path)?;
    let name = path.display().to_string();
    let defaults = shared_of(&start.migration.source)?;
    let rows = parse_plan(&text, &name, &defaults).map_err(|bad| {
        for row in &bad.rows {
            warn(row);
        }
        bad.error
    })?;
    let prepared = check_plan(atlas, &rows, &name).await.map_err(|bad| {
        for row in &bad.rows {
            warn(row);
        }
        bad.error
    })?;
    for p in &prepared {
        if let Some(note) = &p.note {
            warn(note);
        }
    }
    if defaults.drop_destination_data && !start.yes {
        let clusters: Vec<&str> = prepared
            .iter()
            .map(|p| p.request.cluster.as_str())
            .collect();
        confirm_drop(&clusters)?;
    }
    let mut orgs: HashMap<ProjectId, String> = HashMap::new();
    if om.is_none() {
        warn(
            "without an Ops Manager connection (--profile, or OMLINK_URL, OMLINK_PUBLIC_KEY and \
             OMLINK_PRIVATE_KEY) the source organizations are unknown: rows count as one \
             organization, so at most --per-org run at once",
        );
    }
    for row in &rows {
        let project = &row.spec.source_project;
        if !orgs.contains_key(project)
            && let Some(org) = source_org(om, project).await
        {
            orgs.insert(project.clone(), org);
        }
    }
    let numbered: Vec<_> = rows.iter().map(|r| r.line).zip(prepared).collect();
    let outcomes =
        migration_plan::start_plan(atlas, store, &numbered, &orgs, start.per_org, polling).await?;
    let lines: Vec<(String, &RowOutcome)> = outcomes
        .iter()
        .map(|(line, o)| (format!("line {line}"), o))
        .collect();
    Ok(report(&lines, output))
}

/// Starts the queued rows whose turn has come.
pub(crate) async fn start_queued(
    atlas: &AtlasClient,
    store: &Store,
    start: &StartFlags,
    polling: Polling,
    output: Output,
) -> Result<u8, Error> {
    let url = atlas.base_url().as_str().to_owned();
    let queued: Vec<MigrationRecord> = store
        .load()?
        .data
        .migrations
        .into_iter()
        .filter(|r| r.is_queued() && r.atlas_url == url)
        .collect();
    // The password only when a queued row's source has a migration user.
    let password = match queued.iter().find_map(|r| r.source_username.as_deref()) {
        Some(username) => Some(source_password(username)?),
        None => None,
    };
    let outcomes =
        migration_plan::start_queued(atlas, store, start.per_org, polling, password.as_ref())
            .await?;
    let lines: Vec<(String, &RowOutcome)> = outcomes
        .iter()
        .map(|(r, o)| {
            let row = r
                .plan_row
                .map(|n| format!("line {n}, "))
                .unwrap_or_default();
            (format!("{row}{} -> {}", r.source_project, r.cluster), o)
        })
        .collect();
    if lines.is_empty() && output == Output::Text {
        emit("No queued migration");
    }
    Ok(report(&lines, output))
}

/// One line per row; exit 10 when a row failed.
fn report(lines: &[(String, &RowOutcome)], output: Output) -> u8 {
    let mut failed = false;
    let mut json_rows = Vec::new();
    for (what, outcome) in lines {
        let (text, value): (String, Value) = match outcome {
            RowOutcome::Started(id) => (
                format!("{what}: started {id}"),
                json!({"row": what, "result": "started", "id": id}),
            ),
            RowOutcome::Queued(id, w) => (
                format!("{what}: queued behind {} ({})", w.behind, w.reason),
                json!({"row": what, "result": "queued", "id": id, "behind": w.behind, "reason": w.reason}),
            ),
            RowOutcome::Failed(reason) => {
                failed = true;
                (
                    format!("{what}: failed: {reason}"),
                    json!({"row": what, "result": "failed", "reason": reason}),
                )
            }
        };
        match output {
            Output::Text => emit(&terminal_safe(&text)),
            Output::Json => json_rows.push(value),
        }
    }
    if output == Output::Json {
        emit(&json_safe(&json!({"rows": json_rows}).to_string()));
    }
    if failed { EXIT_SOME_FAILED } else { 0 }
}

fn read(path: &Path) -> Result<String, Error> {
    let cannot = |e: std::io::Error| {
        Error::invalid_input(
            format!("Cannot read {}: {e}", path.display()),
            "Give a CSV plan with a header row naming source_project, atlas_project and \
             cluster, or - for standard input.",
        )
    };
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(cannot)?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(cannot)
}
