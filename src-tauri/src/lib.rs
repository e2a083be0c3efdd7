//! The omlink desktop shell: thin Tauri commands over the `omlink` core's [`omlink::Workbench`].

mod commands;
mod state;
mod store;
pub mod types;

use tauri::Manager;

/// Builds and runs the app.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let state = state::AppState::load(app.handle())?;
            app.manage(state);
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
            commands::test_connection,
            commands::list_organizations,
            commands::create_migration_link,
            commands::cancel_request,
            commands::get_link_status,
            commands::delete_migration_link,
            commands::list_history,
            commands::delete_history_entry,
            commands::export_history,
            commands::choose_ca_file,
        ])
        .run(tauri::generate_context!())
        .expect("the omlink window could not start");
}
