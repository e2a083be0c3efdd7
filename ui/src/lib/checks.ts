// Validation as the person types, by the core's own rules (omlink::check_field): the window
// keeps no copy of them. Verdicts are kept in a small signal-backed cache so a view can ask
// while it renders and re-render when the answer arrives.
import { signal } from "@preact/signals";
import { api, asOmlinkError } from "../api";
import type { Field } from "../bindings/Field";
import type { FieldCheck } from "../bindings/FieldCheck";

/** The core's verdict: the value it will use (empty for a link token, which never comes back)
 * and how to show it; or what is wrong and what to do. */
export type Check = { ok: true; value: string; values: string[]; shown: string } | { ok: false; message: string; hint: string };

const LIMIT = 256;
const known = signal<ReadonlyMap<string, Check>>(new Map());
const asking = new Set<string>();

/** The cache key. A token's text is not kept even here: it is folded into two 32-bit FNV-1a
 * hashes (a collision would only show the wrong verdict; the core checks again on send). */
function keyOf(field: Field, text: string): string {
  if (field !== "linkToken") return `${field}\u0000${text}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${field}\u0000${a.toString(16)}.${b.toString(16)}.${text.length}`;
}

function toCheck(c: FieldCheck): Check {
  return c.state === "valid" ? { ok: true, value: c.value, values: c.values, shown: c.shown } : { ok: false, message: c.message, hint: c.hint };
}

function remember(key: string, check: Check): void {
  const next = new Map(known.peek());
  next.set(key, check);
  for (const old of next.keys()) {
    if (next.size <= LIMIT) break;
    next.delete(old);
  }
  known.value = next;
}

/** Asks the core (or the cache). An IPC failure is a verdict too, but is not remembered. */
export async function checkField(field: Field, text: string): Promise<Check> {
  const key = keyOf(field, text);
  const hit = known.peek().get(key);
  if (hit) return hit;
  try {
    const check = toCheck(await api.checkField(field, text));
    remember(key, check);
    return check;
  } catch (e) {
    const error = asOmlinkError(e);
    return { ok: false, message: error.message, hint: error.hint };
  }
}

/** The verdict if known, else null while the core is asked; a view that calls this during
 * render renders again when the answer arrives. */
export function checkNow(field: Field, text: string): Check | null {
  const key = keyOf(field, text);
  const hit = known.value.get(key);
  if (hit) return hit;
  if (!asking.has(key)) {
    asking.add(key);
    void checkField(field, text).finally(() => asking.delete(key));
  }
  return null;
}
