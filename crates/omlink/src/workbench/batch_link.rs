//! Many organizations at once for one profile: the fleet's link statuses, and batch links whose
//! every attempt is recorded as it finishes (see [`batch`](crate::batch)).
//!
//! What a batch keeps, and when:
//! - a token generated in Atlas is kept (keychain, then history as "not linked yet") right
//!   after it is generated, before the next one is asked for and before anything is sent;
//! - each finished link updates that entry, or records a new one with its token;
//! - a keychain that stops answering ends the batch: the rows not yet finished end with that
//!   error (each keychain wait is bounded, but a thousand of them are not), and the person's
//!   Cancel interrupts a wait.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::mpsc;

use super::{TokenSource, Workbench, new_entry, not_kept};
use crate::access_list::parse_access_list;
use crate::atlas_profile::AtlasTarget;
use crate::batch::{
    self, BatchControl, BatchEvent, BatchItem, BatchOptions, BatchReport, Cancel, OrgOutcome,
    OrgResult,
};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::fields::ProfileId;
use crate::history::{HistoryEntry, Outcome};
use crate::model::LinkStatus;
use crate::profile::Profile;
use crate::secret::LinkToken;
use crate::secret_store::is_unanswered;
use crate::validate::OrgId;

/// An organization of a batch link from the window, with where its token comes from. A batch
/// either generates every token in Atlas or none.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BatchLinkItem {
    /// The organization.
    pub org: OrgId,
    /// Its name, when known.
    pub name: Option<String>,
    /// Its token: pasted, saved with a history entry, or generated now.
    pub source: TokenSource,
}

impl Workbench {
    /// Links many organizations with the profile's key (see [`batch`](crate::batch)). Each
    /// attempt is recorded in the history **as it finishes**, its token in the keychain (one
    /// entry per distinct token), so an interrupted batch loses nothing and a re-run skips what
    /// is linked. Organizations already linked are skipped and not recorded (nothing was sent).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for bad options or an item without a token, a token too long
    /// for the keychain, or an organization already being linked; as for building the client.
    pub async fn link_batch(
        &self,
        id: &ProfileId,
        items: Vec<BatchItem>,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let (profile, client) = self.client(id).await?;
        self.link_batch_using(&profile, client, items, &HashMap::new(), options, control)
            .await
    }

    /// A batch link as the window sends it: each organization with its [`TokenSource`]. Every
    /// token is generated in Atlas ([`link_batch_minting`](Self::link_batch_minting)) or none
    /// is: pasted tokens and tokens saved with history entries are gathered first (a Cancel
    /// meanwhile ends the batch before anything is sent), then linked as
    /// [`link_batch`](Self::link_batch) does.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a batch that mixes generated and given tokens, or a
    /// saved token that cannot be used; [`ErrorKind::Cancelled`]; as for the batch run.
    pub async fn link_batch_sourced(
        &self,
        id: &ProfileId,
        items: Vec<BatchLinkItem>,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let minting = items
            .iter()
            .filter(|i| matches!(i.source, TokenSource::Mint(_)))
            .count();
        if minting > 0 && minting < items.len() {
            return Err(Error::invalid_input(
                "A batch either generates every token in Atlas or uses given tokens",
                "Choose an Atlas organization for every selected organization, or give every \
                 one a token.",
            ));
        }
        let mut targets = HashMap::new();
        let mut batch = Vec::with_capacity(items.len());
        for item in items {
            if control.cancel.is_cancelled() {
                return Err(Error::new(
                    ErrorKind::Cancelled,
                    "The batch was cancelled before it started",
                    "Nothing was sent.",
                ));
            }
            let token = match item.source {
                TokenSource::New(token) => Some(token),
                TokenSource::History(entry) => Some(self.saved_token(id, &item.org, &entry).await?),
                TokenSource::Mint(target) => {
                    targets.insert(item.org.clone(), target);
                    None
                }
            };
            batch.push(BatchItem {
                org: item.org,
                name: item.name,
                token,
            });
        }
        if minting > 0 {
            return self
                .link_batch_minting(id, batch, &targets, options, control)
                .await;
        }
        self.link_batch(id, batch, options, control).await
    }

