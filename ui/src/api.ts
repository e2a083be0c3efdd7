// The only file that talks to Rust: one typed function per command. Types come from
// src/bindings, generated from the Rust types by ts-rs.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { AtlasConnection } from "./bindings/AtlasConnection";
import type { AtlasDraft } from "./bindings/AtlasDraft";
import type { AvailableProject } from "./bindings/AvailableProject";
import type { Organization } from "./bindings/Organization";
import type { ProjectCheck } from "./bindings/ProjectCheck";
import type { BatchEvent } from "./bindings/BatchEvent";
import type { BatchLinkRequest } from "./bindings/BatchLinkRequest";
import type { BatchSummary } from "./bindings/BatchSummary";
import type { HistoryId } from "./bindings/HistoryId";
import type { KeychainUpkeep } from "./bindings/KeychainUpkeep";
import type { OrgId } from "./bindings/OrgId";
import type { StatusBatchRequest } from "./bindings/StatusBatchRequest";
import type { Error as OmlinkError } from "./bindings/Error";
import type { Field } from "./bindings/Field";
import type { FieldCheck } from "./bindings/FieldCheck";
import type { LinkFileView } from "./bindings/LinkFileView";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { LinkOutcome } from "./bindings/LinkOutcome";
import type { LinkRequest } from "./bindings/LinkRequest";
import type { LinkResponse } from "./bindings/LinkResponse";
import type { OrganizationsView } from "./bindings/OrganizationsView";
import type { Profile } from "./bindings/Profile";
import type { ProfileDraft } from "./bindings/ProfileDraft";
import type { ProfileId } from "./bindings/ProfileId";
import type { ProfilesView } from "./bindings/ProfilesView";
import type { DestinationProject } from "./bindings/DestinationProject";
import type { MigrationDraft } from "./bindings/MigrationDraft";
import type { MigrationView } from "./bindings/MigrationView";
import type { Validation } from "./bindings/Validation";

export type { OmlinkError };

