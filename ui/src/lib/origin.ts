// What a saved secret is bound to, for the dialogs' "changing this clears the saved key" note
// (the core does the clearing; this only says so first).

/** The scheme, host and port of a URL; the text itself when it does not parse. */
export function originOf(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return url.trim();
  }
}
