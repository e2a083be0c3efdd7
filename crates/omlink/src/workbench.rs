//! The desktop app's behaviour without the desktop: saved profiles with keys in the keychain,
//! link attempts recorded in the history with their tokens in the keychain, cancellation and
//! the no-double-submission rule. The Tauri shell's commands are thin wrappers over
//! [`Workbench`]; tests drive it against the sandbox with a [`MemorySecretStore`](crate::secret_store::MemorySecretStore).

mod batch_link;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::spawn_blocking;

use serde::{Deserialize, Serialize};

use crate::atlas::{AtlasClient, ClientId};
use crate::atlas_profile::{
    AtlasConnection, AtlasDraft, AtlasLink, AtlasOrigin, AtlasTarget, parse_access_list,
};
use crate::batch::BatchItem;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::history::{HistoryEntry, HistoryId, Outcome, export_csv, export_json, filter_by_org};
use crate::model::{LinkOutcome, Organization};
use crate::profile::{Profile, ProfileBook, ProfileDraft, ProfileId};
use crate::secret::{LinkToken, PrivateKey};
use crate::secret_store::{
    Secret, SecretStore, atlas_secret_account, legacy_link_token_account, link_token_account,
    private_key_account,
};
use crate::store::{Store, StoreData, Updated};
use crate::store_file::StoreContents;
use crate::validate::{BaseUrl, OrgId};

/// Where the workbench keeps profiles and history: the core [`Store`] (atomic writes under a
/// cross-process lock), shared with the CLI.
pub trait Persistence: Send + Sync {
    /// Reads the saved state (a corrupt file is set aside only under the writers' lock).
    ///
    /// # Errors
    /// [`ErrorKind::Storage`].
    fn load(&self) -> Result<StoreContents, Error>;

    /// Reads the saved state under the writers' lock, applies `change`, makes the result
    /// durable and returns it, with what had to be set aside first. Nothing is written when
    /// `change` fails.
    ///
    /// # Errors
    /// The error of `change`; [`ErrorKind::Storage`].
    fn update(
        &self,
        change: &mut dyn FnMut(&mut StoreData) -> Result<(), Error>,
    ) -> Result<Updated<()>, Error>;

    /// Store files set aside as unreadable that are still there (their profiles may own
    /// keychain entries).
    fn set_aside_files(&self) -> Vec<std::path::PathBuf>;
}

impl Persistence for Store {
    fn load(&self) -> Result<StoreContents, Error> {
        Store::load(self)
    }

    fn update(
        &self,
        change: &mut dyn FnMut(&mut StoreData) -> Result<(), Error>,
    ) -> Result<Updated<()>, Error> {
        Store::update(self, change)
    }

    fn set_aside_files(&self) -> Vec<std::path::PathBuf> {
        Store::set_aside_files(self)
    }
}

/// What the keychain upkeep found and did (see [`Workbench::sweep_keychain`] and
/// [`Workbench::prune_keychain`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeychainUpkeep {
    /// What to tell the person, when there is something to tell.
    pub notice: Option<String>,
    /// The omlink keychain accounts nothing saved uses, left in place (names, not secrets).
    pub unused: Vec<String>,
    /// Whether those may be removed on purpose now: not while a set-aside store file, whose
    /// profiles may own them, is beside the store.
    pub prunable: bool,
    /// How many entries were removed.
    pub removed: u32,
    /// How many link tokens were moved from omlink 0.1's per-entry accounts.
    pub moved: u32,
}

/// Where a link attempt's token comes from.
#[derive(Debug)]
pub enum TokenSource {
    /// A token the person typed or pasted.
    New(LinkToken),
    /// The token saved in the keychain with this history entry ("Use this token again").
    History(HistoryId),
    /// A token minted now in an Atlas organization with the profile's Atlas connection
    /// ("Generate & link").
    Mint(AtlasTarget),
}

/// History export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ExportFormat {
    /// A JSON array of entries.
    Json,
    /// CSV with a header row.
    Csv,
}

/// The built-in sandbox, once started: where it listens and its Organization Owner key.
#[derive(Clone, Debug)]
pub struct SandboxEndpoint {
    /// The sandbox's base URL.
    pub url: BaseUrl,
    /// Its demo owner key (public, not a secret of anyone's).
    pub public_key: crate::PublicKey,
    /// Its demo private key.
    pub private_key: PrivateKey,
    /// Its Atlas look-alike's service account (a demo, not anyone's secret).
    pub atlas_client_id: ClientId,
    /// That service account's secret.
    pub atlas_client_secret: PrivateKey,
}

/// Profiles, history, keychain and clients, shared by every command.
pub struct Workbench {
    book: Mutex<ProfileBook>,
    history: Mutex<Vec<HistoryEntry>>,
    secrets: Arc<dyn SecretStore>,
    persist: Arc<dyn Persistence>,
    clients: Mutex<HashMap<ProfileId, Arc<Client>>>,
    atlas_clients: Mutex<HashMap<ProfileId, Arc<AtlasClient>>>,
    in_flight: Arc<Mutex<HashSet<(ProfileId, OrgId)>>>,
    sandbox: Mutex<Option<SandboxEndpoint>>,
    /// What was said about the store file since start (set aside, kept unread), oldest first.
    store_notices: Mutex<Vec<String>>,
    /// Called with each new store notice (the window shows it at once).
    on_store_notice: Mutex<Option<NoticeHook>>,
    /// Whether a store file was set aside while this workbench ran: no keychain entry is then
    /// removed automatically.
    set_aside_seen: std::sync::atomic::AtomicBool,
}

