//! Where secrets live: the OS keychain behind a small trait.
//!
//! [`SecretStore`] is what the app and the CLI use; [`KeychainStore`] is the real one (Secret
//! Service on Linux, Keychain on macOS, Credential Manager on Windows, through the keyring
//! ecosystem's `keyring-core`), [`MemorySecretStore`] the unit tests' fake. A missing entry is
//! `None`; deleting a missing entry is `Ok`. Failures are [`ErrorKind::Keychain`] errors with a
//! stable, explained message. There is no fallback to a plain-text file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::fields::ProfileId;

/// A secret read from a store: zeroized when dropped, `<redacted>` in `Debug` (a bare
/// `Zeroizing<String>` would print it).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `text`, which is zeroized when the secret is dropped.
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The secret text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::ops::Deref for Secret {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The keychain service name every omlink entry is filed under.
pub const KEYCHAIN_SERVICE: &str = "omlink";

/// The keychain account holding a profile's private API key.
pub fn private_key_account(profile: &ProfileId) -> String {
    format!("profile:{profile}:private-key")
}

/// The keychain account holding an Atlas connection's secret (the service account's client
/// secret, or the API key's private key).
pub fn atlas_secret_account(connection: &ProfileId) -> String {
    format!("atlas:{connection}:secret")
}

/// The keychain account holding a link token: one entry per distinct token, named by its
/// fingerprint (see [`fingerprint`](crate::fingerprint)), shared by every history entry that
/// used it and removed with the last of them.
pub fn link_token_account(fingerprint: &str) -> String {
    format!("link-token:{fingerprint}")
}

/// The account under which omlink 0.1 kept one token per history entry; swept at start.
pub fn legacy_link_token_account(history_id: &str) -> String {
    format!("history:{history_id}:link-token")
}

/// The largest secret Windows Credential Manager stores: 2,560 bytes of UTF-16.
pub const WINDOWS_MAX_SECRET_BYTES: usize = 2560;

/// Refuses, before anything is sent, a token the keychain of operating system `os` could not
/// store (Windows Credential Manager keeps at most [`WINDOWS_MAX_SECRET_BYTES`] of UTF-16): a
/// link whose token cannot be kept would leave a history entry that can never be reused.
///
/// # Errors
/// [`ErrorKind::InvalidInput`] naming the limit.
pub fn check_storable(token: &crate::LinkToken, os: &str) -> Result<(), Error> {
    let utf16_bytes = token.expose().encode_utf16().count() * 2;
    if os == "windows" && utf16_bytes > WINDOWS_MAX_SECRET_BYTES {
        return Err(Error::invalid_input(
            format!(
                "The link token is too long for Windows Credential Manager ({} characters; at \
                 most {} fit)",
                utf16_bytes / 2,
                WINDOWS_MAX_SECRET_BYTES / 2
            ),
            "Check that only the token was pasted. Nothing was sent.",
        ));
    }
    Ok(())
}

/// Get, set and delete secrets by account name, under [`KEYCHAIN_SERVICE`].
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when there is no entry.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] when the keychain cannot be used.
    fn get(&self, account: &str) -> Result<Option<Secret>, Error>;

    /// Creates or replaces an entry.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] when the keychain cannot be used.
    fn set(&self, account: &str, secret: &str) -> Result<(), Error>;

    /// Deletes an entry; a missing one is not an error.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] when the keychain cannot be used.
    fn delete(&self, account: &str) -> Result<(), Error>;

    /// Every account name under [`KEYCHAIN_SERVICE`], or `None` when this keychain cannot
    /// list its entries (then no orphan sweep is possible).
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] when the keychain cannot be used.
    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        Ok(None)
    }
}

/// Stands in for a keychain that could not be opened: every use fails with the error that
/// explains why, and nothing is ever written elsewhere (there is no plain-text fallback).
#[derive(Debug)]
pub struct UnavailableStore(pub Error);

impl SecretStore for UnavailableStore {
    fn get(&self, _: &str) -> Result<Option<Secret>, Error> {
        Err(self.0.clone())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), Error> {
        Err(self.0.clone())
    }
    fn delete(&self, _: &str) -> Result<(), Error> {
        Err(self.0.clone())
    }
}

/// How long one keychain call may take before it is given up: long enough for a person to
/// answer an unlock prompt, short enough that a Secret Service that never answers does not
/// hang a save, a link or a batch.
pub const KEYCHAIN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(45);

