// The side panel: the selected organization (badge, link form, unlink), an id typed by hand,
// the token history and the help.

import { useEffect, useState } from "preact/hooks";
import { cancelLink, link, refreshStatus, selectOrg, unlink } from "../actions";
import { maskToken } from "../lib/mask";
import { checkOrgId, checkToken } from "../lib/validate";
import { current, inFlight, orgKey, orgs, selected, stateOf } from "../state";
import { Badge, ErrorBox, Field } from "./common";
import { focusToken } from "./Fleet";
import { Help } from "./Help";
import { History } from "./History";

export function Details() {
  return (
    <aside id="details" aria-label="Organization details">
      <LinkPanel />
      <History />
      <Help />
    </aside>
  );
}

function LinkPanel() {
  const p = current.value;
  const org = selected.value;
  if (!p) return null;
  if (!org || org.profileId !== p.id) return <ManualId />;
  // One form per organization: switching organizations starts from an empty field.
  return <LinkForm key={orgKey(org.profileId, org.id)} org={org} />;
}

function ManualId() {
  const [value, setValue] = useState("");
  const check = checkOrgId(value);
  const use = () => {
    if (!check.ok) return;
    selectOrg(check.value, orgs.value.find((o) => o.id === check.value)?.name ?? null);
    focusToken();
  };
  return (
    <section id="link" aria-labelledby="link-title">
      <h2 id="link-title">Link to Atlas</h2>
      <p class="muted">Pick an organization in the table, or enter its id.</p>
      <form
        class="manual"
        onSubmit={(e) => {
          e.preventDefault();
          use();
        }}
      >
        <Field
          label="Organization id"
          noteId="org-manual-note"
          note={<span class={check.ok ? "ok-text" : "warning-text"}>{value === "" ? "" : check.ok ? "✓ valid organization id" : check.message}</span>}
        >
          <span class="inline">
            <input id="org-manual" value={value} placeholder="5f1e2d3c4b5a697887766554" spellcheck={false} autocomplete="off" onInput={(e) => setValue(e.currentTarget.value)} />
            <button type="submit" id="org-manual-use" disabled={!check.ok}>
              Use this id
            </button>
          </span>
        </Field>
      </form>
    </section>
  );
}

function LinkForm({ org }: { org: { profileId: string; id: string; name: string | null } }) {
  const [token, setToken] = useState("");
  const [shown, setShown] = useState(false);
  const [pasteNote, setPasteNote] = useState<string | null>(null);
  const key = orgKey(org.profileId, org.id);
  const busy = inFlight.value.has(key);
  const s = stateOf(org.profileId, org.id);
  const check = checkToken(token);
  // A token typed here leaves the page as soon as it is linked (it then lives only in the
  // keychain); a failed link keeps it for another try.
  useEffect(() => setPasteNote(null), [token]);

  const submit = async () => {
    if (!check.ok || busy) return;
    if (await link(org, { token: check.value })) setToken("");
  };
  const paste = async () => {
    try {
      setToken((await navigator.clipboard.readText()).trim());
    } catch {
      document.getElementById("token")?.focus();
      setPasteNote("Press Ctrl+V to paste into the field.");
    }
  };
  const note =
    pasteNote ??
    (token === ""
      ? "Shown once by Atlas: Organization Settings → Live Migration."
      : check.ok
        ? `${maskToken(check.value)} · ${[...check.value].length} characters`
        : check.message);

  return (
    <section id="link" aria-labelledby="link-title">
      <h2 id="link-title">Link to Atlas</h2>
      <p class="org-title">
        <strong id="selected-org-name">{org.name ?? "Organization"}</strong> <code id="selected-org-id">{org.id}</code>
      </p>
      <div id="org-status" aria-live="polite">
        {busy ? <Badge state={{ state: "inProgress", what: "Linking" }} /> : <Badge state={s?.badge ?? { state: "unknown" }} at={s?.checkedAt ?? null} />}
      </div>
      {s?.error && !busy ? <ErrorBox error={s.error} /> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Link token" noteId="token-note" note={<span class={check.ok || token === "" ? "" : "warning-text"}>{note}</span>}>
          <span class="inline">
            <input
              id="token"
              type={shown ? "text" : "password"}
              autocomplete="off"
              spellcheck={false}
              placeholder="Paste the link token from Atlas"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
            <button type="button" id="token-show" aria-pressed={shown} onClick={() => setShown(!shown)}>
              {shown ? "Hide" : "Show"}
            </button>
            <button type="button" id="token-paste" onClick={() => void paste()}>
              Paste
            </button>
          </span>
        </Field>
        <div class="actions">
          <button type="submit" id="link-button" class="primary" disabled={busy || !check.ok}>
            {busy ? "Linking…" : "Link"}
          </button>
          {busy ? (
            <button type="button" id="cancel-button" onClick={() => void cancelLink(org.profileId, org.id)}>
              Cancel
            </button>
          ) : null}
          <button type="button" id="refresh-status" disabled={busy} onClick={() => void refreshStatus(org.profileId, org.id)}>
            Refresh status
          </button>
          <button type="button" id="unlink-button" class="danger" disabled={busy} onClick={() => void unlink(org)}>
            Unlink
          </button>
        </div>
      </form>
    </section>
  );
}
