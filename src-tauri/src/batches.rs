//! The window's batches: each one's Cancel filed under the window's batch id while it runs,
//! its events forwarded to the window's channel, its report summed up.

use std::collections::HashMap;
use std::sync::Mutex;

use omlink::batch::{BatchControl, BatchEvent, BatchOptions, BatchReport, Cancel};
use omlink::{Error, OrgId, Organization};
use tauri::ipc::Channel;

use crate::state::{AppState, lock};
use crate::types::BatchSummary;

/// The batch options the window asked for.
///
/// # Errors
/// [`omlink::ErrorKind::InvalidInput`] for a concurrency outside 1–64.
pub fn options(concurrency: Option<usize>, force: bool) -> Result<BatchOptions, Error> {
    let options = BatchOptions {
        concurrency: concurrency.unwrap_or(omlink::batch::DEFAULT_CONCURRENCY),
        force,
        ..BatchOptions::default()
    };
    options.validate()?;
    Ok(options)
}

/// The listed organizations as the batch runner takes them.
///
/// # Errors
/// [`omlink::ErrorKind::InvalidInput`] for an id that is not an organization id.
pub fn orgs(listed: Vec<Organization>) -> Result<Vec<(OrgId, Option<String>)>, Error> {
    listed
        .into_iter()
        .map(|o| OrgId::new(&o.id).map(|id| (id, Some(o.name))))
        .collect()
}

/// A batch's cancel handle, filed under the window's batch id until the guard is dropped.
pub struct Filed<'a> {
    batches: &'a Mutex<HashMap<String, Cancel>>,
    id: String,
}

impl Drop for Filed<'_> {
    fn drop(&mut self) {
        lock(self.batches).remove(&self.id);
    }
}

/// Files a fresh Cancel under `batch_id` (before anything is read, so an early Cancel counts).
pub fn file<'a>(state: &'a AppState, batch_id: &str) -> (Cancel, Filed<'a>) {
    let cancel = Cancel::new();
    lock(&state.batches).insert(batch_id.to_owned(), cancel.clone());
    let filed = Filed {
        batches: &state.batches,
        id: batch_id.to_owned(),
    };
    (cancel, filed)
}

/// Cancels the batch filed under `batch_id`; false when it had already finished.
pub fn cancel(state: &AppState, batch_id: &str) -> bool {
    lock(&state.batches).remove(batch_id).is_some_and(|c| {
        c.cancel();
        true
    })
}

/// Runs a batch filed under `batch_id`, forwarding its events to the window's channel.
///
/// # Errors
/// The batch's own error (bad options, nothing could start).
pub async fn run<F, Fut>(
    state: &AppState,
    batch_id: &str,
    channel: Channel<BatchEvent>,
    work: F,
) -> Result<BatchSummary, Error>
where
    F: FnOnce(BatchControl) -> Fut,
    Fut: std::future::Future<Output = Result<BatchReport, Error>>,
{
    let (cancel, _filed) = file(state, batch_id);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let forward = tauri::async_runtime::spawn(async move {
        while let Some(event) = rx.recv().await {
            // A closed window is not the batch's failure: its results are in the history.
            let _ = channel.send(event);
        }
    });
    let report = work(BatchControl::new(Some(tx), cancel)).await;
    let _ = forward.await;
    Ok(report?.into())
}