/// A [`SecretStore`] whose every call has a deadline: a keychain that does not answer in time
/// (a locked collection whose prompt never comes, a wedged Secret Service) becomes a
/// [`ErrorKind::Keychain`] error with a hint, instead of a call that never returns. The call
/// itself goes on in its own thread and its late answer is dropped.
pub struct Deadline {
    inner: Arc<dyn SecretStore>,
    limit: std::time::Duration,
}

impl std::fmt::Debug for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl Deadline {
    /// `inner`, each call limited to `limit`.
    pub fn new(inner: Arc<dyn SecretStore>, limit: std::time::Duration) -> Self {
        Self { inner, limit }
    }

    fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = std::sync::mpsc::channel();
        let inner = Arc::clone(&self.inner);
        std::thread::Builder::new()
            .name("omlink-keychain".into())
            .spawn(move || {
                let _ = tx.send(call(inner.as_ref()));
            })
            .map_err(|e| Error::internal(format!("a keychain call could not start: {e}")))?;
        rx.recv_timeout(self.limit)
            .unwrap_or_else(|_| Err(unanswered(self.limit)))
    }
}

/// The OS keychain, each call limited to [`KEYCHAIN_DEADLINE`]: what the app and the CLI use.
///
/// # Errors
/// [`ErrorKind::Keychain`] when no keychain can be opened.
pub fn os_keychain() -> Result<Deadline, Error> {
    Ok(Deadline::new(
        Arc::new(KeychainStore::open()?),
        KEYCHAIN_DEADLINE,
    ))
}

const UNANSWERED: &str = "The keychain did not answer within";

/// The error of a keychain call given up at its deadline.
fn unanswered(limit: std::time::Duration) -> Error {
    Error::new(
        ErrorKind::Keychain,
        format!("{UNANSWERED} {} seconds", limit.as_secs().max(1)),
        "Unlock your keyring (on Linux: the \"Login\" keyring in Passwords and Keys) or \
         restart it, then try again. Nothing was saved or sent.",
    )
}

/// Whether `e` is a keychain call given up at its [`Deadline`]: the keychain is locked or
/// wedged, and every further call would wait as long (a batch stops on it). A keychain that
/// refuses at once (none installed) is not.
pub fn is_unanswered(e: &Error) -> bool {
    e.kind == ErrorKind::Keychain && e.message.starts_with(UNANSWERED)
}

impl SecretStore for Deadline {
    fn get(&self, account: &str) -> Result<Option<Secret>, Error> {
        let account = account.to_owned();
        self.run(move |s| s.get(&account))
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        let (account, secret) = (account.to_owned(), Secret::new(secret.to_owned()));
        self.run(move |s| s.set(&account, secret.as_str()))
    }
    fn delete(&self, account: &str) -> Result<(), Error> {
        let account = account.to_owned();
        self.run(move |s| s.delete(&account))
    }
    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        self.run(|s| s.accounts())
    }
}

/// A store opened on its first use rather than at start: opening the OS keychain connects to
/// it (on Linux, a D-Bus connection to the Secret Service), which belongs after the window's
/// first paint, not before. The outcome of that one opening is kept: when it failed, every use
/// fails with that error (there is no plain-text fallback).
pub struct Deferred {
    open: Box<dyn Fn() -> Result<Arc<dyn SecretStore>, Error> + Send + Sync>,
    opened: std::sync::OnceLock<Result<Arc<dyn SecretStore>, Error>>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deferred")
            .field("opened", &self.opened.get().map(Result::is_ok))
            .finish_non_exhaustive()
    }
}

impl Deferred {
    /// A store that `open` opens on first use.
    pub fn new(
        open: impl Fn() -> Result<Arc<dyn SecretStore>, Error> + Send + Sync + 'static,
    ) -> Self {
        Self {
            open: Box::new(open),
            opened: std::sync::OnceLock::new(),
        }
    }

    /// The OS keychain, opened on first use, every call with [`KEYCHAIN_DEADLINE`].
    pub fn keychain() -> Self {
        Self::new(|| Ok(Arc::new(os_keychain()?) as Arc<dyn SecretStore>))
    }

