// The actions against a fake of src/api.ts (a unit test: the real IPC is covered end to end).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchEvent } from "../src/bindings/BatchEvent";
import type { BatchLinkRequest } from "../src/bindings/BatchLinkRequest";
import type { HistoryEntry } from "../src/bindings/HistoryEntry";
import type { Profile } from "../src/bindings/Profile";

const fake = vi.hoisted(() => ({
  listOrganizations: vi.fn(),
  statusBatch: vi.fn(),
  linkBatch: vi.fn(),
  createMigrationLink: vi.fn(),
  listHistory: vi.fn(async (): Promise<HistoryEntry[]> => []),
  startSandbox: vi.fn(),
  selectProfile: vi.fn(async () => undefined),
  cancelBatch: vi.fn(async () => true),
}));
vi.mock("../src/api", async (original) => ({ ...(await original<typeof import("../src/api")>()), api: fake }));

import * as actions from "../src/actions";
import * as state from "../src/state";

vi.stubGlobal("crypto", { randomUUID: (() => { let n = 0; return () => `id-${++n}`; })() });

const profile = (id: string): Profile => ({
  id,
  name: id,
  kind: "OpsManager",
  url: "https://om.example.com",
  publicKey: "pub",
  tls: { caFile: null, skipVerify: false },
  timeoutSecs: 30,
  hasPrivateKey: true,
  sandbox: false,
});
const A = "a".repeat(24);
const B = "b".repeat(24);
const C = "c".repeat(24);
const error = (message: string) => ({ kind: "Rejected" as const, message, httpStatus: 400, errorCode: null, detail: null, parameters: [], hint: "Generate a new token.", retryAfterSecs: null });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

beforeEach(() => {
  vi.clearAllMocks();
  state.profiles.value = [profile("p1"), profile("p2")];
  state.currentId.value = null;
  state.orgList.value = null;
  state.orgStates.value = new Map();
  state.checked.value = new Set();
  state.batchTokens.value = new Map();
  state.batchRun.value = null;
  state.history.value = [];
  state.inFlight.value = new Map();
  state.reading.value = null;
  fake.listHistory.mockImplementation(async () => []);
});

describe("opening a profile", () => {
  it("lists the organizations and fills every badge from the status batch", async () => {
    fake.listOrganizations.mockResolvedValue({ organizations: [{ id: A, name: "A" }, { id: B, name: "B" }], warnings: [], warningTexts: [] });
    fake.statusBatch.mockImplementation(async (_req: unknown, onEvent: (e: BatchEvent) => void) => {
      onEvent({ done: 1, total: 2, result: { org: A, name: "A", outcome: { result: "status", status: "SYNCED" } } });
      expect(state.reading.value?.done).toBe(1);
      return { results: [{ org: A, name: "A", outcome: { result: "status", status: "SYNCED" } }, { org: B, name: "B", outcome: { result: "failed", error: error("refused") } }], stopped: null, cancelled: false, failed: 1 };
    });
    await actions.selectProfile(profile("p1"));
    expect(state.orgs.value.map((o) => o.id)).toEqual([A, B]);
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "SYNCED" });
    // B's result came only with the summary: it is applied too.
    expect(state.stateOf("p1", B)?.error?.message).toBe("refused");
    expect(state.reading.value).toBeNull();
  });

  it("files a late answer under the profile that asked, never under the one shown now", async () => {
    const slow = deferred<unknown>();
    fake.listOrganizations.mockImplementation((id: string) =>
      id === "p1" ? slow.promise : Promise.resolve({ organizations: [{ id: C, name: "C" }], warnings: [], warningTexts: [] }),
    );
    fake.statusBatch.mockImplementation(async (req: { profileId: string; orgs: Array<{ id: string }> }, onEvent: (e: BatchEvent) => void) => {
      const results = req.orgs.map((o) => ({ org: o.id, name: null, outcome: { result: "status" as const, status: req.profileId === "p1" ? "SYNCED" : "NO_LINK" } }));
      results.forEach((r, i) => onEvent({ done: i + 1, total: results.length, result: r }));
      return { results, stopped: null, cancelled: false, failed: 0 };
    });
    const first = actions.selectProfile(profile("p1"));
    await actions.selectProfile(profile("p2"));
    slow.resolve({ organizations: [{ id: A, name: "A" }], warnings: [], warningTexts: [] });
    await first;
    expect(state.currentId.value).toBe("p2");
    expect(state.orgs.value.map((o) => o.id)).toEqual([C]);
    expect(state.stateOf("p2", C)?.badge).toEqual({ state: "status", status: "NO_LINK" });
    expect(state.stateOf("p2", A)).toBeUndefined();
  });
});

describe("one organization", () => {
  it("says whether it linked, and refuses a second submission while one runs", async () => {
    state.currentId.value = "p1";
    const answer = deferred<unknown>();
    fake.createMigrationLink.mockReturnValue(answer.promise);
    const target = { profileId: "p1", id: A, name: "A" };
    const first = actions.link(target, { token: "tok-1234567890" });
    expect(await actions.link(target, { token: "tok-1234567890" })).toBe(false);
    expect(fake.createMigrationLink).toHaveBeenCalledTimes(1);
    answer.resolve({ outcome: { status: "SYNCED" }, entry: null });
    expect(await first).toBe(true);
    expect(state.inFlight.value.size).toBe(0);

    fake.createMigrationLink.mockRejectedValue(error("expired"));
    expect(await actions.link(target, { token: "tok-expired-0000" })).toBe(false);
    expect(state.stateOf("p1", A)?.error?.message).toBe("expired");
  });
});

