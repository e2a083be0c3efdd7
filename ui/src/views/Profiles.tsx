// The side bar: saved profiles, a new one, the sandbox; the Atlas connections that generate
// link tokens.

import { openAtlasDialog, selectProfile, trySandbox } from "../actions";
import { atlasConnections, currentId, dialog, profiles } from "../state";

export function Profiles() {
  const list = profiles.value;
  return (
    <nav id="profiles" aria-label="Connection profiles">
      <h2>Profiles</h2>
      {list.length ? (
        <ul class="profile-list">
          {list.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                class={`profile ${currentId.value === p.id ? "active" : ""}`}
                aria-current={currentId.value === p.id ? "true" : undefined}
                data-profile={p.name}
                onClick={() => void selectProfile(p)}
              >
                <span class="profile-name">{p.name}</span>
                <span class="profile-url">{p.sandbox ? "built-in sandbox" : p.url}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No profiles yet.</p>
      )}
      <button type="button" id="new-profile" onClick={() => (dialog.value = "newProfile")}>
        New profile
      </button>
      <button type="button" id="try-sandbox" class={list.length ? "" : "primary"} onClick={() => void trySandbox()}>
        Try the sandbox
      </button>
      <p class="muted small">The sandbox is an Ops Manager look-alike inside omlink, with demo organizations and keys.</p>
      <AtlasConnections />
    </nav>
  );
}

function AtlasConnections() {
  const list = atlasConnections.value;
  return (
    <div class="atlas-connections">
      <h2 id="atlas-connections-title">Atlas connections</h2>
      {list.length ? (
        <ul class="profile-list" aria-labelledby="atlas-connections-title">
          {list.map((c) => (
            <li key={c.id}>
              <button type="button" class="profile atlas-connection" data-atlas={c.name} onClick={() => openAtlasDialog(c.id)}>
                <span class="profile-name">{c.name}</span>
                <span class="profile-url">{c.sandbox ? "built-in sandbox" : c.auth === "ServiceAccount" ? "service account" : "API key"}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" id="new-atlas" onClick={() => openAtlasDialog(null)}>
        New Atlas connection
      </button>
      <p class="muted small">A service account or API key of your Atlas organization: omlink then generates link tokens itself.</p>
    </div>
  );
}
