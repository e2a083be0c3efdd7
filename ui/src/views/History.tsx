// The token history: this organization's attempts (or all), filter, reuse, delete, export.

import { deleteEntry, exportHistory, historyScopeAll, reuse } from "../actions";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import { filterHistory, outcomeText } from "../lib/history";
import { history, historyAll, historyQuery, inFlight, orgKey, profiles, selected } from "../state";
import { Badge } from "./common";

export function History() {
  const all = historyScopeAll();
  const orgFilter = all || !selected.value ? "" : selected.value.id;
  const rows = filterHistory(history.value, orgFilter, historyQuery.value);
  const profileOf = (e: HistoryEntry) => profiles.value.find((p) => p.id === e.profileId);
  return (
    <section id="history" aria-labelledby="history-title">
      <h2 id="history-title">Token history</h2>
      <div class="toolbar">
        <select
          id="history-scope"
          aria-label="Whose history"
          value={all ? "all" : "org"}
          disabled={!selected.value}
          onChange={(e) => (historyAll.value = e.currentTarget.value === "all")}
        >
          <option value="org">This organization</option>
          <option value="all">All organizations</option>
        </select>
        <input
          id="history-query"
          type="search"
          aria-label="Filter the history"
          placeholder="Filter"
          value={historyQuery.value}
          onInput={(e) => (historyQuery.value = e.currentTarget.value)}
        />
      </div>
      {rows.length ? (
        <div class="table-wrap history-wrap">
          <table id="history-table" aria-label="Link attempts">
            <thead>
              <tr>
                <th>Attempt</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => {
                const profile = profileOf(e);
                return (
                  <tr key={e.id} data-history-id={e.id}>
                    <td title={`${e.orgName ?? ""} ${e.orgId} · profile ${e.profileName}`}>
                      <span class="when">{new Date(e.at).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" })}</span> ·{" "}
                      <span class="small">{e.profileName}</span>
                      <br />
                      <strong class="small">{e.orgName ?? e.orgId}</strong>
                      <br />
                      <code class="token-mask">{e.tokenMask}</code> <span class="muted small">sha256 {e.tokenFingerprint}</span>
                      {e.generatedIn ? (
                        <>
                          <br />
                          <span class="generated-in small">generated in Atlas org {e.generatedIn.orgName ?? e.generatedIn.orgId}</span>
                        </>
                      ) : null}
                    </td>
                    <td class="outcome">
                      <Badge
                        state={
                          e.outcome.result === "linked"
                            ? { state: "status", status: e.outcome.status }
                            : e.outcome.result === "failed"
                              ? { state: "error", kind: e.outcome.kind, errorCode: e.outcome.errorCode }
                              : { state: "error", kind: "Cancelled" }
                        }
                      />
                      <span class="sr-only"> {outcomeText(e.outcome)}</span>
                      {e.note ? <p class="warning-text small">{e.note}</p> : null}
                      <div class="row-actions">
                      <button
                        type="button"
                        class="reuse"
                        disabled={!e.hasToken || !profile || inFlight.value.has(orgKey(e.profileId, e.orgId))}
                        title={
                          !e.hasToken
                            ? "The token is not in the keychain"
                            : !profile
                              ? `Profile “${e.profileName}” was deleted`
                              : "Link this organization again with the token saved in the keychain"
                        }
                        aria-label={`Reuse this token for ${e.orgName ?? e.orgId}`}
                        onClick={() => void reuse(e)}
                      >
                        Reuse
                      </button>
                      <button type="button" class="delete-entry danger" aria-label={`Delete this entry of ${e.orgName ?? e.orgId}`} onClick={() => void deleteEntry(e)}>
                        Delete
                      </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted" id="history-empty">
          No link attempts yet.
        </p>
      )}
      <div class="actions">
        <button type="button" id="export-json" onClick={() => void exportHistory(orgFilter || null, "Json")}>
          Export JSON
        </button>
        <button type="button" id="export-csv" onClick={() => void exportHistory(orgFilter || null, "Csv")}>
          Export CSV
        </button>
      </div>
      <p class="muted small">
        Tokens are kept only in the OS keychain; the history shows their first and last four characters and a fingerprint. Exports contain no tokens.
      </p>
    </section>
  );
}
