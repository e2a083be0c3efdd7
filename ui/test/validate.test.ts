import { describe, expect, it } from "vitest";
import { checkAccessList, checkOrgId, checkToken, checkUrl, MAX_LINK_TOKEN_LEN } from "../src/lib/validate";

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

describe("checkAccessList", () => {
  it("accepts nothing (Cloud Manager needs no address)", () => {
    expect(checkAccessList("")).toEqual({ ok: true, value: [] });
    expect(checkAccessList("  , ")).toEqual({ ok: true, value: [] });
  });
  it("splits on commas and spaces, and drops duplicates", () => {
    expect(checkAccessList("203.0.113.7, 198.51.100.1  2001:db8::7,203.0.113.7")).toEqual({
      ok: true,
      value: ["203.0.113.7", "198.51.100.1", "2001:db8::7"],
    });
  });
  it("accepts the IPv6 forms Rust parses", () => {
    for (const ip of ["::1", "::", "fe80::1:2", "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33"])
      expect(checkAccessList(ip), ip).toEqual({ ok: true, value: [ip] });
  });
  it("names the first entry that is not an address", () => {
    for (const bad of ["203.0.113", "203.0.113.256", "203.0.113.07", "opsmanager.example.com", "2001:db8::7::1", "1:2:3:4:5:6:7:8:9", "12345::1", "[::1]"]) {
      const check = checkAccessList(`198.51.100.1, ${bad}`);
      expect(check.ok, bad).toBe(false);
      if (!check.ok) expect(check.message).toContain(`“${bad}”`);
    }
    expect(checkAccessList("203.0.113.0/24")).toMatchObject({ ok: false, message: expect.stringContaining("range") });
  });
});
