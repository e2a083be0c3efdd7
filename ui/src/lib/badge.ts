// One mapping from a link state or an error kind to a badge: a tone (colour) and always a
// text label, so colour is never the only signal.

import type { ErrorKind } from "../bindings/ErrorKind";
import { ERROR_KIND_LABELS } from "../bindings/constants";

export type Tone = "ok" | "warn" | "info" | "busy" | "error" | "neutral";

export interface Badge {
  tone: Tone;
  label: string;
  /** A longer explanation for the tooltip and screen readers. */
  title: string;
}

export type BadgeState =
  | { state: "status"; status: string | null }
  | { state: "inProgress"; what: string }
  | { state: "error"; kind: ErrorKind; errorCode?: string | null }
  | { state: "unknown" };


export function badgeFor(s: BadgeState): Badge {
  switch (s.state) {
    case "inProgress":
      return { tone: "busy", label: s.what, title: `${s.what}…` };
    case "unknown":
      return { tone: "neutral", label: "Not checked", title: "The status has not been read yet." };
    case "error": {
      const label = ERROR_KIND_LABELS[s.kind] ?? s.kind;
      const tone: Tone = s.kind === "Cancelled" ? "neutral" : s.kind === "RateLimited" ? "warn" : "error";
      return { tone, label, title: s.errorCode ? `${label} (${s.errorCode})` : label };
    }
    case "status":
      switch (s.status) {
        case "SYNCED":
          return { tone: "ok", label: "Linked · SYNCED", title: "The organization is linked to Atlas." };
        case "NOT_SYNCED":
          return { tone: "warn", label: "Not synced", title: "No working link to Atlas." };
        case "NO_LINK":
          return { tone: "neutral", label: "Not linked", title: "This organization has no link to Atlas." };
        case null:
          return { tone: "info", label: "Linked (no status)", title: "The server accepted the link without a status." };
        default:
          return { tone: "info", label: `Status: ${s.status}`, title: `The server reported “${s.status}”, which omlink does not know.` };
      }
  }
}
