// History: the attempts, linking one again, deleting and exporting.

import { api } from "../api";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import { exportFileName } from "../lib/history";
import { currentId, historyAll, profiles, selected } from "../state";
import { confirm, fail, loadHistory, notify } from "./common";
import { link } from "./link";
import { selectProfile } from "./profiles";

// Read by every section that changes the history, so it lives in ./common.
export { loadHistory };

/** Links the entry's organization again, with the entry's profile and its saved token. */
export async function reuse(e: HistoryEntry): Promise<void> {
  const profile = profiles.value.find((p) => p.id === e.profileId);
  if (!profile) return;
  if (currentId.value !== profile.id) await selectProfile(profile);
  if (selected.value?.id !== e.orgId) selected.value = { profileId: profile.id, id: e.orgId, name: e.orgName };
  await link({ profileId: profile.id, id: e.orgId, name: e.orgName }, { kind: "reuse", value: e.id });
}

export async function deleteEntry(e: HistoryEntry): Promise<void> {
  if (!(await confirm("Delete this history entry and its token from the keychain?", "Delete entry"))) return;
  try {
    await api.deleteHistoryEntry(e.id);
  } catch (err) {
    fail(err);
  }
  await loadHistory();
}

export async function exportHistory(orgId: string | null, format: ExportFormat): Promise<void> {
  try {
    const path = await api.exportHistory(orgId, format, exportFileName(orgId ?? "", format, new Date()));
    if (path) notify(`History exported to ${path} (without tokens).`);
  } catch (e) {
    fail(e);
  }
}

export const historyScopeAll = (): boolean => historyAll.value || !selected.value;
