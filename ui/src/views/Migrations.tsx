// The Migrations view: every migration omlink started or queued, across profiles and Atlas
// connections: its badge, lag with a small chart of its recent history, the cutover deadline
// as a countdown (amber under 24 h, red under 2 h), Cut over… once Atlas says ready, and what a
// queued row waits for.

import { cutOver, refreshMigrations, showMigrations } from "../actions";
import type { MigrationView } from "../bindings/MigrationView";
import { countdown, isLive, lagPoints, migrationBadge } from "../lib/migrations";
import { migrations, migrationsError, now } from "../state";
import { ErrorBox } from "./common";

export function Migrations() {
  const list = migrations.value;
  return (
    <section id="migrations" aria-labelledby="migrations-title">
      <div class="section-head">
        <h2 id="migrations-title">Migrations</h2>
        <span class="spacer" />
        <button type="button" id="migrations-refresh" onClick={() => void refreshMigrations()}>
          Refresh
        </button>
        <button type="button" id="migrations-close" onClick={() => showMigrations(false)}>
          Back to organizations
        </button>
      </div>
      {migrationsError.value ? <ErrorBox error={migrationsError.value} /> : null}
      {list.length === 0 ? (
        <p class="muted" id="migrations-empty">
          No migration yet. On a linked organization, choose Migrate… beside a deployment Atlas can migrate.
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Migrations">
          <table class="migrations">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Source → destination</th>
                <th scope="col">Lag</th>
                <th scope="col">Cutover deadline</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <Row key={v.record.id} v={v} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">
        Atlas lists no migrations: this view shows those omlink started, here or with <code>omlink atlas migration start</code>. It reads them again every
        few seconds while any is running.
      </p>
    </section>
  );
}

function Row({ v }: { v: MigrationView }) {
  const r = v.record;
  const badge = migrationBadge(v);
  const left = countdown(v.cutoverDeadline, now.value);
  const lags = r.lagHistory.map((p) => p.seconds);
  return (
    <tr data-migration={r.id} data-status={r.status} data-ready={r.readyForCutover ? "true" : "false"}>
      <td>
        <span class={`badge ${badge.tone} mg-status`} title={badge.title} data-badge={badge.tone}>
          <span class="badge-label">{badge.label}</span>
        </span>
        {r.status === "QUEUED" && v.waiting ? (
          <div class="small muted mg-waiting">
            Waits behind <code>{v.waiting.behind}</code>: {v.waiting.reason}
          </div>
        ) : null}
        {r.lastError && r.status !== "COMPLETE" ? <div class="small warning-text mg-error">{r.lastError}</div> : null}
        {isLive(v) && r.status !== "QUEUED" ? (
          <button
            type="button"
            class="mg-cutover"
            disabled={!r.readyForCutover || r.cutoverAt !== null}
            title={r.readyForCutover ? "Stop writes to the source first" : "Atlas has not said it is ready for cutover"}
            onClick={() => void cutOver(v)}
          >
            Cut over…
          </button>
        ) : null}
      </td>
      <td>
        <strong>{r.sourceCluster}</strong> <span class="muted">→</span> <strong>{r.cluster}</strong>
        <div class="small muted">
          project <code>{r.sourceProject}</code> → <code>{r.atlasProject}</code>
          {v.connectionName ? ` · ${v.connectionName}` : ""}
        </div>
        <div class="small muted">
          id <code class="mg-id">{r.id}</code> · host {r.migrationHost}
        </div>
      </td>
      <td>
        <span class="mg-lag">{r.lagTimeSeconds === null ? "—" : `${Math.round(r.lagTimeSeconds)} s`}</span>
        {lags.length > 1 ? (
          <svg class="mg-chart" width="90" height="24" viewBox="0 0 90 24" role="img" aria-label={`Lag over the last ${lags.length} readings, from ${Math.round(lags[0] ?? 0)} s to ${Math.round(lags[lags.length - 1] ?? 0)} s`}>
            <polyline points={lagPoints(lags, 90, 22)} fill="none" stroke="currentColor" stroke-width="1.5" transform="translate(0 1)" />
          </svg>
        ) : null}
      </td>
      <td>{left ? <span class={`mg-deadline ${left.tone}`} title={`Cut over before ${v.cutoverDeadline}`}>{left.text}</span> : <span class="muted">—</span>}</td>
    </tr>
  );
}
