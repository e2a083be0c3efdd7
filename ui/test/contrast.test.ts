// WCAG AA (4.5:1) for every text/background pair the stylesheet uses, in the light theme and in
// the dark one (prefers-color-scheme), computed from the variables in src/style.css. axe-core
// checks the light theme in the window; this covers both.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../src/style.css", import.meta.url), "utf8");

function variables(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)) out[m[1] as string] = m[2] as string;
  return out;
}
const light = variables(css.slice(0, css.indexOf("@media (prefers-color-scheme: dark)")));
const dark = { ...light, ...variables(css.slice(css.indexOf("@media (prefers-color-scheme: dark)"), css.indexOf("* { box-sizing"))) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

// [text, background] as the stylesheet pairs them.
const PAIRS: Array<[string, string]> = [
  ["text", "bg"],
  ["text", "surface"],
  ["text", "red-bg"],
  ["text", "green-bg"],
  ["text", "blue-bg"],
  ["text", "row-hover"],
  ["grey", "surface"],
  ["grey", "bg"],
  ["grey", "grey-bg"],
  ["grey", "blue-bg"],
  ["grey", "green-bg"],
  ["green", "green-bg"],
  ["green", "surface"],
  ["amber", "amber-bg"],
  ["amber", "surface"],
  ["red", "red-bg"],
  ["red", "surface"],
  ["blue", "blue-bg"],
  ["on-primary", "primary"],
  ["on-topbar", "topbar"],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("the %s theme", (_, vars) => {
  it.each(PAIRS)("%s on %s meets WCAG AA", (fg, bg) => {
    const a = vars[fg];
    const b = vars[bg];
    expect(a, `--${fg}`).toMatch(/^#/);
    expect(b, `--${bg}`).toMatch(/^#/);
    expect(contrast(a as string, b as string)).toBeGreaterThanOrEqual(4.5);
  });
});

it("computes known ratios", () => {
  expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
});
