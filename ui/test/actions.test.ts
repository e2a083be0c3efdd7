// The actions against a fake of src/api.ts (a unit test: the real IPC is covered end to end).
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchEvent } from "../src/bindings/BatchEvent";
import type { AtlasConnection } from "../src/bindings/AtlasConnection";
import type { BatchLinkRequest } from "../src/bindings/BatchLinkRequest";
import type { LinkRequest } from "../src/bindings/LinkRequest";
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
  listProfiles: vi.fn(),
  listAtlasOrgs: vi.fn(),
  availableProjects: vi.fn(async () => []),
  revokeLinkToken: vi.fn(async () => undefined),
  getLinkStatus: vi.fn(),
  preflight: vi.fn(),
  checkField: vi.fn(async (field: string, text: string) => fakeCheck(field, text)),
  readLinkFile: vi.fn(async (text: string) => fakeLinkFile(text)),
}));

// A stand-in for the core's checks and link-file parser (their real rules are tested in Rust):
// just enough to tell good input from bad.
function fakeCheck(field: string, text: string) {
  const t = text.trim();
  const invalid = (message: string) => ({ state: "invalid" as const, message, hint: "" });
  const valid = (value: string, values: string[] = []) => ({ state: "valid" as const, value, values, shown: value });
  if (field === "orgId") return /^[0-9a-f]{24}$/i.test(t) ? valid(t.toLowerCase()) : invalid("not an id");
  if (field === "linkToken") return t !== "" && !/[\u0000-\u001f]/.test(t) ? valid("") : invalid("bad token");
  const entries = t.split(/[\s,;]+/).filter((e) => e !== "");
  const bad = entries.find((e) => !/^[0-9.:/a-f]+$/.test(e));
  return bad ? invalid(`"${bad}" is not an IP address`) : valid("", entries);
}
function fakeLinkFile(text: string) {
  const rows = text.split("\n").slice(1).map((line, i) => ({ line: i + 2, cells: line.split(",") }));
  const problems = rows.filter((r) => fakeCheck("orgId", r.cells[0] ?? "").state === "invalid").map((r) => `line ${r.line}: not an id`);
  if (problems.length > 0) return { state: "refused" as const, error: error("bad rows"), problems };
  return { state: "read" as const, rows: rows.map((r) => ({ org: r.cells[0] ?? "", name: null, token: r.cells[1] ?? null, tokenShown: "x", atlasOrg: null })) };
}
vi.mock("../src/api", async (original) => ({ ...(await original<typeof import("../src/api")>()), api: fake }));

import * as actions from "../src/actions";
import * as state from "../src/state";
import { checkField } from "../src/lib/checks";

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
  fake.listProfiles.mockImplementation(async () => ({ profiles: state.profiles.value, atlasConnections: state.atlasConnections.value, lastUsed: null, storeWarning: null }));
  state.atlasConnections.value = [];
  state.atlasOrgs.value = new Map();
  state.availableProjects.value = new Map();
  state.preflights.value = new Map();
  state.atlasChoices.value = new Map();
  state.generating.value = new Set();
  state.batchMode.value = "tokens";
  state.batchAtlasOverrides.value = new Map();
  state.confirmation.value = null;
  state.notice.value = null;
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
    const first = actions.link(target, { kind: "paste", value: "tok-1234567890" });
    expect(await actions.link(target, { kind: "paste", value: "tok-1234567890" })).toBe(false);
    expect(fake.createMigrationLink.mock.calls[0]?.[0]).toMatchObject({ source: { kind: "paste", value: "tok-1234567890" } });
    expect(fake.createMigrationLink).toHaveBeenCalledTimes(1);
    answer.resolve({ outcome: { status: "SYNCED" }, entry: null });
    expect(await first).toBe(true);
    expect(state.inFlight.value.size).toBe(0);

    fake.createMigrationLink.mockRejectedValue(error("expired"));
    expect(await actions.link(target, { kind: "paste", value: "tok-expired-0000" })).toBe(false);
    expect(state.stateOf("p1", A)?.error?.message).toBe("expired");
  });
});

