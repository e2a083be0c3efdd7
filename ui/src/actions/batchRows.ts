// What each checked organization of a batch will link with: a typed or imported token, a
// saved attempt's token, or one generated in Atlas (the row's Atlas organization, else the
// batch's).

import { batch } from "@preact/signals";
import { api } from "../api";
import type { AtlasTarget } from "../bindings/AtlasTarget";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { ProfileId } from "../bindings/ProfileId";
import { checkNow } from "../lib/checks";
import {
  accessListText,
  atlasOf,
  atlasOrgsOf,
  batchAtlasOverrides,
  batchMode,
  batchTokens,
  checked,
  chosenAtlasOrg,
  csvProblems,
  current,
  history,
} from "../state";
import { fail, notify } from "./common";

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
export function savedAttempt(profileId: ProfileId, orgId: string): HistoryEntry | undefined {
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
