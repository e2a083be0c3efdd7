//! One link: a new, saved or generated token sent once per (profile, organization) at a time,
//! recorded in the history with its token in the keychain; the link's status and removal.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::atlas_profile::{AtlasOrigin, AtlasTarget};
use crate::batch::BatchItem;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::fields::ProfileId;
use crate::history::{HistoryEntry, HistoryId, Outcome};
use crate::model::LinkOutcome;
use crate::profile::Profile;
use crate::secret::LinkToken;
use crate::secret_store::{Secret, link_token_account};
use crate::validate::OrgId;

use super::{Workbench, lock, new_entry, not_kept, server_of, upsert};

/// Where a link attempt's token comes from. On the wire (the window's requests) it is one
/// tagged value: `{"kind":"paste","value":"<token>"}`, `{"kind":"reuse","value":"<history
/// entry id>"}` or `{"kind":"mint","value":{<Atlas target>}}`.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum TokenSource {
    /// A token the person typed or pasted.
    #[serde(rename = "paste")]
    New(LinkToken),
    /// The token saved in the keychain with this history entry ("Use this token again").
    #[serde(rename = "reuse")]
    History(HistoryId),
    /// A token minted now in an Atlas organization with the profile's Atlas connection
    /// ("Generate & link").
    #[serde(rename = "mint")]
    Mint(AtlasTarget),
}

/// A link ready to send: profile, client, token, the in-flight guard, and the "not linked
/// yet" entry of a token omlink minted for it (which records where it was generated).
pub(super) type Prepared = (
    Profile,
    Arc<Client>,
    LinkToken,
    InFlight,
    Option<HistoryEntry>,
);

/// Removes a (profile, organization) pair from the in-flight set when the attempt ends,
/// however it ends.
pub(super) struct InFlight {
    set: Arc<Mutex<HashSet<(ProfileId, OrgId)>>>,
    key: (ProfileId, OrgId),
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.set).remove(&self.key);
    }
}

impl Workbench {
    /// Links `org` with a new or remembered token, unless `cancel` completes first. Every
    /// attempt that reaches the server, cancelled ones included, is recorded once in the
    /// history, with its token saved in the keychain for reuse.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when a link for the same profile and organization is already
    /// running, or the remembered token is gone; [`ErrorKind::Cancelled`]; any server error.
    /// The history entry is returned either way.
    pub async fn link(
        &self,
        id: &ProfileId,
        org: &OrgId,
        org_name: Option<String>,
        token: TokenSource,
        cancel: impl Future<Output = ()>,
    ) -> (Result<LinkOutcome, Error>, Option<HistoryEntry>) {
        let mut cancel = std::pin::pin!(cancel);
        let prepared = self
            .prepare_link(id, org, org_name.clone(), token, cancel.as_mut())
            .await;
        let (profile, client, token, guard, minted) = match prepared {
            Ok(p) => p,
            Err((e, minted)) => return (Err(e), minted),
        };
        let result = tokio::select! {
            result = client.link(org, &token) => result,
            () = cancel => Err(Error::new(
                ErrorKind::Cancelled,
                "The link request was cancelled",
                "Nothing was sent after the cancel; check the status to see whether the server \
                 had already linked the organization.",
            )),
        };
        drop(guard);
        let outcome = match &result {
            Ok(o) => Outcome::Linked {
                status: o.status.clone(),
            },
            Err(e) if e.kind == ErrorKind::Cancelled => Outcome::Cancelled,
            Err(e) => Outcome::failed(e),
        };
        // A minted token already has its entry (and its keychain entry): the attempt's outcome
        // replaces "not linked yet".
        let entry = match minted {
            Some(entry) => HistoryEntry { outcome, ..entry },
            None => {
                let mut entry = new_entry(&profile, org.clone(), org_name, &token, outcome);
                // A refusal is said in the entry.
                let _ = self.keep_token(&mut entry, &token).await;
                entry
            }
        };
        // When the write fails, the attempt is still shown (kept in memory, saying so).
        (result, Some(self.save_entry(entry)))
    }

