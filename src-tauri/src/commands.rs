//! The app's commands: each turns its arguments into validated core types, calls one
//! [`omlink::Workbench`] method and returns the core's [`Error`] as is. All are async, so no
//! keychain or HTTP call runs on the main thread.

use omlink::{
    Error, ExportFormat, HistoryEntry, LinkOutcome, LinkToken, OrgId, Profile, ProfileDraft,
    ProfileId, SandboxEndpoint, TokenSource,
};
use omlink_sandbox::{Sandbox, SandboxConfig, demo};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::state::{AppState, lock};
use crate::types::{AppInfo, LinkRequest, LinkResponse, OrganizationsView, ProfilesView};

type Result<T> = std::result::Result<T, Error>;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: omlink::VERSION.to_owned(),
        identifier: omlink::APP_IDENTIFIER.to_owned(),
        store_file: state.store_file.clone(),
        keychain: state.keychain.clone(),
    })
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<ProfilesView> {
    let book = state.workbench.profiles();
    Ok(ProfilesView {
        profiles: book.profiles,
        last_used: book.last_used,
        store_warning: state.store_warning.clone(),
    })
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    id: Option<ProfileId>,
    draft: ProfileDraft,
    private_key: Option<String>,
) -> Result<Profile> {
    let private_key = private_key.map(zeroize_string);
    state.workbench.save_profile(
        id.as_ref(),
        &draft,
        private_key.as_deref().map(String::as_str),
    )
}

fn zeroize_string(s: String) -> omlink::secret_store::Secret {
    omlink::secret_store::Secret::new(s)
}

#[tauri::command]
pub async fn duplicate_profile(state: State<'_, AppState>, id: ProfileId) -> Result<Profile> {
    state.workbench.duplicate_profile(&id)
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: ProfileId) -> Result<()> {
    state.workbench.delete_profile(&id)
}

#[tauri::command]
pub async fn select_profile(state: State<'_, AppState>, id: ProfileId) -> Result<()> {
    state.workbench.set_last_used(&id)
}

/// Starts the in-process sandbox (once) and returns the profile that uses it.
#[tauri::command]
pub async fn start_sandbox(state: State<'_, AppState>) -> Result<Profile> {
    let url = {
        let mut sandbox = lock(&state.sandbox);
        if sandbox.is_none() {
            let started = Sandbox::start(SandboxConfig {
                // The app never keeps what it sends (link tokens) in the sandbox's log.
                record_bodies: false,
                ..SandboxConfig::default()
            })
            .map_err(|e| {
                Error::invalid_input(
                    format!("The sandbox could not start: {e}"),
                    "Another program may hold the loopback ports; try again.",
                )
            })?;
            *sandbox = Some(started);
        }
        sandbox
            .as_ref()
            .map(|s| s.url().to_owned())
            .unwrap_or_default()
    };
    state.workbench.use_sandbox(SandboxEndpoint {
        url: omlink::BaseUrl::new(url)?,
        public_key: omlink::PublicKey::new(demo::OWNER.public_key)?,
        private_key: omlink::PrivateKey::new(demo::OWNER.private_key)?,
    })
}

/// "Test connection": the organizations, or the typed error with its hint.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<OrganizationsView> {
    list_organizations(state, id).await
}

#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<OrganizationsView> {
    let warnings = state.workbench.warnings(&id)?;
    let organizations = state.workbench.list_orgs(&id).await?;
    Ok(OrganizationsView {
        organizations,
        warning_texts: warnings.iter().map(ToString::to_string).collect(),
        warnings,
    })
}

#[tauri::command]
pub async fn create_migration_link(
    state: State<'_, AppState>,
    request: LinkRequest,
) -> Result<LinkResponse> {
    let org = OrgId::new(&request.org_id)?;
    let token = match (request.token, request.history_id) {
        (Some(token), _) => TokenSource::New(LinkToken::new(zeroize_string(token).as_str())?),
        (None, Some(history_id)) => TokenSource::History(history_id),
        (None, None) => {
            return Err(Error::invalid_input(
                "The link token is empty",
                "Paste the link token generated in Atlas.",
            ));
        }
    };
    let (tx, rx) = oneshot::channel();
    lock(&state.cancels).insert(request.request_id.clone(), tx);
    let cancelled = async {
        // A dropped sender is not a cancel.
        if rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let (result, entry) = state
        .workbench
        .link(
            &request.profile_id,
            &org,
            request.org_name,
            token,
            cancelled,
        )
        .await;
    lock(&state.cancels).remove(&request.request_id);
    result.map(|outcome| LinkResponse { outcome, entry })
}

/// Cancels a pending link; false when it had already finished.
#[tauri::command]
pub async fn cancel_request(state: State<'_, AppState>, request_id: String) -> Result<bool> {
    Ok(lock(&state.cancels)
        .remove(&request_id)
        .is_some_and(|tx| tx.send(()).is_ok()))
}

#[tauri::command]
pub async fn get_link_status(
    state: State<'_, AppState>,
    id: ProfileId,
    org_id: String,
) -> Result<LinkOutcome> {
    state.workbench.link_status(&id, &OrgId::new(org_id)?).await
}

#[tauri::command]
pub async fn delete_migration_link(
    state: State<'_, AppState>,
    id: ProfileId,
    org_id: String,
) -> Result<()> {
    state.workbench.unlink(&id, &OrgId::new(org_id)?).await
}

#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    org_id: Option<String>,
) -> Result<Vec<HistoryEntry>> {
    let org = org_id
        .filter(|o| !o.trim().is_empty())
        .map(OrgId::new)
        .transpose()?;
    Ok(state.workbench.history(org.as_ref()))
}

#[tauri::command]
pub async fn delete_history_entry(state: State<'_, AppState>, entry_id: String) -> Result<()> {
    state.workbench.delete_history_entry(&entry_id)
}

/// Asks the person for a file name (native save dialog) and writes the (filtered) history
/// there; `None` when they cancelled. The dialog runs here, not in the web view, so the web
/// view cannot direct a write anywhere.
#[tauri::command]
pub async fn export_history(
    app: AppHandle,
    state: State<'_, AppState>,
    org_id: Option<String>,
    format: ExportFormat,
    file_name: String,
) -> Result<Option<String>> {
    let org = org_id
        .filter(|o| !o.trim().is_empty())
        .map(OrgId::new)
        .transpose()?;
    let text = state.workbench.export_history(org.as_ref(), format);
    let (kind, extension) = match format {
        ExportFormat::Json => ("JSON", "json"),
        ExportFormat::Csv => ("CSV", "csv"),
    };
    let Some(path) = app
        .dialog()
        .file()
        .set_file_name(file_name)
        .add_filter(kind, &[extension])
        .blocking_save_file()
        .and_then(|p| p.as_path().map(std::path::Path::to_path_buf))
    else {
        return Ok(None);
    };
    std::fs::write(&path, text).map_err(|e| {
        Error::invalid_input(
            format!("Could not write {}: {e}", path.display()),
            "Choose another folder.",
        )
    })?;
    Ok(Some(path.display().to_string()))
}

/// Asks the person for a PEM file of extra CA certificates (native open dialog).
#[tauri::command]
pub async fn choose_ca_file(app: AppHandle) -> Result<Option<String>> {
    Ok(app
        .dialog()
        .file()
        .add_filter("PEM certificates", &["pem", "crt", "cer"])
        .blocking_pick_file()
        .and_then(|p| p.as_path().map(|p| p.display().to_string())))
}
