// The batch panel's Atlas mode: the Atlas organization and access list every selected
// organization's token is generated with, and a row per organization that may name its own.

import type { OmlinkError } from "../api";
import { setRowAtlasOrg } from "../actions";
import type { Organization } from "../bindings/Organization";
import type { Profile } from "../bindings/Profile";
import { atlasOf, batchAtlasOverrides } from "../state";
import { Options } from "./common";
import { AccessListField, AtlasOrgField, AtlasOrgs } from "./fields/AtlasTarget";

/** Atlas mode: the Atlas organization every selected organization's token is generated in,
 * and the source's addresses for its access list. */
export function AtlasSettings({ profile, disabled }: { profile: Profile; disabled: boolean }) {
  const a = atlasOf(profile);
  if (!a) return null;
  return (
    <div class="batch-atlas">
      <AtlasOrgs profile={profile} none={<p class="warning-text">The Atlas connection {a.connection.name} sees no Atlas organization.</p>}>
        {(chosen, list) => (
          <AtlasOrgField
            id="batch-atlas-org"
            label="Atlas organization (every selected one)"
            profileId={profile.id}
            chosen={chosen}
            list={list}
            disabled={disabled}
          />
        )}
      </AtlasOrgs>
      <AccessListField
        id="batch-access-list"
        noteId="batch-access-list-note"
        hint="The source's external address as Atlas sees it; Cloud Manager needs none."
        profile={profile}
        disabled={disabled}
      />
      <p class="muted small">omlink generates one token per organization with {a.connection.name}, then links them all. No token is shown.</p>
    </div>
  );
}

export function AtlasRow({
  id,
  name,
  list,
  fallback,
  disabled,
  error,
}: {
  id: string;
  name: string;
  list: Organization[] | null;
  fallback: Organization | null;
  disabled: boolean;
  error: OmlinkError | null;
}) {
  const own = batchAtlasOverrides.value.get(id) ?? "";
  const target = list?.find((o) => o.id === own) ?? fallback;
  return (
    <li data-batch-org={id} class={error ? "failed" : ""}>
      <span class="batch-name" title={id}>
        {name}
      </span>
      <select
        class="row-atlas-org"
        data-org={id}
        aria-label={`Atlas organization for ${name}`}
        value={list?.some((o) => o.id === own) ? own : ""}
        disabled={disabled}
        onChange={(e) => setRowAtlasOrg(id, e.currentTarget.value || null)}
      >
        <option value="">Same as above</option>
        <Options items={list ?? []} />
      </select>
      <span class="field-note small">{target ? `→ ${target.name}` : ""}</span>
      {error ? (
        <span class="batch-error warning-text" data-error-kind={error.kind}>
          {error.message}
        </span>
      ) : null}
    </li>
  );
}
