// Batches: one call to link the checked organizations with their tokens (see batchRows),
// cancel and retry.

import { batch } from "@preact/signals";
import { api, asOmlinkError } from "../api";
import type { AtlasTarget } from "../bindings/AtlasTarget";
import type { BatchEvent } from "../bindings/BatchEvent";
import type { BatchLinkItem } from "../bindings/BatchLinkItem";
import type { ProfileId } from "../bindings/ProfileId";
import type { TokenSource } from "../bindings/TokenSource";
import { checkField } from "../lib/checks";
import { stateOfOutcome } from "../lib/fleet";
import {
  accessListText,
  availableProjects,
  batchRun,
  batchTokens,
  checked,
  current,
  currentId,
  generation,
  orgKey,
  orgs,
  setOrgState,
  setOrgStates,
  stateOf,
} from "../state";
import { batchAtlasMode, mintTargets, savedAttempt, tokenSourceOf } from "./batchRows";
import { forget } from "./cache";
import { fail, loadHistory, newId, notify, reloadProfiles, settleUnfinished } from "./common";

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
