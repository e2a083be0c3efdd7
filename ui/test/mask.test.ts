import { describe, expect, it } from "vitest";
import { maskToken } from "../src/lib/mask";

describe("maskToken", () => {
  it("shows the first and last four characters only", () => {
    const token = "eyJsaW5rIjoidG9rZW4ifQ-SECRET-MIDDLE-9f8e";
    const masked = maskToken(token);
    expect(masked).toBe("eyJs…9f8e");
    expect(masked).not.toContain("SECRET");
  });
  it("shows only the length of a short token", () => {
    expect(maskToken("0123456789ab")).toBe("•••• (12 characters)");
  });
  it("counts characters, not bytes, like the Rust core", () => {
    expect(maskToken("ééééxxxxxxxxxßßßß")).toBe("éééé…ßßßß");
  });
});
