import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../src/bindings/HistoryEntry";
import { exportFileName, filterHistory, outcomeText } from "../src/lib/history";

const A = "5f1e2d3c4b5a697887766554";
const B = "5f1e2d3c4b5a697887766555";

function entry(id: string, orgId: string, at: string, outcome: HistoryEntry["outcome"]): HistoryEntry {
  return {
    id, at, orgId, outcome,
    profileId: "p1", profileName: "Prod", orgName: orgId === A ? "Payments" : "Analytics",
    tokenMask: "eyJs…9f8e", tokenFingerprint: "0a1b2c3d4e5f", hasToken: true,
  };
}

const entries = [
  entry("1", A, "2026-11-01T10:00:00Z", { result: "linked", status: "SYNCED" }),
  entry("2", B, "2026-11-02T10:00:00Z", { result: "failed", kind: "PermissionDenied", httpStatus: 401, errorCode: "USER_UNAUTHORIZED" }),
  entry("3", A, "2026-11-03T10:00:00Z", { result: "cancelled" }),
];

describe("filterHistory", () => {
  it("keeps one organization, newest first", () => {
    expect(filterHistory(entries, A, "").map((e) => e.id)).toEqual(["3", "1"]);
    expect(filterHistory(entries, "", "").map((e) => e.id)).toEqual(["3", "2", "1"]);
  });
  it("matches text in names, outcomes and codes", () => {
    expect(filterHistory(entries, "", "unauthorized").map((e) => e.id)).toEqual(["2"]);
    expect(filterHistory(entries, "", "payments").map((e) => e.id)).toEqual(["3", "1"]);
    expect(filterHistory(entries, A, "synced").map((e) => e.id)).toEqual(["1"]);
  });
});

describe("outcomeText and exportFileName", () => {
  it("describes outcomes", () => {
    expect(entries.map((e) => outcomeText(e.outcome))).toEqual(["SYNCED", "PermissionDenied USER_UNAUTHORIZED", "cancelled"]);
  });
  it("names exports by scope, day and format", () => {
    const day = new Date("2026-11-29T08:00:00Z");
    expect(exportFileName("", "Csv", day)).toBe("omlink-history-all-2026-11-29.csv");
    expect(exportFileName(A, "Json", day)).toBe(`omlink-history-${A}-2026-11-29.json`);
  });
});
