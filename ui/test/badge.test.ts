import { describe, expect, it } from "vitest";
import { badgeFor } from "../src/lib/badge";
import type { ErrorKind } from "../src/bindings/ErrorKind";

describe("badgeFor", () => {
  it("maps link states to tone and text", () => {
    expect(badgeFor({ state: "status", status: "SYNCED" })).toMatchObject({ tone: "ok", label: "Linked · SYNCED" });
    expect(badgeFor({ state: "status", status: "NOT_SYNCED" })).toMatchObject({ tone: "warn", label: "Not synced" });
    expect(badgeFor({ state: "status", status: "NO_LINK" })).toMatchObject({ tone: "neutral", label: "Not linked" });
    expect(badgeFor({ state: "status", status: "PAUSED" })).toMatchObject({ tone: "info", label: "Status: PAUSED" });
    expect(badgeFor({ state: "status", status: null })).toMatchObject({ tone: "info" });
    expect(badgeFor({ state: "inProgress", what: "Linking" })).toMatchObject({ tone: "busy", label: "Linking" });
    expect(badgeFor({ state: "unknown" })).toMatchObject({ tone: "neutral", label: "Not checked" });
  });

  it("gives every error kind its own label, never colour alone", () => {
    const kinds: ErrorKind[] = [
      "InvalidInput", "AuthenticationFailed", "PermissionDenied", "NotFound", "Rejected",
      "RateLimited", "ServerError", "Network", "Tls", "Keychain", "Cancelled",
    ];
    const labels = kinds.map((kind) => badgeFor({ state: "error", kind }).label);
    expect(new Set(labels).size).toBe(kinds.length);
    for (const label of labels) expect(label.length).toBeGreaterThan(3);
    expect(badgeFor({ state: "error", kind: "PermissionDenied", errorCode: "USER_UNAUTHORIZED" }).title).toBe(
      "Permission denied (USER_UNAUTHORIZED)",
    );
    expect(badgeFor({ state: "error", kind: "Cancelled" }).tone).toBe("neutral");
  });
});
