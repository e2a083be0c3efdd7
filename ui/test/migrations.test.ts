import { describe, expect, it } from "vitest";
import type { MigrationView } from "../src/bindings/MigrationView";
import { countdown, lagPoints, migrationBadge, nextRefreshMs } from "../src/lib/migrations";

function view(over: Partial<MigrationView["record"]>, rest: Partial<MigrationView> = {}): MigrationView {
  return {
    record: {
      id: "m1",
      atlasUrl: "https://cloud.mongodb.com",
      atlasConnection: null,
      atlasProject: "p",
      cluster: "c",
      sourceOrg: "o",
      sourceProject: "sp",
      sourceCluster: "rs0",
      migrationHost: "h",
      network: { kind: "public" },
      sourceUsername: null,
      sourceTls: false,
      sourceCaPath: null,
      dropDestinationData: false,
      createdAt: "2026-12-01T00:00:00Z",
      startedAt: null,
      status: "WORKING",
      lagTimeSeconds: null,
      readyForCutover: false,
      lastNotReadyAt: null,
      firstReadyAt: null,
      cutoverAt: null,
      updatedAt: null,
      lagHistory: [],
      planRow: null,
      lastError: null,
      ...over,
    },
    cutoverDeadline: null,
    warning: null,
    waiting: null,
    connectionName: null,
    ...rest,
  };
}

describe("migrations", () => {
  it("badges say the phase in words", () => {
    expect(migrationBadge(view({})).label).toBe("Syncing");
    expect(migrationBadge(view({ readyForCutover: true })).tone).toBe("ok");
    expect(migrationBadge(view({ cutoverAt: "x" })).label).toBe("Cutting over");
    expect(migrationBadge(view({ status: "EXPIRED" })).tone).toBe("error");
    const queued = migrationBadge(view({ status: "QUEUED" }, { waiting: { behind: "m0", reason: "migration host h is busy" } }));
    expect(queued.title).toContain("m0");
    expect(migrationBadge(view({ status: "PAUSED" })).label).toBe("Status: PAUSED");
  });

  it("the countdown turns amber under 24 h and red under 2 h", () => {
    const at = Date.parse("2026-12-01T00:00:00Z");
    expect(countdown(null, at)).toBeNull();
    expect(countdown("2026-12-03T01:00:00Z", at)).toEqual({ text: "2 d 1 h left", tone: "ok" });
    expect(countdown("2026-12-01T05:30:00Z", at)).toEqual({ text: "5 h 30 min left", tone: "warn" });
    expect(countdown("2026-12-01T00:10:05Z", at)).toEqual({ text: "10 min 5 s left", tone: "error" });
    expect(countdown("2026-11-30T00:00:00Z", at)?.text).toBe("deadline passed");
  });

  it("the lag chart falls to the bottom right", () => {
    expect(lagPoints([], 100, 20)).toBe("");
    expect(lagPoints([600, 200, 0], 100, 20)).toBe("0.0,0.0 50.0,13.3 100.0,20.0");
  });

  it("refreshes quickly on the sandbox, politely on Atlas, slower after errors", () => {
    const sandbox = view({ atlasUrl: "http://127.0.0.1:41234" });
    expect(nextRefreshMs([sandbox], 0, null)).toBe(2000);
    expect(nextRefreshMs([view({})], 0, null)).toBe(15000);
    expect(nextRefreshMs([view({})], 3, null)).toBe(120000);
    expect(nextRefreshMs([sandbox], 0, 30)).toBe(30000);
  });
});
