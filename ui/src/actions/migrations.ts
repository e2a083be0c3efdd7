// Migrations: the Migrate… dialog's validate and start, the records refreshed while the window
// is open (politely: see lib/migrations), the cutover after a confirmation that says to stop
// writes first. The source password is passed through once and kept nowhere here.

import { batch } from "@preact/signals";
import { api, asOmlinkError, type OmlinkError } from "../api";
import type { MigrationDraft } from "../bindings/MigrationDraft";
import type { MigrationView } from "../bindings/MigrationView";
import type { Validation } from "../bindings/Validation";
import { isLive, nextRefreshMs } from "../lib/migrations";
import { dialog, mainView, migrateSource, migrations, migrationsError, now, type MigrateSource } from "../state";
import { confirm, fail, notify } from "./common";

export function openMigrate(source: MigrateSource): void {
  batch(() => {
    migrateSource.value = source;
    dialog.value = "migrate";
  });
}

export function closeMigrate(): void {
  batch(() => {
    dialog.value = null;
    migrateSource.value = null;
  });
}

export function showMigrations(show = true): void {
  mainView.value = show ? "migrations" : "fleet";
  if (show) startClock();
}

/** Validates with Atlas; resolves to the validation, or the error to show in the dialog. */
export async function validateMigration(profileId: string, draft: MigrationDraft): Promise<Validation | OmlinkError> {
  try {
    return await api.validateMigration(profileId, draft);
  } catch (e) {
    return asOmlinkError(e);
  }
}

/** Starts the migration; on success the dialog closes and the Migrations view opens. */
export async function startMigration(profileId: string, draft: MigrationDraft): Promise<OmlinkError | null> {
  try {
    const started = await api.startMigration(profileId, draft);
    batch(() => {
      migrations.value = [...migrations.value.filter((m) => m.record.id !== started.record.id), started];
      closeMigrate();
      showMigrations();
    });
    notify(`Migration of ${draft.sourceCluster} to ${draft.cluster} started (${started.record.id}).`);
    schedule(0);
    return null;
  } catch (e) {
    return asOmlinkError(e);
  }
}

export async function loadMigrations(): Promise<void> {
  try {
    migrations.value = await api.listMigrations();
    if (migrations.value.some(isLive)) schedule(0);
  } catch (e) {
    migrationsError.value = asOmlinkError(e);
  }
}

let timer: ReturnType<typeof setTimeout> | null = null;
let failures = 0;

/** The next refresh in `ms`, unless one is already due sooner. */
function schedule(ms: number): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void refreshMigrations();
  }, ms);
}

/** Reads the live migrations again; keeps reading while any is live. */
export async function refreshMigrations(): Promise<void> {
  let retryAfter: number | null = null;
  try {
    const views = await api.refreshMigrations();
    batch(() => {
      migrations.value = views;
      migrationsError.value = null;
    });
    failures = 0;
  } catch (e) {
    const error = asOmlinkError(e);
    migrationsError.value = error;
    retryAfter = error.retryAfterSecs;
    failures += 1;
  }
  if (migrations.value.some(isLive)) schedule(nextRefreshMs(migrations.value, failures, retryAfter));
}

/** Cut over…: after a confirmation that says to stop writes to the source. */
export async function cutOver(v: MigrationView): Promise<void> {
  const r = v.record;
  const ok = await confirm(
    `Stop writes to the source (${r.sourceCluster}, project ${r.sourceProject}) before cutting over: after the cutover, ${r.cluster} in Atlas is the primary copy and writes still going to the source are not migrated. Cut over now?`,
    "Cut over",
  );
  if (!ok) return;
  try {
    const done = await api.cutoverMigration(r.id);
    migrations.value = migrations.value.map((m) => (m.record.id === r.id ? done : m));
    notify(`Cutover of ${r.sourceCluster} to ${r.cluster} requested: Atlas finishes it in a few moments.`);
    schedule(0);
  } catch (e) {
    fail(e);
  }
}

/** The countdowns' clock: started with the first migration shown, ticking while they are. */
let clock: ReturnType<typeof setInterval> | null = null;
function startClock(): void {
  clock ??= setInterval(() => {
    if (mainView.value === "migrations") now.value = Date.now();
  }, 1000);
}
