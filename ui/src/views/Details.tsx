// The side panel: the selected organization (badge, Generate & link when the profile has an
// Atlas connection, the link form, unlink), what Atlas can then migrate, the preflight, an id
// typed by hand, the token history and the help.

import { useEffect, useState } from "preact/hooks";
import {
  cancelLink,
  generateAndLink,
  link,
  loadAtlasOrgs,
  loadPreflight,
  loadProjects,
  openMigrate,
  refreshStatus,
  revokeToken,
  selectOrg,
  unlink,
} from "../actions";
import type { Organization } from "../bindings/Organization";
import type { Profile } from "../bindings/Profile";
import { allSupported, managedText, plural, shardedText, sizeGb, VERDICTS } from "../lib/atlas";
import { categoryOf } from "../lib/fleet";
import { checkNow } from "../lib/checks";
import {
  accessListText,
  atlasOf,
  availableProjects,
  chosenAtlasOrg,
  current,
  generating,
  inFlight,
  orgKey,
  orgs,
  preflights,
  selected,
  stateOf,
} from "../state";
import { Badge, ErrorBox, Field, ReloadActions } from "./common";
import { AccessListField, AtlasOrgField, AtlasOrgs } from "./fields/AtlasTarget";
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
  return (
    <>
      <LinkForm key={orgKey(org.profileId, org.id)} org={org} profile={p} />
      {atlasOf(p) ? <AvailableProjects org={org} profile={p} /> : null}
      <Preflight org={org} />
    </>
  );
}

type OrgRef = { profileId: string; id: string; name: string | null };

function ManualId() {
  const [value, setValue] = useState("");
  const check = value === "" ? null : checkNow("orgId", value);
  const use = () => {
    if (!check?.ok) return;
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
          note={<span class={check?.ok ? "ok-text" : "warning-text"}>{!check ? "" : check.ok ? "✓ valid organization id" : check.message}</span>}
        >
          <span class="inline">
            <input id="org-manual" value={value} placeholder="5f1e2d3c4b5a697887766554" spellcheck={false} autocomplete="off" onInput={(e) => setValue(e.currentTarget.value)} />
            <button type="submit" id="org-manual-use" disabled={!check?.ok}>
              Use this id
            </button>
          </span>
        </Field>
      </form>
    </section>
  );
}

