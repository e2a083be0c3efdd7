// Generated from the Rust constants by src-tauri/tests/bindings.rs (`make bindings`).
// Do not edit: change the Rust side.
import type { ErrorKind } from "./ErrorKind";

/** The longest link token accepted, in bytes. */
export const MAX_LINK_TOKEN_LEN = 4096;
/** The longest private API key accepted, in bytes. */
export const MAX_PRIVATE_KEY_LEN = 256;
/** The longest profile name accepted, in characters. */
export const MAX_PROFILE_NAME_LEN = 100;
/** The shortest timeout, in seconds. */
export const MIN_TIMEOUT_SECS = 1;
/** The longest timeout, in seconds. */
export const MAX_TIMEOUT_SECS = 3600;
/** The default timeout, in seconds. */
export const DEFAULT_TIMEOUT_SECS = 30;
/** Cloud Manager's base URL (its Public API is Ops Manager's). */
export const CLOUD_MANAGER_URL = "https://cloud.mongodb.com";
/** Atlas's own address, the default of an Atlas connection. */
export const ATLAS_URL = "https://cloud.mongodb.com";
/** Each error kind's badge label. */
export const ERROR_KIND_LABELS: Record<ErrorKind, string> = {
  InvalidInput: "Invalid input",
  Cancelled: "Cancelled",
  AuthenticationFailed: "Wrong API key",
  PermissionDenied: "Permission denied",
  NotFound: "Not found",
  Rejected: "Rejected",
  Network: "Network error",
  Tls: "TLS error",
  ServerError: "Server error",
  RateLimited: "Rate limited",
  Keychain: "Keychain unavailable",
  Storage: "Storage error",
  Internal: "Internal error",
};
