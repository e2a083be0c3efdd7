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

/** An IPv4 address in dotted decimal, as Rust's `Ipv4Addr` parses it (no leading zeros). */
function isIpv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** An IPv6 address (`::` once at most, an IPv4 tail allowed), without brackets or zone. */
function isIpv6(s: string): boolean {
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | null => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes(".")) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1; // an IPv4 tail is two groups
  }
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export type AccessListCheck = { ok: true; value: string[] } | { ok: false; message: string };

/** The source's addresses for a minted token's access list: IPv4 or IPv6 addresses separated by
 * commas or spaces. Empty is fine (Cloud Manager needs none); duplicates are dropped. */
export function checkAccessList(raw: string): AccessListCheck {
  const items = raw.split(/[\s,;]+/).filter((s) => s !== "");
  const value: string[] = [];
  for (const ip of items) {
    if (!isIpv4(ip) && !isIpv6(ip))
      return {
        ok: false,
        message: /\/\d+$/.test(ip)
          ? `“${ip}” is a range: give single addresses, such as 203.0.113.7.`
          : `“${ip}” is not an IP address: give the source's external address, such as 203.0.113.7.`,
      };
    if (!value.includes(ip)) value.push(ip);
  }
  return { ok: true, value };
}
