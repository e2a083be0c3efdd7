// The caches of things read from a server (Atlas organizations, projects, preflights): one
// request per entry at a time, and only the newest answer kept.

import type { Signal } from "@preact/signals";
import { asOmlinkError, type OmlinkError } from "../api";
import type { Loaded } from "../state";

/** Requests per cache entry: only the newest answer is kept (an older one arriving late, or
 * one for settings changed meanwhile, is dropped). */
const tickets = new Map<string, number>();

function setLoaded<T>(cache: Signal<ReadonlyMap<string, Loaded<T>>>, key: string, entry: Loaded<T> | null): void {
  const next = new Map(cache.value);
  if (entry) next.set(key, entry);
  else next.delete(key);
  cache.value = next;
}

/** Reads a value into a cache unless it is there, loading or failed already (`force` reads
 * again); resolves to the error, or null. */
export async function loadInto<T>(
  label: string,
  cache: Signal<ReadonlyMap<string, Loaded<T>>>,
  key: string,
  read: () => Promise<T>,
  force: boolean,
): Promise<OmlinkError | null> {
  const had = cache.value.get(key);
  if (had && !force) return had.error;
  const ticket = `${label}|${key}`;
  const mine = (tickets.get(ticket) ?? 0) + 1;
  tickets.set(ticket, mine);
  setLoaded(cache, key, { value: had?.value ?? null, error: null, loading: true });
  try {
    const value = await read();
    if (tickets.get(ticket) === mine) setLoaded(cache, key, { value, error: null, loading: false });
    return null;
  } catch (e) {
    const error = asOmlinkError(e);
    if (tickets.get(ticket) === mine) setLoaded(cache, key, { value: null, error, loading: false });
    return error;
  }
}

export function forget<T>(label: string, cache: Signal<ReadonlyMap<string, Loaded<T>>>, key: string): void {
  const ticket = `${label}|${key}`;
  tickets.set(ticket, (tickets.get(ticket) ?? 0) + 1);
  if (cache.value.has(key)) setLoaded(cache, key, null);
}
