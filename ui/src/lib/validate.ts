// Validation as the person types. The Rust core validates again before any request; these
// rules mirror it so mistakes show at once.
import { MAX_LINK_TOKEN_LEN } from "../bindings/constants";

export type Check = { ok: true; value: string } | { ok: false; message: string };

/** An organization id: 24 hexadecimal characters, trimmed, lower-cased. */
export function checkOrgId(raw: string): Check {
  const value = raw.trim();
  if (value === "") return { ok: false, message: "Enter the organization id." };
  const bad = [...value].find((c) => !/[0-9a-fA-F]/.test(c));
  if (bad !== undefined) return { ok: false, message: `“${bad}” is not a hexadecimal digit.` };
  if (value.length !== 24)
    return { ok: false, message: `${value.length} of 24 characters.` };
  return { ok: true, value: value.toLowerCase() };
}

/** The longest link token accepted (from omlink::MAX_LINK_TOKEN_LEN). */
export { MAX_LINK_TOKEN_LEN };

/** A link token: trimmed, non-empty, bounded, one line. Its format is not checked. */
export function checkToken(raw: string): Check {
  const value = raw.trim();
  if (value === "") return { ok: false, message: "Paste the link token generated in Atlas." };
  if (/[\u0000-\u001f\u007f]/.test(value))
    return { ok: false, message: "The token contains a line break or control character." };
  if (new TextEncoder().encode(value).length > MAX_LINK_TOKEN_LEN)
    return { ok: false, message: `The token is longer than ${MAX_LINK_TOKEN_LEN} bytes.` };
  return { ok: true, value };
}

/** A server URL, as the core accepts it (scheme required, http/https only). */
export function checkUrl(raw: string): Check {
  const value = raw.trim();
  if (value === "") return { ok: false, message: "Enter the Ops Manager URL." };
  if (!value.includes("://"))
    return { ok: false, message: "Start the URL with https:// (or http:// for a lab)." };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: "This is not a valid URL." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { ok: false, message: "Only https:// and http:// work." };
  if (url.hostname === "") return { ok: false, message: "The URL has no host." };
  return { ok: true, value };
}

/** An IPv4 address in dotted decimal, as Rust's `Ipv4Addr` parses it (no leading zeros): its
 * four bytes, or null. */
function parseIpv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** An IPv6 address (`::` once at most, an IPv4 tail allowed), without brackets or zone: its
 * eight 16-bit groups, or null. */
function parseIpv6(s: string): number[] | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string): string[] => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const words = (parts: string[], last: boolean): number[] | null => {
    const out: number[] = [];
    for (const [i, g] of parts.entries()) {
      if (last && i === parts.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g); // an IPv4 tail is two groups
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return null;
    }
    return out;
  };
  const h = words(head, halves.length === 1);
  const t = words(tail, true);
  if (!h || !t) return null;
  if (halves.length === 1) return h.length === 8 ? h : null;
  const count = h.length + t.length;
  return count <= 7 ? [...h, ...new Array<number>(8 - count).fill(0), ...t] : null;
}

/** IPv6 groups written as Rust's `Ipv6Addr` displays them: lower-case hex, the first longest
 * run of two or more zero groups as `::`, an IPv4-mapped address with a dotted tail. */
function formatIpv6(g: number[]): string {
  const [a = 0, b = 0] = g.slice(6);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return `::ffff:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  let best = { at: 0, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  return best.len > 1 ? `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.len))}` : hex(g);
}

/** Keeps the first `prefix` bits of `units` (each `width` bits wide), zeroing the rest. */
function network(units: number[], width: number, prefix: number): number[] {
  return units.map((u, i) => {
    const keep = Math.min(Math.max(prefix - i * width, 0), width);
    return u & (((1 << width) - 1) ^ ((1 << (width - keep)) - 1));
  });
}

/** One access-list entry as the Rust core checks it (`AccessListEntry::parse`): an IPv4 or
 * IPv6 address, or a CIDR block `addr/prefix` (decimal prefix up to 32 or 128, no sign or
 * leading zero) given by its network address. The message names the entry. */
function checkAccessListEntry(entry: string): string | null {
  const slash = entry.indexOf("/");
  const addr = slash < 0 ? entry : entry.slice(0, slash);
  const prefixText = slash < 0 ? null : entry.slice(slash + 1);
  const v4 = parseIpv4(addr);
  const v6 = v4 ? null : parseIpv6(addr);
  if ((!v4 && !v6) || (prefixText !== null && !/^(0|[1-9][0-9]*)$/.test(prefixText)))
    return `“${entry}” is not an IP address or CIDR block: give the source's external address, such as 203.0.113.7 or 198.51.100.0/24.`;
  if (prefixText === null) return null;
  const prefix = Number(prefixText);
  const max = v4 ? 32 : 128;
  if (prefix > max)
    return `“${entry}” has a prefix longer than ${max} bits: an ${v4 ? "IPv4" : "IPv6"} block's prefix is 0 to ${max}, such as ${v4 ? "198.51.100.0/24" : "2001:db8::/32"}.`;
  const units = v4 ?? v6 ?? [];
  const net = network(units, v4 ? 8 : 16, prefix);
  if (net.every((u, i) => u === units[i])) return null;
  const meant = `${v4 ? net.join(".") : formatIpv6(net)}/${prefix}`;
  return `“${entry}” is not a CIDR block: its host bits are set. Did you mean ${meant}?`;
}

export type AccessListCheck = { ok: true; value: string[] } | { ok: false; message: string };

/** The source's addresses for a minted token's access list: IPv4 or IPv6 addresses or CIDR
 * blocks (such as 198.51.100.0/24), separated by commas or spaces. Empty is fine (Cloud Manager
 * needs none); duplicates are dropped. */
export function checkAccessList(raw: string): AccessListCheck {
  const items = raw.split(/[\s,;]+/).filter((s) => s !== "");
  const value: string[] = [];
  for (const entry of items) {
    const message = checkAccessListEntry(entry);
    if (message !== null) return { ok: false, message };
    if (!value.includes(entry)) value.push(entry);
  }
  return { ok: true, value };
}

/** The scheme, host and port of a URL (what a saved secret is bound to); the text itself when
 * it does not parse. */
export function originOf(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return url.trim();
  }
}
