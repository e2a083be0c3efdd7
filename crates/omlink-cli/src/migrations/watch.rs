//! `omlink atlas migration watch` and the wait after a cutover: each migration read again,
//! politely (the interval grows to the poll maximum), one line per change on standard output,
//! a spinner on a terminal's standard error, the cutover deadline's warnings at 24 h and 2 h.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressStyle};
use omlink::migrate::{self, Polling};
use omlink::migration::MigrationStatus;
use omlink::migration_record::{DeadlineWarning, MigrationRecord};
use omlink::{AtlasClient, EXIT_SOME_FAILED, Error, ErrorKind, Store};

use super::{status_json, status_line};
use crate::args::Output;
use crate::output::{emit, json_safe, terminal_safe, warn};

/// How many reads in a row may fail before the watch gives up.
const MAX_FAILED_ROUNDS: u32 = 5;

/// What a line is printed for: a change of status, readiness, or lag (to the second).
fn seen(r: &MigrationRecord) -> (MigrationStatus, bool, Option<i64>) {
    (
        r.status.clone(),
        r.progress.ready_for_cutover,
        r.progress.lag_time_seconds.map(|l| l.round() as i64),
    )
}

fn line(r: &MigrationRecord, output: Output) -> String {
    match output {
        Output::Text => terminal_safe(&status_line(r, &[])),
        Output::Json => json_safe(&status_json(r, &[]).to_string()),
    }
}

/// Follows `records` until every one is ready for cutover or complete (0), or one failed or
/// expired (10).
pub(crate) async fn watch(
    atlas: &AtlasClient,
    store: &Store,
    records: Vec<MigrationRecord>,
    polling: Polling,
    output: Output,
) -> Result<u8, Error> {
    if records.is_empty() {
        return Err(Error::invalid_input(
            "No running migration is recorded for this Atlas",
            "Start one with `omlink atlas migration start`, or name ids that `omlink atlas \
             migration status` lists.",
        ));
    }
    follow(atlas, store, records, polling, output, |r| {
        r.status == MigrationStatus::Complete || r.progress.ready_for_cutover
    })
    .await
}

/// After a cutover: follows the migration until `COMPLETE` (0) or its loss (10).
pub(crate) async fn until_complete(
    atlas: &AtlasClient,
    store: &Store,
    record: MigrationRecord,
    polling: Polling,
    output: Output,
) -> Result<u8, Error> {
    follow(atlas, store, vec![record], polling, output, |r| {
        r.status == MigrationStatus::Complete
    })
    .await
}

async fn follow(
    atlas: &AtlasClient,
    store: &Store,
    mut records: Vec<MigrationRecord>,
    polling: Polling,
    output: Output,
    done: impl Fn(&MigrationRecord) -> bool,
) -> Result<u8, Error> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let say = |text: &str| match &bar {
        Some(bar) => bar.suspend(|| emit(text)),
        None => emit(text),
    };
    let mut last: Vec<Option<_>> = vec![None; records.len()];
    let mut warned: Vec<Option<DeadlineWarning>> = vec![None; records.len()];
    let mut wait = polling.first;
    let mut failed_rounds = 0;
    loop {
        let mut failure = None;
        for (i, record) in records.iter_mut().enumerate() {
            if last[i].is_some() && (done(record) || record.status.is_lost()) {
                continue;
            }
            match migrate::refresh(atlas, record).await {
                Ok(()) => migrate::save(store, &record.id.clone(), record)?,
                Err(e) if e.kind == ErrorKind::InvalidInput => return Err(e),
                Err(e) => {
                    failure = Some(e);
                    continue;
                }
            }
            let now = seen(record);
            if last[i].as_ref() != Some(&now) {
                say(&line(record, output));
                last[i] = Some(now);
            }
            let warning = record.deadline_warning(SystemTime::now());
            if warning.is_some() && warning != warned[i] {
                let deadline = record.cutover_deadline_text().unwrap_or_default();
                warn(&format!(
                    "migration {} must be cut over before {deadline} ({}), or it expires",
                    record.id,
                    match warning {
                        Some(DeadlineWarning::Within2Hours) => "under 2 hours left",
                        Some(DeadlineWarning::Passed) => "the window may have ended",
                        _ => "under 24 hours left",
                    }
                ));
                warned[i] = warning;
            }
        }
        match failure {
            Some(e) => {
                failed_rounds += 1;
                if failed_rounds >= MAX_FAILED_ROUNDS {
                    return Err(e);
                }
                warn(&format!("{} (trying again)", e.message));
            }
            None => failed_rounds = 0,
        }
        if let Some(bar) = &bar {
            bar.set_message(summary(&records));
        }
        if records.iter().any(|r| r.status.is_lost()) {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return Ok(EXIT_SOME_FAILED);
        }
        if last.iter().all(Option::is_some) && records.iter().all(&done) {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return Ok(0);
        }
        tokio::time::sleep(wait).await;
        wait = polling.next(wait);
    }
}

fn summary(records: &[MigrationRecord]) -> String {
    let ready = records
        .iter()
        .filter(|r| r.progress.ready_for_cutover)
        .count();
    let complete = records
        .iter()
        .filter(|r| r.status == MigrationStatus::Complete)
        .count();
    let lag = records
        .iter()
        .filter_map(|r| r.progress.lag_time_seconds)
        .fold(None, |max: Option<f64>, l| {
            Some(max.map_or(l, |m| m.max(l)))
        });
    format!(
        "{} migration(s): {ready} ready for cutover, {complete} complete{}",
        records.len(),
        lag.map(|l| format!(", largest lag {l:.0}s"))
            .unwrap_or_default()
    )
}
