//! The app's commands: each turns its arguments into validated core types, calls one
//! [`omlink::Workbench`] method and returns the core's [`Error`] as is. All are async, so no
//! keychain or HTTP call runs on the main thread.

use omlink::batch::{BatchEvent, BatchItem, BatchOptions, BatchReport, Cancel};
use omlink::preflight::ProjectCheck;
use omlink::{
    AtlasConnection, AtlasDraft, AvailableProject, Error, ExportFormat, HistoryEntry, HistoryId,
    LinkOutcome, OrgId, Organization, Profile, ProfileDraft, ProfileId, SandboxEndpoint,
    TokenSource,
};
use omlink_sandbox::{Sandbox, SandboxConfig, demo};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_store::StoreExt;
use tokio::sync::oneshot;

use crate::state::{AppState, blocking, lock};
use crate::types::{
    AppInfo, BatchLinkRequest, BatchSummary, KeychainState, LinkRequest, LinkResponse,
    OrganizationsView, ProfilesView, StatusBatchRequest,
};

type Result<T> = std::result::Result<T, Error>;

/// About this build; opens the keychain (on a blocking thread) to say whether it answers.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let keychain = std::sync::Arc::clone(&state.keychain);
    let keychain = match blocking(move || Ok(keychain.store().map(drop))).await? {
        Ok(()) => KeychainState::Available,
        Err(e) => KeychainState::Unavailable {
            message: e.message,
            hint: e.hint,
        },
    };
    Ok(AppInfo {
        version: omlink::VERSION.to_owned(),
        identifier: omlink::APP_IDENTIFIER.to_owned(),
        store_file: state.store_file.clone(),
        keychain,
    })
}

/// The profiles and Atlas connections, from disk (the CLI may have changed them). Nothing
/// here touches the keychain or the network: this is the start path.
#[tauri::command]
pub async fn list_profiles(app: AppHandle, state: State<'_, AppState>) -> Result<ProfilesView> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.reload()).await?;
    let book = state.workbench.profiles();
    let window_choice = app
        .store(WINDOW_STORE)
        .ok()
        .and_then(|s| s.get(LAST_PROFILE))
        .and_then(|v| serde_json::from_value::<ProfileId>(v).ok())
        .filter(|id| book.get(id).is_some());
    Ok(ProfilesView {
        profiles: book.profiles,
        atlas_connections: book.atlas,
        last_used: window_choice.or(book.last_used),
        store_warning: store_warning(&state.workbench.store_notices()),
    })
}

fn store_warning(notices: &[String]) -> Option<String> {
    (!notices.is_empty()).then(|| notices.join(" "))
}

/// What was said about the store file so far; each later notice (a set-aside after start-up,
/// by a reload or another writer's file) is sent on `on_notice` as it happens.
#[tauri::command]
pub async fn store_notices(
    state: State<'_, AppState>,
    on_notice: Channel<String>,
) -> Result<Option<String>> {
    let hook = move |text: &str| drop(on_notice.send(text.to_owned()));
    state.workbench.on_store_notice(std::sync::Arc::new(hook));
    Ok(store_warning(&state.workbench.store_notices()))
}

/// Once per start, after the first paint: the keychain upkeep (see
/// [`omlink::Workbench::sweep_keychain`]: nothing is removed because a damaged store does not
/// name it). A keychain that cannot be used is reported by the commands that need it.
#[tauri::command]
pub async fn sweep_keychain(state: State<'_, AppState>) -> Result<omlink::KeychainUpkeep> {
    let workbench = state.workbench.clone();
    let sweep = || async move {
        blocking(move || workbench.sweep_keychain())
            .await
            .unwrap_or_else(|e| omlink::KeychainUpkeep {
                notice: Some(format!("The keychain could not be checked: {}", e.message)),
                ..omlink::KeychainUpkeep::default()
            })
    };
    Ok(state.sweep.get_or_init(sweep).await.clone())
}

/// "Remove unused keychain entries": removes, on purpose, the omlink entries nothing saved uses.
#[tauri::command]
pub async fn prune_keychain(state: State<'_, AppState>) -> Result<omlink::KeychainUpkeep> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.prune_keychain(true)).await
}

/// The window has painted the profiles: with OMLINK_TRACE_STARTUP=1, say when.
#[tauri::command]
pub async fn startup_ready(state: State<'_, AppState>) -> Result<()> {
    crate::startup::mark(&state.started, "profiles listed in the window");
    Ok(())
}

/// The window's own preferences (tauri-plugin-store): not shared with the CLI.
const WINDOW_STORE: &str = "window.json";
/// The profile the window showed last.
const LAST_PROFILE: &str = "lastProfile";

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    id: Option<ProfileId>,
    draft: ProfileDraft,
    private_key: Option<String>,
) -> Result<Profile> {
    let private_key = private_key.map(zeroize_string);
    let workbench = state.workbench.clone();
    blocking(move || workbench.save_profile(id.as_ref(), &draft, private_key.as_deref())).await
}

