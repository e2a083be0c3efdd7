// A profile's connection settings, in their own dialog (new or existing profile).

import { useState } from "preact/hooks";
import type { OmlinkError } from "../api";
import { chooseCaFile, deleteProfile, duplicateProfile, saveProfile, testConnection } from "../actions";
import { CLOUD_MANAGER_URL, DEFAULT_TIMEOUT_SECS, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS } from "../bindings/constants";
import type { Profile } from "../bindings/Profile";
import type { ServerKind } from "../bindings/ServerKind";
import { checkAccessList, checkUrl, originOf } from "../lib/validate";
import { atlasConnections, dialog } from "../state";
import { ErrorBox, Field, Modal } from "./common";

export function ProfileDialog({ profile }: { profile: Profile | null }) {
  const p = profile;
  const close = () => (dialog.value = null);
  const [name, setName] = useState(p?.name ?? "");
  const [kind, setKind] = useState<ServerKind>(p?.kind ?? "OpsManager");
  const [url, setUrl] = useState(p?.url ?? "");
  const [publicKey, setPublicKey] = useState(p?.publicKey ?? "");
  const [privateKey, setPrivateKey] = useState("");
  const [caFile, setCaFile] = useState(p?.tls.caFile ?? "");
  const [skipVerify, setSkipVerify] = useState(p?.tls.skipVerify ?? false);
  const [timeout, setTimeoutSecs] = useState(String(p?.timeoutSecs ?? DEFAULT_TIMEOUT_SECS));
  const [atlas, setAtlas] = useState(p?.atlas?.connection ?? "");
  const [accessList, setAccessList] = useState((p?.atlas?.accessListIps ?? []).join(", "));
  const [error, setError] = useState<OmlinkError | null>(null);
  const [saving, setSaving] = useState(false);

  if (p?.sandbox) {
    return (
      <Modal id="profile-dialog" label={`Profile ${p.name}`} onClose={close}>
        <h2>{p.name}</h2>
        <p>
          The built-in sandbox runs inside omlink on <code id="sandbox-url">{p.url}</code> with demo organizations and an Organization Owner key. Nothing
          leaves this machine.
        </p>
        <div class="dialog-actions">
          <button type="button" id="test-connection" onClick={() => void testConnection(p.id)}>
            Test connection
          </button>
          <button type="button" id="delete-profile" class="danger" onClick={() => void deleteProfile(p)}>
            Delete
          </button>
          <span class="spacer" />
          <button type="button" id="close-profile" onClick={close}>
            Close
          </button>
        </div>
      </Modal>
    );
  }

  const cloud = kind === "CloudManager";
  const shownUrl = cloud ? CLOUD_MANAGER_URL : url;
  const urlCheck = checkUrl(shownUrl);
  const plainHttp = urlCheck.ok && shownUrl.trim().startsWith("http://");
  const urlNote = urlCheck.ok ? (plainHttp ? "http:// is unencrypted: labs only." : "") : shownUrl ? urlCheck.message : "";

  // A saved key is bound to its server, public key and TLS settings: changing one without
  // entering the key again clears it (the core does; the dialog says so first).
  const clearsKey =
    !!p?.hasPrivateKey &&
    !privateKey.trim() &&
    (originOf(shownUrl) !== originOf(p.url) ||
      publicKey.trim() !== p.publicKey ||
      (caFile.trim() || null) !== (p.tls.caFile ?? null) ||
      skipVerify !== p.tls.skipVerify);

  const connections = atlasConnections.value;
  const accessCheck = checkAccessList(accessList);

  const save = async () => {
    setError(null);
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
        caFile: caFile.trim() === "" ? null : caFile.trim(),
        skipVerify,
        timeoutSecs: Number(timeout) || 0,
        atlas:
          atlas === ""
            ? null
            : {
                connection: atlas,
                org: sameConnection ? (p?.atlas?.org ?? null) : null,
                orgName: sameConnection ? (p?.atlas?.orgName ?? null) : null,
                accessListIps: accessCheck.ok ? accessCheck.value : [],
              },
      },
      privateKey === "" ? null : privateKey,
    );
    setSaving(false);
    if (failed) setError(failed);
  };
  const browse = async () => {
    try {
      const picked = await chooseCaFile();
      if (picked) setCaFile(picked);
    } catch (e) {
      setError(e as OmlinkError);
    }
  };

  return (
    <Modal id="profile-dialog" label={p ? `Profile settings: ${p.name}` : "New profile"} onClose={close} wide>
      <form
        id="profile-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{p ? `Profile: ${p.name}` : "New profile"}</h2>
        <div class="grid">
          <Field label="Name">
            <input id="pf-name" value={name} placeholder="Ops Manager prod" autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Server">
            <select id="pf-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as ServerKind)}>
              <option value="OpsManager">Ops Manager</option>
              <option value="CloudManager">Cloud Manager</option>
            </select>
          </Field>
          <Field label="URL" note={urlNote} noteId="pf-url-note">
            <input
              id="pf-url"
              type="url"
              placeholder="https://opsmanager.example.com:8443"
              value={shownUrl}
              disabled={cloud}
              autocomplete="off"
              spellcheck={false}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          </Field>
          <Field label="Public API key">
            <input id="pf-public-key" value={publicKey} autocomplete="off" spellcheck={false} onInput={(e) => setPublicKey(e.currentTarget.value)} />
          </Field>
          <Field
            label="Private API key"
            note={
              clearsKey ? (
                <span class="warn" id="pf-key-cleared">
                  Saving clears the saved key: it was saved for another server, public key or TLS setting. Enter the key again to keep one.
                </span>
              ) : p?.hasPrivateKey ? (
                <span class="saved" id="pf-key-saved">
                  ✓ key saved in the keychain
                </span>
              ) : (
                "Stored in the OS keychain, never in a file."
              )
            }
          >
            <input
              id="pf-private-key"
              type="password"
              autocomplete="off"
              value={privateKey}
              placeholder={p?.hasPrivateKey ? "Saved in the keychain — type to replace" : "Private API key"}
              onInput={(e) => setPrivateKey(e.currentTarget.value)}
            />
          </Field>
          <Field label="Timeout (seconds)">
            <input
              id="pf-timeout"
              type="number"
              min={MIN_TIMEOUT_SECS}
              max={MAX_TIMEOUT_SECS}
              value={timeout}
              onInput={(e) => setTimeoutSecs(e.currentTarget.value)}
            />
          </Field>
          <Field label="Extra CA file" note="Trusted in addition to the system's certificates.">
            <span class="inline">
              <input
                id="pf-ca-file"
                value={caFile}
                placeholder="Optional: PEM file of extra CA certificates"
                spellcheck={false}
                onInput={(e) => setCaFile(e.currentTarget.value)}
              />
              <button type="button" onClick={() => void browse()}>
                Browse…
              </button>
            </span>
          </Field>
          <div>
            <label class="checkbox">
              <input id="pf-skip-verify" type="checkbox" checked={skipVerify} onChange={(e) => setSkipVerify(e.currentTarget.checked)} /> Skip TLS
              certificate verification
            </label>
            {skipVerify ? (
              <span class="warning-text" id="pf-skip-warning">
                Certificate verification is OFF: anyone on the network path can impersonate the server. Use only in a lab.
              </span>
            ) : null}
          </div>
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
                {connections.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label="Access list (source addresses)"
              noteId="pf-access-list-note"
              note={
                accessCheck.ok ? (
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
        <div id="pf-error">{error ? <ErrorBox error={error} retry={error.kind === "Keychain" ? () => void save() : undefined} /> : null}</div>
        <div class="dialog-actions">
          <button type="submit" id="save-profile" class="primary" disabled={saving}>
            Save profile
          </button>
          {p ? (
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
          ) : null}
          {p ? (
            <button type="button" id="duplicate-profile" onClick={() => void duplicateProfile(p.id)}>
              Duplicate
            </button>
          ) : null}
          {p ? (
            <button type="button" id="delete-profile" class="danger" onClick={() => void deleteProfile(p)}>
              Delete
            </button>
          ) : null}
          <span class="spacer" />
          <button type="button" id="close-profile" onClick={close}>
            Close
          </button>
        </div>
      </form>
    </Modal>
  );
}
