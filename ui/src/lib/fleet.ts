// The fleet table's pure logic: categories and counts, filtering and sorting, range selection
// (the CSV of organizations and tokens is read by the core: read_link_file). No signals, no
// I/O: vitest covers it directly.

import type { Error as OmlinkError } from "../bindings/Error";
import type { OrgOutcome } from "../bindings/OrgOutcome";
import type { Organization } from "../bindings/Organization";
import type { BadgeState } from "./badge";

/** What the window knows of one organization's link. */
export interface OrgState {
  badge: BadgeState;
  checkedAt: Date | null;
  error: OmlinkError | null;
}

/** The status filter's choices. */
export type Category = "linked" | "notLinked" | "errors" | "unchecked";
export type Filter = "all" | Category;

export const CATEGORY_LABELS: Record<Category, string> = {
  linked: "linked",
  notLinked: "not linked",
  errors: "errors",
  unchecked: "not checked",
};

export const errorBadge = (e: OmlinkError): BadgeState => ({ state: "error", kind: e.kind, errorCode: e.errorCode });

/** The state a batch result leaves an organization in. */
export function stateOfOutcome(outcome: OrgOutcome, at: Date): OrgState {
  switch (outcome.result) {
    case "status":
    case "linked":
      return { badge: { state: "status", status: outcome.status }, checkedAt: at, error: null };
    case "alreadyLinked":
      return { badge: { state: "status", status: "SYNCED" }, checkedAt: at, error: null };
    case "failed":
      return { badge: errorBadge(outcome.error), checkedAt: at, error: outcome.error };
  }
}

export function categoryOf(s: OrgState | undefined): Category {
  if (!s) return "unchecked";
  switch (s.badge.state) {
    case "status":
      return s.badge.status === "NO_LINK" || s.badge.status === "NOT_SYNCED" ? "notLinked" : "linked";
    case "error":
      return s.badge.kind === "Cancelled" ? "unchecked" : "errors";
    case "inProgress":
    case "unknown":
      return "unchecked";
  }
}

export function countByCategory(orgs: Organization[], stateOf: (orgId: string) => OrgState | undefined): Record<Category, number> {
  const counts: Record<Category, number> = { linked: 0, notLinked: 0, errors: 0, unchecked: 0 };
  for (const o of orgs) counts[categoryOf(stateOf(o.id))] += 1;
  return counts;
}

export type SortKey = "name" | "id" | "status" | "checked";
export interface Sort {
  by: SortKey;
  descending: boolean;
}

const CATEGORY_ORDER: Record<Category, number> = { errors: 0, notLinked: 1, unchecked: 2, linked: 3 };

/** The rows the table shows: matching the query (name or id) and the filter, sorted. */
export function visibleOrgs(
  orgs: Organization[],
  stateOf: (orgId: string) => OrgState | undefined,
  query: string,
  filter: Filter,
  sort: Sort,
): Organization[] {
  const q = query.trim().toLowerCase();
  const rows = orgs.filter(
    (o) =>
      (q === "" || o.name.toLowerCase().includes(q) || o.id.includes(q)) &&
      (filter === "all" || categoryOf(stateOf(o.id)) === filter),
  );
  const key = (o: Organization): [number | string, string] => {
    const s = stateOf(o.id);
    switch (sort.by) {
      case "name":
        return [o.name.toLowerCase(), o.id];
      case "id":
        return [o.id, ""];
      case "status":
        return [CATEGORY_ORDER[categoryOf(s)], o.name.toLowerCase()];
      case "checked":
        return [s?.checkedAt?.getTime() ?? 0, o.name.toLowerCase()];
    }
  };
  const sign = sort.descending ? -1 : 1;
  return rows
    .map((o) => ({ o, k: key(o) }))
    .sort((a, b) => sign * (a.k[0] < b.k[0] ? -1 : a.k[0] > b.k[0] ? 1 : a.k[1] < b.k[1] ? -1 : a.k[1] > b.k[1] ? 1 : 0))
    .map((r) => r.o);
}

/** Shift-click: every row between the anchor and the clicked one (in the order shown) takes the
 * clicked one's new state. Without an anchor in view, only the clicked one changes. */
export function selectRange(selected: ReadonlySet<string>, shown: string[], anchor: string | null, clicked: string, on: boolean): Set<string> {
  const next = new Set(selected);
  const a = anchor === null ? -1 : shown.indexOf(anchor);
  const b = shown.indexOf(clicked);
  const [from, to] = a < 0 || b < 0 ? [b, b] : [Math.min(a, b), Math.max(a, b)];
  for (let i = Math.max(from, 0); i <= to; i++) {
    const id = shown[i];
    if (id === undefined) continue;
    if (on) next.add(id);
    else next.delete(id);
  }
  if (b < 0) {
    if (on) next.add(clicked);
    else next.delete(clicked);
  }
  return next;
}
