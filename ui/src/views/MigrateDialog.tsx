// Migrate…: one deployment of a linked organization to an Atlas cluster. The destination
// pickers show every cluster, the ones that cannot receive a migration disabled with their
// reason (the core's check); Validate asks Atlas, Start is offered once that exact request
// validated. The source password is sent once, to Atlas, and cleared from the form after.

import { useEffect, useState } from "preact/hooks";
import type { OmlinkError } from "../api";
import { api, asOmlinkError } from "../api";
import { closeMigrate, startMigration, validateMigration } from "../actions";
import type { DestinationProject } from "../bindings/DestinationProject";
import type { MigrationDraft } from "../bindings/MigrationDraft";
import type { Network } from "../bindings/Network";
import { migrateSource, type MigrateSource } from "../state";
import { Badge, ErrorBox, Field, Modal, SelectField, TextField } from "./common";

type NetworkKind = Network["kind"];
type Phase = { state: "idle" } | { state: "validating" } | { state: "valid"; key: string } | { state: "starting" } | { state: "error"; error: OmlinkError };

const NETWORKS: [NetworkKind, string][] = [["public", "Public"], ["privateLink", "Private endpoint (PrivateLink)"], ["vpcPeering", "VPC / VNet peering"]];

const SOURCE_AUTH: ["managed" | "user", string][] = [["managed", "Managed by the source's automation"], ["user", "A migration user (SCRAM)"]];

export function MigrateDialog() {
  const source = migrateSource.value;
  if (!source) return null;
  return <MigrateForm key={`${source.project.projectId}/${source.deployment.name}`} source={source} />;
}