    pub(super) async fn prepare_link(
        &self,
        id: &ProfileId,
        org: &OrgId,
        org_name: Option<String>,
        token: TokenSource,
        mut cancel: std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Prepared, (Error, Option<HistoryEntry>)> {
        let (profile, client) = self.client(id).await.map_err(|e| (e, None))?;
        // Reserved before a token is minted: a second click must not mint a second token.
        let guard = self.reserve(id, org).map_err(|e| (e, None))?;
        let (token, minted) = match token {
            TokenSource::New(token) => (token, None),
            TokenSource::History(entry_id) => (
                self.saved_token(id, org, &entry_id)
                    .await
                    .map_err(|e| (e, None))?,
                None,
            ),
            TokenSource::Mint(target) => {
                self.remember_target(id, &target).map_err(|e| (e, None))?;
                let token = tokio::select! {
                    token = self.mint(id, &target) => token.map_err(|e| (e, None))?,
                    () = cancel.as_mut() => return Err((Error::new(
                        ErrorKind::Cancelled,
                        "Generate & link was cancelled while Atlas was creating the token",
                        "Nothing was sent to Ops Manager. If Atlas created the token anyway, it \
                         is unused; generate a new one when you are ready.",
                    ), None)),
                };
                // Kept before anything else can fail. A keychain that refused it is said in
                // the entry; the token is still sent, as it would otherwise be lost.
                let item = BatchItem {
                    org: org.clone(),
                    name: org_name,
                    token: None,
                };
                let (entry, _) = self
                    .keep_minted(
                        &profile,
                        &item,
                        &token,
                        target.origin(),
                        std::future::pending(),
                    )
                    .await;
                // A cancel that came while the token was being kept stops here.
                let cancelled = tokio::select! {
                    biased;
                    () = cancel.as_mut() => true,
                    () = std::future::ready(()) => false,
                };
                if cancelled {
                    return Err((
                        Error::new(
                            ErrorKind::Cancelled,
                            "Generate & link was cancelled before the token was sent",
                            "The token is kept in the history as not linked yet: link with it \
                             later, or revoke it in Atlas.",
                        ),
                        Some(entry),
                    ));
                }
                (token, Some(entry))
            }
        };
        if let Err(e) = crate::secret_store::check_storable(&token, std::env::consts::OS) {
            return Err((e, minted));
        }
        Ok((profile, client, token, guard, minted))
    }

    /// The token saved in the keychain with history entry `entry_id`, which must be an attempt
    /// of this profile on this organization (a link token is issued for one organization).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for another profile's or organization's entry, or a token
    /// the keychain no longer holds; [`ErrorKind::Keychain`].
    pub async fn saved_token(
        &self,
        id: &ProfileId,
        org: &OrgId,
        entry_id: &HistoryId,
    ) -> Result<LinkToken, Error> {
        let own = lock(&self.history)
            .iter()
            .find(|e| &e.id == entry_id && &e.profile_id == id && &e.org_id == org)
            .map(|e| (e.token_fingerprint.clone(), e.server.clone()));
        let Some((fingerprint, server)) = own else {
            return Err(Error::invalid_input(
                "That saved token belongs to another profile or organization",
                "A link token is issued for one organization: paste the token meant for this one.",
            ));
        };
        // A saved token is only ever sent to the server it was first used with.
        let here = lock(&self.book).get(id).map(server_of);
        if server.is_none() || server != here {
            return Err(Error::invalid_input(
                format!(
                    "That saved token was used with {}, not with this profile's server",
                    server
                        .as_deref()
                        .unwrap_or("an unrecorded server (omlink 0.1)")
                ),
                "A saved token is only sent to the server it was first used with: paste the \
                 token again if you mean to send it here.",
            ));
        }
        let account = link_token_account(&fingerprint);
        let secret: Option<Secret> = self.keychain(move |s| s.get(&account)).await?;
        let secret = secret.ok_or_else(|| {
            Error::invalid_input(
                "The keychain no longer holds that token",
                "Paste the token again, or generate a new one in Atlas.",
            )
        })?;
        LinkToken::new(secret.as_str())
    }

    /// Keeps an attempt's token in the keychain, one entry per distinct token, so the entry
    /// can be used again; when the keychain refuses, the entry says why instead (and the
    /// error is returned, for a batch to stop on).
    pub(super) async fn keep_token(
        &self,
        entry: &mut HistoryEntry,
        token: &LinkToken,
    ) -> Result<(), Error> {
        self.keep_token_unless(entry, token, std::future::pending())
            .await
    }

    /// [`keep_token`](Self::keep_token), unless `interrupt` completes first (a batch's Cancel
    /// while the keychain waits for an unlock): then the entry says the token was not kept.
    pub(super) async fn keep_token_unless(
        &self,
        entry: &mut HistoryEntry,
        token: &LinkToken,
        interrupt: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        let account = link_token_account(&entry.token_fingerprint);
        let secret = Secret::new(token.expose().to_owned());
        let kept = tokio::select! {
            kept = self.keychain(move |s| s.set(&account, secret.as_str())) => kept,
            () = interrupt => Err(Error::new(
                ErrorKind::Cancelled,
                "Cancelled while the keychain was keeping the token",
                "If the token was generated in Atlas and is not linked, revoke it there.",
            )),
        };
        match &kept {
            Ok(()) => entry.has_token = true,
            Err(e) => not_kept(entry, e),
        }
        kept
    }

    /// A token generated in Atlas for `org`, kept before anything else can fail: in the
    /// keychain, then in the history as "generated in Atlas org X, not linked yet", unless
    /// `interrupt` completes while the keychain is asked (the entry is saved either way). The
    /// returned entry is the one a later link attempt updates.
    ///
    /// The second value is the keychain's error when it did not keep the token: the entry is
    /// recorded anyway, saying so (the token then lives only in the caller's memory).
    pub async fn keep_minted(
        &self,
        profile: &Profile,
        item: &BatchItem,
        token: &LinkToken,
        origin: AtlasOrigin,
        interrupt: impl Future<Output = ()>,
    ) -> (HistoryEntry, Result<(), Error>) {
        let mut entry = new_entry(
            profile,
            item.org.clone(),
            item.name.clone(),
            token,
            Outcome::Minted,
        );
        entry.generated_in = Some(origin);
        let kept = self.keep_token_unless(&mut entry, token, interrupt).await;
        (self.save_entry(entry), kept)
    }

    /// Records how the attempt with a kept token ended (see [`keep_minted`](Self::keep_minted)):
    /// its "not linked yet" becomes `outcome`. The entry as saved is returned (when the store
    /// cannot be written, it says so).
    pub fn record_outcome(&self, entry: HistoryEntry, outcome: Outcome) -> HistoryEntry {
        self.save_entry(HistoryEntry { outcome, ..entry })
    }

    /// Saves one history entry (see [`save_entries`](Self::save_entries)).
    pub(super) fn save_entry(&self, entry: HistoryEntry) -> HistoryEntry {
        self.save_entries(vec![entry])
            .pop()
            .expect("save_entries returns every entry it is given")
    }

    /// Saves history entries in one store write, each replacing the entry with its id (a
    /// minted token's "not linked yet" becomes the attempt's outcome) or appended; when the
    /// write fails they are kept in memory, each saying why, and returned so.
    pub(super) fn save_entries(&self, entries: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
        if entries.is_empty() {
            return entries;
        }
        let recorded = entries.clone();
        let Err(e) = self.update(move |data| {
            for entry in recorded {
                upsert(&mut data.history, entry);
            }
            Ok(())
        }) else {
            return entries;
        };
        let mut history = lock(&self.history);
        entries
            .into_iter()
            .map(|mut entry| {
                entry.note = Some(format!("Not saved to disk: {}", e.message));
                upsert(&mut history, entry.clone());
                entry
            })
            .collect()
    }

    /// Marks `(id, org)` as being linked until the returned guard is dropped: one link request
    /// per organization and profile at a time (a click, a batch).
    pub(super) fn reserve(&self, id: &ProfileId, org: &OrgId) -> Result<InFlight, Error> {
        let key = (id.clone(), org.clone());
        if !lock(&self.in_flight).insert(key.clone()) {
            return Err(Error::invalid_input(
                format!("A link request for organization {org} is already running"),
                "Wait for it to finish, or cancel it.",
            ));
        }
        Ok(InFlight {
            set: Arc::clone(&self.in_flight),
            key,
        })
    }

    /// Reads an organization's link status.
    ///
    /// # Errors
    /// Any [`ErrorKind`].
    pub async fn link_status(&self, id: &ProfileId, org: &OrgId) -> Result<LinkOutcome, Error> {
        self.client(id).await?.1.link_status(org).await
    }

    /// Removes an organization's link.
    ///
    /// # Errors
    /// Any [`ErrorKind`]; [`ErrorKind::Rejected`] while a migration runs.
    pub async fn unlink(&self, id: &ProfileId, org: &OrgId) -> Result<(), Error> {
        self.client(id).await?.1.unlink(org).await
    }
}
