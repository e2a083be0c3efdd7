// The only file that talks to Rust: one typed function per command. Types come from
// src/bindings, generated from the Rust types by ts-rs.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { Error as OmlinkError } from "./bindings/Error";
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
  return {
    kind: "InvalidInput",
    message: String(e),
    httpStatus: null,
    errorCode: null,
    detail: null,
    parameters: [],
    hint: "This is unexpected; please report it.",
    retryAfterSecs: null,
  };
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listProfiles: () => call<ProfilesView>("list_profiles"),
  saveProfile: (id: ProfileId | null, draft: ProfileDraft, privateKey: string | null) =>
    call<Profile>("save_profile", { id, draft, privateKey }),
  duplicateProfile: (id: ProfileId) => call<Profile>("duplicate_profile", { id }),
  deleteProfile: (id: ProfileId) => call<void>("delete_profile", { id }),
  selectProfile: (id: ProfileId) => call<void>("select_profile", { id }),
  startSandbox: () => call<Profile>("start_sandbox"),
  testConnection: (id: ProfileId) => call<OrganizationsView>("test_connection", { id }),
  listOrganizations: (id: ProfileId) => call<OrganizationsView>("list_organizations", { id }),
  createMigrationLink: (request: LinkRequest) => call<LinkResponse>("create_migration_link", { request }),
  cancelRequest: (requestId: string) => call<boolean>("cancel_request", { requestId }),
  getLinkStatus: (id: ProfileId, orgId: string) => call<LinkOutcome>("get_link_status", { id, orgId }),
  deleteMigrationLink: (id: ProfileId, orgId: string) => call<void>("delete_migration_link", { id, orgId }),
  listHistory: (orgId: string | null) => call<HistoryEntry[]>("list_history", { orgId }),
  deleteHistoryEntry: (entryId: string) => call<void>("delete_history_entry", { entryId }),
  /** Rust shows the save dialog and writes the file; resolves to its path, or null if cancelled. */
  exportHistory: (orgId: string | null, format: ExportFormat, fileName: string) =>
    call<string | null>("export_history", { orgId, format, fileName }),
  /** Rust shows the open dialog; resolves to the chosen path, or null. */
  chooseCaFile: () => call<string | null>("choose_ca_file"),
};