/// What the start-up upkeep decided under the store's lock: accounts to remove, accounts
/// left unused, legacy token moves (old, new), and why nothing may be removed.
type SweepPlan = (
    Vec<String>,
    Vec<String>,
    Vec<(String, String)>,
    Option<String>,
);

/// Told each store notice as it happens.
pub type NoticeHook = Arc<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for Workbench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbench").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    crate::lock(m)
}

/// Replaces the entry with `entry`'s id, or appends it.
fn upsert(history: &mut Vec<HistoryEntry>, entry: HistoryEntry) {
    match history.iter_mut().find(|e| e.id == entry.id) {
        Some(slot) => *slot = entry,
        None => history.push(entry),
    }
}

/// Says in `entry` that its token is not in the keychain, and why.
fn not_kept(entry: &mut HistoryEntry, e: &Error) {
    entry.note = Some(format!(
        "The token could not be kept in the keychain, so it cannot be reused: {}",
        e.message
    ));
}

fn gone() -> Error {
    Error::invalid_input(
        "That profile no longer exists",
        "Choose a profile from the list.",
    )
}

/// A link ready to send: profile, client, token, the in-flight guard, and where the token was
/// generated when omlink minted it.
type Prepared = (
    Profile,
    Arc<Client>,
    LinkToken,
    InFlight,
    Option<AtlasOrigin>,
    Option<HistoryEntry>,
);

fn no_atlas_connection() -> Error {
    Error::invalid_input(
        "That Atlas connection no longer exists",
        "Choose an Atlas connection from the list, or add one.",
    )
}

/// Removes a (profile, organization) pair from the in-flight set when the attempt ends,
/// however it ends.
struct InFlight {
    set: Arc<Mutex<HashSet<(ProfileId, OrgId)>>>,
    key: (ProfileId, OrgId),
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.set).remove(&self.key);
    }
}

