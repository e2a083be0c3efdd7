// A profile's connection settings, in their own dialog (new or existing profile).

import { useState } from "preact/hooks";
import type { OmlinkError } from "../api";
import { deleteProfile, duplicateProfile, saveProfile, testConnection } from "../actions";
import { CLOUD_MANAGER_URL } from "../bindings/constants";
import type { Profile } from "../bindings/Profile";
import type { ServerKind } from "../bindings/ServerKind";
import { checkField, checkNow } from "../lib/checks";
import { originOf } from "../lib/origin";
import { atlasConnections, dialog } from "../state";
import { Field, FormDialog, InfoDialog, Options, SelectField, TextField } from "./common";
import { ConnectionFields, UrlField, useTransport } from "./fields/Connection";
import { SecretField } from "./fields/SecretField";

const SERVER_KINDS: [ServerKind, string][] = [["OpsManager", "Ops Manager"], ["CloudManager", "Cloud Manager"]];

export function ProfileDialog({ profile }: { profile: Profile | null }) {
  const p = profile;
  const close = () => (dialog.value = null);
  const [name, setName] = useState(p?.name ?? "");
  const [kind, setKind] = useState<ServerKind>(p?.kind ?? "OpsManager");
  const [url, setUrl] = useState(p?.url ?? "");
  const [publicKey, setPublicKey] = useState(p?.publicKey ?? "");
  const [privateKey, setPrivateKey] = useState("");
  const transport = useTransport(p);
  const [atlas, setAtlas] = useState(p?.atlas?.connection ?? "");
  const [accessList, setAccessList] = useState((p?.atlas?.accessListIps ?? []).join(", "));
  const [error, setError] = useState<OmlinkError | null>(null);
  const [saving, setSaving] = useState(false);
  const deleteButton = p ? (
    <button type="button" id="delete-profile" class="danger" onClick={() => void deleteProfile(p)}>
      Delete
    </button>
  ) : null;

  if (p?.sandbox) {
    return (
      <InfoDialog
        id="profile-dialog"
        label={`Profile ${p.name}`}
        title={p.name}
        onClose={close}
        closeId="close-profile"
        actions={
          <>
            <button type="button" id="test-connection" onClick={() => void testConnection(p.id)}>
              Test connection
            </button>
            {deleteButton}
          </>
        }
      >
        <p>
          The built-in sandbox runs inside omlink on <code id="sandbox-url">{p.url}</code> with demo organizations and an Organization Owner key. Nothing
          leaves this machine.
        </p>
      </InfoDialog>
    );
  }

  const cloud = kind === "CloudManager";
  const shownUrl = cloud ? CLOUD_MANAGER_URL : url;
  const urlCheck = shownUrl.trim() === "" ? null : checkNow("serverUrl", shownUrl);
  const plainHttp = !!urlCheck?.ok && shownUrl.trim().startsWith("http://");
  const urlNote = !urlCheck ? "" : urlCheck.ok ? (plainHttp ? "http:// is unencrypted: labs only." : "") : urlCheck.message;

  // A saved key is bound to its server, public key and TLS settings: changing one without
  // entering the key again clears it (the core does; the dialog says so first).
  const keyBound = !!p && (originOf(shownUrl) !== originOf(p.url) || publicKey.trim() !== p.publicKey || transport.tlsChanged(p.tls));

  const connections = atlasConnections.value;
  const accessCheck = checkNow("accessList", accessList);

  const save = async () => {
    setError(null);
    const accessCheck = await checkField("accessList", accessList);
    if (atlas !== "" && !accessCheck.ok) {
      setError({ kind: "InvalidInput", message: accessCheck.message, httpStatus: null, errorCode: null, detail: null, parameters: [], hint: "Correct the access list and save again.", retryAfterSecs: null });
      return;
    }
    // The saved Atlas organization stays while the connection does (another connection sees
    // other organizations).
    const sameConnection = p?.atlas?.connection === atlas;
    setSaving(true);
    const failed = await saveProfile(
      p?.id ?? null,
      {
        name,
        kind,
        url: shownUrl,
        publicKey,
        ...transport.draft,
        atlas:
          atlas === ""
            ? null
            : {
                connection: atlas,
                org: sameConnection ? (p?.atlas?.org ?? null) : null,
                orgName: sameConnection ? (p?.atlas?.orgName ?? null) : null,
                accessListIps: accessCheck.ok ? accessCheck.values : [],
              },
      },
      privateKey === "" ? null : privateKey,
    );
    setSaving(false);
    if (failed) setError(failed);
  };

  return (
    <FormDialog
      id="profile-dialog"
      formId="profile-form"
      label={p ? `Profile settings: ${p.name}` : "New profile"}
      title={p ? `Profile: ${p.name}` : "New profile"}
      onClose={close}
      onSubmit={save}
      errorId="pf-error"
      error={error}
      submit={{ id: "save-profile", label: "Save profile", busy: saving }}
      closeId="close-profile"
      actions={
        p ? (
          <>
            <button
              type="button"
              id="test-connection"
              onClick={async () => {
                setError(null);
                setError(await testConnection(p.id));
              }}
            >
              Test connection
            </button>
            <button type="button" id="duplicate-profile" onClick={() => void duplicateProfile(p.id)}>
              Duplicate
            </button>
            {deleteButton}
          </>
        ) : null
      }
    >
    <div class="grid">
        <Field label="Name">
          <input id="pf-name" value={name} placeholder="Ops Manager prod" autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <SelectField id="pf-kind" label="Server" value={kind} onChange={setKind} choices={SERVER_KINDS} />
        <UrlField
          id="pf-url"
          label="URL"
          noteId="pf-url-note"
          note={urlNote}
          placeholder="https://opsmanager.example.com:8443"
          value={shownUrl}
          disabled={cloud}
          onInput={setUrl}
        />
        <TextField id="pf-public-key" label="Public API key" value={publicKey} onInput={setPublicKey} />
        <SecretField
          id="pf-private-key"
          label="Private API key"
          value={privateKey}
          onInput={setPrivateKey}
          placeholder="Private API key"
          saved={!!p?.hasPrivateKey}
          bound={keyBound}
          clearedText="Saving clears the saved key: it was saved for another server, public key or TLS setting. Enter the key again to keep one."
          savedText="✓ key saved in the keychain"
        />
        <ConnectionFields
          transport={transport}
          idPrefix="pf"
          peer="the server"
          onError={setError}
        />
      </div>
      <fieldset class="group">
        <legend>Atlas</legend>
        <div class="grid">
          <Field
            label="Atlas connection"
            noteId="pf-atlas-note"
            note={connections.length ? "Generates this profile's link tokens in Atlas (Generate & link)." : "Add one under Atlas connections in the side bar."}
          >
            <select id="pf-atlas" value={atlas} onChange={(e) => setAtlas(e.currentTarget.value)}>
              <option value="">None — paste tokens</option>
              <Options items={connections} />
            </select>
          </Field>
          <Field
            label="Access list (source addresses)"
            noteId="pf-access-list-note"
            note={
              accessCheck?.ok !== false ? (
                "The source's external address as Atlas sees it (Ops Manager behind NAT: its public address). Cloud Manager needs none."
              ) : (
                <span class="warning-text">{accessCheck.message}</span>
              )
            }
          >
            <input
              id="pf-access-list"
              value={accessList}
              placeholder="203.0.113.7, 2001:db8::7"
              autocomplete="off"
              spellcheck={false}
              disabled={atlas === ""}
              onInput={(e) => setAccessList(e.currentTarget.value)}
            />
          </Field>
        </div>
      </fieldset>
    </FormDialog>
  );
}
