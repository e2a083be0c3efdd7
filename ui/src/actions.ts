// Every call to Rust and what its answer or error does to the state. Views call these and
// read signals; nothing else talks to src/api.ts.

import { batch, type Signal } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "./api";
import type { AtlasConnection } from "./bindings/AtlasConnection";
import type { AtlasDraft } from "./bindings/AtlasDraft";
import type { AtlasTarget } from "./bindings/AtlasTarget";
import type { BatchEvent } from "./bindings/BatchEvent";
import type { BatchLinkItem } from "./bindings/BatchLinkItem";
import type { TokenSource } from "./bindings/TokenSource";
import type { BatchSummary } from "./bindings/BatchSummary";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { Profile } from "./bindings/Profile";
import type { ProfileDraft } from "./bindings/ProfileDraft";
import type { ProfileId } from "./bindings/ProfileId";
import { errorBadge, parseTokenCsv, stateOfOutcome, type OrgState } from "./lib/fleet";
import { exportFileName } from "./lib/history";
import { checkAccessList, checkToken } from "./lib/validate";
import {
  accessListText,
  anchor,
  atlasChoices,
  atlasConnections,
  atlasDialogId,
  atlasOf,
  atlasOrgs,
  atlasOrgsOf,
  availableProjects,
  batchAtlasOverrides,
  batchMode,
  batchRun,
  batchTokens,
  checked,
  chosenAtlasOrg,
  confirmation,
  csvProblems,
  current,
  currentId,
  dialog,
  generating,
  generation,
  history,
  historyAll,
  inFlight,
  info,
  notice,
  orgKey,
  orgList,
  orgs,
  preflights,
  profiles,
  reading,
  ready,
  selected,
  setOrgState,
  setOrgStates,
  stateOf,
  storeWarning,
  unusedKeychain,
  type AtlasChoice,
  type Loaded,
} from "./state";

export function notify(text: string, tone: "ok" | "error" = "ok"): void {
  notice.value = { text, tone };
}

const fail = (e: unknown): void => notify(asOmlinkError(e).message, "error");

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

/** Asks for a confirmation in the window's own dialog. */
export function confirm(text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    confirmation.value = { text, yes, resolve };
  });
}

const newId = (): string => globalThis.crypto.randomUUID();

// ── Start and profiles ──────────────────────────────────────────────────────────────────────

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
  } catch (e) {
    fail(e);
  } finally {
    ready.value = true;
  }
}

