//! The app's commands: each turns its arguments into validated core types, calls one core
//! method (or a shell helper for what only the window has: its preferences, its dialogs, its
//! channels) and returns the core's [`Error`] as is. All are async, so no keychain or HTTP
//! call runs on the main thread; each is generic over the runtime, so the mock runtime can
//! drive it in tests.

use omlink::batch::BatchEvent;
use omlink::migration::Validation;
use omlink::preflight::ProjectCheck;
use omlink::{
    AtlasConnection, AtlasDraft, AvailableProject, DestinationProject, Error, ExportFormat,
    HistoryEntry, HistoryId, KeychainUpkeep, LinkOutcome, MigrationDraft, MigrationView, OrgId,
    Organization, Profile, ProfileDraft, ProfileId,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::batches;
use crate::state::{AppState, blocking};
use crate::types::{
    AppInfo, BatchLinkRequest, BatchSummary, LinkFileView, LinkRequest, LinkResponse,
    OrganizationsView, ProfilesView, StatusBatchRequest,
};
use crate::window;

type Result<T> = std::result::Result<T, Error>;

/// A secret from the window, held in zeroizing memory from here on.
fn zeroizing(s: Option<String>) -> Option<omlink::secret_store::Secret> {
    s.map(omlink::secret_store::Secret::new)
}

/// About this build; opens the keychain (on a blocking thread) to say whether it answers.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: omlink::VERSION.to_owned(),
        identifier: omlink::APP_IDENTIFIER.to_owned(),
        store_file: state.store_file.clone(),
        keychain: window::keychain_state(&state).await?,
    })
}

/// The profiles and Atlas connections, from disk (the CLI may have changed them). Nothing
/// here touches the keychain or the network: this is the start path.
#[tauri::command]
pub async fn list_profiles<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<ProfilesView> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.reload()).await?;
    let book = state.workbench.profiles();
    Ok(ProfilesView {
        last_used: window::last_profile(&app, &book).or(book.last_used),
        profiles: book.profiles,
        atlas_connections: book.atlas,
        store_warning: window::store_warning(&state.workbench.store_notices()),
    })
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
    Ok(window::store_warning(&state.workbench.store_notices()))
}

/// Once per start, after the first paint: the keychain upkeep (see
/// [`omlink::Workbench::sweep_keychain`]: nothing is removed because a damaged store does not
/// name it). A keychain that cannot be used is reported by the commands that need it.
#[tauri::command]
pub async fn sweep_keychain(state: State<'_, AppState>) -> Result<KeychainUpkeep> {
    let workbench = state.workbench.clone();
    let sweep = || async move { blocking(move || Ok(workbench.startup_upkeep())).await };
    Ok(state.sweep.get_or_try_init(sweep).await?.clone())
}

/// "Remove unused keychain entries": removes, on purpose, the omlink entries nothing saved uses.
#[tauri::command]
pub async fn prune_keychain(state: State<'_, AppState>) -> Result<KeychainUpkeep> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.prune_keychain(true)).await
}

/// The window has painted the profiles: with OMLINK_TRACE_STARTUP=1, say when.
#[tauri::command]
pub async fn startup_ready(state: State<'_, AppState>) -> Result<()> {
    crate::startup::mark(&state.started, "profiles listed in the window");
    Ok(())
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    id: Option<ProfileId>,
    draft: ProfileDraft,
    private_key: Option<String>,
) -> Result<Profile> {
    let (workbench, key) = (state.workbench.clone(), zeroizing(private_key));
    blocking(move || workbench.save_profile(id.as_ref(), &draft, key.as_deref())).await
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

/// Remembers the profile the window shows (the window's own preference).
#[tauri::command]
pub async fn select_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<()> {
    window::remember_profile(&app, &state.workbench.profiles(), &id)
}

/// Starts the in-process sandbox (once) and returns the profile that uses it.
#[tauri::command]
pub async fn start_sandbox(state: State<'_, AppState>) -> Result<Profile> {
    state.start_sandbox()
}

#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    id: ProfileId,
) -> Result<OrganizationsView> {
    let warnings = state.workbench.warnings(&id).await?;
    Ok(OrganizationsView {
        organizations: state.workbench.list_orgs(&id).await?,
        warnings: warnings.iter().map(ToString::to_string).collect(),
    })
}

/// Links one organization; `cancel_request` with the same request id cancels it.
#[tauri::command]
pub async fn create_migration_link(
    state: State<'_, AppState>,
    request: LinkRequest,
) -> Result<LinkResponse> {
    let (cancelled, _pending) = state.cancellable(&request.request_id);
    let (org, name, source) = (request.org_id, request.org_name, request.source);
    let (result, entry) = state
        .workbench
        .link(&request.profile_id, &org, name, source, cancelled)
        .await;
    result.map(|outcome| LinkResponse { outcome, entry })
}

