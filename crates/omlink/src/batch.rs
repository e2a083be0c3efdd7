//! The batch runner: the link status of many organizations, or many `(organization, token)`
//! links, in one run. The CLI's `status --all` and `link --from` and the app's fleet view both
//! use it.
//!
//! - **Concurrent across organizations** ([`BatchOptions::concurrency`], 1–64, default 8), one
//!   request at a time per organization.
//! - **429 honoured**: `Retry-After`, else exponential backoff with jitter, bounded. Other
//!   transient failures (5xx, network) are retried a bounded number of times only where the
//!   call is safe to repeat: a status read always; a link only after a status read shows it did
//!   not take effect.
//! - **A wrong key or a missing role stops the whole batch at once** ([`BatchReport::stopped`]):
//!   a thousand identical 401s help nobody.
//! - **Cancellable** at any point ([`Cancel`]); **progress** ([`BatchEvent`]: done/total and
//!   each organization's result) goes through one channel.
//! - **Safe to re-run**: an organization already `SYNCED` is reported
//!   [`OrgOutcome::AlreadyLinked`] and skipped unless forced; each result is handed to the
//!   caller (to record in the history) as it happens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::model::LinkStatus;
use crate::secret::LinkToken;
use crate::validate::OrgId;

/// The default number of organizations worked on at the same time.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most organizations worked on at the same time.
pub const MAX_CONCURRENCY: usize = 64;

/// How a batch runs.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Organizations worked on at the same time, 1 to [`MAX_CONCURRENCY`].
    pub concurrency: usize,
    /// Link even organizations that are already `SYNCED`.
    pub force: bool,
    /// Attempts per request when rate limited (429) or, where safe, on a transient failure.
    pub max_attempts: u32,
    /// The first backoff delay when the server gave no `Retry-After`; it doubles each attempt.
    pub backoff_base: Duration,
    /// The longest single wait, `Retry-After` included.
    pub backoff_max: Duration,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            force: false,
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

impl BatchOptions {
    /// Checks the concurrency.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] outside 1–[`MAX_CONCURRENCY`].
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(Error::invalid_input(
                format!(
                    "The concurrency must be between 1 and {MAX_CONCURRENCY}, not {}",
                    self.concurrency
                ),
                format!("{DEFAULT_CONCURRENCY} suits most servers."),
            ));
        }
        Ok(())
    }
}

/// How one organization ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "result")]
pub enum OrgOutcome {
    /// A status read: the link's status.
    Status {
        /// As the server reported it.
        status: LinkStatus,
    },
    /// Linked by this batch.
    Linked {
        /// As the server reported it.
        status: LinkStatus,
    },
    /// Already `SYNCED`: not linked again (see [`BatchOptions::force`]).
    AlreadyLinked,
    /// The request failed.
    Failed {
        /// Why.
        error: Error,
    },
}

impl OrgOutcome {
    /// Whether the organization ended linked (by this batch or before).
    pub fn is_success(&self) -> bool {
        !matches!(self, Self::Failed { .. })
    }
}

/// One organization's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OrgResult {
    /// The organization.
    pub org: OrgId,
    /// Its name, when known.
    pub name: Option<String>,
    /// How it ended.
    pub outcome: OrgOutcome,
}

/// Progress: one more organization finished.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BatchEvent {
    /// Organizations finished so far, this one included.
    pub done: usize,
    /// Organizations in the batch.
    pub total: usize,
    /// This organization's result.
    pub result: OrgResult,
}

/// What a batch did.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    /// Every finished organization's result, in the order they finished.
    pub results: Vec<OrgResult>,
    /// Set when the batch stopped early because the key or its role was refused: the
    /// organizations not finished were not attempted.
    pub stopped: Option<Error>,
    /// Whether the batch was cancelled before it finished.
    pub cancelled: bool,
}

impl BatchReport {
    /// Adds a finished organization's result and sends it as progress (`total` organizations in
    /// the batch); a closed channel is not the batch's failure.
    pub(crate) fn finish(
        &mut self,
        result: OrgResult,
        total: usize,
        events: Option<&mpsc::UnboundedSender<BatchEvent>>,
    ) {
        self.results.push(result.clone());
        if let Some(events) = events {
            let _ = events.send(BatchEvent {
                done: self.results.len(),
                total,
                result,
            });
        }
    }

    /// How many organizations failed.
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| !r.outcome.is_success())
            .count()
    }
}

