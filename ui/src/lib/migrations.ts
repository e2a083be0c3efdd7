// What the Migrations view says about a record, as pure functions: its badge, its countdown
// (amber under 24 h, red under 2 h), its lag chart's points, and how long to wait before the
// next refresh (quick on the sandbox, polite on Atlas, backing off after errors).

import type { MigrationView } from "../bindings/MigrationView";
import type { Badge, Tone } from "./badge";

/** The status badge: a tone and always a label. */
export function migrationBadge(v: MigrationView): Badge {
  const r = v.record;
  const b = (tone: Tone, label: string, title: string): Badge => ({ tone, label, title });
  if (r.cutoverAt && r.status === "WORKING") return b("busy", "Cutting over", "Atlas is stopping replication and switching over.");
  switch (r.status) {
    case "QUEUED":
      return b("neutral", "Queued", v.waiting ? `Waits behind ${v.waiting.behind}: ${v.waiting.reason}.` : "Waits for its turn.");
    case "NEW":
      return b("busy", "Starting", "Atlas has scheduled the migration.");
    case "WORKING":
      return r.readyForCutover
        ? b("ok", "Ready for cutover", "Source and destination have caught up: stop writes to the source, then cut over.")
        : b("busy", "Syncing", "Atlas is copying and applying changes.");
    case "COMPLETE":
      return b("ok", "Complete", "Cut over: the Atlas cluster is the primary copy.");
    case "FAILED":
      return b("error", "Failed", r.lastError ?? "The migration failed and must start again.");
    case "EXPIRED":
      return b("error", "Expired", "The 120-hour cutover window ran out: the migration must start again.");
    default:
      return b("info", `Status: ${r.status}`, `Atlas reported “${r.status}”, which omlink does not know.`);
  }
}

/** The time left before the cutover deadline: its text and tone, or null without a deadline. */
export function countdown(deadline: string | null, nowMs: number): { text: string; tone: "ok" | "warn" | "error" } | null {
  if (!deadline) return null;
  const left = Date.parse(deadline) - nowMs;
  if (Number.isNaN(left)) return null;
  if (left <= 0) return { text: "deadline passed", tone: "error" };
  const s = Math.floor(left / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const text = d > 0 ? `${d} d ${h} h left` : h > 0 ? `${h} h ${m} min left` : `${m} min ${s % 60} s left`;
  const tone = left < 2 * 3600_000 ? "error" : left < 24 * 3600_000 ? "warn" : "ok";
  return { text, tone };
}

/** The lag chart's polyline points in a `width` × `height` box: oldest left, 0 at the bottom. */
export function lagPoints(lags: readonly number[], width: number, height: number): string {
  if (lags.length === 0) return "";
  const max = Math.max(...lags, 1);
  const step = lags.length > 1 ? width / (lags.length - 1) : 0;
  return lags.map((l, i) => `${(i * step).toFixed(1)},${(height - (l / max) * height).toFixed(1)}`).join(" ");
}

/** Whether a record still needs reading: started and running, or queued. */
export const isLive = (v: MigrationView): boolean => ["QUEUED", "NEW", "WORKING"].includes(v.record.status);

/** Milliseconds before the next refresh: 2 s when every live record is on loopback (the
 * sandbox), else 15 s; doubled per failure in a row up to 2 min; at least a server's Retry-After. */
export function nextRefreshMs(views: readonly MigrationView[], failures: number, retryAfterSecs: number | null): number {
  const local = views.filter(isLive).every((v) => /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(v.record.atlasUrl));
  const base = local ? 2000 : 15000;
  const backedOff = Math.min(base * 2 ** failures, 120_000);
  return Math.max(backedOff, (retryAfterSecs ?? 0) * 1000);
}