fn zeroize_string(s: String) -> omlink::secret_store::Secret {
    omlink::secret_store::Secret::new(s)
}

#[tauri::command]
pub async fn duplicate_profile(state: State<'_, AppState>, id: ProfileId) -> Result<Profile> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.duplicate_profile(&id)).await
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: ProfileId) -> Result<()> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.delete_profile(&id)).await
}

#[tauri::command]
pub async fn select_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<()> {
    if state.workbench.profiles().get(&id).is_none() {
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
        atlas_client_id: omlink::ClientId::new(demo::SERVICE_ACCOUNT.client_id)?,
        atlas_client_secret: omlink::PrivateKey::new(demo::SERVICE_ACCOUNT.client_secret)?,
    })
}

#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<OrganizationsView> {
    let warnings = state.workbench.warnings(&id).await?;
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
    let org = request.org_id;
    let token = match (request.token, request.history_id, request.mint) {
        (Some(token), _, _) => TokenSource::New(token),
        (None, Some(history_id), _) => TokenSource::History(history_id),
        (None, None, Some(target)) => TokenSource::Mint(target),
        (None, None, None) => {
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
    org_id: OrgId,
) -> Result<LinkOutcome> {
    state.workbench.link_status(&id, &org_id).await
}

#[tauri::command]
pub async fn delete_migration_link(
    state: State<'_, AppState>,
    id: ProfileId,
    org_id: OrgId,
) -> Result<()> {
    state.workbench.unlink(&id, &org_id).await
}

#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    org_id: Option<OrgId>,
) -> Result<Vec<HistoryEntry>> {
    Ok(state.workbench.history(org_id.as_ref()))
}

#[tauri::command]
pub async fn delete_history_entry(state: State<'_, AppState>, entry_id: HistoryId) -> Result<()> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.delete_history_entry(&entry_id)).await
}

/// Asks the person for a file name (native save dialog) and writes the (filtered) history
/// there; `None` when they cancelled. The dialog runs here, not in the web view, so the web
/// view cannot direct a write anywhere.
#[tauri::command]
pub async fn export_history(
    app: AppHandle,
    state: State<'_, AppState>,
    org_id: Option<OrgId>,
    format: ExportFormat,
    file_name: String,
) -> Result<Option<String>> {
    let text = state.workbench.export_history(org_id.as_ref(), format);
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
    omlink::write_atomically(&path, text.as_bytes()).map_err(|e| Error {
        hint: "Choose another folder.".to_owned(),
        ..e
    })?;
    Ok(Some(path.display().to_string()))
}

/// Reads the link status of the listed organizations concurrently; each result goes through
/// `on_event` as it arrives, so every row's badge fills in live.
#[tauri::command]
pub async fn status_batch(
    state: State<'_, AppState>,
    request: StatusBatchRequest,
    on_event: Channel<BatchEvent>,
) -> Result<BatchSummary> {
    let options = batch_options(request.concurrency, false)?;
    let orgs = request
        .orgs
        .into_iter()
        .map(|o| OrgId::new(&o.id).map(|id| (id, Some(o.name))))
        .collect::<Result<Vec<_>>>()?;
    let workbench = state.workbench.clone();
    let profile = request.profile_id;
    let (cancel, _filed) = file_batch(&state, &request.batch_id);
    run_batch(cancel, on_event, |events, cancel| async move {
        workbench
            .status_of(&profile, orgs, &options, Some(events), cancel)
            .await
    })
    .await
}

/// Links many organizations (see `omlink::batch`): every attempt is in the history as it
/// finishes, each result goes through `on_event`, and `cancel_batch` stops it.
#[tauri::command]
pub async fn link_batch(
    state: State<'_, AppState>,
    request: BatchLinkRequest,
    on_event: Channel<BatchEvent>,
) -> Result<BatchSummary> {
    let options = batch_options(request.concurrency, request.force)?;
    let profile = request.profile_id;
    // Filed before the keychain is read, so a Cancel during the reads is not lost.
    let (cancel, _filed) = file_batch(&state, &request.batch_id);
    let minting = request.items.iter().filter(|i| i.mint.is_some()).count();
    if minting > 0 {
        if minting < request.items.len() {
            return Err(Error::invalid_input(
                "A batch either generates every token in Atlas or uses given tokens",
                "Choose an Atlas organization for every selected organization, or give every \
                 one a token.",
            ));
        }
        let mut targets = std::collections::HashMap::new();
        let mut items = Vec::with_capacity(request.items.len());
        for item in request.items {
            if let Some(target) = item.mint {
                targets.insert(item.org.clone(), target);
            }
            items.push(BatchItem {
                org: item.org,
                name: item.name,
                token: None,
            });
        }
        let workbench = state.workbench.clone();
        return run_batch(cancel, on_event, |events, cancel| async move {
            workbench
                .link_batch_minting(&profile, items, &targets, &options, Some(events), cancel)
                .await
        })
        .await;
    }
    let mut items = Vec::with_capacity(request.items.len());
    for item in request.items {
        if cancel.is_cancelled() {
            return Err(Error::new(
                omlink::ErrorKind::Cancelled,
                "The batch was cancelled before it started",
                "Nothing was sent.",
            ));
        }
        let token = match (item.token, item.history_id) {
            (Some(token), _) => token,
            (None, Some(entry)) => {
                state
                    .workbench
                    .saved_token(&profile, &item.org, &entry)
                    .await?
            }
            (None, None) => {
                return Err(Error::invalid_input(
                    format!("No link token for organization {}", item.org),
                    "Paste or import a token for every selected organization.",
                ));
            }
        };
        items.push(BatchItem {
            org: item.org,
            name: item.name,
            token: Some(token),
        });
    }
    let workbench = state.workbench.clone();
    run_batch(cancel, on_event, |events, cancel| async move {
        workbench
            .link_batch(&profile, items, &options, Some(events), cancel)
            .await
    })
    .await
}

