// Batches: tokens per checked organization (typed, imported from a CSV, or generated in Atlas),
// one call to link them all, cancel and retry.

import { batch } from "@preact/signals";
import { api, asOmlinkError } from "../api";
import type { AtlasTarget } from "../bindings/AtlasTarget";
import type { BatchEvent } from "../bindings/BatchEvent";
import type { BatchLinkItem } from "../bindings/BatchLinkItem";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { ProfileId } from "../bindings/ProfileId";
import type { TokenSource } from "../bindings/TokenSource";
import { checkField, checkNow } from "../lib/checks";
import { stateOfOutcome } from "../lib/fleet";
import {
  accessListText,
  atlasOf,
  atlasOrgsOf,
  availableProjects,
  batchAtlasOverrides,
  batchMode,
  batchRun,
  batchTokens,
  checked,
  chosenAtlasOrg,
  csvProblems,
  current,
  currentId,
  generation,
  history,
  orgKey,
  orgs,
  setOrgState,
  setOrgStates,
  stateOf,
} from "../state";
import { forget } from "./cache";
import { fail, loadHistory, newId, notify, reloadProfiles, settleUnfinished } from "./common";

export function setBatchToken(orgId: string, token: string): void {
  batchTokens.value = new Map(batchTokens.value).set(orgId, token);
}

/** Applies a pasted or imported link file, read by the core's parser (the CLI's `link --from`):
 * its organizations are checked and get their tokens, or (`atlas_org` rows) their Atlas
 * organization to generate one in. The whole text is refused when a row is bad (nothing
 * half-applied); resolves to whether it applied. */
export async function applyCsv(text: string, source = "The CSV"): Promise<boolean> {
  let read;
  try {
    read = await api.readLinkFile(text, source);
  } catch (e) {
    fail(e);
    return false;
  }
  if (read.state === "refused") {
    csvProblems.value = read.problems.length > 0 ? read.problems : [`${read.error.message}. ${read.error.hint}`];
    return false;
  }
  const minted = read.rows.filter((r) => r.atlasOrg !== null);
  if (minted.length > 0 && atlasOf(current.value) === null) {
    csvProblems.value = [`${minted.length} row${minted.length === 1 ? " names" : "s name"} an atlas_org: give this profile an Atlas connection first, or give each row a token.`];
    return false;
  }
  const tokens = new Map(batchTokens.value);
  const overrides = new Map(batchAtlasOverrides.value);
  const ids = new Set(checked.value);
  for (const row of read.rows) {
    if (row.token !== null) tokens.set(row.org, row.token);
    if (row.atlasOrg !== null) overrides.set(row.org, row.atlasOrg);
    ids.add(row.org);
  }
  const n = read.rows.length;
  batch(() => {
    csvProblems.value = [];
    batchTokens.value = tokens;
    batchAtlasOverrides.value = overrides;
    checked.value = ids;
    if (minted.length > 0) batchMode.value = "atlas";
  });
  const what = minted.length === n ? "Atlas organization" : minted.length === 0 ? "token" : "token or Atlas organization";
  notify(`${n} ${what}${n === 1 ? "" : "s"} imported for ${n} organization${n === 1 ? "" : "s"}.`);
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
  if (typed !== "") return checkNow("linkToken", typed)?.ok ? "typed" : null;
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
  const ips = checkNow("accessList", accessListText(p));
  if (!ips) return { message: "Checking the access list…" };
  if (!ips.ok) return { message: `Access list: ${ips.message}` };
  const targets = new Map<string, AtlasTarget>();
  for (const id of orgIds) {
    const own = batchAtlasOverrides.value.get(id);
    const atlasOrg = list.find((o) => o.id === own) ?? chosen;
    targets.set(id, { org: atlasOrg.id, orgName: atlasOrg.name, accessListIps: ips.values });
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
  if (!profileId || batchRun.value?.running || preparing) return;
  preparing = true;
  try {
    await linkPrepared(profileId, force, only);
  } finally {
    preparing = false;
  }
}

/** Set while a batch's tokens are checked, before it shows as running: a second click waits. */
let preparing = false;

async function linkPrepared(profileId: ProfileId, force: boolean, only: string[] | null): Promise<void> {
  const orgIds = only ?? [...checked.value];
  const names = new Map(orgs.value.map((o) => [o.id, o.name]));
  const minting = batchAtlasMode();
  let items: BatchLinkItem[];
  if (minting) {
    const p = current.value;
    if (p) await checkField("accessList", accessListText(p));
    const mint = mintTargets(orgIds);
    if ("message" in mint) {
      notify(mint.message, "error");
      return;
    }
    items = orgIds.map((id) => ({ org: id, name: names.get(id) ?? null, source: { kind: "mint", value: mint.targets.get(id) as AtlasTarget } }));
  } else {
    // Each typed token is known to the core's check before its row's source is decided.
    await Promise.all(orgIds.map((id) => batchTokens.value.get(id) ?? "").filter((t) => t !== "").map((t) => checkField("linkToken", t)));
    const missing = orgIds.filter((id) => tokenSourceOf(profileId, id) === null);
    if (missing.length > 0) {
      notify(`${missing.length} selected organization${missing.length === 1 ? " has" : "s have"} no token: paste or import one per row.`, "error");
      return;
    }
    items = orgIds.map((id) => {
      const typed = batchTokens.value.get(id) ?? "";
      const source: TokenSource = typed !== "" ? { kind: "paste", value: typed } : { kind: "reuse", value: savedAttempt(profileId, id)?.id ?? "" };
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
