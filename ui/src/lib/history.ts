// Filtering the history list in the window, and naming export files.

import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { Outcome } from "../bindings/Outcome";

/** Entries of one organization (all when `orgId` is empty) whose text matches `query`, newest first. */
export function filterHistory(entries: HistoryEntry[], orgId: string, query: string): HistoryEntry[] {
  const q = query.trim().toLowerCase();
  return entries
    .filter((e) => orgId === "" || e.orgId === orgId)
    .filter(
      (e) =>
        q === "" ||
        [e.profileName, e.orgId, e.orgName ?? "", e.tokenMask, e.tokenFingerprint, outcomeText(e.outcome), e.generatedIn?.orgName ?? ""]
          .join(" ")
          .toLowerCase()
          .includes(q),
    )
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export function outcomeText(o: Outcome): string {
  switch (o.result) {
    case "linked":
      return o.status ?? "linked";
    case "failed":
      return o.errorCode ? `${o.kind} ${o.errorCode}` : o.kind;
    case "cancelled":
      return "cancelled";
    case "minted":
      return "not linked yet";
  }
}

/** `omlink-history-<org or all>-<date>.<ext>` */
export function exportFileName(orgId: string, format: "Json" | "Csv", now: Date): string {
  const day = now.toISOString().slice(0, 10);
  return `omlink-history-${orgId === "" ? "all" : orgId}-${day}.${format === "Json" ? "json" : "csv"}`;
}
