// omlink's window: profiles, organizations, linking, history and help. Rust does all I/O;
// this file only renders and calls src/api.ts.

import { api, asOmlinkError, type OmlinkError } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import { CLOUD_MANAGER_URL, DEFAULT_TIMEOUT_SECS, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS } from "./bindings/constants";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { Organization } from "./bindings/Organization";
import type { Profile } from "./bindings/Profile";
import type { ProfileDraft } from "./bindings/ProfileDraft";
import { byId, h, replace } from "./dom";
import { badgeFor, type BadgeState } from "./lib/badge";
import { exportFileName, filterHistory, outcomeText } from "./lib/history";
import { maskToken } from "./lib/mask";
import { checkOrgId, checkToken, checkUrl } from "./lib/validate";

interface OrgState {
  badge: BadgeState;
  checkedAt: Date | null;
  error: OmlinkError | null;
}

const state = {
  info: null as AppInfo | null,
  profiles: [] as Profile[],
  current: null as Profile | null,
  creating: false,
  storeWarning: null as string | null,
  orgs: null as Organization[] | null,
  orgsError: null as OmlinkError | null,
  orgsLoading: false,
  warnings: [] as string[],
  orgQuery: "",
  selected: null as { id: string; name: string | null } | null,
  orgStates: new Map<string, OrgState>(),
  inFlight: new Map<string, string>(),
  history: [] as HistoryEntry[],
  historyAll: false,
  historyQuery: "",
  notice: null as { text: string; tone: "ok" | "error" } | null,
};

/** The link-token field of the selected organization (see renderLink). */
let tokenField: HTMLInputElement | null = null;

/** The key of an organization's state: always with its profile, captured before any await, so
 * a late answer is filed under the profile it belongs to. */
const orgKey = (profileId: string, orgId: string) => `${profileId}:${orgId}`;
/** The key for the profile shown now (for rendering only, never after an await). */
const shownKey = (orgId: string) => orgKey(state.current?.id ?? "", orgId);
const errorBadge = (e: OmlinkError): BadgeState => ({ state: "error", kind: e.kind, errorCode: e.errorCode });

// ── Layout ──────────────────────────────────────────────────────────────────────────────────

function layout(): void {
  replace(
    byId("app"),
    h(
      "header",
      { class: "topbar" },
      h("h1", {}, "omlink"),
      h("span", { class: "tagline" }, "Link Ops Manager and Cloud Manager organizations to MongoDB Atlas"),
      h("span", { class: "spacer" }),
      h("button", { id: "about-button", class: "link", onclick: showAbout }, "About"),
    ),
    h("div", { id: "banner" }),
    h(
      "div",
      { class: "columns" },
      h("aside", { id: "profiles", "aria-label": "Connection profiles" }),
      h(
        "main",
        {},
        h("section", { id: "profile-form", class: "card" }),
        h("section", { id: "orgs", class: "card" }),
        h("section", { id: "link", class: "card" }),
        h("section", { id: "history", class: "card" }),
        helpPanel(),
      ),
    ),
    h(
      "dialog",
      { id: "confirm" },
      h("form", { method: "dialog" }, h("p", { id: "confirm-text" }), h(
        "menu",
        {},
        h("button", { value: "cancel", id: "confirm-no" }, "Cancel"),
        h("button", { value: "ok", id: "confirm-yes", class: "danger" }, "Confirm"),
      )),
    ),
    h("dialog", { id: "about" }),
  );
}

