// The side bar: saved profiles, a new one, the sandbox.

import { selectProfile, trySandbox } from "../actions";
import { currentId, dialog, profiles } from "../state";

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
    </nav>
  );
}
