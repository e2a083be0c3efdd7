//! The omlink desktop shell: thin Tauri commands over the `omlink` core's [`omlink::Workbench`].

mod batches;
mod command_names;
mod commands;
pub mod startup;
mod state;
pub mod types;
mod window;

pub use command_names::COMMANDS;

use tauri::{Builder, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

/// Builds the main window from its configuration (`create: false` in `tauri.conf.json`). A
/// configuration without one (the mock runtime's, in tests) gets none.
fn main_window<R: Runtime>(app: &tauri::App<R>) -> Result<(), Box<dyn std::error::Error>> {
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main") else {
        return Ok(());
    };
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config.clone())?.build()?;
    Ok(())
}

/// Says why instead of vanishing: a start-up failure (an unreadable data folder, a store file
/// that can be neither read nor set aside) gets a dialog, and on standard error for a
/// terminal; the app ends, with exit code 1, when the dialog is closed. No main window is
/// made, so nothing runs against the state that did not load.
fn startup_failed<R: Runtime>(app: &tauri::AppHandle<R>, error: &str) {
    let message = startup_failure_message(error);
    eprintln!("omlink: {message}");
    let handle = app.clone();
    app.dialog()
        .message(message)
        .title("omlink")
        .kind(MessageDialogKind::Error)
        .show(move |_| {
            // AppHandle::exit(1) ends the event loop with 0 on Linux; the code matters to a
            // script that started omlink, and nothing was loaded that needs more than this.
            handle.cleanup_before_exit();
            std::process::exit(1);
        });
}

/// The start-up failure's text.
fn startup_failure_message(error: &str) -> String {
    format!("omlink could not start: {error}\n\nNothing was changed on disk.")
}

/// What the app does once its event loop is ready: the state loaded from `store_file` and
/// managed, then the main window made over it; or, when the state cannot load, the start-up
/// dialog and no window. Tests on the mock runtime (whose event loop never runs) call it.
///
/// # Errors
/// When the main window cannot be made.
pub fn setup<R: Runtime>(
    app: &mut tauri::App<R>,
    started: startup::Started,
    store_file: Option<std::path::PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    match state::AppState::load(app.handle(), started, store_file) {
        Ok(state) => {
            startup::mark(&started, "set-up done");
            app.manage(state);
            // The window is made only now, over loaded state: no page exists that could call
            // a command before the state does.
            main_window(app)?;
        }
        Err(e) => startup_failed(app.handle(), &e.to_string()),
    }
    Ok(())
}

/// The app on any runtime: its plugins (but the single-instance one, which [`run`] adds
/// first), the state loaded in setup from `store_file` (`None`: the file the CLI finds too),
/// and every command. Tests build it on the mock runtime.
pub fn app<R: Runtime>(
    builder: Builder<R>,
    started: startup::Started,
    store_file: Option<std::path::PathBuf>,
) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| setup(app, started, store_file.clone()))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_profiles,
            commands::save_profile,
            commands::duplicate_profile,
            commands::delete_profile,
            commands::select_profile,
            commands::start_sandbox,
            commands::list_organizations,
            commands::create_migration_link,
            commands::cancel_request,
            commands::get_link_status,
            commands::delete_migration_link,
            commands::list_history,
            commands::delete_history_entry,
            commands::export_history,
            commands::choose_ca_file,
            commands::status_batch,
            commands::link_batch,
            commands::cancel_batch,
            commands::save_atlas,
            commands::delete_atlas,
            commands::list_atlas_orgs,
            commands::available_projects,
            commands::revoke_link_token,
            commands::preflight,
            commands::sweep_keychain,
            commands::prune_keychain,
            commands::store_notices,
            commands::startup_ready,
            commands::check_field,
            commands::read_link_file,
            commands::migration_destinations,
            commands::validate_migration,
            commands::start_migration,
            commands::list_migrations,
            commands::refresh_migrations,
            commands::cutover_migration,
        ])
}

/// Builds and runs the app.
pub fn run() {
    let started = startup::Started::now();
    // First, as the plugin asks: a second launch focuses this window and exits, so two
    // processes never hold the same store and keychain state.
    let single = tauri_plugin_single_instance::init(|app, _args, _cwd| {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
    app(Builder::default().plugin(single), started, None)
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // No window to show it in (no display, no WebKit): the terminal is all there is.
            eprintln!("omlink: the window could not start: {e}");
            std::process::exit(1);
        });
}