function confirmDialog(text: string, yes: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  byId("confirm-text").textContent = text;
  byId("confirm-yes").textContent = yes;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

function showAbout(): void {
  const dialog = byId<HTMLDialogElement>("about");
  const info = state.info;
  replace(
    dialog,
    h("h2", {}, "About omlink"),
    h("p", {}, `Version ${info?.version ?? "?"} (${info?.identifier ?? ""})`),
    h("p", {}, "Profiles and history are saved in ", h("code", {}, info?.storeFile ?? "?"), "."),
    h("p", {}, `Keychain: ${!info ? "?" : info.keychain.state === "available" ? "available" : info.keychain.message}`),
    h("form", { method: "dialog" }, h("button", {}, "Close")),
  );
  dialog.showModal();
}

function renderBanner(): void {
  const items: Node[] = [];
  if (state.storeWarning) items.push(h("div", { class: "banner warn", role: "alert" }, state.storeWarning));
  const keychain = state.info?.keychain;
  if (keychain && keychain.state === "unavailable")
    items.push(
      h("div", { class: "banner warn", role: "alert", id: "keychain-warning" }, `Keychain unavailable: ${keychain.message} — ${keychain.hint}`),
    );
  if (state.notice)
    items.push(h("div", { class: `banner ${state.notice.tone}`, role: "status", id: "notice" }, state.notice.text));
  replace(byId("banner"), ...items);
}

function notify(text: string, tone: "ok" | "error" = "ok"): void {
  state.notice = { text, tone };
  renderBanner();
}

// ── Badges and errors ───────────────────────────────────────────────────────────────────────

function badge(s: BadgeState, at: Date | null = null): HTMLElement {
  const b = badgeFor(s);
  return h(
    "span",
    { class: `badge ${b.tone}`, title: b.title, "data-badge": b.tone },
    h("span", { class: "badge-label" }, b.label),
    at ? h("span", { class: "badge-time" }, ` · checked ${at.toLocaleTimeString()}`) : null,
  );
}

/** The 409 on unlink, said plainly. */
function plainWords(e: OmlinkError): string | null {
  if (e.errorCode === "CANNOT_DELETE_ORG_LINK_WITH_RUNNING_LIVE_EXPORT") {
    const projects = e.parameters.map(String).join(", ");
    return `A live migration from this organization is still running${projects ? ` (project ${projects})` : ""}. Ops Manager keeps the link until that migration finishes or is cancelled in Atlas; then you can unlink.`;
  }
  return null;
}

/** An error with its hint; `retry` adds a "Try again" button (for a locked keychain). */
function errorBox(e: OmlinkError, retry?: () => void): HTMLElement {
  const plain = plainWords(e);
  return h(
    "div",
    { class: "error-box", role: "alert", "data-error-kind": e.kind },
    h("div", {}, badge(errorBadge(e)), " ", h("strong", { class: "error-message" }, e.message)),
    plain ? h("p", { class: "plain" }, plain) : null,
    e.errorCode || e.httpStatus
      ? h("p", { class: "server" }, `Server: ${e.httpStatus ? `HTTP ${e.httpStatus}` : ""}${e.errorCode ? ` · ${e.errorCode}` : ""}`)
      : null,
    e.hint && !plain ? h("p", { class: "hint" }, "What to do: ", e.hint) : null,
    retry ? h("button", { class: "retry", type: "button", onclick: () => retry() }, "Try again") : null,
  );
}

// ── Profiles ────────────────────────────────────────────────────────────────────────────────

function renderProfiles(): void {
  const list = state.profiles.map((p) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          class: `profile ${state.current?.id === p.id ? "active" : ""}`,
          "data-profile": p.name,
          onclick: () => void selectProfile(p),
        },
        h("span", { class: "profile-name" }, p.name),
        h("span", { class: "profile-url" }, p.sandbox ? "built-in sandbox" : p.url),
      ),
    ),
  );
  replace(
    byId("profiles"),
    h("h2", {}, "Profiles"),
    list.length ? h("ul", { class: "profile-list" }, ...list) : h("p", { class: "muted" }, "No profiles yet."),
    h("button", { id: "new-profile", onclick: newProfile }, "New profile"),
    h(
      "button",
      { id: "try-sandbox", class: state.profiles.length ? "" : "primary", onclick: () => void trySandbox() },
      "Try the sandbox",
    ),
    h("p", { class: "muted small" }, "The sandbox is an Ops Manager look-alike inside omlink, with demo organizations and keys."),
  );
}

/** Switches the window to `profile` (null: the new-profile form), forgetting the organization. */
function showProfile(profile: Profile | null): void {
  state.current = profile;
  state.creating = profile === null;
  state.selected = null;
  state.orgs = null;
  state.orgsError = null;
  state.notice = null;
  renderAll();
}

function newProfile(): void {
  showProfile(null);
}

