import { describe, expect, it } from "vitest";
import type { Organization } from "../src/bindings/Organization";
import { categoryOf, countByCategory, parseTokenCsv, selectRange, splitCsvLine, stateOfOutcome, visibleOrgs, type OrgState } from "../src/lib/fleet";

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

describe("the CSV of organizations and tokens", () => {
  it("splits quoted fields", () => {
    expect(splitCsvLine(' a , "b,c" ,"say ""hi"""')).toEqual(["a", "b,c", 'say "hi"']);
  });
  it("reads a header naming org and token in any order, comments, blank lines and extra columns", () => {
    const text = `\uFEFFnote,TOKEN,org\n# a comment\n\nfirst,tok-aaaa-1111,${A.toUpperCase()}\r\nsecond,"tok-bbbb-2222",${B}\n`;
    const { rows, problems } = parseTokenCsv(text);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 4, org: A, token: "tok-aaaa-1111" },
      { line: 5, org: B, token: "tok-bbbb-2222" },
    ]);
  });
  it("reports every bad row with its line number and never quotes a token", () => {
    const text = `org,token\n${A},SECRET-one\nnot-an-id,SECRET-two\n${B},\n${A},SECRET-three\n${C}`;
    const { problems } = parseTokenCsv(text);
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6]);
    expect(problems[2]?.message).toContain("line 2");
    for (const p of problems) expect(p.message).not.toContain("SECRET");
  });
  it("needs a header and at least one row", () => {
    expect(parseTokenCsv(`${A},tok`).problems[0]?.message).toContain("header");
    expect(parseTokenCsv("").problems[0]?.message).toContain("empty");
    expect(parseTokenCsv("org,token\n# nothing\n").problems[0]?.message).toContain("No organization rows");
  });
});
