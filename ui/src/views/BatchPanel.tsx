// The batch panel: the checked organizations, a token per row (typed, pasted or imported from
// a CSV) or generated in Atlas (when the profile has an Atlas connection), one click to link
// them all, progress, Cancel and Retry failed.

import { useEffect, useState } from "preact/hooks";
import {
  applyCsv,
  batchAtlasMode,
  cancelBatch,
  failedOfLastRun,
  linkChecked,
  loadAtlasOrgs,
  mintTargets,
  retryFailed,
  setBatchToken,
  tokenSourceOf,
} from "../actions";
import { checkNow } from "../lib/checks";
import {
  atlasOf,
  atlasOrgsOf,
  batchMode,
  batchRun,
  batchTokens,
  checked,
  chosenAtlasOrg,
  csvProblems,
  current,
  currentId,
  orgs,
} from "../state";
import { AtlasRow, AtlasSettings } from "./BatchAtlas";

export function BatchPanel() {
  const profileId = currentId.value;
  const profile = current.value;
  const [csv, setCsv] = useState("");
  const [force, setForce] = useState(false);
  const connectionId = atlasOf(profile)?.connection.id ?? null;
  const atlasMode = batchAtlasMode();
  useEffect(() => {
    if (atlasMode && connectionId) void loadAtlasOrgs(connectionId);
  }, [atlasMode, connectionId]);
  const run = batchRun.value?.profileId === profileId ? batchRun.value : null;
  const ids = [...checked.value];
  if (!profileId || !profile || (ids.length === 0 && !run)) return null;
  const names = new Map(orgs.value.map((o) => [o.id, o.name]));
  const ready = ids.filter((id) => tokenSourceOf(profileId, id) !== null).length;
  const running = run?.running ?? false;
  const failed = running ? [] : failedOfLastRun();
  const atlasOrgList = atlasMode ? (atlasOrgsOf(profile)?.value ?? null) : null;
  const mintReady = atlasMode && ids.length > 0 && !("message" in mintTargets(ids));
  const plural = ids.length === 1 ? "" : "s";
  const minting = run !== null && run.running && run.minting && run.done === 0;

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    // Read here, in the window, and never kept: the tokens go into the rows' fields.
    const text = await file.text();
    await applyCsv(text, file.name);
  };

  return (
    <section id="batch" aria-labelledby="batch-title">
      <header class="batch-head">
        <h2 id="batch-title">Link {ids.length} selected</h2>
        <span class="muted small" id="batch-ready">
          {atlasMode ? `${ids.length} to generate in Atlas` : `${ready} of ${ids.length} with a token`}
        </span>
        <span class="spacer" />
        <label class="checkbox small">
          <input type="checkbox" id="batch-force" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Link again if already linked
        </label>
        <button
          type="button"
          id="batch-link"
          class="primary"
          disabled={running || ids.length === 0 || (atlasMode ? !mintReady : ready < ids.length)}
          onClick={() => void linkChecked(force)}
        >
          {atlasMode ? "Generate & link" : "Link"} {ids.length} organization{plural}
        </button>
        {running ? (
          <button type="button" id="batch-cancel" onClick={() => void cancelBatch()}>
            Cancel
          </button>
        ) : null}
        {failed.length > 0 ? (
          <button type="button" id="batch-retry" onClick={() => void retryFailed()}>
            Retry {failed.length} failed
          </button>
        ) : null}
      </header>
      {connectionId ? (
        <fieldset class="mode-switch" disabled={running}>
          <legend>Tokens from</legend>
          <label class="checkbox">
            <input type="radio" name="batch-mode" id="batch-mode-tokens" checked={!atlasMode} onChange={() => (batchMode.value = "tokens")} /> Paste or
            import tokens
          </label>
          <label class="checkbox">
            <input type="radio" name="batch-mode" id="batch-mode-atlas" checked={atlasMode} onChange={() => (batchMode.value = "atlas")} /> Generate in
            Atlas
          </label>
        </fieldset>
      ) : null}
      {run ? (
        <div class="progress-row">
          {/* Indeterminate while Atlas generates the tokens: no progress events until then. */}
          <progress id="batch-progress" max={run.total} value={minting ? undefined : run.done} aria-label="Batch progress" />
          <span id="batch-status" role="status">
            {minting ? (
              "Generating tokens in Atlas…"
            ) : (
              <>
                {run.done} of {run.total} done
                {run.running ? "…" : run.cancelled ? " · cancelled" : run.stopped ? ` · stopped: ${run.stopped.message}` : ""}
                {!run.running && failed.length ? ` · ${failed.length} failed` : ""}
              </>
            )}
          </span>
        </div>
      ) : null}
      <div class="batch-body">
        {atlasMode ? <AtlasSettings profile={profile} disabled={running} /> : null}
        <div class="batch-csv" hidden={atlasMode}>
          <label class="field">
            <span class="field-label">Paste a CSV of org,token</span>
            <textarea
              id="batch-csv"
              rows={3}
              spellcheck={false}
              autocomplete="off"
              placeholder={"org,token\n5f1e2d3c4b5a697887766554,<link token>"}
              value={csv}
              onInput={(e) => setCsv(e.currentTarget.value)}
            />
          </label>
          <div class="inline">
            <button
              type="button"
              id="batch-apply"
              disabled={csv.trim() === ""}
              onClick={() => {
                // Applied: the tokens move into the rows and leave the text box.
                void applyCsv(csv).then((applied) => applied && setCsv(""));
              }}
            >
              Apply CSV
            </button>
            <label class="file-button">
              Import CSV file…
              <input
                type="file"
                id="batch-file"
                accept=".csv,text/csv,text/plain"
                onChange={(e) => {
                  const input = e.currentTarget;
                  void importFile(input.files?.[0]).finally(() => (input.value = ""));
                }}
              />
            </label>
          </div>
          {csvProblems.value.length ? (
            <div class="error-box" role="alert" id="batch-csv-errors">
              <strong>Nothing was applied: fix these rows.</strong>
              <ul>
                {csvProblems.value.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
        <ul class="batch-rows" aria-label={atlasMode ? "Selected organizations and their Atlas organizations" : "Selected organizations and their tokens"}>
          {ids.map((id) => {
            const result = run?.results.get(id);
            if (atlasMode)
              return (
                <AtlasRow
                  key={id}
                  id={id}
                  name={names.get(id) ?? id}
                  list={atlasOrgList}
                  fallback={chosenAtlasOrg(profile)}
                  disabled={running}
                  error={result?.result === "failed" ? result.error : null}
                />
              );
            const typed = batchTokens.value.get(id) ?? "";
            const check = typed === "" ? null : checkNow("linkToken", typed);
            const source = tokenSourceOf(profileId, id);
            return (
              <li key={id} data-batch-org={id} class={result?.result === "failed" ? "failed" : ""}>
                <span class="batch-name" title={id}>
                  {names.get(id) ?? id}
                </span>
                <input
                  type="password"
                  class="batch-token"
                  data-org={id}
                  aria-label={`Link token for ${names.get(id) ?? id}`}
                  autocomplete="off"
                  spellcheck={false}
                  placeholder={source === "saved" ? "Saved token" : "Link token"}
                  value={typed}
                  disabled={running}
                  onInput={(e) => setBatchToken(id, e.currentTarget.value)}
                />
                <span class="field-note small">
                  {typed === "" ? (source === "saved" ? "saved in the keychain" : "no token") : !check ? "" : check.ok ? check.shown : check.message}
                </span>
                {result?.result === "failed" ? (
                  <span class="batch-error warning-text" data-error-kind={result.error.kind}>
                    {result.error.message}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
