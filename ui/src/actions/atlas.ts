// Atlas: the Atlas connections, the Atlas organizations they see, what those can migrate, the
// preflight, and the link token's revocation.

import { batch } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "../api";
import type { AtlasConnection } from "../bindings/AtlasConnection";
import type { AtlasDraft } from "../bindings/AtlasDraft";
import type { ProfileId } from "../bindings/ProfileId";
import { atlasChoices, atlasDialogId, atlasOrgs, availableProjects, dialog, inFlight, orgKey, orgList, preflights, profiles, type AtlasChoice } from "../state";
import { forget, loadInto } from "./cache";
import { confirm, fail, notify, reloadProfiles } from "./common";
import { readAllStatus, refreshStatus } from "./orgs";

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
