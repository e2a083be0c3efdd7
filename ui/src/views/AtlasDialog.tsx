// An Atlas connection's settings, in their own dialog (new or existing): the service account or
// API key omlink generates link tokens with. The secret typed here goes to the keychain once and
// is never shown again.

import { useState } from "preact/hooks";
import type { OmlinkError } from "../api";
import { deleteAtlas, saveAtlas, testAtlas } from "../actions";
import type { AtlasAuth } from "../bindings/AtlasAuth";
import type { AtlasConnection } from "../bindings/AtlasConnection";
import { ATLAS_URL } from "../bindings/constants";
import { checkNow } from "../lib/checks";
import { originOf } from "../lib/origin";
import { dialog } from "../state";
import { ErrorBox, Field, FormDialog, InfoDialog, SelectField, TextField } from "./common";
import { ConnectionFields, UrlField, useTransport } from "./fields/Connection";
import { SecretField } from "./fields/SecretField";

const SIGN_INS: [AtlasAuth, string][] = [["ServiceAccount", "Service account (recommended)"], ["ApiKey", "API key"]];

export function AtlasDialog({ connection }: { connection: AtlasConnection | null }) {
  const c = connection;
  const close = () => (dialog.value = null);
  const [name, setName] = useState(c?.name ?? "");
  const [url, setUrl] = useState(c && c.url.replace(/\/+$/, "") !== ATLAS_URL ? c.url : "");
  const [auth, setAuth] = useState<AtlasAuth>(c?.auth ?? "ServiceAccount");
  const [user, setUser] = useState(c?.user ?? "");
  const [secret, setSecret] = useState("");
  const transport = useTransport(c);
  const [error, setError] = useState<OmlinkError | null>(null);
  const [busy, setBusy] = useState(false);

  const test = async (id: string) => {
    setError(null);
    setBusy(true);
    setError(await testAtlas(id));
    setBusy(false);
  };
  const testButton = (id: string) => (
    <button type="button" id="test-atlas" disabled={busy} title="Lists the Atlas organizations the saved connection sees" onClick={() => void test(id)}>
      {busy ? "Testing…" : "Test connection"}
    </button>
  );
  if (c?.sandbox) {
    return (
      <InfoDialog id="atlas-dialog" label={`Atlas connection ${c.name}`} title={c.name} onClose={close} closeId="close-atlas" actions={testButton(c.id)}>
        <p>
          The built-in sandbox's Atlas look-alike runs inside omlink on <code id="atlas-sandbox-url">{c.url}</code>, with demo Atlas organizations and a
          service account that is Organization Owner. The Sandbox profile generates its link tokens here. Nothing leaves this machine.
        </p>
        <div id="ac-error">{error ? <ErrorBox error={error} /> : null}</div>
      </InfoDialog>
    );
  }

  const serviceAccount = auth === "ServiceAccount";
  const urlCheck = url.trim() === "" ? null : checkNow("serverUrl", url);
  const urlNote =
    urlCheck && !urlCheck.ok ? (
      <span class="warning-text">{urlCheck.message}</span>
    ) : urlCheck && url.trim().startsWith("http://") ? (
      <span class="warning-text" id="ac-http-warning">
        http:// is unencrypted: the service account's secret and the link tokens cross the network in the clear. Labs only.
      </span>
    ) : (
      `Empty: ${ATLAS_URL}. Change it only for a proxy or a test server.`
    );
  // The saved secret is bound to where and as whom it signs in (the core clears it otherwise).
  const secretBound =
    !!c && (originOf(url.trim() || ATLAS_URL) !== originOf(c.url) || auth !== c.auth || user.trim() !== c.user || transport.tlsChanged(c.tls));

  const save = async () => {
    setError(null);
    setBusy(true);
    const failed = await saveAtlas(
      c?.id ?? null,
      {
        name,
        url: url.trim(),
        auth,
        user: user.trim(),
        ...transport.draft,
      },
      secret === "" ? null : secret,
    );
    setBusy(false);
    // Sent once: saved, it leaves the window (the dialog closes); on failure it stays in its
    // masked field for another try, as everything typed does.
    if (failed) setError(failed);
    else setSecret("");
  };

  const title = c ? `Atlas connection: ${c.name}` : "New Atlas connection";
  return (
    <FormDialog
      id="atlas-dialog"
      formId="atlas-form"
      label={title}
      title={title}
      onClose={close}
      onSubmit={save}
      errorId="ac-error"
      error={error}
      submit={{ id: "save-atlas", label: "Save connection", busy }}
      closeId="close-atlas"
      actions={
        c ? (
          <>
            {testButton(c.id)}
            <button type="button" id="delete-atlas" class="danger" onClick={() => void deleteAtlas(c)}>
              Delete
            </button>
          </>
        ) : null
      }
    >
      <p class="muted small">
        omlink generates link tokens with it: a service account (or API key) with the <strong>Organization Owner</strong> role on the Atlas organization.
      </p>
      <div class="grid">
        <Field label="Name">
          <input id="ac-name" value={name} placeholder="Atlas prod" autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <UrlField id="ac-url" label="Atlas URL" noteId="ac-url-note" note={urlNote} placeholder={ATLAS_URL} value={url} onInput={setUrl} />
        <SelectField id="ac-auth" label="Sign in with" value={auth} onChange={setAuth} choices={SIGN_INS} />
        <TextField
          id="ac-user"
          label={serviceAccount ? "Client ID" : "Public key"}
          value={user}
          placeholder={serviceAccount ? "mdb_sa_id_…" : "Public API key"}
          onInput={setUser}
        />
        <SecretField
          id="ac-secret"
          label={serviceAccount ? "Client secret" : "Private key"}
          value={secret}
          onInput={setSecret}
          placeholder={serviceAccount ? "mdb_sa_sk_…" : "Private API key"}
          saved={!!c?.hasSecret}
          bound={secretBound}
          clearedText="Saving clears the saved secret: it was saved for another address, sign-in or TLS setting. Enter it again to keep one."
          savedText="✓ saved in the keychain — leave empty to keep"
        />
        <ConnectionFields
          transport={transport}
          idPrefix="ac"
          peer="Atlas"
          onError={setError}
        />
      </div>
    </FormDialog>
  );
}
