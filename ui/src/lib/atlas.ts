// How Atlas's answers read in the window: sizes, yes/no columns, preflight tones. Pure.

import type { Deployment } from "../bindings/Deployment";
import type { ProjectCheck } from "../bindings/ProjectCheck";
import type { Verdict } from "../bindings/Verdict";

/** Bytes as gigabytes with one decimal (1 GB = 10⁹ bytes, as Atlas counts), or "—". */
export function sizeGb(bytes: number | null): string {
  return bytes === null ? "—" : (bytes / 1e9).toFixed(1);
}

export const shardedText = (d: Deployment): string => (d.sharded === null ? "—" : d.sharded ? "yes" : "no");
export const managedText = (d: Deployment): string => (d.managed === null ? "—" : d.managed ? "Managed" : "Monitored");

/** A verdict's word and tone (the existing text classes). */
export const VERDICTS: Record<Verdict, { label: string; tone: "ok-text" | "warning-text" | "muted" }> = {
  supported: { label: "Supported", tone: "ok-text" },
  deprecated: { label: "Deprecated", tone: "warning-text" },
  notSupported: { label: "Not supported", tone: "warning-text" },
  unknown: { label: "Unknown", tone: "muted" },
};

export const allSupported = (checks: ProjectCheck[]): boolean => checks.length > 0 && checks.every((c) => c.verdict === "supported");

/** "1 project" / "3 projects". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
