// The batch panel: the checked organizations, a token per row (typed, pasted or imported from
// a CSV), one click to link them all, progress, Cancel and Retry failed.

import { useState } from "preact/hooks";
import { applyCsv, cancelBatch, failedOfLastRun, linkChecked, retryFailed, setBatchToken, tokenSourceOf } from "../actions";
import { maskToken } from "../lib/mask";
import { checkToken } from "../lib/validate";
import { batchRun, batchTokens, checked, csvProblems, currentId, orgs } from "../state";

export function BatchPanel() {
  const profileId = currentId.value;
  const [csv, setCsv] = useState("");
  const [force, setForce] = useState(false);
  const run = batchRun.value?.profileId === profileId ? batchRun.value : null;
  const ids = [...checked.value];
  if (!profileId || (ids.length === 0 && !run)) return null;
  const names = new Map(orgs.value.map((o) => [o.id, o.name]));
  const ready = ids.filter((id) => tokenSourceOf(profileId, id) !== null).length;
  const running = run?.running ?? false;
  const failed = running ? [] : failedOfLastRun();

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    // Read here, in the window, and never kept: the tokens go into the rows' fields.
    const text = await file.text();
    applyCsv(text);
  };

  return (
    <section id="batch" aria-labelledby="batch-title">
      <header class="batch-head">
        <h2 id="batch-title">Link {ids.length} selected</h2>
        <span class="muted small" id="batch-ready">
          {ready} of {ids.length} with a token
        </span>
        <span class="spacer" />
        <label class="checkbox small">
          <input type="checkbox" id="batch-force" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Link again if already linked
        </label>
        <button
          type="button"
          id="batch-link"
          class="primary"
          disabled={running || ids.length === 0 || ready < ids.length}
          onClick={() => void linkChecked(force)}
        >
          Link {ids.length} organization{ids.length === 1 ? "" : "s"}
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
      {run ? (
        <div class="progress-row">
          <progress id="batch-progress" max={run.total} value={run.done} aria-label="Batch progress" />
          <span id="batch-status" role="status">
            {run.done} of {run.total} done
            {run.running ? "…" : run.cancelled ? " · cancelled" : run.stopped ? ` · stopped: ${run.stopped.message}` : ""}
            {!run.running && failed.length ? ` · ${failed.length} failed` : ""}
          </span>
        </div>
      ) : null}
      <div class="batch-body">
        <div class="batch-csv">
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
                if (applyCsv(csv)) setCsv("");
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
                {csvProblems.value.map((p) => (
                  <li key={p.line}>
                    Line {p.line}: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
        <ul class="batch-rows" aria-label="Selected organizations and their tokens">
          {ids.map((id) => {
            const typed = batchTokens.value.get(id) ?? "";
            const check = checkToken(typed);
            const source = tokenSourceOf(profileId, id);
            const result = run?.results.get(id);
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
                  {typed === "" ? (source === "saved" ? "saved in the keychain" : "no token") : check.ok ? maskToken(check.value) : check.message}
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