async function trySandbox(): Promise<void> {
  try {
    const profile = await api.startSandbox();
    await reloadProfiles();
    await selectProfile(state.profiles.find((p) => p.id === profile.id) ?? profile);
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
}

async function reloadProfiles(): Promise<void> {
  const view = await api.listProfiles();
  state.profiles = view.profiles;
  state.storeWarning = view.storeWarning;
  if (state.current) state.current = state.profiles.find((p) => p.id === state.current?.id) ?? null;
}

async function selectProfile(p: Profile): Promise<void> {
  showProfile(p);
  try {
    if (p.sandbox) await api.startSandbox();
    await api.selectProfile(p.id);
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
  await loadOrgs();
  await loadHistory();
}

function field(label: string, input: HTMLElement, note: Node | string | null = null): HTMLElement {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), input, note ? h("span", { class: "field-note" }, note) : null);
}

function renderProfileForm(): void {
  const container = byId("profile-form");
  const p = state.current;
  if (!p && !state.creating) {
    replace(
      container,
      h("h2", {}, "Welcome"),
      h("p", {}, "Create a connection profile for your Ops Manager or Cloud Manager, or try omlink on the built-in sandbox first."),
    );
    return;
  }
  if (p?.sandbox) {
    replace(
      container,
      h("h2", {}, p.name),
      h("p", {}, "The built-in sandbox runs inside omlink on ", h("code", { id: "sandbox-url" }, p.url), " with demo organizations and an Organization Owner key. Nothing leaves this machine."),
      h("div", { class: "actions" }, h("button", { id: "test-connection", onclick: () => void testConnection() }, "Test connection"),
        h("button", { id: "delete-profile", class: "danger", onclick: () => void deleteProfile() }, "Delete")),
    );
    return;
  }
  const kind = h("select", { id: "pf-kind" }, h("option", { value: "OpsManager" }, "Ops Manager"), h("option", { value: "CloudManager" }, "Cloud Manager"));
  kind.value = p?.kind ?? "OpsManager";
  const url = h("input", { id: "pf-url", type: "url", placeholder: "https://opsmanager.example.com:8443", value: p?.url ?? "", autocomplete: "off", spellcheck: "false" });
  const urlNote = h("span", { id: "pf-url-note" });
  const name = h("input", { id: "pf-name", value: p?.name ?? "", placeholder: "Ops Manager prod", autocomplete: "off" });
  const pub = h("input", { id: "pf-public-key", value: p?.publicKey ?? "", autocomplete: "off", spellcheck: "false" });
  const priv = h("input", {
    id: "pf-private-key",
    type: "password",
    autocomplete: "off",
    placeholder: p?.hasPrivateKey ? "Saved in the keychain — type to replace" : "Private API key",
  });
  const ca = h("input", { id: "pf-ca-file", value: p?.tls.caFile ?? "", placeholder: "Optional: PEM file of extra CA certificates", spellcheck: "false" });
  const skip = h("input", { id: "pf-skip-verify", type: "checkbox", checked: p?.tls.skipVerify ?? false });
  const skipWarning = h("span", { class: "warning-text", id: "pf-skip-warning" }, "Certificate verification is OFF: anyone on the network path can impersonate the server. Use only in a lab.");
  const timeout = h("input", {
    id: "pf-timeout",
    type: "number",
    min: String(MIN_TIMEOUT_SECS),
    max: String(MAX_TIMEOUT_SECS),
    value: String(p?.timeoutSecs ?? DEFAULT_TIMEOUT_SECS),
  });
  const formError = h("div", { id: "pf-error" });

  const sync = () => {
    const cloud = kind.value === "CloudManager";
    url.disabled = cloud;
    if (cloud) url.value = CLOUD_MANAGER_URL;
    const check = checkUrl(url.value);
    urlNote.textContent = check.ok ? (url.value.trim().startsWith("http://") ? "http:// is unencrypted: labs only." : "") : url.value ? check.message : "";
    urlNote.className = check.ok && !url.value.trim().startsWith("http://") ? "" : "warning-text";
    skipWarning.hidden = !skip.checked;
  };
  kind.addEventListener("change", sync);
  url.addEventListener("input", sync);
  skip.addEventListener("change", sync);

  const draft = (): ProfileDraft => ({
    name: name.value,
    kind: kind.value as ProfileDraft["kind"],
    url: url.value,
    publicKey: pub.value,
    caFile: ca.value.trim() === "" ? null : ca.value.trim(),
    skipVerify: skip.checked,
    timeoutSecs: Number(timeout.value) || 0,
  });

  const save = async () => {
    replace(formError);
    try {
      const saved = await api.saveProfile(p?.id ?? null, draft(), priv.value === "" ? null : priv.value);
      priv.value = "";
      await reloadProfiles();
      const selected = selectProfile(state.profiles.find((x) => x.id === saved.id) ?? saved);
      notify(`Profile “${saved.name}” saved${saved.hasPrivateKey ? "; its private key is in the keychain" : ""}.`);
      await selected;
    } catch (e) {
      // What the person typed stays in the form; a locked keychain can be unlocked and retried.
      const err = asOmlinkError(e);
      replace(formError, errorBox(err, err.kind === "Keychain" ? () => void save() : undefined));
    }
  };

  const browse = async () => {
    try {
      const picked = await api.chooseCaFile();
      if (picked) ca.value = picked;
    } catch (e) {
      replace(formError, errorBox(asOmlinkError(e)));
    }
  };

  replace(
    container,
    h("h2", {}, p ? `Profile: ${p.name}` : "New profile"),
    h("div", { class: "grid" },
      field("Name", name),
      field("Server", kind),
      field("URL", url, urlNote),
      field("Public API key", pub),
      field("Private API key", priv, p?.hasPrivateKey ? h("span", { class: "saved", id: "pf-key-saved" }, "✓ key saved in the keychain") : "Stored in the OS keychain, never in a file."),
      field("Timeout (seconds)", timeout),
      field("Extra CA file", h("span", { class: "inline" }, ca, h("button", { type: "button", onclick: () => void browse() }, "Browse…")), "Trusted in addition to the system's certificates."),
      h("label", { class: "checkbox" }, skip, " Skip TLS certificate verification"),
      skipWarning,
    ),
    formError,
    h("div", { class: "actions" },
      h("button", { id: "save-profile", class: "primary", onclick: () => void save() }, "Save profile"),
      p ? h("button", { id: "test-connection", onclick: () => void testConnection() }, "Test connection") : null,
      p ? h("button", { id: "duplicate-profile", onclick: () => void duplicateProfile() }, "Duplicate") : null,
      p ? h("button", { id: "delete-profile", class: "danger", onclick: () => void deleteProfile() }, "Delete") : null,
    ),
  );
  sync();
}

