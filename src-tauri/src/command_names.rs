// The shell's command names, as `generate_handler!` in lib.rs registers them. One list: build.rs
// includes this file to declare each command to Tauri's ACL (denied unless a capability grants
// it), and the agreement test holds it against lib.rs, the capability file and ui/src/api.ts.

/// Every command of the shell, by the name the window invokes.
pub const COMMANDS: &[&str] = &[
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
    "check_field",
    "read_link_file",
];