function LinkForm({ org, profile }: { org: OrgRef; profile: Profile }) {
  const [token, setToken] = useState("");
  const [shown, setShown] = useState(false);
  const [pasteNote, setPasteNote] = useState<string | null>(null);
  const key = orgKey(org.profileId, org.id);
  const busy = inFlight.value.has(key);
  const minting = generating.value.has(key);
  const s = stateOf(org.profileId, org.id);
  const check = token === "" ? null : checkNow("linkToken", token);
  const atlas = atlasOf(profile) !== null;
  // A token typed here leaves the page as soon as it is linked (it then lives only in the
  // keychain); a failed link keeps it for another try.
  useEffect(() => setPasteNote(null), [token]);

  const submit = async () => {
    if (!check?.ok || busy) return;
    if (await link(org, { kind: "paste", value: token })) setToken("");
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
      : !check
        ? ""
        : check.ok
          ? `${check.shown} · ${[...token.trim()].length} characters`
          : check.message);

  return (
    <section id="link" aria-labelledby="link-title">
      <h2 id="link-title">Link to Atlas</h2>
      <p class="org-title">
        <strong id="selected-org-name">{org.name ?? "Organization"}</strong> <code id="selected-org-id">{org.id}</code>
      </p>
      <div id="org-status" aria-live="polite">
        {busy ? (
          <Badge state={{ state: "inProgress", what: minting ? "Generating & linking" : "Linking" }} />
        ) : (
          <Badge state={s?.badge ?? { state: "unknown" }} at={s?.checkedAt ?? null} />
        )}
      </div>
      {s?.error && !busy ? <ErrorBox error={s.error} /> : null}
      {atlas ? <GenerateInAtlas org={org} profile={profile} /> : null}
      {atlas ? (
        <h3 class="subhead" id="paste-title">
          Or paste a token
        </h3>
      ) : null}
      <form
        aria-labelledby={atlas ? "paste-title" : undefined}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Link token" noteId="token-note" note={<span class={check?.ok !== false ? "" : "warning-text"}>{note}</span>}>
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
          <button type="submit" id="link-button" class={atlas ? "" : "primary"} disabled={busy || !check?.ok}>
            {busy && !minting ? "Linking…" : "Link"}
          </button>
          {busy && !minting ? (
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

/** Generate & link: the token is created in the chosen Atlas organization by Rust and never
 * reaches the window. */
function GenerateInAtlas({ org, profile }: { org: OrgRef; profile: Profile }) {
  const a = atlasOf(profile);
  const connectionId = a?.connection.id ?? null;
  useEffect(() => {
    if (connectionId) void loadAtlasOrgs(connectionId);
  }, [connectionId]);
  if (!a) return null;
  const ips = checkNow("accessList", accessListText(profile));
  const key = orgKey(org.profileId, org.id);
  const busy = inFlight.value.has(key);
  const minting = generating.value.has(key);
  const submit = (chosen: Organization) => {
    if (!ips?.ok || busy) return;
    void generateAndLink(org, { org: chosen.id, orgName: chosen.name, accessListIps: ips.values });
  };
  return (
    <div class="generate" role="group" aria-labelledby="generate-title">
      <h3 class="subhead" id="generate-title">
        Generate in Atlas
      </h3>
      <p class="muted small">
        With Atlas connection <strong>{a.connection.name}</strong>, omlink creates the link token in the Atlas organization and links this organization
        with it. The token is never shown.
      </p>
      <AtlasOrgs
        profile={profile}
        loadingId="atlas-org-loading"
        none={
          <p class="warning-text" id="atlas-org-none">
            The Atlas connection sees no Atlas organization: give its service account or API key access to one (Organization Owner).
          </p>
        }
      >
        {(chosen, list) => (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit(chosen);
            }}
          >
            <AtlasOrgField id="atlas-org" label="Atlas organization" profileId={profile.id} chosen={chosen} list={list} disabled={busy} />
            <AccessListField
              id="access-list"
              noteId="access-list-note"
              hint="The source's external address as Atlas sees it (Ops Manager behind NAT: its public address); Cloud Manager needs none."
              profile={profile}
              disabled={busy}
            />
            <div class="actions">
              <button type="submit" id="generate-link" class="primary" disabled={busy || !ips?.ok}>
                {minting ? "Generating & linking…" : "Generate & link"}
              </button>
              {minting ? (
                <button type="button" id="cancel-button" onClick={() => void cancelLink(org.profileId, org.id)}>
                  Cancel
                </button>
              ) : null}
              <button type="button" id="revoke-token" class="danger" disabled={busy} onClick={() => void revokeToken(org, chosen)}>
                Revoke Atlas link token…
              </button>
            </div>
          </form>
        )}
      </AtlasOrgs>
    </div>
  );
}

/** What the chosen Atlas organization can migrate from, once this organization is linked: the
 * confirmation, and the next step. */
function AvailableProjects({ org, profile }: { org: OrgRef; profile: Profile }) {
  const linked = categoryOf(stateOf(org.profileId, org.id)) === "linked" && !inFlight.value.has(orgKey(org.profileId, org.id));
  const chosen = chosenAtlasOrg(profile);
  const atlasOrg = chosen?.id ?? null;
  useEffect(() => {
    if (linked && atlasOrg) void loadProjects(profile.id, atlasOrg);
  }, [linked, atlasOrg, profile.id]);
  if (!linked || !chosen) return null;
  const loaded = availableProjects.value.get(orgKey(profile.id, chosen.id));
  const projects = loaded?.value ?? null;
  return (
    <section id="available-projects" aria-labelledby="projects-title" aria-busy={loaded?.loading ? "true" : undefined}>
      <h2 id="projects-title">Available in Atlas organization {chosen.name}</h2>
      {loaded?.error ? <ErrorBox error={loaded.error} retry={() => void loadProjects(profile.id, chosen.id, true)} /> : null}
      {!projects && !loaded?.error ? (
        <p role="status">
          <Badge state={{ state: "inProgress", what: "Reading what Atlas can migrate…" }} />
        </p>
      ) : null}
      {projects && projects.length === 0 ? (
        <p class="muted" id="projects-empty">
          No projects are available yet: Atlas lists the projects of the organizations linked with a token of this Atlas organization once it can reach
          them (for Ops Manager, a project needs a migration host). Refresh in a minute.
        </p>
      ) : null}
      {projects && projects.length > 0 ? (
        <>
          <ul id="projects">
            {projects.map((pr) => (
              <li class="project" key={pr.projectId} data-project={pr.projectId}>
                <strong class="project-name">{pr.name}</strong>
                <br />
                <span class="muted small">
                  <code>{pr.projectId}</code>
                  {pr.migrationHosts.length ? ` · ${plural(pr.migrationHosts.length, "migration host")}` : ""}
                </span>
                {pr.deployments.length ? (
                  // Focusable: it may scroll sideways in a narrow panel.
                  <div class="table-wrap deployments-wrap" tabIndex={0} role="region" aria-label={`Deployments of ${pr.name}`}>
                    <table class="deployments">
                      <thead>
                        <tr>
                          <th scope="col">Deployment</th>
                          <th scope="col">MongoDB</th>
                          <th scope="col" class="num">
                            Size (GB)
                          </th>
                          <th scope="col">Sharded</th>
                          <th scope="col">Managed</th>
                        </tr>
                      </thead>
                      <tbody>
                        {pr.deployments.map((d) => (
                          <tr key={d.name}>
                            <td>
                              {d.name}
                              <br />
                              <button
                                type="button"
                                class="migrate"
                                data-deployment={d.name}
                                disabled={!pr.migrationHosts.length}
                                title={pr.migrationHosts.length ? `Migrate ${d.name} to an Atlas cluster` : "This project has no migration host"}
                                onClick={() =>
                                  openMigrate({ profileId: profile.id, atlasOrg: chosen.id, atlasOrgName: chosen.name, sourceOrg: org.id, project: pr, deployment: d })
                                }
                              >
                                Migrate…
                              </button>
                            </td>
                            <td>{d.mongoDBVersion ?? "—"}</td>
                            <td class="num">{sizeGb(d.dbSizeBytes)}</td>
                            <td>{shardedText(d)}</td>
                            <td>{managedText(d)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : (
                  <p class="muted small">No deployments reported.</p>
                )}
              </li>
            ))}
          </ul>
          <p class="small" id="projects-next">
            Next: Migrate… beside a deployment picks the Atlas cluster, validates and starts the migration; the Migrations view follows its lag and
            the cutover deadline, and cuts over when Atlas says ready.
          </p>
        </>
      ) : null}
      <ReloadActions id="refresh-projects" label="Refresh projects" loading={loaded?.loading ?? false} reload={() => void loadProjects(profile.id, chosen.id, true)} />
    </section>
  );
}

/** Is push live migration supported from this organization's projects? A warning, never a
 * block. */
function Preflight({ org }: { org: OrgRef }) {
  const key = orgKey(org.profileId, org.id);
  useEffect(() => {
    void loadPreflight(org.profileId, org.id);
  }, [key]);
  const loaded = preflights.value.get(key);
  const checks = loaded?.value ?? null;
  return (
    <section id="preflight" aria-labelledby="preflight-title" aria-busy={loaded?.loading ? "true" : undefined}>
      <h2 id="preflight-title">Before you migrate</h2>
      {loaded?.error ? <ErrorBox error={loaded.error} /> : null}
      {!checks && !loaded?.error ? (
        <p class="muted small" role="status">
          Checking the projects' MongoDB versions…
        </p>
      ) : null}
      {checks && checks.length === 0 ? (
        <p class="muted small" id="preflight-none">
          This organization has no projects yet.
        </p>
      ) : null}
      {checks && allSupported(checks) ? (
        <p class="ok-text small" id="preflight-ok">
          ✓ Push live migration is supported for {checks.length === 1 ? "its project" : `all ${checks.length} projects`}.
        </p>
      ) : null}
      {checks && checks.length > 0 && !allSupported(checks) ? (
        <ul id="preflight-list">
          {checks.map((c) => {
            const v = VERDICTS[c.verdict];
            return (
              <li key={c.projectId} data-verdict={c.verdict} data-project={c.projectId}>
                <strong>{c.name}</strong> <span class={`verdict ${v.tone}`}>{c.verdict === "supported" ? "✓" : c.verdict === "unknown" ? "?" : "!"} {v.label}</span>
                {c.versions.length ? <span class="muted small"> · MongoDB {c.versions.join(", ")}</span> : null}
                <br />
                <span class={`small ${c.verdict === "supported" ? "" : v.tone}`}>{c.message}</span>
              </li>
            );
          })}
        </ul>
      ) : null}
      <ReloadActions id="preflight-refresh" label="Check again" loading={loaded?.loading ?? false} reload={() => void loadPreflight(org.profileId, org.id, true)} />
    </section>
  );
}