describe("batches", () => {
  beforeEach(() => {
    state.currentId.value = "p1";
    state.orgList.value = { profileId: "p1", orgs: [{ id: A, name: "A" }, { id: B, name: "B" }, { id: C, name: "C" }], error: null, loading: false, warnings: [] };
  });

  it("applies a CSV whole or not at all", () => {
    expect(actions.applyCsv(`org,token\n${A},tok-a-123456\nbad,tok-b`)).toBe(false);
    expect(state.batchTokens.value.size).toBe(0);
    expect(state.csvProblems.value.map((p) => p.line)).toEqual([3]);
    expect(actions.applyCsv(`org,token\n${A},tok-a-123456\n${B},tok-b-123456`)).toBe(true);
    expect([...state.checked.value].sort()).toEqual([A, B]);
    expect(state.batchTokens.value.get(B)).toBe("tok-b-123456");
    expect(state.csvProblems.value).toEqual([]);
  });

  it("links the checked rows, forgets linked tokens, keeps failed ones, and retries only the failed", async () => {
    actions.applyCsv(`org,token\n${A},tok-a-123456\n${B},tok-b-expired\n${C},tok-c-123456`);
    fake.linkBatch.mockImplementationOnce(async (req: BatchLinkRequest, onEvent: (e: BatchEvent) => void) => {
      expect(req.items.map((i) => [i.org, i.token, i.historyId])).toEqual([
        [A, "tok-a-123456", null],
        [B, "tok-b-expired", null],
        [C, "tok-c-123456", null],
      ]);
      const results = [
        { org: A, name: "A", outcome: { result: "linked" as const, status: "SYNCED" } },
        { org: B, name: "B", outcome: { result: "failed" as const, error: error("expired") } },
      ];
      results.forEach((r, i) => onEvent({ done: i + 1, total: 3, result: r }));
      // C is cancelled before it starts.
      return { results, stopped: null, cancelled: true, failed: 1 };
    });
    await actions.linkChecked();
    expect(state.batchTokens.value.has(A)).toBe(false);
    expect(state.batchTokens.value.get(B)).toBe("tok-b-expired");
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "SYNCED" });
    expect(state.stateOf("p1", C)?.badge).toEqual({ state: "unknown" });
    expect(state.batchRun.value).toMatchObject({ running: false, cancelled: true, done: 2 });
    expect(actions.failedOfLastRun().sort()).toEqual([B, C]);

    // B gets a new token; C has only the saved one of an earlier attempt.
    actions.setBatchToken(B, "tok-b-fresh-99");
    state.batchTokens.value = new Map([...state.batchTokens.value].filter(([k]) => k !== C));
    state.history.value = [
      { id: "h-old", at: "2026-11-01T00:00:00Z", profileId: "p1", profileName: "p1", orgId: C, orgName: "C", tokenMask: "x", tokenFingerprint: "f", outcome: { result: "cancelled" }, hasToken: true },
      { id: "h-other", at: "2026-11-02T00:00:00Z", profileId: "p2", profileName: "p2", orgId: C, orgName: "C", tokenMask: "x", tokenFingerprint: "g", outcome: { result: "cancelled" }, hasToken: true },
    ];
    fake.listHistory.mockImplementation(async () => state.history.value);
    fake.linkBatch.mockImplementationOnce(async (req: BatchLinkRequest) => {
      expect(req.items.map((i) => [i.org, i.token, i.historyId])).toEqual([
        [B, "tok-b-fresh-99", null],
        [C, null, "h-old"],
      ]);
      return { results: req.items.map((i) => ({ org: i.org, name: null, outcome: { result: "linked" as const, status: "SYNCED" } })), stopped: null, cancelled: false, failed: 0 };
    });
    await actions.retryFailed();
    expect(fake.linkBatch).toHaveBeenCalledTimes(2);
    expect(actions.failedOfLastRun()).toEqual([]);
    expect(state.batchTokens.value.size).toBe(0);
  });

  it("sends nothing while a checked row has no token", async () => {
    state.checked.value = new Set([A]);
    await actions.linkChecked();
    expect(fake.linkBatch).not.toHaveBeenCalled();
    expect(state.notice.value?.tone).toBe("error");
  });

  it("never swaps a bad typed token for a saved one, and a refused batch leaves every row as it was", async () => {
    state.history.value = [
      { id: "h-1", at: "2026-11-01T00:00:00Z", profileId: "p1", profileName: "p1", orgId: A, orgName: "A", tokenMask: "x", tokenFingerprint: "f", outcome: { result: "cancelled" }, hasToken: true },
    ];
    expect(actions.tokenSourceOf("p1", A)).toBe("saved");
    actions.setBatchToken(A, "bad\u0007token");
    expect(actions.tokenSourceOf("p1", A)).toBeNull();

    actions.setBatchToken(A, "tok-a-123456");
    state.checked.value = new Set([A]);
    state.setOrgState("p1", A, { badge: { state: "status", status: "NO_LINK" }, checkedAt: null, error: null });
    fake.linkBatch.mockRejectedValueOnce(error("The keychain no longer holds that token"));
    await actions.linkChecked();
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "NO_LINK" });
    expect(state.notice.value?.tone).toBe("error");
  });

  it("forgets the tokens typed for one profile when another opens", async () => {
    actions.setBatchToken(A, "tok-a-123456");
    fake.listOrganizations.mockResolvedValue({ organizations: [], warnings: [], warningTexts: [] });
    await actions.selectProfile(profile("p2"));
    expect(state.batchTokens.value.size).toBe(0);
  });
});