async function reloadProfiles(): Promise<void> {
  const view = await api.listProfiles();
  batch(() => {
    profiles.value = view.profiles;
    atlasConnections.value = view.atlasConnections;
    storeWarning.value = view.storeWarning;
  });
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

// ── Organizations and their status ──────────────────────────────────────────────────────────

/** Lists the profile's organizations, then reads every one's status concurrently. */
export async function loadOrgs(profileId: ProfileId, readStatus = true): Promise<OmlinkError | null> {
  const previous = orgList.value?.profileId === profileId ? orgList.value : null;
  orgList.value = { profileId, orgs: previous?.orgs ?? null, error: null, loading: true, warnings: previous?.warnings ?? [] };
  try {
    const view = await api.listOrganizations(profileId);
    if (currentId.value !== profileId) return null; // another profile is shown now
    orgList.value = { profileId, orgs: view.organizations, error: null, loading: false, warnings: view.warningTexts };
    if (readStatus) await readAllStatus(profileId);
    return null;
  } catch (e) {
    const error = asOmlinkError(e);
    if (currentId.value === profileId) orgList.value = { profileId, orgs: null, error, loading: false, warnings: [] };
    return error;
  }
}

/** "Test connection": lists the organizations and says how many the key sees. */
export async function testConnection(profileId: ProfileId): Promise<OmlinkError | null> {
  const error = await loadOrgs(profileId);
  const list = orgList.value;
  if (!error && list?.profileId === profileId && list.orgs)
    notify(`Connection works: ${list.orgs.length} organization${list.orgs.length === 1 ? "" : "s"} visible.`);
  return error;
}

/** Reads the status of every listed organization of the profile; badges fill in as answers
 * arrive. A single link in flight keeps its own badge. */
export async function readAllStatus(profileId: ProfileId): Promise<void> {
  const list = orgList.value;
  if (!list || list.profileId !== profileId || !list.orgs || list.orgs.length === 0) return;
  if (reading.value) await api.cancelBatch(reading.value.batchId).catch(() => false);
  const batchId = newId();
  const targets = list.orgs.filter((o) => !inFlight.value.has(orgKey(profileId, o.id)));
  const started = new Map(targets.map((o) => [o.id, generation(orgKey(profileId, o.id))]));
  batch(() => {
    reading.value = { batchId, profileId, done: 0, total: targets.length };
    setOrgStates(
      profileId,
      targets.map((o) => [o.id, { ...(stateOf(profileId, o.id) ?? { checkedAt: null, error: null }), badge: { state: "inProgress", what: "Checking" } }]),
    );
  });
  // The "Checking" badge above bumped each generation once.
  for (const [id, g] of started) started.set(id, g + 1);
  const onEvent = (e: BatchEvent): void => {
    if (reading.value?.batchId === batchId) reading.value = { ...reading.value, done: e.done };
    // A link or unlink answered meanwhile: its result is newer than this read.
    if (generation(orgKey(profileId, e.result.org)) !== started.get(e.result.org)) return;
    setOrgState(profileId, e.result.org, stateOfOutcome(e.result.outcome, new Date()));
  };
  try {
    const summary = await api.statusBatch({ batchId, profileId, orgs: targets, concurrency: null }, onEvent);
    settleUnfinished(profileId, targets.map((o) => o.id), summary, started);
    if (summary.stopped && currentId.value === profileId) notify(`Status reading stopped: ${summary.stopped.message} ${summary.stopped.hint}`, "error");
  } catch (e) {
    const error = asOmlinkError(e);
    settleUnfinished(profileId, targets.map((o) => o.id), null, started, error);
    if (currentId.value === profileId) fail(error);
  } finally {
    if (reading.value?.batchId === batchId) reading.value = null;
  }
}

/** After a batch: each organization's final result (a channel message may still be on its
 * way), and "not checked" for those it never reached. */
function settleUnfinished(
  profileId: ProfileId,
  orgIds: string[],
  summary: BatchSummary | null,
  started: Map<string, number>,
  error: OmlinkError | null = null,
): void {
  const results = new Map(summary?.results.map((r) => [r.org, r.outcome]) ?? []);
  const now = new Date();
  const changes: Array<[string, OrgState]> = [];
  for (const id of orgIds) {
    if (generation(orgKey(profileId, id)) !== started.get(id)) continue;
    const outcome = results.get(id);
    const fallback: OrgState = error
      ? { badge: errorBadge(error), checkedAt: now, error }
      : { badge: { state: "unknown" }, checkedAt: null, error: null };
    changes.push([id, outcome ? stateOfOutcome(outcome, now) : fallback]);
  }
  setOrgStates(profileId, changes);
}

export function selectOrg(id: string, name: string | null): void {
  const profileId = currentId.value;
  if (!profileId) return;
  selected.value = { profileId, id, name };
  // The badge shows the server's word, not a guess: read the status on selection unless the
  // table's read is about to give it.
  const s = stateOf(profileId, id);
  if (!inFlight.value.has(orgKey(profileId, id)) && (!s || s.badge.state === "unknown")) void refreshStatus(profileId, id);
}

export async function refreshStatus(profileId: ProfileId, orgId: string): Promise<void> {
  const key = orgKey(profileId, orgId);
  const previous = stateOf(profileId, orgId);
  setOrgState(profileId, orgId, { badge: { state: "inProgress", what: "Checking" }, checkedAt: previous?.checkedAt ?? null, error: null });
  const started = generation(key);
  let next: OrgState;
  try {
    const outcome = await api.getLinkStatus(profileId, orgId);
    next = { badge: { state: "status", status: outcome.status }, checkedAt: new Date(), error: null };
  } catch (e) {
    const err = asOmlinkError(e);
    next = { badge: errorBadge(err), checkedAt: new Date(), error: err };
  }
  if (generation(key) !== started) return;
  setOrgState(profileId, orgId, next);
}

// ── One organization ────────────────────────────────────────────────────────────────────────

/** Where a link's token comes from (the core's tagged union): pasted, saved with a history
 * entry ("reuse"), or minted now in Atlas (Rust mints it with the profile's Atlas connection;
 * the token never reaches the window). */
export type LinkSource = TokenSource;

/** Links one organization. Resolves to true when it linked (the caller clears its field: the
 * token then lives only in the keychain); on failure the field keeps what was typed. */
export async function link(target: { profileId: ProfileId; id: string; name: string | null }, source: LinkSource): Promise<boolean> {
  const { profileId } = target;
  const key = orgKey(profileId, target.id);
  if (inFlight.value.has(key)) return false; // no double submission
  const requestId = newId();
  const mint = source.kind === "mint" ? source.value : null;
  batch(() => {
    inFlight.value = new Map(inFlight.value).set(key, requestId);
    if (mint) generating.value = new Set(generating.value).add(key);
  });
  let linked = false;
  try {
    const response = await api.createMigrationLink({
      requestId,
      profileId,
      orgId: target.id,
      orgName: target.name,
      source,
    });
    setOrgState(profileId, target.id, { badge: { state: "status", status: response.outcome.status }, checkedAt: new Date(), error: null });
    // Shown at once, even if the history cannot be read again below.
    const entry = response.entry;
    if (entry) history.value = [entry, ...history.value.filter((e) => e.id !== entry.id)];
    linked = true;
  } catch (e) {
    const err = asOmlinkError(e);
    setOrgState(profileId, target.id, { badge: errorBadge(err), checkedAt: new Date(), error: err });
  } finally {
    batch(() => {
      const next = new Map(inFlight.value);
      next.delete(key);
      inFlight.value = next;
      if (mint) {
        const rest = new Set(generating.value);
        rest.delete(key);
        generating.value = rest;
      }
    });
    await loadHistory();
  }
  return linked;
}

/** Generate & link: Rust mints a link token in the Atlas organization (with the profile's Atlas
 * connection) and links the organization with it; the badge, history and notice follow as for
 * a typed token. Resolves to true when it linked. */
export async function generateAndLink(target: { profileId: ProfileId; id: string; name: string | null }, mint: AtlasTarget): Promise<boolean> {
  const linked = await link(target, { kind: "mint", value: mint });
  // Rust remembered the Atlas organization and addresses in the profile, even on failure.
  await reloadProfiles().catch(() => undefined);
  if (linked) {
    const s = stateOf(target.profileId, target.id);
    const status = s?.badge.state === "status" ? (s.badge.status ?? "linked") : "linked";
    notify(`${target.name ?? target.id} linked with a token generated in Atlas organization ${mint.orgName ?? mint.org}: ${status}.`);
    void loadProjects(target.profileId, mint.org, true);
  }
  return linked;
}

export async function cancelLink(profileId: ProfileId, orgId: string): Promise<void> {
  const requestId = inFlight.value.get(orgKey(profileId, orgId));
  if (requestId) await api.cancelRequest(requestId).catch(fail);
}

export async function unlink(target: { profileId: ProfileId; id: string; name: string | null }): Promise<void> {
  const { profileId, id } = target;
  const ok = await confirm(`Remove the Atlas link of ${target.name ?? id}? Migrations from this organization will need a new link.`, "Unlink");
  if (!ok) return;
  try {
    await api.deleteMigrationLink(profileId, id);
    setOrgState(profileId, id, { badge: { state: "status", status: "NO_LINK" }, checkedAt: new Date(), error: null });
    notify(`${target.name ?? id} is no longer linked to Atlas.`);
  } catch (e) {
    // The link is as it was: keep its badge (unless it was a read still running, which this
    // change makes moot), show why the unlink was refused.
    const previous = stateOf(profileId, id);
    const badge = previous && previous.badge.state !== "inProgress" ? previous.badge : { state: "unknown" as const };
    setOrgState(profileId, id, { badge, checkedAt: previous?.checkedAt ?? null, error: asOmlinkError(e) });
  }
}

// ── Atlas ────────────────────────────────────────────────────────────────────────────────────

/** Requests per cache entry: only the newest answer is kept (an older one arriving late, or
 * one for settings changed meanwhile, is dropped). */
const tickets = new Map<string, number>();

function setLoaded<T>(cache: Signal<ReadonlyMap<string, Loaded<T>>>, key: string, entry: Loaded<T> | null): void {
  const next = new Map(cache.value);
  if (entry) next.set(key, entry);
  else next.delete(key);
  cache.value = next;
}

/** Reads a value into a cache unless it is there, loading or failed already (`force` reads
 * again); resolves to the error, or null. */
async function loadInto<T>(
  label: string,
  cache: Signal<ReadonlyMap<string, Loaded<T>>>,
  key: string,
  read: () => Promise<T>,
  force: boolean,
): Promise<OmlinkError | null> {
  const had = cache.value.get(key);
  if (had && !force) return had.error;
  const ticket = `${label}|${key}`;
  const mine = (tickets.get(ticket) ?? 0) + 1;
  tickets.set(ticket, mine);
  setLoaded(cache, key, { value: had?.value ?? null, error: null, loading: true });
  try {
    const value = await read();
    if (tickets.get(ticket) === mine) setLoaded(cache, key, { value, error: null, loading: false });
    return null;
  } catch (e) {
    const error = asOmlinkError(e);
    if (tickets.get(ticket) === mine) setLoaded(cache, key, { value: null, error, loading: false });
    return error;
  }
}

function forget<T>(label: string, cache: Signal<ReadonlyMap<string, Loaded<T>>>, key: string): void {
  const ticket = `${label}|${key}`;
  tickets.set(ticket, (tickets.get(ticket) ?? 0) + 1);
  if (cache.value.has(key)) setLoaded(cache, key, null);
}

export function openAtlasDialog(id: ProfileId | null): void {
  batch(() => {
    atlasDialogId.value = id;
    dialog.value = "atlas";
  });
}

/** Lists the Atlas organizations an Atlas connection sees (once per connection unless forced). */
export const loadAtlasOrgs = (connectionId: ProfileId, force = false): Promise<OmlinkError | null> =>
  loadInto("atlasOrgs", atlasOrgs, connectionId, () => api.listAtlasOrgs(connectionId), force);

/** "Test" in the Atlas dialog: lists its organizations again and says how many it sees. */
export async function testAtlas(connectionId: ProfileId): Promise<OmlinkError | null> {
  const error = await loadAtlasOrgs(connectionId, true);
  const list = atlasOrgs.value.get(connectionId)?.value;
  if (!error && list) notify(`Atlas connection works: ${list.length} Atlas organization${list.length === 1 ? "" : "s"} visible.`);
  return error;
}

/** Saves the Atlas dialog; resolves to the error to show in it, or null. The secret goes to
 * the keychain once and is never read back. */
export async function saveAtlas(id: ProfileId | null, draft: AtlasDraft, secret: string | null): Promise<OmlinkError | null> {
  try {
    const saved = await api.saveAtlas(id, draft, secret);
    // New settings, maybe another account: its organizations are listed again when needed.
    forget("atlasOrgs", atlasOrgs, saved.id);
    await reloadProfiles();
    dialog.value = null;
    notify(`Atlas connection “${saved.name}” saved${saved.hasSecret ? "; its secret is in the keychain" : ""}.`);
    return null;
  } catch (e) {
    return asOmlinkError(e);
  }
}

export async function deleteAtlas(c: AtlasConnection): Promise<void> {
  const users = profiles.value.filter((p) => p.atlas?.connection === c.id).map((p) => `“${p.name}”`);
  const text = `Delete Atlas connection “${c.name}” and its secret from the keychain?${users.length ? ` Profile${users.length === 1 ? "" : "s"} ${users.join(", ")} will no longer generate tokens with it.` : ""}`;
  if (!(await confirm(text, "Delete connection"))) return;
  try {
    await api.deleteAtlas(c.id);
    forget("atlasOrgs", atlasOrgs, c.id);
    dialog.value = null;
    await reloadProfiles();
    notify(`Atlas connection “${c.name}” deleted.`);
  } catch (e) {
    fail(e);
  }
}

/** Remembers, for this session, the Atlas organization or the access list picked for a profile
 * (null: back to the profile's saved ones). */
export function setAtlasChoice(profileId: ProfileId, change: Partial<AtlasChoice> | null): void {
  const next = new Map(atlasChoices.value);
  if (change === null) next.delete(profileId);
  else next.set(profileId, { org: null, accessList: null, ...atlasChoices.value.get(profileId), ...change });
  atlasChoices.value = next;
}

/** What Atlas organization `atlasOrg` can migrate from, through the profile's Atlas connection. */
export const loadProjects = (profileId: ProfileId, atlasOrg: string, force = false): Promise<OmlinkError | null> =>
  loadInto("projects", availableProjects, orgKey(profileId, atlasOrg), () => api.availableProjects(profileId, atlasOrg), force);

/** Per project of an organization: is push live migration supported? A warning, never a block. */
export const loadPreflight = (profileId: ProfileId, orgId: string, force = false): Promise<OmlinkError | null> =>
  loadInto("preflight", preflights, orgKey(profileId, orgId), () => api.preflight(profileId, orgId), force);

/** Revokes the Atlas organization's link token (after asking): the link and its embedded API
 * key go; then the organization's status is read again and the projects forgotten. */
export async function revokeToken(
  org: { profileId: ProfileId; id: string; name: string | null },
  atlasOrg: { id: string; name: string | null },
): Promise<void> {
  const { profileId } = org;
  const atlasName = atlasOrg.name ?? atlasOrg.id;
  const ok = await confirm(
    `Revoke the link token of Atlas organization ${atlasName}? This removes the link and its embedded API key; Ops Manager organizations linked with it lose their link.`,
    "Revoke",
  );
  if (!ok) return;
  try {
    await api.revokeLinkToken(profileId, atlasOrg.id);
    notify(`The link token of Atlas organization ${atlasName} is revoked.`);
  } catch (e) {
    fail(e);
  }
  forget("projects", availableProjects, orgKey(profileId, atlasOrg.id));
  // Every organization linked with that token lost its link: read the table again (or this one
  // organization when it is not in the table).
  const list = orgList.value;
  if (list?.profileId === profileId && list.orgs?.some((o) => o.id === org.id)) await readAllStatus(profileId);
  else if (!inFlight.value.has(orgKey(profileId, org.id))) await refreshStatus(profileId, org.id);
}

// ── History ─────────────────────────────────────────────────────────────────────────────────

export async function loadHistory(): Promise<void> {
  try {
    history.value = await api.listHistory(null);
  } catch (e) {
    fail(e);
  }
}

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

// ── Batches ─────────────────────────────────────────────────────────────────────────────────

export function setBatchToken(orgId: string, token: string): void {
  batchTokens.value = new Map(batchTokens.value).set(orgId, token);
}

/** Applies a pasted or imported CSV: its organizations are checked and get their tokens. The
 * whole text is refused when a row is bad (nothing half-applied); returns whether it applied. */
export function applyCsv(text: string): boolean {
  const { rows, problems } = parseTokenCsv(text);
  if (problems.length > 0) {
    csvProblems.value = problems;
    return false;
  }
  const tokens = new Map(batchTokens.value);
  const ids = new Set(checked.value);
  for (const row of rows) {
    tokens.set(row.org, row.token);
    ids.add(row.org);
  }
  batch(() => {
    csvProblems.value = [];
    batchTokens.value = tokens;
    checked.value = ids;
  });
  notify(`${rows.length} token${rows.length === 1 ? "" : "s"} imported for ${rows.length} organization${rows.length === 1 ? "" : "s"}.`);
  return true;
}

/** The newest attempt of this profile on this organization whose token the keychain holds. */
function savedAttempt(profileId: ProfileId, orgId: string): HistoryEntry | undefined {
  return history.value
    .filter((e) => e.profileId === profileId && e.orgId === orgId && e.hasToken)
    .sort((a, b) => (a.at < b.at ? 1 : -1))[0];
}

/** Whether a checked organization has a token to link with (typed, or saved from an attempt, or
 * generated in Atlas when the batch is in Atlas mode). */
export function tokenSourceOf(profileId: ProfileId, orgId: string): "typed" | "saved" | "atlas" | null {
  if (batchAtlasMode()) return "atlas";
  const typed = batchTokens.value.get(orgId) ?? "";
  // What the person typed wins: a bad token is not quietly replaced by a saved one.
  if (typed !== "") return checkToken(typed).ok ? "typed" : null;
  return savedAttempt(profileId, orgId) ? "saved" : null;
}

/** Whether the batch panel generates its tokens in Atlas (the profile has an Atlas link). */
export function batchAtlasMode(): boolean {
  return batchMode.value === "atlas" && atlasOf(current.value) !== null;
}

/** Each organization's Atlas target in Atlas mode: the row's own Atlas organization, else the
 * batch's; or why there is none. */
export function mintTargets(orgIds: string[]): { targets: Map<string, AtlasTarget> } | { message: string } {
  const p = current.value;
  const list = atlasOrgsOf(p)?.value;
  const chosen = chosenAtlasOrg(p);
  if (!p || !list || !chosen) return { message: "The Atlas organizations are not listed yet: wait for them, or check the Atlas connection." };
  const ips = checkAccessList(accessListText(p));
  if (!ips.ok) return { message: `Access list: ${ips.message}` };
  const targets = new Map<string, AtlasTarget>();
  for (const id of orgIds) {
    const own = batchAtlasOverrides.value.get(id);
    const atlasOrg = list.find((o) => o.id === own) ?? chosen;
    targets.set(id, { org: atlasOrg.id, orgName: atlasOrg.name, accessListIps: ips.value });
  }
  return { targets };
}

export function setRowAtlasOrg(orgId: string, atlasOrg: string | null): void {
  const next = new Map(batchAtlasOverrides.value);
  if (atlasOrg) next.set(orgId, atlasOrg);
  else next.delete(orgId);
  batchAtlasOverrides.value = next;
}

/** Links the checked organizations (or `only`) with their tokens, concurrently. Each row's badge
 * follows the progress; linked rows' tokens leave the window, failed rows keep theirs. In Atlas
 * mode Rust first generates a token per organization (no progress events meanwhile). */
export async function linkChecked(force = false, only: string[] | null = null): Promise<void> {
  const profileId = currentId.value;
  if (!profileId || batchRun.value?.running) return;
  const orgIds = only ?? [...checked.value];
  const names = new Map(orgs.value.map((o) => [o.id, o.name]));
  const minting = batchAtlasMode();
  let items: BatchLinkItem[];
  if (minting) {
    const mint = mintTargets(orgIds);
    if ("message" in mint) {
      notify(mint.message, "error");
      return;
    }
    items = orgIds.map((id) => ({ org: id, name: names.get(id) ?? null, source: { kind: "mint", value: mint.targets.get(id) as AtlasTarget } }));
  } else {
    const missing = orgIds.filter((id) => tokenSourceOf(profileId, id) === null);
    if (missing.length > 0) {
      notify(`${missing.length} selected organization${missing.length === 1 ? " has" : "s have"} no token: paste or import one per row.`, "error");
      return;
    }
    items = orgIds.map((id) => {
      const typed = batchTokens.value.get(id) ?? "";
      const token = checkToken(typed);
      const source: TokenSource = token.ok ? { kind: "paste", value: token.value } : { kind: "reuse", value: savedAttempt(profileId, id)?.id ?? "" };
      return { org: id, name: names.get(id) ?? null, source };
    });
  }
  const batchId = newId();
  const started = new Map(orgIds.map((id) => [id, generation(orgKey(profileId, id)) + 1]));
  const before = new Map(orgIds.map((id) => [id, stateOf(profileId, id)]));
  const what = minting ? "Generating & linking" : "Linking";
  batch(() => {
    batchRun.value = { batchId, profileId, orgIds, done: 0, total: orgIds.length, running: true, cancelled: false, stopped: null, results: new Map(), minting };
    setOrgStates(profileId, orgIds.map((id) => [id, { badge: { state: "inProgress", what }, checkedAt: stateOf(profileId, id)?.checkedAt ?? null, error: null }]));
  });
  const record = (e: BatchEvent): void => {
    const run = batchRun.value;
    if (run?.batchId !== batchId) return;
    batchRun.value = { ...run, done: Math.max(run.done, e.done), results: new Map(run.results).set(e.result.org, e.result.outcome) };
    setOrgState(profileId, e.result.org, stateOfOutcome(e.result.outcome, new Date()));
    if (e.result.outcome.result !== "failed") forgetToken(e.result.org);
  };
  try {
    const summary = await api.linkBatch({ batchId, profileId, items, concurrency: null, force }, record);
    for (const r of summary.results) {
      if (!batchRun.value?.results.has(r.org)) record({ done: batchRun.value?.done ?? 0, total: orgIds.length, result: r });
    }
    settleUnfinished(profileId, orgIds.filter((id) => !summary.results.some((r) => r.org === id)), summary, started);
    const run = batchRun.value;
    if (run?.batchId === batchId)
      batchRun.value = { ...run, done: summary.results.length, running: false, cancelled: summary.cancelled, stopped: summary.stopped };
    const linked = summary.results.length - summary.failed;
    // What the Atlas organizations can migrate from changed: read again when shown.
    if (minting && linked > 0) {
      for (const item of items) if (item.source.kind === "mint") forget("projects", availableProjects, orgKey(profileId, item.source.value.org));
    }
    notify(
      summary.stopped
        ? `The batch stopped: ${summary.stopped.message} Nothing else was sent.`
        : `${linked} of ${orgIds.length} organization${orgIds.length === 1 ? "" : "s"} linked${summary.failed ? `, ${summary.failed} failed` : ""}${summary.cancelled ? " (cancelled)" : ""}.`,
      summary.failed || summary.stopped ? "error" : "ok",
    );
  } catch (e) {
    // Refused as a whole before anything was sent: every row is as it was; the error is said.
    const error = asOmlinkError(e);
    setOrgStates(
      profileId,
      orgIds
        .filter((id) => generation(orgKey(profileId, id)) === started.get(id))
        .map((id) => [id, before.get(id) ?? { badge: { state: "unknown" }, checkedAt: null, error: null }]),
    );
    const run = batchRun.value;
    if (run?.batchId === batchId) batchRun.value = { ...run, running: false, stopped: error };
    fail(error);
  } finally {
    // In Atlas mode Rust remembered the batch's Atlas organization and addresses.
    if (minting) await reloadProfiles().catch(() => undefined);
    await loadHistory();
  }
}

function forgetToken(orgId: string): void {
  if (!batchTokens.value.has(orgId)) return;
  const next = new Map(batchTokens.value);
  next.delete(orgId);
  batchTokens.value = next;
}

export async function cancelBatch(): Promise<void> {
  const run = batchRun.value;
  if (run?.running) await api.cancelBatch(run.batchId).catch(fail);
}

/** The organizations of the last batch that failed (or were never reached). */
export function failedOfLastRun(): string[] {
  const run = batchRun.value;
  if (!run || run.running || run.profileId !== currentId.value) return [];
  return run.orgIds.filter((id) => {
    const r = run.results.get(id);
    return !r || r.result === "failed";
  });
}

export async function retryFailed(): Promise<void> {
  const failed = failedOfLastRun();
  if (failed.length > 0) await linkChecked(false, failed);
}