/// Cancels a running batch; false when it had already finished.
#[tauri::command]
pub async fn cancel_batch(state: State<'_, AppState>, batch_id: String) -> Result<bool> {
    Ok(lock(&state.batches).remove(&batch_id).is_some_and(|c| {
        c.cancel();
        true
    }))
}

fn batch_options(concurrency: Option<usize>, force: bool) -> Result<BatchOptions> {
    let options = BatchOptions {
        concurrency: concurrency.unwrap_or(omlink::batch::DEFAULT_CONCURRENCY),
        force,
        ..BatchOptions::default()
    };
    options.validate()?;
    Ok(options)
}

/// A batch's cancel handle, filed under the window's batch id until the guard is dropped.
struct Filed<'a> {
    batches: &'a std::sync::Mutex<std::collections::HashMap<String, Cancel>>,
    id: String,
}

impl Drop for Filed<'_> {
    fn drop(&mut self) {
        lock(self.batches).remove(&self.id);
    }
}

fn file_batch<'a>(state: &'a AppState, batch_id: &str) -> (Cancel, Filed<'a>) {
    let cancel = Cancel::new();
    lock(&state.batches).insert(batch_id.to_owned(), cancel.clone());
    (
        cancel,
        Filed {
            batches: &state.batches,
            id: batch_id.to_owned(),
        },
    )
}

/// Runs a batch, forwarding its events to the window's channel.
async fn run_batch<F, Fut>(
    cancel: Cancel,
    channel: Channel<BatchEvent>,
    work: F,
) -> Result<BatchSummary>
where
    F: FnOnce(tokio::sync::mpsc::UnboundedSender<BatchEvent>, Cancel) -> Fut,
    Fut: std::future::Future<Output = Result<BatchReport>>,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let forward = tauri::async_runtime::spawn(async move {
        while let Some(event) = rx.recv().await {
            // A closed window is not the batch's failure: its results are in the history.
            let _ = channel.send(event);
        }
    });
    let report = work(tx, cancel).await;
    let _ = forward.await;
    let report = report?;
    Ok(BatchSummary {
        failed: report.failed(),
        results: report.results,
        stopped: report.stopped,
        cancelled: report.cancelled,
    })
}

#[tauri::command]
pub async fn save_atlas(
    state: State<'_, AppState>,
    id: Option<ProfileId>,
    draft: AtlasDraft,
    secret: Option<String>,
) -> Result<AtlasConnection> {
    let secret = secret.map(zeroize_string);
    let workbench = state.workbench.clone();
    blocking(move || workbench.save_atlas(id.as_ref(), &draft, secret.as_deref())).await
}

#[tauri::command]
pub async fn delete_atlas(state: State<'_, AppState>, id: ProfileId) -> Result<()> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.delete_atlas(&id)).await
}

/// The Atlas organizations an Atlas connection can see.
#[tauri::command]
pub async fn list_atlas_orgs(
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<Vec<Organization>> {
    state.workbench.atlas_orgs(&id).await
}

/// What an Atlas organization can migrate from, through profile `id`'s Atlas connection.
#[tauri::command]
pub async fn available_projects(
    state: State<'_, AppState>,
    id: ProfileId,
    atlas_org: OrgId,
) -> Result<Vec<AvailableProject>> {
    state.workbench.available_projects(&id, &atlas_org).await
}

/// Revokes an Atlas organization's link token (the link and its embedded API key go with it).
#[tauri::command]
pub async fn revoke_link_token(
    state: State<'_, AppState>,
    id: ProfileId,
    atlas_org: OrgId,
) -> Result<()> {
    state.workbench.revoke_link_token(&id, &atlas_org).await
}

/// Per project of an organization: is push live migration supported from its deployments?
#[tauri::command]
pub async fn preflight(
    state: State<'_, AppState>,
    id: ProfileId,
    org_id: OrgId,
) -> Result<Vec<ProjectCheck>> {
    state.workbench.preflight(&id, &org_id).await
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