    /// Links many organizations with tokens generated now, one per organization, in the Atlas
    /// organization `targets` maps it to (the profile's Atlas connection generates them).
    /// Tokens are generated one at a time, **each kept** in the keychain and the history ("not
    /// linked yet") before the next is asked for; then they are linked as
    /// [`link_batch`](Self::link_batch) does, each entry updated with its outcome. When a
    /// generation fails part-way (or the keychain stops answering), the tokens already
    /// generated are linked and the rest are reported failed with that error; when the batch
    /// is cancelled, the tokens generated so far stay in the history, not linked yet.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the profile has no Atlas connection, an organization
    /// has no target or a target's addresses are bad; the first generation's error when
    /// nothing was generated; as for [`link_batch`](Self::link_batch).
    pub async fn link_batch_minting(
        &self,
        id: &ProfileId,
        items: Vec<BatchItem>,
        targets: &HashMap<OrgId, AtlasTarget>,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let BatchControl { events, cancel } = control;
        options.validate()?;
        let (profile, client) = self.client(id).await?;
        self.atlas_link_of(id)?;
        for item in &items {
            let target = targets.get(&item.org).ok_or_else(|| {
                Error::invalid_input(
                    format!(
                        "No Atlas organization is chosen for organization {}",
                        item.org
                    ),
                    "Choose the Atlas organization to generate each token in.",
                )
            })?;
            parse_access_list(&target.access_list_ips)?;
        }
        let total = items.len();
        let mut report = BatchReport::default();
        // No organization of the batch may be linked by another request while its token is
        // generated (a second token for it would be one too many); link_batch_using reserves
        // them again for the links.
        let guards = items
            .iter()
            .map(|item| self.reserve(id, &item.org))
            .collect::<Result<Vec<_>, _>>()?;
        let mut items = if options.force {
            items
        } else {
            let (skipped, rest) = self
                .already_linked(&client, items, options, &cancel)
                .await?;
            for result in skipped {
                report.finish(result, total, events.as_ref());
            }
            rest
        };
        // One at a time, so a refused credential stops after one request.
        let mut minted: HashMap<OrgId, HistoryEntry> = HashMap::new();
        let mut generated = 0;
        let mut stopped_by = None;
        for item in &mut items {
            let target = &targets[&item.org];
            let token = tokio::select! {
                token = self.mint(id, target) => token,
                () = cancel.cancelled() => break,
            };
            let token = match token {
                Ok(token) => token,
                Err(e) if generated == 0 && report.results.is_empty() => return Err(e),
                Err(e) => {
                    stopped_by = Some(e);
                    break;
                }
            };
            let (entry, kept) = self
                .keep_minted(&profile, item, &token, target.origin(), cancel.cancelled())
                .await;
            item.token = Some(token);
            minted.insert(item.org.clone(), entry);
            generated += 1;
            match kept {
                Err(e) if is_unanswered(&e) => {
                    stopped_by = Some(keychain_stopped(&e));
                    break;
                }
                // Cancelled: the loop ends at the next select.
                _ => {}
            }
        }
        let not_generated = items.split_off(generated);
        drop(guards);
        if !items.is_empty() && !cancel.is_cancelled() {
            // The link phase's events count its own organizations; they are forwarded with the
            // batch's totals.
            let (tx, mut rx) = mpsc::unbounded_channel::<BatchEvent>();
            let run = self.link_batch_using(
                &profile,
                Arc::clone(&client),
                items,
                &minted,
                options,
                BatchControl::new(Some(tx), cancel.clone()),
            );
            let before = report.results.len();
            let forward = async {
                while let Some(event) = rx.recv().await {
                    if let Some(events) = &events {
                        let _ = events.send(BatchEvent {
                            done: before + event.done,
                            total,
                            result: event.result,
                        });
                    }
                }
            };
            let (linked, ()) = tokio::join!(run, forward);
            let linked = linked?;
            report.results.extend(linked.results);
            report.stopped = linked.stopped;
        }
        if let Some(error) = stopped_by {
            for item in not_generated {
                let result = OrgResult {
                    org: item.org,
                    name: item.name,
                    outcome: OrgOutcome::Failed {
                        error: error.clone(),
                    },
                };
                report.finish(result, total, events.as_ref());
            }
        }
        report.cancelled = cancel.is_cancelled() && report.results.len() < total;
        Ok(report)
    }

    /// Splits `items` into the organizations already linked (as results) and the rest, so
    /// that no token is generated for nothing.
    async fn already_linked(
        &self,
        client: &Arc<Client>,
        items: Vec<BatchItem>,
        options: &BatchOptions,
        cancel: &Cancel,
    ) -> Result<(Vec<OrgResult>, Vec<BatchItem>), Error> {
        let orgs = items
            .iter()
            .map(|i| (i.org.clone(), i.name.clone()))
            .collect();
        let read = batch::status_all(
            Arc::clone(client),
            orgs,
            options,
            BatchControl::new(None, cancel.clone()),
        )
        .await?;
        if let Some(stopped) = read.stopped {
            return Err(stopped);
        }
        let linked: HashSet<OrgId> = read
            .results
            .into_iter()
            .filter(|r| {
                matches!(
                    &r.outcome,
                    OrgOutcome::Status {
                        status: LinkStatus::Synced
                    }
                )
            })
            .map(|r| r.org)
            .collect();
        let (skipped, rest): (Vec<_>, Vec<_>) =
            items.into_iter().partition(|i| linked.contains(&i.org));
        let skipped = skipped
            .into_iter()
            .map(|item| OrgResult {
                org: item.org,
                name: item.name,
                outcome: OrgOutcome::AlreadyLinked,
            })
            .collect();
        Ok((skipped, rest))
    }

