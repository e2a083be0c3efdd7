// The main view: the profile's organizations as a table, a badge on every row, counts, search,
// filter, sort and multi-select.

import { readAllStatus, selectOrg } from "../actions";
import type { Organization } from "../bindings/Organization";
import { CATEGORY_LABELS, countByCategory, selectRange, visibleOrgs, type Category, type Filter, type SortKey } from "../lib/fleet";
import { anchor, checked, current, dialog, filter, orgList, orgs, query, reading, selected, sort, stateOf } from "../state";
import { Badge, ErrorBox } from "./common";

/** The search field's id: Ctrl/Cmd+K focuses it. */
export const SEARCH_ID = "org-search";

/** Focuses the link token field once the side panel shows it. */
export function focusToken(): void {
  requestAnimationFrame(() => document.getElementById("token")?.focus());
}

export function Fleet() {
  const p = current.value;
  if (!p) return <Welcome />;
  // Only this profile's list: another's error or warnings never show under its name.
  const list = orgList.value?.profileId === p.id ? orgList.value : null;
  const profileId = p.id;
  const all = orgs.value;
  const lookup = (id: string) => stateOf(profileId, id);
  const shown = visibleOrgs(all, lookup, query.value, filter.value, sort.value);
  const counts = countByCategory(all, lookup);
  const read = reading.value?.profileId === profileId ? reading.value : null;

  return (
    <section id="orgs" aria-labelledby="orgs-title">
      <header class="fleet-head">
        <div>
          <h2 id="orgs-title">{p.name}</h2>
          <p class="muted small profile-where">{p.sandbox ? "built-in sandbox" : p.url}</p>
        </div>
        <span class="spacer" />
        <button type="button" id="refresh-all" disabled={!list?.orgs || read !== null} onClick={() => void readAllStatus(profileId)}>
          {read ? `Checking ${read.done}/${read.total}…` : "Refresh"}
        </button>
        <button type="button" id="edit-profile" onClick={() => (dialog.value = "settings")}>
          Settings
        </button>
      </header>
      {list?.warnings.map((w) => (
        <p class="warning-text" key={w}>
          ⚠ {w}
        </p>
      ))}
      {list?.error ? <ErrorBox error={list.error} /> : null}
      {list?.loading && !list.orgs ? (
        <p>
          <Badge state={{ state: "inProgress", what: "Loading organizations" }} />
        </p>
      ) : null}
      {list?.orgs ? (
        <>
          <Counts counts={counts} total={all.length} />
          <Toolbar shown={shown} />
          <Table shown={shown} profileId={profileId} />
        </>
      ) : null}
    </section>
  );
}

function Welcome() {
  return (
    <section id="orgs" class="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome</h2>
      <p>Create a connection profile for your Ops Manager or Cloud Manager, or try omlink on the built-in sandbox first.</p>
      <p class="muted">
        omlink shows every organization your API key can see with its Atlas link status, links one or hundreds at once, and keeps tokens only in the OS
        keychain.
      </p>
    </section>
  );
}

function Counts({ counts, total }: { counts: Record<Category, number>; total: number }) {
  const chip = (c: Category) => (
    <button
      type="button"
      class={`count ${c} ${filter.value === c ? "active" : ""}`}
      aria-pressed={filter.value === c}
      data-count={c}
      onClick={() => (filter.value = filter.value === c ? "all" : c)}
    >
      <strong>{counts[c]}</strong> {CATEGORY_LABELS[c]}
    </button>
  );
  return (
    <div class="counts" id="fleet-counts" role="group" aria-label="Organizations by status">
      <span class="count-total">
        <strong>{total}</strong> organization{total === 1 ? "" : "s"}
      </span>
      {chip("linked")}
      {chip("notLinked")}
      {chip("errors")}
      {chip("unchecked")}
    </div>
  );
}