/// How a running batch is followed and stopped: where its progress goes as it happens, and
/// the switch that cancels it.
#[derive(Clone, Debug, Default)]
pub struct BatchControl {
    /// Where each [`BatchEvent`] goes; `None`: nowhere.
    pub events: Option<mpsc::UnboundedSender<BatchEvent>>,
    /// Cancels the batch.
    pub cancel: Cancel,
}

impl BatchControl {
    /// Progress to `events`, cancelled by `cancel`.
    pub fn new(events: Option<mpsc::UnboundedSender<BatchEvent>>, cancel: Cancel) -> Self {
        Self { events, cancel }
    }
}

/// Cancels a running batch from anywhere: requests in flight are dropped, none is started.
#[derive(Clone, Debug)]
pub struct Cancel(Arc<watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Cancel {
    /// A fresh, not yet cancelled handle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels the batch.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    /// Whether the batch was cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// A handle cancelled with this one, that can also be cancelled on its own (a batch
    /// stopped for its own reason without cancelling the person's handle). Needs a Tokio
    /// runtime; the link ends when either is cancelled.
    pub(crate) fn child(&self) -> Self {
        let child = Self::new();
        let (parent, linked) = (self.clone(), child.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = parent.cancelled() => linked.cancel(),
                () = linked.cancelled() => {}
            }
        });
        child
    }

    /// Completes when the batch is cancelled.
    pub(crate) async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}

/// One organization to work on.
#[derive(Clone, Debug)]
pub struct BatchItem {
    /// The organization.
    pub org: OrgId,
    /// Its name, when known.
    pub name: Option<String>,
    /// The token, for a link batch.
    pub token: Option<LinkToken>,
}

/// Reads the link status of every organization in `orgs`.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] for bad options; a stopped batch is reported in
/// [`BatchReport::stopped`], not as an error.
pub async fn status_all(
    client: Arc<Client>,
    orgs: Vec<(OrgId, Option<String>)>,
    options: &BatchOptions,
    control: BatchControl,
) -> Result<BatchReport, Error> {
    let items = orgs
        .into_iter()
        .map(|(org, name)| BatchItem {
            org,
            name,
            token: None,
        })
        .collect();
    run(client, items, options, control).await
}

/// Links every `(organization, token)` in `items`: each organization's status is read first,
/// and an organization already `SYNCED` is skipped unless [`BatchOptions::force`].
///
/// # Errors
/// [`ErrorKind::InvalidInput`] for bad options or an item without a token.
pub async fn link_all(
    client: Arc<Client>,
    items: Vec<BatchItem>,
    options: &BatchOptions,
    control: BatchControl,
) -> Result<BatchReport, Error> {
    tokens_of(&items)?;
    run(client, items, options, control).await
}

/// Each organization's token in a link batch.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] naming the first organization without a token.
pub fn tokens_of(items: &[BatchItem]) -> Result<HashMap<OrgId, LinkToken>, Error> {
    items
        .iter()
        .map(|item| match &item.token {
            Some(token) => Ok((item.org.clone(), token.clone())),
            None => Err(Error::invalid_input(
                format!("No link token for organization {}", item.org),
                "Give every organization its token.",
            )),
        })
        .collect()
}

/// Whether an error means the whole batch must stop: the key or its permissions are wrong, and
/// every other organization would fail the same way.
fn stops_the_batch(e: &Error) -> bool {
    match e.kind {
        ErrorKind::AuthenticationFailed => true,
        // A 403 (access list) or a 401 with an errorCode (no role on this key). A
        // PermissionDenied for one organization's role would also be the same for the rest
        // in practice: a fleet is linked with one Organization Owner key per organization set.
        ErrorKind::PermissionDenied => true,
        _ => false,
    }
}

