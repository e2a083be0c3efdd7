//! The app's state: the core workbench, the in-process sandbox and pending requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use omlink::secret_store::Deferred;
use omlink::{Error, Store, Workbench};
use omlink_sandbox::Sandbox;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::oneshot;

pub struct AppState {
    pub workbench: Arc<Workbench>,
    pub sandbox: Mutex<Option<Sandbox>>,
    pub cancels: Mutex<HashMap<String, oneshot::Sender<()>>>,
    /// Running batches, by the window's batch id.
    pub batches: Mutex<HashMap<String, omlink::batch::Cancel>>,
    /// The keychain upkeep at start, done once, after the first paint.
    pub sweep: tokio::sync::OnceCell<omlink::KeychainUpkeep>,
    pub store_file: String,
    /// The OS keychain, opened on first use (after the first paint, not on the start path).
    pub keychain: Arc<Deferred>,
    /// When this process started, for OMLINK_TRACE_STARTUP.
    pub started: crate::startup::Started,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs work that may wait on the keychain (an unlock prompt) or the disk on a blocking thread,
/// so the async runtime, and with it the window, never stalls.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("a background task failed: {e}")))?
}

impl AppState {
    pub fn load<R: Runtime>(
        app: &AppHandle<R>,
        started: crate::startup::Started,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        // The same file the CLI finds (omlink::default_store_file resolves it the way Tauri
        // resolves app_data_dir); Tauri's own answer only when the environment gives none.
        let path = match omlink::default_store_file() {
            Some(path) => path,
            None => app.path().app_data_dir()?.join(omlink::STORE_FILE_NAME),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Profiles and history go through the core store (atomic writes under the lock the
        // CLI takes too). A corrupt file is set aside and reported, never loaded as empty.
        let store = Store::new(&path);
        let contents = store.load().map_err(|e| e.message)?;
        let file = path.display().to_string();
        let keychain = Arc::new(Deferred::keychain());
        let workbench = Workbench::from_contents(
            contents,
            Arc::clone(&keychain) as Arc<dyn omlink::secret_store::SecretStore>,
            Arc::new(store),
        );
        Ok(Self {
            workbench: Arc::new(workbench),
            sandbox: Mutex::new(None),
            cancels: Mutex::new(HashMap::new()),
            batches: Mutex::new(HashMap::new()),
            sweep: tokio::sync::OnceCell::new(),
            store_file: file,
            keychain,
            started,
        })
    }
}