function Toolbar({ shown }: { shown: Organization[] }) {
  return (
    <div class="toolbar">
      <input
        id={SEARCH_ID}
        type="search"
        aria-label="Search organizations by name or id"
        placeholder="Search by name or id  (Ctrl+K)"
        value={query.value}
        onInput={(e) => (query.value = e.currentTarget.value)}
        onKeyDown={(e) => {
          // Enter on a single match opens it, ready for the token.
          const only = shown[0];
          if (e.key === "Enter" && shown.length === 1 && only) {
            e.preventDefault();
            selectOrg(only.id, only.name);
            focusToken();
          }
        }}
      />
      <select id="status-filter" aria-label="Show organizations" value={filter.value} onChange={(e) => (filter.value = e.currentTarget.value as Filter)}>
        <option value="all">All statuses</option>
        <option value="notLinked">Not linked</option>
        <option value="linked">Linked</option>
        <option value="errors">Errors</option>
        <option value="unchecked">Not checked</option>
      </select>
      <span class="muted small" id="shown-count" aria-live="polite">
        {shown.length} shown · {checked.value.size} selected
      </span>
    </div>
  );
}

const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: "name", label: "Organization" },
  { key: "status", label: "Link status" },
  { key: "checked", label: "Checked" },
];

function Table({ shown, profileId }: { shown: Organization[]; profileId: string }) {
  const ids = shown.map((o) => o.id);
  const sel = checked.value;
  const allShownChecked = ids.length > 0 && ids.every((id) => sel.has(id));
  const toggleAll = () => {
    const next = new Set(sel);
    for (const id of ids) {
      if (allShownChecked) next.delete(id);
      else next.add(id);
    }
    checked.value = next;
  };
  const toggle = (id: string, on: boolean, shift: boolean) => {
    checked.value = selectRange(sel, ids, shift ? anchor.value : null, id, on);
    anchor.value = id;
  };
  return (
    <div class="table-wrap">
      <table id="fleet-table" aria-label="Organizations">
        <thead>
          <tr>
            <th class="select-col">
              <input
                type="checkbox"
                id="select-all"
                aria-label={allShownChecked ? "Clear the selection of the organizations shown" : "Select all organizations shown"}
                checked={allShownChecked}
                disabled={ids.length === 0}
                onChange={toggleAll}
              />
            </th>
            {COLUMNS.map((c) => {
              const active = sort.value.by === c.key;
              return (
                <th key={c.key} aria-sort={active ? (sort.value.descending ? "descending" : "ascending") : "none"}>
                  <button
                    type="button"
                    class="sort"
                    data-sort={c.key}
                    onClick={() => (sort.value = { by: c.key, descending: active ? !sort.value.descending : false })}
                  >
                    {c.label}
                    <span aria-hidden="true">{active ? (sort.value.descending ? " ▼" : " ▲") : ""}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((o) => {
            const s = stateOf(profileId, o.id);
            const isSelected = selected.value?.profileId === profileId && selected.value.id === o.id;
            return (
              <tr key={o.id} data-row-org={o.id} class={`${isSelected ? "active" : ""} ${sel.has(o.id) ? "checked" : ""}`}>
                <td class="select-col">
                  <input
                    type="checkbox"
                    class="row-select"
                    aria-label={`Select ${o.name}`}
                    checked={sel.has(o.id)}
                    onClick={(e) => toggle(o.id, e.currentTarget.checked, e.shiftKey)}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    class="org"
                    data-org-id={o.id}
                    aria-current={isSelected ? "true" : undefined}
                    onClick={() => {
                      selectOrg(o.id, o.name);
                      focusToken();
                    }}
                  >
                    {o.name}
                  </button>
                  <code class="org-id">{o.id}</code>
                </td>
                <td class="status">
                  <Badge state={s?.badge ?? { state: "unknown" }} />
                </td>
                <td class="checked-at muted small">{s?.checkedAt ? s.checkedAt.toLocaleTimeString() : "—"}</td>
              </tr>
            );
          })}
          {shown.length === 0 ? (
            <tr>
              <td colSpan={4} class="muted">
                No organization matches.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