async fn run(
    client: Arc<Client>,
    items: Vec<BatchItem>,
    options: &BatchOptions,
    control: BatchControl,
) -> Result<BatchReport, Error> {
    let BatchControl { events, cancel } = control;
    options.validate()?;
    let total = items.len();
    let permits = Arc::new(Semaphore::new(options.concurrency));
    // Stopping (fatal error) and cancelling share one switch for the workers.
    let stop = Cancel::new();
    let mut tasks = JoinSet::new();
    for item in items {
        let client = Arc::clone(&client);
        let permits = Arc::clone(&permits);
        let options = options.clone();
        let (stop, cancel) = (stop.clone(), cancel.clone());
        tasks.spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return None;
            };
            if stop.is_cancelled() || cancel.is_cancelled() {
                return None;
            }
            let work = one(&client, &item, &options);
            let outcome = tokio::select! {
                outcome = work => outcome,
                () = stop.cancelled() => return None,
                () = cancel.cancelled() => return None,
            };
            // Stop the others here, before this permit is released: the collector may see
            // this result only after more workers have started.
            if let OrgOutcome::Failed { error } = &outcome
                && stops_the_batch(error)
            {
                stop.cancel();
            }
            Some(OrgResult {
                org: item.org,
                name: item.name,
                outcome,
            })
        });
    }
    let mut report = BatchReport::default();
    while let Some(joined) = tasks.join_next().await {
        let result = match joined {
            Ok(Some(result)) => result,
            Ok(None) => continue,
            Err(e) => {
                return Err(Error::internal(format!("a batch task failed: {e}")));
            }
        };
        if let OrgOutcome::Failed { error } = &result.outcome
            && stops_the_batch(error)
            && report.stopped.is_none()
        {
            report.stopped = Some(error.clone());
        }
        report.finish(result, total, events.as_ref());
    }
    report.cancelled = cancel.is_cancelled() && report.results.len() < total;
    Ok(report)
}

/// One organization: a status read, or a status read then a link.
async fn one(client: &Client, item: &BatchItem, options: &BatchOptions) -> OrgOutcome {
    let status = retrying(options, true, || client.link_status(&item.org)).await;
    let Some(token) = &item.token else {
        return match status {
            Ok(outcome) => OrgOutcome::Status {
                status: outcome.status,
            },
            Err(error) => OrgOutcome::Failed { error },
        };
    };
    match status {
        Ok(outcome) if outcome.status == LinkStatus::Synced && !options.force => {
            return OrgOutcome::AlreadyLinked;
        }
        Ok(_) => {}
        Err(error) => return OrgOutcome::Failed { error },
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match retrying(options, false, || client.link(&item.org, token)).await {
            Ok(outcome) => {
                return OrgOutcome::Linked {
                    status: outcome.status,
                };
            }
            Err(error) if transient(&error) && attempt < options.max_attempts => {
                // The link may or may not have taken effect: ask before repeating it.
                match retrying(options, true, || client.link_status(&item.org)).await {
                    Ok(o) if o.status == LinkStatus::Synced => {
                        return OrgOutcome::Linked { status: o.status };
                    }
                    Ok(_) => tokio::time::sleep(backoff(options, attempt, None)).await,
                    Err(_) => return OrgOutcome::Failed { error },
                }
            }
            Err(error) => return OrgOutcome::Failed { error },
        }
    }
}

/// A 5xx or a network failure (not TLS: a certificate does not fix itself).
fn transient(e: &Error) -> bool {
    match e.kind {
        ErrorKind::ServerError => e.http_status.is_some_and(|s| s >= 500),
        ErrorKind::Network => true,
        _ => false,
    }
}

/// Runs `call`, waiting out 429s (always safe: the server did nothing) and, when `safe`,
/// retrying transient failures; at most [`BatchOptions::max_attempts`] attempts.
async fn retrying<T, F, Fut>(options: &BatchOptions, safe: bool, mut call: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match call().await {
            Err(e) if attempt < options.max_attempts && e.kind == ErrorKind::RateLimited => {
                tokio::time::sleep(backoff(options, attempt, e.retry_after_secs)).await;
            }
            Err(e) if attempt < options.max_attempts && safe && transient(&e) => {
                tokio::time::sleep(backoff(options, attempt, None)).await;
            }
            other => return other,
        }
    }
}

/// `Retry-After` when the server gave one, else `base · 2^(attempt-1)` plus up to half again
/// of jitter; never more than [`BatchOptions::backoff_max`].
fn backoff(options: &BatchOptions, attempt: u32, retry_after: Option<u64>) -> Duration {
    let wait = match retry_after {
        Some(secs) => Duration::from_secs(secs),
        None => {
            let exp = options
                .backoff_base
                .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
            let jitter = exp.mul_f64(rand::random::<f64>() * 0.5);
            exp.saturating_add(jitter)
        }
    };
    wait.min(options.backoff_max)
}

#[cfg(test)]
mod tests;
