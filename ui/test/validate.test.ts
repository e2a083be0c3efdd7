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
  });
  it("accepts IPv4 and IPv6 CIDR blocks", () => {
    for (const block of ["198.51.100.0/24", "203.0.113.7/32", "0.0.0.0/0", "10.0.0.0/8", "2001:db8::/32", "2001:db8::7/128", "::/0", "::ffff:192.0.2.0/120"])
      expect(checkAccessList(block), block).toEqual({ ok: true, value: [block] });
    expect(checkAccessList("203.0.113.7, 198.51.100.0/24 2001:db8::/32")).toEqual({
      ok: true,
      value: ["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"],
    });
  });
  it("refuses a block with host bits set, naming the block meant", () => {
    for (const [bad, meant] of [
      ["198.51.100.7/24", "198.51.100.0/24"],
      ["10.1.2.3/8", "10.0.0.0/8"],
      ["203.0.113.7/0", "0.0.0.0/0"],
      ["2001:db8::1/32", "2001:db8::/32"],
      ["2001:DB8:abcd:12::1/60", "2001:db8:abcd:10::/60"],
      ["2001:db8:0:1:1:0:0:1/80", "2001:db8:0:1:1::/80"],
      ["::ffff:192.0.2.7/120", "::ffff:192.0.2.0/120"],
    ] as const) {
      const check = checkAccessList(`203.0.113.7 ${bad}`);
      expect(check.ok, bad).toBe(false);
      if (!check.ok) {
        expect(check.message).toContain(`“${bad}”`);
        expect(check.message).toContain("host bits are set");
        expect(check.message).toContain(`Did you mean ${meant}?`);
      }
    }
  });
  it("refuses a prefix longer than the address", () => {
    for (const [bad, max] of [["198.51.100.0/33", "32"], ["198.51.100.0/256", "32"], ["2001:db8::/129", "128"]] as const) {
      const check = checkAccessList(bad);
      expect(check.ok, bad).toBe(false);
      if (!check.ok) expect(check.message).toContain(`“${bad}” has a prefix longer than ${max} bits`);
    }
  });
  it("refuses malformed blocks as not an address or block", () => {
    for (const bad of ["198.51.100.0/", "/24", "198.51.100.0/+24", "198.51.100.0/024", "198.51.100.0/24/8", "198.51.100.0/2a", "1.2.3.4::/64", "opsmanager.example.com/24"]) {
      const check = checkAccessList(bad);
      expect(check.ok, bad).toBe(false);
      if (!check.ok) expect(check.message).toContain(`“${bad}” is not an IP address or CIDR block`);
    }
  });
});
