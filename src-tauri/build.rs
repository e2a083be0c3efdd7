//! Declares the app's commands so each is denied unless a capability grants it.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_profiles",
    "save_profile",
    "duplicate_profile",
    "delete_profile",
    "select_profile",
    "start_sandbox",
    "list_organizations",
    "create_migration_link",
    "cancel_request",
    "get_link_status",
    "delete_migration_link",
    "list_history",
    "delete_history_entry",
    "export_history",
    "choose_ca_file",
    "status_batch",
    "link_batch",
    "cancel_batch",
    "save_atlas",
    "delete_atlas",
    "list_atlas_orgs",
    "available_projects",
    "revoke_link_token",
    "preflight",
    "sweep_keychain",
    "prune_keychain",
    "store_notices",
    "startup_ready",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