impl Workbench {
    /// A workbench over loaded state.
    pub fn new(
        book: ProfileBook,
        history: Vec<HistoryEntry>,
        secrets: Arc<dyn SecretStore>,
        persist: Arc<dyn Persistence>,
    ) -> Self {
        Self {
            book: Mutex::new(book),
            history: Mutex::new(history),
            secrets,
            persist,
            clients: Mutex::new(HashMap::new()),
            atlas_clients: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            sandbox: Mutex::new(None),
            store_notices: Mutex::new(Vec::new()),
            on_store_notice: Mutex::new(None),
            set_aside_seen: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A workbench over what [`Store::load`] (or another loader) read: its profiles and
    /// history, and what it said about the file (set aside, kept unread).
    pub fn from_contents(
        contents: StoreContents,
        secrets: Arc<dyn SecretStore>,
        persist: Arc<dyn Persistence>,
    ) -> Self {
        let kept = contents.kept.notice();
        let workbench = Self::new(contents.profiles, contents.history, secrets, persist);
        workbench.note_set_aside(contents.set_aside);
        workbench.note(kept);
        workbench
    }

    /// Calls `hook` with every store notice from now on (a set-aside after start-up).
    pub fn on_store_notice(&self, hook: NoticeHook) {
        *lock(&self.on_store_notice) = Some(hook);
    }

    /// What was said about the store file since start, oldest first.
    pub fn store_notices(&self) -> Vec<String> {
        lock(&self.store_notices).clone()
    }

    fn note_set_aside(&self, notice: Option<String>) {
        if notice.is_some() {
            self.set_aside_seen
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self.note(notice);
    }

    fn note(&self, notice: Option<String>) {
        let Some(notice) = notice else { return };
        {
            let mut notices = lock(&self.store_notices);
            if notices.contains(&notice) {
                return;
            }
            notices.push(notice.clone());
        }
        let hook = lock(&self.on_store_notice).clone();
        if let Some(hook) = hook {
            hook(&notice);
        }
    }

    /// A snapshot of the profiles.
    pub fn profiles(&self) -> ProfileBook {
        lock(&self.book).clone()
    }

    /// Re-reads profiles and history from disk (the CLI may have changed them).
    ///
    /// # Errors
    /// [`ErrorKind::Storage`].
    pub fn reload(&self) -> Result<(), Error> {
        let contents = self.persist.load()?;
        self.note_set_aside(contents.set_aside.clone());
        self.note(contents.kept.notice());
        self.replace(contents.data());
        Ok(())
    }

    fn replace(&self, data: StoreData) {
        *lock(&self.book) = data.profiles;
        *lock(&self.history) = data.history;
    }

    /// Applies `change` to the saved state under the store's lock (read, change, write) and
    /// then makes the result current: a failed save leaves memory and disk agreeing, and
    /// another process's changes are never lost.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut StoreData) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut change = Some(change);
        let mut value = None;
        let updated = self.persist.update(&mut |data| {
            let change = change
                .take()
                .ok_or_else(|| Error::internal("a store change ran twice"))?;
            value = Some(change(data)?);
            Ok(())
        })?;
        self.note_set_aside(updated.set_aside);
        self.replace(updated.data);
        value.ok_or_else(|| Error::internal("a store change did not run"))
    }

    fn update_book<T>(
        &self,
        change: impl FnOnce(&mut ProfileBook) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.update(|data| change(&mut data.profiles))
    }

    /// Runs a keychain call on a blocking thread, so that an unlock prompt or a slow Secret
    /// Service never stalls the async runtime (and with it the window).
    async fn keychain<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let secrets = Arc::clone(&self.secrets);
        spawn_blocking(move || call(secrets.as_ref()))
            .await
            .map_err(|e| Error::internal(format!("a keychain call failed to run: {e}")))?
    }

    /// Creates (`id` is `None`) or edits a profile. A non-empty `private_key` goes to the
    /// keychain first: if that fails nothing is saved and the error says why.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a bad draft or key; [`ErrorKind::Keychain`].
    pub fn save_profile(
        &self,
        id: Option<&ProfileId>,
        draft: &ProfileDraft,
        private_key: Option<&str>,
    ) -> Result<Profile, Error> {
        let key = private_key
            .filter(|k| !k.trim().is_empty())
            .map(PrivateKey::new)
            .transpose()?;
        // Validated once against what is loaded (to fail before the keychain is touched), and
        // again under the store's lock against what is on disk.
        let book = self.profiles();
        let planned = book.validate(id, draft)?;
        if let Some(key) = &key {
            self.secrets
                .set(&private_key_account(&planned.id), key.expose())?;
        } else if id
            .and_then(|id| book.get(id))
            .is_some_and(|p| p.has_private_key)
            && !planned.has_private_key
        {
            // The server, public key or TLS settings changed without the key: the saved key
            // must never be sent to the new place. It goes first; if it cannot, nothing is saved.
            self.secrets.delete(&private_key_account(&planned.id))?;
        }
        let saved = self.update_book(|book| {
            let mut profile = book.validate(id, draft)?;
            profile.id = planned.id.clone();
            profile.has_private_key |= key.is_some();
            book.upsert(profile.clone());
            book.last_used = Some(profile.id.clone());
            Ok(profile)
        });
        if saved.is_err() && key.is_some() && id.is_none() {
            // The new profile was not saved: its key must not linger in the keychain.
            let _ = self.secrets.delete(&private_key_account(&planned.id));
        }
        let profile = saved?;
        lock(&self.clients).remove(&profile.id);
        Ok(profile)
    }

    /// Copies a profile, its keychain entry included.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for an unknown id; [`ErrorKind::Keychain`].
    pub fn duplicate_profile(&self, id: &ProfileId) -> Result<Profile, Error> {
        let mut copy = self.profiles().duplicate(id)?;
        if let Some(key) = self.secrets.get(&private_key_account(id))? {
            self.secrets.set(&private_key_account(&copy.id), &key)?;
            copy.has_private_key = true;
        }
        self.update_book(|book| {
            if book.get(id).is_none() {
                return Err(gone());
            }
            let mut fresh = book.duplicate(id)?;
            fresh.id = copy.id.clone();
            fresh.has_private_key = copy.has_private_key;
            book.upsert(fresh.clone());
            Ok(fresh)
        })
    }

    /// Deletes a profile and its keychain entry (the keychain first: a profile whose key could
    /// not be removed stays listed).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for an unknown id; [`ErrorKind::Keychain`].
    pub fn delete_profile(&self, id: &ProfileId) -> Result<(), Error> {
        if self.profiles().get(id).is_none() {
            return Err(gone());
        }
        self.secrets.delete(&private_key_account(id))?;
        // Its link tokens go with it, unless another profile's history uses the same token.
        let orphaned = self.update(|data| {
            data.profiles.remove(id);
            let others: HashSet<String> = data
                .history
                .iter()
                .filter(|e| &e.profile_id != id)
                .map(|e| e.token_fingerprint.clone())
                .collect();
            let mut orphaned = Vec::new();
            for entry in data.history.iter_mut().filter(|e| &e.profile_id == id) {
                if entry.has_token && !others.contains(&entry.token_fingerprint) {
                    orphaned.push(entry.token_fingerprint.clone());
                }
                entry.has_token = false;
            }
            orphaned.sort();
            orphaned.dedup();
            Ok(orphaned)
        })?;
        lock(&self.clients).remove(id);
        for fingerprint in orphaned {
            self.secrets.delete(&link_token_account(&fingerprint))?;
        }
        Ok(())
    }

    /// Creates (`id` is `None`) or edits an Atlas connection. A non-empty `secret` (the client
    /// secret or the private key) goes to the keychain first: if that fails nothing is saved.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a bad draft or secret; [`ErrorKind::Keychain`].
    pub fn save_atlas(
        &self,
        id: Option<&ProfileId>,
        draft: &AtlasDraft,
        secret: Option<&str>,
    ) -> Result<AtlasConnection, Error> {
        let secret = secret
            .filter(|k| !k.trim().is_empty())
            .map(PrivateKey::new)
            .transpose()?;
        let book = self.profiles();
        let planned = book.validate_atlas(id, draft)?;
        if let Some(secret) = &secret {
            self.secrets
                .set(&atlas_secret_account(&planned.id), secret.expose())?;
        } else if id
            .and_then(|id| book.get_atlas(id))
            .is_some_and(|c| c.has_secret)
            && !planned.has_secret
        {
            // Where or as whom it signs in changed without the secret: it is cleared first.
            self.secrets.delete(&atlas_secret_account(&planned.id))?;
        }
        let saved = self.update_book(|book| {
            let mut connection = book.validate_atlas(id, draft)?;
            connection.id = planned.id.clone();
            connection.has_secret |= secret.is_some();
            book.upsert_atlas(connection.clone());
            Ok(connection)
        });
        if saved.is_err() && secret.is_some() && id.is_none() {
            let _ = self.secrets.delete(&atlas_secret_account(&planned.id));
        }
        let connection = saved?;
        lock(&self.atlas_clients).remove(&connection.id);
        Ok(connection)
    }

    /// Deletes an Atlas connection and its keychain entry; profiles that used it keep their
    /// settings but no longer name it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for an unknown id; [`ErrorKind::Keychain`].
    pub fn delete_atlas(&self, id: &ProfileId) -> Result<(), Error> {
        if self.profiles().get_atlas(id).is_none() {
            return Err(no_atlas_connection());
        }
        self.secrets.delete(&atlas_secret_account(id))?;
        self.update_book(|book| {
            book.remove_atlas(id);
            Ok(())
        })?;
        lock(&self.atlas_clients).remove(id);
        Ok(())
    }

    /// The Atlas client of a connection, built once and reused (its connections and its
    /// service account's access token stay alive, in memory only).
    async fn atlas_client(
        &self,
        id: &ProfileId,
    ) -> Result<(AtlasConnection, Arc<AtlasClient>), Error> {
        let connection = lock(&self.book)
            .get_atlas(id)
            .cloned()
            .ok_or_else(no_atlas_connection)?;
        if let Some(client) = lock(&self.atlas_clients).get(id) {
            return Ok((connection, Arc::clone(client)));
        }
        let config = if connection.sandbox {
            let sandbox = lock(&self.sandbox).clone().ok_or_else(|| {
                Error::invalid_input(
                    "The sandbox is not running",
                    "Choose \"Try the sandbox\" to start it.",
                )
            })?;
            let mut config = AtlasConnection {
                url: sandbox.url,
                user: sandbox.atlas_client_id.to_string(),
                auth: crate::AtlasAuth::ServiceAccount,
                ..connection.clone()
            }
            .config(sandbox.atlas_client_secret)?;
            config.tls = connection.tls.clone();
            config
        } else {
            let account = atlas_secret_account(id);
            let secret: Option<Secret> = self.keychain(move |s| s.get(&account)).await?;
            let secret = secret.ok_or_else(|| {
                Error::invalid_input(
                    format!(
                        "No secret is saved for Atlas connection \"{}\"",
                        connection.name
                    ),
                    "Edit the Atlas connection and enter its client secret or private key.",
                )
            })?;
            connection.config(PrivateKey::new(secret.as_str())?)?
        };
        // Building reads the CA file: off the async runtime.
        let client = Arc::new(blocking_build(move || AtlasClient::new(config)).await?);
        lock(&self.atlas_clients).insert(id.clone(), Arc::clone(&client));
        Ok((connection, client))
    }

    /// The Atlas connection a profile mints its tokens with.
    fn atlas_link_of(&self, id: &ProfileId) -> Result<(Profile, AtlasLink), Error> {
        let profile = lock(&self.book).get(id).cloned().ok_or_else(gone)?;
        let link = profile.atlas.clone().ok_or_else(|| {
            Error::invalid_input(
                format!("Profile \"{}\" has no Atlas connection", profile.name),
                "Edit the profile and choose its Atlas connection, or paste a link token.",
            )
        })?;
        Ok((profile, link))
    }

    /// Every Atlas organization an Atlas connection can see, by name.
    ///
    /// # Errors
    /// Any [`ErrorKind`].
    pub async fn atlas_orgs(&self, connection: &ProfileId) -> Result<Vec<Organization>, Error> {
        let (_, client) = self.atlas_client(connection).await?;
        let mut orgs = client.list_orgs().await?;
        orgs.sort_by_cached_key(|o| o.name.to_lowercase());
        Ok(orgs)
    }

    /// The projects Atlas organization `atlas_org` can migrate from (those of linked sources),
    /// through the profile's Atlas connection.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the profile has no Atlas connection; any other kind.
    pub async fn available_projects(
        &self,
        id: &ProfileId,
        atlas_org: &OrgId,
    ) -> Result<Vec<crate::AvailableProject>, Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.available_projects(atlas_org).await
    }

