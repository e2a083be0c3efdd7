// One organization: link (with a pasted, saved or generated token), cancel, unlink.

import { batch } from "@preact/signals";
import { api, asOmlinkError } from "../api";
import type { AtlasTarget } from "../bindings/AtlasTarget";
import type { ProfileId } from "../bindings/ProfileId";
import type { TokenSource } from "../bindings/TokenSource";
import { errorBadge } from "../lib/fleet";
import { generating, history, inFlight, orgKey, setOrgState, stateOf } from "../state";
import { loadProjects } from "./atlas";
import { confirm, fail, loadHistory, newId, notify, reloadProfiles } from "./common";

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