async function testConnection(): Promise<void> {
  await loadOrgs();
  if (state.orgs) notify(`Connection works: ${state.orgs.length} organization${state.orgs.length === 1 ? "" : "s"} visible.`);
}

async function duplicateProfile(): Promise<void> {
  if (!state.current) return;
  try {
    const copy = await api.duplicateProfile(state.current.id);
    await reloadProfiles();
    await selectProfile(state.profiles.find((x) => x.id === copy.id) ?? copy);
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
}

async function deleteProfile(): Promise<void> {
  const p = state.current;
  if (!p) return;
  if (!(await confirmDialog(`Delete profile “${p.name}” and its private key from the keychain?`, "Delete profile"))) return;
  try {
    await api.deleteProfile(p.id);
    state.current = null;
    await reloadProfiles();
    notify(`Profile “${p.name}” deleted.`);
    renderAll();
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
}

// ── Organizations ───────────────────────────────────────────────────────────────────────────

async function loadOrgs(): Promise<void> {
  const p = state.current;
  if (!p) return;
  state.orgsLoading = true;
  state.orgsError = null;
  renderOrgs();
  try {
    const view = await api.listOrganizations(p.id);
    state.orgs = view.organizations;
    state.warnings = view.warningTexts;
  } catch (e) {
    state.orgs = null;
    state.orgsError = asOmlinkError(e);
  } finally {
    state.orgsLoading = false;
    renderOrgs();
  }
}

function renderOrgs(): void {
  const container = byId("orgs");
  if (!state.current) {
    replace(container);
    container.hidden = true;
    return;
  }
  container.hidden = false;
  const search = h("input", { id: "org-search", type: "search", placeholder: "Search organizations by name or id", value: state.orgQuery });
  const list = h("ul", { class: "org-list", id: "org-list" });
  const fill = () => {
    const q = state.orgQuery.trim().toLowerCase();
    const orgs = (state.orgs ?? []).filter((o) => q === "" || o.name.toLowerCase().includes(q) || o.id.includes(q));
    replace(
      list,
      ...orgs.map((o) =>
        h("li", {}, h("button", {
          class: `org ${state.selected?.id === o.id ? "active" : ""}`,
          "data-org-id": o.id,
          onclick: () => selectOrg(o.id, o.name),
        }, h("span", { class: "org-name" }, o.name), h("code", { class: "org-id" }, o.id))),
      ),
      orgs.length === 0 && state.orgs ? h("li", { class: "muted" }, "No organization matches.") : null,
    );
  };
  search.addEventListener("input", () => {
    state.orgQuery = search.value;
    fill();
  });
  fill();

  const manual = h("input", { id: "org-manual", placeholder: "5f1e2d3c4b5a697887766554", spellcheck: "false", autocomplete: "off" });
  const manualNote = h("span", { id: "org-manual-note", class: "field-note" });
  const useManual = h("button", { id: "org-manual-use", disabled: true }, "Use this id");
  manual.addEventListener("input", () => {
    const check = checkOrgId(manual.value);
    manualNote.textContent = manual.value === "" ? "" : check.ok ? "✓ valid organization id" : check.message;
    manualNote.className = `field-note ${check.ok ? "ok-text" : "warning-text"}`;
    useManual.disabled = !check.ok;
  });
  useManual.addEventListener("click", () => {
    const check = checkOrgId(manual.value);
    if (check.ok) selectOrg(check.value, state.orgs?.find((o) => o.id === check.value)?.name ?? null);
  });

  replace(
    container,
    h("h2", {}, "Organization"),
    ...state.warnings.map((w) => h("p", { class: "warning-text" }, `⚠ ${w}`)),
    state.orgsLoading ? h("p", {}, badge({ state: "inProgress", what: "Loading organizations" })) : null,
    state.orgsError ? errorBox(state.orgsError) : null,
    state.orgs ? search : null,
    state.orgs ? list : null,
    h("div", { class: "manual" }, field("Or enter an organization id", h("span", { class: "inline" }, manual, useManual), manualNote)),
  );
}

function selectOrg(id: string, name: string | null): void {
  state.selected = { id, name };
  renderOrgs();
  renderLink();
  // The badge shows the server's word, not a guess: read the status on selection.
  if (!state.inFlight.has(shownKey(id))) void refreshStatus();
  void loadHistory();
}

// ── Link ────────────────────────────────────────────────────────────────────────────────────

function renderLink(): void {
  const container = byId("link");
  const p = state.current;
  const org = state.selected;
  if (!p || !org) {
    container.hidden = true;
    replace(container);
    return;
  }
  container.hidden = false;
  const key = shownKey(org.id);
  const orgState = state.orgStates.get(key) ?? { badge: { state: "unknown" }, checkedAt: null, error: null };
  const requestId = state.inFlight.get(key);
  const busy = requestId !== undefined;

  // One field per organization, kept across re-renders (a status answer can arrive while the
  // person types): the same node keeps its value, focus and caret.
  if (tokenField?.dataset.org !== org.id) {
    tokenField = h("input", { id: "token", type: "password", autocomplete: "off", spellcheck: "false", placeholder: "Paste the link token from Atlas" });
    tokenField.dataset.org = org.id;
  }
  const token = tokenField;
  const hadFocus = document.activeElement === token;
  const caret = [token.selectionStart, token.selectionEnd] as const;
  const tokenNote = h("span", { id: "token-note", class: "field-note" });
  const show = h("button", { id: "token-show", type: "button" }, token.type === "password" ? "Show" : "Hide");
  const paste = h("button", { id: "token-paste", type: "button" }, "Paste");
  const linkButton = h("button", { id: "link-button", class: "primary", disabled: true }, busy ? "Linking…" : "Link");

  const sync = () => {
    const check = checkToken(token.value);
    tokenNote.textContent = token.value === "" ? "Shown once by Atlas: Organization Settings → Live Migration." : check.ok ? `${maskToken(check.value)} · ${[...check.value].length} characters` : check.message;
    tokenNote.className = `field-note ${check.ok || token.value === "" ? "" : "warning-text"}`;
    linkButton.disabled = busy || !check.ok;
  };
  token.oninput = sync; // replaces the previous render's handler
  show.addEventListener("click", () => {
    token.type = token.type === "password" ? "text" : "password";
    show.textContent = token.type === "password" ? "Show" : "Hide";
  });
  paste.addEventListener("click", async () => {
    try {
      token.value = (await navigator.clipboard.readText()).trim();
      sync();
    } catch {
      token.focus();
      tokenNote.textContent = "Press Ctrl+V to paste into the field.";
    }
  });
  linkButton.addEventListener("click", () => {
    const check = checkToken(token.value);
    if (check.ok) void link({ token: check.value }, token);
  });
  sync();

  replace(
    container,
    h("h2", {}, "Link to Atlas"),
    h("p", { class: "org-title" }, h("strong", { id: "selected-org-name" }, org.name ?? "Organization"), " ", h("code", { id: "selected-org-id" }, org.id)),
    h("div", { id: "org-status" }, busy ? badge({ state: "inProgress", what: "Linking" }) : badge(orgState.badge, orgState.checkedAt)),
    orgState.error ? errorBox(orgState.error) : null,
    field("Link token", h("span", { class: "inline" }, token, show, paste), tokenNote),
    h("div", { class: "actions" },
      linkButton,
      busy ? h("button", { id: "cancel-button", onclick: () => void api.cancelRequest(requestId) }, "Cancel") : null,
      h("button", { id: "refresh-status", disabled: busy, onclick: () => void refreshStatus() }, "Refresh status"),
      h("button", { id: "unlink-button", class: "danger", disabled: busy, onclick: () => void unlink() }, "Unlink"),
    ),
  );
  if (hadFocus) {
    token.focus();
    token.setSelectionRange(caret[0], caret[1]);
  }
}

/** Bumped by every change of an organization's state, so a slow status answer cannot
 * overwrite a newer link result. */
const generation = new Map<string, number>();

function setOrgState(profileId: string, orgId: string, s: OrgState): void {
  const key = orgKey(profileId, orgId);
  generation.set(key, (generation.get(key) ?? 0) + 1);
  state.orgStates.set(key, s);
}

async function link(source: { token?: string; historyId?: string }, tokenInput: HTMLInputElement | null = null, target = state.selected): Promise<void> {
  const p = state.current;
  if (!p || !target) return;
  const key = orgKey(p.id, target.id);
  if (state.inFlight.has(key)) return; // no double submission
  const requestId = crypto.randomUUID();
  state.inFlight.set(key, requestId);
  renderLink();
  try {
    const response = await api.createMigrationLink({
      requestId,
      profileId: p.id,
      orgId: target.id,
      orgName: target.name,
      token: source.token ?? null,
      historyId: source.historyId ?? null,
    });
    setOrgState(p.id, target.id, { badge: { state: "status", status: response.outcome.status }, checkedAt: new Date(), error: null });
    // Linked: the token now lives only in the keychain. On failure the field keeps what was typed.
    if (tokenInput) tokenInput.value = "";
  } catch (e) {
    const err = asOmlinkError(e);
    setOrgState(p.id, target.id, { badge: errorBadge(err), checkedAt: new Date(), error: err });
  } finally {
    state.inFlight.delete(key);
    renderLink();
    await loadHistory();
  }
}

async function refreshStatus(): Promise<void> {
  const p = state.current;
  const org = state.selected;
  if (!p || !org) return;
  setOrgState(p.id, org.id, { badge: { state: "inProgress", what: "Checking" }, checkedAt: null, error: null });
  const started = generation.get(orgKey(p.id, org.id));
  renderLink();
  let next: OrgState;
  try {
    const outcome = await api.getLinkStatus(p.id, org.id);
    next = { badge: { state: "status", status: outcome.status }, checkedAt: new Date(), error: null };
  } catch (e) {
    const err = asOmlinkError(e);
    next = { badge: errorBadge(err), checkedAt: new Date(), error: err };
  }
  if (generation.get(orgKey(p.id, org.id)) !== started) return; // a link or unlink answered meanwhile
  setOrgState(p.id, org.id, next);
  if (state.selected?.id === org.id) renderLink();
}

async function unlink(): Promise<void> {
  const p = state.current;
  const org = state.selected;
  if (!p || !org) return;
  const ok = await confirmDialog(`Remove the Atlas link of ${org.name ?? org.id}? Migrations from this organization will need a new link.`, "Unlink");
  if (!ok) return;
  try {
    await api.deleteMigrationLink(p.id, org.id);
    setOrgState(p.id, org.id, { badge: { state: "status", status: "NO_LINK" }, checkedAt: new Date(), error: null });
    notify(`${org.name ?? org.id} is no longer linked to Atlas.`);
  } catch (e) {
    // The link is as it was: keep its badge, show why the unlink was refused.
    const previous = state.orgStates.get(orgKey(p.id, org.id));
    setOrgState(p.id, org.id, { badge: previous?.badge ?? { state: "unknown" }, checkedAt: previous?.checkedAt ?? null, error: asOmlinkError(e) });
  }
  renderLink();
}

// ── History ─────────────────────────────────────────────────────────────────────────────────

async function loadHistory(): Promise<void> {
  try {
    state.history = await api.listHistory(null);
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
  renderHistory();
}

function renderHistory(): void {
  const container = byId("history");
  const orgFilter = state.historyAll || !state.selected ? "" : state.selected.id;
  const rows = filterHistory(state.history, orgFilter, state.historyQuery);
  const scope = h("select", { id: "history-scope" }, h("option", { value: "org" }, "This organization"), h("option", { value: "all" }, "All organizations"));
  scope.value = state.historyAll || !state.selected ? "all" : "org";
  scope.disabled = !state.selected;
  scope.addEventListener("change", () => {
    state.historyAll = scope.value === "all";
    renderHistory();
  });
  const query = h("input", { id: "history-query", type: "search", placeholder: "Filter", value: state.historyQuery });
  query.addEventListener("input", () => {
    state.historyQuery = query.value;
    const pos = query.selectionStart;
    renderHistory();
    const again = byId<HTMLInputElement>("history-query");
    again.focus();
    again.setSelectionRange(pos, pos);
  });
  const exportAs = async (format: ExportFormat) => {
    try {
      const path = await api.exportHistory(orgFilter || null, format, exportFileName(orgFilter, format, new Date()));
      if (path) notify(`History exported to ${path} (without tokens).`);
    } catch (e) {
      notify(asOmlinkError(e).message, "error");
    }
  };

  const table = h(
    "table",
    { id: "history-table" },
    h("thead", {}, h("tr", {}, ...["When", "Profile", "Organization", "Token", "Outcome", ""].map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      ...rows.map((e) =>
        h(
          "tr",
          { "data-history-id": e.id },
          h("td", {}, new Date(e.at).toLocaleString()),
          h("td", {}, e.profileName),
          h("td", {}, e.orgName ?? "", h("br", {}), h("code", {}, e.orgId)),
          h("td", {}, h("code", { class: "token-mask" }, e.tokenMask), h("br", {}), h("span", { class: "muted small" }, `sha256 ${e.tokenFingerprint}`)),
          h("td", { class: "outcome" }, badge(e.outcome.result === "linked" ? { state: "status", status: e.outcome.status } : e.outcome.result === "failed" ? { state: "error", kind: e.outcome.kind, errorCode: e.outcome.errorCode } : { state: "error", kind: "Cancelled" }), h("span", { class: "sr-only" }, ` ${outcomeText(e.outcome)}`)),
          h(
            "td",
            { class: "row-actions" },
            h("button", {
              class: "reuse",
              disabled: !e.hasToken || !profileOf(e) || state.inFlight.has(`${e.profileId}:${e.orgId}`),
              title: !e.hasToken
                ? "The token is not in the keychain"
                : !profileOf(e)
                  ? `Profile “${e.profileName}” was deleted`
                  : "Link this organization again with the token saved in the keychain",
              onclick: () => void reuse(e),
            }, "Use this token again"),
            h("button", { class: "delete-entry danger", onclick: () => void deleteEntry(e) }, "Delete"),
          ),
        ),
      ),
    ),
  );
  replace(
    container,
    h("h2", {}, "Token history"),
    h("div", { class: "toolbar" }, scope, query, h("span", { class: "spacer" }),
      h("button", { id: "export-json", onclick: () => void exportAs("Json") }, "Export JSON"),
      h("button", { id: "export-csv", onclick: () => void exportAs("Csv") }, "Export CSV")),
    rows.length ? table : h("p", { class: "muted", id: "history-empty" }, "No link attempts yet."),
    h("p", { class: "muted small" }, "Tokens are kept only in the OS keychain; the history shows their first and last four characters and a fingerprint. Exports contain no tokens."),
  );
}

const profileOf = (e: HistoryEntry): Profile | undefined => state.profiles.find((p) => p.id === e.profileId);

/** Links the entry's organization again, with the entry's profile and its saved token. */
async function reuse(e: HistoryEntry): Promise<void> {
  const profile = profileOf(e);
  if (!profile) return;
  if (state.current?.id !== profile.id) await selectProfile(profile);
  const target = { id: e.orgId, name: e.orgName };
  if (state.selected?.id !== e.orgId) selectOrg(e.orgId, e.orgName);
  await link({ historyId: e.id }, null, target);
}

async function deleteEntry(e: HistoryEntry): Promise<void> {
  if (!(await confirmDialog("Delete this history entry and its token from the keychain?", "Delete entry"))) return;
  try {
    await api.deleteHistoryEntry(e.id);
  } catch (err) {
    notify(asOmlinkError(err).message, "error");
  }
  await loadHistory();
}

// ── Help ────────────────────────────────────────────────────────────────────────────────────

function helpPanel(): HTMLElement {
  return h(
    "details",
    { class: "card help", id: "help" },
    h("summary", {}, "How linking works"),
    h("ol", {},
      h("li", {}, "In Atlas, open Organization Settings → Live Migration and generate a link token. Atlas shows it ", h("strong", {}, "once"), ": copy it straight into omlink."),
      h("li", {}, "Use ", h("strong", {}, "one token per Ops Manager organization"), ". The same token serves every migration of that organization, one at a time."),
      h("li", {}, "For Ops Manager (not Cloud Manager), put Ops Manager's external IP address on the token's access list: Ops Manager calls Atlas with it."),
      h("li", {}, "The API key needs the ", h("strong", {}, "Organization Owner"), " role on the organization, and this machine's IP on the key's access list."),
      h("li", {}, "Then, in Atlas, pick the target cluster, the source deployment and a migration host, validate, start and cut over."),
    ),
    h("p", { class: "warning-text" }, "MongoDB has deprecated push live migration for sources managed by Ops Manager (deprecated for MongoDB 5.0 and earlier, unsupported for 6.0 and later at the time of writing); it remains supported for sources monitored by Cloud Manager. Check MongoDB's current documentation for your versions."),
  );
}

// ── Start ───────────────────────────────────────────────────────────────────────────────────

function renderAll(): void {
  renderBanner();
  renderProfiles();
  renderProfileForm();
  renderOrgs();
  renderLink();
  renderHistory();
}

async function start(): Promise<void> {
  layout();
  try {
    state.info = await api.appInfo();
    const view = await api.listProfiles();
    state.profiles = view.profiles;
    state.storeWarning = view.storeWarning;
    renderAll();
    if (view.keychainNotice) notify(view.keychainNotice);
    const last = view.profiles.find((p) => p.id === view.lastUsed) ?? view.profiles[0];
    if (last) await selectProfile(last);
    else await loadHistory();
  } catch (e) {
    notify(asOmlinkError(e).message, "error");
  }
}

void start();
