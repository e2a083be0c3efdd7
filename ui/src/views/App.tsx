// The window: profiles and Atlas connections on the side, the organization table in the
// middle, the selected organization's details on the right; settings, About and confirmations
// in dialogs.

import { useEffect } from "preact/hooks";
import { atlasConnections, atlasDialogId, current, dialog, info, mainView, migrations, notice, ready, storeWarning, unusedKeychain } from "../state";
import { pruneKeychain, showMigrations } from "../actions";
import { isLive } from "../lib/migrations";
import { MigrateDialog } from "./MigrateDialog";
import { Migrations } from "./Migrations";
import { AtlasDialog } from "./AtlasDialog";
import { BatchPanel } from "./BatchPanel";
import { ConfirmDialog, Modal } from "./common";
import { Details } from "./Details";
import { Fleet, SEARCH_ID } from "./Fleet";
import { ProfileDialog } from "./ProfileDialog";
import { Profiles } from "./Profiles";

export function App() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Ctrl+K (⌘K on macOS) focuses the organization search, as in most desktop tools.
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
        const search = document.getElementById(SEARCH_ID) as HTMLInputElement | null;
        if (search && !document.querySelector("dialog[open]")) {
          e.preventDefault();
          search.focus();
          search.select();
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const d = dialog.value;
  const atlasId = atlasDialogId.value;
  const atlasConnection = atlasId === null ? null : (atlasConnections.value.find((c) => c.id === atlasId) ?? null);
  return (
    <>
      <header class="topbar" data-ready={ready.value ? "true" : "false"}>
        <h1>omlink</h1>
        <span class="tagline">Link Ops Manager and Cloud Manager organizations to MongoDB Atlas</span>
        <span class="spacer" />
        <MigrationsButton />
        <button type="button" id="about-button" class="link" onClick={() => (dialog.value = "about")}>
          About
        </button>
      </header>
      <Banner />
      <div class="columns">
        <Profiles />
        <main id="main">
          {mainView.value === "migrations" ? (
            <Migrations />
          ) : (
            <>
              <Fleet />
              <BatchPanel />
            </>
          )}
        </main>
        <Details />
      </div>
      {d === "newProfile" ? <ProfileDialog profile={null} /> : null}
      {d === "settings" && current.value ? <ProfileDialog key={current.value.id} profile={current.value} /> : null}
      {d === "atlas" && (atlasId === null || atlasConnection) ? <AtlasDialog key={atlasId ?? "new"} connection={atlasConnection} /> : null}
      {d === "about" ? <About /> : null}
      {d === "migrate" ? <MigrateDialog /> : null}
      <ConfirmDialog />
    </>
  );
}

/** The way to the Migrations view, with how many are running and how many are ready. */
function MigrationsButton() {
  const list = migrations.value;
  const live = list.filter(isLive).length;
  const ready = list.filter((m) => m.record.readyForCutover && isLive(m)).length;
  const open = mainView.value === "migrations";
  return (
    <button type="button" id="migrations-button" class="link" aria-pressed={open ? "true" : "false"} onClick={() => showMigrations(!open)}>
      Migrations{live ? ` (${live} running${ready ? `, ${ready} ready` : ""})` : list.length ? ` (${list.length})` : ""}
    </button>
  );
}

function Banner() {
  const keychain = info.value?.keychain;
  const n = notice.value;
  return (
    <div id="banner">
      {storeWarning.value ? (
        <div class="banner warn" role="alert" id="store-warning">
          {storeWarning.value}
        </div>
      ) : null}
      {unusedKeychain.value.length > 0 ? (
        <div class="banner" role="status" id="unused-keychain">
          <span>
            {unusedKeychain.value.length} omlink keychain {unusedKeychain.value.length === 1 ? "entry is" : "entries are"} not used by anything saved.
          </span>
          <button type="button" id="prune-keychain" onClick={() => void pruneKeychain()}>
            Remove unused keychain entries…
          </button>
        </div>
      ) : null}
      {keychain && keychain.state === "unavailable" ? (
        <div class="banner warn" role="alert" id="keychain-warning">
          Keychain unavailable: {keychain.message} — {keychain.hint}
        </div>
      ) : null}
      {n ? (
        <div class={`banner ${n.tone}`} role="status" id="notice">
          <span>{n.text}</span>
          <button type="button" class="link dismiss" aria-label="Dismiss the message" onClick={() => (notice.value = null)}>
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}

function About() {
  const i = info.value;
  return (
    <Modal id="about" label="About omlink" onClose={() => (dialog.value = null)}>
      <h2>About omlink</h2>
      <p>
        Version {i?.version ?? "?"} ({i?.identifier ?? ""})
      </p>
      <p>
        Profiles and history are saved in <code>{i?.storeFile ?? "?"}</code>.
      </p>
      <p>Keychain: {!i ? "?" : i.keychain.state === "available" ? "available" : i.keychain.message}</p>
      <div class="dialog-actions">
        <button type="button" id="about-close" onClick={() => (dialog.value = null)}>
          Close
        </button>
      </div>
    </Modal>
  );
}
