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
        store_file: Option<std::path::PathBuf>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        // The same file the CLI finds (omlink::default_store_file resolves it the way Tauri
        // resolves app_data_dir); Tauri's own answer only when the environment gives none.
        let path = match store_file.or_else(omlink::default_store_file) {
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

impl AppState {
    /// Starts the in-process sandbox (once) and returns the profile that uses it.
    ///
    /// # Errors
    /// [`omlink::ErrorKind::InvalidInput`] when it cannot listen on loopback.
    pub fn start_sandbox(&self) -> Result<omlink::Profile, Error> {
        let url = {
            let mut sandbox = lock(&self.sandbox);
            if sandbox.is_none() {
                let started = Sandbox::start(omlink_sandbox::SandboxConfig {
                    // The app never keeps what it sends (link tokens) in the sandbox's log.
                    record_bodies: false,
                    ..omlink_sandbox::SandboxConfig::default()
                })
                .map_err(|e| {
                    Error::invalid_input(
                        format!("The sandbox could not start: {e}"),
                        "Another program may hold the loopback ports; try again.",
                    )
                })?;
                // OMLINK_SANDBOX_STEP_MS: how long each step of a sandbox migration takes
                // (4 s by default, so a whole one plays in half a minute).
                if let Some(step_ms) = std::env::var("OMLINK_SANDBOX_STEP_MS")
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                {
                    started.set_migration_knobs(omlink_sandbox::migrations::MigrationKnobs {
                        step_ms,
                        ..Default::default()
                    });
                }
                *sandbox = Some(started);
            }
            sandbox
                .as_ref()
                .map(|s| s.url().to_owned())
                .unwrap_or_default()
        };
        use omlink_sandbox::demo;
        self.workbench.use_sandbox(omlink::SandboxEndpoint {
            url: omlink::BaseUrl::new(url)?,
            public_key: omlink::PublicKey::new(demo::OWNER.public_key)?,
            private_key: omlink::PrivateKey::new(demo::OWNER.private_key)?,
            atlas_client_id: omlink::ClientId::new(demo::SERVICE_ACCOUNT.client_id)?,
            atlas_client_secret: omlink::PrivateKey::new(demo::SERVICE_ACCOUNT.client_secret)?,
        })
    }

    /// Files a cancel handle for the window's request `request_id`: the future completes when
    /// `cancel_request` is called with it (a dropped handle is not a cancel); the guard
    /// unfiles it.
    pub fn cancellable(
        &self,
        request_id: &str,
    ) -> (impl std::future::Future<Output = ()> + use<>, Pending<'_>) {
        let (tx, rx) = oneshot::channel();
        lock(&self.cancels).insert(request_id.to_owned(), tx);
        let cancelled = async {
            if rx.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let pending = Pending {
            cancels: &self.cancels,
            id: request_id.to_owned(),
        };
        (cancelled, pending)
    }

    /// Cancels the window's request `request_id`; false when it had already finished.
    pub fn cancel_request(&self, request_id: &str) -> bool {
        lock(&self.cancels)
            .remove(request_id)
            .is_some_and(|tx| tx.send(()).is_ok())
    }
}

/// A request's cancel handle, unfiled when the request ends.
pub struct Pending<'a> {
    cancels: &'a Mutex<HashMap<String, oneshot::Sender<()>>>,
    id: String,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        lock(self.cancels).remove(&self.id);
    }
}
