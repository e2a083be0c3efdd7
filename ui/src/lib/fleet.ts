// The fleet table's pure logic: categories and counts, filtering and sorting, range selection
// and the CSV of organizations and tokens. No signals, no I/O: vitest covers it directly.

import type { Error as OmlinkError } from "../bindings/Error";
import type { OrgOutcome } from "../bindings/OrgOutcome";
import type { Organization } from "../bindings/Organization";
import type { BadgeState } from "./badge";
import { checkOrgId, checkToken } from "./validate";

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

/** One CSV line split into fields; double quotes group and `""` escapes a quote. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

export interface TokenRow {
  line: number;
  org: string;
  token: string;
}
export interface CsvProblem {
  line: number;
  message: string;
}

/** A pasted or imported CSV of organizations and tokens, checked whole as the CLI's
 * `link --from` does: a header row naming `org` and `token` (other columns ignored), blank
 * lines and `#` comments allowed. Problems never quote a token. */
export function parseTokenCsv(text: string): { rows: TokenRow[]; problems: CsvProblem[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows: TokenRow[] = [];
  const problems: CsvProblem[] = [];
  let orgCol = -1;
  let tokenCol = -1;
  let width = 0;
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const fields = splitCsvLine(raw);
    if (orgCol < 0) {
      const names = fields.map((f) => f.toLowerCase());
      orgCol = names.indexOf("org");
      tokenCol = names.indexOf("token");
      width = fields.length;
      if (orgCol < 0 || tokenCol < 0) {
        problems.push({ line, message: "The first row must be a header naming org and token, such as: org,token" });
        orgCol = -2;
      }
      return;
    }
    if (orgCol === -2) return;
    if (fields.length < Math.max(orgCol, tokenCol) + 1) {
      problems.push({ line, message: `${fields.length} field${fields.length === 1 ? "" : "s"}; the header has ${width}.` });
      return;
    }
    const org = checkOrgId(fields[orgCol] ?? "");
    if (!org.ok) {
      problems.push({ line, message: `Organization id: ${org.message}` });
      return;
    }
    const token = checkToken(fields[tokenCol] ?? "");
    if (!token.ok) {
      problems.push({ line, message: `Token: ${token.message}` });
      return;
    }
    const first = seen.get(org.value);
    if (first !== undefined) {
      problems.push({ line, message: `Organization ${org.value} is already on line ${first}.` });
      return;
    }
    seen.set(org.value, line);
    rows.push({ line, org: org.value, token: token.value });
  });
  if (orgCol === -1) problems.push({ line: 1, message: "The CSV is empty: give a header row (org,token) and one row per organization." });
  else if (orgCol >= 0 && rows.length === 0 && problems.length === 0)
    problems.push({ line: lines.length, message: "No organization rows after the header: add one line per organization (org,token)." });
  return { rows, problems };
}
