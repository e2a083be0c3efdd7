//! Persistence through tauri-plugin-store: one key per collection, saved at once.

use std::sync::Arc;

use omlink::{Error, Persistence};
use tauri::Runtime;
use tauri_plugin_store::Store;

/// Writes the workbench's collections into the app's store file.
pub struct StorePersistence<R: Runtime> {
    store: Arc<Store<R>>,
    file: String,
}

impl<R: Runtime> StorePersistence<R> {
    pub fn new(store: Arc<Store<R>>, file: String) -> Self {
        Self { store, file }
    }
}

impl<R: Runtime> Persistence for StorePersistence<R> {
    fn save(&self, key: &str, value: serde_json::Value) -> Result<(), Error> {
        self.store.set(key, value);
        // Explicitly, not through the plugin's debounce: a crash right after must not lose it.
        self.store.save().map_err(|e| {
            Error::invalid_input(
                format!("Could not save to {}: {e}", self.file),
                "Check the disk space and the permissions of the app's data folder.",
            )
        })
    }
}