    /// Revokes the link token of Atlas organization `atlas_org` through the profile's Atlas
    /// connection: this removes the link and the API key the token carries.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the profile has no Atlas connection; any other kind.
    pub async fn revoke_link_token(&self, id: &ProfileId, atlas_org: &OrgId) -> Result<(), Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.revoke_link_token(atlas_org).await
    }

    /// Per project of `org`, whether MongoDB supports push live migration from its deployments
    /// (see [`preflight`](crate::preflight)).
    ///
    /// # Errors
    /// Any [`ErrorKind`].
    pub async fn preflight(
        &self,
        id: &ProfileId,
        org: &OrgId,
    ) -> Result<Vec<crate::preflight::ProjectCheck>, Error> {
        let (profile, client) = self.client(id).await?;
        crate::preflight::preflight(&client, profile.kind, org).await
    }

    /// Remembers the Atlas organization and addresses a profile minted with, to offer them
    /// first next time. Nothing is written when they are what is saved.
    fn remember_target(&self, id: &ProfileId, target: &AtlasTarget) -> Result<(), Error> {
        let (_, link) = self.atlas_link_of(id)?;
        let wanted = AtlasLink {
            connection: link.connection.clone(),
            org: Some(target.org.clone()),
            org_name: target.org_name.clone(),
            access_list_ips: target.access_list_ips.clone(),
        };
        let wanted = self.profiles().validate_atlas_link(&wanted)?;
        if wanted == link {
            return Ok(());
        }
        self.update_book(|book| {
            let profile = book
                .profiles
                .iter_mut()
                .find(|p| &p.id == id)
                .ok_or_else(gone)?;
            profile.atlas = Some(wanted);
            Ok(())
        })
    }

    /// Mints a link token in `target`'s Atlas organization with the profile's Atlas
    /// connection.
    async fn mint(&self, id: &ProfileId, target: &AtlasTarget) -> Result<LinkToken, Error> {
        let ips = parse_access_list(&target.access_list_ips)?;
        let (_, link) = self.atlas_link_of(id)?;
        let (_, client) = self.atlas_client(&link.connection).await?;
        client.create_link_token(&target.org, &ips).await
    }

    /// Remembers the profile to open on the next start.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for an unknown id; [`ErrorKind::Storage`].
    pub fn set_last_used(&self, id: &ProfileId) -> Result<(), Error> {
        let book = self.profiles();
        if book.get(id).is_none() {
            return Err(gone());
        }
        if book.last_used.as_ref() != Some(id) {
            self.update_book(|next| {
                next.last_used = Some(id.clone());
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Registers the running sandbox and makes sure a profile named "Sandbox" uses it; returns
    /// that profile.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when the store cannot be written.
    pub fn use_sandbox(&self, endpoint: SandboxEndpoint) -> Result<Profile, Error> {
        *lock(&self.sandbox) = Some(endpoint.clone());
        let profile = self.update_book(|book| {
            let atlas = sandbox_atlas(book, &endpoint)?;
            book.upsert_atlas(atlas.clone());
            let mut profile = sandbox_profile(book, &endpoint)?;
            // The sandbox mints its tokens in its own Atlas look-alike, unless the person chose
            // another connection for it.
            if profile.atlas.is_none() {
                profile.atlas = Some(AtlasLink {
                    connection: atlas.id,
                    org: None,
                    org_name: None,
                    access_list_ips: Vec::new(),
                });
            }
            book.upsert(profile.clone());
            book.last_used = Some(profile.id.clone());
            Ok(profile)
        })?;
        lock(&self.clients).remove(&profile.id);
        lock(&self.atlas_clients).clear();
        Ok(profile)
    }

    /// The client of a profile, built once and reused (its connections stay alive). The
    /// private key is read from the keychain on a blocking thread.
    async fn client(&self, id: &ProfileId) -> Result<(Profile, Arc<Client>), Error> {
        let profile = lock(&self.book).get(id).cloned().ok_or_else(gone)?;
        if let Some(client) = lock(&self.clients).get(id) {
            return Ok((profile, Arc::clone(client)));
        }
        let config = if profile.sandbox {
            let sandbox = lock(&self.sandbox).clone().ok_or_else(|| {
                Error::invalid_input(
                    "The sandbox is not running",
                    "Choose \"Try the sandbox\" to start it.",
                )
            })?;
            let mut config = profile.client_config(sandbox.private_key);
            config.base_url = sandbox.url;
            config.public_key = sandbox.public_key;
            config
        } else {
            let account = private_key_account(id);
            let key: Option<Secret> = self.keychain(move |s| s.get(&account)).await?;
            let key = key.ok_or_else(|| {
                Error::invalid_input(
                    format!("No private key is saved for profile \"{}\"", profile.name),
                    "Edit the profile and enter its private API key.",
                )
            })?;
            profile.client_config(PrivateKey::new(key.as_str())?)
        };
        // Building reads the CA file: off the async runtime.
        let client = Arc::new(blocking_build(move || Client::new(config)).await?);
        lock(&self.clients).insert(id.clone(), Arc::clone(&client));
        Ok((profile, client))
    }

    /// What the person should be told about a profile's connection (plain http, no TLS checks).
    ///
    /// # Errors
    /// As for building the client.
    pub async fn warnings(&self, id: &ProfileId) -> Result<Vec<crate::Warning>, Error> {
        Ok(self.client(id).await?.1.warnings().to_vec())
    }

    /// Lists the organizations visible to a profile's key ("Test connection" too).
    ///
    /// # Errors
    /// Any [`ErrorKind`].
    pub async fn list_orgs(&self, id: &ProfileId) -> Result<Vec<Organization>, Error> {
        let (_, client) = self.client(id).await?;
        let mut orgs = client.list_orgs().await?;
        orgs.sort_by_cached_key(|o| o.name.to_lowercase());
        Ok(orgs)
    }

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
        let (profile, client, token, guard, origin, minted) = match prepared {
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
                let mut entry = HistoryEntry::new(
                    profile.id.clone(),
                    profile.name.clone(),
                    org.clone(),
                    org_name,
                    &token,
                    outcome,
                );
                entry.server = Some(server_of(&profile));
                entry.generated_in = origin;
                // A refusal is said in the entry.
                let _ = self.keep_token(&mut entry, &token).await;
                entry
            }
        };
        // When the write fails, the attempt is still shown (kept in memory, saying so).
        (result, Some(self.save_entry(entry)))
    }

    async fn prepare_link(
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
        let (token, origin, minted) = match token {
            TokenSource::New(token) => (token, None, None),
            TokenSource::History(entry_id) => (
                self.saved_token(id, org, &entry_id)
                    .await
                    .map_err(|e| (e, None))?,
                None,
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
                (token, Some(target.origin()), Some(entry))
            }
        };
        if let Err(e) = crate::secret_store::check_storable(&token, std::env::consts::OS) {
            return Err((e, minted));
        }
        Ok((profile, client, token, guard, origin, minted))
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
    async fn keep_token(&self, entry: &mut HistoryEntry, token: &LinkToken) -> Result<(), Error> {
        self.keep_token_unless(entry, token, std::future::pending())
            .await
    }

    /// [`keep_token`](Self::keep_token), unless `interrupt` completes first (a batch's Cancel
    /// while the keychain waits for an unlock): then the entry says the token was not kept.
    async fn keep_token_unless(
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
        let mut entry = HistoryEntry::new(
            profile.id.clone(),
            profile.name.clone(),
            item.org.clone(),
            item.name.clone(),
            token,
            Outcome::Minted,
        );
        entry.server = Some(server_of(profile));
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
    fn save_entry(&self, entry: HistoryEntry) -> HistoryEntry {
        self.save_entries(vec![entry])
            .pop()
            .expect("save_entries returns every entry it is given")
    }

    /// Saves history entries in one store write, each replacing the entry with its id (a
    /// minted token's "not linked yet" becomes the attempt's outcome) or appended; when the
    /// write fails they are kept in memory, each saying why, and returned so.
    fn save_entries(&self, entries: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
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
    fn reserve(&self, id: &ProfileId, org: &OrgId) -> Result<InFlight, Error> {
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

    /// The history of one organization, or all, newest first.
    pub fn history(&self, org: Option<&OrgId>) -> Vec<HistoryEntry> {
        filter_by_org(&lock(&self.history), org)
            .into_iter()
            .cloned()
            .collect()
    }

    /// Deletes a history entry and its keychain token.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`]; [`ErrorKind::InvalidInput`] when the store cannot be written.
    pub fn delete_history_entry(&self, entry_id: &HistoryId) -> Result<(), Error> {
        let fingerprint = self.update(|data| {
            let fingerprint = data
                .history
                .iter()
                .find(|e| &e.id == entry_id)
                .map(|e| e.token_fingerprint.clone());
            data.history.retain(|e| &e.id != entry_id);
            Ok(fingerprint)
        })?;
        // The token goes with the last entry that used it.
        if let Some(fingerprint) = fingerprint
            && !lock(&self.history)
                .iter()
                .any(|e| e.token_fingerprint == fingerprint)
        {
            self.secrets.delete(&link_token_account(&fingerprint))?;
        }
        Ok(())
    }

    /// The start-up keychain upkeep. Moves tokens kept under omlink 0.1's per-entry accounts to
    /// their per-token account, and looks for omlink entries nothing saved uses (a crash
    /// between a keychain write and a store write, a profile deleted by an older version).
    ///
    /// **Nothing is removed because the store does not name it** unless the store is healthy:
    /// read under the writers' lock, not set aside while this workbench ran, no set-aside file
    /// beside it, not empty, and nothing in it that this version cannot read. Even then an
    /// entry goes only when it was already unused at the previous start-up (the store keeps
    /// that list), so a profile saved a moment later, or restored from a set-aside file, keeps
    /// its key. Otherwise unused entries are only reported: [`prune_keychain`](Self::prune_keychain)
    /// removes them on purpose.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`]; [`ErrorKind::Storage`].
    pub fn sweep_keychain(&self) -> Result<KeychainUpkeep, Error> {
        let Some(accounts) = self.secrets.accounts()? else {
            return Ok(KeychainUpkeep::default());
        };
        // A look without the lock first: most start-ups have nothing to do and write nothing.
        let quick = self.persist.load()?;
        self.note_set_aside(quick.set_aside.clone());
        let quick = quick.data();
        let (unused, moves) = upkeep_plan(&accounts, &quick);
        if unused.is_empty() && moves.is_empty() && quick.keychain_orphans.is_empty() {
            return Ok(KeychainUpkeep::default());
        }
        let files = self.persist.set_aside_files();
        let set_aside_seen = self
            .set_aside_seen
            .load(std::sync::atomic::Ordering::SeqCst);
        let mut plan: Option<SweepPlan> = None;
        let updated = self.persist.update(&mut |data| {
            let (unused, moves) = upkeep_plan(&accounts, data);
            let unhealthy = if set_aside_seen {
                Some("the store file was set aside at start-up, and its profiles may own them")
            } else if !files.is_empty() {
                Some("a set-aside store file is still beside the store, and its profiles may own them")
            } else if data.kept.is_empty() && data.is_empty() {
                Some("no profile is saved: they may belong to a store file you will restore")
            } else if !data.kept.is_empty() {
                Some("the store holds entries this version of omlink cannot read")
            } else {
                None
            };
            let (remove, keep): (Vec<String>, Vec<String>) = match unhealthy {
                Some(_) => (Vec::new(), unused),
                None => unused
                    .into_iter()
                    .partition(|a| data.keychain_orphans.contains(a)),
            };
            if unhealthy.is_none() {
                data.keychain_orphans.clone_from(&keep);
            }
            plan = Some((remove, keep, moves, unhealthy.map(str::to_owned)));
            Ok(())
        })?;
        let set_aside_now = updated.set_aside.is_some();
        self.note_set_aside(updated.set_aside);
        self.replace(updated.data);
        let Some((remove, keep, moves, unhealthy)) = plan else {
            return Err(Error::internal("the keychain upkeep did not run"));
        };
        // The store was set aside by this very update: nothing it may own is touched.
        let remove = if set_aside_now { Vec::new() } else { remove };
        let moved = self.move_legacy(&moves)?;
        for account in &remove {
            self.secrets.delete(account)?;
        }
        let mut said = Vec::new();
        if moved > 0 {
            said.push(format!(
                "Moved {moved} saved link token(s) to omlink's new keychain layout."
            ));
        }
        if !remove.is_empty() {
            said.push(format!(
                "Removed {} keychain {} that no profile, Atlas connection or history entry has                  used since omlink last started.",
                remove.len(),
                entries(remove.len())
            ));
        }
        let prunable = !keep.is_empty() && files.is_empty() && !set_aside_now;
        if !keep.is_empty() {
            said.push(match &unhealthy {
                Some(why) => format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or                      history entry. Nothing was removed, because {why}.{}",
                    keep.len(),
                    entries_are(keep.len()),
                    if prunable {
                        " Once you are sure, remove them on purpose (Remove unused keychain                          entries, or `omlink profile prune --yes`)."
                    } else {
                        " Move the set-aside file back (with omlink closed) to bring its                          profiles back with their keys."
                    }
                ),
                None => format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or                      history entry; unless something uses {} by then, omlink removes {} when it                      next starts (or now: Remove unused keychain entries, or `omlink profile                      prune --yes`).",
                    keep.len(),
                    entries_are(keep.len()),
                    if keep.len() == 1 { "it" } else { "them" },
                    if keep.len() == 1 { "it" } else { "them" },
                ),
            });
        }
        Ok(KeychainUpkeep {
            notice: (!said.is_empty()).then(|| said.join(" ")),
            unused: keep,
            prunable,
            removed: u32::try_from(remove.len()).unwrap_or(u32::MAX),
            moved,
        })
    }

    /// Removes, on purpose, every omlink keychain entry nothing saved uses (`omlink profile
    /// prune --yes`, "Remove unused keychain entries"). With `apply` false it only says which.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] while a set-aside store file is beside the store (its
    /// profiles may own them) or the store was set aside just now; [`ErrorKind::Keychain`] when
    /// the keychain cannot list its entries or refuses; [`ErrorKind::Storage`].
    pub fn prune_keychain(&self, apply: bool) -> Result<KeychainUpkeep, Error> {
        let accounts = self.secrets.accounts()?.ok_or_else(|| {
            Error::new(
                ErrorKind::Keychain,
                "This keychain cannot list omlink's entries",
                "Remove unused omlink entries in your keychain manager.",
            )
        })?;
        let files = self.persist.set_aside_files();
        if let Some(file) = files.first() {
            return Err(Error::invalid_input(
                format!(
                    "A set-aside store file is beside the store ({}): its profiles may own the                      unused keychain entries, so none is removed",
                    file.display()
                ),
                "Move it back over the store file (with omlink closed) to restore its profiles,                  or delete it if you do not need them, then prune again.",
            ));
        }
        let mut plan = None;
        // A look changes nothing on disk; a removal clears the start-up list under the lock.
        let (data, set_aside) = if apply {
            let updated = self.persist.update(&mut |data| {
                plan = Some(upkeep_plan(&accounts, data));
                data.keychain_orphans.clear();
                Ok(())
            })?;
            (updated.data, updated.set_aside)
        } else {
            let contents = self.persist.load()?;
            plan = Some(upkeep_plan(&accounts, &contents.data()));
            (contents.data(), contents.set_aside)
        };
        let set_aside_now = set_aside.is_some();
        self.note_set_aside(set_aside);
        self.replace(data);
        if set_aside_now {
            return Err(Error::invalid_input(
                "The store file could not be read and was set aside just now, so no keychain                  entry is removed",
                "Move the set-aside file back (with omlink closed) to restore its profiles.",
            ));
        }
        let (unused, moves) = plan.ok_or_else(|| Error::internal("the prune did not run"))?;
        if !apply {
            return Ok(KeychainUpkeep {
                notice: Some(format!(
                    "{} omlink keychain {} not used by any saved profile, Atlas connection or                      history entry.",
                    unused.len(),
                    entries_are(unused.len())
                )),
                unused,
                prunable: true,
                ..KeychainUpkeep::default()
            });
        }
        let moved = self.move_legacy(&moves)?;
        for account in &unused {
            self.secrets.delete(account)?;
        }
        Ok(KeychainUpkeep {
            notice: Some(format!(
                "Removed {} unused keychain {}.",
                unused.len(),
                entries(unused.len())
            )),
            removed: u32::try_from(unused.len()).unwrap_or(u32::MAX),
            unused: Vec::new(),
            prunable: true,
            moved,
        })
    }

    /// Moves tokens from omlink 0.1's per-entry accounts to their per-token account (the new
    /// entry first, so nothing is ever lost in between).
    fn move_legacy(&self, moves: &[(String, String)]) -> Result<u32, Error> {
        let mut moved = 0;
        for (old, new) in moves {
            if let Some(secret) = self.secrets.get(old)? {
                self.secrets.set(new, &secret)?;
                moved += 1;
            }
            self.secrets.delete(old)?;
        }
        Ok(moved)
    }

    /// The history (of one organization, or all) as JSON or CSV, without tokens.
    pub fn export_history(&self, org: Option<&OrgId>, format: ExportFormat) -> String {
        let history = lock(&self.history);
        let entries = filter_by_org(&history, org);
        match format {
            ExportFormat::Json => export_json(&entries),
            ExportFormat::Csv => export_csv(&entries),
        }
    }
}

/// Where a profile's link tokens go, as history entries record it: the server's scheme, host
/// and port; the built-in sandbox, whose port changes at each start, by name.
fn server_of(profile: &Profile) -> String {
    if profile.sandbox {
        "the omlink sandbox".to_owned()
    } else {
        profile.url.origin().to_owned()
    }
}

/// Runs a client's construction (which reads its CA file) on a blocking thread.
async fn blocking_build<T: Send + 'static>(
    build: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    spawn_blocking(build)
        .await
        .map_err(|e| Error::internal(format!("building a client failed to run: {e}")))?
}

/// "entry" or "entries".
fn entries(n: usize) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}

/// "entry is" or "entries are".
fn entries_are(n: usize) -> &'static str {
    if n == 1 { "entry is" } else { "entries are" }
}

