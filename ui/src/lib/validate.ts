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
