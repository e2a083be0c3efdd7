import { describe, expect, it } from "vitest";
import type { Organization } from "../src/bindings/Organization";
import { categoryOf, countByCategory, selectRange, stateOfOutcome, visibleOrgs, type OrgState } from "../src/lib/fleet";

const org = (id: string, name: string): Organization => ({ id, name });
const A = "a".repeat(24);
const B = "b".repeat(24);
const C = "c".repeat(24);
const at = new Date("2026-11-29T12:00:00Z");
const linked: OrgState = stateOfOutcome({ result: "status", status: "SYNCED" }, at);
const noLink: OrgState = stateOfOutcome({ result: "status", status: "NO_LINK" }, at);
const failed: OrgState = stateOfOutcome(
  { result: "failed", error: { kind: "Rejected", message: "bad", httpStatus: 400, errorCode: null, detail: null, parameters: [], hint: "", retryAfterSecs: null } },
  at,
);

describe("categories and counts", () => {
  it("puts every state in one category", () => {
    expect(categoryOf(undefined)).toBe("unchecked");
    expect(categoryOf(linked)).toBe("linked");
    expect(categoryOf(noLink)).toBe("notLinked");
    expect(categoryOf(stateOfOutcome({ result: "status", status: "NOT_SYNCED" }, at))).toBe("notLinked");
    expect(categoryOf(stateOfOutcome({ result: "alreadyLinked" }, at))).toBe("linked");
    expect(categoryOf(failed)).toBe("errors");
    expect(failed.error?.message).toBe("bad");
  });
  it("counts each category", () => {
    const states = new Map([
      [A, linked],
      [B, failed],
    ]);
    expect(countByCategory([org(A, "a"), org(B, "b"), org(C, "c")], (id) => states.get(id))).toEqual({ linked: 1, notLinked: 0, errors: 1, unchecked: 1 });
  });
});

describe("visible rows", () => {
  const orgs = [org(A, "Payments"), org(B, "analytics"), org(C, "Billing")];
  const states = new Map([
    [A, linked],
    [B, failed],
    [C, noLink],
  ]);
  const of = (id: string) => states.get(id);
  it("filters by name or id and by status", () => {
    expect(visibleOrgs(orgs, of, "PAY", "all", { by: "name", descending: false }).map((o) => o.id)).toEqual([A]);
    expect(visibleOrgs(orgs, of, "bbbb", "all", { by: "name", descending: false }).map((o) => o.id)).toEqual([B]);
    expect(visibleOrgs(orgs, of, "", "errors", { by: "name", descending: false }).map((o) => o.id)).toEqual([B]);
    expect(visibleOrgs(orgs, of, "", "notLinked", { by: "name", descending: false }).map((o) => o.id)).toEqual([C]);
  });
  it("sorts by name without case, by status errors first, and both ways", () => {
    expect(visibleOrgs(orgs, of, "", "all", { by: "name", descending: false }).map((o) => o.name)).toEqual(["analytics", "Billing", "Payments"]);
    expect(visibleOrgs(orgs, of, "", "all", { by: "name", descending: true }).map((o) => o.name)).toEqual(["Payments", "Billing", "analytics"]);
    expect(visibleOrgs(orgs, of, "", "all", { by: "status", descending: false }).map((o) => o.id)).toEqual([B, C, A]);
    expect(visibleOrgs(orgs, of, "", "all", { by: "id", descending: true }).map((o) => o.id)).toEqual([C, B, A]);
  });
});

describe("range selection", () => {
  const shown = ["1", "2", "3", "4", "5"];
  it("selects from the anchor to the clicked row, either way", () => {
    expect([...selectRange(new Set(), shown, "2", "4", true)].sort()).toEqual(["2", "3", "4"]);
    expect([...selectRange(new Set(), shown, "4", "2", true)].sort()).toEqual(["2", "3", "4"]);
  });
  it("clears a range, and without an anchor changes only the clicked row", () => {
    expect([...selectRange(new Set(shown), shown, "1", "3", false)].sort()).toEqual(["4", "5"]);
    expect([...selectRange(new Set(["9"]), shown, null, "5", true)].sort()).toEqual(["5", "9"]);
    expect([...selectRange(new Set(), shown, "gone", "3", true)]).toEqual(["3"]);
  });
});
