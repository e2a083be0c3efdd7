// The window's state, in signals. Everything that belongs to an organization is keyed by its
// profile too (`orgKey`), with the profile captured before any await, so a late answer is
// filed under the profile it belongs to, never under the one shown now.

import { computed, signal } from "@preact/signals";
import type { AppInfo } from "./bindings/AppInfo";
import type { Error as OmlinkError } from "./bindings/Error";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { Organization } from "./bindings/Organization";
import type { OrgOutcome } from "./bindings/OrgOutcome";
import type { Profile } from "./bindings/Profile";
import type { ProfileId } from "./bindings/ProfileId";
import type { Filter, OrgState, Sort } from "./lib/fleet";

export const orgKey = (profileId: ProfileId, orgId: string): string => `${profileId}:${orgId}`;

export const info = signal<AppInfo | null>(null);
/** Set once the start-up calls (app info, profiles, the keychain sweep) have answered. */
export const ready = signal(false);
export const profiles = signal<Profile[]>([]);
export const currentId = signal<ProfileId | null>(null);
export const current = computed<Profile | null>(() => profiles.value.find((p) => p.id === currentId.value) ?? null);
export const storeWarning = signal<string | null>(null);
export const notice = signal<{ text: string; tone: "ok" | "error" } | null>(null);

/** The organizations of one profile, as last listed. */
export interface OrgList {
  profileId: ProfileId;
  orgs: Organization[] | null;
  error: OmlinkError | null;
  loading: boolean;
  warnings: string[];
}
export const orgList = signal<OrgList | null>(null);
/** Organizations of the profile shown (empty while none are listed). */
export const orgs = computed<Organization[]>(() => {
  const list = orgList.value;
  return list && list.profileId === currentId.value ? (list.orgs ?? []) : [];
});

/** Every organization's state, by `orgKey`. */
export const orgStates = signal<ReadonlyMap<string, OrgState>>(new Map());
/** Bumped by every change of an organization's state: a slow status answer cannot overwrite a
 * newer link result. */
const generations = new Map<string, number>();
export const generation = (key: string): number => generations.get(key) ?? 0;

export function setOrgStates(profileId: ProfileId, changes: Array<[string, OrgState]>): void {
  if (changes.length === 0) return;
  const next = new Map(orgStates.value);
  for (const [orgId, s] of changes) {
    const key = orgKey(profileId, orgId);
    generations.set(key, generation(key) + 1);
    next.set(key, s);
  }
  orgStates.value = next;
}
export const setOrgState = (profileId: ProfileId, orgId: string, s: OrgState): void => setOrgStates(profileId, [[orgId, s]]);
export const stateOf = (profileId: ProfileId | null, orgId: string): OrgState | undefined =>
  profileId === null ? undefined : orgStates.value.get(orgKey(profileId, orgId));

/** Single links in flight: request id by `orgKey`. */
export const inFlight = signal<ReadonlyMap<string, string>>(new Map());

/** The organization in the side panel. */
export const selected = signal<{ profileId: ProfileId; id: string; name: string | null } | null>(null);

// The table.
export const query = signal("");
export const filter = signal<Filter>("all");
export const sort = signal<Sort>({ by: "name", descending: false });
/** Checked rows (organization ids of the profile shown) and the shift-click anchor. */
export const checked = signal<ReadonlySet<string>>(new Set());
export const anchor = signal<string | null>(null);
/** A status read of the whole table in progress. */
export const reading = signal<{ batchId: string; profileId: ProfileId; done: number; total: number } | null>(null);

// The batch panel.
/** Tokens typed, pasted or imported per organization (until linked: then they leave). */
export const batchTokens = signal<ReadonlyMap<string, string>>(new Map());
export interface BatchRun {
  batchId: string;
  profileId: ProfileId;
  orgIds: string[];
  done: number;
  total: number;
  running: boolean;
  cancelled: boolean;
  stopped: OmlinkError | null;
  results: ReadonlyMap<string, OrgOutcome>;
}
export const batchRun = signal<BatchRun | null>(null);
export const csvProblems = signal<Array<{ line: number; message: string }>>([]);

// History.
export const history = signal<HistoryEntry[]>([]);
export const historyAll = signal(false);
export const historyQuery = signal("");

// Dialogs: one at a time besides the confirmation.
export type DialogName = "newProfile" | "settings" | "about" | null;
export const dialog = signal<DialogName>(null);
export const confirmation = signal<{ text: string; yes: string; resolve: (ok: boolean) => void } | null>(null);
