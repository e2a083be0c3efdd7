import { describe, expect, it } from "vitest";
import { checkOrgId, checkToken, checkUrl, MAX_LINK_TOKEN_LEN } from "../src/lib/validate";

describe("checkOrgId", () => {
  it("accepts 24 hex characters, trimmed and lower-cased", () => {
    expect(checkOrgId("  5F1E2D3C4B5A697887766554 ")).toEqual({ ok: true, value: "5f1e2d3c4b5a697887766554" });
  });
  it("says what is wrong as the person types", () => {
    expect(checkOrgId("")).toMatchObject({ ok: false });
    expect(checkOrgId("5f1e")).toEqual({ ok: false, message: "4 of 24 characters." });
    expect(checkOrgId("5f1e2d3c4b5a69788776655g")).toEqual({ ok: false, message: "“g” is not a hexadecimal digit." });
    expect(checkOrgId("5f1e2d3c4b5a6978877665541")).toMatchObject({ ok: false });
  });
});

describe("checkToken", () => {
  it("trims and accepts any single-line text", () => {
    expect(checkToken("\n eyJabc \t")).toEqual({ ok: true, value: "eyJabc" });
  });
  it("rejects empty, multi-line and overlong tokens", () => {
    expect(checkToken("   ").ok).toBe(false);
    expect(checkToken("abc\ndef").ok).toBe(false);
    expect(checkToken("a".repeat(MAX_LINK_TOKEN_LEN)).ok).toBe(true);
    expect(checkToken("a".repeat(MAX_LINK_TOKEN_LEN + 1)).ok).toBe(false);
  });
});

describe("checkUrl", () => {
  it("needs a scheme and a host", () => {
    expect(checkUrl("https://om.example.com:8443/").ok).toBe(true);
    expect(checkUrl("http://10.0.0.5:8080").ok).toBe(true);
    expect(checkUrl("om.example.com:8443")).toMatchObject({ ok: false });
    expect(checkUrl("ftp://om.example.com").ok).toBe(false);
    expect(checkUrl("").ok).toBe(false);
  });
});
