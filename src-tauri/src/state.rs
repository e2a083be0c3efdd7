//! The app's state: the core workbench, the in-process sandbox and pending requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use omlink::secret_store::{KeychainStore, Secret, SecretStore};
use omlink::{Error, ErrorKind, Workbench};
use omlink_sandbox::Sandbox;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;
use tokio::sync::oneshot;

use crate::store::StorePersistence;

pub struct AppState {
    pub workbench: Arc<Workbench>,
    pub sandbox: Mutex<Option<Sandbox>>,
    pub cancels: Mutex<HashMap<String, oneshot::Sender<()>>>,
    pub store_warning: Option<String>,
    pub store_file: String,
    pub keychain: String,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Stands in for a keychain that could not be opened: every use explains why, and nothing is
/// ever written elsewhere.
struct NoKeychain(Error);

impl SecretStore for NoKeychain {
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

impl AppState {
    pub fn load<R: Runtime>(app: &AppHandle<R>) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = app.path().app_data_dir()?;
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(omlink::STORE_FILE_NAME);
        // Read (and set aside if corrupt) before the plugin opens the file, so a corrupt file is
        // never loaded as empty and then overwritten.
        let contents = omlink::load_store_file(&path).map_err(|e| e.message)?;
        let store = app.store(omlink::STORE_FILE_NAME)?;
        let file = path.display().to_string();
        let (secrets, keychain): (Arc<dyn SecretStore>, String) = match KeychainStore::open() {
            Ok(k) => (Arc::new(k), "available".to_owned()),
            Err(e) => {
                let text = format!("{} — {}", e.message, e.hint);
                let e = Error {
                    kind: ErrorKind::Keychain,
                    ..e
                };
                (Arc::new(NoKeychain(e)), text)
            }
        };
        let workbench = Workbench::new(
            contents.profiles,
            contents.history,
            secrets,
            Arc::new(StorePersistence::new(store, file.clone())),
        );
        Ok(Self {
            workbench: Arc::new(workbench),
            sandbox: Mutex::new(None),
            cancels: Mutex::new(HashMap::new()),
            store_warning: contents.set_aside,
            store_file: file,
            keychain,
        })
    }
}