/// The keychain accounts `data` refers to: its profiles', Atlas connections' and history
/// entries', and those of the elements this version kept unread.
fn referenced_accounts(data: &StoreData) -> HashSet<String> {
    let mut referenced: HashSet<String> = data
        .profiles
        .profiles
        .iter()
        .map(|p| private_key_account(&p.id))
        .collect();
    referenced.extend(
        data.profiles
            .atlas
            .iter()
            .map(|c| atlas_secret_account(&c.id)),
    );
    referenced.extend(
        data.history
            .iter()
            .map(|e| link_token_account(&e.token_fingerprint)),
    );
    referenced.extend(data.kept.accounts());
    referenced
}

/// Of the keychain's `accounts`: those nothing in `data` uses (sorted), and omlink 0.1's
/// per-entry token accounts to move to their per-token account (old, new).
fn upkeep_plan(accounts: &[String], data: &StoreData) -> (Vec<String>, Vec<(String, String)>) {
    let referenced = referenced_accounts(data);
    let mut unused = Vec::new();
    let mut moves = Vec::new();
    for account in accounts {
        if referenced.contains(account) {
            continue;
        }
        let legacy_owner = data
            .history
            .iter()
            .find(|e| &legacy_link_token_account(e.id.as_str()) == account);
        match legacy_owner {
            Some(entry) => moves.push((
                account.clone(),
                link_token_account(&entry.token_fingerprint),
            )),
            None => unused.push(account.clone()),
        }
    }
    unused.sort();
    unused.dedup();
    (unused, moves)
}