function MigrateForm({ source }: { source: MigrateSource }) {
  const [destinations, setDestinations] = useState<DestinationProject[] | null>(null);
  const [loadError, setLoadError] = useState<OmlinkError | null>(null);
  const [projectId, setProjectId] = useState("");
  const [cluster, setCluster] = useState("");
  const [host, setHost] = useState(source.project.migrationHosts[0] ?? "");
  const [network, setNetwork] = useState<NetworkKind>("public");
  const [privateLinkId, setPrivateLinkId] = useState("");
  const [auth, setAuth] = useState<"managed" | "user">("managed");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [tls, setTls] = useState(false);
  const [caPath, setCaPath] = useState("");
  const [drop, setDrop] = useState(false);
  const [phase, setPhase] = useState<Phase>({ state: "idle" });

  useEffect(() => {
    let live = true;
    api
      .migrationDestinations(source.profileId, source.atlasOrg, source.deployment.mongoDBVersion ?? null)
      .then((list) => {
        if (!live) return;
        setDestinations(list);
        // The first project with a cluster that fits, and that cluster.
        const first = list.find((p) => p.clusters.some((c) => c.fit.fit === "fit")) ?? list[0];
        if (first) {
          setProjectId(first.id);
          setCluster(first.clusters.find((c) => c.fit.fit === "fit")?.cluster.name ?? "");
        }
      })
      .catch((e) => live && setLoadError(asOmlinkError(e)));
    return () => {
      live = false;
    };
  }, [source.profileId, source.atlasOrg, source.deployment.mongoDBVersion]);

  const project = destinations?.find((p) => p.id === projectId) ?? null;
  const chosen = project?.clusters.find((c) => c.cluster.name === cluster) ?? null;
  const networkValue: Network = network === "privateLink" ? { kind: "privateLink", id: privateLinkId.trim() } : { kind: network };
  const draft: MigrationDraft = {
    atlasOrg: source.atlasOrg,
    sourceOrg: source.sourceOrg,
    sourceProject: source.project.projectId,
    sourceCluster: source.deployment.name,
    migrationHost: host,
    atlasProject: projectId,
    cluster,
    network: networkValue,
    sourceUsername: auth === "user" ? username.trim() : null,
    sourcePassword: auth === "user" ? password : undefined,
    sourceTls: tls,
    sourceCaPath: tls && caPath.trim() ? caPath.trim() : null,
    dropDestinationData: drop,
  };
  // What was validated: everything but the password (a new one is validated with Start anyway).
  const key = JSON.stringify({ ...draft, sourcePassword: undefined });
  const complete =
    !!projectId && chosen?.fit.fit === "fit" && !!host && (network !== "privateLink" || !!privateLinkId.trim()) && (auth === "managed" || (!!username.trim() && !!password));
  const busy = phase.state === "validating" || phase.state === "starting";
  const validated = phase.state === "valid" && phase.key === key;

  const validate = async () => {
    setPhase({ state: "validating" });
    const result = await validateMigration(source.profileId, draft);
    setPhase("kind" in result ? { state: "error", error: result } : { state: "valid", key });
  };
  const start = async () => {
    setPhase({ state: "starting" });
    const error = await startMigration(source.profileId, draft);
    if (error) setPhase({ state: "error", error });
    else setPassword("");
  };

  return (
    <Modal id="migrate-dialog" label="Migrate a deployment to Atlas" onClose={closeMigrate} wide>
      <form
        id="migrate-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (complete && !busy) void (validated ? start() : validate());
        }}
      >
        <h2>
          Migrate {source.deployment.name} to Atlas
        </h2>
        <p class="muted small" id="mg-source">
          From {source.project.name} (<code>{source.project.projectId}</code>), MongoDB {source.deployment.mongoDBVersion ?? "?"}, to Atlas organization{" "}
          {source.atlasOrgName}.
        </p>
        {loadError ? <ErrorBox error={loadError} /> : null}
        {!destinations && !loadError ? (
          <p role="status">
            <Badge state={{ state: "inProgress", what: "Reading the Atlas projects and clusters…" }} />
          </p>
        ) : null}
        {destinations ? (
          <>
            <Field label="Destination project">
              <select
                id="mg-project"
                value={projectId}
                onChange={(e) => {
                  const id = e.currentTarget.value;
                  setProjectId(id);
                  setCluster(destinations.find((p) => p.id === id)?.clusters.find((c) => c.fit.fit === "fit")?.cluster.name ?? "");
                }}
              >
                {destinations.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label="Destination cluster"
              noteId="mg-cluster-note"
              note={chosen?.fit.fit === "fit" ? (chosen.fit.note ?? "Can receive this migration.") : chosen?.fit.fit === "unfit" ? chosen.fit.reason : ""}
            >
              <select id="mg-cluster" value={cluster} onChange={(e) => setCluster(e.currentTarget.value)}>
                {project?.clusters.length ? null : <option value="">No cluster in this project</option>}
                {project?.clusters.map((c) => (
                  <option key={c.cluster.name} value={c.cluster.name} disabled={c.fit.fit === "unfit"} title={c.fit.fit === "unfit" ? c.fit.reason : undefined}>
                    {c.cluster.name} · {c.cluster.tier ?? "?"} · MongoDB {c.cluster.mongoDBVersion ?? "?"}
                    {c.fit.fit === "unfit" ? ` — ${c.fit.reason}` : ""}
                  </option>
                ))}
              </select>
            </Field>
          </>
        ) : null}
        <Field label="Migration host" note={source.project.migrationHosts.length ? undefined : "This project has no migration host: add one in Ops Manager first."}>
          <select id="mg-host" value={host} onChange={(e) => setHost(e.currentTarget.value)}>
            {source.project.migrationHosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </Field>
        <SelectField id="mg-network" label="Network to the destination" value={network} onChange={setNetwork} choices={NETWORKS} />
        {network === "privateLink" ? <TextField id="mg-private-link" label="Private endpoint id" value={privateLinkId} onInput={setPrivateLinkId} /> : null}
        <SelectField id="mg-auth" label="Source authentication" value={auth} onChange={setAuth} choices={SOURCE_AUTH} />
        {auth === "user" ? (
          <>
            <TextField id="mg-username" label="Migration user" value={username} onInput={setUsername} />
            <TextField
              id="mg-password"
              label="Its password"
              type="password"
              note="Sent only to Atlas with this request; omlink keeps it nowhere."
              value={password}
              onInput={setPassword}
            />
          </>
        ) : null}
        <label class="checkbox">
          <input type="checkbox" id="mg-tls" checked={tls} onChange={(e) => setTls(e.currentTarget.checked)} /> The source uses TLS
        </label>
        {tls ? (
          <Field label="CA file on the migration host (optional)">
            <input id="mg-ca-path" value={caPath} spellcheck={false} placeholder="/etc/ssl/ca.pem" onInput={(e) => setCaPath(e.currentTarget.value)} />
          </Field>
        ) : null}
        <label class="checkbox">
          <input type="checkbox" id="mg-drop" checked={drop} onChange={(e) => setDrop(e.currentTarget.checked)} /> Drop the destination's data first
        </label>
        {drop ? (
          <p class="warning-text" id="mg-drop-warning" role="alert">
            Every database on {cluster || "the destination cluster"} is deleted before the copy starts. This cannot be undone.
          </p>
        ) : null}
        <div id="mg-result" aria-live="polite">
          {phase.state === "validating" ? <Badge state={{ state: "inProgress", what: "Atlas is validating…" }} /> : null}
          {phase.state === "starting" ? <Badge state={{ state: "inProgress", what: "Starting…" }} /> : null}
          {validated ? (
            <p class="ok-text" id="mg-valid">
              ✓ Atlas validated this migration: SUCCESS. Start it when ready.
            </p>
          ) : null}
          {phase.state === "error" ? <ErrorBox error={phase.error} /> : null}
        </div>
        <div class="dialog-actions">
          <button type="button" id="mg-cancel" onClick={closeMigrate}>
            Cancel
          </button>
          <button type="button" id="mg-validate" disabled={!complete || busy} onClick={() => void validate()}>
            Validate
          </button>
          <button type="button" id="mg-start" class={drop ? "danger" : "primary"} disabled={!complete || busy || !validated} onClick={() => void start()}>
            Start migration
          </button>
        </div>
      </form>
    </Modal>
  );
}