    /// Opens the store if that has not been tried yet; the error when it cannot be used.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] from the opening.
    pub fn store(&self) -> Result<&Arc<dyn SecretStore>, Error> {
        self.opened
            .get_or_init(|| {
                (self.open)().map_err(|e| Error {
                    kind: ErrorKind::Keychain,
                    ..e
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl SecretStore for Deferred {
    fn get(&self, account: &str) -> Result<Option<Secret>, Error> {
        self.store()?.get(account)
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        self.store()?.set(account, secret)
    }
    fn delete(&self, account: &str) -> Result<(), Error> {
        self.store()?.delete(account)
    }
    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        self.store()?.accounts()
    }
}

/// An in-memory [`SecretStore`] for unit tests. Its `Debug` lists account names only.
#[derive(Default, Clone)]
pub struct MemorySecretStore {
    entries: Arc<Mutex<HashMap<String, Zeroizing<String>>>>,
}

impl std::fmt::Debug for MemorySecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemorySecretStore")
            .field("accounts", &self.accounts())
            .finish()
    }
}

impl MemorySecretStore {
    /// The account names present, sorted (for assertions).
    pub fn accounts(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock().keys().cloned().collect();
        names.sort();
        names
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<String>>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, Error> {
        Ok(self
            .lock()
            .get(account)
            .map(|s| Secret::new(s.as_str().to_owned())))
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        self.lock()
            .insert(account.to_owned(), Zeroizing::new(secret.to_owned()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), Error> {
        self.lock().remove(account);
        Ok(())
    }

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        Ok(Some(MemorySecretStore::accounts(self)))
    }
}

/// The OS keychain.
///
/// The credential store is chosen explicitly here (keyring's `v1` API would install its own
/// default store on first use), so the app, the CLI and tests all use the same one.
pub struct KeychainStore {
    store: Arc<keyring_core::CredentialStore>,
}

impl std::fmt::Debug for KeychainStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeychainStore").finish_non_exhaustive()
    }
}

impl KeychainStore {
    /// Connects to the platform's keychain.
    ///
    /// # Errors
    /// [`ErrorKind::Keychain`] when there is none (on Linux: no Secret Service on the session
    /// bus).
    pub fn open() -> Result<Self, Error> {
        #[cfg(all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        ))]
        let store = zbus_secret_service_keyring_store::Store::new();
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new();
        #[cfg(target_os = "windows")]
        let store = windows_native_keyring_store::Store::new();
        let store = store.map_err(keychain_error)?;
        Ok(Self { store })
    }

    fn entry(&self, account: &str) -> Result<keyring_core::Entry, Error> {
        self.store
            .build(KEYCHAIN_SERVICE, account, None)
            .map_err(keychain_error)
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, Error> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Secret::new(secret))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), Error> {
        self.entry(account)?
            .set_password(secret)
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<(), Error> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn accounts(&self) -> Result<Option<Vec<String>>, Error> {
        let spec = std::collections::HashMap::from([("service", KEYCHAIN_SERVICE)]);
        match self.store.search(&spec) {
            Ok(entries) => Ok(Some(
                entries
                    .iter()
                    .filter_map(keyring_core::Entry::get_specifiers)
                    .filter(|(service, _)| service == KEYCHAIN_SERVICE)
                    .map(|(_, account)| account)
                    .collect(),
            )),
            Err(keyring_core::Error::NotSupportedByStore(_)) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Explains a keychain failure. The messages are stable; the platform's own text follows.
fn keychain_error(err: keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    let (message, hint) = match &err {
        K::NoStorageAccess(_) => (
            "The keychain is locked or access to it was denied",
            "Unlock your keyring (on Linux: the \"Login\" keyring in Passwords and Keys), \
             allow omlink when asked, then try again.",
        ),
        K::PlatformFailure(_) | K::NoDefaultStore => (
            "No usable keychain is available",
            "On Linux, start a Secret Service such as gnome-keyring or KWallet in your desktop \
             session. omlink never falls back to storing keys in plain text.",
        ),
        K::BadEncoding(_) | K::BadDataFormat(..) => (
            "A keychain entry of omlink's is not readable text",
            "Delete the omlink entry in your keychain manager and enter the key again.",
        ),
        K::Ambiguous(_) => (
            "The keychain holds several omlink entries with the same name",
            "Delete the duplicate omlink entries in your keychain manager.",
        ),
        _ => (
            "The keychain refused the request",
            "Try again; if it persists, restart your keyring.",
        ),
    };
    Error::new(ErrorKind::Keychain, format!("{message}: {err}"), hint)
}

#[cfg(test)]
mod tests;