/// Cancels a pending link; false when it had already finished.
#[tauri::command]
pub async fn cancel_request(state: State<'_, AppState>, request_id: String) -> Result<bool> {
    Ok(state.cancel_request(&request_id))
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
/// there; `None` when they cancelled.
#[tauri::command]
pub async fn export_history<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    org_id: Option<OrgId>,
    format: ExportFormat,
    file_name: String,
) -> Result<Option<String>> {
    let text = state.workbench.export_history(org_id.as_ref(), format);
    let path = window::export_file(&app, file_name, format);
    path.map(|path| window::write_export(&path, &text))
        .transpose()
}

/// Reads the link status of the listed organizations concurrently; each result goes through
/// `on_event` as it arrives, so every row's badge fills in live.
#[tauri::command]
pub async fn status_batch(
    state: State<'_, AppState>,
    request: StatusBatchRequest,
    on_event: Channel<BatchEvent>,
) -> Result<BatchSummary> {
    let (batch, orgs) = (request.batch, request.orgs);
    let options = batches::options(batch.concurrency, false)?;
    let orgs = batches::orgs(orgs)?;
    let (workbench, profile) = (state.workbench.clone(), batch.profile_id);
    let run = |control| async move { workbench.status_of(&profile, orgs, &options, control).await };
    batches::run(&state, &batch.batch_id, on_event, run).await
}

/// Links many organizations (see [`omlink::Workbench::link_batch_sourced`]): every attempt is
/// in the history as it finishes, each result goes through `on_event`, and `cancel_batch`
/// stops it.
#[tauri::command]
pub async fn link_batch(
    state: State<'_, AppState>,
    request: BatchLinkRequest,
    on_event: Channel<BatchEvent>,
) -> Result<BatchSummary> {
    let (batch, items) = (request.batch, request.items);
    let options = batches::options(batch.concurrency, request.force)?;
    let (workbench, profile) = (state.workbench.clone(), batch.profile_id);
    let run = |control| async move {
        workbench
            .link_batch_sourced(&profile, items, &options, control)
            .await
    };
    batches::run(&state, &batch.batch_id, on_event, run).await
}

/// Cancels a running batch; false when it had already finished.
#[tauri::command]
pub async fn cancel_batch(state: State<'_, AppState>, batch_id: String) -> Result<bool> {
    Ok(batches::cancel(&state, &batch_id))
}

#[tauri::command]
pub async fn save_atlas(
    state: State<'_, AppState>,
    id: Option<ProfileId>,
    draft: AtlasDraft,
    secret: Option<String>,
) -> Result<AtlasConnection> {
    let (workbench, value) = (state.workbench.clone(), zeroizing(secret));
    blocking(move || workbench.save_atlas(id.as_ref(), &draft, value.as_deref())).await
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
pub async fn choose_ca_file<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    Ok(window::ca_file(&app))
}

/// Checks one field's text by the core's rules (organization id, link token, access list,
/// server URL), for the window to show as the person types. A token is never sent back.
#[tauri::command]
pub async fn check_field(field: omlink::Field, text: String) -> Result<omlink::FieldCheck> {
    Ok(omlink::check_field(field, &text))
}

/// Reads a pasted or imported link file with the core's parser (the CLI's `link --from`).
#[tauri::command]
pub async fn read_link_file(text: String, source: String) -> Result<LinkFileView> {
    Ok(omlink::parse_link_file(&text, &source).into())
}

/// An Atlas organization's projects and clusters, each with whether it can receive a live
/// migration from a source running `source_version`.
#[tauri::command]
pub async fn migration_destinations(
    state: State<'_, AppState>,
    id: ProfileId,
    atlas_org: OrgId,
    source_version: Option<String>,
) -> Result<Vec<DestinationProject>> {
    state
        .workbench
        .destinations(&id, &atlas_org, source_version)
        .await
}

/// Validates a migration with Atlas and waits for its answer.
#[tauri::command]
pub async fn validate_migration(
    state: State<'_, AppState>,
    id: ProfileId,
    draft: MigrationDraft,
) -> Result<Validation> {
    state.workbench.validate_migration(&id, draft).await
}

/// Validates, starts and records a migration.
#[tauri::command]
pub async fn start_migration(
    state: State<'_, AppState>,
    id: ProfileId,
    draft: MigrationDraft,
) -> Result<MigrationView> {
    state.workbench.start_migration(&id, draft).await
}

/// Every recorded migration, as saved.
#[tauri::command]
pub async fn list_migrations(state: State<'_, AppState>) -> Result<Vec<MigrationView>> {
    let workbench = state.workbench.clone();
    blocking(move || workbench.migrations()).await
}

/// Reads the running migrations again, starts queued rows whose turn has come, and notifies
/// the desktop of what changed.
#[tauri::command]
pub async fn refresh_migrations<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Vec<MigrationView>> {
    let (views, said) = state.workbench.refresh_migrations().await?;
    window::notify(&app, &said);
    Ok(views)
}

/// Cuts a migration over (refused unless Atlas says it is ready).
#[tauri::command]
pub async fn cutover_migration(
    state: State<'_, AppState>,
    migration_id: String,
) -> Result<MigrationView> {
    state.workbench.cutover_migration(&migration_id).await
}
