// The window's state, in signals. Everything that belongs to an organization is keyed by its
// profile too (`orgKey`), with the profile captured before any await, so a late answer is
// filed under the profile it belongs to, never under the one shown now.

import { computed, signal } from "@preact/signals";
import type { AppInfo } from "./bindings/AppInfo";
import type { AtlasConnection } from "./bindings/AtlasConnection";
import type { AtlasLink } from "./bindings/AtlasLink";
import type { AvailableProject } from "./bindings/AvailableProject";
import type { Deployment } from "./bindings/Deployment";
import type { MigrationView } from "./bindings/MigrationView";
import type { OrgId } from "./bindings/OrgId";
import type { Error as OmlinkError } from "./bindings/Error";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { Organization } from "./bindings/Organization";
import type { OrgOutcome } from "./bindings/OrgOutcome";
import type { Profile } from "./bindings/Profile";
import type { ProfileId } from "./bindings/ProfileId";
import type { ProjectCheck } from "./bindings/ProjectCheck";
import type { Filter, OrgState, Sort } from "./lib/fleet";

export const orgKey = (profileId: ProfileId, orgId: string): string => `${profileId}:${orgId}`;

export const info = signal<AppInfo | null>(null);
/** Set once the start-up calls (app info, profiles, the keychain sweep) have answered. */
export const ready = signal(false);
export const profiles = signal<Profile[]>([]);
/** The saved Atlas connections (never with their secrets), as last listed with the profiles. */
export const atlasConnections = signal<AtlasConnection[]>([]);
export const currentId = signal<ProfileId | null>(null);
export const current = computed<Profile | null>(() => profiles.value.find((p) => p.id === currentId.value) ?? null);
export const storeWarning = signal<string | null>(null);
/** The omlink keychain entries nothing saved uses, when they may be removed on purpose. */
export const unusedKeychain = signal<string[]>([]);
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

/** Generate & link requests in flight, by `orgKey` (a subset of `inFlight`). */
export const generating = signal<ReadonlySet<string>>(new Set());

/** Something read from a server: the value once answered, or why not. */
export interface Loaded<T> {
  value: T | null;
  error: OmlinkError | null;
  loading: boolean;
}
/** The Atlas organizations each Atlas connection sees, by connection id. */
export const atlasOrgs = signal<ReadonlyMap<string, Loaded<Organization[]>>>(new Map());
/** What each Atlas organization can migrate from, by `orgKey(profileId, atlasOrgId)`. */
export const availableProjects = signal<ReadonlyMap<string, Loaded<AvailableProject[]>>>(new Map());
/** Each organization's preflight (push live migration support per project), by `orgKey`. */
export const preflights = signal<ReadonlyMap<string, Loaded<ProjectCheck[]>>>(new Map());
/** What the person picked this session for minting, per profile: the Atlas organization and the
 * access list as typed (null: the profile's saved default). */
export interface AtlasChoice {
  org: string | null;
  accessList: string | null;
}
export const atlasChoices = signal<ReadonlyMap<ProfileId, AtlasChoice>>(new Map());

/** The profile's Atlas link and its connection, when both exist. */
export function atlasOf(p: Profile | null): { link: AtlasLink; connection: AtlasConnection } | null {
  const link = p?.atlas;
  if (!link) return null;
  const connection = atlasConnections.value.find((c) => c.id === link.connection);
  return connection ? { link, connection } : null;
}
/** The Atlas organizations the profile's Atlas connection sees, once listed. */
export function atlasOrgsOf(p: Profile | null): Loaded<Organization[]> | null {
  const a = atlasOf(p);
  return a ? (atlasOrgs.value.get(a.connection.id) ?? null) : null;
}
/** The Atlas organization to mint in for this profile: the one picked this session, else the
 * profile's saved one, else the first listed (null until the list is in). */
export function chosenAtlasOrg(p: Profile | null): Organization | null {
  const list = atlasOrgsOf(p)?.value;
  if (!p || !list || list.length === 0) return null;
  const picked = atlasChoices.value.get(p.id)?.org ?? null;
  const saved = p.atlas?.org ?? null;
  return list.find((o) => o.id === picked) ?? list.find((o) => o.id === saved) ?? list[0] ?? null;
}
/** The access list as shown for this profile: as typed this session, else as saved. */
export function accessListText(p: Profile | null): string {
  if (!p) return "";
  return atlasChoices.value.get(p.id)?.accessList ?? (p.atlas?.accessListIps ?? []).join(", ");
}

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
  /** The tokens are generated in Atlas first (no progress events meanwhile). */
  minting: boolean;
}
export const batchRun = signal<BatchRun | null>(null);
/** Where the batch's tokens come from: typed/imported, or generated in Atlas. */
export type BatchMode = "tokens" | "atlas";
export const batchMode = signal<BatchMode>("tokens");
/** Per row, an Atlas organization other than the batch's (Atlas mode). */
export const batchAtlasOverrides = signal<ReadonlyMap<string, string>>(new Map());
/** Why the last pasted or imported link file was refused: `line N: …` per bad row, from the core. */
export const csvProblems = signal<string[]>([]);

// History.
export const history = signal<HistoryEntry[]>([]);
export const historyAll = signal(false);
export const historyQuery = signal("");

// Dialogs: one at a time besides the confirmation.
export type DialogName = "newProfile" | "settings" | "about" | "atlas" | "migrate" | null;
export const dialog = signal<DialogName>(null);
/** The Atlas connection the "atlas" dialog edits (null: a new one). */
export const atlasDialogId = signal<ProfileId | null>(null);
export const confirmation = signal<{ text: string; yes: string; resolve: (ok: boolean) => void } | null>(null);

// Migrations.
/** Every recorded migration, as the core last read it. */
export const migrations = signal<MigrationView[]>([]);
/** Why the last refresh of the migrations failed, if it did. */
export const migrationsError = signal<OmlinkError | null>(null);
/** What the middle column shows: the organizations or the migrations. */
export const mainView = signal<"fleet" | "migrations">("fleet");
/** The deployment the Migrate… dialog moves. */
export interface MigrateSource {
  profileId: ProfileId;
  atlasOrg: OrgId;
  atlasOrgName: string;
  sourceOrg: OrgId;
  project: AvailableProject;
  deployment: Deployment;
}
export const migrateSource = signal<MigrateSource | null>(null);
/** The clock the countdowns read, ticking each second. */
export const now = signal(Date.now());
