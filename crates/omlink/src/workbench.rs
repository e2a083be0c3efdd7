//! The desktop app's behaviour without the desktop: saved profiles with keys in the keychain,
//! link attempts recorded in the history with their tokens in the keychain, cancellation and
//! the no-double-submission rule. The Tauri shell's commands are thin wrappers over
//! [`Workbench`]; tests drive it against the sandbox with a [`MemorySecretStore`](crate::secret_store::MemorySecretStore).

mod atlas;
mod batch_link;
mod fleet;
mod history;
mod keychain;
mod link;
mod migrations;
mod profiles;
mod secured;

pub use batch_link::BatchLinkItem;
pub use keychain::KeychainUpkeep;
pub use link::TokenSource;
pub use migrations::{DestinationCluster, DestinationProject, MigrationDraft, MigrationView};

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::spawn_blocking;

use serde::{Deserialize, Serialize};

use crate::atlas::AtlasClient;
use crate::book::ProfileBook;
use crate::client::Client;
use crate::error::Error;
use crate::fields::ProfileId;
use crate::history::{HistoryEntry, Outcome};
use crate::model::Organization;
use crate::oauth::ClientId;
use crate::profile::Profile;
use crate::secret::{LinkToken, PrivateKey};
use crate::secret_store::{Secret, SecretStore, private_key_account};
use crate::store::{Store, Updated};
use crate::store_file::StoreContents;
use crate::store_file::StoreData;
use crate::validate::{BaseUrl, OrgId};

/// Where the workbench keeps profiles and history: the core [`Store`] (atomic writes under a
/// cross-process lock), shared with the CLI.
pub trait Persistence: Send + Sync {
    /// Reads the saved state (a corrupt file is set aside only under the writers' lock).
    ///
    /// # Errors
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage).
    fn load(&self) -> Result<StoreContents, Error>;

    /// Reads the saved state under the writers' lock, applies `change`, makes the result
    /// durable and returns it, with what had to be set aside first. Nothing is written when
    /// `change` fails.
    ///
    /// # Errors
    /// The error of `change`; [`ErrorKind::Storage`](crate::ErrorKind::Storage).
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

fn no_atlas_connection() -> Error {
    Error::invalid_input(
        "That Atlas connection no longer exists",
        "Choose an Atlas connection from the list, or add one.",
    )
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
        let kept = contents.data.kept.notice();
        let workbench = Self::new(
            contents.data.profiles,
            contents.data.history,
            secrets,
            persist,
        );
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
    /// [`ErrorKind::Storage`](crate::ErrorKind::Storage).
    pub fn reload(&self) -> Result<(), Error> {
        let contents = self.persist.load()?;
        self.note_set_aside(contents.set_aside.clone());
        self.note(contents.data.kept.notice());
        self.replace(contents.data);
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

    /// The client of a profile, built once and reused (its connections stay alive). The
    /// private key is read from the keychain on a blocking thread.
    async fn client(&self, id: &ProfileId) -> Result<(Profile, Arc<Client>), Error> {
        let profile = lock(&self.book).get(id).cloned().ok_or_else(gone)?;
        let build = async {
            let config = if profile.sandbox {
                let sandbox = self.running_sandbox()?;
                let mut config = profile.client_config(sandbox.private_key);
                config.base_url = sandbox.url;
                config.public_key = sandbox.public_key;
                config
            } else {
                let missing = || {
                    Error::invalid_input(
                        format!("No private key is saved for profile \"{}\"", profile.name),
                        "Edit the profile and enter its private API key.",
                    )
                };
                let key = self.saved_secret(private_key_account(id), missing).await?;
                profile.client_config(key)
            };
            // Building reads the CA file: off the async runtime.
            blocking_build(move || Client::new(config)).await
        };
        let client = self.cached(&self.clients, id, build).await?;
        Ok((profile, client))
    }

    /// The one cached-client path: the client cached for `id`, or the one `build` makes, kept
    /// for the next call (its connections, nonces and access token stay alive, in memory).
    async fn cached<C>(
        &self,
        cache: &Mutex<HashMap<ProfileId, Arc<C>>>,
        id: &ProfileId,
        build: impl Future<Output = Result<C, Error>>,
    ) -> Result<Arc<C>, Error> {
        if let Some(client) = lock(cache).get(id) {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(build.await?);
        lock(cache).insert(id.clone(), Arc::clone(&client));
        Ok(client)
    }

    /// The running sandbox's address and credentials.
    fn running_sandbox(&self) -> Result<SandboxEndpoint, Error> {
        lock(&self.sandbox).clone().ok_or_else(|| {
            Error::invalid_input(
                "The sandbox is not running",
                "Start the sandbox again (it runs only while the app does).",
            )
        })
    }

    /// The secret saved under `account` (read on a blocking thread), or `missing()`.
    async fn saved_secret(
        &self,
        account: String,
        missing: impl FnOnce() -> Error,
    ) -> Result<PrivateKey, Error> {
        let secret: Option<Secret> = self.keychain(move |s| s.get(&account)).await?;
        PrivateKey::new(secret.ok_or_else(missing)?.as_str())
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
    /// Any [`ErrorKind`](crate::ErrorKind).
    pub async fn list_orgs(&self, id: &ProfileId) -> Result<Vec<Organization>, Error> {
        let (_, client) = self.client(id).await?;
        let mut orgs = client.list_orgs().await?;
        orgs.sort_by_cached_key(|o| o.name.to_lowercase());
        Ok(orgs)
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

/// A new history entry: `profile`'s attempt to link `org` with `token`, naming the server the
/// token goes to.
fn new_entry(
    profile: &Profile,
    org: OrgId,
    org_name: Option<String>,
    token: &LinkToken,
    outcome: Outcome,
) -> HistoryEntry {
    let mut entry = HistoryEntry::new(
        profile.id.clone(),
        profile.name.clone(),
        org,
        org_name,
        token,
        outcome,
    );
    entry.server = Some(server_of(profile));
    entry
}

/// Runs a client's construction (which reads its CA file) on a blocking thread.
async fn blocking_build<T: Send + 'static>(
    build: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    spawn_blocking(build)
        .await
        .map_err(|e| Error::internal(format!("building a client failed to run: {e}")))?
}
