//! What belongs to the window rather than to the core: its own preferences (tauri-plugin-store,
//! not shared with the CLI), the native file dialogs, and the keychain's state for the About
//! box. The dialogs run here, not in the web view, so the page cannot direct a read or a write.

use std::path::PathBuf;

use omlink::{Error, ExportFormat, ProfileBook, ProfileId};
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_store::StoreExt;

use crate::state::{AppState, blocking};
use crate::types::KeychainState;

/// The window's own preferences.
const WINDOW_STORE: &str = "window.json";
/// The profile the window showed last.
const LAST_PROFILE: &str = "lastProfile";

/// The profile the window showed last, when it still exists.
pub fn last_profile<R: Runtime>(app: &AppHandle<R>, book: &ProfileBook) -> Option<ProfileId> {
    app.store(WINDOW_STORE)
        .ok()
        .and_then(|s| s.get(LAST_PROFILE))
        .and_then(|v| serde_json::from_value::<ProfileId>(v).ok())
        .filter(|id| book.get(id).is_some())
}

/// Remembers the profile the window shows.
///
/// # Errors
/// [`omlink::ErrorKind::InvalidInput`] for a profile that no longer exists;
/// [`omlink::ErrorKind::Storage`] when the preferences cannot be written.
pub fn remember_profile<R: Runtime>(
    app: &AppHandle<R>,
    book: &ProfileBook,
    id: &ProfileId,
) -> Result<(), Error> {
    if book.get(id).is_none() {
        return Err(Error::invalid_input(
            "That profile no longer exists",
            "Choose a profile from the list.",
        ));
    }
    let store = app.store(WINDOW_STORE).map_err(|e| {
        Error::storage(
            format!("Could not open the window's preferences: {e}"),
            "Check the permissions of the app's data folder.",
        )
    })?;
    store.set(LAST_PROFILE, serde_json::json!(id));
    store.save().map_err(|e| {
        Error::storage(
            format!("Could not save the window's preferences: {e}"),
            "Check the disk space and the permissions of the app's data folder.",
        )
    })
}

/// Asks the person where to save an export (native save dialog); `None` when they cancelled.
pub fn export_file<R: Runtime>(
    app: &AppHandle<R>,
    file_name: String,
    format: ExportFormat,
) -> Option<PathBuf> {
    let (kind, extension) = match format {
        ExportFormat::Json => ("JSON", "json"),
        ExportFormat::Csv => ("CSV", "csv"),
    };
    app.dialog()
        .file()
        .set_file_name(file_name)
        .add_filter(kind, &[extension])
        .blocking_save_file()
        .and_then(|p| p.as_path().map(std::path::Path::to_path_buf))
}

/// Writes an export where the person chose; the path as shown.
///
/// # Errors
/// [`omlink::ErrorKind::Storage`], saying to choose another folder.
pub fn write_export(path: &std::path::Path, text: &str) -> Result<String, Error> {
    omlink::write_atomically(path, text.as_bytes()).map_err(|e| Error {
        hint: "Choose another folder.".to_owned(),
        ..e
    })?;
    Ok(path.display().to_string())
}

/// Shows each of `messages` as a desktop notification. A desktop without a notification
/// service shows nothing: the Migrations view says the same.
pub fn notify<R: Runtime>(app: &AppHandle<R>, messages: &[String]) {
    use tauri_plugin_notification::NotificationExt;
    for message in messages {
        let _ = app
            .notification()
            .builder()
            .title("omlink")
            .body(message)
            .show();
    }
}

/// Asks the person for a PEM file of extra CA certificates (native open dialog).
pub fn ca_file<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    app.dialog()
        .file()
        .add_filter("PEM certificates", &["pem", "crt", "cer"])
        .blocking_pick_file()
        .and_then(|p| p.as_path().map(|p| p.display().to_string()))
}

/// Whether the OS keychain answers (opened on a blocking thread, once).
///
/// # Errors
/// Only when the blocking thread could not run.
pub async fn keychain_state(state: &AppState) -> Result<KeychainState, Error> {
    let keychain = std::sync::Arc::clone(&state.keychain);
    Ok(
        match blocking(move || Ok(keychain.store().map(drop))).await? {
            Ok(()) => KeychainState::Available,
            Err(e) => KeychainState::Unavailable {
                message: e.message,
                hint: e.hint,
            },
        },
    )
}

/// The store notices as one warning, when there are any.
pub fn store_warning(notices: &[String]) -> Option<String> {
    (!notices.is_empty()).then(|| notices.join(" "))
}
