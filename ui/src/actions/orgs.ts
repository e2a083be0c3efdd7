// Organizations and their status: the profile's list, and every one's link status.

import { batch } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "../api";
import type { BatchEvent } from "../bindings/BatchEvent";
import type { ProfileId } from "../bindings/ProfileId";
import { errorBadge, stateOfOutcome, type OrgState } from "../lib/fleet";
import { currentId, generation, inFlight, orgKey, orgList, reading, selected, setOrgState, setOrgStates, stateOf } from "../state";
import { fail, newId, notify, settleUnfinished } from "./common";

/** Lists the profile's organizations, then reads every one's status concurrently. */
export async function loadOrgs(profileId: ProfileId, readStatus = true): Promise<OmlinkError | null> {
  const previous = orgList.value?.profileId === profileId ? orgList.value : null;
  orgList.value = { profileId, orgs: previous?.orgs ?? null, error: null, loading: true, warnings: previous?.warnings ?? [] };
  try {
    const view = await api.listOrganizations(profileId);
    if (currentId.value !== profileId) return null; // another profile is shown now
    orgList.value = { profileId, orgs: view.organizations, error: null, loading: false, warnings: view.warnings };
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
