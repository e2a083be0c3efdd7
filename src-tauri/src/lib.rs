//! The omlink desktop shell: thin Tauri commands over the `omlink` core's [`omlink::Workbench`].

mod commands;
mod startup;
mod state;
pub mod types;

use tauri::Manager;
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

/// Builds the main window from its configuration (`create: false` in `tauri.conf.json`).
fn main_window(app: &tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .ok_or("tauri.conf.json has no main window")?
        .clone();
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?.build()?;
    Ok(())
}

/// Says why instead of vanishing: a start-up failure (an unreadable data folder, a store file
/// that can be neither read nor set aside) gets a dialog, and on standard error for a
/// terminal; the app ends, with exit code 1, when the dialog is closed. No main window is
/// made, so nothing runs against the state that did not load.
fn startup_failed<R: tauri::Runtime>(app: &tauri::AppHandle<R>, error: &str) {
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

/// Builds and runs the app.
pub fn run() {
    let started = startup::Started::now();
    tauri::Builder::default()
        // First, as the plugin asks: a second launch focuses this window and exits, so two
        // processes never hold the same store and keychain state.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            match state::AppState::load(app.handle(), started) {
                Ok(state) => {
                    startup::mark(&started, "set-up done");
                    app.manage(state);
                    // The window is made only now, over loaded state: no page exists that
                    // could call a command before the state does.
                    main_window(app)?;
                }
                Err(e) => startup_failed(app.handle(), &e.to_string()),
            }
            Ok(())
        })
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
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // No window to show it in (no display, no WebKit): the terminal is all there is.
            eprintln!("omlink: the window could not start: {e}");
            std::process::exit(1);
        });
}
