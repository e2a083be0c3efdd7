// The pieces every section of the actions uses: the notice, the confirmation, request ids, and
// the reads that several sections repeat (the profiles, the history, a batch's last results).

import { batch } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "../api";
import type { BatchSummary } from "../bindings/BatchSummary";
import type { ProfileId } from "../bindings/ProfileId";
import { errorBadge, stateOfOutcome, type OrgState } from "../lib/fleet";
import { atlasConnections, confirmation, generation, history, notice, orgKey, profiles, setOrgStates, storeWarning } from "../state";

export function notify(text: string, tone: "ok" | "error" = "ok"): void {
  notice.value = { text, tone };
}

/** Says an error in the notice. */
export const fail = (e: unknown): void => notify(asOmlinkError(e).message, "error");

/** Asks for a confirmation in the window's own dialog. */
export function confirm(text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    confirmation.value = { text, yes, resolve };
  });
}

/** A request or batch id, for cancelling it and matching its answers. */
export const newId = (): string => globalThis.crypto.randomUUID();

/** Lists the profiles and the Atlas connections again (after a save, a delete, a mint). */
export async function reloadProfiles(): Promise<void> {
  const view = await api.listProfiles();
  batch(() => {
    profiles.value = view.profiles;
    atlasConnections.value = view.atlasConnections;
    storeWarning.value = view.storeWarning;
  });
}

/** Reads the whole history again (the History section's list; every link changes it). */
export async function loadHistory(): Promise<void> {
  try {
    history.value = await api.listHistory(null);
  } catch (e) {
    fail(e);
  }
}

/** After a batch: each organization's final result (a channel message may still be on its
 * way), and "not checked" for those it never reached. */
export function settleUnfinished(
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
