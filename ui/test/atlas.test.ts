import { describe, expect, it } from "vitest";
import type { Deployment } from "../src/bindings/Deployment";
import { allSupported, managedText, shardedText, sizeGb } from "../src/lib/atlas";

const deployment = (d: Partial<Deployment>): Deployment => ({ name: "rs0", mongoDBVersion: null, managed: null, sharded: null, dbSizeBytes: null, ...d });

describe("available projects", () => {
  it("shows sizes in GB with one decimal, and a dash when unknown", () => {
    expect(sizeGb(12_345_678_901)).toBe("12.3");
    expect(sizeGb(0)).toBe("0.0");
    expect(sizeGb(null)).toBe("—");
  });
  it("says yes/no/— and Managed/Monitored/—", () => {
    expect([true, false, null].map((sharded) => shardedText(deployment({ sharded })))).toEqual(["yes", "no", "—"]);
    expect([true, false, null].map((managed) => managedText(deployment({ managed })))).toEqual(["Managed", "Monitored", "—"]);
  });
});

describe("preflight", () => {
  it("is all supported only when every project is", () => {
    const check = (verdict: "supported" | "deprecated") => ({ projectId: "p", name: "p", versions: [], verdict, message: "" });
    expect(allSupported([check("supported"), check("supported")])).toBe(true);
    expect(allSupported([check("supported"), check("deprecated")])).toBe(false);
    expect(allSupported([])).toBe(false);
  });
});
