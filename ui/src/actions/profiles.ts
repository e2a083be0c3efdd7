// Start and profiles: the start path, the keychain upkeep, and a profile's settings.

import { batch } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "../api";
import type { Profile } from "../bindings/Profile";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { ProfileId } from "../bindings/ProfileId";
import {
  anchor,
  atlasConnections,
  batchAtlasOverrides,
  batchMode,
  batchTokens,
  checked,
  csvProblems,
  currentId,
  dialog,
  info,
  notice,
  orgList,
  profiles,
  ready,
  selected,
  storeWarning,
  unusedKeychain,
} from "../state";
import { setAtlasChoice } from "./atlas";
import { confirm, fail, loadHistory, notify, reloadProfiles } from "./common";
import { loadMigrations } from "./migrations";
import { loadOrgs } from "./orgs";

/** Resolves after the browser has painted what the signals hold now. */
const nextPaint = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") resolve();
    else requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
  });

/** The start path lists the profiles and paints them; the keychain (app info, the sweep), the
 * network and the sandbox come after that first paint. */
export async function start(): Promise<void> {
  try {
    const view = await api.listProfiles();
    const last = view.profiles.find((p) => p.id === view.lastUsed) ?? view.profiles[0];
    batch(() => {
      profiles.value = view.profiles;
      atlasConnections.value = view.atlasConnections;
      storeWarning.value = view.storeWarning;
      if (last) currentId.value = last.id;
    });
    await nextPaint();
    void api.startupReady().catch(() => undefined);
    const sweep = async () => {
      const notices = await api.storeNotices((text) => {
        storeWarning.value = storeWarning.value ? `${storeWarning.value} ${text}` : text;
      });
      if (notices) storeWarning.value = notices;
      info.value = await api.appInfo();
      const upkeep = await api.sweepKeychain();
      unusedKeychain.value = upkeep.prunable ? upkeep.unused : [];
      if (upkeep.notice) notify(upkeep.notice);
    };
    await Promise.all([sweep(), last ? selectProfile(last) : loadHistory()]);
    void loadMigrations();
  } catch (e) {
    fail(e);
  } finally {
    ready.value = true;
  }
}

/** "Remove unused keychain entries": after a confirmation, removes the omlink entries that no
 * saved profile, Atlas connection or history entry uses. */
export async function pruneKeychain(): Promise<void> {
  const n = unusedKeychain.value.length;
  const text = `Remove ${n} omlink keychain ${n === 1 ? "entry" : "entries"} that no saved profile, Atlas connection or history entry uses? A key removed cannot be brought back.`;
  if (!(await confirm(text, "Remove entries"))) return;
  try {
    const done = await api.pruneKeychain();
    unusedKeychain.value = [];
    notify(done.notice ?? "Removed.");
  } catch (e) {
    fail(e);
  }
}

/** Shows a profile: its organizations, every one's status, and the history. */
export async function selectProfile(p: Profile): Promise<void> {
  batch(() => {
    currentId.value = p.id;
    selected.value = null;
    checked.value = new Set();
    anchor.value = null;
    csvProblems.value = [];
    // Tokens typed for one profile's organizations are never sent with another's key.
    batchTokens.value = new Map();
    batchMode.value = "tokens";
    batchAtlasOverrides.value = new Map();
    notice.value = null;
  });
  try {
    if (p.sandbox) await api.startSandbox();
    await api.selectProfile(p.id);
  } catch (e) {
    fail(e);
  }
  await Promise.all([loadOrgs(p.id), loadHistory()]);
}

export async function trySandbox(): Promise<void> {
  try {
    const profile = await api.startSandbox();
    await reloadProfiles();
    await selectProfile(profiles.value.find((p) => p.id === profile.id) ?? profile);
  } catch (e) {
    fail(e);
  }
}

/** Saves the settings dialog; resolves to the error to show in the dialog, or null. What was
 * typed stays in the dialog on failure. */
export async function saveProfile(id: ProfileId | null, draft: ProfileDraft, privateKey: string | null): Promise<OmlinkError | null> {
  try {
    const saved = await api.saveProfile(id, draft, privateKey);
    // The saved Atlas organization and addresses now come first again.
    setAtlasChoice(saved.id, null);
    await reloadProfiles();
    dialog.value = null;
    const shown = selectProfile(profiles.value.find((x) => x.id === saved.id) ?? saved);
    notify(`Profile “${saved.name}” saved${saved.hasPrivateKey ? "; its private key is in the keychain" : ""}.`);
    await shown;
    return null;
  } catch (e) {
    return asOmlinkError(e);
  }
}

export async function duplicateProfile(id: ProfileId): Promise<void> {
  try {
    const copy = await api.duplicateProfile(id);
    await reloadProfiles();
    dialog.value = null;
    await selectProfile(profiles.value.find((x) => x.id === copy.id) ?? copy);
  } catch (e) {
    fail(e);
  }
}

export async function deleteProfile(p: Profile): Promise<void> {
  if (!(await confirm(`Delete profile “${p.name}” and its private key from the keychain?`, "Delete profile"))) return;
  try {
    await api.deleteProfile(p.id);
    batch(() => {
      dialog.value = null;
      if (currentId.value === p.id) {
        currentId.value = null;
        orgList.value = null;
        selected.value = null;
      }
    });
    await reloadProfiles();
    notify(`Profile “${p.name}” deleted.`);
  } catch (e) {
    fail(e);
  }
}

export async function chooseCaFile(): Promise<string | null> {
  return api.chooseCaFile();
}