/// The sandbox's Atlas connection: the existing one with the sandbox's new URL, or a new one.
fn sandbox_atlas(book: &ProfileBook, endpoint: &SandboxEndpoint) -> Result<AtlasConnection, Error> {
    if let Some(existing) = book.atlas.iter().find(|c| c.sandbox) {
        return Ok(AtlasConnection {
            url: endpoint.url.clone(),
            ..existing.clone()
        });
    }
    let mut name = "Sandbox Atlas".to_owned();
    let mut n = 2;
    while book.find_atlas_by_name(&name).is_some() {
        name = format!("Sandbox Atlas {n}");
        n += 1;
    }
    let draft = AtlasDraft {
        name,
        url: endpoint.url.to_string(),
        user: endpoint.atlas_client_id.to_string(),
        ..AtlasDraft::default()
    };
    Ok(AtlasConnection {
        sandbox: true,
        has_secret: true,
        ..book.validate_atlas(None, &draft)?
    })
}

/// The sandbox's profile: the existing one with the sandbox's new URL, or a new one.
fn sandbox_profile(book: &ProfileBook, endpoint: &SandboxEndpoint) -> Result<Profile, Error> {
    let existing = book.profiles.iter().find(|p| p.sandbox).cloned();
    let profile = match existing {
        Some(p) => Profile {
            url: endpoint.url.clone(),
            ..p
        },
        None => {
            let mut name = "Sandbox".to_owned();
            let mut n = 2;
            while book.find_by_name(&name).is_some() {
                name = format!("Sandbox {n}");
                n += 1;
            }
            let draft = ProfileDraft {
                name,
                url: endpoint.url.to_string(),
                public_key: endpoint.public_key.to_string(),
                ..ProfileDraft::default()
            };
            Profile {
                sandbox: true,
                has_private_key: true,
                ..book.validate(None, &draft)?
            }
        }
    };
    Ok(profile)
}