describe("batches", () => {
  beforeEach(() => {
    state.currentId.value = "p1";
    state.orgList.value = { profileId: "p1", orgs: [{ id: A, name: "A" }, { id: B, name: "B" }, { id: C, name: "C" }], error: null, loading: false, warnings: [] };
  });

  it("applies a CSV whole or not at all", async () => {
    expect(await actions.applyCsv(`org,token\n${A},tok-a-123456\nbad,tok-b`)).toBe(false);
    expect(state.batchTokens.value.size).toBe(0);
    expect(state.csvProblems.value).toEqual(["line 3: not an id"]);
    expect(await actions.applyCsv(`org,token\n${A},tok-a-123456\n${B},tok-b-123456`)).toBe(true);
    expect([...state.checked.value].sort()).toEqual([A, B]);
    expect(state.batchTokens.value.get(B)).toBe("tok-b-123456");
    expect(state.csvProblems.value).toEqual([]);
  });

  it("links the checked rows, forgets linked tokens, keeps failed ones, and retries only the failed", async () => {
    await actions.applyCsv(`org,token\n${A},tok-a-123456\n${B},tok-b-expired\n${C},tok-c-123456`);
    fake.linkBatch.mockImplementationOnce(async (req: BatchLinkRequest, onEvent: (e: BatchEvent) => void) => {
      expect(req.items.map((i) => [i.org, i.source])).toEqual([
        [A, { kind: "paste", value: "tok-a-123456" }],
        [B, { kind: "paste", value: "tok-b-expired" }],
        [C, { kind: "paste", value: "tok-c-123456" }],
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
      expect(req.items.map((i) => [i.org, i.source])).toEqual([
        [B, { kind: "paste", value: "tok-b-fresh-99" }],
        [C, { kind: "reuse", value: "h-old" }],
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
    expect((await checkField("linkToken", "bad\u0007token")).ok).toBe(false);
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

// ── Atlas ─────────────────────────────────────────────────────────────────────────────────────

const ATLAS_1 = "1".repeat(24);
const ATLAS_2 = "2".repeat(24);
const connection: AtlasConnection = {
  id: "atlas-conn",
  name: "Atlas prod",
  url: "https://cloud.mongodb.com",
  auth: "ServiceAccount",
  user: "mdb_sa_id_x",
  tls: { caFile: null, skipVerify: false },
  timeoutSecs: 30,
  hasSecret: true,
  sandbox: false,
};
const withAtlas = (id: string, org: string | null = null, accessListIps: string[] = []): Profile => ({
  ...profile(id),
  atlas: { connection: connection.id, org, orgName: null, accessListIps },
});
const atlasReady = (p: Profile) => {
  state.profiles.value = [p, profile("p2")];
  state.currentId.value = p.id;
  state.atlasConnections.value = [connection];
  state.atlasOrgs.value = new Map([[connection.id, { value: [{ id: ATLAS_1, name: "Atlas One" }, { id: ATLAS_2, name: "Atlas Two" }], error: null, loading: false }]]);
};
const entry = (id: string, orgId: string, atlasOrg: string): HistoryEntry => ({
  id,
  at: "2026-11-03T00:00:00Z",
  profileId: "p1",
  profileName: "p1",
  orgId,
  orgName: "A",
  tokenMask: "abcd…wxyz",
  tokenFingerprint: "f",
  outcome: { result: "linked", status: "SYNCED" },
  hasToken: true,
  generatedIn: { orgId: atlasOrg, orgName: "Atlas Two" },
});

describe("Atlas choices", () => {
  it("offers the session's pick, else the profile's saved Atlas organization, else the first", () => {
    atlasReady(withAtlas("p1", ATLAS_2, ["203.0.113.7", "198.51.100.1"]));
    const p = state.current.value;
    expect(state.chosenAtlasOrg(p)?.id).toBe(ATLAS_2);
    expect(state.accessListText(p)).toBe("203.0.113.7, 198.51.100.1");
    actions.setAtlasChoice("p1", { org: ATLAS_1 });
    expect(state.chosenAtlasOrg(state.current.value)?.id).toBe(ATLAS_1);
    expect(state.accessListText(state.current.value)).toBe("203.0.113.7, 198.51.100.1");
    actions.setAtlasChoice("p1", { org: "f".repeat(24) });
    expect(state.chosenAtlasOrg(state.current.value)?.id).toBe(ATLAS_2);
    state.profiles.value = [withAtlas("p1"), profile("p2")];
    expect(state.chosenAtlasOrg(state.current.value)?.id).toBe(ATLAS_1);
    // A profile whose connection is gone has no Atlas side.
    state.atlasConnections.value = [];
    expect(state.atlasOf(state.current.value)).toBeNull();
  });

  it("lists an Atlas connection's organizations once, and again when asked", async () => {
    fake.listAtlasOrgs.mockResolvedValue([{ id: ATLAS_1, name: "Atlas One" }]);
    expect(await actions.loadAtlasOrgs(connection.id)).toBeNull();
    expect(await actions.loadAtlasOrgs(connection.id)).toBeNull();
    expect(fake.listAtlasOrgs).toHaveBeenCalledTimes(1);
    fake.listAtlasOrgs.mockRejectedValueOnce(error("Could not sign in to Atlas with the service account"));
    expect((await actions.testAtlas(connection.id))?.message).toContain("Atlas");
    expect(state.atlasOrgs.value.get(connection.id)).toMatchObject({ value: null, loading: false });
    fake.listAtlasOrgs.mockResolvedValueOnce([{ id: ATLAS_1, name: "Atlas One" }, { id: ATLAS_2, name: "Atlas Two" }]);
    expect(await actions.testAtlas(connection.id)).toBeNull();
    expect(state.notice.value?.text).toContain("2 Atlas organizations visible");
  });
});

describe("Generate & link", () => {
  const target = { profileId: "p1", id: A, name: "A" };
  const mint = { org: ATLAS_2, orgName: "Atlas Two", accessListIps: ["203.0.113.7"] };

  it("sends the Atlas target (never a token), records the entry and shows SYNCED", async () => {
    atlasReady(withAtlas("p1"));
    const answer = deferred<unknown>();
    fake.createMigrationLink.mockReturnValue(answer.promise);
    const e = entry("h-gen", A, ATLAS_2);
    fake.listHistory.mockImplementation(async () => [e]);
    const pending = actions.generateAndLink(target, mint);
    const key = state.orgKey("p1", A);
    expect(state.generating.value.has(key)).toBe(true);
    expect(state.inFlight.value.has(key)).toBe(true);
    // A second click while it runs sends nothing.
    expect(await actions.generateAndLink(target, mint)).toBe(false);
    expect(fake.createMigrationLink).toHaveBeenCalledTimes(1);
    const request = fake.createMigrationLink.mock.calls[0]?.[0] as LinkRequest;
    expect(request).toMatchObject({ profileId: "p1", orgId: A, orgName: "A", source: { kind: "mint", value: mint } });
    expect(JSON.stringify(request)).not.toMatch(/"token"/);
    answer.resolve({ outcome: { status: "SYNCED", serverVersion: null }, entry: e });
    expect(await pending).toBe(true);
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "SYNCED" });
    expect(state.history.value.map((h) => h.id)).toEqual(["h-gen"]);
    expect(state.history.value[0]?.generatedIn?.orgId).toBe(ATLAS_2);
    expect(state.generating.value.size).toBe(0);
    expect(state.inFlight.value.size).toBe(0);
    expect(state.notice.value).toMatchObject({ tone: "ok", text: expect.stringContaining("Atlas Two") });
    // Rust remembered the Atlas organization in the profile: the profiles are read again, and
    // what Atlas can now migrate is read.
    expect(fake.listProfiles).toHaveBeenCalled();
    expect(fake.availableProjects).toHaveBeenCalledWith("p1", ATLAS_2);
  });

  it("keeps what was chosen and shows the error when a side fails", async () => {
    atlasReady(withAtlas("p1"));
    actions.setAtlasChoice("p1", { org: ATLAS_2, accessList: "203.0.113.7" });
    fake.createMigrationLink.mockRejectedValue(error("Could not create a link token in Atlas: permission denied"));
    expect(await actions.generateAndLink(target, mint)).toBe(false);
    expect(state.stateOf("p1", A)?.error?.message).toContain("in Atlas");
    expect(state.atlasChoices.value.get("p1")).toEqual({ org: ATLAS_2, accessList: "203.0.113.7" });
    expect(state.generating.value.size).toBe(0);
    expect(state.inFlight.value.size).toBe(0);
    expect(fake.availableProjects).not.toHaveBeenCalled();
    expect(state.history.value).toEqual([]);
  });
});

describe("batches in Atlas mode", () => {
  beforeEach(() => {
    atlasReady(withAtlas("p1", ATLAS_1, ["203.0.113.7"]));
    state.orgList.value = { profileId: "p1", orgs: [{ id: A, name: "A" }, { id: B, name: "B" }, { id: C, name: "C" }], error: null, loading: false, warnings: [] };
    state.checked.value = new Set([A, B, C]);
    state.batchMode.value = "atlas";
  });

  it("generates a token for every row (its own Atlas organization or the batch's), and retries only the failed", async () => {
    actions.setRowAtlasOrg(B, ATLAS_2);
    // A token typed in token mode is never sent in Atlas mode.
    actions.setBatchToken(C, "tok-c-123456");
    expect(actions.tokenSourceOf("p1", A)).toBe("atlas");
    fake.linkBatch.mockImplementationOnce(async (req: BatchLinkRequest, onEvent: (e: BatchEvent) => void) => {
      // Minting first: no events yet, the panel says so.
      expect(state.batchRun.value).toMatchObject({ running: true, minting: true, done: 0 });
      const mint = (i: BatchLinkRequest["items"][number]) => (i.source.kind === "mint" ? i.source.value : null);
      expect(req.items.map((i) => [i.org, i.source.kind, mint(i)?.org, mint(i)?.accessListIps])).toEqual([
        [A, "mint", ATLAS_1, ["203.0.113.7"]],
        [B, "mint", ATLAS_2, ["203.0.113.7"]],
        [C, "mint", ATLAS_1, ["203.0.113.7"]],
      ]);
      expect(req.items[1] && mint(req.items[1])?.orgName).toBe("Atlas Two");
      const results = [
        { org: A, name: "A", outcome: { result: "linked" as const, status: "SYNCED" } },
        { org: B, name: "B", outcome: { result: "failed" as const, error: error("Could not create a link token in Atlas") } },
        { org: C, name: "C", outcome: { result: "alreadyLinked" as const } },
      ];
      results.forEach((r, i) => onEvent({ done: i + 1, total: 3, result: r }));
      return { results, stopped: null, cancelled: false, failed: 1 };
    });
    await actions.linkChecked();
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "SYNCED" });
    expect(state.stateOf("p1", B)?.error?.message).toContain("in Atlas");
    expect(actions.failedOfLastRun()).toEqual([B]);
    expect(fake.listProfiles).toHaveBeenCalled();

    fake.linkBatch.mockImplementationOnce(async (req: BatchLinkRequest) => {
      expect(req.items.map((i) => [i.org, i.source.kind === "mint" ? i.source.value.org : null])).toEqual([[B, ATLAS_2]]);
      return { results: [{ org: B, name: "B", outcome: { result: "linked" as const, status: "SYNCED" } }], stopped: null, cancelled: false, failed: 0 };
    });
    await actions.retryFailed();
    expect(fake.linkBatch).toHaveBeenCalledTimes(2);
    expect(actions.failedOfLastRun()).toEqual([]);
  });

  it("sends nothing while the access list is wrong or the Atlas organizations are not listed", async () => {
    actions.setAtlasChoice("p1", { accessList: "203.0.113.7, opsmanager" });
    await actions.linkChecked();
    expect(state.notice.value).toMatchObject({ tone: "error", text: expect.stringContaining("opsmanager") });
    actions.setAtlasChoice("p1", null);
    state.atlasOrgs.value = new Map();
    await actions.linkChecked();
    expect(fake.linkBatch).not.toHaveBeenCalled();
  });

  it("is token mode again for a profile without an Atlas connection", () => {
    state.atlasConnections.value = [];
    expect(actions.batchAtlasMode()).toBe(false);
    expect(actions.tokenSourceOf("p1", A)).toBeNull();
  });
});

describe("revoking an Atlas link token", () => {
  const org = { profileId: "p1", id: A, name: "A" };
  const atlasOrg = { id: ATLAS_1, name: "Atlas One" };

  it("asks first and does nothing on Cancel", async () => {
    atlasReady(withAtlas("p1"));
    const pending = actions.revokeToken(org, atlasOrg);
    expect(state.confirmation.value?.text).toContain("Revoke the link token of Atlas organization Atlas One?");
    expect(state.confirmation.value?.yes).toBe("Revoke");
    state.confirmation.value?.resolve(false);
    await pending;
    expect(fake.revokeLinkToken).not.toHaveBeenCalled();
  });

  it("revokes on yes, then reads the status again and forgets the projects", async () => {
    atlasReady(withAtlas("p1"));
    state.availableProjects.value = new Map([[state.orgKey("p1", ATLAS_1), { value: [], error: null, loading: false }]]);
    fake.getLinkStatus.mockResolvedValue({ status: "NO_LINK", serverVersion: null });
    const pending = actions.revokeToken(org, atlasOrg);
    state.confirmation.value?.resolve(true);
    await pending;
    expect(fake.revokeLinkToken).toHaveBeenCalledWith("p1", ATLAS_1);
    expect(state.notice.value?.tone).toBe("ok");
    expect(state.stateOf("p1", A)?.badge).toEqual({ state: "status", status: "NO_LINK" });
    expect(state.availableProjects.value.size).toBe(0);
  });
});

describe("preflight", () => {
  it("is read once per organization of a profile, and again when asked", async () => {
    fake.preflight.mockResolvedValue([{ projectId: "p", name: "Payments", versions: ["5.0.9"], verdict: "deprecated", message: "Deprecated." }]);
    await actions.loadPreflight("p1", A);
    await actions.loadPreflight("p1", A);
    await actions.loadPreflight("p2", A);
    expect(fake.preflight).toHaveBeenCalledTimes(2);
    expect(state.preflights.value.get(state.orgKey("p1", A))?.value?.[0]?.verdict).toBe("deprecated");
    fake.preflight.mockRejectedValueOnce(error("refused"));
    expect((await actions.loadPreflight("p1", A, true))?.message).toBe("refused");
    expect(state.preflights.value.get(state.orgKey("p1", A))).toMatchObject({ value: null, loading: false });
  });
});