/** Every command rejects with the core's serialized error; anything else is wrapped as one. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asOmlinkError(e);
  }
}

export function asOmlinkError(e: unknown): OmlinkError {
  if (typeof e === "object" && e !== null && "kind" in e && "message" in e) return e as OmlinkError;
  const text = String(e);
  // Tauri refuses arguments that do not parse into the core's types (an OrgId, a LinkToken)
  // before the command runs; the core's own message follows the colon and never holds a token.
  const invalid = /^invalid args `[^`]*` for command `[^`]*`: (.*)$/s.exec(text);
  return {
    kind: "InvalidInput",
    message: invalid ? (invalid[1] ?? text) : text,
    httpStatus: null,
    errorCode: null,
    detail: null,
    parameters: [],
    hint: invalid ? "Correct the value and try again." : "This is unexpected; please report it.",
    retryAfterSecs: null,
  };
}

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listProfiles: () => call<ProfilesView>("list_profiles"),
  /** Once per start, after the first paint: the keychain upkeep (nothing is removed because a
   * damaged store does not name it); what to say, and the unused entries left in place. */
  sweepKeychain: () => call<KeychainUpkeep>("sweep_keychain"),
  /** Removes, on purpose, the omlink keychain entries nothing saved uses. */
  pruneKeychain: () => call<KeychainUpkeep>("prune_keychain"),
  /** What was said about the store file so far; later notices (a set-aside after start-up)
   * arrive on `onNotice` as they happen. */
  storeNotices: (onNotice: (text: string) => void) =>
    call<string | null>("store_notices", { onNotice: channel(onNotice) }),
  /** The window has painted the profiles (measured with OMLINK_TRACE_STARTUP=1). */
  startupReady: () => call<void>("startup_ready"),
  saveProfile: (id: ProfileId | null, draft: ProfileDraft, privateKey: string | null) =>
    call<Profile>("save_profile", { id, draft, privateKey }),
  duplicateProfile: (id: ProfileId) => call<Profile>("duplicate_profile", { id }),
  deleteProfile: (id: ProfileId) => call<void>("delete_profile", { id }),
  selectProfile: (id: ProfileId) => call<void>("select_profile", { id }),
  startSandbox: () => call<Profile>("start_sandbox"),
  listOrganizations: (id: ProfileId) => call<OrganizationsView>("list_organizations", { id }),
  createMigrationLink: (request: LinkRequest) => call<LinkResponse>("create_migration_link", { request }),
  cancelRequest: (requestId: string) => call<boolean>("cancel_request", { requestId }),
  getLinkStatus: (id: ProfileId, orgId: OrgId) => call<LinkOutcome>("get_link_status", { id, orgId }),
  deleteMigrationLink: (id: ProfileId, orgId: OrgId) => call<void>("delete_migration_link", { id, orgId }),
  listHistory: (orgId: OrgId | null) => call<HistoryEntry[]>("list_history", { orgId }),
  deleteHistoryEntry: (entryId: HistoryId) => call<void>("delete_history_entry", { entryId }),
  /** Rust shows the save dialog and writes the file; resolves to its path, or null if cancelled. */
  exportHistory: (orgId: OrgId | null, format: ExportFormat, fileName: string) =>
    call<string | null>("export_history", { orgId, format, fileName }),
  /** Reads the given organizations' link status; each result arrives through `onEvent`. */
  statusBatch: (request: StatusBatchRequest, onEvent: (e: BatchEvent) => void) =>
    call<BatchSummary>("status_batch", { request, onEvent: channel(onEvent) }),
  /** Links many organizations; each result arrives through `onEvent` as it finishes. */
  linkBatch: (request: BatchLinkRequest, onEvent: (e: BatchEvent) => void) =>
    call<BatchSummary>("link_batch", { request, onEvent: channel(onEvent) }),
  cancelBatch: (batchId: string) => call<boolean>("cancel_batch", { batchId }),
  /** Creates (id null) or edits an Atlas connection; a non-empty secret goes to the keychain. */
  saveAtlas: (id: ProfileId | null, draft: AtlasDraft, secret: string | null) =>
    call<AtlasConnection>("save_atlas", { id, draft, secret }),
  deleteAtlas: (id: ProfileId) => call<void>("delete_atlas", { id }),
  /** The Atlas organizations an Atlas connection (by its id) can see, sorted by name. */
  listAtlasOrgs: (id: ProfileId) => call<Organization[]>("list_atlas_orgs", { id }),
  /** What Atlas organization `atlasOrg` can migrate from, through profile `id`'s Atlas connection. */
  availableProjects: (id: ProfileId, atlasOrg: OrgId) => call<AvailableProject[]>("available_projects", { id, atlasOrg }),
  /** Deletes the Atlas organization's link token: the link and its embedded API key go with it. */
  revokeLinkToken: (id: ProfileId, atlasOrg: OrgId) => call<void>("revoke_link_token", { id, atlasOrg }),
  /** Per project of an Ops Manager organization: is push live migration supported? */
  preflight: (id: ProfileId, orgId: OrgId) => call<ProjectCheck[]>("preflight", { id, orgId }),
  /** Rust shows the open dialog; resolves to the chosen path, or null. */
  chooseCaFile: () => call<string | null>("choose_ca_file"),
  /** The core's verdict on one field's text (a token is only ever shown masked). */
  checkField: (field: Field, text: string) => call<FieldCheck>("check_field", { field, text }),
  /** A pasted or imported link file, read by the core's parser (the CLI's `link --from`). */
  readLinkFile: (text: string, source: string) => call<LinkFileView>("read_link_file", { text, source }),
  /** An Atlas organization's projects and clusters, each checked against the source's version. */
  migrationDestinations: (id: ProfileId, atlasOrg: OrgId, sourceVersion: string | null) =>
    call<DestinationProject[]>("migration_destinations", { id, atlasOrg, sourceVersion }),
  /** Validates a migration with Atlas and waits for the answer (the password goes to Atlas only). */
  validateMigration: (id: ProfileId, draft: MigrationDraft) => call<Validation>("validate_migration", { id, draft }),
  /** Validates, starts and records a migration. */
  startMigration: (id: ProfileId, draft: MigrationDraft) => call<MigrationView>("start_migration", { id, draft }),
  /** Every recorded migration, as saved. */
  listMigrations: () => call<MigrationView[]>("list_migrations"),
  /** Reads the running migrations again (and starts queued ones whose turn has come). */
  refreshMigrations: () => call<MigrationView[]>("refresh_migrations"),
  /** Cuts a migration over; refused unless Atlas says it is ready. */
  cutoverMigration: (migrationId: string) => call<MigrationView>("cutover_migration", { migrationId }),
};