    /// [`link_batch`](Self::link_batch) with a client the caller built for `profile` (the CLI's,
    /// whose key may come from `OMLINK_PRIVATE_KEY` and whose TLS options from its flags).
    /// `minted` holds the "not linked yet" entries of tokens generated for this batch (see
    /// [`keep_minted`](Self::keep_minted)): their outcome replaces it.
    ///
    /// # Errors
    /// As for [`link_batch`](Self::link_batch).
    pub async fn link_batch_using(
        &self,
        profile: &Profile,
        client: Arc<Client>,
        items: Vec<BatchItem>,
        minted: &HashMap<OrgId, HistoryEntry>,
        options: &BatchOptions,
        control: BatchControl,
    ) -> Result<BatchReport, Error> {
        let BatchControl { events, cancel } = control;
        let id = &profile.id;
        let tokens = batch::tokens_of(&items)?;
        for token in tokens.values() {
            crate::secret_store::check_storable(token, std::env::consts::OS)?;
        }
        // No organization of the batch may be linked by another request at the same time.
        let guards = items
            .iter()
            .map(|item| self.reserve(id, &item.org))
            .collect::<Result<Vec<_>, _>>()?;
        let rows: Vec<(OrgId, Option<String>)> = items
            .iter()
            .map(|i| (i.org.clone(), i.name.clone()))
            .collect();
        // The runner stops on the person's Cancel, or on a keychain that stopped answering.
        let stop = cancel.child();
        let (tx, mut rx) = mpsc::unbounded_channel::<BatchEvent>();
        let run = batch::link_all(
            client,
            items,
            options,
            BatchControl::new(Some(tx), stop.clone()),
        );
        let mut keychain: Option<Error> = None;
        let record = async {
            while let Some(first) = rx.recv().await {
                // Record whatever has finished meanwhile in one store write.
                let mut finished = vec![first];
                while let Ok(more) = rx.try_recv() {
                    finished.push(more);
                }
                let recording = Recording {
                    profile,
                    tokens: &tokens,
                    minted,
                    cancel: &cancel,
                };
                self.record_batch(&recording, &finished, &mut keychain)
                    .await;
                if keychain.is_some() {
                    stop.cancel();
                }
                if let Some(events) = &events {
                    for event in finished {
                        let _ = events.send(event);
                    }
                }
            }
        };
        let (report, ()) = tokio::join!(run, record);
        stop.cancel();
        drop(guards);
        let mut report = report?;
        report.cancelled = cancel.is_cancelled() && report.results.len() < rows.len();
        if let Some(e) = keychain.filter(|_| !cancel.is_cancelled()) {
            let error = keychain_stopped(&e);
            let done: HashSet<OrgId> = report.results.iter().map(|r| r.org.clone()).collect();
            let total = rows.len();
            for (org, name) in rows.into_iter().filter(|(org, _)| !done.contains(org)) {
                let result = OrgResult {
                    org,
                    name,
                    outcome: OrgOutcome::Failed {
                        error: error.clone(),
                    },
                };
                report.finish(result, total, events.as_ref());
            }
        }
        Ok(report)
    }

    /// Records finished batch links in the history: a generated token's entry gets the
    /// outcome, any other token is kept in the keychain with a new entry. Once the keychain
    /// has not answered (`keychain`), it is not asked again in this batch.
    async fn record_batch(
        &self,
        batch: &Recording<'_>,
        finished: &[BatchEvent],
        keychain: &mut Option<Error>,
    ) {
        let mut entries = Vec::new();
        for event in finished {
            let result = &event.result;
            let outcome = match &result.outcome {
                OrgOutcome::Linked { status } => Outcome::Linked {
                    status: status.clone(),
                },
                OrgOutcome::Failed { error } => Outcome::failed(error),
                OrgOutcome::AlreadyLinked | OrgOutcome::Status { .. } => continue,
            };
            if let Some(entry) = batch.minted.get(&result.org) {
                entries.push(HistoryEntry {
                    outcome,
                    ..entry.clone()
                });
                continue;
            }
            let Some(token) = batch.tokens.get(&result.org) else {
                continue;
            };
            let mut entry = new_entry(
                batch.profile,
                result.org.clone(),
                result.name.clone(),
                token,
                outcome,
            );
            match keychain {
                Some(e) => not_kept(&mut entry, e),
                None => {
                    let kept = self
                        .keep_token_unless(&mut entry, token, batch.cancel.cancelled())
                        .await;
                    if let Err(e) = kept
                        && is_unanswered(&e)
                    {
                        *keychain = Some(e);
                    }
                }
            }
            entries.push(entry);
        }
        self.save_entries(entries);
    }
}

/// What [`Workbench::record_batch`] needs to know about the batch.
struct Recording<'a> {
    profile: &'a Profile,
    tokens: &'a HashMap<OrgId, LinkToken>,
    minted: &'a HashMap<OrgId, HistoryEntry>,
    cancel: &'a Cancel,
}

/// The error each unfinished row of a batch ends with when the keychain stopped answering.
fn keychain_stopped(e: &Error) -> Error {
    Error::new(
        ErrorKind::Keychain,
        format!("The batch stopped: {}", e.message),
        "Unlock your keyring (on Linux: the \"Login\" keyring in Passwords and Keys) and run \
         the batch again: organizations already linked are skipped, and tokens generated in \
         Atlas are in the history, not linked yet.",
    )
}
